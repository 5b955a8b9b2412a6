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

/**
 * Rice decompression of one tile (scalar WebAssembly; the algorithm of src/workers/fits/rice.ts,
 * which documents the format): `len` compressed bytes at `src` -> `n` int32 at `dst` (bytepix 1:
 * 0..255; 2 and 4: signed). Returns 0; 1 when the stream ends before the n pixels are decoded; 2
 * for a block code above the maximum (FS > 25 with bytepix 4).
 *
 * Bit reader: a 64-bit window `w` holding `cnt` unread bits at its top (the bits below are zero),
 * refilled 32 bits (4 bytes, big-endian) at a time whenever fewer than 32 remain, so a unary run
 * is one count of leading zeros and the low bits one shift. Refills may read up to 4 bytes past
 * the end (the caller keeps readable memory after the input; more only inside a block that will
 * be rejected, at most 4 bytes a pixel). The stream is too short exactly when more bits are
 * consumed than it holds - rice.ts's condition, which reads whole bytes as needed - i.e. when
 * pos - cnt / 8 > end; checked after each block, and in a long unary run before each refill.
 */
const RICE = `
  (func $refill (param $pos i32) (result i64)
    ;; 4 bytes at pos, big-endian, as the low 32 bits of an i64
    (i64.extend_i32_u (i32x4.extract_lane 0 (i8x16.shuffle 3 2 1 0 4 5 6 7 8 9 10 11 12 13 14 15 (v128.load32_zero (local.get $pos)) (v128.const i32x4 0 0 0 0)))))
  (func (export "rice") (param $src i32) (param $len i32) (param $dst i32) (param $n i32) (param $bs i32) (param $bytepix i32) (result i32)
    (local $end i32) (local $pos i32) (local $w i64) (local $cnt i32) (local $o i32) (local $oend i32) (local $omax i32)
    (local $fs i32) (local $fsbits i32) (local $fsmax i32) (local $bbits i32) (local $shift i32) (local $last i32)
    (local $nzero i32) (local $lz i32) (local $d i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (if (i32.lt_u (local.get $len) (local.get $bytepix)) (then (return (i32.const 1))))
    (local.set $bbits (i32.shl (local.get $bytepix) (i32.const 3)))
    (local.set $shift (i32.sub (i32.const 32) (local.get $bbits)))
    (local.set $fsbits (select (i32.const 3) (select (i32.const 4) (i32.const 5) (i32.eq (local.get $bytepix) (i32.const 2))) (i32.eq (local.get $bytepix) (i32.const 1))))
    (local.set $fsmax (select (i32.const 6) (select (i32.const 14) (i32.const 25) (i32.eq (local.get $bytepix) (i32.const 2))) (i32.eq (local.get $bytepix) (i32.const 1))))
    ;; the first value, big-endian, sign-extended for bytepix 2 and 4
    (local.set $pos (local.get $src))
    (local.set $end (i32.add (local.get $src) (local.get $len)))
    (block $first_done
      (loop $first
        (br_if $first_done (i32.ge_u (local.get $pos) (i32.add (local.get $src) (local.get $bytepix))))
        (local.set $last (i32.or (i32.shl (local.get $last) (i32.const 8)) (i32.load8_u (local.get $pos))))
        (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
        (br $first)))
    (if (i32.ne (local.get $bytepix) (i32.const 1))
      (then (local.set $last (i32.shr_s (i32.shl (local.get $last) (local.get $shift)) (local.get $shift)))))
    (local.set $o (local.get $dst))
    (local.set $oend (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.ge_u (local.get $o) (local.get $oend)))
        ;; FS code
        @REFILL@
        (local.set $fs (i32.sub (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.extend_i32_u (i32.sub (i32.const 64) (local.get $fsbits))))) (i32.const 1)))
        (local.set $w (i64.shl (local.get $w) (i64.extend_i32_u (local.get $fsbits))))
        (local.set $cnt (i32.sub (local.get $cnt) (local.get $fsbits)))
        ;; FS above the maximum (possible with 5 code bits): not a valid stream, unless the code
        ;; itself was read past the end (then the stream ended first, as rice.ts reports it)
        (if (i32.gt_s (local.get $fs) (local.get $fsmax))
          (then
            (if (i32.gt_s (i32.sub (local.get $pos) (i32.shr_u (local.get $cnt) (i32.const 3))) (local.get $end)) (then (return (i32.const 1))))
            (return (i32.const 2))))
        (local.set $omax (i32.add (local.get $o) (i32.shl (local.get $bs) (i32.const 2))))
        (if (i32.gt_u (local.get $omax) (local.get $oend)) (then (local.set $omax (local.get $oend))))
        (if (i32.lt_s (local.get $fs) (i32.const 0))
          (then
            ;; all differences zero
            (block $z (loop $zl
              (br_if $z (i32.ge_u (local.get $o) (local.get $omax)))
              (i32.store (local.get $o) (local.get $last))
              (local.set $o (i32.add (local.get $o) (i32.const 4)))
              (br $zl))))
          (else (if (i32.eq (local.get $fs) (local.get $fsmax))
            (then
              ;; raw differences of bbits bits
              (block $wd (loop $wl
                (br_if $wd (i32.ge_u (local.get $o) (local.get $omax)))
                @REFILL@
                (local.set $d (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.extend_i32_u (i32.sub (i32.const 64) (local.get $bbits))))))
                (local.set $w (i64.shl (local.get $w) (i64.extend_i32_u (local.get $bbits))))
                (local.set $cnt (i32.sub (local.get $cnt) (local.get $bbits)))
                @ADD_DIFF@
                (br $wl))))
            (else
              (block $p (loop $pl
                (br_if $p (i32.ge_u (local.get $o) (local.get $omax)))
                @REFILL@
                ;; unary part: zero bits before the next 1
                (local.set $lz (i32.wrap_i64 (i64.clz (local.get $w))))
                (if (i32.ge_u (local.get $lz) (local.get $cnt))
                  (then
                    ;; every unread bit is zero: count them, refill, look again
                    (local.set $nzero (local.get $cnt))
                    (local.set $w (i64.const 0))
                    (local.set $cnt (i32.const 0))
                    (block $u (loop $ul
                      (if (i32.gt_u (local.get $pos) (local.get $end)) (then (return (i32.const 1))))
                      (local.set $w (i64.shl (call $refill (local.get $pos)) (i64.const 32)))
                      (local.set $pos (i32.add (local.get $pos) (i32.const 4)))
                      (local.set $cnt (i32.const 32))
                      (local.set $lz (i32.wrap_i64 (i64.clz (local.get $w))))
                      (br_if $u (i32.lt_u (local.get $lz) (i32.const 32)))
                      (local.set $nzero (i32.add (local.get $nzero) (i32.const 32)))
                      (local.set $w (i64.const 0))
                      (local.set $cnt (i32.const 0))
                      (br $ul)))
                    (local.set $nzero (i32.add (local.get $nzero) (local.get $lz))))
                  (else (local.set $nzero (local.get $lz))))
                ;; drop the zeros and the 1 (two shifts: lz + 1 may be 64)
                (local.set $w (i64.shl (i64.shl (local.get $w) (i64.extend_i32_u (local.get $lz))) (i64.const 1)))
                (local.set $cnt (i32.sub (local.get $cnt) (i32.add (local.get $lz) (i32.const 1))))
                ;; fs low bits (fs <= 24)
                @REFILL@
                (local.set $d (i32.or
                  (i32.shl (local.get $nzero) (local.get $fs))
                  (select (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.extend_i32_u (i32.sub (i32.const 64) (local.get $fs))))) (i32.const 0) (local.get $fs))))
                (local.set $w (i64.shl (local.get $w) (i64.extend_i32_u (local.get $fs))))
                (local.set $cnt (i32.sub (local.get $cnt) (local.get $fs)))
                @ADD_DIFF@
                (br $pl)))))))
        ;; more bits consumed than the stream holds?
        (if (i32.gt_s (i32.sub (local.get $pos) (i32.shr_u (local.get $cnt) (i32.const 3))) (local.get $end)) (then (return (i32.const 1))))
        (br $blocks)))
    (i32.const 0)
  )`
  .replaceAll('@REFILL@', `(if (i32.lt_u (local.get $cnt) (i32.const 32))
          (then
            (local.set $w (i64.or (local.get $w) (i64.shl (call $refill (local.get $pos)) (i64.extend_i32_u (i32.sub (i32.const 32) (local.get $cnt))))))
            (local.set $pos (i32.add (local.get $pos) (i32.const 4)))
            (local.set $cnt (i32.add (local.get $cnt) (i32.const 32)))))`)
  .replaceAll('@ADD_DIFF@', `;; zig-zag: d even -> d / 2, odd -> -(d + 1) / 2; added with wrap-around in the pixel's width
                (local.set $last (i32.add (local.get $last)
                  (select (i32.shr_u (local.get $d) (i32.const 1)) (i32.xor (i32.shr_u (local.get $d) (i32.const 1)) (i32.const -1)) (i32.eqz (i32.and (local.get $d) (i32.const 1))))))
                (local.set $last (select
                  (i32.and (local.get $last) (i32.const 255))
                  (i32.shr_s (i32.shl (local.get $last) (local.get $shift)) (local.get $shift))
                  (i32.eq (local.get $bytepix) (i32.const 1))))
                (i32.store (local.get $o) (local.get $last))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))`);

