// The WebAssembly paths (simd.ts: SIMD pixel kernels and the Rice kernel) against the JavaScript
// paths they replace, which are the oracle (themselves checked against astropy in image.test.ts,
// compressed.test.ts and decodePaths.test.ts). Bit-identical results are required: every value
// with the same bits, NaN at the same pixels (NaN payloads are not promised). Inputs: the
// astropy-referenced fixtures (test/fixtures/fits, ../shared/data/fits_samples), random data
// with NaN, infinities, signed zeros, subnormals, extreme integers and BLANK values, pixel counts
// around the 64 KiB chunk, every byte alignment; random and mutated Rice streams. Also: the
// committed module matches its generator, and the header cache returns what parseHeader returns.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FitsError } from './errors.js';
import { readFits } from './file.js';
import { parseHeader } from './header.js';
import { parseHeaderCached } from './headerCache.js';
import { decodePixels, type Bitpix, type ImageLayout, type ImageOutput } from './image.js';
import { riceBadCode, riceDecompress, riceStreamEnded } from './rice.js';
import { riceDecompressSimd, setSimdEnabled, simdStatus } from './simd.js';

const REPO = new URL('../../../', import.meta.url);
const FIXTURES = new URL('test/fixtures/fits/', REPO);
const SAMPLES = new URL('../shared/data/fits_samples/', REPO);
const BITPIXES: Bitpix[] = [8, 16, 32, 64, -32, -64];

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

/** Index of the first pixel where a and b differ (bits, or NaN-ness), or -1. */
function firstDifference(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  if (a.constructor !== b.constructor || a.length !== b.length) return 0;
  const wa = a instanceof Float64Array ? new BigUint64Array(a.buffer, a.byteOffset, a.length) : new Uint32Array(a.buffer, a.byteOffset, a.length);
  const wb = b instanceof Float64Array ? new BigUint64Array(b.buffer, b.byteOffset, b.length) : new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    if (wa[i] !== wb[i]) return i;
  }
  return -1;
}

function expectSame(bytes: Uint8Array, offset: number, count: number, layout: ImageLayout, output: ImageOutput, what: string): void {
  const js = decodePixels(bytes, offset, count, layout, output, 'js');
  const wasm = decodePixels(bytes, offset, count, layout, output, 'simd');
  const i = firstDifference(js, wasm);
  expect(i, `${what}: pixel ${i}: JavaScript ${js[i]}, WebAssembly ${wasm[i]}`).toBe(-1);
}

/** Big-endian bytes of special values for a BITPIX, and BLANK values worth testing. */
function specials(bitpix: Bitpix): { bytes: number[][]; blanks: (bigint | undefined)[] } {
  const be = (n: number, f: (dv: DataView) => void): number[] => {
    const dv = new DataView(new ArrayBuffer(n));
    f(dv);
    return [...new Uint8Array(dv.buffer)];
  };
  switch (bitpix) {
    case 8:
      return { bytes: [[0], [255], [128], [127]], blanks: [undefined, 0n, 255n, 128n, 300n] };
    case 16:
      return { bytes: [-32768, 32767, -1, 0].map((v) => be(2, (d) => d.setInt16(0, v))), blanks: [undefined, -32768n, 32767n, -1n, 40000n] };
    case 32:
      return { bytes: [-2147483648, 2147483647, -1, 0].map((v) => be(4, (d) => d.setInt32(0, v))), blanks: [undefined, -2147483648n, 2147483647n, 0n, 4294967295n] };
    case 64:
      return {
        bytes: [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 2n ** 53n + 1n, -(2n ** 53n) - 1n].map((v) => be(8, (d) => d.setBigInt64(0, v))),
        blanks: [undefined, -(2n ** 63n), 2n ** 63n - 1n, -1n, 2n ** 53n + 1n],
      };
    case -32:
      return {
        bytes: [NaN, Infinity, -Infinity, 0, -0, 1.4e-45, -1.1754942e-38, 3.4028235e38].map((v) => be(4, (d) => d.setFloat32(0, v))).concat([[0x7f, 0x80, 0x00, 0x01], [0xff, 0xc1, 0x23, 0x45]]),
        blanks: [undefined],
      };
    case -64:
      return {
        bytes: [NaN, Infinity, -Infinity, 0, -0, 5e-324, -2.2250738585072e-308, 1.7976931348623157e308, 1e300].map((v) => be(8, (d) => d.setFloat64(0, v))).concat([[0x7f, 0xf0, 0, 0, 0, 0, 0, 1]]),
        blanks: [undefined],
      };
  }
}

