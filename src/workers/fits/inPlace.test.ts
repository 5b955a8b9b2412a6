// In-place decoding (readFits(bytes, { consume: true }) + readImage({ inPlace: true })) and
// decoding into a caller's array (readImage({ into })): bit-identical to the normal path (itself
// checked against astropy in image.test.ts / file.test.ts) on the astropy fixtures, real files
// of ../shared/data/fits_samples and random data (fast-check, both backends); the input is never
// written without the options; refusals name the reason; a multi-HDU file keeps every other
// HDU's bytes and header.
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FitsError } from './errors.js';
import { readFits } from './file.js';
import { setSimdEnabled } from './simd.js';
import { bytesSource, FitsStream } from './stream.js';

const FIXTURES = new URL('../../../test/fixtures/fits/', import.meta.url);
const SAMPLES = new URL('../../../../shared/data/fits_samples/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

/** A fresh ArrayBuffer holding exactly these bytes (what a worker owns after a transfer). */
const owned = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

/** Same bits (NaN payloads aside: a NaN stays NaN). */
function expectSameBits(got: Float32Array | Float64Array, want: Float32Array | Float64Array, what: string): void {
  expect(got.constructor, what).toBe(want.constructor);
  expect(got.length, what).toBe(want.length);
  const g = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
  const w = new Uint8Array(want.buffer, want.byteOffset, want.byteLength);
  for (let i = 0; i < got.length; i++) {
    if (Number.isNaN(want[i]) && Number.isNaN(got[i])) continue;
    const k = i * got.BYTES_PER_ELEMENT;
    for (let b = 0; b < got.BYTES_PER_ELEMENT; b++) if (g[k + b] !== w[k + b]) expect(`${what}: pixel ${i} = ${got[i]}`).toBe(`${what}: pixel ${i} = ${want[i]}`);
  }
}

/** A padded single-HDU FITS image with these big-endian data bytes. */
function makeFile(bitpix: -32 | -64, data: Uint8Array, nx: number, ny: number, cards: string[] = []): Uint8Array {
  const card = (s: string): string => s.padEnd(80, ' ');
  const head = [
    card('SIMPLE  =                    T'),
    card(`BITPIX  = ${String(bitpix).padStart(20)}`),
    card('NAXIS   =                    2'),
    card(`NAXIS1  = ${String(nx).padStart(20)}`),
    card(`NAXIS2  = ${String(ny).padStart(20)}`),
    ...cards.map(card),
    card('END'),
  ].join('');
  const headLen = Math.ceil(head.length / 2880) * 2880;
  const out = new Uint8Array(headLen + Math.ceil(data.length / 2880) * 2880);
  for (let i = 0; i < headLen; i++) out[i] = i < head.length ? head.charCodeAt(i) : 32;
  out.set(data, headLen);
  return out;
}

afterEach(() => setSimdEnabled(true));

describe('readImage({ inPlace: true })', () => {
  const cases = ['bitpix-32.fits', 'bitpix-32_scaled.fits', 'bitpix-64.fits', 'bitpix-64_scaled.fits', 'cube4d.fits', 'header_special.fits'];
  for (const backend of ['simd', 'js'] as const) {
    it(`gives the normal path's values bit for bit on the astropy fixtures (${backend})`, () => {
      setSimdEnabled(backend === 'simd');
      for (const name of cases) {
        const bytes = fixture(name);
        const want = readFits(bytes).firstImage()!.readImage();
        const buffer = owned(bytes);
        const got = readFits(buffer, { consume: true }).firstImage()!.readImage({ inPlace: true });
        expect(got.shape, name).toEqual(want.shape);
        expectSameBits(got.data, want.data, name);
        // the result is a view on the caller's buffer, at the data unit
        expect(got.data.buffer, name).toBe(buffer);
        expect(got.data.byteOffset, name).toBe(readFits(bytes).firstImage()!.dataOffset);
      }
    });
  }

  it('gives the normal path the same values on real files (fits_samples, BITPIX -32 and -64)', () => {
    const names = ['gc_msx_e.fits', 'spitzer_example_image.fits', 'l1448_13co.fits', 'gc_bolocam_gps.fits'];
    let checked = 0;
    for (const name of names) {
      const url = new URL(name, SAMPLES);
      if (!existsSync(url)) continue;
      const bytes = new Uint8Array(readFileSync(url));
      const hdu = readFits(bytes).firstImage()!;
      if (hdu.bitpix !== -32 && hdu.bitpix !== -64) continue;
      const want = hdu.readImage();
      const got = readFits(owned(bytes), { consume: true }).firstImage()!.readImage({ inPlace: true });
      expectSameBits(got.data, want.data, name);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('matches on random float32/float64 data with any BSCALE/BZERO, across chunk boundaries, both backends (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(-32 as const, -64 as const),
        fc.integer({ min: 1, max: 40000 }),
        fc.integer(),
        fc.option(fc.tuple(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.double({ noNaN: true, min: -1e6, max: 1e6 })), { nil: undefined }),
        fc.boolean(),
        (bitpix, n, seed, scaling, simd) => {
          setSimdEnabled(simd);
          const width = bitpix === -32 ? 4 : 8;
          const data = new Uint8Array(n * width);
          let s = seed >>> 0;
          for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
          const cards = scaling ? [`BSCALE  = ${scaling[0].toExponential(16).padStart(20)}`, `BZERO   = ${scaling[1].toExponential(16).padStart(20)}`] : [];
          const bytes = makeFile(bitpix, data, n, 1, cards);
          const want = readFits(bytes).primary.readImage();
          const got = readFits(owned(bytes), { consume: true }).primary.readImage({ inPlace: true });
          expectSameBits(got.data, want.data, `BITPIX ${bitpix}, ${n} px`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leaves the input untouched without the options (readFits and readImage with and without consume)', () => {
    const bytes = fixture('bitpix-32.fits');
    const before = bytes.slice();
    readFits(bytes).firstImage()!.readImage();
    readFits(bytes, { consume: true }).firstImage()!.readImage();
    readFits(bytes).firstImage()!.readImage({ inPlace: false });
    expect(bytes).toEqual(before);
  });

  it('only overwrites its own data unit of a multi-HDU file: headers and the other HDUs read as before', () => {
    const bytes = fixture('mef.fits');
    const ref = readFits(bytes);
    const buffer = owned(bytes);
    const file = readFits(buffer, { consume: true });
    const img = file.hdus[1]!;
    expect(img.bitpix).toBe(-32);
    const got = img.readImage({ inPlace: true });
    expectSameBits(got.data, ref.hdus[1]!.readImage().data, 'HDU 1');
    const after = new Uint8Array(buffer);
    const start = img.dataOffset;
    const end = img.dataOffset + img.dataLength;
    // every byte outside the data unit is unchanged (headers, padding, other HDUs)
    for (const [a, b] of [[0, start], [end, bytes.length]] as const) expect(after.subarray(a, b)).toEqual(bytes.subarray(a, b));
    // the other HDUs of the same FitsFile still decode as before
    expectSameBits(file.hdus[5]!.readImage().data, ref.hdus[5]!.readImage().data, 'HDU 5');
    const t = file.hdus[2]!.readTable();
    const tRef = ref.hdus[2]!.readTable();
    for (const { name } of tRef.columns) expect(t.column(name), name).toEqual(tRef.column(name));
    // and a fresh read of the same buffer sees the same headers
    expect(readFits(buffer).hdus.map((h) => h.header.cards.length)).toEqual(ref.hdus.map((h) => h.header.cards.length));
  });

  it('refuses to read a consumed HDU again (CONSUMED), naming the HDU', () => {
    const file = readFits(owned(fixture('mef.fits')), { consume: true });
    const img = file.hdus[1]!;
    img.readImage({ inPlace: true });
    for (const f of [() => img.readImage(), () => img.readImage({ inPlace: true }), () => img.readImagePlane(0), () => img.dataBytes()]) {
      expect(f).toThrowError(FitsError);
      expect(f).toThrowError(/HDU 1: its data bytes were overwritten by readImage\(\{ inPlace: true \}\)/);
    }
  });

  it('is refused by name where it cannot apply', () => {
    const refused = (f: () => unknown, re: RegExp): void => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FitsError);
      expect((err as FitsError).code).toBe('BAD_ARGUMENT');
      expect((err as FitsError).message).toMatch(re);
    };
    const f32 = fixture('bitpix-32.fits');
    // without consume
    refused(() => readFits(owned(f32)).primary.readImage({ inPlace: true }), /consume: true/);
    // a size change
    refused(() => readFits(owned(fixture('bitpix16.fits')), { consume: true }).primary.readImage({ inPlace: true }), /BITPIX = 16 -> float32 changes the size of a pixel/);
    refused(() => readFits(owned(f32), { consume: true }).primary.readImage({ inPlace: true, output: 'float64' }), /BITPIX = -32 -> float64/);
    refused(() => readFits(owned(fixture('bitpix-64.fits')), { consume: true }).primary.readImage({ inPlace: true, output: 'float32' }), /BITPIX = -64 -> float32/);
    // a tile-compressed image
    refused(() => readFits(owned(fixture('comp_f32_lossless.fits')), { consume: true }).firstImage()!.readImage({ inPlace: true }), /inPlace does not apply to a tile-compressed image/);
    // a SharedArrayBuffer
    const shared = new SharedArrayBuffer(f32.length);
    new Uint8Array(shared).set(f32);
    refused(() => readFits(shared, { consume: true }), /SharedArrayBuffer/);
    refused(() => readFits(new Uint8Array(shared), { consume: true }), /SharedArrayBuffer/);
    // a view into a bigger buffer (the rest may be someone else's, e.g. a Node Buffer pool)
    const big = new Uint8Array(f32.length + 16);
    big.set(f32, 8);
    refused(() => readFits(big.subarray(8, 8 + f32.length), { consume: true }), /view of bytes 8\.\.\d+ of a bigger buffer/);
    // with into, or a non-boolean
    refused(() => readFits(owned(f32), { consume: true }).primary.readImage({ inPlace: true, into: new Float32Array(100) }), /inPlace and into exclude each other/);
    refused(() => readFits(owned(f32), { consume: 'yes' as unknown as boolean }), /consume must be true or false/);
    // the streaming reader reads the bytes itself: both options refused, not ignored
    return FitsStream.open(bytesSource(f32)).then(async (stream) => {
      await expect(stream.readImagePlane(0, 0, { inPlace: true })).rejects.toThrowError(/FitsStream\.readImagePlane\(\) does not take the options inPlace or into/);
      await expect(stream.readImagePlane(0, 0, { into: new Float32Array(1 << 16) })).rejects.toThrowError(/does not take the options inPlace or into/);
    }).then(() => {
      // the refusals wrote nothing
      const buffer = owned(f32);
      const file = readFits(buffer, { consume: true });
      expect(() => file.primary.readImage({ inPlace: true, output: 'float64' })).toThrowError(FitsError);
      expect(new Uint8Array(buffer)).toEqual(f32);
      expect(file.primary.readImage().data).toEqual(readFits(f32).primary.readImage().data);
    });
  });

  it('decodes a gzip-compressed file in place in the inflated bytes (its own buffer)', () => {
    const bytes = fixture('gz_mef.fits.gz');
    const want = readFits(bytes).hdus[1]!;
    expect(want.bitpix).toBe(-32);
    const file = readFits(owned(bytes), { consume: true });
    expect(file.gzipped).toBe(true);
    expectSameBits(file.hdus[1]!.readImage({ inPlace: true }).data, want.readImage().data, 'gzip');
    expectSameBits(file.hdus[5]!.readImage().data, readFits(bytes).hdus[5]!.readImage().data, 'gzip HDU 5');
  });
});

describe('readImage({ into })', () => {
  const names = ['bitpix8.fits', 'bitpix8_scaled.fits', 'bitpix16.fits', 'bitpix16_blank.fits', 'bitpix16_uint.fits', 'bitpix32_scaled_blank.fits', 'bitpix64_uint.fits', 'bitpix64_blank.fits', 'bitpix-32.fits', 'bitpix-64_scaled.fits', 'cube4d.fits'];
  for (const backend of ['simd', 'js'] as const) {
    it(`writes the normal path's values into the caller's array, every BITPIX (${backend})`, () => {
      setSimdEnabled(backend === 'simd');
      for (const name of names) {
        const bytes = fixture(name);
        const before = bytes.slice();
        const hdu = readFits(bytes).firstImage()!;
        const want = hdu.readImage();
        const into = new (want.data.constructor as Float32ArrayConstructor)(want.data.length + 5).fill(7);
        const got = hdu.readImage({ into });
        expectSameBits(got.data, want.data, name);
        expect(got.data.buffer, name).toBe(into.buffer);
        expect(into[want.data.length], `${name}: elements past the image are left alone`).toBe(7);
        // reused: a second decode into the same array gives the same values
        expectSameBits(hdu.readImage({ into }).data, want.data, `${name} (reused)`);
        expect(bytes, name).toEqual(before);
      }
    });
  }

  it('decodes one plane of a cube into the array', () => {
    const hdu = readFits(fixture('cube4d.fits')).firstImage()!;
    const want = hdu.readImagePlane(1);
    const into = new Float32Array(want.data.length);
    expectSameBits(hdu.readImagePlane(1, { into }).data, want.data, 'plane 1');
  });

  it('is refused by name where it cannot apply', () => {
    const hdu = readFits(fixture('bitpix16.fits')).primary;
    const n = hdu.naxes.reduce((a, b) => a * b, 1);
    expect(() => hdu.readImage({ into: new Float32Array(n - 1) })).toThrowError(new RegExp(`the array has ${n - 1} elements, the image needs ${n}`));
    expect(() => hdu.readImage({ into: new Float32Array(n), output: 'float64' })).toThrowError(/a Float32Array does not match output: 'float64'/);
    expect(() => hdu.readImage({ into: new Int16Array(n) as unknown as Float32Array })).toThrowError(/expected a Float32Array or a Float64Array, got \[object Int16Array\]/);
    // overlapping its own input bytes
    const bytes = fixture('bitpix-64.fits');
    const file = readFits(bytes);
    const h = file.primary;
    const overlap = new Float64Array(bytes.buffer, bytes.byteOffset + h.dataOffset - 8, h.naxes.reduce((a, b) => a * b, 1));
    expect(() => h.readImage({ into: overlap })).toThrowError(/overlaps the input bytes/);
    expect(() => readFits(fixture('comp_f32_lossless.fits')).firstImage()!.readImage({ into: new Float32Array(1 << 20) })).toThrowError(/into does not apply to a tile-compressed image/);
  });
});
