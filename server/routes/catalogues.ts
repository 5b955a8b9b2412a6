/**
 * Archive JSON API (schemas in openapi.ts):
 *  - GET /api/catalogues                       catalogues with row counts and columns
 *  - GET /api/collections                      collections of observations
 *  - GET /api/catalogues/:name/cone            rows in a cone, brightest first, limit
 *  - GET /api/catalogues/:name/polygon         rows in a polygon
 *  - GET /api/counts                           counts of every catalogue and collection in a cone
 *  - GET /api/observations/cone                footprints (ObsCore rows) intersecting a cone
 * Bad parameters: 400 naming the field; regions too large: 413 naming the limit.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError, originOf } from '../http.js';
import { catalogueLink, collectionLink, obsCoreConeLink, productLink } from '../samp.js';
import { collectionTableName } from '../tap/metadata.js';
import {
  MAX_VERTICES,
  catalogueParamsSchema,
  catalogueSummarySchema,
  collectionSummarySchema,
  coneQuerySchema,
  countsQuerySchema,
  countsSchema,
  errorSchema,
  observationsConeQuerySchema,
  observationsResultSchema,
  polygonQuerySchema,
  searchResultSchema,
} from '../openapi.js';
import type { DatabaseHandle } from '../storage/handle.js';
import {
  countCatalogueCone,
  getCatalogue,
  listCatalogues,
  searchRegion,
  type CatalogueInfo,
  type SearchOptions,
} from '../storage/catalogues.js';
import {
  countObservationsCone,
  getCollection,
  listCollections,
  searchObservationsCone,
  spectraCollections,
} from '../storage/observations.js';
import { discRanges29, inCone, inPolygon, polygonBounds, polygonRanges29 } from '../storage/spatial.js';

interface ConeQuery {
  ra: number;
  dec: number;
  radius: number;
  limit?: number;
  orderBy?: string;
}
interface PolygonQuery {
  vertices: string;
  limit?: number;
  orderBy?: string;
}
interface ObsConeQuery {
  ra: number;
  dec: number;
  radius: number;
  limit?: number;
  collection?: string;
}

async function catalogueOr404(db: Parameters<typeof getCatalogue>[0], name: string): Promise<CatalogueInfo> {
  const cat = await getCatalogue(db, name);
  if (cat === undefined) throw new HttpError(404, `no catalogue named ${JSON.stringify(name)}; see /api/catalogues`);
  return cat;
}

/** orderBy → the sort of a search (400 naming orderBy when the column is not numeric or unknown). */
function ordering(cat: CatalogueInfo, orderBy: string | undefined): Pick<SearchOptions, 'orderBy' | 'descending'> {
  if (orderBy === undefined) return { orderBy: cat.brightColumn, descending: false };
  const descending = orderBy.startsWith('-');
  const name = descending ? orderBy.slice(1) : orderBy;
  if (name === 'distance') return { orderBy: name, descending };
  const col = cat.columns.find((c) => c.name === name);
  if (col === undefined || col.type === 'text') {
    const numeric = cat.columns.filter((c) => c.type !== 'text').map((c) => c.name);
    throw new HttpError(
      400,
      `querystring/orderBy must be 'distance' or a numeric column of ${cat.name} (${numeric.join(', ')}), optionally prefixed with '-', got ${JSON.stringify(orderBy)}`,
    );
  }
  return { orderBy: name, descending };
}

/** One catalogue region search answered: rows brightest (or nearest) first, the SAMP link of the same query. */
async function regionAnswer(
  origin: string,
  reply: FastifyReply,
  db: Parameters<typeof searchRegion>[0],
  cat: CatalogueInfo,
  order: Pick<SearchOptions, 'orderBy' | 'descending'>,
  limit: number,
  region: {
    ranges29: Parameters<typeof searchRegion>[2];
    inside: (ra: number, dec: number) => boolean;
    centre: { ra: number; dec: number };
    link: Pick<NonNullable<Parameters<typeof catalogueLink>[2]>, 'cone' | 'polygon'>;
  },
) {
  const result = await searchRegion(db, cat, region.ranges29, region.inside, { limit, ...order, centre: region.centre });
  const descending = order.descending ?? false;
  const samp = catalogueLink(origin, cat.name, {
    ...(order.orderBy === 'distance'
      ? { distanceFrom: { raDeg: region.centre.ra, decDeg: region.centre.dec } }
      : { orderColumn: order.orderBy! }),
    descending,
    ...region.link,
    maxrec: limit,
  });
  reply.header('cache-control', 'no-cache');
  return {
    samp,
    catalogue: cat.name,
    total: result.total,
    returned: result.data.length,
    truncated: result.truncated,
    orderBy: order.orderBy!,
    descending,
    columns: result.columns,
    data: result.data,
  };
}