/** Scalings: none, fractional, large, the unsigned convention of the BITPIX, negative. */
function scalings(bitpix: Bitpix): [number, number][] {
  const unsigned: Record<number, number> = { 8: -128, 16: 32768, 32: 2147483648, 64: 2 ** 63, [-32]: 0, [-64]: 0 };
  return [
    [1, 0],
    [0.1, -3.5],
    [1e30, 1e-30],
    [1, unsigned[bitpix]!],
    [-2.5, 7],
  ];
}

describe('WebAssembly SIMD pixel kernels', () => {
  it('are available in Node (SIMD validates and instantiates)', () => {
    expect(simdStatus()).toEqual({ state: 'ready', reason: '' });
  });

  it('match the JavaScript paths on random data with special values, every scaling, BLANK and output', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BITPIXES),
        fc.uint8Array({ minLength: 0, maxLength: 700 }),
        fc.nat(15),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 }),
        fc.nat(4),
        fc.nat(5),
        fc.constantFrom<ImageOutput>('auto', 'float32', 'float64'),
        (bitpix, random, offset, inject, scaleIndex, blankIndex, output) => {
          const width = Math.abs(bitpix) / 8;
          const count = Math.floor(random.length / width);
          const bytes = new Uint8Array(offset + count * width);
          bytes.set(random.subarray(0, count * width), offset);
          const sp = specials(bitpix);
          // put special values at random pixels
          for (const [p, k] of inject) if (count > 0) bytes.set(sp.bytes[k % sp.bytes.length]!, offset + (p % count) * width);
          const [bscale, bzero] = scalings(bitpix)[scaleIndex]!;
          const blank = sp.blanks[blankIndex % sp.blanks.length];
          expectSame(bytes, offset, count, layoutOf(bitpix, count, bscale, bzero, blank), output, `BITPIX ${bitpix}, ${count} px at +${offset}, BSCALE ${bscale}, BZERO ${bzero}, BLANK ${blank}, ${output}`);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('match across the 64 KiB chunk boundary and for every special value in every case', () => {
    for (const bitpix of BITPIXES) {
      const width = Math.abs(bitpix) / 8;
      const sp = specials(bitpix);
      for (const count of [65536 / width - 1, 65536 / width, 65536 / width + 3, (3 * 65536) / width + 5]) {
        const bytes = new Uint8Array(1 + count * width);
        let s = 12345 + count;
        for (let i = 0; i < bytes.length; i++) bytes[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
        // special values every 97 pixels, including the last pixel and each chunk's edges
        for (let p = 0, k = 0; p < count; p += 97, k++) bytes.set(sp.bytes[k % sp.bytes.length]!, 1 + p * width);
        bytes.set(sp.bytes[0]!, 1 + (count - 1) * width);
        for (const [bscale, bzero] of scalings(bitpix)) {
          for (const blank of sp.blanks) {
            for (const output of ['float32', 'float64'] as const) {
              expectSame(bytes, 1, count, layoutOf(bitpix, count, bscale, bzero, blank), output, `BITPIX ${bitpix}, ${count} px, BSCALE ${bscale}, BZERO ${bzero}, BLANK ${blank}, ${output}`);
            }
          }
        }
      }
    }
  });

  it('match on every image of the astropy-referenced fixtures and real sample files', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => /^(bitpix|cube|unpadded|mef)/.test(f) && f.endsWith('.fits'))
      .map((f) => new URL(f, FIXTURES));
    if (existsSync(SAMPLES)) for (const f of readdirSync(SAMPLES).filter((f) => f.endsWith('.fits'))) files.push(new URL(f, SAMPLES));
    let images = 0;
    for (const url of files) {
      const fits = readFits(new Uint8Array(readFileSync(url)));
      for (const hdu of fits.hdus) {
        if (hdu.type !== 'image') continue;
        const layout = hdu.imageLayout();
        const count = layout.planePixels * layout.planeCount;
        const bytes = (hdu as unknown as { bytes: Uint8Array }).bytes;
        for (const output of ['auto', 'float32', 'float64'] as const) expectSame(bytes, hdu.dataOffset, count, layout, output, `${url.pathname.split('/').pop()} HDU ${hdu.index}`);
        images++;
      }
    }
    expect(images).toBeGreaterThan(30);
  });

  it('decodePixels picks WebAssembly by default and gives the astropy values through it (image.test.ts covers them)', () => {
    const fits = readFits(new Uint8Array(readFileSync(new URL('bitpix16_scaled_blank.fits', FIXTURES))));
    const hdu = fits.firstImage()!;
    const a = hdu.readImage().data;
    const b = decodePixels((hdu as unknown as { bytes: Uint8Array }).bytes, hdu.dataOffset, a.length, hdu.imageLayout(), 'auto', 'simd');
    expect(firstDifference(a, b)).toBe(-1);
  });
});

