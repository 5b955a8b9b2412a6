/**
 * Product download:
 *  - GET  /api/products/{collection}/{obs_id}   the product: streamed when held here (under
 *                                               DATA_DIR/products, see ingest/products.ts),
 *                                               302 to its access_url when remote
 *  - POST /api/products/bulk  {ids: ["collection/obs_id", …], format: "tar" | "zip"}   the local
 *                                               products as one streamed ustar or ZIP archive
 *                                               (bulkArchive.ts), files read one at a time
 * Unknown ids 404 naming every one; ids that cannot name a file 400; remote products in a bulk
 * request 400 naming them (fetch those from their access_url); more than maxCount ids or
 * maxBytes in all 413 naming the limit. File paths are built only from a collection and obs_id
 * found in the database, checked against a strict pattern, and must resolve inside the
 * collection's product directory.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ARCHIVE_TYPES, tarArchive, zipArchive, type BulkFormat } from './bulkArchive.js';
import { HttpError } from '../http.js';
import { errorSchema } from '../openapi.js';
import type { SqlRunner } from '../storage/db.js';
import type { DatabaseHandle } from '../storage/handle.js';
import { PRODUCT_COLLECTION_PATTERN as COLLECTION_NAME_PATTERN, isProductId, productDir, productUrl } from '../ingest/products.js';

export interface ProductLimits {
  /** Most ids in one bulk request. */
  maxCount: number;
  /** Most bytes (sum of the file sizes) in one bulk archive. */
  maxBytes: number;
}

export const DEFAULT_PRODUCT_LIMITS: ProductLimits = { maxCount: 500, maxBytes: 2 * 1024 ** 3 };
/** Longest id list accepted by the schema (the count limit above is the 413). */
const MAX_IDS_SCHEMA = 100_000;

export const productParamsSchema = {
  type: 'object',
  required: ['collection', 'obsId'],
  additionalProperties: false,
  properties: {
    collection: { type: 'string', pattern: COLLECTION_NAME_PATTERN, description: 'collection name, see /api/collections' },
    obsId: { type: 'string', minLength: 1, maxLength: 256, description: 'obs_id of the observation (ObsCore)' },
  },
} as const;

export const bulkBodySchema = {
  type: 'object',
  required: ['ids'],
  additionalProperties: false,
  properties: {
    ids: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_IDS_SCHEMA,
      items: { type: 'string', minLength: 3, maxLength: 400 },
      description: '"collection/obs_id" of each product',
    },
    format: {
      type: 'string',
      enum: ['tar', 'zip'],
      default: 'tar',
      description: 'archive format: ustar (default) or ZIP (stored entries, ZIP64 when needed)',
    },
  },
} as const;

interface ProductRow {
  access_url: string | null;
  access_format: string | null;
}

type Resolved =
  | { kind: 'local'; path: string; size: number; type: string; fileName: string }
  | { kind: 'remote'; url: string }
  | { kind: 'none' };

async function productRow(db: SqlRunner, collection: string, obsId: string): Promise<ProductRow | undefined> {
  const rows = await db.all<ProductRow>(
    'SELECT access_url, access_format FROM observations WHERE collection = ? AND obs_id = ? ORDER BY id LIMIT 1',
    [collection, obsId],
  );
  return rows[0];
}

