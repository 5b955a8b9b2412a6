import { describe, expect, it } from 'vitest';
import { makeCamera, project, type ViewState } from '../math/camera.js';
import { ZENITHAL } from '../math/projections.js';
import { lonLatDegToVec } from '../math/vec3.js';
import { angleBetween, concatGeometries, fillRing, nextTolerance, outlineLengthRad, outlineRadiiRad, polygonRing, SEGMENT_FLOATS, tessellateFootprints, toleranceForView, TRIANGLE_VERTEX_FLOATS } from './tessellate.js';

type V3 = [number, number, number];

/** Spherical area (sr) of a triangle of unit vectors (van Oosterom & Strackee). */
function triArea(a: V3, b: V3, c: V3): number {
  const num = Math.abs(a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]));
  const den = 1 + (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) + (b[0] * c[0] + b[1] * c[1] + b[2] * c[2]) + (c[0] * a[0] + c[1] * a[1] + c[2] * a[2]);
  return 2 * Math.atan2(num, den);
}

function filledArea(tris: V3[]): number {
  let s = 0;
  for (let k = 0; k < tris.length; k += 3) s += triArea(tris[k]!, tris[k + 1]!, tris[k + 2]!);
  return s;
}

const DEG = Math.PI / 180;

describe('tessellation', () => {
  it('fills the smaller side whatever the winding: across RA 0, around the north pole', () => {
    // 2°x2° square across RA 0: area ≈ 4 deg² either winding
    const sq: Array<[number, number]> = [[359, -1], [1, -1], [1, 1], [359, 1]];
    for (const vs of [sq, [...sq].reverse()]) {
      const t = fillRing(polygonRing(vs, 0.1 * DEG), 0.1 * DEG);
      expect(filledArea(t) / DEG / DEG).toBeCloseTo(4, 2); // 2° x 2°
      // every triangle lies near RA 0
      for (const p of t) expect(Math.abs(p[1])).toBeLessThan(0.02);
    }
    // cap above dec 80 (a square around the pole): spherical area of the polar square
    const cap: Array<[number, number]> = [[0, 80], [90, 80], [180, 80], [270, 80]];
    const ring = polygonRing(cap, 0.2 * DEG);
    for (const r of [ring, [...ring].reverse()]) {
      const t = fillRing(r, 0.2 * DEG);
      // the polar square: 4 spherical triangles (pole, v_k, v_k+1)
      const pole: V3 = [0, 0, 1];
      const v = cap.map(([l, b]) => lonLatDegToVec(l, b) as V3);
      let ref = 0;
      for (let k = 0; k < 4; k++) ref += triArea(pole, v[k]!, v[(k + 1) % 4]!);
      expect(filledArea(t)).toBeCloseTo(ref, 8);
      expect(t.every((p) => p[2] > Math.sin(79 * DEG))).toBe(true);
    }
  });

  it('subdivides edges as great circles, no step longer than the tolerance', () => {
    const tol = 0.25 * DEG;
    const ring = polygonRing([[10, 0], [30, 0], [20, 40]], tol);
    for (let k = 0; k < ring.length; k++) expect(angleBetween(ring[k]!, ring[(k + 1) % ring.length]!)).toBeLessThanOrEqual(tol * (1 + 1e-12));
    // the points of the first edge lie on the equator (the great circle through the two vertices)
    for (const p of ring.slice(0, 80)) expect(Math.abs(p[2])).toBeLessThan(1e-15);
    expect(ring.length).toBe(80 + Math.ceil(angleBetween(lonLatDegToVec(30, 0) as V3, lonLatDegToVec(20, 40) as V3) / tol) * 2);
  });

  it('keeps every projected outline within 0.5 px of the true great circle at the chosen tolerance', () => {
    const views: ViewState[] = [
      { raDeg: 0, decDeg: 0, fovDeg: 360, rollDeg: 0, projection: 'AIT', widthPx: 1600, heightPx: 800 },
      { raDeg: 30, decDeg: 60, fovDeg: 180, rollDeg: 0, projection: 'SIN', widthPx: 1000, heightPx: 1000 },
      { raDeg: 20, decDeg: 20, fovDeg: 30, rollDeg: 10, projection: 'CAR', widthPx: 1200, heightPx: 800 },
      { raDeg: 20, decDeg: 70, fovDeg: 2, rollDeg: 0, projection: 'MOL', widthPx: 1200, heightPx: 800 },
      { raDeg: 20, decDeg: 21, fovDeg: 10, rollDeg: 0, projection: 'STG', widthPx: 2000, heightPx: 1500 },
    ];
    for (const view of views) {
      const cam = makeCamera(view);
      const tol = toleranceForView({ widthPx: view.widthPx, halfWidthPlane: cam.halfWidthPlane, radiusRad: cam.radiusRad, zenithal: ZENITHAL.has(view.projection) });
      const s = view.fovDeg / 3;
      const poly: Array<[number, number]> = [[view.raDeg - s, view.decDeg - s / 2], [view.raDeg + s, view.decDeg - s / 3], [view.raDeg + s / 2, Math.min(89, view.decDeg + s)]];
      const ring = polygonRing(poly, tol);
      const px = (v: ArrayLike<number>): [number, number] | undefined => {
        const n = project(cam, v);
        return n && [((n[0] + 1) / 2) * view.widthPx, ((1 - n[1]) / 2) * view.heightPx];
      };
      let worst = 0;
      for (let k = 0; k < ring.length; k++) {
        const a = ring[k]!;
        const b = ring[(k + 1) % ring.length]!;
        const pa = px(a);
        const pb = px(b);
        if (!pa || !pb || Math.hypot(pb[0] - pa[0], pb[1] - pa[1]) > view.widthPx / 4) continue; // seam
        for (const t of [0.25, 0.5, 0.75]) {
          const m = [a[0] * (1 - t) + b[0] * t, a[1] * (1 - t) + b[1] * t, a[2] * (1 - t) + b[2] * t];
          const pm = px(m)!;
          const dx = pb[0] - pa[0];
          const dy = pb[1] - pa[1];
          const d = Math.abs(dx * (pm[1] - pa[1]) - dy * (pm[0] - pa[0])) / Math.max(1e-12, Math.hypot(dx, dy));
          worst = Math.max(worst, d);
        }
      }
      expect(worst, `${view.projection} ${view.fovDeg}°`).toBeLessThan(0.5);
    }
    // finer views ask for finer tolerances, in factor-2 steps
    const t1 = toleranceForView({ widthPx: 1000, halfWidthPlane: 1, radiusRad: 1, zenithal: false });
    const t2 = toleranceForView({ widthPx: 1000, halfWidthPlane: 0.01, radiusRad: 0.01, zenithal: false });
    expect(t2).toBeLessThan(t1);
    expect(Math.log2(t1 / t2) % 1).toBe(0);
  });

  it('packs outlines, points and fills with float32 offsets from a float64 anchor', () => {
    const g = tessellateFootprints(['POLYGON ICRS 10 10 11 10 11 11', 'POSITION ICRS 200 -30', 'CIRCLE GALACTIC 0 0 1', 'BAD 1 2', 'Intersection ( Circle 100 0 2 Box 101 0 2 2 )'], { toleranceRad: 0.1 * DEG });
    expect(g.count).toBe(5);
    expect(g.problems).toEqual([{ index: 3, level: 'error', message: expect.stringMatching(/unknown shape 'BAD' at position 0/) }]);
    expect(g.segments.length / SEGMENT_FLOATS).toBe(g.segmentCount.reduce((a, b) => a + b, 0));
    expect(g.triangles.length / TRIANGLE_VERTEX_FLOATS).toBe(g.triangleCount.reduce((a, b) => a + b, 0));
    expect(g.segmentCount[1]).toBe(1);
    expect(new Uint32Array(g.segments.buffer)[g.segmentStart[1]! * SEGMENT_FLOATS + 7]).toBe(1);
    expect(g.segmentCount[3]).toBe(0);
    expect(g.triangleCount[1]).toBe(0);
    // anchor + offset gives back the vertex to float32 precision of the offset
    const a = [...g.anchors.subarray(0, 3)];
    const o = g.segmentStart[0]! * SEGMENT_FLOATS;
    const v = lonLatDegToVec(10, 10);
    for (let k = 0; k < 3; k++) expect(Math.abs(a[k]! + g.segments[o + k]! - v[k]!)).toBeLessThan(1e-9);
    // the intersection of a circle and a box is the box clipped to the circle: area between both
    const tris: V3[] = [];
    const u = new Uint32Array(g.triangles.buffer);
    for (let k = g.triangleStart[4]!; k < g.triangleStart[4]! + g.triangleCount[4]!; k++) {
      expect(u[k * 4 + 3]).toBe(4);
      tris.push([g.anchors[12]! + g.triangles[k * 4]!, g.anchors[13]! + g.triangles[k * 4 + 1]!, g.anchors[14]! + g.triangles[k * 4 + 2]!]);
    }
    const area = filledArea(tris) / DEG / DEG;
    expect(area).toBeGreaterThan(3.5);
    expect(area).toBeLessThan(4.01);
    expect(g.extentsRad[0]).toBeGreaterThan(0.5 * DEG);
    expect(() => tessellateFootprints([], { toleranceRad: 0 })).toThrow(/tolerance/);
  });
  // polygons beyond a hemisphere, equal halves and 180° edges: sphereRegion.test.ts
});

