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
 * the same ~0.7 MB. RICE_1 tiles are decoded in batches (RiceBatch: compressed bytes in, physical
 * values in the output type out, many tiles per call, ~1 MB plus the largest tile); the memory
 * grows as a tile needs, up to MAX_MEMORY_BYTES, and a larger tile is left to the JavaScript
 * decoder.
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
type RiceTilesKernel = (tab: number, ntiles: number, ints: number, rev: number, rtab: number, blocksize: number, bytepix: number, mode: number, kind: number) => number;

interface Simd {
  kernels: Map<string, Kernel>;
  /** kernels by kernelFor's numeric key */
  byKey: Map<number, Kernel>;
  rice: RiceKernel;
  riceTiles: RiceTilesKernel;
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
    for (const [name, fn] of Object.entries(instance.exports)) if (typeof fn === 'function' && name !== 'rice' && name !== 'rice_tiles') kernels.set(name, fn as Kernel);
    const b = memory.buffer;
    simd = { kernels, byKey: new Map(), rice: instance.exports.rice as RiceKernel, riceTiles: instance.exports.rice_tiles as RiceTilesKernel, rtab: undefined, memory, u8: new Uint8Array(b), i32: new Int32Array(b), f32: new Float32Array(b), f64: new Float64Array(b) };
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

/** What a batch of RICE_1 tiles decodes to (compressed.ts's step 2, done in WebAssembly). */
export interface RiceJob {
  blocksize: number;
  bytepix: 1 | 2 | 4;
  /** 0: v * scale + zero; 1, 2: SUBTRACTIVE_DITHER_1 / _2. */
  mode: 0 | 1 | 2;
  /** Output: 0 float32, 1 float64, 2 float64 rounded to float32 (ZBITPIX -32 read as float64). */
  kind: 0 | 1 | 2;
  /** Pixels of the largest tile. */
  maxTile: number;
  /** The dither sequence (compressed.ts ditherSequence(), 10000 values). */
  rtab: Float32Array;
}

/** Tiles of one rice_tiles call at most (the table fills [TAB, TAB + 48 KiB)). */
const BATCH_TILES = 1024;
/** A batch is run once its output or its compressed bytes reach this size (L2-sized: copied out while warm). */
const BATCH_BYTES = 512 * 1024;
/** The limits in use (setRiceBatchLimits). */
let batchTiles = BATCH_TILES;
let batchBytes = BATCH_BYTES;

/**
 * Run RICE_1 batches after fewer tiles / bytes than the defaults (at most those), or restore the
 * defaults (no arguments). For tests: small batches put batch boundaries between any two tiles.
 */
export function setRiceBatchLimits(tiles = BATCH_TILES, bytes = BATCH_BYTES): void {
  batchTiles = Math.max(1, Math.min(BATCH_TILES, Math.floor(tiles)));
  batchBytes = Math.max(1, Math.min(BATCH_BYTES, Math.floor(bytes)));
}
const TAB = 65536;
/** Kept in sync with scripts/gen-fits-simd.mjs (RICE_TILE_AT, RICE_ENTRY_BYTES). */
const RICE_TILE_AT = 40960;
const ENTRY = 48;

/**
 * A batch of RICE_1 tiles decoded by one WebAssembly call (rice_tiles): Rice decompression and
 * the physical values in the output type, tile after tile, into WebAssembly memory, from where
 * the caller copies them into the image. Memory: [TAB) the tile table, then scratch integers for
 * the largest tile, the output (BATCH_BYTES plus one tile), then the compressed bytes (grown as
 * tiles are added). States: filling (add) -> run -> filling again (run empties it). One owner (a
 * decompressImage call); nothing to free (the realm's memory stays for the next image).
 */
export class RiceBatch {
  /** Tiles added since the last run. */
  count = 0;
  private outBytes = 0;
  private inBytes = 0;
  /** The longest compressed tile of the batch (its reversed copy's scratch, after the input). */
  private maxLen = 0;
  private readonly width: number;
  private readonly ints: number;
  private readonly dst: number;
  private readonly src: number;

  constructor(
    private readonly m: Simd,
    private readonly job: RiceJob,
  ) {
    this.width = job.kind === 0 ? 4 : 8;
    this.ints = TAB + BATCH_TILES * ENTRY;
    this.dst = (this.ints + 4 * job.maxTile + 64 + 15) & ~15;
    this.src = (this.dst + BATCH_BYTES + this.width * job.maxTile + 64 + 15) & ~15;
  }

  /** Grow the memory for the scratch and output areas; false beyond MAX_MEMORY_BYTES. */
  reserve(): boolean {
    return ensureMemory(this.m, this.src + 64);
  }

