// HEALPix cell outlines for the debugging grid: every cell of an order that touches the view,
// its four edges sampled along the curved HEALPix boundaries (float64), labelled "order/ipix"
// when few enough to read; none (with a note) when the order is far too fine for the view.
import { makeCamera, project, type ViewState } from '../math/camera.js';
import { cellPointToVec, pix2vec } from '../hips/healpix.js';
import { selectTiles } from '../hips/tileSelection.js';
import type { GridLabel } from './gridLines.js';

const SAMPLES_PER_EDGE = 8;

/** Outlines of the cells of `order` (or of the draw order the view would use) in the view. */
/** Most cells outlined in one view (beyond this an order is too fine to draw or read; ~50 ms for 3500 cells). */
export const MAX_OUTLINED_CELLS = 5000;

/** Cells of `order` in a view of angular radius `radiusRad` (cap area / cell area, rounded up). */
export function estimatedCells(order: number, radiusRad: number): number {
  return Math.ceil(6 * 4 ** order * (1 - Math.cos(Math.min(Math.PI, radiusRad))));
}

/**
 * Outlines of the cells of `order` (or of the draw order the view would use) in the view. An
 * explicit order that would outline more than MAX_OUTLINED_CELLS here gives no lines and a `note`
 * saying so (zooming in brings them back), never a frame that takes seconds.
 */
export function healpixGridLines(view: ViewState, order?: number): { lines: Float64Array[]; labels: GridLabel[]; order: number; note?: string } {
  const camera = makeCamera(view);
  if (order !== undefined && estimatedCells(order, camera.radiusRad) > MAX_OUTLINED_CELLS) {
    const n = estimatedCells(order, camera.radiusRad);
    return { lines: [], labels: [], order, note: `HEALPix grid: order ${order} would outline ~${n} cells in this view (at most ${MAX_OUTLINED_CELLS}); zoom in or choose a lower order` };
  }
  // the selection machinery finds the cells touching the viewport; a huge "tile width" keeps the
  // data order at 0 so the draw order is the mesh order unless an order is given
  const sel = selectTiles({ camera, tileWidthPx: 1 << 20, hipsOrder: order ?? 0, hipsOrderMin: order ?? 0 });
  const cells = sel.cells;
  const k = order ?? sel.drawOrder;
  const lines: Float64Array[] = [];
  const labels: GridLabel[] = [];
  const seen = new Set<number>();
  for (const cell of cells) {
    const ipix = Math.floor(cell.ipix / 4 ** (cell.order - k));
    if (seen.has(ipix)) continue;
    seen.add(ipix);
    const pts = new Float64Array((4 * SAMPLES_PER_EDGE + 1) * 3);
    let o = 0;
    const corners: Array<[number, number]> = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]];
    const v = [0, 0, 0];
    for (let e = 0; e < 4; e++) {
      const [u0, v0] = corners[e];
      const [u1, v1] = corners[e + 1];
      for (let i = 0; i < SAMPLES_PER_EDGE + (e === 3 ? 1 : 0); i++) {
        const t = i / SAMPLES_PER_EDGE;
        cellPointToVec(k, ipix, u0 + (u1 - u0) * t, v0 + (v1 - v0) * t, v);
        pts[o++] = v[0];
        pts[o++] = v[1];
        pts[o++] = v[2];
      }
    }
    lines.push(pts);
  }
  if (seen.size <= 64) {
    for (const ipix of seen) {
      const p = project(camera, pix2vec(k, ipix));
      if (p && Math.abs(p[0]) < 1 && Math.abs(p[1]) < 1) {
        labels.push({ text: `${k}/${ipix}`, kind: 'cell', xPx: ((p[0] + 1) / 2) * view.widthPx, yPx: ((1 - p[1]) / 2) * view.heightPx });
      }
    }
  }
  return { lines, labels, order: k };
}
