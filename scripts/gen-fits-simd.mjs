// Generates the WebAssembly SIMD kernels of the FITS image decoder (src/workers/fits/simd.ts):
// writes the readable WAT (src/workers/fits/simd.wat) and the compiled module as base64 in a small
// TypeScript module (src/workers/fits/simdModule.ts), so nothing compiles WebAssembly at run time.
// Compiled with wabt (the WebAssembly Binary Toolkit's wat2wasm, built to JS; devDependency).
//
//   node scripts/gen-fits-simd.mjs          (rewrites both files)
//   node scripts/gen-fits-simd.mjs --check  (exit 1 when the committed files are stale)
//
// One kernel per (BITPIX, output type, scaling mode, BLANK): each converts `nvec` 16-byte vectors of
// big-endian stored values at `src` into native little-endian physical values at `dst`
//   physical = BZERO + BSCALE * stored   (float64 arithmetic, rounded once to the output type)
//   stored == BLANK -> NaN                (integer BITPIX only, compared with the stored value)
// exactly as the JavaScript paths of image.ts compute them (WebAssembly arithmetic is IEEE 754
// round-to-nearest with no fused multiply-add, like JavaScript), so the results are bit-identical
// except for the payload bits of NaN inputs. Kernels write whole vectors: the caller pads the
// input to 16 bytes and reads back only its pixels.
import { Buffer } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WAT_PATH = `${ROOT}src/workers/fits/simd.wat`;
const TS_PATH = `${ROOT}src/workers/fits/simdModule.ts`;

const SWAP16 = '1 0 3 2 5 4 7 6 9 8 11 10 13 12 15 14';
const SWAP32 = '3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12';
const SWAP64 = '7 6 5 4 3 2 1 0 15 14 13 12 11 10 9 8';
/** The two 64-bit pixels' high / low 32-bit halves (big-endian) into lanes 0 and 1. */
const HI64 = '3 2 1 0 11 10 9 8 3 2 1 0 11 10 9 8';
const LO64 = '7 6 5 4 15 14 13 12 7 6 5 4 15 14 13 12';
/** Lanes 2 and 3 (bytes 8..15) moved to lanes 0 and 1. */
const HIGH_HALF = '8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15';
/** Low 8 bytes of the first vector, then low 8 bytes of the second. */
const JOIN_LOW = '0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23';

/** Kernel name: b<bitpix>_<out>[_s|_u][_b] (m for a negative BITPIX). */
export function kernelName(bitpix, out, mode, blank) {
  return `b${bitpix < 0 ? 'm' : ''}${Math.abs(bitpix)}_${out}${mode === 'scaled' ? '_s' : mode === 'unsigned' ? '_u' : ''}${blank ? '_b' : ''}`;
}

/** Bytes written per 16-byte input vector. */
function outStep(bitpix, out) {
  const pixels = 16 / (Math.abs(bitpix) / 8);
  return pixels * (out === 'f32' ? 4 : 8);
}

// ---- WAT fragments (each returns instructions; `$o` is the running output offset) ----

const mulAdd = (x) => `(f64x2.add (local.get $vzero) (f64x2.mul (local.get $vscale) ${x}))`;

/** Emit one i32x4 of stored integers held in local $s. */
function emitI32(out, mode, blank) {
  const lines = [];
  const mask = '(local.get $m)';
  if (blank) lines.push('(local.set $m (i32x4.eq (local.get $s) (local.get $vblank)))');
  if (out === 'f32' && mode === 'none') {
    lines.push('(local.set $r (f32x4.convert_i32x4_s (local.get $s)))');
    if (blank) lines.push(`(local.set $r (v128.bitselect (local.get $nan32) (local.get $r) ${mask}))`);
    lines.push('(v128.store (local.get $o) (local.get $r))', '(local.set $o (i32.add (local.get $o) (i32.const 16)))');
    return lines;
  }
  const lo = '(f64x2.convert_low_i32x4_s (local.get $s))';
  const hi = `(f64x2.convert_low_i32x4_s (i8x16.shuffle ${HIGH_HALF} (local.get $s) (local.get $s)))`;
  lines.push(`(local.set $a ${mode === 'scaled' ? mulAdd(lo) : lo})`, `(local.set $c ${mode === 'scaled' ? mulAdd(hi) : hi})`);
  if (out === 'f32') {
    lines.push(`(local.set $r (i8x16.shuffle ${JOIN_LOW} (f32x4.demote_f64x2_zero (local.get $a)) (f32x4.demote_f64x2_zero (local.get $c))))`);
    if (blank) lines.push(`(local.set $r (v128.bitselect (local.get $nan32) (local.get $r) ${mask}))`);
    lines.push('(v128.store (local.get $o) (local.get $r))', '(local.set $o (i32.add (local.get $o) (i32.const 16)))');
  } else {
    if (blank) {
      lines.push(
        `(local.set $a (v128.bitselect (local.get $nan64) (local.get $a) (i64x2.extend_low_i32x4_s ${mask})))`,
        `(local.set $c (v128.bitselect (local.get $nan64) (local.get $c) (i64x2.extend_high_i32x4_s ${mask})))`,
      );
    }
    lines.push(
      '(v128.store (local.get $o) (local.get $a))',
      '(v128.store offset=16 (local.get $o) (local.get $c))',
      '(local.set $o (i32.add (local.get $o) (i32.const 32)))',
    );
  }
  return lines;
}

