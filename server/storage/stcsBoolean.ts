/**
 * Exact tests on STC-S regions that are not a plain union of simple shapes: INTERSECTION, NOT
 * (at any depth) and self-crossing polygons. The region stays a tree of leaves (caps, simple
 * polygons, positions) and every test is decided on that tree, never on an approximation:
 *
 *  - point in region: each leaf decides exactly (SphericalPolygon.contains of
 *    src/hips/healpixQuery.ts, the cap's angle), the tree combines (or / and / not). A
 *    self-crossing polygon, which SphericalPolygon refuses, is decided by the client's exact
 *    boolean engine (src/footprints/sphereRegion.ts regionFaces: even-odd per cube face) — the
 *    same fill the renderer draws.
 *  - region meets region (a cone, an ADQL polygon): the intersection of two closed regions is
 *    empty unless it holds one of finitely many candidate points: a polygon vertex, a point of
 *    each small circle, a crossing of two boundary curves (every edge's great circle and every
 *    cap's small circle, both solutions), or any point when it is the whole sky. Each candidate is
 *    tested against both regions' closures (signed distance >= -CLOSE_RAD). Only curves passing
 *    through the query's bounding cap take part in the crossings (others cannot meet in it).
 *  - HEALPix cells (coverage MOCs): a classify(cap) on the tree (leaf classifications combined,
 *    rigorous for "outside" and "inside"), run by src/hips/healpixQuery.ts queryRegionBig.
 *  - reach from a centre (the index's maxExtent): the farthest point of a region is on its
 *    boundary (a subset of its leaves' boundaries) or is the centre's antipode.
 * Pure functions on Float64Array unit vectors.
 */
import { SphericalPolygon, type HealpixRegion } from '../../src/hips/healpixQuery.js';
import { facesContain, regionFaces } from '../../src/footprints/sphereRegion.js';
import type { SkyRegion } from '../../src/footprints/stcs.js';

type V3 = Float64Array;
type Cls = 0 | 1 | 2;

/** Points this close (radians, ~2 µas) to a closed region count as in it (rounding of crossings). */
export const CLOSE_RAD = 1e-11;
/** Slack (radians) on the conservative side of cell classification. */
const SLACK = 1e-12;

export type BoolNode =
  | { readonly t: 'empty' }
  | { readonly t: 'point'; readonly v: V3 }
  | { readonly t: 'cap'; readonly v: V3; readonly r: number }
  | {
      readonly t: 'poly';
      readonly verts: readonly V3[];
      /** Simple polygons; undefined for a self-crossing one (decided by `faces`). */
      readonly poly: SphericalPolygon | undefined;
      readonly faces: ReturnType<typeof regionFaces> | undefined;
    }
  | { readonly t: 'or' | 'and'; readonly m: readonly BoolNode[] }
  | { readonly t: 'not'; readonly m: BoolNode };

const DEG = Math.PI / 180;

export function unitVec(lonDeg: number, latDeg: number): V3 {
  const c = Math.cos(latDeg * DEG);
  return Float64Array.of(c * Math.cos(lonDeg * DEG), c * Math.sin(lonDeg * DEG), Math.sin(latDeg * DEG));
}
function dot(a: V3, b: V3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
function cross(a: V3, b: V3): V3 {
  return Float64Array.of(a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]);
}
function angle(a: V3, b: V3): number {
  const c = cross(a, b);
  return Math.atan2(Math.hypot(c[0], c[1], c[2]), dot(a, b));
}
function normalize(a: V3): V3 | undefined {
  const m = Math.hypot(a[0], a[1], a[2]);
  return m < 1e-300 ? undefined : Float64Array.of(a[0] / m, a[1] / m, a[2] / m);
}

/** Smallest angle (radians) from p to the minor arc a→b. */
export function arcDist(p: V3, a: V3, b: V3): number {
  const n = normalize(cross(a, b));
  if (n === undefined) return Math.min(angle(p, a), angle(p, b));
  const s = dot(p, n);
  const q = Float64Array.of(p[0] - s * n[0], p[1] - s * n[1], p[2] - s * n[2]);
  if (Math.hypot(q[0], q[1], q[2]) > 1e-15 && dot(cross(a, q), n) >= 0 && dot(cross(q, b), n) >= 0) {
    return Math.asin(Math.min(1, Math.abs(s)));
  }
  return Math.min(angle(p, a), angle(p, b));
}

/** Distance from p to a polygon's boundary (radians). */
function edgeDist(verts: readonly V3[], p: V3): number {
  let d = Infinity;
  for (let k = 0; k < verts.length; k++) d = Math.min(d, arcDist(p, verts[k]!, verts[(k + 1) % verts.length]!));
  return d;
}

