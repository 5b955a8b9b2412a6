// Celestial reference frames: rotation matrices between ICRS, Galactic and Ecliptic (J2000), float64.
import type { Vec3 } from './vec3.js';

export type FrameName = 'icrs' | 'galactic' | 'ecliptic';

/** Row-major 3x3 matrix. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

/**
 * ICRS -> Galactic, the Hipparcos definition (ESA 1997, Vol. 1, §1.5.3) as used by astropy's
 * Galactic frame (checked in src/math/frames.test.ts against astropy-generated values).
 */
const ICRS_TO_GALACTIC: Mat3 = [
  -0.0548755604162154, -0.873437090234885, -0.4838350155487132,
  0.4941094278755837, -0.4448296299600112, 0.7469822444972189,
  -0.8676661490190047, -0.1980763734312015, 0.4559837761750669,
];

/** Mean obliquity of the ecliptic at J2000 (IAU 2006): 84381.406 arcsec. */
const OBLIQUITY_J2000_RAD = (84381.406 / 3600) * (Math.PI / 180);
const ce = Math.cos(OBLIQUITY_J2000_RAD);
const se = Math.sin(OBLIQUITY_J2000_RAD);
const ICRS_TO_ECLIPTIC: Mat3 = [1, 0, 0, 0, ce, se, 0, -se, ce];

const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function transpose(m: Mat3): Mat3 {
  return [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
}

export function mulMat3(a: Mat3, b: Mat3): Mat3 {
  const r: number[] = new Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) r[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
  }
  return r as unknown as Mat3;
}

export function applyMat3(m: Mat3, v: ArrayLike<number>, out: Float64Array | number[] = [0, 0, 0]): typeof out {
  const x = v[0];
  const y = v[1];
  const z = v[2];
  out[0] = m[0] * x + m[1] * y + m[2] * z;
  out[1] = m[3] * x + m[4] * y + m[5] * z;
  out[2] = m[6] * x + m[7] * y + m[8] * z;
  return out;
}

function icrsTo(frame: FrameName): Mat3 {
  return frame === 'icrs' ? IDENTITY : frame === 'galactic' ? ICRS_TO_GALACTIC : ICRS_TO_ECLIPTIC;
}

/** Matrix taking vectors in frame `from` to frame `to`. */
export function frameRotation(from: FrameName, to: FrameName): Mat3 {
  if (from === to) return IDENTITY;
  return mulMat3(icrsTo(to), transpose(icrsTo(from)));
}

export function isIdentity(m: Mat3): boolean {
  return m.every((x, i) => x === IDENTITY[i]);
}

/** The HiPS `hips_frame` value to a frame we draw, or undefined for a frame we cannot place. */
export function frameFromHips(hipsFrame: string | undefined): FrameName | undefined {
  const f = (hipsFrame ?? 'equatorial').trim().toLowerCase();
  if (f === 'equatorial' || f === 'icrs' || f === 'c' || f === 'j2000' || f === 'fk5') return 'icrs';
  if (f === 'galactic' || f === 'g') return 'galactic';
  if (f === 'ecliptic' || f === 'e') return 'ecliptic';
  return undefined;
}

export type { Vec3 };
