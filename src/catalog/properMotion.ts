// Proper motion: where a star is at another epoch, from its catalogue position, proper motion and
// (optionally) parallax and radial velocity. Pure float64 maths; the CPU side of the catalogue
// layer's proper-motion arrows and of their tests.
//
// Convention: pmRa is the proper motion in right ascension *times cos(dec)* (mas/yr), as in
// Hipparcos, Tycho-2 and Gaia (pmra, pmRA). pmDec in mas/yr. Epochs are Julian years (J2000.0 =
// 2000.0; Hipparcos J1991.25, Gaia DR2 J2015.5, DR3 J2016.0, Tycho-2 mean positions J2000.0).
//
// Model: rigorous space motion along a straight line at constant velocity (the model of ERFA's
// eraStarpm, which astropy's SkyCoord.apply_space_motion calls), without ERFA's light-time and
// relativistic Doppler terms. Position vector p0 = r̂ at unit distance; velocity v = μα* ê_α +
// μδ ê_δ + (vr · ϖ) r̂ (ϖ in radians, vr in AU/yr, so the radial term is in unit distances per
// year); p(t) = p0 + v·Δt, direction = p / |p|. Without a parallax (or vr) the radial term is 0:
// the star moves along a straight line in the tangent space, which is the standard linear
// propagation in the tangent plane projected back to the sphere. Against astropy (fixture
// test/fixtures/propermotion): see properMotion.test.ts for the measured differences.
import { CatalogError } from './columns.js';

const MAS_TO_RAD = Math.PI / (180 * 3600 * 1000);
const DEG = Math.PI / 180;
/** AU per year in one km/s (IAU 2012 au, Julian year). */
export const AU_PER_YEAR_PER_KM_S = (365.25 * 86400) / 149597870.7;

/** One star's astrometry. */
export interface Astrometry {
  readonly raDeg: number;
  readonly decDeg: number;
  /** Proper motion in right ascension times cos(dec), mas/yr. */
  readonly pmRaCosDecMasYr: number;
  readonly pmDecMasYr: number;
  /** Parallax, mas (missing, NaN or <= 0: no radial term). */
  readonly parallaxMas?: number;
  /** Radial velocity, km/s (missing or NaN: 0). */
  readonly rvKmS?: number;
}

/**
 * The direction (ICRS unit vector) of a star `dtYears` Julian years after its catalogue epoch.
 * NaN components when the position is unusable; a missing (NaN) proper motion counts as 0.
 */
export function propagateVector(a: Astrometry, dtYears: number, out: Float64Array | number[] = [0, 0, 0]): Float64Array | number[] {
  const ra = a.raDeg * DEG;
  const dec = a.decDeg * DEG;
  if (!Number.isFinite(ra) || !(a.decDeg >= -90 && a.decDeg <= 90) || !Number.isFinite(dtYears)) {
    out[0] = out[1] = out[2] = NaN;
    return out;
  }
  const ca = Math.cos(ra);
  const sa = Math.sin(ra);
  const cd = Math.cos(dec);
  const sd = Math.sin(dec);
  const pmA = finiteOr0(a.pmRaCosDecMasYr) * MAS_TO_RAD;
  const pmD = finiteOr0(a.pmDecMasYr) * MAS_TO_RAD;
  const plx = a.parallaxMas !== undefined && a.parallaxMas > 0 ? a.parallaxMas * MAS_TO_RAD : 0;
  // dt = 0 is the catalogue position itself, whatever the motion (0 x an overflowing velocity is NaN)
  const vr = plx > 0 && dtYears !== 0 ? finiteOr0(a.rvKmS ?? 0) * AU_PER_YEAR_PER_KM_S * plx : 0;
  // r̂ = (cd ca, cd sa, sd); ê_α = (-sa, ca, 0); ê_δ = (-sd ca, -sd sa, cd)
  const x = cd * ca + dtYears * (-pmA * sa - pmD * sd * ca + vr * cd * ca);
  const y = cd * sa + dtYears * (pmA * ca - pmD * sd * sa + vr * cd * sa);
  const z = sd + dtYears * (pmD * cd + vr * sd);
  const n = Math.hypot(x, y, z);
  out[0] = x / n;
  out[1] = y / n;
  out[2] = z / n;
  return out;
}

/** RA, Dec (degrees, RA in [0, 360)) of a star `dtYears` after its catalogue epoch. */
export function propagate(a: Astrometry, dtYears: number): { raDeg: number; decDeg: number } {
  const v = propagateVector(a, dtYears);
  if (Number.isNaN(v[0])) return { raDeg: NaN, decDeg: NaN };
  let raDeg = Math.atan2(v[1], v[0]) / DEG;
  if (raDeg < 0) raDeg += 360;
  if (raDeg >= 360) raDeg -= 360;
  return { raDeg, decDeg: Math.asin(Math.max(-1, Math.min(1, v[2]))) / DEG };
}

