/**
 * IVOA TAP 1.1 (synchronous) over the archive's tables:
 *  - GET|POST /tap/sync      REQUEST=doQuery, LANG=ADQL, QUERY, MAXREC, FORMAT|RESPONSEFORMAT
 *                            (votable = TABLEDATA, votable/b2 = BINARY2, csv)
 *  - GET /tap/tables         VOSI tableset (VODataService 1.1)
 *  - GET /tap/capabilities   VOSI capabilities (TAPRegExt)
 *  - GET /tap/availability   VOSI availability
 *  - GET /tap/examples       DALI examples (XHTML + RDFa)
 *  - /tap/async…             UWS 1.1 jobs running the same queries, kept in the database so that
 *                             every node answers for every job (tap/uws.ts)
 * Parameter names are case-insensitive; unknown parameters are ignored (DALI). Errors are
 * VOTables with INFO QUERY_STATUS=ERROR (HTTP 400 for a bad request, 500 for a failure here).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { originOf } from '../http.js';
import type { DatabaseHandle } from '../storage/handle.js';
import { runAdql, TAP_QUERY_TIMEOUT_MS, TapUserError } from '../tap/execute.js';
import { AdqlError } from '../tap/lexer.js';
import { loadTapMeta, type TapMeta } from '../tap/metadata.js';
import { writeCsv } from '../tap/csv.js';
import { availabilityXml, capabilitiesXml, tablesXml } from '../tap/vosi.js';
import { examplesXhtml } from '../tap/examples.js';
import { JobStore, UwsError, jobListXml, jobXml, parametersXml, resultsXml, type Job, type JobResult } from '../tap/uws.js';
import type { Database } from '../storage/db.js';
import { VOTABLE_TYPE, writeErrorVoTable, writeVoTable } from '../votable.js';

/** MAXREC when the request has none. */
export const TAP_DEFAULT_MAXREC = 100_000;
/** The most rows one answer carries, whatever MAXREC asks. */
export const TAP_HARD_MAXREC = 500_000;

const XML_TYPE = 'text/xml; charset=utf-8';

type Format = 'votable' | 'binary2' | 'csv';

const FORMATS: Record<string, Format> = {
  votable: 'votable',
  'votable/td': 'votable',
  'application/x-votable+xml': 'votable',
  'application/x-votable+xml;serialization=tabledata': 'votable',
  'text/xml': 'votable',
  'votable/b2': 'binary2',
  'votable/binary2': 'binary2',
  'application/x-votable+xml;serialization=binary2': 'binary2',
  csv: 'csv',
  'text/csv': 'csv',
  'text/csv;header=present': 'csv',
};

class BadRequest extends Error {}

/** Request parameters with upper-case names (the first value of repeated ones; body before query). */
function tapParams(request: FastifyRequest): Map<string, string> {
  const out = new Map<string, string>();
  const add = (src: unknown): void => {
    if (src === null || typeof src !== 'object') return;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      const key = k.toUpperCase();
      if (out.has(key)) continue;
      out.set(key, Array.isArray(v) ? String(v[0]) : String(v));
    }
  };
  add(request.body);
  add(request.query);
  return out;
}

function parseMaxrec(raw: string | undefined): { maxrec: number; note?: string } {
  if (raw === undefined || raw.trim() === '') return { maxrec: TAP_DEFAULT_MAXREC };
  if (!/^\s*\d+\s*$/.test(raw)) throw new BadRequest(`MAXREC must be a whole number of rows >= 0, got ${JSON.stringify(raw)}`);
  const v = Number(raw);
  if (v > TAP_HARD_MAXREC) {
    return {
      maxrec: TAP_HARD_MAXREC,
      note: `MAXREC ${raw.trim()} is above the hard limit of this service, ${TAP_HARD_MAXREC} rows: ${TAP_HARD_MAXREC} was used`,
    };
  }
  return { maxrec: v };
}

