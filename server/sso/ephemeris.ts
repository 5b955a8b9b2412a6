/**
 * Geocentric astrometric positions of Solar System bodies (pure functions of the time):
 *  - the Sun, the Moon and the planets (incl. Pluto) from astronomy-engine (GeoVector without
 *    aberration: light-time corrected, mean equator and equinox of J2000);
 *  - asteroids and comets from two-body elements (kepler.ts), Earth's heliocentric position
 *    from astronomy-engine, light-time iterated until it changes by less than 1 µs.
 * "Astrometric" = light-time corrected, no aberration, no deflection, J2000 mean equator
 * (= ICRS to 0.02″ frame bias), geocentric (no topocentric parallax). Times: JavaScript Dates
 * are UTC (UT1 − UTC is ignored: < 0.9 s); astronomy-engine adds ΔT for TT.
 */
import {
  AstroTime,
  Body,
  GeoVector,
  HelioVector,
  Illumination,
  MakeTime,
} from 'astronomy-engine';
import { heliocentricEquatorialJ2000Au } from './kepler.js';
import type { SmallBodyOrbit } from './mpc.js';

/** Speed of light in AU per day (IAU 2012 au, c = 299,792,458 m/s). */
export const C_AU_PER_DAY = (299_792.458 * 86_400) / 149_597_870.7;
/** Julian date of astronomy-engine's day 0 (J2000.0). */
const J2000_JD = 2451545.0;
const DEG = 180 / Math.PI;

/** The bodies astronomy-engine computes, by the name users type. */
export const MAJOR_BODIES: ReadonlyArray<{ name: string; body: Body }> = [
  { name: 'Sun', body: Body.Sun },
  { name: 'Moon', body: Body.Moon },
  { name: 'Mercury', body: Body.Mercury },
  { name: 'Venus', body: Body.Venus },
  { name: 'Mars', body: Body.Mars },
  { name: 'Jupiter', body: Body.Jupiter },
  { name: 'Saturn', body: Body.Saturn },
  { name: 'Uranus', body: Body.Uranus },
  { name: 'Neptune', body: Body.Neptune },
  { name: 'Pluto', body: Body.Pluto },
];

export type SolarSystemTarget =
  | { readonly kind: 'major'; readonly name: string; readonly body: Body }
  | { readonly kind: 'small'; readonly name: string; readonly orbit: SmallBodyOrbit };

export interface EphemerisPoint {
  /** The instant (UTC) as milliseconds since 1970. */
  readonly timeMs: number;
  readonly raDeg: number;
  readonly decDeg: number;
  /** Distance from the Earth's centre (AU), at the light-time-corrected instant. */
  readonly deltaAu: number;
  /** Distance from the Sun (AU); 0 for the Sun. */
  readonly rAu: number;
  /** Sun–Earth–body angle (deg); 0 for the Sun. */
  readonly elongationDeg: number;
  /** Apparent visual magnitude where a model exists (planets; H-G asteroids; H,K comets), else null. */
  readonly vMag: number | null;
}

export type Vec3 = readonly [number, number, number];

/** Modified Julian Date (UTC) → milliseconds since 1970 (MJD 40587 = 1970-01-01). */
export function mjdToMs(mjd: number): number {
  return (mjd - 40587) * 86_400_000;
}

/** Milliseconds since 1970 → Modified Julian Date (UTC). */
export function msToMjd(ms: number): number {
  return ms / 86_400_000 + 40587;
}

/** Right ascension [0, 360) and declination (deg) of a vector. */
export function raDecOf(v: Vec3): { raDeg: number; decDeg: number } {
  const ra = Math.atan2(v[1], v[0]) * DEG;
  return {
    raDeg: ra < 0 ? ra + 360 : ra >= 360 ? ra - 360 : ra,
    decDeg: Math.atan2(v[2], Math.hypot(v[0], v[1])) * DEG,
  };
}

function norm(v: Vec3): number {
  return Math.hypot(v[0], v[1], v[2]);
}

function angleDeg(a: Vec3, b: Vec3): number {
  const c: Vec3 = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  return Math.atan2(norm(c), a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) * DEG;
}

/** The Earth's heliocentric position (AU, J2000 mean equator) at an astronomy-engine time. */
export function earthHeliocentricAu(time: AstroTime): Vec3 {
  const e = HelioVector(Body.Earth, time);
  return [e.x, e.y, e.z];
}

/**
 * Geocentric astrometric vector (AU, J2000 mean equator) of a small body: its heliocentric
 * position at t − τ minus the Earth's at t, τ = |that vector| / c iterated to < 1e-11 day.
 */
