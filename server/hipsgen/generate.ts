/**
 * The project's HiPS generator: an all-sky image with a WCS, or a HEALPix map, -> a HiPS
 * (HiPS 1.0, ../shared/STANDARDS.md §A2) of FITS tiles (BITPIX -32, NaN = blank), Allsky.fits,
 * properties and Moc.fits.
 *
 * How: the HiPS's pixels are HEALPix cells of order P = hips_order + log2(tile width). The
 * generator fills one float32 array with the value of every order-P cell in NESTED order (image:
 * bilinear at the cell centre; HEALPix map: the map's cell or its ancestor), then halves the order
 * by averaging each 4 children (NaN-aware) down to order log2(tile width). In NESTED order the
 * W² pixels of tile N at order K are the contiguous cells N·W² … (N+1)·W² − 1 of order K + S, with
 * pixel (column c, row r from the top) = cell N·W² + spread(r) + 2·spread(c) — so every tile is a
 * gather from one slice. FITS rows are stored bottom-up: data row W − 1 − r.
 * Tiles with no finite pixel are not written (and are outside the MOC).
 *
 * Memory: 4 bytes · 12 · 4^P (P = 10: 50 MB); P is limited to 11.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { angularDistanceDeg, cellRadiusDeg, corners, pix2ang, vec2pix } from '../../src/hips/healpix.js';
import { queryDisc } from '../../src/hips/healpixQuery.js';
import { SpaceMoc } from '../../src/hips/moc/index.js';
import { allskyPath, tilePath } from '../../src/hips/tilePath.js';
import { writeFitsImage } from '../../src/export/fitsWriter.js';
import { applyMat3, frameRotation, type Mat3 } from '../../src/math/frames.js';
import { HipsgenError, sampleImage, type HipsgenSource, type ImageSource, type SkyFrame } from './sources.js';

export const MAX_PIXEL_ORDER = 11;

export interface HipsgenOptions {
  /** Directory name under HIPS_DIR and the id in creator_did. */
  readonly id: string;
  readonly title: string;
  /** Tile width in pixels, a power of 2 from 8 to 512 (default 512, or smaller for coarse data). */
  readonly tileWidth?: number;
  /** hips_order; default: the order whose pixels are no larger than the data's (at least 0). */
  readonly order?: number;
  readonly description?: string;
  /** The input's name, for prov_progenitor. */
  readonly progenitor?: string;
  /** obs_regime (Radio, Millimeter, Infrared, Optical, UV, EUV, X-ray, Gamma-ray). */
  readonly regime?: string;
  readonly copyright?: string;
  /** Fixed release date (tests); default now. */
  readonly releaseDate?: Date;
  readonly progress?: (done: number, total: number, what: string) => void;
}

export interface HipsgenResult {
  readonly dir: string;
  readonly order: number;
  readonly tileWidth: number;
  readonly pixelOrder: number;
  readonly tilesWritten: number;
  readonly tilesSkipped: number;
  readonly dataRange: [number, number];
  readonly cut: [number, number];
  readonly skyFraction: number;
  readonly properties: Record<string, string>;
}

const HIPS_FRAME: Record<SkyFrame, string> = { equatorial: 'equatorial', galactic: 'galactic', ecliptic: 'ecliptic' };
const FRAME_OF: Record<SkyFrame, 'icrs' | 'galactic' | 'ecliptic'> = { equatorial: 'icrs', galactic: 'galactic', ecliptic: 'ecliptic' };

/** spread(x): the bits of x at even positions (x = 0b101 -> 0b10001). */
function spread(x: number): number {
  let r = 0;
  for (let b = 0; x >> b; b++) if ((x >> b) & 1) r += 2 ** (2 * b);
  return r;
}

/** The order whose cell size (√(4π/npix)) is at most `scaleDeg`. */
export function orderForScale(scaleDeg: number): number {
  for (let k = 0; k <= 29; k++) if (Math.sqrt((4 * Math.PI) / (12 * 4 ** k)) * (180 / Math.PI) <= scaleDeg) return k;
  return 29;
}

/** Average each 4 consecutive NESTED cells (NaN-aware): order k -> k - 1. */
export function degradeNested(cells: Float32Array): Float32Array {
  const out = new Float32Array(cells.length / 4);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const v = cells[4 * i + k];
      if (v === v) {
        s += v;
        n++;
      }
    }
    out[i] = n ? s / n : NaN;
  }
  return out;
}

