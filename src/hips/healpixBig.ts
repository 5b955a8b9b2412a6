// HEALPix NESTED with bigint indices for orders 0..29 (12·4^29 ≈ 3.46e18 cells, past 2^53).
//
// Exactness: the direction -> cell step works on ix, iy < 2^29 and face numbers, which float64
// represents exactly; the only floating-point decisions are the same floors healpy/healpix_base
// take (jp/jm edge-line coordinates, scaled by nside ≤ 2^29 so their rounding error stays below
// ~1e-6 of a cell), and 1 − |z| near the poles is formed as cos²(lat)/(1 + |z|) so the polar
// caps keep full precision. Only the final Morton interleave uses BigInt. Centres are computed
// from (nr/nside)² (exact power-of-two division), so lon/lat agree with healpy to ~1e-14°.
import {
  DEG,
  MAX_ORDER_BIG,
  centre,
  centreLatDeg,
  checkLonLat,
  checkOrderMax,
  checkPixBig,
  faceCheck,
  loc,
  loc2xyf,
  lonLatToLoc,
  nest2xyfBigU,
  npixBigUnchecked,
  vecToLoc,
  xyf,
  xyf2nestBigU,
  xyfCentre,
} from './healpixCore.js';

/** Deepest order supported with bigint indices. */
export const HEALPIX_MAX_ORDER_BIG = MAX_ORDER_BIG;

/** Number of cells at `order` (0..29): 12·4^order. */
export function npixBig(order: number): bigint {
  checkOrderMax(order, MAX_ORDER_BIG);
  return npixBigUnchecked(order);
}

/** Nested index (bigint) of the cell containing (lonDeg, latDeg); lon any finite value. */
export function ang2pixBig(order: number, lonDeg: number, latDeg: number): bigint {
  checkOrderMax(order, MAX_ORDER_BIG);
  checkLonLat('HEALPix ang2pixBig', lonDeg, latDeg);
  lonLatToLoc(lonDeg, latDeg);
  loc2xyf(order, loc.z, loc.sinTheta, loc.t);
  return xyf2nestBigU(order, xyf.face, xyf.ix, xyf.iy);
}

/** Nested index (bigint) of the cell containing the direction (x, y, z) (need not be unit). */
export function vec2pixBig(order: number, x: number, y: number, z: number): bigint {
  checkOrderMax(order, MAX_ORDER_BIG);
  const m = Math.max(Math.abs(x), Math.abs(y), Math.abs(z));
  if (!Number.isFinite(m) || m === 0) {
    throw new RangeError(
      `HEALPix vec2pixBig needs a finite non-zero vector, got (${String(x)}, ${String(y)}, ${String(z)})`,
    );
  }
  vecToLoc(x, y, z);
  loc2xyf(order, loc.z, loc.sinTheta, loc.t);
  return xyf2nestBigU(order, xyf.face, xyf.ix, xyf.iy);
}

/** Centre of a cell as [lonDeg in [0, 360), latDeg]. */
export function pix2angBig(order: number, ipix: bigint): [number, number] {
  checkPixBig(order, ipix);
  nest2xyfBigU(order, ipix);
  xyfCentre(order, xyf.face, xyf.ix, xyf.iy);
  return [centre.lonDeg, centreLatDeg()];
}

/** Centre of a cell as a unit vector [x, y, z]. */
export function pix2vecBig(order: number, ipix: bigint): [number, number, number] {
  checkPixBig(order, ipix);
  nest2xyfBigU(order, ipix);
  xyfCentre(order, xyf.face, xyf.ix, xyf.iy);
  const phi = centre.lonDeg * DEG;
  return [centre.sinTheta * Math.cos(phi), centre.sinTheta * Math.sin(phi), centre.z];
}

/** Face and in-face coordinates (numbers, < 2^29) of a bigint cell index. */
export function nest2xyfBig(order: number, ipix: bigint): { face: number; ix: number; iy: number } {
  checkPixBig(order, ipix);
  nest2xyfBigU(order, ipix);
  return { face: xyf.face, ix: xyf.ix, iy: xyf.iy };
}

/** Nested index (bigint) of cell (ix, iy) of base cell `face` at `order` (0..29). */
export function xyf2nestBig(order: number, ix: number, iy: number, face: number): bigint {
  checkOrderMax(order, MAX_ORDER_BIG);
  const n = 2 ** order;
  if (!Number.isInteger(ix) || ix < 0 || ix >= n || !Number.isInteger(iy) || iy < 0 || iy >= n) {
    throw new RangeError(
      `HEALPix ix and iy must be integers in 0..${n - 1} at order ${order}, got ix=${String(ix)} iy=${String(iy)}`,
    );
  }
  faceCheck(face);
  return xyf2nestBigU(order, face, ix, iy);
}

/** The cell `levels` orders up that contains ipix (ipix >> 2·levels). */
export function parentBig(ipix: bigint, levels = 1): bigint {
  if (typeof ipix !== 'bigint' || ipix < 0n) {
    throw new RangeError(`HEALPix ipix must be a non-negative bigint, got ${String(ipix)}`);
  }
  if (!Number.isInteger(levels) || levels < 0 || levels > MAX_ORDER_BIG) {
    throw new RangeError(`HEALPix parentBig levels must be an integer in 0..29, got ${String(levels)}`);
  }
  return ipix >> BigInt(2 * levels);
}
