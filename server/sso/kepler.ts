/**
 * Two-body (heliocentric Keplerian) propagation of a small body from its osculating elements in
 * perihelion form, for every kind of conic: elliptic (e < 1), parabolic (e = 1) and hyperbolic
 * (e > 1). Pure functions, float64 throughout.
 *
 * Frames: the elements (inclination, node, argument of perihelion) are referred to the mean
 * ecliptic and equinox of J2000, as in the MPC files; `heliocentricEclipticJ2000Au` returns a
 * position in that frame, `eclipticToEquatorialJ2000` rotates it to the mean equator and equinox
 * of J2000 (IAU 2006 obliquity). Times are Julian days in TT.
 *
 * Kepler's equation is solved with Newton's method kept inside a bracket that provably holds the
 * root (falling back to bisection whenever a Newton step leaves it), so it converges for every
 * eccentricity and mean anomaly; near the origin E − e·sin E and e·sinh H − H are evaluated with
 * series to keep their relative precision when e is close to 1.
 */

/** Gaussian gravitational constant k (AU^1.5 / day, solar masses neglected for the body). */
export const GAUSS_K = 0.01720209895;
/** Mean obliquity of the ecliptic at J2000.0, IAU 2006 (84381.406″), radians. */
export const OBLIQUITY_J2000_RAD = (84381.406 / 3600) * (Math.PI / 180);
/** |e − 1| at or below which an orbit is treated as a parabola. */
export const PARABOLIC_TOLERANCE = 1e-9;

const DEG = Math.PI / 180;
const TWO_PI = 2 * Math.PI;

/** Osculating elements in perihelion form (MPC), angles in degrees, ecliptic/equinox J2000. */
export interface PerihelionElements {
  /** Perihelion distance (AU), > 0. */
  readonly qAu: number;
  /** Eccentricity, >= 0. */
  readonly e: number;
  readonly inclDeg: number;
  /** Longitude of the ascending node. */
  readonly nodeDeg: number;
  /** Argument of perihelion. */
  readonly argPeriDeg: number;
  /** Time of perihelion passage (JD, TT). */
  readonly perihelionJdTt: number;
}

export type ConicKind = 'elliptic' | 'parabolic' | 'hyperbolic';

export function conicKind(e: number): ConicKind {
  if (Math.abs(e - 1) <= PARABOLIC_TOLERANCE) return 'parabolic';
  return e < 1 ? 'elliptic' : 'hyperbolic';
}

/** Throws an Error naming the first element that is not a usable number. */
export function checkElements(el: PerihelionElements): void {
  const bad = (what: string, v: number): never => {
    throw new Error(`orbital element ${what} = ${v} is not valid`);
  };
  if (!(el.qAu > 0) || !Number.isFinite(el.qAu)) bad('q (AU)', el.qAu);
  if (!(el.e >= 0) || !Number.isFinite(el.e)) bad('e', el.e);
  if (!(el.inclDeg >= 0 && el.inclDeg <= 180)) bad('i (deg)', el.inclDeg);
  if (!Number.isFinite(el.nodeDeg)) bad('node (deg)', el.nodeDeg);
  if (!Number.isFinite(el.argPeriDeg)) bad('argument of perihelion (deg)', el.argPeriDeg);
  if (!Number.isFinite(el.perihelionJdTt)) bad('perihelion time (JD)', el.perihelionJdTt);
}

