/**
 * FITS file structure: the primary HDU and any number of extensions (FITS 4.0 §3-§7,
 * STANDARDS.md A6/A2).
 *
 * `readFits(bytes)` parses every header and locates every data unit; it decodes no data
 * (images are decoded on demand by `FitsHdu.readImage()` / `readImagePlane()`).
 *
 * Data unit size (bytes) = |BITPIX| / 8 * GCOUNT * (PCOUNT + NAXIS1 * ... * NAXISn), with
 * PCOUNT = 0, GCOUNT = 1 for a primary HDU, and NAXIS1 left out of the product for random
 * groups (GROUPS = T, NAXIS1 = 0). This also sizes unknown extension types, so they are skipped
 * correctly. Each data unit is padded to a multiple of 2880 bytes, but the last one may end
 * unpadded (CDS HiPS FITS tiles); a data unit that extends past the end of the input is an
 * error (`FitsError` 'TRUNCATED'). Bytes after the last HDU that do not start an extension are
 * ignored with a warning (or rejected with `strict: true`).
 *
 * Every loop advances by at least one 80-byte card (a header) or one 2880-byte block (an HDU),
 * and every read is bounds-checked, so any input either parses or throws a FitsError.
 *
 * A gzip-compressed file (`.fits.gz`, recognised by its first two bytes 1f 8b) is inflated
 * first (synchronously, see inflate.ts). A data unit declared larger than `maxBytes` (default
 * 2 GiB, limits.ts) is refused with FitsError 'TOO_LARGE' before anything else is checked.
 *
 * Data are decoded on demand: `readImage()` / `readImagePlane()` (images, and tile-compressed
 * images: BINTABLE with ZIMAGE = T, see compressed.ts), `readTable()` (BINTABLE and TABLE, see
 * table.ts), `readGroups()` (random groups, see groups.ts).
 */

import { compressedImageInfo, compressedLayout, decompressImage, type CompressedImageInfo } from './compressed.js';
import { FitsError } from './errors.js';
import { FITS_BLOCK, FITS_CARD, type FitsHeader, type HeaderParseOptions } from './header.js';
import { parseHeaderCached } from './headerCache.js';
import { readGroups, type FitsGroups } from './groups.js';
import { gunzipFile, isGzip } from './inflate.js';
import { checkAllocation, DEFAULT_MAX_BYTES, resolveMaxBytes } from './limits.js';
import { FitsTable, type ReadTableOptions } from './table.js';
import {
  decodePixels,
  imageLayout,
  readBitpix,
  readNaxes,
  type Bitpix,
  type FitsImage,
  type ImageLayout,
  type ImageOutput,
  type ReadImageOptions,
} from './image.js';

/**
 * HDU classification.
 * - 'image': primary or IMAGE extension with NAXIS > 0 and every NAXISn > 0;
 * - 'empty': primary or IMAGE extension without data (NAXIS = 0 or some NAXISn = 0);
 * - 'bintable': BINTABLE extension (also tile-compressed images, see `isCompressedImage`);
 * - 'table': ASCII TABLE extension;
 * - 'groups': random-groups primary HDU (GROUPS = T, NAXIS1 = 0);
 * - 'unknown': any other XTENSION (sized and skipped; see `xtension`).
 */
export type FitsHduType = 'image' | 'bintable' | 'table' | 'empty' | 'groups' | 'unknown';

export interface ReadFitsOptions extends Omit<HeaderParseOptions, 'context'> {
  /**
   * Strict mode: also reject malformed cards (see HeaderParseOptions.strict), missing
   * PCOUNT/GCOUNT in extensions and non-FITS bytes after the last HDU.
   */
  strict?: boolean;
  /**
   * Memory limit in bytes (default 2 GiB): larger declared data units, decoded images and
   * tables, and gzip-compressed files that inflate to more are refused with FitsError
   * 'TOO_LARGE' before allocation. Kept by every HDU; readImage/readTable can override it.
   */
  maxBytes?: number;
  /**
   * The caller hands the bytes over: `readImage({ inPlace: true })` may then decode an image into
   * its own data bytes (see ReadImageOptions.inPlace). Refused (FitsError 'BAD_ARGUMENT') for a
   * SharedArrayBuffer and for a view that does not cover its whole ArrayBuffer (the rest of that
   * buffer may belong to someone else). Without it the input is never written.
   */
  consume?: boolean;
}

