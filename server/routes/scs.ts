/**
 * IVOA Simple Cone Search 1.03 at /scs/<catalogue>?RA=&DEC=&SR=[&VERB=]:
 * a VOTable (TABLEDATA) of the catalogue rows within SR degrees of (RA, DEC), nearest first,
 * with the main id and position columns flagged ID_MAIN, POS_EQ_RA_MAIN, POS_EQ_DEC_MAIN.
 * Errors are VOTables too (INFO name="Error" + QUERY_STATUS=ERROR), HTTP 200 as SCS 1.03
 * clients expect (404 for an unknown catalogue). Parameter names are case-insensitive; other
 * parameters are ignored, as the standard asks.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DatabaseHandle } from '../storage/handle.js';
import { getCatalogue, searchRegion } from '../storage/catalogues.js';
import { angularDistanceDeg, discRanges29, inCone } from '../storage/spatial.js';
import { VOTABLE_TYPE, writeErrorVoTable, writeVoTable, type VoField } from '../votable.js';
import { CATALOGUE_NAME_PATTERN } from '../openapi.js';

/** Most rows an SCS answer carries (then QUERY_STATUS=OVERFLOW). */
export const SCS_MAX_ROWS = 100_000;

class ScsError extends Error {
  constructor(
    message: string,
    readonly status = 200,
  ) {
    super(message);
  }
}

function param(query: Record<string, unknown>, name: string): string | undefined {
  for (const [k, v] of Object.entries(query)) {
    if (k.toUpperCase() === name) return Array.isArray(v) ? String(v[0]) : String(v);
  }
  return undefined;
}

function number(query: Record<string, unknown>, name: string, lo: number, hi: number): number {
  const raw = param(query, name);
  if (raw === undefined || raw.trim() === '') throw new ScsError(`${name} is required (decimal degrees)`);
  const v = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(v)) throw new ScsError(`${name} must be a number in decimal degrees, got ${JSON.stringify(raw)}`);
  if (v < lo || v > hi) throw new ScsError(`${name} must be in [${lo}, ${hi}] degrees, got ${v}`);
  return v;
}

function sendVoTable(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).type(VOTABLE_TYPE).header('cache-control', 'no-cache').send(body);
}

export async function scsRoutes(app: FastifyInstance, handle: DatabaseHandle): Promise<void> {
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });

  app.get<{ Params: { catalogue: string } }>('/scs/:catalogue', async (request, reply) => {
    try {
      const name = request.params.catalogue;
      const query = request.query as Record<string, unknown>;
      if (!new RegExp(CATALOGUE_NAME_PATTERN).test(name)) throw new ScsError(`no catalogue named ${JSON.stringify(name)}`, 404);
      const db = await handle.get();
      const cat = await getCatalogue(db, name);
      if (cat === undefined) throw new ScsError(`no catalogue named ${JSON.stringify(name)}`, 404);
      const ra = number(query, 'RA', -360, 360);
      const dec = number(query, 'DEC', -90, 90);
      const sr = number(query, 'SR', 0, 180);
      const verbRaw = param(query, 'VERB');
      const verb = verbRaw === undefined || verbRaw === '' ? 2 : Number(verbRaw);
      if (![1, 2, 3].includes(verb)) throw new ScsError(`VERB must be 1, 2 or 3, got ${JSON.stringify(verbRaw)}`);
      if (sr > cat.maxRadius) {
        throw new ScsError(`SR ${sr} is above the limit of ${cat.maxRadius} degrees (maxRadius) for catalogue ${cat.name}`);
      }
      const raN = ((ra % 360) + 360) % 360;
      const columns = verb === 1 ? cat.columns.filter((c) => [cat.idColumn, 'ra', 'dec'].includes(c.name)) : cat.columns;
      const fields: VoField[] = columns.map((c) => {
        const f: VoField = { name: c.name, type: c.type };
        if (c.unit) f.unit = c.unit;
        if (c.description) f.description = c.description;
        // SCS 1.03 asks for the UCD1 names on the three main columns
        if (c.name === cat.idColumn) f.ucd = 'ID_MAIN';
        else if (c.name === 'ra') Object.assign(f, { ucd: 'POS_EQ_RA_MAIN', ref: 'icrs' });
        else if (c.name === 'dec') Object.assign(f, { ucd: 'POS_EQ_DEC_MAIN', ref: 'icrs' });
        else if (c.ucd) f.ucd = c.ucd;
        return f;
      });
      fields.push({ name: '_r', type: 'double', unit: 'deg', ucd: 'pos.angDistance', description: 'distance from (RA, DEC)' });
      let rows: Array<Array<number | string | null>> = [];
      let overflow = false;
      if (sr > 0) {
        const result = await searchRegion(db, cat, discRanges29(raN, dec, sr), inCone(raN, dec, sr), {
          limit: SCS_MAX_ROWS,
          orderBy: 'distance',
          centre: { ra: raN, dec },
        });
        overflow = result.truncated;
        const keep = columns.map((c) => cat.columns.indexOf(c));
        const raIdx = cat.columns.findIndex((c) => c.name === 'ra');
        const decIdx = cat.columns.findIndex((c) => c.name === 'dec');
        rows = result.data.map((r) => {
          const out = keep.map((i) => r[i] ?? null);
          out.push(angularDistanceDeg(raN, dec, Number(r[raIdx]), Number(r[decIdx])));
          return out;
        });
      }
      const body = writeVoTable({
        description: `${cat.title}: Simple Cone Search, RA=${ra} DEC=${dec} SR=${sr}`,
        tableName: cat.name,
        fields,
        rows,
        overflow,
        infos: [
          { name: 'request', value: `RA=${ra}&DEC=${dec}&SR=${sr}&VERB=${verb}` },
          { name: 'credit', value: cat.credit },
        ],
      });
      return sendVoTable(reply, body);
    } catch (err) {
      if (err instanceof ScsError) return sendVoTable(reply, writeErrorVoTable(err.message), err.status);
      throw err;
    }
  });
}
