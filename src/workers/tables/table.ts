/**
 * The common in-memory table of the table readers (VOTable, CSV/TSV): columns of typed arrays,
 * plain data only (no classes, no functions, no Maps in the table itself) so a table can be
 * posted from a Web Worker with structured clone, its buffers transferred (`tableTransferables`).
 *
 * Value layout of a column (`Column.kind`):
 *
 * | kind          | `values`                                  | null cells                              |
 * |---------------|-------------------------------------------|-----------------------------------------|
 * | `scalar`      | one typed array, `values[row]`            | float/double: NaN; integer, long,       |
 * |               |                                           | boolean, bit: `nulls[row] = 1` (value 0) |
 * | `string`      | `string[]`                                | `nulls[row] = 1` (value `''`) where a    |
 * |               |                                           | null is known (VALUES null, BINARY2)     |
 * | `array`       | one typed array per row (subarrays of one  | `nulls[row] = 1`, value an empty array   |
 * |               | buffer), row-major as serialised           |                                         |
 * | `stringArray` | `string[]` per row (char with 2-D size)    | `nulls[row] = 1`, value `[]`             |
 *
 * Typed arrays per datatype: boolean, bit, unsignedByte → Uint8Array (boolean 1/0; inside arrays
 * 2 marks a null element); short → Int16Array; int → Int32Array; float → Float32Array; double →
 * Float64Array; floatComplex / doubleComplex → Float32Array / Float64Array arrays of (re, im)
 * pairs (a complex scalar is an `array` column of length-2 rows); long → Float64Array when every
 * value is exactly representable (|v| ≤ 2^53), otherwise BigInt64Array (option `longs`).
 * TABLEDATA integers outside their datatype's range saturate with a warning (unsignedByte 256 →
 * 255, as astropy does). TABLEDATA char cells are trimmed (as astropy does); fixed-length char
 * cells longer than declared are kept whole. BINARY fixed-length char is cut at the first NUL
 * and trailing blanks are removed.
 */

/** VOTable primitive datatypes; CSV columns use 'int', 'long', 'double' and 'char'. */
export type VoDatatype =
  | 'boolean'
  | 'bit'
  | 'unsignedByte'
  | 'short'
  | 'int'
  | 'long'
  | 'char'
  | 'unicodeChar'
  | 'float'
  | 'double'
  | 'floatComplex'
  | 'doubleComplex';

export type NumericArray = Uint8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

export type ColumnKind = 'scalar' | 'string' | 'array' | 'stringArray';

export type ColumnValues = NumericArray | string[] | NumericArray[] | string[][];

export interface CooSys {
  id?: string;
  system?: string;
  equinox?: string;
  epoch?: string;
  refposition?: string;
}

export interface TimeSys {
  id?: string;
  timeorigin?: string;
  timescale?: string;
  refposition?: string;
}

export interface Column {
  name: string;
  datatype: VoDatatype;
  kind: ColumnKind;
  /** VOTable arraysize as written ('*', '10', '10x*'...); undefined for scalars. */
  arraysize?: string;
  unit?: string;
  ucd?: string;
  utype?: string;
  xtype?: string;
  id?: string;
  /** VOTable FIELD ref (often a COOSYS ID). */
  ref?: string;
  width?: number;
  precision?: string;
  description?: string;
  /** VALUES null as written (the sentinel of integer columns). */
  nullValue?: string;
  /** The COOSYS / TIMESYS that `ref` points to, if any. */
  coosys?: CooSys;
  timesys?: TimeSys;
  values: ColumnValues;
  /** 1 where the cell is null; absent when the column has no null cells (floats use NaN). */
  nulls?: Uint8Array;
}

export type ParamValue = number | bigint | string | boolean | NumericArray | null;

export interface TableParam {
  name: string;
  datatype: VoDatatype;
  /** The value attribute as written. */
  value: string;
  /** `value` decoded by datatype/arraysize (number, bigint for long beyond 2^53, string, boolean, typed array). */
  parsed: ParamValue;
  arraysize?: string;
  unit?: string;
  ucd?: string;
  utype?: string;
  xtype?: string;
  id?: string;
  ref?: string;
  description?: string;
  /** Where the PARAM was declared. */
  level: 'document' | 'resource' | 'table' | 'group';
}

export interface TableInfo {
  name: string;
  value: string;
  id?: string;
  /** Text content of the INFO element (trimmed). */
  content?: string;
  level: 'document' | 'resource' | 'table';
}

export interface TableGroup {
  name?: string;
  id?: string;
  ucd?: string;
  utype?: string;
  description?: string;
  fieldRefs: string[];
  paramRefs: string[];
  params: TableParam[];
  groups: TableGroup[];
}

export interface TableLink {
  href?: string;
  title?: string;
  contentRole?: string;
  contentType?: string;
  id?: string;
}