/** Image layouts of uncompressed image headers (immutable, so shared by the HDUs of a shared header). */
const layoutByHeader = new WeakMap<FitsHeader, ImageLayout>();

export class FitsHdu {
  /** 0 for the primary HDU. */
  readonly index: number;
  readonly header: FitsHeader;
  readonly type: FitsHduType;
  /** XTENSION value (trimmed), undefined for the primary HDU. */
  readonly xtension: string | undefined;
  /** EXTNAME, if any. */
  readonly extname: string | undefined;
  /**
   * BINTABLE holding a tile-compressed image (ZIMAGE = T). Its `type` stays 'bintable' (it can
   * be read with readTable()), and readImage()/readImagePlane() decompress the image.
   */
  readonly isCompressedImage: boolean;
  readonly bitpix: Bitpix;
  /** NAXIS1..NAXISn. */
  readonly naxes: readonly number[];
  readonly pcount: number;
  readonly gcount: number;
  /** Byte offset of the header in the input. */
  readonly headerOffset: number;
  /** Byte offset of the data unit in the input. */
  readonly dataOffset: number;
  /** Size of the data unit in bytes, without padding. */
  readonly dataLength: number;

  /** Memory limit of the decoders (ReadFitsOptions.maxBytes). */
  readonly maxBytes: number;

  private readonly bytes: Uint8Array;
  /** readFits was given `consume: true` (in-place decoding allowed). */
  private readonly consumable: boolean;
  /** Set when an in-place decode has overwritten the data unit. */
  private consumed = false;
  private layoutCache: ImageLayout | undefined;
  private compressionCache: CompressedImageInfo | undefined;
  private tableCache: FitsTable | undefined;

  /** @internal use readFits() */
  constructor(init: {
    index: number;
    header: FitsHeader;
    type: FitsHduType;
    xtension: string | undefined;
    bitpix: Bitpix;
    naxes: number[];
    pcount: number;
    gcount: number;
    headerOffset: number;
    dataOffset: number;
    dataLength: number;
    bytes: Uint8Array;
    maxBytes?: number;
    consumable?: boolean;
  }) {
    this.index = init.index;
    this.header = init.header;
    this.type = init.type;
    this.xtension = init.xtension;
    this.bitpix = init.bitpix;
    this.naxes = init.naxes;
    this.pcount = init.pcount;
    this.gcount = init.gcount;
    this.headerOffset = init.headerOffset;
    this.dataOffset = init.dataOffset;
    this.dataLength = init.dataLength;
    this.bytes = init.bytes;
    this.consumable = init.consumable === true;
    this.maxBytes = init.maxBytes ?? DEFAULT_MAX_BYTES;
    this.extname = init.header.getString('EXTNAME');
    this.isCompressedImage = init.type === 'bintable' && init.header.get('ZIMAGE') === true;
    this.layoutCache = undefined;
    this.compressionCache = undefined;
    this.tableCache = undefined;
  }

  /** The data unit's bytes (a view on the input, no copy; unpadded). */
  dataBytes(): Uint8Array {
    this.assertNotConsumed();
    return this.bytes.subarray(this.dataOffset, this.dataOffset + this.dataLength);
  }

  /** Whether readImage() works: an image HDU or a tile-compressed image. */
  get hasImage(): boolean {
    return this.type === 'image' || this.isCompressedImage;
  }

  /**
   * Image decode parameters (throws FitsError 'NOT_IMAGE' for HDUs without an image). For a
   * tile-compressed image: those of the image it holds (ZBITPIX, ZNAXISn, BSCALE, BZERO, ZBLANK).
   */
  imageLayout(): ImageLayout {
    this.assertImage();
    if (this.layoutCache === undefined) {
      const ctx = `HDU ${this.index}: `;
      if (this.isCompressedImage) this.layoutCache = compressedLayout(this.compression!, this.header, ctx);
      else {
        // a header shared by many HDUs (headerCache.ts: identical HiPS tile headers) is read once
        this.layoutCache = layoutByHeader.get(this.header);
        if (this.layoutCache === undefined) layoutByHeader.set(this.header, (this.layoutCache = imageLayout(this.header, ctx)));
      }
    }
    return this.layoutCache;
  }

