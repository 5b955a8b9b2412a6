// Region queries on the NESTED grid: cones (discs) and spherical polygons with great-circle edges.
//
// Result: sorted, disjoint, non-adjacent [start, end) ranges of NESTED indices at `order`
// (numbers for orders 0..24, bigint with the *Big functions for orders 0..29).
//
// Semantics
//  - inclusive = false (default): the cells whose centre lies inside the region (healpy's
//    query_disc / query_polygon with inclusive=False).
//  - inclusive = true: every cell that overlaps the region. Each candidate cell is refined
//    below `order` (up to REFINE_LEVELS orders deeper, never past 29): it is kept as soon as a
//    sub-cell centre lies inside the region or a sub-cell lies entirely inside, and dropped when
//    every sub-cell is proven disjoint. Cells still undecided at the deepest level are kept, so
//    the result contains every truly overlapping cell and at most the cells within about
//    1/2^REFINE_LEVELS of a cell of the region's edge. (healpy's inclusive mode keeps every cell
//    with a sub-cell at fact·nside whose centre is within radius + max_pixrad: a larger margin.)
//
// Algorithm: a depth-first descent from the 12 base cells in NESTED order. Each cell is bounded
// by the circle (centre, cellRadius(order)) — healpix.ts derives that bound — and classified
// against the region as disjoint (dropped), inside (emitted whole, as one range at `order`) or
// partial (descended into). So the work is proportional to the number of cells along the
// region's edge, not to its area. Polygons: the interior is the smaller of the two regions the
// (simple) polygon bounds, whichever way the vertices turn; edges are the shorter great-circle
// arcs between consecutive vertices.
import { cellRadiusDeg, faceLocalToVec } from './healpix.js';
import {
  DEG,
  MAX_ORDER_BIG,
  MAX_ORDER_NUMBER,
  checkLonLat,
  checkOrderMax,
  cosLatDeg,
  sinLatDeg,
  xyf2nestBigU,
  xyf2nestNum,
} from './healpixCore.js';

export interface QueryOptions {
  /** Return every cell that overlaps the region (default false: cells whose centre is inside). */
  inclusive?: boolean;
}

/** Orders below the query order used to decide the overlap of edge cells (inclusive mode). */
export const REFINE_LEVELS = 8;

/** Cell radius bound at order 0 in radians; at order d it is this / 2^d. */
const RADIUS0 = cellRadiusDeg(0) * DEG;
/** Absolute slack (radians) for rounding in the bounding-circle tests (conservative side). */
const SLACK = 4e-15;

// ---------------------------------------------------------------------------------------------
// vectors

type V3 = Float64Array;

