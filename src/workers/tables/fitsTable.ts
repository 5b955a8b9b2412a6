// A FITS BINTABLE/TABLE extension as the common `Table` of the table readers: each FITS column
// becomes a VOTable-like field (TFORM -> datatype/arraysize, TUNIT -> unit, TUCD -> ucd) and is
// decoded by the same column builders as the FITS serialisation of VOTable.
import { readFits, type FitsFile, type FitsTable, type FitsColumn } from '../fits/index.js';
import { makeBuilder, kindOf, type BuildContext, type LongMode } from './cells.js';
import { ELEM_OF, parseArraySize, type FieldSpec } from './fieldspec.js';
import { emptyMeta, indexColumns, TableError, type Column, type Table, type VoDatatype } from './table.js';
import { fitsColumnInto } from './votable.js';

export interface FitsTableOptions {
  /** HDU index of the table (default: the first BINTABLE/TABLE that is not a compressed image). */
  hdu?: number;
  /** Memory limit passed to the FITS reader. */
  maxBytes?: number;
  longs?: LongMode;
}

/** VOTable datatype of a FITS column's decoded values. */
function datatypeOf(c: FitsColumn): VoDatatype {
  switch (c.valueType) {
    case 'logical':
      return 'boolean';
    case 'bit':
      return 'bit';
    case 'uint8':
      return 'unsignedByte';
    case 'int8':
    case 'int16':
      return 'short';
    case 'uint16':
    case 'int32':
      return 'int';
    case 'uint32':
    case 'int64':
    case 'uint64':
      return 'long';
    case 'float32':
      return 'float';
    case 'float64':
      return 'double';
    case 'complex64':
      return 'floatComplex';
    case 'complex128':
      return 'doubleComplex';
    default:
      return 'char';
  }
}

/** VOTable arraysize of a FITS column (undefined for one value per row). */
function arraysizeOf(c: FitsColumn): string | undefined {
  if (c.variableLength) return '*';
  if (c.valueType === 'string') {
    const width = c.dims?.[0] ?? c.repeat;
    return c.cellShape.length === 0 ? `${Math.max(1, width)}` : `${Math.max(1, width)}x${c.cellShape.join('x')}`;
  }
  return c.cellShape.length === 0 ? undefined : c.cellShape.join('x');
}

function fieldSpec(c: FitsColumn): FieldSpec {
  const datatype = datatypeOf(c);
  const arraysize = arraysizeOf(c);
  const spec: FieldSpec = {
    name: c.name || `col${c.index + 1}`,
    datatype,
    knownType: true,
    elem: ELEM_OF[datatype],
    array: arraysize === undefined ? null : (parseArraySize(arraysize) ?? null),
  };
  if (arraysize !== undefined) spec.arraysize = arraysize;
  if (c.unit) spec.unit = c.unit;
  if (c.ucd) spec.ucd = c.ucd;
  return spec;
}

/** Convert one decoded FITS table to a `Table` (columns as typed arrays, units and UCDs kept). */
export function fitsTableToTable(ft: FitsTable, name: string | undefined, options: { longs?: LongMode } = {}): Table {
  const warnings: string[] = [];
  const ctx: BuildContext = { warn: (m) => warnings.push(m), longs: options.longs ?? 'auto' };
  const columns: Column[] = ft.columns.map((fc, i) => {
    const spec = fieldSpec(fc);
    const b = makeBuilder(spec, ctx);
    fitsColumnInto(b, ft, i);
    const { values, nulls } = b.finish(ft.nrows);
    const col: Column = { name: spec.name, datatype: spec.datatype, kind: kindOf(spec), values };
    if (spec.arraysize !== undefined) col.arraysize = spec.arraysize;
    if (spec.unit !== undefined) col.unit = spec.unit;
    if (spec.ucd !== undefined) col.ucd = spec.ucd;
    if (nulls !== undefined) col.nulls = nulls;
    return col;
  });
  const meta = emptyMeta();
  for (const w of [...ft.warnings, ...warnings]) meta.infos.push({ name: 'warning', value: w, level: 'table' });
  const table: Table = { nrows: ft.nrows, columns, byName: indexColumns(columns), meta, format: 'fits', serialization: 'FITS' };
  if (name !== undefined) table.name = name;
  return table;
}

/** The first table HDU of a FITS file (or `options.hdu`) as a `Table`. Throws FitsError / TableError. */
export function parseFitsTable(bytes: Uint8Array, options: FitsTableOptions = {}): Table {
  const fits: FitsFile = readFits(bytes, options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {});
  const isTable = (i: number): boolean => {
    const h = fits.hdus[i];
    return h !== undefined && (h.type === 'bintable' || h.type === 'table') && !h.hasImage;
  };
  const index = options.hdu ?? fits.hdus.findIndex((_, i) => isTable(i));
  if (index < 0) throw new TableError('BAD_DATA', `the FITS file has no table extension (${fits.hdus.length} HDUs: ${fits.hdus.map((h) => h.type).join(', ')})`);
  if (!isTable(index)) throw new TableError('BAD_ARGUMENT', `HDU ${index} of the FITS file is not a table (${fits.hdus[index]?.type ?? 'missing'})`);
  const hdu = fits.hdus[index]!;
  return fitsTableToTable(hdu.readTable(), hdu.extname, options.longs !== undefined ? { longs: options.longs } : {});
}
