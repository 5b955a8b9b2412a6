// Which HEALPix cells to draw and which HiPS tiles to load for a view: a pure function of the
// camera and the survey's orders. Cells are drawn at `drawOrder` (fine enough that a linear mesh
// follows the projection), textured from their ancestor tile at `dataOrder` (1 tile pixel ≈ 1
// device pixel); tiles are requested parents first, then by distance to the view centre. Cells
// outside the survey's MOC are skipped with their whole subtree.
import { applyMat3, isIdentity, type Mat3 } from '../math/frames.js';
import { planeOfViewFrame, toViewFrame, unproject, type Camera } from '../math/camera.js';
import { cellRadiusDeg, faceLocalToVec } from './healpix.js';
import type { CellFilter } from './mocCoverage.js';

/** Deepest order with `number` indices; drawing never needs finer cells. */
export const MAX_DRAW_ORDER = 24;

export interface SelectionInput {
  readonly camera: Camera;
  /** Tile width in pixels (hips_tile_width). */
  readonly tileWidthPx: number;
  /** hips_order: deepest tile order of the survey. */
  readonly hipsOrder: number;
  /** hips_order_min (default 0). */
  readonly hipsOrderMin?: number;
  /** Rotation from the survey's frame to ICRS (identity for equatorial surveys). */
  readonly toIcrs?: Mat3;
  /**
   * At most this many ancestor tiles are requested as stand-ins (default unlimited); when the
   * ancestors at all orders are more, only the lowest orders that fit are kept.
   */
  readonly maxAncestors?: number;
  /**
   * The survey's coverage (its Moc.fits, in the survey's frame, e.g. a CellCoverage): cells that
   * do not touch it are neither drawn nor requested, at any order.
   */
  readonly moc?: CellFilter;
}

export interface DrawCell {
  readonly order: number;
  readonly ipix: number;
  /** Angular distance from the view centre to the cell centre, radians. */
  readonly distanceRad: number;
}

export interface TileId {
  readonly order: number;
  readonly ipix: number;
}

export interface TileSelection {
  readonly dataOrder: number;
  readonly drawOrder: number;
  /**
   * Cells that touch the viewport, nearest first: at drawOrder, or deeper where the projection
   * stretches the sky strongly (the far side of zenithal all-sky projections).
   */
  readonly cells: readonly DrawCell[];
  /** Tiles to load: ancestors (lowest order first), then tiles at dataOrder nearest first. */
  readonly wanted: readonly TileId[];
}

const SQRT_PI_OVER_3 = Math.sqrt(Math.PI / 3); // side of a cell of order 0 in radians (equal area)

/** Deepest order visited: drawOrder plus the far-side subdivision of extraDepth. */
const MAX_VISIT_ORDER = MAX_DRAW_ORDER + 4;
/** Largest angle from a cell's centre to any of its points, radians, per order. */
const CELL_RADIUS_RAD: readonly number[] = (() => {
  const r: number[] = [];
  for (let k = 0; k <= MAX_VISIT_ORDER; k++) r.push(k <= MAX_DRAW_ORDER ? (cellRadiusDeg(k) * Math.PI) / 180 : r[k - 1] / 2);
  return r;
})();

/** Tile order at which one tile pixel covers about one device pixel. */
export function resolutionOrder(pixelAngleRad: number, tileWidthPx: number): number {
  const k = Math.log2(SQRT_PI_OVER_3 / (tileWidthPx * pixelAngleRad));
  return Math.max(0, Math.ceil(k - 0.25));
}

/** Order whose cells are at most a quarter of the field wide, so a linear mesh per cell follows the projection. */
export function meshOrder(fovRad: number): number {
  return Math.max(0, Math.min(MAX_DRAW_ORDER, Math.ceil(Math.log2((4 * SQRT_PI_OVER_3) / fovRad))));
}