function unitFromLonLat(lonDeg: number, latDeg: number, out: V3 = new Float64Array(3)): V3 {
  const c = cosLatDeg(latDeg);
  const l = lonDeg * DEG;
  out[0] = c * Math.cos(l);
  out[1] = c * Math.sin(l);
  out[2] = sinLatDeg(latDeg);
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** Angle between unit vectors, accurate for tiny and near-180° angles. */
function angleBetween(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const cx = a[1] * b[2] - a[2] * b[1];
  const cy = a[2] * b[0] - a[0] * b[2];
  const cz = a[0] * b[1] - a[1] * b[0];
  return Math.atan2(Math.sqrt(cx * cx + cy * cy + cz * cz), dot(a, b));
}

// ---------------------------------------------------------------------------------------------
// regions

/** 0: the circle is disjoint from the region; 1: partial / unknown; 2: inside the region. */
type Cls = 0 | 1 | 2;

interface Region {
  /** Classifies the spherical cap (centre c, radius r radians). Must be rigorous for 0 and 2. */
  classify(c: V3, r: number): Cls;
  /** Whether the point c is inside the region. */
  contains(c: V3): boolean;
}

/** Squared chord of an angle: 4 sin²(a/2), monotonic on [0, π] and accurate for tiny angles. */
function chord2(a: number): number {
  const h = Math.sin(a / 2);
  return 4 * h * h;
}

/**
 * A cone. Angles are compared through squared chords |c − p|² = 4 sin²(d/2) (no atan2 per test,
 * full precision for tiny angles); the thresholds of the bounding-circle tests are computed once
 * per circle radius, with SLACK kept on the angle side as before.
 */
class DiscRegion implements Region {
  private readonly p: V3;
  private readonly radius: number;
  private readonly radiusChord2: number;
  private readonly edgeMargin: number;
  /** Thresholds per circle radius r: [outside beyond, inside below] as squared chords. */
  private readonly cache = new Map<number, [number, number]>();
  constructor(lonDeg: number, latDeg: number, radiusRad: number) {
    this.p = unitFromLonLat(lonDeg, latDeg);
    this.radius = radiusRad;
    this.radiusChord2 = chord2(radiusRad);
    // squared-chord width of ±2e-15 rad around the edge (both ways of measuring agree outside it)
    this.edgeMargin = 8e-15 * Math.sqrt(this.radiusChord2) + 1e-29;
  }
  private thresholds(r: number): [number, number] {
    let t = this.cache.get(r);
    if (!t) {
      const out = this.radius + r + SLACK;
      const inn = this.radius - r - SLACK;
      t = [out >= Math.PI ? Infinity : chord2(out), inn <= 0 ? -1 : chord2(inn)];
      this.cache.set(r, t);
    }
    return t;
  }
  private dist2(c: V3): number {
    const dx = c[0] - this.p[0];
    const dy = c[1] - this.p[1];
    const dz = c[2] - this.p[2];
    return dx * dx + dy * dy + dz * dz;
  }
  classify(c: V3, r: number): Cls {
    const [outside, inside] = this.thresholds(r);
    const d2 = this.dist2(c);
    if (d2 > outside) return 0;
    if (d2 < inside) return 2;
    return 1;
  }
  contains(c: V3): boolean {
    // exact decision with the angle where the chord is within rounding of the radius
    const d2 = this.dist2(c);
    const m = this.edgeMargin;
    if (d2 < this.radiusChord2 - m) return true;
    if (d2 > this.radiusChord2 + m) return false;
    return angleBetween(c, this.p) <= this.radius;
  }
}

/** Whether the minor arcs P→M and A→B (normal nAB of A→B, any length) cross. */
function arcsCross(P: V3, M: V3, A: V3, B: V3, nAB: ArrayLike<number>): boolean {
  const sP = dot(P, nAB);
  const sM = dot(M, nAB);
  if (sP >= 0 === sM >= 0) return false;
  const nx = P[1] * M[2] - P[2] * M[1];
  const ny = P[2] * M[0] - P[0] * M[2];
  const nz = P[0] * M[1] - P[1] * M[0];
  const sA = A[0] * nx + A[1] * ny + A[2] * nz;
  const sB = B[0] * nx + B[1] * ny + B[2] * nz;
  if (sA >= 0 === sB >= 0) return false;
  // the great circles meet at ±X; both arcs must hold the same one
  const aP = Math.abs(sP);
  const aM = Math.abs(sM);
  const aA = Math.abs(sA);
  const aB = Math.abs(sB);
  const yx = P[0] * aM + M[0] * aP;
  const yy = P[1] * aM + M[1] * aP;
  const yz = P[2] * aM + M[2] * aP;
  const zx = A[0] * aB + B[0] * aA;
  const zy = A[1] * aB + B[1] * aA;
  const zz = A[2] * aB + B[2] * aA;
  return yx * zx + yy * zy + yz * zz > 0;
}

/**
 * A simple spherical polygon, oriented so that its interior (the smaller region) lies to the
 * left of every edge.
 */
export class SphericalPolygon implements Region {
  /** Vertices as unit vectors (counter-clockwise seen from outside the sphere). */
  readonly vertices: readonly V3[];
  /** Unit normals of the edges' great circles (vertex i × vertex i+1 direction). */
  private readonly normals: readonly V3[];
  /** Normalised edge midpoints. */
  private readonly mids: readonly V3[];

  constructor(verticesDeg: ReadonlyArray<readonly [number, number]>) {
    if (!Array.isArray(verticesDeg)) {
      throw new RangeError(`polygon vertices must be an array of [lonDeg, latDeg], got ${String(verticesDeg)}`);
    }
    let vs: V3[] = verticesDeg.map((v, i) => {
      if (!Array.isArray(v) || v.length < 2) {
        throw new RangeError(`polygon vertex ${i} must be [lonDeg, latDeg], got ${JSON.stringify(v)}`);
      }
      checkLonLat(`polygon vertex ${i}:`, v[0], v[1]);
      return unitFromLonLat(v[0], v[1]);
    });
    // a closing vertex equal to the first one is dropped
    if (vs.length > 3 && angleBetween(vs[0], vs[vs.length - 1]) === 0) vs = vs.slice(0, -1);
    if (vs.length < 3) {
      throw new RangeError(`a polygon needs at least 3 distinct vertices, got ${vs.length}`);
    }
    const n = vs.length;
    for (let i = 0; i < n; i++) {
      const a = vs[i];
      const b = vs[(i + 1) % n];
      const ang = angleBetween(a, b);
      if (!(ang > 1e-15) || ang > Math.PI - 1e-9) {
        throw new RangeError(
          `polygon vertices ${i} and ${(i + 1) % n} (${JSON.stringify(verticesDeg[i])}, ${JSON.stringify(verticesDeg[(i + 1) % n])}) ` +
            `are ${ang === 0 ? 'identical' : 'antipodal'}: the edge between them is undefined`,
        );
      }
    }
    // orientation: the sum of signed turning angles is 2π − (area on the left)
    let turn = 0;
    for (let i = 0; i < n; i++) {
      const prev = vs[(i + n - 1) % n];
      const cur = vs[i];
      const next = vs[(i + 1) % n];
      const tIn = cross(edgeNormal(prev, cur), cur);
      const tOut = cross(edgeNormal(cur, next), cur);
      turn += Math.atan2(dot(cur, cross(tIn, tOut)), dot(tIn, tOut));
    }
    if (turn < 0) vs = vs.reverse();
    this.vertices = vs;
    this.normals = vs.map((a, i) => normalize(edgeNormal(a, vs[(i + 1) % n])));
    this.mids = vs.map((a, i) => {
      const b = vs[(i + 1) % n];
      return normalize(Float64Array.of(a[0] + b[0], a[1] + b[1], a[2] + b[2]));
    });
    // simple: no two non-adjacent edges cross
    for (let i = 0; i < n; i++) {
      for (let j = i + 2; j < n; j++) {
        if (i === 0 && j === n - 1) continue;
        if (arcsCross(vs[i], vs[(i + 1) % n], vs[j], vs[(j + 1) % n], this.normals[j])) {
          throw new RangeError(`polygon edges ${i} and ${j} cross: the polygon must be simple`);
        }
      }
    }
  }

  contains(p: V3): boolean {
    const n = this.vertices.length;
    // reference edge: p well off its great circle and its midpoint not near p's antipode
    let k = 0;
    let best = -Infinity;
    for (let i = 0; i < n; i++) {
      const score = Math.min(Math.abs(dot(p, this.normals[i])), 1 + dot(p, this.mids[i]));
      if (score > best) {
        best = score;
        k = i;
      }
    }
    // just before the midpoint of edge k, the arc p→mid is on p's side of edge k; the interior
    // is on the left (positive side). Each crossing of another edge on the way flips the state.
    let inside = dot(p, this.normals[k]) > 0;
    const m = this.mids[k];
    const vs = this.vertices;
    for (let j = 0; j < n; j++) {
      if (j === k) continue;
      if (arcsCross(p, m, vs[j], vs[(j + 1) % n], this.normals[j])) inside = !inside;
    }
    return inside;
  }

  classify(c: V3, r: number): Cls {
    if (r >= Math.PI / 2) return 1;
    const rr = r + SLACK;
    const sinR = Math.sin(rr);
    const chord2 = 4 * Math.sin(rr / 2) ** 2;
    const vs = this.vertices;
    const n = vs.length;
    for (let i = 0; i < n; i++) {
      const nrm = this.normals[i];
      const s = dot(c, nrm);
      if (Math.abs(s) > sinR) continue; // farther than r from the whole great circle
      const a = vs[i];
      const b = vs[(i + 1) % n];
      // projection q = c − s·nrm lies on the arc iff (a × q)·nrm ≥ 0 and (q × b)·nrm ≥ 0
      const qx = c[0] - s * nrm[0];
      const qy = c[1] - s * nrm[1];
      const qz = c[2] - s * nrm[2];
      const aq = (a[1] * qz - a[2] * qy) * nrm[0] + (a[2] * qx - a[0] * qz) * nrm[1] + (a[0] * qy - a[1] * qx) * nrm[2];
      const qb = (qy * b[2] - qz * b[1]) * nrm[0] + (qz * b[0] - qx * b[2]) * nrm[1] + (qx * b[1] - qy * b[0]) * nrm[2];
      if (aq >= 0 && qb >= 0) return 1;
      if (chordSq(c, a) <= chord2 || chordSq(c, b) <= chord2) return 1;
    }
    return this.contains(c) ? 2 : 0;
  }
}

function chordSq(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = a[0] - b[0];
  const y = a[1] - b[1];
  const z = a[2] - b[2];
  return x * x + y * y + z * z;
}

function cross(a: ArrayLike<number>, b: ArrayLike<number>): V3 {
  return Float64Array.of(a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]);
}