/** Tile lengths of a tile-compressed image, in row order (first axis fastest). */
function tileLengths(znaxes: number[], ztile: number[]): number[] {
  const ntiles = ztile.map((t, k) => Math.ceil(znaxes[k]! / t));
  const total = ntiles.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let row = 0; row < total; row++) {
    let rem = row;
    let len = 1;
    for (let k = 0; k < znaxes.length; k++) {
      const i = rem % ntiles[k]!;
      rem = Math.floor(rem / ntiles[k]!);
      len *= Math.min(ztile[k]!, znaxes[k]! - i * ztile[k]!);
    }
    out.push(len);
  }
  return out;
}

/** JavaScript and WebAssembly Rice decoding of one stream: the same pixels, or the same error. */
function riceBoth(input: Uint8Array, n: number, blocksize: number, bytepix: 1 | 2 | 4): { js: Int32Array | string; wasm: Int32Array | string } {
  const js = new Int32Array(n);
  const wasm = new Int32Array(n);
  let jsResult: Int32Array | string = js;
  try {
    riceDecompress(input, js, n, blocksize, bytepix, 'tile');
  } catch (e) {
    if (!(e instanceof FitsError)) throw e;
    jsResult = e.message;
  }
  const r = riceDecompressSimd(input, wasm, n, blocksize, bytepix);
  expect(r).toBeDefined();
  return { js: jsResult, wasm: r === 'ok' ? wasm : r === 'ended' ? riceStreamEnded('tile', input.length, n).message : riceBadCode('tile').message };
}

describe('WebAssembly Rice kernel', () => {
  const riceFiles = readdirSync(FIXTURES)
    .filter((f) => f.includes('rice') || /^comp_(f32_(dither|nodither|lossless|whole)|cube|u16)/.test(f))
    .map((f) => new URL(f, FIXTURES));
  if (existsSync(SAMPLES)) for (const f of ['comp.fits', 'compressed_image.fits', 'compressed_float_bzero.fits']) riceFiles.push(new URL(f, SAMPLES));

  it('decodes every tile of the RICE_1 fixtures exactly as the JavaScript decoder', () => {
    let tiles = 0;
    for (const url of riceFiles) {
      if (!existsSync(url)) continue;
      for (const hdu of readFits(new Uint8Array(readFileSync(url))).hdus) {
        const info = hdu.compression;
        if (info?.zcmptype !== 'RICE_1') continue;
        const table = hdu.readTable();
        const col = table.getColumn('COMPRESSED_DATA')!;
        const lengths = tileLengths(info.znaxes, info.ztile);
        for (let row = 0; row < lengths.length; row++) {
          const data = table.heapBytes(col, row);
          if (data.length === 0) continue;
          const { js, wasm } = riceBoth(data, lengths[row]!, info.blocksize, info.bytepix as 1 | 2 | 4);
          expect(typeof js, `${url.pathname} tile ${row}`).not.toBe('string');
          expect(wasm, `${url.pathname} tile ${row}`).toEqual(js);
          tiles++;
        }
      }
    }
    expect(tiles).toBeGreaterThan(20);
  });

  it('agrees with the JavaScript decoder on random and truncated streams (same pixels or the same error)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 400 }), fc.constantFrom(1, 2, 4, 16, 32), fc.constantFrom<1 | 2 | 4>(1, 2, 4), (input, n, blocksize, bytepix) => {
        const { js, wasm } = riceBoth(input, n, blocksize, bytepix);
        expect(wasm).toEqual(js);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on real tiles cut short or with flipped bytes', () => {
    const url = riceFiles.find((u) => u.pathname.endsWith('comp_i16_rice.fits'))!;
    const hdu = readFits(new Uint8Array(readFileSync(url))).hdus.find((h) => h.compression?.zcmptype === 'RICE_1')!;
    const info = hdu.compression!;
    const table = hdu.readTable();
    const data = table.heapBytes(table.getColumn('COMPRESSED_DATA')!, 0).slice();
    const n = tileLengths(info.znaxes, info.ztile)[0]!;
    fc.assert(
      fc.property(fc.nat(data.length), fc.array(fc.tuple(fc.nat(data.length - 1), fc.nat(255)), { maxLength: 4 }), (cut, flips) => {
        const mutated = data.slice(0, cut);
        for (const [p, v] of flips) if (p < mutated.length) mutated[p] = v;
        const { js, wasm } = riceBoth(mutated, n, info.blocksize, info.bytepix as 1 | 2 | 4);
        expect(wasm).toEqual(js);
      }),
      { numRuns: 500 },
    );
  });
});

