// Batch HEALPix NESTED ang2pix / pix2ang for many points at once: typed arrays in, typed arrays
// out, no allocation per point, one tight loop each. The arithmetic is exactly that of the
// scalar ang2pix / pix2ang of healpix.ts (healpixCore's loc2xyf and xyfCentre, inlined), so the
// indices are identical to theirs bit for bit (checked in healpixBatch.test.ts; the polar-cap
// cos(lat) is only computed where it is used); centre latitudes take one asin instead of a sqrt
// and an atan2 and agree with pix2ang to 1e-12 deg.
import { JPLL, JRLL, MAX_ORDER_NUMBER } from './healpixCore.js';

const DEG = Math.PI / 180;
const RAD = 180 / Math.PI;
const TWO_THIRDS = 2 / 3;
const TWO_POW_32 = 4294967296;
const INV_SQRT6 = 1 / Math.sqrt(6);

/** Index arrays ang2pixBatch can write: Float64Array for any order, 32-bit ones while the indices fit. */
export type PixArray = Float64Array | Int32Array | Uint32Array;

function checkBatchOrder(what: string, order: number): void {
  if (!Number.isInteger(order) || order < 0 || order > MAX_ORDER_NUMBER) {
    throw new RangeError(`${what}: order must be an integer in 0..${MAX_ORDER_NUMBER}, got ${String(order)}`);
  }
}

function checkOutFits(what: string, order: number, out: PixArray): void {
  const max = 12 * 4 ** order - 1;
  if (out instanceof Int32Array && max > 0x7fffffff) throw new RangeError(`${what}: indices of order ${order} do not fit an Int32Array (up to ${max}); use a Float64Array`);
  if (out instanceof Uint32Array && max > 0xffffffff) throw new RangeError(`${what}: indices of order ${order} do not fit a Uint32Array (up to ${max}); use a Float64Array`);
}

function spread16(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}

function compactEven32(v: number): number {
  v &= 0x55555555;
  v = (v | (v >> 1)) & 0x33333333;
  v = (v | (v >> 2)) & 0x0f0f0f0f;
  v = (v | (v >> 4)) & 0x00ff00ff;
  return (v | (v >> 8)) & 0x0000ffff;
}

// Scratch output of cellOf (module-level so the per-point kernel returns three numbers without
// allocating; read immediately after the call).
let sFace = 0;
let sIx = 0;
let sIy = 0;

/**
 * (face, ix, iy) at nside n of the direction (lonDeg, latDeg), checked: the arithmetic of
 * healpixCore's lonDegToT / sinLatDeg / cosLatDeg / loc2xyf, with cos(lat) computed only in the
 * polar caps. Returns false for a non-finite or out-of-range coordinate.
 */
function cellOf(order: number, n: number, lonDeg: number, lat: number): boolean {
  let lon = lonDeg;
  if (!(lat >= -90 && lat <= 90) || lon - lon !== 0) return false;
  if (!(lon >= 0 && lon < 360)) {
    lon %= 360;
    if (lon < 0) lon += 360;
    if (lon >= 360) lon -= 360;
  }
  let t = lon / 90;
  if (t >= 4) t -= 4;
  const a = lat < 0 ? -lat : lat;
  let z: number;
  if (a > 45) {
    const c = Math.cos((90 - a) * DEG);
    z = lat < 0 ? -c : c;
  } else {
    z = Math.sin(lat * DEG);
  }
  const za = z < 0 ? -z : z;
  if (za <= TWO_THIRDS) {
    const temp1 = n * (0.5 + t);
    const temp2 = n * z * 0.75;
    // both are >= 0 and < 5n <= 5·2^24, so truncation is floor and the shifts divide exactly
    const jp = (temp1 - temp2) | 0;
    const jm = (temp1 + temp2) | 0;
    const ifp = jp >> order;
    const ifm = jm >> order;
    sFace = ifp === ifm ? (ifp % 4) + 4 : ifp < ifm ? ifp : ifm + 8;
    sIx = jm - ifm * n;
    sIy = n - (jp - ifp * n) - 1;
    return true;
  }
  const sinTheta = a > 45 ? Math.sin((90 - a) * DEG) : Math.cos(lat * DEG);
  let ntt = Math.floor(t);
  if (ntt > 3) ntt = 3;
  const tp = t - ntt;
  const oneMinusZa = (sinTheta * sinTheta) / (1 + za);
  const s = n * Math.sqrt(3 * oneMinusZa);
  let jp = (tp * s) | 0; // >= 0 and < 2n
  let jm = ((1 - tp) * s) | 0;
  if (jp > n - 1) jp = n - 1;
  if (jm > n - 1) jm = n - 1;
  if (z > 0) {
    sFace = ntt;
    sIx = n - jm - 1;
    sIy = n - jp - 1;
  } else {
    sFace = ntt + 8;
    sIx = jp;
    sIy = jm;
  }
  return true;
}

