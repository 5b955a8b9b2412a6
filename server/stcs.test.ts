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

  it('flattens UNION, falls back (undefined) for INTERSECTION, NOT and malformed strings', () => {
    expect(parseStcs('UNION ICRS ( POLYGON 1 1 2 1 2 2 POSITION 5 5 )')?.map((s) => s.kind)).toEqual(['polygon', 'point']);
    expect(parseStcs('INTERSECTION ( CIRCLE 1 1 1 CIRCLE 2 1 1 )')).toBeUndefined();
    expect(parseStcs('NOT ( CIRCLE 1 1 1 )')).toBeUndefined();
    expect(parseStcs('POLYGON 1 2 abc')).toBeUndefined();
    expect(parseStcs('')).toBeUndefined();
    expect(parseStcs(null)).toBeUndefined();
  });
});
