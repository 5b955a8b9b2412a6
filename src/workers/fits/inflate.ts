/**
 * DEFLATE decompression for tile-compressed images (GZIP_1 / GZIP_2 tiles) and gzip-compressed
 * FITS files (`.fits.gz`), synchronous, with bounded output.
 *
 * The inflater is fflate's `inflateSync` (MIT; pure JS, no DOM/Node APIs, works in workers).
 * fflate's own gunzip would allocate the size written in the gzip trailer (ISIZE, up to 4 GiB)
 * before looking at the data, so the gzip/zlib wrappers are parsed here and the raw DEFLATE
 * stream is inflated into a buffer we size and bound ourselves:
 *   - a tile must inflate to exactly the size of its pixels: it is inflated into a buffer one
 *     byte larger than the largest allowed size, and any other size is an error (its gzip
 *     ISIZE must agree; its CRC-32 is not checked, it would cost as much as inflating);
 *   - a whole file must inflate to its ISIZE, which must not exceed the caller's maxBytes;
 *     the CRC-32 of the output is checked against the trailer.
 * Any failure is a FitsError (never fflate's own error type).
 */

import { inflateSync } from 'fflate';
import { FitsError } from './errors.js';

const CRC_TABLE = /* @__PURE__ */ (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as in gzip and zlib.crc32) of bytes[start, end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** True when the bytes start with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

interface GzipParts {
  /** Offset of the raw DEFLATE stream. */
  start: number;
  /** End of the DEFLATE stream (start of the 8-byte trailer). */
  end: number;
  crc: number;
  isize: number;
}

/** Parse a single-member gzip wrapper (RFC 1952). */
function gzipParts(d: Uint8Array, what: string): GzipParts {
  const bad = (why: string) => new FitsError('BAD_DATA', `${what} is not valid gzip data: ${why}`);
  if (d.length < 18) throw bad(`only ${d.length} bytes`);
  if (d[0] !== 0x1f || d[1] !== 0x8b) throw bad('no gzip magic number');
  if (d[2] !== 8) throw bad(`compression method ${d[2]} is not DEFLATE (8)`);
  const flg = d[3]!;
  let p = 10;
  if (flg & 4) p += 2 + (d[10]! | (d[11]! << 8)); // FEXTRA
  for (const bit of [8, 16]) {
    // FNAME, FCOMMENT: zero-terminated
    if (flg & bit) {
      while (p < d.length && d[p] !== 0) p++;
      p++;
    }
  }
  if (flg & 2) p += 2; // FHCRC
  const end = d.length - 8;
  if (p > end) throw bad('the header runs past the end of the data');
  const crc = (d[end]! | (d[end + 1]! << 8) | (d[end + 2]! << 16) | (d[end + 3]! << 24)) >>> 0;
  const isize = (d[end + 4]! | (d[end + 5]! << 8) | (d[end + 6]! << 16) | (d[end + 7]! << 24)) >>> 0;
  return { start: p, end, crc, isize };
}

function inflateInto(deflate: Uint8Array, out: Uint8Array, what: string): number {
  let got: Uint8Array;
  try {
    got = inflateSync(deflate, { out });
  } catch (e) {
    throw new FitsError('BAD_DATA', `${what} could not be inflated: ${(e as Error)?.message ?? String(e)}`);
  }
  // fflate returns a view of `out` (or `out` itself for empty input)
  if (got.buffer !== out.buffer) throw new FitsError('BAD_DATA', `${what} could not be inflated into its buffer`);
  return deflate.length === 0 ? 0 : got.length;
}

/**
 * Inflate a compressed tile (gzip, zlib or raw DEFLATE, detected from the first bytes) into
 * `out`, whose length must be one more than the largest acceptable size. Returns the number
 * of bytes written; the caller checks it against the sizes it accepts.
 */
export function inflateTile(data: Uint8Array, out: Uint8Array, what: string): number {
  if (isGzip(data)) {
    const g = gzipParts(data, what);
    const n = inflateInto(data.subarray(g.start, g.end), out, what);
    // the caller checks the size against the tile; ISIZE must agree (the CRC-32 is not
    // checked for tiles: it would cost about as much as the inflation)
    if (n < out.length && n !== g.isize) throw new FitsError('BAD_DATA', `${what}: inflates to ${n} bytes but its gzip trailer says ${g.isize}`);
    return n;
  }
  if (data.length >= 2 && (data[0]! & 0x0f) === 8 && (data[0]! >> 4) <= 7 && ((data[0]! << 8) | data[1]!) % 31 === 0) {
    // zlib wrapper: 2-byte header, 4-byte Adler-32 trailer (not checked)
    if (data[1]! & 0x20) throw new FitsError('BAD_DATA', `${what}: zlib stream needs a preset dictionary`);
    return inflateInto(data.subarray(2, Math.max(2, data.length - 4)), out, what);
  }
  return inflateInto(data, out, what);
}

/**
 * Inflate a whole gzip-compressed file. The output size (ISIZE) must be at most `maxBytes`;
 * the size and CRC-32 are checked. Only the first member of a multi-member gzip file is
 * read (the check of the trailer then fails with FitsError 'BAD_DATA').
 */
export function gunzipFile(data: Uint8Array, maxBytes: number): Uint8Array {
  const what = 'the gzip-compressed input';
  const g = gzipParts(data, what);
  if (g.isize > maxBytes) {
    throw new FitsError(
      'TOO_LARGE',
      `${what} declares ${g.isize} bytes once inflated (gzip ISIZE), more than the limit of ${maxBytes} bytes (option maxBytes)`,
    );
  }
  const out = new Uint8Array(g.isize + 1);
  const n = inflateInto(data.subarray(g.start, g.end), out, what);
  if (n !== g.isize) {
    throw new FitsError('BAD_DATA', `${what} inflates to ${n === out.length ? 'more than' : ''} ${n} bytes, not the ${g.isize} bytes of its trailer (ISIZE)`);
  }
  if (crc32(out, 0, n) !== g.crc) throw new FitsError('BAD_DATA', `${what} fails its CRC-32 check (corrupted data)`);
  return out.subarray(0, n);
}
