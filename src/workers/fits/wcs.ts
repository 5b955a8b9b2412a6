/**
 * Celestial World Coordinate System of a FITS header (Greisen & Calabretta 2002, "Paper I";
 * Calabretta & Greisen 2002, "Paper II"; STANDARDS.md A7), with SIP distortion (Shupe et al.
 * 2005).
 *
 * ```ts
 * const wcs = parseWcs(hdu.header);
 * const [ra, dec] = wcs.pixelToWorld(1, 1);     // centre of the first pixel
 * const [x, y] = wcs.worldToPixel(ra, dec);     // back: (1, 1)
 * ```
 *
 * Pixel convention: FITS 1-based pixel coordinates. (1, 1) is the CENTRE of the first pixel
 * of the data array (the bottom-left pixel as displayed, FITS row 1); the first pixel covers
 * 0.5..1.5 in x and y. To convert 0-based array indices (i along NAXIS1, j along NAXIS2) add 1:
 * `pixelToWorld(i + 1, j + 1)`. This is astropy's `origin = 1` (`wcs.all_pix2world(x, y, 1)`).
 *
 * Pipeline (Paper I §2, Paper II §2):
 *   pixel p -> SIP: (u, v) = p - CRPIX, (u + f(u, v), v + g(u, v))        (if A_ORDER/B_ORDER)
 *           -> intermediate (x, y) = M (u', v') in degrees, M = CD (CDi_j), or CDELTi * PCi_j,
 *              or the legacy CDELTi + CROTA2 (rotation of the latitude axis)
 *           -> native (phi, theta) by the projection, (phi0, theta0) = native fiducial point
 *           -> celestial (lon, lat) by the spherical rotation that takes (phi0, theta0) to
 *              CRVAL and whose pole is at native longitude LONPOLE.
 * worldToPixel runs it backwards; the SIP inverse uses the AP_p_q/BP_p_q polynomials when the
 * header has them (AP_ORDER), otherwise Newton iteration of the forward polynomials.
 *
 * Spherical rotation: the celestial coordinates (alpha_p, delta_p) of the native pole follow
 * Paper II §2.4: for zenithal projections (theta0 = 90) they are CRVAL; otherwise delta_p is
 * the solution of Paper II eq. 8 nearest LATPOLE (default 90), and alpha_p follows from eq. 10
 * (with the special cases of a celestial pole at the fiducial or the native pole). LONPOLE
 * defaults to 0 when CRVAL2 >= theta0, else 180 (+ phi0). PVi_1..4 of the longitude axis
 * override phi0, theta0, LONPOLE, LATPOLE.
 *
 * Projections (x, y, R in degrees, R0 = 180/pi):
 *   zenithal: x = R sin(phi), y = -R cos(phi), with R = R0 cot(theta) TAN;
 *     R0 cos(theta) SIN (PV2_1 = xi, PV2_2 = eta: slant orthographic, x += R0 xi (1 - sin theta),
 *     y -= R0 eta (1 - sin theta)); 2 R0 cos(theta)/(1 + sin(theta)) STG;
 *     R0 sqrt(2 (1 - sin theta)) ZEA; 90 - theta ARC;
 *   cylindrical / pseudo-cylindrical (theta0 = 0): CAR x = phi, y = theta;
 *     MER y = R0 ln tan((90 + theta)/2); SFL (= GLS) x = phi cos(theta), y = theta;
 *     AIT, MOL (Paper II §6.3); HPX with H = PV2_1 (default 4), K = PV2_2 (default 3)
 *     (Calabretta & Roukema 2007).
 * Points outside a projection's domain give [NaN, NaN].
 *
 * Only the two celestial axes are handled: they are found from CTYPEi ('RA--', 'DEC-', 'GLON',
 * 'GLAT', 'ELON', 'ELAT', 'xLON'/'xLAT', ...), and pixel axes 1 and 2 are assumed to be the
 * ones they depend on (other pixel axes at CRPIXj). World longitudes are in [0, 360).
 */

import { FitsError } from './errors.js';
import type { FitsHeader } from './header.js';

const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;

