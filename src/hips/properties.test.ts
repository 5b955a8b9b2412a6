// Checks the HiPS properties parser on the real properties files of /work/shared/data/hips, on bad
// input, and that it never throws (2,000 seeded random strings).
import { existsSync, readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseHipsProperties, validateForImageRendering } from './properties.js';

const HIPS_DATA = '/work/shared/data/hips';
const haveData = existsSync(HIPS_DATA);
if (!haveData) {
  console.warn(`properties.test.ts: ${HIPS_DATA} is missing, skipping the real-file tests`);
}
const realFile = (name: string): string => readFileSync(`${HIPS_DATA}/${name}/properties`, 'utf8');

/** Seeded PRNG (mulberry32): uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.skipIf(!haveData)(`real properties files in ${HIPS_DATA}`, () => {
  it('cds_dss2_color_subset', () => {
    const p = parseHipsProperties(realFile('cds_dss2_color_subset'));
    expect(p.creatorDid).toBe('ivo://CDS/P/DSS2/color');
    expect(p.obsTitle).toBe('DSS colored');
    expect(p.dataproductType).toBe('image');
    expect(p.hipsVersion).toBe('1.4');
    expect(p.hipsOrder).toBe(7);
    expect(p.hipsOrderMin).toBe(0);
    expect(p.hipsTileWidth).toBe(512);
    expect(p.hipsTileFormats).toEqual(['jpeg']);
    expect(p.hipsFrame).toBe('equatorial');
    expect(p.hipsInitialRaDeg).toBe(85.30251);
    expect(p.hipsInitialDecDeg).toBe(-2.25468);
    expect(p.hipsInitialFovDeg).toBe(2);
    expect(p.mocSkyFraction).toBe(0.001302);
    expect(p.obsCopyright).toBe('Digitized Sky Survey - STScI/NASA, Colored & Healpixed by CDS');
    expect(p.obsCopyrightUrl).toBe('http://archive.stsci.edu/dss/copyright.html');
    expect(p.hipsPixelBitpix).toBeUndefined();
    expect(p.hipsPixelCut).toBeUndefined();
    // unknown keys kept, values with '=' inside kept whole
    expect(p.raw.get('hips_rgb_red')).toBe('DSS2Merged [1488.0 8488.8125 14666.0 Linear]');
    expect(p.raw.get('hipsgen_params_1')).toBe(
      'in=https://alasky.cds.unistra.fr/DSS/DSSColor/ out=./CDS_P_DSS2_color region=3/357 order=5 MIRROR',
    );
    expect(p.raw.get('obs_ack')?.startsWith('The Digitized Sky Surveys')).toBe(true);
    expect(p.raw.size).toBe(45);
    expect(validateForImageRendering(p)).toEqual([]);
  });

  it('cds_gaia_dr2_radial_velocity_map (commented-out keys ignored)', () => {
    const p = parseHipsProperties(realFile('cds_gaia_dr2_radial_velocity_map'));
    expect(p.creatorDid).toBe('ivo://CDS/P/DM/radial-velocity/I/345/gaia2');
    expect(p.obsTitle).toBe('Radial velocity map for I/345/gaia2 (Gaia DR2)');
    expect(p.hipsOrder).toBe(3);
    expect(p.hipsOrderMin).toBe(0);
    expect(p.hipsTileWidth).toBe(32);
    expect(p.hipsTileFormats).toEqual(['jpeg']);
    expect(p.hipsFrame).toBe('equatorial');
    expect(p.hipsPixelBitpix).toBe(-32);
    expect(p.hipsPixelCut).toEqual([-55, 60]);
    expect(p.hipsDataRange).toEqual([-422.4, 473.9]);
    expect(p.hipsInitialRaDeg).toBe(266.416833);
    expect(p.hipsInitialDecDeg).toBe(-29.0078);
    expect(p.hipsInitialFovDeg).toBe(140);
    expect(p.mocSkyFraction).toBe(1);
    // '#obs_copyright = ...' is a comment
    expect(p.obsCopyright).toBeUndefined();
    expect(p.raw.has('#obs_copyright')).toBe(false);
    expect(p.raw.has('hips_copyright')).toBe(false);
    expect(p.raw.get('hips_check_code')).toBe('jpg:3331457867 fits:3549065153');
    expect(p.raw.get('hipsgen_date_6')).toBe('2019-05-21T08:58Z');
    expect(validateForImageRendering(p)).toEqual([]);
  });

  it('swe_milkyway (webp, order 0)', () => {
    const p = parseHipsProperties(realFile('swe_milkyway'));
    expect(p.hipsOrder).toBe(0);
    expect(p.hipsTileFormats).toEqual(['webp']);
    expect(p.hipsFrame).toBe('equatorial');
    expect(p.creatorDid).toBeUndefined();
    expect(p.obsTitle).toBe('milkyway');
    expect(p.raw.get('source_md5')).toBe('ddced85111d6ba23d0a3fa8bcaeac488');
    expect(validateForImageRendering(p)).toEqual([]);
  });
});

describe('parseHipsProperties', () => {
  it('repeated keys: the last value wins', () => {
    const p = parseHipsProperties('hips_order = 3\nhips_order = 5\nfoo=a\nfoo = b\n');
    expect(p.hipsOrder).toBe(5);
    expect(p.raw.get('foo')).toBe('b');
    expect(p.raw.size).toBe(2);
  });

  it('line endings, BOM, comments, spaces, lines without "="', () => {
    const text =
      '\uFEFFhips_order=4\r\n  # comment = no\r\n\r\nobs_title =  Ünïcødé title  \rjunk line\n= no key\nhips_tile_format = JPG png jpeg\n';
    const p = parseHipsProperties(text);
    expect(p.hipsOrder).toBe(4);
    expect(p.obsTitle).toBe('Ünïcødé title');
    expect(p.hipsTileFormats).toEqual(['jpeg', 'png']);
    expect([...p.raw.keys()]).toEqual(['hips_order', 'obs_title', 'hips_tile_format']);
  });

  it('defaults and frame spellings', () => {
    const p = parseHipsProperties('hips_order = 2\nhips_tile_format = png');
    expect(p.hipsOrderMin).toBe(0);
    expect(p.hipsTileWidth).toBe(512);
    expect(p.hipsFrame).toBe('equatorial');
    expect(validateForImageRendering(p)).toEqual([]);
    const frame = (v: string) => parseHipsProperties(`hips_frame = ${v}`).hipsFrame;
    expect(frame('C')).toBe('equatorial');
    expect(frame('ICRS')).toBe('equatorial');
    expect(frame('equatorial')).toBe('equatorial');
    expect(frame('G')).toBe('galactic');
    expect(frame('galactic')).toBe('galactic');
    expect(frame('ecliptic')).toBe('ecliptic');
    expect(frame('mars')).toBe('mars');
    expect(frame('')).toBe('equatorial');
  });

  it('numbers are parsed strictly', () => {
    const p = parseHipsProperties(
      [
        'hips_order = 7.5',
        'hips_order_min = 0x2',
        'hips_tile_width = 500',
        'hips_pixel_cut = 1e3',
        'hips_data_range = -1 abc',
        'hips_initial_ra = Infinity',
        'hips_initial_dec = 91',
        'hips_initial_fov = -3',
        'moc_sky_fraction = 1.5',
        'hips_pixel_bitpix = 12',
      ].join('\n'),
    );
    expect(p.hipsOrder).toBeUndefined();
    expect(p.hipsOrderMin).toBe(0);
    expect(p.hipsTileWidth).toBe(512);
    expect(p.hipsPixelCut).toBeUndefined();
    expect(p.hipsDataRange).toBeUndefined();
    expect(p.hipsInitialRaDeg).toBeUndefined();
    expect(p.hipsInitialDecDeg).toBeUndefined();
    expect(p.hipsInitialFovDeg).toBeUndefined();
    expect(p.mocSkyFraction).toBeUndefined();
    expect(p.hipsPixelBitpix).toBeUndefined();
    expect(validateForImageRendering(p)).toEqual([
      "hips_order must be an integer in 0..29, got '7.5'",
      "hips_order_min must be an integer in 0..29, got '0x2'",
      'properties has no hips_tile_format',
      "hips_tile_width must be a power of two, got '500'",
    ]);
    const q = parseHipsProperties('hips_data_minmax = -2.5 1E2 extra\nhips_pixel_cut = 0 100000 sqrt');
    expect(q.hipsDataRange).toEqual([-2.5, 100]);
    expect(q.hipsPixelCut).toEqual([0, 100000]);
  });
});

describe('validateForImageRendering', () => {
  const problems = (text: string) => validateForImageRendering(parseHipsProperties(text));

  it('missing hips_order', () => {
    expect(problems('hips_tile_format = jpeg')).toEqual(['properties has no hips_order']);
  });

  it('non-numeric and out-of-range order', () => {
    expect(problems('hips_order = abc\nhips_tile_format = jpeg')).toEqual([
      "hips_order must be an integer in 0..29, got 'abc'",
    ]);
    expect(problems('hips_order = 30\nhips_tile_format = jpeg')).toEqual([
      "hips_order must be an integer in 0..29, got '30'",
    ]);
    expect(problems('hips_order = 3\nhips_order_min = 4\nhips_tile_format = jpeg')).toEqual([
      'hips_order_min 4 is greater than hips_order 3',
    ]);
  });

  it('tsv-only format', () => {
    expect(problems('hips_order = 3\nhips_tile_format = tsv\ndataproduct_type = catalog')).toEqual([
      "hips_tile_format 'tsv' is not an image format",
      "dataproduct_type 'catalog' is not an image HiPS",
    ]);
    expect(problems('hips_order = 3\nhips_tile_format = tsv fits')).toEqual([]);
  });

  it('empty text', () => {
    const p = parseHipsProperties('');
    expect(p.raw.size).toBe(0);
    expect(p.hipsFrame).toBe('equatorial');
    expect(validateForImageRendering(p)).toEqual([
      'properties has no hips_order',
      'properties has no hips_tile_format',
    ]);
  });

  it('binary garbage', () => {
    const bytes = new Uint8Array(4096);
    const rand = prng(7);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
    const text = new TextDecoder('utf-8').decode(bytes);
    const p = parseHipsProperties(text);
    expect(p.raw).toBeInstanceOf(Map);
    expect(validateForImageRendering(p)).toContain('properties has no hips_order');
  });

  it('planetary frame and bad tile width', () => {
    expect(problems('hips_order = 3\nhips_tile_format = png\nhips_frame = mars\nhips_tile_width = 0')).toEqual([
      "hips_tile_width must be a power of two, got '0'",
      "hips_frame 'mars' is not a celestial frame (equatorial, galactic or ecliptic)",
    ]);
  });
});

describe('never throws', () => {
  it('2,000 random strings (seeded)', () => {
    const rand = prng(12345);
    const alphabet = [
      ...'abcdefghijklmnopqrstuvwxyz_0123456789 .-+eE',
      '=', '=', '=', '#', '\n', '\n', '\r', '\r\n', '\t', ' ', '\uFEFF', '\u0000', '\uD800', '\uDC00',
      'é', '😀', 'hips_order', 'hips_order_min', 'hips_tile_format', 'hips_tile_width', 'hips_frame',
      'hips_pixel_cut', 'hips_data_range', 'hips_initial_ra', 'moc_sky_fraction', 'jpeg', 'tsv',
      '__proto__', 'constructor', 'NaN', 'Infinity', '1e309', '-0', '99999999999999999999',
    ];
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const len = Math.floor(rand() * 200);
      for (let k = 0; k < len; k++) {
        s += rand() < 0.1 ? String.fromCharCode(Math.floor(rand() * 0x10000)) : alphabet[Math.floor(rand() * alphabet.length)];
      }
      const p = parseHipsProperties(s);
      expect(typeof p).toBe('object');
      expect(p.raw).toBeInstanceOf(Map);
      const problems = validateForImageRendering(p);
      expect(Array.isArray(problems)).toBe(true);
      for (const m of problems) expect(typeof m).toBe('string');
      if (p.hipsOrder !== undefined) expect(Number.isInteger(p.hipsOrder)).toBe(true);
      expect(Number.isInteger(p.hipsTileWidth)).toBe(true);
    }
  });

  it('non-string input from untyped callers', () => {
    for (const bad of [undefined, null, 42, {}, []]) {
      const p = parseHipsProperties(bad as unknown as string);
      expect(p.raw.size).toBe(0);
    }
  });
});
