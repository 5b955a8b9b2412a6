// Internal HEALPix kernels shared by healpixBig.ts, healpixRing.ts, neighbours.ts and
// healpixQuery.ts (not part of the public API: src/hips/index.ts does not re-export this file).
//
// Everything here works on (face, ix, iy) with plain numbers for every order 0..29: ix and iy
// are < 2^29, ring numbers < 2^31 and all intermediate values are exact in float64. Only the
// conversion to a NESTED index needs more than 53 bits above order 24; it is done with BigInt
// (or with numbers when order ≤ 24). Formulas: STANDARDS.md A1 (Górski et al. 2005).
//
// Results are written to the module-level scratch objects `xyf` and `loc` (no allocation in hot
// loops); read them immediately after the call.

/** Deepest order of the BigInt API (12·4^29 ≈ 3.46e18 < 2^63). */
export const MAX_ORDER_BIG = 29;
/** Deepest order with exact `number` indices (12·4^24 ≈ 3.4e15 < 2^53). */
export const MAX_ORDER_NUMBER = 24;

export const DEG = Math.PI / 180;
export const RAD = 180 / Math.PI;
const TWO_THIRDS = 2 / 3;
const TWO_POW_32 = 4294967296;

/** Ring number (in units of nside) of the southernmost corner of each base cell. */
export const JRLL: readonly number[] = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
/** Longitude (in units of 45°) of each base cell's centre line. */
export const JPLL: readonly number[] = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7];

// ---------------------------------------------------------------------------------------------
// argument checks (RangeError naming the bad value)

export function checkOrderMax(order: number, max: number): void {
  if (!Number.isInteger(order) || order < 0 || order > max) {
    throw new RangeError(`HEALPix order must be an integer in 0..${max}, got ${String(order)}`);
  }
}

export function checkPixNumber(order: number, ipix: number, max = MAX_ORDER_NUMBER): void {
  checkOrderMax(order, max);
  const total = 12 * 4 ** order;
  if (!Number.isInteger(ipix) || ipix < 0 || ipix >= total) {
    throw new RangeError(
      `HEALPix ipix must be an integer in 0..${total - 1} at order ${order}, got ${String(ipix)}`,
    );
  }
}

export function npixBigUnchecked(order: number): bigint {
  return 12n << BigInt(2 * order);
}

export function checkPixBig(order: number, ipix: bigint): void {
  checkOrderMax(order, MAX_ORDER_BIG);
  if (typeof ipix !== 'bigint') {
    throw new RangeError(`HEALPix ipix must be a bigint, got ${typeof ipix} ${String(ipix)}`);
  }
  const total = npixBigUnchecked(order);
  if (ipix < 0n || ipix >= total) {
    throw new RangeError(
      `HEALPix ipix must be in 0..${total - 1n} at order ${order}, got ${ipix}`,
    );
  }
}

export function faceCheck(face: number): void {
  if (!Number.isInteger(face) || face < 0 || face > 11) {
    throw new RangeError(`HEALPix face must be an integer in 0..11, got ${String(face)}`);
  }
}