describe('concatGeometries', () => {
  it('joins slices tessellated with an index offset into the geometry of the whole list', () => {
    const list = ['POLYGON 10 10 11 10 11 11', 'CIRCLE 20 20 1', 'POSITION 1 1', 'BAD', 'BOX 30 -40 2 1'];
    const opts = { toleranceRad: 0.2 * DEG };
    const whole = tessellateFootprints(list, opts);
    const joined = concatGeometries([tessellateFootprints(list.slice(0, 2), opts), tessellateFootprints(list.slice(2), { ...opts, indexOffset: 2 })]);
    expect(joined).toEqual(whole);
  });
});

describe('nextTolerance', () => {
  const base = 0.5 * DEG;
  it('goes finer when the view asks, within the segment budget, and coarser again after a deep zoom', () => {
    expect(nextTolerance(base, base, 1)).toBeUndefined();
    expect(nextTolerance(base, base / 8, 1)).toBe(base / 8);
    // 1000 rad of outlines with a budget of 1e6 segments: no finer than 1e-3 rad (rounded up to base/2^k)
    const t = nextTolerance(base, base / 1024, 1000, 1e6)!;
    expect(1000 / t).toBeLessThanOrEqual(1e6);
    expect(1000 / (t / 2)).toBeGreaterThan(1e6);
    expect(Math.log2(base / t) % 1).toBe(0);
    // zoomed out again: back to the base tolerance, not before the view needs 4x coarser
    expect(nextTolerance(base / 64, base, 1)).toBe(base);
    expect(nextTolerance(base / 64, base / 32, 1)).toBeUndefined();
  });

  it('outlineLengthRad sums the chords of the outline', () => {
    const g = tessellateFootprints(['POLYGON 0 0 10 0 10 10 0 10'], { toleranceRad: 0.5 * DEG });
    expect(outlineLengthRad(g) / DEG).toBeCloseTo(10 + 10 + 10 * Math.cos(10 * DEG) + 10, 0);
  });

  it('outlineRadiiRad: the farthest outline point from each anchor (vertices of a polygon across RA 0, a circle, a point)', () => {
    const poly: Array<[number, number]> = [[358, -2], [3, -1.5], [2.5, 2.5], [359, 1]];
    const g = tessellateFootprints([`POLYGON ICRS ${poly.flat().join(' ')}`, 'CIRCLE ICRS 120 -60 0.3', 'POSITION ICRS 10 10'], { toleranceRad: 0.05 * DEG });
    const radii = outlineRadiiRad(g);
    const anchor = (i: number): V3 => [g.anchors[3 * i]!, g.anchors[3 * i + 1]!, g.anchors[3 * i + 2]!];
    // small polygon with great-circle edges: the farthest outline point is a vertex
    const expected = Math.max(...poly.map(([ra, dec]) => angleBetween(anchor(0), lonLatDegToVec(ra, dec) as V3)));
    expect(radii[0]).toBeCloseTo(expected, 6);
    // a circle's samples lie on it: its radius seen from the centre (the anchor, by symmetry)
    expect(angleBetween(anchor(1), lonLatDegToVec(120, -60) as V3)).toBeLessThan(1e-9);
    expect(radii[1]).toBeCloseTo(0.3 * DEG, 6);
    // a POSITION is a ring marker of zero extent
    expect(radii[2]).toBeLessThan(1e-9);
    expect(radii.length).toBe(3);
  });
});