export interface TapServiceOptions {
  /** Where the service lives (default /tap). */
  prefix?: string;
  /** The tables it publishes (default: loadTapMeta). */
  loadMeta?: (db: Database) => Promise<TapMeta>;
  /** Mark /tables columns for ESA TAP+ clients (tablesXml). */
  esaTapPlus?: boolean;
  /**
   * Sync answers turn server-relative links (ucd meta.ref.url values such as
   * /api/products/…) into absolute URLs on the request's origin, for clients that fetch them
   * as they are (astroquery.esasky's downloads).
   */
  absoluteUrls?: boolean;
}

/** `rows` with server-relative meta.ref.url values prefixed by `origin`. */
export function absolutizeUrls(fields: ReadonlyArray<{ ucd?: string }>, rows: unknown[][], origin: string): unknown[][] {
  const cols = fields.flatMap((f, i) => (f.ucd === 'meta.ref.url' ? [i] : []));
  if (cols.length === 0) return rows;
  return rows.map((r) => {
    const out = r.slice();
    for (const i of cols) {
      const v = out[i];
      if (typeof v === 'string' && v.startsWith('/') && !v.startsWith('//')) out[i] = origin + v;
    }
    return out;
  });
}

function isUserError(err: unknown): err is Error {
  return err instanceof BadRequest || err instanceof AdqlError || err instanceof TapUserError;
}

/**
 * Runs one TAP query request (sync parameters; async job parameters).
 * @throws BadRequest / AdqlError / TapUserError for what the client asked, other errors for failures.
 */
export async function runTapQuery(
  db: Database,
  p: ReadonlyMap<string, string>,
  timeoutMs = TAP_QUERY_TIMEOUT_MS,
  loadMeta: (db: Database) => Promise<TapMeta> = loadTapMeta,
  urlOrigin?: string,
): Promise<JobResult> {
  const req = p.get('REQUEST');
  if (req !== undefined && req.toLowerCase() !== 'doquery') {
    throw new BadRequest(`REQUEST=${req} is not supported: use REQUEST=doQuery (or leave it out)`);
  }
  const lang = p.get('LANG');
  if (lang === undefined || lang.trim() === '') throw new BadRequest('LANG is required: use LANG=ADQL');
  if (!/^ADQL(-2\.[01])?$/i.test(lang.trim())) throw new BadRequest(`LANG=${lang} is not supported: use LANG=ADQL`);
  const query = p.get('QUERY');
  if (query === undefined || query.trim() === '') throw new BadRequest('QUERY is required (an ADQL SELECT statement)');
  if (p.has('UPLOAD')) throw new BadRequest('UPLOAD is not supported by this service');
  const fmtRaw = p.get('RESPONSEFORMAT') ?? p.get('FORMAT') ?? 'votable';
  const format = FORMATS[fmtRaw.toLowerCase().replace(/\s+/g, '')];
  if (format === undefined) {
    throw new BadRequest(`RESPONSEFORMAT=${fmtRaw} is not supported: use votable, votable/b2 or csv`);
  }
  const { maxrec, note } = parseMaxrec(p.get('MAXREC'));
  const meta = await loadMeta(db);
  const result = await runAdql(db, meta, query, maxrec, timeoutMs);
  if (urlOrigin !== undefined) result.rows = absolutizeUrls(result.fields, result.rows, urlOrigin);
  if (format === 'csv') return { type: 'text/csv; charset=utf-8; header=present', body: writeCsv(result.fields, result.rows) };
  const infos = [{ name: 'QUERY', value: '', content: query }];
  if (note !== undefined) infos.push({ name: 'MAXREC', value: String(maxrec), content: note });
  const body = writeVoTable({
    tableName: 'result',
    fields: result.fields,
    rows: result.rows,
    overflow: result.overflow,
    infos,
    serialization: format === 'binary2' ? 'BINARY2' : 'TABLEDATA',
  });
  return { type: VOTABLE_TYPE, body };
}

function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type(VOTABLE_TYPE).header('cache-control', 'no-store').send(writeErrorVoTable(message));
}

