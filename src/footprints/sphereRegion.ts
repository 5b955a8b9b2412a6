// Exact fills and outlines of STC-S regions that are not one small polygon: UNION, INTERSECTION,
// NOT and polygons reaching beyond a hemisphere. The sphere is cut into the six faces of a cube;
// in each face's gnomonic plane every great circle is a straight line, so the boolean operations
// of planar polygons (npm polyclip-ts) are exact on the sphere there — edges stay great circles,
// RA 0/360 and the poles are nothing special. Per face: leaves (polygons, sampled circles) are
// clipped to the face, combined by polyclip-ts, the resulting rings subdivided to the tolerance;
// the fill is cut along a grid of face cells (~2°, so big regions follow all-sky projections) and
// earcut per cell, each point covered once; the outline is the result's rings minus the pieces
// that only run along a face border with the region on both sides. Pure; runs in workers.
//
// Which side of a polygon is inside: the smaller of the two regions it bounds (for a polygon that
// fits in an open hemisphere, the side of its vertices' mean direction — src/footprints/tessellate.ts).
import * as pc from 'polyclip-ts';
import { meanDirection } from '../math/vec3.js';
import type { SkyRegion } from './stcs.js';
import { gridTriangles, insideRings, type FlatPoly } from './faceGrid.js';

export type V3 = [number, number, number];
type Ring = Array<[number, number]>;
type Poly = Ring[];
type Multi = Poly[];

const DEG = Math.PI / 180;
/** A face coordinate this close to ±1 is on the face border. */
const BORDER_EPS = 1e-9;
/** Most vertices of one fan polygon (growing a fan re-checks it: bounded, not quadratic). */
const MAX_FAN = 64;
/** Rings of a boolean result smaller than this (face units², ~0.04 arcsec²) are rounding slivers. */
const SLIVER_AREA = 1e-12;

interface Face {
  readonly c: V3;
  readonly e1: V3;
  readonly e2: V3;
  /** Inward normals of the face's four great-circle borders. */
  readonly borders: readonly V3[];
}

function dot(a: V3, b: V3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
function cross(a: V3, b: V3): V3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function normalize(a: V3): V3 {
  const m = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / m, a[1] / m, a[2] / m];
}
function unit(lonDeg: number, latDeg: number): V3 {
  const c = Math.cos(latDeg * DEG);
  return [c * Math.cos(lonDeg * DEG), c * Math.sin(lonDeg * DEG), Math.sin(latDeg * DEG)];
}

function makeFace(c: V3, e1: V3): Face {
  const e2 = cross(c, e1);
  const sub = (a: V3, b: V3, s: number): V3 => [a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]];
  return { c, e1, e2, borders: [sub(c, e1, -1), sub(c, e1, 1), sub(c, e2, -1), sub(c, e2, 1)] };
}

/** The six cube faces (±x, ±y, ±z), each with a right-handed tangent basis. */
const FACES: readonly Face[] = [
  makeFace([1, 0, 0], [0, 1, 0]),
  makeFace([-1, 0, 0], [0, -1, 0]),
  makeFace([0, 1, 0], [-1, 0, 0]),
  makeFace([0, -1, 0], [1, 0, 0]),
  makeFace([0, 0, 1], [0, 1, 0]),
  makeFace([0, 0, -1], [0, -1, 0]),
];

const SQUARE: Poly = [[[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]]];

function toFace(f: Face, p: V3): [number, number] {
  const w = dot(p, f.c);
  return [dot(p, f.e1) / w, dot(p, f.e2) / w];
}
function fromFace(f: Face, u: number, v: number): V3 {
  return normalize([f.c[0] + u * f.e1[0] + v * f.e2[0], f.c[1] + u * f.e1[1] + v * f.e2[1], f.c[2] + u * f.e1[2] + v * f.e2[2]]);
}
/** The face whose cone holds p (largest |coordinate|). */
function faceIndexOf(p: V3): number {
  const ax = Math.abs(p[0]);
  const ay = Math.abs(p[1]);
  const az = Math.abs(p[2]);
  if (ax >= ay && ax >= az) return p[0] >= 0 ? 0 : 1;
  if (ay >= az) return p[1] >= 0 ? 2 : 3;
  return p[2] >= 0 ? 4 : 5;
}

