/**
 * FITS tables: BINTABLE (FITS 4.0 §7.3) and ASCII TABLE (§7.2) extensions, STANDARDS.md A6.
 *
 * `hdu.readTable()` parses the column descriptions (TFIELDS, TFORMn, TTYPEn, TUNITn, TUCDn,
 * TDISPn, TSCALn, TZEROn, TNULLn, TDIMn, TBCOLn, THEAP) and returns a `FitsTable`; columns are
 * decoded on demand by `table.column(name)` (and cached: the same array is returned again).
 *
 * Values are flat arrays, row after row; a cell of a vector column holds `cellLength` values,
 * first TDIM axis fastest (FITS order, the same as images). The array type depends on the
 * header only, never on the values (`FitsColumn.valueType`):
 *
 * | TFORM | no TSCAL/TZERO/TNULL | unsigned convention (TSCAL = 1) | other TSCAL/TZERO, or TNULL |
 * |---|---|---|---|
 * | L | Uint8Array: 1 = T, 0 = F or undefined (see `nulls()`) | | |
 * | X | Uint8Array of bits, 0/1, `repeat` per row (first bit = MSB of the first byte) | | |
 * | B | Uint8Array | TZERO = -128: Int8Array | Float64Array |
 * | I | Int16Array | TZERO = 32768: Uint16Array | Float64Array |
 * | J | Int32Array | TZERO = 2^31: Uint32Array | Float64Array |
 * | K | BigInt64Array | TZERO = 2^63: BigUint64Array | Float64Array (rounded beyond 2^53) |
 * | E | Float32Array | | Float64Array |
 * | D | Float64Array | | Float64Array |
 * | C / M | Float32Array / Float64Array, interleaved re, im (2 numbers per element) | | Float64Array |
 * | A | string[]: one string per cell, or per TDIM1 characters when TDIMn is given | | |
 * | P / Q | an array with one entry per row: a typed array as above (a string for PA) | | |
 *
 * - physical = TZERO + TSCAL * stored (float64), as astropy computes it; for complex columns
 *   both parts are scaled.
 * - TNULLn (integer columns, also of variable-length arrays) is compared with the STORED
 *   value; such elements become NaN, which is why an integer column with TNULLn is always a
 *   Float64Array. `table.nulls(name)` gives a per-element mask (1 = undefined) for such
 *   columns and for logical columns (byte 0 = undefined), and `column(name, { raw: true })`
 *   gives the stored integers without scaling or NaN.
 * - Strings end at the first NUL byte and lose their trailing spaces (leading ones are kept);
 *   bytes above 0x7e are read as Latin-1.
 * - ASCII TABLE: Aw -> string[] (trailing spaces removed), Iw/Fw.d/Ew.d/Dw.d -> Float64Array.
 *   A blank field is 0 (FITS 4.0 §7.2.5), a field equal to TNULLn (both trimmed) is NaN, a
 *   `D` exponent is read as `E`, and a real without a decimal point has an implicit one before
 *   its last d digits (Fortran input rules, deprecated by the standard). Unreadable fields are
 *   NaN and reported in `table.warnings`.
 *
 * Bounds: the column layout must fit in NAXIS1 (TFORMn / TBCOLn), THEAP must lie inside the
 * data unit, every heap descriptor must point inside the heap (NAXIS1 * NAXIS2 + PCOUNT), and
 * every output array is checked against the memory limit (`maxBytes`) before it is allocated.
 * Errors are `FitsError`s that name the HDU, the column and the card.
 */

import { FitsError } from './errors.js';
import type { FitsHeader } from './header.js';
import { checkAllocation } from './limits.js';

/** Data types of binary-table fields (P/Q descriptors point to arrays of these). */
export type BinaryTformCode = 'L' | 'X' | 'B' | 'I' | 'J' | 'K' | 'A' | 'E' | 'D' | 'C' | 'M';
/** Data types of ASCII-table fields. */
export type AsciiTformCode = 'A' | 'I' | 'F' | 'E' | 'D';

/** Element type of the arrays returned by `FitsTable.column()`. */
export type ColumnValueType =
  | 'logical'
  | 'bit'
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'complex64'
  | 'complex128'
  | 'string';

export type FitsTypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/**
 * What `FitsTable.column()` returns: a typed array or string[] for fixed-width columns; an array
 * with one entry per row (typed array, or string for PA/QA) for variable-length columns.
 */
export type FitsColumnValues = FitsTypedArray | string[] | Array<FitsTypedArray | string>;

/** One cell: a number/bigint/string for scalar cells, else the cell's values. */
export type FitsCellValue = number | bigint | string | string[] | FitsTypedArray;

