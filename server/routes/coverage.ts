/**
 * Coverage routes (schemas in openapiCoverage.ts, maths in storage/coverage.ts):
 *  - GET /api/coverage/{kind}/{name}/moc?format=json|fits|ascii&order=k   coverage MOC
 *  - GET /api/coverage/{kind}/{name}/counts?order=k                       rows per HEALPix cell
 * kind is `catalogue` or `collection`. Unknown names 404, orders over the kind's limit 400,
 * too many cells 413 (each naming the limit). Answers are readable cross-origin.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError } from '../http.js';
import { cellCountsQuerySchema, cellCountsSchema, coverageParamsSchema, mocQuerySchema } from '../openapiCoverage.js';
import { errorSchema } from '../openapi.js';
import type { DatabaseHandle } from '../storage/handle.js';
import { getCatalogue } from '../storage/catalogues.js';
import { getCollection } from '../storage/observations.js';
import {
  MAX_COUNT_CELLS,
  MAX_MOC_ORDER,
  catalogueCellCounts,
  catalogueMoc,
  collectionCellCounts,
  collectionMoc,
  defaultCatalogueOrder,
  defaultCollectionOrder,
  medianExtentDeg,
  type CellCounts,
  type CoverageKind,
} from '../storage/coverage.js';
import type { Database } from '../storage/db.js';
import type { SpaceMoc } from '../../src/hips/moc/index.js';

interface Params {
  kind: CoverageKind;
  name: string;
}

const COVERAGE_CACHE_CONTROL = 'public, max-age=300';

async function sourceOf(db: Database, kind: CoverageKind, name: string) {
  if (kind === 'catalogue') {
    const cat = await getCatalogue(db, name);
    if (cat === undefined) throw new HttpError(404, `no catalogue named ${JSON.stringify(name)}; see /api/catalogues`);
    return { kind, cat } as const;
  }
  const coll = await getCollection(db, name);
  if (coll === undefined) throw new HttpError(404, `no collection named ${JSON.stringify(name)}; see /api/collections`);
  return { kind, coll } as const;
}

function common(reply: FastifyReply): void {
  reply.header('access-control-allow-origin', '*').header('cache-control', COVERAGE_CACHE_CONTROL);
}

export async function coverageRoutes(app: FastifyInstance, handle: DatabaseHandle): Promise<void> {
  app.get<{ Params: Params; Querystring: { format: 'json' | 'fits' | 'ascii'; order?: number } }>(
    '/api/coverage/:kind/:name/moc',
    { schema: { params: coverageParamsSchema, querystring: mocQuerySchema, response: { 400: errorSchema, 404: errorSchema } } },
    async (request, reply) => {
      const { kind, name } = request.params;
      const { format, order: asked } = request.query;
      if (asked !== undefined && asked > MAX_MOC_ORDER[kind]) {
        throw new HttpError(400, `querystring/order must be <= ${MAX_MOC_ORDER[kind]} for a ${kind}, got ${asked}`);
      }
      const db = await handle.get();
      const src = await sourceOf(db, kind, name);
      let moc: SpaceMoc;
      if (src.kind === 'catalogue') {
        moc = await catalogueMoc(db, src.cat, asked ?? defaultCatalogueOrder(src.cat.rowCount));
      } else {
        const order = asked ?? defaultCollectionOrder(await medianExtentDeg(db, src.coll));
        moc = await collectionMoc(db, src.coll, order);
      }
      common(reply);
      reply.header('x-moc-order', String(moc.maxOrder));
      if (format === 'fits') {
        reply.type('application/fits').header('content-disposition', `attachment; filename="${name}.moc.fits"`);
        return Buffer.from(moc.toFits());
      }
      if (format === 'ascii') return reply.type('text/plain; charset=utf-8').send(moc.toAscii());
      return reply.type('application/json; charset=utf-8').send(moc.toJson());
    },
  );

  app.get<{ Params: Params; Querystring: { order: number } }>(
    '/api/coverage/:kind/:name/counts',
    {
      schema: {
        params: coverageParamsSchema,
        querystring: cellCountsQuerySchema,
        response: { 200: cellCountsSchema, 400: errorSchema, 404: errorSchema, 413: errorSchema },
      },
    },
    async (request, reply) => {
      const { kind, name } = request.params;
      const { order } = request.query;
      const db = await handle.get();
      const src = await sourceOf(db, kind, name);
      const c: CellCounts =
        src.kind === 'catalogue' ? await catalogueCellCounts(db, src.cat, order) : await collectionCellCounts(db, src.coll, order);
      if (c.cells.length > MAX_COUNT_CELLS) {
        throw new HttpError(
          413,
          `${name} has ${c.cells.length} non-empty cells at order ${order}, more than the limit of ${MAX_COUNT_CELLS}; ask for a lower order`,
        );
      }
      let total = 0;
      for (const n of c.counts) total += n;
      common(reply);
      return { kind, name, order, total, cells: Array.from(c.cells), counts: Array.from(c.counts) };
    },
  );
}