/** Clip a ring to the half-space dot(n, p) >= 0 (Sutherland–Hodgman; edges stay great circles). */
function clipRing(ring: readonly V3[], n: V3): V3[] {
  const out: V3[] = [];
  for (let k = 0; k < ring.length; k++) {
    const a = ring[k]!;
    const b = ring[(k + 1) % ring.length]!;
    const da = dot(n, a);
    const db = dot(n, b);
    if (da >= 0) out.push(a);
    if ((da >= 0) !== (db >= 0)) out.push(crossing(a, da, b, db));
  }
  return out;
}

/** Where edge a→b meets the clip plane; the same bits for b→a (edges shared by two rings must meet). */
function crossing(a: V3, da: number, b: V3, db: number): V3 {
  const swap = a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] > b[2];
  const [p, dp, q, dq] = swap ? [b, db, a, da] : [a, da, b, db];
  const t = dp / (dp - dq);
  return normalize([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]), p[2] + t * (q[2] - p[2])]);
}


/** Does the closed ring (great-circle edges) fit in the open hemisphere around its mean direction? */
export function fitsHemisphere(ring: readonly V3[]): boolean {
  const c = meanDirection(ring);
  return c !== undefined && ring.every((p) => dot(p, c) > 1e-6);
}

/** Signed area (sr) of the spherical triangle a, b, c (positive when counter-clockwise seen from outside). */
function signedTriangleArea(a: V3, b: V3, c: V3): number {
  return 2 * Math.atan2(dot(a, cross(b, c)), 1 + dot(a, b) + dot(b, c) + dot(c, a));
}

function closeRing(pts: Array<[number, number]>): Ring {
  return pts.length > 0 ? [...pts, pts[0]!] : pts;
}

/** A spherical ring lying in a face's cone (after clipping) -> that face's plane, as a closed ring. */
function ringOnFace(f: Face, ring: readonly V3[]): Poly | undefined {
  let r: V3[] = ring.slice();
  for (const n of f.borders) {
    r = clipRing(r, n);
    if (r.length < 3) return undefined;
  }
  return [closeRing(r.map((p) => snap(toFace(f, p))))];
}

/**
 * Face coordinates within rounding of the border put exactly on it (so clipped pieces share it),
 * and within 1e-14 of the face's axes put on them (denormal-sized coordinates upset polyclip-ts).
 */
function snap([u, v]: [number, number]): [number, number] {
  const s = (x: number): number => (Math.abs(Math.abs(x) - 1) < 1e-12 ? Math.sign(x) : Math.abs(x) < 1e-14 ? 0 : x);
  return [s(u), s(v)];
}

/** Twice the signed area of a closed planar ring. */
function ringArea2(r: Ring): number {
  let a = 0;
  for (let k = 0; k + 1 < r.length; k++) a += r[k]![0] * r[k + 1]![1] - r[k + 1]![0] * r[k]![1];
  return a;
}

/** Drops slivers (rings of no area left by rounding) from a boolean result. */
function clean(m: Multi): Multi {
  const out: Multi = [];
  for (const poly of m) {
    if (Math.abs(ringArea2(poly[0]!)) < SLIVER_AREA) continue;
    out.push([poly[0]!, ...poly.slice(1).filter((h) => Math.abs(ringArea2(h)) >= SLIVER_AREA)]);
  }
  return out;
}

function norm(m: Multi): Multi {
  return m.length === 0 ? m : clean(pc.union(m as pc.Geom) as Multi);
}

/**
 * A closed ring (great-circle edges) -> per face, the smaller region it bounds. A ring in an open
 * hemisphere is clipped to each face directly; a larger one is the parity of the fan triangles
 * from a pole O (XOR), complemented when that parity set is the larger side.
 */