/** "ra,dec,ra,dec,…" → vertices (400 naming `vertices`). */
export function parseVertices(text: string): Array<[number, number]> {
  const bad = (why: string): HttpError => new HttpError(400, `querystring/vertices ${why}`);
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length % 2 !== 0) throw bad(`must be ra,dec pairs (got ${parts.length} numbers)`);
  const nums = parts.map((p) => (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(p) ? Number(p) : NaN));
  const at = nums.findIndex((n) => !Number.isFinite(n));
  if (at >= 0) throw bad(`item ${at + 1} (${JSON.stringify(parts[at])}) is not a number`);
  const vs: Array<[number, number]> = [];
  for (let i = 0; i < nums.length; i += 2) {
    const [ra, dec] = [nums[i]!, nums[i + 1]!];
    if (ra < 0 || ra > 360) throw bad(`vertex ${i / 2 + 1}: ra ${ra} is outside [0, 360]`);
    if (dec < -90 || dec > 90) throw bad(`vertex ${i / 2 + 1}: dec ${dec} is outside [-90, 90]`);
    vs.push([ra, dec]);
  }
  if (vs.length < 3) throw bad(`needs at least 3 vertices, got ${vs.length}`);
  if (vs.length > MAX_VERTICES) throw bad(`has ${vs.length} vertices, the limit is ${MAX_VERTICES}`);
  return vs;
}

/** The table of a collection in the ESASky-layout TAP (/esasky-tap/tap, see tap/metadata.ts). */
function collectionTapTable(name: string, spectra: ReadonlySet<string>): string {
  return `${spectra.has(name) ? 'spectra' : 'observations'}.${collectionTableName(name)}`;
}

/** ObsCore rows, each with the SAMP link of its product when a SAMP client can load it. */
export function withProductLinks<T extends Record<string, unknown>>(origin: string, rows: T[]): Array<T & { samp?: ReturnType<typeof productLink> }> {
  return rows.map((r) => {
    const samp = productLink(origin, r);
    return samp === undefined ? r : { ...r, samp };
  });
}

