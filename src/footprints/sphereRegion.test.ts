// UNION / INTERSECTION / NOT and polygons beyond a hemisphere, through tessellateFootprints, against
// an independent reference (test/fixtures/footprints/make_regions.py: numpy/astropy membership of
// random sky points, healpy areas): every reference point is covered by exactly as many fill
// triangles as it is inside the region (1 or 0 — never 2, so overlapping UNION members are filled
// once), areas agree with healpy, and every outline piece lies on the fill's boundary.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { regionGeometry } from './sphereRegion.js';
import { parseStcs, type SkyRegion } from './stcs.js';
import { SEGMENT_FLOATS, tessellateFootprints, TRIANGLE_VERTEX_FLOATS, type FootprintGeometry } from './tessellate.js';

type V3 = [number, number, number];
const DEG = Math.PI / 180;
const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/footprints/regions.json', import.meta.url), 'utf8')) as {
  regions: Array<{ stcs: string; areaSr: number; points: Array<[number, number, number]> }>;
};

function unit(lonDeg: number, latDeg: number): V3 {
  const c = Math.cos(latDeg * DEG);
  return [c * Math.cos(lonDeg * DEG), c * Math.sin(lonDeg * DEG), Math.sin(latDeg * DEG)];
}
const triple = (a: V3, b: V3, c: V3): number => a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]);
const dot = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
function triArea(a: V3, b: V3, c: V3): number {
  return 2 * Math.atan2(Math.abs(triple(a, b, c)), 1 + dot(a, b) + dot(b, c) + dot(c, a));
}

/** Fill triangles and outline segments of footprint i, back on the sphere (anchor + offset). */
function shapes(g: FootprintGeometry, i: number): { tris: V3[]; segs: Array<[V3, V3]> } {
  const a: V3 = [g.anchors[3 * i]!, g.anchors[3 * i + 1]!, g.anchors[3 * i + 2]!];
  const at = (arr: Float32Array, o: number): V3 => [a[0] + arr[o]!, a[1] + arr[o + 1]!, a[2] + arr[o + 2]!];
  const tris: V3[] = [];
  for (let k = g.triangleStart[i]!; k < g.triangleStart[i]! + g.triangleCount[i]!; k++) tris.push(at(g.triangles, k * TRIANGLE_VERTEX_FLOATS));
  const segs: Array<[V3, V3]> = [];
  for (let k = g.segmentStart[i]!; k < g.segmentStart[i]! + g.segmentCount[i]!; k++) segs.push([at(g.segments, k * SEGMENT_FLOATS), at(g.segments, k * SEGMENT_FLOATS + 4)]);
  return { tris, segs };
}

/** Counts the triangles containing each point (spherical point-in-triangle, bounding caps first). */
function coverage(tris: readonly V3[], points: readonly V3[]): Int32Array {
  const caps: Array<{ c: V3; cosR: number; s: number }> = [];
  for (let k = 0; k < tris.length; k += 3) {
    const [a, b, c] = [tris[k]!, tris[k + 1]!, tris[k + 2]!];
    const m = Math.hypot(a[0] + b[0] + c[0], a[1] + b[1] + c[1], a[2] + b[2] + c[2]);
    const cen: V3 = [(a[0] + b[0] + c[0]) / m, (a[1] + b[1] + c[1]) / m, (a[2] + b[2] + c[2]) / m];
    caps.push({ c: cen, cosR: Math.min(dot(cen, a), dot(cen, b), dot(cen, c)) - 1e-9, s: triArea(a, b, c) < 1e-15 ? 0 : Math.sign(triple(a, b, c)) });
  }
  const out = new Int32Array(points.length);
  points.forEach((p, j) => {
    for (let t = 0; t < caps.length; t++) {
      const cap = caps[t]!;
      if (dot(cap.c, p) < cap.cosR || cap.s === 0) continue;
      const [a, b, c] = [tris[3 * t]!, tris[3 * t + 1]!, tris[3 * t + 2]!];
      if (cap.s * triple(a, b, p) >= 0 && cap.s * triple(b, c, p) >= 0 && cap.s * triple(c, a, p) >= 0) out[j]!++;
    }
  });
  return out;
}