function badPoint(i: number, lon: number, lat: number): RangeError {
  return new RangeError(`ang2pixBatch: point ${i} needs a finite lon and lat in [-90, 90], got lonDeg=${String(lon)} latDeg=${String(lat)}`);
}

/** Orders up to 16: ix, iy < 2^16, each spread fits 31 bits. */
function ang2pixSmall(order: number, lonDeg: ArrayLike<number>, latDeg: ArrayLike<number>, res: PixArray, count: number): void {
  const n = 2 ** order;
  const npface = 4 ** order;
  for (let i = 0; i < count; i++) {
    if (!cellOf(order, n, lonDeg[i], latDeg[i])) throw badPoint(i, lonDeg[i], latDeg[i]);
    res[i] = sFace * npface + spread16(sIx) + 2 * spread16(sIy);
  }
}

/** Orders 17..24: the Morton code in two 32-bit halves. */
function ang2pixLarge(order: number, lonDeg: ArrayLike<number>, latDeg: ArrayLike<number>, res: PixArray, count: number): void {
  const n = 2 ** order;
  const npface = 4 ** order;
  for (let i = 0; i < count; i++) {
    if (!cellOf(order, n, lonDeg[i], latDeg[i])) throw badPoint(i, lonDeg[i], latDeg[i]);
    const ixHi = Math.floor(sIx / 65536);
    const iyHi = Math.floor(sIy / 65536);
    const lo = spread16(sIx & 0xffff) + 2 * spread16(sIy & 0xffff);
    const hi = spread16(ixHi) + 2 * spread16(iyHi);
    res[i] = sFace * npface + hi * TWO_POW_32 + lo;
  }
}

/**
 * NESTED index of the cell of `order` (0..24) containing each (lonDeg[i], latDeg[i]), written to
 * `out` (a new Float64Array when not given). Longitudes are wrapped; a NaN, infinite or
 * out-of-range coordinate throws a RangeError naming its position and value.
 */
export function ang2pixBatch<T extends PixArray = Float64Array>(order: number, lonDeg: ArrayLike<number>, latDeg: ArrayLike<number>, out?: T): T {
  checkBatchOrder('ang2pixBatch', order);
  const count = lonDeg.length;
  if (latDeg.length !== count) throw new RangeError(`ang2pixBatch: ${count} longitudes but ${latDeg.length} latitudes`);
  const res = (out ?? new Float64Array(count)) as T;
  if (res.length < count) throw new RangeError(`ang2pixBatch: the output holds ${res.length} values, ${count} needed`);
  checkOutFits('ang2pixBatch', order, res);
  if (order <= 16) ang2pixSmall(order, lonDeg, latDeg, res, count);
  else ang2pixLarge(order, lonDeg, latDeg, res, count);
  return res;
}

// Scratch output of centreOf.
let sLon = 0;
let sLat = 0;

