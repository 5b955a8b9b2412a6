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
 *     a larger fs (5 code bits reach 30) is invalid (FitsError 'BAD_DATA');
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

/** The error for a block code above the maximum (FS > 25: 5 code bits allow up to 30). */
export function riceBadCode(what: string): FitsError {
  return new FitsError('BAD_DATA', `${what}: the Rice-compressed stream has an invalid block code (FS above the maximum of the pixel size)`);
}

/** The error for a stream that ends before its pixels are decoded (also used by the WebAssembly path). */
export function riceStreamEnded(what: string, len: number, n: number): FitsError {
  return new FitsError('BAD_DATA', `${what}: the Rice-compressed stream (${len} bytes) ends before its ${n} pixels are decoded`);
}
const FS_MAX = { 1: 6, 2: 14, 4: 25 } as const;

/**
 * Decode `n` pixels into `out[0..n)`: values of bytepix 1 are unsigned bytes (0..255), of
 * bytepix 2 signed 16-bit, of bytepix 4 signed 32-bit.
 *
 * The bit reader is inlined (no closures): `acc` holds the `nb` unread bits (nb <= 31, the
 * bits above them are zero), refilled a byte at a time; bytes past the end of the stream read
 * as zero and are counted in `over`, which is checked once per block (a stream that ends early
 * is an error, never an out-of-bounds read or an endless loop).
 */
export function riceDecompress(input: Uint8Array, out: Int32Array, n: number, blocksize: number, bytepix: 1 | 2 | 4, what: string): void {
  const len = input.length;
  const end = (): never => {
    throw riceStreamEnded(what, len, n);
  };
  if (n === 0) return;
  if (len < bytepix) end();
  const fsBits = FS_BITS[bytepix];
  const fsMax = FS_MAX[bytepix];
  const bbits = 8 * bytepix;
  // wrap-around of the pixel sums in the pixel's width
  const shift = 32 - bbits;
  let last: number;
  if (bytepix === 1) last = input[0]!;
  else if (bytepix === 2) last = ((input[0]! << 24) | (input[1]! << 16)) >> 16;
  else last = (input[0]! << 24) | (input[1]! << 16) | (input[2]! << 8) | input[3]!;

  let pos = bytepix;
  let acc = 0;
  let nb = 0;
  let over = 0; // bytes read past the end (as zeros)
  for (let i = 0; i < n; ) {
    // FS code
    while (nb < fsBits) {
      acc = (acc << 8) | (pos < len ? input[pos] : (over++, 0))!;
      pos++;
      nb += 8;
    }
    nb -= fsBits;
    const fs = (acc >>> nb) - 1;
    acc &= (1 << nb) - 1;
    if (over > 0) end();
    if (fs > fsMax) throw riceBadCode(what);
    const imax = i + blocksize < n ? i + blocksize : n;
    if (fs < 0) {
      // low entropy: all differences are zero
      for (; i < imax; i++) out[i] = last;
    } else if (fs === fsMax) {
      // high entropy: raw bbits-bit differences
      for (; i < imax; i++) {
        let d = 0;
        for (let k = bbits; k > 0; ) {
          const take = k < 16 ? k : 16;
          while (nb < take) {
            acc = (acc << 8) | (pos < len ? input[pos] : (over++, 0))!;
            pos++;
            nb += 8;
          }
          nb -= take;
          d = d * (1 << take) + ((acc >>> nb) & ((1 << take) - 1));
          acc &= (1 << nb) - 1;
          k -= take;
        }
        const diff = (d & 1) === 0 ? d >>> 1 : ~(d >>> 1);
        last = bytepix === 1 ? (last + diff) & 0xff : ((last + diff) << shift) >> shift;
        out[i] = last;
      }
    } else {
      for (; i < imax; i++) {
        // unary part: the number of 0 bits before the next 1 bit
        let nzero = 0;
        while (acc === 0) {
          nzero += nb;
          if (pos >= len) end();
          acc = input[pos++]!;
          nb = 8;
        }
        const top = 31 - Math.clz32(acc); // position of the leading 1 among the nb bits
        nzero += nb - 1 - top;
        nb = top;
        acc &= (1 << nb) - 1;
        // fs low bits
        while (nb < fs) {
          acc = (acc << 8) | (pos < len ? input[pos] : (over++, 0))!;
          pos++;
          nb += 8;
        }
        nb -= fs;
        const low = acc >>> nb;
        acc &= (1 << nb) - 1;
        const d = nzero < 64 ? ((nzero << fs) | low) >>> 0 : (nzero * 2 ** fs + low) >>> 0;
        const diff = (d & 1) === 0 ? d >>> 1 : ~(d >>> 1);
        last = bytepix === 1 ? (last + diff) & 0xff : ((last + diff) << shift) >> shift;
        out[i] = last;
      }
      if (over > 0) end();
    }
  }
  if (over > 0) end();
}
