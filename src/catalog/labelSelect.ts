// Which catalogue rows get a label in a view: the N brightest rows in view (after the layer's
// filters), placed greedily by brightness beside their markers without overlaps and inside the
// view (labelLayout.ts). Rows come in brightness order either from the whole catalogue (wide
// views) or, when the view's anchor cells hold at most half the rows, from those cells only, so a
// small view of a big catalogue does not scan it all. The brightness order (O(n log n)) and the
// rows grouped by cell (O(n)) are computed once per source index (a progressive catalogue makes a
// new one when its drawn tiles change) and cached. Pure: no DOM, no GPU.
import { project, type Camera } from '../math/camera.js';
import { queryDisc } from '../hips/healpixQuery.js';
import { ANCHOR_ORDER, ANCHOR_RADIUS_DEG, compactRuns, NO_CELL, type CatalogIndex } from './spatialIndex.js';
import { numericColumn, type CatalogData } from './columns.js';
import { brightnessOrder, labelText, placeLabels, type LabelCandidate, type PlacedLabel, type ResolvedLabelOptions } from './labelLayout.js';

/** What label selection needs from a catalogue layer. */
export interface LabelSource {
  readonly data: CatalogData;
  /** Positions as drawn (index.vectors: float64 unit vectors). */
  readonly index: CatalogIndex;
  readonly pixelRatio: number;
  readonly filters: readonly unknown[];
  rowPassesFilters(row: number): boolean;
  /** Marker radius of a row, device pixels (labels start 3 CSS px beside it). */
  markerRadiusPx(row: number): number;
}

/** Views whose radius (plus a cell) is below this gather their rows from their cells. */
export const CELLS_BELOW_RADIUS_DEG = 5;

export class LabelSelector {
  private order: { key: string; index: CatalogIndex; order: Uint32Array; rank: Uint32Array } | undefined;
  private cellRows: { index: CatalogIndex; start: Uint32Array; rows: Uint32Array } | undefined;
  /** Rows visited by the last select() (diagnostics, benchmarks). */
  visited = 0;

  /** Labels for this view: font size in device pixels, text widths from `measure` (device pixels). */
  select(camera: Camera, o: ResolvedLabelOptions, src: LabelSource, fontPx: number, measure: (text: string) => number): PlacedLabel[] {
    const col = src.data.columns![o.column] as ArrayLike<unknown>;
    const heightPx = Math.ceil(fontPx * 1.25);
    this.visited = 0;
    const candidates = this.candidates(camera, o, src, (row) => {
      const text = labelText(col, row);
      return { text, widthPx: text ? measure(text) : 0 };
    });
    return placeLabels(candidates, o.count, heightPx, 0, camera.view.widthPx, camera.view.heightPx);
  }

  /** Rows in view, brightest first, as label candidates (lazily: placement stops after N labels). */
  private *candidates(camera: Camera, o: ResolvedLabelOptions, src: LabelSource, textOf: (row: number) => { text: string; widthPx: number }): Generator<LabelCandidate> {
    const { order, rank } = this.brightness(o, src);
    const v = camera.view;
    const vecs = src.index.vectors;
    const filtered = src.filters.length > 0;
    const p = [0, 0, 0];
    const visit = (row: number): LabelCandidate | undefined => {
      p[0] = vecs[3 * row];
      p[1] = vecs[3 * row + 1];
      p[2] = vecs[3 * row + 2];
      if (Number.isNaN(p[0])) return undefined;
      const ndc = project(camera, p);
      if (!ndc) return undefined;
      const x = ((ndc[0] + 1) / 2) * v.widthPx;
      const y = ((1 - ndc[1]) / 2) * v.heightPx;
      if (!(x >= 0 && y >= 0 && x < v.widthPx && y < v.heightPx)) return undefined;
      if (filtered && !src.rowPassesFilters(row)) return undefined;
      const { text, widthPx } = textOf(row);
      const gap = src.markerRadiusPx(row) + 3 * src.pixelRatio;
      return { row, xPx: x + gap, yPx: y, text, widthPx };
    };
    const rows = this.rowsInView(camera, src, rank);
    for (const row of rows ?? order) {
      this.visited++;
      const c = visit(row);
      if (c) yield c;
    }
  }

  /** Rows of the anchor cells around a small view, brightest first; undefined when the view holds most of the catalogue. */
  private rowsInView(camera: Camera, src: LabelSource, rank: Uint32Array): Uint32Array | undefined {
    const idx = src.index;
    const radiusDeg = (camera.radiusRad * 180) / Math.PI + ANCHOR_RADIUS_DEG;
    // Beyond ~5° the brightness-order scan is cheaper: it visits about N / (fraction of the sky in
    // view) rows, while listing the view's order-8 cells costs O(cells) (measured in
    // bench/catalog-marks.bench.mjs: 167 ms per view at 60° through the cells, < 1 ms by the scan).
    if (radiusDeg >= CELLS_BELOW_RADIUS_DEG || idx.cellIds.length === 0) return undefined;
    const runs = compactRuns(idx.cellIds, queryDisc(ANCHOR_ORDER, camera.view.raDeg, camera.view.decDeg, radiusDeg));
    const cr = this.cells(idx);
    let total = 0;
    for (const [a, b] of runs) total += cr.start[b] - cr.start[a];
    if (total > idx.rowCount / 2) return undefined;
    const out: number[] = [];
    for (const [a, b] of runs) {
      for (let k = cr.start[a]; k < cr.start[b]; k++) {
        const row = cr.rows[k];
        if (rank[row] !== 0xffffffff) out.push(row);
      }
    }
    out.sort((a, b) => rank[a] - rank[b]);
    return Uint32Array.from(out);
  }

  /** Rows grouped by compact anchor cell (counting sort, once). */
  private cells(idx: CatalogIndex): { index: CatalogIndex; start: Uint32Array; rows: Uint32Array } {
    if (this.cellRows?.index === idx) return this.cellRows;
    const n = idx.cellIds.length;
    const start = new Uint32Array(n + 1);
    for (let i = 0; i < idx.rowCount; i++) if (idx.rowCell[i] !== NO_CELL) start[idx.rowCell[i] + 1]++;
    for (let k = 0; k < n; k++) start[k + 1] += start[k];
    const fill = start.slice(0, n);
    const rows = new Uint32Array(start[n]);
    for (let i = 0; i < idx.rowCount; i++) {
      const k = idx.rowCell[i];
      if (k !== NO_CELL) rows[fill[k]++] = i;
    }
    return (this.cellRows = { index: idx, start, rows });
  }

  /** Rows brightest first and each row's rank in that order (0xffffffff: no brightness), cached per column and direction. */
  private brightness(o: ResolvedLabelOptions, src: LabelSource): { order: Uint32Array; rank: Uint32Array } {
    const key = `${o.brightnessColumn ?? ''}|${o.brightest}`;
    if (this.order?.key === key && this.order.index === src.index) return this.order;
    const values = o.brightnessColumn ? numericColumn(src.data, o.brightnessColumn) : undefined;
    const order = brightnessOrder(values, src.index.rowCount, o.brightest);
    const rank = new Uint32Array(src.index.rowCount).fill(0xffffffff);
    order.forEach((row, i) => { rank[row] = i; });
    this.order = { key, index: src.index, order, rank };
    return this.order;
  }

}