  /**
   * Compression parameters of a tile-compressed image (ZCMPTYPE, ZTILEn, ZQUANTIZ...), or
   * undefined for other HDUs. Throws FitsError for invalid or unsupported compression keywords.
   */
  get compression(): CompressedImageInfo | undefined {
    if (!this.isCompressedImage) return undefined;
    if (this.compressionCache === undefined) this.compressionCache = compressedImageInfo(this.header, `HDU ${this.index}: `);
    return this.compressionCache;
  }

  /** Number of 2-D planes (product of NAXIS3..NAXISn); 0 for HDUs without an image. */
  get planeCount(): number {
    return this.hasImage ? this.imageLayout().planeCount : 0;
  }

  /**
   * The table of a BINTABLE or TABLE extension (also of a tile-compressed image: its tiles).
   * Columns are decoded on demand by `table.column(name)`. Throws FitsError 'BAD_ARGUMENT'
   * for HDUs that are not tables.
   */
  readTable(options: ReadTableOptions = {}): FitsTable {
    this.assertNotConsumed();
    if (this.type !== 'bintable' && this.type !== 'table') {
      throw new FitsError('BAD_ARGUMENT', `HDU ${this.index} is not a table (type ${this.type}${this.xtension ? `, XTENSION = '${this.xtension}'` : ''})`);
    }
    const maxBytes = resolveMaxBytes(options.maxBytes, this.maxBytes);
    if (this.tableCache !== undefined && maxBytes === this.maxBytes) return this.tableCache;
    const table = new FitsTable(this.header, this.type, this.naxes, this.pcount, {
      bytes: this.bytes,
      dataOffset: this.dataOffset,
      dataLength: this.dataLength,
      ctx: `HDU ${this.index}: `,
      maxBytes,
    });
    if (maxBytes === this.maxBytes) this.tableCache = table;
    return table;
  }

  /**
   * The parameters and arrays of a random-groups HDU (type 'groups'); see groups.ts. Throws
   * FitsError 'BAD_ARGUMENT' for other HDUs.
   */
  readGroups(options: ReadImageOptions = {}): FitsGroups {
    this.assertNotConsumed();
    if (options.inPlace === true || options.into !== undefined) throw new FitsError('BAD_ARGUMENT', `HDU ${this.index}: readGroups() does not take the options inPlace or into`);
    if (this.type !== 'groups') throw new FitsError('BAD_ARGUMENT', `HDU ${this.index} is not a random-groups HDU (type ${this.type})`);
    const maxBytes = resolveMaxBytes(options.maxBytes, this.maxBytes);
    return readGroups(this.header, this.bytes, this.dataOffset, this.naxes, this.pcount, this.gcount, maxBytes, options.output ?? 'auto', `HDU ${this.index}: `);
  }

  /** Decode the whole image to physical values (also of a tile-compressed image). */
  readImage(options: ReadImageOptions = {}): FitsImage {
    this.assertNotConsumed();
    const layout = this.imageLayout();
    const maxBytes = resolveMaxBytes(options.maxBytes, this.maxBytes);
    if (this.isCompressedImage) {
      this.refuseTarget(options, 'a tile-compressed image (its pixels are not stored as such)');
      const data = decompressImage(this.readTable({ maxBytes }), this.compression!, layout, options.output ?? 'auto', maxBytes, `HDU ${this.index}: `);
      return this.result(layout, layout.naxes.slice(), data);
    }
    let count = 1;
    for (const n of layout.naxes) count *= n;
    const data = this.decode(this.dataOffset, count, layout, options, maxBytes);
    return this.result(layout, layout.naxes.slice(), data);
  }

