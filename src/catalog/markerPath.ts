// Which path draws a catalogue layer's markers in a frame (pure): quads through the raster
// pipeline, or the compute-rasterised path (render/layers/catalogRaster.ts) for many small markers.
import type { MarkerShape } from './style.js';

export type MarkerPathSetting = 'auto' | 'compute' | 'raster';
export type MarkerPath = 'compute' | 'raster';
export const MARKER_PATHS: readonly MarkerPathSetting[] = ['auto', 'compute', 'raster'];

/** Markers whose quad (device px) is wider than this stay on the raster path: one invocation walks a whole quad. */
export const COMPUTE_MAX_QUAD_PX = 28;
/**
 * With 'auto', fewer estimated rows in view than this stay on the raster path: the compute path
 * costs a screen-sized clear and a full-screen resolve per frame whatever the rows
 * (docs/catalogues.md, "Compute-rasterised markers").
 */
export const COMPUTE_MIN_ROWS = 2000;

export interface MarkerPathInput {
  readonly setting: MarkerPathSetting;
  readonly shape: MarkerShape;
  /** Largest marker size the layer can draw (device px): sizePx, or the size column's largest. */
  readonly maxSizePx: number;
  readonly lineWidthPx: number;
  /** Rows estimated in view (after filters, from coarse cell counts). */
  readonly estimatedRows: number;
}

/** Which path draws the markers this frame. Images and big markers always use the raster path. */
export function chooseMarkerPath(p: MarkerPathInput): MarkerPath {
  if (p.setting === 'raster' || p.shape === 'image') return 'raster';
  const quad = p.maxSizePx + p.lineWidthPx + 2;
  if (!(quad <= COMPUTE_MAX_QUAD_PX)) return 'raster';
  if (p.setting === 'compute') return 'compute';
  return p.estimatedRows >= COMPUTE_MIN_ROWS ? 'compute' : 'raster';
}
