// queryDisc / queryPolygon against healpy (test/fixtures/healpix/reference_query.json, made by
// test/fixtures/healpix/make_reference_big.py): orders 3..12, 30 discs and 30 polygons per order.
//  - inclusive=false: exactly healpy's cells (centre inside).
//  - inclusive=true: ours ⊇ every cell found to overlap by sampling its boundary (64 points) and
//    ours ⊆ healpy inclusive with fact=8 (the measured difference is asserted to be 0).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ang2pix, cellPointToVec } from './healpix.js';
import {
  REFINE_LEVELS,
  polygonContains,
  queryDisc,
  queryDiscBig,
  queryPolygon,
  queryPolygonBig,
} from './healpixQuery.js';

type Ranges = [number, number][];
interface Disc {
  lon: number;
  lat: number;
  radiusDeg: number;
  exact: Ranges;
  incl4: Ranges;
  incl8: Ranges;
}
interface Poly {
  vertices: [number, number][];
  pieces: [number, number][][];
  convex: boolean;
  exact: Ranges;
  incl4: Ranges;
  incl8: Ranges;
}
const ref = JSON.parse(
  readFileSync(new URL('../../test/fixtures/healpix/reference_query.json', import.meta.url), 'utf8'),
) as { orders: Record<string, { discs: Disc[]; polygons: Poly[] }> };
const ORDERS = Object.keys(ref.orders).map(Number);

