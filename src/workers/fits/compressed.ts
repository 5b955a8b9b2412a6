/**
 * Tile-compressed images (FITS 4.0 §10, the tiled image compression convention; STANDARDS.md
 * A6): a BINTABLE with ZIMAGE = T whose rows are the compressed tiles of an image.
 *
 * Keywords: ZBITPIX, ZNAXIS, ZNAXISn (the image), ZTILEn (tile size; default ZNAXIS1 x 1 x ...:
 * row by row), ZCMPTYPE, ZNAMEi/ZVALi (RICE_1: BLOCKSIZE default 32, BYTEPIX default 4),
 * ZQUANTIZ (NO_DITHER when absent, SUBTRACTIVE_DITHER_1, SUBTRACTIVE_DITHER_2, NONE = floats
 * compressed losslessly), ZDITHER0 (default 1), ZBLANK (keyword, else column, else BLANK),
 * ZSCALE/ZZERO (column, else keyword), BSCALE/BZERO/BLANK of the image.
 * Columns: COMPRESSED_DATA (1PB/1QB), and for tiles that could not be compressed normally
 * GZIP_COMPRESSED_DATA (gzipped float/double pixels) or UNCOMPRESSED_DATA (the pixels as they
 * are; used by CFITSIO until 2011); ZSCALE, ZZERO, ZBLANK per tile.
 *
 * Algorithms: RICE_1 (see rice.ts), GZIP_1 (gzip of the big-endian tile values), GZIP_2 (the
 * same after byte shuffling: all most significant bytes first), NOCOMPRESS (the big-endian
 * values as they are), PLIO_1 (see plio.ts), HCOMPRESS_1 without smoothing (see hcompress.ts;
 * not ZBITPIX 64). Anything else gives FitsError 'UNSUPPORTED' naming ZCMPTYPE. For GZIP/NOCOMPRESS the stored integer width is found, as CFITSIO does, from
 * the inflated size: 1, 2, 4 or 8 bytes per pixel.
 *
 * Floating-point images are usually quantized: the tile holds integers I and
 *   NO_DITHER:            value = I * ZSCALE + ZZERO
 *   SUBTRACTIVE_DITHER_1: value = (I - R + 0.5) * ZSCALE + ZZERO
 *   SUBTRACTIVE_DITHER_2: the same, except that I = -2147483646 is exactly 0.0
 * with I = ZBLANK (-2147483647 by convention) undefined (NaN). R runs through a fixed sequence
 * of 10000 float32 numbers (`ditherSequence()`): the Park & Miller minimal standard generator
 * (a = 16807, m = 2^31 - 1, seed 1), each value seed / m rounded to float32. The tile in row
 * `row` (1-based) starts at iseed = (row + ZDITHER0 - 2) mod 10000 and uses
 * R[k] from k = floor(R[iseed] * 500); after each pixel (undefined ones too) k is incremented,
 * and when it reaches 10000, iseed is incremented (mod 10000) and k restarts at
 * floor(R[iseed] * 500). Output values are rounded once, from float64, to the output type.
 *
 * Integer images: value = BZERO + BSCALE * I, with I = ZBLANK / BLANK undefined (NaN), as for
 * uncompressed images (image.ts), so `readImage()` gives the same result for an image and its
 * compressed version. Output arrays follow image.ts's rule, from ZBITPIX.
 */

import { FitsError } from './errors.js';
import type { FitsHeader } from './header.js';
import { type Bitpix, type ImageLayout, type ImageOutput, VALID_BITPIX } from './image.js';
import { inflateTile } from './inflate.js';
import { checkAllocation } from './limits.js';
import { riceBadCode, riceDecompress, riceStreamEnded } from './rice.js';
import { riceBatchSimd } from './simd.js';
import { plioDecompress } from './plio.js';
import { hcompressDecompress } from './hcompress.js';
import type { FitsColumn, FitsTable, FitsTypedArray } from './table.js';

export type ZQuantize = 'NO_DITHER' | 'SUBTRACTIVE_DITHER_1' | 'SUBTRACTIVE_DITHER_2' | 'NONE';

export const SUPPORTED_ZCMPTYPES: readonly string[] = ['RICE_1', 'GZIP_1', 'GZIP_2', 'PLIO_1', 'HCOMPRESS_1', 'NOCOMPRESS'];

