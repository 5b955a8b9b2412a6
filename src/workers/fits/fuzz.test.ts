// Fuzz: 3,000 seeded random mutations (bit flips, truncations, inserted garbage, rewritten
// structural cards, deleted/zeroed/duplicated ranges, random words written into data units and
// heaps) of real FITS files and of the fixtures: images, BINTABLE/TABLE with every TFORM and
// heap arrays, tile-compressed images (RICE_1, GZIP_1/2, NOCOMPRESS, quantized floats, 3-D
// tiles) and gzip-compressed files. Each mutated input must either parse (and decode its
// images, tables and compressed images) or throw a FitsError: never another exception type,
// never hang (each input gets a time budget and the test a timeout).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FitsError } from './errors.js';
import { readFits } from './file.js';

const FIXTURES = new URL('../../../test/fixtures/fits/', import.meta.url);
const SAMPLES = '/work/shared/data/fits_samples';
const GAIA = '/work/shared/data/hips/cds_gaia_dr2_radial_velocity_map/Norder3/Dir0';

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

function loadSources(): Array<{ name: string; bytes: Uint8Array }> {
  const out: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const name of [
    'mef.fits',
    'header_special.fits',
    'cube3.fits',
    'bitpix64_blank.fits',
    'bitpix16_scaled_blank.fits',
    'unpadded16.fits',
    'groups.fits',
    'table_all.fits',
    'table_ascii.fits',
    'comp_i16_rice.fits',
    'comp_i16_gzip2.fits',
    'comp_u8_rice.fits',
    'comp_f32_dither1.fits',
    'comp_f32_dither2.fits',
    'comp_f64_gzip1.fits',
    'comp_f32_nocompress.fits',
    'comp_cube_tiles.fits',
    'comp_u16_tiles.fits',
    'comp_plio_mask.fits',
    'comp_plio_tiles.fits',
    'comp_hcompress_i16.fits',
    'comp_hcompress_lossy.fits',
    'gz_mef.fits.gz',
  ]) {
    out.push({ name, bytes: new Uint8Array(readFileSync(new URL(name, FIXTURES))) });
  }
  const real = [
    'blank.fits',
    'btable.fits',
    'chandra_time.fits',
    'comp.fits',
    'compressed_float_bzero.fits',
    'compressed_image.fits',
    'gc_msx_e.fits',
    'o4sp040b0_raw.fits',
    'random_groups.fits',
    'scale.fits',
    'tb.fits',
    'test0.fits',
    'variable_length_table.fits',
  ];
  for (const name of real) {
    const p = `${SAMPLES}/${name}`;
    if (existsSync(p)) out.push({ name, bytes: new Uint8Array(readFileSync(p)) });
  }
  for (const name of ['Npix0.fits', 'Npix357.fits']) {
    const p = `${GAIA}/${name}`;
    if (existsSync(p)) out.push({ name, bytes: new Uint8Array(readFileSync(p)) });
  }
  return out;
}

const KEYS = [
  'SIMPLE',
  'XTENSION',
  'BITPIX',
  'NAXIS',
  'NAXIS1',
  'NAXIS2',
  'NAXIS3',
  'PCOUNT',
  'GCOUNT',
  'GROUPS',
  'BLANK',
  'BSCALE',
  'BZERO',
  'END',
  'CONTINUE',
  'ZIMAGE',
  'EXTNAME',
  'HIERARCH A B',
  // tables
  'TFIELDS',
  'TFORM1',
  'TFORM2',
  'TTYPE1',
  'TSCAL1',
  'TZERO2',
  'TNULL1',
  'TDIM2',
  'THEAP',
  'TBCOL1',
  'TBCOL2',
  // tile compression
  'ZCMPTYPE',
  'ZBITPIX',
  'ZNAXIS',
  'ZNAXIS1',
  'ZNAXIS2',
  'ZTILE1',
  'ZTILE2',
  'ZQUANTIZ',
  'ZDITHER0',
  'ZBLANK',
  'ZVAL1',
  'ZVAL2',
];
const VALUES = [
  '0',
  '1',
  '-1',
  '2',
  '3',
  '8',
  '16',
  '-32',
  '64',
  '-64',
  '999',
  '1000',
  '2147483648',
  '99999999999999999999',
  '9007199254740993',
  '1e308',
  '1.5',
  'NaN',
  'T',
  'F',
  "'IMAGE   '",
  "'BINTABLE'",
  "'TABLE   '",
  "'FOO'",
  "'1PB'",
  "'1QB(9)'",
  "'3J'",
  "'PE(2)'",
  "'13X'",
  "'0A'",
  "'F8.3'",
  "'(2,2)'",
  "'RICE_1'",
  "'GZIP_2'",
  "'NOCOMPRESS'",
  "'HCOMPRESS_1'",
  "'SUBTRACTIVE_DITHER_2'",
  "'NONE'",
  "'",
  "'abc&'",
  "''",
  '(1, 2)',
  '(',
  '',
  '/ only a comment',
];

