/**
 * FITS image data units: stored big-endian values -> physical values (FITS 4.0 §5.2-5.3,
 * STANDARDS.md A6).
 *
 *   physical = BZERO + BSCALE * stored
 *
 * - BITPIX 8 (unsigned byte), 16, 32, 64 (two's-complement) and -32, -64 (IEEE 754), all
 *   big-endian. Unsigned conventions come out of the same formula: BITPIX 16 + BZERO 32768 is
 *   uint16, BITPIX 32 + BZERO 2^31 is uint32, BITPIX 64 + BZERO 2^63 is uint64 (computed with
 *   a sign-bit flip so the only rounding is the final one to float64), BITPIX 8 + BZERO -128 is
 *   a signed byte.
 * - BLANK (integer images only) is compared with the STORED value, exactly (BITPIX 64 compares
 *   both 32-bit halves against the BigInt value of the card), and such pixels become NaN, with
 *   or without scaling. Float images use NaN natively.
 *
 * Output type rule (`output: 'auto'`, the default) - depends on the header only, never on the
 * pixel values:
 *   - Float64Array for BITPIX -64, 32 and 64: a float32 has a 24-bit mantissa, so 32/64-bit
 *     integers (plain, unsigned, or scaled) would lose precision; float64 is exact for all
 *     32-bit values and for 64-bit values up to 2^53.
 *   - Float32Array for BITPIX 8, 16 and -32: exact for every 8/16-bit stored value and for
 *     float32 data; with BSCALE/BZERO the physical value is computed in float64 and rounded
 *     once to float32 (relative error <= 6e-8).
 * `output: 'float32' | 'float64'` forces the type (e.g. float32 for a GPU texture).
 *
 * Decoding paths: WebAssembly SIMD kernels (simd.ts) when the realm supports them - byte swaps by
 * i8x16.shuffle, conversion and scaling in f32x4/f64x2 lanes, bit-identical to the JavaScript
 * paths - else the JavaScript paths, chosen per BITPIX by measurement (bench/fits-decode.bench.mjs and the loops
 * compared in docs/fits-and-tables.md, Node 20 / V8 11 on x86):
 *   - BITPIX 8: `TypedArray.prototype.set` from the byte view (V8's typed-array conversion
 *     copy, 11-15x any per-pixel loop), then BSCALE/BZERO in place when present.
 *   - BITPIX 16: chunks of 16384 pixels are swapped two at a time through Uint32 views into a
 *     reused Int16Array, which `set` converts to the output (1.5-1.9x a DataView loop); with
 *     BSCALE/BZERO, two pixels per Uint32 word are sign-extended with shifts and scaled in the
 *     same loop (one pass beats set + a scaling pass). Both need a 4-byte aligned data start and
 *     a little-endian host.
 *   - BITPIX 32, 64, -32, -64 and every case with BLANK or an unaligned start: DataView
 *     big-endian reads straight into the output (V8 compiles them to a load plus a byte-swap
 *     instruction; faster than Uint32 shift loops; any alignment, any host endianness).
 * Applying the scale in place after the conversion (BITPIX 8) gives the same values as the fused
 * formula: the stored value is exact in the output type and `bzero + bscale * stored` is
 * computed in float64 and rounded once.
 */

import { FitsError } from './errors.js';
import type { FitsHeader } from './header.js';
import { decodeSimd, simdStatus } from './simd.js';

export type Bitpix = 8 | 16 | 32 | 64 | -32 | -64;

export const VALID_BITPIX: readonly Bitpix[] = [8, 16, 32, 64, -32, -64];

/** What the stored values represent once BZERO/BSCALE are applied (informative). */
export type StoredType =
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
  | 'scaled';

export type ImageOutput = 'auto' | 'float32' | 'float64';

export interface ReadImageOptions {
  /** Output array type; see the module documentation for the 'auto' rule. */
  output?: ImageOutput;
  /** Memory limit for the output array (default: the limit given to readFits; see limits.ts). */
  maxBytes?: number;
  /**
   * Decode into the data unit's own bytes and return a view on them (no new array): only for a
   * file read with `readFits(bytes, { consume: true })` and an output of the stored size (BITPIX
   * -32 -> float32, BITPIX -64 -> float64). Only the data unit's bytes change; the HDU cannot be
   * read again afterwards (FitsError 'CONSUMED'). Refused with FitsError 'BAD_ARGUMENT' naming
   * the reason elsewhere. Same values as the normal path, bit for bit.
   */
  inPlace?: boolean;
  /**
   * Decode into this caller-supplied array (its type is the output type; at least as many
   * elements as pixels; it must not overlap the input bytes) and return a view of it, for a
   * caller that reuses one buffer. Uncompressed images only.
   */
  into?: Float32Array | Float64Array;
}