/** Parameters of a tile-compressed image, from its BINTABLE header. */
export interface CompressedImageInfo {
  /** ZCMPTYPE, trimmed ('RICE_ONE' is read as 'RICE_1'). */
  zcmptype: string;
  zbitpix: Bitpix;
  /** ZNAXIS1..n */
  znaxes: number[];
  /** ZTILE1..n */
  ztile: number[];
  quantize: ZQuantize;
  /** ZDITHER0 */
  dither0: number;
  /** RICE_1 BLOCKSIZE */
  blocksize: number;
  /** RICE_1 BYTEPIX */
  bytepix: number;
  /** HCOMPRESS_1 SMOOTH (0: none) */
  smooth: number;
  /** ZBLANK/BLANK keyword (the ZBLANK column, if any, wins per tile). */
  zblank: number | undefined;
  /** ZSCALE / ZZERO keywords, if any. */
  zscale: number | undefined;
  zzero: number | undefined;
  /** Number of tiles. */
  tileCount: number;
}

const N_RANDOM = 10000;
let randoms: Float32Array | undefined;

/**
 * The 10000 dither random numbers of the tiled-image convention (float32 values of the Park &
 * Miller minimal standard generator, seed 1). The 10000th seed is 1043618065.
 */
export function ditherSequence(): Float32Array {
  if (randoms) return randoms;
  const r = new Float32Array(N_RANDOM);
  const a = 16807;
  const m = 2147483647;
  let seed = 1;
  for (let i = 0; i < N_RANDOM; i++) {
    const t = a * seed; // < 2^46: exact in float64
    seed = t - m * Math.floor(t / m);
    r[i] = seed / m;
  }
  if (seed !== 1043618065) throw new Error('dither random sequence is wrong'); // cannot happen
  randoms = r;
  return r;
}

function intKey(header: FitsHeader, key: string, ctx: string, min: number, max: number, dflt?: number): number {
  const v = header.get(key);
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    throw new FitsError('MISSING_KEYWORD', `${ctx}tile-compressed image: mandatory keyword ${key} is missing`);
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new FitsError('BAD_KEYWORD', `${ctx}tile-compressed image: ${key} = ${JSON.stringify(v)} must be an integer in [${min}, ${max}]`);
  }
  return v;
}

function numKey(header: FitsHeader, key: string, ctx: string): number | undefined {
  const v = header.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FitsError('BAD_KEYWORD', `${ctx}${key} must be a finite number, found ${JSON.stringify(v)}`);
  return v;
}

