/**
 * Coverage of a catalogue or a collection of observations: a space MOC (src/hips/moc) and the
 * rows per HEALPix cell at a chosen order.
 *
 *  - catalogue: the cells holding at least one row (from the order-29 index hpx29, grouped at
 *    the order asked; orders up to CELL_COUNT_ORDER come from the precomputed cell_counts).
 *  - collection: the union of the footprints (s_region STC-S through footprintOf, else the s_fov
 *    circle, else the centre), each filled with SpaceMoc.fromPolygon / fromCone, or for an
 *    INTERSECTION / NOT footprint the cell query on its exact tree (stcsBoolean.ts) (inclusive:
 *    every cell that touches a footprint is in). Counts of a collection are per cell of the
 *    observation's centre (the hpx29 column), as in cell_counts.
 *
 * Results are cached per (database, source, ingest time, order); a new ingest invalidates them.
 */
import { SpaceMoc } from '../../src/hips/moc/index.js';
import { ang2pixBig } from '../../src/hips/healpixBig.js';
import type { SqlRunner } from './db.js';
import { ident } from './db.js';
import { CELL_COUNT_ORDER } from './schema.js';
import type { CatalogueInfo } from './catalogues.js';
import type { CollectionInfo } from './observations.js';
import { footprintOf } from './observations.js';
import { centreOf, extentFrom, unit, type Shape } from './stcs.js';
import { healpixRegionOf } from './stcsBoolean.js';
import { queryRegionBig } from '../../src/hips/healpixQuery.js';

export type CoverageKind = 'catalogue' | 'collection';

/** Deepest MOC order served (catalogue: cells of ~13″; collection: ~52″, footprint filling costs more). */
export const MAX_MOC_ORDER: Record<CoverageKind, number> = { catalogue: 14, collection: 12 };
/** Deepest order of the per-cell counts. */
export const MAX_COUNTS_ORDER = 12;
/** Most cells one counts answer lists (more: 413 naming this limit). */
export const MAX_COUNT_CELLS = 500_000;

/** A source's cells and their row counts at one order, ascending by cell. */
export interface CellCounts {
  order: number;
  cells: Float64Array;
  counts: Float64Array;
}

/**
 * Default MOC order of a catalogue from its density: the order whose cell count (12·4^k) first
 * reaches the row count, clamped to 3..10 (Messier 110 rows → 3, Hipparcos 5k → 5, Tycho-2 2.5M → 9).
 */
export function defaultCatalogueOrder(rowCount: number): number {
  const k = rowCount > 12 ? Math.ceil(Math.log(rowCount / 12) / Math.log(4)) : 0;
  return Math.max(3, Math.min(10, k));
}

/**
 * Default MOC order of a collection: cells about a quarter of the median footprint extent
 * (deg from its centre) across, clamped to 6..MAX_MOC_ORDER.collection.
 */
export function defaultCollectionOrder(medianExtentDeg: number): number {
  if (!(medianExtentDeg > 0)) return MAX_MOC_ORDER.collection;
  // order-k cells are ~58.6°/2^k across
  const k = Math.ceil(Math.log2(58.6 / (medianExtentDeg / 2)));
  return Math.max(6, Math.min(MAX_MOC_ORDER.collection, k));
}

interface Cached<T> {
  stamp: string;
  value: T;
}
const cache = new WeakMap<object, Map<string, Cached<unknown>>>();
/** Answers kept per database (least recently used dropped first). */
const CACHE_ENTRIES = 64;
/** Answers bigger than this (cells, or MOC ranges) are not kept: recomputing them is cheaper than the memory. */
const CACHE_MAX_ITEMS = 200_000;

function sizeOf(value: unknown): number {
  if (value instanceof SpaceMoc) return value.ranges.length / 2;
  if (typeof value === 'object' && value !== null && 'cells' in value) return (value as CellCounts).cells.length;
  return 1;
}

async function cached<T>(db: SqlRunner, key: string, stamp: string, make: () => Promise<T>): Promise<T> {
  let m = cache.get(db);
  if (m === undefined) cache.set(db, (m = new Map()));
  const hit = m.get(key);
  if (hit !== undefined && hit.stamp === stamp) {
    m.delete(key);
    m.set(key, hit); // most recently used last
    return hit.value as T;
  }
  const value = await make();
  m.delete(key);
  if (sizeOf(value) <= CACHE_MAX_ITEMS) {
    m.set(key, { stamp, value });
    while (m.size > CACHE_ENTRIES) m.delete(m.keys().next().value as string);
  }
  return value;
}

/** Rows per cell at `order` of a catalogue table or of one collection's observations (ascending). */
async function groupCounts(db: SqlRunner, source: string, from: string, where: string, params: string[], order: number): Promise<CellCounts> {
  let rows: Array<{ cell: number; n: number }>;
  if (order <= CELL_COUNT_ORDER) {
    const d = 4 ** (CELL_COUNT_ORDER - order);
    rows = await db.all<{ cell: number; n: number }>(
      `SELECT cell / ${d} AS cell, SUM(n) AS n FROM cell_counts WHERE source = ? GROUP BY cell / ${d} ORDER BY 1`,
      [source],
    );
  } else {
    const d = 2n ** BigInt(2 * (29 - order));
    rows = await db.all<{ cell: number; n: number }>(
      `SELECT hpx29 / ${d} AS cell, COUNT(*) AS n FROM ${from}${where} GROUP BY hpx29 / ${d} ORDER BY 1`,
      params,
    );
  }
  const cells = new Float64Array(rows.length);
  const counts = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    cells[i] = Number(r.cell);
    counts[i] = Number(r.n);
  });
  return { order, cells, counts };
}