export function smallBodyGeocentricAu(
  orbit: SmallBodyOrbit,
  time: AstroTime,
  earth: Vec3 = earthHeliocentricAu(time),
): { geo: Vec3; helio: Vec3; lightTimeDays: number } {
  const jdTt = time.tt + J2000_JD;
  let tau = 0;
  let helio: Vec3 = heliocentricEquatorialJ2000Au(orbit.elements, jdTt);
  let geo: Vec3 = [helio[0] - earth[0], helio[1] - earth[1], helio[2] - earth[2]];
  for (let i = 0; i < 10; i++) {
    const next = norm(geo) / C_AU_PER_DAY;
    if (Math.abs(next - tau) < 1e-11) break;
    tau = next;
    helio = heliocentricEquatorialJ2000Au(orbit.elements, jdTt - tau);
    geo = [helio[0] - earth[0], helio[1] - earth[1], helio[2] - earth[2]];
  }
  return { geo, helio, lightTimeDays: tau };
}

/** H-G phase function magnitude (Bowell et al. 1989). */
export function hgMagnitude(h: number, g: number, rAu: number, deltaAu: number, phaseRad: number): number {
  const t = Math.tan(phaseRad / 2);
  const phi1 = Math.exp(-3.33 * Math.pow(t, 0.63));
  const phi2 = Math.exp(-1.87 * Math.pow(t, 1.22));
  return h + 5 * Math.log10(rAu * deltaAu) - 2.5 * Math.log10((1 - g) * phi1 + g * phi2);
}

/** Position of a target at an instant (ms since 1970, UTC). */
export function positionAt(target: SolarSystemTarget, timeMs: number): EphemerisPoint {
  if (!Number.isFinite(timeMs)) throw new RangeError(`time ${timeMs} is not finite`);
  const time = MakeTime(new Date(timeMs));
  const earth = earthHeliocentricAu(time);
  if (target.kind === 'major') {
    const g = GeoVector(target.body, time, false);
    const geo: Vec3 = [g.x, g.y, g.z];
    const { raDeg, decDeg } = raDecOf(geo);
    const deltaAu = norm(geo);
    const sun: Vec3 = [-earth[0], -earth[1], -earth[2]];
    const isSun = target.body === Body.Sun;
    let vMag: number | null = null;
    if (!isSun) {
      try {
        vMag = Illumination(target.body, time).mag;
      } catch {
        vMag = null;
      }
    }
    const rAu = isSun ? 0 : target.body === Body.Moon ? norm(sun) : norm(heliocentricOf(target.body, time));
    return { timeMs, raDeg, decDeg, deltaAu, rAu, elongationDeg: isSun ? 0 : angleDeg(geo, sun), vMag };
  }
  const { geo, helio } = smallBodyGeocentricAu(target.orbit, time, earth);
  const { raDeg, decDeg } = raDecOf(geo);
  const deltaAu = norm(geo);
  const rAu = norm(helio);
  const sun: Vec3 = [-earth[0], -earth[1], -earth[2]];
  const o = target.orbit;
  let vMag: number | null = null;
  if (o.hMag !== null) {
    if (o.kind === 'asteroid') {
      const phase = (angleDeg([-helio[0], -helio[1], -helio[2]], [-geo[0], -geo[1], -geo[2]]) * Math.PI) / 180;
      vMag = hgMagnitude(o.hMag, o.slope ?? 0.15, rAu, deltaAu, phase);
    } else {
      vMag = o.hMag + 5 * Math.log10(deltaAu) + (o.slope ?? 4) * 2.5 * Math.log10(rAu);
    }
  }
  return { timeMs, raDeg, decDeg, deltaAu, rAu, elongationDeg: angleDeg(geo, sun), vMag };
}

function heliocentricOf(body: Body, time: AstroTime): Vec3 {
  const v = HelioVector(body, time);
  return [v.x, v.y, v.z];
}

/** The path: positions at start, start + step, …, up to and including end (ms, UTC). */
export function ephemerisPath(target: SolarSystemTarget, startMs: number, endMs: number, stepMs: number): EphemerisPoint[] {
  if (!(stepMs > 0)) throw new RangeError(`step ${stepMs} ms must be positive`);
  if (!(endMs >= startMs)) throw new RangeError('end is before start');
  const n = Math.floor((endMs - startMs) / stepMs + 1e-9);
  const out: EphemerisPoint[] = [];
  for (let i = 0; i <= n; i++) out.push(positionAt(target, startMs + i * stepMs));
  if (startMs + n * stepMs < endMs) out.push(positionAt(target, endMs));
  return out;
}

/** RA/Dec only (no distances or magnitudes): the cheap form the crossing search samples. */
export function directionOf(target: SolarSystemTarget): (timeMs: number) => { raDeg: number; decDeg: number } {
  if (target.kind === 'major') {
    return (timeMs) => raDecOf(vectorOf(GeoVector(target.body, MakeTime(new Date(timeMs)), false)));
  }
  return (timeMs) => raDecOf(smallBodyGeocentricAu(target.orbit, MakeTime(new Date(timeMs))).geo);
}

function vectorOf(v: { x: number; y: number; z: number }): Vec3 {
  return [v.x, v.y, v.z];
}