export interface FitsColumn {
  /** 0-based position; the header cards of this column are TTYPE{index + 1}, TFORM{index + 1}... */
  readonly index: number;
  /** TTYPEn, trimmed ('' when absent). */
  readonly name: string;
  /** TFORMn as written (trimmed). */
  readonly tform: string;
  /** Data type letter: L X B I J K A E D C M P Q (BINTABLE) or A I F E D (TABLE). */
  readonly code: string;
  /** Repeat count r of `rT` (BINTABLE); 1 for ASCII tables; 0 or 1 for P/Q. */
  readonly repeat: number;
  /** Type of the elements: `code`, except for P/Q where it is the type of the heap arrays. */
  readonly elementCode: BinaryTformCode | AsciiTformCode;
  /** P/Q variable-length array column. */
  readonly variableLength: boolean;
  /** P/Q: the maximum array length written in TFORMn (`1PE(20)`), if any. */
  readonly maxLength: number | undefined;
  /** Byte offset of the field in a row (TBCOLn - 1 for ASCII tables). */
  readonly offset: number;
  /** Width of the field in a row, in bytes. */
  readonly width: number;
  /** ASCII tables: decimals d of Fw.d / Ew.d / Dw.d. */
  readonly decimals: number | undefined;
  /** TDIMn, first axis fastest (for A columns the first axis is the string width). */
  readonly dims: readonly number[] | undefined;
  /**
   * Shape of one cell of `column()` values ([] = one value per row). For A columns: the
   * number of strings (TDIM2...); for C/M: complex elements (each two numbers).
   */
  readonly cellShape: readonly number[];
  /** Number of values of `column()` per row (product of cellShape; x2 for complex). 0 for P/Q. */
  readonly cellLength: number;
  readonly unit: string | undefined;
  readonly ucd: string | undefined;
  readonly display: string | undefined;
  readonly tscal: number;
  readonly tzero: number;
  /** TNULLn: integer (bigint for K) for binary tables, string for ASCII tables. */
  readonly tnull: number | bigint | string | undefined;
  /** Element type of the decoded values. */
  readonly valueType: ColumnValueType;
}

export interface ReadColumnOptions {
  /**
   * Integer columns: return the stored integers (native typed array) without TSCAL/TZERO
   * and without turning TNULL into NaN. Other columns ignore it.
   */
  raw?: boolean;
}

export interface ReadTableOptions {
  /** Memory limit for the decoded columns (default: the limit given to readFits). */
  maxBytes?: number;
}

/** Where a table's bytes are. @internal */
export interface TableSource {
  bytes: Uint8Array;
  dataOffset: number;
  dataLength: number;
  /** "HDU n: " */
  ctx: string;
  maxBytes: number;
}

const BIN_WIDTH: Record<BinaryTformCode, number> = { L: 1, X: 0, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16 };
const OUT_BYTES: Record<ColumnValueType, number> = {
  logical: 1,
  bit: 1,
  uint8: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
  complex64: 4,
  complex128: 8,
  string: 2,
};

const TWO31 = 2147483648;
const TWO63 = 9223372036854775808;

/** Parsed TFORMn of a binary table. */
export interface BinaryTform {
  repeat: number;
  code: BinaryTformCode | 'P' | 'Q';
  elementCode: BinaryTformCode;
  maxLength: number | undefined;
  /** bytes in the row */
  width: number;
}

/** Parse a BINTABLE TFORMn value (`rT`, `rPt(emax)`, `rQt(emax)`); undefined if invalid. */
export function parseBinaryTform(tform: string): BinaryTform | undefined {
  const m = /^\s*(\d*)\s*([LXBIJKAEDCMPQ])(.*)$/i.exec(tform);
  if (!m) return undefined;
  const repeat = m[1] === '' ? 1 : Number(m[1]);
  if (!Number.isSafeInteger(repeat)) return undefined;
  const code = m[2]!.toUpperCase() as BinaryTformCode | 'P' | 'Q';
  if (code === 'P' || code === 'Q') {
    const v = /^\s*([LXBIJKAEDCM])\s*(?:\(\s*(\d+)\s*\))?/i.exec(m[3]!);
    if (!v || repeat > 1) return undefined;
    const maxLength = v[2] === undefined ? undefined : Number(v[2]);
    return { repeat, code, elementCode: v[1]!.toUpperCase() as BinaryTformCode, maxLength, width: repeat * (code === 'P' ? 8 : 16) };
  }
  // trailing text (e.g. the `rAw` substring width) is allowed and ignored
  const width = code === 'X' ? Math.ceil(repeat / 8) : repeat * BIN_WIDTH[code];
  return { repeat, code, elementCode: code, maxLength: undefined, width };
}

/** Parse an ASCII TABLE TFORMn value (`Aw`, `Iw`, `Fw.d`, `Ew.d`, `Dw.d`); undefined if invalid. */
export function parseAsciiTform(tform: string): { code: AsciiTformCode; width: number; decimals: number | undefined } | undefined {
  const m = /^\s*([AIFED])\s*(\d+)(?:\.(\d+))?\s*$/i.exec(tform);
  if (!m) return undefined;
  const code = m[1]!.toUpperCase() as AsciiTformCode;
  const width = Number(m[2]);
  const decimals = m[3] === undefined ? undefined : Number(m[3]);
  if (!Number.isSafeInteger(width) || width < 1) return undefined;
  if ((code === 'A' || code === 'I') && decimals !== undefined) return undefined;
  return { code, width, decimals };
}

function isIntCode(c: string): boolean {
  return c === 'B' || c === 'I' || c === 'J' || c === 'K';
}