/** A polygon leaf from STC-S vertices: repeated vertices dropped; < 3 distinct is empty (no area). */
export function polygonNode(lonlat: ReadonlyArray<readonly [number, number]>): BoolNode {
  const verts: V3[] = [];
  const kept: Array<[number, number]> = [];
  for (const [l, b] of lonlat) {
    const v = unitVec(l, b);
    const last = verts[verts.length - 1];
    if (last === undefined || angle(last, v) > 1e-12) {
      verts.push(v);
      kept.push([l, b]);
    }
  }
  while (verts.length > 1 && angle(verts[0]!, verts[verts.length - 1]!) <= 1e-12) {
    verts.pop();
    kept.pop();
  }
  if (verts.length < 3) return { t: 'empty' };
  try {
    return { t: 'poly', verts, poly: new SphericalPolygon(kept), faces: undefined };
  } catch {
    // self-crossing (or with a 180° edge): the client's per-face even-odd fill decides
    const region: SkyRegion = { type: 'polygon', vertices: lonlat };
    try {
      return { t: 'poly', verts, poly: undefined, faces: regionFaces(region, 1e-3) };
    } catch {
      return { t: 'empty' }; // two halves of equal area: no inside is defined
    }
  }
}

/** SkyRegion (src/footprints/stcs.ts) -> tree. */
export function boolNodeOf(r: SkyRegion): BoolNode {
  switch (r.type) {
    case 'position':
      return { t: 'point', v: unitVec(r.raDeg, r.decDeg) };
    case 'circle':
      return { t: 'cap', v: unitVec(r.raDeg, r.decDeg), r: r.radiusDeg * DEG };
    case 'polygon':
      return polygonNode(r.vertices);
    case 'union':
      return { t: 'or', m: r.members.map(boolNodeOf) };
    case 'intersection':
      return { t: 'and', m: r.members.map(boolNodeOf) };
    case 'not':
      return { t: 'not', m: boolNodeOf(r.member) };
  }
}

/** Does the tree need this module (an INTERSECTION, a NOT or a self-crossing polygon in it)? */
export function needsBoolean(n: BoolNode): boolean {
  if (n.t === 'and' || n.t === 'not') return true;
  if (n.t === 'or') return n.m.some(needsBoolean);
  return n.t === 'poly' && n.poly === undefined;
}

/** Is p inside the region (exact; a position holds only itself)? */
export function nodeContains(n: BoolNode, p: V3): boolean {
  switch (n.t) {
    case 'empty':
      return false;
    case 'point':
      return angle(p, n.v) === 0;
    case 'cap':
      return angle(p, n.v) <= n.r;
    case 'poly':
      return n.poly !== undefined ? n.poly.contains(p) : facesContain(n.faces!, [p[0], p[1], p[2]]);
    case 'or':
      return n.m.some((m) => nodeContains(m, p));
    case 'and':
      return n.m.every((m) => nodeContains(m, p));
    case 'not':
      return !nodeContains(n.m, p);
  }
}

/**
 * Signed distance bound (radians): > 0 inside, < 0 outside, its magnitude the distance to the
 * boundary for leaves (max / min / negation for the operators keep the sign).
 */
export function signedDist(n: BoolNode, p: V3): number {
  switch (n.t) {
    case 'empty':
      return -Infinity;
    case 'point':
      return -angle(p, n.v);
    case 'cap':
      return n.r - angle(p, n.v);
    case 'poly': {
      const d = edgeDist(n.verts, p);
      return nodeContains(n, p) ? d : -d;
    }
    case 'or':
      return n.m.reduce((a, m) => Math.max(a, signedDist(m, p)), -Infinity);
    case 'and':
      return n.m.reduce((a, m) => Math.min(a, signedDist(m, p)), Infinity);
    case 'not':
      return -signedDist(n.m, p);
  }
}

/**
 * A boundary curve: the points p with dot(p, axis) = cosR (great circle: cosR = 0), and the piece
 * of it that bounds the leaf (an edge a→b, or the whole small circle: centre, radius).
 */
interface Curve {
  axis: V3;
  cosR: number;
  edge?: readonly [V3, V3];
  circle?: { v: V3; r: number };
}

/** Does the curve's bounding piece come within `r` radians of `c`? */
function curveNear(k: Curve, c: V3, r: number): boolean {
  if (k.edge !== undefined) return arcDist(c, k.edge[0], k.edge[1]) <= r;
  if (k.circle !== undefined) return Math.abs(angle(c, k.circle.v) - k.circle.r) <= r;
  return true;
}