const DEG = Math.PI / 180;
type Vec = [number, number, number];
function vec(lon: number, lat: number): Vec {
  const c = Math.cos(lat * DEG);
  return [c * Math.cos(lon * DEG), c * Math.sin(lon * DEG), Math.sin(lat * DEG)];
}
function angleDeg(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const cx = a[1] * b[2] - a[2] * b[1];
  const cy = a[2] * b[0] - a[0] * b[2];
  const cz = a[0] * b[1] - a[1] * b[0];
  return Math.atan2(Math.hypot(cx, cy, cz), a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / DEG;
}
function cells(r: Ranges): Set<number> {
  const s = new Set<number>();
  for (const [a, b] of r) for (let p = a; p < b; p++) s.add(p);
  return s;
}
function checkSortedDisjoint(r: Ranges): void {
  for (let i = 0; i < r.length; i++) {
    expect(r[i][0]).toBeLessThan(r[i][1]);
    if (i > 0) expect(r[i][0]).toBeGreaterThan(r[i - 1][1]); // sorted, non-adjacent
  }
}
/** 64 points on the boundary of the cell plus its centre. */
function cellSamples(order: number, ipix: number): Vec[] {
  const out: Vec[] = [cellPointToVec(order, ipix, 0.5, 0.5)];
  for (let i = 0; i < 16; i++) {
    const t = i / 16;
    out.push(cellPointToVec(order, ipix, t, 0), cellPointToVec(order, ipix, 1, t));
    out.push(cellPointToVec(order, ipix, 1 - t, 1), cellPointToVec(order, ipix, 0, 1 - t));
  }
  return out;
}
/** Independent point-in-polygon: inside one of the convex pieces (all edge normals agree). */
function inPieces(pieces: [number, number][][], p: Vec): boolean {
  return pieces.some((piece) => {
    const vs = piece.map(([l, b]) => vec(l, b));
    let pos = 0;
    let neg = 0;
    for (let i = 0; i < vs.length; i++) {
      const a = vs[i];
      const b = vs[(i + 1) % vs.length];
      const n = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
      const s = n[0] * p[0] + n[1] * p[1] + n[2] * p[2];
      if (s >= 0) pos++;
      if (s <= 0) neg++;
    }
    return pos === vs.length || neg === vs.length;
  });
}

const stats = { inclCells: 0, healpy8Cells: 0, healpy4Cells: 0, notInHealpy8: 0, overlapChecked: 0 };

describe.each(ORDERS)('order %i', (order) => {
  const { discs, polygons } = ref.orders[String(order)];

  it('queryDisc non-inclusive equals healpy.query_disc', () => {
    for (const d of discs) {
      const got = queryDisc(order, d.lon, d.lat, d.radiusDeg);
      checkSortedDisjoint(got);
      expect(got, `disc ${JSON.stringify([d.lon, d.lat, d.radiusDeg])}`).toEqual(d.exact);
      const big = queryDiscBig(order, d.lon, d.lat, d.radiusDeg);
      expect(big.map(([a, b]) => [Number(a), Number(b)])).toEqual(d.exact);
    }
  });

  it('queryDisc inclusive: ⊇ sampled overlap, ⊆ healpy fact=8', () => {
    for (const d of discs) {
      const got = queryDisc(order, d.lon, d.lat, d.radiusDeg, { inclusive: true });
      checkSortedDisjoint(got);
      const ours = cells(got);
      const h8 = cells(d.incl8);
      const tag = `disc ${JSON.stringify([d.lon, d.lat, d.radiusDeg])}`;
      for (const p of cells(d.exact)) expect(ours.has(p), tag).toBe(true);
      let outside = 0;
      for (const p of ours) if (!h8.has(p)) outside++;
      expect(outside, tag).toBe(0);
      const c = vec(d.lon, d.lat);
      const home = ang2pix(order, d.lon, d.lat);
      for (const p of h8) {
        if (ours.has(p)) continue;
        stats.overlapChecked++;
        const hit = p === home || cellSamples(order, p).some((s) => angleDeg(s, c) <= d.radiusDeg);
        expect(hit, `${tag}: cell ${p} overlaps but is missing`).toBe(false);
      }
      stats.inclCells += ours.size;
      stats.healpy8Cells += h8.size;
      stats.healpy4Cells += cells(d.incl4).size;
      stats.notInHealpy8 += outside;
    }
  });

  it('queryPolygon non-inclusive equals healpy.query_polygon (non-convex: union of convex pieces)', () => {
    for (const poly of polygons) {
      const got = queryPolygon(order, poly.vertices);
      checkSortedDisjoint(got);
      expect(got, `polygon ${JSON.stringify(poly.vertices)}`).toEqual(poly.exact);
      const big = queryPolygonBig(order, poly.vertices);
      expect(big.map(([a, b]) => [Number(a), Number(b)])).toEqual(poly.exact);
    }
  });

  it('queryPolygon inclusive: ⊇ sampled overlap, ⊆ healpy fact=8', () => {
    for (const poly of polygons) {
      const got = queryPolygon(order, poly.vertices, { inclusive: true });
      checkSortedDisjoint(got);
      const ours = cells(got);
      const h8 = cells(poly.incl8);
      const tag = `polygon ${JSON.stringify(poly.vertices)}`;
      for (const p of cells(poly.exact)) expect(ours.has(p), tag).toBe(true);
      let outside = 0;
      for (const p of ours) if (!h8.has(p)) outside++;
      expect(outside, tag).toBe(0);
      const homes = new Set(poly.vertices.map(([l, b]) => ang2pix(order, l, b)));
      for (const p of h8) {
        if (ours.has(p)) continue;
        stats.overlapChecked++;
        const hit = homes.has(p) || cellSamples(order, p).some((s) => inPieces(poly.pieces, s));
        expect(hit, `${tag}: cell ${p} overlaps but is missing`).toBe(false);
      }
      stats.inclCells += ours.size;
      stats.healpy8Cells += h8.size;
      stats.healpy4Cells += cells(poly.incl4).size;
      stats.notInHealpy8 += outside;
    }
  });
});

describe('query properties', () => {
  it('inclusive cells vs healpy (summary)', () => {
    // printed for the record: how much tighter than healpy's conservative inclusive mode we are
    console.log(`inclusive: ours ${stats.inclCells} cells, healpy fact=8 ${stats.healpy8Cells}, fact=4 ${stats.healpy4Cells}; ` +
      `ours outside healpy fact=8: ${stats.notInHealpy8}; healpy-only cells checked for overlap: ${stats.overlapChecked}; refine levels ${REFINE_LEVELS}`);
    expect(stats.notInHealpy8).toBe(0);
  });

  it('whole sky, empty and tiny regions', () => {
    expect(queryDisc(5, 10, 20, 180)).toEqual([[0, 12 * 4 ** 5]]);
    expect(queryDisc(5, 10, 20, 0)).toEqual([]);
    const home = ang2pix(10, 10, 20);
    const tiny = queryDisc(10, 10, 20, 1e-6, { inclusive: true });
    expect(tiny).toEqual([[home, home + 1]]);
    const t29 = queryDiscBig(29, 10, 20, 1e-9, { inclusive: true });
    expect(t29.length).toBeGreaterThan(0);
    expect(t29.length).toBeLessThanOrEqual(4);
  });

  it('cost follows the boundary: a 30° cone at order 16 has fewer ranges than edge cells', () => {
    const t0 = performance.now();
    const r = queryDisc(16, 123, -45, 30);
    const ms = performance.now() - t0;
    let n = 0;
    for (const [a, b] of r) n += b - a;
    const area = 2 * Math.PI * (1 - Math.cos(30 * DEG));
    expect(n / (12 * 4 ** 16)).toBeCloseTo(area / (4 * Math.PI), 4);
    const cellRad = Math.sqrt((4 * Math.PI) / (12 * 4 ** 16));
    const edgeCells = (2 * Math.PI * Math.sin(30 * DEG)) / cellRad; // ≈ 2e5 of 5e10 cells
    expect(r.length).toBeLessThan(edgeCells);
    expect(ms).toBeLessThan(10_000);
  }, 30_000);

  it('non-convex polygon across RA 0 and a polar cap polygon (brute force at order 6)', () => {
    const shapes: [number, number][][] = [
      [[350, -10], [10, -10], [10, 10], [0, 0], [350, 10]], // notch at RA 0
      [[0, 80], [90, 80], [180, 80], [270, 80]], // around the north pole
      [[0, -70], [270, -70], [180, -70], [135, -85], [90, -70]], // south cap, clockwise, concave
    ];
    for (const verts of shapes) {
      const order = 6;
      const want: number[] = [];
      for (let p = 0; p < 12 * 4 ** order; p++) {
        const c = cellPointToVec(order, p, 0.5, 0.5);
        const lon = (Math.atan2(c[1], c[0]) / DEG + 360) % 360;
        const lat = Math.asin(c[2]) / DEG;
        if (polygonContains(verts, lon, lat)) want.push(p);
      }
      const got = [...cells(queryPolygon(order, verts))].sort((a, b) => a - b);
      expect(got).toEqual(want);
      expect(want.length).toBeGreaterThan(10);
      expect(want.length).toBeLessThan(12 * 4 ** order / 2);
    }
    expect(polygonContains([[0, 80], [90, 80], [180, 80], [270, 80]], 33, 89.9)).toBe(true);
    expect(polygonContains([[0, 80], [90, 80], [180, 80], [270, 80]], 33, 70)).toBe(false);
    expect(polygonContains([[350, -10], [10, -10], [10, 10], [0, 0], [350, 10]], 0, 5)).toBe(false);
    expect(polygonContains([[350, -10], [10, -10], [10, 10], [0, 0], [350, 10]], 0, -5)).toBe(true);
  }, 30_000);

  it('bad input throws RangeError naming the value', () => {
    expect(() => queryDisc(25, 0, 0, 1)).toThrow(/25/);
    expect(() => queryDiscBig(30, 0, 0, 1)).toThrow(/30/);
    expect(() => queryDisc(3, Number.NaN, 0, 1)).toThrow(/NaN/);
    expect(() => queryDisc(3, 0, -91, 1)).toThrow(/-91/);
    expect(() => queryDisc(3, 0, 0, -1)).toThrow(/-1/);
    expect(() => queryDisc(3, 0, 0, Infinity)).toThrow(/Infinity/);
    expect(() => queryDisc(3, 0, 0, 1, { inclusive: 'yes' as unknown as boolean })).toThrow(/yes/);
    expect(() => queryPolygon(3, [[0, 0], [1, 1]])).toThrow(/3 distinct/);
    expect(() => queryPolygon(3, [[0, 0], [0, 0], [1, 1]])).toThrow(/identical/);
    expect(() => queryPolygon(3, [[0, 0], [10, 0], [0, 10], [10, 10]])).toThrow(/cross/);
    expect(() => queryPolygon(3, [[0, 0], [10, Number.NaN], [0, 10]])).toThrow(/vertex 1.*NaN/);
    expect(() => queryPolygon(3, [[0, 0], [180, 0], [0, 10]])).toThrow(/antipodal/);
  });
});
