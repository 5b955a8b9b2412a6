// The batch ang2pix / pix2ang against healpy's reference values (test/fixtures/healpix/
// reference.json, from make_reference.py) and, bit for bit, against the scalar functions on
// seeded random points including the poles, the face boundaries and the RA seam; bad input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ang2pix, pix2ang } from './healpix.js';
import { ang2pixBatch, pix2angBatch } from './healpixBatch.js';

interface Reference {
  orders: Record<string, { ang2pix: [number, number, number][]; pix2ang: [number, number, number, number, number, number][] }>;
}
const reference = JSON.parse(readFileSync(new URL('../../test/fixtures/healpix/reference.json', import.meta.url), 'utf8')) as Reference;

function points(count: number, seed: number): { lon: Float64Array; lat: Float64Array } {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const lon = new Float64Array(count);
  const lat = new Float64Array(count);
  const special = [90, -90, 41.810314895778596, -41.810314895778596, 45, -45, 0, 89.9999999999, -89.99999999];
  for (let i = 0; i < count; i++) {
    lon[i] = i % 7 === 0 ? 90 * Math.floor(u() * 5) - (i % 2) * 1e-12 : i % 11 === 0 ? -720 + u() * 1440 : 360 * u();
    lat[i] = i % 5 === 0 ? special[Math.floor(u() * special.length)] : (Math.asin(2 * u() - 1) * 180) / Math.PI;
  }
  return { lon, lat };
}

describe('ang2pixBatch / pix2angBatch', () => {
  for (const order of Object.keys(reference.orders).map(Number)) {
    it(`order ${order}: equal to healpy's indices; centres within 1e-10 deg`, () => {
      const rec = reference.orders[order];
      const lon = Float64Array.from(rec.ang2pix, (r) => r[0]);
      const lat = Float64Array.from(rec.ang2pix, (r) => r[1]);
      expect(Array.from(ang2pixBatch(order, lon, lat))).toEqual(rec.ang2pix.map((r) => r[2]));
      const { lonDeg, latDeg } = pix2angBatch(order, rec.pix2ang.map((r) => r[0]));
      rec.pix2ang.forEach((r, i) => {
        expect(Math.abs(latDeg[i] - r[2])).toBeLessThan(1e-10);
        if (Math.abs(r[2]) < 89.9) expect(Math.abs(((lonDeg[i] - r[1] + 540) % 360) - 180)).toBeLessThan(1e-10);
      });
    });
  }

  it('is bit for bit the scalar ang2pix, and pix2ang to 1e-12 deg, at every order 0..24', () => {
    const { lon, lat } = points(4000, 5);
    for (let order = 0; order <= 24; order++) {
      const pix = ang2pixBatch(order, lon, lat);
      for (let i = 0; i < lon.length; i++) expect(pix[i], `order ${order} point ${lon[i]},${lat[i]}`).toBe(ang2pix(order, lon[i], lat[i]));
      const { lonDeg, latDeg } = pix2angBatch(order, pix);
      for (let i = 0; i < pix.length; i++) {
        const [a, b] = pix2ang(order, pix[i]);
        expect(lonDeg[i]).toBe(a);
        expect(Math.abs(latDeg[i] - b)).toBeLessThan(1e-12);
      }
    }
  });

  it('writes into 32-bit arrays while the indices fit, and into given outputs without allocating', () => {
    const { lon, lat } = points(500, 9);
    const i32 = ang2pixBatch(13, lon, lat, new Int32Array(500));
    expect(Array.from(i32)).toEqual(Array.from(ang2pixBatch(13, lon, lat)));
    const u32 = ang2pixBatch(14, lon, lat, new Uint32Array(500));
    expect(Array.from(u32)).toEqual(Array.from(ang2pixBatch(14, lon, lat)));
    const outLon = new Float64Array(500);
    const outLat = new Float64Array(500);
    const r = pix2angBatch(13, i32, outLon, outLat);
    expect(r.lonDeg).toBe(outLon);
    expect(r.latDeg).toBe(outLat);
  });

  it('says which point is bad', () => {
    const lon = Float64Array.of(10, 20, 30);
    expect(() => ang2pixBatch(5, lon, Float64Array.of(0, NaN, 0))).toThrow(/point 1 needs a finite lon and lat in \[-90, 90\], got lonDeg=20 latDeg=NaN/);
    expect(() => ang2pixBatch(5, Float64Array.of(0, 0, Infinity), Float64Array.of(0, 0, 0))).toThrow(/point 2 .* lonDeg=Infinity/);
    expect(() => ang2pixBatch(5, lon, Float64Array.of(0, 0, 90.5))).toThrow(/point 2 .* latDeg=90.5/);
    expect(() => ang2pixBatch(5, lon, Float64Array.of(0))).toThrow(/3 longitudes but 1 latitudes/);
    expect(() => ang2pixBatch(25, lon, lon)).toThrow(/order must be an integer in 0..24, got 25/);
    expect(() => ang2pixBatch(16, lon, Float64Array.of(0, 0, 0), new Int32Array(3))).toThrow(/do not fit an Int32Array/);
    expect(() => ang2pixBatch(5, lon, Float64Array.of(0, 0, 0), new Float64Array(2))).toThrow(/holds 2 values, 3 needed/);
    expect(() => pix2angBatch(1, [0, 48])).toThrow(/index 1 must be an integer in 0..47 at order 1, got 48/);
    expect(() => pix2angBatch(1, [0.5])).toThrow(/index 0 must be an integer/);
    expect(() => pix2angBatch(1, [NaN])).toThrow(/got NaN/);
  });
});
