// Geometry of the TAP predicates: great-circle arc crossings, polygon-vs-footprint intersection
// checked against dense sampling (a point inside both polygons, found with the separately tested
// SphericalPolygon.contains, means they must intersect: no footprint may be missed), symmetry,
// and the shapes' input checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SphericalPolygon } from '../../src/hips/healpixQuery.js';
import { parseStcs, unit } from '../storage/stcs.js';
import { AdqlError } from './lexer.js';
import { arcsCross, makeBox, makeCircle, makePolygon, regionIntersectsPolygon, regionTest } from './geometry.js';

describe('arcsCross', () => {
  it('finds crossings of minor arcs and nothing else', () => {
    expect(arcsCross(unit(-10, 0), unit(10, 0), unit(0, -10), unit(0, 10))).toBe(true);
    expect(arcsCross(unit(-10, 0), unit(10, 0), unit(20, -10), unit(20, 10))).toBe(false);
    // the antipode of the crossing point is not on the minor arcs
    expect(arcsCross(unit(170, 0), unit(190, 0), unit(0, -10), unit(0, 10))).toBe(false);
    // across RA 0/360
    expect(arcsCross(unit(355, 0), unit(5, 0), unit(0, -1), unit(0, 1))).toBe(true);
  });
});

/** A rectangle around (ra, dec): half-sizes w and h degrees, rotated by a (counter-clockwise). */
function quad(ra: number, dec: number, w: number, a: number, h = w): Array<[number, number]> {
  const c = Math.cos((dec * Math.PI) / 180);
  return [[-w, -h], [w, -h], [w, h], [-w, h]].map(([x, y]) => {
    const [u, v] = [x! * Math.cos(a) - y! * Math.sin(a), x! * Math.sin(a) + y! * Math.cos(a)];
    return [ra + u / c, dec + v] as [number, number];
  });
}

describe('regionIntersectsPolygon', () => {
  it('never misses an overlap that sampling finds; symmetric; agrees with sampling but for slivers', () => {
    let agree = 0;
    let hits = 0;
    let total = 0;
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.double({ min: -70, max: 70, noNaN: true }),
        fc.double({ min: 0.3, max: 2, noNaN: true }),
        fc.double({ min: 0.3, max: 2, noNaN: true }),
        // offsets spread evenly (fast-check's doubles favour small values)
        fc.nat(5000).map((v) => v / 1000 - 2.5),
        fc.nat(5000).map((v) => v / 1000 - 2.5),
        fc.double({ min: 0, max: Math.PI, noNaN: true }),
        fc.double({ min: 0, max: Math.PI, noNaN: true }),
        (ra, dec, s1, s2, dra, ddec, a1, a2) => {
          // thin bars as often as squares: crossings with no vertex inside the other polygon
          const p = quad(ra, dec, s1, a1, s1 / 6);
          const f = quad(ra + dra, dec + ddec, s2, a2, dra > 0 ? s2 / 6 : s2);
          const region = parseStcs(`POLYGON ICRS ${f.flat().join(' ')}`)!;
          const r = regionIntersectsPolygon(region, p);
          const back = regionIntersectsPolygon(parseStcs(`POLYGON ${p.flat().join(' ')}`)!, f);
          expect(back).toBe(r);
          // sampling: a grid over the query polygon's bounding box
          const pp = new SphericalPolygon(p);
          const fp = new SphericalPolygon(f);
          const ras = p.map((v) => v[0]);
          const decs = p.map((v) => v[1]);
          const [ra0, ra1, d0, d1] = [Math.min(...ras), Math.max(...ras), Math.min(...decs), Math.max(...decs)];
          let sampled = false;
          const n = 120;
          for (let i = 0; i <= n && !sampled; i++) {
            for (let j = 0; j <= n && !sampled; j++) {
              const v = unit(ra0 + ((ra1 - ra0) * i) / n, d0 + ((d1 - d0) * j) / n);
              if (pp.contains(v) && fp.contains(v)) sampled = true;
            }
          }
          if (sampled) expect(r).toBe(true);
          total++;
          if (r === sampled) agree++;
          if (r) hits++;
        },
      ),
      { numRuns: 500, seed: 42 },
    );
    console.info(`polygon pairs: ${total}, intersecting: ${hits}, agreeing with sampling: ${agree}`);
    expect(hits).toBeGreaterThan(50);
    expect(total - hits).toBeGreaterThan(50);
    // the sampling misses only slivers thinner than its step
    expect(agree / total).toBeGreaterThan(0.97);
  });

  it('finds a crossing with no vertex of either polygon inside the other', () => {
    const bar: Array<[number, number]> = [[0, -0.1], [4, -0.1], [4, 0.1], [0, 0.1]];
    expect(regionIntersectsPolygon(parseStcs('POLYGON 1.9 -2 2.1 -2 2.1 2 1.9 2')!, bar)).toBe(true);
    expect(regionIntersectsPolygon(parseStcs('POLYGON 5.9 -2 6.1 -2 6.1 2 5.9 2')!, bar)).toBe(false);
  });

  it('handles circles and points in footprints, and circles as the query', () => {
    const sq: Array<[number, number]> = [[9, -1], [11, -1], [11, 1], [9, 1]];
    expect(regionIntersectsPolygon(parseStcs('CIRCLE ICRS 12 0 1.01')!, sq)).toBe(true);
    expect(regionIntersectsPolygon(parseStcs('CIRCLE ICRS 12 0 0.99')!, sq)).toBe(false);
    expect(regionIntersectsPolygon(parseStcs('POSITION ICRS 10 0')!, sq)).toBe(true);
    expect(regionIntersectsPolygon(parseStcs('UNION (POSITION 50 50 CIRCLE 10.5 0.5 0.1)')!, sq)).toBe(true);
    const circle = regionTest(makeCircle(12, 0, 1.01));
    expect(circle(parseStcs(`POLYGON ${sq.flat().join(' ')}`)!)).toBe(true);
  });
});

describe('shape checks', () => {
  it('refuses bad shapes with a message naming the problem', () => {
    expect(() => makeCircle(0, 91, 1)).toThrow(AdqlError);
    expect(() => makeCircle(0, 0, -1)).toThrow(/radius -1 is outside \[0, 180\]/);
    expect(() => makePolygon([[0, 0], [1, 1], [0, 0]])).toThrow(/POLYGON: /);
    expect(() => makeBox(0, 0, 0, 1)).toThrow(/BOX: width and height must be in \(0, 180\)/);
    expect(makeBox(10, 80, 2, 2)).toMatchObject({ kind: 'polygon' });
  });
});
