/**
 * Rice decompression of one tile (ZCMPTYPE = 'RICE_1'; FITS 4.0 §10.4.1, the tiled image
 * compression convention; White, Greenfield, Pence & Tody 1992, Pence, Seaman & White 2009).
 *
 * The stream starts with the first pixel value, `bytepix` bytes big-endian. Then the pixels
 * are coded in blocks of `blocksize` (the last block may be shorter) as differences from the
 * previous pixel (the first difference, from the first value, is 0). Each block starts with
 * an FS code of 3, 4 or 5 bits (bytepix 1, 2, 4), written as fs + 1:
 *   - fs + 1 = 0: every difference of the block is zero;
 *   - fs = 6, 14 or 25 (the maximum): every difference is written raw in 8, 16 or 32 bits;
 *   - otherwise each difference d is written as (d >> fs) in unary (that many 0 bits and a 1)
 *     followed by the low fs bits of d.
 * Differences are zig-zag mapped (d >= 0 -> 2d, d < 0 -> -2d - 1) and added to the previous
 * pixel with wrap-around in the pixel's width. Bits are read most significant first.
 *
 * Written from the algorithm description; every read is bounds-checked (FitsError 'BAD_DATA'
 * when the stream ends early).
 */

import { FitsError } from './errors.js';

const FS_BITS = { 1: 3, 2: 4, 4: 5 } as const;
const FS_MAX = { 1: 6, 2: 14, 4: 25 } as const;

/**
 * Decode `n` pixels into `out[0..n)`: values of bytepix 1 are unsigned bytes (0..255), of
 * bytepix 2 signed 16-bit, of bytepix 4 signed 32-bit.
 */
export function riceDecompress(input: Uint8Array, out: Int32Array, n: number, blocksize: number, bytepix: 1 | 2 | 4, what: string): void {
  const len = input.length;
  const end = (): never => {
    throw new FitsError('BAD_DATA', `${what}: the Rice-compressed stream (${len} bytes) ends before its ${n} pixels are decoded`);
  };
  if (n === 0) return;
  if (len < bytepix) end();
  const fsBits = FS_BITS[bytepix];
  const fsMax = FS_MAX[bytepix];
  const bbits = 8 * bytepix;
  let last: number;
  if (bytepix === 1) last = input[0]!;
  else if (bytepix === 2) last = ((input[0]! << 24) | (input[1]! << 16)) >> 16;
  else last = (input[0]! << 24) | (input[1]! << 16) | (input[2]! << 8) | input[3]!;

  // bit reader: `acc` holds `nb` unread bits (nb <= 24), most significant first
  let pos = bytepix;
  let acc = 0;
  let nb = 0;
  const read = (k: number): number => {
    // k <= 24
    while (nb < k) {
      if (pos >= len) end();
      acc = ((acc << 8) | input[pos++]!) & 0xffffffff;
      nb += 8;
    }
    nb -= k;
    const v = (acc >>> nb) & ((1 << k) - 1);
    acc &= (1 << nb) - 1;
    return v;
  };

  for (let i = 0; i < n; ) {
    const fs = read(fsBits) - 1;
    const imax = Math.min(i + blocksize, n);
    if (fs < 0) {
      for (; i < imax; i++) out[i] = last;
    } else if (fs === fsMax) {
      for (; i < imax; i++) {
        let d: number;
        if (bbits === 32) d = ((read(16) << 16) | read(16)) >>> 0;
        else d = read(bbits);
        const diff = (d & 1) === 0 ? d >>> 1 : ~(d >>> 1);
        last = wrap(last + diff, bytepix);
        out[i] = last;
      }
    } else {
      for (; i < imax; i++) {
        // unary part: count 0 bits up to the next 1 bit
        let nzero = 0;
        for (;;) {
          if (acc === 0) {
            nzero += nb;
            if (pos >= len) end();
            acc = input[pos++]!;
            nb = 8;
            continue;
          }
          const top = 31 - Math.clz32(acc); // index of the leading 1 among the nb bits
          nzero += nb - 1 - top;
          nb = top;
          acc &= (1 << nb) - 1;
          break;
        }
        const low = fs === 0 ? 0 : read(fs);
        const d = (nzero * 2 ** fs + low) >>> 0;
        const diff = (d & 1) === 0 ? d >>> 1 : ~(d >>> 1);
        last = wrap(last + diff, bytepix);
        out[i] = last;
      }
    }
  }
}

function wrap(v: number, bytepix: 1 | 2 | 4): number {
  if (bytepix === 4) return v | 0;
  if (bytepix === 2) return (v << 16) >> 16;
  return v & 0xff;
}