function finiteOr0(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/** Proper-motion columns of a catalogue and the epochs. */
export interface ProperMotionOptions {
  /** Column of pmRA·cos(dec), mas/yr (Hipparcos pmRA, Gaia pmra). */
  readonly pmRaColumn: string;
  /** Column of pmDec, mas/yr. */
  readonly pmDecColumn: string;
  /** Optional parallax column (mas) and radial-velocity column (km/s): the radial term of the space motion. */
  readonly parallaxColumn?: string;
  readonly rvColumn?: string;
  /** Epoch of the catalogue positions, Julian years (e.g. 1991.25 for Hipparcos, 2000 for Tycho-2, 2016 for Gaia DR3). */
  readonly catalogueEpoch: number;
  /** Epoch to draw the stars at, Julian years (default: catalogueEpoch). */
  readonly epoch?: number;
  /** Arrows show the motion from `epoch` over this many years (default 1000; 0: no arrows). */
  readonly arrowYears?: number;
}

/** Epochs outside this range are refused (the straight-line model is meaningless much beyond it). */
export const EPOCH_RANGE: readonly [number, number] = [-100000, 100000];

/** Checks the proper-motion options; throws a CatalogError naming the problem. */
export function validateProperMotion(pm: ProperMotionOptions): { catalogueEpoch: number; epoch: number; arrowYears: number } {
  if (!pm || typeof pm !== 'object') throw new CatalogError('properMotion needs { pmRaColumn, pmDecColumn, catalogueEpoch, epoch?, arrowYears? }');
  for (const k of ['pmRaColumn', 'pmDecColumn'] as const) {
    if (typeof pm[k] !== 'string' || pm[k] === '') throw new CatalogError(`properMotion.${k} must name a column (mas/yr)`);
  }
  const catalogueEpoch = pm.catalogueEpoch;
  const epoch = pm.epoch ?? catalogueEpoch;
  const arrowYears = pm.arrowYears ?? 1000;
  for (const [name, v] of [['catalogueEpoch', catalogueEpoch], ['epoch', epoch]] as const) {
    if (typeof v !== 'number' || !(v >= EPOCH_RANGE[0] && v <= EPOCH_RANGE[1])) throw new CatalogError(`properMotion.${name} must be a Julian year in [${EPOCH_RANGE[0]}, ${EPOCH_RANGE[1]}] (e.g. 1991.25), got ${String(v)}`);
  }
  if (typeof arrowYears !== 'number' || !(Math.abs(arrowYears) <= EPOCH_RANGE[1])) throw new CatalogError(`properMotion.arrowYears must be a number of years with |years| <= ${EPOCH_RANGE[1]}, got ${String(arrowYears)}`);
  return { catalogueEpoch, epoch, arrowYears };
}

type NumericColumn = ArrayLike<number>;

/**
 * Positions of every row at `dtYears` after the catalogue epoch, as unit vectors (3 per row) and
 * RA/Dec degrees. Rows with unusable positions give NaN.
 */
export function propagateColumns(
  raDeg: ArrayLike<number>, decDeg: ArrayLike<number>, pmRa: NumericColumn, pmDec: NumericColumn, dtYears: number,
  parallaxMas?: NumericColumn, rvKmS?: NumericColumn,
): { raDeg: Float64Array; decDeg: Float64Array; vectors: Float64Array } {
  const n = raDeg.length;
  const outRa = new Float64Array(n);
  const outDec = new Float64Array(n);
  const vectors = new Float64Array(3 * n);
  // the loop of propagateVector, inlined (no object per row)
  for (let i = 0; i < n; i++) {
    const dec = decDeg[i];
    const ra = raDeg[i] * DEG;
    if (!Number.isFinite(ra) || !(dec >= -90 && dec <= 90) || !Number.isFinite(dtYears)) {
      vectors[3 * i] = vectors[3 * i + 1] = vectors[3 * i + 2] = NaN;
      outRa[i] = outDec[i] = NaN;
      continue;
    }
    const d = dec * DEG;
    const ca = Math.cos(ra);
    const sa = Math.sin(ra);
    const cd = Math.cos(d);
    const sd = Math.sin(d);
    const pmA = finiteOr0(pmRa[i]) * MAS_TO_RAD;
    const pmD = finiteOr0(pmDec[i]) * MAS_TO_RAD;
    const p = parallaxMas ? parallaxMas[i] : 0;
    const plx = p > 0 ? p * MAS_TO_RAD : 0;
    const vr = plx > 0 && rvKmS && dtYears !== 0 ? finiteOr0(rvKmS[i]) * AU_PER_YEAR_PER_KM_S * plx : 0;
    const x = cd * ca + dtYears * (-pmA * sa - pmD * sd * ca + vr * cd * ca);
    const y = cd * sa + dtYears * (pmA * ca - pmD * sd * sa + vr * cd * sa);
    const z = sd + dtYears * (pmD * cd + vr * sd);
    const r = Math.sqrt(x * x + y * y + z * z);
    const ux = x / r;
    const uy = y / r;
    const uz = z / r;
    vectors[3 * i] = ux;
    vectors[3 * i + 1] = uy;
    vectors[3 * i + 2] = uz;
    let raOut = Math.atan2(uy, ux) / DEG;
    if (raOut < 0) raOut += 360;
    outRa[i] = raOut >= 360 ? raOut - 360 : raOut;
    outDec[i] = Math.asin(Math.max(-1, Math.min(1, uz))) / DEG;
  }
  return { raDeg: outRa, decDeg: outDec, vectors };
}
