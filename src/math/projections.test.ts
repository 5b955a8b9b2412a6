// Pixel -> sky through our camera and projections against astropy.wcs (WCSLIB) reading the same
// view as a FITS WCS (test/fixtures/projections/make_projections.py), plus round trips.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { makeCamera, pixelToNdc, project, unproject, type ViewState } from './camera.js';
import { PROJECTIONS, projectViewFrame, unprojectPlane, boundaryFunction, type ProjectionName } from './projections.js';
import { angleRad, lonLatDegToVec } from './vec3.js';

interface Sample { p1: number; p2: number; inside: boolean; raDeg?: number; decDeg?: number }
interface Case { projection: ProjectionName; raDeg: number; decDeg: number; fovDeg: number; rollDeg: number; header: Record<string, number | string>; widthPx: number; heightPx: number; cdeltDeg: number; samples: Sample[] }

const ref = JSON.parse(readFileSync(new URL('../../test/fixtures/projections/projections.json', import.meta.url), 'utf8')) as { cases: Case[] };
const DEG = Math.PI / 180;

describe('projections against astropy.wcs', () => {
  for (const c of ref.cases) {
    it(`${c.projection} at (${c.raDeg}, ${c.decDeg}) fov ${c.fovDeg} roll ${c.rollDeg}`, () => {
      const view: ViewState = { raDeg: c.raDeg, decDeg: c.decDeg, fovDeg: c.fovDeg, rollDeg: c.rollDeg, projection: c.projection, widthPx: c.widthPx, heightPx: c.heightPx };
      const cam = makeCamera(view);
      // the plane scale per pixel is what the WCS header says
      expect(((2 * cam.halfWidthPlane) / c.widthPx) / DEG).toBeCloseTo(c.cdeltDeg, 10);
      let compared = 0;
      for (const s of c.samples) {
        const v = unproject(cam, ...pixelToNdc(view, s.p1 - 0.5, c.heightPx + 0.5 - s.p2));
        if (!s.inside) {
          if (v) {
            // astropy has no inverse here; ours may (e.g. on a boundary): it must at least not claim a far-off point
            continue;
          }
          continue;
        }
        expect(v, `pixel (${s.p1.toFixed(2)}, ${s.p2.toFixed(2)}) is inside for astropy`).toBeDefined();
        const err = angleRad(v!, lonLatDegToVec(s.raDeg!, s.decDeg!)) / DEG;
        expect(err, `pixel (${s.p1.toFixed(2)}, ${s.p2.toFixed(2)})`).toBeLessThan(1e-9);
        // and back to the same pixel
        const ndc = project(cam, v!)!;
        expect(ndc[0]).toBeCloseTo(((s.p1 - 0.5) / c.widthPx) * 2 - 1, 9);
        compared++;
      }
      expect(compared).toBeGreaterThan(15);
    });
  }
});

describe('projection round trips and boundaries', () => {
  for (const name of PROJECTIONS) {
    it(`${name}: unproject(project(v)) = v and the boundary encloses the image`, () => {
      let seed = 3;
      const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
      let n = 0;
      for (let i = 0; i < 2000; i++) {
        const z = 2 * rnd() - 1;
        const a = 2 * Math.PI * rnd();
        const r = Math.sqrt(1 - z * z);
        const v: [number, number, number] = [r * Math.cos(a), r * Math.sin(a), z];
        const p = projectViewFrame(name, ...v);
        if (!p) continue;
        const back = unprojectPlane(name, p[0], p[1]);
        expect(back, `${name} ${v}`).toBeDefined();
        expect(angleRad(back!, v)).toBeLessThan(1e-9);
        const f = boundaryFunction(name, p[0], p[1]);
        if (f !== undefined) expect(f).toBeLessThanOrEqual(1e-9);
        n++;
      }
      expect(n).toBeGreaterThan(name === 'SIN' || name === 'TAN' ? 900 : name === 'MER' ? 1800 : 1990);
    });
  }
});

describe('the WCS written for a view (exportFITS) equals the header the reference was computed with', () => {
  it('has the same CTYPE/CRVAL/CRPIX/CDELT/PC/LONPOLE/PV values as astropy', async () => {
    const { viewWcsCards } = await import('../export/viewWcs.js');
    for (const c of ref.cases) {
      const cards = new Map(viewWcsCards({ raDeg: c.raDeg, decDeg: c.decDeg, fovDeg: c.fovDeg, rollDeg: c.rollDeg, projection: c.projection, widthPx: c.widthPx, heightPx: c.heightPx }).map((k) => [k.key, k.value]));
      for (const [key, want] of Object.entries(c.header)) {
        const got = cards.get(key) ?? (key.startsWith('PC') ? (key === 'PC1_1' || key === 'PC2_2' ? 1 : 0) : undefined);
        if (typeof want === 'string') expect(got, `${c.projection} ${key}`).toBe(want);
        else if (key === 'LONPOLE') expect((((Number(got) - want) % 360) + 540) % 360 - 180, `${c.projection} ${key}`).toBeCloseTo(0, 8);
        else expect(Number(got), `${c.projection} roll ${c.rollDeg} ${key}`).toBeCloseTo(want, 8);
      }
    }
  });
});
