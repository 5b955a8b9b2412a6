import { describe, expect, it } from 'vitest';
import { decodePixels, type Bitpix, type ImageLayout } from './image.js';
import { simdStatus } from './simd.js';
describe('q', () => {
  it('works', () => {
    expect(simdStatus()).toEqual({ state: 'ready', reason: '' });
    const bytes = new Uint8Array(8 * 1000 + 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) & 255;
    for (const bitpix of [8, 16, 32, 64, -32, -64] as Bitpix[]) for (const out of ['float32', 'float64'] as const) for (const [bscale, bzero] of [[1, 0], [2.5, -3], [1, 32768], [1, 2 ** 63]]) for (const blank of [undefined, 7n]) {
      const layout: ImageLayout = { bitpix, naxes: [999], bscale: bscale!, bzero: bzero!, blank: bitpix > 0 ? blank : undefined, storedType: 'scaled', autoOutput: 'float32', planePixels: 999, planeCount: 1 };
      const n = Math.floor(7000 / (Math.abs(bitpix) / 8));
      const a = decodePixels(bytes, 3, n, layout, out, 'js');
      const b = decodePixels(bytes, 3, n, layout, out, 'simd');
      let bad = 0;
      for (let i = 0; i < n; i++) if (!(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) { if (bad++ < 3) console.log(bitpix, out, bscale, bzero, blank, i, a[i], b[i]); }
      expect(bad).toBe(0);
    }
  });
});