/** Point at angle d (rad) from p towards direction k of n. */
function around(p: V3, d: number, k: number, n: number): V3 {
  const e1raw: V3 = Math.abs(p[2]) < 0.9 ? [-p[1], p[0], 0] : [0, -p[2], p[1]];
  const m = Math.hypot(...e1raw);
  const e1: V3 = [e1raw[0] / m, e1raw[1] / m, e1raw[2] / m];
  const e2: V3 = [p[1] * e1[2] - p[2] * e1[1], p[2] * e1[0] - p[0] * e1[2], p[0] * e1[1] - p[1] * e1[0]];
  const phi = (2 * Math.PI * k) / n;
  return [0, 1, 2].map((i) => Math.cos(d) * p[i]! + Math.sin(d) * (Math.cos(phi) * e1[i]! + Math.sin(phi) * e2[i]!)) as V3;
}

describe('boolean STC-S regions on the sphere', () => {
  const tol = 0.5 * DEG;
  for (const region of fixture.regions) {
    it(`${region.stcs.slice(0, 70)}: inside points covered once, outside never, area as healpy's`, () => {
      const g = tessellateFootprints([region.stcs], { toleranceRad: tol });
      expect(g.problems).toEqual([]);
      const { tris, segs } = shapes(g, 0);
      const points = region.points.map(([l, b]) => unit(l, b));
      const cover = coverage(tris, points);
      const wrong = region.points.filter(([, , inside], j) => cover[j] !== inside);
      expect(wrong.slice(0, 5).map(([l, b, inside]) => `${l},${b} inside=${inside}`), `${wrong.length} of ${points.length} points`).toEqual([]);
      let area = 0;
      for (let k = 0; k < tris.length; k += 3) area += triArea(tris[k]!, tris[k + 1]!, tris[k + 2]!);
      expect(Math.abs(area - region.areaSr) / region.areaSr, `area ${area} vs healpy ${region.areaSr}`).toBeLessThan(0.005);
      // the outline is the region's boundary: fill on one side of every piece, none on the other
      const probes: V3[] = [];
      const step = Math.max(1, Math.floor(segs.length / 300));
      for (let k = 0; k < segs.length; k += step) {
        const [a, b] = segs[k]!;
        const m = Math.hypot(a[0] + b[0], a[1] + b[1], a[2] + b[2]);
        const mid: V3 = [(a[0] + b[0]) / m, (a[1] + b[1]) / m, (a[2] + b[2]) / m];
        for (let d = 0; d < 8; d++) probes.push(around(mid, 0.02 * DEG, d, 8));
      }
      const pc = coverage(tris, probes);
      for (let k = 0; k < probes.length; k += 8) {
        const ring = [...pc.subarray(k, k + 8)];
        expect(Math.max(...ring), `outline piece ${k / 8}: fill on one side`).toBe(1);
        expect(Math.min(...ring), `outline piece ${k / 8}: no fill on the other side`).toBe(0);
      }
    }, 60_000);
  }

  it('tessellates all 1000 ESO s_region strings; each UNION fills its members\' centres once, area between the largest member and their sum', () => {
    const xml = readFileSync(new URL('../../../shared/data/votable_samples/eso_obscore_1000rows_orion.xml', import.meta.url), 'utf8');
    const all = [...xml.matchAll(/<TD>((?:POLYGON|POSITION|UNION|CIRCLE|BOX)\b[^<]*)<\/TD>/gi)].map((m) => m[1]!);
    expect(all.length).toBe(1000);
    const t0 = performance.now();
    const g = tessellateFootprints(all, { toleranceRad: 0.5 * DEG });
    const ms = performance.now() - t0;
    expect(g.problems).toEqual([]);
    let unions = 0;
    all.forEach((s, i) => {
      const r = parseStcs(s);
      if (r.type !== 'union') return;
      unions++;
      const { tris } = shapes(g, i);
      const members = r.members.filter((m) => m.type === 'polygon');
      const areas = members.map((m) => shapes(tessellateFootprints([m], { toleranceRad: 0.5 * DEG }), 0).tris).map((t) => {
        let a = 0;
        for (let k = 0; k < t.length; k += 3) a += triArea(t[k]!, t[k + 1]!, t[k + 2]!);
        return a;
      });
      let area = 0;
      for (let k = 0; k < tris.length; k += 3) area += triArea(tris[k]!, tris[k + 1]!, tris[k + 2]!);
      expect(area).toBeGreaterThanOrEqual(Math.max(...areas) * (1 - 1e-6));
      expect(area).toBeLessThanOrEqual(areas.reduce((a, b) => a + b, 0) * (1 + 1e-6));
      const centres = members.map((m) => {
        const vs = (m as { vertices: ReadonlyArray<readonly [number, number]> }).vertices.map(([l, b]) => unit(l, b));
        const c = vs.reduce((a, v) => [a[0] + v[0], a[1] + v[1], a[2] + v[2]] as V3, [0, 0, 0] as V3);
        const n = Math.hypot(...c);
        return [c[0] / n, c[1] / n, c[2] / n] as V3;
      });
      expect([...coverage(tris, centres)], s).toEqual(centres.map(() => 1));
    });
    expect(unions).toBe(165);
    console.log(`1000 ESO footprints tessellated in ${ms.toFixed(0)} ms (${unions} UNIONs)`);
  }, 60_000);

  it('fills a UNION of overlapping members once and outlines only its boundary; disjoint members keep the fast path', () => {
    const two = 'UNION ICRS (CIRCLE 10 10 2 CIRCLE 11 10 2)';
    const g = tessellateFootprints([two, 'UNION (CIRCLE 10 10 1 CIRCLE 20 10 1)', 'CIRCLE 10 10 1'], { toleranceRad: 0.1 * DEG });
    expect(g.problems).toEqual([]);
    const { tris, segs } = shapes(g, 0);
    // the point inside both circles is covered once; no outline inside the union
    expect([...coverage(tris, [unit(10.5, 10), unit(9, 10), unit(12, 10), unit(10.5, 13)])]).toEqual([1, 1, 1, 0]);
    for (const [a] of segs) expect(Math.acos(Math.min(1, dot(a, unit(10.5, 10)))) / DEG).toBeGreaterThan(1.5);
    // disjoint members: each member's own triangles (twice the single circle's)
    expect(g.triangleCount[1]).toBe(2 * g.triangleCount[2]!);
  });

  it('fills the smaller side of a polygon beyond a hemisphere; refuses to guess between two equal halves', () => {
    const g = tessellateFootprints(['POLYGON 0 0 90 0 180 0 270 0', 'POLYGON 0 0 180 0 90 45'], { toleranceRad: 1 * DEG });
    expect(g.problems.map((p) => [p.index, p.level])).toEqual([[0, 'warning'], [1, 'error']]);
    expect(g.problems[0]!.message).toMatch(/two halves of equal area/);
    expect(g.problems[1]!.message).toMatch(/180°/);
    expect(g.segmentCount[0]).toBeGreaterThan(0);
    expect(g.triangleCount[0]).toBe(0);
  });

  it('NOT of NOT is the region again; a circle over 90° is the complement of the opposite cap', () => {
    const cap = (r: number): number => 2 * Math.PI * (1 - Math.cos(r * DEG));
    const area = (s: string): number => regionGeometry(parseStcs(s), 0.5 * DEG, 2 * DEG).areaSr;
    expect(area('NOT (NOT (CIRCLE 30 40 5))')).toBeCloseTo(cap(5), 4);
    expect(area('CIRCLE 30 40 120')).toBeCloseTo(cap(120), 3);
    expect(area('CIRCLE 30 40 90')).toBeCloseTo(2 * Math.PI, 6);
    expect(area('INTERSECTION (CIRCLE 0 0 5 CIRCLE 90 0 5)')).toBe(0);
  });
});

