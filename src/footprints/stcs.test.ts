import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { daliCircle, daliPoint, daliPolygon, parseStcs, StcsError, type SkyRegion } from './stcs.js';
import { angleRad, lonLatDegToVec } from '../math/vec3.js';

const ESO = new URL('../../../shared/data/votable_samples/eso_obscore_1000rows_orion.xml', import.meta.url);

function sRegions(): string[] {
  const xml = readFileSync(ESO, 'utf8');
  return [...xml.matchAll(/<TD>((?:POLYGON|POSITION|UNION|CIRCLE|BOX)\b[^<]*)<\/TD>/gi)].map((m) => m[1]!);
}

function errorOf(text: string): StcsError {
  try {
    parseStcs(text);
  } catch (e) {
    if (e instanceof StcsError) return e;
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

describe('parseStcs', () => {
  it('reads every s_region of the ESO ObsCore sample (POSITION, POLYGON, UNION with repeated frames)', () => {
    const all = sRegions();
    expect(all.length).toBe(1000);
    const counts: Record<string, number> = {};
    for (const s of all) {
      const r = parseStcs(s);
      counts[r.type] = (counts[r.type] ?? 0) + 1;
      // every coordinate lands near Orion
      const visit = (x: SkyRegion): void => {
        if (x.type === 'union' || x.type === 'intersection') x.members.forEach(visit);
        else if (x.type === 'not') visit(x.member);
        else if (x.type === 'polygon') for (const [ra, dec] of x.vertices) expect(angleRad(lonLatDegToVec(ra, dec), lonLatDegToVec(83.8, -5.4)) * 180 / Math.PI).toBeLessThan(3);
        else if (x.type === 'position' || x.type === 'circle') expect(angleRad(lonLatDegToVec(x.raDeg, x.decDeg), lonLatDegToVec(83.8, -5.4)) * 180 / Math.PI).toBeLessThan(3);
      };
      visit(r);
    }
    expect(counts).toEqual({ position: 757, union: 165, polygon: 78 });
    const u = parseStcs(all.find((s) => s.startsWith('UNION'))!);
    expect(u.type).toBe('union');
    if (u.type === 'union') expect(u.members.every((m) => m.type === 'polygon' && m.vertices.length === 4)).toBe(true);
  });

  it('reads every shape, operator, frame, refpos, flavor and unit word, case-insensitively', () => {
    expect(parseStcs('Position ICRS 10 20')).toEqual({ type: 'position', raDeg: 10, decDeg: 20 });
    expect(parseStcs('circle fk5 barycenter spherical2 10.5 -20 0.5 unit deg')).toEqual({ type: 'circle', raDeg: 10.5, decDeg: -20, radiusDeg: 0.5 });
    expect(parseStcs('POLYGON 359 1 1 1 1 -1 359 -1')).toEqual({ type: 'polygon', vertices: [[359, 1], [1, 1], [1, -1], [359, -1]] });
    expect(parseStcs('Polygon J2000 -1 1 1 1 1 -1')).toEqual({ type: 'polygon', vertices: [[359, 1], [1, 1], [1, -1]] });
    const box = parseStcs('Box fillfactor 0.9 ICRS 180 60 2 1');
    expect(box.type).toBe('polygon');
    if (box.type === 'polygon') {
      expect(box.box).toBe(true);
      expect(box.vertices[0]![0]).toBeCloseTo(178, 12); // half width 1° / cos 60°
      expect(box.vertices[2]![0]).toBeCloseTo(182, 12);
      expect(box.vertices[2]![1]).toBe(60.5);
    }
    const nested = parseStcs('Intersection ICRS ( Circle 10 10 5 Not ( Polygon 9 9 11 9 10 11 ) Union ( Position 1 2 Circle 3 4 1 ) )');
    expect(nested.type).toBe('intersection');
    if (nested.type === 'intersection') expect(nested.members.map((m) => m.type)).toEqual(['circle', 'not', 'union']);
    // two regions side by side: their union
    expect(parseStcs('POSITION 1 2 POSITION 3 4')).toEqual({ type: 'union', members: [{ type: 'position', raDeg: 1, decDeg: 2 }, { type: 'position', raDeg: 3, decDeg: 4 }] });
    // a repeated closing vertex is dropped
    expect(parseStcs('POLYGON 1 1 2 1 2 2 1 1')).toEqual({ type: 'polygon', vertices: [[1, 1], [2, 1], [2, 2]] });
  });

  it('rotates GALACTIC (and ECLIPTIC) coordinates to ICRS as astropy does', () => {
    const fx = JSON.parse(readFileSync(new URL('../../test/fixtures/footprints/galactic.json', import.meta.url), 'utf8')) as { points: Array<{ l: number; b: number; ra: number; dec: number }> };
    for (const p of fx.points) {
      const r = parseStcs(`POSITION GALACTIC ${p.l} ${p.b}`);
      if (r.type !== 'position') throw new Error('not a position');
      expect(angleRad(lonLatDegToVec(r.raDeg, r.decDeg), lonLatDegToVec(p.ra, p.dec))).toBeLessThan(1e-10);
    }
    const ecl = parseStcs('POSITION ECLIPTIC 90 0');
    if (ecl.type !== 'position') throw new Error('not a position');
    expect(ecl.raDeg).toBeCloseTo(90, 9);
    expect(ecl.decDeg).toBeCloseTo(23.4392794, 6);
  });

  it('names the offending token and its position in malformed STC-S', () => {
    const cases: Array<[string, string, number, RegExp]> = [
      ['POLYGON ICRS 1 2 abc 4 5 6', 'abc', 17, /POLYGON needs at least 3 vertices/],
      ['CIRCLE ICRS 1 2', '', 15, /CIRCLE needs lon lat radius/],
      ['CIRCLE ICRS 1 2 3 4', '4', 18, /extra number/],
      ['POSITION FK4 1 2', 'FK4', 9, /unsupported coordinate frame/],
      ['TRIANGLE 1 2 3', 'TRIANGLE', 0, /unknown shape/],
      ['UNION ICRS POLYGON 1 2 3 4 5 6', 'POLYGON', 11, /expected '\('/],
      ['UNION ( CIRCLE 1 2 3', '', 20, /expected '\)'/],
      ['POSITION 1 95', '95', 11, /latitude outside/],
      ['POLYGON 1 2 3 4 5 6 7', '7', 20, /odd count/],
      ['CIRCLE 1 2 -1', '-1', 11, /radius outside/],
      ['POSITION 1 2 unit arcsec', 'arcsec', 18, /unit deg/],
      ['', '', 0, /empty region/],
      ['NOT ( POSITION 1 2 POSITION 3 4 )', ')', 32, /exactly one region/],
      ['POSITION 1 2 )', ')', 13, /unbalanced/],
      ['POLYGON 1 1 1 1 1 1', 'POLYGON', 0, /3 distinct vertices/],
    ];
    for (const [text, token, position, message] of cases) {
      const e = errorOf(text);
      expect(e.token, text).toBe(token);
      expect(e.position, text).toBe(position);
      expect(e.message, text).toMatch(message);
      if (token !== '') expect(e.message).toContain(`'${token}' at position ${position}`);
    }
  });

  it('reads DALI point, circle and polygon arrays and strings', () => {
    expect(daliPoint([10, 20])).toEqual({ type: 'position', raDeg: 10, decDeg: 20 });
    expect(daliCircle('10 20 1.5')).toEqual({ type: 'circle', raDeg: 10, decDeg: 20, radiusDeg: 1.5 });
    expect(daliPolygon(Float64Array.of(-1, 0, 1, 0, 0, 1))).toEqual({ type: 'polygon', vertices: [[359, 0], [1, 0], [0, 1]] });
    expect(() => daliPolygon([1, 2, 3, 4])).toThrow(/even count >= 6/);
    expect(() => daliCircle([1, 100, 1])).toThrow(/latitude 100/);
    expect(() => daliPolygon('1 2 x 4 5 6')).toThrow(/expected a number, got 'x'/);
    expect(() => daliPoint([1, NaN])).toThrow(/not a finite number/);
    // DALI 1.2 shape strings are STC-S without a frame
    expect(parseStcs('polygon 1 0 2 0 2 1').type).toBe('polygon');
  });

  it('never crashes or hangs on random and mutated strings (fuzz)', () => {
    const seeds = [...sRegions().slice(0, 40), 'Intersection ICRS ( Circle 10 10 5 Not ( Polygon 9 9 11 9 10 11 ) )', 'Box fillfactor 0.5 GALACTIC 1 2 3 4'];
    const words = fc.constantFrom('(', ')', 'POLYGON', 'CIRCLE', 'UNION', 'NOT', 'INTERSECTION', 'BOX', 'POSITION', 'ICRS', 'GALACTIC', 'unit', 'deg', '1e400', '-0', '.5', 'NaN', '90.0001', '1', '2', '3');
    const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.oneof(fc.string({ maxLength: 6 }), words)), { maxLength: 4 })).map(([s, edits]) => {
      let t = s;
      for (const [at, del, ins] of edits) {
        const p = at % (t.length + 1);
        t = t.slice(0, p) + ` ${ins} ` + t.slice(p + del);
      }
      return t;
    });
    const random = fc.array(words, { maxLength: 40 }).map((w) => w.join(' '));
    fc.assert(fc.property(fc.oneof(mutated, random, fc.string({ maxLength: 60 })), (text) => {
      try {
        const r = parseStcs(text);
        expect(['position', 'circle', 'polygon', 'union', 'intersection', 'not']).toContain(r.type);
      } catch (e) {
        if (!(e instanceof StcsError)) throw e;
        expect(e.position).toBeGreaterThanOrEqual(0);
        expect(e.position).toBeLessThanOrEqual(text.length);
      }
    }), { numRuns: 3000 });
    // deep nesting is refused, not a stack overflow
    expect(() => parseStcs(`${'NOT ( '.repeat(5000)}POSITION 1 2${' )'.repeat(5000)}`)).toThrow(/nesting deeper/);
  });
});