  /** Whether the batch should be run before another tile is added. */
  get full(): boolean {
    return this.count >= batchTiles || this.outBytes >= batchBytes || this.inBytes >= batchBytes;
  }

  /**
   * Add a tile: its compressed bytes (copied now), pixel count, dither start, scaling and null
   * value. False when WebAssembly memory cannot grow to hold it (MAX_MEMORY_BYTES): the batch is
   * unchanged and the caller decodes that tile in JavaScript.
   */
  add(data: Uint8Array, n: number, iseed: number, scale: number, zero: number, nullv: number | undefined): boolean {
    const m = this.m;
    const at = this.src + this.inBytes;
    // 64 bytes after the stream (the kernel reads up to 48 past it), then the reversed copy of the
    // longest stream (run())
    if (!ensureMemory(m, at + data.length + 160 + Math.max(this.maxLen, data.length))) return false;
    m.u8.set(data, at);
    const e = TAB + this.count * ENTRY;
    const i32 = m.i32;
    i32[e >> 2] = at;
    i32[(e >> 2) + 1] = data.length;
    i32[(e >> 2) + 2] = this.dst + this.outBytes;
    i32[(e >> 2) + 3] = n;
    i32[(e >> 2) + 4] = iseed;
    const hasNull = nullv !== undefined && Number.isInteger(nullv) && nullv >= -2147483648 && nullv <= 2147483647;
    i32[(e >> 2) + 5] = hasNull ? nullv : 0;
    i32[(e >> 2) + 6] = hasNull ? 1 : 0;
    m.f64[(e >> 3) + 4] = scale;
    m.f64[(e >> 3) + 5] = zero;
    this.inBytes += (data.length + 7) & ~7;
    if (data.length > this.maxLen) this.maxLen = data.length;
    this.outBytes += n * this.width;
    this.count++;
    return true;
  }

  /**
   * Decode the tiles added since the last run: their values back to back (a view on WebAssembly
   * memory, valid until the next call into this module), or the first bad tile (its index in
   * the batch) and why. Empties the batch.
   */
  run(): Float32Array | Float64Array | { index: number; failure: RiceFailure } {
    const { m, job, count } = this;
    const values = this.outBytes / this.width;
    const rev = (this.src + this.inBytes + 64 + 15) & ~15;
    const revBytes = this.maxLen + 64;
    this.count = 0;
    this.inBytes = 0;
    this.outBytes = 0;
    this.maxLen = 0;
    if (count === 0) return this.width === 4 ? m.f32.subarray(0, 0) : m.f64.subarray(0, 0);
    // the output has room for the conversion's whole-vector writes past the last tile (constructor)
    ensureMemory(m, rev + revBytes); // reserved by add() already
    if (m.rtab !== job.rtab) {
      new Float32Array(m.memory.buffer, RTAB, job.rtab.length).set(job.rtab);
      m.rtab = job.rtab;
    }
    let r: number;
    try {
      r = m.riceTiles(TAB, count, this.ints, rev, RTAB, job.blocksize, job.bytepix, job.mode, job.kind);
    } catch {
      // a trap: a read past memory, only from a stream that ends early (garbage read as bits)
      return { index: m.i32[RICE_TILE_AT >> 2]!, failure: 'ended' };
    }
    if (r !== 0) return { index: r >>> 2, failure: (r & 3) === 2 ? 'badcode' : 'ended' };
    return this.width === 4 ? m.f32.subarray(this.dst >> 2, (this.dst >> 2) + values) : m.f64.subarray(this.dst >> 3, (this.dst >> 3) + values);
  }
}

/**
 * A RiceBatch for an image's RICE_1 tiles, or undefined when the WebAssembly path is unavailable
 * or its largest tile would not fit in MAX_MEMORY_BYTES (then rice.ts decodes in JavaScript).
 */
export function riceBatchSimd(job: RiceJob): RiceBatch | undefined {
  if (state === 'untried') load();
  const m = simd;
  if (m === undefined) return undefined;
  const batch = new RiceBatch(m, job);
  return batch.reserve() ? batch : undefined;
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
 * Run the Rice kernel: the input at SRC, the n int32 after it (16-byte aligned). Returns the ints' byte offset, a RiceFailure, or undefined (too large).
 */
function riceInMemory(m: Simd, input: Uint8Array, n: number, blocksize: number, bytepix: 1 | 2 | 4): number | RiceFailure | undefined {
  // the kernel reads up to 48 bytes past the input's end (the 64-byte gap)
  const ints = (SRC + input.length + 64 + 15) & ~15;
  if (!ensureMemory(m, ints + 4 * n + input.length + 128)) return undefined; // the pixels, then the reversed stream
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
