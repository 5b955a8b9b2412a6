// Tables: BINTABLE with every TFORM (test/fixtures/fits/table_all.fits), ASCII TABLE
// (table_ascii.fits), every table, image and tile-compressed image of the real-data kit
// (fits_samples, spectra/UVES, lightcurves) against astropy (test/fixtures/fits/make_tables.py:
// tables_expected.json, real_tables_expected.json), and lying headers.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FitsError } from './errors.js';
import { readFits } from './file.js';
import { crc32 } from './inflate.js';
import { parseAsciiNumber, parseAsciiTform, parseBinaryTform, type FitsColumnValues, type FitsTable, type FitsTypedArray } from './table.js';

const FIXTURES = new URL('../../../test/fixtures/fits/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

interface ExpectedColumn {
  name: string;
  tform: string;
  kind: 'numbers' | 'strings' | 'vla' | 'vla-str';
  crc: number;
  count: number;
  lengths?: number[] | null;
  lengthsCrc?: number;
  values?: unknown[];
  samples?: Array<[number, unknown]>;
}
interface ExpectedTable {
  index?: number;
  type: string;
  nrows: number;
  columns: ExpectedColumn[];
  units: Array<string | null>;
  header?: Record<string, unknown>;
}
interface ExpectedImage {
  shape: number[];
  crc: number;
  samples: Array<[number, unknown]>;
  stats: { min: number | null; max: number | null; count: number; nonFinite: number };
}

const synthetic = JSON.parse(readFileSync(new URL('tables_expected.json', FIXTURES), 'utf8')) as { files: Record<string, ExpectedTable[]> };

function num(v: unknown): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === '-0') return -0;
  if (typeof v === 'string') return Number(BigInt(v));
  return v as number;
}

/** CRC-32 of values as big-endian float64 (NaN canonical), as make_tables.py computes it. */
function f64Crc(values: ArrayLike<number | bigint>): number {
  const b = new Uint8Array(values.length * 8);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]!);
    if (Number.isNaN(v)) {
      dv.setUint32(8 * i, 0x7ff80000);
      dv.setUint32(8 * i + 4, 0);
    } else dv.setFloat64(8 * i, v);
  }
  return crc32(b);
}

function strCrc(strings: string[]): number {
  const text = strings.map((s) => s + '\n').join('');
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
  return crc32(b);
}

/** Flat float64 view of a column, for the CRC. */
function flatNumbers(v: FitsColumnValues): number[] {
  if (Array.isArray(v)) {
    const out: number[] = [];
    for (const r of v as FitsTypedArray[]) for (const x of r) out.push(Number(x));
    return out;
  }
  return Array.from(v as ArrayLike<number | bigint>, (x) => Number(x));
}

function expectSame(got: number | bigint, want: unknown, what: string): void {
  if (typeof got === 'bigint') {
    expect(got, what).toBe(BigInt(typeof want === 'string' ? want : (want as number)));
    return;
  }
  const w = num(want);
  if (Number.isNaN(w)) expect(got, what).toBeNaN();
  else expect(Object.is(got, w) || got === w, `${what}: ${got} vs ${String(want)}`).toBe(true);
}

