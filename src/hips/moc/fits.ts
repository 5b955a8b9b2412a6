// MOC FITS (STANDARDS.md A3): a BINTABLE with one integer column.
//  - NUNIQ (space only): uniq = 4·4^order + ipix, TFORM '1J' (MOC order < 14) or '1K'.
//  - RANGE (MOC 2.0): 'K' pairs [start, end) at the deepest order (29 space, 61 time), ascending.
//    TIME.SPACE: time ranges have bit 63 set (a mask, not a sign); each run of time ranges is
//    followed by the space ranges covered during those times.
// Keywords read: MOCDIM (SPACE when absent, for MOC 1.x files), ORDERING, MOCORD_S / MOCORD_T /
// MOCORDER, TFIELDS, TFORMn, TTYPEn, NAXIS1/2. The integer column (UNIQ / RANGE, or the only
// column) is decoded here from the data bytes (big-endian); other columns are skipped.
import { readFits, type FitsHdu } from '../../workers/fits/index.js';
import { MocParseError } from './errors.js';

export type FitsMocDim = 'SPACE' | 'TIME' | 'TIME.SPACE';
export type FitsOrdering = 'NUNIQ' | 'RANGE';

export interface FitsMocColumn {
  dim: FitsMocDim;
  ordering: FitsOrdering;
  /** The column's values as unsigned 64-bit patterns (J values are non-negative here). */
  values: BigUint64Array;
  /** MOCORD_S (or MOCORDER), MOCORD_T when present. */
  orderS: number | undefined;
  orderT: number | undefined;
}

const TFORM_WIDTH: Record<string, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };

function columnWidth(tform: string, key: string): number {
  const m = /^\s*(\d*)([LXBIJKAEDCMPQ])/.exec(tform);
  if (m === null) throw new MocParseError(`unsupported ${key} = '${tform}'`, `keyword ${key}`);
  const repeat = m[1] === '' ? 1 : Number(m[1]);
  if (m[2] === 'X') return Math.ceil(repeat / 8);
  return repeat * TFORM_WIDTH[m[2]];
}

function intKeyword(hdu: FitsHdu, key: string): number | undefined {
  const v = hdu.header.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new MocParseError(`${key} = ${JSON.stringify(v)} is not a non-negative integer`, `keyword ${key}`);
  }
  return v;
}

function strKeyword(hdu: FitsHdu, key: string): string | undefined {
  const v = hdu.header.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new MocParseError(`${key} = ${JSON.stringify(v)} is not a string`, `keyword ${key}`);
  return v.trim().toUpperCase();
}

/** Reads the MOC column of a FITS file. Throws MocParseError for anything that is not a MOC. */
export function readFitsMocColumn(bytes: ArrayBufferLike | ArrayBufferView): FitsMocColumn {
  let hdu: FitsHdu | undefined;
  try {
    const file = readFits(bytes);
    hdu = file.hdus.find((h) => h.type === 'bintable');
  } catch (e) {
    throw new MocParseError(`not a readable FITS file: ${(e as Error).message}`, 'FITS structure');
  }
  if (hdu === undefined) throw new MocParseError('no BINTABLE extension', 'FITS structure');
  const where = `HDU ${hdu.index}`;

  const dimRaw = strKeyword(hdu, 'MOCDIM') ?? 'SPACE';
  if (dimRaw !== 'SPACE' && dimRaw !== 'TIME' && dimRaw !== 'TIME.SPACE') {
    throw new MocParseError(`MOCDIM = '${dimRaw}' is not SPACE, TIME or TIME.SPACE`, 'keyword MOCDIM');
  }
  const dim: FitsMocDim = dimRaw;
  const orderingRaw = strKeyword(hdu, 'ORDERING') ?? (dim === 'SPACE' ? 'NUNIQ' : 'RANGE');
  if (orderingRaw !== 'NUNIQ' && orderingRaw !== 'RANGE') {
    throw new MocParseError(`ORDERING = '${orderingRaw}' is not NUNIQ or RANGE`, 'keyword ORDERING');
  }
  const ordering: FitsOrdering = orderingRaw;
  if (ordering === 'NUNIQ' && dim !== 'SPACE') {
    throw new MocParseError(`ORDERING = 'NUNIQ' is only defined for space MOCs (MOCDIM = '${dim}')`, 'keyword ORDERING');
  }

  const tfields = intKeyword(hdu, 'TFIELDS') ?? 0;
  const rowBytes = intKeyword(hdu, 'NAXIS1') ?? 0;
  const rows = intKeyword(hdu, 'NAXIS2') ?? 0;
  if (tfields < 1) throw new MocParseError('the table has no column (TFIELDS < 1)', 'keyword TFIELDS');
  // the column: the only one, else the one named UNIQ / RANGE, else the first
  let col = 1;
  if (tfields > 1) {
    for (let k = 1; k <= tfields; k++) {
      const name = strKeyword(hdu, `TTYPE${k}`);
      if (name === 'UNIQ' || name === 'RANGE') {
        col = k;
        break;
      }
    }
  }
  let offset = 0;
  for (let k = 1; k < col; k++) offset += columnWidth(hdu.header.getString(`TFORM${k}`) ?? '', `TFORM${k}`);
  const tform = (hdu.header.getString(`TFORM${col}`) ?? '').trim().toUpperCase();
  const m = /^(1?)([JK])$/.exec(tform);
  if (m === null) {
    throw new MocParseError(`TFORM${col} = '${tform}': a MOC column must be 1J or 1K`, `keyword TFORM${col}`);
  }
  const width = m[2] === 'J' ? 4 : 8;
  if (offset + width > rowBytes) {
    throw new MocParseError(`NAXIS1 = ${rowBytes} is too small for the columns`, 'keyword NAXIS1');
  }
  const data = hdu.dataBytes();
  if (data.length < rowBytes * rows) {
    throw new MocParseError(`data unit has ${data.length} bytes, NAXIS1·NAXIS2 needs ${rowBytes * rows}`, where);
  }
  // unsigned convention TZEROn = 2^63 for K: stored = value − 2^63, i.e. bit 63 flipped
  const tzero = hdu.header.getNumber(`TZERO${col}`);
  const flip = width === 8 && tzero !== undefined && Math.abs(tzero - 2 ** 63) < 2 ** 20 ? 1n << 63n : 0n;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const values = new BigUint64Array(rows);
  for (let r = 0; r < rows; r++) {
    const p = r * rowBytes + offset;
    if (width === 4) {
      const v = view.getInt32(p, false);
      if (v < 0) throw new MocParseError(`negative value ${v}`, `row ${r + 1}`);
      values[r] = BigInt(v);
    } else {
      values[r] = view.getBigUint64(p, false) ^ flip;
    }
  }
  const orderS = intKeyword(hdu, 'MOCORD_S') ?? intKeyword(hdu, 'MOCORDER');
  const orderT = intKeyword(hdu, 'MOCORD_T');
  return { dim, ordering, values, orderS, orderT };
}