/** Body for one 16-byte input vector in local $v. */
function body(bitpix, out, mode, blank) {
  const L = [];
  switch (bitpix) {
    case 8:
      L.push('(local.set $w (i16x8.extend_low_i8x16_u (local.get $v)))');
      L.push('(local.set $s (i32x4.extend_low_i16x8_u (local.get $w)))', ...emitI32(out, mode, blank));
      L.push('(local.set $s (i32x4.extend_high_i16x8_u (local.get $w)))', ...emitI32(out, mode, blank));
      L.push('(local.set $w (i16x8.extend_high_i8x16_u (local.get $v)))');
      L.push('(local.set $s (i32x4.extend_low_i16x8_u (local.get $w)))', ...emitI32(out, mode, blank));
      L.push('(local.set $s (i32x4.extend_high_i16x8_u (local.get $w)))', ...emitI32(out, mode, blank));
      break;
    case 16:
      L.push(`(local.set $w (i8x16.shuffle ${SWAP16} (local.get $v) (local.get $v)))`);
      L.push('(local.set $s (i32x4.extend_low_i16x8_s (local.get $w)))', ...emitI32(out, mode, blank));
      L.push('(local.set $s (i32x4.extend_high_i16x8_s (local.get $w)))', ...emitI32(out, mode, blank));
      break;
    case 32:
      L.push(`(local.set $s (i8x16.shuffle ${SWAP32} (local.get $v) (local.get $v)))`, ...emitI32(out, mode, blank));
      break;
    case 64: {
      // stored = hi * 2^32 + lo (hi signed, lo unsigned): the product is exact, the sum rounds once;
      // unsigned (BZERO 2^63): hi with its sign bit flipped, as unsigned
      const hiV = `(i8x16.shuffle ${HI64} (local.get $v) (local.get $v))`;
      const hiF = mode === 'unsigned'
        ? `(f64x2.convert_low_i32x4_u (v128.xor ${hiV} (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))`
        : `(f64x2.convert_low_i32x4_s ${hiV})`;
      const loF = `(f64x2.convert_low_i32x4_u (i8x16.shuffle ${LO64} (local.get $v) (local.get $v)))`;
      L.push(`(local.set $a (f64x2.add (f64x2.mul ${hiF} (v128.const f64x2 4294967296 4294967296)) ${loF}))`);
      if (mode === 'scaled') L.push(`(local.set $a ${mulAdd('(local.get $a)')})`);
      if (blank) L.push(`(local.set $a (v128.bitselect (local.get $nan64) (local.get $a) (i64x2.eq (i8x16.shuffle ${SWAP64} (local.get $v) (local.get $v)) (local.get $vblank))))`);
      if (out === 'f64') L.push('(v128.store (local.get $o) (local.get $a))', '(local.set $o (i32.add (local.get $o) (i32.const 16)))');
      else L.push('(v128.store64_lane 0 (local.get $o) (f32x4.demote_f64x2_zero (local.get $a)))', '(local.set $o (i32.add (local.get $o) (i32.const 8)))');
      break;
    }
    case -32:
      L.push(`(local.set $r (i8x16.shuffle ${SWAP32} (local.get $v) (local.get $v)))`);
      if (out === 'f32' && mode === 'none') {
        L.push('(v128.store (local.get $o) (local.get $r))', '(local.set $o (i32.add (local.get $o) (i32.const 16)))');
        break;
      }
      L.push(
        `(local.set $a (f64x2.promote_low_f32x4 (local.get $r)))`,
        `(local.set $c (f64x2.promote_low_f32x4 (i8x16.shuffle ${HIGH_HALF} (local.get $r) (local.get $r))))`,
      );
      if (mode === 'scaled') L.push(`(local.set $a ${mulAdd('(local.get $a)')})`, `(local.set $c ${mulAdd('(local.get $c)')})`);
      if (out === 'f32') {
        L.push(
          `(v128.store (local.get $o) (i8x16.shuffle ${JOIN_LOW} (f32x4.demote_f64x2_zero (local.get $a)) (f32x4.demote_f64x2_zero (local.get $c))))`,
          '(local.set $o (i32.add (local.get $o) (i32.const 16)))',
        );
      } else {
        L.push('(v128.store (local.get $o) (local.get $a))', '(v128.store offset=16 (local.get $o) (local.get $c))', '(local.set $o (i32.add (local.get $o) (i32.const 32)))');
      }
      break;
    case -64:
      L.push(`(local.set $a (i8x16.shuffle ${SWAP64} (local.get $v) (local.get $v)))`);
      if (mode === 'scaled') L.push(`(local.set $a ${mulAdd('(local.get $a)')})`);
      if (out === 'f64') L.push('(v128.store (local.get $o) (local.get $a))', '(local.set $o (i32.add (local.get $o) (i32.const 16)))');
      else L.push('(v128.store64_lane 0 (local.get $o) (f32x4.demote_f64x2_zero (local.get $a)))', '(local.set $o (i32.add (local.get $o) (i32.const 8)))');
      break;
  }
  return L;
}