/** Read and validate the compression keywords. */
export function compressedImageInfo(header: FitsHeader, ctx: string): CompressedImageInfo {
  const ztype = header.get('ZCMPTYPE');
  if (ztype === undefined) throw new FitsError('MISSING_KEYWORD', `${ctx}tile-compressed image: mandatory keyword ZCMPTYPE is missing`);
  if (typeof ztype !== 'string') throw new FitsError('BAD_KEYWORD', `${ctx}ZCMPTYPE must be a string, found ${JSON.stringify(ztype)}`);
  let zcmptype = ztype.trim().toUpperCase();
  if (zcmptype === 'RICE_ONE') zcmptype = 'RICE_1';
  if (!SUPPORTED_ZCMPTYPES.includes(zcmptype)) {
    const known = ['BZIP2_1'].includes(zcmptype);
    throw new FitsError(
      'UNSUPPORTED',
      `${ctx}ZCMPTYPE = '${ztype.trim()}': ${known ? 'this compression algorithm is not supported' : 'unknown compression algorithm'} (supported: ${SUPPORTED_ZCMPTYPES.join(', ')})`,
    );
  }
  const zb = intKey(header, 'ZBITPIX', ctx, -64, 64);
  if (!(VALID_BITPIX as readonly number[]).includes(zb)) throw new FitsError('BAD_KEYWORD', `${ctx}ZBITPIX = ${zb} is not a valid BITPIX`);
  const zbitpix = zb as Bitpix;
  const znaxis = intKey(header, 'ZNAXIS', ctx, 1, 999);
  const znaxes: number[] = [];
  const ztile: number[] = [];
  let tileCount = 1;
  for (let i = 1; i <= znaxis; i++) {
    const n = intKey(header, `ZNAXIS${i}`, ctx, 1, Number.MAX_SAFE_INTEGER);
    znaxes.push(n);
    const t = intKey(header, `ZTILE${i}`, ctx, 1, Number.MAX_SAFE_INTEGER, i === 1 ? n : 1);
    ztile.push(t);
    tileCount *= Math.ceil(n / t);
    if (!Number.isSafeInteger(tileCount)) throw new FitsError('TOO_LARGE', `${ctx}the number of tiles (ZNAXISn / ZTILEn) overflows`);
  }
  // ZNAMEi / ZVALi
  const params = new Map<string, number>();
  for (let i = 1; i <= 999; i++) {
    const name = header.get(`ZNAME${i}`);
    if (name === undefined) break;
    const val = header.get(`ZVAL${i}`);
    if (typeof name === 'string' && typeof val === 'number') params.set(name.trim().toUpperCase(), val);
  }
  let blocksize = params.get('BLOCKSIZE') ?? 32;
  let bytepix = params.get('BYTEPIX') ?? (zbitpix === 8 ? 1 : zbitpix === 16 ? 2 : 4);
  if (zcmptype === 'RICE_1') {
    if (!params.has('BLOCKSIZE') && !params.has('BYTEPIX')) {
      // old files: positional ZVAL1 = block size, ZVAL2 = bytes per pixel
      const v1 = header.get('ZVAL1');
      const v2 = header.get('ZVAL2');
      if (typeof v1 === 'number') blocksize = v1;
      if (typeof v2 === 'number') bytepix = v2;
    }
    if (!Number.isInteger(blocksize) || blocksize < 1 || blocksize > 1 << 20) {
      throw new FitsError('BAD_KEYWORD', `${ctx}RICE_1 BLOCKSIZE (ZVALi) = ${blocksize} is not a valid block size`);
    }
    if (bytepix !== 1 && bytepix !== 2 && bytepix !== 4) {
      throw new FitsError(bytepix === 8 ? 'UNSUPPORTED' : 'BAD_KEYWORD', `${ctx}RICE_1 BYTEPIX (ZVALi) = ${bytepix} is not supported (1, 2 or 4)`);
    }
  }
  const smooth = params.get('SMOOTH') ?? 0;
  if (zcmptype === 'HCOMPRESS_1' && zbitpix === 64) {
    throw new FitsError('UNSUPPORTED', `${ctx}ZCMPTYPE = 'HCOMPRESS_1' with ZBITPIX = 64 is not supported`);
  }
  let quantize: ZQuantize = 'NO_DITHER';
  const zq = header.get('ZQUANTIZ');
  if (typeof zq === 'string') {
    const q = zq.trim().toUpperCase();
    if (q === 'SUBTRACTIVE_DITHER_1' || q === 'SUBTRACTIVE_DITHER_2' || q === 'NONE' || q === 'NO_DITHER') quantize = q;
    else throw new FitsError('UNSUPPORTED', `${ctx}ZQUANTIZ = '${zq.trim()}' is not a known quantization method`);
  }
  const dither0 = intKey(header, 'ZDITHER0', ctx, -2147483648, 2147483647, 1);
  let zblank: number | undefined;
  for (const key of ['ZBLANK', 'BLANK']) {
    const v = header.get(key);
    if (typeof v === 'number' && Number.isInteger(v)) {
      zblank = v;
      break;
    }
  }
  return {
    zcmptype,
    zbitpix,
    znaxes,
    ztile,
    quantize,
    dither0,
    blocksize,
    bytepix,
    smooth,
    zblank,
    zscale: numKey(header, 'ZSCALE', ctx),
    zzero: numKey(header, 'ZZERO', ctx),
    tileCount,
  };
}

/** Columns of the compressed-image table. */
interface TileColumns {
  compressed: FitsColumn;
  gzip: FitsColumn | undefined;
  uncompressed: FitsColumn | undefined;
  zscale: FitsColumn | undefined;
  zzero: FitsColumn | undefined;
  zblank: FitsColumn | undefined;
}

function tileColumns(table: FitsTable, ctx: string): TileColumns {
  const find = (name: string) => table.getColumn(name);
  const compressed = find('COMPRESSED_DATA');
  if (!compressed) throw new FitsError('MISSING_KEYWORD', `${ctx}tile-compressed image without a COMPRESSED_DATA column (TTYPEn)`);
  const vla = (c: FitsColumn | undefined, name: string) => {
    if (c && !c.variableLength) throw new FitsError('BAD_KEYWORD', `${ctx}column ${name} (TFORM${c.index + 1} = '${c.tform}') must be a variable-length array (1PB, 1QB...)`);
    return c;
  };
  const scalar = (c: FitsColumn | undefined, name: string) => {
    if (c && (c.variableLength || c.repeat < 1 || !'BIJKED'.includes(c.elementCode))) {
      throw new FitsError('BAD_KEYWORD', `${ctx}column ${name} (TFORM${c.index + 1} = '${c.tform}') must be a numeric scalar column`);
    }
    return c;
  };
  return {
    compressed: vla(compressed, 'COMPRESSED_DATA')!,
    gzip: vla(find('GZIP_COMPRESSED_DATA'), 'GZIP_COMPRESSED_DATA'),
    uncompressed: vla(find('UNCOMPRESSED_DATA'), 'UNCOMPRESSED_DATA'),
    zscale: scalar(find('ZSCALE'), 'ZSCALE'),
    zzero: scalar(find('ZZERO'), 'ZZERO'),
    zblank: scalar(find('ZBLANK'), 'ZBLANK'),
  };
}

