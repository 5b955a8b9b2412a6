// The one typed interface between the main thread and the decode workers. Big results travel as
// transferred ArrayBuffers (never structured copies); every request carries an id so the main
// thread can cancel it.
import type { HipsCatalogMetadata, HipsCatalogTile } from '../hips/catalog.js';
import type { PositionFormat, PositionRule } from './tables/positions.js';
import type { Table } from './tables/table.js';
import type { Series, SeriesRequest } from '../plot/series.js';
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

/** Table formats a parse request can name ('auto': sniffed from the first bytes). */
export type TableSourceFormat = 'auto' | 'votable' | 'csv' | 'tsv' | 'fits';

export interface TableParseRequest {
  readonly format?: TableSourceFormat;
  /** VOTable: which TABLE (document order, default 0). */
  readonly tableIndex?: number;
  /** FITS: which HDU (default the first table). */
  readonly hdu?: number;
  /** Memory limit for inflating / decoding (default the FITS reader's, 2 GiB). */
  readonly maxBytes?: number;
  /** Name used in error messages (file name or URL). */
  readonly name?: string;
}

/** RA/Dec columns found from UCDs (pos.eq.ra;meta.main...) or names, read in degrees. */
export interface TablePositions {
  readonly ra: string;
  readonly dec: string;
  readonly rule: PositionRule;
  readonly raFormat: PositionFormat;
  readonly decFormat: PositionFormat;
  readonly raUnit?: string;
  readonly decUnit?: string;
  readonly system?: string;
  readonly raDeg: Float64Array;
  readonly decDeg: Float64Array;
}

/** A parsed table: its columns' typed arrays and the positions are transferred, not copied. */
export interface TableParseResult {
  readonly status: 'ok';
  readonly format: 'votable' | 'csv' | 'fits';
  readonly table: Table;
  positions?: TablePositions;
  readonly warnings: string[];
}

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
  /** Decode one plane of an image HDU of a FITS File/Blob, reading only its header and that plane (FitsStream). */
  decodeFitsPlane(blob: Blob, hduIndex: number, plane: number): Promise<FitsDecodeResult | DecodeFailure>;
  /** Inflate a gzip-compressed file (e.g. .fits.gz) read from a Blob, bounded by maxBytes; the bytes are transferred back. */
  gunzip(blob: Blob, maxBytes: number): Promise<{ status: 'ok'; bytes: ArrayBuffer } | DecodeFailure>;
  /** Read a spectrum / light curve series from a FITS file (bytes transferred, a Blob or a URL). */
  readSeries(source: ArrayBuffer | Blob | string, request: SeriesRequest, requestId: number): Promise<{ status: 'ok'; series: Series } | DecodeFailure>;
  /** Parse a table from bytes (transferred), a Blob or a URL into columns. */
  parseTable(source: ArrayBuffer | Blob | string, request: TableParseRequest, requestId: number): Promise<TableParseResult | DecodeFailure>;
  /** Parse a HiPS-catalogue TSV tile (src/hips/catalog.ts): big deepest-order tiles of progressive catalogues. */
  parseCatalogTile(text: string, where: { order: number; ipix: number }, metadata: HipsCatalogMetadata | undefined): Promise<{ status: 'ok'; tile: HipsCatalogTile } | DecodeFailure>;
  /** Abort the request with this id, if it is still running. */
  cancel(requestId: number): void;
}
