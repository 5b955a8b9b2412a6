/**
 * Catalogue queries: metadata, region searches (cone, polygon) brightest first with a limit,
 * and counts (exact, or approximate from the per-cell counts for huge regions).
 *
 * A search runs in two passes: (1) the hpx29 ranges of the region select candidates' id, ra,
 * dec and the ordering column from the covering index; TypeScript keeps the rows truly inside,
 * sorts them and cuts at the limit; (2) the full rows of those ids are read by primary key.
 */
import type { SqlRunner } from './db.js';
import { ident } from './db.js';
import type { CatalogueColumn } from './schema.js';
import { CELL_COUNT_ORDER } from './schema.js';
import type { Range } from './spatial.js';
import { NPIX29, angularDistanceDeg, coneAreaDeg2, discRanges29, orderForSize, rangeClause, capRanges } from './spatial.js';
import { queryDisc } from '../../src/hips/healpixQuery.js';
import { cellRadiusDeg } from '../../src/hips/healpix.js';

export interface CatalogueInfo {
  name: string;
  title: string;
  description: string;
  tableName: string;
  columns: CatalogueColumn[];
  idColumn: string;
  brightColumn: string;
  rowCount: number;
  /** Largest cone radius (deg) a search may ask for; larger is a 413. */
  maxRadius: number;
  source: string;
  credit: string;
  ingestedAt: string;
}

interface CatalogueRow {
  name: string;
  title: string;
  description: string;
  table_name: string;
  columns_json: string;
  id_column: string;
  bright_column: string;
  row_count: number;
  max_radius: number;
  source: string;
  credit: string;
  ingested_at: string;
}

function toInfo(r: CatalogueRow): CatalogueInfo {
  return {
    name: r.name,
    title: r.title,
    description: r.description,
    tableName: r.table_name,
    columns: JSON.parse(r.columns_json) as CatalogueColumn[],
    idColumn: r.id_column,
    brightColumn: r.bright_column,
    rowCount: Number(r.row_count),
    maxRadius: Number(r.max_radius),
    source: r.source,
    credit: r.credit,
    ingestedAt: r.ingested_at,
  };
}

export async function listCatalogues(db: SqlRunner): Promise<CatalogueInfo[]> {
  const rows = await db.all<CatalogueRow>('SELECT * FROM catalogues ORDER BY name');
  return rows.map(toInfo);
}

export async function getCatalogue(db: SqlRunner, name: string): Promise<CatalogueInfo | undefined> {
  const rows = await db.all<CatalogueRow>('SELECT * FROM catalogues WHERE name = ?', [name]);
  return rows.length ? toInfo(rows[0]!) : undefined;
}

/** Rows a cone may scan at most, on average density (sets maxRadius at ingest). */
export const MAX_CONE_ROWS = 250_000;

/** The largest cone radius (deg) for a catalogue of `rowCount` rows: ~MAX_CONE_ROWS/2 on average. */
export function maxRadiusFor(rowCount: number): number {
  const density = rowCount / 41252.96;
  const area = MAX_CONE_ROWS / 2 / Math.max(density, 1e-9);
  if (area >= 41252.96) return 180;
  // area = 2π(1 − cos r) sr
  const sr = area * (Math.PI / 180) ** 2;
  const r = (Math.acos(1 - sr / (2 * Math.PI)) * 180) / Math.PI;
  return Math.floor(r * 100) / 100;
}

export interface SearchOptions {
  limit: number;
  /** A numeric column, or 'distance' (from the cone centre). Default: the brightness column. */
  orderBy?: string;
  descending?: boolean;
  /** Cone centre (for orderBy=distance). */
  centre?: { ra: number; dec: number };
}

export interface SearchResult {
  /** Rows inside the region (before the limit). */
  total: number;
  truncated: boolean;
  /** Column names of `data`, in order (the catalogue's columns). */
  columns: CatalogueColumn[];
  /** One array per row, in the order asked for. */
  data: Array<Array<number | string | null>>;
}

interface Candidate {
  id: number;
  ra: number;
  dec: number;
  k: number | string | null;
}

/** Ids per SELECT … IN (…) (well under both back ends' parameter limits). */
const ID_CHUNK = 5000;

/**
 * Rows of `cat` whose position passes `inside`, among those whose hpx29 lies in `ranges`.
 */
export async function searchRegion(
  db: SqlRunner,
  cat: CatalogueInfo,
  ranges: readonly Range[],
  inside: (ra: number, dec: number) => boolean,
  opts: SearchOptions,
): Promise<SearchResult> {
  const table = ident(cat.tableName);
  const orderBy = opts.orderBy ?? cat.brightColumn;
  const byDistance = orderBy === 'distance';
  const kExpr = byDistance ? 'NULL' : ident(orderBy);
  const where = rangeClause(ranges);
  const cands = await db.all<Candidate>(
    `SELECT id, ra, "dec", ${kExpr} AS k FROM ${table} WHERE ${where.sql}`,
    where.params,
  );
  const hits: Candidate[] = [];
  for (const c of cands) if (inside(c.ra, c.dec)) hits.push(c);
  if (byDistance) {
    const { ra, dec } = opts.centre ?? { ra: 0, dec: 0 };
    for (const h of hits) h.k = angularDistanceDeg(ra, dec, h.ra, h.dec);
  }
  const dir = opts.descending ? -1 : 1;
  hits.sort((a, b) => {
    const ka = a.k;
    const kb = b.k;
    if (ka === kb) return a.id - b.id;
    if (ka === null) return 1; // nulls last either way
    if (kb === null) return -1;
    return (ka < kb ? -1 : 1) * dir;
  });
  const kept = hits.slice(0, opts.limit);
  const data = await rowsById(db, cat, kept.map((h) => h.id));
  return { total: hits.length, truncated: hits.length > kept.length, columns: cat.columns, data };
}

