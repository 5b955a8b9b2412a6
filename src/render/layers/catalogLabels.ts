// Labels of a catalogue layer: per view (and filter / style change) the N brightest rows in view
// get their label text drawn by the GPU (TextLabels) beside their markers, placed greedily by
// brightness without overlaps and never outside the view (catalog/labelLayout.ts). Rows come in
// brightness order either from the whole catalogue or, when the view holds few of its anchor
// cells, from the rows of those cells only. Owned by a CatalogLayer; destroy() frees the GPU text.
import { project, type Camera } from '../../math/camera.js';
import { queryDisc } from '../../hips/healpixQuery.js';
import { ANCHOR_ORDER, ANCHOR_RADIUS_DEG, compactRuns, NO_CELL, type CatalogIndex } from '../../catalog/spatialIndex.js';
import { numericColumn, type CatalogData } from '../../catalog/columns.js';
import {
  brightnessOrder, labelText, placeLabels, resolveLabelOptions, type CatalogLabelOptions, type LabelCandidate, type PlacedLabel, type ResolvedLabelOptions,
} from '../../catalog/labelLayout.js';
import { TextLabels } from './textLabels.js';

export type { CatalogLabelOptions };

/** What the labels need from their catalogue layer. */
export interface LabelSource {
  readonly data: CatalogData;
  readonly index: CatalogIndex;
  readonly pixelRatio: number;
  readonly filters: readonly unknown[];
  rowPassesFilters(row: number): boolean;
  /** Marker radius of a row, device pixels (labels start beside it). */
  markerRadiusPx(row: number): number;
}

export class CatalogLabels {
  private readonly text: TextLabels;
  private key = '';
  private version = 0;
  private placed: PlacedLabel[] = [];
  private order: { key: string; order: Uint32Array; rank: Uint32Array } | undefined;
  private cellRows: { start: Uint32Array; rows: Uint32Array } | undefined;

  constructor(device: GPUDevice, format: GPUTextureFormat) {
    this.text = new TextLabels(device, format);
  }

  static validate(options: CatalogLabelOptions, data: CatalogData): ResolvedLabelOptions {
    return resolveLabelOptions(options, data);
  }

  /** Labels must be placed again (filters or style changed). */
  invalidate(): void {
    this.version++;
  }

  placements(): readonly PlacedLabel[] {
    return this.placed;
  }

  update(camera: Camera, options: CatalogLabelOptions | undefined, src: LabelSource, viewKey: string): void {
    const key = `${viewKey}|${this.version}`;
    if (key === this.key) return;
    this.key = key;
    const v = camera.view;
    if (!options) {
      this.placed = [];
      this.text.set([], 12, [1, 1, 1, 1], v.widthPx, v.heightPx);
      return;
    }
    const o = resolveLabelOptions(options, src.data);
    const pr = src.pixelRatio;
    const fontPx = Math.round(o.fontPx * pr);
    const atlas = this.text.atlasFor(fontPx);
    const col = src.data.columns![o.column] as ArrayLike<unknown>;
    const heightPx = Math.ceil(fontPx * 1.25);
    const candidates = this.candidates(camera, o, src, (row) => {
      const text = labelText(col, row);
      return { text, widthPx: text ? atlas.measure(text) : 0 };
    });
    this.placed = placeLabels(candidates, o.count, heightPx, 0, v.widthPx, v.heightPx);
    this.text.set(this.placed.map((p) => ({ text: p.text, xPx: p.x0, yMidPx: (p.y0 + p.y1) / 2 })), fontPx, o.color, v.widthPx, v.heightPx);
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
      const c = visit(row);
      if (c) yield c;
    }
  }

  /** Rows of the anchor cells around a small view, brightest first; undefined when the view holds most of the catalogue. */
  private rowsInView(camera: Camera, src: LabelSource, rank: Uint32Array): Uint32Array | undefined {
    const idx = src.index;
    const radiusDeg = (camera.radiusRad * 180) / Math.PI + ANCHOR_RADIUS_DEG;
    if (radiusDeg >= 60 || idx.cellIds.length === 0) return undefined;
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
  private cells(idx: CatalogIndex): { start: Uint32Array; rows: Uint32Array } {
    if (this.cellRows) return this.cellRows;
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
    return (this.cellRows = { start, rows });
  }

  /** Rows brightest first and each row's rank in that order (0xffffffff: no brightness), cached per column and direction. */
  private brightness(o: ResolvedLabelOptions, src: LabelSource): { order: Uint32Array; rank: Uint32Array } {
    const key = `${o.brightnessColumn ?? ''}|${o.brightest}`;
    if (this.order?.key === key) return this.order;
    const values = o.brightnessColumn ? numericColumn(src.data, o.brightnessColumn) : undefined;
    const order = brightnessOrder(values, src.index.rowCount, o.brightest);
    const rank = new Uint32Array(src.index.rowCount).fill(0xffffffff);
    order.forEach((row, i) => { rank[row] = i; });
    this.order = { key, order, rank };
    return this.order;
  }

  encode(pass: GPURenderPassEncoder): void {
    this.text.encode(pass);
  }

  destroy(): void {
    this.text.destroy();
  }
}
