// A space MOC -> GPU-ready geometry in the footprint layer's format (src/footprints/tessellate.ts):
// one "footprint" per drawn cell (anchor = its centre, points as float32 offsets), with
//  - fill: the cell as an n×n grid of spherical quads (n grows at low orders so the big cells
//    follow the projection: every triangle edge <= FILL_SPLIT_RAD),
//  - outline: the cell's four sides (HEALPix cell sides are not great circles: sampled with
//    cellPointToVec along the side, every step <= the tolerance),
//  - perimeter: only the parts of sides whose neighbour across is outside the MOC (the boundary of
//    the union), found per side by halving: the neighbour cell across a piece of side (at the
//    piece's own order) is fully in the MOC (no perimeter), fully out (perimeter), or partly in
//    (halve the piece) — so an order-3 cell beside order-12 cells costs a few hundred tests, not
//    4^9 sub-cells.
// Every cell is drawn at its own order: the MOC is degraded only when it is deeper than
// MAX_DRAW_ORDER or has more than maxCells cells (then just enough). Pure; runs in a decode worker.
import { cellPointToVec } from '../hips/healpix.js';
import { ang2pixBig } from '../hips/healpixBig.js';
import { SpaceMoc } from '../hips/moc/spaceMoc.js';
import { FILL_SPLIT_RAD, SEGMENT_FLOATS, TRIANGLE_VERTEX_FLOATS, type FootprintGeometry } from '../footprints/tessellate.js';

export interface MocGeometryOptions {
  readonly fill?: boolean;
  readonly outline?: boolean;
  readonly perimeter?: boolean;
  /** Longest outline step, radians. */
  readonly toleranceRad: number;
  /** Deepest order drawn (default MAX_DRAW_ORDER; deeper cells are degraded, i.e. enlarged). */
  readonly maxDrawOrder?: number;
  /** Most cells drawn: the draw order is lowered until the MOC has no more (default 200 000). */
  readonly maxCells?: number;
}

/** Deepest order drawn: cell indices stay exact in float64 and cells (0.01″) far below a pixel. */
export const MAX_DRAW_ORDER = 24;
const DEG = Math.PI / 180;
/** Side of an order-0 cell, radians (mean). */
const BASE_CELL_RAD = 58.6 * DEG;

type V3 = [number, number, number];

function countCells(moc: SpaceMoc): number {
  return moc.toCells().reduce((n, o) => n + o.cells.length, 0);
}

/** The draw order for a MOC: its deepest cells' order, at most maxDrawOrder, lowered until <= maxCells cells. */
export function drawOrderFor(moc: SpaceMoc, maxDrawOrder = MAX_DRAW_ORDER, maxCells = 200_000): number {
  // the deepest order that has cells (a MOC declared at order 29 may have none below 11)
  const deepest = moc.toCells().reduce((d, o) => Math.max(d, o.order), 0);
  let order = Math.min(deepest, maxDrawOrder);
  while (order > 0 && countCells(moc.degrade(order)) > maxCells) order--;
  return order;
}

/** The cell of `order` holding direction v (any length). */
function neighbourCell(order: number, v: V3): bigint {
  const lon = (Math.atan2(v[1], v[0]) / DEG + 360) % 360;
  return ang2pixBig(order, lon, Math.atan2(v[2], Math.hypot(v[0], v[1])) / DEG);
}

/** Is cell (order, ipix) fully in, fully out of, or partly in the MOC's order-29 ranges? */
export function coverage(ranges: BigUint64Array, order: number, ipix: bigint): 'in' | 'out' | 'partial' {
  const shift = BigInt(2 * (SpaceMoc.DEPTH - order));
  const a = ipix << shift;
  const b = (ipix + 1n) << shift;
  // first range ending after a
  let lo = 0;
  let hi = ranges.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[2 * mid + 1]! <= a) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= ranges.length / 2 || ranges[2 * lo]! >= b) return 'out';
  return ranges[2 * lo]! <= a && ranges[2 * lo + 1]! >= b ? 'in' : 'partial';
}

