/**
 * Spatial index maths: regions -> sorted, merged ranges of HEALPix NESTED indices at order 29
 * (the `hpx29` column), then exact refinement in TypeScript.
 *
 * Cones: the decomposition order k is chosen from the radius (cells about radius/8 across);
 * every cell of order k that touches the cone has its centre within radius + cellRadius(k) of
 * the cone's centre, so the cells whose *centres* lie in that enlarged cone (the cheap
 * non-inclusive query) are a superset of the cells the cone touches. Polygons use the inclusive
 * query of healpixQuery.ts (every overlapping cell). The ranges are shifted to order 29 and, when
 * there are more than MAX_RANGES, the smallest gaps between them are closed (a superset again).
 * The database returns the rows whose hpx29 falls in the ranges; refinement keeps those truly
 * inside (angular distance <= radius; point in polygon), so the answer is exact.
 */
import { ang2pixBig } from '../../src/hips/healpixBig.js';
import { angularDistanceDeg, cellRadiusDeg } from '../../src/hips/healpix.js';
import { SphericalPolygon, queryDiscBig, queryPolygonBig } from '../../src/hips/healpixQuery.js';
import type { SqlValue } from './db.js';

export type Range = [bigint, bigint];

/** Most ranges in one query (the smallest gaps are merged beyond it). */
export const MAX_RANGES = 48;
/** One past the last order-29 index: 12·4^29. */
export const NPIX29 = 12n << 58n;
const DEG = Math.PI / 180;

/** Order-29 index of (ra, dec) in degrees (ra any finite value, dec in [-90, 90]). */
export function hpx29(raDeg: number, decDeg: number): bigint {
  return ang2pixBig(29, raDeg, decDeg);
}

/** Order at which cells are about `sizeDeg / 8` in radius (0..24; order 24 cells are ~0.02″). */
export function orderForSize(sizeDeg: number): number {
  if (!(sizeDeg > 0)) return 24;
  const k = Math.floor(Math.log2((8 * cellRadiusDeg(0)) / sizeDeg));
  return Math.max(0, Math.min(24, k));
}

/** Ranges at order `order` -> order 29. */
export function toOrder29(ranges: readonly Range[], order: number): Range[] {
  const shift = BigInt(2 * (29 - order));
  return ranges.map(([a, b]) => [a << shift, b << shift]);
}

/**
 * Sorts, merges touching ranges, then closes the smallest gaps until at most `max` remain.
 * The result covers every input range.
 */
export function capRanges(ranges: readonly Range[], max = MAX_RANGES): Range[] {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: Range[] = [];
  for (const [a, b] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && a <= last[1]) {
      if (b > last[1]) last[1] = b;
    } else merged.push([a, b]);
  }
  if (merged.length <= max) return merged;
  // close the (merged.length - max) smallest gaps
  const gaps = merged.slice(1).map((r, i) => ({ i, size: r[0] - merged[i]![1] }));
  gaps.sort((x, y) => (x.size < y.size ? -1 : x.size > y.size ? 1 : x.i - y.i));
  const close = new Set(gaps.slice(0, merged.length - max).map((g) => g.i));
  const out: Range[] = [];
  let cur: Range = [merged[0]![0], merged[0]![1]];
  for (let i = 0; i < merged.length - 1; i++) {
    if (close.has(i)) cur[1] = merged[i + 1]![1];
    else {
      out.push(cur);
      cur = [merged[i + 1]![0], merged[i + 1]![1]];
    }
  }
  out.push(cur);
  return out;
}

/** Order-29 ranges that hold every point within `radiusDeg` of (ra, dec). */
export function discRanges29(raDeg: number, decDeg: number, radiusDeg: number, max = MAX_RANGES): Range[] {
  const order = orderForSize(radiusDeg);
  // cellRadiusDeg is already an upper bound (with margin); 1e-9° more covers rounding of ang2pix
  const r = radiusDeg + cellRadiusDeg(order) + 1e-9;
  if (r >= 180) return [[0n, NPIX29]];
  return capRanges(toOrder29(queryDiscBig(order, raDeg, decDeg, r), order), max);
}

