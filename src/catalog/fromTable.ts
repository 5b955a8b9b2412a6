// Turns a parsed table (a decode-worker result: columns + RA/Dec found from UCDs or names) into the
// columnar rows overlayCatalogue draws: positions in degrees, numeric columns as Float64Array
// (nulls NaN) or kept Float32/Float64/Int32 arrays, strings as string[]; array columns are left out.
import type { ColumnData } from './columns.js';
import type { TableParseResult } from '../workers/protocol.js';
import type { Column } from '../workers/tables/table.js';

export interface CatalogueRows {
  readonly name: string | undefined;
  readonly raDeg: Float64Array;
  readonly decDeg: Float64Array;
  readonly columns: Record<string, ColumnData>;
  /** Units of the columns kept, by name. */
  readonly units: Record<string, string>;
  /** The columns the positions came from and how they were found. */
  readonly positionColumns: { ra: string; dec: string; rule: string };
}

/** One table column as catalogue column data, or undefined when it is not one value per row. */
export function catalogueColumn(c: Column): ColumnData | undefined {
  if (c.kind === 'string') return c.values as string[];
  if (c.kind !== 'scalar') return undefined;
  const v = c.values;
  if (!c.nulls && (v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array)) return v;
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = c.nulls?.[i] ? NaN : Number((v as ArrayLike<number | bigint>)[i]);
  return out;
}

/** The catalogue rows of a parsed table; throws an Error naming the table when it has no RA/Dec. */
export function catalogueFromTable(r: TableParseResult, what = 'the table'): CatalogueRows {
  const pos = r.positions;
  if (!pos) {
    const names = r.table.columns.map((c) => c.name).join(', ');
    throw new Error(`${what} has no RA/Dec columns (no UCD pos.eq.ra/pos.eq.dec and no known names among: ${names})`);
  }
  const columns: Record<string, ColumnData> = {};
  const units: Record<string, string> = {};
  for (const c of r.table.columns) {
    if (Object.prototype.hasOwnProperty.call(columns, c.name)) continue;
    const data = catalogueColumn(c);
    if (!data) continue;
    columns[c.name] = data;
    if (c.unit) units[c.name] = c.unit;
  }
  return { name: r.table.name, raDeg: pos.raDeg, decDeg: pos.decDeg, columns, units, positionColumns: { ra: pos.ra, dec: pos.dec, rule: pos.rule } };
}
