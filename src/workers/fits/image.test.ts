// Image decoding for every BITPIX, BSCALE/BZERO, BLANK and the unsigned conventions, cubes and
// planes, against the astropy values of test/fixtures/fits/expected.json (written by
// test/fixtures/fits/make_fixtures.py with /usr/bin/python3 + astropy 5.2).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FitsError } from './errors.js';
import { readFits } from './file.js';

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
  shape?: number[];
  pixels?: unknown[];
  header: Record<string, unknown>;
}
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as {
  files: Record<string, ExpectedHdu[]>;
};

function num(v: unknown): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === '-0') return -0;
  return v as number;
}

/** Compare a decoded pixel with astropy's; exact unless scaling is involved. */
function expectPixel(got: number, want: number, tol: number, what: string): void {
  if (Number.isNaN(want)) {
    expect(got, what).toBeNaN();
  } else if (tol === 0 || !Number.isFinite(want)) {
    expect(Object.is(got, want) || got === want, `${what}: got ${got}, want ${want}`).toBe(true);
  } else {
    expect(Math.abs(got - want), `${what}: got ${got}, want ${want}`).toBeLessThanOrEqual(tol);
  }
}

/** Fixtures whose every pixel is compared: name -> expected output array type and storedType. */
const IMAGE_FIXTURES: Record<string, { type: 'Float32Array' | 'Float64Array'; storedType: string }> = {
  'bitpix8.fits': { type: 'Float32Array', storedType: 'uint8' },
  'bitpix8_int8.fits': { type: 'Float32Array', storedType: 'int8' },
  'bitpix8_blank.fits': { type: 'Float32Array', storedType: 'scaled' },
  'bitpix16.fits': { type: 'Float32Array', storedType: 'int16' },
  'bitpix16_uint.fits': { type: 'Float32Array', storedType: 'uint16' },
  'bitpix16_scaled_blank.fits': { type: 'Float32Array', storedType: 'scaled' },
  'bitpix16_blank.fits': { type: 'Float32Array', storedType: 'int16' },
  'bitpix32.fits': { type: 'Float64Array', storedType: 'int32' },
  'bitpix32_uint.fits': { type: 'Float64Array', storedType: 'uint32' },
  'bitpix32_scaled_blank.fits': { type: 'Float64Array', storedType: 'scaled' },
  'bitpix64.fits': { type: 'Float64Array', storedType: 'int64' },
  'bitpix64_uint.fits': { type: 'Float64Array', storedType: 'uint64' },
  'bitpix64_blank.fits': { type: 'Float64Array', storedType: 'int64' },
  'bitpix8_scaled.fits': { type: 'Float32Array', storedType: 'scaled' },
  'bitpix8_plain_blank.fits': { type: 'Float32Array', storedType: 'uint8' },
  'bitpix8_int8_blank.fits': { type: 'Float32Array', storedType: 'int8' },
  'bitpix16_scaled.fits': { type: 'Float32Array', storedType: 'scaled' },
  'bitpix32_blank.fits': { type: 'Float64Array', storedType: 'int32' },
  'bitpix32_scaled.fits': { type: 'Float64Array', storedType: 'scaled' },
  'bitpix64_scaled.fits': { type: 'Float64Array', storedType: 'scaled' },
  'bitpix64_scaled_blank.fits': { type: 'Float64Array', storedType: 'scaled' },
  'bitpix-32.fits': { type: 'Float32Array', storedType: 'float32' },
  'bitpix-32_scaled.fits': { type: 'Float32Array', storedType: 'scaled' },
  'bitpix-64.fits': { type: 'Float64Array', storedType: 'float64' },
  'bitpix-64_scaled.fits': { type: 'Float64Array', storedType: 'scaled' },
  'cube3.fits': { type: 'Float32Array', storedType: 'scaled' },
  'cube4d.fits': { type: 'Float32Array', storedType: 'float32' },
  'unpadded16.fits': { type: 'Float32Array', storedType: 'uint16' },
  'header_special.fits': { type: 'Float32Array', storedType: 'float32' },
};