// ---------------------------------------------------------------------------------------------
// writing

function card(key: string, value: string | number | boolean, comment?: string): string {
  let v: string;
  if (typeof value === 'string') v = `'${value.replace(/'/g, "''").padEnd(8)}'`.padEnd(20);
  else if (typeof value === 'boolean') v = (value ? 'T' : 'F').padStart(20);
  else v = String(value).padStart(20);
  let s = `${key.padEnd(8)}= ${v}`;
  if (comment !== undefined) s += ` / ${comment}`;
  return s.slice(0, 80).padEnd(80);
}

function block(cards: string[]): Uint8Array {
  const text = [...cards, 'END'.padEnd(80)].join('');
  const size = Math.ceil(text.length / 2880) * 2880;
  const out = new Uint8Array(size).fill(32);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

export interface FitsWriteSpec {
  dim: FitsMocDim;
  ordering: FitsOrdering;
  /** Column values (already masked for TIME.SPACE). */
  values: ArrayLike<bigint>;
  /** 'J' (32-bit) or 'K' (64-bit). */
  type: 'J' | 'K';
  orderS?: number;
  orderT?: number;
}

/** A complete FITS file: empty primary HDU + the MOC BINTABLE, each padded to 2880 bytes. */
export function writeFitsMoc(spec: FitsWriteSpec): Uint8Array {
  const width = spec.type === 'J' ? 4 : 8;
  const n = spec.values.length;
  const primary = block([
    card('SIMPLE', true, 'conforms to FITS standard'),
    card('BITPIX', 8),
    card('NAXIS', 0),
    card('EXTEND', true),
  ]);
  const cards = [
    card('XTENSION', 'BINTABLE', 'Multi-Order Coverage map'),
    card('BITPIX', 8),
    card('NAXIS', 2),
    card('NAXIS1', width),
    card('NAXIS2', n),
    card('PCOUNT', 0),
    card('GCOUNT', 1),
    card('TFIELDS', 1),
    card('TTYPE1', spec.ordering === 'NUNIQ' ? 'UNIQ' : 'RANGE'),
    card('TFORM1', `1${spec.type}`),
    card('MOCVERS', '2.0', 'MOC version'),
    card('MOCDIM', spec.dim, 'Physical dimension'),
    card('ORDERING', spec.ordering, spec.ordering === 'NUNIQ' ? 'NUNIQ coding method' : 'Range coding'),
  ];
  if (spec.dim !== 'TIME') cards.push(card('COORDSYS', 'C', 'Space reference frame (C = ICRS)'));
  if (spec.dim !== 'SPACE') cards.push(card('TIMESYS', 'TCB', 'Time reference system'));
  if (spec.orderT !== undefined) cards.push(card('MOCORD_T', spec.orderT, 'Time MOC resolution (best order)'));
  if (spec.orderS !== undefined) {
    cards.push(card('MOCORD_S', spec.orderS, 'Space MOC resolution (best order)'));
    if (spec.dim === 'SPACE') cards.push(card('MOCORDER', spec.orderS, '= MOCORD_S (MOC 1.x compatibility)'));
  }
  cards.push(card('MOCTOOL', 'esasky-sky', 'Name of the MOC generator'));
  const header = block(cards);
  const dataLen = n * width;
  const data = new Uint8Array(Math.ceil(dataLen / 2880) * 2880);
  const view = new DataView(data.buffer);
  for (let i = 0; i < n; i++) {
    if (width === 4) view.setInt32(i * 4, Number(spec.values[i]), false);
    else view.setBigUint64(i * 8, spec.values[i], false);
  }
  const out = new Uint8Array(primary.length + header.length + data.length);
  out.set(primary, 0);
  out.set(header, primary.length);
  out.set(data, primary.length + header.length);
  return out;
}
