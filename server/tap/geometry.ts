/**
 * ADQL geometry with constant shapes: evaluating POINT / CIRCLE / POLYGON / BOX arguments,
 * the coarse HEALPix pre-selection of a CONTAINS / INTERSECTS predicate (order-29 ranges of the
 * table's hpx29 index, from storage/spatial.ts) and the exact per-row test (spatial.ts cones and
 * polygons, stcs.ts footprints; INTERSECTION / NOT footprints through stcsBoolean.ts). Pure functions; errors are AdqlError naming the problem.
 */
import { SphericalPolygon } from '../../src/hips/healpixQuery.js';
import { NPIX29, discRanges29, inCone, inPolygon, polygonBounds, polygonRanges29, type Range } from '../storage/spatial.js';
import { angle, arcDistance, intersectsCone, unit, type Region } from '../storage/stcs.js';
import { nodesIntersect, polygonNode, type BoolNode } from '../storage/stcsBoolean.js';
import { AdqlError } from './lexer.js';

export type ConstShape =
  | { kind: 'point'; raDeg: number; decDeg: number }
  | { kind: 'circle'; raDeg: number; decDeg: number; radiusDeg: number }
  | { kind: 'polygon'; verticesDeg: Array<[number, number]> };

function checkLat(what: string, decDeg: number): void {
  if (!(decDeg >= -90 && decDeg <= 90)) throw new AdqlError(`${what}: latitude ${decDeg} is outside [-90, 90] degrees`);
}

export function makePoint(raDeg: number, decDeg: number): ConstShape {
  checkLat('POINT', decDeg);
  return { kind: 'point', raDeg, decDeg };
}

export function makeCircle(raDeg: number, decDeg: number, radiusDeg: number): ConstShape {
  checkLat('CIRCLE', decDeg);
  if (!(radiusDeg >= 0 && radiusDeg <= 180)) throw new AdqlError(`CIRCLE: radius ${radiusDeg} is outside [0, 180] degrees`);
  return { kind: 'circle', raDeg, decDeg, radiusDeg };
}

export function makePolygon(verticesDeg: Array<[number, number]>): ConstShape {
  for (const [, dec] of verticesDeg) checkLat('POLYGON', dec);
  try {
    new SphericalPolygon(verticesDeg);
  } catch (err) {
    throw new AdqlError(`POLYGON: ${(err as Error).message}`);
  }
  return { kind: 'polygon', verticesDeg };
}

/** BOX(ra, dec, width, height): the polygon STC-S Box also makes (full width/height, local axes). */
export function makeBox(raDeg: number, decDeg: number, widthDeg: number, heightDeg: number): ConstShape {
  checkLat('BOX', decDeg);
  if (!(widthDeg > 0 && heightDeg > 0 && widthDeg < 180 && heightDeg < 180)) {
    throw new AdqlError(`BOX: width and height must be in (0, 180) degrees, got ${widthDeg} and ${heightDeg}`);
  }
  const c = Math.max(1e-12, Math.cos((decDeg * Math.PI) / 180));
  const hw = widthDeg / 2 / c;
  const lo = Math.max(-90, decDeg - heightDeg / 2);
  const hi = Math.min(90, decDeg + heightDeg / 2);
  return makePolygon([
    [raDeg - hw, lo],
    [raDeg + hw, lo],
    [raDeg + hw, hi],
    [raDeg - hw, hi],
  ]);
}

/** Bounding cap of a shape: centre and radius in degrees. */
export function boundsOf(s: ConstShape): { raDeg: number; decDeg: number; radiusDeg: number } {
  if (s.kind === 'point') return { raDeg: s.raDeg, decDeg: s.decDeg, radiusDeg: 0 };
  if (s.kind === 'circle') return { raDeg: s.raDeg, decDeg: s.decDeg, radiusDeg: s.radiusDeg };
  const b = polygonBounds(s.verticesDeg);
  return { raDeg: b.ra, decDeg: b.dec, radiusDeg: b.radius };
}

/** Order-29 ranges holding every point inside the shape. */
export function pointRanges(s: ConstShape): Range[] {
  if (s.kind === 'circle') return discRanges29(s.raDeg, s.decDeg, s.radiusDeg);
  if (s.kind === 'polygon') return polygonRanges29(s.verticesDeg);
  return discRanges29(s.raDeg, s.decDeg, 0);
}