/**
 * ICRS coverage MOC of the HiPS cells with finite values. `icrsToFrame` undefined: the HiPS is
 * in ICRS (exact, order min(P, 10)); else sampled at order min(P, 8): an ICRS cell is in when its
 * centre or one of its 4 vertices lies in a covered cell of the HiPS frame.
 */
function coverageMoc(byOrder: Float32Array[], pixelOrder: number, icrsToFrame: Mat3 | undefined): SpaceMoc {
  const covered: number[] = [];
  if (!icrsToFrame) {
    const m = Math.min(pixelOrder, 10);
    const cov = byOrder[m]!;
    for (let i = 0; i < cov.length; i++) if (cov[i] === cov[i]) covered.push(i);
    return SpaceMoc.fromCells(m, covered);
  }
  const m = Math.min(pixelOrder, 8);
  const cov = byOrder[m]!;
  const v = [0, 0, 0];
  const inFrame = (lonDeg: number, latDeg: number): boolean => {
    const lon = (lonDeg * Math.PI) / 180;
    const lat = (latDeg * Math.PI) / 180;
    const c = Math.cos(lat);
    applyMat3(icrsToFrame, [c * Math.cos(lon), c * Math.sin(lon), Math.sin(lat)], v);
    const x = cov[vec2pix(m, v[0]!, v[1]!, v[2]!)]!;
    return x === x;
  };
  const n = 12 * 4 ** m;
  for (let i = 0; i < n; i++) {
    const [lon, lat] = pix2ang(m, i);
    if (inFrame(lon, lat) || corners(m, i).some(([a, b]) => inFrame(a, b))) covered.push(i);
  }
  return SpaceMoc.fromCells(m, covered);
}

/**
 * NESTED cell ranges [a, b) at `order` that can hold image data: a cone through the image's
 * centre pixel reaching its farthest border pixel, plus a cell; the whole sky when the image
 * spans more than a hemisphere or its border does not project.
 */
function imageCone(src: ImageSource, order: number): Array<[number, number]> {
  const all: Array<[number, number]> = [[0, 12 * 4 ** order]];
  const [lon0, lat0] = src.wcs.pixelToWorld((src.width + 1) / 2, (src.height + 1) / 2);
  if (!Number.isFinite(lon0) || !Number.isFinite(lat0)) return all;
  let maxDeg = 0;
  const border: Array<[number, number]> = [];
  for (let k = 0; k <= 16; k++) {
    const t = k / 16;
    const x = 0.5 + t * src.width;
    const y = 0.5 + t * src.height;
    border.push([x, 0.5], [x, src.height + 0.5], [0.5, y], [src.width + 0.5, y]);
  }
  for (const [x, y] of border) {
    const [lon, lat] = src.wcs.pixelToWorld(x, y);
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return all;
    maxDeg = Math.max(maxDeg, angularDistanceDeg(lon0, lat0, lon, lat));
  }
  // border samples 1/16 apart: allow for the arc between them, and one cell of margin
  const radius = maxDeg * 1.05 + 2 * cellRadiusDeg(order) + src.pixelScaleDeg;
  if (radius >= 90) return all;
  return queryDisc(order, lon0, lat0, radius, { inclusive: true });
}

/** Cell values at order `pixelOrder` in NESTED order. */
function sampleCells(src: HipsgenSource, pixelOrder: number, progress?: HipsgenOptions['progress']): Float32Array {
  const n = 12 * 4 ** pixelOrder;
  const cells = new Float32Array(n);
  if (src.kind === 'healpix') {
    if (pixelOrder >= src.order) {
      const shift = 4 ** (pixelOrder - src.order);
      for (let i = 0; i < n; i++) cells[i] = src.nested[Math.floor(i / shift)];
    } else {
      let a = src.nested;
      for (let k = src.order; k > pixelOrder; k--) a = degradeNested(a);
      cells.set(a);
    }
    return cells;
  }
  // only the cells of a cone around the image (a small image need not visit the whole sky)
  cells.fill(NaN);
  const ranges = imageCone(src, pixelOrder);
  const total = ranges.reduce((s, [a, b]) => s + b - a, 0);
  const step = Math.max(1, Math.floor(total / 100));
  let done = 0;
  for (const [a, b] of ranges) {
    for (let i = a; i < b; i++, done++) {
      const [lon, lat] = pix2ang(pixelOrder, i);
      cells[i] = sampleImage(src, lon, lat);
      if (progress && done % step === 0) progress(done, total, 'sampling');
    }
  }
  return cells;
}

