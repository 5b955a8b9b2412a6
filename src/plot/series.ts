// Spectra and light curves as x/y series for plotting (pure, no DOM; runs in a decode worker and
// in Node): a 1-D image spectrum gets its x from the linear WCS of axis 1 (CRVAL1, CDELT1 or
// CD1_1, CRPIX1; unit from CUNIT1 or a "[unit]" in CTYPE1), a table (light curve, tabulated
// spectrum) its x/y from named columns (TIME/WAVE... and PDCSAP_FLUX/FLUX...) with TUNIT units.
// Rows without a finite x are left out (their original row numbers are kept in `rows`).
import { readFits, type FitsFile, type FitsHdu } from '../workers/fits/index.js';
import { FitsError } from '../workers/fits/errors.js';

export interface Series {
  readonly kind: 'spectrum' | 'lightcurve' | 'table';
  /** Ascending x values (finite). */
  readonly x: Float64Array;
  /** y values (NaN where the data have none). */
  readonly y: Float64Array;
  /** Original pixel / row index of each point. */
  readonly rows: Int32Array;
  readonly xLabel: string;
  readonly xUnit: string;
  readonly yLabel: string;
  readonly yUnit: string;
  /** OBJECT (or EXTNAME) of the file. */
  readonly title: string;
  /** The HDU the series came from. */
  readonly hdu: number;
}

export interface SeriesRequest {
  /** HDU to read (default: the first 1-D image, else the first table). */
  readonly hdu?: number;
  /** Table column for x (default: TIME, WAVE, WAVELENGTH, LAMBDA, FREQ, whichever exists first). */
  readonly x?: string;
  /** Table column for y (default: PDCSAP_FLUX, FLUX, SAP_FLUX, whichever exists first). */
  readonly y?: string;
  readonly maxBytes?: number;
}

const X_NAMES = ['TIME', 'WAVE', 'WAVELENGTH', 'LAMBDA', 'FREQ', 'FREQUENCY', 'ENERGY'];
const Y_NAMES = ['PDCSAP_FLUX', 'FLUX', 'SAP_FLUX', 'RATE', 'COUNTS'];

function str(h: FitsHdu, key: string): string | undefined {
  const v = h.header.get(key);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function num(h: FitsHdu, key: string): number | undefined {
  const v = h.header.get(key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function is1d(h: FitsHdu): boolean {
  return h.type === 'image' && h.naxes.length >= 1 && h.naxes.slice(1).every((n) => n === 1);
}

/** Keep the points with a finite x, sorted by x (stable). */
function finish(kind: Series['kind'], xs: ArrayLike<number>, ys: ArrayLike<number>, meta: Omit<Series, 'kind' | 'x' | 'y' | 'rows'>): Series {
  const idx: number[] = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]!)) idx.push(i);
  let sorted = true;
  for (let k = 1; k < idx.length && sorted; k++) sorted = xs[idx[k]!]! >= xs[idx[k - 1]!]!;
  if (!sorted) idx.sort((a, b) => xs[a]! - xs[b]! || a - b);
  const x = new Float64Array(idx.length);
  const y = new Float64Array(idx.length);
  const rows = new Int32Array(idx.length);
  idx.forEach((i, k) => {
    x[k] = xs[i]!;
    y[k] = ys[i]!;
    rows[k] = i;
  });
  return { kind, x, y, rows, ...meta };
}

function spectrum(h: FitsHdu, title: string): Series {
  const img = h.readImage({ output: 'float64' });
  const n = h.naxes[0]!;
  const crval = num(h, 'CRVAL1') ?? 1;
  const cdelt = num(h, 'CDELT1') ?? num(h, 'CD1_1') ?? 1;
  const crpix = num(h, 'CRPIX1') ?? 1;
  const ctype = str(h, 'CTYPE1') ?? 'pixel';
  const bracket = /^(.*?)\s*\[(.+)\]\s*$/.exec(ctype);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = crval + (i + 1 - crpix) * cdelt;
  return finish('spectrum', xs, img.data, {
    xLabel: bracket ? bracket[1]!.trim() : ctype,
    xUnit: str(h, 'CUNIT1') ?? (bracket ? bracket[2]!.trim() : ''),
    yLabel: str(h, 'BTYPE') ?? 'flux',
    yUnit: str(h, 'BUNIT') ?? '',
    title,
    hdu: h.index,
  });
}