describe('image fixtures vs astropy (every pixel)', () => {
  it('cover every integer BITPIX x (BSCALE/BZERO) x BLANK combination and both float BITPIX x scaling', () => {
    const seen = new Set<string>();
    for (const name of Object.keys(IMAGE_FIXTURES)) {
      const h = readFits(fixture(name)).primary.header;
      const scaled = (h.get('BSCALE') ?? 1) !== 1 || (h.get('BZERO') ?? 0) !== 0;
      seen.add(`${String(h.get('BITPIX'))}/${scaled ? 'scaled' : 'plain'}/${h.get('BLANK') !== undefined ? 'blank' : 'noblank'}`);
    }
    for (const bitpix of [8, 16, 32, 64]) for (const sc of ['plain', 'scaled']) for (const bl of ['noblank', 'blank']) expect(seen, `${bitpix}/${sc}/${bl}`).toContain(`${bitpix}/${sc}/${bl}`);
    for (const bitpix of [-32, -64]) for (const sc of ['plain', 'scaled']) expect(seen).toContain(`${bitpix}/${sc}/noblank`);
  });

  for (const [name, info] of Object.entries(IMAGE_FIXTURES)) {
    it(name, () => {
      const exp = expected.files[name]!.find((h) => h.type === 'image')!;
      const file = readFits(fixture(name));
      const hdu = file.hdus[exp.index]!;
      expect(hdu.type).toBe('image');
      expect(hdu.bitpix).toBe(exp.bitpix);
      expect(hdu.dataOffset).toBe(exp.dataOffset);
      expect(hdu.dataLength).toBe(exp.dataLength);
      const img = hdu.readImage();
      expect(img.shape).toEqual(exp.shape);
      expect(img.data.constructor.name).toBe(info.type);
      expect(img.storedType).toBe(info.storedType);
      expect(img.data.length).toBe(exp.pixels!.length);
      const bzero = Number(exp.header['BZERO'] ?? 0);
      const scaled = img.storedType === 'scaled';
      // float32 output of a scaled value: astropy computes in float32 (two roundings), we round once
      const f32 = img.data instanceof Float32Array;
      exp.pixels!.forEach((p, i) => {
        const want = num(p);
        const tol = !scaled ? 0 : f32 ? 2e-7 * (Math.abs(want) + Math.abs(bzero)) : 1e-13 * (Math.abs(want) + Math.abs(bzero));
        expectPixel(img.data[i]!, want, tol, `${name}[${i}]`);
      });
    });
  }

  it('keeps -0, infinities and denormals of BITPIX -32/-64', () => {
    const f = readFits(fixture('bitpix-32.fits')).primary.readImage().data;
    expect(Object.is(f[1], -0)).toBe(true);
    expect(f[5]).toBe(Infinity);
    expect(f[6]).toBe(-Infinity);
    expect(f[7]).toBe(Math.fround(1e-40));
    const d = readFits(fixture('bitpix-64.fits')).primary.readImage().data;
    expect(d[6]).toBe(5e-324);
  });

  it('unsigned conventions give the full unsigned range', () => {
    const u16 = readFits(fixture('bitpix16_uint.fits')).primary.readImage().data;
    expect(Math.min(...u16)).toBe(0);
    expect(Math.max(...u16)).toBe(65535);
    const u32 = readFits(fixture('bitpix32_uint.fits')).primary.readImage().data;
    expect(Math.min(...u32)).toBe(0);
    expect(Math.max(...u32)).toBe(4294967295);
    const i8 = readFits(fixture('bitpix8_int8.fits')).primary.readImage().data;
    expect(Array.from(i8)).toEqual([-128, -127, -1, 0, 1, 127, 72, -78]);
  });

  it('BITPIX 64 BLANK is compared exactly (2^53 + 1 is blank, 2^53 is not)', () => {
    const img = readFits(fixture('bitpix64_blank.fits')).primary.readImage();
    expect(img.data[5]).toBeNaN(); // stored 9007199254740993 == BLANK
    expect(img.data[6]).toBe(9007199254740992);
    expect(img.data.filter((v) => Number.isNaN(v))).toHaveLength(1);
  });

  it('forces the output type on request', () => {
    const hdu = readFits(fixture('bitpix32.fits')).primary;
    const f32 = hdu.readImage({ output: 'float32' });
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(f32.data[4]).toBe(Math.fround(2147483647));
    const f64 = readFits(fixture('bitpix16.fits')).primary.readImage({ output: 'float64' });
    expect(f64.data).toBeInstanceOf(Float64Array);
    expect(f64.data[0]).toBe(-32768);
  });
});

