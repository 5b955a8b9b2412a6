// Whether a HiPS cell is drawn squeezed enough that its tile's mip chain would be read: an upper
// bound on texels per device pixel over the cell's mesh triangles that lie in the viewport. Pure.
// The HiPS shader samples with a LOD bias of -1, so level 1 and below are read only where more
// than 2 texels fall on a pixel; a tile drawn near 1:1 (what tile selection aims for) never needs
// its chain, which then need not be rendered on upload (lazy mips, tileTextureArray.ts).
import type { Camera } from '../math/camera.js';
import { projectViewFrame } from '../math/projections.js';

/** More texels per pixel than this (the shader's LOD bias of -1 reads level 1 above 2) needs mips. */
export const MIP_SQUEEZE = 2;

/**
 * Upper bound on the texels per pixel of a triangle whose two legs, a and b (device pixels),
 * each span `texelsPerStep` texels along the texture's two axes: the largest singular value of
 * the screen-to-texture map, which is at most texelsPerStep·|(a, b)|_F / |a × b|. Infinity for a
 * degenerate triangle. (The GPU's LOD uses the derivative along screen x or y, never more.)
 */
export function squeezeBound(ax: number, ay: number, bx: number, by: number, texelsPerStep: number): number {
  const area = Math.abs(ax * by - ay * bx);
  const norm = Math.sqrt(ax * ax + ay * ay + bx * bx + by * by);
  return area > 0 ? (texelsPerStep * norm) / area : Infinity;
}

/**
 * The largest squeeze bound over the triangles of one cell mesh ((grid+1)² ICRS unit vectors,
 * xyz per vertex, rows of constant j) that touch the viewport, for a cell spanning `texelsAcross`
 * texels of its tile. A triangle with a vertex the projection cannot place (the far side of TAN,
 * the antipode of STG) or one wider than the viewport (it crosses an all-sky projection's seam)
 * counts as squeezed: the answer errs toward drawing with mips. SIN places far-side vertices on
 * the limb as the shader does. 0 when nothing is in view.
 */
export function cellSqueeze(camera: Camera, vs: Float64Array, grid: number, texelsAcross: number): number {
  const n = grid + 1;
  const { widthPx, heightPx, projection } = camera.view;
  const sx = widthPx / (2 * camera.halfWidthPlane);
  const sy = heightPx / (2 * camera.halfHeightPlane);
  const px = new Float64Array(n * n);
  const py = new Float64Array(n * n);
  const { right: R, up: U, centre: C } = camera;
  for (let k = 0; k < n * n; k++) {
    const vx = vs[k * 3]!, vy = vs[k * 3 + 1]!, vz = vs[k * 3 + 2]!;
    // view frame (right, up, centre), as toViewFrame
    let x = vx * R[0]! + vy * R[1]! + vz * R[2]!;
    let y = vx * U[0]! + vy * U[1]! + vz * U[2]!;
    const z = vx * C[0]! + vy * C[1]! + vz * C[2]!;
    if (projection === 'SIN' && z < 0) {
      const r = Math.hypot(x, y) || 1;
      x /= r;
      y /= r;
    }
    const p = projection === 'SIN' ? [x, y] : projectViewFrame(projection, x, y, z);
    px[k] = p ? p[0] * sx : NaN;
    py[k] = p ? p[1] * sy : NaN;
  }
  const t = texelsAcross / grid;
  const halfW = widthPx / 2 + 2;
  const halfH = heightPx / 2 + 2;
  let worst = 0;
  // triangle (p, q, r) with legs q - p and r - p along the texture's axes
  const tri = (p: number, q: number, r: number): void => {
    const xs0 = px[p]!, xs1 = px[q]!, xs2 = px[r]!;
    const ys0 = py[p]!, ys1 = py[q]!, ys2 = py[r]!;
    if (Number.isNaN(xs0 + xs1 + xs2 + ys0 + ys1 + ys2)) {
      worst = Infinity;
      return;
    }
    const minX = Math.min(xs0, xs1, xs2), maxX = Math.max(xs0, xs1, xs2);
    const minY = Math.min(ys0, ys1, ys2), maxY = Math.max(ys0, ys1, ys2);
    if (maxX < -halfW || minX > halfW || maxY < -halfH || minY > halfH) return; // out of view
    if (maxX - minX > widthPx) {
      worst = Infinity; // a seam-crossing triangle: drawn unwrapped on the GPU, not measured here
      return;
    }
    worst = Math.max(worst, squeezeBound(xs1 - xs0, ys1 - ys0, xs2 - xs0, ys2 - ys0, t));
  };
  for (let j = 0; j < grid && worst !== Infinity; j++) {
    for (let i = 0; i < grid; i++) {
      const k = j * n + i;
      tri(k, k + 1, k + n); // (0,0) (1,0) (0,1)
      tri(k + n + 1, k + n, k + 1); // (1,1) (0,1) (1,0)
    }
  }
  return worst;
}
