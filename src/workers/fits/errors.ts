/**
 * Error type of the FITS reader. Every problem the reader detects in its input is reported as
 * a `FitsError` with a machine-readable `code` and a message that names the problem (and,
 * where it helps, the HDU index and byte offset).
 */

/** Machine-readable error codes. */
export type FitsErrorCode =
  /** The bytes do not start with a FITS primary header (`SIMPLE  =                    T`). */
  | 'NOT_FITS'
  /** A header has no END card before the end of the input. */
  | 'NO_END'
  /** A header card cannot be parsed (strict mode only, or a mandatory keyword's card). */
  | 'BAD_CARD'
  /** A mandatory keyword (BITPIX, NAXIS, NAXISn, XTENSION...) is missing. */
  | 'MISSING_KEYWORD'
  /** A mandatory keyword has an invalid value (wrong type, out of range). */
  | 'BAD_KEYWORD'
  /** The data unit declared by a header extends past the end of the input. */
  | 'TRUNCATED'
  /** The declared sizes are too large to be represented or read. */
  | 'TOO_LARGE'
  /** The operation is not valid for this HDU (e.g. readImage() on a table). */
  | 'NOT_IMAGE'
  /** A plane index (or other index) is out of range. */
  | 'OUT_OF_RANGE'
  /** Bytes after the last HDU that do not form an extension (strict mode only). */
  | 'TRAILING_BYTES'
  /** A caller-supplied argument is invalid. */
  | 'BAD_ARGUMENT'
  /**
   * The data unit contradicts its header: a heap descriptor points outside the heap, a table
   * field cannot be read, a compressed tile does not decompress to the size of its tile...
   */
  | 'BAD_DATA'
  /** A valid FITS feature this reader does not implement (e.g. ZCMPTYPE = 'HCOMPRESS_1'). */
  | 'UNSUPPORTED'
  /** The HDU's data bytes were overwritten by an in-place decode (`readImage({ inPlace: true })`). */
  | 'CONSUMED';

export class FitsError extends Error {
  /** Machine-readable error code. */
  readonly code: FitsErrorCode;

  constructor(code: FitsErrorCode, message: string) {
    super(message);
    this.name = 'FitsError';
    this.code = code;
    // keep `instanceof` working when compiled to ES5-style classes
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Type guard usable across realms/bundles where `instanceof` may fail. */
export function isFitsError(e: unknown): e is FitsError {
  return e instanceof FitsError || (e instanceof Error && e.name === 'FitsError' && typeof (e as { code?: unknown }).code === 'string');
}