function collect(n: BoolNode, curves: Curve[], points: V3[]): void {
  switch (n.t) {
    case 'empty':
      return;
    case 'point':
      points.push(n.v);
      return;
    case 'cap': {
      if (n.r <= 0 || n.r >= Math.PI) {
        points.push(n.v);
        return;
      }
      curves.push({ axis: n.v, cosR: Math.cos(n.r), circle: { v: n.v, r: n.r } });
      // one point of the circle (a component bounded by the whole circle holds it)
      const e = normalize(cross(n.v, Math.abs(n.v[2]) < 0.9 ? Float64Array.of(0, 0, 1) : Float64Array.of(1, 0, 0)))!;
      const c = Math.cos(n.r);
      const s = Math.sin(n.r);
      points.push(normalize(Float64Array.of(c * n.v[0] + s * e[0], c * n.v[1] + s * e[1], c * n.v[2] + s * e[2]))!);
      return;
    }
    case 'poly':
      for (let k = 0; k < n.verts.length; k++) {
        points.push(n.verts[k]!);
        const a = n.verts[k]!;
        const b = n.verts[(k + 1) % n.verts.length]!;
        const ax = normalize(cross(a, b));
        if (ax !== undefined) curves.push({ axis: ax, cosR: 0, edge: [a, b] });
      }
      return;
    case 'or':
    case 'and':
      for (const m of n.m) collect(m, curves, points);
      return;
    case 'not':
      collect(n.m, curves, points);
      return;
  }
}

/** The (0, 1 or 2) points where two boundary curves meet. */
function meet(a: Curve, b: Curve, out: V3[]): void {
  const d = dot(a.axis, b.axis);
  const det = 1 - d * d;
  if (det < 1e-24) return; // same or opposite axes: the curves' own points are candidates
  const x = (a.cosR - b.cosR * d) / det;
  const y = (b.cosR - a.cosR * d) / det;
  const w = cross(a.axis, b.axis);
  const q2 = x * x + y * y + 2 * x * y * d;
  let t2 = (1 - q2) / det;
  if (t2 < 0) {
    if (t2 < -1e-12) return;
    t2 = 0; // tangent within rounding
  }
  const t = Math.sqrt(t2);
  for (const sgn of t === 0 ? [0] : [1, -1]) {
    const p = normalize(
      Float64Array.of(
        x * a.axis[0] + y * b.axis[0] + sgn * t * w[0],
        x * a.axis[1] + y * b.axis[1] + sgn * t * w[1],
        x * a.axis[2] + y * b.axis[2] + sgn * t * w[2],
      ),
    );
    if (p !== undefined) out.push(p);
  }
}

/**
 * A cap (centre, radius rad) holding the whole region, or undefined (the whole sky, or a NOT):
 * leaves their own cap (a polygon: around its vertices' mean, antipode checked); a union the cap
 * around its members' caps; an intersection its smallest member's cap.
 */
export function boundingCap(n: BoolNode): { c: V3; r: number } | undefined {
  switch (n.t) {
    case 'empty':
      return undefined;
    case 'point':
      return { c: n.v, r: 0 };
    case 'cap':
      return n.r >= Math.PI ? undefined : { c: n.v, r: n.r };
    case 'poly': {
      const sum = new Float64Array(3);
      nodeDirectionSum(n, sum);
      const c = normalize(sum);
      if (c === undefined) return undefined;
      const r = nodeReach(n, c);
      return r >= Math.PI ? undefined : { c, r };
    }
    case 'or': {
      const caps = n.m.map(boundingCap);
      if (caps.some((k) => k === undefined)) return undefined;
      const sum = new Float64Array(3);
      for (const k of caps) for (let i = 0; i < 3; i++) sum[i]! += k!.c[i]!;
      const c = normalize(sum);
      if (c === undefined) return undefined;
      const r = caps.reduce((a, k) => Math.max(a, angle(c, k!.c) + k!.r), 0);
      return r >= Math.PI ? undefined : { c, r };
    }
    case 'and': {
      let best: { c: V3; r: number } | undefined;
      for (const m of n.m) {
        const k = boundingCap(m);
        if (k !== undefined && (best === undefined || k.r < best.r)) best = k;
      }
      return best;
    }
    case 'not':
      return undefined;
  }
}

/**
 * Do the closed regions a and b share a point? `b` is the query (a cap, a point or a polygon);
 * only candidates inside b's bounding cap can be in both, so curves that stay away from it are
 * left out of the pairwise crossings.
 */
export function nodesIntersect(a: BoolNode, b: BoolNode): boolean {
  const capA = boundingCap(a);
  const capB = boundingCap(b);
  if (capA !== undefined && capB !== undefined && angle(capA.c, capB.c) > capA.r + capB.r + SLACK) return false;
  const all: Curve[] = [];
  const points: V3[] = [Float64Array.of(0, 0, 1)]; // when one region is the whole sky
  collect(a, all, points);
  collect(b, all, points);
  const both = (p: V3): boolean => signedDist(b, p) >= -CLOSE_RAD && signedDist(a, p) >= -CLOSE_RAD;
  for (const p of points) if (both(p)) return true;
  const curves = capB === undefined ? all : all.filter((k) => curveNear(k, capB.c, capB.r + SLACK));
  const crossings: V3[] = [];
  for (let i = 0; i < curves.length; i++) {
    for (let j = i + 1; j < curves.length; j++) {
      crossings.length = 0;
      meet(curves[i]!, curves[j]!, crossings);
      for (const p of crossings) if (both(p)) return true;
    }
  }
  return false;
}

