import { describe, expect, it } from 'vitest';
import { makeCamera, panByPixels, project, unproject, zoomAt, pixelToNdc, type ViewState } from './camera.js';
import { lonLatDegToVec, vecToLonLatDeg, angleRad } from './vec3.js';

const view = (o: Partial<ViewState> = {}): ViewState => ({ raDeg: 83.6, decDeg: 22.0, fovDeg: 10, rollDeg: 0, projection: 'SIN', widthPx: 800, heightPx: 600, ...o });

describe('camera', () => {
  it('puts north up and east on the left (sky seen from inside)', () => {
    const cam = makeCamera(view());
    const east = project(cam, lonLatDegToVec(84.6, 22.0))!;
    const north = project(cam, lonLatDegToVec(83.6, 23.0))!;
    expect(east[0]).toBeLessThan(0);
    expect(Math.abs(east[1])).toBeLessThan(0.01);
    expect(north[1]).toBeGreaterThan(0);
    expect(Math.abs(north[0])).toBeLessThan(1e-12);
  });

  it('rolls the up direction toward the east for a positive roll', () => {
    const cam = makeCamera(view({ rollDeg: 90 }));
    const east = project(cam, lonLatDegToVec(84.6, 22.0))!;
    expect(east[1]).toBeGreaterThan(0);
  });

  for (const projection of ['SIN', 'TAN'] as const) {
    it(`${projection}: unproject inverts project to 1e-12 rad`, () => {
      const cam = makeCamera(view({ projection, fovDeg: 60, raDeg: 359.9, decDeg: -89.5 }));
      for (const [x, y] of [[0, 0], [0.5, -0.3], [-0.99, 0.99], [0.2, 0.7]]) {
        const v = unproject(cam, x, y)!;
        const p = project(cam, v)!;
        expect(p[0]).toBeCloseTo(x, 12);
        expect(p[1]).toBeCloseTo(y, 12);
      }
    });
  }

  it('maps one device pixel to fov/width at the centre and to a 1-arcsecond field without loss', () => {
    const fovDeg = 1 / 3600;
    const cam = makeCamera(view({ fovDeg, widthPx: 1000 }));
    const a = unproject(cam, ...pixelToNdc(cam.view, 500, 300))!;
    const b = unproject(cam, ...pixelToNdc(cam.view, 501, 300))!;
    expect(angleRad(a, b) / ((fovDeg * Math.PI) / 180 / 1000)).toBeCloseTo(1, 6);
  });

  it('pans so the grabbed sky point follows the pointer', () => {
    const v0 = view();
    const cam0 = makeCamera(v0);
    const grabbed = unproject(cam0, ...pixelToNdc(v0, 200, 100))!;
    const v1 = panByPixels(v0, [200, 100], [260, 180]);
    const p = project(makeCamera(v1), grabbed)!;
    const px = [((p[0] + 1) / 2) * 800, ((1 - p[1]) / 2) * 600];
    expect(px[0]).toBeCloseTo(260, 1);
    expect(px[1]).toBeCloseTo(180, 1);
  });

  it('zooms about the anchor pixel', () => {
    const v0 = view();
    const anchor: [number, number] = [100, 500];
    const target = unproject(makeCamera(v0), ...pixelToNdc(v0, ...anchor))!;
    const v1 = zoomAt(v0, 0.5, anchor);
    expect(v1.fovDeg).toBeCloseTo(5, 12);
    const p = project(makeCamera(v1), target)!;
    expect(((p[0] + 1) / 2) * 800).toBeCloseTo(100, 1);
    expect(((1 - p[1]) / 2) * 600).toBeCloseTo(500, 1);
  });

  it('keeps a defined basis at the poles and rejects bad sizes', () => {
    const cam = makeCamera(view({ decDeg: 90 }));
    expect(vecToLonLatDeg(cam.centre)[1]).toBeCloseTo(90, 12);
    expect(() => makeCamera(view({ widthPx: 0 }))).toThrow(RangeError);
    expect(() => makeCamera(view({ fovDeg: NaN }))).toThrow(/fov/);
  });
});
