// The pool's big-image path (decodeFitsBytes, run in a worker on transferred bytes) decodes
// BITPIX -32/-64 images in place: its float32 rows equal those of the normal decode (readImage /
// readImagePlane on an untouched copy, flipped top to bottom) bit for bit, for every HDU and plane
// of the fixtures; other BITPIX take the normal path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFits } from './fits/file.js';
import { decodeFitsBytes, flipRows } from './fitsTileDecode.js';

const FIX = new URL('../../test/fixtures/fits/', import.meta.url);

describe('decodeFitsBytes (pool big-image path)', () => {
  for (const [name, hduIndex, plane] of [
    ['bitpix-32.fits', 0, 0],
    ['bitpix-64_scaled.fits', 0, 0],
    ['cube4d.fits', 0, 3],
    ['mef.fits', 1, 0],
    ['mef.fits', 5, 0],
    ['gz_mef.fits.gz', 1, 0],
    ['bitpix16_scaled_blank.fits', 0, 0],
  ] as const) {
    it(`${name} HDU ${hduIndex} plane ${plane}: same float32 rows as the normal decode`, () => {
      const bytes = new Uint8Array(readFileSync(new URL(name, FIX)));
      const hdu = readFits(bytes).hdus[hduIndex]!;
      const img = hdu.naxes.length > 2 ? hdu.readImagePlane(plane) : hdu.readImage();
      const want = flipRows(img.data, img.shape[0]!, img.shape[1]!);
      const transferred = bytes.slice().buffer;
      const r = decodeFitsBytes(transferred, hduIndex, plane);
      if (r.status !== 'ok') throw new Error(`${r.status}: ${'message' in r ? r.message : ''}`);
      expect([r.width, r.height]).toEqual([img.shape[0], img.shape[1]]);
      const got = new Float32Array(r.values);
      expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(want.buffer));
      // the result is its own buffer (not a view on the file), so it can be transferred alone
      expect(r.values).not.toBe(transferred);
      expect(r.values.byteLength).toBe(want.byteLength);
      // in place only where the sizes agree: the transferred bytes changed exactly then (a gzip
      // file is decoded in place in its inflated copy, so its transferred bytes stay as they were)
      const changed = new Uint8Array(transferred).some((b, i) => b !== bytes[i]);
      expect(changed).toBe((hdu.bitpix === -32 || hdu.bitpix === -64) && !name.endsWith('.gz'));
    });
  }
});
