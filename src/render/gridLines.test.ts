import { describe, expect, it } from 'vitest';
import { chooseStep, gridGeometry } from './gridLines.js';
import { frameRotation, applyMat3 } from '../math/frames.js';
import { vecToLonLatDeg } from '../math/vec3.js';

describe('grid geometry', () => {
  it('picks round steps giving at least four lines', () => {
    expect(chooseStep(60, [30, 15, 10, 5])).toBe(15);
    expect(chooseStep(0.001, [1, 0.1])).toBe(0.1);
  });

  it('draws meridians at constant longitude and parallels at constant latitude, in the asked frame', () => {
    const view = { raDeg: 266.4, decDeg: -29, fovDeg: 40, rollDeg: 0, projection: 'TAN' as const, widthPx: 800, heightPx: 600, frame: 'galactic' as const };
    const g = gridGeometry(view);
    expect(g.lines.length).toBeGreaterThan(6);
    const toGal = frameRotation('icrs', 'galactic');
    let meridians = 0;
    let parallels = 0;
    for (const l of g.lines) {
      const first = vecToLonLatDeg(applyMat3(toGal, l.subarray(0, 3)));
      const last = vecToLonLatDeg(applyMat3(toGal, l.subarray(l.length - 3)));
      if (Math.abs(first[0] - last[0]) < 1e-9) {
        meridians++;
        expect(Math.abs(Math.round(first[0] / g.lonStepDeg) - first[0] / g.lonStepDeg)).toBeLessThan(1e-9);
      } else {
        parallels++;
        expect(first[1]).toBeCloseTo(last[1], 9);
        expect(Math.abs(Math.round(first[1] / g.latStepDeg) - first[1] / g.latStepDeg)).toBeLessThan(1e-9);
      }
    }
    expect(meridians).toBeGreaterThan(2);
    expect(parallels).toBeGreaterThan(2);
  });

  it('labels RA in hours and Dec in degrees at the viewport edges', () => {
    const g = gridGeometry({ raDeg: 83.8, decDeg: -5.4, fovDeg: 60, rollDeg: 0, projection: 'SIN', widthPx: 1200, heightPx: 600 });
    const lon = g.labels.filter((l) => l.kind === 'lon').map((l) => l.text).sort();
    expect(lon).toEqual(['04h', '05h', '06h', '07h']);
    expect(g.labels.filter((l) => l.kind === 'lat').map((l) => l.text)).toContain('-15°');
    for (const l of g.labels) {
      expect(l.xPx).toBeGreaterThanOrEqual(0);
      expect(l.xPx).toBeLessThanOrEqual(1200);
    }
  });

  it('chooses arcsecond spacing in a 10-arcsecond field', () => {
    const g = gridGeometry({ raDeg: 10, decDeg: 41, fovDeg: 10 / 3600, rollDeg: 0, projection: 'TAN', widthPx: 800, heightPx: 600 });
    expect(g.latStepDeg * 3600).toBeLessThanOrEqual(2);
    expect(g.lines.length).toBeGreaterThan(4);
  });
});
