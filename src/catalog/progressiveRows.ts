// The rows of a progressive catalogue's tiles, on the CPU: a tile's columns as catalogue columns,
// its positions at the drawn epoch (proper motions), its GPU records with cells relative to the
// row (so a tile's block can be copied anywhere in the shared buffers without rewriting it), and
// the drawn tiles merged into one label source (the N brightest in view across tiles).
// Proper-motion columns come from the style or from metadata.xml's UCDs. Pure: no DOM, no GPU.
import type { HipsCatalogMetadata, HipsCatalogTile } from '../hips/catalog.js';
import { buildCatalogIndex, NO_CELL, tipOffsets, type CatalogIndex } from './spatialIndex.js';
import { CatalogError, filterBounds, numericColumn, rowPasses, type CatalogData, type ColumnData, type RangeFilter } from './columns.js';
import { propagateColumns, validateProperMotion, type ProperMotionOptions } from './properMotion.js';
import { sizeFor } from './style.js';
import { catalogueColumn } from './fromTable.js';
import type { LabelSource } from './labelSelect.js';

/** Row record w of a row without a position (catalog.wgsl.ts REL_NO_CELL). */
export const REL_NO_CELL = 0x7fffffff;

/** Proper motions of a progressive catalogue: columns may be left out when metadata.xml has the UCDs. */
export interface ProgressiveProperMotion extends Omit<ProperMotionOptions, 'pmRaColumn' | 'pmDecColumn'> {
  readonly pmRaColumn?: string;
  readonly pmDecColumn?: string;
}

/** Fills in the proper-motion columns from the UCDs pos.pm;pos.eq.ra / pos.pm;pos.eq.dec (and pos.parallax, spect.dopplerVeloc). */
export function resolveProperMotion(pm: ProgressiveProperMotion, metadata: HipsCatalogMetadata | undefined): ProperMotionOptions {
  const byUcd = (want: (ucd: string) => boolean) => metadata?.fields.find((f) => f.ucd !== undefined && want(f.ucd.toLowerCase()))?.name;
  const words = (ucd: string) => ucd.split(';').map((w) => w.trim());
  const pmRaColumn = pm.pmRaColumn ?? byUcd((u) => words(u).includes('pos.pm') && words(u).includes('pos.eq.ra'));
  const pmDecColumn = pm.pmDecColumn ?? byUcd((u) => words(u).includes('pos.pm') && words(u).includes('pos.eq.dec'));
  if (!pmRaColumn || !pmDecColumn) {
    const have = metadata ? metadata.fields.map((f) => `${f.name}${f.ucd ? ` (${f.ucd})` : ''}`).join(', ') : 'no metadata.xml';
    throw new CatalogError(`properMotion needs pmRaColumn and pmDecColumn, or columns with the UCDs pos.pm;pos.eq.ra and pos.pm;pos.eq.dec in metadata.xml (columns: ${have})`);
  }
  for (const c of [pmRaColumn, pmDecColumn, pm.parallaxColumn, pm.rvColumn]) {
    if (c && metadata && !metadata.fields.some((f) => f.name === c)) throw new CatalogError(`properMotion: no column '${c}' in this HiPS catalogue (columns: ${metadata.fields.map((f) => f.name).join(', ')})`);
  }
  const out: ProperMotionOptions = { ...pm, pmRaColumn, pmDecColumn };
  validateProperMotion(out);
  return out;
}

/** A tile's rows ready for the shared buffers. */
export interface TileRows {
  readonly tile: HipsCatalogTile;
  readonly rows: number;
  readonly data: CatalogData;
  /** Positions as drawn (ICRS degrees; propagated with proper motions). */
  readonly drawnRaDeg: ArrayLike<number>;
  readonly drawnDecDeg: ArrayLike<number>;
  /** Local anchor cells of the tile (index.cellIds.length of them). */
  readonly index: CatalogIndex;
  /** 4 float32 per row: offset from its cell centre, w = bits of (local cell - row) as int32 or REL_NO_CELL. */
  readonly gpuRows: Float32Array;
  /** 6 float32 per row (arrow tip offsets) with arrows, else undefined. */
  readonly gpuTips: Float32Array | undefined;
}

/** The tile's columns as catalogue columns (numbers as typed arrays, the rest as text). */
export function tileColumns(tile: HipsCatalogTile): Record<string, ColumnData> {
  const columns: Record<string, ColumnData> = {};
  for (const c of tile.table.columns) {
    // numbers through the one table -> catalogue conversion: a null cell of an integer column is NaN, not 0
    const d = catalogueColumn(c);
    if (d === undefined) continue;
    columns[c.name] = Array.isArray(d) ? d.map((x) => (x == null ? '' : String(x))) : d;
  }
  return columns;
}

