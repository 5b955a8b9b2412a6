// HEALPix cell outlines for the debugging grid: every cell of an order that touches the view,
// its four edges sampled along the curved HEALPix boundaries (float64), labelled "order/ipix"
// when few enough to read.
import { makeCamera, project, type ViewState } from '../math/camera.js';
import { cellPointToVec, pix2vec } from '../hips/healpix.js';
import { selectTiles } from '../hips/tileSelection.js';
import type { GridLabel } from './gridLines.js';

const SAMPLES_PER_EDGE = 8;

/** Outlines of the cells of `order` (or of the draw order the view would use) in the view. */
export function healpixGridLines(view: ViewState, order?: number): { lines: Float64Array[]; labels: GridLabel[]; order: number } {
  const camera = makeCamera(view);
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