/** Everything needed to decode an image data unit, taken from its header. */
export interface ImageLayout {
  bitpix: Bitpix;
  /** NAXIS1, NAXIS2, ... (NAXIS1 varies fastest). */
  naxes: number[];
  bscale: number;
  bzero: number;
  /** BLANK, exactly (integer images only). */
  blank: bigint | undefined;
  storedType: StoredType;
  /** Array type chosen by the 'auto' rule. */
  autoOutput: 'float32' | 'float64';
  /** Pixels per plane (NAXIS1 * NAXIS2; NAXIS1 when NAXIS = 1). */
  planePixels: number;
  /** Number of planes (product of NAXIS3..NAXISn; 1 for NAXIS <= 2). */
  planeCount: number;
}

export interface FitsImage {
  /** Dimensions, NAXIS1 first (for a plane: [NAXIS1, NAXIS2]). */
  shape: number[];
  /** Physical values, NAXIS1 varying fastest (FITS order; row 0 is the bottom row, FITS Y = 1). */
  data: Float32Array | Float64Array;
  bitpix: Bitpix;
  bscale: number;
  bzero: number;
  /** BLANK value (as a number; may be rounded for 64-bit values beyond 2^53). */
  blank: number | undefined;
  storedType: StoredType;
}

const TWO32 = 4294967296;
const TWO63 = 9223372036854775808;

function storedTypeOf(bitpix: Bitpix, bscale: number, bzero: number): StoredType {
  if (bitpix === -32) return bscale === 1 && bzero === 0 ? 'float32' : 'scaled';
  if (bitpix === -64) return bscale === 1 && bzero === 0 ? 'float64' : 'scaled';
  if (bscale !== 1) return 'scaled';
  switch (bitpix) {
    case 8:
      return bzero === 0 ? 'uint8' : bzero === -128 ? 'int8' : 'scaled';
    case 16:
      return bzero === 0 ? 'int16' : bzero === 32768 ? 'uint16' : 'scaled';
    case 32:
      return bzero === 0 ? 'int32' : bzero === 2147483648 ? 'uint32' : 'scaled';
    case 64:
      return bzero === 0 ? 'int64' : bzero === TWO63 ? 'uint64' : 'scaled';
  }
}

function badKeyword(ctx: string, msg: string): FitsError {
  return new FitsError('BAD_KEYWORD', `${ctx}${msg}`);
}

/** Integer value of a mandatory keyword, validated. */
export function requireInteger(header: FitsHeader, key: string, ctx: string, min = -Infinity, max = Infinity): number {
  const v = header.get(key);
  if (v === undefined) throw new FitsError('MISSING_KEYWORD', `${ctx}mandatory keyword ${key} is missing`);
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw badKeyword(ctx, `${key} must be an integer, found ${JSON.stringify(v)}`);
  }
  if (v < min || v > max) throw badKeyword(ctx, `${key} = ${v} is out of range [${min}, ${max}]`);
  return v;
}

/** BITPIX of a header, validated. */
export function readBitpix(header: FitsHeader, ctx: string): Bitpix {
  const b = requireInteger(header, 'BITPIX', ctx);
  if (!(VALID_BITPIX as readonly number[]).includes(b)) {
    throw badKeyword(ctx, `BITPIX = ${b} is not a valid FITS BITPIX (8, 16, 32, 64, -32, -64)`);
  }
  return b as Bitpix;
}

/** NAXIS1..NAXISn of a header, validated (NAXIS 0..999, each NAXISn >= 0). */
export function readNaxes(header: FitsHeader, ctx: string): number[] {
  const naxis = requireInteger(header, 'NAXIS', ctx, 0, 999);
  const naxes: number[] = [];
  for (let i = 1; i <= naxis; i++) naxes.push(requireInteger(header, `NAXIS${i}`, ctx, 0, Number.MAX_SAFE_INTEGER));
  return naxes;
}