function quantileOf(sorted: Float32Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

function isoMinute(d: Date): string {
  return d.toISOString().slice(0, 16) + 'Z';
}

/** Build the HiPS into `outDir` (created; existing files of the same names are overwritten). */
export function generateHips(src: HipsgenSource, outDir: string, opts: HipsgenOptions): HipsgenResult {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(opts.id)) throw new HipsgenError(`HiPS id '${opts.id}' must be letters, digits, '.', '_' or '-' (it names a directory)`);
  const dataOrder = src.kind === 'healpix' ? src.order : orderForScale(src.pixelScaleDeg);
  let tileWidth = opts.tileWidth ?? Math.min(512, 2 ** Math.max(3, dataOrder));
  const s = Math.log2(tileWidth);
  if (!Number.isInteger(s) || s < 3 || s > 9) throw new HipsgenError(`tile width ${opts.tileWidth} must be a power of 2 from 8 to 512`);
  const order = opts.order ?? Math.max(0, dataOrder - s);
  if (!Number.isInteger(order) || order < 0) throw new HipsgenError(`order ${opts.order} must be an integer >= 0`);
  const pixelOrder = order + s;
  if (pixelOrder > MAX_PIXEL_ORDER) {
    throw new HipsgenError(`hips_order ${order} with ${tileWidth}-px tiles means pixels of HEALPix order ${pixelOrder}; this generator holds the whole sky in memory and stops at order ${MAX_PIXEL_ORDER} — use a smaller order or tile width`);
  }
  tileWidth = 2 ** s;

  const byOrder: Float32Array[] = [];
  byOrder[pixelOrder] = sampleCells(src, pixelOrder, opts.progress);
  // Allsky at order K = min(3, order): every order-K tile at 64 px (or the tile width if less)
  const ak = Math.min(3, order);
  const aw = Math.min(64, tileWidth);
  const as = Math.log2(aw);
  for (let k = pixelOrder - 1; k >= Math.min(s, ak + as); k--) byOrder[k] = degradeNested(byOrder[k + 1]);

  // statistics of the data at pixel resolution
  const finite = byOrder[pixelOrder].filter((v) => Number.isFinite(v));
  if (finite.length === 0) throw new HipsgenError('the source has no finite value anywhere on the sky');
  finite.sort();
  const dataRange: [number, number] = [finite[0], finite[finite.length - 1]];
  const cut: [number, number] = [quantileOf(finite, 0.005), quantileOf(finite, 0.995)];

  // tiles
  const spreadTab = Array.from({ length: tileWidth }, (_, i) => spread(i));
  const ext = 'fits';
  let written = 0;
  let skipped = 0;
  const w2 = tileWidth * tileWidth;
  const tileData = new Float32Array(w2);
  const writtenAtOrder: number[] = [];
  const totalTiles = Array.from({ length: order + 1 }, (_, k) => 12 * 4 ** k).reduce((a, b) => a + b, 0);
  for (let k = 0; k <= order; k++) {
    const cells = byOrder[k + s];
    const ntiles = 12 * 4 ** k;
    for (let n = 0; n < ntiles; n++) {
      let any = false;
      const base = n * w2;
      for (let r = 0; r < tileWidth; r++) {
        const row = (tileWidth - 1 - r) * tileWidth; // FITS rows bottom-up
        for (let c = 0; c < tileWidth; c++) {
          const v = cells[base + spreadTab[r] + 2 * spreadTab[c]];
          tileData[row + c] = v;
          if (v === v) any = true;
        }
      }
      if (!any) {
        skipped++;
        continue;
      }
      const file = join(outDir, tilePath(k, n, ext));
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, writeFitsImage({ bitpix: -32, shape: [tileWidth, tileWidth], data: tileData, cards: [] }));
      written++;
      if (k === order) writtenAtOrder.push(n);
      opts.progress?.(written + skipped, totalTiles, 'tiles');
    }
  }

  // Allsky: ncol = floor(sqrt(npix)) tiles per row; the FITS layout is the vertical flip of the
  // JPEG one (tile t in row-block nrow - 1 - floor(t / ncol) counted from the bottom)
  const acells = byOrder[ak + as];
  const anpix = 12 * 4 ** ak;
  const ncol = Math.floor(Math.sqrt(anpix));
  const nrow = Math.ceil(anpix / ncol);
  const allsky = new Float32Array(ncol * aw * nrow * aw).fill(NaN);
  const aspread = Array.from({ length: aw }, (_, i) => spread(i));
  const stride = ncol * aw;
  for (let t = 0; t < anpix; t++) {
    const row0 = Math.floor(t / ncol) * aw; // JPEG layout: from the top
    const col0 = (t % ncol) * aw;
    for (let r = 0; r < aw; r++) {
      const fitsRow = nrow * aw - 1 - (row0 + r);
      for (let c = 0; c < aw; c++) allsky[fitsRow * stride + col0 + c] = acells[t * aw * aw + aspread[r] + 2 * aspread[c]];
    }
  }
  const allskyFile = join(outDir, allskyPath(ak, ext));
  mkdirSync(join(allskyFile, '..'), { recursive: true });
  writeFileSync(allskyFile, writeFitsImage({ bitpix: -32, shape: [stride, nrow * aw], data: allsky, cards: [] }));

  // coverage (Moc.fits is in ICRS whatever the HiPS frame, HiPS 1.0 §4.4.2): the cells with a
  // finite value at order min(P, 10); for a galactic/ecliptic HiPS, the ICRS cells of order
  // min(P, 8) whose centre or a corner falls in a covered cell of the HiPS frame
  const rot = frameRotation(FRAME_OF[src.frame], 'icrs');
  const moc = coverageMoc(byOrder, pixelOrder, src.frame === 'equatorial' ? undefined : frameRotation('icrs', FRAME_OF[src.frame]));
  writeFileSync(join(outDir, 'Moc.fits'), moc.toFits());
  const skyFraction = moc.skyFraction();

  // initial view: the ICRS direction of the frame's (0, 0)
  const v = [rot[0], rot[3], rot[6]];
  const raDeg = ((Math.atan2(v[1], v[0]) * 180) / Math.PI + 360) % 360;
  const decDeg = (Math.asin(Math.max(-1, Math.min(1, v[2]))) * 180) / Math.PI;
  const release = opts.releaseDate ?? new Date();
  const sizeKb = Math.round((written * (2880 + Math.ceil((w2 * 4) / 2880) * 2880)) / 1024);
  const properties: Record<string, string> = {
    creator_did: `ivo://esasky-sky/P/${opts.id}`,
    obs_title: opts.title,
    obs_description: opts.description ?? `Made${opts.progenitor ? ` from ${opts.progenitor}` : ''} by the esasky-sky HiPS generator`,
    ...(opts.progenitor ? { prov_progenitor: opts.progenitor } : {}),
    ...(opts.regime ? { obs_regime: opts.regime } : {}),
    ...(opts.copyright ? { obs_copyright: opts.copyright } : {}),
    dataproduct_type: 'image',
    hips_version: '1.4',
    hips_builder: 'esasky-sky hipsgen',
    hips_creation_date: isoMinute(release),
    hips_release_date: isoMinute(release),
    hips_status: 'public master clonableOnce',
    hips_tile_format: 'fits',
    hips_tile_width: String(tileWidth),
    hips_order: String(order),
    hips_order_min: '0',
    hips_frame: HIPS_FRAME[src.frame],
    hips_pixel_bitpix: '-32',
    hips_data_range: `${dataRange[0]} ${dataRange[1]}`,
    hips_pixel_cut: `${cut[0]} ${cut[1]}`,
    hips_pixel_scale: String(Math.sqrt((4 * Math.PI) / (12 * 4 ** pixelOrder)) * (180 / Math.PI)),
    hips_initial_ra: raDeg.toFixed(6),
    hips_initial_dec: decDeg.toFixed(6),
    hips_initial_fov: '180',
    hips_estsize: String(sizeKb),
    moc_sky_fraction: skyFraction.toPrecision(6),
  };
  const text = ['# HiPS made by esasky-sky hipsgen (server/hipsgen)', ...Object.entries(properties).map(([k, val]) => `${k.padEnd(20)} = ${val}`)].join('\n') + '\n';
  writeFileSync(join(outDir, 'properties'), text);
  return { dir: outDir, order, tileWidth, pixelOrder, tilesWritten: written, tilesSkipped: skipped, dataRange, cut, skyFraction, properties };
}
