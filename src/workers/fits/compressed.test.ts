// Tile-compressed images (RICE_1, GZIP_1, GZIP_2, NOCOMPRESS; quantized floats with
// NO_DITHER / SUBTRACTIVE_DITHER_1 / SUBTRACTIVE_DITHER_2; 2-D and 3-D tiles; GZIP_COMPRESSED_DATA
// and UNCOMPRESSED_DATA tiles) and gzip-compressed files, against the pixels astropy
// decompresses from the same files (test/fixtures/fits/make_compressed.py ->
// compressed_expected.json); bad compressed data.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ditherSequence } from './compressed.js';
import { FitsError } from './errors.js';
import { readFits } from './file.js';
import { crc32 } from './inflate.js';
import { riceDecompress } from './rice.js';
import { plioDecompress } from './plio.js';
import { hcompressDecompress } from './hcompress.js';

const FIXTURES = new URL('../../../test/fixtures/fits/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

interface Expected {
  compression?: { ZCMPTYPE: string; ZQUANTIZ: string | null; ZDITHER0: number | null; ZBITPIX: number; ZTILE: number[]; ZNAXIS: number[]; columns: string[] };
  note?: string;
  unsupported?: boolean;
  image?: { shape: number[]; crc: number; samples: Array<[number, unknown]>; stats: { min: number | null; max: number | null; count: number; nonFinite: number } };
  gunzipOf?: string;
  size?: number;
  crc?: number;
}
const expected = JSON.parse(readFileSync(new URL('compressed_expected.json', FIXTURES), 'utf8')) as { files: Record<string, Expected> };

function num(v: unknown): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === '-0') return -0;
  return v as number;
}

function f64Crc(values: ArrayLike<number>): number {
  const b = new Uint8Array(values.length * 8);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) dv.setUint32(8 * i, 0x7ff80000);
    else dv.setFloat64(8 * i, v);
  }
  return crc32(b);
}

function expectFitsError(f: () => unknown, code: string, message?: RegExp): FitsError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a FitsError').toBeInstanceOf(FitsError);
  expect((err as FitsError).code, (err as Error).message).toBe(code);
  if (message) expect((err as FitsError).message).toMatch(message);
  return err as FitsError;
}

function expectAnyFitsError(f: () => unknown): FitsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FitsError);
    return e as FitsError;
  }
  throw new Error('no error');
}

describe('dither random sequence', () => {
  it('is the Park & Miller sequence of the tiled-image convention (float32)', () => {
    const r = ditherSequence();
    expect(r).toHaveLength(10000);
    expect(r[0]).toBe(Math.fround(16807 / 2147483647));
    expect(r[1]).toBe(Math.fround(282475249 / 2147483647));
    // the seed index is floor(r * 500): float32 and float64 products give the same integer
    for (let i = 0; i < r.length; i++) expect(Math.trunc(Math.fround(r[i]! * 500)), `r[${i}]`).toBe(Math.trunc(r[i]! * 500));
    expect(ditherSequence()).toBe(r); // computed once
  });
});

describe('Rice decoder on hand-made streams', () => {
  it('decodes low-entropy, high-entropy and normal blocks, and refuses short streams', () => {
    const out = new Int32Array(8);
    // bytepix 1: first value 5, FS code 000 (fs = -1): the whole block repeats the value
    riceDecompress(new Uint8Array([5, 0]), out, 3, 32, 1, 't');
    expect(Array.from(out.subarray(0, 3))).toEqual([5, 5, 5]);
    // FS code 111 (fs = 6 = max for bytepix 1): raw 8-bit zig-zag differences 2, 1, 4 = +1, -1, +2
    // bits: 111 00000010 00000001 00000100 (+ padding)
    riceDecompress(new Uint8Array([10, 0b11100000, 0b01000000, 0b00100000, 0b10000000]), out, 3, 32, 1, 't');
    expect(Array.from(out.subarray(0, 3))).toEqual([11, 10, 12]);
    // bytepix 2: first value -2 (0xfffe), FS code 0010 (fs = 1); differences 0, +3 (zig-zag 6 =
    // unary 3 then low bit 0), -1 (zig-zag 1 = unary 0 then 1), wrapping: 0001 1 0... -> bits
    // 0010 | 1 0 | 0001 0 | 1 1
    riceDecompress(new Uint8Array([0xff, 0xfe, 0b00101000, 0b01011000]), out, 3, 32, 2, 't');
    expect(Array.from(out.subarray(0, 3))).toEqual([-2, 1, 0]);
    expectFitsError(() => riceDecompress(new Uint8Array([5]), out, 40, 32, 1, 'tile 7'), 'BAD_DATA', /tile 7: the Rice-compressed stream \(1 bytes\) ends before its 40 pixels are decoded/);
    expectFitsError(() => riceDecompress(new Uint8Array([0, 0, 0, 1, 0x20]), out, 8, 32, 4, 't'), 'BAD_DATA');
  });
});

