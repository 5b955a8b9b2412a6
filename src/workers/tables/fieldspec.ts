/**
 * VOTable FIELD/PARAM descriptions as the decoders need them: normalised datatype, parsed
 * arraysize, element kind and null sentinel.
 */
import type { VoDatatype } from './table.js';

export type ElemKind = 'boolean' | 'bit' | 'u8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64' | 'c64' | 'c128' | 'char' | 'uchar';

export interface ArraySpec {
  /** Dimensions as written, first varies fastest; a trailing '*' dimension is not included. */
  dims: number[];
  /** Whether the last dimension is variable ('*' or 'n*'). */
  variable: boolean;
  /** Elements per item: product of the fixed dims (for a variable array: of all but the variable one). */
  block: number;
}

export interface FieldSpec {
  name: string;
  id?: string;
  datatype: VoDatatype;
  /** False when the datatype attribute was missing or unknown (read as char; BINARY cannot be decoded). */
  knownType: boolean;
  elem: ElemKind;
  /** Raw arraysize attribute. */
  arraysize?: string;
  /** Parsed arraysize (null for scalars). For char/unicodeChar the first dimension is the string length. */
  array: ArraySpec | null;
  unit?: string;
  ucd?: string;
  utype?: string;
  xtype?: string;
  ref?: string;
  width?: number;
  precision?: string;
  description?: string;
  nullValue?: string;
}

const DATATYPES: Record<string, VoDatatype> = {
  boolean: 'boolean',
  bit: 'bit',
  unsignedbyte: 'unsignedByte',
  short: 'short',
  int: 'int',
  long: 'long',
  char: 'char',
  unicodechar: 'unicodeChar',
  float: 'float',
  double: 'double',
  floatcomplex: 'floatComplex',
  doublecomplex: 'doubleComplex',
  // not VOTable, seen in the wild (astropy's regression.xml); read as their obvious meaning
  string: 'char',
  unicodestring: 'unicodeChar',
};

export const ELEM_OF: Record<VoDatatype, ElemKind> = {
  boolean: 'boolean',
  bit: 'bit',
  unsignedByte: 'u8',
  short: 'i16',
  int: 'i32',
  long: 'i64',
  char: 'char',
  unicodeChar: 'uchar',
  float: 'f32',
  double: 'f64',
  floatComplex: 'c64',
  doubleComplex: 'c128',
};

/** Bytes per element in BINARY (bit: special). */
export const ELEM_SIZE: Record<ElemKind, number> = {
  boolean: 1,
  bit: 0,
  u8: 1,
  i16: 2,
  i32: 4,
  i64: 8,
  f32: 4,
  f64: 8,
  c64: 8,
  c128: 16,
  char: 1,
  uchar: 2,
};

export function normaliseDatatype(raw: string | undefined): { datatype: VoDatatype; known: boolean } {
  if (raw === undefined) return { datatype: 'char', known: false };
  const d = DATATYPES[raw.trim().toLowerCase()];
  return d ? { datatype: d, known: true } : { datatype: 'char', known: false };
}

/**
 * Parse an arraysize: '*', 'n', 'n*', 'AxB', 'AxB*', 'Ax*'. Returns undefined when malformed.
 * 'n*' (a variable array of at most n) is read as variable.
 */
export function parseArraySize(raw: string): ArraySpec | undefined {
  const parts = raw.trim().split('x');
  const dims: number[] = [];
  let variable = false;
  for (let k = 0; k < parts.length; k++) {
    let p = parts[k].trim();
    if (p.endsWith('*')) {
      if (k !== parts.length - 1) return undefined;
      variable = true;
      p = p.slice(0, -1);
      if (p === '') break;
      if (!/^\d+$/.test(p)) return undefined;
      // 'n*' as the last dimension: variable with at most n; the block excludes it
      break;
    }
    if (!/^\d+$/.test(p)) return undefined;
    dims.push(Number(p));
  }
  let block = 1;
  for (const d of dims) block *= d;
  return { dims, variable, block };
}