/** Order-29 ranges holding the centre of every footprint (reaching at most extentDeg) that meets the shape. */
export function regionRanges(s: ConstShape, extentDeg: number): Range[] {
  const b = boundsOf(s);
  const r = b.radiusDeg + extentDeg + 1e-9;
  return r >= 180 ? [[0n, NPIX29]] : discRanges29(b.raDeg, b.decDeg, r);
}

/** Exact test of a position against the shape (CONTAINS(POINT, shape)). */
export function pointTest(s: ConstShape): (raDeg: number, decDeg: number) => boolean {
  if (s.kind === 'circle') return inCone(s.raDeg, s.decDeg, s.radiusDeg);
  if (s.kind === 'polygon') return inPolygon(s.verticesDeg);
  throw new AdqlError('CONTAINS needs a CIRCLE, POLYGON or BOX as its second argument, not a POINT');
}

type V3 = Float64Array;

function cross(a: V3, b: V3): V3 {
  return Float64Array.of(a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]);
}

function dot(a: V3, b: V3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** Do the minor great-circle arcs a→b and c→d cross? */
export function arcsCross(a: V3, b: V3, c: V3, d: V3): boolean {
  const n1 = cross(a, b);
  const n2 = cross(c, d);
  const p = cross(n1, n2);
  const m = Math.hypot(p[0], p[1], p[2]);
  if (m < 1e-15) return false; // same great circle: ends inside the other polygon are found by the vertex tests
  for (const sgn of [1, -1]) {
    const q = Float64Array.of((sgn * p[0]) / m, (sgn * p[1]) / m, (sgn * p[2]) / m);
    const onAB = dot(cross(a, q), n1) >= 0 && dot(cross(q, b), n1) >= 0;
    const onCD = dot(cross(c, q), n2) >= 0 && dot(cross(q, d), n2) >= 0;
    if (onAB && onCD) return true;
  }
  return false;
}

/** Does a footprint meet a polygon (any overlap, touching included)? */
export function regionIntersectsPolygon(region: Region, verticesDeg: Array<[number, number]>): boolean {
  const poly = new SphericalPolygon(verticesDeg);
  const pv = verticesDeg.map(([l, b]) => unit(l, b));
  const edges = pv.map((v, k) => [v, pv[(k + 1) % pv.length]!] as const);
  let polyNode: BoolNode | undefined;
  for (const s of region) {
    if (s.kind === 'point') {
      if (poly.contains(s.v)) return true;
      continue;
    }
    if (s.kind === 'boolean') {
      polyNode ??= polygonNode(verticesDeg);
      if (nodesIntersect(s.node, polyNode)) return true;
      continue;
    }
    if (s.kind === 'circle' || s.poly === undefined) {
      // a circle, or a degenerate polygon taken as the cap around its vertices
      let c = s.kind === 'circle' ? s.v : unit(0, 0);
      let r = s.kind === 'circle' ? s.r : 0;
      if (s.kind === 'polygon') {
        const m = new Float64Array(3);
        for (const v of s.verts) for (let k = 0; k < 3; k++) m[k]! += v[k]!;
        const len = Math.hypot(m[0], m[1], m[2]) || 1;
        c = Float64Array.of(m[0] / len, m[1] / len, m[2] / len);
        for (const v of s.verts) r = Math.max(r, angle(c, v));
      }
      if (poly.contains(c)) return true;
      if (edges.some(([a, b]) => arcDistance(c, a, b) <= r)) return true;
      continue;
    }
    const sp = s.poly;
    if (s.verts.some((v) => poly.contains(v))) return true;
    if (pv.some((v) => sp.contains(v))) return true;
    const sv = s.verts;
    for (let k = 0; k < sv.length; k++) {
      const a = sv[k]!;
      const b = sv[(k + 1) % sv.length]!;
      if (edges.some(([c, d]) => arcsCross(a, b, c, d))) return true;
    }
  }
  return false;
}

/** Exact test of a footprint against the shape (INTERSECTS(s_region, shape)). */
export function regionTest(s: ConstShape): (region: Region) => boolean {
  if (s.kind === 'polygon') return (region) => regionIntersectsPolygon(region, s.verticesDeg);
  const c = unit(s.raDeg, s.decDeg);
  const r = s.kind === 'circle' ? (s.radiusDeg * Math.PI) / 180 : 0;
  return (region) => intersectsCone(region, c, r);
}