/** a × b computed as ½(a + b) × (b − a): the same vector, accurate when a ≈ b. */
function edgeNormal(a: V3, b: V3): V3 {
  const s = Float64Array.of((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2);
  const d = Float64Array.of(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
  return cross(s, d);
}

function normalize(v: V3): V3 {
  const m = Math.hypot(v[0], v[1], v[2]);
  v[0] /= m;
  v[1] /= m;
  v[2] /= m;
  return v;
}

// ---------------------------------------------------------------------------------------------
// descent

/** Receives the selected cells in increasing NESTED order, each at its own depth ≤ order. */
type CellSink = (depth: number, face: number, ix: number, iy: number) => void;

function descend(order: number, region: Region, inclusive: boolean, sink: CellSink): void {
  const v = new Float64Array(3);
  const maxRefine = Math.min(MAX_ORDER_BIG, order + REFINE_LEVELS);

  // Whether cell (d, face, ix, iy), known to be partial, truly overlaps the region.
  const overlaps = (d: number, face: number, ix: number, iy: number): boolean => {
    const n = 2 ** d;
    faceLocalToVec(face, (ix + 0.5) / n, (iy + 0.5) / n, v);
    if (region.contains(v)) return true;
    if (d >= maxRefine) return true; // undecided at the deepest level: keep (conservative)
    const n2 = 2 * n;
    const r = RADIUS0 / n2;
    for (let k = 0; k < 4; k++) {
      const cx = 2 * ix + (k & 1);
      const cy = 2 * iy + (k >> 1);
      faceLocalToVec(face, (cx + 0.5) / n2, (cy + 0.5) / n2, v);
      const cls = region.classify(v, r);
      if (cls === 2) return true;
      if (cls === 1 && overlaps(d + 1, face, cx, cy)) return true;
    }
    return false;
  };

  const visit = (d: number, face: number, ix: number, iy: number): void => {
    const n = 2 ** d;
    faceLocalToVec(face, (ix + 0.5) / n, (iy + 0.5) / n, v);
    const cls = region.classify(v, RADIUS0 / n);
    if (cls === 0) return;
    if (cls === 2) {
      sink(d, face, ix, iy);
      return;
    }
    if (d === order) {
      if (inclusive ? overlaps(d, face, ix, iy) : region.contains(v)) sink(d, face, ix, iy);
      return;
    }
    for (let k = 0; k < 4; k++) visit(d + 1, face, 2 * ix + (k & 1), 2 * iy + (k >> 1));
  };

  for (let face = 0; face < 12; face++) visit(0, face, 0, 0);
}

function rangesNumber(order: number, region: Region, inclusive: boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  descend(order, region, inclusive, (d, face, ix, iy) => {
    const scale = 4 ** (order - d);
    const start = xyf2nestNum(d, face, ix, iy) * scale;
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === start) last[1] = start + scale;
    else out.push([start, start + scale]);
  });
  return out;
}

function rangesBig(order: number, region: Region, inclusive: boolean): Array<[bigint, bigint]> {
  const out: Array<[bigint, bigint]> = [];
  descend(order, region, inclusive, (d, face, ix, iy) => {
    const shift = BigInt(2 * (order - d));
    const start = xyf2nestBigU(d, face, ix, iy) << shift;
    const end = start + (1n << shift);
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === start) last[1] = end;
    else out.push([start, end]);
  });
  return out;
}

