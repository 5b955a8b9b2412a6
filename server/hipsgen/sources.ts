/**
 * Inputs of the HiPS generator, each as a function that gives the value at the centre of any
 * HEALPix cell of the HiPS's frame:
 *  - a FITS image with a celestial WCS (any projection src/workers/fits/wcs.ts handles),
 *    sampled bilinearly between pixel centres (NaN-aware: a NaN neighbour takes no weight);
 *  - a HEALPix map (BINTABLE, PIXTYPE = HEALPIX, ORDERING RING or NESTED, NSIDE), read into
 *    NESTED order; a cell deeper than the map takes its ancestor's value (exact), a coarser cell
 *    is built by the generator's averaging.
 * Bad input -> HipsgenError naming the file, HDU and keyword.
 */
import { readFits, type FitsHdu } from '../../src/workers/fits/index.js';
import { parseWcs, type Wcs } from '../../src/workers/fits/wcs.js';
import { ring2nest } from '../../src/hips/healpixRing.js';

export class HipsgenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HipsgenError';
  }
}

export type SkyFrame = 'equatorial' | 'galactic' | 'ecliptic';

export interface ImageSource {
  readonly kind: 'image';
  readonly frame: SkyFrame;
  readonly wcs: Wcs;
  readonly width: number;
  readonly height: number;
  /** FITS order: rows bottom to top. */
  readonly data: Float32Array | Float64Array;
  /** Size of one image pixel along the lines of the CD matrix, degrees (the larger of the two). */
  readonly pixelScaleDeg: number;
}

export interface HealpixMapSource {
  readonly kind: 'healpix';
  readonly frame: SkyFrame;
  readonly order: number;
  /** Values in NESTED order, 12·4^order of them; NaN where the map is UNSEEN/blank. */
  readonly nested: Float32Array;
}

export type HipsgenSource = ImageSource | HealpixMapSource;

const FRAMES: Record<string, SkyFrame> = { G: 'galactic', GALACTIC: 'galactic', C: 'equatorial', Q: 'equatorial', EQUATORIAL: 'equatorial', ICRS: 'equatorial', E: 'ecliptic', ECLIPTIC: 'ecliptic' };

function firstWith(file: string, hdus: readonly FitsHdu[], test: (h: FitsHdu) => boolean, what: string): FitsHdu {
  const h = hdus.find(test);
  if (!h) throw new HipsgenError(`${file}: no HDU holds ${what}`);
  return h;
}

/** A FITS image with a celestial WCS (the first image HDU with NAXIS >= 2). */
export function imageSource(file: string, bytes: Uint8Array): ImageSource {
  const fits = readFits(bytes);
  const hdu = firstWith(file, fits.hdus, (h) => h.hasImage && h.imageLayout().naxes.length >= 2, 'an image of 2 or more axes');
  let wcs: Wcs;
  try {
    wcs = parseWcs(hdu.header);
  } catch (e) {
    throw new HipsgenError(`${file}, HDU ${fits.hdus.indexOf(hdu)}: ${(e as Error).message}`);
  }
  if (wcs.frame === 'other') throw new HipsgenError(`${file}: CTYPE ${wcs.ctype.join(', ')} is not a celestial frame (RA/DEC, GLON/GLAT, ELON/ELAT)`);
  const img = hdu.readImage();
  const [width, height] = img.shape;
  if (img.shape.length > 2 && img.shape.slice(2).some((n) => n > 1)) {
    throw new HipsgenError(`${file}: a cube (${img.shape.join('x')}); the generator takes one plane — extract it first`);
  }
  const [[a, b], [c, d]] = wcs.cd;
  const pixelScaleDeg = Math.max(Math.hypot(a, c), Math.hypot(b, d));
  return { kind: 'image', frame: wcs.frame, wcs, width, height, data: img.data, pixelScaleDeg };
}

/**
 * A HEALPix map: the first BINTABLE with PIXTYPE = HEALPIX (or NSIDE + ORDERING), column `column`
 * (default the first). `frame` overrides/supplies COORDSYS (WMAP files have none).
 */