function kernel(bitpix, out, mode, blank) {
  const name = kernelName(bitpix, out, mode, blank);
  const blankInit = bitpix === 64 ? '(local.set $vblank (i64x2.splat (local.get $blank)))' : '(local.set $vblank (i32x4.splat (i32.wrap_i64 (local.get $blank))))';
  const step = outStep(bitpix, out);
  return `
  ;; BITPIX ${bitpix} -> ${out === 'f32' ? 'float32' : 'float64'}, ${mode === 'none' ? 'no scaling' : mode === 'scaled' ? 'BZERO + BSCALE * stored' : 'unsigned (BZERO 2^63)'}${blank ? ', BLANK -> NaN' : ''}; ${step} output bytes per input vector
  (func (export "${name}") (param $src i32) (param $dst i32) (param $nvec i32) (param $bscale f64) (param $bzero f64) (param $blank i64)
    (local $end i32) (local $o i32) (local $v v128) (local $w v128) (local $s v128) (local $r v128) (local $m v128)
    (local $a v128) (local $c v128) (local $vscale v128) (local $vzero v128) (local $vblank v128) (local $nan32 v128) (local $nan64 v128)
    (local.set $vscale (f64x2.splat (local.get $bscale)))
    (local.set $vzero (f64x2.splat (local.get $bzero)))
    ${blankInit}
    (local.set $nan32 (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000))
    (local.set $nan64 (v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000))
    (local.set $o (local.get $dst))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $nvec) (i32.const 4))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $v (v128.load (local.get $src)))
        ${body(bitpix, out, mode, blank).join('\n        ')}
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $next)))
  )`;
}

// ---- RICE_1 tiles (see src/workers/fits/rice.ts for the format, compressed.ts for the values) ----

/** Where rice_tiles writes the index of the tile it is decoding (read back after a trap). */
export const RICE_TILE_AT = 40960;
/** Bytes of one entry of rice_tiles's tile table. */
export const RICE_ENTRY_BYTES = 48;

/**
 * Branchless refill (F. Giesen's "variant 4"): OR the stream's next 8 bytes, shifted below the $cnt
 * bits already held, into the window $w; advance by the whole bytes that fitted; then $cnt >= 56.
 * Bits below $cnt are the stream's next bits too (loaded again by the next refill: OR is
 * idempotent). The stream was copied byte-reversed (rice_tiles), so its next 8 bytes, big-endian,
 * are one little-endian i64.load at $p, and $p moves down.
 */
const REFILL = `(local.set $w (i64.or (local.get $w) (i64.shr_u (i64.load (local.get $p)) (i64.extend_i32_u (local.get $cnt)))))
        (local.set $p (i32.sub (local.get $p) (i32.shr_u (i32.sub (i32.const 63) (local.get $cnt)) (i32.const 3))))
        (local.set $cnt (i32.or (local.get $cnt) (i32.const 56)))`;
/** Consume `k` bits (an i32 expression, k <= $cnt <= 63). */
const consume = (k) => `(local.set $w (i64.shl (local.get $w) (i64.extend_i32_u ${k})))
        (local.set $cnt (i32.sub (local.get $cnt) ${k}))`;
/**
 * More bits consumed than the stream holds (rice.ts's "ends before its pixels are decoded"):
 * (bytes loaded) * 8 - cnt > len * 8, i.e. (end - p) * 8 - cnt > 0 with $end the address of the
 * reversed copy that corresponds to the stream's end.
 */
const PAST = '(i32.gt_s (i32.sub (i32.shl (i32.sub (local.get $end) (local.get $p)) (i32.const 3)) (local.get $cnt)) (i32.const 0))';

/**
 * Rice decompression of one tile for one pixel size (bytepix 1, 2, 4; the algorithm of rice.ts):
 * `len` compressed bytes at `src` -> `n` int32 at `dst` (bytepix 1: 0..255; 2 and 4: signed).
 * Returns 0; 1 when the stream ends before the n pixels are decoded; 2 for a block code above the
 * maximum (FS > 25, bytepix 4 only).
 *
 * Bit reader: a 64-bit window $w with $cnt valid bits at its top, refilled before every code
 * without a branch (REFILL: one unaligned 8-byte load, byte-reversed by a shuffle), so at least 56
 * bits are at hand; the only loop-carried chain is count leading zeros -> shift. A pixel whose
 * unary run and fs low bits fit in 56 bits (nearly all) costs one i64.clz and two shifts, and the
 * next pixel is taken from the same window when it fits in the bits left (one refill per two
 * pixels); a longer run counts zeros window by window. Loads read up to 8 bytes past the stream
 * (the caller keeps memory after it; a bad stream may run further inside one block and then traps
 * or is rejected). The stream is too short exactly when more bits are consumed than it holds -
 * rice.ts's condition - checked after each block and in a long unary run.
 */