describe('boolean regions: properties (fast-check)', () => {
  const circle = fc.record({ raDeg: fc.double({ min: 0, max: 360, noNaN: true }), decDeg: fc.double({ min: -89, max: 89, noNaN: true }), radiusDeg: fc.double({ min: 0.5, max: 40, noNaN: true }) })
    .map((c): SkyRegion => ({ type: 'circle', ...c }));
  // a convex quadrilateral: a random cap's 4 points at increasing position angles
  const quad = fc.tuple(fc.double({ min: 0, max: 360, noNaN: true }), fc.double({ min: -85, max: 85, noNaN: true }), fc.double({ min: 1, max: 30, noNaN: true }), fc.double({ min: 0, max: 90, noNaN: true }))
    .map(([ra, dec, r, pa]): SkyRegion => {
      const c = unit(ra, dec);
      const e1raw: V3 = Math.abs(c[2]) < 0.9 ? [-c[1], c[0], 0] : [0, -c[2], c[1]];
      const m = Math.hypot(...e1raw);
      const e1: V3 = [e1raw[0] / m, e1raw[1] / m, e1raw[2] / m];
      const e2: V3 = [c[1] * e1[2] - c[2] * e1[1], c[2] * e1[0] - c[0] * e1[2], c[0] * e1[1] - c[1] * e1[0]];
      const vertices = [0, 100, 190, 280].map((a) => {
        const phi = (a + pa) * DEG;
        const v = [0, 1, 2].map((i) => Math.cos(r * DEG) * c[i]! + Math.sin(r * DEG) * (Math.cos(phi) * e1[i]! + Math.sin(phi) * e2[i]!));
        return [((Math.atan2(v[1]!, v[0]!) / DEG) + 360) % 360, Math.asin(v[2]!) / DEG] as const;
      });
      return { type: 'polygon', vertices };
    });
  const shape = fc.oneof(circle, quad);
  const area = (r: SkyRegion): number => regionGeometry(r, 1 * DEG, 4 * DEG).areaSr;

  it('area(A ∪ B) + area(A ∩ B) = area(A) + area(B); area(NOT A) = 4π − area(A)', () => {
    fc.assert(fc.property(shape, shape, (a, b) => {
      const [ua, ub] = [area(a), area(b)];
      const union = area({ type: 'union', members: [a, b] });
      const inter = area({ type: 'intersection', members: [a, b] });
      expect(union + inter).toBeCloseTo(ua + ub, 6);
      expect(union).toBeLessThanOrEqual(ua + ub + 1e-9);
      expect(area({ type: 'not', member: a }) + ua).toBeCloseTo(4 * Math.PI, 6);
    }), { numRuns: 40, seed: 20261127 });
  }, 120_000);
});