type Mutator = (src: Uint8Array, rnd: () => number) => Uint8Array;

const int = (rnd: () => number, n: number): number => Math.floor(rnd() * n);

/** Offsets of the header cards of the source (first 3 blocks), to aim structural mutations. */
function headerPos(src: Uint8Array, rnd: () => number): number {
  return int(rnd, Math.min(src.length, 2880 * 3));
}

const MUTATORS: Record<string, Mutator> = {
  bitflips(src, rnd) {
    const b = src.slice();
    const k = 1 + int(rnd, 16);
    for (let i = 0; i < k; i++) {
      const p = rnd() < 0.7 ? headerPos(b, rnd) : int(rnd, b.length);
      b[p]! ^= 1 << int(rnd, 8);
    }
    return b;
  },
  truncate(src, rnd) {
    return src.slice(0, int(rnd, src.length));
  },
  insertGarbage(src, rnd) {
    const len = 1 + int(rnd, 300);
    const at = rnd() < 0.5 ? headerPos(src, rnd) : int(rnd, src.length + 1);
    const garbage = new Uint8Array(len);
    const printable = rnd() < 0.5;
    for (let i = 0; i < len; i++) garbage[i] = printable ? 32 + int(rnd, 95) : int(rnd, 256);
    const b = new Uint8Array(src.length + len);
    b.set(src.subarray(0, at));
    b.set(garbage, at);
    b.set(src.subarray(at), at + len);
    return b;
  },
  rewriteCard(src, rnd) {
    const b = src.slice();
    const cards = Math.floor(Math.min(b.length, 2880 * 3) / 80);
    if (cards === 0) return b;
    const k = 1 + int(rnd, 3);
    for (let i = 0; i < k; i++) {
      // aim at header cards of any HDU: pick a block start that looks like a header
      const at = int(rnd, cards) * 80;
      const key = KEYS[int(rnd, KEYS.length)]!;
      const value = VALUES[int(rnd, VALUES.length)]!;
      const text = key.startsWith('HIERARCH') ? `${key} = ${value}` : key === 'END' || key === 'CONTINUE' ? `${key.padEnd(10)}${value}` : `${key.padEnd(8)}= ${value.padStart(20)}`;
      const card = new TextEncoder().encode(text.padEnd(80).slice(0, 80));
      b.set(card, at);
    }
    return b;
  },
  deleteRange(src, rnd) {
    const at = int(rnd, src.length);
    const len = 1 + int(rnd, rnd() < 0.5 ? 80 : 4000);
    const head = src.subarray(0, at);
    const tail = src.subarray(Math.min(src.length, at + len));
    const b = new Uint8Array(head.length + tail.length);
    b.set(head);
    b.set(tail, head.length);
    return b;
  },
  zeroOrFill(src, rnd) {
    const b = src.slice();
    const at = int(rnd, b.length);
    b.fill(rnd() < 0.5 ? 0 : 0x20, at, at + 1 + int(rnd, 3000));
    return b;
  },
  scribbleData(src, rnd) {
    // random 32-bit words in the data units (descriptors, heaps, compressed tiles)
    const b = src.slice();
    const dv = new DataView(b.buffer);
    const start = Math.min(b.length, 2880 * 2);
    if (b.length - start < 8) return b;
    const k = 1 + int(rnd, 8);
    for (let i = 0; i < k; i++) {
      const p = start + int(rnd, b.length - start - 4);
      const r = rnd();
      dv.setUint32(p, r < 0.3 ? 0xffffffff : r < 0.6 ? int(rnd, 256) : int(rnd, 2 ** 32));
    }
    return b;
  },
  duplicateBlock(src, rnd) {
    const blocks = Math.floor(src.length / 2880);
    if (blocks === 0) return src.slice();
    const from = int(rnd, blocks) * 2880;
    const to = int(rnd, blocks + 1) * 2880;
    const b = new Uint8Array(src.length + 2880);
    b.set(src.subarray(0, to));
    b.set(src.subarray(from, from + 2880), to);
    b.set(src.subarray(to), to + 2880);
    return b;
  },
};

