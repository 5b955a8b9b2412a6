/**
 * Memory limits of the FITS reader.
 *
 * Every array the reader allocates is sized from header keywords (NAXISn, ZNAXISn, TFORMn,
 * heap descriptors, gzip ISIZE). Before allocating, the size is compared with a limit, so a
 * lying header (NAXIS1 = 1e12, ZNAXIS1 = 2^40, a heap descriptor that claims 2^31 elements)
 * gives `FitsError('TOO_LARGE')` instead of an out-of-memory crash of the worker.
 *
 * The limit is `ReadFitsOptions.maxBytes` (given to `readFits`, kept by every HDU) and can be
 * overridden per call (`readImage({ maxBytes })`, `readTable({ maxBytes })`). It bounds:
 *   - the declared size of a data unit (checked by `readFits`);
 *   - the output of a decode: image pixels (4 or 8 bytes each), table columns (their typed
 *     arrays; strings count 2 bytes per character plus 16 per string), decompressed tiles;
 *   - the size of a gzip-compressed file once inflated.
 */

import { FitsError } from './errors.js';

/** Default limit: 2 GiB, about the largest ArrayBuffer browsers allocate. */
export const DEFAULT_MAX_BYTES = 2 ** 31;

/** Validate a caller-supplied limit; undefined means the default. */
export function resolveMaxBytes(maxBytes: number | undefined, fallback = DEFAULT_MAX_BYTES): number {
  if (maxBytes === undefined) return fallback;
  if (typeof maxBytes !== 'number' || !(maxBytes >= 0) || !Number.isFinite(maxBytes)) {
    throw new FitsError('BAD_ARGUMENT', `maxBytes must be a non-negative finite number, got ${String(maxBytes)}`);
  }
  return maxBytes;
}

/**
 * Throw FitsError 'TOO_LARGE' when `bytes` (which may be a non-integer or non-finite product of
 * header values) exceeds `maxBytes`. `what` names the thing being allocated and the cards.
 */
export function checkAllocation(bytes: number, maxBytes: number, ctx: string, what: string): void {
  if (!(bytes <= maxBytes)) {
    throw new FitsError(
      'TOO_LARGE',
      `${ctx}${what} needs ${Number.isFinite(bytes) ? Math.ceil(bytes) : 'an unbounded number of'} bytes, more than the limit of ${maxBytes} bytes (option maxBytes)`,
    );
  }
}