function inclusiveOf(options: QueryOptions | undefined): boolean {
  if (options === undefined || options === null) return false;
  const inc = options.inclusive;
  if (inc !== undefined && typeof inc !== 'boolean') {
    throw new RangeError(`options.inclusive must be a boolean, got ${String(inc)}`);
  }
  return inc === true;
}

function discRegion(what: string, lonDeg: number, latDeg: number, radiusDeg: number): DiscRegion {
  checkLonLat(what, lonDeg, latDeg);
  if (typeof radiusDeg !== 'number' || !Number.isFinite(radiusDeg) || radiusDeg < 0 || radiusDeg > 180) {
    throw new RangeError(`${what} needs radiusDeg in [0, 180], got ${String(radiusDeg)}`);
  }
  return new DiscRegion(lonDeg, latDeg, radiusDeg * DEG);
}

/**
 * Cells of `order` (0..24) in the cone of `radiusDeg` (0..180) around (lonDeg, latDeg), as
 * sorted NESTED ranges [start, end).
 */
export function queryDisc(
  order: number,
  lonDeg: number,
  latDeg: number,
  radiusDeg: number,
  options?: QueryOptions,
): Array<[number, number]> {
  checkOrderMax(order, MAX_ORDER_NUMBER);
  const region = discRegion('queryDisc', lonDeg, latDeg, radiusDeg);
  return rangesNumber(order, region, inclusiveOf(options));
}