export function healpixMapSource(file: string, bytes: Uint8Array, opts: { column?: string; frame?: SkyFrame } = {}): HealpixMapSource {
  const fits = readFits(bytes);
  const hdu = firstWith(file, fits.hdus, (h) => h.type === 'bintable' && (h.header.get('PIXTYPE') === 'HEALPIX' || h.header.get('NSIDE') !== undefined), 'a HEALPix map (BINTABLE with PIXTYPE = HEALPIX)');
  const where = `${file}, HDU ${fits.hdus.indexOf(hdu)}`;
  const nsideValue = Number(hdu.header.get('NSIDE'));
  const order = Math.log2(nsideValue);
  if (!Number.isInteger(order) || order < 0 || order > 13) throw new HipsgenError(`${where}: NSIDE = ${hdu.header.get('NSIDE')} is not a power of 2 up to 8192`);
  const ordering = String(hdu.header.get('ORDERING') ?? '').trim().toUpperCase();
  if (ordering !== 'RING' && ordering !== 'NESTED') throw new HipsgenError(`${where}: ORDERING = '${ordering}', expected RING or NESTED`);
  if (String(hdu.header.get('INDXSCHM') ?? 'IMPLICIT').trim().toUpperCase() !== 'IMPLICIT') throw new HipsgenError(`${where}: INDXSCHM = EXPLICIT (partial maps) is not supported`);
  const coordsys = hdu.header.get('COORDSYS') ?? fits.hdus[0]?.header.get('COORDSYS');
  const fromHeader = coordsys === undefined ? undefined : FRAMES[String(coordsys).trim().toUpperCase()];
  if (coordsys !== undefined && !fromHeader && !opts.frame) throw new HipsgenError(`${where}: COORDSYS = '${coordsys}' is not G, C/Q or E`);
  const frame = opts.frame ?? fromHeader;
  if (!frame) throw new HipsgenError(`${where}: the map has no COORDSYS keyword; say its frame (galactic, equatorial or ecliptic)`);
  const table = hdu.readTable();
  const names = table.columns.map((c) => c.name);
  const name = opts.column ?? names[0];
  if (name === undefined || !names.includes(name)) throw new HipsgenError(`${where}: no column '${opts.column}'; columns: ${names.join(', ')}`);
  const values = table.column(name) as unknown;
  if (!(values instanceof Float32Array || values instanceof Float64Array || values instanceof Int16Array || values instanceof Int32Array || values instanceof Uint8Array)) {
    throw new HipsgenError(`${where}: column '${name}' is not numeric`);
  }
  const n = 12 * 4 ** order;
  if (values.length !== n) throw new HipsgenError(`${where}: column '${name}' has ${values.length} values, NSIDE ${nsideValue} needs ${n}`);
  const nested = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(values[i]);
    // HEALPix UNSEEN (-1.6375e30) and non-finite values are blank
    const value = Number.isFinite(v) && Math.abs(v + 1.6375e30) > 1e25 ? v : NaN;
    nested[ordering === 'RING' ? ring2nest(order, i) : i] = value;
  }
  return { kind: 'healpix', frame, order, nested };
}

/**
 * Bilinear value of the image at world (lon, lat) in the image's frame, degrees; NaN outside
 * the image, outside the projection, or where all four neighbours are NaN.
 */
export function sampleImage(src: ImageSource, lonDeg: number, latDeg: number): number {
  const [px, py] = src.wcs.worldToPixel(lonDeg, latDeg);
  if (!Number.isFinite(px) || !Number.isFinite(py)) return NaN;
  // 1-based pixel centres; valid area [0.5, N + 0.5]
  const x = px - 1;
  const y = py - 1;
  if (x < -0.5 || y < -0.5 || x > src.width - 0.5 || y > src.height - 0.5) return NaN;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  let sum = 0;
  let wsum = 0;
  for (let j = 0; j < 2; j++) {
    const yy = Math.min(src.height - 1, Math.max(0, y0 + j));
    const wy = j === 0 ? 1 - fy : fy;
    for (let i = 0; i < 2; i++) {
      const xx = Math.min(src.width - 1, Math.max(0, x0 + i));
      const w = wy * (i === 0 ? 1 - fx : fx);
      const v = src.data[yy * src.width + xx];
      if (w > 0 && Number.isFinite(v)) {
        sum += w * v;
        wsum += w;
      }
    }
  }
  return wsum > 0 ? sum / wsum : NaN;
}