function riceFn(bp) {
  const fsBits = { 1: 3, 2: 4, 4: 5 }[bp];
  const fsMax = { 1: 6, 2: 14, 4: 25 }[bp];
  const bbits = 8 * bp;
  const first = bp === 1
    ? '(i32.load8_u (local.get $src))'
    : bp === 2
      ? '(i32.or (i32.shl (i32.load8_s (local.get $src)) (i32.const 8)) (i32.load8_u offset=1 (local.get $src)))'
      : '(i32.or (i32.or (i32.shl (i32.load8_u (local.get $src)) (i32.const 24)) (i32.shl (i32.load8_u offset=1 (local.get $src)) (i32.const 16))) (i32.or (i32.shl (i32.load8_u offset=2 (local.get $src)) (i32.const 8)) (i32.load8_u offset=3 (local.get $src))))';
  // zig-zag: d even -> d / 2, odd -> -(d + 1) / 2 (= (d >>> 1) ^ -(d & 1)); added with wrap-around in the pixel's width
  const sum = '(i32.add (local.get $last) (i32.xor (i32.shr_u (local.get $d) (i32.const 1)) (i32.sub (i32.const 0) (i32.and (local.get $d) (i32.const 1)))))';
  const wrapped = bp === 1 ? `(i32.and ${sum} (i32.const 255))` : bp === 2 ? `(i32.extend16_s ${sum})` : sum;
  const FAST_D = `(local.set $d (i32.add (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.extend_i32_u (i32.sub (i32.const 64) (local.get $k)))))
                      (i32.shl (i32.sub (local.get $lz) (i32.const 1)) (local.get $fs))))`;
  const addDiff = `(local.set $last ${wrapped})
        (i32.store (local.get $o) (local.get $last))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))`;
  return `
  ;; Rice decompression, bytepix ${bp}: FS code ${fsBits} bits, raw differences at FS = ${fsMax}
  (func $rice${bp} (param $src i32) (param $rev i32) (param $len i32) (param $dst i32) (param $n i32) (param $bs i32) (result i32)
    (local $p i32) (local $cnt i32) (local $end i32) (local $o i32) (local $oend i32) (local $omax i32)
    (local $fs i32) (local $last i32) (local $lz i32) (local $d i32) (local $nzero i32) (local $k i32) (local $c i32)
    (local $w i64)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (if (i32.lt_u (local.get $len) (i32.const ${bp})) (then (return (i32.const 1))))
    ;; the first value, big-endian${bp > 1 ? ', signed' : ''}
    (local.set $last ${first})
    ;; the reversed copy: stream offset q is loaded at $rev - q
    (local.set $p (i32.sub (local.get $rev) (i32.const ${bp})))
    (local.set $end (i32.sub (local.get $rev) (local.get $len)))
    (local.set $o (local.get $dst))
    (local.set $oend (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.ge_u (local.get $o) (local.get $oend)))
        ;; FS code (fs + 1)
        ${REFILL}
        (local.set $fs (i32.sub (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.const ${64 - fsBits}))) (i32.const 1)))
        ${consume(`(i32.const ${fsBits})`)}
        ${bp === 4 ? `;; FS above the maximum: not a valid stream, unless the code itself was read past the end
        (if (i32.gt_s (local.get $fs) (i32.const ${fsMax})) (then (if ${PAST} (then (return (i32.const 1)))) (return (i32.const 2))))` : ''}
        (local.set $omax (i32.add (local.get $o) (i32.shl (local.get $bs) (i32.const 2))))
        (if (i32.gt_u (local.get $omax) (local.get $oend)) (then (local.set $omax (local.get $oend))))
        (if (i32.lt_s (local.get $fs) (i32.const 0))
          (then
            ;; all differences zero
            (loop $zl
              (i32.store (local.get $o) (local.get $last))
              (local.set $o (i32.add (local.get $o) (i32.const 4)))
              (br_if $zl (i32.lt_u (local.get $o) (local.get $omax)))))
          (else (if (i32.eq (local.get $fs) (i32.const ${fsMax}))
            (then
              ;; raw differences of ${bbits} bits
              (loop $raw
                ${REFILL}
                (local.set $d (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.const ${64 - bbits}))))
                ${consume(`(i32.const ${bbits})`)}
                ${addDiff}
                (br_if $raw (i32.lt_u (local.get $o) (local.get $omax)))))
            (else
              ;; unary (d >> fs) then the fs low bits; within the 56 bits at hand when lz <= 55 - fs
              (local.set $c (i32.add (local.get $fs) (i32.const 1)))
              (loop $pix
                ${REFILL}
                (local.set $lz (i32.wrap_i64 (i64.clz (local.get $w))))
                (local.set $k (i32.add (local.get $lz) (local.get $c)))
                (if (i32.le_u (local.get $k) (i32.const 56))
                  (then
                    ;; the top k bits are lz zeros, a 1 and the fs low bits: (1 << fs) + low
                    ${FAST_D}
                    ${consume('(local.get $k)')}
                    ${addDiff}
                    ;; a second pixel from the same window when it fits in the bits left (no refill)
                    (if (i32.lt_u (local.get $o) (local.get $omax))
                      (then
                        (local.set $lz (i32.wrap_i64 (i64.clz (local.get $w))))
                        (local.set $k (i32.add (local.get $lz) (local.get $c)))
                        (if (i32.le_u (local.get $k) (local.get $cnt))
                          (then
                            ${FAST_D}
                            ${consume('(local.get $k)')}
                            ${addDiff})))))
                  (else
                    ;; a long run of zeros: count them window by window
                    (local.set $nzero (i32.const 0))
                    (block $found
                      (loop $zeros
                        (br_if $found (i32.lt_u (local.get $lz) (local.get $cnt)))
                        (local.set $nzero (i32.add (local.get $nzero) (local.get $cnt)))
                        (local.set $w (i64.const 0))
                        (local.set $cnt (i32.const 0))
                        ;; every bit of the stream consumed, and the run goes on: it ends early
                        (if (i32.le_s (local.get $p) (local.get $end)) (then (return (i32.const 1))))
                        ${REFILL}
                        (local.set $lz (i32.wrap_i64 (i64.clz (local.get $w))))
                        (br $zeros)))
                    (local.set $nzero (i32.add (local.get $nzero) (local.get $lz)))
                    ${consume('(i32.add (local.get $lz) (i32.const 1))')}
                    ${REFILL}
                    ;; the fs bits: shifted down by 63 - fs, then by 1 (fs = 0 gives 0)
                    (local.set $d (i32.or (i32.shl (local.get $nzero) (local.get $fs))
                      (i32.wrap_i64 (i64.shr_u (i64.shr_u (local.get $w) (i64.extend_i32_u (i32.sub (i32.const 63) (local.get $fs)))) (i64.const 1)))))
                    ${consume('(local.get $fs)')}
                    ${addDiff}))
                (br_if $pix (i32.lt_u (local.get $o) (local.get $omax))))))))
        ;; more bits consumed than the stream holds?
        (if ${PAST} (then (return (i32.const 1))))
        (br $blocks)))
    (i32.const 0)
  )`;
}

