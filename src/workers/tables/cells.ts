/**
 * Column builders: one per FIELD, fed cell by cell from TABLEDATA text or from BINARY/BINARY2
 * bytes, growing typed arrays by doubling; `finish()` gives the column values and null mask.
 * Memory is bounded by the input: nothing is padded to a declared size that the data lacks.
 */
import { TableError } from './table.js';
import type { ColumnKind, ColumnValues, NumericArray } from './table.js';
import { ELEM_SIZE } from './fieldspec.js';
import type { ElemKind, FieldSpec } from './fieldspec.js';

export type LongMode = 'auto' | 'bigint' | 'float64';

/** Reader over a decoded binary stream (big-endian). */
export interface BinReader {
  bytes: Uint8Array;
  view: DataView;
  pos: number;
}

export function binReader(bytes: Uint8Array): BinReader {
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), pos: 0 };
}

/** Thrown (and rethrown with a location by the caller) when a stream ends inside a cell. */
export class Truncated extends Error {}

function need(r: BinReader, n: number): void {
  if (!(r.pos + n <= r.bytes.length)) throw new Truncated(`needs ${n} bytes, ${r.bytes.length - r.pos} left`);
}

function readCount(r: BinReader): number {
  need(r, 4);
  const n = r.view.getUint32(r.pos);
  r.pos += 4;
  return n;
}

// ---------------------------------------------------------------------------------------------
// base64

const B64 = new Int16Array(128).fill(-1);
{
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) B64[abc.charCodeAt(i)] = i;
  B64[45] = 62; // '-' (base64url)
  B64[95] = 63; // '_'
}

/**
 * Decode base64, skipping whitespace, stopping at '='. Returns the bytes, or the offset (in `s`)
 * of the first character that is not base64 as `{ bad }`.
 */
