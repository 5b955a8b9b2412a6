// Footprints -> GPU-ready geometry: outlines as great-circle segments no longer than a tolerance
// angle, fills as triangles (earcut in a gnomonic plane, then split on the sphere to the same
// tolerance), every point stored as a float32 offset from its footprint's float64 anchor (the
// precision scheme of docs/footprints.md). Pure function of its input; runs in a decode worker.
//
// Inside of a polygon. STC-S 1.33 and DALI say counter-clockwise seen from inside the sphere, but
// archives write both windings (the ESO sample is counter-clockwise, others are not), so the
// winding is ignored: the filled side is the region bounded by the polygon that lies on the side
// of its vertices' mean direction. For every polygon that fits in an open hemisphere this is the
// smaller of the two regions — the ObsCore reading (../shared/STANDARDS.md A4); polygons around a
// pole or across RA 0/360 need no special case. Regions that are not one such polygon or circle —
// polygons beyond a hemisphere (the smaller side is filled), UNIONs whose members may overlap,
// INTERSECTION, NOT — are outlined along their true boundary and filled once per point by
// sphereRegion.ts (exact boolean operations per cube face).
import earcut from 'earcut';
import { meanDirection } from '../math/vec3.js';
import { parseStcs, StcsError, type SkyRegion } from './stcs.js';
import { fitsHemisphere, regionGeometry } from './sphereRegion.js';

/** One footprint: an STC-S string or a parsed region. */
export type FootprintInput = string | SkyRegion;

export interface TessellateOptions {
  /** Longest segment of an outline or triangle edge, radians. */
  readonly toleranceRad: number;
  /** Triangulate fills (default true). */
  readonly fill?: boolean;
  /** Number of the first input in footprint ids (when a big list is split between workers). */
  readonly indexOffset?: number;
}

/** Geometry of many footprints, as transferable typed arrays. Counts are in segments / vertices. */
export interface FootprintGeometry {
  readonly count: number;
  readonly toleranceRad: number;
  /** [3 × count] float64 ICRS unit vector each footprint's points are offsets from. */
  readonly anchors: Float64Array;
  /** [count] radius (rad) of a cap around the anchor containing the footprint. */
  readonly extentsRad: Float64Array;
  /** [8 × segments]: a.xyz offset, footprint (u32 bits), b.xyz offset, flags (u32 bits: 1 = point). */
  readonly segments: Float32Array;
  readonly segmentStart: Uint32Array;
  readonly segmentCount: Uint32Array;
  /** [4 × vertices] (3 per triangle): xyz offset, footprint (u32 bits). */
  readonly triangles: Float32Array;
  readonly triangleStart: Uint32Array;
  readonly triangleCount: Uint32Array;
  /** Footprints that could not be read (error) or only partly drawn (warning). */
  readonly problems: ReadonlyArray<{ readonly index: number; readonly level: 'error' | 'warning'; readonly message: string }>;
}

type V3 = [number, number, number];

const DEG = Math.PI / 180;
export const SEGMENT_FLOATS = 8;
export const TRIANGLE_VERTEX_FLOATS = 4;
/** A great-circle edge this close to 180° has no defined path: refused. */
const MAX_EDGE_RAD = 179.9 * DEG;
/** Deepest 4-way split of a fill triangle (4^4 = 256 pieces). */
const MAX_SPLIT_DEPTH = 4;
/**
 * Fill triangles are split on the sphere until their edges are this short (or the outline
 * tolerance, if longer). Their corners are outline points, so the filled area is the projected
 * outline polygon whatever the split; splitting only keeps big triangles from folding where an
 * all-sky projection is far from the gnomonic plane they were triangulated in.
 */
export const FILL_SPLIT_RAD = 2 * DEG;

