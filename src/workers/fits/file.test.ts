// FITS file structure: primary + extensions (IMAGE, BINTABLE with heap, TABLE, unknown), unpadded
// last blocks, truncation and other bad input; every real file of /work/shared/data/fits_samples
// and the Gaia DR2 HiPS FITS tiles against the astropy values of
// test/fixtures/fits/{expected,real_expected}.json (test/fixtures/fits/make_fixtures.py).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FitsError } from './errors.js';
import { readFits, type FitsHdu } from './file.js';

const FIXTURES = new URL('../../../test/fixtures/fits/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

interface ExpectedHdu {
  index: number;
  type: string;
  xtension: string | null;
  bitpix: number;
  naxes: number[];
  dataLength: number;
  dataOffset: number;
  compressed: boolean;
  header: Record<string, unknown>;
  history: string[];
  comment: string[];
  shape?: number[];
  pixels?: unknown[];
  samples?: Array<[number, unknown]>;
  stats?: { min: number | null; max: number | null; mean: number | null; count: number; nonFinite: number };
}
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as { files: Record<string, ExpectedHdu[]> };

const DATA = '/work/shared/data';
const SAMPLES = `${DATA}/fits_samples`;
const GAIA = `${DATA}/hips/cds_gaia_dr2_radial_velocity_map`;
const haveData = existsSync(SAMPLES) && existsSync(GAIA);
if (!haveData) console.warn(`file.test.ts: ${DATA} is missing, skipping the real-file tests`);
const realExpected = haveData
  ? (JSON.parse(readFileSync(new URL('real_expected.json', FIXTURES), 'utf8')) as {
      fits_samples: Record<string, ExpectedHdu[]>;
      hips_tiles: Record<string, ExpectedHdu[]>;
    })
  : { fits_samples: {}, hips_tiles: {} };

function num(v: unknown): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === '-0') return -0;
  return v as number;
}

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectFitsError(f: () => unknown, code: string, message?: RegExp): FitsError {
  const e = catchError(f);
  expect(e).toBeInstanceOf(FitsError);
  expect((e as FitsError).code).toBe(code);
  if (message) expect((e as FitsError).message).toMatch(message);
  return e as FitsError;
}

/** Structure + header checks of one HDU against astropy's description. */
function checkHdu(hdu: FitsHdu, exp: ExpectedHdu, what: string): void {
  expect(hdu.index, what).toBe(exp.index);
  expect(hdu.type, what).toBe(exp.type);
  expect(hdu.xtension ?? null, what).toBe(exp.xtension);
  expect(hdu.bitpix, what).toBe(exp.bitpix);
  expect([...hdu.naxes], what).toEqual(exp.naxes);
  expect(hdu.dataOffset, what).toBe(exp.dataOffset);
  expect(hdu.dataLength, what).toBe(exp.dataLength);
  expect(hdu.isCompressedImage, what).toBe(exp.compressed);
  for (const [key, want] of Object.entries(exp.header)) {
    const got = hdu.header.get(key);
    if (typeof want === 'number' && typeof got === 'number' && !Number.isInteger(want)) {
      expect(Math.abs(got - want), `${what} ${key}`).toBeLessThanOrEqual(Math.abs(want) * 1e-15);
    } else if (want !== null && typeof want === 'object') {
      expect(got, `${what} ${key}`).toEqual(want);
    } else {
      expect(got, `${what} ${key}`).toEqual(num(want));
    }
  }
  expect(hdu.header.history.slice(0, exp.history.length), what).toEqual(exp.history);
  expect(hdu.header.comments.slice(0, exp.comment.length), what).toEqual(exp.comment);
}