  /** decodePixels into a new array, the caller's `into`, or the data bytes themselves (`inPlace`). */
  private decode(offset: number, count: number, layout: ImageLayout, options: ReadImageOptions, maxBytes: number): Float32Array | Float64Array {
    const { inPlace, into } = options;
    if (inPlace === undefined && into === undefined) {
      // the common case first (runs once per decoded tile)
      this.checkOutput(count, layout, options, maxBytes);
      return decodePixels(this.bytes, offset, count, layout, options.output);
    }
    if (inPlace !== undefined && typeof inPlace !== 'boolean') throw new FitsError('BAD_ARGUMENT', `HDU ${this.index}: inPlace must be true or false, got ${String(inPlace)}`);
    if (inPlace === true) {
      if (into !== undefined) throw new FitsError('BAD_ARGUMENT', `HDU ${this.index}: the options inPlace and into exclude each other`);
      const target = this.inPlaceTarget(offset, count, layout, options.output ?? 'auto');
      const data = decodePixels(this.bytes, offset, count, layout, options.output, 'auto', target);
      this.consumed = true;
      return data;
    }
    if (into !== undefined) {
      const target = this.checkInto(into, offset, count, layout, options.output ?? 'auto');
      return decodePixels(this.bytes, offset, count, layout, target instanceof Float64Array ? 'float64' : 'float32', 'auto', target);
    }
    this.checkOutput(count, layout, options, maxBytes);
    return decodePixels(this.bytes, offset, count, layout, options.output);
  }

  /** The view on the data bytes that an in-place decode writes, or FitsError 'BAD_ARGUMENT' saying why it cannot. */
  private inPlaceTarget(offset: number, count: number, layout: ImageLayout, output: ImageOutput): Float32Array | Float64Array {
    const ctx = `HDU ${this.index}: inPlace: `;
    if (!this.consumable) throw new FitsError('BAD_ARGUMENT', `${ctx}the file was not read with readFits(bytes, { consume: true }), so its bytes are not ours to overwrite`);
    const kind = output === 'auto' ? layout.autoOutput : output;
    const same = (layout.bitpix === -32 && kind === 'float32') || (layout.bitpix === -64 && kind === 'float64');
    if (!same) {
      throw new FitsError(
        'BAD_ARGUMENT',
        `${ctx}BITPIX = ${layout.bitpix} -> ${kind} changes the size of a pixel (${Math.abs(layout.bitpix) / 8} -> ${kind === 'float32' ? 4 : 8} bytes); only BITPIX -32 -> float32 and BITPIX -64 -> float64 decode in place (use the option into for the others)`,
      );
    }
    const width = kind === 'float32' ? 4 : 8;
    const at = this.bytes.byteOffset + offset;
    if (at % width !== 0) throw new FitsError('BAD_ARGUMENT', `${ctx}the data start at byte ${at} of the buffer, not a multiple of ${width}`);
    const buffer = this.bytes.buffer as ArrayBuffer;
    return kind === 'float32' ? new Float32Array(buffer, at, count) : new Float64Array(buffer, at, count);
  }

  /** The caller's output array, checked: type, length, no overlap with the input bytes. */
  private checkInto(into: Float32Array | Float64Array, offset: number, count: number, layout: ImageLayout, output: ImageOutput): Float32Array | Float64Array {
    const ctx = `HDU ${this.index}: into: `;
    if (!(into instanceof Float32Array) && !(into instanceof Float64Array)) throw new FitsError('BAD_ARGUMENT', `${ctx}expected a Float32Array or a Float64Array, got ${Object.prototype.toString.call(into)}`);
    const kind = into instanceof Float32Array ? 'float32' : 'float64';
    if (output !== 'auto' && output !== kind) throw new FitsError('BAD_ARGUMENT', `${ctx}a ${into.constructor.name} does not match output: '${output}'`);
    if (into.length < count) throw new FitsError('BAD_ARGUMENT', `${ctx}the array has ${into.length} elements, the image needs ${count} (NAXISn = ${layout.naxes.join(' x ')})`);
    if ((into.buffer as ArrayBufferLike) === this.bytes.buffer) {
      const a0 = into.byteOffset;
      const a1 = a0 + count * into.BYTES_PER_ELEMENT;
      const b0 = this.bytes.byteOffset + offset;
      const b1 = b0 + count * (Math.abs(layout.bitpix) / 8);
      if (a0 < b1 && b0 < a1) throw new FitsError('BAD_ARGUMENT', `${ctx}the array overlaps the input bytes it is decoded from (use inPlace for an in-place decode)`);
    }
    return into.length === count ? into : into.subarray(0, count);
  }

  private refuseTarget(options: ReadImageOptions, what: string): void {
    if (options.inPlace === true || options.into !== undefined) {
      throw new FitsError('BAD_ARGUMENT', `HDU ${this.index}: the option ${options.inPlace === true ? 'inPlace' : 'into'} does not apply to ${what}`);
    }
  }

