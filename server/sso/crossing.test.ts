// The crossing search's pure parts against brute force: path sampling bounds the step, chunks
// cover every instant of straight and wobbling paths, and firstCrossing agrees with a dense scan
// for random paths through random footprints.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { angle, parseStcs, unit, intersectsCone } from '../storage/stcs.js';
import { PathTooLongError, firstCrossing, pathChunks, samplePath, type Direction } from './crossing.js';

const DEG = Math.PI / 180;
const distDeg = (a: { raDeg: number; decDeg: number }, b: { raDeg: number; decDeg: number }): number =>
  angle(unit(a.raDeg, a.decDeg), unit(b.raDeg, b.decDeg)) / DEG;

/** A body moving along a great circle at `degPerDay` (optionally with a wobble), from (ra0, dec0). */
function mover(ra0: number, dec0: number, headingDeg: number, degPerDay: number, wobbleDeg = 0): Direction {
  const p = unit(ra0, dec0);
  // east and north unit vectors at the start
  const east = Float64Array.of(-Math.sin(ra0 * DEG), Math.cos(ra0 * DEG), 0);
  const north = Float64Array.of(-Math.sin(dec0 * DEG) * Math.cos(ra0 * DEG), -Math.sin(dec0 * DEG) * Math.sin(ra0 * DEG), Math.cos(dec0 * DEG));
  const h = headingDeg * DEG;
  const dir = [0, 1, 2].map((i) => Math.sin(h) * east[i]! + Math.cos(h) * north[i]!);
  return (ms) => {
    const days = ms / 86_400_000;
    const s = (degPerDay * days + wobbleDeg * Math.sin(days)) * DEG;
    const v = [0, 1, 2].map((i) => Math.cos(s) * p[i]! + Math.sin(s) * dir[i]!);
    const ra = Math.atan2(v[1]!, v[0]!) / DEG;
    return { raDeg: ra < 0 ? ra + 360 : ra, decDeg: Math.asin(Math.max(-1, Math.min(1, v[2]!))) / DEG };
  };
}

describe('samplePath', () => {
  it('keeps consecutive samples within maxStepDeg, ends at start and end, times increasing', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 359, noNaN: true }),
        fc.double({ min: -80, max: 80, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.double({ min: 0.01, max: 20, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        (ra, dec, heading, speed, days) => {
          const dir = mover(ra, dec, heading, speed);
          const pts = samplePath(dir, 0, days * 86_400_000, 86_400_000, 1, 100_000);
          expect(pts[0]!.timeMs).toBe(0);
          expect(pts[pts.length - 1]!.timeMs).toBe(days * 86_400_000);
          for (let i = 1; i < pts.length; i++) {
            expect(pts[i]!.timeMs).toBeGreaterThan(pts[i - 1]!.timeMs);
            expect(distDeg(pts[i - 1]!, pts[i]!)).toBeLessThanOrEqual(1 + 1e-9);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('throws PathTooLongError past maxPoints, RangeError for reversed ranges', () => {
    const fast = mover(10, 10, 90, 13); // the Moon's pace
    expect(() => samplePath(fast, 0, 365 * 86_400_000, 86_400_000, 1, 1000)).toThrow(PathTooLongError);
    expect(() => samplePath(fast, 10, 0, 86_400_000, 1, 1000)).toThrow(RangeError);
    expect(samplePath(fast, 5, 5, 86_400_000, 1, 10)).toHaveLength(1);
  });
});

describe('pathChunks', () => {
  it('every instant of the path lies in a chunk whose cone holds its position', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 359, noNaN: true }),
        fc.double({ min: -85, max: 85, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (ra, dec, heading, speed, wobble) => {
          const dir = mover(ra, dec, heading, speed, wobble);
          const end = 120 * 86_400_000;
          const pts = samplePath(dir, 0, end, 86_400_000, 1, 100_000);
          const chunks = pathChunks(pts, 5, 1);
          // brute force: every hour of the path
          for (let t = 0; t <= end; t += 3_600_000) {
            const p = dir(t);
            const ok = chunks.some(
              (c) => t >= c.startMs && t <= c.endMs && distDeg(c, p) <= c.radiusDeg + 1e-9,
            );
            expect(ok, `t = ${t / 86_400_000} d`).toBe(true);
          }
          for (const c of chunks) expect(c.radiusDeg).toBeLessThanOrEqual(5 + 1 + 1 + 1e-9);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('firstCrossing', () => {
  const box = (ra: number, dec: number, h: number) => {
    const c = Math.cos(dec * DEG);
    return parseStcs(`POLYGON ${ra - h / c} ${dec - h} ${ra + h / c} ${dec - h} ${ra + h / c} ${dec + h} ${ra - h / c} ${dec + h}`)!;
  };

  it('agrees with a dense scan (a crossing is never missed; a reported one is within the tolerance)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 359, noNaN: true }),
        fc.double({ min: -70, max: 70, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.double({ min: -0.05, max: 0.05, noNaN: true }),
        fc.double({ min: -0.05, max: 0.05, noNaN: true }),
        (ra, dec, heading, degPerDay, dx, dy) => {
          const dir = mover(ra, dec, heading, degPerDay);
          const region = box(ra + dx / Math.cos(dec * DEG), dec + dy, 0.01);
          const t0 = -86_400_000 / 24;
          const t1 = 86_400_000 / 24;
          const hit = firstCrossing(dir, region, t0, t1, 1 / 3600, 2000);
          // dense scan: 20,000 instants
          let dense: number | undefined;
          for (let i = 0; i <= 20_000; i++) {
            const t = t0 + ((t1 - t0) * i) / 20_000;
            const p = dir(t);
            if (intersectsCone(region, unit(p.raDeg, p.decDeg), 0)) {
              dense = t;
              break;
            }
          }
          if (dense !== undefined) {
            expect(hit, 'missed a crossing').toBeDefined();
            // found at the first sample within the tolerance: at most one sample (1″ of motion) late
            const oneSampleMs = ((1 / 3600 / degPerDay) * 86_400_000) * 1.001;
            expect(hit!.timeMs).toBeLessThanOrEqual(dense + oneSampleMs);
          }
          if (hit !== undefined) {
            expect(intersectsCone(region, unit(hit.raDeg, hit.decDeg), hit.toleranceDeg * DEG + 1e-12)).toBe(true);
            expect(hit.toleranceDeg).toBeLessThanOrEqual(1 / 3600);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('an instantaneous observation is a point test; reversed intervals are no crossing', () => {
    const dir = mover(100, 20, 0, 1);
    expect(firstCrossing(dir, box(100, 20, 0.001), 0, 0, 1 / 3600, 10)).toMatchObject({ timeMs: 0, toleranceDeg: 0 });
    expect(firstCrossing(dir, box(100.5, 20, 0.001), 0, 0, 1 / 3600, 10)).toBeUndefined();
    expect(firstCrossing(dir, box(100, 20, 0.001), 10, 0, 1 / 3600, 10)).toBeUndefined();
  });
});
