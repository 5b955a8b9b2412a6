/**
 * Streaming FITS: read the HDUs of a file that is not (or cannot be) held in memory — a File/Blob
 * (read by slices), an HTTP server that answers Range requests, or any `ByteSource` — and decode
 * one plane of a cube at a time. Only the header blocks and the requested plane's bytes are read;
 * tables and tile-compressed images are read one HDU at a time (`readHdu`). A gzip-compressed
 * file cannot be read by parts: it is inflated whole (bounded by `maxBytes`).
 *
 * ```ts
 * const fits = await FitsStream.open(blobSource(file));
 * const hdu = fits.hdus.find((h) => h.hasImage)!;
 * const plane = await fits.readImagePlane(hdu.index, 41);  // { shape: [w, h], data, ... }
 * ```
 */
import { FitsError } from './errors.js';
import { FitsHdu, hduStructure, type FitsHduType } from './file.js';
import { FITS_BLOCK, FITS_CARD, parseHeader, type FitsHeader } from './header.js';
import { decodePixels, imageLayout, type Bitpix, type FitsImage, type ImageLayout, type ReadImageOptions } from './image.js';
import { gunzipFile, isGzip } from './inflate.js';
import { checkAllocation, resolveMaxBytes } from './limits.js';

/** Random access to the bytes of a file. `read` returns exactly `length` bytes (fewer only at the end). */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A File or Blob read by slices (never whole). */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, Math.min(blob.size, offset + length)).arrayBuffer()),
  };
}

/** Bytes already in memory (for tests and for gzip-inflated files). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)) };
}

/**
 * A URL read with HTTP Range requests. The size comes from the Content-Range of a first request;
 * a server that ignores Range (status 200) is refused with FitsError 'UNSUPPORTED' so that a big
 * file is never downloaded whole by surprise.
 */