describe('tessellation of random regions (fast-check fuzz)', () => {
  const num = (lo: number, hi: number) => fc.oneof(fc.double({ min: lo, max: hi, noNaN: true }), fc.constantFrom(lo, hi, 0, (lo + hi) / 2));
  const leaf: fc.Arbitrary<string> = fc.oneof(
    fc.tuple(num(0, 360), num(-90, 90), num(0, 180)).map(([a, b, r]) => `CIRCLE ${a} ${b} ${r}`),
    fc.array(fc.tuple(num(0, 360), num(-90, 90)), { minLength: 3, maxLength: 8 }).map((vs) => `POLYGON ${vs.flat().join(' ')}`),
    fc.tuple(num(0, 360), num(-90, 90), num(0, 40), num(0, 40)).map(([a, b, w, h]) => `BOX ${a} ${b} ${w} ${h}`),
    fc.tuple(num(0, 360), num(-90, 90)).map(([a, b]) => `POSITION ${a} ${b}`),
  );
  const region: fc.Arbitrary<string> = fc.letrec((tie) => ({
    r: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, leaf,
      fc.tuple(fc.constantFrom('UNION', 'INTERSECTION'), fc.array(tie('r') as fc.Arbitrary<string>, { minLength: 2, maxLength: 3 })).map(([op, ms]) => `${op} (${ms.join(' ')})`),
      (tie('r') as fc.Arbitrary<string>).map((m) => `NOT (${m})`)),
  })).r;

  it('never throws: a region is drawn, or reported with a message; geometry counts stay consistent', () => {
    fc.assert(fc.property(region, (s) => {
      const g = tessellateFootprints([s], { toleranceRad: 0.1 }); // coarse: this is about robustness, not resolution
      expect(g.count).toBe(1);
      for (const p of g.problems) {
        expect(p.index).toBe(0);
        expect(p.message.length).toBeGreaterThan(5);
      }
      expect(g.segments.length / SEGMENT_FLOATS).toBe(g.segmentCount[0]);
      expect(g.triangles.length / TRIANGLE_VERTEX_FLOATS).toBe(g.triangleCount[0]);
      for (const x of g.triangles) expect(Number.isFinite(x)).toBe(true);
      for (const x of g.segments) expect(Number.isFinite(x)).toBe(true);
    }), { numRuns: 60, seed: 42 });
  }, 120_000);
});