function optionalNumber(header: FitsHeader, key: string, dflt: number, ctx: string): number {
  const v = header.get(key);
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badKeyword(ctx, `${key} must be a finite number, found ${JSON.stringify(v)}`);
  return v;
}

/** Decode parameters of an image HDU from its header. */
export function imageLayout(header: FitsHeader, ctx = ''): ImageLayout {
  const bitpix = readBitpix(header, ctx);
  const naxes = readNaxes(header, ctx);
  const bscale = optionalNumber(header, 'BSCALE', 1, ctx);
  const bzero = optionalNumber(header, 'BZERO', 0, ctx);
  let blank: bigint | undefined;
  if (bitpix > 0) {
    const card = header.getCard('BLANK');
    if (card !== undefined && typeof card.value === 'number' && Number.isInteger(card.value) && card.valueText) {
      try {
        blank = BigInt(card.valueText.replace(/^\+/, ''));
      } catch {
        blank = BigInt(card.value);
      }
    }
  }
  const autoOutput = bitpix === 8 || bitpix === 16 || bitpix === -32 ? 'float32' : 'float64';
  let planePixels = 0;
  let planeCount = 0;
  if (naxes.length > 0) {
    planePixels = naxes.length === 1 ? naxes[0]! : naxes[0]! * naxes[1]!;
    planeCount = 1;
    for (let i = 2; i < naxes.length; i++) planeCount *= naxes[i]!;
  }
  return {
    bitpix,
    naxes,
    bscale,
    bzero,
    blank,
    storedType: storedTypeOf(bitpix, bscale, bzero),
    autoOutput,
    planePixels,
    planeCount,
  };
}

/**
 * Which implementation decodes: 'auto' (WebAssembly SIMD when this realm has it, see simd.ts,
 * else JavaScript), 'js' (the JavaScript paths below: the fallback and the test oracle) or 'simd'
 * (throws when unavailable; for tests and benchmarks).
 */
export type DecodeBackend = 'auto' | 'js' | 'simd';

/** Below this many pixels the JavaScript paths are used (no chunk set-up to amortise). */
const SIMD_MIN_PIXELS = 16;

/**
 * Decode `count` pixels starting at byte `offset` of `bytes` into a new array, or into `into`
 * (of the output's type, at least `count` long; its first `count` elements are written and it is
 * returned). `into` may alias the input only exactly (in-place decoding: same element width, its
 * element i on stored pixel i's bytes); file.ts checks that. The caller guarantees that
 * `offset + count * |BITPIX| / 8 <= bytes.length`; it is checked again here.
 */