function ringFaces(ring: readonly V3[]): Multi[] {
  if (fitsHemisphere(ring)) {
    // (a clipped non-convex ring may touch itself along the border: the boolean operation that
    // uses it normalises it)
    return FACES.map((f) => {
      const p = ringOnFace(f, ring);
      return p ? [p] : [];
    });
  }
  const edgeNormals = ring.map((a, k) => cross(a, ring[(k + 1) % ring.length]!));
  for (const n of edgeNormals) {
    if (Math.hypot(n[0], n[1], n[2]) < 1e-12) throw new RangeError('a polygon has two equal consecutive vertices or an edge of 180°');
  }
  // a fan pole off every edge's great circle (so every fan triangle is a proper one)
  let best: V3 = [0, 0, 1];
  let bestScore = -1;
  for (let i = -1; i <= 1; i++) {
    for (let j = -1; j <= 1; j++) {
      for (let k = -1; k <= 1; k++) {
        if (i === 0 && j === 0 && k === 0) continue;
        const o = normalize([i + 0.1234, j + 0.0571, k + 0.0313]);
        const score = Math.min(...edgeNormals.map((n) => Math.abs(dot(o, n)) / Math.hypot(n[0], n[1], n[2])));
        if (score > bestScore) {
          bestScore = score;
          best = o;
        }
      }
    }
  }
  const o = best;
  let s = 0;
  for (let k = 0; k < ring.length; k++) s += signedTriangleArea(o, ring[k]!, ring[(k + 1) % ring.length]!);
  const upper = ((s % (4 * Math.PI)) + 4 * Math.PI) % (4 * Math.PI);
  if (Math.abs(upper - 2 * Math.PI) < 1e-9) throw new RangeError('the polygon cuts the sky into two halves of equal area: which one is inside is undefined');
  // parity set = `upper` side when s >= 0, else its complement; keep the smaller side
  const complement = (s >= 0) !== (upper <= 2 * Math.PI);
  // runs of fan triangles turning the same way, each fitting in a hemisphere, as star-shaped
  // polygons (O, v_a … v_b): few, large XOR operands (polyclip-ts is robust to those, less so to
  // hundreds of triangles sharing edges)
  const fans: V3[][] = [];
  let fan: V3[] = [];
  let fanSign = 0;
  for (let k = 0; k < ring.length; k++) {
    const a = ring[k]!;
    const b = ring[(k + 1) % ring.length]!;
    const sign = Math.sign(dot(o, cross(a, b)));
    const grown = fan.length === 0 ? [o, a, b] : [...fan, b];
    if (fan.length > 0 && fan.length < MAX_FAN && sign === fanSign && fitsHemisphere(grown)) fan = grown;
    else {
      if (fan.length > 0) fans.push(fan);
      fan = [o, a, b];
      fanSign = sign;
    }
  }
  fans.push(fan);
  return FACES.map((f) => {
    const parts: Multi = [];
    for (const g of fans) {
      const p = ringOnFace(f, g);
      if (p) parts.push(...norm([p]));
    }
    let parity: Multi = [];
    for (const p of parts) parity = parity.length === 0 ? [p] : (pc.xor(parity as pc.Geom, [p] as pc.Geom) as Multi);
    parity = norm(parity); // pieces that share a fan edge become one polygon
    return complement ? (parity.length === 0 ? [SQUARE] : clean(pc.difference(SQUARE as pc.Geom, parity as pc.Geom) as Multi)) : parity;
  });
}

/** A cap of radius r around c -> per face; sampled so no chord is longer than tol. */
function capFaces(raDeg: number, decDeg: number, radiusDeg: number, tol: number): Multi[] {
  if (radiusDeg >= 180) return FACES.map(() => [SQUARE]);
  if (Math.abs(radiusDeg - 90) < 1e-9) {
    const n = unit(raDeg, decDeg);
    return FACES.map((f) => {
      let r: V3[] = [fromFace(f, -1, -1), fromFace(f, 1, -1), fromFace(f, 1, 1), fromFace(f, -1, 1)];
      r = clipRing(r, n);
      return r.length < 3 ? [] : norm([[closeRing(r.map((p) => toFace(f, p)))]]);
    });
  }
  if (radiusDeg > 90) return complementFaces(capFaces((raDeg + 180) % 360, -decDeg, 180 - radiusDeg, tol));
  return ringFaces(capRing(raDeg, decDeg, radiusDeg, tol));
}

