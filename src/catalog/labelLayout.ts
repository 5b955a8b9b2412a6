// Catalogue labels: which rows get one. The N brightest rows in view (optionally after filters),
// placed greedily by brightness beside their markers: a label whose box would leave the view or
// overlap a brighter row's label is skipped and the next brightest row is tried. Pure: no DOM, no GPU.
import { CatalogError, type CatalogData } from './columns.js';
import { parseColor, type Rgba } from './style.js';

export interface CatalogLabelOptions {
  /** Column holding the label text (strings or numbers). */
  readonly column: string;
  /** How many labels at most (default 10, at most MAX_LABELS). */
  readonly count?: number;
  /** Font size in CSS pixels (default 12). */
  readonly fontPx?: number;
  /** Numeric column that says how bright a row is (default: no order, rows in their order). */
  readonly brightnessColumn?: string;
  /** 'min' (default): smaller is brighter (magnitudes); 'max': larger is brighter (fluxes). */
  readonly brightest?: 'min' | 'max';
  /** Text colour (default white), '#rrggbb' or [r, g, b, a]. */
  readonly color?: string | readonly number[];
}

export const MAX_LABELS = 1000;

export interface ResolvedLabelOptions {
  readonly column: string;
  readonly count: number;
  readonly fontPx: number;
  readonly brightnessColumn: string | undefined;
  readonly brightest: 'min' | 'max';
  readonly color: Rgba;
}

/** Checks label options against a catalogue; throws a CatalogError naming the problem. */
export function resolveLabelOptions(o: CatalogLabelOptions, data: CatalogData): ResolvedLabelOptions {
  if (!o || typeof o !== 'object') throw new CatalogError('labels needs { column, count?, fontPx?, brightnessColumn?, brightest?, color? }');
  const known = Object.keys(data.columns ?? {});
  const need = (name: string, what: string) => {
    if (typeof name !== 'string' || !data.columns?.[name]) throw new CatalogError(`labels.${what}: no column '${String(name)}' in this catalogue${known.length ? ` (columns: ${known.join(', ')})` : ''}`);
  };
  need(o.column, 'column');
  if (o.brightnessColumn !== undefined) need(o.brightnessColumn, 'brightnessColumn');
  const count = o.count ?? 10;
  if (!(Number.isInteger(count) && count >= 0 && count <= MAX_LABELS)) throw new CatalogError(`labels.count must be an integer in [0, ${MAX_LABELS}], got ${String(count)}`);
  const fontPx = o.fontPx ?? 12;
  if (!(typeof fontPx === 'number' && fontPx >= 4 && fontPx <= 64)) throw new CatalogError(`labels.fontPx must be in [4, 64] CSS pixels, got ${String(fontPx)}`);
  const brightest = o.brightest ?? 'min';
  if (brightest !== 'min' && brightest !== 'max') throw new CatalogError(`labels.brightest must be 'min' (magnitudes) or 'max' (fluxes), got '${String(brightest)}'`);
  return { column: o.column, count, fontPx, brightnessColumn: o.brightnessColumn, brightest, color: parseColor(o.color, [1, 1, 1, 1]) };
}

/** Row indices from brightest to faintest (rows with a NaN brightness are left out); row order without a column. */
export function brightnessOrder(values: ArrayLike<number> | undefined, rows: number, brightest: 'min' | 'max'): Uint32Array {
  if (!values) return Uint32Array.from({ length: rows }, (_, i) => i);
  const idx: number[] = [];
  for (let i = 0; i < rows; i++) if (!Number.isNaN(values[i]) && values[i] !== undefined) idx.push(i);
  const sign = brightest === 'min' ? 1 : -1;
  idx.sort((a, b) => sign * (values[a] - values[b]) || a - b);
  return Uint32Array.from(idx);
}

/** One candidate: a row's marker on screen (device pixels, y down) and its label's size. */
export interface LabelCandidate {
  readonly row: number;
  readonly xPx: number;
  readonly yPx: number;
  readonly text: string;
  readonly widthPx: number;
}

/** A placed label: its row, text and box (device pixels, y down; text starts at x0, centred on yMid). */
export interface PlacedLabel {
  readonly row: number;
  readonly text: string;
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/**
 * Greedy placement: candidates in brightness order; each label goes right of its marker (gapPx
 * from it), vertically centred; kept if its box lies inside the view and overlaps no label already
 * kept. Stops after `count` labels.
 */
export function placeLabels(candidates: Iterable<LabelCandidate>, count: number, heightPx: number, gapPx: number, viewWidthPx: number, viewHeightPx: number): PlacedLabel[] {
  const out: PlacedLabel[] = [];
  if (count <= 0) return out;
  for (const c of candidates) {
    if (c.text === '') continue;
    const x0 = c.xPx + gapPx;
    const x1 = x0 + c.widthPx;
    const y0 = c.yPx - heightPx / 2;
    const y1 = y0 + heightPx;
    if (x0 < 0 || y0 < 0 || x1 > viewWidthPx || y1 > viewHeightPx) continue;
    let free = true;
    for (const p of out) {
      if (x0 < p.x1 && p.x0 < x1 && y0 < p.y1 && p.y0 < y1) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    out.push({ row: c.row, text: c.text, x0, y0, x1, y1 });
    if (out.length >= count) break;
  }
  return out;
}

/** The label text of a row ('' for missing values). */
export function labelText(col: ArrayLike<unknown>, row: number): string {
  const v = col[row];
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? '' : String(v);
  return String(v).trim();
}