/** Rows of a catalogue per cell of `order` (0..MAX_COUNTS_ORDER or deeper for the MOC). */
export function catalogueCellCounts(db: SqlRunner, cat: CatalogueInfo, order: number): Promise<CellCounts> {
  return cached(db, `cat:${cat.name}:counts:${order}`, cat.ingestedAt, () =>
    groupCounts(db, `cat:${cat.name}`, ident(cat.tableName), '', [], order),
  );
}

/** Observations of a collection per cell (of their centre) at `order`. */
export function collectionCellCounts(db: SqlRunner, coll: CollectionInfo, order: number): Promise<CellCounts> {
  return cached(db, `obs:${coll.name}:counts:${order}`, coll.ingestedAt, () =>
    groupCounts(db, `obs:${coll.name}`, 'observations', ' WHERE collection = ?', [coll.name], order),
  );
}

/** The cells of `order` holding at least one row of the catalogue. */
export function catalogueMoc(db: SqlRunner, cat: CatalogueInfo, order: number): Promise<SpaceMoc> {
  return cached(db, `cat:${cat.name}:moc:${order}`, cat.ingestedAt, async () => {
    const { cells } = await catalogueCellCounts(db, cat, order);
    return SpaceMoc.fromCells(order, cells);
  });
}

/** Order-29 [start, end) ranges of the cells of `order` touching one footprint shape. */
function shapeRanges(shape: Shape, order: number): BigUint64Array {
  if (shape.kind === 'point') {
    const shift = BigInt(2 * (29 - order));
    const p = ang2pixBig(order, shape.lon, shape.lat) << shift;
    return BigUint64Array.of(p, p + (1n << shift));
  }
  if (shape.kind === 'circle') return SpaceMoc.fromCone(order, shape.lon, shape.lat, (shape.r * 180) / Math.PI).ranges;
  if (shape.kind === 'boolean') {
    // INTERSECTION / NOT / self-crossing: every cell the exact region touches (tree classification)
    const list = queryRegionBig(order, healpixRegionOf(shape.node), { inclusive: true });
    const shift = BigInt(2 * (29 - order));
    const out = new BigUint64Array(list.length * 2);
    list.forEach(([s, e], i) => {
      out[2 * i] = s << shift;
      out[2 * i + 1] = e << shift;
    });
    return out;
  }
  if (shape.poly !== undefined) {
    try {
      return SpaceMoc.fromPolygon(order, shape.lonlat).ranges;
    } catch {
      // a polygon the query refuses (e.g. self-crossing): its enclosing cap below
    }
  }
  const c = centreOf([shape]);
  const r = extentFrom([shape], unit(c.ra, c.dec));
  return SpaceMoc.fromCone(order, c.ra, c.dec, r).ranges;
}

interface ObsRow {
  s_ra: number | null;
  s_dec: number | null;
  s_fov: number | null;
  s_region: string | null;
}

/** Footprint rows of a collection. */
async function footprintRows(db: SqlRunner, coll: CollectionInfo): Promise<ObsRow[]> {
  return db.all<ObsRow>('SELECT s_ra, s_dec, s_fov, s_region FROM observations WHERE collection = ? ORDER BY id', [coll.name]);
}

/** Median reach (deg) of a collection's footprints from their own centres. */
export async function medianExtentDeg(db: SqlRunner, coll: CollectionInfo): Promise<number> {
  return cached(db, `obs:${coll.name}:extent`, coll.ingestedAt, async () => {
    const reach: number[] = [];
    for (const r of await footprintRows(db, coll)) {
      const region = footprintOf(r);
      if (region === undefined) continue;
      const c = centreOf(region);
      reach.push(extentFrom(region, unit(c.ra, c.dec)));
    }
    reach.sort((a, b) => a - b);
    return reach.length ? reach[reach.length >> 1]! : 0;
  });
}

/** The union of a collection's footprints at `order` (cells touching a footprint). */
export function collectionMoc(db: SqlRunner, coll: CollectionInfo, order: number): Promise<SpaceMoc> {
  return cached(db, `obs:${coll.name}:moc:${order}`, coll.ingestedAt, async () => {
    const parts: BigUint64Array[] = [];
    let total = 0;
    for (const r of await footprintRows(db, coll)) {
      const region = footprintOf(r);
      if (region === undefined) continue;
      for (const shape of region) {
        const p = shapeRanges(shape, order);
        parts.push(p);
        total += p.length;
      }
    }
    const flat = new BigUint64Array(total);
    let at = 0;
    for (const p of parts) {
      flat.set(p, at);
      at += p.length;
    }
    return SpaceMoc.fromRanges(flat, order);
  });
}