/** Image layout (as image.ts) of a compressed image: ZBITPIX, ZNAXISn, BSCALE, BZERO, BLANK. */
export function compressedLayout(info: CompressedImageInfo, header: FitsHeader, ctx: string): ImageLayout {
  const bitpix = info.zbitpix;
  const naxes = info.znaxes.slice();
  const bscale = numKey(header, 'BSCALE', ctx) ?? 1;
  const bzero = numKey(header, 'BZERO', ctx) ?? 0;
  const blank = bitpix > 0 && info.zblank !== undefined ? BigInt(info.zblank) : undefined;
  const planePixels = naxes.length === 1 ? naxes[0]! : naxes[0]! * naxes[1]!;
  let planeCount = 1;
  for (let i = 2; i < naxes.length; i++) planeCount *= naxes[i]!;
  return {
    bitpix,
    naxes,
    bscale,
    bzero,
    blank,
    storedType: storedTypeOf(bitpix, bscale, bzero),
    autoOutput: bitpix === 8 || bitpix === 16 || bitpix === -32 ? 'float32' : 'float64',
    planePixels,
    planeCount,
  };
}

function storedTypeOf(bitpix: Bitpix, bscale: number, bzero: number): ImageLayout['storedType'] {
  if (bitpix < 0) return bscale === 1 && bzero === 0 ? (bitpix === -32 ? 'float32' : 'float64') : 'scaled';
  if (bscale !== 1) return 'scaled';
  const table: Record<number, [number, ImageLayout['storedType'], ImageLayout['storedType']]> = {
    8: [-128, 'uint8', 'int8'],
    16: [32768, 'int16', 'uint16'],
    32: [2147483648, 'int32', 'uint32'],
    64: [9223372036854775808, 'int64', 'uint64'],
  };
  const [u, plain, unsigned] = table[bitpix]!;
  return bzero === 0 ? plain : bzero === u ? unsigned : 'scaled';
}

const ZERO_VALUE = -2147483646;
/** CFITSIO's FLOATNULLVALUE / DOUBLENULLVALUE, the NaN of its uncompressed float tiles. */
const FLOAT_NULL = Math.fround(-9.11912e-36);
const DOUBLE_NULL = -9.1191291391491e-36;

/** ZBITPIX -32 read as float64: round the tile's values to float32 (float64 output = float32 output). */
function roundTile(values: Float64Array, n: number, dec: { round: boolean }): Float64Array {
  if (dec.round) for (let i = 0; i < n; i++) values[i] = Math.fround(values[i]!);
  return values;
}

/**
 * Decompress the tiles of a compressed image that intersect `planes` (flat plane indices over
 * ZNAXIS3..n; all planes when undefined) into a new array of physical values.
 */
