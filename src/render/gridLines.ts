// Coordinate grid geometry, pure and float64: the spacing for a field of view, the meridians and
// parallels of a frame as sampled polylines inside the visible region, and label anchors where
// the lines leave the viewport. The GridLayer draws the polylines and (after gridLabelLayout.ts has
// placed them) the labels.
import { makeCamera, project, unproject, type Camera, type ViewState } from '../math/camera.js';
import { boundaryFunction } from '../math/projections.js';
import { applyMat3, frameRotation, type FrameName } from '../math/frames.js';
import { formatDecDms, formatRaHms } from '../math/angles.js';
import { dot, lonLatDegToVec } from '../math/vec3.js';

export interface GridLabel {
  readonly text: string;
  /** Device-pixel position of the anchor (where the line meets the viewport edge). */
  readonly xPx: number;
  readonly yPx: number;
  /** 'lon': a meridian's label (bottom edge); 'lat': a parallel's (left edge); 'cell': centred on the anchor. */
  readonly kind: 'lon' | 'lat' | 'cell';
}

/**
 * How labels are written: 'sexagesimal' (RA in h m s, other angles in ° ' "), 'decimal' (degrees,
 * with decimal-round spacing), 'auto' (sexagesimal in ICRS, decimal longitudes in other frames).
 */
export type GridLabelFormat = 'auto' | 'sexagesimal' | 'decimal';
export const GRID_LABEL_FORMATS: readonly GridLabelFormat[] = ['auto', 'sexagesimal', 'decimal'];

export interface GridGeometry {
  /** Polylines as flat arrays of ICRS unit vectors (x,y,z, x,y,z, ...). */
  readonly lines: Float64Array[];
  readonly lonStepDeg: number;
  readonly latStepDeg: number;
  readonly labels: GridLabel[];
}

const ARCSEC = 1 / 3600;
/** Latitude steps (degrees): whole degrees, arcminutes, arcseconds. */
const LAT_STEPS = [30, 15, 10, 5, 2, 1, 30 / 60, 20 / 60, 10 / 60, 5 / 60, 2 / 60, 1 / 60, 30 * ARCSEC, 20 * ARCSEC, 10 * ARCSEC, 5 * ARCSEC, 2 * ARCSEC, ARCSEC, 0.5 * ARCSEC, 0.2 * ARCSEC, 0.1 * ARCSEC, 0.05 * ARCSEC, 0.02 * ARCSEC, 0.01 * ARCSEC];
/** Right-ascension steps in degrees that are round in time units (h, m, s). */
const RA_STEPS = [90, 30, 15, 7.5, 5, 2.5, 1.25, 0.5, 0.25, 0.125, 1 / 12, 1 / 24, 1 / 48, 1 / 120, 1 / 240, 0.5 / 240, 0.2 / 240, 0.1 / 240, 0.05 / 240, 0.02 / 240, 0.01 / 240, 0.005 / 240, 0.002 / 240, 0.001 / 240];

/** Decimal-round steps (degrees) for 'decimal' labels: 30, 15, 10, 5, 2, 1, 0.5, 0.2, 0.1, ... 1e-6. */
const DECIMAL_STEPS = [30, 15, 10, 5, 2, 1, ...Array.from({ length: 6 }, (_, i) => [5, 2, 1].map((m) => m * 10 ** -(i + 1))).flat()];

/** The largest step giving at least `minLines` lines across `spanDeg`. */
export function chooseStep(spanDeg: number, steps: readonly number[], minLines = 4): number {
  for (const s of steps) if (spanDeg / s >= minLines) return s;
  return steps[steps.length - 1];
}

/** Decimals that show every multiple of a decimal-round step exactly. */
function decimalsFor(stepDeg: number): number {
  return Math.max(0, -Math.floor(Math.log10(stepDeg) + 1e-9));
}

