import { describe, expect, it } from 'vitest';
import { estimatedCells, healpixGridLines, MAX_OUTLINED_CELLS } from './healpixGridLines.js';
import { vec2pix } from '../hips/healpix.js';
import { makeCamera, pixelToNdc, unproject } from '../math/camera.js';

describe('HEALPix debugging grid', () => {
  it('outlines exactly the cells of the order that cover the view', () => {
    const view = { raDeg: 83.8, decDeg: -5.4, fovDeg: 10, rollDeg: 0, projection: 'TAN' as const, widthPx: 400, heightPx: 300 };
    const { lines, labels, order } = healpixGridLines(view, 5);
    expect(order).toBe(5);
    const outlined = new Set<number>();
    for (const l of lines) {
      // the mean of an outline's points lies inside its cell
      let x = 0, y = 0, z = 0;
      for (let i = 0; i < l.length; i += 3) { x += l[i]; y += l[i + 1]; z += l[i + 2]; }
      outlined.add(vec2pix(5, x, y, z));
      expect(l.length).toBe((4 * 8 + 1) * 3);
    }
    // every pixel of the view falls in an outlined cell
    const cam = makeCamera(view);
    for (let py = 0; py <= 300; py += 30) {
      for (let px = 0; px <= 400; px += 40) {
        const v = unproject(cam, ...pixelToNdc(view, px, py))!;
        expect(outlined.has(vec2pix(5, v[0], v[1], v[2]))).toBe(true);
      }
    }
    expect(labels.every((l) => /^5\/\d+$/.test(l.text))).toBe(true);
  });

  it('outlines nothing, with a note, when an explicit order is far too fine for the view; the draw order is always drawn', () => {
    const wide = { raDeg: 10, decDeg: 20, fovDeg: 60, rollDeg: 0, projection: 'SIN' as const, widthPx: 800, heightPx: 600 };
    const t0 = performance.now();
    const fine = healpixGridLines(wide, 12);
    expect(performance.now() - t0).toBeLessThan(1000); // a hang guard, not a speed goal
    expect(fine.lines).toEqual([]);
    expect(fine.note).toMatch(/order 12 would outline ~\d+ cells in this view \(at most 5000\)/);
    const ok = healpixGridLines(wide, 5);
    expect(ok.note).toBeUndefined();
    expect(ok.lines.length).toBeGreaterThan(100);
    expect(ok.lines.length).toBeLessThanOrEqual(MAX_OUTLINED_CELLS);
    // the estimate is an upper bound of what is outlined
    expect(estimatedCells(5, makeCamera(wide).radiusRad)).toBeGreaterThanOrEqual(ok.lines.length);
    const auto = healpixGridLines(wide);
    expect(auto.note).toBeUndefined();
    expect(auto.lines.length).toBeGreaterThan(0);
  });
});