export function decompressImage(
  table: FitsTable,
  info: CompressedImageInfo,
  layout: ImageLayout,
  output: ImageOutput,
  maxBytes: number,
  ctx: string,
  plane?: number,
): Float32Array | Float64Array {
  const cols = tileColumns(table, ctx);
  if (table.nrows !== info.tileCount) {
    throw new FitsError(
      'BAD_KEYWORD',
      `${ctx}tile-compressed image: NAXIS2 = ${table.nrows} rows, but ZNAXISn / ZTILEn = ${info.znaxes.join(' x ')} / ${info.ztile.join(' x ')} make ${info.tileCount} tiles`,
    );
  }
  const nd = info.znaxes.length;
  const kind = output === 'auto' ? layout.autoOutput : output;
  const width = kind === 'float32' ? 4 : 8;
  let count = plane === undefined ? 1 : layout.planePixels;
  if (plane === undefined) for (const n of info.znaxes) count *= n;
  checkAllocation(count * width, maxBytes, ctx, `the decompressed image (ZNAXISn = ${info.znaxes.join(' x ')})`);
  let maxTile = 1;
  for (let k = 0; k < nd; k++) maxTile *= Math.min(info.ztile[k]!, info.znaxes[k]!);
  checkAllocation(maxTile * 16 + 1, maxBytes, ctx, `a decompressed tile (ZTILEn = ${info.ztile.join(' x ')})`);
  const out = kind === 'float32' ? new Float32Array(count) : new Float64Array(count);

  // plane coordinates (axes 3..n) when reading one plane
  const planeCoord: number[] = [];
  if (plane !== undefined) {
    let p = plane;
    for (let k = 2; k < nd; k++) {
      planeCoord.push(p % info.znaxes[k]!);
      p = Math.floor(p / info.znaxes[k]!);
    }
  }
  const ntiles = info.ztile.map((t, k) => Math.ceil(info.znaxes[k]! / t));
  const tileIdx = new Array<number>(nd).fill(0);
  // the current tile's position (reused: riceTiles copies what it keeps)
  const start = new Array<number>(nd).fill(0);
  const size = new Array<number>(nd).fill(0);
  const target: TileTarget = { start, size, naxes: info.znaxes, planeCoord: plane === undefined ? undefined : planeCoord };
  // the JavaScript decoders' buffers, made when a tile first needs them (WebAssembly RICE_1 tiles do not)
  let buffers: TileBuffers | undefined;
  const scratch = (): TileBuffers => {
    if (buffers) return buffers;
    const inflated = new Uint8Array(maxTile * 8 + 1);
    const shuffled = info.zcmptype === 'GZIP_2' ? new Uint8Array(maxTile * 8) : inflated;
    return (buffers = { ints: new Int32Array(maxTile), floats: new Float64Array(maxTile), inflated, shuffled });
  };
  // float32 output rounds by itself; float64 output of a ZBITPIX -32 image is rounded per tile
  const round = kind === 'float64' && info.zbitpix === -32;
  const dec: TileDecoder = { table, info, layout, cols, scratch, columns: new Map(), round, ctx };
  const rice = info.zcmptype === 'RICE_1' ? riceTiles(dec, out, maxTile, kind) : undefined;

  for (let row = 0; row < info.tileCount; row++) {
    // tile position: index `row` with the first axis fastest
    let rem = row;
    for (let k = 0; k < nd; k++) {
      tileIdx[k] = rem % ntiles[k]!;
      rem = Math.floor(rem / ntiles[k]!);
    }
    for (let k = 0; k < nd; k++) {
      start[k] = tileIdx[k]! * info.ztile[k]!;
      size[k] = Math.min(info.ztile[k]!, info.znaxes[k]! - start[k]!);
    }
    if (plane !== undefined) {
      let hit = true;
      for (let k = 2; k < nd; k++) if (planeCoord[k - 2]! < start[k]! || planeCoord[k - 2]! >= start[k]! + size[k]!) hit = false;
      if (!hit) continue;
    }
    let tilelen = 1;
    for (const s of size) tilelen *= s;
    if (rice?.add(row, tilelen, target)) continue;
    rice?.flush(); // earlier tiles first: their errors come first
    scatter(decodeTile(dec, row, tilelen), out, target);
  }
  rice?.flush();
  return out;
}

/** Where a decoded tile goes in the output (scatter's arguments). */
interface TileTarget {
  start: number[];
  size: number[];
  naxes: number[];
  /** Coordinates on axes 3..n of the one plane read (undefined: the whole image). */
  planeCoord: number[] | undefined;
}

/**
 * RICE_1 tiles through WebAssembly (simd.ts RiceBatch): `add` queues a tile (false when it must be
 * decoded in JavaScript: no WebAssembly, an empty COMPRESSED_DATA, a tile too large), `flush`
 * decodes the queue in one call and copies each tile's values into the image - one copy for a
 * run of tiles that are contiguous there (row tiles) - and throws rice.ts's error for a bad tile.
 */