/** Small-circle ring (chords shorter than tol). */
function capRing(raDeg: number, decDeg: number, radiusDeg: number, tolRad: number): V3[] {
  const c = unit(raDeg, decDeg);
  const east = Math.abs(c[2]) > 0.999999 ? ([1, 0, 0] as V3) : normalize(cross([0, 0, 1], c));
  const north = cross(c, east);
  const r = radiusDeg * DEG;
  const n = Math.max(16, Math.ceil((2 * Math.PI * Math.sin(Math.min(r, Math.PI / 2))) / tolRad));
  const ring: V3[] = [];
  const cr = Math.cos(r);
  const sr = Math.sin(r);
  for (let k = 0; k < n; k++) {
    const phi = (2 * Math.PI * k) / n;
    const ce = Math.cos(phi);
    const sn = Math.sin(phi);
    ring.push([
      cr * c[0] + sr * (ce * east[0] + sn * north[0]),
      cr * c[1] + sr * (ce * east[1] + sn * north[1]),
      cr * c[2] + sr * (ce * east[2] + sn * north[2]),
    ]);
  }
  return ring;
}

function complementFaces(m: Multi[]): Multi[] {
  return m.map((g) => (g.length === 0 ? [SQUARE] : clean(pc.difference(SQUARE as pc.Geom, g as pc.Geom) as Multi)));
}

/** A region -> per face, the planar multipolygon (face gnomonic coordinates) it covers. Positions cover nothing. */
export function regionFaces(region: SkyRegion, tolRad: number): Multi[] {
  switch (region.type) {
    case 'position':
      return FACES.map(() => []);
    case 'circle':
      return capFaces(region.raDeg, region.decDeg, region.radiusDeg, tolRad);
    case 'polygon': {
      // repeated vertices (archives write some) add nothing but a zero-length edge
      const ring: V3[] = [];
      for (const [l, b] of region.vertices) {
        const p = unit(l, b);
        const last = ring[ring.length - 1];
        if (!last || angle(last, p) > 1e-12) ring.push(p);
      }
      while (ring.length > 1 && angle(ring[0]!, ring[ring.length - 1]!) <= 1e-12) ring.pop();
      if (ring.length < 3) return FACES.map(() => []); // no area (a zero-width BOX, say)
      return ringFaces(ring);
    }
    case 'not':
      return complementFaces(regionFaces(region.member, tolRad));
    case 'union':
    case 'intersection': {
      const members = region.members.map((m) => regionFaces(m, tolRad));
      return FACES.map((_, fi) => {
        const gs = members.map((m) => m[fi]!);
        if (region.type === 'intersection') {
          if (gs.some((g) => g.length === 0)) return [];
          return clean(pc.intersection(gs[0]! as pc.Geom, ...(gs.slice(1) as pc.Geom[])) as Multi);
        }
        const some = gs.filter((g) => g.length > 0);
        if (some.length === 0) return [];
        return clean(pc.union(some[0]! as pc.Geom, ...(some.slice(1) as pc.Geom[])) as Multi);
      });
    }
  }
}

/** Is p inside the per-face region (even-odd over that face's rings)? */
export function facesContain(faces: readonly Multi[], p: V3): boolean {
  const fi = faceIndexOf(p);
  const [u, v] = toFace(FACES[fi]!, p);
  return insideRings(faces[fi]!.flat(), u, v);
}

/** Points along the great circle a→b (a included, b excluded), no step longer than tol. */
function subdivide(a: V3, b: V3, tolRad: number, out: V3[]): void {
  const c = cross(a, b);
  const theta = Math.atan2(Math.hypot(c[0], c[1], c[2]), dot(a, b));
  const n = Math.max(1, Math.ceil(theta / tolRad));
  out.push(a);
  if (n === 1) return;
  const s = Math.sin(theta);
  for (let k = 1; k < n; k++) {
    const t = (k / n) * theta;
    const wa = Math.sin(theta - t) / s;
    const wb = Math.sin(t) / s;
    out.push(normalize([wa * a[0] + wb * b[0], wa * a[1] + wb * b[1], wa * a[2] + wb * b[2]]));
  }
}

function scale(a: V3, s: number): V3 {
  return [a[0] * s, a[1] * s, a[2] * s];
}

function angle(a: V3, b: V3): number {
  const c = cross(a, b);
  return Math.atan2(Math.hypot(c[0], c[1], c[2]), dot(a, b));
}

function mid(a: V3, b: V3): V3 {
  return normalize([a[0] + b[0], a[1] + b[1], a[2] + b[2]]);
}

/** Grid cells per face side so that a cell is at most ~splitRad across (a face is 90° wide). */
function cellsPerFace(splitRad: number): number {
  return Math.max(1, Math.ceil(Math.PI / 2 / splitRad));
}

