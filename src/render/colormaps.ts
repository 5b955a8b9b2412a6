// Colormaps and stretches for FITS layers: names, the 256-entry RGBA lookup table the shader reads,
// and the histogram-equalisation table. Pure functions; data from scripts/make-colormaps.py.
import { COLORMAP_DATA } from './colormaps.data.js';

export const COLORMAPS = Object.keys(COLORMAP_DATA) as readonly string[];
export type StretchName = 'linear' | 'sqrt' | 'log' | 'asinh' | 'pow2' | 'histeq';
export const STRETCHES: readonly StretchName[] = ['linear', 'sqrt', 'log', 'asinh', 'pow2', 'histeq'];
export const STRETCH_ID: Record<StretchName, number> = { linear: 0, sqrt: 1, log: 2, asinh: 3, pow2: 4, histeq: 5 };

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** RGBA8 table of 256 entries (alpha 255) for a colormap, optionally reversed. */
export function colormapTable(name: string, reverse = false): Uint8Array {
  const data = COLORMAP_DATA[name];
  if (!data) throw new RangeError(`unknown colormap '${name}': use one of ${COLORMAPS.join(', ')}`);
  const rgb = decodeBase64(data);
  const out = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    const j = reverse ? 255 - i : i;
    out[i * 4] = rgb[j * 3];
    out[i * 4 + 1] = rgb[j * 3 + 1];
    out[i * 4 + 2] = rgb[j * 3 + 2];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** The stretch applied to a value already normalised to [0, 1] by the cuts (the shader's twin). */
export function applyStretch(name: StretchName, t: number): number {
  const x = Math.min(1, Math.max(0, t));
  switch (name) {
    case 'linear': return x;
    case 'sqrt': return Math.sqrt(x);
    case 'log': return Math.log(1 + 1000 * x) / Math.log(1001);
    case 'asinh': return Math.asinh(10 * x) / Math.asinh(10);
    case 'pow2': return x * x;
    case 'histeq': return x; // needs the data: see histogramEqualisation()
  }
}

/**
 * Histogram equalisation table: entry i (for normalised value i/255) is the fraction of the finite
 * samples at or below it, so the displayed levels are equally populated.
 */
export function histogramEqualisation(samples: ArrayLike<number>, lo: number, hi: number): Uint8Array {
  const counts = new Float64Array(256);
  let n = 0;
  const span = hi - lo || 1;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (!Number.isFinite(v)) continue;
    const k = Math.min(255, Math.max(0, Math.floor(((v - lo) / span) * 255)));
    counts[k]++;
    n++;
  }
  const out = new Uint8Array(256);
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += counts[i];
    out[i] = n > 0 ? Math.round((acc / n) * 255) : i;
  }
  return out;
}

/** Value at quantile q (0..1) of the finite samples (nearest rank); NaN when there are none. */
export function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i];
}
