// Space MOC (MOC 2.0 S-MOC): a set of HEALPix NESTED cells, stored as sorted disjoint ranges
// [start, end) of order-29 cell indices in a BigUint64Array (see ranges.ts for why), plus the
// MOC order (`maxOrder`, 0..29): every range bound is a multiple of 4^(29 − maxOrder).
// Set operations are one linear merge over the two range lists.
import { ang2pixBig } from '../healpixBig.js';
import { queryDiscBig, queryPolygonBig, type QueryOptions } from '../healpixQuery.js';
import { formatAscii, parseAsciiSections } from './ascii.js';
import { MocParseError } from './errors.js';
import { readFitsMocColumn, writeFitsMoc, type FitsMocColumn } from './fits.js';
import { formatJson, parseJsonSections } from './json.js';
import * as R from './ranges.js';
import { SPACE_DEPTH, checkSectionOrder, sectionRanges, type Section } from './sections.js';

const NPIX29 = 12n << 58n;
/** Square degrees on the whole sphere: 4π (180/π)². */
const SKY_SQ_DEG = 129600 / Math.PI;

function checkOrder(order: number, what: string): void {
  if (!Number.isInteger(order) || order < 0 || order > SPACE_DEPTH) {
    throw new RangeError(`${what}: MOC order must be an integer in 0..29, got ${String(order)}`);
  }
}

function toBigIndex(v: number | bigint, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw new RangeError(`${what} must be an integer (number or bigint), got ${String(v)}`);
}

/** Cells per order 0..29 -> bigint uniq = 4·4^order + ipix (ascending). */
function uniqOf(perOrder: readonly (readonly bigint[])[]): BigUint64Array {
  let n = 0;
  for (const cells of perOrder) n += cells.length;
  const out = new BigUint64Array(n);
  let k = 0;
  perOrder.forEach((cells, o) => {
    const base = 4n << BigInt(2 * o);
    for (const c of cells) out[k++] = base + c;
  });
  return out;
}

/** Decodes uniq values (any order) into order-29 ranges; `where(i)` names the offending entry. */
export function uniqToRanges(uniq: ArrayLike<bigint>, where: (i: number) => string): { ranges: R.Ranges; deepest: number } {
  const n = uniq.length;
  const starts = new BigUint64Array(n);
  const ends = new BigUint64Array(n);
  let deepest = 0;
  for (let i = 0; i < n; i++) {
    const u = uniq[i];
    if (u < 4n) throw new MocParseError(`uniq ${u} is below 4 (no HEALPix cell)`, where(i));
    const order = (R.log2Floor(u) >> 1) - 1;
    if (order > SPACE_DEPTH) throw new MocParseError(`uniq ${u} is deeper than order 29`, where(i));
    const ipix = u - (4n << BigInt(2 * order));
    if (ipix >= 12n << BigInt(2 * order)) {
      throw new MocParseError(`uniq ${u} is not a valid cell (ipix ${ipix} ≥ 12·4^${order})`, where(i));
    }
    const shift = BigInt(2 * (SPACE_DEPTH - order));
    starts[i] = ipix << shift;
    ends[i] = (ipix + 1n) << shift;
    if (order > deepest) deepest = order;
  }
  return { ranges: R.normalize(starts, ends), deepest };
}

export class SpaceMoc {
  /** Deepest HEALPix order of a MOC. */
  static readonly DEPTH = SPACE_DEPTH;

  /** MOC order (resolution): 0..29. */
  readonly maxOrder: number;
  /** Sorted disjoint [start, end) pairs of order-29 indices, flattened; do not modify. */
  readonly ranges: BigUint64Array;

  private constructor(ranges: R.Ranges, maxOrder: number) {
    this.ranges = ranges;
    this.maxOrder = maxOrder;
  }

  /** @internal canonical ranges already aligned to maxOrder */
  static fromCanonical(ranges: R.Ranges, maxOrder: number): SpaceMoc {
    return new SpaceMoc(ranges, maxOrder);
  }

  static empty(maxOrder = SPACE_DEPTH): SpaceMoc {
    checkOrder(maxOrder, 'SpaceMoc.empty');
    return new SpaceMoc(R.EMPTY, maxOrder);
  }

