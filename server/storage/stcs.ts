/**
 * STC-S footprints (ObsCore s_region) -> sphere regions, and the tests the observation search
 * needs: does a footprint intersect a cone, how far does it reach from its centre.
 *
 * Parsing is src/footprints/stcs.ts (the one STC-S parser; GALACTIC frames arrive as ICRS).
 * Position, Circle, Polygon, Box and Union ( … ) of them are kept as flat shapes (the fast path);
 * a member holding an INTERSECTION, a NOT or a self-crossing polygon becomes one 'boolean' shape,
 * decided exactly on its tree by stcsBoolean.ts. Every region the parser accepts is searched exactly.
 */
import { SphericalPolygon } from '../../src/hips/healpixQuery.js';
import { parseStcs as parseSkyRegion, StcsError, type SkyRegion } from '../../src/footprints/stcs.js';
import { boolNodeOf, boundingCap, needsBoolean, nodeContains, nodeDirectionSum, nodeReach, nodesIntersect, type BoolNode } from './stcsBoolean.js';

type V3 = Float64Array;
const DEG = Math.PI / 180;

export type Shape =
  | { kind: 'point'; v: V3; lon: number; lat: number }
  | { kind: 'circle'; v: V3; lon: number; lat: number; r: number }
  | { kind: 'polygon'; verts: V3[]; lonlat: Array<[number, number]>; poly?: SphericalPolygon }
  | { kind: 'boolean'; node: BoolNode };

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

/**
 * Parses an STC-S region with the project's parser (src/footprints/stcs.ts); undefined when empty
 * or malformed (callers fall back to the s_ra/s_dec/s_fov circle).
 */
export function parseStcs(text: string | null | undefined): Region | undefined {
  if (text === null || text === undefined || text.trim() === '') return undefined;
  let region: SkyRegion;
  try {
    region = parseSkyRegion(text);
  } catch (e) {
    if (e instanceof StcsError) return undefined;
    throw e;
  }
  const out: Shape[] = [];
  const flatten = (r: SkyRegion): boolean => {
    if (r.type === 'intersection' || r.type === 'not') {
      out.push({ kind: 'boolean', node: boolNodeOf(r) });
      return true;
    }
    switch (r.type) {
      case 'position':
        out.push({ kind: 'point', v: unit(r.raDeg, r.decDeg), lon: r.raDeg, lat: r.decDeg });
        return true;
      case 'circle':
        out.push({ kind: 'circle', v: unit(r.raDeg, r.decDeg), lon: r.raDeg, lat: r.decDeg, r: r.radiusDeg * DEG });
        return true;
      case 'polygon': {
        const shape = polygonShape(r.vertices.map(([l, b]) => [l, b] as [number, number]));
        // a self-crossing polygon: exact through the boolean engine (degenerate ones stay caps)
        const node = shape.kind === 'polygon' && shape.poly === undefined ? boolNodeOf(r) : undefined;
        out.push(node !== undefined && needsBoolean(node) ? { kind: 'boolean', node } : shape);
        return true;
      }
      case 'union':
        return r.members.every(flatten);
      default:
        return false;
    }
  };
  return flatten(region) && out.length > 0 ? out : undefined;
}

/** Is the point (unit vector) inside the region? Exact for every shape. */
export function regionContains(region: Region, p: V3): boolean {
  for (const s of region) {
    if (s.kind === 'point') {
      if (angle(s.v, p) === 0) return true;
    } else if (s.kind === 'circle') {
      if (angle(s.v, p) <= s.r) return true;
    } else if (s.kind === 'boolean') {
      if (nodeContains(s.node, p)) return true;
    } else if (s.poly !== undefined) {
      if (s.poly.contains(p)) return true;
    } else {
      const cap = capOf(s.verts);
      if (angle(cap.c, p) <= cap.r) return true;
    }
  }
  return false;
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
    } else if (s.kind === 'boolean') {
      const cone: BoolNode = radius > 0 ? { t: 'cap', v: c, r: radius } : { t: 'point', v: c };
      if (nodesIntersect(s.node, cone)) return true;
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
    else if (s.kind === 'boolean') r = Math.max(r, nodeReach(s.node, centre));
    else if (s.poly === undefined) {
      const cap = capOf(s.verts);
      r = Math.max(r, angle(centre, cap.c) + cap.r);
    } else {
      // a polygon holding the antipode reaches it; else its farthest point is on an edge, and
      // every point of an edge is within half the edge's length of one of its ends
      if (s.poly.contains(Float64Array.of(-centre[0], -centre[1], -centre[2]))) return 180;
      const vs = s.verts;
      for (let k = 0; k < vs.length; k++) {
        const a = vs[k]!;
        const b = vs[(k + 1) % vs.length]!;
        r = Math.max(r, Math.max(angle(centre, a), angle(centre, b)) + angle(a, b) / 2);
      }
    }
  }
  return Math.min(180, r / DEG);
}

/** Mean direction of the region (used when s_ra/s_dec are missing). */
export function centreOf(region: Region): { ra: number; dec: number } {
  const c = new Float64Array(3);
  for (const s of region) {
    if (s.kind === 'boolean') {
      // the centre of its bounding cap (an intersection: its smallest member's), else its leaves'
      const cap = boundingCap(s.node);
      if (cap !== undefined) for (let k = 0; k < 3; k++) c[k]! += cap.c[k]!;
      else nodeDirectionSum(s.node, c);
      continue;
    }
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