/**
 * Centre of (face, ix, iy) at nside n (the rings and longitudes of healpixCore's xyfCentre).
 * Latitude with one asin: in the polar caps 1 − z = q²/3 = 2 sin²(colat/2), so colatitude =
 * 2 asin(q/√6), accurate to the pole; in the equatorial belt lat = asin(z).
 */
function centreOf(n: number, face: number, ix: number, iy: number): void {
  const jr = JRLL[face] * n - ix - iy - 1;
  let nr: number;
  if (jr < n) {
    nr = jr;
    sLat = 90 - 2 * Math.asin(jr / n * INV_SQRT6) * RAD;
  } else if (jr > 3 * n) {
    nr = 4 * n - jr;
    sLat = 2 * Math.asin(nr / n * INV_SQRT6) * RAD - 90;
  } else {
    nr = n;
    sLat = Math.asin(((2 * n - jr) * 2) / (3 * n)) * RAD;
  }
  let k = JPLL[face] * nr + ix - iy;
  if (k < 0) k += 8 * nr;
  else if (k >= 8 * nr) k -= 8 * nr;
  sLon = (k * 45) / nr;
}

function badIndex(i: number, p: number, order: number, total: number): RangeError {
  return new RangeError(`pix2angBatch: index ${i} must be an integer in 0..${total - 1} at order ${order}, got ${String(p)}`);
}

/** Orders up to 16: the in-face index is < 2^32. */
function pix2angSmall(order: number, ipix: ArrayLike<number>, lonOut: Float64Array, latOut: Float64Array, count: number): void {
  const n = 2 ** order;
  const npface = 4 ** order;
  const total = 12 * npface;
  for (let i = 0; i < count; i++) {
    const p = ipix[i];
    if (!(p >= 0 && p < total) || Math.floor(p) !== p) throw badIndex(i, p, order, total);
    const face = Math.floor(p / npface);
    const m = p - face * npface;
    centreOf(n, face, compactEven32(m), compactEven32(m >>> 1));
    lonOut[i] = sLon;
    latOut[i] = sLat;
  }
}

/** Orders 17..24: the in-face index in two 32-bit halves. */
function pix2angLarge(order: number, ipix: ArrayLike<number>, lonOut: Float64Array, latOut: Float64Array, count: number): void {
  const n = 2 ** order;
  const npface = 4 ** order;
  const total = 12 * npface;
  for (let i = 0; i < count; i++) {
    const p = ipix[i];
    if (!(p >= 0 && p < total) || Math.floor(p) !== p) throw badIndex(i, p, order, total);
    const face = Math.floor(p / npface);
    const m = p - face * npface;
    const hi = Math.floor(m / TWO_POW_32);
    const lo = m - hi * TWO_POW_32;
    centreOf(n, face, compactEven32(lo) + compactEven32(hi) * 65536, compactEven32(lo >>> 1) + compactEven32(hi >>> 1) * 65536);
    lonOut[i] = sLon;
    latOut[i] = sLat;
  }
}

/**
 * Centres of the cells `ipix` (NESTED, `order` 0..24): longitude in [0, 360) to outLonDeg and
 * latitude to outLatDeg (new Float64Arrays when not given). An index that is not an integer
 * cell of the order throws a RangeError naming its position and value.
 */
export function pix2angBatch(order: number, ipix: ArrayLike<number>, outLonDeg?: Float64Array, outLatDeg?: Float64Array): { lonDeg: Float64Array; latDeg: Float64Array } {
  checkBatchOrder('pix2angBatch', order);
  const count = ipix.length;
  const lonOut = outLonDeg ?? new Float64Array(count);
  const latOut = outLatDeg ?? new Float64Array(count);
  if (lonOut.length < count || latOut.length < count) throw new RangeError(`pix2angBatch: the outputs hold ${lonOut.length} and ${latOut.length} values, ${count} needed`);
  if (order <= 16) pix2angSmall(order, ipix, lonOut, latOut, count);
  else pix2angLarge(order, ipix, lonOut, latOut, count);
  return { lonDeg: lonOut, latDeg: latOut };
}
