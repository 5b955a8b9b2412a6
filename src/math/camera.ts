// The view as numbers: an immutable ViewState (what the user chose) and the Camera derived from it
// (float64 basis, projection scales, pixel size, visible radius), with forward/inverse projection
// between the sky and normalised device coordinates. Pure functions, no DOM, no GPU.
import { angleRad, cross, dot, lonLatDegToVec, normalize, rotateAbout, vecToLonLatDeg, type Vec3 } from './vec3.js';

export type ProjectionName = 'SIN' | 'TAN';
export const PROJECTIONS: readonly ProjectionName[] = ['SIN', 'TAN'];

/** Largest field (horizontal, degrees) each projection can show. */
export const MAX_FOV_DEG: Record<ProjectionName, number> = { SIN: 180, TAN: 150 };
/** Smallest field: 0.01 arcsecond. */
export const MIN_FOV_DEG = 0.01 / 3600;

export interface ViewState {
  readonly raDeg: number;
  readonly decDeg: number;
  /** Horizontal field of view in degrees. */
  readonly fovDeg: number;
  /** Position angle of the screen's up direction, east of north, degrees. */
  readonly rollDeg: number;
  readonly projection: ProjectionName;
  /** Drawing-buffer size in device pixels. */
  readonly widthPx: number;
  readonly heightPx: number;
}

export interface Camera {
  readonly view: ViewState;
  /** Unit vector of the view centre (ICRS). */
  readonly centre: Vec3;
  /** Unit vectors of the screen's right and up directions, tangent at the centre. */
  readonly right: Vec3;
  readonly up: Vec3;
  /** Half extents of the viewport in projection-plane units (radians near the centre). */
  readonly halfWidthPlane: number;
  readonly halfHeightPlane: number;
  /** Angle on the sky covered by one device pixel at the view centre, radians. */
  readonly pixelAngleRad: number;
  /** Angular radius around the centre that contains the whole viewport, radians. */
  readonly radiusRad: number;
}

const DEG = Math.PI / 180;

export function clampFovDeg(fovDeg: number, projection: ProjectionName): number {
  if (!Number.isFinite(fovDeg)) throw new RangeError(`fov must be a finite number of degrees, got ${fovDeg}`);
  return Math.min(MAX_FOV_DEG[projection], Math.max(MIN_FOV_DEG, fovDeg));
}

function planeFromAngle(projection: ProjectionName, thetaRad: number): number {
  return projection === 'SIN' ? Math.sin(Math.min(thetaRad, Math.PI / 2)) : Math.tan(thetaRad);
}

function angleFromPlane(projection: ProjectionName, r: number): number {
  return projection === 'SIN' ? Math.asin(Math.min(1, r)) : Math.atan(r);
}

export function makeCamera(view: ViewState): Camera {
  if (!(view.widthPx > 0 && view.heightPx > 0)) {
    throw new RangeError(`viewport must have a positive size, got ${view.widthPx}x${view.heightPx}`);
  }
  const fovDeg = clampFovDeg(view.fovDeg, view.projection);
  const centre = lonLatDegToVec(view.raDeg, view.decDeg);
  // East = increasing RA; at the poles pick RA 90 deg as east so the basis stays defined.
  const zCross = cross([0, 0, 1], centre);
  const east = Math.hypot(zCross[0], zCross[1], zCross[2]) > 1e-15 ? normalize(zCross) : ([0, 1, 0] as Vec3);
  const north = cross(centre, east);
  // Roll turns the screen's up direction from north toward east.
  const roll = view.rollDeg * DEG;
  const up = rotateAbout(north, centre, -roll);
  const right: Vec3 = cross(centre, up); // sky seen from inside: east on the left, west on the right
  const halfWidthPlane = planeFromAngle(view.projection, (fovDeg * DEG) / 2);
  const halfHeightPlane = (halfWidthPlane * view.heightPx) / view.widthPx;
  const pixelAngleRad = (2 * halfWidthPlane) / view.widthPx; // d(plane)/d(angle) = 1 at the centre
  const cornerPlane = Math.hypot(halfWidthPlane, halfHeightPlane);
  const radiusRad = angleFromPlane(view.projection, cornerPlane);
  return { view: { ...view, fovDeg }, centre, right, up, halfWidthPlane, halfHeightPlane, pixelAngleRad, radiusRad };
}

/** Components of v along (right, up, centre): the view frame in which the GPU receives vertices. */
export function toViewFrame(cam: Camera, v: ArrayLike<number>, out: Float64Array | number[] = [0, 0, 0]): typeof out {
  out[0] = dot(v, cam.right);
  out[1] = dot(v, cam.up);
  out[2] = dot(v, cam.centre);
  return out;
}

