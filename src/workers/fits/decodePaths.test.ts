// The fast decoding paths of image.ts (BITPIX 8 by TypedArray.set, BITPIX 16 by swapping word
// pairs into a scratch chunk, DataView for the rest and as the fallback for unaligned starts)
// against the FITS formula evaluated pixel by pixel with DataView (FITS 4.0 §5.2-5.3):
// physical = BZERO + BSCALE * stored, BLANK -> NaN, rounded once to the output type. Random data,
// pixel counts across the 16384-pixel chunk size (odd and even), every byte alignment of the data
// start, forced and 'auto' outputs, with and without scaling and BLANK. The astropy comparisons
// of every BITPIX x BSCALE/BZERO x BLANK combination are in image.test.ts. Both backends: the
// JavaScript paths and the WebAssembly SIMD kernels (simd.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePixels, type Bitpix, type DecodeBackend, type ImageLayout, type ImageOutput } from './image.js';

/** Both implementations: the JavaScript paths (fallback, oracle) and the WebAssembly SIMD kernels. */
const BACKENDS: DecodeBackend[] = ['js', 'simd'];

function layoutOf(bitpix: Bitpix, count: number, bscale: number, bzero: number, blank: bigint | undefined): ImageLayout {
  return {
    bitpix,
    naxes: [count],
    bscale,
    bzero,
    blank,
    storedType: 'scaled',
    autoOutput: bitpix === 8 || bitpix === 16 || bitpix === -32 ? 'float32' : 'float64',
    planePixels: count,
    planeCount: 1,
  };
}

/** The formula, one pixel at a time. */
function reference(bytes: Uint8Array, offset: number, count: number, layout: ImageLayout, output: ImageOutput): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset);
  const kind = output === 'auto' ? layout.autoOutput : output;
  const round = kind === 'float32' ? Math.fround : (x: number): number => x;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    let stored: number;
    let isBlank = false;
    switch (layout.bitpix) {
      case 8:
        stored = dv.getUint8(i);
        break;
      case 16:
        stored = dv.getInt16(2 * i);
        break;
      case 32:
        stored = dv.getInt32(4 * i);
        break;
      case 64: {
        const big = dv.getBigInt64(8 * i);
        isBlank = layout.blank === big;
        stored = Number(big);
        break;
      }
      case -32:
        stored = dv.getFloat32(4 * i);
        break;
      case -64:
        stored = dv.getFloat64(8 * i);
        break;
    }
    if (layout.bitpix !== 64 && layout.blank !== undefined && layout.bitpix > 0) isBlank = BigInt(stored) === layout.blank;
    // without scaling the stored value itself (keeps -0 of float data)
    const physical = layout.bscale === 1 && layout.bzero === 0 ? stored : layout.bzero + layout.bscale * stored;
    out.push(isBlank ? NaN : round(physical));
  }
  return out;
}

function expectSame(got: Float32Array | Float64Array, want: number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i]) && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      expect.fail(`${what}: pixel ${i} is ${got[i]}, expected ${want[i]}`);
    }
  }
}

const bitpixArb = fc.constantFrom<Bitpix>(8, 16, 32, 64, -32, -64);
const scalingArb = fc.oneof(
  fc.constant<[number, number]>([1, 0]),
  fc.constant<[number, number]>([1, 32768]),
  fc.constant<[number, number]>([1, -128]),
  fc.tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
);

describe('decodePixels paths vs the per-pixel formula', () => {
  it('random data, counts, byte alignments, scalings, BLANK and outputs', () => {
    fc.assert(
      fc.property(
        bitpixArb,
        fc.integer({ min: 0, max: 40000 }),
        fc.integer({ min: 0, max: 7 }),
        scalingArb,
        fc.boolean(),
        fc.constantFrom<ImageOutput>('auto', 'float32', 'float64'),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (bitpix, count, align, [bscale, bzero], withBlank, output, seed) => {
          const width = Math.abs(bitpix) / 8;
          const buf = new Uint8Array(align + count * width + 8);
          let s = seed;
          for (let i = 0; i < buf.length; i++) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            buf[i] = s >>> 24;
          }
          // finite floats: clear the top exponent bits of each value
          if (bitpix < 0) for (let i = align; i < align + count * width; i += width) buf[i]! &= 0xbf;
          let blank: bigint | undefined;
          if (withBlank && bitpix > 0 && count > 0) {
            // the first pixel's stored value, so that BLANK occurs
            const dv = new DataView(buf.buffer, align);
            blank = bitpix === 8 ? BigInt(dv.getUint8(0)) : bitpix === 16 ? BigInt(dv.getInt16(0)) : bitpix === 32 ? BigInt(dv.getInt32(0)) : dv.getBigInt64(0);
          }
          // the data may start anywhere in the buffer (Node Buffers from the pool are unaligned)
          const src = buf.subarray(align);
          const layout = layoutOf(bitpix, count, bscale, bzero, blank);
          const want = reference(src, 0, count, layout, output);
          for (const backend of BACKENDS) {
            const got = decodePixels(src, 0, count, layout, output, backend);
            expectSame(got, want, `${backend}: BITPIX ${bitpix}, ${count} px at byte ${align}, BSCALE ${bscale}, BZERO ${bzero}, BLANK ${blank}, ${output}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('BITPIX 16 across chunk boundaries: 16383..16385 and 3 * 16384 + 1 pixels, aligned and not', () => {
    for (const count of [1, 2, 3, 16383, 16384, 16385, 3 * 16384 + 1]) {
      for (const align of [0, 2, 4]) {
        const buf = new Uint8Array(align + 2 * count);
        for (let i = 0; i < buf.length; i++) buf[i] = (i * 2654435761) >>> 11;
        for (const [bscale, bzero] of [
          [1, 0],
          [1, 32768],
          [0.25, -7.5],
        ] as const) {
          const layout = layoutOf(16, count, bscale, bzero, undefined);
          for (const backend of BACKENDS) {
            const got = decodePixels(buf, align, count, layout, 'auto', backend);
            expectSame(got, reference(buf, align, count, layout, 'auto'), `${backend}: ${count} px at byte ${align}, BSCALE ${bscale}, BZERO ${bzero}`);
          }
        }
      }
    }
  });

  it('a big 16-bit decode after a small one reuses or grows the scratch chunk correctly', () => {
    const small = new Uint8Array(2 * 10).map((_, i) => i * 37);
    const big = new Uint8Array(2 * 50001).map((_, i) => (i * 101) ^ (i >> 8));
    for (const [bytes, count] of [
      [small, 10],
      [big, 50001],
      [small, 10],
    ] as const) {
      const layout = layoutOf(16, count, 1, 0, undefined);
      expectSame(decodePixels(bytes, 0, count, layout, 'auto', 'js'), reference(bytes, 0, count, layout, 'auto'), `${count} px`);
    }
  });
});