  private assertNotConsumed(): void {
    if (this.consumed) throw new FitsError('CONSUMED', `HDU ${this.index}: its data bytes were overwritten by readImage({ inPlace: true }); read the file again to decode it again`);
  }

  private checkOutput(count: number, layout: ImageLayout, options: ReadImageOptions, maxBytes: number): void {
    const kind = (options.output ?? 'auto') === 'auto' ? layout.autoOutput : options.output;
    const bytes = count * (kind === 'float32' ? 4 : 8);
    // the message is built only when it is needed (this runs once per decoded tile)
    if (!(bytes <= maxBytes)) checkAllocation(bytes, maxBytes, `HDU ${this.index}: `, `the decoded image (NAXISn = ${layout.naxes.join(' x ')})`);
  }

  /**
   * Decode one 2-D plane of a cube (NAXIS >= 3), reading only that plane's bytes.
   * `planeIndex` is the flattened index over NAXIS3..NAXISn (NAXIS3 fastest), or an array of
   * 0-based indices [i3, i4, ...]. For NAXIS <= 2 the only plane is 0 (the whole image).
   */
  readImagePlane(planeIndex: number | readonly number[], options: ReadImageOptions = {}): FitsImage {
    this.assertNotConsumed();
    const layout = this.imageLayout();
    const extra = layout.naxes.slice(2);
    let flat: number;
    if (typeof planeIndex === 'number') {
      flat = planeIndex;
    } else {
      if (planeIndex.length !== extra.length && !(extra.length === 0 && planeIndex.length === 0)) {
        throw new FitsError(
          'BAD_ARGUMENT',
          `HDU ${this.index}: plane index needs ${extra.length} coordinates (NAXIS3..NAXIS${layout.naxes.length}), got ${planeIndex.length}`,
        );
      }
      flat = 0;
      let stride = 1;
      for (let i = 0; i < extra.length; i++) {
        const k = planeIndex[i]!;
        if (!Number.isInteger(k) || k < 0 || k >= extra[i]!) {
          throw new FitsError('OUT_OF_RANGE', `HDU ${this.index}: plane coordinate ${k} is out of range [0, ${extra[i]! - 1}] for NAXIS${i + 3}`);
        }
        flat += k * stride;
        stride *= extra[i]!;
      }
    }
    if (!Number.isInteger(flat) || flat < 0 || flat >= layout.planeCount) {
      throw new FitsError('OUT_OF_RANGE', `HDU ${this.index}: plane ${flat} is out of range [0, ${layout.planeCount - 1}]`);
    }
    const shape = layout.naxes.length === 1 ? [layout.naxes[0]!] : [layout.naxes[0]!, layout.naxes[1]!];
    const maxBytes = resolveMaxBytes(options.maxBytes, this.maxBytes);
    if (this.isCompressedImage) {
      this.refuseTarget(options, 'a tile-compressed image (its pixels are not stored as such)');
      const data = decompressImage(this.readTable({ maxBytes }), this.compression!, layout, options.output ?? 'auto', maxBytes, `HDU ${this.index}: `, flat);
      return this.result(layout, shape, data);
    }
    const width = Math.abs(layout.bitpix) / 8;
    const offset = this.dataOffset + flat * layout.planePixels * width;
    const data = this.decode(offset, layout.planePixels, layout, options, maxBytes);
    return this.result(layout, shape, data);
  }

  private result(layout: ImageLayout, shape: number[], data: Float32Array | Float64Array): FitsImage {
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

  private assertImage(): void {
    if (this.type === 'image') return;
    if (this.isCompressedImage) {
      // validates the compression keywords (FitsError naming them)
      if (this.compression !== undefined) return;
    }
    let why: string;
    switch (this.type) {
      case 'empty':
        why = `has no data (NAXIS = ${this.naxes.length}${this.naxes.length ? ', NAXISn = ' + this.naxes.join(' x ') : ''})`;
        break;
      case 'bintable':
        why = 'is a binary table (BINTABLE), not an image';
        break;
      case 'table':
        why = 'is an ASCII table (TABLE), not an image';
        break;
      case 'groups':
        why = 'is a random-groups HDU (GROUPS = T), not an image';
        break;
      default:
        why = `is an extension of unknown type XTENSION = ${JSON.stringify(this.xtension)}`;
    }
    throw new FitsError('NOT_IMAGE', `HDU ${this.index} ${why}`);
  }
}

export class FitsFile {
  /** All HDUs; hdus[0] is the primary HDU. */
  readonly hdus: readonly FitsHdu[];
  /** Size of the input in bytes. */
  readonly byteLength: number;
  /** Problems tolerated while reading (headers' warnings are in each FitsHeader.warnings). */
  readonly warnings: readonly string[];
  /** The input was gzip-compressed (byteLength is then the size once inflated). */
  readonly gzipped: boolean;

