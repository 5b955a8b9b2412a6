/**
 * The WebAssembly SIMD path of FITS image decoding: big-endian stored pixels -> native physical
 * values (BZERO + BSCALE * stored, BLANK -> NaN, unsigned conventions), for image.ts.
 *
 * The kernels (simd.wat, compiled by scripts/gen-fits-simd.mjs into simdModule.ts) swap bytes with
 * i8x16.shuffle and convert/scale with f32x4/f64x2 instructions; they compute exactly what the
 * JavaScript paths of image.ts compute (bit-identical results; NaN inputs stay NaN, their payload
 * bits are not promised). The JavaScript paths stay as the fallback and as the test oracle.
 *
 * State machine, per realm (worker, page or Node process), entered on first use:
 *   'untried' -> 'ready'        the module validated (SIMD supported) and instantiated
 *   'untried' -> 'unavailable'  no WebAssembly, no SIMD (WebAssembly.validate is false), a
 *                               big-endian host, or synchronous compilation refused (e.g. a
 *                               browser's main thread limit); `simdStatus().reason` says which
 *   any -> 'unavailable' / 'untried'  setSimdEnabled(false / true) (tests, benchmarks)
 * One WebAssembly memory per realm: [0, 64 KiB) the dither sequence, then image data copied in by
 * chunks of CHUNK_BYTES, converted, and copied out into the result, so any image size decodes in
 * the same ~0.7 MB. A Rice tile (riceTileSimd: compressed bytes in, int32 pixels, then float64
 * physical values) grows it as the tile needs, up to MAX_MEMORY_BYTES; a larger tile is left to
 * the JavaScript decoder.
 */

import { FITS_SIMD_WASM_BASE64 } from './simdModule.js';

export type SimdState = 'untried' | 'ready' | 'unavailable';

type Kernel = (src: number, dst: number, nvec: number, bscale: number, bzero: number, blank: bigint) => void;

/** Input bytes per kernel call; output needs up to 8x (BITPIX 8 -> float64). */
const CHUNK_BYTES = 65536;
/** [0, 64 KiB): the dither sequence of quantized tile-compressed images (10000 float32). */
const RTAB = 0;
const SRC = 65536;
/** Input chunk plus 16 bytes of padding, rounded to 64 bytes. */
const DST = SRC + CHUNK_BYTES + 64;
const FIXED_BYTES = DST + 8 * CHUNK_BYTES + 64;
const PAGE = 65536;
const TWO63 = 9223372036854775808;

type RiceKernel = (src: number, len: number, dst: number, n: number, blocksize: number, bytepix: number) => number;
type DequantizeKernel = (src: number, dst: number, n: number, rtab: number, iseed: number, mode: number, scale: number, zero: number, nullv: number, hasNull: number) => void;

interface Simd {
  kernels: Map<string, Kernel>;
  /** kernels by kernelFor's numeric key */
  byKey: Map<number, Kernel>;
  rice: RiceKernel;
  dequantize: DequantizeKernel;
  /** The dither sequence now at RTAB (uploaded on first use). */
  rtab: Float32Array | undefined;
  memory: WasmMemory;
  /** Views on the memory, renewed when it grows. */
  u8: Uint8Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
}

/** The memory grows for large Rice tiles up to this size; larger tiles use the JavaScript decoder. */
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;

/**
 * The part of the WebAssembly JS API used here, declared locally: the server build's TypeScript
 * libraries (ES2022 + node) do not declare the WebAssembly namespace.
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

let state: SimdState = 'untried';
let reason = '';
let simd: Simd | undefined;

function load(): void {
  try {
    const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    if (!little) throw new Error('big-endian host (the kernels write little-endian values)');
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (typeof wasm !== 'object') throw new Error('no WebAssembly');
    const bin = atob(FITS_SIMD_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    if (!wasm.validate(bytes)) throw new Error('WebAssembly SIMD is not supported (the module does not validate)');
    const instance = new wasm.Instance(new wasm.Module(bytes), {});
    const memory = instance.exports.memory as WasmMemory;
    const need = Math.ceil(FIXED_BYTES / PAGE) - memory.buffer.byteLength / PAGE;
    if (need > 0) memory.grow(need);
    const kernels = new Map<string, Kernel>();
    for (const [name, fn] of Object.entries(instance.exports)) if (typeof fn === 'function' && name !== 'rice' && name !== 'dequantize') kernels.set(name, fn as Kernel);
    const b = memory.buffer;
    simd = { kernels, byKey: new Map(), rice: instance.exports.rice as RiceKernel, dequantize: instance.exports.dequantize as DequantizeKernel, rtab: undefined, memory, u8: new Uint8Array(b), i32: new Int32Array(b), f32: new Float32Array(b), f64: new Float64Array(b) };
    state = 'ready';
  } catch (e) {
    state = 'unavailable';
    reason = e instanceof Error ? e.message : String(e);
  }
}

/**
 * Switch the WebAssembly paths off (false: every decoder takes its JavaScript path, state
 * 'unavailable') or back on (true: 'ready' again when the module loads). For tests and benchmarks
 * that compare the two paths.
 */