export async function httpRangeSource(url: string, init: { signal?: AbortSignal; fetch?: typeof fetch } = {}): Promise<ByteSource> {
  const get = init.fetch ?? fetch;
  const range = async (offset: number, length: number): Promise<Response> => {
    const r = await get(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` }, ...(init.signal ? { signal: init.signal } : {}) });
    if (r.status === 416) return r;
    if (r.status !== 206) {
      await r.body?.cancel();
      throw new FitsError('UNSUPPORTED', `${url}: HTTP ${r.status} to a Range request (the server must answer 206 Partial Content to stream a FITS file)`);
    }
    return r;
  };
  const first = await range(0, FITS_BLOCK);
  const total = /\/(\d+)\s*$/.exec(first.headers.get('Content-Range') ?? '')?.[1];
  await first.body?.cancel();
  if (total === undefined) throw new FitsError('UNSUPPORTED', `${url}: the Range answer has no Content-Range with the file size`);
  const size = Number(total);
  return {
    size,
    read: async (offset, length) => {
      const end = Math.min(size, offset + length);
      if (end <= offset) return new Uint8Array(0);
      const r = await range(offset, end - offset);
      return new Uint8Array(await r.arrayBuffer());
    },
  };
}

/** One HDU found by scanning the headers; its data are not read. */
export interface StreamHdu {
  readonly index: number;
  readonly header: FitsHeader;
  readonly type: FitsHduType;
  readonly xtension: string | undefined;
  readonly bitpix: Bitpix;
  readonly naxes: readonly number[];
  readonly pcount: number;
  readonly gcount: number;
  readonly headerOffset: number;
  readonly dataOffset: number;
  readonly dataLength: number;
  /** An image (or a tile-compressed image) that readImagePlane can decode. */
  readonly hasImage: boolean;
  /** Planes of the image (product of NAXIS3..); 0 without an image. Tile-compressed: from ZNAXISn. */
  readonly planeCount: number;
}

export interface FitsStreamOptions {
  /** Memory limit for one read (a plane, an HDU, an inflated gzip file); default 2 GiB. */
  maxBytes?: number;
  /** Stop looking for an END card after this many header bytes (default 16 MiB). */
  maxHeaderBytes?: number;
  /** Most HDUs scanned (default 10,000). */
  maxHdus?: number;
  strict?: boolean;
}

const READ_BLOCKS = 4;

function hasEndCard(bytes: Uint8Array, from: number): boolean {
  for (let p = from - (from % FITS_CARD); p + FITS_CARD <= bytes.length; p += FITS_CARD) {
    if (bytes[p] === 0x45 && bytes[p + 1] === 0x4e && bytes[p + 2] === 0x44) {
      let blank = true;
      for (let i = 3; i < 8 && blank; i++) blank = bytes[p + i] === 0x20;
      if (blank) return true;
    }
  }
  return false;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export class FitsStream {
  readonly hdus: readonly StreamHdu[];
  readonly size: number;
  readonly warnings: readonly string[];
  private readonly source: ByteSource;
  private readonly maxBytes: number;

  private constructor(source: ByteSource, hdus: StreamHdu[], warnings: string[], maxBytes: number) {
    this.source = source;
    this.hdus = hdus;
    this.size = source.size;
    this.warnings = warnings;
    this.maxBytes = maxBytes;
  }

  /** Scan the headers of a file (reading only header blocks); throws FitsError for bad structure. */
  static async open(source: ByteSource, options: FitsStreamOptions = {}): Promise<FitsStream> {
    const maxBytes = resolveMaxBytes(options.maxBytes);
    const maxHeaderBytes = options.maxHeaderBytes ?? 16 * 2 ** 20;
    const maxHdus = options.maxHdus ?? 10_000;
    const strict = options.strict === true;
    const size = source.size;
    const head = await source.read(0, Math.min(size, FITS_BLOCK));
    if (isGzip(head)) {
      // gzip has no random access: inflate the whole file (bounded), then read it in memory
      checkAllocation(size, maxBytes, '', 'the gzip-compressed file');
      return FitsStream.open(bytesSource(gunzipFile(await source.read(0, size), maxBytes)), options);
    }
    if (size < FITS_CARD || String.fromCharCode(...head.subarray(0, 6)) !== 'SIMPLE') {
      throw new FitsError('NOT_FITS', `not a FITS file: the first card is not SIMPLE = T (${size} bytes)`);
    }
    const hdus: StreamHdu[] = [];
    const warnings: string[] = [];
    let offset = 0;
    for (let index = 0; offset < size; index++) {
      if (index >= maxHdus) throw new FitsError('TOO_LARGE', `more than ${maxHdus} HDUs (option maxHdus)`);
      // read header blocks until one holds END
      let bytes: Uint8Array = new Uint8Array(0);
      for (;;) {
        if (bytes.length >= maxHeaderBytes) throw new FitsError('NO_END', `HDU ${index}: no END card in the first ${bytes.length} header bytes at byte ${offset} (option maxHeaderBytes)`);
        const at = offset + bytes.length;
        if (at >= size) throw new FitsError('NO_END', `HDU ${index}: the header at byte ${offset} has no END card before the end of the file (${size} bytes)`);
        const chunk = await source.read(at, Math.min(size - at, READ_BLOCKS * FITS_BLOCK));
        if (chunk.length === 0) throw new FitsError('TRUNCATED', `HDU ${index}: no bytes could be read at byte ${at} of ${size}`);
        const from = bytes.length;
        bytes = concat(bytes, chunk);
        if (from === 0 && index > 0 && String.fromCharCode(...bytes.subarray(0, 8)) !== 'XTENSION') break;
        if (hasEndCard(bytes, from)) break;
      }
      if (index > 0 && String.fromCharCode(...bytes.subarray(0, 8)) !== 'XTENSION') {
        warnings.push(`ignored ${size - offset} trailing bytes after HDU ${index - 1} at byte ${offset}`);
        break;
      }
      const { header, paddedEnd } = parseHeader(bytes, 0, { strict, context: `HDU ${index}` });
      const s = hduStructure(header, index, offset, strict, warnings);
      const dataOffset = offset + paddedEnd;
      if (s.dataLength > 0 && dataOffset + s.dataLength > size) {
        throw new FitsError(
          'TRUNCATED',
          `HDU ${index}: FITS data is truncated: the header declares ${s.dataLength} bytes of data at byte ${dataOffset} (BITPIX = ${s.bitpix}, NAXISn = ${s.naxes.join(' x ') || '-'}) but only ${Math.max(0, size - dataOffset)} bytes remain`,
        );
      }
      const compressed = s.type === 'bintable' && header.get('ZIMAGE') === true;
      const hasImage = s.type === 'image' || compressed;
      let planeCount = 0;
      if (s.type === 'image') planeCount = imageLayout(header, `HDU ${index}: `).planeCount;
      else if (compressed) {
        const zn = header.getInteger('ZNAXIS') ?? 0;
        planeCount = 1;
        for (let k = 3; k <= zn; k++) planeCount *= header.getInteger(`ZNAXIS${k}`) ?? 1;
      }
      hdus.push({ index, header, ...s, headerOffset: offset, dataOffset, hasImage, planeCount });
      offset = dataOffset + Math.ceil(s.dataLength / FITS_BLOCK) * FITS_BLOCK;
    }
    return new FitsStream(source, hdus, warnings, maxBytes);
  }

  private hdu(index: number): StreamHdu {
    const h = this.hdus[index];
    if (!h) throw new FitsError('BAD_ARGUMENT', `no HDU ${index} (the file has ${this.hdus.length})`);
    return h;
  }

  /**
   * Read one HDU's data into memory and give it as a FitsHdu (tables, tile-compressed images,
   * anything readImagePlane does not stream). Its `dataOffset` is relative to the bytes read.
   */
  async readHdu(index: number): Promise<FitsHdu> {
    const h = this.hdu(index);
    checkAllocation(h.dataLength, this.maxBytes, `HDU ${index}: `, 'the data unit');
    const bytes = await this.source.read(h.dataOffset, h.dataLength);
    if (bytes.length < h.dataLength) throw new FitsError('TRUNCATED', `HDU ${index}: read ${bytes.length} of ${h.dataLength} data bytes`);
    const { header, type, xtension, bitpix, naxes, pcount, gcount, headerOffset, dataLength } = h;
    return new FitsHdu({ index, header, type, xtension, bitpix, naxes: [...naxes], pcount, gcount, headerOffset, dataOffset: 0, dataLength, bytes, maxBytes: this.maxBytes });
  }

  /**
   * Decode one 2-D plane (flattened index over NAXIS3..) of an image HDU, reading only that
   * plane's bytes (a tile-compressed image is read whole, one HDU).
   */
  async readImagePlane(index: number, plane: number, options: ReadImageOptions = {}): Promise<FitsImage> {
    if (options.inPlace === true || options.into !== undefined) {
      throw new FitsError('BAD_ARGUMENT', `HDU ${index}: FitsStream.readImagePlane() does not take the options inPlace or into (it reads the plane's bytes itself; use readFits on bytes for them)`);
    }
    const h = this.hdu(index);
    if (!h.hasImage) throw new FitsError('NOT_IMAGE', `HDU ${index} has no image (type ${h.type})`);
    if (h.type !== 'image') return (await this.readHdu(index)).readImagePlane(plane, options);
    const layout: ImageLayout = imageLayout(h.header, `HDU ${index}: `);
    if (!Number.isInteger(plane) || plane < 0 || plane >= layout.planeCount) {
      throw new FitsError('OUT_OF_RANGE', `HDU ${index}: plane ${plane} is out of range [0, ${layout.planeCount - 1}]`);
    }
    const width = Math.abs(layout.bitpix) / 8;
    const kind = (options.output ?? 'auto') === 'auto' ? layout.autoOutput : options.output;
    const maxBytes = resolveMaxBytes(options.maxBytes, this.maxBytes);
    checkAllocation(layout.planePixels * (kind === 'float32' ? 4 : 8), maxBytes, `HDU ${index}: `, `the decoded plane (${layout.naxes.slice(0, 2).join(' x ')})`);
    const bytes = await this.source.read(h.dataOffset + plane * layout.planePixels * width, layout.planePixels * width);
    const data = decodePixels(bytes, 0, layout.planePixels, layout, options.output);
    const shape = layout.naxes.length === 1 ? [layout.naxes[0]!] : [layout.naxes[0]!, layout.naxes[1]!];
    return {
      shape,
      data,
      bitpix: layout.bitpix,
      bscale: layout.bscale,
      bzero: layout.bzero,
      blank: layout.blank === undefined ? undefined : Number(layout.blank),
      storedType: layout.storedType,
    };
  }
}
