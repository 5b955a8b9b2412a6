/**
 * `esasky-sky/fits`: a FITS reader in pure TypeScript (no DOM, no Node APIs) for browsers,
 * Web Workers and Node.
 *
 * ```ts
 * import { readFits } from 'esasky-sky/fits';
 * const file = readFits(await (await fetch(url)).arrayBuffer());
 * const hdu = file.firstImage();
 * const { shape, data } = hdu!.readImage(); // shape = [NAXIS1, NAXIS2, ...], physical values
 *
 * const events = file.getHdu('EVENTS')!.readTable();   // BINTABLE or ASCII TABLE
 * const energy = events.column('ENERGY');              // typed array, one value per row
 *
 * const wcs = parseWcs(hdu!.header);                   // celestial WCS
 * const [ra, dec] = wcs.pixelToWorld(1, 1);            // FITS 1-based pixel coordinates
 * ```
 *
 * Also reads tile-compressed images (RICE_1, GZIP_1, GZIP_2, NOCOMPRESS) with `readImage()`,
 * and gzip-compressed files.
 */

export { readFits, FitsFile, FitsHdu } from './file.js';
export type { FitsHduType, ReadFitsOptions } from './file.js';
export { FitsHeader, parseHeader, parseValueField, FITS_BLOCK, FITS_CARD } from './header.js';
export type { FitsCard, FitsComplex, FitsValue, HeaderParseOptions, HeaderParseResult } from './header.js';
export { decodePixels, imageLayout, VALID_BITPIX } from './image.js';
export type { Bitpix, DecodeBackend, FitsImage, ImageLayout, ImageOutput, ReadImageOptions, StoredType } from './image.js';
export { setSimdEnabled, simdStatus } from './simd.js';
export type { SimdState } from './simd.js';
export { FitsError, isFitsError } from './errors.js';
export type { FitsErrorCode } from './errors.js';
export { FitsTable, parseBinaryTform, parseAsciiTform, parseAsciiNumber } from './table.js';
export type {
  AsciiTformCode,
  BinaryTform,
  BinaryTformCode,
  ColumnValueType,
  FitsCellValue,
  FitsColumn,
  FitsColumnValues,
  FitsTypedArray,
  ReadColumnOptions,
  ReadTableOptions,
} from './table.js';
export { compressedImageInfo, ditherSequence, SUPPORTED_ZCMPTYPES } from './compressed.js';
export type { CompressedImageInfo, ZQuantize } from './compressed.js';
export { riceDecompress } from './rice.js';
export { crc32, gunzipFile, isGzip } from './inflate.js';
export { DEFAULT_MAX_BYTES } from './limits.js';
export type { FitsGroups } from './groups.js';
export { parseWcs, SUPPORTED_PROJECTIONS } from './wcs.js';
export type { ParseWcsOptions, SipDistortion, Wcs } from './wcs.js';
export { FitsStream, blobSource, bytesSource, httpRangeSource } from './stream.js';
export type { ByteSource, FitsStreamOptions, StreamHdu } from './stream.js';