describe('PLIO_1 line lists', () => {
  const words = (...w: number[]): Uint8Array => {
    const b = new Uint8Array(2 * w.length);
    w.forEach((v, i) => new DataView(b.buffer).setInt16(2 * i, v));
    return b;
  };
  it('decodes each opcode (old 3-word header) and zero-fills the rest', () => {
    const out = new Int32Array(12);
    // length 10: zeros(2), pv=5 (set: 1<<12 | 5, high 0), run(3) of 5, pv+=2 -> 7 and one pixel,
    // 5: two zeros then pv, 7: pv-=3 -> 4 and one pixel
    plioDecompress(words(0, 0, 10, 0x0002, 0x1005, 0, 0x4003, 0x6002, 0x5003, 0x7003), out, 12, 't');
    expect(Array.from(out)).toEqual([0, 0, 5, 5, 5, 7, 0, 0, 7, 4, 0, 0]);
  });
  it('rejects lists that lie about their length or write past the tile', () => {
    const out = new Int32Array(4);
    expectFitsError(() => plioDecompress(words(0, 0, 9, 0x4001), out, 4, 'tile 3'), 'BAD_DATA', /tile 3: the PLIO line list says it has 9 words but the tile holds 4/);
    expectFitsError(() => plioDecompress(words(0, 0, 4, 0x4009), out, 4, 'tile 3'), 'BAD_DATA', /writes 9 pixels into a tile of 4/);
    expectFitsError(() => plioDecompress(words(0, 0, 4, 0x1001), out, 4, 'tile 3'), 'BAD_DATA', /ends before word 5/);
  });
});

