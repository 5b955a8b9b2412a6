// Instrument field-of-view templates for observation planning: shapes given in instrument
// coordinates (arcmin offsets in the focal plane's tangent plane), placed on the sky at a pointing
// (RA, Dec of the template's origin) with a position angle (PA, degrees east of north, of the
// template's +y axis). Convention: at PA = 0, +y points north and +x east; a PA of 90° turns +y to
// the east. Offsets are standard coordinates of a gnomonic (TAN) projection about the pointing, as
// a WCS with CRVAL = pointing, CDELT = 1 arcmin and PC = rotation by PA describes them, so straight
// aperture edges are great circles on the sky (what the footprint layer draws). Checked against
// astropy.wcs (test/fixtures/fov/make_fov_reference.py). Pure: no DOM, no GPU.
import { parseStcs, type SkyRegion } from './stcs.js';

const DEG = Math.PI / 180;
const ARCMIN = DEG / 60;

/** One aperture of a template, in arcmin offsets. */
export type FovShape =
  | { readonly type: 'polygon'; readonly xyArcmin: ReadonlyArray<readonly [number, number]> }
  | { readonly type: 'circle'; readonly xArcmin: number; readonly yArcmin: number; readonly radiusArcmin: number };

/** Where a template is: pointing (ICRS degrees) and position angle (degrees east of north). */
export interface FovPlacement {
  readonly raDeg: number;
  readonly decDeg: number;
  readonly paDeg: number;
}

export class FovTemplateError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'FovTemplateError';
  }
}

/**
 * Offsets must stay within this many arcmin of the origin: STC-S reads the second number as a
 * latitude (|y| <= 90) and the first modulo 360; 90' covers instruments up to 3° across.
 */
export const MAX_OFFSET_ARCMIN = 90;
/** Vertices of the polygon that stands for a CIRCLE aperture. */
export const CIRCLE_VERTICES = 72;

/**
 * Reads template shapes: STC-S `POLYGON x1 y1 x2 y2 …` and `CIRCLE x y r` (UNION of them too) with
 * numbers in arcmin offsets, or already-built FovShapes. Errors name the shape and the problem.
 */
export function parseFovShapes(shapes: ReadonlyArray<string | FovShape>): FovShape[] {
  if (!Array.isArray(shapes) || shapes.length === 0) throw new FovTemplateError('a FoV template needs at least one shape (STC-S POLYGON / CIRCLE in arcmin offsets)');
  const out: FovShape[] = [];
  shapes.forEach((s, i) => {
    if (typeof s === 'string') {
      let region: SkyRegion;
      try {
        region = parseStcs(s);
      } catch (e) {
        throw new FovTemplateError(`FoV shape ${i}: ${e instanceof Error ? e.message : String(e)}`);
      }
      collect(region, i, out);
    } else {
      out.push(checkShape(s, i));
    }
  });
  return out;
}

const unwrap = (x: number) => (x > 180 ? x - 360 : x);

function collect(region: SkyRegion, i: number, out: FovShape[]): void {
  if (region.type === 'union') {
    for (const m of region.members) collect(m, i, out);
  } else if (region.type === 'polygon' && !region.box) {
    out.push(checkShape({ type: 'polygon', xyArcmin: region.vertices.map(([x, y]) => [unwrap(x), y] as const) }, i));
  } else if (region.type === 'circle') {
    out.push(checkShape({ type: 'circle', xArcmin: unwrap(region.raDeg), yArcmin: region.decDeg, radiusArcmin: region.radiusDeg }, i));
  } else {
    throw new FovTemplateError(`FoV shape ${i}: ${region.type === 'polygon' ? 'BOX' : region.type.toUpperCase()} is not a template shape; use POLYGON x1 y1 x2 y2 … or CIRCLE x y r (arcmin offsets)`);
  }
}