export function decodeBase64(s: string, start = 0, end = s.length): Uint8Array | { bad: number } {
  // the platform's atob (Node, browsers, workers) is several times faster; any input it refuses
  // goes through the loop below, which is lenient about length and reports the bad character
  if (start === 0 && end === s.length && typeof atob === 'function' && s.length > 256) {
    try {
      const bin = atob(s);
      const out = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
      return out;
    } catch {
      // fall through
    }
  }
  const out = new Uint8Array(Math.floor(((end - start) * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64[c] : -1;
    if (v < 0) {
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;
      if (c === 61 /* = */) {
        // only padding and whitespace may follow
        for (let j = i + 1; j < end; j++) {
          const d = s.charCodeAt(j);
          if (!(d === 61 || d === 32 || d === 10 || d === 13 || d === 9)) return { bad: j };
        }
        break;
      }
      return { bad: i };
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  return out.subarray(0, o);
}

// ---------------------------------------------------------------------------------------------
// text cells

/** Integer from TABLEDATA text; NaN when empty or not an integer. Accepts hex (0x..) and 1e3. */
export function parseIntText(s: string): number {
  let t = s;
  if (t.length === 0) return NaN;
  let n = Number(t);
  if (Number.isInteger(n)) {
    if (n === 0 && t.trim() === '') return NaN;
    return n;
  }
  t = t.trim();
  const c = t.charCodeAt(0);
  if ((c === 45 || c === 43) && (t[1] === '0') && (t[2] === 'x' || t[2] === 'X')) {
    n = Number(t.slice(1));
    if (Number.isInteger(n)) return c === 45 ? -n : n;
  }
  return NaN;
}

/** Float from TABLEDATA text; NaN when empty, NaN or not a number. Accepts Inf, +Inf, -Inf, inf. */
export function parseFloatText(s: string): number {
  const n = Number(s);
  if (n === n) {
    if (n === 0 && s.trim() === '') return NaN;
    return n;
  }
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return NaN;
}

/** True when the text is a float that parseFloatText rejects for a reason other than being NaN/empty. */
export function isBadFloatText(s: string): boolean {
  const t = s.trim().toLowerCase();
  return t !== '' && t !== 'nan' && t !== '+nan' && t !== '-nan';
}

const TWO53 = 9007199254740992;

/** long from TABLEDATA text: a number when exact, a bigint beyond 2^53, undefined when not an integer. */
export function parseLongText(s: string): number | bigint | undefined {
  const n = parseIntText(s);
  if (n === n && Math.abs(n) < TWO53) return n;
  const t = s.trim();
  if (t === '') return undefined;
  let neg = false;
  let body = t;
  if (body[0] === '+' || body[0] === '-') {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  if (!/^(?:\d+|0[xX][0-9a-fA-F]+)$/.test(body)) {
    // e.g. 1e20: exact only if an integer; keep as a number
    return Number.isInteger(n) ? n : undefined;
  }
  if (body.length > 40) return undefined;
  let b = BigInt(body) * (neg ? -1n : 1n);
  if (b > 9223372036854775807n) b = 9223372036854775807n;
  else if (b < -9223372036854775808n) b = -9223372036854775808n;
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

/** Boolean from text: 1, 0, or -1 for null ('', '?'), -2 when not a boolean. */
export function parseBoolText(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 't' || t === 'true' || t === '1') return 1;
  if (t === 'f' || t === 'false' || t === '0') return 0;
  if (t === '' || t === '?') return -1;
  return -2;
}

function boolByte(b: number): number {
  // 'T' 't' '1' -> 1; 'F' 'f' '0' -> 0; '?' ' ' NUL or anything else -> null (-1)
  if (b === 84 || b === 116 || b === 49) return 1;
  if (b === 70 || b === 102 || b === 48) return 0;
  return -1;
}

const SPLIT_RE = /[\s,]+/;

/** Split an array cell on whitespace and/or commas. */
export function splitArrayText(s: string): string[] {
  const t = s.trim();
  if (t === '') return [];
  return t.split(SPLIT_RE).filter((x) => x !== '');
}

// ---------------------------------------------------------------------------------------------
// strings from bytes

let utf8: TextDecoder | undefined;

/**
 * char bytes: ASCII fast path; with bytes >= 0x80, UTF-8 (VOTable 1.6) when they are valid
 * UTF-8, else Latin-1 (what STIL and older writers produce); cut at the first NUL.
 */
export function charString(bytes: Uint8Array, start: number, end: number): string {
  let e = start;
  let high = false;
  while (e < end) {
    const b = bytes[e];
    if (b === 0) break;
    if (b >= 0x80) high = true;
    e++;
  }
  const n = e - start;
  if (!high && n <= 24) {
    // short ASCII: cheaper than a TextDecoder call
    let s = '';
    for (let i = start; i < e; i++) s += String.fromCharCode(bytes[i]);
    return s;
  }
  utf8 ??= new TextDecoder('utf-8', { fatal: true });
  if (!high) return utf8.decode(bytes.subarray(start, e));
  try {
    return utf8.decode(bytes.subarray(start, e));
  } catch {
    // not UTF-8: Latin-1
    let s = '';
    for (let i = start; i < e; i += 4096) s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, Math.min(e, i + 4096))));
    return s;
  }
}

/** unicodeChar bytes: UCS-2 big-endian; cut at the first NUL. */
export function ucs2String(bytes: Uint8Array, start: number, nchars: number): string {
  const codes: number[] = [];
  for (let k = 0; k < nchars; k++) {
    const c = (bytes[start + 2 * k] << 8) | bytes[start + 2 * k + 1];
    if (c === 0) break;
    codes.push(c);
  }
  let s = '';
  for (let i = 0; i < codes.length; i += 4096) s += String.fromCharCode.apply(null, codes.slice(i, i + 4096));
  return s;
}

// ---------------------------------------------------------------------------------------------
// growable storage

type Ctor<T> = { new (n: number): T };

class Grow<T extends Exclude<NumericArray, BigInt64Array>> {
  arr: T;
  len = 0;
  constructor(private readonly ctor: Ctor<T>, cap = 64) {
    this.arr = new ctor(cap);
  }
  reserve(extra: number): void {
    const needed = this.len + extra;
    if (needed <= this.arr.length) return;
    let cap = this.arr.length * 2;
    while (cap < needed) cap *= 2;
    const a = new this.ctor(cap);
    a.set(this.arr.subarray(0, this.len) as never);
    this.arr = a;
  }
  push(v: number): void {
    if (this.len === this.arr.length) this.reserve(1);
    this.arr[this.len++] = v;
  }
  done(): T {
    return this.arr.slice(0, this.len) as T;
  }
}

class GrowBig {
  arr = new BigInt64Array(16);
  len = 0;
  reserve(extra: number): void {
    const needed = this.len + extra;
    if (needed <= this.arr.length) return;
    let cap = this.arr.length * 2;
    while (cap < needed) cap *= 2;
    const a = new BigInt64Array(cap);
    a.set(this.arr.subarray(0, this.len));
    this.arr = a;
  }
  push(v: bigint): void {
    if (this.len === this.arr.length) this.reserve(1);
    this.arr[this.len++] = v;
  }
  done(): BigInt64Array {
    return this.arr.slice(0, this.len);
  }
}

/** Null mask allocated at the first null. */
class Nulls {
  buf: Uint8Array | null = null;
  set(i: number): void {
    if (this.buf === null) this.buf = new Uint8Array(Math.max(64, i + 1));
    else if (i >= this.buf.length) {
      const b = new Uint8Array(Math.max(this.buf.length * 2, i + 1));
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[i] = 1;
  }
  done(n: number): Uint8Array | undefined {
    if (this.buf === null) return undefined;
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(0, Math.min(n, this.buf.length)));
    return out;
  }
}

/** Long values as float64 until one is not exact, then as BigInt64. */
class LongStore {
  f = new Grow(Float64Array);
  b: GrowBig | null = null;
  constructor(private readonly mode: LongMode) {
    if (mode === 'bigint') this.toBig();
  }
  private toBig(): void {
    const b = new GrowBig();
    b.reserve(this.f.len);
    for (let i = 0; i < this.f.len; i++) {
      const v = this.f.arr[i];
      b.arr[i] = v === v ? BigInt(v) : 0n;
    }
    b.len = this.f.len;
    this.b = b;
  }
  get len(): number {
    return this.b ? this.b.len : this.f.len;
  }
  pushNumber(v: number): void {
    if (this.b) this.b.push(v === v ? BigInt(v) : 0n);
    else this.f.push(v);
  }
  pushBig(v: bigint): void {
    if (v >= -9007199254740991n && v <= 9007199254740991n) return this.pushNumber(Number(v));
    if (this.mode === 'float64') return this.f.push(Number(v));
    if (!this.b) this.toBig();
    (this.b as GrowBig).push(v);
  }
  pushBytes(view: DataView, pos: number): void {
    const hi = view.getInt32(pos);
    const lo = view.getUint32(pos + 4);
    // exact in float64 when |v| < 2^53: hi in [-2^21, 2^21)
    if (hi >= -2097152 && hi < 2097152 && !this.b) this.f.push(hi * 4294967296 + lo);
    else this.pushBig(view.getBigInt64(pos));
  }
  /** Value at i as a bigint or number (for null comparisons). */
  equals(i: number, nul: bigint): boolean {
    return this.b ? this.b.arr[i] === nul : this.f.arr[i] === Number(nul);
  }
  setNull(i: number): void {
    if (this.b) this.b.arr[i] = 0n;
    else this.f.arr[i] = NaN;
  }
  done(): Float64Array | BigInt64Array {
    return this.b ? this.b.done() : this.f.done();
  }
}

// ---------------------------------------------------------------------------------------------
// builders

export interface BuildContext {
  warn(message: string): void;
  longs: LongMode;
  /**
   * BINARY variable-length arrays as astropy (5.x) writes them: the 4-byte prefix counts the
   * sub-arrays of a multi-dimensional array ('2x3x*': blocks of 6) rather than the primitives,
   * a 1-D variable bit array takes one byte per bit, a multi-dimensional one packs each block
   * in its own bytes. Used only as a fallback when the standard reading fails.
   */
  astropyVarArrays?: boolean;
}

export interface Builder {
  readonly kind: ColumnKind;
  /** A TABLEDATA cell ('' for an empty or missing TD). */
  text(s: string, row: number): void;
  /** A BINARY/BINARY2 cell; `isNull` from the BINARY2 null flags. Throws Truncated. */
  bin(r: BinReader, isNull: boolean, row: number): void;
  /**
   * An already decoded cell (FITS serialisation): a number/bigint (scalars), a string, an array
   * of numbers (arrays, complex as re, im pairs) or of strings. `isNull` marks a null cell.
   */
  value(v: CellValue, isNull: boolean): void;
  finish(nrows: number): { values: ColumnValues; nulls?: Uint8Array };
}

export type CellValue = number | bigint | string | ArrayLike<number | bigint> | readonly string[] | null;

function firstNumber(v: CellValue): number | bigint {
  if (v === null) return NaN;
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'string') return Number(v.trim() === '' ? NaN : v);
  const x = (v as ArrayLike<number | bigint | string>)[0];
  return x === undefined ? NaN : typeof x === 'string' ? Number(x) : x;
}

const INT_RANGE: Partial<Record<ElemKind, [number, number]>> = {
  u8: [0, 255],
  i16: [-32768, 32767],
  i32: [-2147483648, 2147483647],
};

/** Clamp an integer to its datatype's range (out-of-range TABLEDATA values saturate, as in astropy). */
function clampInt(e: ElemKind, v: number): number {
  const r = INT_RANGE[e];
  if (r === undefined) return v;
  return v < r[0] ? r[0] : v > r[1] ? r[1] : v;
}

function intNullOf(spec: FieldSpec, ctor: Ctor<Exclude<NumericArray, BigInt64Array>>): number | undefined {
  if (spec.nullValue === undefined) return undefined;
  const n = parseIntText(spec.nullValue);
  if (n !== n) return undefined;
  const a = new ctor(1);
  a[0] = clampInt(ctor === Uint8Array ? 'u8' : ctor === Int16Array ? 'i16' : 'i32', n);
  return a[0];
}

function floatNullOf(spec: FieldSpec): number | undefined {
  if (spec.nullValue === undefined) return undefined;
  const n = parseFloatText(spec.nullValue);
  return n === n ? n : undefined;
}

function longNullOf(spec: FieldSpec): bigint | undefined {
  if (spec.nullValue === undefined) return undefined;
  const v = parseLongText(spec.nullValue);
  if (v === undefined) return undefined;
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** Scalars stored in a plain typed array: u8, i16, i32, f32, f64, boolean, bit. */
class ScalarBuilder implements Builder {
  readonly kind = 'scalar' as const;
  private readonly g: Grow<Exclude<NumericArray, BigInt64Array>>;
  private readonly nulls = new Nulls();
  private readonly isFloat: boolean;
  private readonly nul: number | undefined;

  constructor(private readonly spec: FieldSpec, private readonly ctx: BuildContext) {
    const e = spec.elem;
    const ctor: Ctor<Exclude<NumericArray, BigInt64Array>> =
      e === 'f64' ? Float64Array : e === 'f32' ? Float32Array : e === 'i32' ? Int32Array : e === 'i16' ? Int16Array : Uint8Array;
    this.g = new Grow(ctor);
    this.isFloat = e === 'f32' || e === 'f64';
    this.nul = e === 'boolean' || e === 'bit' ? undefined : this.isFloat ? floatNullOf(spec) : intNullOf(spec, ctor);
  }

  text(s: string, row: number): void {
    const e = this.spec.elem;
    const g = this.g;
    if (this.isFloat) {
      const v = parseFloatText(s);
      if (v !== v && isBadFloatText(s)) this.ctx.warn(`row ${row + 1}, field '${this.spec.name}': '${clip(s)}' is not a number (read as null)`);
      g.push(v === this.nul ? NaN : v);
      return;
    }
    if (e === 'boolean' || e === 'bit') {
      const v = e === 'boolean' ? parseBoolText(s) : bitText(s);
      if (v === -2) this.ctx.warn(`row ${row + 1}, field '${this.spec.name}': '${clip(s)}' is not a ${e} (read as null)`);
      if (v < 0) {
        this.nulls.set(g.len);
        g.push(0);
      } else g.push(v);
      return;
    }
    let v = parseIntText(s);
    if (v !== v) {
      if (s.trim() !== '') this.ctx.warn(`row ${row + 1}, field '${this.spec.name}': '${clip(s)}' is not an integer (read as null)`);
      this.nulls.set(g.len);
      g.push(0);
      return;
    }
    const c = clampInt(e, v);
    if (c !== v) {
      this.ctx.warn(`row ${row + 1}, field '${this.spec.name}': ${clip(s.trim())} is out of range for ${this.spec.datatype} (saturated)`);
      v = c;
    }
    g.push(v);
    if (this.nul !== undefined && g.arr[g.len - 1] === this.nul) this.nulls.set(g.len - 1);
  }

  bin(r: BinReader, isNull: boolean): void {
    const e = this.spec.elem;
    const g = this.g;
    const size = e === 'bit' ? 1 : ELEM_SIZE[e];
    need(r, size);
    const view = r.view;
    const p = r.pos;
    r.pos += size;
    let v: number;
    switch (e) {
      case 'f64':
        v = view.getFloat64(p);
        break;
      case 'f32':
        v = view.getFloat32(p);
        break;
      case 'i32':
        v = view.getInt32(p);
        break;
      case 'i16':
        v = view.getInt16(p);
        break;
      case 'u8':
        v = r.bytes[p];
        break;
      case 'bit':
        // the standard puts a scalar bit in the most significant bit (STIL does); astropy 5.2
        // writes 0x08. Unused bits are zero, so any set bit reads as 1.
        v = r.bytes[p] !== 0 ? 1 : 0;
        break;
      default: {
        v = boolByte(r.bytes[p]);
        if (v < 0) isNull = true;
      }
    }
    if (this.isFloat) {
      g.push(isNull || v === this.nul ? NaN : v);
      return;
    }
    if (isNull || (this.nul !== undefined && v === this.nul)) {
      this.nulls.set(g.len);
      g.push(isNull ? 0 : v);
      return;
    }
    g.push(v);
  }

  value(raw: CellValue, isNull: boolean): void {
    const e = this.spec.elem;
    const g = this.g;
    let v = Number(firstNumber(raw));
    if (this.isFloat) {
      g.push(isNull || v === this.nul ? NaN : v);
      return;
    }
    if (e === 'boolean' || e === 'bit') v = v === v ? (v !== 0 ? 1 : 0) : NaN;
    if (isNull || v !== v) {
      this.nulls.set(g.len);
      g.push(0);
      return;
    }
    g.push(clampInt(e, Math.trunc(v)));
    if (this.nul !== undefined && g.arr[g.len - 1] === this.nul) this.nulls.set(g.len - 1);
  }

  finish(nrows: number): { values: ColumnValues; nulls?: Uint8Array } {
    while (this.g.len < nrows) this.g.push(this.isFloat ? NaN : 0);
    return { values: this.g.done(), nulls: this.nulls.done(nrows) };
  }
}

function bitText(s: string): number {
  const t = s.trim();
  if (t === '1') return 1;
  if (t === '0') return 0;
  if (t === '') return -1;
  return -2;
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}

class LongBuilder implements Builder {
  readonly kind = 'scalar' as const;
  private readonly store: LongStore;
  private readonly nulls = new Nulls();
  private readonly nul: bigint | undefined;

  constructor(private readonly spec: FieldSpec, private readonly ctx: BuildContext) {
    this.store = new LongStore(ctx.longs);
    this.nul = longNullOf(spec);
  }

  text(s: string, row: number): void {
    const v = parseLongText(s);
    const i = this.store.len;
    if (v === undefined) {
      if (s.trim() !== '') this.ctx.warn(`row ${row + 1}, field '${this.spec.name}': '${clip(s)}' is not an integer (read as null)`);
      this.store.pushNumber(NaN);
      this.store.setNull(i);
      this.nulls.set(i);
      return;
    }
    if (typeof v === 'bigint') this.store.pushBig(v);
    else this.store.pushNumber(v);
    if (this.nul !== undefined && this.store.equals(i, this.nul)) {
      this.store.setNull(i);
      this.nulls.set(i);
    }
  }

  bin(r: BinReader, isNull: boolean): void {
    need(r, 8);
    const i = this.store.len;
    this.store.pushBytes(r.view, r.pos);
    r.pos += 8;
    if (isNull || (this.nul !== undefined && this.store.equals(i, this.nul))) {
      this.store.setNull(i);
      this.nulls.set(i);
    }
  }

  value(raw: CellValue, isNull: boolean): void {
    const v = firstNumber(raw);
    const i = this.store.len;
    if (typeof v === 'bigint') this.store.pushBig(v);
    else this.store.pushNumber(v === v ? Math.trunc(v) : NaN);
    if (isNull || v !== v || (this.nul !== undefined && this.store.equals(i, this.nul))) {
      this.store.setNull(i);
      this.nulls.set(i);
    }
  }

  finish(nrows: number): { values: ColumnValues; nulls?: Uint8Array } {
    while (this.store.len < nrows) {
      this.nulls.set(this.store.len);
      this.store.pushNumber(NaN);
      this.store.setNull(this.store.len - 1);
    }
    return { values: this.store.done(), nulls: this.nulls.done(nrows) };
  }
}

/** char / unicodeChar scalars (fixed 'n', variable '*' or 'n*', or a single character). */
class StringBuilder implements Builder {
  readonly kind = 'string' as const;
  private readonly out: string[] = [];
  private readonly nulls = new Nulls();
  private readonly fixed: number;

  constructor(private readonly spec: FieldSpec) {
    const a = spec.array;
    this.fixed = a === null ? 1 : a.variable ? -1 : a.block;
  }

  text(raw: string): void {
    const s = raw.trim();
    if (this.spec.nullValue !== undefined && s === this.spec.nullValue && s !== '') this.nulls.set(this.out.length);
    this.out.push(s);
  }

  bin(r: BinReader, isNull: boolean): void {
    const uni = this.spec.elem === 'uchar';
    const n = this.fixed >= 0 ? this.fixed : readCount(r);
    const bytes = uni ? 2 * n : n;
    need(r, bytes);
    let s = uni ? ucs2String(r.bytes, r.pos, n) : charString(r.bytes, r.pos, r.pos + bytes);
    r.pos += bytes;
    if (this.fixed >= 0) s = trimEndSpaces(s);
    if (isNull || (this.spec.nullValue !== undefined && s === this.spec.nullValue && s !== '')) {
      this.nulls.set(this.out.length);
      s = '';
    }
    this.out.push(s);
  }

  value(raw: CellValue, isNull: boolean): void {
    let s = raw === null ? '' : typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'bigint' ? String(raw) : Array.from(raw as ArrayLike<unknown>).join('');
    if (isNull || (this.spec.nullValue !== undefined && s === this.spec.nullValue && s !== '')) {
      this.nulls.set(this.out.length);
      if (isNull) s = '';
    }
    this.out.push(s);
  }

  finish(nrows: number): { values: ColumnValues; nulls?: Uint8Array } {
    while (this.out.length < nrows) this.out.push('');
    return { values: this.out, nulls: this.nulls.done(nrows) };
  }
}

function trimEndSpaces(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

/** char / unicodeChar with two or more dimensions: string[] per row, each of dims[0] characters. */
class StringArrayBuilder implements Builder {
  readonly kind = 'stringArray' as const;
  private readonly out: string[][] = [];
  private readonly nulls = new Nulls();
  private readonly len: number;
  /** strings per fixed item (product of dims[1..]) */
  private readonly per: number;

  private readonly astropy: boolean;

  constructor(private readonly spec: FieldSpec, ctx: BuildContext) {
    const a = spec.array as NonNullable<FieldSpec['array']>;
    this.astropy = ctx.astropyVarArrays === true;
    this.len = a.dims[0];
    this.per = a.block / Math.max(1, a.dims[0]);
  }

  text(raw: string): void {
    const s = raw.trim();
    const out: string[] = [];
    if (this.len > 0) for (let i = 0; i < s.length; i += this.len) out.push(trimEndSpaces(s.slice(i, i + this.len)));
    this.out.push(out);
  }

  bin(r: BinReader, isNull: boolean): void {
    const a = this.spec.array as NonNullable<FieldSpec['array']>;
    // the prefix counts characters (the standard, STIL); astropy-style: strings
    let nstr = this.per;
    if (a.variable) {
      const count = readCount(r);
      nstr = this.astropy ? count * this.per : this.len > 0 ? Math.floor(count / this.len) : 0;
      if (!this.astropy && this.len > 0 && count % this.len !== 0) {
        // a partial last string: read all the bytes, keep whole strings
        const uni = this.spec.elem === 'uchar';
        need(r, count * (uni ? 2 : 1));
        const out = this.readStrings(r, nstr, uni);
        r.pos += (count - nstr * this.len) * (uni ? 2 : 1);
        this.push(out, isNull);
        return;
      }
    }
    const uni = this.spec.elem === 'uchar';
    need(r, nstr * this.len * (uni ? 2 : 1));
    this.push(this.readStrings(r, nstr, uni), isNull);
  }

  private readStrings(r: BinReader, nstr: number, uni: boolean): string[] {
    const out: string[] = [];
    const w = this.len * (uni ? 2 : 1);
    for (let k = 0; k < nstr; k++) {
      const p = r.pos + k * w;
      out.push(trimEndSpaces(uni ? ucs2String(r.bytes, p, this.len) : charString(r.bytes, p, p + this.len)));
    }
    r.pos += nstr * w;
    return out;
  }

  private push(out: string[], isNull: boolean): void {
    if (isNull) this.nulls.set(this.out.length);
    this.out.push(isNull ? [] : out);
  }

  value(raw: CellValue, isNull: boolean): void {
    if (isNull || raw === null) {
      this.nulls.set(this.out.length);
      this.out.push([]);
    } else if (typeof raw === 'string') this.text(raw);
    else if (typeof raw === 'number' || typeof raw === 'bigint') this.out.push([String(raw)]);
    else this.out.push(Array.from(raw as ArrayLike<unknown>, (x) => String(x)));
  }

  finish(nrows: number): { values: ColumnValues; nulls?: Uint8Array } {
    while (this.out.length < nrows) this.out.push([]);
    return { values: this.out, nulls: this.nulls.done(nrows) };
  }
}

/**
 * Numeric arrays (fixed, variable, multi-dimensional), bit and boolean arrays, and complex values
 * (two numbers per element). Rows are stored in one flat buffer plus offsets.
 */
class ArrayBuilder implements Builder {
  readonly kind = 'array' as const;
  private readonly flat: Grow<Exclude<NumericArray, BigInt64Array>> | null;
  private readonly longs: LongStore | null;
  private readonly offsets = new Grow(Float64Array);
  private readonly nulls = new Nulls();
  private readonly e: ElemKind;
  /** numbers per element (2 for complex) */
  private readonly comps: number;
  private readonly nulF: number | undefined;
  private readonly nulI: number | undefined;
  private readonly nulL: bigint | undefined;
  private rows = 0;

  constructor(private readonly spec: FieldSpec, private readonly ctx: BuildContext) {
    const e = (this.e = spec.elem);
    this.comps = e === 'c64' || e === 'c128' ? 2 : 1;
    if (e === 'i64') {
      this.longs = new LongStore(ctx.longs);
      this.flat = null;
    } else {
      const ctor: Ctor<Exclude<NumericArray, BigInt64Array>> =
        e === 'f64' || e === 'c128' ? Float64Array : e === 'f32' || e === 'c64' ? Float32Array : e === 'i32' ? Int32Array : e === 'i16' ? Int16Array : Uint8Array;
      this.flat = new Grow(ctor);
      this.longs = null;
    }
    this.offsets.push(0);
    this.nulF = e === 'f32' || e === 'f64' || e === 'c64' || e === 'c128' ? floatNullOf(spec) : undefined;
    this.nulI = e === 'u8' || e === 'i16' || e === 'i32' ? intNullOf(spec, e === 'u8' ? Uint8Array : e === 'i16' ? Int16Array : Int32Array) : undefined;
    this.nulL = e === 'i64' ? longNullOf(spec) : undefined;
  }

  private get size(): number {
    return this.longs ? this.longs.len : (this.flat as Grow<Exclude<NumericArray, BigInt64Array>>).len;
  }

  private endRow(isNull: boolean): void {
    if (isNull) this.nulls.set(this.rows);
    this.rows++;
    this.offsets.push(this.size);
  }

  text(s: string, row: number): void {
    const e = this.e;
    const a = this.spec.array;
    if (e === 'bit') {
      const flat = this.flat as Grow<Uint8Array>;
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c === 48 || c === 49) flat.push(c - 48);
      }
      this.endRow(false);
      return;
    }
    const parts = splitArrayText(s);
    if (parts.length === 0 && (a === null || (!a.variable && a.block > 0))) {
      this.endRow(true);
      return;
    }
    let bad = 0;
    if (this.longs) {
      const L = this.longs;
      for (const p of parts) {
        const v = parseLongText(p);
        if (v === undefined) {
          bad++;
          L.pushNumber(NaN);
          L.setNull(L.len - 1);
        } else if (typeof v === 'bigint') L.pushBig(v);
        else L.pushNumber(v);
      }
    } else {
      const flat = this.flat as Grow<Exclude<NumericArray, BigInt64Array>>;
      flat.reserve(parts.length);
      const isFloat = e === 'f32' || e === 'f64' || e === 'c64' || e === 'c128';
      for (const p of parts) {
        let v: number;
        if (isFloat) {
          v = parseFloatText(p);
          if (v !== v && isBadFloatText(p)) bad++;
          if (v === this.nulF) v = NaN;
        } else if (e === 'boolean') {
          v = parseBoolText(p);
          if (v === -2) bad++;
          if (v < 0) v = 2;
        } else {
          v = parseIntText(p);
          if (v !== v) {
            bad++;
            v = this.nulI ?? 0;
          } else v = clampInt(e, v);
        }
        flat.arr[flat.len++] = v;
      }
    }
    if (bad) this.ctx.warn(`row ${row + 1}, field '${this.spec.name}': ${bad} array element(s) not readable as ${this.spec.datatype}`);
    const got = this.size - (this.offsets.arr[this.offsets.len - 1] as number);
    if (a !== null && !a.variable && got !== a.block * this.comps) {
      this.ctx.warn(`row ${row + 1}, field '${this.spec.name}': ${got} values for arraysize ${this.spec.arraysize ?? ''}`);
    }
    this.endRow(false);
  }

  bin(r: BinReader, isNull: boolean): void {
    const e = this.e;
    const a = this.spec.array;
    const block = a === null ? 1 : a.block;
    const astropy = this.ctx.astropyVarArrays === true && a !== null && a.variable;
    // variable arrays: the prefix counts primitives (the standard, STIL); astropy: blocks
    const count = a !== null && a.variable ? (astropy ? readCount(r) * block : readCount(r)) : block; // elements
    if (e === 'bit') {
      const flat = this.flat as Grow<Uint8Array>;
      const bytes = r.bytes;
      if (astropy && block === 1) {
        // astropy: one byte per bit
        need(r, count);
        flat.reserve(count);
        for (let k = 0; k < count; k++) flat.arr[flat.len++] = bytes[r.pos + k] !== 0 ? 1 : 0;
        r.pos += count;
      } else if (astropy) {
        // astropy: each block of bits packed in its own bytes
        const per = Math.ceil(block / 8);
        const nblocks = count / block;
        need(r, nblocks * per);
        flat.reserve(count);
        for (let q = 0; q < nblocks; q++) {
          const base = r.pos + q * per;
          for (let k = 0; k < block; k++) flat.arr[flat.len++] = (bytes[base + (k >> 3)] >> (7 - (k & 7))) & 1;
        }
        r.pos += nblocks * per;
      } else {
        const nbytes = Math.ceil(count / 8);
        need(r, nbytes);
        flat.reserve(count);
        for (let k = 0; k < count; k++) flat.arr[flat.len++] = (bytes[r.pos + (k >> 3)] >> (7 - (k & 7))) & 1;
        r.pos += nbytes;
      }
      this.endRow(isNull);
      return;
    }
    const size = ELEM_SIZE[e];
    const nbytes = count * size;
    need(r, nbytes);
    const view = r.view;
    let p = r.pos;
    r.pos += nbytes;
    if (this.longs) {
      const L = this.longs;
      for (let k = 0; k < count; k++, p += 8) L.pushBytes(view, p);
      this.endRow(isNull);
      return;
    }
    const flat = this.flat as Grow<Exclude<NumericArray, BigInt64Array>>;
    const n = count * this.comps;
    flat.reserve(n);
    const arr = flat.arr;
    let o = flat.len;
    switch (e) {
      case 'f64':
      case 'c128':
        for (let k = 0; k < n; k++, p += 8) arr[o++] = view.getFloat64(p);
        break;
      case 'f32':
      case 'c64':
        for (let k = 0; k < n; k++, p += 4) arr[o++] = view.getFloat32(p);
        break;
      case 'i32':
        for (let k = 0; k < n; k++, p += 4) arr[o++] = view.getInt32(p);
        break;
      case 'i16':
        for (let k = 0; k < n; k++, p += 2) arr[o++] = view.getInt16(p);
        break;
      case 'u8':
        for (let k = 0; k < n; k++, p++) arr[o++] = r.bytes[p];
        break;
      default:
        for (let k = 0; k < n; k++, p++) {
          const v = boolByte(r.bytes[p]);
          arr[o++] = v < 0 ? 2 : v;
        }
    }
    if (this.nulF !== undefined) for (let k = flat.len; k < o; k++) if (arr[k] === this.nulF) arr[k] = NaN;
    flat.len = o;
    this.endRow(isNull);
  }

  value(raw: CellValue, isNull: boolean): void {
    const items: ArrayLike<number | bigint | string> =
      raw === null ? [] : typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'string' ? [raw] : (raw as ArrayLike<number | bigint>);
    if (this.longs) {
      const L = this.longs;
      for (let k = 0; k < items.length; k++) {
        const x = items[k];
        if (typeof x === 'bigint') L.pushBig(x);
        else {
          const n = Number(x);
          L.pushNumber(n === n ? Math.trunc(n) : NaN);
          if (n !== n) L.setNull(L.len - 1);
        }
      }
    } else {
      const flat = this.flat as Grow<Exclude<NumericArray, BigInt64Array>>;
      const e = this.e;
      const isFloat = e === 'f32' || e === 'f64' || e === 'c64' || e === 'c128';
      flat.reserve(items.length);
      for (let k = 0; k < items.length; k++) {
        let n = Number(items[k]);
        if (isFloat) {
          if (n === this.nulF) n = NaN;
        } else if (e === 'boolean') n = n === n ? (n !== 0 ? 1 : 0) : 2;
        else if (e === 'bit') n = n ? 1 : 0;
        else n = n === n ? clampInt(e, Math.trunc(n)) : (this.nulI ?? 0);
        flat.arr[flat.len++] = n;
      }
    }
    this.endRow(isNull);
  }

  finish(nrows: number): { values: ColumnValues; nulls?: Uint8Array } {
    while (this.rows < nrows) this.endRow(true);
    const all = this.longs ? this.longs.done() : (this.flat as Grow<Exclude<NumericArray, BigInt64Array>>).done();
    const off = this.offsets.arr;
    const nulls = this.nulls.done(nrows);
    const values: NumericArray[] = new Array<NumericArray>(nrows);
    for (let i = 0; i < nrows; i++) values[i] = nulls && nulls[i] ? all.subarray(off[i], off[i]) : all.subarray(off[i], off[i + 1]);
    return { values, nulls };
  }
}

/** Column kind of a field. */
export function kindOf(spec: FieldSpec): ColumnKind {
  const a = spec.array;
  if (spec.elem === 'char' || spec.elem === 'uchar') {
    if (a === null) return 'string';
    if (a.variable ? a.dims.length === 0 : a.dims.length <= 1) return 'string';
    return 'stringArray';
  }
  if (spec.elem === 'c64' || spec.elem === 'c128') return 'array';
  return a === null ? 'scalar' : 'array';
}

export function makeBuilder(spec: FieldSpec, ctx: BuildContext): Builder {
  switch (kindOf(spec)) {
    case 'string':
      return new StringBuilder(spec);
    case 'stringArray':
      return new StringArrayBuilder(spec, ctx);
    case 'array':
      return new ArrayBuilder(spec, ctx);
    default:
      return spec.elem === 'i64' ? new LongBuilder(spec, ctx) : new ScalarBuilder(spec, ctx);
  }
}

/** Thrown by decoders for impossible sizes. */
export function badData(message: string): TableError {
  return new TableError('BAD_DATA', message);
}