/** Image checks: shape, sampled pixels, min/max/mean within 1e-5 relative. */
function checkImage(hdu: FitsHdu, exp: ExpectedHdu, what: string): void {
  const img = hdu.readImage();
  expect(img.shape, what).toEqual(exp.shape);
  const bzero = Math.abs(img.bzero);
  for (const [i, p] of exp.samples ?? []) {
    const want = num(p);
    const got = img.data[i]!;
    if (Number.isNaN(want)) expect(got, `${what}[${i}]`).toBeNaN();
    else expect(Math.abs(got - want), `${what}[${i}]: ${got} vs ${want}`).toBeLessThanOrEqual(1e-6 * (Math.abs(want) + bzero));
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < img.data.length; i++) {
    const v = img.data[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
  }
  const s = exp.stats!;
  expect(count, `${what} finite count`).toBe(s.count);
  expect(img.data.length - count, `${what} non-finite count`).toBe(s.nonFinite);
  if (count > 0) {
    const scale = Math.max(Math.abs(s.min!), Math.abs(s.max!));
    expect(Math.abs(min - s.min!), `${what} min ${min} vs ${s.min}`).toBeLessThanOrEqual(1e-5 * Math.abs(s.min!) + 1e-12 * scale);
    expect(Math.abs(max - s.max!), `${what} max ${max} vs ${s.max}`).toBeLessThanOrEqual(1e-5 * Math.abs(s.max!) + 1e-12 * scale);
    const mean = sum / count;
    expect(Math.abs(mean - s.mean!), `${what} mean ${mean} vs ${s.mean}`).toBeLessThanOrEqual(1e-5 * Math.abs(s.mean!) + 1e-7 * scale);
  }
}

describe('multi-extension file (mef.fits)', () => {
  const bytes = fixture('mef.fits');
  const file = readFits(bytes);
  const exp = expected.files['mef.fits']!;

  it('finds every HDU with astropy offsets, sizes and headers', () => {
    expect(file.hdus.map((h) => h.type)).toEqual(['empty', 'image', 'bintable', 'table', 'unknown', 'image']);
    expect(file.hdus).toHaveLength(exp.length);
    file.hdus.forEach((h, i) => checkHdu(h, exp[i]!, `mef HDU ${i}`));
    expect(file.warnings).toEqual([]);
  });

  it('sizes the BINTABLE heap (PCOUNT) and the unknown extension (PCOUNT, GCOUNT)', () => {
    const bt = file.hdus[2]!;
    expect(bt.pcount).toBeGreaterThan(0);
    expect(bt.dataLength).toBe(bt.naxes[0]! * bt.naxes[1]! + bt.pcount);
    const unk = file.hdus[4]!;
    expect(unk.xtension).toBe('FOOBAR');
    expect([unk.pcount, unk.gcount]).toEqual([7, 3]);
    expect(unk.dataLength).toBe(2 * 3 * (7 + 5));
    expect(Array.from(unk.dataBytes().subarray(0, 4))).toEqual([0, 1, 2, 3]);
  });

  it('decodes the images of the extensions', () => {
    const sci = file.getHdu('sci')!;
    expect(sci.index).toBe(1);
    expect(Array.from(sci.readImage().data)).toEqual(exp[1]!.pixels!.map(num));
    const u16 = file.getHdu('UINT16', 1)!;
    expect(u16.index).toBe(5);
    expect(Array.from(u16.readImage().data)).toEqual([0, 1, 65535, 32768, 2, 40000]);
    expect(file.getHdu('nope')).toBeUndefined();
    expect(file.firstImage()!.index).toBe(1);
  });

  it('accepts ArrayBuffer, Uint8Array views at odd offsets and other views', () => {
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    expect(readFits(ab).hdus).toHaveLength(6);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const odd = readFits(shifted.subarray(3));
    expect(Array.from(odd.getHdu('SCI')!.readImage().data)).toEqual(exp[1]!.pixels!.map(num));
    expect(readFits(new DataView(ab)).hdus).toHaveLength(6);
  });
});

describe('padding, truncation and bad input', () => {
  it('accepts an unpadded last data block (HiPS tiles)', () => {
    const b = fixture('unpadded16.fits');
    expect(b.length % 2880).not.toBe(0);
    const f = readFits(b);
    expect(f.primary.dataLength).toBe(42);
    expect(f.warnings).toEqual([]);
  });

  it('accepts a header-only file that ends right after END', () => {
    const text = ['SIMPLE  =                    T', 'BITPIX  =                    8', 'NAXIS   =                    0', 'END']
      .map((c) => c.padEnd(80))
      .join('');
    const f = readFits(new TextEncoder().encode(text));
    expect(f.primary.type).toBe('empty');
    expect(f.primary.dataLength).toBe(0);
  });

  it('reports truncated data with a clear FitsError', () => {
    const b = fixture('bitpix16.fits');
    const e = expectFitsError(() => readFits(b.subarray(0, 2880 + 29)), 'TRUNCATED', /HDU 0: FITS data is truncated/);
    expect(e.message).toMatch(/declares 30 bytes of data at byte 2880 .* but only 29 bytes remain/);
    // cut inside the header
    expectFitsError(() => readFits(b.subarray(0, 350)), 'NO_END', /HDU 0: FITS header has no END card within the first 350 bytes/);
    // cut inside an extension's data
    const mef = fixture('mef.fits');
    expectFitsError(() => readFits(mef.subarray(0, 5760 + 47)), 'TRUNCATED', /HDU 1: /);
    // cut inside the padding of the last HDU is fine
    expect(readFits(b.subarray(0, 2880 + 30)).primary.readImage().data).toHaveLength(15);
  });

  it('rejects files that are not FITS', () => {
    expectFitsError(() => readFits(new Uint8Array(0)), 'NOT_FITS', /less than one 80-byte header card/);
    expectFitsError(() => readFits(new TextEncoder().encode('<html>'.padEnd(2880))), 'NOT_FITS', /first card is not SIMPLE = T/);
    const simpleF = new TextEncoder().encode(['SIMPLE  =                    F', 'BITPIX  =                    8', 'NAXIS   =                    0', 'END'].map((c) => c.padEnd(80)).join(''));
    expectFitsError(() => readFits(simpleF), 'NOT_FITS', /first card is not SIMPLE = T \(SIMPLE = false\)/);
    expectFitsError(() => readFits('nope' as unknown as ArrayBuffer), 'BAD_ARGUMENT');
  });

  it('rejects bad structural keywords', () => {
    const make = (cards: string[]) => new TextEncoder().encode([...cards, 'END'].map((c) => c.padEnd(80)).join('').padEnd(2880));
    const simple = 'SIMPLE  =                    T';
    expectFitsError(() => readFits(make([simple, 'BITPIX  =                   12', 'NAXIS   =                    0'])), 'BAD_KEYWORD', /BITPIX = 12 is not a valid FITS BITPIX/);
    expectFitsError(() => readFits(make([simple, 'NAXIS   =                    0'])), 'MISSING_KEYWORD', /BITPIX is missing/);
    expectFitsError(() => readFits(make([simple, 'BITPIX  =                    8', 'NAXIS   =                    2', 'NAXIS1  =                   10'])), 'MISSING_KEYWORD', /NAXIS2 is missing/);
    expectFitsError(() => readFits(make([simple, 'BITPIX  =                    8', 'NAXIS   =                 1000'])), 'BAD_KEYWORD', /NAXIS = 1000 is out of range/);
    expectFitsError(() => readFits(make([simple, 'BITPIX  =                    8', 'NAXIS   =                    1', "NAXIS1  = 'ten'"])), 'BAD_KEYWORD', /NAXIS1 must be an integer/);
    expectFitsError(() => readFits(make([simple, 'BITPIX  =                    8', 'NAXIS   =                    1', 'NAXIS1  =                 -10'])), 'BAD_KEYWORD', /out of range/);
    expectFitsError(
      () => readFits(make([simple, 'BITPIX  =                   64', 'NAXIS   =                    3', 'NAXIS1  =     9000000000000000', 'NAXIS2  =     9000000000000000', 'NAXIS3  = 9000000000000000'])),
      'TOO_LARGE',
    );
    // declared sizes above the memory limit (maxBytes, default 2 GiB) are refused first
    expectFitsError(() => readFits(make([simple, 'BITPIX  =                    8', 'NAXIS   =                    1', 'NAXIS1  =          99999999999'])), 'TOO_LARGE', /HDU 0: the header declares 99999999999 bytes of data .* more than the limit of 2147483648 bytes \(option maxBytes\)/);
    expectFitsError(() => readFits(make([simple, 'BITPIX  =                    8', 'NAXIS   =                    1', 'NAXIS1  =          99999999999']), { maxBytes: 1e12 }), 'TRUNCATED');
    expectFitsError(() => readFits(make([simple, 'BITPIX  =                    8', 'NAXIS   =                    1', 'NAXIS1  =             99999999'])), 'TRUNCATED');
    expectFitsError(() => readFits(make([simple, 'BITPIX  =                    8', 'NAXIS   =                    0']), { maxBytes: -1 }), 'BAD_ARGUMENT');
  });

  it('handles extensions: missing PCOUNT/GCOUNT, bad XTENSION, trailing bytes', () => {
    const prim = ['SIMPLE  =                    T', 'BITPIX  =                    8', 'NAXIS   =                    0', 'EXTEND  =                    T', 'END']
      .map((c) => c.padEnd(80))
      .join('')
      .padEnd(2880);
    const ext = (cards: string[]) => [...cards, 'END'].map((c) => c.padEnd(80)).join('').padEnd(2880);
    const enc = (s: string) => new TextEncoder().encode(s);
    const noCounts = enc(prim + ext(["XTENSION= 'IMAGE   '", 'BITPIX  =                   16', 'NAXIS   =                    1', 'NAXIS1  =                    2']) + '\0'.repeat(2880));
    const f = readFits(noCounts);
    expect(f.hdus).toHaveLength(2);
    expect(f.warnings.join('\n')).toMatch(/PCOUNT is missing/);
    expectFitsError(() => readFits(noCounts, { strict: true }), 'MISSING_KEYWORD', /HDU 1: mandatory keyword PCOUNT is missing/);
    const badX = enc(prim + ext(['XTENSION=                    1', 'BITPIX  =                    8', 'NAXIS   =                    0']));
    expectFitsError(() => readFits(badX), 'BAD_KEYWORD', /must start with XTENSION/);
    const trailing = enc(prim + 'garbage!'.padEnd(2880, '#'));
    expect(readFits(trailing).warnings[0]).toMatch(/ignored 2880 trailing bytes that do not start an extension/);
    expectFitsError(() => readFits(trailing, { strict: true }), 'TRAILING_BYTES');
    const zeros = new Uint8Array(2880 * 2);
    zeros.set(enc(prim));
    expect(readFits(zeros, { strict: true }).warnings[0]).toMatch(/trailing padding/);
  });
});

describe.skipIf(!haveData)(`real files in ${SAMPLES} vs astropy`, () => {
  const names = readdirSync(SAMPLES).filter((n) => n.endsWith('.fits')).sort();

  it('covers every file of the kit', () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(names).toEqual(Object.keys(realExpected.fits_samples).sort());
  });

  for (const name of names) {
    it(name, () => {
      const exp = realExpected.fits_samples[name]!;
      const file = readFits(readFileSync(`${SAMPLES}/${name}`));
      expect(file.hdus.length, name).toBe(exp.length);
      file.hdus.forEach((hdu, i) => {
        checkHdu(hdu, exp[i]!, `${name} HDU ${i}`);
        if (hdu.type === 'image') checkImage(hdu, exp[i]!, `${name} HDU ${i}`);
        else if (!hdu.isCompressedImage) expectFitsError(() => hdu.readImage(), 'NOT_IMAGE');
        // tile-compressed images: compared with astropy in table.test.ts and compressed.test.ts
      });
    });
  }

  it('recognises the tile-compressed images as bintable and decompresses them', () => {
    for (const [name, shape] of [
      ['comp.fits', [440, 300]],
      ['compressed_image.fits', [10, 10]],
      ['compressed_float_bzero.fits', [3]],
    ] as const) {
      const file = readFits(readFileSync(`${SAMPLES}/${name}`));
      const hdu = file.hdus[1]!;
      expect(hdu.type).toBe('bintable');
      expect(hdu.isCompressedImage).toBe(true);
      expect(file.firstImage()).toBe(hdu);
      expect(hdu.readImage().shape).toEqual(shape);
      expect(hdu.compression!.zcmptype).toBe('RICE_1');
    }
    // values: compressed_float_bzero.fits is uint16 1, 2, 3 (BZERO 32768)
    expect(Array.from(readFits(readFileSync(`${SAMPLES}/compressed_float_bzero.fits`)).hdus[1]!.readImage().data)).toEqual([1, 2, 3]);
  });

  it('reads the planes of the l1448_13co cube', () => {
    const hdu = readFits(readFileSync(`${SAMPLES}/l1448_13co.fits`)).primary;
    expect(hdu.planeCount).toBe(53);
    const whole = hdu.readImage().data;
    const n = 105 * 105;
    for (const p of [0, 26, 52]) {
      const plane = hdu.readImagePlane(p).data;
      expect(plane.length).toBe(n);
      expect(Array.from(plane)).toEqual(Array.from(whole.subarray(p * n, (p + 1) * n)));
    }
  });

  it('detects truncation at the end of every image data unit', () => {
    for (const name of names) {
      const bytes = new Uint8Array(readFileSync(`${SAMPLES}/${name}`));
      for (const hdu of readFits(bytes).hdus) {
        if (hdu.dataLength === 0) continue;
        const cut = bytes.subarray(0, hdu.dataOffset + hdu.dataLength - 1);
        expectFitsError(() => readFits(cut), 'TRUNCATED', new RegExp(`HDU ${hdu.index}: FITS data is truncated`));
      }
    }
  });
});

