// HEALPix RING scheme: conversions to and from NESTED, and direction <-> RING index.
// `number` versions for orders 0..24, bigint versions (suffix Big) for orders 0..29.
//
// RING index = first index of ring r (counted from the north pole, 1..4n−1) + position − 1.
// NESTED -> RING goes through (face, ix, iy): ring r = JRLL·n − ix − iy − 1 and position
// (JPLL·nr + ix − iy + 1 + shift)/2 (STANDARDS.md A1). RING -> NESTED locates the ring cell's
// centre (exact ring z, longitude at a half-cell offset) and takes the NESTED cell containing it.
import {
  MAX_ORDER_BIG,
  MAX_ORDER_NUMBER,
  centre,
  centreLatDeg,
  checkLonLat,
  checkOrderMax,
  checkPixBig,
  checkPixNumber,
  loc,
  loc2xyf,
  lonLatToLoc,
  nest2xyfBigU,
  nest2xyfNum,
  ringIndexToPosBig,
  ringIndexToPosNum,
  ringPos,
  ringPos2xyf,
  ringStartBig,
  ringStartNum,
  xyf,
  xyf2nestBigU,
  xyf2nestNum,
  xyf2ringPos,
  xyfCentre,
} from './healpixCore.js';

function ringIndexNum(order: number, face: number, ix: number, iy: number): number {
  xyf2ringPos(order, face, ix, iy);
  return ringStartNum(2 ** order, ringPos.iring) + ringPos.iphi - 1;
}

function ringIndexBig(order: number, face: number, ix: number, iy: number): bigint {
  xyf2ringPos(order, face, ix, iy);
  return ringStartBig(2 ** order, ringPos.iring) + BigInt(ringPos.iphi - 1);
}

/** RING index of the NESTED cell `ipix` (orders 0..24). */
export function nest2ring(order: number, ipix: number): number {
  checkPixNumber(order, ipix);
  nest2xyfNum(order, ipix);
  return ringIndexNum(order, xyf.face, xyf.ix, xyf.iy);
}

/** NESTED index of the RING cell `ipix` (orders 0..24). */
export function ring2nest(order: number, ipix: number): number {
  checkPixNumber(order, ipix);
  ringIndexToPosNum(order, ipix);
  ringPos2xyf(order, ringPos.iring, ringPos.iphi);
  return xyf2nestNum(order, xyf.face, xyf.ix, xyf.iy);
}

/** RING index (bigint) of the NESTED cell `ipix` (orders 0..29). */
export function nest2ringBig(order: number, ipix: bigint): bigint {
  checkPixBig(order, ipix);
  nest2xyfBigU(order, ipix);
  return ringIndexBig(order, xyf.face, xyf.ix, xyf.iy);
}

/** NESTED index (bigint) of the RING cell `ipix` (orders 0..29). */
export function ring2nestBig(order: number, ipix: bigint): bigint {
  checkPixBig(order, ipix);
  ringIndexToPosBig(order, ipix);
  ringPos2xyf(order, ringPos.iring, ringPos.iphi);
  return xyf2nestBigU(order, xyf.face, xyf.ix, xyf.iy);
}

/** RING index of the cell containing (lonDeg, latDeg) (orders 0..24). */
export function ang2pixRing(order: number, lonDeg: number, latDeg: number): number {
  checkOrderMax(order, MAX_ORDER_NUMBER);
  checkLonLat('HEALPix ang2pixRing', lonDeg, latDeg);
  lonLatToLoc(lonDeg, latDeg);
  loc2xyf(order, loc.z, loc.sinTheta, loc.t);
  return ringIndexNum(order, xyf.face, xyf.ix, xyf.iy);
}

/** RING index (bigint) of the cell containing (lonDeg, latDeg) (orders 0..29). */
export function ang2pixRingBig(order: number, lonDeg: number, latDeg: number): bigint {
  checkOrderMax(order, MAX_ORDER_BIG);
  checkLonLat('HEALPix ang2pixRingBig', lonDeg, latDeg);
  lonLatToLoc(lonDeg, latDeg);
  loc2xyf(order, loc.z, loc.sinTheta, loc.t);
  return ringIndexBig(order, xyf.face, xyf.ix, xyf.iy);
}

/** Centre [lonDeg in [0, 360), latDeg] of the RING cell `ipix` (orders 0..24). */
export function pix2angRing(order: number, ipix: number): [number, number] {
  checkPixNumber(order, ipix);
  ringIndexToPosNum(order, ipix);
  ringPos2xyf(order, ringPos.iring, ringPos.iphi);
  xyfCentre(order, xyf.face, xyf.ix, xyf.iy);
  return [centre.lonDeg, centreLatDeg()];
}

/** Centre [lonDeg in [0, 360), latDeg] of the RING cell `ipix` (bigint, orders 0..29). */
export function pix2angRingBig(order: number, ipix: bigint): [number, number] {
  checkPixBig(order, ipix);
  ringIndexToPosBig(order, ipix);
  ringPos2xyf(order, ringPos.iring, ringPos.iphi);
  xyfCentre(order, xyf.face, xyf.ix, xyf.iy);
  return [centre.lonDeg, centreLatDeg()];
}
