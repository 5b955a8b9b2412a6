// Checks src/hips/healpix.ts against healpy reference values (test/fixtures/healpix/reference.json,
// made by test/fixtures/healpix/make_reference.py) and against its own invariants.
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  HEALPIX_MAX_ORDER,
  angularDistanceDeg,
  ang2pix,
  cellPointToVec,
  cellRadiusDeg,
  children,
  corners,
  faceLocalToVec,
  nest2xyf,
  npix,
  nside,
  parent,
  pix2ang,
  pix2vec,
  vec2pix,
  xyf2nest,
} from './healpix.js';

type Vec = [number, number, number];
interface OrderRecord {
  ang2pix: [number, number, number][];
  pix2ang: [number, number, number, number, number, number][];
  boundaries: [number, [Vec, Vec, Vec, Vec]][];
  xyf: [number, number, number, number][];
}
interface Reference {
  meta: { healpy: string; cornerOrder: string };
  orders: Record<string, OrderRecord>;
  radius: Record<string, { maxPixradDeg: number; cells: [number, number][] }>;
}

const reference = JSON.parse(
  readFileSync(new URL('../../test/fixtures/healpix/reference.json', import.meta.url), 'utf8'),
) as Reference;
const ORDERS = Object.keys(reference.orders).map(Number);

/** Seeded PRNG (mulberry32): uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random integer in [0, n) for n up to 2^53 (two draws so all bits are random). */
function randomIndex(rand: () => number, n: number): number {
  return Math.floor((rand() + rand() / 2 ** 26) * n) % n;
}

const DEG = Math.PI / 180;

function lonLatToVec(lonDeg: number, latDeg: number): Vec {
  const c = Math.cos(latDeg * DEG);
  return [c * Math.cos(lonDeg * DEG), c * Math.sin(lonDeg * DEG), Math.sin(latDeg * DEG)];
}

/** Angle in degrees between two (unit) vectors, stable for tiny angles. */
function vecAngleDeg(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const cx = a[1] * b[2] - a[2] * b[1];
  const cy = a[2] * b[0] - a[0] * b[2];
  const cz = a[0] * b[1] - a[1] * b[0];
  const dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  return Math.atan2(Math.hypot(cx, cy, cz), dot) / DEG;
}

describe('sizes', () => {
  it('nside and npix', () => {
    expect(nside(0)).toBe(1);
    expect(nside(10)).toBe(1024);
    expect(nside(24)).toBe(16777216);
    expect(npix(0)).toBe(12);
    expect(npix(3)).toBe(768);
    expect(npix(24)).toBe(12 * 4 ** 24);
    expect(Number.isSafeInteger(npix(HEALPIX_MAX_ORDER))).toBe(true);
  });
});

