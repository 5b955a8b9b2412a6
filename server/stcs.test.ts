import { describe, expect, it } from 'vitest';
import { extentFrom, intersectsCone, parseStcs, unit } from './storage/stcs.js';

const DEG = Math.PI / 180;

describe('server footprints (parsed by src/footprints/stcs.ts)', () => {
  it('reads GALACTIC footprints in ICRS and searches them by cone', () => {
    // the Galactic centre, l = b = 0, is at RA 266.405, Dec -28.936
    const r = parseStcs('CIRCLE GALACTIC 0 0 0.5');
    expect(r).toHaveLength(1);
    expect(intersectsCone(r!, unit(266.405, -28.936), 0.1 * DEG)).toBe(true);
    expect(intersectsCone(r!, unit(0, 0), 1 * DEG)).toBe(false);
    expect(extentFrom(r!, unit(266.405, -28.936))).toBeCloseTo(0.5, 2);
  });

  it('flattens UNION, keeps INTERSECTION / NOT / self-crossing polygons exact, undefined for malformed strings', () => {
    expect(parseStcs('UNION ICRS ( POLYGON 1 1 2 1 2 2 POSITION 5 5 )')?.map((s) => s.kind)).toEqual(['polygon', 'point']);
    expect(parseStcs('UNION ( CIRCLE 9 9 1 INTERSECTION ( CIRCLE 1 1 1 CIRCLE 2 1 1 ) )')?.map((s) => s.kind)).toEqual(['circle', 'boolean']);
    // the lens of two circles: its middle is in, the far sides of both circles are out
    const lens = parseStcs('INTERSECTION ( CIRCLE 1 1 1 CIRCLE 2 1 1 )')!;
    expect(intersectsCone(lens, unit(1.5, 1), 0)).toBe(true);
    expect(intersectsCone(lens, unit(0.3, 1), 0.6 * DEG)).toBe(false); // the lens starts at RA ~1.0
    expect(intersectsCone(lens, unit(0.3, 1), 0.75 * DEG)).toBe(true);
    const hole = parseStcs('NOT ( CIRCLE 1 1 1 )')!;
    expect(intersectsCone(hole, unit(1, 1), 0.9 * DEG)).toBe(false);
    expect(intersectsCone(hole, unit(1, 1), 1.1 * DEG)).toBe(true);
    expect(extentFrom(hole, unit(1, 1))).toBe(180);
    // a bow tie (self-crossing): its two triangles are in, the space between their tips is out
    const bow = parseStcs('POLYGON 0 0 2 2 2 0 0 2')!;
    expect(bow.map((s) => s.kind)).toEqual(['boolean']);
    expect(intersectsCone(bow, unit(0.2, 1), 0)).toBe(true);
    expect(intersectsCone(bow, unit(1, 0.2), 0)).toBe(false);
    expect(parseStcs('POLYGON 1 2 abc')).toBeUndefined();
    expect(parseStcs('')).toBeUndefined();
    expect(parseStcs(null)).toBeUndefined();
  });
});
