/**
 * `esasky-sky/fits`: a FITS reader in pure TypeScript (no DOM, no Node APIs) for browsers,
 * Web Workers and Node.
 *
 * ```ts
 * import { readFits } from 'esasky-sky/fits';
 * const file = readFits(await (await fetch(url)).arrayBuffer());
 * const hdu = file.firstImage();
 * const { shape, data } = hdu!.readImage(); // shape = [NAXIS1, NAXIS2, ...], physical values
 * ```
 */

export { readFits, FitsFile, FitsHdu } from './file.js';
export type { FitsHduType, ReadFitsOptions } from './file.js';
export { FitsHeader, parseHeader, parseValueField, FITS_BLOCK, FITS_CARD } from './header.js';
export type { FitsCard, FitsComplex, FitsValue, HeaderParseOptions, HeaderParseResult } from './header.js';
export { decodePixels, imageLayout, VALID_BITPIX } from './image.js';
export type { Bitpix, FitsImage, ImageLayout, ImageOutput, ReadImageOptions, StoredType } from './image.js';
export { FitsError, isFitsError } from './errors.js';
export type { FitsErrorCode } from './errors.js';