function checkShape(s: FovShape, i: number): FovShape {
  const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_OFFSET_ARCMIN;
  if (s?.type === 'polygon') {
    if (!Array.isArray(s.xyArcmin) || s.xyArcmin.length < 3) throw new FovTemplateError(`FoV shape ${i}: a polygon needs at least 3 vertices`);
    s.xyArcmin.forEach((p, k) => {
      if (!Array.isArray(p) || p.length !== 2 || !ok(p[0]) || !ok(p[1])) throw new FovTemplateError(`FoV shape ${i} vertex ${k}: offsets must be numbers within ±${MAX_OFFSET_ARCMIN} arcmin, got ${JSON.stringify(p)}`);
    });
    return { type: 'polygon', xyArcmin: s.xyArcmin.map(([x, y]) => [x, y] as const) };
  }
  if (s?.type === 'circle') {
    if (!ok(s.xArcmin) || !ok(s.yArcmin) || !(s.radiusArcmin > 0 && s.radiusArcmin <= MAX_OFFSET_ARCMIN)) {
      throw new FovTemplateError(`FoV shape ${i}: a circle needs a centre within ±${MAX_OFFSET_ARCMIN} arcmin and a radius in (0, ${MAX_OFFSET_ARCMIN}] arcmin`);
    }
    return { type: 'circle', xArcmin: s.xArcmin, yArcmin: s.yArcmin, radiusArcmin: s.radiusArcmin };
  }
  throw new FovTemplateError(`FoV shape ${i}: expected an STC-S string or { type: 'polygon' | 'circle', … }`);
}

/** Checks a placement: finite RA, Dec in [-90, 90], finite PA. */
export function checkPlacement(p: FovPlacement): FovPlacement {
  if (!Number.isFinite(p?.raDeg) || !(p.decDeg >= -90 && p.decDeg <= 90) || !Number.isFinite(p.paDeg)) {
    throw new FovTemplateError(`a FoV template needs finite raDeg, decDeg in [-90, 90] and paDeg, got ${p?.raDeg}, ${p?.decDeg}, ${p?.paDeg}`);
  }
  return { raDeg: ((p.raDeg % 360) + 360) % 360, decDeg: p.decDeg, paDeg: ((p.paDeg % 360) + 360) % 360 };
}

/** East and north unit vectors at a position (ICRS); at the poles, from the RA given. */
function basis(raDeg: number, decDeg: number): { c: number[]; e: number[]; n: number[] } {
  const a = raDeg * DEG;
  const d = decDeg * DEG;
  const ca = Math.cos(a);
  const sa = Math.sin(a);
  const cd = Math.cos(d);
  const sd = Math.sin(d);
  return { c: [cd * ca, cd * sa, sd], e: [-sa, ca, 0], n: [-sd * ca, -sd * sa, cd] };
}

/** Sky position (ICRS degrees) of the instrument offset (x, y) arcmin for a placement. */
export function offsetToSky(p: FovPlacement, xArcmin: number, yArcmin: number): [number, number] {
  const { c, e, n } = basis(p.raDeg, p.decDeg);
  const pa = p.paDeg * DEG;
  const x = xArcmin * ARCMIN;
  const y = yArcmin * ARCMIN;
  // rotate the instrument axes by PA (east of north): standard coordinates (xi east, eta north)
  const xi = x * Math.cos(pa) + y * Math.sin(pa);
  const eta = -x * Math.sin(pa) + y * Math.cos(pa);
  const v0 = c[0] + xi * e[0] + eta * n[0];
  const v1 = c[1] + xi * e[1] + eta * n[1];
  const v2 = c[2] + xi * e[2] + eta * n[2];
  const r = Math.hypot(v0, v1, v2);
  const ra = Math.atan2(v1, v0) / DEG;
  return [ra < 0 ? ra + 360 : ra, Math.asin(Math.max(-1, Math.min(1, v2 / r))) / DEG];
}

/** Instrument offset (arcmin) of a sky position for a placement; undefined on the far hemisphere. */
export function skyToOffset(p: FovPlacement, raDeg: number, decDeg: number): [number, number] | undefined {
  const { c, e, n } = basis(p.raDeg, p.decDeg);
  const a = raDeg * DEG;
  const d = decDeg * DEG;
  const v = [Math.cos(d) * Math.cos(a), Math.cos(d) * Math.sin(a), Math.sin(d)];
  const w = v[0] * c[0] + v[1] * c[1] + v[2] * c[2];
  if (!(w > 1e-9)) return undefined;
  const xi = (v[0] * e[0] + v[1] * e[1] + v[2] * e[2]) / w;
  const eta = (v[0] * n[0] + v[1] * n[1] + v[2] * n[2]) / w;
  const pa = p.paDeg * DEG;
  return [(xi * Math.cos(pa) - eta * Math.sin(pa)) / ARCMIN, (xi * Math.sin(pa) + eta * Math.cos(pa)) / ARCMIN];
}

