// The per-fragment projection-boundary test of the footprint layer is switched off only when the
// whole viewport lies inside the projection's domain: checked against the CPU boundary function
// on a dense grid of viewport points (not only the corners the layer tests).
import { describe, expect, it } from 'vitest';
import { makeCamera, type ViewState } from '../../math/camera.js';
import { boundaryFunction, PROJECTIONS } from '../../math/projections.js';
import { fillShows, viewReachesBoundary } from './footprintLayer.js';

describe('viewReachesBoundary', () => {
  it('is false exactly when every viewport point is inside the projection (grid of 41 x 31 points)', () => {
    let inside = 0;
    let reaching = 0;
    for (const projection of PROJECTIONS) {
      for (const fovDeg of [1, 20, 90, 150, 179, 250, 360]) {
        const view: ViewState = { raDeg: 30, decDeg: 20, fovDeg, rollDeg: 10, projection, widthPx: 800, heightPx: 600 };
        const cam = makeCamera(view);
        let outside = false;
        for (let j = 0; j <= 30; j++) {
          for (let i = 0; i <= 40; i++) {
            const f = boundaryFunction(projection, (2 * i / 40 - 1) * cam.halfWidthPlane, (2 * j / 30 - 1) * cam.halfHeightPlane);
            if (f !== undefined && f > 0) outside = true;
          }
        }
        const reaches = viewReachesBoundary(cam);
        if (outside) expect(reaches, `${projection} ${fovDeg}°: part of the view is outside`).toBe(true);
        if (!reaches) inside++;
        else reaching++;
      }
    }
    // both cases occur (zoomed-in views skip the test; all-sky views keep it)
    expect(inside).toBeGreaterThan(10);
    expect(reaching).toBeGreaterThan(10);
  });
});

describe('fillShows', () => {
  it('skips the fill draw only when no fill pixel could change', () => {
    const red = [1, 0, 0, 1] as const;
    const clear = [1, 0, 0, 0] as const;
    expect(fillShows({ fillOpacity: 0.25, color: [...red], colors: undefined })).toBe(true);
    expect(fillShows({ fillOpacity: 0, color: [...red], colors: undefined })).toBe(false);
    expect(fillShows({ fillOpacity: 0.25, color: [...clear], colors: undefined })).toBe(false);
    // per-footprint colours override the layer colour: one visible is enough
    expect(fillShows({ fillOpacity: 0.25, color: [...clear], colors: [[...clear], [...red]] })).toBe(true);
    expect(fillShows({ fillOpacity: 0.25, color: [...red], colors: [[...clear], [...clear]] })).toBe(false);
  });
});
