/**
 * PLIO_1 tile decompression (FITS tiled image compression convention; IRAF's PLIO "line list"
 * encoding of integer masks). A tile is a list of 16-bit big-endian words:
 *
 * - header: if word 3 (1-based) is > 0 it is the list length and the instructions start at word
 *   4 (old 3-word header); otherwise the length is (word 5 << 15) + word 4 and the instructions
 *   start after the header length given by word 2;
 * - each instruction is opcode = word >> 12, data = word & 0xfff, with a current pixel value pv
 *   (starts at 1) and an output position x:
 *   0 zero run: `data` pixels of 0;       1 set pv = (next word << 12) + data (two words);
 *   2 pv += data;                          3 pv -= data;
 *   4 run: `data` pixels of pv;            5 `data - 1` zeros then one pv;
 *   6 pv += data, then one pixel of pv;    7 pv -= data, then one pixel of pv;
 * - pixels not written by the end of the list are 0.
 *
 * Pixel values are non-negative and below 2^24 by construction. Every read is bounded: a list that
 * claims more words than it has, or that writes past the tile, is a FitsError naming the tile.
 */
import { FitsError } from './errors.js';

/** Decode one PLIO_1 tile (`bytes`: its big-endian 16-bit words) into out[0..npix). */
export function plioDecompress(bytes: Uint8Array, out: Int32Array, npix: number, what: string): void {
  const nwords = bytes.length >> 1;
  const word = (i: number): number => {
    // i is 1-based as in the format description
    if (i < 1 || i > nwords) throw new FitsError('BAD_DATA', `${what}: the PLIO line list (${nwords} words) ends before word ${i}`);
    const v = (bytes[2 * i - 2]! << 8) | bytes[2 * i - 1]!;
    return v >= 0x8000 ? v - 0x10000 : v;
  };
  if (npix > out.length) throw new FitsError('BAD_DATA', `${what}: ${npix} pixels do not fit the tile buffer`);
  out.fill(0, 0, npix);
  if (nwords < 3) throw new FitsError('BAD_DATA', `${what}: the PLIO line list has ${nwords} words, fewer than its 3-word header`);
  let length: number;
  let first: number;
  if (word(3) > 0) {
    length = word(3);
    first = 4;
  } else {
    length = (word(5) << 15) + word(4);
    first = word(2) + 1;
  }
  if (length > nwords) throw new FitsError('BAD_DATA', `${what}: the PLIO line list says it has ${length} words but the tile holds ${nwords}`);
  if (first < 4 || first > length + 1) {
    if (length <= 0) return;
    throw new FitsError('BAD_DATA', `${what}: the PLIO line list header length ${first - 1} is out of range`);
  }
  let pv = 1;
  let x = 0; // next output pixel (0-based)
  const put = (n: number, v: number): void => {
    if (x + n > npix) throw new FitsError('BAD_DATA', `${what}: the PLIO line list writes ${x + n} pixels into a tile of ${npix}`);
    if (v !== 0) out.fill(v, x, x + n);
    x += n;
  };
  for (let ip = first; ip <= length; ip++) {
    const w = word(ip);
    const opcode = (w >> 12) & 0xf;
    const data = w & 0xfff;
    switch (opcode) {
      case 0:
        put(data, 0);
        break;
      case 1:
        pv = (word(ip + 1) << 12) + data;
        ip++;
        break;
      case 2:
        pv += data;
        break;
      case 3:
        pv -= data;
        break;
      case 4:
        put(data, pv);
        break;
      case 5:
        if (data > 0) {
          put(data - 1, 0);
          put(1, pv);
        }
        break;
      case 6:
        pv += data;
        put(1, pv);
        break;
      case 7:
        pv -= data;
        put(1, pv);
        break;
      default:
        throw new FitsError('BAD_DATA', `${what}: invalid PLIO opcode ${opcode} at word ${ip}`);
    }
  }
}