function riceTiles(dec: TileDecoder, out: Float32Array | Float64Array, maxTile: number, kind: 'float32' | 'float64'): { add(row: number, n: number, target: TileTarget): boolean; flush(): void } | undefined {
  const { info, table, cols, ctx } = dec;
  const isFloat = info.zbitpix < 0;
  const dither = isFloat && (info.quantize === 'SUBTRACTIVE_DITHER_1' || info.quantize === 'SUBTRACTIVE_DITHER_2');
  const batch = riceBatchSimd({
    blocksize: info.blocksize,
    bytepix: info.bytepix as 1 | 2 | 4,
    mode: !dither ? 0 : info.quantize === 'SUBTRACTIVE_DITHER_1' ? 1 : 2,
    kind: kind === 'float32' ? 0 : dec.round ? 2 : 1,
    maxTile,
    rtab: ditherSequence(),
  });
  if (batch === undefined) return undefined;
  // the queued tiles, in parallel arrays reused by every batch: row, pixels, compressed bytes, and
  // where the values go (an output index for a contiguous tile, else its TileTarget)
  const rows: number[] = [];
  const ns: number[] = [];
  const lens: number[] = [];
  const dsts: number[] = [];
  const targets: (TileTarget | undefined)[] = [];
  const scaling: TileScaling = { scale: 1, zero: 0, blank: undefined };
  const flush = (): void => {
    const count = rows.length;
    if (count === 0) return;
    const r = batch.run();
    if (!(r instanceof Float32Array || r instanceof Float64Array)) {
      const i = r.index;
      const what = `${ctx}tile ${rows[i]! + 1} (${info.zcmptype})`;
      rows.length = 0;
      throw r.failure === 'badcode' ? riceBadCode(what) : riceStreamEnded(what, lens[i]!, ns[i]!);
    }
    // runs of tiles contiguous in the image and in the batch: one copy each
    let runSrc = 0;
    let runDst = -1;
    let runLen = 0;
    let src = 0;
    for (let i = 0; i < count; i++) {
      const dst = dsts[i]!;
      const n = ns[i]!;
      if (dst >= 0 && runDst >= 0 && runDst + runLen === dst) runLen += n;
      else {
        if (runDst >= 0) out.set(r.subarray(runSrc, runSrc + runLen), runDst);
        runDst = -1;
        if (dst >= 0) {
          runSrc = src;
          runDst = dst;
          runLen = n;
        } else scatter(r.subarray(src, src + n), out, targets[i]!);
      }
      src += n;
    }
    if (runDst >= 0) out.set(r.subarray(runSrc, runSrc + runLen), runDst);
    rows.length = ns.length = lens.length = dsts.length = targets.length = 0;
  };
  return {
    add(row, n, target) {
      const cdata = table.heapBytes(cols.compressed, row);
      if (cdata.length === 0) return false;
      tileScaling(dec, row, scaling);
      if (!batch.add(cdata, n, mod(row + 1 + info.dither0 - 2, N_RANDOM), scaling.scale, scaling.zero, scaling.blank)) return false;
      const dst = contiguousStart(target);
      rows.push(row);
      ns.push(n);
      lens.push(cdata.length);
      dsts.push(dst);
      targets.push(dst >= 0 ? undefined : { ...target, start: target.start.slice(), size: target.size.slice() });
      if (batch.full) flush();
      return true;
    },
    flush,
  };
}

/** Output index of a tile that is one contiguous run of the image (or of the plane read), else -1. */
function contiguousStart(t: TileTarget): number {
  const { start, size, naxes, planeCoord } = t;
  const nd = naxes.length;
  const outAxes = planeCoord === undefined ? nd : Math.min(nd, 2);
  for (let k = 2; k < nd; k++) if (size[k] !== 1) return -1;
  if (nd > 1 && size[0] !== naxes[0] && size[1] !== 1) return -1;
  let dst = 0;
  let stride = 1;
  for (let k = 0; k < outAxes; k++) {
    dst += start[k]! * stride;
    stride *= naxes[k]!;
  }
  return dst;
}

/** Buffers of the JavaScript tile decoders, each for the largest tile. */
interface TileBuffers {
  ints: Int32Array;
  floats: Float64Array;
  inflated: Uint8Array;
  /** GZIP_2: buffer for the unshuffled bytes. */
  shuffled: Uint8Array;
}

interface TileDecoder {
  table: FitsTable;
  info: CompressedImageInfo;
  layout: ImageLayout;
  cols: TileColumns;
  scratch: () => TileBuffers;
  /** Float ZSCALE / ZZERO / ZBLANK columns decoded whole (cellNumber), by column index. */
  columns: Map<number, Float32Array | Float64Array>;
  /** Round the tile's values to float32 (float64 output of a ZBITPIX -32 image). */
  round: boolean;
  ctx: string;
}

/** A tile's scaling and null value (as CFITSIO: the ZSCALE/ZZERO column, else keywords, else BSCALE/BZERO; ZBLANK column, else keyword). */
function tileScaling(dec: TileDecoder, row: number, into: TileScaling): TileScaling {
  const { info, layout, cols } = dec;
  const isFloat = info.zbitpix < 0;
  let scale = 1;
  let zero = 0;
  let hasZ = false;
  if (cols.zscale || cols.zzero) {
    scale = cols.zscale ? cellNumber(dec, cols.zscale, row) : 1;
    zero = cols.zzero ? cellNumber(dec, cols.zzero, row) : 0;
    hasZ = true;
    if (isFloat && (layout.bscale !== 1 || layout.bzero !== 0)) {
      zero = zero * layout.bscale + layout.bzero;
      scale = scale * layout.bscale;
    }
  } else if (info.zscale !== undefined || info.zzero !== undefined) {
    scale = info.zscale ?? 1;
    zero = info.zzero ?? 0;
    hasZ = true;
  }
  if (!hasZ || (scale === 1 && zero === 0)) {
    scale = layout.bscale;
    zero = layout.bzero;
  }
  let blank: number | undefined = info.zblank;
  if (cols.zblank) {
    const b = cellNumber(dec, cols.zblank, row);
    blank = Number.isFinite(b) ? b : undefined;
  }

  into.scale = scale;
  into.zero = zero;
  into.blank = blank;
  return into;
}