/** Everything the GPU and the labels need of one tile (O(rows); proper motions when given). */
export function prepareTileRows(tile: HipsCatalogTile, pm: ProperMotionOptions | undefined): TileRows {
  const columns = tileColumns(tile);
  const data: CatalogData = { raDeg: tile.raDeg, decDeg: tile.decDeg, columns };
  let drawnRaDeg: ArrayLike<number> = tile.raDeg;
  let drawnDecDeg: ArrayLike<number> = tile.decDeg;
  let tips: Float64Array | undefined;
  if (pm) {
    const v = validateProperMotion(pm);
    const col = (name: string | undefined) => (name === undefined || !columns[name] ? undefined : numericColumn(data, name));
    const pmRa = col(pm.pmRaColumn) ?? new Float32Array(tile.raDeg.length).fill(NaN);
    const pmDec = col(pm.pmDecColumn) ?? new Float32Array(tile.raDeg.length).fill(NaN);
    const plx = col(pm.parallaxColumn);
    const rv = col(pm.rvColumn);
    const at = propagateColumns(tile.raDeg, tile.decDeg, pmRa, pmDec, v.epoch - v.catalogueEpoch, plx, rv);
    drawnRaDeg = at.raDeg;
    drawnDecDeg = at.decDeg;
    if (v.arrowYears !== 0) tips = propagateColumns(tile.raDeg, tile.decDeg, pmRa, pmDec, v.epoch + v.arrowYears - v.catalogueEpoch, plx, rv).vectors;
  }
  const index = buildCatalogIndex(drawnRaDeg, drawnDecDeg);
  const gpuRows = index.gpuRows.slice();
  const bits = new Int32Array(gpuRows.buffer);
  for (let i = 0; i < index.rowCount; i++) {
    const k = index.rowCell[i];
    bits[4 * i + 3] = k === NO_CELL ? REL_NO_CELL : k - i;
  }
  return { tile, rows: index.rowCount, data, drawnRaDeg, drawnDecDeg, index, gpuRows, gpuTips: tips ? tipOffsets(index, tips) : undefined };
}

/** Size-style fields the label source needs to place labels beside markers (device pixels). */
export interface LabelSizeStyle {
  readonly sizePx: number;
  readonly sizeColumn: string | undefined;
  readonly sizeRange: readonly [number, number];
  readonly sizePxRange: readonly [number, number];
}

/** The drawn tiles as one catalogue for label selection; row m of it is a tile's row (see `locate`). */
export interface MergedLabelSource extends LabelSource {
  /** The tile and row of merged row m. */
  locate(m: number): { tile: TileRows; row: number };
}

/**
 * Concatenates the drawn tiles' positions (as drawn) and the columns labels, filters and sizes use.
 * O(rows of the drawn tiles); made again when the drawn tiles change, never per frame.
 */
export function mergeLabelSource(tiles: readonly TileRows[], columnsUsed: readonly string[], filters: readonly RangeFilter[], size: LabelSizeStyle, pixelRatio: number): MergedLabelSource {
  let n = 0;
  const starts: number[] = [];
  for (const t of tiles) {
    starts.push(n);
    n += t.rows;
  }
  const raDeg = new Float64Array(n);
  const decDeg = new Float64Array(n);
  const columns: Record<string, ColumnData> = {};
  const names = [...new Set([...columnsUsed, ...filters.map((f) => f.column), ...(size.sizeColumn ? [size.sizeColumn] : [])])];
  const numeric = new Set<string>();
  for (const name of names) {
    const firstWith = tiles.find((t) => t.data.columns?.[name]);
    const text = firstWith !== undefined && Array.isArray(firstWith.data.columns![name]);
    if (text) {
      const out: string[] = new Array<string>(n).fill('');
      tiles.forEach((t, k) => {
        const c = t.data.columns?.[name];
        if (c) for (let i = 0; i < t.rows; i++) out[starts[k] + i] = String(c[i] ?? '');
      });
      columns[name] = out;
    } else {
      const out = new Float32Array(n).fill(NaN);
      tiles.forEach((t, k) => {
        if (t.data.columns?.[name]) out.set(numericColumn(t.data, name), starts[k]);
      });
      columns[name] = out;
      numeric.add(name);
    }
  }
  tiles.forEach((t, k) => {
    for (let i = 0; i < t.rows; i++) {
      raDeg[starts[k] + i] = t.drawnRaDeg[i];
      decDeg[starts[k] + i] = t.drawnDecDeg[i];
    }
  });
  const data: CatalogData = { raDeg, decDeg, columns };
  const index = buildCatalogIndex(raDeg, decDeg);
  const filterCols = filters.map((f) => columns[f.column] as Float32Array);
  const bounds = filters.map(filterBounds);
  const sizeValues = size.sizeColumn && numeric.has(size.sizeColumn) ? (columns[size.sizeColumn] as Float32Array) : undefined;
  return {
    data,
    index,
    pixelRatio,
    filters,
    rowPassesFilters: (m) => rowPasses(filterCols, bounds, m),
    markerRadiusPx: (m) => {
      const v = sizeValues?.[m];
      if (v === undefined || Number.isNaN(v)) return (size.sizePx * pixelRatio) / 2;
      return Math.max(0, sizeFor(v, size.sizeRange[0], size.sizeRange[1], size.sizePxRange[0] * pixelRatio, size.sizePxRange[1] * pixelRatio)) / 2;
    },
    locate: (m) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (starts[mid] <= m) lo = mid;
        else hi = mid - 1;
      }
      return { tile: tiles[lo], row: m - starts[lo] };
    },
  };
}