describe('whole files through WebAssembly and through JavaScript (setSimdEnabled)', () => {
  it('readImage gives the same bits for every image and tile-compressed image of the fixtures and samples', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.fits') || f.endsWith('.fits.gz'))
      .map((f) => new URL(f, FIXTURES));
    if (existsSync(SAMPLES)) for (const f of readdirSync(SAMPLES).filter((f) => f.endsWith('.fits'))) files.push(new URL(f, SAMPLES));
    const decodeAll = (): Map<string, Float32Array | Float64Array> => {
      const out = new Map<string, Float32Array | Float64Array>();
      for (const url of files) {
        const fits = readFits(new Uint8Array(readFileSync(url)));
        for (const hdu of fits.hdus) {
          if (!hdu.hasImage) continue;
          for (const output of ['auto', 'float64'] as const) {
            try {
              out.set(`${url.pathname.split('/').pop()} HDU ${hdu.index} ${output}`, hdu.readImage({ output }).data);
            } catch (e) {
              if (!(e instanceof FitsError)) throw e;
            }
          }
        }
      }
      return out;
    };
    setSimdEnabled(false);
    let js: Map<string, Float32Array | Float64Array>;
    try {
      expect(simdStatus().state).toBe('unavailable');
      js = decodeAll();
    } finally {
      setSimdEnabled(true);
    }
    expect(simdStatus().state).toBe('ready');
    const wasm = decodeAll();
    expect([...wasm.keys()]).toEqual([...js.keys()]);
    expect([...js.keys()].filter((k) => k.startsWith('comp_')).length).toBeGreaterThan(40);
    for (const [key, a] of js) expect(firstDifference(a, wasm.get(key)!), key).toBe(-1);
  });
});

describe('header cache', () => {
  it('returns what parseHeader returns, for identical and different headers, at any offset', () => {
    const a = new Uint8Array(readFileSync(new URL('bitpix16.fits', FIXTURES)));
    const b = new Uint8Array(readFileSync(new URL('bitpix-32.fits', FIXTURES)));
    for (const [bytes, offset] of [[a, 0], [a, 0], [b, 0], [a, 0]] as const) {
      const want = parseHeader(bytes, offset, { context: 'HDU 0' });
      const got = parseHeaderCached(bytes, offset, { context: 'HDU 0' });
      expect(got.endCardOffset).toBe(want.endCardOffset);
      expect(got.paddedEnd).toBe(want.paddedEnd);
      expect(got.header.entries).toEqual(want.header.entries);
      expect(got.header.cards).toEqual(want.header.cards);
    }
    // the same header at another offset: offsets move with it, the header object is reused
    const shifted = new Uint8Array(a.length + 2880);
    shifted.set(a, 2880);
    const first = parseHeaderCached(a, 0, { context: 'HDU 0' });
    const moved = parseHeaderCached(shifted, 2880, { context: 'HDU 0' });
    expect(moved.header).toBe(first.header);
    expect(moved.endCardOffset).toBe(first.endCardOffset + 2880);
    expect(moved.paddedEnd).toBe(first.paddedEnd + 2880);
    // a different context (it appears in warnings) or a one-byte change is a miss
    expect(parseHeaderCached(a, 0, { context: 'HDU 1' }).header).not.toBe(first.header);
    const changed = a.slice();
    changed[80 + 28] = 0x36; // BITPIX 16 -> 66 (columns 29-30 of card 2): a new parse, and its error
    expect(() => readFits(changed)).toThrow(/BITPIX = 66/);
  });

  it('keeps errors: a header without END in a file that shares its first cards', () => {
    const a = new Uint8Array(readFileSync(new URL('bitpix16.fits', FIXTURES)));
    readFits(a);
    const noEnd = a.slice(0, 400);
    expect(() => readFits(noEnd)).toThrow(FitsError);
  });
});

describe('generated module', () => {
  it('src/workers/fits/simd.wat and simdModule.ts are what scripts/gen-fits-simd.mjs generates', () => {
    const out = execFileSync(process.execPath, [new URL('scripts/gen-fits-simd.mjs', REPO).pathname, '--check'], { encoding: 'utf8' });
    expect(out).toContain('up to date');
  });
});