export function decodePixels(
  bytes: Uint8Array,
  offset: number,
  count: number,
  layout: ImageLayout,
  output: ImageOutput = 'auto',
  backend: DecodeBackend = 'auto',
  into?: Float32Array | Float64Array,
): Float32Array | Float64Array {
  const width = Math.abs(layout.bitpix) / 8;
  const byteLength = count * width;
  if (!Number.isSafeInteger(byteLength) || offset < 0 || offset + byteLength > bytes.length) {
    throw new FitsError(
      'TRUNCATED',
      `image data needs ${byteLength} bytes at offset ${offset} but the input has ${bytes.length} bytes`,
    );
  }
  const kind = output === 'auto' ? layout.autoOutput : output;
  if (into !== undefined && (into.length < count || (into instanceof Float64Array) !== (kind === 'float64'))) {
    throw new FitsError('BAD_ARGUMENT', `the output array must be a ${kind === 'float64' ? 'Float64Array' : 'Float32Array'} of at least ${count} elements`);
  }
  // BITPIX 8 without scaling or BLANK: V8's TypedArray.set conversion is faster than the kernel
  const plainBytes = layout.bitpix === 8 && layout.bscale === 1 && layout.bzero === 0 && layout.blank === undefined;
  if (backend === 'simd' || (backend === 'auto' && count >= SIMD_MIN_PIXELS && !plainBytes)) {
    let simdOut: Float32Array | Float64Array | undefined;
    try {
      simdOut = decodeSimd(bytes, offset, count, layout.bitpix, kind === 'float64', layout.bscale, layout.bzero, layout.blank, into);
    } catch (e) {
      if (e instanceof RangeError) throw tooLarge(count, kind);
      throw e;
    }
    if (simdOut !== undefined) return simdOut;
    if (backend === 'simd') throw new Error(`the WebAssembly SIMD decoder is unavailable: ${simdStatus().reason}`);
  }
  let out: Float32Array | Float64Array;
  if (into !== undefined) out = into;
  else {
    try {
      out = kind === 'float32' ? new Float32Array(count) : new Float64Array(count);
    } catch {
      throw tooLarge(count, kind);
    }
  }
  if (plainBytes) {
    // V8's conversion copy straight from the input (no views to allocate: small tiles)
    out.set(bytes.subarray(offset, offset + count));
    return out;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, byteLength);
  const { bscale, bzero } = layout;
  const identity = bscale === 1 && bzero === 0;
  switch (layout.bitpix) {
    case -32:
      if (identity) decodeF32(dv, out, count);
      else decodeF32Scaled(dv, out, count, bscale, bzero);
      break;
    case -64:
      if (identity) decodeF64(dv, out, count);
      else decodeF64Scaled(dv, out, count, bscale, bzero);
      break;
    case 8:
      decodeU8(dv, out, count, bscale, bzero, layout.blank === undefined ? -1 : toSmallBlank(layout.blank));
      break;
    case 16:
      decodeI16(dv, out, count, bscale, bzero, layout.blank === undefined ? NaN : toSmallBlank(layout.blank));
      break;
    case 32:
      decodeI32(dv, out, count, bscale, bzero, layout.blank === undefined ? NaN : toSmallBlank(layout.blank));
      break;
    case 64:
      decodeI64(dv, out, count, bscale, bzero, layout.blank);
      break;
  }
  return out;
}

function tooLarge(count: number, kind: string): FitsError {
  return new FitsError('TOO_LARGE', `cannot allocate an array of ${count} pixels (${kind})`);
}

/** BLANK as a number for 8/16/32-bit comparisons (NaN never equals a stored value). */
function toSmallBlank(b: bigint): number {
  return b >= -2147483648n && b <= 4294967295n ? Number(b) : NaN;
}

function decodeF32(dv: DataView, out: Float32Array | Float64Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4);
}

function decodeF32Scaled(dv: DataView, out: Float32Array | Float64Array, n: number, bscale: number, bzero: number): void {
  for (let i = 0; i < n; i++) out[i] = bzero + bscale * dv.getFloat32(i * 4);
}

function decodeF64(dv: DataView, out: Float32Array | Float64Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8);
}

function decodeF64Scaled(dv: DataView, out: Float32Array | Float64Array, n: number, bscale: number, bzero: number): void {
  for (let i = 0; i < n; i++) out[i] = bzero + bscale * dv.getFloat64(i * 8);
}

/** Whether typed-array views read bytes little-endian (every current JavaScript host does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Pixels per chunk of the 16-bit path (a 32 kB Int16 scratch array, reused while it suffices). */
const CHUNK16 = 16384;
let scratch16: Int16Array | undefined;

/** out[i] = bzero + bscale * out[i] in place (out holds exact stored values). */
function scaleInPlace(out: Float32Array | Float64Array, from: number, to: number, bscale: number, bzero: number): void {
  for (let i = from; i < to; i++) out[i] = bzero + bscale * out[i]!;
}

function decodeU8(dv: DataView, out: Float32Array | Float64Array, n: number, bscale: number, bzero: number, blank: number): void {
  if (blank < 0) {
    out.set(new Uint8Array(dv.buffer, dv.byteOffset, n));
    if (bscale !== 1 || bzero !== 0) scaleInPlace(out, 0, n, bscale, bzero);
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = dv.getUint8(i);
    out[i] = v === blank ? NaN : bzero + bscale * v;
  }
}

function decodeI16(dv: DataView, out: Float32Array | Float64Array, n: number, bscale: number, bzero: number, blank: number): void {
  const identity = bscale === 1 && bzero === 0;
  if (blank !== blank) {
    if (LITTLE_ENDIAN && dv.byteOffset % 4 === 0) {
      if (identity) decodeI16Swapped(dv, out, n);
      else decodeI16PairsScaled(dv, out, n, bscale, bzero);
    } else if (identity) {
      for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2);
    } else {
      for (let i = 0; i < n; i++) out[i] = bzero + bscale * dv.getInt16(i * 2);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = dv.getInt16(i * 2);
    out[i] = v === blank ? NaN : bzero + bscale * v;
  }
}