export async function tapRoutes(app: FastifyInstance,
  handle: DatabaseHandle,
  version: string,
  opts: TapServiceOptions = {},
): Promise<void> {
  const prefix = opts.prefix ?? '/tap';
  const loadMeta = opts.loadMeta ?? loadTapMeta;
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
    reply.header('server', `esasky-sky/${version}`);
  });
  // POST bodies of TAP are HTML-form encoded
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1 << 20 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const sync = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const origin = opts.absoluteUrls === true ? originOf(request) : undefined;
    try {
      const result = await runTapQuery(await handle.get(), tapParams(request), TAP_QUERY_TIMEOUT_MS, loadMeta, origin);
      return reply.code(200).type(result.type).header('cache-control', 'no-store').send(result.body);
    } catch (err) {
      if (isUserError(err)) {
        request.log.info({ err: { message: err.message } }, 'TAP request rejected');
        return sendError(reply, 400, err.message);
      }
      request.log.error({ err }, 'TAP query failed');
      return sendError(reply, 500, 'internal error while running the query');
    }
  };
  app.get(`${prefix}/sync`, sync);
  app.post(`${prefix}/sync`, sync);

  app.get(`${prefix}/tables`, async (_request, reply) => {
    const meta = await loadMeta(await handle.get());
    return reply.type(XML_TYPE).header('cache-control', 'no-cache').send(tablesXml(meta, { esaTapPlus: opts.esaTapPlus === true }));
  });
  app.get(`${prefix}/capabilities`, async (request, reply) => {
    const xml = capabilitiesXml(`${originOf(request)}${prefix}`, { defaultMaxrec: TAP_DEFAULT_MAXREC, hardMaxrec: TAP_HARD_MAXREC });
    return reply.type(XML_TYPE).header('cache-control', 'no-cache').send(xml);
  });
  app.get(`${prefix}/examples`, async (_request, reply) =>
    reply.type('application/xhtml+xml; charset=utf-8').header('cache-control', 'no-cache').send(examplesXhtml()),
  );
  app.get(`${prefix}/availability`, async (request, reply) => {
    let ok = true;
    let note = 'the service is accepting queries';
    try {
      await (await handle.get()).all('SELECT 1 AS one');
    } catch (err) {
      request.log.error({ err }, 'TAP availability: database unreachable');
      ok = false;
      note = 'the database cannot be reached';
    }
    return reply.type(XML_TYPE).header('cache-control', 'no-store').send(availabilityXml(ok, note));
  });

  // UWS /async ----------------------------------------------------------------------------------
  const store = new JobStore(() => handle.get(), async (params, timeLimitS) => {
    try {
      return await runTapQuery(await handle.get(), params, timeLimitS * 1000, loadMeta);
    } catch (err) {
      if (isUserError(err)) throw err;
      app.log.error({ err }, 'TAP async job failed');
      throw new Error('internal error while running the query');
    }
  }, { service: prefix });
  app.addHook('onClose', async () => store.destroy());

  const base = (request: FastifyRequest): string => `${originOf(request)}${prefix}/async`;
  const xml = (reply: FastifyReply, body: string): FastifyReply => reply.type(XML_TYPE).header('cache-control', 'no-store').send(body);
  const text = (reply: FastifyReply, body: string): FastifyReply =>
    reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(body);
  const seeOther = (reply: FastifyReply, url: string): FastifyReply => reply.code(303).header('location', url).send();
  type JobRequest = FastifyRequest<{ Params: { id: string } }>;
  const uws =
    (fn: (request: JobRequest, reply: FastifyReply, job: Job) => Promise<FastifyReply> | FastifyReply) =>
    async (request: JobRequest, reply: FastifyReply): Promise<FastifyReply> => {
      try {
        return await fn(request, reply, await store.get(request.params.id));
      } catch (err) {
        if (err instanceof UwsError) return reply.code(err.status).type('text/plain; charset=utf-8').send(err.message);
        throw err;
      }
    };

  app.get(`${prefix}/async`, async (request, reply) => xml(reply, jobListXml(await store.list(), base(request))));
  app.post(`${prefix}/async`, async (request, reply) => {
    const params = tapParams(request);
    const phase = params.get('PHASE');
    let job: Job;
    try {
      job = await store.create(params);
      if (phase !== undefined) await store.command(job, phase);
    } catch (err) {
      if (err instanceof UwsError) return reply.code(err.status).type('text/plain; charset=utf-8').send(err.message);
      throw err;
    }
    return seeOther(reply, `${base(request)}/${job.id}`);
  });
  app.get(
    `${prefix}/async/:id`,
    uws(async (request, reply, job) => {
      const p = tapParams(request);
      const wait = p.get('WAIT');
      if (wait !== undefined) {
        const s = Number(wait);
        // WAIT=-1: as long as the service allows (60 s here)
        const seconds = wait.trim() === '-1' ? 60 : Number.isFinite(s) && s >= 0 ? Math.min(60, s) : 0;
        const only = p.get('PHASE');
        if (only === undefined || only.toUpperCase() === job.phase) job = await store.waitForChange(job, seconds);
      }
      return xml(reply, jobXml(job, `${base(request)}/${job.id}`));
    }),
  );
  const remove = async (request: JobRequest, reply: FastifyReply, job: Job): Promise<FastifyReply> => {
    await store.delete(job.id);
    return seeOther(reply, base(request));
  };
  app.delete(`${prefix}/async/:id`, uws(remove));
  app.post(
    `${prefix}/async/:id`,
    uws(async (request, reply, job) => {
      const action = tapParams(request).get('ACTION');
      if (action?.toUpperCase() === 'DELETE') return remove(request, reply, job);
      throw new UwsError(400, `ACTION=${action ?? ''} is not supported: use ACTION=DELETE`);
    }),
  );
  app.get(`${prefix}/async/:id/phase`, uws(async (_r, reply, job) => text(reply, job.phase)));
  app.post(
    `${prefix}/async/:id/phase`,
    uws(async (request, reply, job) => {
      const phase = tapParams(request).get('PHASE');
      if (phase === undefined) throw new UwsError(400, 'PHASE is required: PHASE=RUN or PHASE=ABORT');
      await store.command(job, phase);
      return seeOther(reply, `${base(request)}/${job.id}`);
    }),
  );
  app.get(`${prefix}/async/:id/executionduration`, uws(async (_r, reply, job) => text(reply, String(job.executionDuration))));
  app.post(
    `${prefix}/async/:id/executionduration`,
    uws(async (request, reply, job) => {
      await store.setExecutionDuration(job, tapParams(request).get('EXECUTIONDURATION') ?? '');
      return seeOther(reply, `${base(request)}/${job.id}`);
    }),
  );
  app.get(`${prefix}/async/:id/destruction`, uws(async (_r, reply, job) => text(reply, job.destruction.toISOString())));
  app.post(
    `${prefix}/async/:id/destruction`,
    uws(async (request, reply, job) => {
      await store.setDestruction(job, tapParams(request).get('DESTRUCTION') ?? '');
      return seeOther(reply, `${base(request)}/${job.id}`);
    }),
  );
  app.get(`${prefix}/async/:id/quote`, uws(async (_r, reply) => text(reply, '')));
  app.get(`${prefix}/async/:id/owner`, uws(async (_r, reply) => text(reply, '')));
  app.get(`${prefix}/async/:id/error`, uws(async (_r, reply, job) => {
    if (job.error === null) throw new UwsError(404, `job ${job.id} is ${job.phase}: it has no error`);
    return reply.type(VOTABLE_TYPE).header('cache-control', 'no-store').send(writeErrorVoTable(job.error));
  }));
  app.get(`${prefix}/async/:id/parameters`, uws(async (_r, reply, job) => xml(reply, parametersXml(job, true))));
  app.post(
    `${prefix}/async/:id/parameters`,
    uws(async (request, reply, job) => {
      await store.setParams(job, tapParams(request));
      return seeOther(reply, `${base(request)}/${job.id}`);
    }),
  );
  app.get(`${prefix}/async/:id/results`, uws(async (request, reply, job) => xml(reply, resultsXml(job, `${base(request)}/${job.id}`, true))));
  app.get(
    `${prefix}/async/:id/results/result`,
    uws(async (_r, reply, job) => {
      const result = await store.result(job);
      return reply.type(result.type).header('cache-control', 'no-store').send(result.body);
    }),
  );
}