  /** @internal use readFits() */
  constructor(hdus: FitsHdu[], byteLength: number, warnings: string[], gzipped = false) {
    this.hdus = hdus;
    this.byteLength = byteLength;
    this.warnings = warnings;
    this.gzipped = gzipped;
  }

  get primary(): FitsHdu {
    return this.hdus[0]!;
  }

  /** HDU by index, or by EXTNAME (case-insensitive) and optional EXTVER. */
  getHdu(which: number | string, extver?: number): FitsHdu | undefined {
    if (typeof which === 'number') return this.hdus[which];
    const name = which.trim().toUpperCase();
    return this.hdus.find(
      (h) =>
        h.extname !== undefined &&
        h.extname.trim().toUpperCase() === name &&
        (extver === undefined || (h.header.getInteger('EXTVER') ?? 1) === extver),
    );
  }

  /** The first HDU with an image (type 'image', or a tile-compressed image), if any. */
  firstImage(): FitsHdu | undefined {
    return this.hdus.find((h) => h.hasImage);
  }
}

/** The input as bytes; with `consume`, only an ArrayBuffer or a view covering a whole ArrayBuffer. */
function toBytes(input: ArrayBufferLike | ArrayBufferView, consume: boolean): Uint8Array {
  if (consume) {
    const buffer = ArrayBuffer.isView(input) ? input.buffer : input;
    if (Object.prototype.toString.call(buffer) === '[object SharedArrayBuffer]') {
      throw new FitsError('BAD_ARGUMENT', 'readFits(): consume: true is refused for a SharedArrayBuffer (other threads may read those bytes)');
    }
    if (ArrayBuffer.isView(input) && (input.byteOffset !== 0 || input.byteLength !== input.buffer.byteLength)) {
      throw new FitsError(
        'BAD_ARGUMENT',
        `readFits(): consume: true is refused for a view of bytes ${input.byteOffset}..${input.byteOffset + input.byteLength} of a bigger buffer (${input.buffer.byteLength} bytes; the rest may be in use): pass the whole ArrayBuffer`,
      );
    }
  }
  return toBytesView(input);
}

function toBytesView(input: ArrayBufferLike | ArrayBufferView): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input instanceof ArrayBuffer || Object.prototype.toString.call(input) === '[object SharedArrayBuffer]') {
    return new Uint8Array(input as ArrayBuffer);
  }
  throw new FitsError('BAD_ARGUMENT', 'readFits() expects an ArrayBuffer or a Uint8Array');
}

function printable(bytes: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < Math.min(bytes.length, start + len); i++) {
    const b = bytes[i]!;
    s += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
  }
  return s.trimEnd();
}

function startsWithKey(bytes: Uint8Array, p: number, key: string): boolean {
  if (p + 8 > bytes.length) return false;
  for (let i = 0; i < 8; i++) {
    const want = i < key.length ? key.charCodeAt(i) : 0x20;
    if (bytes[p + i] !== want) return false;
  }
  return true;
}

function isPadding(bytes: Uint8Array, start: number): boolean {
  const first = bytes[start];
  if (first !== 0 && first !== 0x20) return false;
  for (let i = start; i < bytes.length; i++) if (bytes[i] !== first) return false;
  return true;
}

/** Multiply non-negative integers, failing cleanly beyond 2^53. */
function safeProduct(values: number[], ctx: string): number {
  let p = 1;
  for (const v of values) {
    p *= v;
    if (!Number.isSafeInteger(p)) throw new FitsError('TOO_LARGE', `${ctx}the declared data size overflows (NAXISn/PCOUNT/GCOUNT too large)`);
  }
  return p;
}

