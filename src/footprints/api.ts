// Types of the element's footprint API (overlayFootprints & co.) and the normalisation of what it
// accepts — STC-S strings, parsed regions, rows with an s_region column — into one list. Pure.
import type { FootprintStyle } from '../render/layers/footprintLayer.js';
import type { ShapeEventDetail } from '../catalog/api.js';
import type { SkyRegion } from './stcs.js';
import type { FootprintInput } from './tessellate.js';

/** A row of a table (ObsCore and the like): the region is read from `regionColumn` (default s_region). */
export type FootprintRow = Readonly<Record<string, unknown>>;

/** What overlayFootprints draws: regions or STC-S strings, rows with an STC-S column, or { rows }. */
export type FootprintsInput = ReadonlyArray<string | SkyRegion | FootprintRow> | { readonly rows: readonly FootprintRow[] };

export interface FootprintOptions extends FootprintStyle {
  /** Id to use (default 'footprints-<n>'); unique among the element's footprint sets. */
  readonly id?: string;
  /** Column of rows holding the STC-S region (default 's_region'). */
  readonly regionColumn?: string;
  /** Reject when any footprint cannot be read (default: draw the others, report each in a layer-error event). */
  readonly strict?: boolean;
}

/** detail of shape-hover / shape-select for a footprint; `row` is its index in the input. */
export interface FootprintEventDetail extends ShapeEventDetail {
  readonly kind: 'footprint';
  /** The footprint as given (STC-S string, region, or the row). */
  readonly footprint: string | SkyRegion | FootprintRow;
}

const REGION_TYPES = new Set(['position', 'circle', 'polygon', 'union', 'intersection', 'not']);

function isRegion(x: unknown): x is SkyRegion {
  return typeof x === 'object' && x !== null && REGION_TYPES.has((x as { type?: unknown }).type as string);
}

/**
 * The list of footprints (STC-S strings or regions) in input order. A row without a string in the
 * region column throws, naming the row and the column (a wrong column name would draw nothing).
 */
export function footprintInputs(input: FootprintsInput, regionColumn = 's_region'): { inputs: FootprintInput[]; given: ReadonlyArray<string | SkyRegion | FootprintRow> } {
  const list = Array.isArray(input) ? (input as ReadonlyArray<string | SkyRegion | FootprintRow>) : (input as { rows?: unknown }).rows;
  if (!Array.isArray(list)) throw new TypeError('footprints must be an array (STC-S strings, regions or rows) or { rows: [...] }');
  const inputs = list.map((item: unknown, k): FootprintInput => {
    if (typeof item === 'string' || isRegion(item)) return item;
    if (typeof item === 'object' && item !== null) {
      const v = (item as FootprintRow)[regionColumn];
      if (typeof v === 'string') return v;
      throw new TypeError(`footprint ${k}: the row has no string column '${regionColumn}' (columns: ${Object.keys(item).slice(0, 12).join(', ') || 'none'})`);
    }
    throw new TypeError(`footprint ${k}: expected an STC-S string, a region or a row, got ${item === null ? 'null' : typeof item}`);
  });
  return { inputs, given: list as ReadonlyArray<string | SkyRegion | FootprintRow> };
}
