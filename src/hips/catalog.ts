// HiPS catalogues (HiPS 1.0 §4.4, STANDARDS.md A2): reads metadata.xml (a VOTable whose FIELDs
// describe the columns; read with src/workers/tables) and NorderK/DirD/NpixN.tsv tiles (TAB
// separated, '#' comments including CDS's "# Completeness = n / N", then a header line, then
// rows), and says which tiles a view needs: a source sits in exactly one tile (progressive
// filling), so a client reads every tile from hips_order_min up to the order it shows.
import { parseDelimited } from '../workers/tables/delimited.js';
import { findPositionColumns } from '../workers/tables/positions.js';
import { isTableError, type Column, type Table } from '../workers/tables/table.js';
import { parseVoTable } from '../workers/tables/votable.js';
import { HEALPIX_MAX_ORDER } from './healpix.js';
import type { TileId } from './tileSelection.js';

/** A HiPS catalogue that cannot be read; the message says which file and where. */
export class HipsCatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HipsCatalogError';
  }
}

/** One column of the catalogue as metadata.xml describes it. */
export interface HipsCatalogField {
  readonly name: string;
  readonly datatype: string;
  readonly unit?: string;
  readonly ucd?: string;
  readonly description?: string;
}

export interface HipsCatalogMetadata {
  readonly fields: readonly HipsCatalogField[];
  /** Names of the RA and Dec columns (by UCD pos.eq.ra/dec, then by name). */
  readonly raColumn: string;
  readonly decColumn: string;
}

/** n of the N sources of the tile's cell are in the tile ("# Completeness = n / N"). */
export interface Completeness {
  readonly inTile: number;
  readonly inCell: number;
}

export interface HipsCatalogTile {
  readonly order: number;
  readonly ipix: number;
  /** The rows as columns (types and units from metadata.xml where given). */
  readonly table: Table;
  readonly raDeg: Float64Array;
  readonly decDeg: Float64Array;
  readonly completeness: Completeness | undefined;
  /**
   * Whether the cell's children may hold more sources: false when the Completeness line says the
   * tile holds all of its cell (n = N), true when it says otherwise or is absent.
   */
  readonly mayHaveChildren: boolean;
}