/**
 * Big-endian int16 -> bzero + bscale * stored, for a 4-byte aligned start on a little-endian
 * host: two pixels per 32-bit word, sign-extended with shifts, scaled in the same loop.
 */
function decodeI16PairsScaled(dv: DataView, out: Float32Array | Float64Array, n: number, bscale: number, bzero: number): void {
  const src32 = new Uint32Array(dv.buffer, dv.byteOffset, n >> 1);
  for (let w = 0, i = 0; i + 1 < n; w++, i += 2) {
    const v = src32[w]!;
    // bytes b0 b1 b2 b3 (b0 lowest): pixel i = b0 b1, pixel i + 1 = b2 b3 (big-endian)
    out[i] = bzero + bscale * (((v << 24) >> 16) | ((v >>> 8) & 0xff));
    out[i + 1] = bzero + bscale * ((((v << 8) >> 24) << 8) | (v >>> 24));
  }
  if (n & 1) out[n - 1] = bzero + bscale * dv.getInt16(2 * (n - 1));
}

/**
 * Big-endian int16 -> out, for a 4-byte aligned start on a little-endian host: each 32-bit word
 * (two pixels) has the bytes of each half swapped into an Int16 scratch chunk, which `set`
 * converts to the output type.
 */
function decodeI16Swapped(dv: DataView, out: Float32Array | Float64Array, n: number): void {
  const words = n >> 1;
  const chunk = Math.min(CHUNK16, words * 2);
  if (scratch16 === undefined || scratch16.length < chunk) scratch16 = new Int16Array(Math.max(chunk, 2));
  const tmp = scratch16;
  const tmp32 = new Uint32Array(tmp.buffer, 0, tmp.length >> 1);
  const src32 = new Uint32Array(dv.buffer, dv.byteOffset, words);
  for (let w0 = 0; w0 < words; w0 += CHUNK16 >> 1) {
    const w1 = Math.min(words, w0 + (CHUNK16 >> 1));
    for (let w = w0, k = 0; w < w1; w++, k++) {
      const v = src32[w]!;
      tmp32[k] = ((v & 0xff00ff00) >>> 8) | ((v & 0x00ff00ff) << 8);
    }
    out.set(tmp.subarray(0, 2 * (w1 - w0)), 2 * w0);
  }
  if (n & 1) out[n - 1] = dv.getInt16(2 * (n - 1));
}

function decodeI32(dv: DataView, out: Float32Array | Float64Array, n: number, bscale: number, bzero: number, blank: number): void {
  if (blank !== blank) {
    if (bscale === 1 && bzero === 0) {
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4);
    } else {
      for (let i = 0; i < n; i++) out[i] = bzero + bscale * dv.getInt32(i * 4);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = dv.getInt32(i * 4);
    out[i] = v === blank ? NaN : bzero + bscale * v;
  }
}

function decodeI64(dv: DataView, out: Float32Array | Float64Array, n: number, bscale: number, bzero: number, blank: bigint | undefined): void {
  // stored = hi * 2^32 + lo (hi signed, lo unsigned); hi * 2^32 is exact, the sum rounds once
  const hasBlank = blank !== undefined && blank >= -(2n ** 63n) && blank < 2n ** 63n;
  const bHi = hasBlank ? Number(BigInt.asIntN(32, blank! >> 32n)) : 0;
  const bLo = hasBlank ? Number(BigInt.asUintN(32, blank!)) : 0;
  const unsigned = bscale === 1 && bzero === TWO63;
  for (let i = 0; i < n; i++) {
    const hi = dv.getInt32(i * 8);
    const lo = dv.getUint32(i * 8 + 4);
    if (hasBlank && hi === bHi && lo === bLo) {
      out[i] = NaN;
    } else if (unsigned) {
      // stored + 2^63 == (hi with its sign bit flipped, as unsigned) * 2^32 + lo, exactly
      out[i] = ((hi ^ 0x80000000) >>> 0) * TWO32 + lo;
    } else {
      out[i] = bzero + bscale * (hi * TWO32 + lo);
    }
  }
}
