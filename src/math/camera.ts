// The view as numbers: an immutable ViewState (what the user chose) and the Camera derived from it
// (float64 basis, projection scales, pixel size, visible radius), with forward/inverse projection
// between the sky and normalised device coordinates. Pure functions, no DOM, no GPU.
import { angleRad, cross, dot, lonLatDegToVec, rotateAbout, vecToLonLatDeg, type Vec3 } from './vec3.js';
import { applyMat3, frameRotation, type FrameName } from './frames.js';
import {
  centreScale, halfWidthPlane as projHalfWidth, MAX_FOV_DEG, PROJECTIONS, projectViewFrame, unprojectPlane,
  type ProjectionName,
} from './projections.js';

export { PROJECTIONS, MAX_FOV_DEG, type ProjectionName };

/** Smallest field: 0.01 arcsecond. */
export const MIN_FOV_DEG = 0.01 / 3600;

export interface ViewState {
  /** View centre, ICRS degrees. */
  readonly raDeg: number;
  readonly decDeg: number;
  /** Horizontal field of view in degrees. */
  readonly fovDeg: number;
  /** Position angle of the screen's up direction, east of the frame's north, degrees. */
  readonly rollDeg: number;
  readonly projection: ProjectionName;
  /** Frame whose north is up (roll 0) and whose coordinates the page shows; default ICRS. */
  readonly frame?: FrameName;
  /** Drawing-buffer size in device pixels. */
  readonly widthPx: number;
  readonly heightPx: number;
}

export interface Camera {
  readonly view: ViewState;
  /** Unit vector of the view centre (ICRS). */
  readonly centre: Vec3;
  /** Unit vectors (ICRS) of the screen's right and up directions, tangent at the centre. */
  readonly right: Vec3;
  readonly up: Vec3;
  /** Half extents of the viewport in projection-plane units (radians near the centre). */
  readonly halfWidthPlane: number;
  readonly halfHeightPlane: number;
  /** Angle on the sky covered by one device pixel at the view centre, radians. */
  readonly pixelAngleRad: number;
  /** Angular radius around the centre that contains everything visible, radians. */
  readonly radiusRad: number;
}

export function clampFovDeg(fovDeg: number, projection: ProjectionName): number {
  if (!Number.isFinite(fovDeg)) throw new RangeError(`fov must be a finite number of degrees, got ${fovDeg}`);
  return Math.min(MAX_FOV_DEG[projection], Math.max(MIN_FOV_DEG, fovDeg));
}

export function isProjectionName(name: string): name is ProjectionName {
  return (PROJECTIONS as readonly string[]).includes(name);
}

const DEG = Math.PI / 180;

export function makeCamera(view: ViewState): Camera {
  if (!(view.widthPx > 0 && view.heightPx > 0)) {
    throw new RangeError(`viewport must have a positive size, got ${view.widthPx}x${view.heightPx}`);
  }
  if (!isProjectionName(view.projection)) throw new RangeError(`unknown projection '${view.projection}'`);
  const fovDeg = clampFovDeg(view.fovDeg, view.projection);
  const centre = lonLatDegToVec(view.raDeg, view.decDeg);
  // East = direction of increasing longitude of the view's frame, (-sin lon, cos lon, 0) in that
  // frame: defined everywhere, and at the poles it is the limit along the centre's meridian (the
  // convention of a FITS WCS with LONPOLE 180).
  const frame = view.frame ?? 'icrs';
  const toFrame = frameRotation('icrs', frame);
  const lonRad = frame === 'icrs' ? view.raDeg * DEG : vecToLonLatDeg(applyMat3(toFrame, centre))[0] * DEG;
  const east = applyMat3(frameRotation(frame, 'icrs'), [-Math.sin(lonRad), Math.cos(lonRad), 0]) as unknown as Vec3;
  const north = cross(centre, east);
  const up = rotateAbout(north, centre, -view.rollDeg * DEG);
  const right: Vec3 = cross(centre, up); // sky seen from inside: east on the left, west on the right
  const halfWidthPlane = projHalfWidth(view.projection, fovDeg);
  const halfHeightPlane = (halfWidthPlane * view.heightPx) / view.widthPx;
  const pixelAngleRad = (2 * halfWidthPlane) / view.widthPx / centreScale(view.projection);
  const partial = { view: { ...view, fovDeg }, centre, right, up, halfWidthPlane, halfHeightPlane, pixelAngleRad, radiusRad: Math.PI };
  return { ...partial, radiusRad: visibleRadius(partial) };
}

/** Largest angle from the centre over the viewport's border (monotonic for every projection here). */
function visibleRadius(cam: Camera): number {
  let max = 0;
  const n = 16;
  for (let i = 0; i <= n; i++) {
    const t = (2 * i) / n - 1;
    for (const [x, y] of [[t, -1], [t, 1], [-1, t], [1, t]]) {
      const v = unproject(cam, x, y);
      if (!v) return fullReach(cam.view.projection);
      max = Math.max(max, Math.acos(Math.max(-1, Math.min(1, dot(v, cam.centre)))));
    }
  }
  return Math.min(Math.PI, max * 1.02 + 1e-9);
}

/** Everything the projection can show, as an angle from the centre. */
function fullReach(projection: ProjectionName): number {
  return projection === 'SIN' ? Math.PI / 2 : projection === 'TAN' ? Math.PI / 2 : Math.PI;
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
  return projectViewFrame(projection, x, y, z);
}

/** Normalised device coordinates (-1..1, y up) of a sky vector, or undefined when not drawable. */
export function project(cam: Camera, v: ArrayLike<number>): [number, number] | undefined {
  const f = toViewFrame(cam, v);
  const p = projectViewFrame(cam.view.projection, f[0], f[1], f[2]);
  if (!p) return undefined;
  return [p[0] / cam.halfWidthPlane, p[1] / cam.halfHeightPlane];
}

/** Sky unit vector (ICRS) under normalised device coordinates, or undefined outside the projection. */
export function unproject(cam: Camera, ndcX: number, ndcY: number): Vec3 | undefined {
  const f = unprojectPlane(cam.view.projection, ndcX * cam.halfWidthPlane, ndcY * cam.halfHeightPlane);
  if (!f) return undefined;
  const [x, y, z] = f;
  return [
    x * cam.right[0] + y * cam.up[0] + z * cam.centre[0],
    x * cam.right[1] + y * cam.up[1] + z * cam.centre[1],
    x * cam.right[2] + y * cam.up[2] + z * cam.centre[2],
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