export function setSimdEnabled(enabled: boolean): void {
  simd = undefined;
  if (enabled) {
    state = 'untried';
    reason = '';
  } else {
    state = 'unavailable';
    reason = 'switched off by setSimdEnabled(false)';
  }
}

/** Whether the SIMD path is used in this realm, and why not. Loads the module on first call. */
export function simdStatus(): { state: SimdState; reason: string } {
  if (state === 'untried') load();
  return { state, reason };
}

/** Kernel name (see scripts/gen-fits-simd.mjs): b<bitpix>_<out>[_s|_u][_b]. */
function kernelName(bitpix: number, out: 'f32' | 'f64', mode: 'none' | 'scaled' | 'unsigned', blank: boolean): string {
  return `b${bitpix < 0 ? 'm' : ''}${Math.abs(bitpix)}_${out}${mode === 'scaled' ? '_s' : mode === 'unsigned' ? '_u' : ''}${blank ? '_b' : ''}`;
}

/** The kernel for a case, looked up by a small integer key (no string building per call). */
function kernelFor(m: Simd, bitpix: number, f64out: boolean, mode: 0 | 1 | 2, blank: boolean): Kernel {
  const key = (bitpix + 64) * 16 + (f64out ? 8 : 0) + mode * 2 + (blank ? 1 : 0);
  let k = m.byKey.get(key);
  if (k === undefined) {
    k = m.kernels.get(kernelName(bitpix, f64out ? 'f64' : 'f32', mode === 0 ? 'none' : mode === 1 ? 'scaled' : 'unsigned', blank))!;
    m.byKey.set(key, k);
  }
  return k;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** BLANK as the kernels compare it (within the stored values' range), or undefined when it can never match. */
function blankFor(bitpix: number, blank: bigint | undefined): bigint | undefined {
  if (blank === undefined || bitpix < 0) return undefined;
  const inRange =
    bitpix === 8
      ? blank >= 0n && blank <= 255n
      : bitpix === 16
        ? blank >= -32768n && blank <= 32767n
        : bitpix === 32
          ? blank >= -2147483648n && blank <= 2147483647n
          : blank >= INT64_MIN && blank <= INT64_MAX;
  return inRange ? blank : undefined;
}

/**
 * Decode `count` big-endian pixels of `bitpix` at `bytes[offset..]` into a new Float64Array
 * (`f64out`) or Float32Array, or into `into` (at least `count` long, of the `f64out` type);
 * undefined when the SIMD path is unavailable. The caller has checked the bounds; an allocation
 * failure throws the engine's RangeError. Results equal image.ts's JavaScript paths bit for bit
 * (NaN payloads aside).
 *
 * `into` may be the input bytes themselves (in-place decoding) when each output element occupies
 * exactly its stored pixel's bytes (same width, same start): every chunk is copied into
 * WebAssembly memory before its output is written back over it.
 */
export function decodeSimd(
  bytes: Uint8Array,
  offset: number,
  count: number,
  bitpix: number,
  f64out: boolean,
  bscale: number,
  bzero: number,
  blank: bigint | undefined,
  into?: Float32Array | Float64Array,
): Float32Array | Float64Array | undefined {
  if (state === 'untried') load();
  if (simd === undefined) return undefined;
  const mode = bscale === 1 && bzero === 0 ? 0 : bitpix === 64 && bscale === 1 && bzero === TWO63 ? 2 : 1;
  const b = blankFor(bitpix, blank);
  const kernel = kernelFor(simd, bitpix, f64out, mode, b !== undefined);
  const blankArg = b === undefined ? 0n : b;
  const width = Math.abs(bitpix) >> 3;
  const perChunk = CHUNK_BYTES / width;
  const { u8 } = simd;
  const view = f64out ? simd.f64 : simd.f32;
  const dstIndex = DST / (f64out ? 8 : 4);
  if (count <= perChunk && into === undefined) {
    // one chunk: the result is a copy of the kernel's output (slice allocates without zero-filling)
    u8.set(bytes.subarray(offset, offset + count * width), SRC);
    kernel(SRC, DST, (count * width + 15) >>> 4, bscale, bzero, blankArg);
    return view.slice(dstIndex, dstIndex + count);
  }
  const out = into ?? (f64out ? new Float64Array(count) : new Float32Array(count));
  for (let done = 0; done < count; ) {
    const k = count - done < perChunk ? count - done : perChunk;
    const from = offset + done * width;
    const nbytes = k * width;
    u8.set(bytes.subarray(from, from + nbytes), SRC);
    // whole 16-byte vectors: the outputs past k (from stale padding bytes) are never read
    kernel(SRC, DST, (nbytes + 15) >>> 4, bscale, bzero, blankArg);
    out.set(view.subarray(dstIndex, dstIndex + k), done);
    done += k;
  }
  return out;
}

/** Make the memory at least `bytes` long (views renewed); false beyond MAX_MEMORY_BYTES. */
function ensureMemory(m: Simd, bytes: number): boolean {
  const have = m.memory.buffer.byteLength;
  if (bytes <= have) return true;
  if (bytes > MAX_MEMORY_BYTES) return false;
  m.memory.grow(Math.ceil((bytes - have) / PAGE));
  const b = m.memory.buffer;
  m.u8 = new Uint8Array(b);
  m.i32 = new Int32Array(b);
  m.f32 = new Float32Array(b);
  m.f64 = new Float64Array(b);
  return true;
}

/** Why a Rice stream was rejected: it ends early, or has a block code above the maximum (rice.ts's errors). */
export type RiceFailure = 'ended' | 'badcode';

/** How riceTileSimd turns a tile's integers into physical values (compressed.ts, step 2). */
export interface TileValues {
  /** 0: v * scale + zero; 1, 2: SUBTRACTIVE_DITHER_1 / _2 with the dither sequence from `iseed`. */
  mode: 0 | 1 | 2;
  iseed: number;
  scale: number;
  zero: number;
  /** ZBLANK: stored value that becomes NaN (undefined: none). */
  nullv: number | undefined;
  /** The dither sequence (compressed.ts ditherSequence(), 10000 values). */
  rtab: Float32Array;
}

/**
 * Rice-decompress one tile and compute its physical values, all in WebAssembly memory: the
 * float64 values (a view on that memory, valid until the next call into this module), a
 * RiceFailure (the caller throws rice.ts's error), or undefined when
 * the WebAssembly path is unavailable or the tile is too large for it. Same values as
 * rice.ts + compressed.ts in JavaScript.
 */
export function riceTileSimd(input: Uint8Array, n: number, blocksize: number, bytepix: 1 | 2 | 4, values: TileValues): Float64Array | RiceFailure | undefined {
  if (state === 'untried') load();
  const m = simd;
  if (m === undefined) return undefined;
  const ints = riceInMemory(m, input, n, blocksize, bytepix);
  if (typeof ints !== 'number') return ints;
  const dst = (ints + 4 * n + 64 + 15) & ~15;
  if (m.rtab !== values.rtab) {
    new Float32Array(m.memory.buffer, RTAB, values.rtab.length).set(values.rtab);
    m.rtab = values.rtab;
  }
  const { nullv } = values;
  const hasNull = nullv !== undefined && Number.isInteger(nullv) && nullv >= -2147483648 && nullv <= 2147483647;
  m.dequantize(ints, dst, n, RTAB, values.iseed, values.mode, values.scale, values.zero, hasNull ? nullv : 0, hasNull ? 1 : 0);
  return m.f64.subarray(dst >> 3, (dst >> 3) + n);
}

/**
 * Rice-decompress one tile with the WebAssembly kernel (the algorithm of rice.ts): 'ok' with
 * out[0..n) written, a RiceFailure (the caller throws rice.ts's error), or undefined when the
 * WebAssembly path is unavailable or the tile too large for it.
 */
export function riceDecompressSimd(input: Uint8Array, out: Int32Array, n: number, blocksize: number, bytepix: 1 | 2 | 4): 'ok' | RiceFailure | undefined {
  if (state === 'untried') load();
  const m = simd;
  if (m === undefined) return undefined;
  const ints = riceInMemory(m, input, n, blocksize, bytepix);
  if (typeof ints !== 'number') return ints;
  out.set(m.i32.subarray(ints >> 2, (ints >> 2) + n));
  return 'ok';
}

/**
 * Run the Rice kernel: the input at SRC, the n int32 after it (16-byte aligned, room for the
 * float64 values after them). Returns the ints' byte offset, a RiceFailure, or undefined (too large).
 */
function riceInMemory(m: Simd, input: Uint8Array, n: number, blocksize: number, bytepix: 1 | 2 | 4): number | RiceFailure | undefined {
  // the kernel may read past the input's end before it notices (at most a block of 4-byte pixels
  // and a few bytes); that lands in the ints area, or the 64-byte gap
  const ints = (SRC + input.length + 64 + 15) & ~15;
  if (!ensureMemory(m, ints + 4 * n + 80 + 8 * n + 64)) return undefined;
  m.u8.set(input, SRC);
  let status: number;
  try {
    status = m.rice(SRC, input.length, ints, n, blocksize, bytepix);
  } catch {
    // a trap (an out-of-bounds read can only come from a stream that ends early)
    return 'ended';
  }
  return status === 0 ? ints : status === 2 ? 'badcode' : 'ended';
}