const KINDS = ['f32', 'f64', 'f64r'];
const MODES = ['linear', 'dither1', 'dither2'];

/**
 * Tile integers -> physical values in the output type (compressed.ts's step 2): `n` int32 at
 * `src` -> float32 (kind f32) or float64 (f64; f64r: rounded to float32 first, for ZBITPIX -32)
 * at `dst`. linear: v * scale + zero; dither1/dither2: SUBTRACTIVE_DITHER_1 / _2
 * ((v - R[next] + 0.5) * scale + zero; dither2: v = -2147483646 is 0.0) with the dither sequence
 * R (10000 float32 at `rtab`) from `iseed`, as the FITS tiled-image convention and CFITSIO walk
 * it; v = nullv -> NaN when hasNull. Float64 arithmetic rounded once to the output type, as in
 * JavaScript. Four pixels per step with f64x2 arithmetic (a dither step that would cross the end
 * of R goes pixel by pixel); writes up to 3 values past n (the caller leaves room).
 */
function convFn(kind, mode) {
  const f32 = kind === 'f32';
  const dither = mode !== 'linear';
  const lo = '(f64x2.convert_low_i32x4_s (local.get $s))';
  const hi = `(f64x2.convert_low_i32x4_s (i8x16.shuffle ${HIGH_HALF} (local.get $s) (local.get $s)))`;
  const affine = (x) => `(f64x2.add (f64x2.mul ${x} (local.get $vs)) (local.get $vz))`;
  const vec = (withNull) => [
    '(local.set $s (v128.load (local.get $src)))',
    ...(dither
      ? [
          '(local.set $rv (v128.load (i32.add (local.get $rtab) (i32.shl (local.get $next) (i32.const 2)))))',
          `(local.set $a ${affine(`(f64x2.add (f64x2.sub ${lo} (f64x2.promote_low_f32x4 (local.get $rv))) (local.get $half))`)})`,
          `(local.set $c ${affine(`(f64x2.add (f64x2.sub ${hi} (f64x2.promote_low_f32x4 (i8x16.shuffle ${HIGH_HALF} (local.get $rv) (local.get $rv)))) (local.get $half))`)})`,
          '(local.set $next (i32.add (local.get $next) (i32.const 4)))',
        ]
      : [`(local.set $a ${affine(lo)})`, `(local.set $c ${affine(hi)})`]),
    ...(mode === 'dither2'
      ? [
          '(local.set $m (i32x4.eq (local.get $s) (v128.const i32x4 -2147483646 -2147483646 -2147483646 -2147483646)))',
          '(local.set $a (v128.andnot (local.get $a) (i64x2.extend_low_i32x4_s (local.get $m))))',
          '(local.set $c (v128.andnot (local.get $c) (i64x2.extend_high_i32x4_s (local.get $m))))',
        ]
      : []),
    ...(withNull
      ? [
          '(local.set $m (i32x4.eq (local.get $s) (local.get $vnull)))',
          '(local.set $a (v128.bitselect (local.get $nan64) (local.get $a) (i64x2.extend_low_i32x4_s (local.get $m))))',
          '(local.set $c (v128.bitselect (local.get $nan64) (local.get $c) (i64x2.extend_high_i32x4_s (local.get $m))))',
        ]
      : []),
    ...(kind === 'f64r'
      ? ['(local.set $a (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (local.get $a))))', '(local.set $c (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (local.get $c))))']
      : []),
    ...(f32
      ? [`(v128.store (local.get $dst) (i8x16.shuffle ${JOIN_LOW} (f32x4.demote_f64x2_zero (local.get $a)) (f32x4.demote_f64x2_zero (local.get $c))))`, '(local.set $dst (i32.add (local.get $dst) (i32.const 16)))']
      : ['(v128.store (local.get $dst) (local.get $a))', '(v128.store offset=16 (local.get $dst) (local.get $c))', '(local.set $dst (i32.add (local.get $dst) (i32.const 32)))']),
    '(local.set $src (i32.add (local.get $src) (i32.const 16)))',
  ];
  const startOf = '(i32.trunc_f32_s (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $rtab) (i32.shl (local.get $iseed) (i32.const 2))))) (f64.const 500))))';
  const scalar = [
    // the end of R (reached here, by a step of 1 or of 4): the next seed's start
    `(if (i32.eq (local.get $next) (i32.const 10000))
              (then
                (local.set $iseed (i32.add (local.get $iseed) (i32.const 1)))
                (if (i32.eq (local.get $iseed) (i32.const 10000)) (then (local.set $iseed (i32.const 0))))
                (local.set $next ${startOf})))`,
    '(local.set $v (i32.load (local.get $src)))',
    '(local.set $x (f64.add (f64.mul (f64.add (f64.sub (f64.convert_i32_s (local.get $v)) (f64.promote_f32 (f32.load (i32.add (local.get $rtab) (i32.shl (local.get $next) (i32.const 2)))))) (f64.const 0.5)) (local.get $scale)) (local.get $zero)))',
    ...(mode === 'dither2' ? ['(if (i32.eq (local.get $v) (i32.const -2147483646)) (then (local.set $x (f64.const 0))))'] : []),
    '(if (i32.and (local.get $hasNull) (i32.eq (local.get $v) (local.get $nullv))) (then (local.set $x (f64.const nan))))',
    ...(kind === 'f64r' ? ['(local.set $x (f64.promote_f32 (f32.demote_f64 (local.get $x))))'] : []),
    ...(f32
      ? ['(f32.store (local.get $dst) (f32.demote_f64 (local.get $x)))', '(local.set $dst (i32.add (local.get $dst) (i32.const 4)))']
      : ['(f64.store (local.get $dst) (local.get $x))', '(local.set $dst (i32.add (local.get $dst) (i32.const 8)))']),
    '(local.set $src (i32.add (local.get $src) (i32.const 4)))',
    '(local.set $next (i32.add (local.get $next) (i32.const 1)))',
  ];
  // unscaled integers (scale 1, zero 0: v * 1 + 0 is v) straight to the output type, one rounding
  // as through float64; not for f64r (rounding to float32 matters above 2^24)
  const directBody = f32
    ? [
        '(local.set $s (v128.load (local.get $src)))',
        '(local.set $a (f32x4.convert_i32x4_s (local.get $s)))',
        '(v128.store (local.get $dst) (v128.bitselect (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000) (local.get $a) (v128.and (i32x4.eq (local.get $s) (local.get $vnull)) (local.get $vhas))))',
        '(local.set $dst (i32.add (local.get $dst) (i32.const 16)))',
      ]
    : [
        '(local.set $s (v128.load (local.get $src)))',
        '(local.set $m (v128.and (i32x4.eq (local.get $s) (local.get $vnull)) (local.get $vhas)))',
        '(v128.store (local.get $dst) (v128.bitselect (local.get $nan64) (f64x2.convert_low_i32x4_s (local.get $s)) (i64x2.extend_low_i32x4_s (local.get $m))))',
        `(v128.store offset=16 (local.get $dst) (v128.bitselect (local.get $nan64) (f64x2.convert_low_i32x4_s (i8x16.shuffle ${HIGH_HALF} (local.get $s) (local.get $s))) (i64x2.extend_high_i32x4_s (local.get $m))))`,
        '(local.set $dst (i32.add (local.get $dst) (i32.const 32)))',
      ];
  const direct = mode === 'linear' && kind !== 'f64r'
    ? `(if (i32.and (f64.eq (local.get $scale) (f64.const 1)) (f64.eq (local.get $zero) (f64.const 0)))
      (then
        (block $done
          (loop $each
            (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
            ${directBody.join('\n            ')}
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (br $each)))
        (return)))`
    : '';
  const step = (withNull) => (dither
    ? `(if (i32.le_u (i32.add (local.get $next) (i32.const 4)) (i32.const 10000))
          (then
            ${vec(withNull).join('\n            ')})
          (else
            ${scalar.join('\n            ')}))`
    : vec(withNull).join('\n        '));
  // the pixel loop, without the null mask when no value can be null (the common case)
  const loop = (withNull) => `(block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        ${step(withNull)}
        (br $each)))`;
  return `
  ;; tile integers -> ${f32 ? 'float32' : kind === 'f64' ? 'float64' : 'float64 rounded to float32'}, ${mode}
  (func $conv_${kind}_${mode} (param $src i32) (param $dst i32) (param $n i32) (param $scale f64) (param $zero f64) (param $nullv i32) (param $hasNull i32) (param $rtab i32) (param $iseed i32)
    (local $end i32) (local $next i32) (local $v i32) (local $x f64)
    (local $s v128) (local $rv v128) (local $a v128) (local $c v128) (local $m v128)
    (local $vs v128) (local $vz v128) (local $vnull v128) (local $vhas v128) (local $half v128) (local $nan64 v128)
    (local.set $vs (f64x2.splat (local.get $scale)))
    (local.set $vz (f64x2.splat (local.get $zero)))
    (local.set $vnull (i32x4.splat (local.get $nullv)))
    (local.set $vhas (i32x4.splat (i32.sub (i32.const 0) (local.get $hasNull))))
    (local.set $half (f64x2.splat (f64.const 0.5)))
    (local.set $nan64 (v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000))
    ${dither ? `(local.set $next ${startOf})` : ''}
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    ${direct}
    (if (local.get $hasNull)
      (then ${loop(true)})
      (else ${loop(false)}))
  )`;
}