export async function catalogueRoutes(app: FastifyInstance, handle: DatabaseHandle): Promise<void> {
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });

  app.get(
    '/api/catalogues',
    { schema: { response: { 200: { type: 'array', items: catalogueSummarySchema } } } },
    async (request, reply) => {
      const db = await handle.get();
      const origin = originOf(request);
      reply.header('cache-control', 'no-cache');
      return (await listCatalogues(db)).map((c) => ({
        name: c.name,
        title: c.title,
        description: c.description,
        rowCount: c.rowCount,
        maxRadius: c.maxRadius,
        idColumn: c.idColumn,
        brightColumn: c.brightColumn,
        source: c.source,
        credit: c.credit,
        ingestedAt: c.ingestedAt,
        columns: c.columns,
        samp: catalogueLink(origin, c.name, { orderColumn: c.brightColumn }),
      }));
    },
  );

  app.get(
    '/api/collections',
    { schema: { response: { 200: { type: 'array', items: collectionSummarySchema } } } },
    async (request, reply) => {
      const db = await handle.get();
      const origin = originOf(request);
      const spectra = await spectraCollections(db);
      reply.header('cache-control', 'no-cache');
      return (await listCollections(db)).map((c) => ({
        ...c,
        samp: collectionLink(origin, c.name, collectionTapTable(c.name, spectra)),
      }));
    },
  );

  app.get<{ Params: { name: string }; Querystring: ConeQuery }>(
    '/api/catalogues/:name/cone',
    {
      schema: {
        params: catalogueParamsSchema,
        querystring: coneQuerySchema,
        response: { 200: searchResultSchema, 400: errorSchema, 404: errorSchema, 413: errorSchema },
      },
    },
    async (request, reply) => {
      const { ra, dec, radius } = request.query;
      const limit = request.query.limit ?? 1000;
      const db = await handle.get();
      const cat = await catalogueOr404(db, request.params.name);
      const order = ordering(cat, request.query.orderBy);
      if (radius > cat.maxRadius) {
        throw new HttpError(
          413,
          `radius ${radius} is above the limit of ${cat.maxRadius} degrees (maxRadius) for catalogue ${cat.name}`,
        );
      }
      return regionAnswer(originOf(request), reply, db, cat, order, limit, {
        ranges29: discRanges29(ra, dec, radius),
        inside: inCone(ra, dec, radius),
        centre: { ra, dec },
        link: { cone: { raDeg: ra, decDeg: dec, radiusDeg: radius } },
      });
    },
  );

  app.get<{ Params: { name: string }; Querystring: PolygonQuery }>(
    '/api/catalogues/:name/polygon',
    {
      schema: {
        params: catalogueParamsSchema,
        querystring: polygonQuerySchema,
        response: { 200: searchResultSchema, 400: errorSchema, 404: errorSchema, 413: errorSchema },
      },
    },
    async (request, reply) => {
      const vertices = parseVertices(request.query.vertices);
      const limit = request.query.limit ?? 1000;
      const db = await handle.get();
      const cat = await catalogueOr404(db, request.params.name);
      const order = ordering(cat, request.query.orderBy);
      let inside: (ra: number, dec: number) => boolean;
      try {
        inside = inPolygon(vertices);
      } catch (err) {
        throw new HttpError(400, `querystring/vertices: ${(err as Error).message}`);
      }
      const bounds = polygonBounds(vertices);
      if (bounds.radius > cat.maxRadius) {
        throw new HttpError(
          413,
          `the polygon reaches ${bounds.radius.toFixed(2)} degrees from its centre, above the limit of ${cat.maxRadius} degrees (maxRadius) for catalogue ${cat.name}`,
        );
      }
      return regionAnswer(originOf(request), reply, db, cat, order, limit, {
        ranges29: polygonRanges29(vertices),
        inside,
        centre: { ra: bounds.ra, dec: bounds.dec },
        link: { polygon: { verticesDeg: vertices } },
      });
    },
  );

  app.get<{ Querystring: { ra: number; dec: number; radius: number } }>(
    '/api/counts',
    { schema: { querystring: countsQuerySchema, response: { 200: countsSchema, 400: errorSchema } } },
    async (request, reply) => {
      const { ra, dec, radius } = request.query;
      const db = await handle.get();
      const [cats, colls] = await Promise.all([listCatalogues(db), listCollections(db)]);
      const catalogues = [];
      for (const c of cats) {
        const n = await countCatalogueCone(db, c, ra, dec, radius);
        catalogues.push({ name: c.name, title: c.title, ...n });
      }
      const collections = [];
      for (const c of colls) {
        const n = await countObservationsCone(db, c, ra, dec, radius);
        collections.push({ name: c.name, title: c.title, ...n });
      }
      reply.header('cache-control', 'no-cache');
      return { ra, dec, radius, catalogues, collections };
    },
  );

  app.get<{ Querystring: ObsConeQuery }>(
    '/api/observations/cone',
    {
      schema: {
        querystring: observationsConeQuerySchema,
        response: { 200: observationsResultSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const { ra, dec, radius, collection } = request.query;
      const limit = request.query.limit ?? 500;
      const db = await handle.get();
      let colls;
      if (collection !== undefined) {
        const c = await getCollection(db, collection);
        if (c === undefined) throw new HttpError(404, `no collection named ${JSON.stringify(collection)}; see /api/collections`);
        colls = [c];
      } else {
        colls = await listCollections(db);
      }
      const result = await searchObservationsCone(db, colls, ra, dec, radius, limit);
      const origin = originOf(request);
      const cone = { raDeg: ra, decDeg: dec, radiusDeg: radius };
      const samp =
        collection === undefined
          ? obsCoreConeLink(origin, cone, limit)
          : collectionLink(origin, collection, collectionTapTable(collection, await spectraCollections(db)), { cone, maxrec: limit });
      reply.header('cache-control', 'no-cache');
      return {
        total: result.total,
        returned: result.rows.length,
        truncated: result.truncated,
        samp,
        observations: withProductLinks(origin, result.rows),
      };
    },
  );
}