function valueTypeOf(elementCode: string, ascii: boolean, tscal: number, tzero: number, tnull: unknown): ColumnValueType {
  if (ascii) return elementCode === 'A' ? 'string' : 'float64';
  const identity = tscal === 1 && tzero === 0;
  switch (elementCode) {
    case 'L':
      return 'logical';
    case 'X':
      return 'bit';
    case 'A':
      return 'string';
    case 'E':
      return identity ? 'float32' : 'float64';
    case 'D':
      return 'float64';
    case 'C':
      return identity ? 'complex64' : 'complex128';
    case 'M':
      return 'complex128';
  }
  if (tnull !== undefined) return 'float64';
  if (identity) return elementCode === 'B' ? 'uint8' : elementCode === 'I' ? 'int16' : elementCode === 'J' ? 'int32' : 'int64';
  if (tscal === 1) {
    if (elementCode === 'B' && tzero === -128) return 'int8';
    if (elementCode === 'I' && tzero === 32768) return 'uint16';
    if (elementCode === 'J' && tzero === TWO31) return 'uint32';
    if (elementCode === 'K' && tzero === TWO63) return 'uint64';
  }
  return 'float64';
}

/** Native (raw) type of stored integers. */
function rawTypeOf(elementCode: string): ColumnValueType {
  return elementCode === 'B' ? 'uint8' : elementCode === 'I' ? 'int16' : elementCode === 'J' ? 'int32' : 'int64';
}