/**
 * rice_tiles: decode `ntiles` RICE_1 tiles in one call. Entry t of the table at `tab`
 * (RICE_ENTRY_BYTES each, little-endian): i32 src, i32 len (compressed bytes), i32 dst (output
 * address), i32 n (pixels), i32 iseed, i32 nullv, i32 hasNull, i32 unused, f64 scale, f64 zero.
 * Each tile is copied byte-reversed to `rev` (scratch for the longest stream + 64 bytes), Rice-decoded
 * into `ints` (scratch for the largest tile, + 16 bytes), then
 * converted (`kind` 0 f32, 1 f64, 2 f64 rounded to float32; `mode` 0 linear, 1 and 2
 * SUBTRACTIVE_DITHER_1 / _2) into its dst. Returns 0, or t * 4 + the Rice status (1: the stream
 * ends early, 2: bad block code) for the first bad tile t. The tile being decoded is written at
 * RICE_TILE_AT first (a trap - a read past memory, only from a bad stream - leaves it there).
 */
function riceTilesFn() {
  const convCalls = [];
  KINDS.forEach((kind, k) =>
    MODES.forEach((mode, m) =>
      convCalls.push(`(if (i32.eq (local.get $which) (i32.const ${k * 3 + m}))
            (then (call $conv_${kind}_${mode} (local.get $ints) (i32.load offset=8 (local.get $e)) (i32.load offset=12 (local.get $e))
              (f64.load offset=32 (local.get $e)) (f64.load offset=40 (local.get $e)) (i32.load offset=20 (local.get $e)) (i32.load offset=24 (local.get $e))
              (local.get $rtab) (i32.load offset=16 (local.get $e)))))`)));
  return `
  ;; the stream byte-reversed into [base, base + S), S = len + 32 rounded up to 16: byte t at
  ;; base + S - 1 - t, so the big-endian 8 bytes at stream offset q are an i64.load at base + S - 8 - q
  ;; (returned: the load address of offset 0); reads up to S - len bytes past the stream
  (func $reverse (param $src i32) (param $len i32) (param $base i32) (result i32)
    (local $size i32) (local $i i32)
    (local.set $size (i32.and (i32.add (local.get $len) (i32.const 47)) (i32.const -16)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $size)))
        (v128.store (i32.sub (i32.add (local.get $base) (local.get $size)) (i32.add (local.get $i) (i32.const 16)))
          (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0 (v128.load (i32.add (local.get $src) (local.get $i))) (v128.const i32x4 0 0 0 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each)))
    (i32.sub (i32.add (local.get $base) (local.get $size)) (i32.const 8)))
  ;; one tile: reversed into [revbase, revbase + len + 48), then decoded
  (func $rice_at (param $src i32) (param $len i32) (param $dst i32) (param $n i32) (param $bs i32) (param $bytepix i32) (param $revbase i32) (result i32)
    (local $rev i32)
    (local.set $rev (call $reverse (local.get $src) (local.get $len) (local.get $revbase)))
    (if (i32.eq (local.get $bytepix) (i32.const 1)) (then (return (call $rice1 (local.get $src) (local.get $rev) (local.get $len) (local.get $dst) (local.get $n) (local.get $bs)))))
    (if (i32.eq (local.get $bytepix) (i32.const 2)) (then (return (call $rice2 (local.get $src) (local.get $rev) (local.get $len) (local.get $dst) (local.get $n) (local.get $bs)))))
    (call $rice4 (local.get $src) (local.get $rev) (local.get $len) (local.get $dst) (local.get $n) (local.get $bs)))
  ;; one tile, \`len\` bytes at src -> n int32 at dst; scratch for the reversed stream after the pixels
  ;; (the caller keeps len + 64 bytes there, and 48 bytes after the stream, readable)
  (func (export "rice") (param $src i32) (param $len i32) (param $dst i32) (param $n i32) (param $bs i32) (param $bytepix i32) (result i32)
    (call $rice_at (local.get $src) (local.get $len) (local.get $dst) (local.get $n) (local.get $bs) (local.get $bytepix)
      (i32.and (i32.add (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))) (i32.const 31)) (i32.const -16))))
  (func (export "rice_tiles") (param $tab i32) (param $ntiles i32) (param $ints i32) (param $rev i32) (param $rtab i32) (param $bs i32) (param $bytepix i32) (param $mode i32) (param $kind i32) (result i32)
    (local $t i32) (local $e i32) (local $st i32) (local $which i32)
    (local.set $which (i32.add (i32.mul (local.get $kind) (i32.const 3)) (local.get $mode)))
    (local.set $e (local.get $tab))
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $t) (local.get $ntiles)))
        (i32.store (i32.const ${RICE_TILE_AT}) (local.get $t))
        (local.set $st (call $rice_at (i32.load (local.get $e)) (i32.load offset=4 (local.get $e)) (local.get $ints) (i32.load offset=12 (local.get $e)) (local.get $bs) (local.get $bytepix) (local.get $rev)))
        (if (local.get $st) (then (return (i32.add (i32.shl (local.get $t) (i32.const 2)) (local.get $st)))))
        ${convCalls.join('\n        ')}
        (local.set $e (i32.add (local.get $e) (i32.const ${RICE_ENTRY_BYTES})))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tiles)))
    (i32.const 0)
  )`;
}