/** Compare a column with astropy's description (full values or CRC + samples). */
function checkColumn(table: FitsTable, exp: ExpectedColumn, what: string): void {
  const c = table.getColumn(exp.name)!;
  expect(c, what).toBeDefined();
  expect(c.tform, what).toBe(exp.tform);
  const v = table.column(exp.name);
  if (exp.kind === 'strings' || exp.kind === 'vla-str') {
    expect(Array.isArray(v), what).toBe(true);
    const s = v as string[];
    expect(s.length, what).toBe(exp.count);
    expect(strCrc(s), `${what} crc`).toBe(exp.crc);
    if (exp.values) expect(s, what).toEqual(exp.values);
    for (const [r, want] of exp.samples ?? []) {
      const per = exp.kind === 'strings' ? s.length / table.nrows : 1;
      expect(s.slice(r * per, r * per + per), `${what} row ${r}`).toEqual(want);
    }
    return;
  }
  if (exp.kind === 'vla') {
    const rows = v as FitsTypedArray[];
    expect(rows.length, what).toBe(table.nrows);
    const lengths = rows.map((r) => r.length); // complex: 2 numbers per element, as in the JSON
    if (exp.lengths) expect(lengths, what).toEqual(exp.lengths);
    expect(f64Crc(lengths), `${what} lengths crc`).toBe(exp.lengthsCrc);
    expect(f64Crc(flatNumbers(v)), `${what} crc`).toBe(exp.crc);
    (exp.values as unknown[][] | undefined)?.forEach((want, r) => {
      expect(rows[r]!.length, `${what} row ${r}`).toBe(want.length);
      want.forEach((w, i) => expectSame(rows[r]![i]!, w, `${what} row ${r} [${i}]`));
    });
    for (const [r, want] of exp.samples ?? []) (want as unknown[]).forEach((w, i) => expectSame(rows[r]![i]!, w, `${what} row ${r} [${i}]`));
    return;
  }
  const arr = v as FitsTypedArray;
  expect(arr.length, what).toBe(exp.count);
  expect(f64Crc(flatNumbers(v)), `${what} crc`).toBe(exp.crc);
  exp.values?.forEach((w, i) => expectSame(arr[i]!, w, `${what}[${i}]`));
  const per = table.nrows ? arr.length / table.nrows : 0;
  for (const [r, want] of exp.samples ?? []) (want as unknown[]).forEach((w, i) => expectSame(arr[r * per + i]!, w, `${what} row ${r} [${i}]`));
}

function expectFitsError(f: () => unknown, code: string, message?: RegExp): FitsError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FitsError);
  expect((err as FitsError).code, (err as Error).message).toBe(code);
  if (message) expect((err as FitsError).message).toMatch(message);
  return err as FitsError;
}

describe('TFORM parsing', () => {
  it('binary formats', () => {
    expect(parseBinaryTform('1J')).toEqual({ repeat: 1, code: 'J', elementCode: 'J', maxLength: undefined, width: 4 });
    expect(parseBinaryTform('J')!.repeat).toBe(1);
    expect(parseBinaryTform('13X')!.width).toBe(2);
    expect(parseBinaryTform('0J')!.width).toBe(0);
    expect(parseBinaryTform('20A10')!.width).toBe(20); // rAw substring form: w ignored
    expect(parseBinaryTform('2M')!.width).toBe(32);
    expect(parseBinaryTform('1PE(20)')).toEqual({ repeat: 1, code: 'P', elementCode: 'E', maxLength: 20, width: 8 });
    expect(parseBinaryTform('QD')).toEqual({ repeat: 1, code: 'Q', elementCode: 'D', maxLength: undefined, width: 16 });
    expect(parseBinaryTform('PB(6)')!.maxLength).toBe(6);
    for (const bad of ['', 'Z', '3', '2PE', 'PZ', '99999999999999999999J']) expect(parseBinaryTform(bad), bad).toBeUndefined();
  });

  it('ASCII formats and numbers', () => {
    expect(parseAsciiTform('F10.4')).toEqual({ code: 'F', width: 10, decimals: 4 });
    expect(parseAsciiTform('A8')).toEqual({ code: 'A', width: 8, decimals: undefined });
    expect(parseAsciiTform('I6.2')).toBeUndefined();
    expect(parseAsciiTform('F0.1')).toBeUndefined();
    expect(parseAsciiNumber('1.5D+03', false, 2)).toBe(1500);
    expect(parseAsciiNumber('-.5e1', false, 2)).toBe(-5);
    // implicit decimal point (Fortran input rules): d digits from the right
    expect(parseAsciiNumber('12345', false, 2)).toBe(123.45);
    expect(parseAsciiNumber('-5', false, 3)).toBe(-0.005);
    expect(parseAsciiNumber('15E2', false, 1)).toBe(150);
    expect(parseAsciiNumber('1.5+3', false, 0)).toBe(1500);
    expect(parseAsciiNumber('12', true, 0)).toBe(12);
    expect(parseAsciiNumber('1.2', true, 0)).toBeNaN();
    expect(parseAsciiNumber('abc', false, 0)).toBeNaN();
  });
});