/** Where a product is: a file here, a remote URL, or nowhere (no access_url, or the file is gone). */
async function locate(dataDir: string, collection: string, obsId: string, row: ProductRow): Promise<Resolved> {
  const url = row.access_url ?? '';
  if (/^https?:\/\//i.test(url)) return { kind: 'remote', url };
  if (url !== productUrl(collection, obsId) || !isProductId(obsId)) return { kind: 'none' };
  const root = resolve(productDir(dataDir, collection));
  const path = resolve(join(root, `${obsId}.fits`));
  if (!path.startsWith(root + sep)) return { kind: 'none' };
  const st = await stat(path).catch(() => undefined);
  if (st === undefined || !st.isFile()) return { kind: 'none' };
  return { kind: 'local', path, size: st.size, type: row.access_format ?? 'application/octet-stream', fileName: `${obsId}.fits` };
}

export async function productsRoutes(
  app: FastifyInstance,
  handle: DatabaseHandle,
  dataDir: string,
  limits: ProductLimits = DEFAULT_PRODUCT_LIMITS,
): Promise<void> {
  app.get<{ Params: { collection: string; obsId: string } }>(
    '/api/products/:collection/:obsId',
    { schema: { params: productParamsSchema, response: { 400: errorSchema, 404: errorSchema } } },
    async (request, reply) => {
      const { collection, obsId } = request.params;
      const db = await handle.get();
      const row = await productRow(db, collection, obsId);
      const id = JSON.stringify(`${collection}/${obsId}`);
      if (row === undefined) throw new HttpError(404, `no observation ${id}; see /api/collections and /api/observations/cone`);
      const where = await locate(dataDir, collection, obsId, row);
      reply.header('access-control-allow-origin', '*');
      if (where.kind === 'remote') return reply.header('cache-control', 'no-cache').redirect(where.url, 302);
      if (where.kind === 'none') throw new HttpError(404, `observation ${id} has no product to download here`);
      reply
        .type(where.type)
        .header('content-length', String(where.size))
        .header('content-disposition', `attachment; filename="${where.fileName}"`)
        .header('cache-control', 'public, max-age=3600');
      return reply.send(createReadStream(where.path));
    },
  );

  app.post<{ Body: { ids: string[]; format?: BulkFormat } }>(
    '/api/products/bulk',
    { schema: { body: bulkBodySchema, response: { 400: errorSchema, 404: errorSchema, 413: errorSchema } } },
    async (request, reply) => {
      const ids = [...new Set(request.body.ids)];
      if (ids.length > limits.maxCount) {
        throw new HttpError(413, `${ids.length} products asked for, more than the limit of ${limits.maxCount} per request`);
      }
      const malformed = ids.filter((s) => {
        const slash = s.indexOf('/');
        return slash < 1 || !new RegExp(COLLECTION_NAME_PATTERN).test(s.slice(0, slash)) || !isProductId(s.slice(slash + 1));
      });
      if (malformed.length) {
        throw new HttpError(400, `body/ids: not "collection/obs_id" of a product: ${malformed.map((s) => JSON.stringify(s)).join(', ')}`);
      }
      const db = await handle.get();
      const unknown: string[] = [];
      const remote: string[] = [];
      const files: Array<{ name: string; path: string; size: number }> = [];
      for (const s of ids) {
        const slash = s.indexOf('/');
        const collection = s.slice(0, slash);
        const obsId = s.slice(slash + 1);
        const row = await productRow(db, collection, obsId);
        const where = row === undefined ? ({ kind: 'none' } as const) : await locate(dataDir, collection, obsId, row);
        if (where.kind === 'local') files.push({ name: `${collection}/${where.fileName}`, path: where.path, size: where.size });
        else if (where.kind === 'remote') remote.push(s);
        else unknown.push(s);
      }
      if (unknown.length) throw new HttpError(404, `no downloadable product for ${unknown.map((s) => JSON.stringify(s)).join(', ')}`);
      if (remote.length) {
        throw new HttpError(400, `not held here, download from their access_url: ${remote.map((s) => JSON.stringify(s)).join(', ')}`);
      }
      const total = files.reduce((n, f) => n + f.size, 0);
      if (total > limits.maxBytes) {
        throw new HttpError(413, `the products total ${total} bytes, more than the limit of ${limits.maxBytes} bytes per archive`);
      }
      const format: BulkFormat = request.body.format ?? 'tar';
      const mtime = new Date();
      const onError = (err: Error): void => request.log.error({ err }, 'bulk archive failed');
      const archive = format === 'zip' ? zipArchive(files, mtime, onError) : tarArchive(files, mtime, onError);
      reply
        .type(ARCHIVE_TYPES[format].type)
        .header('access-control-allow-origin', '*')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="products.${ARCHIVE_TYPES[format].extension}"`)
        .header('x-product-count', String(files.length));
      return reply.send(archive);
    },
  );
}