/** Reads metadata.xml: the first TABLE's FIELDs, and which of them hold RA and Dec. */
export function parseHipsCatalogMetadata(xml: string | Uint8Array): HipsCatalogMetadata {
  let table: Table | undefined;
  try {
    table = parseVoTable(xml).tables[0];
  } catch (e) {
    throw new HipsCatalogError(`metadata.xml is not a readable VOTable: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!table) throw new HipsCatalogError('metadata.xml has no TABLE');
  if (table.columns.length === 0) throw new HipsCatalogError('metadata.xml has a TABLE without FIELDs');
  const pos = findPositionColumns(table);
  if (!pos) {
    throw new HipsCatalogError(`metadata.xml has no RA/Dec columns (no pos.eq.ra/pos.eq.dec UCD or known name) among ${table.columns.map((c) => c.name).join(', ')}`);
  }
  const fields = table.columns.map((c) => ({
    name: c.name, datatype: c.datatype,
    ...(c.unit ? { unit: c.unit } : {}), ...(c.ucd ? { ucd: c.ucd } : {}), ...(c.description ? { description: c.description } : {}),
  }));
  return { fields, raColumn: pos.ra, decColumn: pos.dec };
}

const COMPLETENESS_RE = /^\s*completeness\s*=\s*(\d+)\s*\/\s*(\d+)\s*$/i;

/**
 * Reads one TSV tile. `where` names the tile in errors. With `metadata`, the header must hold its
 * columns (in any order) and units/UCDs come from it; without, positions are found by name.
 * Throws HipsCatalogError naming the tile and line for a missing header, a row with more fields
 * than the header, a bad Completeness line, or a row whose position is not a number.
 */
export function parseHipsCatalogTile(text: string, where: { order: number; ipix: number }, metadata?: HipsCatalogMetadata): HipsCatalogTile {
  const { order, ipix } = where;
  if (!Number.isInteger(order) || order < 0 || order > HEALPIX_MAX_ORDER) throw new RangeError(`tile order must be an integer in 0..${HEALPIX_MAX_ORDER}, got ${order}`);
  if (!Number.isInteger(ipix) || ipix < 0 || ipix >= 12 * 4 ** order) throw new RangeError(`tile ${ipix} is not a cell of order ${order}`);
  if (typeof text !== 'string') throw new TypeError(`tile text must be a string, got ${typeof text}`);
  const name = `tile Norder${order}/Npix${ipix}.tsv`;
  let table: Table;
  try {
    table = parseDelimited(text, { delimiter: '\t', header: true, unitsRow: false, comment: '#', name });
  } catch (e) {
    throw new HipsCatalogError(`${name}: ${isTableError(e) ? e.message : String(e)}`);
  }
  const headerLine = firstDataLine(text);
  if (headerLine === undefined) throw new HipsCatalogError(`${name}: no header line (the first line that is not a '#' comment)`);

  let completeness: Completeness | undefined;
  for (const c of table.meta.comments ?? []) {
    if (!/^\s*completeness\b/i.test(c)) continue;
    const m = COMPLETENESS_RE.exec(c);
    const inTile = m ? Number(m[1]) : NaN;
    const inCell = m ? Number(m[2]) : NaN;
    if (!m || inTile > inCell) throw new HipsCatalogError(`${name}: the Completeness comment must read 'n / N' with n <= N, got '#${c}'`);
    completeness = { inTile, inCell };
  }

  const headerCount = headerLine.text.split('\t').length;
  if (table.columns.length > headerCount) {
    const row = firstLongRow(text, headerLine.line, headerCount);
    throw new HipsCatalogError(`${name} line ${row?.line ?? '?'}: ${row?.fields ?? '?'} fields but the header has ${headerCount}`);
  }
  if (completeness && completeness.inTile !== table.nrows) {
    throw new HipsCatalogError(`${name}: the Completeness comment says ${completeness.inTile} rows, the tile has ${table.nrows}`);
  }

  if (metadata) {
    const missing = metadata.fields.filter((f) => !table.byName[f.name]).map((f) => f.name);
    if (missing.length > 0) throw new HipsCatalogError(`${name} line ${headerLine.line}: the header lacks ${missing.join(', ')} of metadata.xml (it has ${table.columns.map((c) => c.name).join(', ')})`);
    for (const f of metadata.fields) describeColumn(table.byName[f.name], f);
  }
  const raName = metadata?.raColumn;
  const decName = metadata?.decColumn;
  const pos = findPositionColumns(raName && decName ? onlyColumns(table, [raName, decName]) : table);
  if (!pos) throw new HipsCatalogError(`${name}: no RA/Dec columns among ${table.columns.map((c) => c.name).join(', ')}`);
  for (let i = 0; i < table.nrows; i++) {
    if (!Number.isFinite(pos.raDeg[i]) || !Number.isFinite(pos.decDeg[i]) || Math.abs(pos.decDeg[i]) > 90) {
      throw new HipsCatalogError(`${name} line ${headerLine.line + 1 + i}: row ${i + 1} has no valid position (${pos.ra} = ${cellText(table.byName[pos.ra], i)}, ${pos.dec} = ${cellText(table.byName[pos.dec], i)})`);
    }
  }
  return {
    order, ipix, table, raDeg: pos.raDeg, decDeg: pos.decDeg, completeness,
    mayHaveChildren: completeness ? completeness.inTile < completeness.inCell : true,
  };
}

/**
 * Tiles to read for a view that shows `cells` (NESTED, at `order`): every ancestor from
 * `orderMin` up, lowest order first, then the cells themselves; each tile once. Tiles whose
 * parent is known to be complete (`isComplete(order, ipix)` true) are left out, with their
 * descendants.
 */
export function catalogTilesFor(order: number, cells: Iterable<number>, orderMin: number,
  isComplete: (order: number, ipix: number) => boolean = () => false): TileId[] {
  if (!Number.isInteger(order) || order < 0 || order > 24) throw new RangeError(`order must be an integer in 0..24, got ${order}`);
  if (!Number.isInteger(orderMin) || orderMin < 0 || orderMin > order) throw new RangeError(`orderMin must be an integer in 0..${order}, got ${orderMin}`);
  const perOrder: Array<Set<number>> = [];
  for (let k = orderMin; k <= order; k++) perOrder.push(new Set());
  for (const cell of cells) {
    for (let k = order, p = cell; k >= orderMin; k--, p = Math.floor(p / 4)) perOrder[k - orderMin].add(p);
  }
  const out: TileId[] = [];
  const complete = new Set<number>(); // NUNIQ keys of tiles whose descendants are not needed
  for (let k = orderMin; k <= order; k++) {
    for (const ipix of [...perOrder[k - orderMin]].sort((a, b) => a - b)) {
      if (k > orderMin && complete.has(4 * 4 ** (k - 1) + Math.floor(ipix / 4))) {
        complete.add(4 * 4 ** k + ipix);
        continue;
      }
      out.push({ order: k, ipix });
      if (isComplete(k, ipix)) complete.add(4 * 4 ** k + ipix);
    }
  }
  return out;
}

function describeColumn(c: Column, f: HipsCatalogField): void {
  if (f.unit) c.unit = f.unit;
  if (f.ucd) c.ucd = f.ucd;
  if (f.description) c.description = f.description;
}

function onlyColumns(table: Table, names: string[]): Table {
  const columns = names.map((n) => table.byName[n]);
  return { ...table, columns, byName: Object.fromEntries(columns.map((c) => [c.name, c])) };
}

function cellText(c: Column, row: number): string {
  const v = (c.values as ArrayLike<unknown>)[row];
  return c.nulls?.[row] ? '(empty)' : `'${String(v)}'`;
}

/** The first line that is neither blank nor a '#' comment, with its 1-based number. */
function firstDataLine(text: string): { line: number; text: string } | undefined {
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t.length > 0 && !t.startsWith('#')) return { line: i + 1, text: lines[i] };
  }
  return undefined;
}

function firstLongRow(text: string, headerLine: number, count: number): { line: number; fields: number } | undefined {
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = headerLine; i < lines.length; i++) {
    const n = lines[i].split('\t').length;
    if (n > count) return { line: i + 1, fields: n };
  }
  return undefined;
}