/** Full rows (the catalogue's columns, in order) for `ids`, in the order of `ids`. */
export async function rowsById(
  db: SqlRunner,
  cat: CatalogueInfo,
  ids: readonly number[],
): Promise<Array<Array<number | string | null>>> {
  if (ids.length === 0) return [];
  const cols = cat.columns.map((c) => ident(c.name));
  const byId = new Map<number, Array<number | string | null>>();
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const chunk = ids.slice(i, i + ID_CHUNK);
    const rows = await db.all<Record<string, number | string | null>>(
      `SELECT id AS "__id", ${cols.join(', ')} FROM ${ident(cat.tableName)} WHERE id IN (${chunk.map(() => '?').join(', ')})`,
      chunk,
    );
    for (const r of rows) byId.set(Number(r['__id']), cat.columns.map((c) => r[c.name] ?? null));
  }
  return ids.map((id) => byId.get(id)!);
}

// ---------------------------------------------------------------------------------------------
// counts

/** Regions whose upper-bound count is above this are counted approximately. */
export const EXACT_COUNT_LIMIT = 20_000;

export interface RegionCount {
  count: number;
  approximate: boolean;
}

/** Per-cell counts of each source, cached by (database, source, ingest time). */
const cellCache = new WeakMap<object, Map<string, { stamp: string; counts: Float64Array }>>();

/** Rows per order-CELL_COUNT_ORDER cell of `source` ('cat:<name>' / 'obs:<name>'). */
export async function cellCounts(db: SqlRunner, source: string, stamp: string): Promise<Float64Array> {
  let bySource = cellCache.get(db);
  if (bySource === undefined) cellCache.set(db, (bySource = new Map()));
  const hit = bySource.get(source);
  if (hit !== undefined && hit.stamp === stamp) return hit.counts;
  const counts = new Float64Array(12 * 4 ** CELL_COUNT_ORDER);
  const rows = await db.all<{ cell: number; n: number }>('SELECT cell, n FROM cell_counts WHERE source = ?', [source]);
  for (const r of rows) counts[Number(r.cell)] = Number(r.n);
  bySource.set(source, { stamp, counts });
  return counts;
}

function cellSum(counts: Float64Array, ranges: ReadonlyArray<[number, number]>): number {
  let n = 0;
  for (const [a, b] of ranges) for (let i = a; i < b; i++) n += counts[i]!;
  return n;
}

/**
 * How many rows of a source lie in the cone: exact (`exact()` runs the real search) when an
 * upper bound from the per-cell counts is at most EXACT_COUNT_LIMIT, else an estimate: the rows
 * of the cells whose centres are inside the cone (order-6 cells from cell_counts for wide cones;
 * for narrow ones the hpx29 index counted over the cells at the cone's own order).
 * `extra` (deg) widens the upper bound (footprints reaching out of their centre's cell).
 */
export async function countCone(
  counts: Float64Array,
  ra: number,
  dec: number,
  radius: number,
  exact: () => Promise<number>,
  indexCount: (ranges: readonly Range[]) => Promise<number>,
  extra = 0,
): Promise<RegionCount> {
  const o = CELL_COUNT_ORDER;
  const upperR = radius + extra + cellRadiusDeg(o) + 1e-9;
  const upper = cellSum(counts, upperR >= 180 ? [[0, 12 * 4 ** o]] : queryDisc(o, ra, dec, upperR));
  if (upper <= EXACT_COUNT_LIMIT) return { count: upper === 0 ? 0 : await exact(), approximate: false };
  if (radius >= 4 * cellRadiusDeg(o)) {
    return { count: cellSum(counts, queryDisc(o, ra, dec, radius)), approximate: true };
  }
  const k = Math.min(24, orderForSize(radius) + 2);
  const shift = BigInt(2 * (29 - k));
  const inner = queryDisc(k, ra, dec, radius).map(
    ([a, b]) => [BigInt(a) << shift, BigInt(b) << shift] as Range,
  );
  return { count: await indexCount(capRanges(inner, 64)), approximate: true };
}

/** Count of catalogue rows in a cone (see countCone). */
export async function countCatalogueCone(
  db: SqlRunner,
  cat: CatalogueInfo,
  ra: number,
  dec: number,
  radius: number,
): Promise<RegionCount> {
  const table = ident(cat.tableName);
  return countCone(
    await cellCounts(db, `cat:${cat.name}`, cat.ingestedAt),
    ra,
    dec,
    radius,
    async () => {
      const where = rangeClause(discRanges29(ra, dec, radius));
      const rows = await db.all<{ ra: number; dec: number }>(`SELECT ra, "dec" FROM ${table} WHERE ${where.sql}`, where.params);
      let n = 0;
      for (const r of rows) if (angularDistanceDeg(ra, dec, r.ra, r.dec) <= radius) n++;
      return n;
    },
    async (ranges) => {
      const where = rangeClause(ranges);
      const rows = await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where.sql}`, where.params);
      return Number(rows[0]?.n ?? 0);
    },
  );
}

export { NPIX29, coneAreaDeg2 };