/** x − sin x, accurate for small |x| too. */
function xMinusSin(x: number): number {
  if (Math.abs(x) > 0.25) return x - Math.sin(x);
  // x^3/3! − x^5/5! + x^7/7! − …
  const x2 = x * x;
  let term = (x * x2) / 6;
  let sum = term;
  for (let k = 4; k < 30; k += 2) {
    term *= -x2 / (k * (k + 1));
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

/** sinh x − x, accurate for small |x| too. */
function sinhMinusX(x: number): number {
  if (Math.abs(x) > 0.25) return Math.sinh(x) - x;
  const x2 = x * x;
  let term = (x * x2) / 6;
  let sum = term;
  for (let k = 4; k < 30; k += 2) {
    term *= x2 / (k * (k + 1));
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

/**
 * Safeguarded Newton: finds x in [lo, hi] with f(x) = 0, f increasing there, f(lo) <= 0 <= f(hi).
 * Newton steps that leave the bracket are replaced by bisection, so it cannot diverge.
 */
function solveIncreasing(
  f: (x: number) => number,
  df: (x: number) => number,
  lo: number,
  hi: number,
  x0: number,
): number {
  let x = Math.min(hi, Math.max(lo, x0));
  for (let iter = 0; iter < 200; iter++) {
    const fx = f(x);
    if (fx === 0) return x;
    if (fx < 0) lo = x;
    else hi = x;
    const d = df(x);
    let next = d > 0 ? x - fx / d : NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - x) <= 1e-15 * Math.max(1, Math.abs(next)) || hi - lo <= 1e-15 * Math.max(1, Math.abs(lo))) {
      return next;
    }
    x = next;
  }
  return x;
}

/** Eccentric anomaly E (rad) with E − e·sin E = M, 0 <= e < 1; M any angle (rad), E in [−π, π]. */
export function solveKeplerElliptic(meanAnomalyRad: number, e: number): number {
  if (!(e >= 0 && e < 1)) throw new RangeError(`elliptic Kepler equation needs 0 <= e < 1, got ${e}`);
  if (!Number.isFinite(meanAnomalyRad)) throw new RangeError(`mean anomaly ${meanAnomalyRad} is not finite`);
  let m = meanAnomalyRad % TWO_PI;
  if (m > Math.PI) m -= TWO_PI;
  else if (m < -Math.PI) m += TWO_PI;
  if (m === 0) return 0;
  const sign = m < 0 ? -1 : 1;
  const ma = Math.abs(m);
  // E − M = e·sin E in [0, e] for M in (0, π]: the root lies in [M, min(π, M + e)]
  const f = (x: number): number => (1 - e) * x + e * xMinusSin(x) - ma;
  const df = (x: number): number => 1 - e * Math.cos(x);
  // starter: M + e·sin M for small e; the cube-root form near e = 1 and small M
  const x0 = e < 0.8 ? ma + e * Math.sin(ma) : Math.min(Math.PI, Math.cbrt(6 * ma));
  return sign * solveIncreasing(f, df, ma, Math.min(Math.PI, ma + e), x0);
}

/** Hyperbolic anomaly H with e·sinh H − H = M, e > 1, M any real (rad). */
export function solveKeplerHyperbolic(meanAnomalyRad: number, e: number): number {
  if (!(e > 1)) throw new RangeError(`hyperbolic Kepler equation needs e > 1, got ${e}`);
  if (!Number.isFinite(meanAnomalyRad)) throw new RangeError(`mean anomaly ${meanAnomalyRad} is not finite`);
  if (meanAnomalyRad === 0) return 0;
  const sign = meanAnomalyRad < 0 ? -1 : 1;
  const ma = Math.abs(meanAnomalyRad);
  // e·sinh H − H >= (e − 1)·sinh H and <= e·sinh H: H in [asinh(M/e), asinh(M/(e − 1))]
  const lo = Math.asinh(ma / e);
  const hi = Math.asinh(ma / (e - 1));
  const f = (x: number): number => (e - 1) * x + e * sinhMinusX(x) - ma;
  const df = (x: number): number => e * Math.cosh(x) - 1;
  const x0 = ma < 1 ? Math.min(hi, Math.max(lo, Math.cbrt((6 * ma) / e))) : Math.log((2 * ma) / e + 1.8);
  return sign * solveIncreasing(f, df, lo, hi, x0);
}

/** s = tan(ν/2) of a parabola from Barker's equation s + s³/3 = w (closed form). */
export function solveBarker(w: number): number {
  if (!Number.isFinite(w)) throw new RangeError(`Barker's equation: w = ${w} is not finite`);
  if (w === 0) return 0;
  const sign = w < 0 ? -1 : 1;
  const W = 3 * Math.abs(w);
  // s³ + 3s − W = 0  →  s = Y − 1/Y with Y = cbrt(W/2 + sqrt(W²/4 + 1))
  const y = Math.cbrt(W / 2 + Math.sqrt((W * W) / 4 + 1));
  return sign * (y - 1 / y);
}

/** Position in the orbital plane (x to perihelion, AU) at `jdTt`. */
export function orbitalPlaneAu(el: PerihelionElements, jdTt: number): { x: number; y: number } {
  const dt = jdTt - el.perihelionJdTt;
  const q = el.qAu;
  const e = el.e;
  switch (conicKind(e)) {
    case 'elliptic': {
      const a = q / (1 - e);
      const n = GAUSS_K / Math.sqrt(a * a * a);
      const E = solveKeplerElliptic(n * dt, e);
      // cos E − e = (1 − e) − 2·sin²(E/2): no cancellation when e and cos E are both near 1
      const h = Math.sin(E / 2);
      return { x: a * (1 - e - 2 * h * h), y: a * Math.sqrt((1 - e) * (1 + e)) * Math.sin(E) };
    }
    case 'hyperbolic': {
      const a = q / (e - 1);
      const n = GAUSS_K / Math.sqrt(a * a * a);
      const H = solveKeplerHyperbolic(n * dt, e);
      // e − cosh H = (e − 1) − 2·sinh²(H/2)
      const h = Math.sinh(H / 2);
      return { x: a * (e - 1 - 2 * h * h), y: a * Math.sqrt((e - 1) * (e + 1)) * Math.sinh(H) };
    }
    case 'parabolic': {
      const s = solveBarker((GAUSS_K * dt) / Math.sqrt(2 * q * q * q));
      return { x: q * (1 - s * s), y: 2 * q * s };
    }
  }
}

/** Heliocentric position (AU) in the mean ecliptic and equinox of J2000 at `jdTt`. */
export function heliocentricEclipticJ2000Au(el: PerihelionElements, jdTt: number): [number, number, number] {
  const { x, y } = orbitalPlaneAu(el, jdTt);
  const cO = Math.cos(el.nodeDeg * DEG);
  const sO = Math.sin(el.nodeDeg * DEG);
  const cw = Math.cos(el.argPeriDeg * DEG);
  const sw = Math.sin(el.argPeriDeg * DEG);
  const ci = Math.cos(el.inclDeg * DEG);
  const si = Math.sin(el.inclDeg * DEG);
  return [
    (cO * cw - sO * sw * ci) * x + (-cO * sw - sO * cw * ci) * y,
    (sO * cw + cO * sw * ci) * x + (-sO * sw + cO * cw * ci) * y,
    sw * si * x + cw * si * y,
  ];
}

/** Mean ecliptic of J2000 → mean equator of J2000 (rotation about x by the obliquity). */
export function eclipticToEquatorialJ2000(v: readonly [number, number, number]): [number, number, number] {
  const c = Math.cos(OBLIQUITY_J2000_RAD);
  const s = Math.sin(OBLIQUITY_J2000_RAD);
  return [v[0], c * v[1] - s * v[2], s * v[1] + c * v[2]];
}

/** Heliocentric position (AU) in the mean equator and equinox of J2000 at `jdTt`. */
export function heliocentricEquatorialJ2000Au(el: PerihelionElements, jdTt: number): [number, number, number] {
  return eclipticToEquatorialJ2000(heliocentricEclipticJ2000Au(el, jdTt));
}

/**
 * Perihelion time (JD TT) of an elliptic orbit given by semi-major axis and mean anomaly at an
 * epoch (MPCORB form): the perihelion nearest the epoch (M taken in (−180°, 180°]).
 */
export function perihelionFromMeanAnomaly(aAu: number, meanAnomalyDeg: number, epochJdTt: number): number {
  if (!(aAu > 0) || !Number.isFinite(aAu)) throw new RangeError(`semi-major axis ${aAu} AU is not valid`);
  if (!Number.isFinite(meanAnomalyDeg)) throw new RangeError(`mean anomaly ${meanAnomalyDeg} is not finite`);
  let m = meanAnomalyDeg % 360;
  if (m > 180) m -= 360;
  else if (m <= -180) m += 360;
  const nRadPerDay = GAUSS_K / Math.sqrt(aAu * aAu * aAu);
  return epochJdTt - (m * DEG) / nRadPerDay;
}