function formatLat(latDeg: number, stepDeg: number, format: GridLabelFormat): string {
  if (format === 'decimal') return `${latDeg > 0 ? '+' : ''}${latDeg.toFixed(decimalsFor(stepDeg))}°`;
  if (stepDeg >= 1) return `${latDeg > 0 ? '+' : ''}${latDeg.toFixed(0)}°`;
  const decimals = stepDeg >= ARCSEC ? 0 : stepDeg >= 0.1 * ARCSEC ? 1 : 2;
  return formatDecDms(latDeg, decimals);
}

function formatLon(lonDeg: number, stepDeg: number, frame: FrameName, format: GridLabelFormat): string {
  if (format === 'decimal') return `${lonDeg.toFixed(decimalsFor(stepDeg))}°`;
  if (format === 'sexagesimal' && frame !== 'icrs') {
    if (stepDeg >= 1) return `${lonDeg.toFixed(0)}°`;
    return formatDecDms(lonDeg, stepDeg >= ARCSEC ? 0 : stepDeg >= 0.1 * ARCSEC ? 1 : 2).slice(1);
  }
  if (frame !== 'icrs') return `${lonDeg.toFixed(stepDeg >= 1 ? 0 : stepDeg >= 0.1 ? 1 : 3)}°`;
  const h = formatRaHms(lonDeg, stepDeg >= 1 / 240 ? 0 : stepDeg >= 0.1 / 240 ? 1 : 2);
  if (stepDeg >= 15) return h.slice(0, 3);
  if (stepDeg >= 0.25) return h.slice(0, 6);
  return h;
}

