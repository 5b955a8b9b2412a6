// Catalogue rows as columns: validation of the input, numeric columns as float32 for the GPU, value
// ranges, the CPU twin of the GPU's range filters (used for counts and by tests), and whether a
// catalogue's per-row buffers fit a device's limits. Pure: no DOM, no GPU.

/** One column: numbers (any typed array listed) or strings (shown, never filtered on). */
export type ColumnData = Float64Array | Float32Array | Int32Array | string[];

/** A catalogue in columnar form: positions in ICRS degrees plus any named columns. */
export interface CatalogData {
  readonly raDeg: Float64Array | number[];
  readonly decDeg: Float64Array | number[];
  readonly columns?: Readonly<Record<string, ColumnData>>;
}

/** Keep rows whose value in `column` lies in [min, max] (both inclusive; a missing bound is open). NaN never passes. */
export interface RangeFilter {
  readonly column: string;
  readonly min?: number;
  readonly max?: number;
}

/** The GPU evaluates this many range filters at once (one uniform, no re-upload when they change). */
export const MAX_FILTERS = 4;

export class CatalogError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

/** Checks the shape of a catalogue and returns its row count; throws a CatalogError that says what is wrong. */
export function validateCatalog(data: CatalogData): number {
  if (!data || typeof data !== 'object') throw new CatalogError('a catalogue needs { raDeg, decDeg, columns? }');
  const n = data.raDeg?.length;
  if (typeof n !== 'number') throw new CatalogError('a catalogue needs raDeg (degrees, one value per row)');
  if (data.decDeg?.length !== n) {
    throw new CatalogError(`raDeg and decDeg must have the same length, got ${n} and ${data.decDeg?.length}`);
  }
  if (n > 0xfffffffe) throw new CatalogError(`a catalogue layer holds at most ${0xfffffffe} rows, got ${n}`);
  for (const [name, col] of Object.entries(data.columns ?? {})) {
    if (!col || typeof col.length !== 'number') throw new CatalogError(`column '${name}' is not an array`);
    if (col.length !== n) throw new CatalogError(`column '${name}' has ${col.length} values for ${n} rows`);
  }
  return n;
}

/** A numeric column as float32 (what the GPU filters, sizes and colours by). */
export function numericColumn(data: CatalogData, name: string): Float32Array {
  const col = data.columns?.[name];
  if (!col) {
    const known = Object.keys(data.columns ?? {});
    throw new CatalogError(`no column '${name}' in this catalogue${known.length ? ` (columns: ${known.join(', ')})` : ' (it has no columns)'}`);
  }
  if (col instanceof Float32Array) return col;
  if (col instanceof Float64Array || col instanceof Int32Array) return Float32Array.from(col);
  // strings: accept numeric text (e.g. B-V given as "0.482"), anything else becomes NaN
  const out = new Float32Array(col.length);
  let numeric = 0;
  for (let i = 0; i < col.length; i++) {
    const s = col[i];
    const v = typeof s === 'number' ? s : s === '' || s == null ? NaN : Number(s);
    out[i] = v;
    if (Number.isFinite(v)) numeric++;
  }
  if (col.length > 0 && numeric === 0) throw new CatalogError(`column '${name}' holds no numbers: sizes, colours and filters need a numeric column`);
  return out;
}

/** [min, max] of the finite values, or undefined when there are none. */
export function finiteRange(values: ArrayLike<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Checks a list of filters (at most MAX_FILTERS, numeric bounds, known columns). */
export function validateFilters(data: CatalogData, filters: readonly RangeFilter[]): void {
  if (!Array.isArray(filters)) throw new CatalogError('filters must be an array of { column, min?, max? }');
  if (filters.length > MAX_FILTERS) throw new CatalogError(`at most ${MAX_FILTERS} filters at once, got ${filters.length}`);
  for (const f of filters) {
    if (!f || typeof f.column !== 'string') throw new CatalogError('each filter needs a column name');
    if (!data.columns?.[f.column]) numericColumn(data, f.column); // throws the readable error
    for (const b of [f.min, f.max]) {
      if (b !== undefined && (typeof b !== 'number' || Number.isNaN(b))) throw new CatalogError(`filter bounds must be numbers, got ${String(b)} for '${f.column}'`);
    }
  }
}

/**
 * The GPU's bounds for a filter: float32 values compared with float32 bounds (a missing bound is
 * ±Infinity). Rounded outward so that a bound given in float64 keeps every value it admits.
 */
export function filterBounds(f: RangeFilter): [number, number] {
  return [f.min === undefined ? -Infinity : roundDown32(f.min), f.max === undefined ? Infinity : roundUp32(f.max)];
}

function roundDown32(x: number): number {
  const f = Math.fround(x);
  if (f <= x) return f;
  return nextDown32(f);
}

function roundUp32(x: number): number {
  const f = Math.fround(x);
  if (f >= x) return f;
  return -nextDown32(-f);
}

const scratch = new Float32Array(1);
const scratchBits = new Int32Array(scratch.buffer);
function nextDown32(f: number): number {
  if (f === 0) return -1.401298464324817e-45;
  scratch[0] = f;
  scratchBits[0] += f > 0 ? -1 : 1;
  return scratch[0];
}

/** The CPU twin of the GPU filter: does row `row` pass every filter over the given float32 columns? */
export function rowPasses(columns: readonly Float32Array[], bounds: readonly [number, number][], row: number): boolean {
  for (let k = 0; k < columns.length; k++) {
    const v = columns[k][row];
    if (!(v >= bounds[k][0] && v <= bounds[k][1])) return false;
  }
  return true;
}

/** Bytes per row of the largest per-row GPU buffers (rows, screen positions, 4 attribute slots). */
export const GPU_BYTES_PER_ROW = 16;

/**
 * Refuses, up front and with a message that says why, a catalogue whose per-row buffers exceed
 * what the device can bind (maxStorageBufferBindingSize, maxBufferSize): past it the bind groups
 * would be invalid and nothing would be drawn.
 */
export function checkRowsFitDevice(rows: number, limits: { readonly maxStorageBufferBindingSize: number; readonly maxBufferSize: number }): void {
  const maxBytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const maxRows = Math.floor(maxBytes / GPU_BYTES_PER_ROW);
  if (rows > maxRows) {
    const mib = (b: number) => (b / 2 ** 20).toFixed(0);
    throw new CatalogError(`a catalogue of ${rows} rows needs GPU buffers of ${mib(rows * GPU_BYTES_PER_ROW)} MiB, but this GPU device binds at most ${mib(maxBytes)} MiB per buffer (maxStorageBufferBindingSize/maxBufferSize): at most ${maxRows} rows per catalogue here; split it or serve it as a HiPS catalogue`);
  }
}