describe.skipIf(!haveData)('Gaia DR2 HiPS FITS tiles (unpadded, BITPIX -32)', () => {
  it('reads every Norder3 tile: 32 x 32 BITPIX -32, minimal header', () => {
    // this HiPS ships FITS tiles at order 3 only (Norder0-2 are JPEG)
    const dir = `${GAIA}/Norder3/Dir0`;
    const tiles = readdirSync(dir).filter((n) => n.endsWith('.fits'));
    expect(tiles).toHaveLength(768);
    let nan = 0;
    for (const t of tiles) {
      const bytes = readFileSync(`${dir}/${t}`);
      expect(bytes.length).toBe(6976); // 2880 + 32*32*4: not padded to 2880
      const f = readFits(bytes);
      expect(f.hdus).toHaveLength(1);
      expect(f.warnings).toEqual([]);
      const h = f.primary.header;
      expect(h.keys()).toEqual(['SIMPLE', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2']);
      const img = f.primary.readImage();
      expect(img.shape).toEqual([32, 32]);
      expect(img.bitpix).toBe(-32);
      expect(img.data).toBeInstanceOf(Float32Array);
      for (const v of img.data) if (Number.isNaN(v)) nan++;
    }
    expect(nan).toBeGreaterThanOrEqual(0);
  });

  for (const rel of Object.keys(realExpected.hips_tiles)) {
    it(`${rel} vs astropy statistics`, () => {
      const exp = realExpected.hips_tiles[rel]!;
      const file = readFits(readFileSync(`${GAIA}/${rel}`));
      expect(file.hdus).toHaveLength(exp.length);
      checkHdu(file.primary, exp[0]!, rel);
      checkImage(file.primary, exp[0]!, rel);
    });
  }
});
