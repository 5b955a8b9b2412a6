// Two-body propagation: the Kepler solvers satisfy their equations for every e and M (property
// tests), the positions lie on the conic, obey vis-viva (speed from the energy) and Kepler's
// second law, and the three kinds of conic join continuously at e = 1.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GAUSS_K,
  checkElements,
  conicKind,
  eclipticToEquatorialJ2000,
  heliocentricEclipticJ2000Au,
  orbitalPlaneAu,
  perihelionFromMeanAnomaly,
  solveBarker,
  solveKeplerElliptic,
  solveKeplerHyperbolic,
  type PerihelionElements,
} from './kepler.js';

const plane = (qAu: number, e: number): PerihelionElements => ({
  qAu,
  e,
  inclDeg: 0,
  nodeDeg: 0,
  argPeriDeg: 0,
  perihelionJdTt: 2451545,
});

describe('Kepler solvers', () => {
  it('elliptic: E − e·sin E = M for any e in [0, 1) and any M', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.999999999, noNaN: true }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        (e, m) => {
          const E = solveKeplerElliptic(m, e);
          expect(Math.abs(E)).toBeLessThanOrEqual(Math.PI);
          // residual against M reduced to (−π, π]
          let mr = m % (2 * Math.PI);
          if (mr > Math.PI) mr -= 2 * Math.PI;
          if (mr < -Math.PI) mr += 2 * Math.PI;
          expect(Math.abs(E - e * Math.sin(E) - mr)).toBeLessThan(1e-12);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('elliptic: near e = 1 and M = 0, where plain Newton from E = M stalls', () => {
    for (const e of [0.99, 0.999999, 1 - 1e-12]) {
      for (const m of [1e-12, 1e-8, 1e-4, 0.01, 3.1]) {
        const E = solveKeplerElliptic(m, e);
        // E − e sin E evaluated in a cancellation-free way
        const lhs = (1 - e) * E + e * (E - Math.sin(E));
        expect(Math.abs(lhs - m) / m).toBeLessThan(1e-6);
        expect(E).toBeGreaterThan(0);
      }
    }
  });

  it('hyperbolic: e·sinh H − H = M for any e > 1 and any M', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1.000000001, max: 100, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (e, m) => {
          const H = solveKeplerHyperbolic(m, e);
          expect(Number.isFinite(H)).toBe(true);
          const lhs = e * Math.sinh(H) - H;
          expect(Math.abs(lhs - m)).toBeLessThan(1e-9 * Math.max(1, Math.abs(m)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("Barker's equation s + s³/3 = w", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (w) => {
        const s = solveBarker(w);
        expect(Math.abs(s + (s * s * s) / 3 - w)).toBeLessThan(1e-12 * Math.max(1, Math.abs(w)));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects what has no solution', () => {
    expect(() => solveKeplerElliptic(1, 1)).toThrow(/0 <= e < 1/);
    expect(() => solveKeplerElliptic(NaN, 0.5)).toThrow(/not finite/);
    expect(() => solveKeplerHyperbolic(1, 0.9)).toThrow(/e > 1/);
    expect(() => solveBarker(Infinity)).toThrow(/not finite/);
    expect(() => checkElements({ ...plane(0, 0.5) })).toThrow(/q \(AU\) = 0/);
    expect(() => checkElements({ ...plane(1, -0.1) })).toThrow(/e = -0.1/);
    expect(() => checkElements({ ...plane(1, 0.5), inclDeg: 200 })).toThrow(/i \(deg\)/);
  });
});

describe('positions on the conic', () => {
  const conics: Array<[string, number, number]> = [
    ['circle', 1, 0],
    ['ellipse', 2.5, 0.3],
    ['Hale-Bopp-like ellipse', 0.917, 0.995],
    ['parabola', 1.2, 1],
    ['hyperbola', 0.25, 1.2],
    ['Borisov-like hyperbola', 2.0, 3.36],
  ];
  for (const [what, q, e] of conics) {
    it(`${what}: r = p / (1 + e cos ν), vis-viva and equal areas`, () => {
      const el = plane(q, e);
      const p = q * (1 + e);
      const h = GAUSS_K * Math.sqrt(p); // specific angular momentum
      for (const dt of [-400, -30, -1, 0, 0.5, 7, 90, 1000]) {
        const t = el.perihelionJdTt + dt;
        const { x, y } = orbitalPlaneAu(el, t);
        const r = Math.hypot(x, y);
        const nu = Math.atan2(y, x);
        expect(Math.abs(r - p / (1 + e * Math.cos(nu))) / r).toBeLessThan(1e-12);
        expect(Math.sign(nu) === Math.sign(dt) || dt === 0 || (e < 1 && Math.abs(dt) > 100)).toBe(true);
        // velocity by central differences
        const d = 1e-3;
        const a1 = orbitalPlaneAu(el, t - d);
        const a2 = orbitalPlaneAu(el, t + d);
        const vx = (a2.x - a1.x) / (2 * d);
        const vy = (a2.y - a1.y) / (2 * d);
        const v2 = vx * vx + vy * vy;
        const inverseA = (1 - e * e) / p; // 1/a: negative for a hyperbola, 0 for a parabola
        expect(Math.abs(v2 - GAUSS_K ** 2 * (2 / r - inverseA)) / v2).toBeLessThan(1e-6);
        // r × v = h (Kepler's second law)
        expect(Math.abs(x * vy - y * vx - h) / h).toBeLessThan(1e-6);
      }
    });
  }

  it('elliptic and hyperbolic orbits join the parabola continuously at e = 1', () => {
    for (const dt of [-200, -5, 0.3, 40, 3000]) {
      const par = orbitalPlaneAu(plane(1.1, 1), 2451545 + dt);
      for (const e of [1 - 1e-6, 1 + 1e-6, 1 - 1e-8, 1 + 1e-8]) {
        expect(conicKind(e)).not.toBe('parabolic');
        const near = orbitalPlaneAu(plane(1.1, e), 2451545 + dt);
        const r = Math.hypot(par.x, par.y);
        expect(Math.hypot(near.x - par.x, near.y - par.y) / r).toBeLessThan(1e-4 * Math.max(1, Math.abs(dt) / 100));
      }
    }
  });

  it('periodic: an ellipse returns after one period', () => {
    const el = plane(2.5 * 0.7, 0.3); // a = 2.5 AU
    const period = (2 * Math.PI) / (GAUSS_K / Math.pow(2.5, 1.5));
    const a = orbitalPlaneAu(el, el.perihelionJdTt + 123.4);
    const b = orbitalPlaneAu(el, el.perihelionJdTt + 123.4 + 3 * period);
    expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeLessThan(1e-10);
  });

  it('orientation: node, inclination and argument of perihelion', () => {
    // perihelion at the ascending node (ω = 0) on the +y axis (Ω = 90°): position (0, q, 0)
    const el: PerihelionElements = { ...plane(1, 0.1), nodeDeg: 90, inclDeg: 30 };
    const [x, y, z] = heliocentricEclipticJ2000Au(el, el.perihelionJdTt);
    expect(x).toBeCloseTo(0, 14);
    expect(y).toBeCloseTo(1, 14);
    expect(z).toBeCloseTo(0, 14);
    // ω = 90°: perihelion at the highest point, z = q sin i
    const [, , z2] = heliocentricEclipticJ2000Au({ ...el, argPeriDeg: 90 }, el.perihelionJdTt);
    expect(z2).toBeCloseTo(Math.sin(Math.PI / 6), 14);
    // the ecliptic pole tilts towards −y in equatorial axes by the obliquity 23.44°
    const pole = eclipticToEquatorialJ2000([0, 0, 1]);
    expect((Math.acos(pole[2]) * 180) / Math.PI).toBeCloseTo(23.4392794, 6);
    expect(pole[1]).toBeLessThan(0);
  });

  it('perihelion time from a mean anomaly picks the nearest perihelion', () => {
    const a = 2.7691652;
    const n = GAUSS_K / Math.pow(a, 1.5);
    const epoch = 2458600.5;
    expect(perihelionFromMeanAnomaly(a, 77.37215, epoch)).toBeCloseTo(epoch - (77.37215 * Math.PI) / 180 / n, 9);
    expect(perihelionFromMeanAnomaly(a, 350, epoch)).toBeGreaterThan(epoch);
    expect(() => perihelionFromMeanAnomaly(-1, 0, epoch)).toThrow(/semi-major axis/);
  });
});