/**
 * Tile values -> physical values (src/workers/fits/compressed.ts's step 2, scalar): `n` int32 at
 * `src` -> float64 at `dst`. mode 0: v == null ? NaN : v * scale + zero (integer images, floats
 * quantized without dither); modes 1 and 2: SUBTRACTIVE_DITHER_1 / _2 (2: v == -2147483646 -> 0),
 * (v - R[next] + 0.5) * scale + zero, with the dither sequence R (10000 float32 at `rtab`)
 * starting at `iseed`, as the FITS tiled-image convention (and CFITSIO) walk it. `hasNull` says
 * whether `nullv` (ZBLANK) can match.
 */
const DEQUANTIZE = `
  (func (export "dequantize") (param $src i32) (param $dst i32) (param $n i32) (param $rtab i32) (param $iseed i32) (param $mode i32)
      (param $scale f64) (param $zero f64) (param $nullv i32) (param $hasNull i32)
    (local $end i32) (local $v i32) (local $next i32) (local $x f64)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $next (i32.trunc_f32_s (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $rtab) (i32.shl (local.get $iseed) (i32.const 2))))) (f64.const 500)))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $v (i32.load (local.get $src)))
        (if (i32.and (local.get $hasNull) (i32.eq (local.get $v) (local.get $nullv)))
          (then (local.set $x (f64.const nan)))
          (else (if (i32.eqz (local.get $mode))
            (then (local.set $x (f64.add (f64.mul (f64.convert_i32_s (local.get $v)) (local.get $scale)) (local.get $zero))))
            (else (if (i32.and (i32.eq (local.get $mode) (i32.const 2)) (i32.eq (local.get $v) (i32.const -2147483646)))
              (then (local.set $x (f64.const 0)))
              (else (local.set $x (f64.add (f64.mul
                (f64.add (f64.sub (f64.convert_i32_s (local.get $v)) (f64.promote_f32 (f32.load (i32.add (local.get $rtab) (i32.shl (local.get $next) (i32.const 2)))))) (f64.const 0.5))
                (local.get $scale)) (local.get $zero)))))))))
        (f64.store (local.get $dst) (local.get $x))
        (if (local.get $mode)
          (then
            (local.set $next (i32.add (local.get $next) (i32.const 1)))
            (if (i32.eq (local.get $next) (i32.const 10000))
              (then
                (local.set $iseed (i32.add (local.get $iseed) (i32.const 1)))
                (if (i32.eq (local.get $iseed) (i32.const 10000)) (then (local.set $iseed (i32.const 0))))
                (local.set $next (i32.trunc_f32_s (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $rtab) (i32.shl (local.get $iseed) (i32.const 2))))) (f64.const 500)))))))))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
        (br $each)))
  )`;

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
${DEQUANTIZE}
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
