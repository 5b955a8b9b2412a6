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
import { fileURLToPath } from 'node:url';

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
)
`;
}

async function compile(wat) {
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

const wat = generateWat();
const ts = tsModule(await compile(wat));
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
