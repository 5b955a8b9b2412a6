// The one typed interface between the main thread and the decode workers. Big results travel as
// transferred ArrayBuffers (never structured copies); every request carries an id so the main
// thread can cancel it.
import type { FootprintGeometry, FootprintInput, TessellateOptions } from '../footprints/tessellate.js';
import type { MocGeometryOptions } from '../moc/mocGeometry.js';

/** Result of decoding one image tile in a worker. */
export type ImageDecodeResult =
  | { readonly status: 'ok'; readonly width: number; readonly height: number; readonly rgba: ArrayBuffer }
  | { readonly status: 'missing'; readonly httpStatus: number };

/** A failure the worker reports as data (errors do not survive postMessage with their fields). */
export interface DecodeFailure {
  readonly status: 'error';
  readonly message: string;
  readonly httpStatus?: number;
  readonly retryable: boolean;
}

/** Result of decoding one FITS tile: physical values (BSCALE/BZERO applied, blanks NaN), rows top to bottom. */
export type FitsDecodeResult =
  | {
      readonly status: 'ok';
      readonly width: number;
      readonly height: number;
      readonly values: ArrayBuffer;
      readonly bitpix: number;
    }
  | { readonly status: 'missing'; readonly httpStatus: number };

export interface DecodeWorkerApi {
  /** Parse (STC-S) and tessellate footprints; the geometry's typed arrays are transferred back. */
  tessellateFootprints(inputs: readonly FootprintInput[], options: TessellateOptions): Promise<FootprintGeometry>;
  /** Geometry of a space MOC (canonical order-29 ranges at maxOrder) for the footprint layer. */
  mocGeometry(ranges: BigUint64Array, maxOrder: number, options: MocGeometryOptions): Promise<FootprintGeometry & { drawOrder: number }>;
  /** Fetch `url` and decode it as a FITS image tile (first image HDU) to float32 values. */
  decodeFits(url: string, requestId: number): Promise<FitsDecodeResult | DecodeFailure>;
  /** Fetch `url` and decode it (JPEG/PNG/WebP/GIF/AVIF) to RGBA8 rows top to bottom. */
  decodeImage(url: string, requestId: number): Promise<ImageDecodeResult | DecodeFailure>;
  /** Decode the first 2-D image (or the given plane of a cube) of a FITS file given as bytes (transferred). */
  decodeFitsBytes(bytes: ArrayBuffer, hduIndex: number, plane: number): Promise<FitsDecodeResult | DecodeFailure>;
  /** Abort the request with this id, if it is still running. */
  cancel(requestId: number): void;
}
