// HEALPix NESTED scheme on the sphere: cell indices <-> directions and cell geometry, for orders
// 0..24 with plain `number` indices (12·4^24 ≈ 3.4e15 < 2^53), all in float64.
// Conventions and formulas: STANDARDS.md A1 (Górski et al. 2005; HPX plane of Calabretta & Roukema 2007).
//
// Index arithmetic never applies 32-bit operators (| & << >> >>>) to a full index (they exceed
// 2^32 from order 16 up): indices are split with Math.floor / multiplication; bit operators are
// used only on 16-bit halves of ix / iy and on 32-bit halves of a Morton code.

import {
  centre, cosLatDeg, loc, loc2xyf, lonDegToT, nest2xyfNum, sinLatDeg, vecToLoc, xyf, xyf2nestNum, xyfCentre,
} from './healpixCore.js';

/** Deepest order supported with `number` indices. */
export const HEALPIX_MAX_ORDER = 24;

const DEG = Math.PI / 180;
const RAD = 180 / Math.PI;
const QUARTER_PI = Math.PI / 4;

// ---------------------------------------------------------------------------------------------
// argument checks

function checkOrder(order: number): void {
  if (!Number.isInteger(order) || order < 0 || order > HEALPIX_MAX_ORDER) {
    throw new RangeError(
      `HEALPix order must be an integer in 0..${HEALPIX_MAX_ORDER}, got ${String(order)}`,
    );
  }
}

function checkPix(order: number, ipix: number): void {
  checkOrder(order);
  const total = 12 * 4 ** order;
  if (!Number.isInteger(ipix) || ipix < 0 || ipix >= total) {
    throw new RangeError(
      `HEALPix ipix must be an integer in 0..${total - 1} at order ${order}, got ${String(ipix)}`,
    );
  }
}