/** FitsErrors thrown while decoding tables and images of inputs that parsed, by code. */
const inner: Record<string, number> = {};

/** Run f; FitsErrors count as a normal outcome, anything else propagates. */
function tolerate(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof FitsError)) throw e;
    inner[e.code] = (inner[e.code] ?? 0) + 1;
  }
}

/** Exercise everything the reader offers on one input. */
function exercise(bytes: Uint8Array): number {
  // a modest memory limit: mutated sizes must be refused, not allocated
  const f = readFits(bytes, { maxBytes: 1 << 26 });
  let decoded = 0;
  for (const hdu of f.hdus) {
    for (const k of hdu.header.keys()) hdu.header.get(k);
    hdu.dataBytes();
    if (hdu.type === 'image') {
      decoded += hdu.readImage().data.length;
      decoded += hdu.readImagePlane(0).data.length;
      decoded += hdu.readImagePlane(hdu.planeCount - 1, { output: 'float64' }).data.length;
    } else if (hdu.isCompressedImage) {
      tolerate(() => {
        decoded += hdu.readImage().data.length;
        decoded += hdu.readImagePlane(hdu.planeCount - 1, { output: 'float64' }).data.length;
      });
    } else {
      tolerate(() => hdu.readImage());
    }
    if (hdu.type === 'groups') tolerate(() => (decoded += hdu.readGroups().data.length));
    if (hdu.type === 'bintable' || hdu.type === 'table') {
      tolerate(() => {
        const t = hdu.readTable();
        for (const c of t.columns) {
          tolerate(() => {
            const v = t.column(c.index);
            decoded += v.length;
            t.nulls(c.index);
            t.column(c.index, { raw: true });
            if (t.nrows > 0) t.cell(c.index, t.nrows - 1);
          });
        }
      });
    }
  }
  return decoded;
}

describe('fuzz: mutated FITS files parse or throw FitsError', () => {
  const sources = loadSources();
  // FITS_FUZZ_N / FITS_FUZZ_SEED override the defaults for longer local runs
  const N = Number(process.env.FITS_FUZZ_N ?? 3000);
  const SEED = Number(process.env.FITS_FUZZ_SEED ?? 20240611);

  it(
    `${N} seeded mutations`,
    () => {
      expect(sources.length).toBeGreaterThanOrEqual(19);
      const names = Object.keys(MUTATORS);
      const rnd = prng(SEED);
      const outcomes: Record<string, number> = {};
      let parsed = 0;
      let worstMs = 0;
      const failures: string[] = [];
      for (let i = 0; i < N; i++) {
        const src = sources[int(rnd, sources.length)]!;
        const how = names[i % names.length]!;
        const input = MUTATORS[how]!(src.bytes, rnd);
        const t0 = performance.now();
        try {
          exercise(input);
          parsed++;
          outcomes.parsed = (outcomes.parsed ?? 0) + 1;
        } catch (e) {
          if (e instanceof FitsError) {
            outcomes[e.code] = (outcomes[e.code] ?? 0) + 1;
          } else {
            failures.push(`#${i} ${how}(${src.name}): ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
          }
        }
        worstMs = Math.max(worstMs, performance.now() - t0);
      }
      expect(failures, failures.slice(0, 10).join('\n')).toEqual([]);
      // both outcomes must occur, or the fuzzing is not exercising anything
      expect(parsed).toBeGreaterThan(100);
      expect(N - parsed).toBeGreaterThan(100);
      // no single input may take long (no hang, no quadratic blow-up)
      expect(worstMs).toBeLessThan(2000);
      console.log(`fuzz outcomes over ${N} inputs (worst ${worstMs.toFixed(1)} ms):`, JSON.stringify(outcomes), 'decode errors:', JSON.stringify(inner));
      // the table and tile decoders must be reached and must reject some mutated data
      expect((inner.BAD_DATA ?? 0) + (inner.BAD_KEYWORD ?? 0)).toBeGreaterThan(20);
    },
    120_000,
  );
});
