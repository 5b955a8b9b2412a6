// Helpers for the catalogue browser tests: seeded random catalogues and CPU projection of rows to
// device pixels (float64, the camera the renderer uses).
import { makeCamera, pixelToNdc, project, unproject, type ViewState } from '../../src/math/camera.js';

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n rows uniform on the sphere, with a 'mag' column uniform in [0, 20) and an 'id' column. */
export function randomCatalog(n: number, seed: number): { raDeg: Float64Array; decDeg: Float64Array; columns: { mag: Float32Array; id: Int32Array } } {
  const rnd = seeded(seed);
  const raDeg = new Float64Array(n);
  const decDeg = new Float64Array(n);
  const mag = new Float32Array(n);
  const id = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    raDeg[i] = rnd() * 360;
    decDeg[i] = (Math.asin(2 * rnd() - 1) * 180) / Math.PI;
    mag[i] = rnd() * 20;
    id[i] = i;
  }
  return { raDeg, decDeg, columns: { mag, id } };
}

/**
 * Device-pixel positions (x right, y down, origin at the top-left corner) of every row, NaN where
 * the projection has no image.
 */
export function projectRows(view: ViewState, raDeg: Float64Array, decDeg: Float64Array): Float64Array {
  const cam = makeCamera(view);
  const out = new Float64Array(2 * raDeg.length);
  const D = Math.PI / 180;
  const v = [0, 0, 0];
  for (let i = 0; i < raDeg.length; i++) {
    const c = Math.cos(decDeg[i] * D);
    v[0] = c * Math.cos(raDeg[i] * D);
    v[1] = c * Math.sin(raDeg[i] * D);
    v[2] = Math.sin(decDeg[i] * D);
    const p = project(cam, v);
    out[2 * i] = p ? ((p[0] + 1) / 2) * view.widthPx : NaN;
    out[2 * i + 1] = p ? ((1 - p[1]) / 2) * view.heightPx : NaN;
  }
  return out;
}

/**
 * Rows inside the viewport (at least `margin` px from its edges) with no other drawn row within
 * `minSeparation` px: a bucket grid over the projected positions.
 */
export function isolatedRows(px: Float64Array, width: number, height: number, minSeparation: number, margin: number, keep: (row: number) => boolean = () => true): number[] {
  const cell = Math.max(1, minSeparation);
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const buckets = new Map<number, number[]>();
  const n = px.length / 2;
  const key = (x: number, y: number) => (Math.floor(y / cell) + 1) * gw + Math.floor(x / cell) + 1;
  for (let i = 0; i < n; i++) {
    const x = px[2 * i];
    const y = px[2 * i + 1];
    if (!(x > -minSeparation && y > -minSeparation && x < width + minSeparation && y < height + minSeparation) || !keep(i)) continue;
    const k = key(x, y);
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = []));
    b.push(i);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = px[2 * i];
    const y = px[2 * i + 1];
    if (!(x >= margin && y >= margin && x < width - margin && y < height - margin) || !keep(i)) continue;
    let alone = true;
    const cx = Math.floor(x / cell) + 1;
    const cy = Math.floor(y / cell) + 1;
    for (let dy = -1; dy <= 1 && alone; dy++) {
      for (let dx = -1; dx <= 1 && alone; dx++) {
        const b = buckets.get((cy + dy) * gw + cx + dx);
        if (!b) continue;
        for (const j of b) {
          if (j !== i && Math.hypot(px[2 * j] - x, px[2 * j + 1] - y) < minSeparation) {
            alone = false;
            break;
          }
        }
      }
    }
    if (alone) out.push(i);
  }
  void gh;
  return out;
}

/** Weight of a pixel for centroids: the summed RGB, or (redOnly) red above green (red markers over the blue-grey projection outline). */
export type PixelWeight = 'rgb' | 'redOnly';

/** Intensity-weighted centroid (device pixels, pixel centres at +0.5) in a window. */
export function centroid(rgba: Uint8Array, width: number, height: number, cx: number, cy: number, half: number, weight: PixelWeight = 'rgb'): [number, number, number] {
  let w = 0;
  let mx = 0;
  let my = 0;
  for (let y = Math.max(0, Math.floor(cy) - half); y <= Math.min(height - 1, Math.floor(cy) + half); y++) {
    for (let x = Math.max(0, Math.floor(cx) - half); x <= Math.min(width - 1, Math.floor(cx) + half); x++) {
      const o = (y * width + x) * 4;
      const v = weight === 'rgb' ? rgba[o] + rgba[o + 1] + rgba[o + 2] : Math.max(0, rgba[o] - rgba[o + 1]);
      w += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  return w > 0 ? [mx / w, my / w, w] : [NaN, NaN, 0];
}

/** True when the disc of radius r (device px) around (x, y) lies inside the projection's boundary (16 points checked). */
export function insideProjection(view: ViewState, x: number, y: number, r: number): boolean {
  const cam = makeCamera(view);
  for (let k = 0; k < 16; k++) {
    const a = (k * Math.PI) / 8;
    if (!unproject(cam, ...pixelToNdc(view, x + r * Math.cos(a), y + r * Math.sin(a)))) return false;
  }
  return true;
}