const RICE = [1, 2, 4].map(riceFn).join('\n') + '\n' + KINDS.flatMap((k) => MODES.map((m) => convFn(k, m))).join('\n') + '\n' + riceTilesFn();

/** Every kernel: [bitpix, out, mode, blank]. */
export function kernelList() {
  const list = [];
  for (const bitpix of [8, 16, 32, 64, -32, -64]) {
    for (const out of ['f32', 'f64']) {
      const modes = bitpix === 64 ? ['none', 'scaled', 'unsigned'] : ['none', 'scaled'];
      for (const mode of modes) for (const blank of bitpix > 0 ? [false, true] : [false]) list.push([bitpix, out, mode, blank]);
    }
  }
  return list;
}

export function generateWat() {
  return `;; GENERATED by scripts/gen-fits-simd.mjs - do not edit. FITS image decoding kernels (WebAssembly SIMD):
;; big-endian stored values -> native physical values; see the generator for the contract.
(module
  (memory (export "memory") 1)
${kernelList().map((k) => kernel(...k)).join('\n')}
${RICE}
)
`;
}

/** Compile WAT text to a WebAssembly binary (Buffer) with wabt. */
export async function compileWat(wat) {
  const require = createRequire(import.meta.url);
  const wabt = await require('wabt')();
  const mod = wabt.parseWat('simd.wat', wat, { simd: true });
  mod.validate();
  const { buffer } = mod.toBinary({ log: false, write_debug_names: false });
  mod.destroy();
  return Buffer.from(buffer);
}