/** Classification of the cap (centre c, radius r) against the region: 0 out, 2 in, 1 unknown. */
export function classifyNode(n: BoolNode, c: V3, r: number): Cls {
  switch (n.t) {
    case 'empty':
      return 0;
    case 'point':
      return angle(c, n.v) <= r + SLACK ? 1 : 0;
    case 'cap': {
      if (n.r >= Math.PI) return 2;
      const d = angle(c, n.v);
      if (d > n.r + r + SLACK) return 0;
      if (d + r < n.r - SLACK) return 2;
      return 1;
    }
    case 'poly':
      if (n.poly !== undefined) return n.poly.classify(c, r) as Cls;
      if (edgeDist(n.verts, c) <= r + SLACK) return 1;
      return nodeContains(n, c) ? 2 : 0;
    case 'or': {
      let all0 = true;
      for (const m of n.m) {
        const k = classifyNode(m, c, r);
        if (k === 2) return 2;
        if (k === 1) all0 = false;
      }
      return all0 ? 0 : 1;
    }
    case 'and': {
      let all2 = true;
      for (const m of n.m) {
        const k = classifyNode(m, c, r);
        if (k === 0) return 0;
        if (k === 1) all2 = false;
      }
      return all2 ? 2 : 1;
    }
    case 'not':
      return (2 - classifyNode(n.m, c, r)) as Cls;
  }
}

/** The tree as a region for the HEALPix cell queries of src/hips/healpixQuery.ts. */
export function healpixRegionOf(n: BoolNode): HealpixRegion {
  return { classify: (c, r) => classifyNode(n, c, r), contains: (c) => nodeContains(n, c) };
}

/** Upper bound (radians) on the distance from `centre` to any point of a leaf's boundary. */
function boundaryReach(n: BoolNode, centre: V3): number {
  switch (n.t) {
    case 'empty':
      return 0;
    case 'point':
      return angle(centre, n.v);
    case 'cap':
      return Math.min(Math.PI, angle(centre, n.v) + n.r);
    case 'poly': {
      // every point of an edge is within half the edge's length of one of its ends
      let r = 0;
      const vs = n.verts;
      for (let k = 0; k < vs.length; k++) {
        const a = vs[k]!;
        const b = vs[(k + 1) % vs.length]!;
        r = Math.max(r, Math.max(angle(centre, a), angle(centre, b)) + angle(a, b) / 2);
      }
      return Math.min(Math.PI, r);
    }
    case 'or':
    case 'and':
      return n.m.reduce((a, m) => Math.max(a, boundaryReach(m, centre)), 0);
    case 'not':
      return boundaryReach(n.m, centre);
  }
}

/** Upper bound (radians) on the distance from `centre` to any point of the region. */
export function nodeReach(n: BoolNode, centre: V3): number {
  const anti = Float64Array.of(-centre[0], -centre[1], -centre[2]);
  if (nodeContains(n, anti)) return Math.PI;
  // the farthest point is on the boundary; an intersection is no larger than its smallest member
  const tree = (m: BoolNode): number => {
    switch (m.t) {
      case 'or':
        return m.m.reduce((a, k) => Math.max(a, tree(k)), 0);
      case 'and':
        return m.m.reduce((a, k) => Math.min(a, tree(k)), Math.PI);
      case 'not':
        return Math.PI;
      default:
        return nodeContains(m, anti) ? Math.PI : boundaryReach(m, centre);
    }
  };
  return Math.min(tree(n), boundaryReach(n, centre));
}

/** Sum of the directions of the leaves not under a NOT (a centre for the index). */
export function nodeDirectionSum(n: BoolNode, sum: Float64Array, negated = false): void {
  switch (n.t) {
    case 'empty':
      return;
    case 'point':
    case 'cap':
      if (!negated) for (let k = 0; k < 3; k++) sum[k]! += n.v[k]!;
      return;
    case 'poly':
      if (!negated) for (const v of n.verts) for (let k = 0; k < 3; k++) sum[k]! += v[k]!;
      return;
    case 'or':
    case 'and':
      for (const m of n.m) nodeDirectionSum(m, sum, negated);
      return;
    case 'not':
      nodeDirectionSum(n.m, sum, !negated);
      return;
  }
}