export interface RegionGeometry {
  /** Outline pieces (open polylines of unit vectors; a closed ring repeats its first point). */
  readonly polylines: V3[][];
  /** Fill triangles (3 unit vectors each), each pixel of the region covered once. */
  readonly triangles: V3[];
  /** Solid angle of the region (sr), from the triangles. */
  readonly areaSr: number;
}

/**
 * Outline and fill of a region, exact on the sphere: boundary edges are great circles subdivided
 * to tolRad; the fill is cut along a grid of face cells about splitRad wide (so big regions follow
 * all-sky projections): whole cells are two triangles, boundary cells are clipped and earcut.
 */
export function regionGeometry(region: SkyRegion, tolRad: number, splitRad: number): RegionGeometry {
  const faces = regionFaces(region, tolRad);
  const polylines: V3[][] = [];
  const triangles: V3[] = [];
  let areaSr = 0;
  const offset = Math.max(1e-7, tolRad * 1e-3);
  faces.forEach((multi, fi) => {
    const f = FACES[fi]!;
    const polys: FlatPoly[] = [];
    for (const poly of multi) {
      const flat: number[] = [];
      const holes: number[] = [];
      for (const [ri, ring] of poly.entries()) {
        if (ri > 0) holes.push(flat.length / 2);
        const corners = ring.slice(0, -1);
        const sphere = corners.map(([u, v]) => fromFace(f, u, v));
        let line: V3[] = [];
        for (let k = 0; k < corners.length; k++) {
          const a = sphere[k]!;
          const b = sphere[(k + 1) % sphere.length]!;
          // along a face border, a piece with the region on both sides is a cut, not a boundary
          const [ua, va] = corners[k]!;
          const [ub, vb] = corners[(k + 1) % corners.length]!;
          let across: V3 | undefined;
          if (Math.abs(Math.abs(ua) - 1) < BORDER_EPS && Math.abs(ub - ua) < BORDER_EPS) across = scale(f.e1, Math.sign(ua) * offset);
          else if (Math.abs(Math.abs(va) - 1) < BORDER_EPS && Math.abs(vb - va) < BORDER_EPS) across = scale(f.e2, Math.sign(va) * offset);
          const piece: V3[] = [];
          subdivide(a, b, tolRad, piece);
          for (const p of across ? [a] : piece) {
            const [u, v] = toFace(f, p);
            flat.push(u, v);
          }
          piece.push(b);
          for (let j = 0; j + 1 < piece.length; j++) {
            const p = piece[j]!;
            const q = piece[j + 1]!;
            const m = mid(p, q);
            if (across && facesContain(faces, normalize([m[0] + across[0], m[1] + across[1], m[2] + across[2]]))) {
              if (line.length > 1) polylines.push(line);
              line = [];
            } else {
              if (line.length === 0) line.push(p);
              line.push(q);
            }
          }
        }
        if (line.length > 1) polylines.push(line);
      }
      polys.push({ flat, holes });
    }
    for (const t of gridTriangles(polys, cellsPerFace(splitRad))) {
      const [a, b, c] = t.map(([u, v]) => fromFace(f, u, v)) as [V3, V3, V3];
      const area = Math.abs(signedTriangleArea(a, b, c));
      if (area < 1e-16) continue; // degenerate (clipping along a cell border): draws nothing
      areaSr += area;
      triangles.push(a, b, c);
    }
  });
  return { polylines: joinPolylines(polylines), triangles, areaSr };
}

/** Joins polylines whose ends meet (a ring cut at face borders becomes one line again). */
function joinPolylines(lines: V3[][]): V3[][] {
  const key = (p: V3): string => `${p[0].toFixed(12)},${p[1].toFixed(12)},${p[2].toFixed(12)}`;
  const byStart = new Map<string, number>();
  lines.forEach((l, i) => byStart.set(key(l[0]!), i));
  const used = new Set<number>();
  const out: V3[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (used.has(i)) continue;
    used.add(i);
    const line = lines[i]!.slice();
    for (;;) {
      const next = byStart.get(key(line[line.length - 1]!));
      if (next === undefined || used.has(next)) break;
      used.add(next);
      for (let k = 1; k < lines[next]!.length; k++) line.push(lines[next]![k]!);
    }
    out.push(line);
  }
  return out;
}