function table(h: FitsHdu, req: SeriesRequest, title: string): Series {
  const t = h.readTable(req.maxBytes !== undefined ? { maxBytes: req.maxBytes } : {});
  const names = t.columns.map((c) => c.name);
  const pick = (wanted: string | undefined, defaults: string[], axis: string): string => {
    if (wanted !== undefined) {
      if (!names.includes(wanted)) throw new FitsError('BAD_ARGUMENT', `HDU ${h.index}: no column '${wanted}' for ${axis} (columns: ${names.join(', ')})`);
      return wanted;
    }
    const found = defaults.find((d) => names.includes(d));
    if (!found) throw new FitsError('BAD_ARGUMENT', `HDU ${h.index}: no ${axis} column (looked for ${defaults.join(', ')}; columns: ${names.join(', ')})`);
    return found;
  };
  const xName = pick(req.x, X_NAMES, 'x');
  const yName = pick(req.y, Y_NAMES, 'y');
  const column = (name: string): Float64Array => {
    const c = t.columns.find((k) => k.name === name)!;
    if (c.variableLength || c.cellLength !== 1 || c.valueType === 'string') {
      throw new FitsError('BAD_ARGUMENT', `HDU ${h.index}: column '${name}' (TFORM ${c.tform}) does not hold one number per row`);
    }
    const v = t.column(name) as ArrayLike<number | bigint>;
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = Number(v[i]);
    const nulls = t.nulls(name);
    if (nulls) for (let i = 0; i < out.length; i++) if (nulls[i]) out[i] = NaN;
    return out;
  };
  const unitOf = (name: string): string => t.columns.find((k) => k.name === name)!.unit?.trim() ?? '';
  return finish(xName === 'TIME' ? 'lightcurve' : 'table', column(xName), column(yName), {
    xLabel: xName,
    xUnit: unitOf(xName),
    yLabel: yName,
    yUnit: unitOf(yName),
    title,
    hdu: h.index,
  });
}

/** The series of a FITS file (see the module comment). Throws FitsError naming the problem. */
export function seriesFromFits(input: Uint8Array | ArrayBuffer | FitsFile, req: SeriesRequest = {}): Series {
  const fits = 'hdus' in input ? input : readFits(input, req.maxBytes !== undefined ? { maxBytes: req.maxBytes } : {});
  let h: FitsHdu | undefined;
  if (req.hdu !== undefined) {
    h = fits.hdus[req.hdu];
    if (!h) throw new FitsError('BAD_ARGUMENT', `no HDU ${req.hdu} (the file has ${fits.hdus.length})`);
  } else {
    h = fits.hdus.find(is1d) ?? fits.hdus.find((k) => (k.type === 'bintable' && !k.hasImage) || k.type === 'table');
    if (!h) throw new FitsError('NOT_IMAGE', `no 1-D spectrum and no table in this FITS file (HDUs: ${fits.hdus.map((k) => `${k.type} ${k.naxes.join('x')}`).join(', ')})`);
  }
  const title = str(h, 'OBJECT') ?? str(fits.primary, 'OBJECT') ?? h.extname ?? '';
  if (is1d(h)) return spectrum(h, title);
  if ((h.type === 'bintable' && !h.hasImage) || h.type === 'table') return table(h, req, title);
  throw new FitsError('NOT_IMAGE', `HDU ${h.index} is neither a 1-D spectrum nor a table (type ${h.type}, NAXISn = ${h.naxes.join(' x ')})`);
}