/** Structure of one HDU from its header: type, XTENSION, BITPIX, NAXISn, PCOUNT, GCOUNT, data size. @internal */
export function hduStructure(
  header: FitsHeader,
  index: number,
  offset: number,
  strict: boolean,
  warnings: string[],
): { type: FitsHduType; xtension: string | undefined; bitpix: Bitpix; naxes: number[]; pcount: number; gcount: number; dataLength: number } {
  const ctx = `HDU ${index}: `;
  const first = header.entries[0];
  let xtension: string | undefined;
  if (index === 0) {
    if (first?.key !== 'SIMPLE' || first.value !== true) {
      throw new FitsError(
        'NOT_FITS',
        `not a FITS file: first card is not SIMPLE = T (SIMPLE = ${JSON.stringify(first?.value ?? null)})`,
      );
    }
  } else {
    if (first?.key !== 'XTENSION' || typeof first.value !== 'string' || first.value.trim() === '') {
      throw new FitsError('BAD_KEYWORD', `${ctx}extension header at byte ${offset} must start with XTENSION = '<type>'`);
    }
    xtension = first.value.trim();
  }

  const bitpix = readBitpix(header, ctx);
  const naxes = readNaxes(header, ctx);
  const groups = index === 0 && header.get('GROUPS') === true && naxes.length > 0 && naxes[0] === 0;
  let pcount = 0;
  let gcount = 1;
  if (index > 0 || groups) {
    for (const key of ['PCOUNT', 'GCOUNT'] as const) {
      const v = header.get(key);
      if (v === undefined) {
        const msg = `${ctx}mandatory keyword ${key} is missing (assuming ${key === 'PCOUNT' ? 0 : 1})`;
        if (strict) throw new FitsError('MISSING_KEYWORD', msg);
        warnings.push(msg);
        continue;
      }
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
        throw new FitsError('BAD_KEYWORD', `${ctx}${key} must be a non-negative integer, found ${JSON.stringify(v)}`);
      }
      if (key === 'PCOUNT') pcount = v;
      else gcount = v;
    }
  }

  let type: FitsHduType;
  const hasPixels = naxes.length > 0 && naxes.every((k) => k > 0);
  if (xtension === undefined) type = groups ? 'groups' : hasPixels ? 'image' : 'empty';
  else if (xtension === 'IMAGE') type = hasPixels ? 'image' : 'empty';
  else if (xtension === 'BINTABLE') type = 'bintable';
  else if (xtension === 'TABLE') type = 'table';
  else type = 'unknown';

  let dataLength = 0;
  if (naxes.length > 0) {
    const dims = groups ? naxes.slice(1) : naxes;
    const elements = safeProduct(dims, ctx) + pcount;
    dataLength = safeProduct([Math.abs(bitpix) / 8, gcount, elements], ctx);
  }
  if (type === 'image' && (pcount !== 0 || gcount !== 1)) {
    warnings.push(`${ctx}IMAGE extension with PCOUNT = ${pcount}, GCOUNT = ${gcount} (expected 0 and 1)`);
  }
  return { type, xtension, bitpix, naxes, pcount, gcount, dataLength };
}

/**
 * Structures of primary headers read without warnings, by header: a header shared by many files
 * (headerCache.ts: identical HiPS tile headers) is read once. Immutable (naxes is never written).
 */
const primaryByHeader = new WeakMap<FitsHeader, ReturnType<typeof hduStructure>>();

/** hduStructure, from primaryByHeader for a primary HDU whose header was read before. */
function primaryStructure(header: FitsHeader, index: number, offset: number, strict: boolean, warnings: string[]): ReturnType<typeof hduStructure> {
  if (index !== 0) return hduStructure(header, index, offset, strict, warnings);
  const known = primaryByHeader.get(header);
  if (known !== undefined) return known;
  const before = warnings.length;
  const s = hduStructure(header, index, offset, strict, warnings);
  if (warnings.length === before) primaryByHeader.set(header, s);
  return s;
}

const PRIMARY_HEADER_OPTIONS: HeaderParseOptions = Object.freeze({ strict: false, context: 'HDU 0' });

