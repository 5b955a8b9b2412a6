/**
 * Reuse of a parsed FITS header when the next header has exactly the same bytes: the fast path for
 * HiPS FITS tiles, whose headers are identical across a survey (e.g. all 768 tiles of
 * ../shared/data/hips/cds_gaia_dr2_radial_velocity_map: SIMPLE, BITPIX, NAXIS, NAXIS1, NAXIS2, END).
 * Decoding a 32 x 32 tile is dominated by parsing its header, so a worker that decodes tile after
 * tile parses it once.
 *
 * A few entries per realm (worker, page, Node process; most recently used first, so a file's
 * primary header and its extension's - a tile-compressed image - both stay): a copy of the header
 * bytes (at most MAX_CACHED_BYTES), the parse options that shape the result (strict, context) and
 * the result.
 * A hit needs byte equality of the whole header up to and including END, so it returns exactly
 * what parseHeader would; FitsHeader is immutable (readonly fields), so sharing it is safe.
 */

import { FITS_CARD, parseHeader, type HeaderParseOptions, type HeaderParseResult } from './header.js';

/** Headers longer than this (more than four 2880-byte blocks) are not cached. */
export const MAX_CACHED_BYTES = 4 * 2880;
/** Entries kept. */
const MAX_ENTRIES = 4;

interface Entry {
  bytes: Uint8Array;
  /** The same bytes as 32-bit words (a header up to END is a whole number of 80-byte cards: 20 words each). */
  words: Uint32Array;
  strict: boolean;
  context: string;
  /** The parse result with endCardOffset and paddedEnd relative to the header start. */
  result: HeaderParseResult;
}

const entries: Entry[] = [];

/**
 * parseHeader(bytes, offset, options), answered from the cache when the header's bytes equal a
 * cached header's. Same results and the same errors as parseHeader: the cached bytes end
 * with the header's first END card, so equal bytes put END at the same place.
 */
export function parseHeaderCached(bytes: Uint8Array, offset: number, options: HeaderParseOptions): HeaderParseResult {
  const strict = options.strict === true;
  const context = options.context ?? '';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (
      e.strict === strict &&
      e.context === context &&
      offset + e.bytes.length <= bytes.length &&
      (options.maxHeaderBytes === undefined || e.bytes.length <= options.maxHeaderBytes) &&
      sameBytes(e, bytes, offset)
    ) {
      if (i > 0) {
        entries.splice(i, 1);
        entries.unshift(e);
      }
      if (offset === 0) return e.result;
      return { header: e.result.header, endCardOffset: offset + e.result.endCardOffset, paddedEnd: offset + e.result.paddedEnd };
    }
  }
  const result = parseHeader(bytes, offset, options);
  const len = result.endCardOffset + FITS_CARD - offset;
  if (len <= MAX_CACHED_BYTES) {
    const copy = bytes.slice(offset, offset + len);
    entries.unshift({
      bytes: copy,
      words: new Uint32Array(copy.buffer, 0, len >> 2),
      strict,
      context,
      // offsets relative to the header start (equal to the absolute ones for a header at byte 0)
      result: { header: result.header, endCardOffset: result.endCardOffset - offset, paddedEnd: result.paddedEnd - offset },
    });
    if (entries.length > MAX_ENTRIES) entries.pop();
  }
  return result;
}

function sameBytes(e: Entry, b: Uint8Array, offset: number): boolean {
  // the first card that differs (usually early: BITPIX, NAXISn) ends it. Four bytes at a time when
  // the input's header start is 4-byte aligned (HiPS tiles and files at offset 0 are): one view,
  // a quarter of the comparisons
  const at = b.byteOffset + offset;
  if ((at & 3) === 0) {
    const w = e.words;
    const n = w.length;
    const v = new Uint32Array(b.buffer, at, n);
    for (let i = 0; i < n; i++) if (w[i] !== v[i]) return false;
    return true;
  }
  const a = e.bytes;
  const n = a.length;
  for (let i = 0; i < n; i++) if (a[i] !== b[offset + i]) return false;
  return true;
}