export function mocGeometry(input: SpaceMoc, options: MocGeometryOptions): FootprintGeometry & { drawOrder: number } {
  const tol = options.toleranceRad;
  if (!(tol > 0 && tol <= 0.2)) throw new RangeError(`tolerance must be in (0, 0.2] rad, got ${tol}`);
  const fill = options.fill ?? true;
  const outline = options.outline ?? false;
  const perimeter = options.perimeter ?? true;
  const drawOrder = drawOrderFor(input, options.maxDrawOrder, options.maxCells);
  const moc = input.degrade(drawOrder);
  const cells: Array<[number, number]> = [];
  for (const { order, cells: list } of moc.toCells()) for (const c of list) cells.push([order, Number(c)]);
  const n = cells.length;
  const anchors = new Float64Array(3 * n);
  const extentsRad = new Float64Array(n);
  const segmentStart = new Uint32Array(n);
  const segmentCount = new Uint32Array(n);
  const triangleStart = new Uint32Array(n);
  const triangleCount = new Uint32Array(n);
  const segs: number[] = [];
  const tris: number[] = [];
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const asFloat = (i: number): number => {
    u32[0] = i;
    return f32[0]!;
  };
  const p = (order: number, ipix: number, u: number, v: number): V3 => cellPointToVec(order, ipix, u, v);

  cells.forEach(([order, ipix], i) => {
    const c = p(order, ipix, 0.5, 0.5);
    anchors.set(c, 3 * i);
    const cellRad = BASE_CELL_RAD / 2 ** order;
    extentsRad[i] = cellRad * 1.2 + tol;
    segmentStart[i] = segs.length / SEGMENT_FLOATS;
    triangleStart[i] = tris.length / TRIANGLE_VERTEX_FLOATS;
    const fp = asFloat(i);
    const seg = (a: V3, b: V3): void => {
      segs.push(a[0] - c[0], a[1] - c[1], a[2] - c[2], fp, b[0] - c[0], b[1] - c[1], b[2] - c[2], asFloat(0));
    };
    // a side as points: side 0 y=0, 1 x=1, 2 y=1, 3 x=0, from t0 to t1 along it
    const sidePoint = (side: number, t: number, inset = 0): [number, number] =>
      side === 0 ? [t, inset] : side === 1 ? [1 - inset, t] : side === 2 ? [t, 1 - inset] : [inset, t];
    const polyline = (side: number, t0: number, t1: number, steps: number): void => {
      let prev = p(order, ipix, ...sidePoint(side, t0));
      for (let k = 1; k <= steps; k++) {
        const next = p(order, ipix, ...sidePoint(side, t0 + ((t1 - t0) * k) / steps));
        seg(prev, next);
        prev = next;
      }
    };
    if (outline) {
      const steps = Math.max(1, Math.ceil(cellRad / tol));
      for (let side = 0; side < 4; side++) polyline(side, 0, 1, steps);
    }
    if (perimeter) {
      // piece j of 2^d along a side: the neighbour across it, at order + d, is in, out or partly in
      const walk = (side: number, d: number, j: number): void => {
        const m = 2 ** d;
        const t = (j + 0.5) / m;
        const edge = p(order, ipix, ...sidePoint(side, t));
        const inner = p(order, ipix, ...sidePoint(side, t, 0.25 / m));
        const out: V3 = [2 * edge[0] - inner[0], 2 * edge[1] - inner[1], 2 * edge[2] - inner[2]];
        const cover = coverage(moc.ranges, order + d, neighbourCell(order + d, out));
        if (cover === 'in') return;
        if (cover === 'out' || order + d >= drawOrder) {
          polyline(side, j / m, (j + 1) / m, Math.max(1, Math.ceil(cellRad / m / tol)));
          return;
        }
        walk(side, d + 1, 2 * j);
        walk(side, d + 1, 2 * j + 1);
      };
      for (let side = 0; side < 4; side++) walk(side, 0, 0);
    }
    segmentCount[i] = segs.length / SEGMENT_FLOATS - segmentStart[i]!;
    if (fill) {
      const g = Math.max(1, Math.ceil(cellRad / Math.max(tol, FILL_SPLIT_RAD)));
      const grid: V3[] = [];
      for (let y = 0; y <= g; y++) for (let x = 0; x <= g; x++) grid.push(p(order, ipix, x / g, y / g));
      const put = (v: V3): void => {
        tris.push(v[0] - c[0], v[1] - c[1], v[2] - c[2], fp);
      };
      for (let y = 0; y < g; y++) {
        for (let x = 0; x < g; x++) {
          const a = grid[y * (g + 1) + x]!;
          const b = grid[y * (g + 1) + x + 1]!;
          const d = grid[(y + 1) * (g + 1) + x]!;
          const e = grid[(y + 1) * (g + 1) + x + 1]!;
          put(a); put(b); put(e);
          put(a); put(e); put(d);
        }
      }
    }
    triangleCount[i] = tris.length / TRIANGLE_VERTEX_FLOATS - triangleStart[i]!;
  });
  return {
    count: n, toleranceRad: tol, anchors, extentsRad, segmentStart, segmentCount, triangleStart, triangleCount,
    segments: Float32Array.from(segs), triangles: Float32Array.from(tris), problems: [], drawOrder,
  };
}
