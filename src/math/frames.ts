// Celestial reference frames: rotation matrices between ICRS, Galactic and Ecliptic (J2000), float64.
import type { Vec3 } from './vec3.js';

export type FrameName = 'icrs' | 'galactic' | 'ecliptic';

/** Row-major 3x3 matrix. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

/**
 * ICRS -> Galactic as astropy realises it (the IAU 1958 definition carried from FK4 B1950 through
 * FK5 to ICRS), read off astropy 5.2 by test/fixtures/frames/make_frames.py. It differs from the
 * Hipparcos-catalogue matrix by ~1e-7 rad (0.02"); we follow the reference tool.
 */
const ICRS_TO_GALACTIC: Mat3 = [
  -0.05487565771259158, -0.873437051955616, -0.4838350736167153,
  0.49410943719272676, -0.44482972122329517, 0.7469821839866675,
  -0.8676661375596576, -0.19807633727300053, 0.4559838136873016,
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