/** Grid lines of `frame` that cross the view, sampled finely enough to look curved. */
export function gridGeometry(view: ViewState, frame: FrameName = view.frame ?? 'icrs', format: GridLabelFormat = 'auto'): GridGeometry {
  if (!GRID_LABEL_FORMATS.includes(format)) throw new Error(`grid label format must be one of ${GRID_LABEL_FORMATS.join(', ')}, got '${String(format)}'`);
  const cam: Camera = makeCamera(view);
  const toIcrs = frameRotation(frame, 'icrs');
  const toFrame = frameRotation('icrs', frame);
  const radiusDeg = (cam.radiusRad * 180) / Math.PI;
  const span = Math.min(360, 2 * radiusDeg);
  const latSteps = format === 'decimal' ? DECIMAL_STEPS : LAT_STEPS;
  const lonSteps = format === 'decimal' ? DECIMAL_STEPS : frame === 'icrs' ? RA_STEPS : LAT_STEPS.filter((s) => s <= 90);
  const latStep = chooseStep(Math.min(180, span), latSteps);
  const centreF = applyMat3(toFrame, cam.centre);
  const centreLatDeg = (Math.asin(Math.max(-1, Math.min(1, centreF[2]))) * 180) / Math.PI;
  // longitudes shrink by cos(lat) away from the equator: choose the lon step on the sky width
  const cosLat = Math.max(0.2, Math.cos((Math.min(89, Math.abs(centreLatDeg)) * Math.PI) / 180));
  const lonStep = chooseStep(Math.min(360, span / cosLat), lonSteps, 4);
  const sampleDeg = Math.max(radiusDeg / 60, 1e-7);
  const cosReach = Math.cos(Math.min(Math.PI, cam.radiusRad * 1.05));
  const lines: Float64Array[] = [];
  const labels: GridLabel[] = [];
  // one label per line: keyed by kind too, "0°" is both a Galactic meridian and a parallel
  const seen = new Set<string>();
  const visible = (v: ArrayLike<number>) => dot(v, cam.centre) >= cosReach;

  // Where the view shows an all-sky projection's boundary, lines may never reach the view's edge:
  // those are labelled where they cross the view's central axis instead (meridians on the
  // horizontal one, parallels on the vertical one).
  const corners = [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const;
  const showsBoundary = boundaryFunction(view.projection, 0, 0) !== undefined && corners.some(([x, y]) => !unproject(cam, x, y));
  const emit = (points: number[][], text: string, kind: 'lon' | 'lat') => {
    // split into runs of visible points
    let run: number[] = [];
    const flush = () => {
      if (run.length >= 6) lines.push(Float64Array.from(run));
      run = [];
    };
    let labelled = false;
    let axis: [number, number] | undefined;
    let axisDist = 0.03;
    for (const v of points) {
      if (visible(v)) run.push(v[0], v[1], v[2]);
      else flush();
      if (!labelled) {
        const p = project(cam, v);
        if (p) {
          const [x, y] = p;
          const off = kind === 'lon' ? Math.abs(y) : Math.abs(x);
          if (showsBoundary && off < axisDist && Math.abs(kind === 'lon' ? x : y) < 0.95) {
            axis = p;
            axisDist = off;
          }
          const onEdge = kind === 'lon' ? Math.abs(y + 0.97) < 0.03 && Math.abs(x) < 0.95 : Math.abs(x + 0.97) < 0.03 && Math.abs(y) < 0.95;
          if (onEdge && !seen.has(`${kind}|${text}`)) {
            seen.add(`${kind}|${text}`);
            labels.push({ text, kind, xPx: ((x + 1) / 2) * view.widthPx, yPx: ((1 - y) / 2) * view.heightPx });
            labelled = true;
          }
        }
      }
    }
    if (!labelled && axis && !seen.has(`${kind}|${text}`)) {
      seen.add(`${kind}|${text}`);
      labels.push({ text, kind, xPx: ((axis[0] + 1) / 2) * view.widthPx, yPx: ((1 - axis[1]) / 2) * view.heightPx });
    }
    flush();
  };

  const latMin = Math.max(-90, centreLatDeg - radiusDeg - latStep);
  const latMax = Math.min(90, centreLatDeg + radiusDeg + latStep);
  // meridians
  const allLon = radiusDeg >= 90 || Math.abs(centreLatDeg) + radiusDeg >= 89.9;
  const centreLonDeg = (Math.atan2(centreF[1], centreF[0]) * 180) / Math.PI;
  const lonHalf = allLon ? 180 : Math.min(180, radiusDeg / cosLat + lonStep);
  const k0 = Math.ceil((centreLonDeg - lonHalf) / lonStep);
  const k1 = Math.floor((centreLonDeg + lonHalf) / lonStep);
  const nLat = Math.max(2, Math.ceil((latMax - latMin) / sampleDeg));
  for (let k = k0; k <= k1 && k - k0 < 400; k++) {
    const lon = (((k * lonStep) % 360) + 360) % 360;
    if (allLon && k > k0 && Math.abs(k * lonStep - k0 * lonStep - 360) < 1e-9) continue;
    const pts: number[][] = [];
    // meridians stop one step short of the poles, where they all meet
    const a = Math.max(latMin, -90 + latStep);
    const b = Math.min(latMax, 90 - latStep);
    for (let i = 0; i <= nLat; i++) pts.push(applyMat3(toIcrs, lonLatDegToVec(lon, a + ((b - a) * i) / nLat)) as number[]);
    emit(pts, formatLon(lon, lonStep, frame, format), 'lon');
  }
  // parallels
  const j0 = Math.ceil(latMin / latStep);
  const j1 = Math.floor(latMax / latStep);
  for (let j = j0; j <= j1 && j - j0 < 400; j++) {
    const lat = j * latStep;
    if (Math.abs(lat) >= 90 - 1e-9) continue;
    const cosL = Math.cos((lat * Math.PI) / 180);
    const half = allLon ? 180 : Math.min(180, radiusDeg / Math.max(cosL, 1e-6) + lonStep);
    const n = Math.max(8, Math.ceil((2 * half * cosL) / sampleDeg));
    const pts: number[][] = [];
    for (let i = 0; i <= n; i++) pts.push(applyMat3(toIcrs, lonLatDegToVec(centreLonDeg - half + (2 * half * i) / n, lat)) as number[]);
    emit(pts, formatLat(lat, latStep, format), 'lat');
  }
  return { lines, lonStepDeg: lonStep, latStepDeg: latStep, labels };
}