function allocate(type: ColumnValueType, n: number): FitsTypedArray {
  switch (type) {
    case 'logical':
    case 'bit':
    case 'uint8':
      return new Uint8Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'uint16':
      return new Uint16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'uint64':
      return new BigUint64Array(n);
    case 'float32':
    case 'complex64':
      return new Float32Array(n);
    case 'float64':
    case 'complex128':
    case 'string':
      return new Float64Array(n);
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  // stop at the first NUL, drop trailing spaces
  let e = start;
  while (e < end && bytes[e] !== 0) e++;
  while (e > start && bytes[e - 1] === 0x20) e--;
  if (e === start) return '';
  if (e - start < 4096) return String.fromCharCode.apply(null, bytes.subarray(start, e) as unknown as number[]);
  let s = '';
  for (let p = start; p < e; p += 4096) s += String.fromCharCode.apply(null, bytes.subarray(p, Math.min(e, p + 4096)) as unknown as number[]);
  return s;
}

function optionalString(header: FitsHeader, key: string): string | undefined {
  const v = header.get(key);
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v.trim() : String(v);
}

/**
 * Decoder of one element type into a typed array (`out[o..o+n)` from `n` stored elements at
 * `pos` of `dv`). Integer TNULL is compared with the stored value.
 */
interface Conversion {
  type: ColumnValueType;
  scale: number;
  zero: number;
  /** TNULL as a number (8/16/32-bit), NaN if none. */
  nullNum: number;
  /** TNULL for K, undefined if none. */
  nullBig: bigint | undefined;
}

/** Index access shared by the number-valued typed arrays. */
type NumArray = { [index: number]: number; readonly length: number };

function convert(code: BinaryTformCode, dv: DataView, pos: number, n: number, out: FitsTypedArray, o: number, c: Conversion): void {
  const { type, scale, zero, nullNum } = c;
  switch (code) {
    case 'B': {
      const a = out as unknown as NumArray;
      if (type === 'uint8') for (let i = 0; i < n; i++) a[o + i] = dv.getUint8(pos + i);
      else if (type === 'int8') for (let i = 0; i < n; i++) a[o + i] = dv.getUint8(pos + i) ^ 0x80;
      else
        for (let i = 0; i < n; i++) {
          const v = dv.getUint8(pos + i);
          a[o + i] = v === nullNum ? NaN : zero + scale * v;
        }
      return;
    }
    case 'I': {
      const a = out as unknown as NumArray;
      if (type === 'int16') for (let i = 0; i < n; i++) a[o + i] = dv.getInt16(pos + 2 * i);
      else if (type === 'uint16') for (let i = 0; i < n; i++) a[o + i] = dv.getUint16(pos + 2 * i) ^ 0x8000;
      else
        for (let i = 0; i < n; i++) {
          const v = dv.getInt16(pos + 2 * i);
          a[o + i] = v === nullNum ? NaN : zero + scale * v;
        }
      return;
    }
    case 'J': {
      const a = out as unknown as NumArray;
      if (type === 'int32') for (let i = 0; i < n; i++) a[o + i] = dv.getInt32(pos + 4 * i);
      else if (type === 'uint32') for (let i = 0; i < n; i++) a[o + i] = (dv.getUint32(pos + 4 * i) ^ 0x80000000) >>> 0;
      else
        for (let i = 0; i < n; i++) {
          const v = dv.getInt32(pos + 4 * i);
          a[o + i] = v === nullNum ? NaN : zero + scale * v;
        }
      return;
    }
    case 'K': {
      if (type === 'int64') {
        const a = out as BigInt64Array;
        for (let i = 0; i < n; i++) a[o + i] = dv.getBigInt64(pos + 8 * i);
      } else if (type === 'uint64') {
        const a = out as BigUint64Array;
        for (let i = 0; i < n; i++) a[o + i] = dv.getBigUint64(pos + 8 * i) ^ 0x8000000000000000n;
      } else {
        const a = out as Float64Array;
        const nb = c.nullBig;
        const hasNull = nb !== undefined && nb >= -(2n ** 63n) && nb < 2n ** 63n;
        const nHi = hasNull ? Number(BigInt.asIntN(32, nb! >> 32n)) : 0;
        const nLo = hasNull ? Number(BigInt.asUintN(32, nb!)) : 0;
        const unsigned = scale === 1 && zero === TWO63;
        for (let i = 0; i < n; i++) {
          const hi = dv.getInt32(pos + 8 * i);
          const lo = dv.getUint32(pos + 8 * i + 4);
          if (hasNull && hi === nHi && lo === nLo) a[o + i] = NaN;
          else if (unsigned) a[o + i] = ((hi ^ 0x80000000) >>> 0) * 4294967296 + lo;
          else a[o + i] = zero + scale * (hi * 4294967296 + lo);
        }
      }
      return;
    }
    case 'E':
    case 'C': {
      const m = code === 'C' ? 2 * n : n;
      const a = out as unknown as NumArray;
      if (type === 'float32' || type === 'complex64') for (let i = 0; i < m; i++) a[o + i] = dv.getFloat32(pos + 4 * i);
      else for (let i = 0; i < m; i++) a[o + i] = zero + scale * dv.getFloat32(pos + 4 * i);
      return;
    }
    case 'D':
    case 'M': {
      const m = code === 'M' ? 2 * n : n;
      const a = out as Float64Array;
      if (scale === 1 && zero === 0) for (let i = 0; i < m; i++) a[o + i] = dv.getFloat64(pos + 8 * i);
      else for (let i = 0; i < m; i++) a[o + i] = zero + scale * dv.getFloat64(pos + 8 * i);
      return;
    }
    case 'L': {
      const a = out as Uint8Array;
      for (let i = 0; i < n; i++) a[o + i] = dv.getUint8(pos + i) === 0x54 ? 1 : 0;
      return;
    }
    case 'X': {
      const a = out as Uint8Array;
      for (let i = 0; i < n; i++) a[o + i] = (dv.getUint8(pos + (i >> 3)) >> (7 - (i & 7))) & 1;
      return;
    }
    case 'A':
      return; // strings are handled by the caller
  }
}

/** Stored bytes of n elements. */
function storedBytes(code: BinaryTformCode, n: number): number {
  return code === 'X' ? Math.ceil(n / 8) : n * BIN_WIDTH[code];
}

/** Values produced per stored element (2 for complex). */
function valuesPer(code: string): number {
  return code === 'C' || code === 'M' ? 2 : 1;
}

export class FitsTable {
  /** 'bintable' or 'table' (ASCII). */
  readonly kind: 'bintable' | 'table';
  /** NAXIS2. */
  readonly nrows: number;
  /** NAXIS1: bytes per row. */
  readonly rowLength: number;
  readonly columns: readonly FitsColumn[];
  /** BINTABLE: offset of the heap from the start of the data unit (THEAP, default NAXIS1 * NAXIS2). */
  readonly heapOffset: number;
  /** BINTABLE: size of the heap in bytes (NAXIS1 * NAXIS2 + PCOUNT - THEAP). */
  readonly heapLength: number;
  /** Problems tolerated while reading (ignored TDIMn, unreadable ASCII fields...). */
  readonly warnings: string[];

  private readonly src: TableSource;
  private readonly dv: DataView;
  private readonly cache = new Map<string, FitsColumnValues>();
  private readonly nullCache = new Map<number, Uint8Array | undefined>();

  /** @internal use FitsHdu.readTable() */
  constructor(header: FitsHeader, kind: 'bintable' | 'table', naxes: readonly number[], pcount: number, src: TableSource) {
    const ctx = src.ctx;
    this.kind = kind;
    this.src = src;
    this.warnings = [];
    if (naxes.length !== 2) {
      throw new FitsError('BAD_KEYWORD', `${ctx}a ${kind === 'table' ? 'TABLE' : 'BINTABLE'} extension needs NAXIS = 2, found NAXIS = ${naxes.length}`);
    }
    this.rowLength = naxes[0]!;
    this.nrows = naxes[1]!;
    const tableBytes = this.rowLength * this.nrows;
    if (tableBytes + pcount > src.dataLength) {
      // readFits sized the data unit from the same keywords, so this only happens with GCOUNT = 0
      throw new FitsError('TRUNCATED', `${ctx}the table (NAXIS1 * NAXIS2 = ${tableBytes} bytes, PCOUNT = ${pcount}) is larger than its data unit (${src.dataLength} bytes, GCOUNT = ${String(header.get('GCOUNT'))})`);
    }
    this.dv = new DataView(src.bytes.buffer, src.bytes.byteOffset + src.dataOffset, src.dataLength);

    const tfields = header.get('TFIELDS');
    if (tfields === undefined) throw new FitsError('MISSING_KEYWORD', `${ctx}mandatory keyword TFIELDS is missing`);
    if (typeof tfields !== 'number' || !Number.isInteger(tfields) || tfields < 0 || tfields > 999) {
      throw new FitsError('BAD_KEYWORD', `${ctx}TFIELDS must be an integer in [0, 999], found ${JSON.stringify(tfields)}`);
    }

    // heap
    if (kind === 'bintable') {
      const theapV = header.get('THEAP');
      let theap = tableBytes;
      if (theapV !== undefined && theapV !== null) {
        if (typeof theapV !== 'number' || !Number.isSafeInteger(theapV) || theapV < tableBytes || theapV > tableBytes + pcount) {
          throw new FitsError(
            'BAD_KEYWORD',
            `${ctx}THEAP = ${JSON.stringify(theapV)} must be an integer between NAXIS1 * NAXIS2 = ${tableBytes} and NAXIS1 * NAXIS2 + PCOUNT = ${tableBytes + pcount}`,
          );
        }
        theap = theapV;
      }
      this.heapOffset = theap;
      this.heapLength = tableBytes + pcount - theap;
    } else {
      this.heapOffset = tableBytes;
      this.heapLength = 0;
    }

    const columns: FitsColumn[] = [];
    let offset = 0;
    for (let i = 0; i < tfields; i++) {
      const n = i + 1;
      const tformV = header.get(`TFORM${n}`);
      if (tformV === undefined) throw new FitsError('MISSING_KEYWORD', `${ctx}mandatory keyword TFORM${n} is missing (TFIELDS = ${tfields})`);
      if (typeof tformV !== 'string') throw new FitsError('BAD_KEYWORD', `${ctx}TFORM${n} must be a string, found ${JSON.stringify(tformV)}`);
      const tform = tformV.trim();
      const name = optionalString(header, `TTYPE${n}`) ?? '';
      const what = `column ${n}${name ? ` '${name}'` : ''} (TFORM${n} = '${tform}')`;
      const tscal = numberKey(header, `TSCAL${n}`, 1, ctx);
      const tzero = numberKey(header, `TZERO${n}`, 0, ctx);
      if (tscal === 0) this.warnings.push(`${ctx}TSCAL${n} = 0: every value of ${what} is TZERO${n}`);
      const common = {
        index: i,
        name,
        tform,
        unit: optionalString(header, `TUNIT${n}`),
        ucd: optionalString(header, `TUCD${n}`),
        display: optionalString(header, `TDISP${n}`),
        tscal,
        tzero,
      };
      if (kind === 'table') {
        const f = parseAsciiTform(tform);
        if (!f) throw new FitsError('BAD_KEYWORD', `${ctx}TFORM${n} = '${tform}' is not a valid ASCII-table format (Aw, Iw, Fw.d, Ew.d, Dw.d)`);
        const tbcol = header.get(`TBCOL${n}`);
        if (tbcol === undefined) throw new FitsError('MISSING_KEYWORD', `${ctx}mandatory keyword TBCOL${n} is missing`);
        if (typeof tbcol !== 'number' || !Number.isSafeInteger(tbcol) || tbcol < 1 || tbcol - 1 + f.width > this.rowLength) {
          throw new FitsError(
            'BAD_KEYWORD',
            `${ctx}TBCOL${n} = ${JSON.stringify(tbcol)} with TFORM${n} = '${tform}' does not fit in a row of NAXIS1 = ${this.rowLength} characters`,
          );
        }
        const tnullV = header.get(`TNULL${n}`);
        const tnull = tnullV === undefined || tnullV === null ? undefined : typeof tnullV === 'string' ? tnullV : (header.getCard(`TNULL${n}`)?.valueText ?? String(tnullV));
        columns.push({
          ...common,
          code: f.code,
          repeat: 1,
          elementCode: f.code,
          variableLength: false,
          maxLength: undefined,
          offset: tbcol - 1,
          width: f.width,
          decimals: f.decimals,
          dims: undefined,
          cellShape: [],
          cellLength: 1,
          tnull,
          valueType: valueTypeOf(f.code, true, tscal, tzero, tnull),
        });
        continue;
      }
      const f = parseBinaryTform(tform);
      if (!f) throw new FitsError('BAD_KEYWORD', `${ctx}TFORM${n} = '${tform}' is not a valid BINTABLE format (rL rX rB rI rJ rK rA rE rD rC rM rPt(max) rQt(max))`);
      if (offset + f.width > this.rowLength) {
        throw new FitsError(
          'BAD_KEYWORD',
          `${ctx}the columns up to TFORM${n} = '${tform}' need ${offset + f.width} bytes per row, more than NAXIS1 = ${this.rowLength}`,
        );
      }
      let tnull: number | bigint | undefined;
      const tnullCard = header.getCard(`TNULL${n}`);
      if (tnullCard !== undefined && isIntCode(f.elementCode)) {
        if (typeof tnullCard.value === 'number' && Number.isInteger(tnullCard.value)) {
          if (f.elementCode === 'K') {
            try {
              tnull = BigInt((tnullCard.valueText ?? '').replace(/^\+/, ''));
            } catch {
              tnull = BigInt(tnullCard.value);
            }
          } else tnull = tnullCard.value;
        } else if (tnullCard.value !== null) {
          this.warnings.push(`${ctx}TNULL${n} = ${JSON.stringify(tnullCard.value)} is not an integer; ignored`);
        }
      }
      // TDIMn
      let dims: number[] | undefined;
      const tdim = header.get(`TDIM${n}`);
      if (typeof tdim === 'string' && !(f.code === 'P' || f.code === 'Q')) {
        const m = /^\s*\(\s*(\d+(?:\s*,\s*\d+)*)\s*\)\s*$/.exec(tdim);
        const d = m ? m[1]!.split(',').map((s) => Number(s.trim())) : undefined;
        const prod = d?.reduce((a, b) => a * b, 1);
        if (d && prod !== undefined && prod <= f.repeat && d.every((x) => Number.isSafeInteger(x) && x > 0)) dims = d;
        else this.warnings.push(`${ctx}TDIM${n} = '${tdim}' does not describe the ${f.repeat} elements of ${what}; ignored`);
      }
      const vla = f.code === 'P' || f.code === 'Q';
      let cellShape: number[];
      let cellLength: number;
      if (vla) {
        cellShape = [];
        cellLength = 0;
      } else if (f.code === 'A') {
        const w = dims ? dims[0]! : f.repeat;
        cellShape = dims ? dims.slice(1) : [];
        cellLength = w === 0 ? 1 : dims ? cellShape.reduce((a, b) => a * b, 1) : 1;
      } else {
        cellShape = dims ? dims.slice() : f.repeat === 1 ? [] : [f.repeat];
        cellLength = (dims ? dims.reduce((a, b) => a * b, 1) : f.repeat) * valuesPer(f.code);
      }
      columns.push({
        ...common,
        code: f.code,
        repeat: f.repeat,
        elementCode: f.elementCode,
        variableLength: vla,
        maxLength: f.maxLength,
        offset,
        width: f.width,
        decimals: undefined,
        dims,
        cellShape,
        cellLength,
        tnull,
        valueType: valueTypeOf(f.elementCode, false, tscal, tzero, tnull),
      });
      offset += f.width;
    }
    this.columns = columns;
  }

  /** Column description by name (case-insensitive, first match) or 0-based index. */
  getColumn(which: string | number): FitsColumn | undefined {
    if (typeof which === 'number') return Number.isInteger(which) ? this.columns[which] : undefined;
    const want = which.trim().toUpperCase();
    return this.columns.find((c) => c.name.toUpperCase() === want);
  }

  /** Column names (TTYPEn), in order. */
  get names(): string[] {
    return this.columns.map((c) => c.name);
  }

  private col(which: string | number): FitsColumn {
    const c = this.getColumn(which);
    if (c === undefined) {
      throw new FitsError(
        'BAD_ARGUMENT',
        `${this.src.ctx}no column ${typeof which === 'number' ? `at index ${which}` : JSON.stringify(which)} (columns: ${this.columns.map((x) => x.name || `#${x.index}`).join(', ')})`,
      );
    }
    return c;
  }

  private what(c: FitsColumn): string {
    return `column ${c.index + 1}${c.name ? ` '${c.name}'` : ''} (TFORM${c.index + 1} = '${c.tform}')`;
  }

  /**
   * Decoded values of a column (see the module documentation for the array types). The
   * result is cached: later calls return the same array.
   */
  column(which: string | number, options: ReadColumnOptions = {}): FitsColumnValues {
    const c = this.col(which);
    const raw = options.raw === true && isIntCode(c.elementCode) && this.kind === 'bintable';
    const key = `${c.index}${raw ? 'r' : ''}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const values = this.kind === 'table' ? this.decodeAscii(c) : c.variableLength ? this.decodeVla(c, raw) : this.decodeFixed(c, raw);
    this.cache.set(key, values);
    return values;
  }

  /**
   * Per-element mask of undefined values (1 = undefined): integer columns with TNULLn (stored
   * value = TNULL), logical columns (byte 0), ASCII numeric columns with TNULLn. Flat like
   * `column()`; for variable-length columns, concatenated over the rows. Undefined for
   * columns without a null convention.
   */
  nulls(which: string | number): Uint8Array | undefined {
    const c = this.col(which);
    if (this.nullCache.has(c.index)) return this.nullCache.get(c.index);
    let mask: Uint8Array | undefined;
    if (this.kind === 'table') {
      if (c.tnull !== undefined && c.elementCode !== 'A') {
        const v = this.column(c.index) as Float64Array;
        mask = new Uint8Array(v.length);
        for (let i = 0; i < v.length; i++) mask[i] = v[i] !== v[i] ? 1 : 0;
      }
    } else if (c.elementCode === 'L' || (c.tnull !== undefined && isIntCode(c.elementCode))) {
      const raw = this.column(c.index, { raw: true });
      const parts: FitsTypedArray[] = c.variableLength ? (raw as FitsTypedArray[]) : [raw as FitsTypedArray];
      let n = 0;
      for (const p of parts) n += p.length;
      mask = new Uint8Array(n);
      if (c.elementCode === 'L') {
        let k = 0;
        this.forEachStored(c, (pos, count) => {
          for (let i = 0; i < count; i++) mask![k++] = this.dv.getUint8(pos + i) === 0 ? 1 : 0;
        });
      } else {
        const t = c.tnull!;
        let k = 0;
        for (const p of parts) {
          if (p instanceof BigInt64Array) for (let i = 0; i < p.length; i++) mask[k++] = p[i] === t ? 1 : 0;
          else for (let i = 0; i < p.length; i++) mask[k++] = (p as Uint8Array)[i] === Number(t) ? 1 : 0;
        }
      }
    }
    this.nullCache.set(c.index, mask);
    return mask;
  }

  /** One cell: a scalar for one-value cells, else a subarray / the strings of the cell. */
  cell(which: string | number, row: number): FitsCellValue {
    const c = this.col(which);
    if (!Number.isInteger(row) || row < 0 || row >= this.nrows) {
      throw new FitsError('OUT_OF_RANGE', `${this.src.ctx}row ${row} is out of range [0, ${this.nrows - 1}]`);
    }
    const v = this.column(c.index);
    if (c.variableLength) return (v as Array<FitsTypedArray | string>)[row]!;
    const n = c.cellLength;
    if (Array.isArray(v)) return n === 1 ? (v as string[])[row]! : (v as string[]).slice(row * n, row * n + n);
    const t = v as FitsTypedArray;
    if (n === 1 && c.cellShape.length === 0) return t[row]!;
    return t.subarray(row * n, row * n + n);
  }

  /** Call fn(position in the data unit, element count) for the stored elements of every row. */
  private forEachStored(c: FitsColumn, fn: (pos: number, count: number) => void): void {
    if (!c.variableLength && c.cellLength === 0) return;
    for (let r = 0; r < this.nrows; r++) {
      if (c.variableLength) {
        const d = this.descriptor(c, r);
        fn(this.heapOffset + d.offset, d.count);
      } else fn(r * this.rowLength + c.offset, c.cellLength);
    }
  }

  private checkOutput(c: FitsColumn, elements: number, type: ColumnValueType): void {
    checkAllocation(elements * OUT_BYTES[type], this.src.maxBytes, this.src.ctx, `decoding ${this.what(c)} of ${this.nrows} rows`);
  }

  private conversion(c: FitsColumn, raw: boolean): Conversion {
    const type = raw ? rawTypeOf(c.elementCode) : c.valueType;
    const t = c.tnull;
    return {
      type,
      scale: raw ? 1 : c.tscal,
      zero: raw ? 0 : c.tzero,
      nullNum: typeof t === 'number' ? t : NaN,
      nullBig: typeof t === 'bigint' ? t : undefined,
    };
  }

  private decodeFixed(c: FitsColumn, raw: boolean): FitsColumnValues {
    const nrows = this.nrows;
    const rl = this.rowLength;
    const code = c.elementCode as BinaryTformCode;
    if (code === 'A') {
      const w = c.dims ? c.dims[0]! : c.repeat;
      const per = c.cellLength;
      checkAllocation(nrows * (per * 16 + c.repeat * 2), this.src.maxBytes, this.src.ctx, `decoding ${this.what(c)} of ${nrows} rows`);
      const out: string[] = new Array<string>(nrows * per);
      const bytes = this.src.bytes;
      const base = this.src.dataOffset;
      for (let r = 0, k = 0; r < nrows; r++) {
        const p = base + r * rl + c.offset;
        for (let s = 0; s < per; s++, k++) out[k] = w === 0 ? '' : latin1(bytes, p + s * w, p + (s + 1) * w);
      }
      return out;
    }
    const conv = this.conversion(c, raw);
    // the values of all `repeat` elements are decoded; TDIM may describe fewer (extra dropped)
    const per = c.repeat * valuesPer(code);
    const keep = c.cellLength;
    this.checkOutput(c, nrows * per, conv.type);
    if (per === 0 || keep === 0) return allocate(conv.type, 0); // no loop over (maybe 2^40) empty rows
    if (keep === per) {
      const out = allocate(conv.type, nrows * per);
      for (let r = 0; r < nrows; r++) convert(code, this.dv, r * rl + c.offset, c.repeat, out, r * per, conv);
      return out;
    }
    const tmp = allocate(conv.type, per);
    const out = allocate(conv.type, nrows * keep);
    for (let r = 0; r < nrows; r++) {
      convert(code, this.dv, r * rl + c.offset, c.repeat, tmp, 0, conv);
      (out as Float64Array).set(tmp.subarray(0, keep) as Float64Array, r * keep);
    }
    return out;
  }

  /** Heap descriptor of a P/Q column in row r, validated against the heap. */
  descriptor(c: FitsColumn, r: number): { count: number; offset: number } {
    const pos = r * this.rowLength + c.offset;
    let count: number;
    let offset: number;
    if (c.repeat === 0) return { count: 0, offset: 0 };
    if (c.code === 'P') {
      count = this.dv.getInt32(pos);
      offset = this.dv.getInt32(pos + 4);
    } else {
      count = Number(this.dv.getBigInt64(pos));
      offset = Number(this.dv.getBigInt64(pos + 8));
    }
    const code = c.elementCode as BinaryTformCode;
    const need = count >= 0 ? storedBytes(code, count) : NaN;
    if (!(count >= 0) || !(offset >= 0) || !(offset + need <= this.heapLength)) {
      throw new FitsError(
        'BAD_DATA',
        `${this.src.ctx}row ${r + 1} of ${this.what(c)}: the array descriptor (${count} elements at heap offset ${offset}) points outside the heap of ${this.heapLength} bytes (PCOUNT = ${this.heapOffset + this.heapLength - this.rowLength * this.nrows}, THEAP = ${this.heapOffset})`,
      );
    }
    return { count, offset };
  }

  /** Raw heap bytes of a P/Q cell (validated). @internal used by the tile decompressor */
  heapBytes(c: FitsColumn, r: number): Uint8Array {
    const d = this.descriptor(c, r);
    const start = this.src.dataOffset + this.heapOffset + d.offset;
    return this.src.bytes.subarray(start, start + storedBytes(c.elementCode as BinaryTformCode, d.count));
  }

  /** A scalar numeric cell as a float64 physical value (NaN for TNULL). @internal */
  numberAt(c: FitsColumn, r: number): number {
    const code = c.elementCode as BinaryTformCode;
    if (c.variableLength || c.repeat < 1 || code === 'A' || code === 'L' || code === 'X') return NaN;
    // one conversion per column and one scratch cell (the tile decompressor calls this per tile)
    let conv = this.numberConversions.get(c.index);
    if (conv === undefined) {
      conv = { ...this.conversion(c, false), type: 'float64' };
      this.numberConversions.set(c.index, conv);
    }
    convert(code, this.dv, r * this.rowLength + c.offset, 1, this.numberCell, 0, conv);
    return this.numberCell[0]!;
  }
  private readonly numberConversions = new Map<number, Conversion>();
  private readonly numberCell = new Float64Array(2);

  private decodeVla(c: FitsColumn, raw: boolean): FitsColumnValues {
    const nrows = this.nrows;
    const code = c.elementCode as BinaryTformCode;
    const descs: Array<{ count: number; offset: number }> = new Array(nrows);
    let total = 0;
    for (let r = 0; r < nrows; r++) {
      const d = this.descriptor(c, r);
      descs[r] = d;
      total += d.count;
    }
    if (code === 'A') {
      checkAllocation(total * 2 + nrows * 16, this.src.maxBytes, this.src.ctx, `decoding ${this.what(c)} of ${nrows} rows`);
      const out: string[] = new Array<string>(nrows);
      const base = this.src.dataOffset + this.heapOffset;
      for (let r = 0; r < nrows; r++) out[r] = latin1(this.src.bytes, base + descs[r]!.offset, base + descs[r]!.offset + descs[r]!.count);
      return out;
    }
    const conv = this.conversion(c, raw);
    const per = valuesPer(code);
    this.checkOutput(c, total * per, conv.type);
    checkAllocation(nrows * 64, this.src.maxBytes, this.src.ctx, `the rows of ${this.what(c)}`);
    const all = allocate(conv.type, total * per);
    const out: FitsTypedArray[] = new Array(nrows);
    let k = 0;
    for (let r = 0; r < nrows; r++) {
      const d = descs[r]!;
      convert(code, this.dv, this.heapOffset + d.offset, d.count, all, k, conv);
      out[r] = all.subarray(k, k + d.count * per);
      k += d.count * per;
    }
    return out;
  }

  private decodeAscii(c: FitsColumn): FitsColumnValues {
    const nrows = this.nrows;
    const bytes = this.src.bytes;
    const base = this.src.dataOffset;
    const rl = this.rowLength;
    if (c.elementCode === 'A') {
      checkAllocation(nrows * (16 + c.width * 2), this.src.maxBytes, this.src.ctx, `decoding ${this.what(c)} of ${nrows} rows`);
      const out: string[] = new Array<string>(nrows);
      for (let r = 0; r < nrows; r++) {
        const p = base + r * rl + c.offset;
        out[r] = latin1(bytes, p, p + c.width);
      }
      return out;
    }
    this.checkOutput(c, nrows, 'float64');
    const out = new Float64Array(nrows);
    const tnull = typeof c.tnull === 'string' ? c.tnull.trim() : undefined;
    const d = c.decimals ?? 0;
    const isInt = c.elementCode === 'I';
    const identity = c.tscal === 1 && c.tzero === 0;
    let bad = 0;
    for (let r = 0; r < nrows; r++) {
      const p = base + r * rl + c.offset;
      const text = String.fromCharCode.apply(null, bytes.subarray(p, p + c.width) as unknown as number[]).trim();
      if (tnull !== undefined && text === tnull) {
        out[r] = NaN;
        continue;
      }
      const v = text === '' ? 0 : parseAsciiNumber(text, isInt, d);
      if (v !== v) {
        if (bad++ < 5) this.warnings.push(`${this.src.ctx}row ${r + 1} of ${this.what(c)}: unreadable value ${JSON.stringify(text)} (NaN)`);
      }
      out[r] = v !== v ? NaN : identity ? v : c.tzero + c.tscal * v; // identity keeps -0
    }
    if (bad > 5) this.warnings.push(`${this.src.ctx}${this.what(c)}: ${bad - 5} more unreadable values`);
    return out;
  }
}

const ASCII_INT_RE = /^[+-]?\d+$/;
const ASCII_REAL_RE = /^([+-]?)(\d*)(\.?)(\d*)(?:[EeDd]\s*([+-]?\d+)|([+-]\d+))?$/;

/** Value of an ASCII-table numeric field (trimmed, non-empty); NaN when unreadable. */
export function parseAsciiNumber(text: string, isInt: boolean, decimals: number): number {
  if (isInt) return ASCII_INT_RE.test(text) ? Number(text) : NaN;
  const m = ASCII_REAL_RE.exec(text);
  if (!m || (m[2] === '' && m[4] === '')) return NaN;
  const exp = m[5] ?? m[6];
  if (m[3] === '.') return Number(`${m[1]}${m[2] || '0'}.${m[4] || '0'}${exp !== undefined ? 'e' + exp : ''}`);
  // no decimal point: implicit decimal point before the last `decimals` digits
  const digits = m[2]! + m[4]!;
  return Number(`${m[1]}${digits}e${(exp !== undefined ? Number(exp) : 0) - decimals}`);
}

function numberKey(header: FitsHeader, key: string, dflt: number, ctx: string): number {
  const v = header.get(key);
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FitsError('BAD_KEYWORD', `${ctx}${key} must be a finite number, found ${JSON.stringify(v)}`);
  return v;
}
