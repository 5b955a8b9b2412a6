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
 * One fixed WebAssembly memory per realm, allocated once (FIXED_PAGES x 64 KiB, bounded): input
 * is copied in by chunks of CHUNK_BYTES, converted, and copied out into the caller's array, so any
 * image size decodes in the same memory.
 */

import { FITS_SIMD_WASM_BASE64 } from './simdModule.js';

export type SimdState = 'untried' | 'ready' | 'unavailable';

type Kernel = (src: number, dst: number, nvec: number, bscale: number, bzero: number, blank: bigint) => void;

/** Input bytes per kernel call; output needs up to 8x (BITPIX 8 -> float64). */
const CHUNK_BYTES = 65536;
const SRC = 0;
/** Input chunk plus 16 bytes of padding, rounded to 64 bytes. */
const DST = CHUNK_BYTES + 64;
const FIXED_BYTES = DST + 8 * CHUNK_BYTES + 64;
const PAGE = 65536;
const TWO63 = 9223372036854775808;

interface Simd {
  kernels: Map<string, Kernel>;
  u8: Uint8Array;
  f32: Float32Array;
  f64: Float64Array;
}

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
    for (const [name, fn] of Object.entries(instance.exports)) if (typeof fn === 'function') kernels.set(name, fn as Kernel);
    simd = { kernels, u8: new Uint8Array(memory.buffer), f32: new Float32Array(memory.buffer), f64: new Float64Array(memory.buffer) };
    state = 'ready';
  } catch (e) {
    state = 'unavailable';
    reason = e instanceof Error ? e.message : String(e);
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

/** BLANK as the kernels compare it (the stored value's range), or undefined when it can never match. */
function blankFor(bitpix: number, blank: bigint | undefined): bigint | undefined {
  if (blank === undefined) return undefined;
  const [lo, hi] =
    bitpix === 8 ? [0n, 255n] : bitpix === 16 ? [-32768n, 32767n] : bitpix === 32 ? [-2147483648n, 2147483647n] : bitpix === 64 ? [-(2n ** 63n), 2n ** 63n - 1n] : [1n, 0n];
  return blank >= lo && blank <= hi ? blank : undefined;
}

/**
 * Decode `count` big-endian pixels of `bitpix` at `bytes[offset..]` into `out[0..count)`.
 * Returns false (and writes nothing) when the SIMD path is unavailable; the caller has checked the
 * bounds. Results equal image.ts's JavaScript paths bit for bit (NaN payloads aside).
 */
export function decodeSimd(
  bytes: Uint8Array,
  offset: number,
  count: number,
  bitpix: number,
  out: Float32Array | Float64Array,
  bscale: number,
  bzero: number,
  blank: bigint | undefined,
): boolean {
  if (state === 'untried') load();
  if (simd === undefined) return false;
  const f64out = out instanceof Float64Array;
  const identity = bscale === 1 && bzero === 0;
  const mode = identity ? 'none' : bitpix === 64 && bscale === 1 && bzero === TWO63 ? 'unsigned' : 'scaled';
  const b = bitpix > 0 ? blankFor(bitpix, blank) : undefined;
  const kernel = simd.kernels.get(kernelName(bitpix, f64out ? 'f64' : 'f32', mode, b !== undefined))!;
  const blankArg = b === undefined ? 0n : b;
  const width = Math.abs(bitpix) >> 3;
  const perChunk = CHUNK_BYTES / width;
  const { u8 } = simd;
  const view = f64out ? simd.f64 : simd.f32;
  const dstIndex = DST / (f64out ? 8 : 4);
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
  return true;
}
