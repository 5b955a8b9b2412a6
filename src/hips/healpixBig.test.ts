// healpixBig.ts / healpixRing.ts / neighbours.ts against healpy (test/fixtures/healpix/reference_big.json,
// made by test/fixtures/healpix/make_reference_big.py): every order 0..29.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ang2pix, pix2ang } from './healpix.js';
import {
  HEALPIX_MAX_ORDER_BIG,
  ang2pixBig,
  nest2xyfBig,
  npixBig,
  parentBig,
  pix2angBig,
  pix2vecBig,
  vec2pixBig,
  xyf2nestBig,
} from './healpixBig.js';
import {
  ang2pixRing,
  ang2pixRingBig,
  nest2ring,
  nest2ringBig,
  pix2angRing,
  pix2angRingBig,
  ring2nest,
  ring2nestBig,
} from './healpixRing.js';
import { neighbours, neighboursBig } from './neighbours.js';

interface OrderRecord {
  ang2pix: [number, number, string, string][];
  pix2ang: [string, number, number][];
  nest2ring: [string, string][];
  ring2nest: [string, string][];
  ringang: [string, number, number][];
  neighbours: [string, string[]][];
}
const ref = JSON.parse(
  readFileSync(new URL('../../test/fixtures/healpix/reference_big.json', import.meta.url), 'utf8'),
) as { orders: Record<string, OrderRecord> };
const ORDERS = Object.keys(ref.orders).map(Number);

/** Angular difference in degrees, longitudes compared modulo 360 and scaled by cos(lat). */
function angErrDeg(lon1: number, lat1: number, lon2: number, lat2: number): number {
  let dl = Math.abs(lon1 - lon2) % 360;
  if (dl > 180) dl = 360 - dl;
  return Math.max(Math.abs(lat1 - lat2), dl * Math.cos((lat1 * Math.PI) / 180));
}

describe('fixture coverage', () => {
  it('has every order 0..29', () => {
    expect(ORDERS).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(HEALPIX_MAX_ORDER_BIG).toBe(29);
  });
});

describe.each(ORDERS)('order %i', (order) => {
  const rec = ref.orders[String(order)];

  it('ang2pixBig / ang2pixRingBig match healpy (poles, face edges, RA wrap)', () => {
    let bad = 0;
    for (const [lon, lat, nest, ring] of rec.ang2pix) {
      const p = ang2pixBig(order, lon, lat);
      if (p !== BigInt(nest)) bad++;
      expect(p, `ang2pixBig(${order}, ${lon}, ${lat})`).toBe(BigInt(nest));
      expect(ang2pixRingBig(order, lon, lat), `ring ${lon} ${lat}`).toBe(BigInt(ring));
      if (order <= 24) {
        expect(ang2pix(order, lon, lat)).toBe(Number(nest));
        expect(ang2pixRing(order, lon, lat)).toBe(Number(ring));
      }
    }
    expect(bad).toBe(0);
    expect(rec.ang2pix.length).toBeGreaterThan(150);
  });

  it('pix2angBig matches healpy to 1e-10 deg and round-trips', () => {
    for (const [nest, lon, lat] of rec.pix2ang) {
      const ipix = BigInt(nest);
      const [l, b] = pix2angBig(order, ipix);
      expect(angErrDeg(l, b, lon, lat), `pix2angBig(${order}, ${nest})`).toBeLessThan(1e-10);
      expect(ang2pixBig(order, l, b)).toBe(ipix);
      const v = pix2vecBig(order, ipix);
      expect(vec2pixBig(order, v[0], v[1], v[2])).toBe(ipix);
      const { face, ix, iy } = nest2xyfBig(order, ipix);
      expect(xyf2nestBig(order, ix, iy, face)).toBe(ipix);
      if (order <= 24) {
        const [l2, b2] = pix2ang(order, Number(ipix));
        expect(angErrDeg(l, b, l2, b2)).toBeLessThan(1e-11);
      }
    }
  });

  it('nest2ring / ring2nest match healpy', () => {
    for (const [nest, ring] of rec.nest2ring) {
      expect(nest2ringBig(order, BigInt(nest)), `nest2ringBig(${order}, ${nest})`).toBe(BigInt(ring));
      if (order <= 24) expect(nest2ring(order, Number(nest))).toBe(Number(ring));
    }
    for (const [ring, nest] of rec.ring2nest) {
      expect(ring2nestBig(order, BigInt(ring)), `ring2nestBig(${order}, ${ring})`).toBe(BigInt(nest));
      if (order <= 24) expect(ring2nest(order, Number(ring))).toBe(Number(nest));
    }
  });

  it('pix2angRing matches healpy', () => {
    for (const [ring, lon, lat] of rec.ringang) {
      const [l, b] = pix2angRingBig(order, BigInt(ring));
      expect(angErrDeg(l, b, lon, lat), `pix2angRingBig(${order}, ${ring})`).toBeLessThan(1e-10);
      if (order <= 24) {
        const [l2, b2] = pix2angRing(order, Number(ring));
        expect(angErrDeg(l2, b2, lon, lat)).toBeLessThan(1e-10);
      }
    }
  });

  it('neighbours match healpy.get_all_neighbours (face corners, poles, 7-neighbour cells)', () => {
    for (const [nest, nb] of rec.neighbours) {
      const want = nb.map((v) => BigInt(v));
      expect(neighboursBig(order, BigInt(nest)), `neighboursBig(${order}, ${nest})`).toEqual(want);
      if (order <= 24) expect(neighbours(order, Number(nest))).toEqual(want.map(Number));
    }
  });
});