/** queryDisc for orders 0..29 with bigint ranges. */
export function queryDiscBig(
  order: number,
  lonDeg: number,
  latDeg: number,
  radiusDeg: number,
  options?: QueryOptions,
): Array<[bigint, bigint]> {
  checkOrderMax(order, MAX_ORDER_BIG);
  const region = discRegion('queryDiscBig', lonDeg, latDeg, radiusDeg);
  return rangesBig(order, region, inclusiveOf(options));
}

/**
 * Cells of `order` (0..24) in the simple spherical polygon with vertices [lonDeg, latDeg]
 * (convex or not, either winding; edges are great-circle arcs; interior = the smaller region),
 * as sorted NESTED ranges [start, end).
 */
export function queryPolygon(
  order: number,
  verticesDeg: ReadonlyArray<readonly [number, number]>,
  options?: QueryOptions,
): Array<[number, number]> {
  checkOrderMax(order, MAX_ORDER_NUMBER);
  return rangesNumber(order, new SphericalPolygon(verticesDeg), inclusiveOf(options));
}

/** queryPolygon for orders 0..29 with bigint ranges. */
export function queryPolygonBig(
  order: number,
  verticesDeg: ReadonlyArray<readonly [number, number]>,
  options?: QueryOptions,
): Array<[bigint, bigint]> {
  checkOrderMax(order, MAX_ORDER_BIG);
  return rangesBig(order, new SphericalPolygon(verticesDeg), inclusiveOf(options));
}

/** Any region that classifies caps rigorously (0 outside, 2 inside, 1 unknown) and decides points. */
export type HealpixRegion = Region;

/** Cells of `order` (0..29) of any HealpixRegion (e.g. a boolean STC-S region), bigint ranges. */
export function queryRegionBig(order: number, region: HealpixRegion, options?: QueryOptions): Array<[bigint, bigint]> {
  checkOrderMax(order, MAX_ORDER_BIG);
  return rangesBig(order, region, inclusiveOf(options));
}

/** Whether (lonDeg, latDeg) lies inside the polygon (same rules as queryPolygon). */
export function polygonContains(
  verticesDeg: ReadonlyArray<readonly [number, number]>,
  lonDeg: number,
  latDeg: number,
): boolean {
  checkLonLat('polygonContains', lonDeg, latDeg);
  return new SphericalPolygon(verticesDeg).contains(unitFromLonLat(lonDeg, latDeg));
}