function unit(lonDeg: number, latDeg: number): V3 {
  const c = Math.cos(latDeg * DEG);
  return [c * Math.cos(lonDeg * DEG), c * Math.sin(lonDeg * DEG), Math.sin(latDeg * DEG)];
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
/** Angle between unit vectors, accurate at all sizes. */
export function angleBetween(a: V3, b: V3): number {
  const c = cross(a, b);
  return Math.atan2(Math.hypot(c[0], c[1], c[2]), dot(a, b));
}

/** Points along the great circle a→b (a included, b excluded), no step longer than tol. */
export function greatCirclePoints(a: V3, b: V3, tolRad: number, out: V3[]): void {
  const theta = angleBetween(a, b);
  if (theta > MAX_EDGE_RAD) throw new RangeError(`an edge spans ${(theta / DEG).toFixed(2)}°: edges of 180° have no defined great circle`);
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

/** Closed ring of a polygon with great-circle edges subdivided to tol. */
export function polygonRing(vertices: ReadonlyArray<readonly [number, number]>, tolRad: number): V3[] {
  const vs = vertices.map(([l, b]) => unit(l, b));
  const ring: V3[] = [];
  for (let k = 0; k < vs.length; k++) greatCirclePoints(vs[k]!, vs[(k + 1) % vs.length]!, tolRad, ring);
  return ring;
}

/** Closed ring of a small circle (radius r) sampled so that chords are shorter than tol. */
export function circleRing(raDeg: number, decDeg: number, radiusDeg: number, tolRad: number): V3[] {
  const c = unit(raDeg, decDeg);
  const east = Math.abs(c[2]) > 0.999999 ? ([1, 0, 0] as V3) : normalize(cross([0, 0, 1], c));
  const north = cross(c, east);
  const r = radiusDeg * DEG;
  const n = Math.max(16, Math.ceil((2 * Math.PI * Math.sin(Math.min(r, Math.PI / 2))) / tolRad));
  const ring: V3[] = [];
  for (let k = 0; k < n; k++) {
    const phi = (2 * Math.PI * k) / n;
    const cr = Math.cos(r);
    const sr = Math.sin(r);
    ring.push([
      cr * c[0] + sr * (Math.cos(phi) * east[0] + Math.sin(phi) * north[0]),
      cr * c[1] + sr * (Math.cos(phi) * east[1] + Math.sin(phi) * north[1]),
      cr * c[2] + sr * (Math.cos(phi) * east[2] + Math.sin(phi) * north[2]),
    ]);
  }
  return ring;
}


/**
 * Triangles (on the unit sphere) filling a ring, by the rule at the top of this file. Throws a RangeError when the ring reaches beyond a hemisphere.
 */
export function fillRing(ring: readonly V3[], tolRad: number): V3[] {
  const c = meanDirection(ring);
  if (c === undefined || ring.some((p) => dot(p, c) < 1e-6)) {
    throw new RangeError('the polygon reaches beyond a hemisphere from its mean direction: drawn as an outline only');
  }
  const e1 = normalize(Math.abs(c[2]) < 0.9 ? cross([0, 0, 1], c) : cross([1, 0, 0], c));
  const e2 = cross(c, e1);
  const flat = new Float64Array(ring.length * 2);
  ring.forEach((p, k) => {
    const w = dot(p, c);
    flat[2 * k] = dot(p, e1) / w;
    flat[2 * k + 1] = dot(p, e2) / w;
  });
  const idx = earcut(flat);
  const out: V3[] = [];
  const splitRad = Math.max(tolRad, FILL_SPLIT_RAD);
  for (let t = 0; t < idx.length; t += 3) split(ring[idx[t]!]!, ring[idx[t + 1]!]!, ring[idx[t + 2]!]!, splitRad, 0, out);
  return out;
}

function mid(a: V3, b: V3): V3 {
  return normalize([a[0] + b[0], a[1] + b[1], a[2] + b[2]]);
}

function split(a: V3, b: V3, c: V3, tol: number, depth: number, out: V3[]): void {
  if (depth >= MAX_SPLIT_DEPTH || Math.max(angleBetween(a, b), angleBetween(b, c), angleBetween(c, a)) <= tol) {
    out.push(a, b, c);
    return;
  }
  const ab = mid(a, b);
  const bc = mid(b, c);
  const ca = mid(c, a);
  split(a, ab, ca, tol, depth + 1, out);
  split(ab, b, bc, tol, depth + 1, out);
  split(ca, bc, c, tol, depth + 1, out);
  split(ab, bc, ca, tol, depth + 1, out);
}

interface Parts {
  /** Closed rings to outline and fill (each filled on its own). */
  rings: V3[][];
  /** Rings to outline but not fill (a region that could not be filled). */
  outlineOnly: V3[][];
  /** Open outline pieces of a region filled exactly (sphereRegion). */
  polylines: V3[][];
  /** Fill triangles computed with the region (sphereRegion), 3 unit vectors each. */
  triangles: V3[];
  points: V3[];
  warnings: string[];
}

/** A member that the fast path draws on its own: a point, a circle under 90°, a polygon in a hemisphere. */
function simpleRing(region: SkyRegion, tol: number): V3[] | 'point' | undefined {
  if (region.type === 'position') return 'point';
  if (region.type === 'circle') return region.radiusDeg < 89 ? circleRing(region.raDeg, region.decDeg, region.radiusDeg, tol) : undefined;
  if (region.type === 'polygon') {
    const ring = polygonRing(region.vertices, tol);
    return fitsHemisphere(ring) ? ring : undefined;
  }
  return undefined;
}

/** Do the rings' bounding caps (around their mean directions) overlap pairwise anywhere? */
function capsOverlap(rings: readonly V3[][]): boolean {
  const caps = rings.map((r) => {
    const c = meanDirection(r)!;
    return { c, r: Math.max(...r.map((p) => angleBetween(c, p))) };
  });
  for (let i = 0; i < caps.length; i++) {
    for (let j = i + 1; j < caps.length; j++) if (angleBetween(caps[i]!.c, caps[j]!.c) <= caps[i]!.r + caps[j]!.r) return true;
  }
  return false;
}

function positionsOf(region: SkyRegion, out: V3[]): void {
  if (region.type === 'position') out.push(unit(region.raDeg, region.decDeg));
  else if (region.type === 'union' || region.type === 'intersection') for (const m of region.members) positionsOf(m, out);
  else if (region.type === 'not') positionsOf(region.member, out);
}

/** Outline rings of every member, for a region that could not be filled. */
function memberRings(region: SkyRegion, tol: number, out: V3[][]): void {
  if (region.type === 'circle') out.push(circleRing(region.raDeg, region.decDeg, region.radiusDeg, tol));
  else if (region.type === 'polygon') out.push(polygonRing(region.vertices, tol));
  else if (region.type === 'union' || region.type === 'intersection') for (const m of region.members) memberRings(m, tol, out);
  else if (region.type === 'not') memberRings(region.member, tol, out);
}

function collect(region: SkyRegion, tol: number, parts: Parts, fill: boolean): void {
  // fast path: a simple shape, or a UNION of simple shapes that cannot overlap (each filled alone)
  const members = region.type === 'union' ? region.members : [region];
  const simple = members.map((m) => simpleRing(m, tol));
  if (simple.every((r) => r !== undefined)) {
    const rings = simple.filter((r): r is V3[] => r !== 'point');
    if (region.type !== 'union' || !capsOverlap(rings)) {
      parts.rings.push(...rings);
      positionsOf(region, parts.points);
      return;
    }
  }
  // exact path: the region's own boundary and a fill covering each point once (sphereRegion.ts)
  positionsOf(region, parts.points);
  try {
    const g = regionGeometry(region, tol, Math.max(tol, FILL_SPLIT_RAD));
    parts.polylines.push(...g.polylines);
    if (fill) for (const t of g.triangles) parts.triangles.push(t); // (no spread: a NOT has ~1e5 points)
  } catch (e) {
    if (e instanceof StcsError) throw e;
    memberRings(region, tol, parts.outlineOnly);
    parts.warnings.push(`outlined, not filled: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Tessellates footprints; a footprint that fails is reported in `problems` and draws nothing. */
export function tessellateFootprints(inputs: readonly FootprintInput[], options: TessellateOptions): FootprintGeometry {
  const tol = options.toleranceRad;
  if (!(tol > 0 && tol <= 0.2)) throw new RangeError(`tessellation tolerance must be in (0, 0.2] rad, got ${tol}`);
  const doFill = options.fill ?? true;
  const base = options.indexOffset ?? 0;
  const n = inputs.length;
  const anchors = new Float64Array(3 * n);
  const extentsRad = new Float64Array(n);
  const segmentStart = new Uint32Array(n);
  const segmentCount = new Uint32Array(n);
  const triangleStart = new Uint32Array(n);
  const triangleCount = new Uint32Array(n);
  const problems: Array<{ index: number; level: 'error' | 'warning'; message: string }> = [];
  let segs = new Float32Array(1024);
  let segN = 0;
  let tris = new Float32Array(1024);
  let triN = 0;
  const segU = () => new Uint32Array(segs.buffer);
  const triU = () => new Uint32Array(tris.buffer);

  for (let i = 0; i < n; i++) {
    segmentStart[i] = segN;
    triangleStart[i] = triN;
    const parts: Parts = { rings: [], outlineOnly: [], polylines: [], triangles: [], points: [], warnings: [] };
    try {
      const input = inputs[i];
      const region = typeof input === 'string' ? parseStcs(input) : input;
      if (region === null || typeof region !== 'object') throw new TypeError(`expected an STC-S string or a region object, got ${region === null ? 'null' : typeof region}`);
      collect(region, tol, parts, doFill);
    } catch (e) {
      problems.push({ index: base + i, level: 'error', message: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const all = [...parts.rings.flat(), ...parts.outlineOnly.flat(), ...parts.polylines.flat(), ...parts.points];
    const anchor = meanDirection(all) ?? all[0] ?? parts.triangles[0] ?? [1, 0, 0]; // (a whole-sky region has no outline)
    anchors.set(anchor, 3 * i);
    let extent = 0;
    for (const p of all) extent = Math.max(extent, angleBetween(anchor, p));
    for (const p of parts.triangles) extent = Math.max(extent, angleBetween(anchor, p));
    extentsRad[i] = extent + tol;
    if ((segN + all.length) * SEGMENT_FLOATS > segs.length) {
      const bigger = new Float32Array(Math.max(segs.length * 2, (segN + all.length) * SEGMENT_FLOATS * 2));
      bigger.set(segs);
      segs = bigger;
    }
    const su = segU();
    const putSeg = (a: V3, b: V3, flags: number): void => {
      const o = segN * SEGMENT_FLOATS;
      segs[o] = a[0] - anchor[0];
      segs[o + 1] = a[1] - anchor[1];
      segs[o + 2] = a[2] - anchor[2];
      su[o + 3] = base + i;
      segs[o + 4] = b[0] - anchor[0];
      segs[o + 5] = b[1] - anchor[1];
      segs[o + 6] = b[2] - anchor[2];
      su[o + 7] = flags;
      segN++;
    };
    for (const ring of [...parts.rings, ...parts.outlineOnly]) {
      for (let k = 0; k < ring.length; k++) putSeg(ring[k]!, ring[(k + 1) % ring.length]!, 0);
    }
    for (const line of parts.polylines) {
      for (let k = 0; k + 1 < line.length; k++) putSeg(line[k]!, line[k + 1]!, 0);
    }
    for (const p of parts.points) putSeg(p, p, 1);
    segmentCount[i] = segN - segmentStart[i]!;
    if (doFill) {
      for (const ring of [...parts.rings, parts.triangles]) {
        let t: V3[];
        try {
          t = ring === parts.triangles ? ring : fillRing(ring, tol);
        } catch (e) {
          parts.warnings.push(e instanceof Error ? e.message : String(e));
          continue;
        }
        if ((triN + t.length) * TRIANGLE_VERTEX_FLOATS > tris.length) {
          const bigger = new Float32Array(Math.max(tris.length * 2, (triN + t.length) * TRIANGLE_VERTEX_FLOATS * 2));
          bigger.set(tris);
          tris = bigger;
        }
        const tu = triU();
        for (const p of t) {
          const o = triN * TRIANGLE_VERTEX_FLOATS;
          tris[o] = p[0] - anchor[0];
          tris[o + 1] = p[1] - anchor[1];
          tris[o + 2] = p[2] - anchor[2];
          tu[o + 3] = base + i;
          triN++;
        }
      }
    }
    triangleCount[i] = triN - triangleStart[i]!;
    for (const w of new Set(parts.warnings)) problems.push({ index: base + i, level: 'warning', message: w });
  }
  return {
    count: n,
    toleranceRad: tol,
    anchors,
    extentsRad,
    segments: segs.slice(0, segN * SEGMENT_FLOATS),
    segmentStart,
    segmentCount,
    triangles: tris.slice(0, triN * TRIANGLE_VERTEX_FLOATS),
    triangleStart,
    triangleCount,
    problems,
  };
}

/** The typed arrays of a geometry (for transfer between threads). */
export function geometryTransferables(g: FootprintGeometry): ArrayBuffer[] {
  return [g.anchors, g.extentsRad, g.segments, g.segmentStart, g.segmentCount, g.triangles, g.triangleStart, g.triangleCount].map((a) => a.buffer as ArrayBuffer);
}

/** Coarsest tolerance used (0.5°): at every all-sky view it keeps outlines < 0.1 px from true. */
export const BASE_TOLERANCE_RAD = 0.5 * DEG;
/** Finest tolerance asked for; deeper views keep it (edges are then nearly straight anyway). */
export const MIN_TOLERANCE_RAD = BASE_TOLERANCE_RAD / 1024;

/**
 * The segment length (rad) that keeps a projected great circle within `maxDeviationPx` of its
 * straight chords for this view, rounded down to BASE_TOLERANCE_RAD / 2^k so that zooming only
 * re-tessellates at factor-2 steps. A chord of angle θ on a curve of plane curvature κ (per rad²)
 * deviates θ²κ/8 plane units; κ ≤ 2 for the all-sky projections and, near the centre of a zenithal
 * projection, shrinks with the field (great circles are straight lines in TAN), taken as 2·radius.
 */
export function toleranceForView(view: { widthPx: number; halfWidthPlane: number; radiusRad: number; zenithal: boolean }, maxDeviationPx = 0.5): number {
  const pxPerPlane = view.widthPx / (2 * view.halfWidthPlane);
  const kappa = view.zenithal ? Math.min(2, 2 * view.radiusRad) : 2;
  const theta = Math.sqrt((8 * maxDeviationPx) / (kappa * pxPerPlane));
  let tol = BASE_TOLERANCE_RAD;
  while (tol > theta && tol > MIN_TOLERANCE_RAD) tol /= 2;
  return tol;
}

/** Joins geometries of consecutive slices of one list (tessellated with matching indexOffset). */
export function concatGeometries(parts: readonly FootprintGeometry[]): FootprintGeometry {
  if (parts.length === 1) return parts[0]!;
  const cat = <T extends Float32Array | Float64Array | Uint32Array>(make: (n: number) => T, pick: (g: FootprintGeometry) => T, shift?: (g: FootprintGeometry) => number): T => {
    const out = make(parts.reduce((n, g) => n + pick(g).length, 0));
    let o = 0;
    for (const g of parts) {
      const a = pick(g);
      if (shift) for (let k = 0; k < a.length; k++) out[o + k] = a[k]! + shift(g);
      else out.set(a as never, o);
      o += a.length;
    }
    return out;
  };
  let segBefore = 0;
  let triBefore = 0;
  const segShift = new Map<FootprintGeometry, number>();
  const triShift = new Map<FootprintGeometry, number>();
  for (const g of parts) {
    segShift.set(g, segBefore);
    triShift.set(g, triBefore);
    segBefore += g.segments.length / SEGMENT_FLOATS;
    triBefore += g.triangles.length / TRIANGLE_VERTEX_FLOATS;
  }
  return {
    count: parts.reduce((n, g) => n + g.count, 0),
    toleranceRad: Math.max(...parts.map((g) => g.toleranceRad)),
    anchors: cat((n) => new Float64Array(n), (g) => g.anchors),
    extentsRad: cat((n) => new Float64Array(n), (g) => g.extentsRad),
    segments: cat((n) => new Float32Array(n), (g) => g.segments),
    segmentStart: cat((n) => new Uint32Array(n), (g) => g.segmentStart, (g) => segShift.get(g)!),
    segmentCount: cat((n) => new Uint32Array(n), (g) => g.segmentCount),
    triangles: cat((n) => new Float32Array(n), (g) => g.triangles),
    triangleStart: cat((n) => new Uint32Array(n), (g) => g.triangleStart, (g) => triShift.get(g)!),
    triangleCount: cat((n) => new Uint32Array(n), (g) => g.triangleCount),
    problems: parts.flatMap((g) => g.problems),
  };
}

/** Most outline segments a re-tessellation may produce (~256 MB of segment data caps memory). */
export const MAX_SEGMENTS = 8_000_000;

/**
 * The tolerance to re-tessellate at, or undefined to keep the current geometry: finer when the
 * view asks for it (but never so fine that the outlines' total length `outlineRad` would need more
 * than maxSegments), coarser again once the view needs 4× less (memory back after a deep zoom).
 */
export function nextTolerance(currentRad: number, wantRad: number, outlineRad: number, maxSegments = MAX_SEGMENTS): number | undefined {
  let want = wantRad;
  while (want < BASE_TOLERANCE_RAD && outlineRad / want > maxSegments) want *= 2;
  if (want < currentRad * 0.999) return want;
  if (want >= currentRad * 4 && currentRad < BASE_TOLERANCE_RAD) return Math.min(want, BASE_TOLERANCE_RAD);
  return undefined;
}

/** Total angular length of a geometry's outline segments (chords; radians). */
export function outlineLengthRad(g: FootprintGeometry): number {
  const s = g.segments;
  let sum = 0;
  for (let k = 0; k < s.length; k += SEGMENT_FLOATS) sum += Math.hypot(s[k + 4]! - s[k]!, s[k + 5]! - s[k + 1]!, s[k + 6]! - s[k + 2]!);
  return sum;
}

/**
 * Per footprint, the angle (rad) from its anchor to the farthest end of its outline segments (0 for
 * a footprint without segments): the radius of the cap its outline lies in, without the tolerance
 * margin of `extentsRad` (the footprint layer's level of detail draws a footprint whose cap
 * projects below a pixel as a dot).
 */
export function outlineRadiiRad(g: FootprintGeometry): Float32Array {
  const s = g.segments;
  const words = new Uint32Array(s.buffer, s.byteOffset, s.length);
  const out = new Float32Array(g.count);
  for (let k = 0; k < s.length; k += SEGMENT_FLOATS) {
    const fp = words[k + 3]!;
    const chord = Math.max(Math.hypot(s[k]!, s[k + 1]!, s[k + 2]!), Math.hypot(s[k + 4]!, s[k + 5]!, s[k + 6]!));
    const angle = 2 * Math.asin(Math.min(1, chord / 2));
    if (angle > out[fp]!) out[fp] = angle;
  }
  return out;
}