/** sin/cos of degrees, exact at multiples of 90. */
function sind(a: number): number {
  const r = a % 90 === 0 ? [0, 1, 0, -1][(((a / 90) % 4) + 4) % 4] : undefined;
  return r ?? Math.sin(a * D2R);
}
function cosd(a: number): number {
  const r = a % 90 === 0 ? [1, 0, -1, 0][(((a / 90) % 4) + 4) % 4] : undefined;
  return r ?? Math.cos(a * D2R);
}
function atan2d(y: number, x: number): number {
  return Math.atan2(y, x) * R2D;
}
function asind(v: number): number {
  return Math.asin(Math.max(-1, Math.min(1, v))) * R2D;
}
function acosd(v: number): number {
  return Math.acos(Math.max(-1, Math.min(1, v))) * R2D;
}
function norm180(a: number): number {
  let r = a % 360;
  if (r > 180) r -= 360;
  else if (r <= -180) r += 360;
  return r;
}

export const SUPPORTED_PROJECTIONS: readonly string[] = ['SIN', 'TAN', 'STG', 'ZEA', 'ARC', 'CAR', 'MER', 'SFL', 'GLS', 'AIT', 'MOL', 'HPX'];
const ZENITHAL = new Set(['SIN', 'TAN', 'STG', 'ZEA', 'ARC']);

/** SIP distortion polynomials (coefficients indexed [p][q] for u^p v^q). */
export interface SipDistortion {
  a: number[][];
  b: number[][];
  /** Inverse polynomials (AP_p_q, BP_p_q), if the header has them. */
  ap: number[][] | undefined;
  bp: number[][] | undefined;
}

export interface ParseWcsOptions {
  /** Alternate WCS key ('A'..'Z'); default the primary WCS. */
  key?: string;
}

export interface Wcs {
  /** CTYPE of the longitude and latitude axes. */
  readonly ctype: readonly [string, string];
  /** Projection code ('TAN', 'SIN'...). */
  readonly projection: string;
  /** 'equatorial' (RA/DEC), 'galactic' (GLON/GLAT), 'ecliptic' (ELON/ELAT), 'other'. */
  readonly frame: 'equatorial' | 'galactic' | 'ecliptic' | 'other';
  /** World axis indices (0-based) of longitude and latitude. */
  readonly axes: readonly [number, number];
  /** CRPIX of the two pixel axes (1-based pixel coordinates). */
  readonly crpix: readonly [number, number];
  /** CRVAL (longitude, latitude), degrees. */
  readonly crval: readonly [number, number];
  /** Linear matrix (CD, or CDELT * PC) in degrees per pixel, rows = (lon, lat). */
  readonly cd: readonly [readonly [number, number], readonly [number, number]];
  /** LONPOLE and LATPOLE actually used (defaults applied; LATPOLE = the chosen delta_p). */
  readonly lonpole: number;
  readonly latpole: number;
  /** Native coordinates of the fiducial point. */
  readonly phi0: number;
  readonly theta0: number;
  /** Celestial coordinates of the native pole. */
  readonly alphaP: number;
  readonly deltaP: number;
  /** Projection parameters PV2_m of the latitude axis. */
  readonly pv: readonly number[];
  /** RADESYS (defaulted per Paper I: ICRS, or FK4/FK5 from EQUINOX) for equatorial frames. */
  readonly radesys: string | undefined;
  /** EQUINOX (or the legacy EPOCH). */
  readonly equinox: number | undefined;
  readonly sip: SipDistortion | undefined;
  /** Pixel (1-based) -> [lon, lat] degrees; [NaN, NaN] outside the projection. */
  pixelToWorld(x: number, y: number): [number, number];
  /** [lon, lat] degrees -> pixel (1-based); [NaN, NaN] if not projectable. */
  worldToPixel(lon: number, lat: number): [number, number];
}

const LON_PREFIX: Record<string, Wcs['frame']> = { 'RA--': 'equatorial', GLON: 'galactic', ELON: 'ecliptic' };
const LAT_PREFIX: Record<string, Wcs['frame']> = { 'DEC-': 'equatorial', GLAT: 'galactic', ELAT: 'ecliptic' };

function bad(msg: string): FitsError {
  return new FitsError('BAD_KEYWORD', `WCS: ${msg}`);
}

/**
 * Build the celestial WCS of a header. Throws FitsError: 'MISSING_KEYWORD' when there are no
 * celestial axes, 'UNSUPPORTED' for projections not implemented (naming CTYPEi), 'BAD_KEYWORD'
 * for inconsistent values (singular matrix, impossible LONPOLE/CRVAL...).
 */
