// HEALPix NESTED scheme on the sphere: cell indices <-> directions and cell geometry, for orders
// 0..24 with plain `number` indices (12·4^24 ≈ 3.4e15 < 2^53), all in float64.
// Conventions and formulas: STANDARDS.md A1 (Górski et al. 2005; HPX plane of Calabretta & Roukema 2007).
//
// Index arithmetic never applies 32-bit operators (| & << >> >>>) to a full index (they exceed
// 2^32 from order 16 up): indices are split with Math.floor / multiplication; bit operators are
// used only on 16-bit halves of ix / iy and on 32-bit halves of a Morton code.

/** Deepest order supported with `number` indices. */
export const HEALPIX_MAX_ORDER = 24;

const DEG = Math.PI / 180;
const RAD = 180 / Math.PI;
const QUARTER_PI = Math.PI / 4;
const TWO_THIRDS = 2 / 3;
const TWO_POW_32 = 4294967296;

/** Ring number (in units of nside) of the southernmost corner of each base cell. */
const JRLL: readonly number[] = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
/** Longitude (in units of 45°) of each base cell's centre line. */
const JPLL: readonly number[] = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7];

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

// ---------------------------------------------------------------------------------------------
// Morton code: ix -> even bits, iy -> odd bits

/** Spreads the 16 low bits of v onto the even bits of a 32-bit value (result < 2^31). */
function spread16(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/** Gathers the even bits of a 32-bit value (given as a number in [0, 2^32)) into 16 bits. */
function compactEven32(v: number): number {
  v &= 0x55555555; // ToInt32 keeps the bit pattern; bit 31 is masked off, so v >= 0
  v = (v | (v >> 1)) & 0x33333333;
  v = (v | (v >> 2)) & 0x0f0f0f0f;
  v = (v | (v >> 4)) & 0x00ff00ff;
  v = (v | (v >> 8)) & 0x0000ffff;
  return v;
}

/** Morton spread of a coordinate in [0, 2^24): a value < 2^48. */
function spread24(v: number): number {
  return spread16(v & 0xffff) + spread16(v >>> 16) * TWO_POW_32;
}

// scratch outputs of the unchecked helpers (avoid allocating in hot paths)
let sFace = 0;
let sIx = 0;
let sIy = 0;

/** Splits ipix (already checked) into face, ix, iy (written to sFace, sIx, sIy). */
function nest2xyfUnchecked(order: number, ipix: number): void {
  const npface = 4 ** order;
  const face = Math.floor(ipix / npface); // npface is a power of two: exact
  const morton = ipix - face * npface; // < 2^48
  const hi = Math.floor(morton / TWO_POW_32); // < 2^16
  const lo = morton - hi * TWO_POW_32; // in [0, 2^32)
  sFace = face;
  sIx = compactEven32(lo) + compactEven32(hi) * 65536;
  sIy = compactEven32(lo >>> 1) + compactEven32(hi >>> 1) * 65536;
}

function xyf2nestUnchecked(order: number, ix: number, iy: number, face: number): number {
  return face * 4 ** order + spread24(ix) + 2 * spread24(iy);
}

/** Face number and in-face coordinates (ix toward North-East, iy toward North-West) of a cell. */
export function nest2xyf(order: number, ipix: number): { face: number; ix: number; iy: number } {
  checkPix(order, ipix);
  nest2xyfUnchecked(order, ipix);
  return { face: sFace, ix: sIx, iy: sIy };
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

/** cos(lat), computed as sin(colatitude) when |lat| > 45° so it keeps full relative precision. */
function cosLatDeg(latDeg: number): number {
  const a = Math.abs(latDeg);
  return a > 45 ? Math.sin((90 - a) * DEG) : Math.cos(latDeg * DEG);
}

/** sin(lat), computed as ±cos(colatitude) when |lat| > 45°. */
function sinLatDeg(latDeg: number): number {
  const a = Math.abs(latDeg);
  if (a > 45) {
    const s = Math.cos((90 - a) * DEG);
    return latDeg < 0 ? -s : s;
  }
  return Math.sin(latDeg * DEG);
}

// ---------------------------------------------------------------------------------------------
// direction -> index

/**
 * Nested index of the cell containing the direction with z = sin(lat) (|z| ≤ 1),
 * sinTheta = cos(lat) ≥ 0 (given separately for accuracy near the poles) and
 * t = lon / 90° in [0, 4).
 */
function loc2nest(order: number, z: number, sinTheta: number, t: number): number {
  const n = 2 ** order;
  const za = Math.abs(z);
  let face: number;
  let ix: number;
  let iy: number;
  if (za <= TWO_THIRDS) {
    // equatorial zone
    const temp1 = n * (0.5 + t);
    const temp2 = n * z * 0.75;
    const jp = Math.floor(temp1 - temp2); // ascending edge line index
    const jm = Math.floor(temp1 + temp2); // descending edge line index
    const ifp = Math.floor(jp / n);
    const ifm = Math.floor(jm / n);
    face = ifp === ifm ? (ifp % 4) + 4 : ifp < ifm ? ifp : ifm + 8;
    ix = jm - ifm * n;
    iy = n - (jp - ifp * n) - 1;
  } else {
    // polar caps; 1 - |z| = cos²(lat) / (1 + |z|) keeps its precision next to the pole
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
      face = ntt;
      ix = n - jm - 1;
      iy = n - jp - 1;
    } else {
      face = ntt + 8;
      ix = jp;
      iy = jm;
    }
  }
  return xyf2nestUnchecked(order, ix, iy, face);
}

/** lon / 90° wrapped into [0, 4). */
function lonDegToT(lonDeg: number): number {
  let lon = lonDeg % 360;
  if (lon < 0) lon += 360;
  if (lon >= 360) lon -= 360;
  let t = lon / 90;
  if (t >= 4) t -= 4;
  return t;
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
  x /= m;
  y /= m;
  z /= m;
  const rxy = Math.sqrt(x * x + y * y);
  const r = Math.sqrt(rxy * rxy + z * z);
  let t = Math.atan2(y, x) / (Math.PI / 2);
  if (t < 0) t += 4;
  if (t >= 4) t -= 4;
  return loc2nest(order, z / r, rxy / r, t);
}

// ---------------------------------------------------------------------------------------------
// index -> centre

let sLonDeg = 0;
let sZ = 0;
let sSinTheta = 0;

/** Centre of a checked cell: writes sLonDeg in [0, 360), sZ = sin(lat), sSinTheta = cos(lat). */
function centreUnchecked(order: number, ipix: number): void {
  nest2xyfUnchecked(order, ipix);
  const n = 2 ** order;
  const face = sFace;
  const ix = sIx;
  const iy = sIy;
  const jr = JRLL[face] * n - ix - iy - 1; // ring index counted from the north pole, 1..4n-1
  let nr: number;
  if (jr < n) {
    nr = jr;
    const oneMinusZ = (nr * nr) / (3 * n * n);
    sZ = 1 - oneMinusZ;
    sSinTheta = Math.sqrt(oneMinusZ * (2 - oneMinusZ));
  } else if (jr > 3 * n) {
    nr = 4 * n - jr;
    const oneMinusZa = (nr * nr) / (3 * n * n);
    sZ = oneMinusZa - 1;
    sSinTheta = Math.sqrt(oneMinusZa * (2 - oneMinusZa));
  } else {
    nr = n;
    const z = ((2 * n - jr) * 2) / (3 * n);
    sZ = z;
    sSinTheta = Math.sqrt((1 - z) * (1 + z));
  }
  // longitude = 45° · (JPLL·nr + ix − iy) / nr (the parity shift of the equatorial rings cancels)
  let k = JPLL[face] * nr + ix - iy;
  if (k < 0) k += 8 * nr;
  else if (k >= 8 * nr) k -= 8 * nr;
  sLonDeg = (k * 45) / nr;
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
  return faceLocalToVec(sFace, (sIx + u) / n, (sIy + v) / n, target, offset);
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
  const face = sFace;
  const x0 = sIx / n;
  const x1 = (sIx + 1) / n;
  const y0 = sIy / n;
  const y1 = (sIy + 1) / n;
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