describe('ring scheme exhaustive at low orders', () => {
  it('nest2ring is a bijection and ring2nest its inverse (orders 0..6)', () => {
    let bad = 0;
    for (let order = 0; order <= 6; order++) {
      const n = 12 * 4 ** order;
      const seen = new Uint8Array(n);
      for (let p = 0; p < n; p++) {
        const r = nest2ring(order, p);
        if (seen[r] !== 0 || ring2nest(order, r) !== p) bad++;
        seen[r] = 1;
      }
    }
    expect(bad).toBe(0);
  }, 30_000);

  it('neighbour relation is symmetric (orders 0..5)', () => {
    let bad = 0;
    for (let order = 0; order <= 5; order++) {
      const n = 12 * 4 ** order;
      for (let p = 0; p < n; p++) {
        const nb = neighbours(order, p);
        // base cells (order 0) touch two 3-cell vertices; deeper cells at most one
        if (nb.filter((v) => v === -1).length > (order === 0 ? 2 : 1)) bad++;
        for (const q of nb) if (q >= 0 && order > 0 && !neighbours(order, q).includes(p)) bad++;
      }
    }
    expect(bad).toBe(0);
  }, 30_000);
});

describe('bad input', () => {
  it('throws RangeError naming the value', () => {
    expect(() => ang2pixBig(30, 0, 0)).toThrow(/order .*30/);
    expect(() => ang2pixBig(-1, 0, 0)).toThrow(RangeError);
    expect(() => ang2pixBig(3.5, 0, 0)).toThrow(/3\.5/);
    expect(() => ang2pixBig(10, Number.NaN, 0)).toThrow(/NaN/);
    expect(() => ang2pixBig(10, Infinity, 0)).toThrow(/Infinity/);
    expect(() => ang2pixBig(10, 0, 90.5)).toThrow(/90\.5/);
    expect(() => pix2angBig(29, npixBig(29))).toThrow(/3458764513820540928/);
    expect(() => pix2angBig(29, -1n)).toThrow(RangeError);
    expect(() => pix2angBig(29, 5 as unknown as bigint)).toThrow(RangeError);
    expect(() => nest2ring(25, 0)).toThrow(/25/);
    expect(() => nest2ring(3, 768)).toThrow(/768/);
    expect(() => ring2nest(3, 1.5)).toThrow(/1\.5/);
    expect(() => ang2pixRing(3, 0, Number.NaN)).toThrow(/NaN/);
    expect(() => neighbours(2, 192)).toThrow(/192/);
    expect(() => neighboursBig(29, -3n)).toThrow(/-3/);
    expect(() => vec2pixBig(3, 0, 0, 0)).toThrow(RangeError);
    expect(() => xyf2nestBig(29, 2 ** 29, 0, 0)).toThrow(/536870912/);
    expect(() => xyf2nestBig(2, 0, 0, 12)).toThrow(/12/);
    expect(() => parentBig(-1n)).toThrow(RangeError);
  });

  it('npixBig and parentBig', () => {
    expect(npixBig(29)).toBe(3458764513820540928n);
    expect(parentBig(1023n)).toBe(255n);
    expect(parentBig(npixBig(29) - 1n, 29)).toBe(11n);
  });
});