export function parseWcs(header: FitsHeader, options: ParseWcsOptions = {}): Wcs {
  const key = (options.key ?? '').trim().toUpperCase();
  if (key !== '' && !/^[A-Z]$/.test(key)) throw new FitsError('BAD_ARGUMENT', `WCS key must be a letter A-Z, got ${JSON.stringify(options.key)}`);
  const num = (k: string): number | undefined => {
    const v = header.get(k + key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${k}${key} must be a finite number, found ${JSON.stringify(v)}`);
    return v;
  };
  const naxis = header.getInteger('WCSAXES' + key) ?? header.getInteger('NAXIS') ?? 2;
  let lonAxis = -1;
  let latAxis = -1;
  const ctypes: string[] = [];
  for (let i = 1; i <= Math.max(2, Math.min(naxis, 99)); i++) {
    const c = header.get(`CTYPE${i}${key}`);
    ctypes.push(typeof c === 'string' ? c : '');
  }
  // also look further when NAXIS is smaller than the WCS axes present
  for (let i = ctypes.length + 1; i <= 9 && header.has(`CTYPE${i}${key}`); i++) {
    const c = header.get(`CTYPE${i}${key}`);
    ctypes.push(typeof c === 'string' ? c : '');
  }
  ctypes.forEach((c, i) => {
    const p = c.slice(0, 4).toUpperCase();
    const isLon = p in LON_PREFIX || /^[A-Z]LON$/.test(p) || /^[A-Z]{2}LN$/.test(p);
    const isLat = p in LAT_PREFIX || /^[A-Z]LAT$/.test(p) || /^[A-Z]{2}LT$/.test(p);
    if (isLon && lonAxis < 0 && c.length >= 8 && c[4] === '-') lonAxis = i;
    if (isLat && latAxis < 0 && c.length >= 8 && c[4] === '-') latAxis = i;
  });
  if (lonAxis < 0 || latAxis < 0) {
    throw new FitsError('MISSING_KEYWORD', `WCS: no celestial axes (CTYPEi${key} = ${ctypes.map((c) => `'${c}'`).join(', ')})`);
  }
  const frame: Wcs['frame'] = LON_PREFIX[ctypes[lonAxis]!.slice(0, 4).toUpperCase()] ?? 'other';
  const latFrame = LAT_PREFIX[ctypes[latAxis]!.slice(0, 4).toUpperCase()] ?? 'other';
  if (latFrame !== frame) {
    throw bad(`CTYPE${lonAxis + 1}${key} = '${ctypes[lonAxis]}' and CTYPE${latAxis + 1}${key} = '${ctypes[latAxis]}' are not a pair`);
  }
  const code = (c: string) => c.slice(5, 8).replace(/-/g, '').toUpperCase();
  const projection = code(ctypes[lonAxis]!);
  if (code(ctypes[latAxis]!) !== projection) throw bad(`CTYPE${lonAxis + 1}${key} and CTYPE${latAxis + 1}${key} have different projections`);
  const ctypeSuffix = ctypes[lonAxis]!.slice(8).trim().toUpperCase();
  if (!SUPPORTED_PROJECTIONS.includes(projection)) {
    throw new FitsError('UNSUPPORTED', `WCS: projection '${projection}' of CTYPE${lonAxis + 1}${key} = '${ctypes[lonAxis]}' is not supported (supported: ${SUPPORTED_PROJECTIONS.join(', ')})`);
  }

  const ia = lonAxis + 1;
  const ib = latAxis + 1;
  // pixel axes 1 and 2 (j), world axes ia, ib (i)
  const crpix: [number, number] = [num('CRPIX1') ?? 0, num('CRPIX2') ?? 0];
  const crval: [number, number] = [num(`CRVAL${ia}`) ?? 0, num(`CRVAL${ib}`) ?? 0];
  const rows = [ia, ib];
  const m: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ];
  const hasCd = [1, 2].some((r) => [1, 2].some((c) => header.has(`CD${rows[r - 1]}_${c}${key}`)));
  const hasPc = [1, 2].some((r) => [1, 2].some((c) => header.has(`PC${rows[r - 1]}_${c}${key}`)));
  if (hasCd && !hasPc) {
    for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) m[r][c] = num(`CD${rows[r]}_${c + 1}`) ?? 0;
  } else {
    const cdelt = [num(`CDELT${ia}`) ?? 1, num(`CDELT${ib}`) ?? 1];
    if (hasPc) {
      for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) m[r][c] = cdelt[r]! * (num(`PC${rows[r]}_${c + 1}`) ?? (rows[r] === c + 1 ? 1 : 0));
    } else {
      // legacy CROTAi (rotation of the latitude axis; Paper II eq. 188)
      const rho = num(`CROTA${ib}`) ?? num(`CROTA${ia}`) ?? 0;
      const c = cosd(rho);
      const s = sind(rho);
      // world row lon, lat; pixel column = the pixel axis of the same index
      const pcLon = ia === 1 ? [c, -(cdelt[1]! / cdelt[0]!) * s] : [-(cdelt[1]! / cdelt[0]!) * s, c];
      const pcLat = ib === 2 ? [(cdelt[0]! / cdelt[1]!) * s, c] : [c, (cdelt[0]! / cdelt[1]!) * s];
      for (let j = 0; j < 2; j++) {
        m[0][j] = cdelt[0]! * pcLon[j]!;
        m[1][j] = cdelt[1]! * pcLat[j]!;
      }
    }
  }
  const det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
  if (!(Math.abs(det) > 0) || !Number.isFinite(det)) throw bad(`the linear transformation (CDi_j or CDELTi * PCi_j) is singular`);
  const inv = [
    [m[1][1] / det, -m[0][1] / det],
    [-m[1][0] / det, m[0][0] / det],
  ];

  // projection parameters PVi_m of the latitude axis, PVi_0..4 of the longitude axis
  const pv: number[] = [];
  for (let k = 0; k <= 30; k++) {
    const v = num(`PV${ib}_${k}`);
    if (v !== undefined) pv[k] = v;
  }
  const pvLon = (k: number) => num(`PV${ia}_${k}`);
  // native fiducial point: (0, 90) for zenithal projections, (0, 0) for the others
  const phi0 = pvLon(1) ?? 0;
  const theta0 = pvLon(2) ?? (ZENITHAL.has(projection) ? 90 : 0);
  const proj = makeProjection(projection, pv, `CTYPE${ia}${key} = '${ctypes[lonAxis]}'`);

  // celestial coordinates of the native pole (Paper II §2.4)
  const [alpha0, delta0] = crval;
  let phiP = num('LONPOLE') ?? pvLon(3);
  if (phiP === undefined) phiP = norm180((delta0 < theta0 ? 180 : 0) + phi0);
  const thetaP = num('LATPOLE') ?? pvLon(4) ?? 90;
  let alphaP: number;
  let deltaP: number;
  const tol = 1e-10;
  if (theta0 === 90) {
    alphaP = alpha0;
    deltaP = delta0;
  } else {
    const slat0 = sind(delta0);
    const clat0 = cosd(delta0);
    const sthe0 = sind(theta0);
    const cthe0 = cosd(theta0);
    const sphip = sind(phiP - phi0);
    const cphip = cosd(phiP - phi0);
    const x = cthe0 * cphip;
    const y = sthe0;
    const z = Math.hypot(x, y);
    if (z === 0) {
      if (slat0 !== 0) throw bad(`LONPOLE${key} = ${phiP} is incompatible with CRVAL${ib}${key} = ${delta0} for ${projection}`);
      deltaP = Math.max(-90, Math.min(90, thetaP));
    } else {
      if (Math.abs(slat0 / z) > 1 + 1e-12) throw bad(`LONPOLE${key} = ${phiP} is incompatible with CRVAL${ib}${key} = ${delta0} for ${projection}`);
      const u = atan2d(y, x);
      const v = acosd(slat0 / z);
      const d1 = norm180(u + v);
      const d2 = norm180(u - v);
      if (Math.abs(thetaP - d1) < Math.abs(thetaP - d2)) deltaP = Math.abs(d1) < 90 + tol ? d1 : d2;
      else deltaP = Math.abs(d2) < 90 + tol ? d2 : d1;
      if (Math.abs(deltaP) < 90 + tol) deltaP = Math.max(-90, Math.min(90, deltaP));
    }
    const zz = cosd(deltaP) * clat0;
    if (Math.abs(zz) < tol) {
      if (Math.abs(clat0) < tol) alphaP = alpha0; // celestial pole at the fiducial point
      else if (deltaP > 0) alphaP = alpha0 + phiP - phi0 - 180; // north pole at the native pole
      else alphaP = alpha0 - phiP + phi0; // south pole at the native pole
    } else {
      const xx = (sthe0 - sind(deltaP) * slat0) / zz;
      const yy = (sphip * cthe0) / clat0;
      if (xx === 0 && yy === 0) throw bad(`the celestial pole cannot be located (CRVAL${key}, LONPOLE${key}, LATPOLE${key})`);
      alphaP = alpha0 - atan2d(yy, xx);
    }
    if (Math.abs(deltaP) > 90 + tol) throw bad(`no valid native pole for CRVAL${ib}${key} = ${delta0}, LONPOLE${key} = ${phiP}`);
  }
  const sdp = sind(deltaP);
  const cdp = cosd(deltaP);

  /** native (phi, theta) -> celestial (lon, lat) */
  const nativeToCelestial = (phi: number, theta: number): [number, number] => {
    const ct = cosd(theta);
    const st = sind(theta);
    const dphi = phi - phiP!;
    const cdphi = cosd(dphi);
    const sdphi = sind(dphi);
    const xp = -sdp * ct * cdphi + cdp * st;
    const yp = -ct * sdphi;
    const zp = cdp * ct * cdphi + sdp * st;
    let lon = alphaP + atan2d(yp, xp);
    const lat = atan2d(zp, Math.hypot(xp, yp));
    lon %= 360;
    if (lon < 0) lon += 360;
    if (lon >= 360) lon -= 360;
    return [lon, lat];
  };
  /** celestial -> native */
  const celestialToNative = (lon: number, lat: number): [number, number] => {
    const cl = cosd(lat);
    const sl = sind(lat);
    const da = lon - alphaP;
    const X = cl * cosd(da);
    const Y = cl * sind(da);
    const Z = sl;
    const nx = -sdp * X + cdp * Z;
    const ny = -Y;
    const nz = cdp * X + sdp * Z;
    const phi = norm180(phiP! + atan2d(ny, nx));
    const theta = atan2d(nz, Math.hypot(nx, ny));
    return [phi, theta];
  };

  const sip = readSip(header, ctypeSuffix);

  const distort = (u: number, v: number): [number, number] => (sip ? [u + poly(sip.a, u, v), v + poly(sip.b, u, v)] : [u, v]);
  const undistort = (U: number, V: number): [number, number] => {
    if (!sip) return [U, V];
    if (sip.ap && sip.bp) return [U + poly(sip.ap, U, V), V + poly(sip.bp, U, V)];
    // Newton iteration of (u + f, v + g) = (U, V)
    let u = U;
    let v = V;
    for (let it = 0; it < 50; it++) {
      const fu = u + poly(sip.a, u, v) - U;
      const fv = v + poly(sip.b, u, v) - V;
      if (Math.abs(fu) < 1e-12 && Math.abs(fv) < 1e-12) break;
      const [au, av] = dpoly(sip.a, u, v);
      const [bu, bv] = dpoly(sip.b, u, v);
      const j11 = 1 + au;
      const j12 = av;
      const j21 = bu;
      const j22 = 1 + bv;
      const d = j11 * j22 - j12 * j21;
      if (!(Math.abs(d) > 1e-300)) return [NaN, NaN];
      u -= (j22 * fu - j12 * fv) / d;
      v -= (-j21 * fu + j11 * fv) / d;
      if (!Number.isFinite(u) || !Number.isFinite(v)) return [NaN, NaN];
    }
    return [u, v];
  };

  return {
    ctype: [ctypes[lonAxis]!, ctypes[latAxis]!],
    projection,
    frame,
    axes: [lonAxis, latAxis],
    crpix,
    crval,
    cd: m,
    lonpole: phiP,
    latpole: deltaP,
    phi0,
    theta0,
    alphaP,
    deltaP,
    pv,
    radesys: frame === 'equatorial' ? radesysOf(header, key) : undefined,
    equinox: num('EQUINOX') ?? (key === '' ? num('EPOCH') : undefined),
    sip,
    pixelToWorld(px: number, py: number): [number, number] {
      const [u, v] = distort(px - crpix[0], py - crpix[1]);
      const x = m[0][0] * u + m[0][1] * v;
      const y = m[1][0] * u + m[1][1] * v;
      const nat = proj.toNative(x, y);
      if (nat === undefined) return [NaN, NaN];
      return nativeToCelestial(nat[0], nat[1]);
    },
    worldToPixel(lon: number, lat: number): [number, number] {
      if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lat) > 90) return [NaN, NaN];
      const [phi, theta] = celestialToNative(lon, lat);
      const xy = proj.fromNative(phi, theta);
      if (xy === undefined) return [NaN, NaN];
      const U = inv[0]![0]! * xy[0] + inv[0]![1]! * xy[1];
      const V = inv[1]![0]! * xy[0] + inv[1]![1]! * xy[1];
      const [u, v] = undistort(U, V);
      return [u + crpix[0], v + crpix[1]];
    },
  };
}

function radesysOf(header: FitsHeader, key: string): string {
  const r = header.get('RADESYS' + key) ?? (key === '' ? header.get('RADECSYS') : undefined);
  if (typeof r === 'string' && r.trim() !== '') return r.trim().toUpperCase();
  const eq = header.get('EQUINOX' + key) ?? (key === '' ? header.get('EPOCH') : undefined);
  if (typeof eq === 'number') return eq < 1984 ? 'FK4' : 'FK5';
  return 'ICRS';
}

function readSip(header: FitsHeader, suffix: string): SipDistortion | undefined {
  const aOrder = header.getInteger('A_ORDER');
  const bOrder = header.getInteger('B_ORDER');
  if (aOrder === undefined && bOrder === undefined) return undefined;
  if (suffix !== 'SIP' && aOrder === undefined) return undefined;
  const read = (prefix: string, order: number | undefined): number[][] | undefined => {
    if (order === undefined) return undefined;
    if (order < 0 || order > 20) throw bad(`${prefix}_ORDER = ${order} is out of range [0, 20]`);
    const c: number[][] = [];
    for (let p = 0; p <= order; p++) {
      c.push([]);
      for (let q = 0; p + q <= order; q++) {
        const v = header.get(`${prefix}_${p}_${q}`);
        c[p]![q] = typeof v === 'number' && Number.isFinite(v) ? v : 0;
      }
    }
    return c;
  };
  return {
    a: read('A', aOrder) ?? [[0]],
    b: read('B', bOrder) ?? [[0]],
    ap: read('AP', header.getInteger('AP_ORDER')),
    bp: read('BP', header.getInteger('BP_ORDER')),
  };
}

/** sum c[p][q] u^p v^q */
function poly(c: number[][], u: number, v: number): number {
  let s = 0;
  let up = 1;
  for (let p = 0; p < c.length; p++) {
    const row = c[p]!;
    let vq = 1;
    for (let q = 0; q < row.length; q++) {
      if (row[q] !== 0) s += row[q]! * up * vq;
      vq *= v;
    }
    up *= u;
  }
  return s;
}

/** partial derivatives of poly: [d/du, d/dv] */
function dpoly(c: number[][], u: number, v: number): [number, number] {
  let du = 0;
  let dv = 0;
  for (let p = 0; p < c.length; p++) {
    const row = c[p]!;
    for (let q = 0; q < row.length; q++) {
      const k = row[q]!;
      if (k === 0) continue;
      if (p > 0) du += k * p * u ** (p - 1) * v ** q;
      if (q > 0) dv += k * q * u ** p * v ** (q - 1);
    }
  }
  return [du, dv];
}

interface Projection {
  /** intermediate (x, y) degrees -> native (phi, theta), undefined outside the domain */
  toNative(x: number, y: number): [number, number] | undefined;
  /** native -> intermediate, undefined when not projectable */
  fromNative(phi: number, theta: number): [number, number] | undefined;
}

function makeProjection(code: string, pv: number[], what: string): Projection {
  const zenithal = (r: (theta: number) => number | undefined, theta: (r: number) => number | undefined): Projection => ({
    toNative(x, y) {
      const R = Math.hypot(x, y);
      const t = theta(R);
      if (t === undefined || Number.isNaN(t)) return undefined;
      const phi = R === 0 ? 0 : atan2d(x, -y);
      return [phi, t];
    },
    fromNative(phi, th) {
      const R = r(th);
      if (R === undefined || !Number.isFinite(R)) return undefined;
      return [R * sind(phi), -R * cosd(phi)];
    },
  });
  switch (code) {
    case 'TAN':
      return zenithal(
        (t) => (t <= 0 ? undefined : (R2D * cosd(t)) / sind(t)),
        (R) => atan2d(R2D, R),
      );
    case 'STG':
      return zenithal(
        (t) => (t === -90 ? undefined : (2 * R2D * cosd(t)) / (1 + sind(t))),
        (R) => 90 - 2 * atan2d(R, 2 * R2D),
      );
    case 'ZEA':
      return zenithal(
        (t) => 2 * R2D * sind((90 - t) / 2),
        (R) => {
          const s = R / (2 * R2D);
          if (s > 1 + 1e-12) return undefined;
          return 90 - 2 * asind(s);
        },
      );
    case 'ARC':
      return zenithal(
        (t) => 90 - t,
        (R) => (R > 180 + 1e-12 ? undefined : 90 - R),
      );
    case 'SIN': {
      const xi = pv[1] ?? 0;
      const eta = pv[2] ?? 0;
      if (xi === 0 && eta === 0) {
        return zenithal(
          (t) => (t < 0 ? undefined : R2D * cosd(t)),
          (R) => {
            const r = R / R2D;
            if (r > 1 + 1e-12) return undefined;
            const rr = Math.min(1, r);
            return atan2d(Math.sqrt((1 - rr) * (1 + rr)), rr);
          },
        );
      }
      // slant orthographic (Paper II eqs. 44-49)
      return {
        fromNative(phi, t) {
          const st = sind(t);
          const ct = cosd(t);
          const d = 1 - st;
          return [R2D * (ct * sind(phi) + xi * d), -R2D * (ct * cosd(phi) - eta * d)];
        },
        toNative(x, y) {
          const X = x / R2D;
          const Y = y / R2D;
          const a = xi * xi + eta * eta + 1;
          const b = xi * (X - xi) + eta * (Y - eta);
          const c = (X - xi) * (X - xi) + (Y - eta) * (Y - eta) - 1;
          const disc = b * b - a * c;
          if (disc < -1e-12) return undefined;
          const s = (-b + Math.sqrt(Math.max(0, disc))) / a;
          if (s > 1 + 1e-12 || s < -1 - 1e-12) return undefined;
          const z = 1 - Math.min(1, s);
          const theta = asind(s);
          const px = X - xi * z;
          const py = -(Y - eta * z);
          const phi = px === 0 && py === 0 ? 0 : atan2d(px, py);
          return [phi, theta];
        },
      };
    }
    case 'CAR':
      return {
        toNative: (x, y) => (Math.abs(y) > 90 + 1e-12 || Math.abs(x) > 180 + 1e-12 ? undefined : [x, y]),
        fromNative: (phi, t) => [phi, t],
      };
    case 'MER':
      return {
        toNative: (x, y) => (Math.abs(x) > 180 + 1e-12 ? undefined : [x, 2 * atan2d(Math.exp(y / R2D), 1) - 90]),
        fromNative: (phi, t) => (Math.abs(t) >= 90 ? undefined : [phi, R2D * Math.log(Math.tan(((90 + t) / 2) * D2R))]),
      };
    case 'SFL':
    case 'GLS':
      return {
        toNative(x, y) {
          if (Math.abs(y) > 90 + 1e-12) return undefined;
          const c = cosd(y);
          if (c === 0) return x === 0 ? [0, y] : undefined;
          const phi = x / c;
          return Math.abs(phi) > 180 + 1e-9 ? undefined : [phi, y];
        },
        fromNative: (phi, t) => [phi * cosd(t), t],
      };
    case 'AIT':
      return {
        fromNative(phi, t) {
          const ct = cosd(t);
          const g = R2D * Math.sqrt(2 / (1 + ct * cosd(phi / 2)));
          return [2 * g * ct * sind(phi / 2), g * sind(t)];
        },
        toNative(x, y) {
          const X = x * D2R;
          const Y = y * D2R;
          const z2 = 1 - (X / 4) ** 2 - (Y / 2) ** 2;
          if (z2 < 0.5 - 1e-12) return undefined;
          const Z = Math.sqrt(Math.max(0.5, z2));
          const phi = 2 * atan2d((Z * X) / 2, 2 * Z * Z - 1);
          const theta = asind(Y * Z);
          return [phi, theta];
        },
      };
    case 'MOL':
      return {
        fromNative(phi, t) {
          const g = molGamma(t);
          return [((2 * Math.SQRT2) / Math.PI) * phi * Math.cos(g), Math.SQRT2 * R2D * Math.sin(g)];
        },
        toNative(x, y) {
          const s = y / (Math.SQRT2 * R2D);
          if (Math.abs(s) > 1 + 1e-12) return undefined;
          const g = Math.asin(Math.max(-1, Math.min(1, s)));
          const theta = asind((2 * g + Math.sin(2 * g)) / Math.PI);
          const c = Math.cos(g);
          if (c < 1e-15) return x === 0 ? [0, theta] : undefined;
          const phi = (Math.PI * x) / (2 * Math.SQRT2 * c);
          return Math.abs(phi) > 180 + 1e-9 ? undefined : [phi, theta];
        },
      };
    case 'HPX': {
      const H = pv[1] ?? 4;
      const K = pv[2] ?? 3;
      if (!(H > 0 && Number.isInteger(H) && K > 0 && Number.isInteger(K))) {
        throw bad(`HPX parameters PV2_1 = ${H} (H), PV2_2 = ${K} (K) of ${what} must be positive integers`);
      }
      const sinThetaX = (K - 1) / K;
      const facetCentre = (lon: number, northOrOddK: boolean): number => {
        const w = K % 2 === 1 || northOrOddK ? 1 : 0;
        return -180 + (2 * Math.floor(((lon + 180) * H) / 360 + (1 - w) / 2) + w) * (180 / H);
      };
      return {
        fromNative(phi, t) {
          const st = sind(t);
          if (Math.abs(st) <= sinThetaX) return [phi, ((90 * K) / H) * st];
          const sigma = Math.sqrt(K * (1 - Math.abs(st)));
          const pc = facetCentre(phi, t > 0);
          const x = pc + (phi - pc) * sigma;
          const y = Math.sign(t) * (180 / H) * ((K + 1) / 2 - sigma);
          return [x, y];
        },
        toNative(x, y) {
          const yx = (90 * (K - 1)) / H;
          if (Math.abs(y) <= yx) {
            const s = (y * H) / (90 * K);
            if (Math.abs(x) > 180 + 1e-9) return undefined;
            return [x, asind(s)];
          }
          const sigma = (K + 1) / 2 - (Math.abs(y) * H) / 180;
          if (sigma < -1e-12) return undefined;
          const sg = Math.max(0, sigma);
          const theta = Math.sign(y) * asind(1 - (sg * sg) / K);
          const xc = facetCentre(x, y > 0);
          if (Math.abs(x - xc) > sg * (180 / H) + 1e-9) return undefined; // between the facets
          const phi = sg === 0 ? xc : xc + (x - xc) / sg;
          if (Math.abs(phi) > 180 + 1e-9) return undefined;
          return [phi, theta];
        },
      };
    }
  }
  throw new FitsError('UNSUPPORTED', `WCS: projection '${code}' of ${what} is not supported`);
}

/** MOL: solve 2g + sin 2g = pi sin(theta) for g in [-pi/2, pi/2] (safeguarded Newton). */
function molGamma(theta: number): number {
  if (Math.abs(theta) >= 90) return Math.sign(theta) * (Math.PI / 2);
  const target = Math.PI * sind(theta);
  let lo = -Math.PI / 2;
  let hi = Math.PI / 2;
  let g = (theta * D2R) / 1.3; // rough start
  for (let i = 0; i < 100; i++) {
    const f = 2 * g + Math.sin(2 * g) - target;
    if (f > 0) hi = g;
    else lo = g;
    const d = 2 + 2 * Math.cos(2 * g);
    let next = d > 1e-30 ? g - f / d : (lo + hi) / 2;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - g) < 1e-16) return next;
    g = next;
  }
  return g;
}
