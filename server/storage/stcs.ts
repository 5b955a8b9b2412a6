/**
 * STC-S footprints (ObsCore s_region) -> sphere regions, and the tests the observation search
 * needs: does a footprint intersect a cone, how far does it reach from its centre.
 *
 * Accepted: Position, Circle, Polygon, Box and Union ( … ) of them, with optional frame
 * (ICRS, FK5, J2000, …), reference position and flavor words, case-insensitive; coordinates in
 * degrees. Anything else (Intersection, Not, GALACTIC frames) is `undefined`: callers fall back
 * to the s_ra/s_dec/s_fov circle.
 */
import { SphericalPolygon } from '../../src/hips/healpixQuery.js';

type V3 = Float64Array;
const DEG = Math.PI / 180;

export type Shape =
  | { kind: 'point'; v: V3; lon: number; lat: number }
  | { kind: 'circle'; v: V3; lon: number; lat: number; r: number }
  | { kind: 'polygon'; verts: V3[]; lonlat: Array<[number, number]>; poly?: SphericalPolygon };

/** A union of shapes. */
export type Region = Shape[];

export function unit(lonDeg: number, latDeg: number): V3 {
  const c = Math.cos(latDeg * DEG);
  return Float64Array.of(c * Math.cos(lonDeg * DEG), c * Math.sin(lonDeg * DEG), Math.sin(latDeg * DEG));
}

function dot(a: V3, b: V3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function cross(a: V3, b: V3): V3 {
  return Float64Array.of(a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]);
}

/** Angle between unit vectors (radians), accurate at all sizes. */
export function angle(a: V3, b: V3): number {
  const c = cross(a, b);
  return Math.atan2(Math.hypot(c[0], c[1], c[2]), dot(a, b));
}

const SKIP_WORDS = new Set([
  'ICRS', 'FK5', 'FK4', 'J2000', 'B1950', 'UNKNOWNFRAME', 'BARYCENTER', 'GEOCENTER', 'HELIOCENTER', 'TOPOCENTER',
  'LSR', 'LSRK', 'LSRD', 'UNKNOWNREFPOS', 'SPHERICAL2', 'SPHER2', 'UNIT', 'DEG',
]);
const SHAPES = new Set(['POSITION', 'CIRCLE', 'POLYGON', 'BOX', 'UNION']);

/** Parses an STC-S region; undefined when empty or not understood. */
export function parseStcs(text: string | null | undefined): Region | undefined {
  if (text === null || text === undefined) return undefined;
  const tokens = text.replace(/[()]/g, ' $& ').trim().split(/\s+/).filter((t) => t !== '');
  if (tokens.length === 0) return undefined;
  let i = 0;
  const out: Shape[] = [];

  const numbers = (): number[] => {
    const nums: number[] = [];
    while (i < tokens.length) {
      const t = tokens[i]!;
      const up = t.toUpperCase();
      if (SKIP_WORDS.has(up)) {
        i++;
        continue;
      }
      if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) break;
      nums.push(Number(t));
      i++;
    }
    return nums;
  };

  const shape = (): boolean => {
    const word = tokens[i]?.toUpperCase();
    if (word === undefined || !SHAPES.has(word)) return false;
    i++;
    if (word === 'UNION') {
      if (tokens[i] === undefined) return false;
      // frame words may stand before the parenthesis
      while (i < tokens.length && tokens[i] !== '(' && SKIP_WORDS.has(tokens[i]!.toUpperCase())) i++;
      if (tokens[i] !== '(') return false;
      i++;
      let n = 0;
      while (i < tokens.length && tokens[i] !== ')') {
        if (!shape()) return false;
        n++;
      }
      if (tokens[i] !== ')' || n === 0) return false;
      i++;
      return true;
    }
    const nums = numbers();
    const okLat = (lat: number) => lat >= -90 && lat <= 90;
    if (word === 'POSITION') {
      if (nums.length !== 2 || !okLat(nums[1]!)) return false;
      out.push({ kind: 'point', v: unit(nums[0]!, nums[1]!), lon: nums[0]!, lat: nums[1]! });
      return true;
    }
    if (word === 'CIRCLE') {
      if (nums.length !== 3 || !okLat(nums[1]!) || !(nums[2]! >= 0)) return false;
      out.push({ kind: 'circle', v: unit(nums[0]!, nums[1]!), lon: nums[0]!, lat: nums[1]!, r: nums[2]! * DEG });
      return true;
    }
    if (word === 'BOX') {
      // centre, full width and height (along the local east/north axes)
      if (nums.length !== 4 || !okLat(nums[1]!)) return false;
      const [lon, lat, w, h] = nums as [number, number, number, number];
      const hw = w / 2;
      const hh = h / 2;
      const c = Math.max(1e-12, Math.cos(lat * DEG));
      const lonlat: Array<[number, number]> = [
        [lon - hw / c, Math.max(-90, lat - hh)],
        [lon + hw / c, Math.max(-90, lat - hh)],
        [lon + hw / c, Math.min(90, lat + hh)],
        [lon - hw / c, Math.min(90, lat + hh)],
      ];
      out.push(polygonShape(lonlat));
      return true;
    }
    // POLYGON
    if (nums.length < 6 || nums.length % 2 !== 0) return false;
    const lonlat: Array<[number, number]> = [];
    for (let k = 0; k < nums.length; k += 2) {
      if (!okLat(nums[k + 1]!)) return false;
      lonlat.push([nums[k]!, nums[k + 1]!]);
    }
    out.push(polygonShape(lonlat));
    return true;
  };

  while (i < tokens.length) {
    if (!shape()) return undefined;
  }
  return out.length > 0 ? out : undefined;
}