  static allSky(maxOrder = 0): SpaceMoc {
    checkOrder(maxOrder, 'SpaceMoc.allSky');
    return new SpaceMoc(BigUint64Array.of(0n, NPIX29), maxOrder);
  }

  /**
   * From [start, end) ranges of order-29 indices (any order, overlaps allowed). With
   * maxOrder < 29 the ranges are widened to whole cells of that order.
   */
  static fromRanges(
    ranges: BigUint64Array | Iterable<readonly [number | bigint, number | bigint]>,
    maxOrder = SPACE_DEPTH,
  ): SpaceMoc {
    checkOrder(maxOrder, 'SpaceMoc.fromRanges');
    let flat: bigint[];
    if (ranges instanceof BigUint64Array) {
      if (ranges.length % 2 !== 0) throw new RangeError(`SpaceMoc.fromRanges: odd number of bounds (${ranges.length})`);
      flat = Array.from(ranges);
    } else {
      flat = [];
      for (const pair of ranges) {
        flat.push(toBigIndex(pair[0], 'range start'), toBigIndex(pair[1], 'range end'));
      }
    }
    const n = flat.length / 2;
    const starts = new BigUint64Array(n);
    const ends = new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      const s = flat[2 * i];
      const e = flat[2 * i + 1];
      if (s < 0n || e > NPIX29 || s > e) {
        throw new RangeError(`SpaceMoc.fromRanges: range [${s}, ${e}) is not inside [0, ${NPIX29})`);
      }
      starts[i] = s;
      ends[i] = e;
    }
    const r = R.normalize(starts, ends);
    return new SpaceMoc(R.coarsen(r, 2 * (SPACE_DEPTH - maxOrder)), maxOrder);
  }

  /** The cells `ipix` (number or bigint) of one order; the MOC order is `order`. */
  static fromCells(order: number, ipix: Iterable<number | bigint>): SpaceMoc {
    checkOrder(order, 'SpaceMoc.fromCells');
    const total = 12n << BigInt(2 * order);
    const shift = BigInt(2 * (SPACE_DEPTH - order));
    const starts: bigint[] = [];
    for (const v of ipix) {
      const p = toBigIndex(v, 'SpaceMoc.fromCells: ipix');
      if (p < 0n || p >= total) {
        throw new RangeError(`SpaceMoc.fromCells: ipix must be in 0..${total - 1n} at order ${order}, got ${p}`);
      }
      starts.push(p << shift);
    }
    const s = BigUint64Array.from(starts);
    const e = s.map((x) => x + (1n << shift));
    return new SpaceMoc(R.normalize(s, e), order);
  }

  /** From NUNIQ values (4·4^order + ipix); MOC order = maxOrder or the deepest cell's. */
  static fromUniq(uniq: Iterable<number | bigint>, maxOrder?: number): SpaceMoc {
    const values = Array.from(uniq, (u) => toBigIndex(u, 'uniq'));
    let decoded: { ranges: R.Ranges; deepest: number };
    try {
      decoded = uniqToRanges(values, (i) => `element ${i}`);
    } catch (e) {
      if (e instanceof MocParseError) throw new RangeError(`SpaceMoc.fromUniq: ${e.message}`);
      throw e;
    }
    const order = maxOrder ?? decoded.deepest;
    checkOrder(order, 'SpaceMoc.fromUniq');
    return new SpaceMoc(R.coarsen(decoded.ranges, 2 * (SPACE_DEPTH - order)), order);
  }

  /** Cells of `order` covering the cone; inclusive (overlapping cells) by default. */
  static fromCone(order: number, lonDeg: number, latDeg: number, radiusDeg: number, options: QueryOptions = {}): SpaceMoc {
    checkOrder(order, 'SpaceMoc.fromCone');
    const list = queryDiscBig(order, lonDeg, latDeg, radiusDeg, { inclusive: options.inclusive ?? true });
    return SpaceMoc.fromQuery(order, list);
  }

  /** Cells of `order` covering the polygon (queryPolygon rules); inclusive by default. */
  static fromPolygon(order: number, verticesDeg: ReadonlyArray<readonly [number, number]>, options: QueryOptions = {}): SpaceMoc {
    checkOrder(order, 'SpaceMoc.fromPolygon');
    const list = queryPolygonBig(order, verticesDeg, { inclusive: options.inclusive ?? true });
    return SpaceMoc.fromQuery(order, list);
  }

  private static fromQuery(order: number, list: Array<[bigint, bigint]>): SpaceMoc {
    const shift = BigInt(2 * (SPACE_DEPTH - order));
    const out = new BigUint64Array(list.length * 2);
    list.forEach(([s, e], i) => {
      out[2 * i] = s << shift;
      out[2 * i + 1] = e << shift;
    });
    return new SpaceMoc(out, order); // queries return sorted, non-adjacent ranges
  }

  /** The cells of `order` containing the given [lonDeg, latDeg] positions. */
  static fromPositions(order: number, positions: Iterable<readonly [number, number]>): SpaceMoc {
    checkOrder(order, 'SpaceMoc.fromPositions');
    const cells: bigint[] = [];
    for (const p of positions) cells.push(ang2pixBig(order, p[0], p[1]));
    return SpaceMoc.fromCells(order, cells);
  }

  // ------------------------------------------------------------------------------------------
  // set operations (result order: the deeper of the two)

  union(other: SpaceMoc): SpaceMoc {
    return new SpaceMoc(R.union(this.ranges, other.ranges), Math.max(this.maxOrder, other.maxOrder));
  }

  intersection(other: SpaceMoc): SpaceMoc {
    return new SpaceMoc(R.intersection(this.ranges, other.ranges), Math.max(this.maxOrder, other.maxOrder));
  }

  difference(other: SpaceMoc): SpaceMoc {
    return new SpaceMoc(R.difference(this.ranges, other.ranges), Math.max(this.maxOrder, other.maxOrder));
  }

  complement(): SpaceMoc {
    return new SpaceMoc(R.complement(this.ranges, NPIX29), this.maxOrder);
  }

  /** The same coverage at a coarser order: every partly covered cell of `order` is covered. */
  degrade(order: number): SpaceMoc {
    checkOrder(order, 'SpaceMoc.degrade');
    if (order >= this.maxOrder) return this;
    return new SpaceMoc(R.coarsen(this.ranges, 2 * (SPACE_DEPTH - order)), order);
  }

  // ------------------------------------------------------------------------------------------
  // queries

  isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  get rangeCount(): number {
    return this.ranges.length / 2;
  }

  /** Whether the direction lies in a covered cell. */
  contains(lonDeg: number, latDeg: number): boolean {
    return R.containsValue(this.ranges, ang2pixBig(SPACE_DEPTH, lonDeg, latDeg));
  }

  /** Covered fraction of the sphere (= Σ 4^−order / 12 over the cells). */
  skyFraction(): number {
    return Number(R.measure(this.ranges)) / Number(NPIX29);
  }

  areaSqDeg(): number {
    return this.skyFraction() * SKY_SQ_DEG;
  }

  /** Same cells and same MOC order. */
  equals(other: SpaceMoc): boolean {
    return this.maxOrder === other.maxOrder && R.equalRanges(this.ranges, other.ranges);
  }

  /** The canonical (minimal NUNIQ) cell list: one entry per order that has cells, ascending. */
  toCells(): Array<{ order: number; cells: bigint[] }> {
    const per = R.toCellsPerOrder(this.ranges, SPACE_DEPTH, 2);
    const out: Array<{ order: number; cells: bigint[] }> = [];
    per.forEach((cells, order) => {
      if (cells.length > 0) out.push({ order, cells });
    });
    return out;
  }

  /** NUNIQ values of the canonical cells, ascending. */
  toUniq(): BigUint64Array {
    return uniqOf(R.toCellsPerOrder(this.ranges, SPACE_DEPTH, 2));
  }

  // ------------------------------------------------------------------------------------------
  // serialisation

  /** `1/1 2 4 2/12-14 21 23 25 8/` (canonical). */
  toAscii(): string {
    return formatAscii(R.toCellsPerOrder(this.ranges, SPACE_DEPTH, 2), this.maxOrder);
  }

  /** `{"1":[1,2,4],"2":[12,13,14,21,23,25],"8":[]}`. */
  toJson(): string {
    return formatJson(R.toCellsPerOrder(this.ranges, SPACE_DEPTH, 2), this.maxOrder);
  }

  /** FITS file: NUNIQ (default; TFORM 1J below order 14, else 1K) or RANGE packaging. */
  toFits(options: { ordering?: 'NUNIQ' | 'RANGE' } = {}): Uint8Array {
    const ordering = options.ordering ?? 'NUNIQ';
    if (ordering === 'RANGE') {
      return writeFitsMoc({ dim: 'SPACE', ordering, values: this.ranges, type: 'K', orderS: this.maxOrder });
    }
    if (ordering !== 'NUNIQ') throw new RangeError(`ordering must be 'NUNIQ' or 'RANGE', got ${String(ordering)}`);
    return writeFitsMoc({
      dim: 'SPACE',
      ordering,
      values: this.toUniq(),
      type: this.maxOrder < 14 ? 'J' : 'K',
      orderS: this.maxOrder,
    });
  }

  static fromAscii(text: string): SpaceMoc {
    return SpaceMoc.fromSections(parseAsciiSections(text));
  }

  static fromJson(text: string): SpaceMoc {
    return SpaceMoc.fromSections(parseJsonSections(text));
  }

  /** @internal */
  static fromSections(sections: Section[]): SpaceMoc {
    const s = sections[0];
    if (sections.length !== 1 || s.dim === 't') {
      throw new MocParseError('this is a time or space-time MOC, not a space MOC (use readMoc)', s.where);
    }
    return SpaceMoc.fromSection(s);
  }

  /** @internal */
  static fromSection(s: Section, maxOrder?: number): SpaceMoc {
    const ranges = sectionRanges(s, 's');
    const order = maxOrder ?? checkSectionOrder(s, 's');
    return new SpaceMoc(R.coarsen(ranges, 2 * (SPACE_DEPTH - Math.max(order, 0))), order);
  }

  static fromFits(bytes: ArrayBufferLike | ArrayBufferView): SpaceMoc {
    const col = readFitsMocColumn(bytes);
    if (col.dim !== 'SPACE') {
      throw new MocParseError(`MOCDIM = '${col.dim}' is not a space MOC (use readMoc)`, 'keyword MOCDIM');
    }
    return SpaceMoc.fromFitsColumn(col);
  }

  /** @internal */
  static fromFitsColumn(col: FitsMocColumn): SpaceMoc {
    if (col.ordering === 'NUNIQ') {
      const { ranges, deepest } = uniqToRanges(col.values, (i) => `row ${i + 1}`);
      const order = Math.max(col.orderS ?? deepest, deepest);
      if (order > SPACE_DEPTH) throw new MocParseError(`MOCORD_S = ${order} is deeper than 29`, 'keyword MOCORD_S');
      return new SpaceMoc(ranges, order);
    }
    const ranges = spaceRangesFromColumn(col.values, 0, col.values.length);
    const order = col.orderS ?? SPACE_DEPTH;
    return SpaceMoc.checkedRanges(ranges, order, 'keyword MOCORD_S');
  }

  /** @internal ranges read from a file: the MOC order must be valid and the bounds aligned. */
  static checkedRanges(ranges: R.Ranges, order: number, where: string): SpaceMoc {
    if (order > SPACE_DEPTH) throw new MocParseError(`space MOC order ${order} is deeper than 29`, where);
    if (!R.isAligned(ranges, 2 * (SPACE_DEPTH - order))) {
      throw new MocParseError(`space ranges are not whole cells of the MOC order ${order}`, where);
    }
    return new SpaceMoc(ranges, order);
  }
}

/** Space RANGE pairs from values[from..to): validated, normalised. */
export function spaceRangesFromColumn(values: BigUint64Array, from: number, to: number): R.Ranges {
  if ((to - from) % 2 !== 0) throw new MocParseError('odd number of range bounds', `row ${to}`);
  const n = (to - from) / 2;
  const starts = new BigUint64Array(n);
  const ends = new BigUint64Array(n);
  for (let k = 0; k < n; k++) {
    const s = values[from + 2 * k];
    const e = values[from + 2 * k + 1];
    if (!(s < e) || e > NPIX29) {
      throw new MocParseError(`space range [${s}, ${e}) is empty or beyond 12·4^29`, `row ${from + 2 * k + 1}`);
    }
    starts[k] = s;
    ends[k] = e;
  }
  return R.normalize(starts, ends);
}
