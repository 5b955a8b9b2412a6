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

/**
 * Row indices from brightest to faintest by float32 value (rows with a NaN brightness are left
 * out; ties keep row order); row order without a column. An LSD radix sort on the float32 bits
 * (two 16-bit passes): O(n), ~10x faster than a comparison sort of 1e6 rows in V8.
 */
export function brightnessOrder(values: ArrayLike<number> | undefined, rows: number, brightest: 'min' | 'max'): Uint32Array {
  if (!values) return Uint32Array.from({ length: rows }, (_, i) => i);
  const f = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  const bits = new Uint32Array(f.buffer, f.byteOffset, f.length);
  let m = 0;
  for (let i = 0; i < rows; i++) if (!Number.isNaN(f[i])) m++;
  let keys = new Uint32Array(m);
  let idx = new Uint32Array(m);
  const flip = brightest === 'max' ? 0xffffffff : 0;
  for (let i = 0, k = 0; i < rows; i++) {
    if (Number.isNaN(f[i])) continue;
    const b = bits[i];
    // order-preserving map of float32 bits to unsigned integers (negative values reversed); -0 and +0 are equal
    const key = f[i] === 0 ? 0x80000000 : b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    keys[k] = (key ^ flip) >>> 0;
    idx[k++] = i;
  }
  let keys2 = new Uint32Array(m);
  let idx2 = new Uint32Array(m);
  const counts = new Uint32Array(65536);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < m; i++) counts[(keys[i] >>> shift) & 0xffff]++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < m; i++) {
      const d = (keys[i] >>> shift) & 0xffff;
      const o = counts[d]++;
      keys2[o] = keys[i];
      idx2[o] = idx[i];
    }
    [keys, keys2] = [keys2, keys];
    [idx, idx2] = [idx2, idx];
  }
  return idx;
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
