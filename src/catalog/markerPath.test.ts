import { describe, expect, it } from 'vitest';
import { chooseMarkerPath, COMPUTE_MAX_QUAD_PX, COMPUTE_MIN_ROWS, type MarkerPathInput } from './markerPath.js';

const base: MarkerPathInput = { setting: 'auto', shape: 'square', maxSizePx: 6, lineWidthPx: 1.5, estimatedRows: 100_000 };

describe('chooseMarkerPath', () => {
  it('auto: many small markers go to the compute path, few stay on quads (threshold inclusive)', () => {
    expect(chooseMarkerPath(base)).toBe('compute');
    expect(chooseMarkerPath({ ...base, estimatedRows: COMPUTE_MIN_ROWS })).toBe('compute');
    expect(chooseMarkerPath({ ...base, estimatedRows: COMPUTE_MIN_ROWS - 1 })).toBe('raster');
    expect(chooseMarkerPath({ ...base, estimatedRows: 0 })).toBe('raster');
  });

  it('images and markers whose quad is wider than the limit always use quads, even when compute is asked for', () => {
    for (const setting of ['auto', 'compute'] as const) {
      expect(chooseMarkerPath({ ...base, setting, shape: 'image' })).toBe('raster');
      // quad = size + line width + 2 (the raster path's quad: radius + lineWidth/2 + 1 each side)
      expect(chooseMarkerPath({ ...base, setting, maxSizePx: COMPUTE_MAX_QUAD_PX - 3.5, lineWidthPx: 1.5 })).toBe('compute');
      expect(chooseMarkerPath({ ...base, setting, maxSizePx: COMPUTE_MAX_QUAD_PX - 3.4, lineWidthPx: 1.5 })).toBe('raster');
      expect(chooseMarkerPath({ ...base, setting, maxSizePx: NaN })).toBe('raster');
    }
  });

  it("the setting forces a path: 'raster' always quads, 'compute' whatever the rows in view", () => {
    expect(chooseMarkerPath({ ...base, setting: 'raster' })).toBe('raster');
    expect(chooseMarkerPath({ ...base, setting: 'compute', estimatedRows: 1 })).toBe('compute');
  });

  it('every shape but the image can be compute-rasterised', () => {
    for (const shape of ['circle', 'square', 'plus', 'cross', 'rhomb', 'triangle'] as const) expect(chooseMarkerPath({ ...base, shape })).toBe('compute');
  });
});

describe('markerPath style option', () => {
  it("defaults to 'auto', keeps a set value, and refuses an unknown one by name", async () => {
    const { resolveCatalogStyle } = await import('../render/layers/catalogLayer.js');
    const data = { raDeg: new Float64Array([1]), decDeg: new Float64Array([2]) };
    const none = () => undefined;
    const st = resolveCatalogStyle({}, undefined, none, data);
    expect(st.markerPath).toBe('auto');
    const forced = resolveCatalogStyle({ markerPath: 'raster' }, st, none, data);
    expect(forced.markerPath).toBe('raster');
    expect(resolveCatalogStyle({ color: '#ff0000' }, forced, none, data).markerPath).toBe('raster');
    expect(() => resolveCatalogStyle({ markerPath: 'fast' as never }, st, none, data)).toThrow(/markerPath must be one of auto, compute, raster, got 'fast'/);
  });
});
