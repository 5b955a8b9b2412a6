// boundaryInView (whether the full-screen boundary pass can be skipped) against a brute-force scan
// of the viewport's pixels plus the outline's margin with the CPU boundary function.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeCamera, MAX_FOV_DEG, PROJECTIONS, type ProjectionName } from '../../math/camera.js';
import { boundaryFunction } from '../../math/projections.js';
import { boundaryInView } from './boundaryLayer.js';

/** Some pixel of the viewport grown by `marginPx` (sampled every `stepPx`, edges included) is on or past the boundary. */
function bruteForce(cam: ReturnType<typeof makeCamera>, marginPx: number, stepPx: number): boolean {
  const { widthPx: w, heightPx: h, projection } = cam.view;
  const sx = (2 * cam.halfWidthPlane) / w;
  const sy = (2 * cam.halfHeightPlane) / h;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let x = -marginPx; x < w + marginPx; x += stepPx) xs.push(x);
  xs.push(w + marginPx);
  for (let y = -marginPx; y < h + marginPx; y += stepPx) ys.push(y);
  ys.push(h + marginPx);
  for (const x of xs) {
    for (const y of ys) {
      if (boundaryFunction(projection, (x - w / 2) * sx, (y - h / 2) * sy)! >= 0) return true;
    }
  }
  return false;
}

const view = (projection: ProjectionName, fovDeg: number, widthPx = 320, heightPx = 200) =>
  makeCamera({ raDeg: 10, decDeg: 20, fovDeg, rollDeg: 30, projection, widthPx, heightPx });

describe('boundaryInView', () => {
  it('is false without a boundary (TAN) and always true for HPX (not convex)', () => {
    expect(boundaryInView(view('TAN', 30))).toBe(false);
    expect(boundaryInView(view('HPX', 5))).toBe(true);
  });

  it('skips the pass for zoomed-in views and keeps it for whole-sky views', () => {
    for (const p of ['SIN', 'ZEA', 'ARC', 'AIT', 'MOL', 'CAR', 'MER'] as const) {
      expect(boundaryInView(view(p, 30)), p).toBe(false);
      expect(boundaryInView(view(p, MAX_FOV_DEG[p])), p).toBe(true);
    }
    // SIN's limb is 90 degrees from the centre: a 16:10 view 160 degrees wide has its corners past it
    expect(boundaryInView(view('SIN', 160))).toBe(true);
  });

  it('agrees with a scan of the viewport: skipped only when no pixel within 3 px of it reaches the boundary', () => {
    const projections = PROJECTIONS.filter((p) => p !== 'HPX' && boundaryFunction(p, 0, 0) !== undefined);
    fc.assert(fc.property(
      fc.constantFrom(...projections), fc.double({ min: 0.01, max: 1, noNaN: true }), fc.integer({ min: 16, max: 400 }), fc.integer({ min: 16, max: 400 }),
      (p, frac, w, h) => {
        const cam = view(p, frac * MAX_FOV_DEG[p], w, h);
        const inView = boundaryInView(cam);
        // never skipped while the outline (drawn from 1 px inside the boundary) could touch a pixel
        if (!inView) expect(bruteForce(cam, 3, 1)).toBe(false);
        // and not drawn when the boundary is far away (more than 5 px beyond the viewport)
        if (inView) expect(bruteForce(cam, 5, 1)).toBe(true);
      },
    ), { numRuns: 300, seed: 4 });
  });
});
