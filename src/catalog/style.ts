// How catalogue rows look: marker shapes, colours (CSS hex or RGBA), size from a column, colour
// from a column through a colormap. Pure functions shared by the layer and its tests.
import { colormapTable, COLORMAPS } from '../render/colormaps.js';
import { CatalogError } from './columns.js';

export const MARKER_SHAPES = ['circle', 'square', 'plus', 'cross', 'rhomb', 'triangle', 'image'] as const;
export type MarkerShape = (typeof MARKER_SHAPES)[number];
/** Ids shared with the shader (catalog.wgsl.ts). 'image' draws the layer's marker image (style.image). */
export const SHAPE_ID: Record<MarkerShape, number> = { circle: 0, square: 1, plus: 2, cross: 3, rhomb: 4, triangle: 5, image: 6 };

export type Rgba = [number, number, number, number];

/** '#rgb', '#rrggbb', '#rrggbbaa' or [r, g, b, a] in 0..1 -> RGBA in 0..1. */
export function parseColor(c: string | readonly number[] | undefined, fallback: Rgba): Rgba {
  if (c === undefined) return fallback;
  if (Array.isArray(c)) {
    if ((c.length === 3 || c.length === 4) && c.every((x) => typeof x === 'number' && x >= 0 && x <= 1)) {
      return [c[0], c[1], c[2], c.length === 4 ? c[3] : 1];
    }
    throw new CatalogError(`a colour array needs 3 or 4 numbers in 0..1, got [${c.join(', ')}]`);
  }
  const s = String(c).trim();
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(s);
  if (!m) throw new CatalogError(`colour must be '#rgb', '#rrggbb', '#rrggbbaa' or [r, g, b, a], got '${s}'`);
  let hex = m[1];
  if (hex.length === 3) hex = hex.split('').map((ch) => ch + ch).join('');
  if (hex.length === 6) hex += 'ff';
  const v = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  return [v[0], v[1], v[2], v[3]];
}

/** A colormap as 256 packed RGBA8 words (little-endian: r in the low byte), as the shader unpacks them. */
export function colormapWords(name: string, reverse = false): Uint32Array {
  if (!COLORMAPS.includes(name)) throw new CatalogError(`unknown colormap '${name}': use one of ${COLORMAPS.join(', ')}`);
  const t = colormapTable(name, reverse);
  return new Uint32Array(t.buffer.slice(t.byteOffset, t.byteOffset + 1024));
}

/** Index (0..255) into the colormap for a value, the shader's twin; -1 for NaN. */
export function colormapIndex(value: number, lo: number, hi: number): number {
  if (Number.isNaN(value)) return -1;
  const t = hi === lo ? 0.5 : (value - lo) / (hi - lo);
  return Math.round(Math.min(1, Math.max(0, t)) * 255);
}

/** Size in pixels for a value (linear from sizeAtLo at lo to sizeAtHi at hi, clamped), the shader's twin. */
export function sizeFor(value: number, lo: number, hi: number, sizeAtLo: number, sizeAtHi: number): number {
  const t = hi === lo ? 0.5 : Math.min(1, Math.max(0, (value - lo) / (hi - lo)));
  return sizeAtLo + (sizeAtHi - sizeAtLo) * t;
}