describe('HCOMPRESS_1 streams', () => {
  const tile = (): Uint8Array => {
    const file = readFits(fixture('comp_hcompress.fits'));
    const t = file.hdus[1]!.readTable();
    return t.heapBytes(t.columns.find((c) => c.name === 'COMPRESSED_DATA')!, 0).slice();
  };
  it('rejects a bad magic code, a size that is not the tile, a truncated stream', () => {
    const out = new Int32Array(24 * 16);
    const good = tile();
    hcompressDecompress(good, out, 24 * 16, 0, 't'); // the real tile decodes
    const bad = good.slice();
    bad[0] = 0;
    expectFitsError(() => hcompressDecompress(bad, out, 24 * 16, 0, 'tile 2'), 'BAD_DATA', /tile 2: not an HCOMPRESS stream/);
    expectFitsError(() => hcompressDecompress(good, out, 100, 0, 'tile 2'), 'BAD_DATA', /tile 2: the HCOMPRESS stream is 16 x 24 pixels, not the 100 of the tile/);
    expectFitsError(() => hcompressDecompress(good.subarray(0, good.length >> 1), out, 24 * 16, 0, 'tile 2'), 'BAD_DATA', /tile 2: the HCOMPRESS stream \(\d+ bytes\) ends early/);
  });
  it('refuses smoothing of lossy tiles and 64-bit images, naming them', () => {
    const good = tile();
    const lossy = good.slice();
    new DataView(lossy.buffer).setInt32(10, 3); // scale 3
    expectFitsError(() => hcompressDecompress(lossy, new Int32Array(384), 384, 1, 't'), 'UNSUPPORTED', /smoothing \(SMOOTH = 1\)/);
    const bytes = fixture('comp_hcompress.fits');
    const hdu = readFits(bytes).hdus[1]!;
    const b = setCard(bytes, hdu.headerOffset, 'ZBITPIX', 'ZBITPIX =                   64');
    expectFitsError(() => readFits(b).hdus[1]!.readImage(), 'UNSUPPORTED', /HCOMPRESS_1' with ZBITPIX = 64 is not supported/);
  });
});

describe('tile-compressed images vs astropy (compressed_expected.json)', () => {
  for (const [name, exp] of Object.entries(expected.files)) {
    if (!exp.compression) continue;
    it(`${name}: ${exp.note ?? ''}`, () => {
      const file = readFits(fixture(name));
      const hdu = file.hdus[1]!;
      expect(hdu.type).toBe('bintable');
      expect(hdu.isCompressedImage).toBe(true);
      expect(hdu.hasImage).toBe(true);
      expect(file.firstImage()).toBe(hdu);
      const c = exp.compression!;
      if (exp.unsupported) {
        expectFitsError(() => hdu.readImage(), 'UNSUPPORTED', new RegExp(`HDU 1: ZCMPTYPE = '${c.ZCMPTYPE}': this compression algorithm is not supported`));
        expect(hdu.readTable().column('COMPRESSED_DATA')).toHaveLength(hdu.naxes[1]!); // the table itself reads
        return;
      }
      const info = hdu.compression!;
      expect(info.zcmptype).toBe(c.ZCMPTYPE === 'RICE_ONE' ? 'RICE_1' : c.ZCMPTYPE);
      expect(info.zbitpix).toBe(c.ZBITPIX);
      expect(info.ztile).toEqual(c.ZTILE);
      expect(info.znaxes).toEqual(c.ZNAXIS);
      if (c.ZQUANTIZ) expect(info.quantize).toBe(c.ZQUANTIZ);
      if (c.ZDITHER0 !== null) expect(info.dither0).toBe(c.ZDITHER0);

      const img = hdu.readImage();
      const e = exp.image!;
      expect(img.shape).toEqual(e.shape);
      expect(img.bitpix).toBe(c.ZBITPIX);
      expect(img.data).toBeInstanceOf([8, 16, -32].includes(c.ZBITPIX) ? Float32Array : Float64Array);
      for (const [i, w] of e.samples) {
        const want = num(w);
        if (Number.isNaN(want)) expect(img.data[i], `${name}[${i}]`).toBeNaN();
        else expect(img.data[i], `${name}[${i}]`).toBe(want);
      }
      let finite = 0;
      for (const v of img.data) if (Number.isFinite(v)) finite++;
      expect(finite).toBe(e.stats.count);
      expect(f64Crc(img.data), `${name} CRC of all pixels`).toBe(e.crc);
      // the image layout describes the image, not the table
      expect(hdu.imageLayout().naxes).toEqual(e.shape);
      expect(hdu.planeCount).toBe(e.shape.slice(2).reduce((a, b) => a * b, 1));
      // forced float64 output: the same values, before the final rounding to float32
      const f64 = hdu.readImage({ output: 'float64' }).data;
      expect(f64).toBeInstanceOf(Float64Array);
      for (let i = 0; i < f64.length; i++) if (!Object.is(Math.fround(f64[i]!), Math.fround(img.data[i]!))) expect(f64[i], `${name} float64[${i}]`).toBe(img.data[i]);
      if (c.ZBITPIX === -32) expect(f64Crc(f64)).toBe(e.crc);
    });
  }

  it('reads single planes of a cube with 3-D tiles (only the tiles of that plane)', () => {
    const hdu = readFits(fixture('comp_cube_tiles.fits')).hdus[1]!;
    const whole = hdu.readImage().data;
    const n = 40 * 30;
    expect(hdu.planeCount).toBe(5);
    for (let p = 0; p < 5; p++) {
      const plane = hdu.readImagePlane(p);
      expect(plane.shape).toEqual([40, 30]);
      expect(Array.from(plane.data)).toEqual(Array.from(whole.subarray(p * n, (p + 1) * n)));
    }
    expect(Array.from(hdu.readImagePlane([3]).data)).toEqual(Array.from(whole.subarray(3 * n, 4 * n)));
    expectFitsError(() => hdu.readImagePlane(5), 'OUT_OF_RANGE');
    const flat = readFits(fixture('comp_u16_tiles.fits')).hdus[1]!;
    expect(Array.from(flat.readImagePlane(0).data)).toEqual(Array.from(flat.readImage().data));
  });

  it('applies the memory limit to the decompressed image', () => {
    const bytes = fixture('comp_i16_rice.fits');
    const hdu = readFits(bytes).hdus[1]!;
    expectFitsError(() => hdu.readImage({ maxBytes: 1000 }), 'TOO_LARGE', /HDU 1: the decompressed image \(ZNAXISn = 128 x 96\) needs 49152 bytes, more than the limit of 1000 bytes/);
  });
});

/** Replace the card with keyword `key` of the header at `from` in a copy of bytes. */
function setCard(bytes: Uint8Array, from: number, key: string, text: string): Uint8Array {
  const b = bytes.slice();
  for (let p = from; p + 80 <= b.length; p += 80) {
    const k = String.fromCharCode(...b.subarray(p, p + 8)).trim();
    if (k === key) {
      b.set(new TextEncoder().encode(text.padEnd(80).slice(0, 80)), p);
      return b;
    }
    if (k === 'END') break;
  }
  throw new Error(`no ${key} card`);
}

describe('bad compressed images', () => {
  const bytes = fixture('comp_i16_rice.fits');
  const hdu = readFits(bytes).hdus[1]!;

  it('names ZCMPTYPE when the algorithm is unknown', () => {
    const b = setCard(bytes, hdu.headerOffset, 'ZCMPTYPE', "ZCMPTYPE= 'FOO_9   '");
    const h = readFits(b).hdus[1]!;
    expectFitsError(() => h.readImage(), 'UNSUPPORTED', /HDU 1: ZCMPTYPE = 'FOO_9': unknown compression algorithm \(supported: RICE_1, GZIP_1, GZIP_2, PLIO_1, HCOMPRESS_1, NOCOMPRESS\)/);
    expect(h.type).toBe('bintable'); // still a table
  });

  it('rejects bad compression keywords', () => {
    expectFitsError(() => readFits(setCard(bytes, hdu.headerOffset, 'ZBITPIX', 'ZBITPIX =                   12')).hdus[1]!.readImage(), 'BAD_KEYWORD', /ZBITPIX = 12 is not a valid BITPIX/);
    expectFitsError(
      () => readFits(setCard(bytes, hdu.headerOffset, 'ZNAXIS2', 'ZNAXIS2 =                  200')).hdus[1]!.readImage(),
      'BAD_KEYWORD',
      /NAXIS2 = 96 rows, but ZNAXISn \/ ZTILEn = 128 x 200 \/ 128 x 1 make 200 tiles/,
    );
    expectFitsError(() => readFits(setCard(bytes, hdu.headerOffset, 'ZTILE2', 'ZTILE2  =           1000000000')).hdus[1]!.readImage(), 'BAD_KEYWORD', /make 1 tiles/);
    expectFitsError(() => readFits(setCard(bytes, hdu.headerOffset, 'ZCMPTYPE', 'ZCMPTYPE=                    1')).hdus[1]!.readImage(), 'BAD_KEYWORD', /ZCMPTYPE must be a string/);
    expectFitsError(() => readFits(setCard(bytes, hdu.headerOffset, 'ZVAL2', 'ZVAL2   =                    3')).hdus[1]!.readImage(), 'BAD_KEYWORD', /BYTEPIX \(ZVALi\) = 3 is not supported/);
  });

  it('refuses absurd image sizes before allocating (ZNAXISn)', () => {
    let b = setCard(bytes, hdu.headerOffset, 'ZNAXIS1', 'ZNAXIS1 =        1000000000000');
    b = setCard(b, hdu.headerOffset, 'ZTILE1', 'ZTILE1  =        1000000000000');
    expectFitsError(() => readFits(b).hdus[1]!.readImage(), 'TOO_LARGE', /HDU 1: the decompressed image \(ZNAXISn = 1000000000000 x 96\) needs/);
  });

  it('reports corrupted tiles as BAD_DATA, never anything else', () => {
    const t = hdu.readTable();
    const c = t.getColumn('COMPRESSED_DATA')!;
    // shorten the descriptor of tile 5 to 3 bytes: the Rice stream ends early
    const b = bytes.slice();
    new DataView(b.buffer).setInt32(hdu.dataOffset + 4 * t.rowLength + c.offset, 3);
    expectFitsError(() => readFits(b).hdus[1]!.readImage(), 'BAD_DATA', /HDU 1: tile 5 \(RICE_1\): the Rice-compressed stream \(3 bytes\) ends before its 128 pixels are decoded/);
    // a GZIP tile that does not inflate
    const g = fixture('comp_i16_gzip1.fits');
    const gh = readFits(g).hdus[1]!;
    const gt = gh.readTable();
    const start = gh.dataOffset + gt.heapOffset + gt.descriptor(gt.getColumn('COMPRESSED_DATA')!, 0).offset;
    const g2 = g.slice();
    g2.fill(0xff, start + 10, start + 30);
    expectFitsError(() => readFits(g2).hdus[1]!.readImage(), 'BAD_DATA', /HDU 1: tile 1 \(GZIP_1\)/);
  });
});

describe('gzip-compressed files', () => {
  for (const [name, exp] of Object.entries(expected.files)) {
    if (!exp.gunzipOf) continue;
    it(`${name} reads like ${exp.gunzipOf}`, () => {
      const gz = readFits(fixture(name));
      const plain = readFits(fixture(exp.gunzipOf!));
      expect(gz.gzipped).toBe(true);
      expect(plain.gzipped).toBe(false);
      expect(gz.byteLength).toBe(exp.size);
      expect(gz.hdus.map((h) => [h.type, h.dataOffset, h.dataLength])).toEqual(plain.hdus.map((h) => [h.type, h.dataOffset, h.dataLength]));
      for (let i = 0; i < gz.hdus.length; i++) {
        if (gz.hdus[i]!.hasImage) expect(Array.from(gz.hdus[i]!.readImage().data)).toEqual(Array.from(plain.hdus[i]!.readImage().data));
      }
    });
  }

  it('rejects truncated, corrupted and oversized gzip input with FitsError', () => {
    const gz = fixture('gz_mef.fits.gz');
    // cut: the trailer is then garbage (a huge ISIZE), or kept (the stream ends early)
    expect(['BAD_DATA', 'TOO_LARGE']).toContain(expectAnyFitsError(() => readFits(gz.subarray(0, gz.length - 20))).code);
    const half = Math.floor(gz.length / 2);
    const cut = new Uint8Array(half + 8);
    cut.set(gz.subarray(0, half));
    cut.set(gz.subarray(gz.length - 8), half);
    expectFitsError(() => readFits(cut), 'BAD_DATA', /the gzip-compressed input (could not be inflated|inflates to)/);
    expectFitsError(() => readFits(gz.subarray(0, 12)), 'BAD_DATA', /is not valid gzip data: only 12 bytes/);
    const bad = gz.slice();
    bad[bad.length - 8]! ^= 0xff; // CRC
    expectFitsError(() => readFits(bad), 'BAD_DATA', /fails its CRC-32 check/);
    const big = gz.slice();
    new DataView(big.buffer).setUint32(big.length - 4, 0xfffffff0, true); // ISIZE
    expectFitsError(() => readFits(big, { maxBytes: 1 << 20 }), 'TOO_LARGE', /declares 4294967280 bytes once inflated \(gzip ISIZE\), more than the limit of 1048576 bytes/);
    const wrongSize = gz.slice();
    new DataView(wrongSize.buffer).setUint32(wrongSize.length - 4, 1000, true);
    expectFitsError(() => readFits(wrongSize), 'BAD_DATA', /inflates to .* not the 1000 bytes of its trailer/);
    const method = gz.slice();
    method[2] = 7;
    expectFitsError(() => readFits(method), 'BAD_DATA', /compression method 7 is not DEFLATE/);
  });
});
