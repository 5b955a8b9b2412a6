// FoV templates: placement against astropy.wcs (test/fixtures/fov/make_fov_reference.py) to well
// under 0.1″, the inverse, position angles, hit testing, shape parsing and its errors.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { angularDistanceDeg } from '../hips/healpix.js';
import {
  FovTemplateError, insideFovTemplate, NIRCAM_TEMPLATE, offsetToSky, parseFovShapes, placeFovTemplate, positionAngleDeg, skyToOffset, checkPlacement,
} from './fovTemplate.js';

const ref = JSON.parse(readFileSync(join(__dirname, '../../test/fixtures/fov/fov_reference.json'), 'utf8')) as {
  cases: Array<{ raDeg: number; decDeg: number; paDeg: number; offsets: Array<[number, number]>; sky: Array<[number, number]> }>;
};

describe('FoV template placement', () => {
  it('matches astropy.wcs (TAN, PC rotated by PA) to < 0.1 arcsec, also across RA 0 and at the poles', () => {
    let worst = 0;
    for (const c of ref.cases) {
      c.offsets.forEach(([x, y], k) => {
        const [ra, dec] = offsetToSky(c, x, y);
        const errArcsec = angularDistanceDeg(ra, dec, c.sky[k][0], c.sky[k][1]) * 3600;
        worst = Math.max(worst, errArcsec);
        expect(errArcsec, `(${x}, ${y}) at ${c.raDeg} ${c.decDeg} PA ${c.paDeg}`).toBeLessThan(0.1);
        // and back
        const back = skyToOffset(c, c.sky[k][0], c.sky[k][1])!;
        expect(Math.hypot(back[0] - x, back[1] - y) * 60).toBeLessThan(0.1);
      });
    }
    expect(worst).toBeLessThan(1e-3); // float64 all the way: far below the 0.1″ requirement
  });

  it('PA turns +y from north through east; +x is east at PA 0', () => {
    const p = { raDeg: 150, decDeg: 10, paDeg: 0 };
    expect(offsetToSky(p, 1, 0)[0]).toBeGreaterThan(150);
    for (const pa of [0, 45, 90, 180, 271]) {
      const [ra, dec] = offsetToSky({ ...p, paDeg: pa }, 0, 5);
      const got = positionAngleDeg(150, 10, ra, dec);
      expect(Math.abs(((got - pa + 540) % 360) - 180)).toBeLessThan(1e-9);
    }
  });

  it('places every shape and tests points inside', () => {
    const shapes = parseFovShapes([...NIRCAM_TEMPLATE, 'CIRCLE 0 5 0.5']);
    expect(shapes).toHaveLength(9);
    const regions = placeFovTemplate(shapes, { raDeg: 10, decDeg: 20, paDeg: 30 });
    expect(regions).toHaveLength(9);
    expect(regions[8].type === 'polygon' && regions[8].vertices.length).toBe(72);
    expect(insideFovTemplate(shapes, 1.0, 0.5)).toBe(true); // module B, a detector
    expect(insideFovTemplate(shapes, 1.0, 0)).toBe(false); // the 5″ gap between its detectors
    expect(insideFovTemplate(shapes, 0, 0)).toBe(false); // between the modules
    expect(insideFovTemplate(shapes, 0, 5.2)).toBe(true); // the circle
    expect(insideFovTemplate(shapes, 10, 0)).toBe(false);
  });

  it('reads STC-S POLYGON / CIRCLE / UNION in arcmin offsets, and names bad input', () => {
    const [poly] = parseFovShapes(['Polygon -1.5 -1 1.5 -1 1.5 1 -1.5 1']);
    expect(poly).toEqual({ type: 'polygon', xyArcmin: [[-1.5, -1], [1.5, -1], [1.5, 1], [-1.5, 1]] });
    expect(parseFovShapes(['UNION ( CIRCLE -2 0 1 CIRCLE 2 0 1 )'])).toHaveLength(2);
    expect(() => parseFovShapes([])).toThrow(FovTemplateError);
    expect(() => parseFovShapes(['POLYGON 1 2 3'])).toThrow(/FoV shape 0: STC-S/);
    expect(() => parseFovShapes(['BOX 0 0 1 1'])).toThrow(/BOX is not a template shape/);
    expect(() => parseFovShapes(['NOT ( CIRCLE 0 0 1 )'])).toThrow(/NOT is not a template shape/);
    expect(() => parseFovShapes([{ type: 'polygon', xyArcmin: [[0, 0], [1, 0], [0, 200]] }])).toThrow(/vertex 2.*±90 arcmin/);
    expect(() => parseFovShapes([{ type: 'circle', xArcmin: 0, yArcmin: 0, radiusArcmin: -1 }])).toThrow(/radius/);
    expect(() => checkPlacement({ raDeg: 10, decDeg: 95, paDeg: 0 })).toThrow(/decDeg in \[-90, 90\]/);
    expect(checkPlacement({ raDeg: -10, decDeg: 5, paDeg: -90 })).toEqual({ raDeg: 350, decDeg: 5, paDeg: 270 });
  });
});

describe('FoV shape parser fuzz', () => {
  it('random and mutated strings give shapes or a FovTemplateError, never another error', () => {
    const base = ['POLYGON -2 -1 2 -1 2 1 -2 1', 'CIRCLE 0 2.5 0.5', 'UNION ( CIRCLE -2 0 1 POLYGON 0 0 1 0 1 1 )', ...NIRCAM_TEMPLATE];
    const mutated = fc.tuple(fc.constantFrom(...base), fc.nat(), fc.string({ maxLength: 6 }), fc.nat(8)).map(([s, at, ins, del]) => {
      const i = at % (s.length + 1);
      return s.slice(0, i) + ins + s.slice(i + del);
    });
    fc.assert(fc.property(fc.array(fc.oneof(fc.string({ maxLength: 40 }), mutated), { minLength: 1, maxLength: 3 }), (shapes) => {
      try {
        const out = parseFovShapes(shapes);
        for (const s of out) {
          const pts = s.type === 'polygon' ? s.xyArcmin : [[s.xArcmin, s.yArcmin]];
          for (const [x, y] of pts) expect(Math.abs(x) <= 90 && Math.abs(y) <= 90).toBe(true);
        }
      } catch (e) {
        expect(e).toBeInstanceOf(FovTemplateError);
      }
    }), { numRuns: 2000, seed: 6 });
  });
});