/**
 * Read the structure of a FITS file held in memory.
 *
 * @throws FitsError 'NOT_FITS' if the first card is not `SIMPLE = T`, 'NO_END' for a header
 *   without END, 'MISSING_KEYWORD' / 'BAD_KEYWORD' for invalid structural keywords,
 *   'TRUNCATED' when a data unit extends past the end of the input.
 */
export function readFits(input: ArrayBufferLike | ArrayBufferView, options: ReadFitsOptions = {}): FitsFile {
  if (options.consume !== undefined && typeof options.consume !== 'boolean') throw new FitsError('BAD_ARGUMENT', `readFits(): consume must be true or false, got ${String(options.consume)}`);
  const consume = options.consume === true;
  let bytes = toBytes(input, consume);
  const maxBytes = resolveMaxBytes(options.maxBytes);
  const gzipped = isGzip(bytes);
  if (gzipped) bytes = gunzipFile(bytes, maxBytes);
  const n = bytes.length;
  const strict = options.strict === true;
  const warnings: string[] = [];
  const hdus: FitsHdu[] = [];

  if (n < FITS_CARD) {
    throw new FitsError('NOT_FITS', `not a FITS file: the input has ${n} bytes, less than one 80-byte header card`);
  }
  if (!startsWithKey(bytes, 0, 'SIMPLE')) {
    throw new FitsError('NOT_FITS', `not a FITS file: first card is not SIMPLE = T (it starts with ${JSON.stringify(printable(bytes, 0, 30))})`);
  }

  let offset = 0;
  for (let index = 0; offset < n; index++) {
    const ctx = index === 0 ? 'HDU 0: ' : `HDU ${index}: `;
    // the parse options: one shared object for the common case (the primary HDU, default options)
    const headerOptions: HeaderParseOptions =
      index === 0 && !strict && options.maxHeaderBytes === undefined
        ? PRIMARY_HEADER_OPTIONS
        : { strict, ...(options.maxHeaderBytes !== undefined ? { maxHeaderBytes: options.maxHeaderBytes } : {}), context: index === 0 ? 'HDU 0' : `HDU ${index}` };
    const { header, paddedEnd } = parseHeaderCached(bytes, offset, headerOptions);
    const { type, xtension, bitpix, naxes, pcount, gcount, dataLength } = primaryStructure(header, index, offset, strict, warnings);

    const dataOffset = Math.min(paddedEnd, n);
    if (dataLength > maxBytes) {
      throw new FitsError(
        'TOO_LARGE',
        `${ctx}the header declares ${dataLength} bytes of data (BITPIX = ${bitpix}, NAXISn = ${naxes.join(' x ')}${pcount || gcount !== 1 ? `, PCOUNT = ${pcount}, GCOUNT = ${gcount}` : ''}), more than the limit of ${maxBytes} bytes (option maxBytes)`,
      );
    }
    if (dataLength > 0 && paddedEnd + dataLength > n) {
      throw new FitsError(
        'TRUNCATED',
        `${ctx}FITS data is truncated: the header declares ${dataLength} bytes of data at byte ${paddedEnd} ` +
          `(BITPIX = ${bitpix}, NAXISn = ${naxes.join(' x ') || '-'}${pcount || gcount !== 1 ? `, PCOUNT = ${pcount}, GCOUNT = ${gcount}` : ''}) ` +
          `but only ${Math.max(0, n - paddedEnd)} bytes remain`,
      );
    }

    hdus.push(
      new FitsHdu({ index, header, type, xtension, bitpix, naxes, pcount, gcount, headerOffset: offset, dataOffset, dataLength, bytes, maxBytes, consumable: consume }),
    );

    // next HDU: after the data padded to a whole block (the last block may be unpadded)
    const next = dataOffset + Math.ceil(dataLength / FITS_BLOCK) * FITS_BLOCK;
    if (next >= n) break;
    if (!startsWithKey(bytes, next, 'XTENSION')) {
      const what = isPadding(bytes, next) ? 'padding' : 'bytes that do not start an extension (XTENSION)';
      const msg = `ignored ${n - next} trailing ${what} after HDU ${index} at byte ${next}`;
      if (strict && !isPadding(bytes, next)) throw new FitsError('TRAILING_BYTES', msg);
      warnings.push(msg);
      break;
    }
    offset = next;
  }
  return new FitsFile(hdus, n, warnings, gzipped);
}