/** Projection-plane coordinates of a view-frame vector, or undefined where the projection has no image. */
export function planeOfViewFrame(projection: ProjectionName, x: number, y: number, z: number): [number, number] | undefined {
  if (projection === 'SIN') return z >= 0 ? [x, y] : undefined;
  return z > 1e-12 ? [x / z, y / z] : undefined;
}

/** Normalised device coordinates (-1..1, y up) of a sky vector, or undefined when not drawable. */
export function project(cam: Camera, v: ArrayLike<number>): [number, number] | undefined {
  const f = toViewFrame(cam, v);
  const p = planeOfViewFrame(cam.view.projection, f[0], f[1], f[2]);
  if (!p) return undefined;
  return [p[0] / cam.halfWidthPlane, p[1] / cam.halfHeightPlane];
}

/** Sky unit vector under normalised device coordinates, or undefined outside the projection. */
export function unproject(cam: Camera, ndcX: number, ndcY: number): Vec3 | undefined {
  const X = ndcX * cam.halfWidthPlane;
  const Y = ndcY * cam.halfHeightPlane;
  let Z: number;
  if (cam.view.projection === 'SIN') {
    const r2 = X * X + Y * Y;
    if (r2 > 1) return undefined;
    Z = Math.sqrt(1 - r2);
  } else {
    const n = Math.hypot(X, Y, 1);
    return normalize([
      (X * cam.right[0] + Y * cam.up[0] + cam.centre[0]) / n,
      (X * cam.right[1] + Y * cam.up[1] + cam.centre[1]) / n,
      (X * cam.right[2] + Y * cam.up[2] + cam.centre[2]) / n,
    ]);
  }
  return [
    X * cam.right[0] + Y * cam.up[0] + Z * cam.centre[0],
    X * cam.right[1] + Y * cam.up[1] + Z * cam.centre[1],
    X * cam.right[2] + Y * cam.up[2] + Z * cam.centre[2],
  ];
}

/** Device-pixel position (origin top-left, y down) to normalised device coordinates. */
export function pixelToNdc(view: ViewState, xPx: number, yPx: number): [number, number] {
  return [(2 * xPx) / view.widthPx - 1, 1 - (2 * yPx) / view.heightPx];
}

/** One rotation step of a pan: turn the centre by the rotation that carries sky point b onto a. */
function rotateCentre(view: ViewState, cam: Camera, a: Vec3, b: Vec3): ViewState {
  const axis = cross(b, a);
  const n = Math.hypot(axis[0], axis[1], axis[2]);
  if (n < 1e-300) return view;
  const centre = rotateAbout(cam.centre, [axis[0] / n, axis[1] / n, axis[2] / n], angleRad(b, a));
  const [raDeg, decDeg] = vecToLonLatDeg(centre);
  return { ...view, raDeg, decDeg };
}

/**
 * The view after dragging the sky point under device pixel `from` to device pixel `to`, keeping
 * the roll. A pure rotation would also turn the screen's north, so the centre is refined (a few
 * fixed-point steps) until the grabbed point sits under `to` to a thousandth of a pixel.
 */
export function panByPixels(view: ViewState, from: [number, number], to: [number, number]): ViewState {
  const cam = makeCamera(view);
  const grabbed = unproject(cam, ...pixelToNdc(view, from[0], from[1]));
  if (!grabbed) return view;
  let current = view;
  for (let step = 0; step < 6; step++) {
    const c = makeCamera(current);
    const under = unproject(c, ...pixelToNdc(current, to[0], to[1]));
    if (!under) return step === 0 ? view : current;
    const next = rotateCentre(current, c, grabbed, under);
    if (next === current) return current;
    current = next;
    const p = project(makeCamera(current), grabbed);
    if (!p) break;
    const dx = ((p[0] + 1) / 2) * view.widthPx - to[0];
    const dy = ((1 - p[1]) / 2) * view.heightPx - to[1];
    if (Math.hypot(dx, dy) < 1e-3) break;
  }
  return current;
}

/**
 * The view after zooming by `factor` (new fov = fov * factor) while keeping the sky point under
 * device pixel `anchorPx` fixed on screen.
 */
export function zoomAt(view: ViewState, factor: number, anchorPx: [number, number]): ViewState {
  const fovDeg = clampFovDeg(view.fovDeg * factor, view.projection);
  const cam = makeCamera(view);
  const target = unproject(cam, ...pixelToNdc(view, anchorPx[0], anchorPx[1]));
  const zoomed: ViewState = { ...view, fovDeg };
  if (!target) return zoomed;
  const zcam = makeCamera(zoomed);
  const ndc = project(zcam, target);
  if (!ndc) return zoomed;
  const moved: [number, number] = [((ndc[0] + 1) / 2) * view.widthPx, ((1 - ndc[1]) / 2) * view.heightPx];
  return panByPixels(zoomed, moved, anchorPx);
}
