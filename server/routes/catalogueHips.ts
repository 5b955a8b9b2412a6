/**
 * Every catalogue as a HiPS catalogue, at /catalogues/<name>/hips/ (a HiPS base URL):
 *   properties, metadata.xml (VOTable of the columns), Moc.fits, NorderK/DirD/NpixN.tsv
 * computed by storage/catalogueHips.ts and kept in a small in-memory cache (a tile only changes
 * when the catalogue is ingested again; its ETag carries the ingest time). Readable cross-origin,
 * so Aladin Lite's `A.catalogHiPS(url)` and our page load them alike.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DatabaseHandle } from '../storage/handle.js';
import { getCatalogue, type CatalogueInfo } from '../storage/catalogues.js';
import { catalogueMoc, catalogueTile, hipsOrderOf, tileTsv } from '../storage/catalogueHips.js';
import { HttpError, originOf } from '../http.js';
import { compressPayload, etagMatches } from '../compress.js';
import { writeVoTable } from '../votable.js';

const TILE_RE = /^Norder(\d{1,2})\/Dir(\d+)\/Npix(\d+)\.tsv$/;
const CACHE_ENTRIES = 4096;

/** An LRU of computed answers keyed by catalogue, ingest time and file. */
const cache = new Map<string, { body: string | Uint8Array; etag: string }>();
function cached(key: string, make: () => Promise<string | Uint8Array>): Promise<{ body: string | Uint8Array; etag: string }> {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return Promise.resolve(hit);
  }
  return make().then((body) => {
    const etag = `"${createHash('sha1').update(key).update(body).digest('base64url').slice(0, 20)}"`;
    const entry = { body, etag };
    cache.set(key, entry);
    if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    return entry;
  });
}

function isoMinute(s: string): string {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? '1970-01-01T00:00Z' : d.toISOString().slice(0, 16) + 'Z';
}

export async function catalogueHipsRoutes(app: FastifyInstance, handle: DatabaseHandle): Promise<void> {
  // TSV tiles, properties and metadata.xml: gzip/br when the client accepts it
  app.addHook('onSend', async (request, reply, payload) => compressPayload(request, reply, payload));
  const send = (request: FastifyRequest, reply: FastifyReply, type: string, entry: { body: string | Uint8Array; etag: string }, cacheControl: string) => {
    reply.header('access-control-allow-origin', '*').header('etag', entry.etag).header('cache-control', cacheControl);
    if (etagMatches(request.headers['if-none-match'], entry.etag)) return reply.code(304).send();
    return reply.type(type).send(entry.body);
  };

  app.get<{ Params: { name: string; '*': string } }>('/catalogues/:name/hips/*', async (request, reply) => {
    const db = await handle.get();
    const cat: CatalogueInfo | undefined = await getCatalogue(db, request.params.name);
    if (!cat) throw new HttpError(404, `no catalogue named ${JSON.stringify(request.params.name)}; see /api/catalogues`);
    const file = request.params['*'];
    const stamp = `${cat.name}@${cat.ingestedAt}`;
    const order = await hipsOrderOf(db, cat);
    if (file === 'properties') {
      const moc = await catalogueMoc(db, cat);
      const entry = await cached(`${stamp}/properties/${originOf(request)}`, async () => {
        const p: Record<string, string> = {
          creator_did: `ivo://esasky-sky/cat/${cat.name}`,
          obs_title: cat.title,
          obs_description: cat.description,
          obs_copyright: cat.credit,
          dataproduct_type: 'catalog',
          hips_version: '1.4',
          hips_builder: 'esasky-sky archive server',
          hips_release_date: isoMinute(cat.ingestedAt),
          hips_status: 'public master clonableOnce',
          hips_tile_format: 'tsv',
          hips_order: String(order),
          hips_order_min: '0',
          hips_frame: 'equatorial',
          hips_cat_nrows: String(cat.rowCount),
          hips_service_url: `${originOf(request)}/catalogues/${encodeURIComponent(cat.name)}/hips`,
          moc_sky_fraction: moc.skyFraction().toPrecision(6),
          // per-cell row counts for a client's density view of the rows it has not loaded (docs/catalogues-progressive.md)
          esasky_cell_counts_url: `${originOf(request)}/api/coverage/catalogue/${encodeURIComponent(cat.name)}/counts?order={order}`,
        };
        return Object.entries(p).map(([k, v]) => `${k.padEnd(20)} = ${v.replace(/[\r\n]+/g, ' ')}`).join('\n') + '\n';
      });
      return send(request, reply, 'text/plain; charset=utf-8', entry, 'public, max-age=300');
    }
    if (file === 'metadata.xml') {
      const entry = await cached(`${stamp}/metadata.xml`, async () =>
        writeVoTable({ description: cat.description, tableName: cat.name, fields: cat.columns.map((c) => ({ ...c, ref: c.ucd?.startsWith('pos.eq') ? 'icrs' : undefined })), rows: [] }),
      );
      return send(request, reply, 'application/x-votable+xml; charset=utf-8', entry, 'public, max-age=300');
    }
    if (file === 'Moc.fits') {
      const entry = await cached(`${stamp}/Moc.fits`, async () => (await catalogueMoc(db, cat)).toFits());
      return send(request, reply, 'application/fits', entry, 'public, max-age=300');
    }
    const m = TILE_RE.exec(file);
    if (!m) throw new HttpError(404, `no file ${JSON.stringify(file)} in the HiPS catalogue of ${cat.name}: properties, metadata.xml, Moc.fits and NorderK/DirD/NpixN.tsv (K = 0..${order})`);
    const [k, dir, npix] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (k > order || npix >= 12 * 4 ** k || dir !== Math.floor(npix / 10000) * 10000) {
      throw new HttpError(404, `no tile ${file} in the HiPS catalogue of ${cat.name} (hips_order ${order}; Npix N lives in DirD with D = floor(N / 10000) * 10000)`);
    }
    const entry = await cached(`${stamp}/${k}/${npix}`, async () => tileTsv(await catalogueTile(db, cat, order, k, npix)));
    return send(request, reply, 'text/tab-separated-values; charset=utf-8', entry, 'public, max-age=86400');
  });
}