describe('cubes and planes', () => {
  it('readImagePlane reads each plane of a 3-plane cube', () => {
    const exp = expected.files['cube3.fits']![0]!;
    const hdu = readFits(fixture('cube3.fits')).primary;
    expect(hdu.planeCount).toBe(3);
    const whole = hdu.readImage();
    expect(whole.shape).toEqual([5, 4, 3]);
    for (let p = 0; p < 3; p++) {
      const plane = hdu.readImagePlane(p);
      expect(plane.shape).toEqual([5, 4]);
      expect(Array.from(plane.data)).toEqual(Array.from(whole.data.subarray(p * 20, (p + 1) * 20)));
      plane.data.forEach((v, i) => expectPixel(v, num(exp.pixels![p * 20 + i]), 1e-6 * Math.abs(v) + 1e-6, `plane ${p}`));
    }
  });

  it('readImagePlane on a 4-D cube: flat index and [i3, i4] coordinates', () => {
    const hdu = readFits(fixture('cube4d.fits')).primary;
    expect(hdu.naxes).toEqual([3, 2, 2, 2]);
    expect(hdu.planeCount).toBe(4);
    const whole = hdu.readImage().data;
    for (let i4 = 0; i4 < 2; i4++) {
      for (let i3 = 0; i3 < 2; i3++) {
        const flat = i3 + 2 * i4;
        const a = hdu.readImagePlane([i3, i4]).data;
        expect(Array.from(a)).toEqual(Array.from(whole.subarray(flat * 6, flat * 6 + 6)));
        expect(Array.from(hdu.readImagePlane(flat).data)).toEqual(Array.from(a));
      }
    }
  });

  it('rejects out-of-range planes with FitsError', () => {
    const hdu = readFits(fixture('cube3.fits')).primary;
    for (const bad of [3, -1, 1.5, NaN]) {
      expect(() => hdu.readImagePlane(bad)).toThrow(FitsError);
    }
    expect(() => hdu.readImagePlane([0, 0])).toThrow(/needs 1 coordinates/);
    expect(() => hdu.readImagePlane([5])).toThrow(/out of range/);
    const flat = readFits(fixture('bitpix16.fits')).primary;
    expect(flat.planeCount).toBe(1);
    expect(flat.readImagePlane(0).shape).toEqual([5, 3]);
    expect(() => flat.readImagePlane(1)).toThrow(FitsError);
  });

  it('readImagePlane decodes only the bytes of its plane', () => {
    const bytes = fixture('cube3.fits');
    const want = readFits(bytes).primary.readImagePlane(1).data;
    const planeBytes = 5 * 4 * 2;
    const damaged = bytes.slice();
    const dataOffset = readFits(bytes).primary.dataOffset;
    damaged.fill(0xab, dataOffset, dataOffset + planeBytes); // plane 0
    damaged.fill(0xcd, dataOffset + 2 * planeBytes, dataOffset + 3 * planeBytes); // plane 2
    const hdu = readFits(damaged).primary;
    expect(Array.from(hdu.readImagePlane(1).data)).toEqual(Array.from(want));
    expect(Array.from(hdu.readImagePlane(0).data)).not.toEqual(Array.from(readFits(bytes).primary.readImagePlane(0).data));
  });
});

describe('non-image HDUs', () => {
  it('readImage throws FitsError NOT_IMAGE for tables, groups and empty HDUs', () => {
    const mef = readFits(fixture('mef.fits'));
    for (const i of [0, 2, 3, 4]) {
      let err: unknown;
      try {
        mef.hdus[i]!.readImage();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FitsError);
      expect((err as FitsError).code).toBe('NOT_IMAGE');
    }
    expect(() => mef.hdus[0]!.readImage()).toThrow(/HDU 0 has no data/);
    expect(() => mef.hdus[2]!.readImage()).toThrow(/binary table/);
    expect(() => mef.hdus[4]!.readImage()).toThrow(/unknown type XTENSION = "FOOBAR"/);
    const groups = readFits(fixture('groups.fits')).primary;
    expect(groups.type).toBe('groups');
    expect(() => groups.readImage()).toThrow(/random-groups/);
  });
});