/**
 * A scalar cell of the ZSCALE / ZZERO / ZBLANK columns as a float64 (FitsTable.numberAt): from the
 * whole column decoded once when it is a scalar float column (1D, 1E: the same values), else per cell.
 */
function cellNumber(dec: TileDecoder, c: FitsColumn, row: number): number {
  if ((c.elementCode !== 'D' && c.elementCode !== 'E') || c.repeat !== 1) return dec.table.numberAt(c, row);
  let values = dec.columns.get(c.index);
  if (values === undefined) {
    values = dec.table.column(c.index) as Float32Array | Float64Array;
    dec.columns.set(c.index, values);
  }
  return values[row]!;
}

/** A tile's scaling and null value (tileScaling). */
interface TileScaling {
  scale: number;
  zero: number;
  blank: number | undefined;
}

/** Decode one tile (0-based row) to physical values (float64, in dec.floats[0..tilelen)). */
function decodeTile(dec: TileDecoder, row: number, tilelen: number): Float64Array {
  const { table, info, cols, ctx } = dec;
  const { ints, floats, inflated, shuffled } = dec.scratch();
  const what = `${ctx}tile ${row + 1} (${info.zcmptype})`;
  const cdata = table.heapBytes(cols.compressed, row);
  const isFloat = info.zbitpix < 0;

  if (cdata.length === 0) {
    // a tile that was not compressed normally
    if (cols.gzip && table.descriptor(cols.gzip, row).count > 0) {
      const g = table.heapBytes(cols.gzip, row);
      const n = inflateTile(g, inflated.subarray(0, tilelen * 8 + 1), `${what} GZIP_COMPRESSED_DATA`);
      const dv = new DataView(inflated.buffer, inflated.byteOffset, n);
      if (n === tilelen * 4) for (let i = 0; i < tilelen; i++) floats[i] = dv.getFloat32(4 * i);
      else if (n === tilelen * 8) for (let i = 0; i < tilelen; i++) floats[i] = dv.getFloat64(8 * i);
      else throw new FitsError('BAD_DATA', `${what}: GZIP_COMPRESSED_DATA inflates to ${n} bytes, not 4 or 8 per pixel of the ${tilelen}-pixel tile`);
      return floats;
    }
    if (cols.uncompressed && table.descriptor(cols.uncompressed, row).count > 0) {
      const c = cols.uncompressed;
      const d = table.descriptor(c, row);
      if (d.count !== tilelen) throw new FitsError('BAD_DATA', `${what}: UNCOMPRESSED_DATA holds ${d.count} values, not the ${tilelen} pixels of the tile`);
      const v = (table.column(c.index) as FitsTypedArray[])[row]!;
      for (let i = 0; i < tilelen; i++) floats[i] = Number(v[i]!);
      if (isFloat && (info.zblank !== undefined || cols.zblank)) {
        // CFITSIO writes the NaN of an uncompressed float tile as its internal null markers
        for (let i = 0; i < tilelen; i++) if (floats[i] === FLOAT_NULL || floats[i] === DOUBLE_NULL) floats[i] = NaN;
      }
      return roundTile(floats, tilelen, dec);
    }
    throw new FitsError('BAD_DATA', `${what}: the tile has no data (empty COMPRESSED_DATA and no GZIP_COMPRESSED_DATA / UNCOMPRESSED_DATA)`);
  }

  const { scale, zero, blank } = tileScaling(dec, row, { scale: 1, zero: 0, blank: undefined });

  // 1. decompress to stored values: ints (Int32) or floats (float32/64 when NO_QUANTIZE)
  let storedFloats = false; // values already in `floats`
  let bigValues: BigInt64Array | undefined;
  if (info.zcmptype === 'RICE_1') {
    // JavaScript (WebAssembly tiles go through riceTiles)
    riceDecompress(cdata, ints, tilelen, info.blocksize, info.bytepix as 1 | 2 | 4, what);
  } else if (info.zcmptype === 'PLIO_1') {
    plioDecompress(cdata, ints, tilelen, what);
  } else if (info.zcmptype === 'HCOMPRESS_1') {
    hcompressDecompress(cdata, ints, tilelen, info.smooth, what, info.zbitpix !== 8 && info.zbitpix !== 16);
  } else {
    let bytes: Uint8Array;
    let n: number;
    if (info.zcmptype === 'NOCOMPRESS') {
      bytes = cdata;
      n = cdata.length;
    } else {
      n = inflateTile(cdata, inflated.subarray(0, tilelen * 8 + 1), what);
      bytes = inflated;
    }
    const w = n / tilelen;
    if (w !== 1 && w !== 2 && w !== 4 && w !== 8) {
      throw new FitsError('BAD_DATA', `${what}: the tile data are ${n} bytes, not 1, 2, 4 or 8 bytes for each of its ${tilelen} pixels`);
    }
    if (info.zcmptype === 'GZIP_2' && w > 1) bytes = unshuffle(bytes, n, w, shuffled);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
    if (w === 1) for (let i = 0; i < tilelen; i++) ints[i] = dv.getUint8(i);
    else if (w === 2) for (let i = 0; i < tilelen; i++) ints[i] = dv.getInt16(2 * i);
    else if (w === 4) {
      if (isFloat && info.quantize === 'NONE') {
        for (let i = 0; i < tilelen; i++) floats[i] = dv.getFloat32(4 * i);
        storedFloats = true;
      } else for (let i = 0; i < tilelen; i++) ints[i] = dv.getInt32(4 * i);
    } else if (isFloat || info.zbitpix !== 64) {
      for (let i = 0; i < tilelen; i++) floats[i] = dv.getFloat64(8 * i);
      storedFloats = true;
    } else {
      bigValues = new BigInt64Array(tilelen);
      for (let i = 0; i < tilelen; i++) bigValues[i] = dv.getBigInt64(8 * i);
    }
  }

  if (storedFloats) {
    if (scale !== 1 || zero !== 0) for (let i = 0; i < tilelen; i++) floats[i] = zero + scale * floats[i]!;
    return roundTile(floats, tilelen, dec);
  }
  if (bigValues) {
    const bb = blank === undefined ? undefined : BigInt(blank);
    for (let i = 0; i < tilelen; i++) floats[i] = bigValues[i] === bb ? NaN : zero + scale * Number(bigValues[i]!);
    return floats;
  }
  const nullv = blank === undefined ? NaN : blank;
  if (isFloat && (info.quantize === 'SUBTRACTIVE_DITHER_1' || info.quantize === 'SUBTRACTIVE_DITHER_2')) {
    const R = ditherSequence();
    const keepZero = info.quantize === 'SUBTRACTIVE_DITHER_2';
    let iseed = mod(row + 1 + info.dither0 - 2, N_RANDOM);
    let next = Math.trunc(Math.fround(R[iseed]! * 500));
    for (let i = 0; i < tilelen; i++) {
      const v = ints[i]!;
      if (v === nullv) floats[i] = NaN;
      else if (keepZero && v === ZERO_VALUE) floats[i] = 0;
      else floats[i] = (v - R[next]! + 0.5) * scale + zero;
      next++;
      if (next === N_RANDOM) {
        iseed++;
        if (iseed === N_RANDOM) iseed = 0;
        next = Math.trunc(Math.fround(R[iseed]! * 500));
      }
    }
    return roundTile(floats, tilelen, dec);
  }
  for (let i = 0; i < tilelen; i++) {
    const v = ints[i]!;
    floats[i] = v === nullv ? NaN : v * scale + zero;
  }
  return roundTile(floats, tilelen, dec);
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** GZIP_2: bytes are stored most significant bytes first (all pixels), then the next... */
function unshuffle(src: Uint8Array, n: number, w: number, out: Uint8Array): Uint8Array {
  const count = n / w;
  for (let b = 0; b < w; b++) {
    const base = b * count;
    for (let i = 0; i < count; i++) out[i * w + b] = src[base + i]!;
  }
  return out;
}

/** Copy a decoded tile into the image (or into one plane of it). */
function scatter(values: Float32Array | Float64Array, out: Float32Array | Float64Array, target: TileTarget): void {
  const { start, size, naxes, planeCoord } = target;
  const nd = naxes.length;
  const run = size[0]!;
  // iterate over the tile's rows (axes 1..nd-1), odometer style
  const idx = new Array<number>(nd).fill(0);
  let src = 0;
  for (;;) {
    // destination offset of this run
    let dst = start[0]!;
    let stride = naxes[0]!;
    let skip = false;
    const outAxes = planeCoord === undefined ? nd : Math.min(nd, 2);
    for (let k = 1; k < nd; k++) {
      const c = start[k]! + idx[k]!;
      if (k < outAxes) {
        dst += c * stride;
        stride *= naxes[k]!;
      } else if (planeCoord !== undefined && c !== planeCoord[k - 2]) skip = true;
    }
    if (!skip) out.set(values.subarray(src, src + run), dst); // converts (rounds) to the output type
    src += run;
    let k = 1;
    for (; k < nd; k++) {
      idx[k]!++;
      if (idx[k]! < size[k]!) break;
      idx[k] = 0;
    }
    if (k >= nd) break;
  }
}