export interface TableMeta {
  /** VOTable: PARAMs in scope (document, enclosing resources, then the table's own). */
  params: TableParam[];
  /** VOTable: INFOs in scope (document, enclosing resources, then the table's own). */
  infos: TableInfo[];
  /** VOTable: every COOSYS of the document. */
  coosys: CooSys[];
  timesys: TimeSys[];
  groups: TableGroup[];
  links: TableLink[];
  /** Enclosing RESOURCE (innermost). */
  resource?: { name?: string; id?: string; type?: string; utype?: string };
  /** CSV/TSV: the delimiter used ('whitespace' for runs of blanks). */
  delimiter?: string;
  /** CSV/TSV: whether a header line / a units row was found. */
  header?: boolean;
  unitsRow?: boolean;
  /** CSV/TSV: the `#` comment lines (without the `#`). */
  comments?: string[];
}

export type TableFormat = 'votable' | 'csv' | 'fits';
export type Serialization = 'TABLEDATA' | 'BINARY' | 'BINARY2' | 'FITS' | 'none' | 'text';

export interface Table {
  name?: string;
  id?: string;
  description?: string;
  nrows: number;
  /** Columns in order. Names may repeat (VOTable does not forbid it); see `getColumn`. */
  columns: Column[];
  /** Column by name (first of a repeated name). */
  byName: Record<string, Column>;
  meta: TableMeta;
  format: TableFormat;
  serialization: Serialization;
}

export type TableErrorCode =
  /** The XML is not well formed (unterminated tag, mismatched end tag, bad attribute...). */
  | 'XML'
  /** The document's root element is not VOTABLE. */
  | 'NOT_VOTABLE'
  /** Data that cannot be decoded (truncated BINARY stream, bad base64, impossible sizes). */
  | 'BAD_DATA'
  /** A valid feature this reader does not decode (FITS serialisation, STREAM href, gzip). */
  | 'UNSUPPORTED'
  /** The service answered QUERY_STATUS=ERROR and the caller asked for it to throw. */
  | 'QUERY_ERROR'
  /** CSV/TSV that cannot be read (unterminated quoted field). */
  | 'BAD_DELIMITED'
  /** A caller-supplied argument is invalid. */
  | 'BAD_ARGUMENT';

export interface TableErrorLocation {
  /** Offset in the decoded text (UTF-16 code units). */
  offset?: number;
  /** 1-based line and column of `offset`. */
  line?: number;
  column?: number;
  /** The element being read (VOTable). */
  element?: string;
  /** Offset inside a decoded BINARY/BINARY2 stream. */
  byteOffset?: number;
  /** 0-based row and the field being decoded. */
  row?: number;
  field?: string;
}

/** Every problem the table readers detect in their input is a TableError. */
export class TableError extends Error {
  readonly code: TableErrorCode;
  readonly location: TableErrorLocation;

  constructor(code: TableErrorCode, message: string, location: TableErrorLocation = {}) {
    super(message + describeLocation(location));
    this.name = 'TableError';
    this.code = code;
    this.location = location;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Type guard usable across realms/bundles where `instanceof` may fail. */
export function isTableError(e: unknown): e is TableError {
  return e instanceof TableError || (e instanceof Error && e.name === 'TableError' && typeof (e as { code?: unknown }).code === 'string');
}

function describeLocation(loc: TableErrorLocation): string {
  const parts: string[] = [];
  if (loc.element !== undefined) parts.push(`in <${loc.element}>`);
  if (loc.line !== undefined) parts.push(`at line ${loc.line}, column ${loc.column ?? 0}`);
  else if (loc.offset !== undefined) parts.push(`at offset ${loc.offset}`);
  if (loc.row !== undefined) parts.push(`row ${loc.row + 1}`);
  if (loc.field !== undefined) parts.push(`field '${loc.field}'`);
  if (loc.byteOffset !== undefined) parts.push(`stream byte ${loc.byteOffset}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** 1-based line and column of an offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/** A column by name, else by VOTable ID, else by case-insensitive name. */
export function getColumn(table: Table, key: string): Column | undefined {
  if (Object.prototype.hasOwnProperty.call(table.byName, key)) return table.byName[key];
  const byId = table.columns.find((c) => c.id === key);
  if (byId) return byId;
  const lower = key.toLowerCase();
  return table.columns.find((c) => c.name.toLowerCase() === lower);
}

/** Build `byName` for a list of columns (first of a repeated name wins). */
export function indexColumns(columns: Column[]): Record<string, Column> {
  const byName: Record<string, Column> = Object.create(null) as Record<string, Column>;
  for (const c of columns) if (!Object.prototype.hasOwnProperty.call(byName, c.name)) byName[c.name] = c;
  return byName;
}

/** The distinct ArrayBuffers behind a table's columns: the transfer list for postMessage. */
export function tableTransferables(table: Table): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  const add = (a: unknown): void => {
    if (ArrayBuffer.isView(a) && a.buffer instanceof ArrayBuffer) set.add(a.buffer);
  };
  for (const c of table.columns) {
    add(c.nulls);
    if (c.kind === 'scalar') add(c.values);
    else if (c.kind === 'array') for (const v of c.values as NumericArray[]) add(v);
  }
  return [...set];
}

/** Whether a column holds one number per row (typed array). */
export function isNumericColumn(c: Column): c is Column & { values: NumericArray } {
  return c.kind === 'scalar';
}

export function emptyMeta(): TableMeta {
  return { params: [], infos: [], coosys: [], timesys: [], groups: [], links: [] };
}