describe('ang2pix / vec2pix against healpy', () => {
  it(`fixture made by healpy ${reference.meta.healpy} covers orders ${ORDERS.join(',')}`, () => {
    expect(ORDERS).toEqual([0, 1, 3, 6, 9, 12, 15, 18, 20, 24]);
    for (const order of ORDERS) expect(reference.orders[order].ang2pix.length).toBeGreaterThan(200);
  });

  for (const order of ORDERS) {
    it(`order ${order}: exact ipix for every sample (ang2pix, vec2pix, wrapped lon)`, () => {
      const bad: string[] = [];
      for (const [lon, lat, expected] of reference.orders[order].ang2pix) {
        const got = ang2pix(order, lon, lat);
        if (got !== expected) bad.push(`ang2pix(${order}, ${lon}, ${lat}) = ${got}, healpy ${expected}`);
        const [x, y, z] = lonLatToVec(lon, lat);
        const gotV = vec2pix(order, x, y, z);
        if (gotV !== expected) bad.push(`vec2pix at (${lon}, ${lat}) = ${gotV}, healpy ${expected}`);
        const gotS = vec2pix(order, 7.5 * x, 7.5 * y, 7.5 * z);
        if (gotS !== expected) bad.push(`vec2pix(7.5 v) at (${lon}, ${lat}) = ${gotS}`);
        const gotW = ang2pix(order, lon - 720, lat);
        if (gotW !== expected) bad.push(`ang2pix(${order}, ${lon} - 720, ${lat}) = ${gotW}`);
      }
      expect(bad).toEqual([]);
    });
  }

  it('near the poles: interior points of the cells around the pole map back to their cell', () => {
    // guards the accurate 1 − |z| = cos²(lat)/(1 + |z|): computed as 1 − sin(lat) it picks wrong
    // cells within arcseconds of the pole from order ~20
    const rand = prng(11);
    const v = new Float64Array(3);
    const bad: string[] = [];
    for (const order of [16, 20, 22, 24]) {
      const n = nside(order);
      for (let i = 0; i < 2000; i++) {
        const face = Math.floor(rand() * 4) + (rand() < 0.5 ? 0 : 8);
        const k1 = Math.floor(rand() * 3);
        const k2 = Math.floor(rand() * 3);
        const ix = face < 4 ? n - 1 - k1 : k1;
        const iy = face < 4 ? n - 1 - k2 : k2;
        const ipix = xyf2nest(order, ix, iy, face);
        cellPointToVec(order, ipix, 0.001 + 0.998 * rand(), 0.001 + 0.998 * rand(), v);
        const lon = Math.atan2(v[1], v[0]) / DEG;
        const lat = Math.atan2(v[2], Math.hypot(v[0], v[1])) / DEG;
        const got = ang2pix(order, lon, lat);
        if (got !== ipix) bad.push(`order ${order} face ${face} ix ${ix} iy ${iy}: got ${got}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('poles and the lon 0 / 360 seam', () => {
    for (const order of [0, 5, 24]) {
      const n = 2 ** order;
      // exactly on the north pole: the cell of face floor(lon / 90) touching the pole
      expect(ang2pix(order, 10, 90)).toBe(xyf2nest(order, n - 1, n - 1, 0));
      expect(ang2pix(order, 100, 90)).toBe(xyf2nest(order, n - 1, n - 1, 1));
      expect(ang2pix(order, 10, -90)).toBe(xyf2nest(order, 0, 0, 8));
      expect(ang2pix(order, 0, 0.1)).toBe(ang2pix(order, 360, 0.1));
      expect(ang2pix(order, 0, 0.1)).toBe(ang2pix(order, -360, 0.1));
      expect(vec2pix(order, 0, 0, 1)).toBe(xyf2nest(order, n - 1, n - 1, 0));
    }
  });
});

describe('centres, vectors and corners against healpy', () => {
  for (const order of ORDERS) {
    it(`order ${order}: pix2ang within 1e-10 deg, pix2vec within 1e-12`, () => {
      for (const [ipix, lon, lat, x, y, z] of reference.orders[order].pix2ang) {
        const [gLon, gLat] = pix2ang(order, ipix);
        expect(gLon).toBeGreaterThanOrEqual(0);
        expect(gLon).toBeLessThan(360);
        expect(Math.abs(gLat - lat)).toBeLessThan(1e-10);
        let dLon = Math.abs(gLon - lon);
        if (dLon > 180) dLon = 360 - dLon;
        expect(dLon * Math.cos(lat * DEG)).toBeLessThan(1e-10);
        expect(angularDistanceDeg(gLon, gLat, lon, lat)).toBeLessThan(1e-10);
        const v = pix2vec(order, ipix);
        expect(Math.abs(v[0] - x)).toBeLessThan(1e-12);
        expect(Math.abs(v[1] - y)).toBeLessThan(1e-12);
        expect(Math.abs(v[2] - z)).toBeLessThan(1e-12);
      }
    });

    it(`order ${order}: corners in N, W, S, E order within 1e-9 deg of healpy.boundaries`, () => {
      for (const [ipix, hv] of reference.orders[order].boundaries) {
        const mine = corners(order, ipix);
        for (let k = 0; k < 4; k++) {
          const [lon, lat] = mine[k];
          expect(lon).toBeGreaterThanOrEqual(0);
          expect(lon).toBeLessThan(360);
          const h = hv[k];
          const hLat = Math.atan2(h[2], Math.hypot(h[0], h[1])) / DEG;
          expect(Math.abs(lat - hLat)).toBeLessThan(1e-9);
          expect(vecAngleDeg(lonLatToVec(lon, lat), h)).toBeLessThan(1e-9);
        }
      }
    });

    it(`order ${order}: nest2xyf equals healpy pix2xyf`, () => {
      for (const [ipix, face, ix, iy] of reference.orders[order].xyf) {
        expect(nest2xyf(order, ipix)).toEqual({ face, ix, iy });
        expect(xyf2nest(order, ix, iy, face)).toBe(ipix);
      }
    });
  }
});

describe('nest2xyf / xyf2nest / parent / children', () => {
  it('round trips at every order, including the last index', () => {
    const rand = prng(1);
    for (let order = 0; order <= HEALPIX_MAX_ORDER; order++) {
      const total = npix(order);
      const n = nside(order);
      const pixels = [0, total - 1, n * n - 1, n * n, 4 * n * n + 1];
      for (let i = 0; i < 300; i++) pixels.push(randomIndex(rand, total));
      for (const ipix of pixels) {
        const { face, ix, iy } = nest2xyf(order, ipix);
        expect(face).toBeGreaterThanOrEqual(0);
        expect(face).toBeLessThan(12);
        expect(ix).toBeGreaterThanOrEqual(0);
        expect(ix).toBeLessThan(n);
        expect(iy).toBeGreaterThanOrEqual(0);
        expect(iy).toBeLessThan(n);
        expect(xyf2nest(order, ix, iy, face)).toBe(ipix);
      }
      for (let i = 0; i < 100; i++) {
        const ix = Math.floor(rand() * n);
        const iy = Math.floor(rand() * n);
        const face = Math.floor(rand() * 12);
        expect(nest2xyf(order, xyf2nest(order, ix, iy, face))).toEqual({ face, ix, iy });
      }
      expect(nest2xyf(order, total - 1)).toEqual({ face: 11, ix: n - 1, iy: n - 1 });
    }
  });

  it('Morton layout: ix on even bits, iy on odd bits', () => {
    expect(xyf2nest(1, 1, 0, 0)).toBe(1);
    expect(xyf2nest(1, 0, 1, 0)).toBe(2);
    expect(xyf2nest(2, 3, 0, 0)).toBe(5);
    expect(xyf2nest(2, 0, 3, 0)).toBe(10);
    expect(xyf2nest(3, 0, 0, 5)).toBe(5 * 64);
    // 2^24 - 1 spread: all even bits of 48 bits set
    const n = 2 ** 24;
    expect(xyf2nest(24, n - 1, 0, 0)).toBe((4 ** 24 - 1) / 3);
    expect(xyf2nest(24, 0, n - 1, 0)).toBe(((4 ** 24 - 1) / 3) * 2);
    expect(xyf2nest(24, 2 ** 23, 2 ** 16, 11)).toBe(11 * 4 ** 24 + 2 ** 46 + 2 ** 33);
  });

  it('children are 4N..4N+3, one order down, and parent inverts them', () => {
    const rand = prng(2);
    for (let order = 0; order < HEALPIX_MAX_ORDER; order++) {
      const total = npix(order);
      for (let i = 0; i < 50; i++) {
        const ipix = i === 0 ? total - 1 : randomIndex(rand, total);
        const kids = children(ipix);
        expect(kids).toEqual([4 * ipix, 4 * ipix + 1, 4 * ipix + 2, 4 * ipix + 3]);
        const { face, ix, iy } = nest2xyf(order, ipix);
        kids.forEach((kid, k) => {
          expect(parent(kid)).toBe(ipix);
          expect(nest2xyf(order + 1, kid)).toEqual({ face, ix: 2 * ix + (k % 2), iy: 2 * iy + (k >> 1) });
        });
      }
    }
    expect(parent(0)).toBe(0);
    expect(parent(npix(24) - 1)).toBe(npix(23) - 1);
  });
});

describe('faceLocalToVec / cellPointToVec', () => {
  it('cell centre (u, v) = (0.5, 0.5) equals pix2vec at every order', () => {
    const rand = prng(3);
    for (let order = 0; order <= HEALPIX_MAX_ORDER; order++) {
      const total = npix(order);
      const n = nside(order);
      const pixels = [0, total - 1, n * n - 1, 8 * n * n];
      for (let i = 0; i < 200; i++) pixels.push(randomIndex(rand, total));
      for (const ipix of pixels) {
        const a = cellPointToVec(order, ipix, 0.5, 0.5);
        const b = pix2vec(order, ipix);
        for (let k = 0; k < 3; k++) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-14);
      }
    }
  });

  it('writes into `out` at `offset` without allocating, and returns it', () => {
    const out = new Float64Array(8);
    const r = faceLocalToVec(4, 0.5, 0.5, out, 2);
    expect(r).toBe(out);
    expect(Array.from(out.subarray(2, 5))).toEqual([1, 0, 0]);
    const arr = [9, 9, 9];
    expect(faceLocalToVec(0, 1, 1, arr)).toBe(arr);
    expect(arr).toEqual([0, 0, 1]);
    const fresh = faceLocalToVec(8, 0, 0);
    expect(Array.isArray(fresh)).toBe(true);
    expect(fresh).toEqual([0, 0, -1]);
    const o2 = new Float64Array(3);
    expect(cellPointToVec(3, 100, 0.25, 0.75, o2)).toBe(o2);
  });

  it('base-cell vertices: S (0,0), E (1,0), W (0,1), N (1,1)', () => {
    const z23 = Math.asin(2 / 3) / DEG;
    // face 4 is centred on lon 0 lat 0
    const cases: [number, number, number, number, number][] = [
      [4, 0.5, 0.5, 0, 0],
      [4, 0, 0, 0, -z23],
      [4, 1, 0, 45, 0],
      [4, 0, 1, 315, 0],
      [4, 1, 1, 0, z23],
      [0, 0, 0, 45, 0],
      [0, 1, 0, 90, z23],
      [0, 0, 1, 0, z23],
      [0, 0.5, 0.5, 45, z23],
      [9, 0.5, 0.5, 135, -z23],
      [9, 0, 0, 135, -90],
    ];
    const v = new Float64Array(3);
    for (const [face, x, y, lon, lat] of cases) {
      faceLocalToVec(face, x, y, v);
      expect(vecAngleDeg(v, lonLatToVec(lon, lat))).toBeLessThan(1e-12);
    }
  });

  it('is a unit vector, and interior points fall in their own cell (vec2pix)', () => {
    const rand = prng(4);
    const v = new Float64Array(3);
    for (const order of [0, 1, 2, 5, 10, 15, 20, 24]) {
      const total = npix(order);
      for (let i = 0; i < 300; i++) {
        const ipix = randomIndex(rand, total);
        const u = 0.01 + 0.98 * rand();
        const w = 0.01 + 0.98 * rand();
        cellPointToVec(order, ipix, u, w, v);
        expect(Math.abs(Math.hypot(v[0], v[1], v[2]) - 1)).toBeLessThan(1e-15);
        expect(vec2pix(order, v[0], v[1], v[2])).toBe(ipix);
      }
    }
  });

  it('near the poles (σ → 0) the deprojection stays accurate', () => {
    // the north-pole cell of face 0 at order 24 and a point 1e-3 cell in from the pole
    const order = 24;
    const n = nside(order);
    const ipix = xyf2nest(order, n - 1, n - 1, 0);
    const v = cellPointToVec(order, ipix, 1 - 1e-3, 1 - 1e-3);
    expect(vec2pix(order, v[0], v[1], v[2])).toBe(ipix);
    // distance from the pole: σ = (1 − x) + (1 − y) ≈ 2e-3/n with x = y = (n − 1 + u)/n as the
    // function computes it; cos(lat) = σ·√((2 − σ²/3)/3) ≈ σ·√(2/3), to full relative precision
    const x = (n - 1 + (1 - 1e-3)) / n;
    const sigma = 2 * (1 - x);
    const rho = Math.hypot(v[0], v[1]);
    expect(Math.abs(rho / (sigma * Math.sqrt(2 / 3)) - 1)).toBeLessThan(1e-14);
    // the same point through faceLocalToVec directly with an exact 1e-12 offset from the pole
    const w = faceLocalToVec(0, 1 - 2 ** -40, 1 - 2 ** -40);
    expect(Math.abs(Math.hypot(w[0], w[1]) / (2 ** -39 * Math.sqrt(2 / 3)) - 1)).toBeLessThan(1e-14);
    expect(Math.abs(Math.atan2(w[1], w[0]) / DEG - 45)).toBeLessThan(1e-12);
  });

  it('corners agree with cellPointToVec at the four vertices', () => {
    const rand = prng(5);
    for (const order of [0, 3, 12, 24]) {
      for (let i = 0; i < 50; i++) {
        const ipix = randomIndex(rand, npix(order));
        const c = corners(order, ipix);
        const uv = [
          [1, 1],
          [0, 1],
          [0, 0],
          [1, 0],
        ];
        for (let k = 0; k < 4; k++) {
          const p = cellPointToVec(order, ipix, uv[k][0], uv[k][1]);
          expect(vecAngleDeg(p, lonLatToVec(c[k][0], c[k][1]))).toBeLessThan(1e-12);
        }
      }
    }
  });
});

describe('cellRadiusDeg', () => {
  for (const key of Object.keys(reference.radius)) {
    const order = Number(key);
    it(`order ${order}: bounds the healpy boundary points (step 16) of every sampled cell`, () => {
      const { maxPixradDeg, cells } = reference.radius[key];
      const bound = cellRadiusDeg(order);
      let worst = 0;
      for (const [, d] of cells) worst = Math.max(worst, d);
      expect(worst).toBeLessThanOrEqual(bound);
      expect(maxPixradDeg).toBeLessThanOrEqual(bound);
      // and is not absurdly loose
      expect(worst / bound).toBeGreaterThan(0.7);
    });
  }

  it('bounds dense edge samples of every cell at orders 0..2 (own geometry)', () => {
    const v = new Float64Array(3);
    for (let order = 0; order <= 2; order++) {
      const bound = cellRadiusDeg(order);
      for (let ipix = 0; ipix < npix(order); ipix++) {
        const c = pix2vec(order, ipix);
        for (let i = 0; i <= 64; i++) {
          const s = i / 64;
          for (const [u, w] of [
            [s, 0],
            [s, 1],
            [0, s],
            [1, s],
          ]) {
            cellPointToVec(order, ipix, u, w, v);
            expect(vecAngleDeg(c, v)).toBeLessThanOrEqual(bound);
          }
        }
      }
    }
  });

  it('halves with each order', () => {
    for (let order = 1; order <= HEALPIX_MAX_ORDER; order++) {
      expect(cellRadiusDeg(order) * 2).toBeCloseTo(cellRadiusDeg(order - 1), 12);
    }
  });
});

describe('angularDistanceDeg', () => {
  it('known values, tiny and near-180 separations', () => {
    expect(angularDistanceDeg(0, 0, 90, 0)).toBeCloseTo(90, 12);
    expect(angularDistanceDeg(10, 90, 200, 0)).toBeCloseTo(90, 12);
    expect(angularDistanceDeg(0, 0, 180, 0)).toBeCloseTo(180, 12);
    expect(angularDistanceDeg(30, 20, 210, -20)).toBeCloseTo(180, 12);
    expect(angularDistanceDeg(0, 89.9, 180, 89.9)).toBeCloseTo(0.2, 12);
    expect(angularDistanceDeg(123, 45, 123, 45)).toBe(0);
    // tiny separations keep their relative precision
    expect(angularDistanceDeg(10, 20, 10, 20 + 1e-9) / 1e-9).toBeCloseTo(1, 6);
    expect(angularDistanceDeg(10, 0, 10 + 1e-9, 0) / 1e-9).toBeCloseTo(1, 6);
    expect(angularDistanceDeg(10, 60, 10 + 2e-9, 60) / 1e-9).toBeCloseTo(1, 6);
    expect(angularDistanceDeg(0, 90 - 1e-9, 180, 90 - 1e-9) / 2e-9).toBeCloseTo(1, 5);
    // near 180°
    expect(180 - angularDistanceDeg(0, 0, 180 - 1e-7, 0)).toBeCloseTo(1e-7, 12);
    // symmetric
    expect(angularDistanceDeg(1, 2, 3, 4)).toBeCloseTo(angularDistanceDeg(3, 4, 1, 2), 14);
  });
});

describe('argument checks', () => {
  it('throws RangeError with a clear message', () => {
    expect(() => nside(25)).toThrow(RangeError);
    expect(() => nside(25)).toThrow(/order must be an integer in 0\.\.24, got 25/);
    expect(() => npix(-1)).toThrow(RangeError);
    expect(() => npix(1.5)).toThrow(RangeError);
    expect(() => npix(Number.NaN)).toThrow(RangeError);
    expect(() => ang2pix(25, 0, 0)).toThrow(RangeError);
    expect(() => ang2pix(3, Number.NaN, 0)).toThrow(/finite/);
    expect(() => ang2pix(3, 0, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => ang2pix(3, 0, 90.0001)).toThrow(/latDeg in \[-90, 90\]/);
    expect(() => vec2pix(3, 0, 0, 0)).toThrow(RangeError);
    expect(() => vec2pix(3, Number.NaN, 0, 1)).toThrow(RangeError);
    expect(() => pix2ang(0, 12)).toThrow(/ipix must be an integer in 0\.\.11 at order 0, got 12/);
    expect(() => pix2ang(0, -1)).toThrow(RangeError);
    expect(() => pix2vec(1, 0.5)).toThrow(RangeError);
    expect(() => corners(2, 192)).toThrow(RangeError);
    expect(() => nest2xyf(24, npix(24))).toThrow(RangeError);
    expect(() => cellPointToVec(3, 768, 0.5, 0.5)).toThrow(RangeError);
    expect(() => xyf2nest(2, 4, 0, 0)).toThrow(RangeError);
    expect(() => xyf2nest(2, 0, -1, 0)).toThrow(RangeError);
    expect(() => xyf2nest(2, 0, 0, 12)).toThrow(/face/);
    expect(() => faceLocalToVec(12, 0, 0)).toThrow(RangeError);
    expect(() => faceLocalToVec(1.5, 0, 0)).toThrow(RangeError);
    expect(() => parent(-1)).toThrow(RangeError);
    expect(() => parent(2 ** 53)).toThrow(RangeError);
    expect(() => children(npix(24) - 1)).toThrow(/2\^53/);
    expect(() => cellRadiusDeg(30)).toThrow(RangeError);
  });
});
