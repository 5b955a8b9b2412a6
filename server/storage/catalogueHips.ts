/**
 * Every catalogue as a HiPS catalogue (HiPS 1.0 §4.3, STANDARDS.md §A2), for progressive loading
 * by our page and by any HiPS client (Aladin Lite, Aladin Desktop): TSV tiles NorderK/DirD/NpixN.tsv,
 * metadata.xml, properties and Moc.fits, computed from the database on request.
 *
 * Progressive filling, brightest first: tile (K, N) holds the L brightest rows of HEALPix cell
 * (K, N) that are not among the L brightest of its parent cell — so a row sits in the tile of the
 * shallowest order where it is among its cell's L brightest (rank in a sub-cell <= rank in the
 * cell, hence no ancestor above the parent can hold it either), and each row appears in exactly
 * one tile. The deepest order (hips_order) holds every remaining row of its cell. hips_order is
 * the shallowest order at which no cell is expected to hold more than DEEPEST_MAX rows (from the
 * per-cell counts at order 6). Ties in brightness go to the lower id; rows without a brightness
 * value come last.
 */
import type { SqlRunner } from './db.js';
import { ident } from './db.js';
import { CELL_COUNT_ORDER } from './schema.js';
import type { CatalogueInfo } from './catalogues.js';
import { cellCounts, rowsById } from './catalogues.js';
import { SpaceMoc } from '../../src/hips/moc/index.js';

/** Rows per tile above the deepest order. */
export const TILE_ROWS = 50;
/** Rows a deepest-order tile is expected to hold at most (a bound on tile size). */
export const DEEPEST_MAX = 2000;
/** The deepest order served (cells of ~13″). */
export const MAX_CAT_ORDER = 14;

/** hips_order for a catalogue whose order-6 cells hold `counts` rows (`max(...)` of 49,152 is fine). */
export function catalogueHipsOrder(counts: Float64Array, tileRows = TILE_ROWS, deepestMax = DEEPEST_MAX): number {
  let max = 0;
  for (const n of counts) if (n > max) max = n;
  if (max <= tileRows) {
    // even an order-6 cell is not full: go up while a coarser cell stays under the tile size
    let k = CELL_COUNT_ORDER;
    let perCell = counts;
    while (k > 0) {
      const up = new Float64Array(perCell.length / 4);
      for (let i = 0; i < up.length; i++) up[i] = perCell[4 * i]! + perCell[4 * i + 1]! + perCell[4 * i + 2]! + perCell[4 * i + 3]!;
      if (Math.max(...up) > deepestMax) break;
      perCell = up;
      k--;
    }
    return k;
  }
  // deeper than 6: assume rows spread evenly inside an order-6 cell (each order divides by 4)
  let k = CELL_COUNT_ORDER;
  while (max > deepestMax && k < MAX_CAT_ORDER) {
    max /= 4;
    k++;
  }
  return k;
}

interface Ranked {
  id: number;
  k: number | null;
}

function hpxRange(order: number, npix: number): [bigint, bigint] {
  const shift = BigInt(2 * (29 - order));
  return [BigInt(npix) << shift, (BigInt(npix) + 1n) << shift];
}

/** ids of the `limit` brightest rows of cell (order, npix), and how many rows the cell has. */
async function brightest(db: SqlRunner, cat: CatalogueInfo, order: number, npix: number, limit: number): Promise<{ ids: number[]; total: number }> {
  const [a, b] = hpxRange(order, npix);
  const rows = await db.all<Ranked>(
    `SELECT id, ${ident(cat.brightColumn)} AS k FROM ${ident(cat.tableName)} WHERE hpx29 >= ? AND hpx29 < ?`,
    [a, b],
  );
  rows.sort((x, y) => {
    if (x.k === y.k) return x.id - y.id;
    if (x.k === null) return 1;
    if (y.k === null) return -1;
    return x.k < y.k ? -1 : 1;
  });
  return { ids: rows.slice(0, limit).map((r) => Number(r.id)), total: rows.length };
}

export interface CatalogueTile {
  /** Column names, in order (the catalogue's columns). */
  readonly columns: readonly string[];
  readonly rows: Array<Array<number | string | null>>;
  /** Rows in this tile, and rows of its cell not in an ancestor tile (HiPS "# Completeness = n / N"; n = N: no children). */
  readonly completeness: readonly [number, number];
}

/** The rows of HiPS catalogue tile (order, npix), brightest first. */
export async function catalogueTile(db: SqlRunner, cat: CatalogueInfo, hipsOrder: number, order: number, npix: number, tileRows = TILE_ROWS): Promise<CatalogueTile> {
  if (!Number.isInteger(order) || order < 0 || order > hipsOrder) throw new RangeError(`order ${order} is outside 0..${hipsOrder} (hips_order of ${cat.name})`);
  if (!Number.isInteger(npix) || npix < 0 || npix >= 12 * 4 ** order) throw new RangeError(`Npix${npix} does not exist at order ${order} (0..${12 * 4 ** order - 1})`);
  const deepest = order === hipsOrder;
  const own = await brightest(db, cat, order, npix, deepest ? Number.MAX_SAFE_INTEGER : tileRows);
  let ids = own.ids;
  // rows of this cell shown by an ancestor tile: exactly those among the parent's brightest (a row
  // among an ancestor's brightest is among the parent's, and among this cell's own brightest)
  let shownAbove = 0;
  if (order > 0) {
    const inParent = new Set((await brightest(db, cat, order - 1, Math.floor(npix / 4), tileRows)).ids);
    ids = ids.filter((id) => !inParent.has(id));
    shownAbove = own.ids.length - ids.length;
  }
  return {
    columns: cat.columns.map((c) => c.name),
    rows: await rowsById(db, cat, ids),
    // n = rows in this tile, N = rows of the cell not in an ancestor tile (this tile's and its descendants')
    completeness: [ids.length, own.total - shownAbove],
  };
}

function tsvCell(v: number | string | null): string {
  if (v === null || v === undefined) return '';
  return String(v).replace(/[\t\r\n]/g, ' ');
}

/** The TSV text of a tile: a Completeness comment, the header line, one line per row. */
export function tileTsv(tile: CatalogueTile): string {
  const lines = [`# Completeness = ${tile.completeness[0]} / ${tile.completeness[1]}`, tile.columns.join('\t')];
  for (const r of tile.rows) lines.push(r.map(tsvCell).join('\t'));
  return lines.join('\n') + '\n';
}

/** Coverage of the catalogue: the order-6 cells holding at least one row. */
export async function catalogueMoc(db: SqlRunner, cat: CatalogueInfo): Promise<SpaceMoc> {
  const counts = await cellCounts(db, `cat:${cat.name}`, cat.ingestedAt);
  const cells: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) cells.push(i);
  return SpaceMoc.fromCells(CELL_COUNT_ORDER, cells);
}

/** hips_order of a catalogue (from its per-cell counts). */
export async function hipsOrderOf(db: SqlRunner, cat: CatalogueInfo): Promise<number> {
  return catalogueHipsOrder(await cellCounts(db, `cat:${cat.name}`, cat.ingestedAt));
}