function checkIndex(ipix: number): void {
  if (!Number.isSafeInteger(ipix) || ipix < 0) {
    throw new RangeError(`HEALPix ipix must be a non-negative safe integer, got ${String(ipix)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// sizes

/** Number of cells along a base-cell side: 2^order. */
export function nside(order: number): number {
  checkOrder(order);
  return 2 ** order;
}

/** Number of cells on the sphere: 12·4^order. */
export function npix(order: number): number {
  checkOrder(order);
  return 12 * 4 ** order;
}

// Morton code and (face, ix, iy) kernels are shared with the bigint/ring/query modules
// (healpixCore.ts): results land in its scratch `xyf`.

function nest2xyfUnchecked(order: number, ipix: number): void {
  nest2xyfNum(order, ipix);
}

function xyf2nestUnchecked(order: number, ix: number, iy: number, face: number): number {
  return xyf2nestNum(order, face, ix, iy);
}

/** Face number and in-face coordinates (ix toward North-East, iy toward North-West) of a cell. */
export function nest2xyf(order: number, ipix: number): { face: number; ix: number; iy: number } {
  checkPix(order, ipix);
  nest2xyfUnchecked(order, ipix);
  return { face: xyf.face, ix: xyf.ix, iy: xyf.iy };
}

/** Nested index of the cell (ix, iy) of base cell `face` (inverse of nest2xyf). */
export function xyf2nest(order: number, ix: number, iy: number, face: number): number {
  checkOrder(order);
  const n = 2 ** order;
  if (!Number.isInteger(ix) || ix < 0 || ix >= n || !Number.isInteger(iy) || iy < 0 || iy >= n) {
    throw new RangeError(
      `HEALPix ix and iy must be integers in 0..${n - 1} at order ${order}, got ix=${String(ix)} iy=${String(iy)}`,
    );
  }
  if (!Number.isInteger(face) || face < 0 || face > 11) {
    throw new RangeError(`HEALPix face must be an integer in 0..11, got ${String(face)}`);
  }
  return xyf2nestUnchecked(order, ix, iy, face);
}

// ---------------------------------------------------------------------------------------------
// hierarchy

/** The cell one order up that contains ipix: floor(ipix / 4). */
export function parent(ipix: number): number {
  checkIndex(ipix);
  return Math.floor(ipix / 4);
}

/** The four cells one order down inside ipix: 4·ipix + 0..3. */
export function children(ipix: number): [number, number, number, number] {
  checkIndex(ipix);
  const first = ipix * 4;
  if (!Number.isSafeInteger(first + 3)) {
    throw new RangeError(`HEALPix children of ${ipix} exceed 2^53 and cannot be numbers`);
  }
  return [first, first + 1, first + 2, first + 3];
}

// ---------------------------------------------------------------------------------------------
// latitude trigonometry, accurate near the poles

/** Nested index of the cell containing the location (z = sin lat, sinTheta = cos lat, t = lon/90°). */
function loc2nest(order: number, z: number, sinTheta: number, t: number): number {
  loc2xyf(order, z, sinTheta, t);
  return xyf2nestNum(order, xyf.face, xyf.ix, xyf.iy);
}

/**
 * Nested index of the cell containing (lonDeg, latDeg). Longitude may be any finite value
 * (wrapped); latitude must lie in [-90, 90].
 */
export function ang2pix(order: number, lonDeg: number, latDeg: number): number {
  checkOrder(order);
  if (!Number.isFinite(lonDeg) || !Number.isFinite(latDeg)) {
    throw new RangeError(
      `HEALPix ang2pix needs finite lon/lat, got lonDeg=${String(lonDeg)} latDeg=${String(latDeg)}`,
    );
  }
  if (latDeg < -90 || latDeg > 90) {
    throw new RangeError(`HEALPix ang2pix needs latDeg in [-90, 90], got ${latDeg}`);
  }
  return loc2nest(order, sinLatDeg(latDeg), cosLatDeg(latDeg), lonDegToT(lonDeg));
}

/** Nested index of the cell containing the direction (x, y, z); the vector need not be unit. */
export function vec2pix(order: number, x: number, y: number, z: number): number {
  checkOrder(order);
  const m = Math.max(Math.abs(x), Math.abs(y), Math.abs(z));
  if (!Number.isFinite(m) || m === 0) {
    throw new RangeError(
      `HEALPix vec2pix needs a finite non-zero vector, got (${String(x)}, ${String(y)}, ${String(z)})`,
    );
  }
  vecToLoc(x, y, z);
  return loc2nest(order, loc.z, loc.sinTheta, loc.t);
}

// ---------------------------------------------------------------------------------------------
// index -> centre

let sLonDeg = 0;
let sZ = 0;
let sSinTheta = 0;

/** Centre of a checked cell: writes sLonDeg in [0, 360), sZ = sin(lat), sSinTheta = cos(lat). */
function centreUnchecked(order: number, ipix: number): void {
  nest2xyfNum(order, ipix);
  xyfCentre(order, xyf.face, xyf.ix, xyf.iy);
  sLonDeg = centre.lonDeg;
  sZ = centre.z;
  sSinTheta = centre.sinTheta;
}

/** Centre of a cell as [lonDeg in [0, 360), latDeg]. */
export function pix2ang(order: number, ipix: number): [number, number] {
  checkPix(order, ipix);
  centreUnchecked(order, ipix);
  return [sLonDeg, Math.atan2(sZ, sSinTheta) * RAD];
}

/** Centre of a cell as a unit vector [x, y, z] (x toward lon 0 lat 0, z toward the north pole). */
export function pix2vec(order: number, ipix: number): [number, number, number] {
  checkPix(order, ipix);
  centreUnchecked(order, ipix);
  const phi = sLonDeg * DEG;
  return [sSinTheta * Math.cos(phi), sSinTheta * Math.sin(phi), sZ];
}

// ---------------------------------------------------------------------------------------------
// any point of a base cell (HPX-plane deprojection)

/** Writable 3-vector targets accepted by faceLocalToVec / cellPointToVec. */
export type Vec3Out = Float64Array | number[];

/**
 * Unit vector of the point with face-local coordinates (x, y) ∈ [0,1]² in base cell `face`
 * (x toward North-East, y toward North-West; (0,0) = South vertex, (1,0) = East, (0,1) = West,
 * (1,1) = North). Written to out[offset..offset+2] when `out` is given (no allocation),
 * otherwise returned as a new array. Coordinates outside [0,1] are not checked.
 *
 * HPX plane (units of 45°): X = Xf + (x − y), Y = Yf + (x + y − 1), face centre (Xf, Yf).
 * Equatorial band |Y| ≤ 1: lon = 45°·X, z = 2Y/3. Polar caps: σ = 2 − |Y|,
 * z = ±(1 − σ²/3), lon = 45°·(Xc + (X − Xc)/σ) with Xc the face's centre line. For the polar
 * faces Xc = Xf and X − Xc = x − y, and σ is (1−x)+(1−y) (north) or x+y (south), computed directly
 * so it keeps full precision at the pole; cos(lat) = σ·√((2 − σ²/3)/3).
 */
export function faceLocalToVec(face: number, x: number, y: number): [number, number, number];
export function faceLocalToVec<T extends Vec3Out>(
  face: number,
  x: number,
  y: number,
  out: T,
  offset?: number,
): T;
export function faceLocalToVec(
  face: number,
  x: number,
  y: number,
  out?: Vec3Out,
  offset = 0,
): Vec3Out {
  if (!(face >= 0 && face <= 11) || face !== Math.floor(face)) {
    throw new RangeError(`HEALPix face must be an integer in 0..11, got ${String(face)}`);
  }
  const col = face % 4;
  const row = (face - col) / 4; // 0 north, 1 equatorial, 2 south
  let z: number;
  let sinTheta: number;
  let phi: number;
  if (row === 1) {
    z = (2 * (x + y - 1)) / 3;
    sinTheta = Math.sqrt((1 - z) * (1 + z));
    phi = QUARTER_PI * (2 * col + (x - y));
  } else {
    const sum = x + y;
    const polar = row === 0 ? sum > 1 : sum < 1;
    if (!polar) {
      z = (2 * (row === 0 ? sum : sum - 2)) / 3;
      sinTheta = Math.sqrt((1 - z) * (1 + z));
      phi = QUARTER_PI * (2 * col + 1 + (x - y));
    } else {
      const sigma = row === 0 ? 1 - x + (1 - y) : sum;
      const oneMinusZa = (sigma * sigma) / 3;
      z = row === 0 ? 1 - oneMinusZa : oneMinusZa - 1;
      sinTheta = sigma * Math.sqrt((2 - oneMinusZa) / 3);
      phi = sigma > 0 ? QUARTER_PI * (2 * col + 1 + (x - y) / sigma) : 0;
    }
  }
  const target: Vec3Out = out ?? [0, 0, 0];
  target[offset] = sinTheta * Math.cos(phi);
  target[offset + 1] = sinTheta * Math.sin(phi);
  target[offset + 2] = z;
  return target;
}

/**
 * Unit vector of the point at fraction (u along x, v along y) inside cell ipix:
 * faceLocalToVec(face, (ix + u)/nside, (iy + v)/nside). (0.5, 0.5) is the centre.
 */
export function cellPointToVec(
  order: number,
  ipix: number,
  u: number,
  v: number,
): [number, number, number];
export function cellPointToVec<T extends Vec3Out>(
  order: number,
  ipix: number,
  u: number,
  v: number,
  out: T,
  offset?: number,
): T;
export function cellPointToVec(
  order: number,
  ipix: number,
  u: number,
  v: number,
  out?: Vec3Out,
  offset = 0,
): Vec3Out {
  checkPix(order, ipix);
  nest2xyfUnchecked(order, ipix);
  const n = 2 ** order;
  const target: Vec3Out = out ?? [0, 0, 0];
  return faceLocalToVec(xyf.face, (xyf.ix + u) / n, (xyf.iy + v) / n, target, offset);
}

// ---------------------------------------------------------------------------------------------
// corners, distances, radius

const scratchVec = new Float64Array(3);

function vecToLonLatDeg(v: Float64Array): [number, number] {
  const rxy = Math.hypot(v[0], v[1]);
  let lon = rxy === 0 ? 0 : Math.atan2(v[1], v[0]) * RAD;
  if (lon < 0) lon += 360;
  if (lon >= 360) lon -= 360;
  return [lon, Math.atan2(v[2], rxy) * RAD];
}

/**
 * The four vertices of a cell as [lonDeg, latDeg], in the order North, West, South, East
 * (face-local (1,1), (0,1), (0,0), (1,0) of the cell; healpy.boundaries uses the same order).
 * A vertex on a pole gets lon 0.
 */
export function corners(
  order: number,
  ipix: number,
): [[number, number], [number, number], [number, number], [number, number]] {
  checkPix(order, ipix);
  nest2xyfUnchecked(order, ipix);
  const n = 2 ** order;
  const face = xyf.face;
  const x0 = xyf.ix / n;
  const x1 = (xyf.ix + 1) / n;
  const y0 = xyf.iy / n;
  const y1 = (xyf.iy + 1) / n;
  const north = vecToLonLatDeg(faceLocalToVec(face, x1, y1, scratchVec));
  const west = vecToLonLatDeg(faceLocalToVec(face, x0, y1, scratchVec));
  const south = vecToLonLatDeg(faceLocalToVec(face, x0, y0, scratchVec));
  const east = vecToLonLatDeg(faceLocalToVec(face, x1, y0, scratchVec));
  return [north, west, south, east];
}

/**
 * Great-circle distance in degrees between two directions (Vincenty's formula, written so the
 * north component uses sin(Δlat) directly: accurate for tiny separations and near 180°).
 */
export function angularDistanceDeg(
  lon1Deg: number,
  lat1Deg: number,
  lon2Deg: number,
  lat2Deg: number,
): number {
  const s1 = sinLatDeg(lat1Deg);
  const c1 = cosLatDeg(lat1Deg);
  const s2 = sinLatDeg(lat2Deg);
  const c2 = cosLatDeg(lat2Deg);
  const dLon = (lon2Deg - lon1Deg) * DEG;
  const sinDLon = Math.sin(dLon);
  const cosDLon = Math.cos(dLon);
  const sinHalf = Math.sin(dLon / 2);
  const east = c2 * sinDLon;
  // c1·s2 − s1·c2·cosΔλ = sin(lat2 − lat1) + s1·c2·2sin²(Δλ/2)
  const north = Math.sin((lat2Deg - lat1Deg) * DEG) + 2 * s1 * c2 * sinHalf * sinHalf;
  const along = s1 * s2 + c1 * c2 * cosDLon;
  return Math.atan2(Math.hypot(east, north), along) * RAD;
}

/*
 * Cell radius bound. Every cell is, in the HPX plane (units of 45°), a square rotated by 45°
 * whose vertices lie at Euclidean distance 1/nside from its centre, so every point p of the cell
 * is joined to the centre c by a straight segment of length ≤ 1/nside inside the cell (one face,
 * where the deprojection is continuous and piecewise smooth). The great-circle distance is at
 * most the length of the image of that segment, ≤ L·|p − c| with L the largest singular value of
 * the deprojection's Jacobian (radians on the sphere per HPX unit), so radius ≤ L / nside.
 *  - Equatorial band: lon = (π/4)X, z = 2Y/3 → east stretch (π/4)cos(lat) ≤ π/4, north stretch
 *    (2/3)/cos(lat) ≤ (2/3)/√(5/9) = 2/√5 ≈ 0.894.
 *  - Polar caps, with u = X − Xc, σ = 2 − |Y|, r = u/σ ∈ [−1, 1], q = (2 − σ²/3)/3 ∈ [5/9, 2/3]:
 *    east = (π/4)√q·(du − r dσ), north = (2/3)/√q · dσ. The Jacobian J = [[a, −a r], [0, m]]
 *    with a² = (π²/16)q, m² = 4/(9q) has det(JᵀJ) = a²m² = π²/36 (constant) and
 *    tr(JᵀJ) = a²(1 + r²) + m² ≤ (π²/8)q + 4/(9q), which is convex in q, so its maximum is at an
 *    end of [5/9, 2/3]: q = 2/3 gives the larger trace (π²/12 + 2/3 ≈ 1.4891).
 *    λmax = (tr + √(tr² − 4 det)) / 2 ≈ 1.2739, L = √λmax ≈ 1.12868 > 2/√5.
 * So radius ≤ 1.12868 / nside rad for every cell (64.7° at order 0, where the true maximum is
 * 48.19°; ~5.6% above healpix_base's max_pixrad ≈ 1.069/nside at high orders).
 * A relative margin of 1e-9 covers rounding.
 */
const CELL_RADIUS_LIPSCHITZ = (() => {
  const tr = (Math.PI * Math.PI) / 12 + 2 / 3;
  const det = (Math.PI * Math.PI) / 36;
  const lambda = (tr + Math.sqrt(tr * tr - 4 * det)) / 2;
  return Math.max(Math.sqrt(lambda), 2 / Math.sqrt(5)) * (1 + 1e-9);
})();

/**
 * An upper bound (degrees) of the angular distance from a cell's centre to any point of the
 * cell, valid for every cell of that order (see the derivation above).
 */
export function cellRadiusDeg(order: number): number {
  checkOrder(order);
  return Math.min(180, (CELL_RADIUS_LIPSCHITZ / 2 ** order) * RAD);
}