function polygonShape(lonlat: Array<[number, number]>): Shape {
  let poly: SphericalPolygon | undefined;
  try {
    poly = new SphericalPolygon(lonlat);
  } catch {
    poly = undefined; // degenerate or self-crossing: treated as the cap around its vertices
  }
  return { kind: 'polygon', verts: lonlat.map(([l, b]) => unit(l, b)), lonlat, poly };
}

/** Smallest angle (radians) from p to the minor arc a→b. */
export function arcDistance(p: V3, a: V3, b: V3): number {
  const n = cross(a, b);
  const m = Math.hypot(n[0], n[1], n[2]);
  if (m < 1e-15) return Math.min(angle(p, a), angle(p, b));
  n[0] /= m;
  n[1] /= m;
  n[2] /= m;
  const s = dot(p, n);
  // projection of p on the great circle; inside the arc when it lies between a and b
  const q = Float64Array.of(p[0] - s * n[0], p[1] - s * n[1], p[2] - s * n[2]);
  if (dot(cross(a, q), n) >= 0 && dot(cross(q, b), n) >= 0 && Math.hypot(q[0], q[1], q[2]) > 1e-15) {
    return Math.asin(Math.min(1, Math.abs(s)));
  }
  return Math.min(angle(p, a), angle(p, b));
}

/** Centre (vertex mean) and radius (rad) of the cap around a polygon's vertices. */
function capOf(verts: V3[]): { c: V3; r: number } {
  const c = new Float64Array(3);
  for (const v of verts) {
    c[0] += v[0];
    c[1] += v[1];
    c[2] += v[2];
  }
  const m = Math.hypot(c[0], c[1], c[2]) || 1;
  c[0] /= m;
  c[1] /= m;
  c[2] /= m;
  let r = 0;
  for (const v of verts) r = Math.max(r, angle(c, v));
  return { c, r };
}

/** Does the region intersect the cone (centre unit vector c, radius rad)? */
export function intersectsCone(region: Region, c: V3, radius: number): boolean {
  for (const s of region) {
    if (s.kind === 'point') {
      if (angle(s.v, c) <= radius) return true;
    } else if (s.kind === 'circle') {
      if (angle(s.v, c) <= radius + s.r) return true;
    } else if (s.poly === undefined) {
      const cap = capOf(s.verts);
      if (angle(cap.c, c) <= radius + cap.r) return true;
    } else {
      if (s.poly.contains(c)) return true;
      const vs = s.verts;
      for (let k = 0; k < vs.length; k++) {
        if (arcDistance(c, vs[k]!, vs[(k + 1) % vs.length]!) <= radius) return true;
      }
    }
  }
  return false;
}

/** Largest angle (degrees) from the unit vector `centre` to any point of the region. */
export function extentFrom(region: Region, centre: V3): number {
  let r = 0;
  for (const s of region) {
    if (s.kind === 'point') r = Math.max(r, angle(centre, s.v));
    else if (s.kind === 'circle') r = Math.max(r, angle(centre, s.v) + s.r);
    else if (s.poly === undefined) {
      const cap = capOf(s.verts);
      r = Math.max(r, angle(centre, cap.c) + cap.r);
    } else {
      // every point of an edge is within half the edge's length of one of its ends
      const vs = s.verts;
      for (let k = 0; k < vs.length; k++) {
        const a = vs[k]!;
        const b = vs[(k + 1) % vs.length]!;
        r = Math.max(r, Math.max(angle(centre, a), angle(centre, b)) + angle(a, b) / 2);
      }
    }
  }
  return r / DEG;
}

/** Mean direction of the region (used when s_ra/s_dec are missing). */
export function centreOf(region: Region): { ra: number; dec: number } {
  const c = new Float64Array(3);
  for (const s of region) {
    const vs = s.kind === 'polygon' ? s.verts : [s.v];
    for (const v of vs) {
      c[0] += v[0];
      c[1] += v[1];
      c[2] += v[2];
    }
  }
  const m = Math.hypot(c[0], c[1], c[2]) || 1;
  const ra = ((Math.atan2(c[1], c[0]) / DEG) % 360 + 360) % 360;
  return { ra, dec: Math.asin(Math.max(-1, Math.min(1, c[2] / m))) / DEG };
}
