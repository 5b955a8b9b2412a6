// Precision at tiny fields: a coordinate-grid parallel drawn at a 1-arcsecond and a 0.1-arcsecond
// field must sit where the float64 CPU camera puts it, to a tenth of a pixel, while the view
// moves in 0.1-pixel steps (float32 would be ~12 mas coarse if positions were absolute unit
// vectors; ours are offsets from the view centre computed in float64).
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { makeCamera, project, type ViewState } from '../../src/math/camera.js';
import { gridGeometry } from '../../src/render/gridLines.js';
import { lonLatDegToVec } from '../../src/math/vec3.js';
import { createTarget, gpuErrors, requestTestDevice } from './renderTarget.js';

const SIZE = 65;

/**
 * Intensity-weighted row (device pixels, 0 = top edge) of the line crossing the centre column
 * within `halfWindow` rows of `near` (other parallels lie further away); the column's median is
 * subtracted first, so a meridian running along the column does not count.
 */
function lineRow(px: Uint8Array, near: number, halfWindow: number): number {
  const x = (SIZE - 1) / 2;
  const col: number[] = [];
  for (let y = 0; y < SIZE; y++) {
    const o = (y * SIZE + x) * 4;
    col.push(px[o] + px[o + 1] + px[o + 2]);
  }
  const median = [...col].sort((a, b) => a - b)[SIZE >> 1];
  let w = 0;
  let m = 0;
  for (let y = Math.max(0, Math.floor(near - halfWindow)); y <= Math.min(SIZE - 1, Math.ceil(near + halfWindow)); y++) {
    const v = Math.max(0, col[y] - median);
    w += v;
    m += v * (y + 0.5);
  }
  return w > 0 ? m / w : NaN;
}

describe('sub-pixel precision at tiny fields', () => {
  for (const [label, fovDeg, raDeg, decDeg] of [['1 arcsec', 1 / 3600, 83.8221, -5.3911], ['0.1 arcsec', 0.1 / 3600, 359.99999, 71.123456]] as const) {
    it(`a grid line follows 0.1-pixel steps at a ${label} field`, async () => {
      const device = await requestTestDevice();
      const renderer = new SkyRenderer(device, 'rgba8unorm');
      renderer.setGrid({ color: [1, 1, 1, 1], widthPx: 1.25, labels: false }); // the lines alone: labels would add pixels beside them
      const target = createTarget(device, SIZE, SIZE);
      const base: ViewState = { raDeg, decDeg, fovDeg, rollDeg: 0, projection: 'TAN', widthPx: SIZE, heightPx: SIZE };
      // a parallel a few pixels above the centre
      const g = gridGeometry(base);
      const pixDeg = fovDeg / SIZE;
      const lat = Math.ceil((decDeg + 3 * pixDeg) / g.latStepDeg) * g.latStepDeg;
      const errors: number[] = [];
      try {
        for (let k = 0; k < 10; k++) {
          const view = { ...base, decDeg: decDeg - k * 0.1 * pixDeg };
          renderer.setView(view);
          renderer.render(target.texture.createView());
          const p = project(makeCamera(view), lonLatDegToVec(view.raDeg, lat))!;
          const expected = ((1 - p[1]) / 2) * SIZE;
          const spacingPx = g.latStepDeg / pixDeg;
          const measured = lineRow(await target.read(), expected, Math.min(4, spacingPx / 2 - 0.5));
          errors.push(measured - expected);
        }
      } finally {
        renderer.destroy();
        target.destroy();
        device.destroy();
      }
      expect(errors.every(Number.isFinite), `line found in every frame: ${errors}`).to.equal(true);
      const worst = Math.max(...errors.map(Math.abs));
      expect(worst, `position errors (px): ${errors.map((e) => e.toFixed(3))}`).to.be.lessThan(0.1);
      expect(gpuErrors).to.deep.equal([]);
    });
  }
});