/** Position angle (degrees east of north, 0..360) of `to` seen from `from` (ICRS degrees). */
export function positionAngleDeg(fromRaDeg: number, fromDecDeg: number, toRaDeg: number, toDecDeg: number): number {
  const d1 = fromDecDeg * DEG;
  const d2 = toDecDeg * DEG;
  const da = (toRaDeg - fromRaDeg) * DEG;
  const pa = Math.atan2(Math.sin(da) * Math.cos(d2), Math.cos(d1) * Math.sin(d2) - Math.sin(d1) * Math.cos(d2) * Math.cos(da)) / DEG;
  return pa < 0 ? pa + 360 : pa;
}

/** The plane vertices of a shape (a circle as CIRCLE_VERTICES points), arcmin. */
export function shapeVertices(s: FovShape): Array<[number, number]> {
  if (s.type === 'polygon') return s.xyArcmin.map(([x, y]) => [x, y]);
  const out: Array<[number, number]> = [];
  for (let k = 0; k < CIRCLE_VERTICES; k++) {
    const t = (2 * Math.PI * k) / CIRCLE_VERTICES;
    out.push([s.xArcmin + s.radiusArcmin * Math.cos(t), s.yArcmin + s.radiusArcmin * Math.sin(t)]);
  }
  return out;
}

/** The template's shapes on the sky: one polygon region per shape (vertices ICRS degrees). */
export function placeFovTemplate(shapes: readonly FovShape[], p: FovPlacement): SkyRegion[] {
  return shapes.map((s) => ({ type: 'polygon' as const, vertices: shapeVertices(s).map(([x, y]) => offsetToSky(p, x, y)) }));
}

/** Whether the plane point (x, y) arcmin lies inside any shape (even-odd rule per polygon). */
export function insideFovTemplate(shapes: readonly FovShape[], xArcmin: number, yArcmin: number): boolean {
  for (const s of shapes) {
    if (s.type === 'circle') {
      if (Math.hypot(xArcmin - s.xArcmin, yArcmin - s.yArcmin) <= s.radiusArcmin) return true;
      continue;
    }
    const v = s.xyArcmin;
    let inside = false;
    for (let i = 0, j = v.length - 1; i < v.length; j = i++) {
      const [xi, yi] = v[i];
      const [xj, yj] = v[j];
      if (yi > yArcmin !== yj > yArcmin && xArcmin < ((xj - xi) * (yArcmin - yi)) / (yj - yi) + xi) inside = !inside;
    }
    if (inside) return true;
  }
  return false;
}

/**
 * A simplified JWST NIRCam outline: two modules (A, B), each 2 × 2 short-wavelength detectors of
 * 63″ with 5″ gaps (2.18′ per module, the long-wavelength detector's field), the modules 44″ apart
 * along x. Sizes from the JWST User Documentation (JDox) "NIRCam Field of View" page; the real
 * apertures (SIAF) are slightly distorted and tilted, which this template leaves out.
 */
export const NIRCAM_TEMPLATE: readonly string[] = (() => {
  const det = 63 / 60;
  const gap = 5 / 60;
  const module = 2 * det + gap; // 2.183'
  const moduleGap = 44 / 60;
  const out: string[] = [];
  const box = (x0: number, y0: number, w: number, h: number) =>
    `POLYGON ${[[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h]].map(([x, y]) => `${x.toFixed(5)} ${y.toFixed(5)}`).join(' ')}`;
  for (const side of [-1, 1]) {
    const x0 = side < 0 ? -moduleGap / 2 - module : moduleGap / 2;
    for (const dx of [0, det + gap]) for (const dy of [0, det + gap]) out.push(box(x0 + dx, -module / 2 + dy, det, det));
  }
  return out;
})();