function tsModule(wasm) {
  const b64 = wasm.toString('base64');
  const lines = b64.match(/.{1,100}/g).map((l) => `  '${l}' +`);
  lines[lines.length - 1] = lines[lines.length - 1].replace(/ \+$/, ';');
  return `/**
 * GENERATED by scripts/gen-fits-simd.mjs from simd.wat - do not edit. The FITS decoding kernels as
 * a WebAssembly module (${wasm.length} bytes, base64), so that run time needs no compiler.
 */
export const FITS_SIMD_WASM_BASE64 =
${lines.join('\n')}
`;
}

async function main() {
  const wat = generateWat();
  const ts = tsModule(await compileWat(wat));
  if (process.argv.includes('--check')) {
    const stale = readFileSync(WAT_PATH, 'utf8') !== wat || readFileSync(TS_PATH, 'utf8') !== ts;
    if (stale) {
      console.error('src/workers/fits/simd.wat or simdModule.ts is stale: run node scripts/gen-fits-simd.mjs');
      process.exit(1);
    }
    console.log('FITS SIMD kernels are up to date');
  } else {
    writeFileSync(WAT_PATH, wat);
    writeFileSync(TS_PATH, ts);
    console.log(`wrote ${WAT_PATH} and ${TS_PATH}`);
  }
}

// run as a script (the benchmark imports generateWat / compileWat / kernelName)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