describe('BINTABLE with every TFORM (table_all.fits) vs astropy', () => {
  const file = readFits(fixture('table_all.fits'));
  const exp = synthetic.files['table_all.fits']!;

  it('decodes every column as astropy does', () => {
    const t = file.hdus[1]!.readTable();
    const e = exp[0]!;
    expect(t.kind).toBe('bintable');
    expect(t.nrows).toBe(e.nrows);
    expect(t.names).toEqual(e.columns.map((c) => c.name));
    for (const c of e.columns) checkColumn(t, c, `ALLTYPES.${c.name}`);
    expect(t.warnings).toEqual([]);
  });

  it('chooses the array type from the header', () => {
    const t = file.getHdu('ALLTYPES')!.readTable();
    const types = Object.fromEntries(t.columns.map((c) => [c.name, (t.column(c.name) as { constructor: { name: string } }).constructor.name]));
    expect(types).toMatchObject({
      LOG: 'Uint8Array',
      BITS: 'Uint8Array',
      BYTE: 'Uint8Array',
      SBYTE: 'Int8Array',
      BYTE_NULL: 'Float64Array',
      SHORT: 'Int16Array',
      USHORT: 'Uint16Array',
      SHORT_SCALED: 'Float64Array',
      INT: 'Int32Array',
      UINT: 'Uint32Array',
      LONG: 'BigInt64Array',
      ULONG: 'BigUint64Array',
      LONG_NULL: 'Float64Array',
      STR: 'Array',
      FLOAT: 'Float32Array',
      FLOAT_SCALED: 'Float64Array',
      DOUBLE: 'Float64Array',
      CPLX: 'Float32Array',
      DCPLX: 'Float64Array',
      VLA_E: 'Array',
    });
    expect((t.column('VLA_E') as FitsTypedArray[])[0]).toBeInstanceOf(Float32Array);
    expect((t.column('VLA_J_NULL') as FitsTypedArray[])[0]).toBeInstanceOf(Float64Array);
    expect((t.column('VLA_I_SCALED') as FitsTypedArray[])[0]).toBeInstanceOf(Float64Array);
    expect((t.column('VLA_C') as FitsTypedArray[])[2]).toEqual(new Float32Array([2, -3, 0, 0.5]));
    expect(t.getColumn('SBYTE')!.valueType).toBe('int8');
    expect(t.getColumn('vla_d_q')!.code).toBe('Q');
  });

  it('keeps TUNIT, TUCD, TDISP, TDIM, TNULL and gives cells with their shape', () => {
    const t = file.getHdu('ALLTYPES')!.readTable();
    const byte = t.getColumn('BYTE')!;
    expect([byte.unit, byte.ucd, byte.tscal, byte.tzero]).toEqual(['count', 'meta.number', 1, 0]);
    expect(t.getColumn('SHORT')!.display).toBe('I6');
    expect(t.getColumn('FLOAT')!.unit).toBe('mag');
    expect(t.getColumn('MATRIX')!.dims).toEqual([3, 2]);
    expect(t.getColumn('MATRIX')!.cellShape).toEqual([3, 2]);
    expect(t.getColumn('STR_DIM')!.cellShape).toEqual([3]);
    expect(t.getColumn('CUBE')!.cellLength).toBe(8);
    expect(t.getColumn('CPLX')!.cellLength).toBe(2);
    expect(t.getColumn('LONG_NULL')!.tnull).toBe(-9223372036854775807n);
    expect(t.getColumn('SHORT_NULL')!.tnull).toBe(-999);
    expect(t.cell('SHORT', 4)).toBe(32767);
    expect(t.cell('LONG', 4)).toBe(9223372036854775807n);
    expect(t.cell('STR', 2)).toBe('  lead');
    expect(t.cell('STR_DIM', 1)).toEqual(['1', '22', '333']);
    expect(Array.from(t.cell('CUBE', 1) as Int16Array)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(t.cell('VLA_A', 1)).toBe('a longer string');
    expect(Array.from(t.cell(t.getColumn('VLA_D_Q')!.index, 3) as Float64Array)).toEqual([4.75, 5, 6]);
    expect(t.cell('ZERO_REP', 0)).toEqual(new Int32Array(0));
    expectFitsError(() => t.cell('SHORT', 5), 'OUT_OF_RANGE');
    expectFitsError(() => t.column('NOPE'), 'BAD_ARGUMENT', /no column "NOPE" \(columns: LOG, LOG3/);
    expect(t.column('short')).toBe(t.column('SHORT')); // cached, case-insensitive
  });

  it('gives null masks and raw stored integers', () => {
    const t = file.getHdu('ALLTYPES')!.readTable();
    expect(Array.from(t.nulls('LOG')!)).toEqual([0, 0, 0, 1, 0]); // byte 0 in row 4
    expect(Array.from(t.nulls('BYTE_NULL')!)).toEqual([0, 1, 0, 1, 0]);
    expect(Array.from(t.nulls('SHORT_NULL')!)).toEqual([0, 1, 0, 0, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(t.nulls('VLA_J_NULL')!)).toEqual([0, 1, 0, 1, 0, 0, 0]);
    expect(Array.from(t.nulls('LONG_NULL')!)).toEqual([0, 1, 0, 0, 0]);
    expect(t.nulls('SHORT')).toBeUndefined();
    expect(Array.from(t.column('INT_SCALED_NULL', { raw: true }) as Int32Array)).toEqual([1000, -2147483647, 0, 123456, -1]);
    expect(Array.from(t.column('USHORT', { raw: true }) as Int16Array)).toEqual([-32768, -32767, 0, 7232, 32767]);
    expect(t.column('LONG_NULL', { raw: true })).toBeInstanceOf(BigInt64Array);
  });

  it('reads a heap that starts after a gap (THEAP)', () => {
    const hdu = file.getHdu('GAPHEAP')!;
    const t = hdu.readTable();
    expect(t.heapOffset).toBe(40);
    checkColumn(t, exp[1]!.columns[0]!, 'GAPHEAP.ARR');
    checkColumn(t, exp[1]!.columns[1]!, 'GAPHEAP.X');
  });
});

describe('random groups', () => {
  it('reads the parameters and arrays of groups.fits (written by astropy)', () => {
    const hdu = readFits(fixture('groups.fits')).primary;
    expect(hdu.type).toBe('groups');
    const g = hdu.readGroups();
    expect(g.groupCount).toBe(2);
    expect(g.parameterNames).toEqual(['UU', 'VV']);
    expect(Array.from(g.parameter('uu'))).toEqual([1, 2]);
    expect(Array.from(g.parameter('VV'))).toEqual([3, 4]);
    expect(Array.from(g.parameters)).toEqual([1, 3, 2, 4]);
    expect(g.shape).toEqual([4, 3, 1]);
    expect(Array.from(g.data)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(() => g.parameter('WW')).toThrow(FitsError);
    expect(() => readFits(fixture('bitpix16.fits')).primary.readGroups()).toThrow(/not a random-groups HDU/);
  });
});

describe('ASCII TABLE (table_ascii.fits) vs astropy', () => {
  it('decodes Aw Iw Fw.d Ew.d Dw.d with TNULL, TSCAL/TZERO, blanks and D exponents', () => {
    const hdu = readFits(fixture('table_ascii.fits')).hdus[1]!;
    const t = hdu.readTable();
    const e = synthetic.files['table_ascii.fits']![0]!;
    expect(t.kind).toBe('table');
    expect(t.nrows).toBe(5);
    for (const c of e.columns) checkColumn(t, c, `ASCII.${c.name}`);
    expect(t.getColumn('FIXED')).toMatchObject({ code: 'F', width: 10, decimals: 4, unit: 'deg' });
    expect(t.getColumn('COUNT')!.tnull).toBe('-99');
    expect(Array.from(t.nulls('DBL')!)).toEqual([0, 0, 0, 1, 0]);
    expect(t.warnings).toEqual([]);
  });
});

const DATA = '/work/shared/data';
const haveData = existsSync(`${DATA}/fits_samples`);
const real = haveData
  ? (JSON.parse(readFileSync(new URL('real_tables_expected.json', FIXTURES), 'utf8')) as {
      files: Record<
        string,
        Array<{ index: number; table?: ExpectedTable; image?: ExpectedImage; groups?: { count: number; names: string[]; params: Record<string, unknown[]>; data: ExpectedImage } }>
      >;
    })
  : { files: {} };

function checkImage(data: Float32Array | Float64Array, shape: number[], exp: ExpectedImage, what: string): void {
  expect(shape, what).toEqual(exp.shape);
  expect(f64Crc(data), `${what} crc`).toBe(exp.crc);
  for (const [i, w] of exp.samples) expectSame(data[i]!, w, `${what}[${i}]`);
  let count = 0;
  for (const v of data) if (Number.isFinite(v)) count++;
  expect(count, what).toBe(exp.stats.count);
}

describe.skipIf(!haveData)('every table and image of fits_samples, spectra/UVES, lightcurves vs astropy', () => {
  it('covers the kit', () => {
    const names = Object.keys(real.files);
    expect(names.filter((n) => n.startsWith('spectra/UVES/')).length).toBe(15);
    expect(names.filter((n) => n.startsWith('lightcurves/')).length).toBe(2);
    expect(names.filter((n) => n.startsWith('fits_samples/')).length).toBeGreaterThanOrEqual(20);
  });
  for (const [rel, entries] of Object.entries(real.files)) {
    it(rel, () => {
      const file = readFits(readFileSync(`${DATA}/${rel}`));
      for (const e of entries) {
        const hdu = file.hdus[e.index]!;
        const what = `${rel} HDU ${e.index}`;
        if (e.table) {
          const t = hdu.readTable();
          expect(t.kind, what).toBe(e.table.type);
          expect(t.nrows, what).toBe(e.table.nrows);
          expect(t.columns.map((c) => c.unit ?? null), what).toEqual(e.table.units.map((u) => (u === '' ? null : u)));
          for (const c of e.table.columns) checkColumn(t, c, `${what} ${c.name}`);
        }
        if (e.image) {
          const img = hdu.readImage();
          checkImage(img.data, img.shape, e.image, what);
        }
        if (e.groups) {
          const g = hdu.readGroups();
          expect(g.groupCount, what).toBe(e.groups.count);
          expect(g.parameterNames, what).toEqual(e.groups.names);
          for (const [name, values] of Object.entries(e.groups.params)) {
            Array.from(g.parameter(name)).forEach((v, i) => expectSame(v, values[i], `${what} ${name}[${i}]`));
          }
          checkImage(g.data, [...g.shape, g.groupCount], e.groups.data, `${what} group arrays`);
        }
      }
    });
  }
});

/** Replace a header card (80 chars at the card whose keyword is `key`) in a copy of bytes. */
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

describe('lying headers and memory limits', () => {
  const bytes = fixture('table_all.fits');
  const f = readFits(bytes);
  const hdu = f.hdus[1]!;

  it('rejects a NAXIS2 larger than the data (TRUNCATED) and an absurd NAXIS1 (TOO_LARGE)', () => {
    const n2 = setCard(bytes, hdu.headerOffset, 'NAXIS2', 'NAXIS2  =                 5000');
    expectFitsError(() => readFits(n2), 'TRUNCATED', /HDU 1: FITS data is truncated.*NAXISn = \d+ x 5000/);
    const n1 = setCard(bytes, hdu.headerOffset, 'NAXIS1', 'NAXIS1  =        1000000000000');
    expectFitsError(() => readFits(n1), 'TOO_LARGE', /HDU 1: the header declares 5000000\d+ bytes of data .* limit of 2147483648 bytes/);
    // the limit is configurable
    expectFitsError(() => readFits(bytes, { maxBytes: 1000 }), 'TOO_LARGE', /HDU 1: .*limit of 1000 bytes/);
    expectFitsError(() => readFits(n1, { maxBytes: 1e13 }), 'TRUNCATED');
  });

  it('rejects a PCOUNT too small for the heap descriptors (BAD_DATA naming the column and PCOUNT)', () => {
    // shrink PCOUNT: the data unit is then smaller, the descriptors point past the heap
    const pc = setCard(bytes, hdu.headerOffset, 'PCOUNT', 'PCOUNT  =                   20');
    const t = readFits(pc).hdus[1]!.readTable();
    expectFitsError(() => t.column('VLA_A'), 'BAD_DATA', /HDU 1: row 1 of column 30 'VLA_A' \(TFORM30 = 'PA\(15\)'\): the array descriptor .* points outside the heap of \d+ bytes \(PCOUNT = 20/);
  });

  it('rejects heap offsets and counts outside the heap', () => {
    const t0 = hdu.readTable();
    const c = t0.getColumn('VLA_E')!;
    const at = hdu.dataOffset + 2 * t0.rowLength + c.offset; // row 3 descriptor
    for (const [count, offset] of [
      [1, 1e9],
      [-1, 0],
      [0x7fffffff, 0],
      [2, t0.heapLength - 4],
    ]) {
      const b = bytes.slice();
      const dv = new DataView(b.buffer);
      dv.setInt32(at, count!);
      dv.setInt32(at + 4, offset!);
      const t = readFits(b).hdus[1]!.readTable();
      expectFitsError(() => t.column('VLA_E'), 'BAD_DATA', /row 3 of column 28 'VLA_E'.*points outside the heap/);
    }
  });

  it('rejects column layouts that do not fit NAXIS1, bad TFORM/TBCOL/THEAP/TFIELDS', () => {
    const n1 = setCard(bytes, hdu.headerOffset, 'NAXIS1', `NAXIS1  = ${String(hdu.naxes[0]! - 1).padStart(20)}`);
    // the data unit shrinks too, so the rest of the file does not parse: read the HDU alone
    expectFitsError(() => readFits(n1).hdus[1]!.readTable(), 'BAD_KEYWORD', /columns up to TFORM34 = 'PC\(2\)' need \d+ bytes per row, more than NAXIS1/);
    const tf = setCard(bytes, hdu.headerOffset, 'TFORM3', "TFORM3  = 'Z13'");
    expectFitsError(() => readFits(tf).hdus[1]!.readTable(), 'BAD_KEYWORD', /TFORM3 = 'Z13' is not a valid BINTABLE format/);
    const nf = setCard(bytes, hdu.headerOffset, 'TFIELDS', 'TFIELDS =                 1000');
    expectFitsError(() => readFits(nf).hdus[1]!.readTable(), 'BAD_KEYWORD', /TFIELDS must be an integer in \[0, 999\]/);
    const gap = f.getHdu('GAPHEAP')!;
    const th = setCard(bytes, gap.headerOffset, 'THEAP', 'THEAP   =                99999');
    expectFitsError(() => readFits(th).getHdu('GAPHEAP')!.readTable(), 'BAD_KEYWORD', /THEAP = 99999 must be an integer between NAXIS1 \* NAXIS2 = 24 and/);
    const asc = fixture('table_ascii.fits');
    const ah = readFits(asc).hdus[1]!;
    const tb = setCard(asc, ah.headerOffset, 'TBCOL3', 'TBCOL3  =                  999');
    expectFitsError(() => readFits(tb).hdus[1]!.readTable(), 'BAD_KEYWORD', /TBCOL3 = 999 with TFORM3 = 'F10.4' does not fit in a row of NAXIS1 = \d+ characters/);
    expectFitsError(() => readFits(fixture('bitpix16.fits')).primary.readTable(), 'BAD_ARGUMENT', /HDU 0 is not a table/);
  });

  it('bounds the decoded columns by maxBytes before allocating', () => {
    const t = hdu.readTable({ maxBytes: 100 });
    expect((t.column('BYTE') as Uint8Array).length).toBe(5); // 5 bytes
    expectFitsError(() => t.column('DCPLX'), 'TOO_LARGE', /decoding column 26 'DCPLX' \(TFORM26 = '2M'\) of 5 rows needs 160 bytes, more than the limit of 100 bytes/);
    // a table of 0-byte rows with 2^40 rows: no data, but 2^40 strings would be decoded
    const text = [
      "XTENSION= 'BINTABLE'",
      'BITPIX  =                    8',
      'NAXIS   =                    2',
      'NAXIS1  =                    0',
      'NAXIS2  =        1099511627776',
      'PCOUNT  =                    0',
      'GCOUNT  =                    1',
      'TFIELDS =                    2',
      "TFORM1  = '0A'",
      "TFORM2  = '0J'",
      'END',
    ]
      .map((c) => c.padEnd(80))
      .join('')
      .padEnd(2880);
    const prim = ['SIMPLE  =                    T', 'BITPIX  =                    8', 'NAXIS   =                    0', 'END'].map((c) => c.padEnd(80)).join('').padEnd(2880);
    const z = readFits(new TextEncoder().encode(prim + text)).hdus[1]!.readTable();
    expect(z.nrows).toBe(2 ** 40);
    expectFitsError(() => z.column(0), 'TOO_LARGE');
    expect((z.column(1) as Int32Array).length).toBe(0);
  });
});
