// Which HiPS-catalogue tiles a view needs (progressive catalogues): the order matching the view
// (about CELLS_ACROSS cells across the field, clamped to hips_order_min..hips_order), the cells of
// that order in the view's cone, and every ancestor tile from hips_order_min down, parents first
// (a source sits in exactly one tile: the brightest are in the shallowest tiles, so drawing the
// parents first shows the brightest sources first). Pure: no DOM, no GPU, no network.
import { catalogTilesFor } from '../hips/catalog.js';
import { queryDisc } from '../hips/healpixQuery.js';
import type { TileId } from '../hips/tileSelection.js';

/** The view shows about this many cells of its catalogue order across its horizontal field. */
export const CELLS_ACROSS = 4;
/** At most this many cells of the view order are listed (a guard against huge cones at deep orders). */
export const MAX_VIEW_CELLS = 4096;

/** Angular width of a cell of `order` (square root of its area), radians. */
export function cellWidthRad(order: number): number {
  return Math.sqrt(Math.PI / 3) / 2 ** order;
}

/**
 * The catalogue order for a field `fovRad` wide: the shallowest order whose cells are at most
 * fovRad / CELLS_ACROSS wide, clamped to [orderMin, orderMax].
 */
export function catalogViewOrder(fovRad: number, orderMin: number, orderMax: number): number {
  if (!(fovRad > 0)) throw new RangeError(`fovRad must be > 0, got ${fovRad}`);
  if (!Number.isInteger(orderMin) || !Number.isInteger(orderMax) || orderMin < 0 || orderMax < orderMin || orderMax > 24) {
    throw new RangeError(`orders must be integers with 0 <= orderMin <= orderMax <= 24, got ${orderMin}..${orderMax}`);
  }
  let k = orderMin;
  while (k < orderMax && cellWidthRad(k) > fovRad / CELLS_ACROSS) k++;
  return k;
}

/** What a view looks at: centre, the angular radius that contains the viewport, the horizontal field. */
export interface CatalogView {
  readonly raDeg: number;
  readonly decDeg: number;
  readonly radiusRad: number;
  readonly fovRad: number;
}

export interface CatalogPlan {
  readonly order: number;
  /** Tiles to show, lowest order first (parents before children), each order by NESTED index. */
  readonly tiles: TileId[];
}

/**
 * The tiles a view needs. `isComplete(order, ipix)` says a loaded tile holds all of its cell
 * (Completeness n = N), so its descendants are not asked for.
 */
export function planCatalogTiles(view: CatalogView, orderMin: number, orderMax: number,
  isComplete: (order: number, ipix: number) => boolean = () => false): CatalogPlan {
  let order = catalogViewOrder(view.fovRad, orderMin, orderMax);
  const radiusDeg = Math.min(180, (view.radiusRad * 180) / Math.PI);
  let ranges = queryDisc(order, view.raDeg, view.decDeg, radiusDeg, { inclusive: true });
  // very wide cones at a deep order (a stretched all-sky projection): step back to fewer cells
  while (order > orderMin && countRanges(ranges) > MAX_VIEW_CELLS) {
    order--;
    ranges = queryDisc(order, view.raDeg, view.decDeg, radiusDeg, { inclusive: true });
  }
  const cells: number[] = [];
  for (const [a, b] of ranges) for (let c = a; c < b; c++) cells.push(c);
  const tiles = catalogTilesFor(order, cells, orderMin, isComplete);
  return { order, tiles };
}

function countRanges(ranges: ReadonlyArray<readonly [number, number]>): number {
  let n = 0;
  for (const [a, b] of ranges) n += b - a;
  return n;
}