export function checkLonLat(what: string, lonDeg: number, latDeg: number): void {
  if (typeof lonDeg !== 'number' || !Number.isFinite(lonDeg)) {
    throw new RangeError(`${what} needs a finite longitude, got lonDeg=${String(lonDeg)}`);
  }
  if (typeof latDeg !== 'number' || !Number.isFinite(latDeg) || latDeg < -90 || latDeg > 90) {
    throw new RangeError(`${what} needs latDeg in [-90, 90], got latDeg=${String(latDeg)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Morton code (ix -> even bits, iy -> odd bits) for ix, iy < 2^29

function spread16(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

function compactEven32(v: number): number {
  v &= 0x55555555;
  v = (v | (v >> 1)) & 0x33333333;
  v = (v | (v >> 2)) & 0x0f0f0f0f;
  v = (v | (v >> 4)) & 0x00ff00ff;
  v = (v | (v >> 8)) & 0x0000ffff;
  return v;
}

/** Morton code of (ix, iy) split into its high and low 32 bits (written to mortonHi/Lo). */
let mortonHi = 0;
let mortonLo = 0;
function morton(ix: number, iy: number): void {
  const ixLo = ix & 0xffff;
  const iyLo = iy & 0xffff;
  const ixHi = Math.floor(ix / 65536);
  const iyHi = Math.floor(iy / 65536);
  mortonLo = (spread16(ixLo) | (spread16(iyLo) << 1)) >>> 0;
  mortonHi = (spread16(ixHi) | (spread16(iyHi) << 1)) >>> 0;
}

/** Scratch output of the xyf helpers. */
export const xyf = { face: 0, ix: 0, iy: 0 };

/** Splits a Morton code given as hi/lo 32-bit halves into xyf.ix / xyf.iy. */
function unmorton(hi: number, lo: number): void {
  xyf.ix = compactEven32(lo) + compactEven32(hi) * 65536;
  xyf.iy = compactEven32(lo >>> 1) + compactEven32(hi >>> 1) * 65536;
}

/** NESTED index as a number (order ≤ 24, arguments in range). */
export function xyf2nestNum(order: number, face: number, ix: number, iy: number): number {
  morton(ix, iy);
  return face * 4 ** order + mortonHi * TWO_POW_32 + mortonLo;
}

/** NESTED index as a bigint (order ≤ 29, arguments in range). */
export function xyf2nestBigU(order: number, face: number, ix: number, iy: number): bigint {
  morton(ix, iy);
  return (
    (BigInt(face) << BigInt(2 * order)) + (BigInt(mortonHi) << 32n) + BigInt(mortonLo)
  );
}

/** Writes face, ix, iy of a (checked) number index, order ≤ 24. */
export function nest2xyfNum(order: number, ipix: number): void {
  const npface = 4 ** order;
  const face = Math.floor(ipix / npface);
  const m = ipix - face * npface;
  const hi = Math.floor(m / TWO_POW_32);
  xyf.face = face;
  unmorton(hi, m - hi * TWO_POW_32);
}

/** Writes face, ix, iy of a (checked) bigint index, order ≤ 29. */
export function nest2xyfBigU(order: number, ipix: bigint): void {
  const shift = BigInt(2 * order);
  const face = ipix >> shift;
  const m = ipix - (face << shift);
  xyf.face = Number(face);
  unmorton(Number(m >> 32n), Number(m & 0xffffffffn));
}

// ---------------------------------------------------------------------------------------------
// directions

/** Scratch location: z = sin(lat), sinTheta = cos(lat) ≥ 0, t = lon / 90° in [0, 4). */
export const loc = { z: 0, sinTheta: 0, t: 0 };

/** cos(lat) as sin(colatitude) when |lat| > 45° (full relative precision near the poles). */
export function cosLatDeg(latDeg: number): number {
  const a = Math.abs(latDeg);
  return a > 45 ? Math.sin((90 - a) * DEG) : Math.cos(latDeg * DEG);
}

export function sinLatDeg(latDeg: number): number {
  const a = Math.abs(latDeg);
  if (a > 45) {
    const s = Math.cos((90 - a) * DEG);
    return latDeg < 0 ? -s : s;
  }
  return Math.sin(latDeg * DEG);
}

/** lon / 90° wrapped into [0, 4). */
export function lonDegToT(lonDeg: number): number {
  let lon = lonDeg % 360;
  if (lon < 0) lon += 360;
  if (lon >= 360) lon -= 360;
  let t = lon / 90;
  if (t >= 4) t -= 4;
  return t;
}

/** Fills `loc` from a (checked) longitude / latitude in degrees. */
export function lonLatToLoc(lonDeg: number, latDeg: number): void {
  loc.z = sinLatDeg(latDeg);
  loc.sinTheta = cosLatDeg(latDeg);
  loc.t = lonDegToT(lonDeg);
}

/** Fills `loc` from a (checked, non-zero, finite) vector. */
export function vecToLoc(x: number, y: number, z: number): void {
  const m = Math.max(Math.abs(x), Math.abs(y), Math.abs(z));
  x /= m;
  y /= m;
  z /= m;
  const rxy = Math.sqrt(x * x + y * y);
  const r = Math.sqrt(rxy * rxy + z * z);
  let t = Math.atan2(y, x) / (Math.PI / 2);
  if (t < 0) t += 4;
  if (t >= 4) t -= 4;
  loc.z = z / r;
  loc.sinTheta = rxy / r;
  loc.t = t;
}

/**
 * Cell (face, ix, iy) at `order` (0..29) containing the location (z, sinTheta, t); written to
 * `xyf`. Identical arithmetic to healpix_base / healpy (floor of the edge-line coordinates);
 * near the poles 1 − |z| is computed as sin²θ / (1 + |z|).
 */
export function loc2xyf(order: number, z: number, sinTheta: number, t: number): void {
  const n = 2 ** order;
  const za = Math.abs(z);
  if (za <= TWO_THIRDS) {
    const temp1 = n * (0.5 + t);
    const temp2 = n * z * 0.75;
    const jp = Math.floor(temp1 - temp2);
    const jm = Math.floor(temp1 + temp2);
    const ifp = Math.floor(jp / n);
    const ifm = Math.floor(jm / n);
    xyf.face = ifp === ifm ? (ifp % 4) + 4 : ifp < ifm ? ifp : ifm + 8;
    xyf.ix = jm - ifm * n;
    xyf.iy = n - (jp - ifp * n) - 1;
  } else {
    let ntt = Math.floor(t);
    if (ntt > 3) ntt = 3;
    const tp = t - ntt;
    const oneMinusZa = (sinTheta * sinTheta) / (1 + za);
    const s = n * Math.sqrt(3 * oneMinusZa);
    let jp = Math.floor(tp * s);
    let jm = Math.floor((1 - tp) * s);
    if (jp > n - 1) jp = n - 1;
    if (jm > n - 1) jm = n - 1;
    if (z > 0) {
      xyf.face = ntt;
      xyf.ix = n - jm - 1;
      xyf.iy = n - jp - 1;
    } else {
      xyf.face = ntt + 8;
      xyf.ix = jp;
      xyf.iy = jm;
    }
  }
}

/** Centre location of the cell written to `centre` (lonDeg in [0, 360), z, sinTheta). */
export const centre = { lonDeg: 0, z: 0, sinTheta: 0 };

export function xyfCentre(order: number, face: number, ix: number, iy: number): void {
  const n = 2 ** order;
  const jr = JRLL[face] * n - ix - iy - 1; // ring counted from the north pole, 1..4n-1
  let nr: number;
  if (jr < n) {
    nr = jr;
    const q = jr / n;
    const oneMinusZ = (q * q) / 3;
    centre.z = 1 - oneMinusZ;
    centre.sinTheta = Math.sqrt(oneMinusZ * (2 - oneMinusZ));
  } else if (jr > 3 * n) {
    nr = 4 * n - jr;
    const q = nr / n;
    const oneMinusZa = (q * q) / 3;
    centre.z = oneMinusZa - 1;
    centre.sinTheta = Math.sqrt(oneMinusZa * (2 - oneMinusZa));
  } else {
    nr = n;
    const z = ((2 * n - jr) * 2) / (3 * n);
    centre.z = z;
    centre.sinTheta = Math.sqrt((1 - z) * (1 + z));
  }
  let k = JPLL[face] * nr + ix - iy;
  if (k < 0) k += 8 * nr;
  else if (k >= 8 * nr) k -= 8 * nr;
  centre.lonDeg = (k * 45) / nr;
}

/** Latitude in degrees of the scratch `centre`. */
export function centreLatDeg(): number {
  return Math.atan2(centre.z, centre.sinTheta) * RAD;
}

// ---------------------------------------------------------------------------------------------
// RING scheme: (face, ix, iy) <-> (ring, position in ring), both plain numbers

/** Scratch output: ring number 1..4n-1 from the north pole, position 1..(cells in the ring). */
export const ringPos = { iring: 0, iphi: 0 };

/** Ring coordinates of the cell (face, ix, iy); written to ringPos. */
export function xyf2ringPos(order: number, face: number, ix: number, iy: number): void {
  const n = 2 ** order;
  const jr = JRLL[face] * n - ix - iy - 1;
  let nr: number;
  let kshift: number;
  if (jr < n) {
    nr = jr;
    kshift = 0;
  } else if (jr > 3 * n) {
    nr = 4 * n - jr;
    kshift = 0;
  } else {
    nr = n;
    kshift = (jr - n) & 1;
  }
  let jp = (JPLL[face] * nr + ix - iy + 1 + kshift) / 2; // an integer by parity
  if (jp > 4 * nr) jp -= 4 * nr;
  else if (jp < 1) jp += 4 * nr;
  ringPos.iring = jr;
  ringPos.iphi = jp;
}

/**
 * The cell at ring coordinates (iring, iphi) → xyf, by locating the ring cell's centre: the
 * centre lies half a cell from every edge, so the floors in loc2xyf are not near a tie.
 */
export function ringPos2xyf(order: number, iring: number, iphi: number): void {
  const n = 2 ** order;
  let z: number;
  let sinTheta: number;
  let nr: number;
  let shift: number; // 1 where the ring's first centre sits on a multiple of 90°/nr
  if (iring < n) {
    nr = iring;
    shift = 0;
    const q = iring / n;
    const omz = (q * q) / 3;
    z = 1 - omz;
    sinTheta = Math.sqrt(omz * (2 - omz));
  } else if (iring > 3 * n) {
    nr = 4 * n - iring;
    shift = 0;
    const q = nr / n;
    const omz = (q * q) / 3;
    z = omz - 1;
    sinTheta = Math.sqrt(omz * (2 - omz));
  } else {
    nr = n;
    shift = (iring - n) & 1;
    z = ((2 * n - iring) * 2) / (3 * n);
    sinTheta = Math.sqrt((1 - z) * (1 + z));
  }
  // centre longitude in units of 90°: (iphi − (shift + 1)/2) / nr, in [0, 4)
  const t = (iphi - (shift + 1) / 2) / nr;
  loc2xyf(order, z, sinTheta, t >= 4 ? t - 4 : t);
}

/** Number of cells in ring `iring` (1..4n-1). */
export function ringLength(n: number, iring: number): number {
  if (iring < n) return 4 * iring;
  if (iring > 3 * n) return 4 * (4 * n - iring);
  return 4 * n;
}

/** First RING index of ring `iring`, as a number (order ≤ 24). */
export function ringStartNum(n: number, iring: number): number {
  if (iring <= n) return 2 * iring * (iring - 1);
  if (iring <= 3 * n) return 2 * n * (n - 1) + (iring - n) * 4 * n;
  const m = 4 * n - iring;
  return 12 * n * n - 2 * m * (m + 1);
}

/** First RING index of ring `iring`, as a bigint. */
export function ringStartBig(n: number, iring: number): bigint {
  const N = BigInt(n);
  const r = BigInt(iring);
  if (iring <= n) return 2n * r * (r - 1n);
  if (iring <= 3 * n) return 2n * N * (N - 1n) + (r - N) * 4n * N;
  const m = 4n * N - r;
  return 12n * N * N - 2n * m * (m + 1n);
}

/** Floor of the square root of a non-negative integer < 2^53. */
function isqrtNum(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

function isqrtBig(x: bigint): bigint {
  let r = BigInt(Math.floor(Math.sqrt(Number(x))));
  while (r * r > x) r--;
  while ((r + 1n) * (r + 1n) <= x) r++;
  return r;
}

/** Ring coordinates of a (checked) RING index, as a number (order ≤ 24). */
export function ringIndexToPosNum(order: number, pix: number): void {
  const n = 2 ** order;
  const ncap = 2 * n * (n - 1);
  const npix = 12 * n * n;
  if (pix < ncap) {
    const iring = Math.floor((1 + isqrtNum(1 + 2 * pix)) / 2);
    ringPos.iring = iring;
    ringPos.iphi = pix + 1 - 2 * iring * (iring - 1);
  } else if (pix < npix - ncap) {
    const ip = pix - ncap;
    const tmp = Math.floor(ip / (4 * n));
    ringPos.iring = tmp + n;
    ringPos.iphi = ip - tmp * 4 * n + 1;
  } else {
    const ip = npix - pix;
    const m = Math.floor((1 + isqrtNum(2 * ip - 1)) / 2);
    ringPos.iring = 4 * n - m;
    ringPos.iphi = 4 * m + 1 - (ip - 2 * m * (m - 1));
  }
}

/** Ring coordinates of a (checked) RING index, as a bigint (order ≤ 29). */
export function ringIndexToPosBig(order: number, pix: bigint): void {
  const n = 2 ** order;
  const N = BigInt(n);
  const ncap = 2n * N * (N - 1n);
  const npix = 12n * N * N;
  if (pix < ncap) {
    const iring = (1n + isqrtBig(1n + 2n * pix)) / 2n;
    ringPos.iring = Number(iring);
    ringPos.iphi = Number(pix + 1n - 2n * iring * (iring - 1n));
  } else if (pix < npix - ncap) {
    const ip = pix - ncap;
    const tmp = ip / (4n * N);
    ringPos.iring = Number(tmp) + n;
    ringPos.iphi = Number(ip - tmp * 4n * N) + 1;
  } else {
    const ip = npix - pix;
    const m = (1n + isqrtBig(2n * ip - 1n)) / 2n;
    ringPos.iring = 4 * n - Number(m);
    ringPos.iphi = Number(4n * m + 1n - (ip - 2n * m * (m - 1n)));
  }
}

// ---------------------------------------------------------------------------------------------
// neighbours in (face, ix, iy)

/**
 * The cell (face, ix, iy) where ix, iy may be one step outside [0, n): written to xyf, or
 * returns false when that position is a base-cell vertex shared by only three base cells (the
 * cell then has 7 neighbours). Derived from the HPX-plane layout of the base cells
 * (STANDARDS.md A1): across equatorial↔polar edges the plane is continuous; two polar cells of
 * the same cap meet along a meridian, which is a quarter turn about the pole.
 */
export function wrapXyf(n: number, face: number, ix: number, iy: number): boolean {
  const xo = ix < 0 ? -1 : ix >= n ? 1 : 0;
  const yo = iy < 0 ? -1 : iy >= n ? 1 : 0;
  if (xo === 0 && yo === 0) {
    xyf.face = face;
    xyf.ix = ix;
    xyf.iy = iy;
    return true;
  }
  const c = face & 3;
  const row = face >> 2; // 0 north, 1 equatorial, 2 south
  let f: number;
  let x: number;
  let y: number;
  if (row === 1) {
    if (xo === 1 && yo === 0) [f, x, y] = [c, ix - n, iy];
    else if (xo === 0 && yo === 1) [f, x, y] = [(c + 3) & 3, ix, iy - n];
    else if (xo === -1 && yo === 0) [f, x, y] = [8 + ((c + 3) & 3), ix + n, iy];
    else if (xo === 0 && yo === -1) [f, x, y] = [8 + c, ix, iy + n];
    else if (xo === 1 && yo === -1) [f, x, y] = [4 + ((c + 1) & 3), ix - n, iy + n];
    else if (xo === -1 && yo === 1) [f, x, y] = [4 + ((c + 3) & 3), ix + n, iy - n];
    else return false; // north or south vertex: three base cells
  } else if (row === 0) {
    if (xo === -1 && yo === 0) [f, x, y] = [4 + c, ix + n, iy];
    else if (xo === 0 && yo === -1) [f, x, y] = [4 + ((c + 1) & 3), ix, iy + n];
    else if (xo === 1 && yo === 0) [f, x, y] = [(c + 1) & 3, iy, 2 * n - 1 - ix];
    else if (xo === 0 && yo === 1) [f, x, y] = [(c + 3) & 3, 2 * n - 1 - iy, ix];
    else if (xo === -1 && yo === -1) [f, x, y] = [8 + c, ix + n, iy + n];
    else if (xo === 1 && yo === 1) [f, x, y] = [(c + 2) & 3, 2 * n - 1 - ix, 2 * n - 1 - iy];
    else return false; // east or west vertex
  } else {
    if (xo === 1 && yo === 0) [f, x, y] = [4 + ((c + 1) & 3), ix - n, iy];
    else if (xo === 0 && yo === 1) [f, x, y] = [4 + c, ix, iy - n];
    else if (xo === -1 && yo === 0) [f, x, y] = [8 + ((c + 3) & 3), iy, -ix - 1];
    else if (xo === 0 && yo === -1) [f, x, y] = [8 + ((c + 1) & 3), -iy - 1, ix];
    else if (xo === 1 && yo === 1) [f, x, y] = [c, ix - n, iy - n];
    else if (xo === -1 && yo === -1) [f, x, y] = [8 + ((c + 2) & 3), -ix - 1, -iy - 1];
    else return false;
  }
  xyf.face = f;
  xyf.ix = x;
  xyf.iy = y;
  return true;
}

/** healpy.get_all_neighbours order: SW, W, NW, N, NE, E, SE, S as (dx, dy) in face-local steps. */
export const NEIGHBOUR_DX: readonly number[] = [-1, -1, 0, 1, 1, 1, 0, -1];
export const NEIGHBOUR_DY: readonly number[] = [0, 1, 1, 1, 0, -1, -1, -1];