/** Centre (unit-vector mean) and bounding radius of a polygon's vertices, in degrees. */
export function polygonBounds(vertices: ReadonlyArray<readonly [number, number]>): {
  ra: number;
  dec: number;
  radius: number;
} {
  let x = 0;
  let y = 0;
  let z = 0;
  for (const [ra, dec] of vertices) {
    const c = Math.cos(dec * DEG);
    x += c * Math.cos(ra * DEG);
    y += c * Math.sin(ra * DEG);
    z += Math.sin(dec * DEG);
  }
  const m = Math.hypot(x, y, z);
  if (m < 1e-9) return { ra: 0, dec: 0, radius: 180 };
  const ra = ((Math.atan2(y, x) / DEG) % 360 + 360) % 360;
  const dec = Math.asin(Math.max(-1, Math.min(1, z / m))) / DEG;
  let radius = 0;
  for (const [vra, vdec] of vertices) radius = Math.max(radius, angularDistanceDeg(ra, dec, vra, vdec));
  return { ra, dec, radius };
}

/** Order-29 ranges that hold every point inside the polygon (built by `new SphericalPolygon`). */
export function polygonRanges29(vertices: ReadonlyArray<readonly [number, number]>, max = MAX_RANGES): Range[] {
  const { radius } = polygonBounds(vertices);
  const order = orderForSize(radius);
  return capRanges(toOrder29(queryPolygonBig(order, vertices, { inclusive: true }), order), max);
}

/** Sky area covered by order-29 ranges, in square degrees. */
export function rangesAreaDeg2(ranges: readonly Range[]): number {
  let n = 0n;
  for (const [a, b] of ranges) n += b - a;
  return (Number(n) / Number(NPIX29)) * (4 * Math.PI) * (180 / Math.PI) ** 2;
}

/** Area of a cone of radius r degrees, in square degrees. */
export function coneAreaDeg2(radiusDeg: number): number {
  return 2 * Math.PI * (1 - Math.cos(Math.min(180, radiusDeg) * DEG)) * (180 / Math.PI) ** 2;
}

/**
 * `(hpx29 >= ? AND hpx29 < ?) OR …` and its parameters; `col` is the (trusted) column
 * expression. The whole sky is `1 = 1`.
 */
export function rangeClause(ranges: readonly Range[], col = 'hpx29'): { sql: string; params: SqlValue[] } {
  if (ranges.length === 1 && ranges[0]![0] === 0n && ranges[0]![1] >= NPIX29) return { sql: '1 = 1', params: [] };
  if (ranges.length === 0) return { sql: '1 = 0', params: [] };
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const [a, b] of ranges) {
    parts.push(`(${col} >= ? AND ${col} < ?)`);
    params.push(a, b);
  }
  return { sql: `(${parts.join(' OR ')})`, params };
}

/** Exact test: within radiusDeg of (ra0, dec0)? (the same formula the brute-force checks use) */
export function inCone(ra0: number, dec0: number, radiusDeg: number): (ra: number, dec: number) => boolean {
  return (ra, dec) => angularDistanceDeg(ra0, dec0, ra, dec) <= radiusDeg;
}

/** Exact test: inside the simple spherical polygon (interior = the smaller region)? */
export function inPolygon(vertices: ReadonlyArray<readonly [number, number]>): (ra: number, dec: number) => boolean {
  const poly = new SphericalPolygon(vertices);
  const v = new Float64Array(3);
  return (ra, dec) => {
    const c = Math.cos(dec * DEG);
    v[0] = c * Math.cos(ra * DEG);
    v[1] = c * Math.sin(ra * DEG);
    v[2] = Math.sin(dec * DEG);
    return poly.contains(v);
  };
}

export { angularDistanceDeg };