export function selectTiles(input: SelectionInput): TileSelection {
  const { camera } = input;
  const minOrder = Math.max(0, input.hipsOrderMin ?? 0);
  const dataOrder = Math.min(input.hipsOrder, Math.max(minOrder, resolutionOrder(camera.pixelAngleRad, input.tileWidthPx)));
  const fovRad = (camera.view.fovDeg * Math.PI) / 180;
  const drawOrder = Math.min(MAX_DRAW_ORDER, Math.max(dataOrder, meshOrder(fovRad)));
  const rot = input.toIcrs && !isIdentity(input.toIcrs) ? input.toIcrs : undefined;
  // every projection but SIN and TAN shows the far side, where it stretches the sky strongly
  const stretchy = camera.view.projection !== 'SIN' && camera.view.projection !== 'TAN';

  const cells: DrawCell[] = [];
  const c = [0, 0, 0];
  const v = [0, 0, 0];
  const f = [0, 0, 0];
  const q = [0, 0, 0];
  const moc = input.moc;
  const centre = camera.centre;
  const cellRad = CELL_RADIUS_RAD;
  // per order: the cosine of the farthest a touching cell's centre can be from the view centre
  const cosReach: number[] = [];
  for (let k = 0; k <= MAX_VISIT_ORDER; k++) {
    const reach = cellRad[k] + camera.radiusRad + 1e-9;
    cosReach.push(reach >= Math.PI ? -2 : Math.cos(reach));
  }
  const insideRad = inscribedRadius(camera);
  // (face, ix, iy) travel down with the index: child k of (ix, iy) is (2ix + (k & 1), 2iy + (k >> 1))
  const visit = (order: number, ipix: number, face: number, ix: number, iy: number): void => {
    if (moc && !moc.intersects(order, ipix)) return;
    const n = 2 ** order;
    faceLocalToVec(face, (ix + 0.5) / n, (iy + 0.5) / n, c);
    const w = rot ? applyMat3(rot, c, v) : c;
    const cosD = w[0] * centre[0] + w[1] * centre[1] + w[2] * centre[2];
    if (cosD < cosReach[order]) return;
    const distanceRad = Math.acos(Math.max(-1, Math.min(1, cosD)));
    if (order < drawOrder + (stretchy ? extraDepth(distanceRad + cellRad[order]) : 0)) {
      // on the stretched far side, a cell already at drawOrder that is far off screen (outline
      // box grown by its whole size) is not split further
      if (order >= drawOrder && distanceRad + cellRad[order] >= insideRad && cellOutsideViewport(camera, n, face, ix, iy, rot, v, f, q, 1)) return;
      for (let k = 0; k < 4; k++) visit(order + 1, ipix * 4 + k, face, 2 * ix + (k & 1), 2 * iy + (k >> 1));
      return;
    }
    // a cell within the inscribed disc is on screen: no need to project its outline
    if (distanceRad + cellRad[order] >= insideRad && cellOutsideViewport(camera, n, face, ix, iy, rot, v, f, q)) return;
    cells.push({ order, ipix, distanceRad });
  };
  for (let base = 0; base < 12; base++) visit(0, base, base, 0, 0);
  cells.sort((a, b) => a.distanceRad - b.distanceRad);

  // Tiles to load: unique ancestors at dataOrder in cell order, then their ancestors down to minOrder.
  const dataTiles: TileId[] = [];
  const seen = new Set<number>();
  for (const cell of cells) {
    const ipix = Math.floor(cell.ipix / 4 ** (cell.order - dataOrder));
    if (!seen.has(ipix)) {
      seen.add(ipix);
      dataTiles.push({ order: dataOrder, ipix });
    }
  }
  const ancestors: TileId[] = [];
  const maxAncestors = input.maxAncestors ?? Infinity;
  for (let order = minOrder; order < dataOrder; order++) {
    const before = ancestors.length;
    const div = 4 ** (dataOrder - order);
    const seenAtOrder = new Set<number>();
    for (const t of dataTiles) {
      const ipix = Math.floor(t.ipix / div);
      if (!seenAtOrder.has(ipix)) {
        seenAtOrder.add(ipix);
        ancestors.push({ order, ipix });
      }
    }
    if (ancestors.length > maxAncestors && order > minOrder) {
      ancestors.length = before;
      break;
    }
  }
  return { dataOrder, drawOrder, cells, wanted: [...ancestors, ...dataTiles] };
}

/**
 * Angle from the view centre within which every sky point is on screen: the smallest angle to
 * a point of the viewport's border that lies on the sky (each projection here maps rays from
 * the centre to great-circle arcs from the centre, along which the angle grows), 64 samples per
 * edge, less 2 % for the gaps between samples; pi when no border point is on the sky (the whole
 * sphere is on screen). It only lets cells skip the outline test, so an error here can make the
 * selection larger, never leave a hole.
 */
function inscribedRadius(camera: Camera): number {
  let min = Math.PI;
  const c = camera.centre;
  const n = 64;
  for (let i = 0; i <= n; i++) {
    const t = (2 * i) / n - 1;
    for (let e = 0; e < 4; e++) {
      const x = e === 0 ? t : e === 1 ? t : e === 2 ? -1 : 1;
      const y = e === 0 ? -1 : e === 1 ? 1 : t;
      const p = unproject(camera, x, y);
      if (!p) continue;
      const a = Math.acos(Math.max(-1, Math.min(1, p[0] * c[0] + p[1] * c[1] + p[2] * c[2])));
      if (a < min) min = a;
    }
  }
  return min * 0.98;
}

/**
 * Extra subdivision for zenithal projections that show the far side (STG, ZEA, ARC), where the
 * azimuthal scale grows as c/sin(c): without it a linear mesh visibly bends the sky there.
 */
function extraDepth(maxDistanceRad: number): number {
  const deg = (maxDistanceRad * 180) / Math.PI;
  return deg > 165 ? 4 : deg > 150 ? 3 : deg > 125 ? 2 : deg > 95 ? 1 : 0;
}

/** Face-local points of a cell for the viewport test: its centre, then its four corners. */
const SAMPLE_U = [0.5, 0, 1, 0, 1];
const SAMPLE_V = [0.5, 0, 0, 1, 1];

/**
 * True when the cell certainly lies outside the viewport rectangle: the projected bounding box of
 * its corners and centre, grown by half its size (by default) for curved edges, misses [-1,1]².
 * A cell whose centre is on screen is inside at once (one projection instead of five).
 * A cell with a sample behind the projection's horizon is kept (it may wrap the visible limb).
 */
function cellOutsideViewport(camera: Camera, n: number, face: number, ix: number, iy: number, rot: Mat3 | undefined,
  v: number[], f: number[], q: number[], grow = 0.5): boolean {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let s = 0; s < SAMPLE_U.length; s++) {
    faceLocalToVec(face, (ix + SAMPLE_U[s]) / n, (iy + SAMPLE_V[s]) / n, v);
    const w = rot ? applyMat3(rot, v, f) : v;
    toViewFrame(camera, w, q);
    const p = planeOfViewFrame(camera.view.projection, q[0], q[1], q[2]);
    if (!p) return false;
    const x = p[0] / camera.halfWidthPlane;
    const y = p[1] / camera.halfHeightPlane;
    if (s === 0 && x >= -1 && x <= 1 && y >= -1 && y <= 1) return false;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const gx = (maxX - minX) * grow;
  const gy = (maxY - minY) * grow;
  return maxX + gx < -1 || minX - gx > 1 || maxY + gy < -1 || minY - gy > 1;
}
