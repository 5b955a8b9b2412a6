// The 8 neighbours of a NESTED cell, in healpy.get_all_neighbours order:
// SW, W, NW, N, NE, E, SE, S (face-local steps (−1,0) (−1,+1) (0,+1) (+1,+1) (+1,0) (+1,−1)
// (0,−1) (−1,−1); +x toward North-East, +y toward North-West). A cell touching one of the 8
// base-cell vertices shared by only three base cells (z = ±2/3 at lon 0/90/180/270) has 7
// neighbours: the missing one is −1 (−1n). Across the poles the N (S) neighbour of a corner cell
// is the diagonal cell of the opposite base cell. Cross-face rules: healpixCore.wrapXyf.
import {
  NEIGHBOUR_DX,
  NEIGHBOUR_DY,
  checkPixBig,
  checkPixNumber,
  nest2xyfBigU,
  nest2xyfNum,
  wrapXyf,
  xyf,
  xyf2nestBigU,
  xyf2nestNum,
} from './healpixCore.js';

/** NESTED neighbours of `ipix` at `order` (0..24): 8 entries, −1 where absent. */
export function neighbours(order: number, ipix: number): number[] {
  checkPixNumber(order, ipix);
  nest2xyfNum(order, ipix);
  const n = 2 ** order;
  const { face, ix, iy } = xyf;
  const out: number[] = new Array<number>(8);
  for (let k = 0; k < 8; k++) {
    out[k] = wrapXyf(n, face, ix + NEIGHBOUR_DX[k], iy + NEIGHBOUR_DY[k])
      ? xyf2nestNum(order, xyf.face, xyf.ix, xyf.iy)
      : -1;
  }
  return out;
}

/** NESTED neighbours of `ipix` (bigint) at `order` (0..29): 8 entries, −1n where absent. */
export function neighboursBig(order: number, ipix: bigint): bigint[] {
  checkPixBig(order, ipix);
  nest2xyfBigU(order, ipix);
  const n = 2 ** order;
  const { face, ix, iy } = xyf;
  const out: bigint[] = new Array<bigint>(8);
  for (let k = 0; k < 8; k++) {
    out[k] = wrapXyf(n, face, ix + NEIGHBOUR_DX[k], iy + NEIGHBOUR_DY[k])
      ? xyf2nestBigU(order, xyf.face, xyf.ix, xyf.iy)
      : -1n;
  }
  return out;
}
