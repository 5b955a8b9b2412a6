// Time MOC (MOC 2.0 T-MOC): ranges [start, end) of order-61 time cells (1 µs, counted from
// JD 0 in TCB), orders 0..61 (one bit per order), in a BigUint64Array like SpaceMoc.
import { formatAscii, parseAsciiSections } from './ascii.js';
import { MocParseError } from './errors.js';
import { readFitsMocColumn, writeFitsMoc, type FitsMocColumn } from './fits.js';
import { formatJson, parseJsonSections } from './json.js';
import * as R from './ranges.js';
import { TIME_DEPTH, checkSectionOrder, sectionRanges, type Section } from './sections.js';

const TMAX = 1n << 61n;

export class TimeMoc {
  static readonly DEPTH = TIME_DEPTH;

  /** MOC order (time resolution 2^(61 − maxOrder) µs): 0..61. */
  readonly maxOrder: number;
  /** Sorted disjoint [start, end) pairs in µs (order 61), flattened; do not modify. */
  readonly ranges: BigUint64Array;

  private constructor(ranges: R.Ranges, maxOrder: number) {
    this.ranges = ranges;
    this.maxOrder = maxOrder;
  }

  /** From [start, end) µs ranges (any order, overlaps allowed), widened to maxOrder cells. */
  static fromRanges(ranges: Iterable<readonly [bigint, bigint]>, maxOrder = TIME_DEPTH): TimeMoc {
    if (!Number.isInteger(maxOrder) || maxOrder < 0 || maxOrder > TIME_DEPTH) {
      throw new RangeError(`TimeMoc order must be an integer in 0..61, got ${String(maxOrder)}`);
    }
    const s: bigint[] = [];
    const e: bigint[] = [];
    for (const [a, b] of ranges) {
      if (typeof a !== 'bigint' || typeof b !== 'bigint' || a < 0n || b > TMAX || a > b) {
        throw new RangeError(`TimeMoc range [${String(a)}, ${String(b)}) is not inside [0, 2^61)`);
      }
      s.push(a);
      e.push(b);
    }
    const r = R.normalize(BigUint64Array.from(s), BigUint64Array.from(e));
    return new TimeMoc(R.coarsen(r, TIME_DEPTH - maxOrder), maxOrder);
  }

  isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Covered time in µs. */
  durationMicroseconds(): bigint {
    return R.measure(this.ranges);
  }

  /** Whether the instant `us` (µs since JD 0, TCB) is covered. */
  contains(us: bigint): boolean {
    return R.containsValue(this.ranges, us);
  }

  union(o: TimeMoc): TimeMoc {
    return new TimeMoc(R.union(this.ranges, o.ranges), Math.max(this.maxOrder, o.maxOrder));
  }

  intersection(o: TimeMoc): TimeMoc {
    return new TimeMoc(R.intersection(this.ranges, o.ranges), Math.max(this.maxOrder, o.maxOrder));
  }

  difference(o: TimeMoc): TimeMoc {
    return new TimeMoc(R.difference(this.ranges, o.ranges), Math.max(this.maxOrder, o.maxOrder));
  }

  equals(o: TimeMoc): boolean {
    return this.maxOrder === o.maxOrder && R.equalRanges(this.ranges, o.ranges);
  }

  /** Canonical cells per order (orders with cells only). */
  toCells(): Array<{ order: number; cells: bigint[] }> {
    const out: Array<{ order: number; cells: bigint[] }> = [];
    R.toCellsPerOrder(this.ranges, TIME_DEPTH, 1).forEach((cells, order) => {
      if (cells.length > 0) out.push({ order, cells });
    });
    return out;
  }

  /** `t31/1 32/4 35/` (with the 't' prefix unless `prefix` is false). */
  toAscii(prefix = true): string {
    return formatAscii(R.toCellsPerOrder(this.ranges, TIME_DEPTH, 1), this.maxOrder, prefix ? 't' : '');
  }

  toJson(): string {
    return `{"t":${formatJson(R.toCellsPerOrder(this.ranges, TIME_DEPTH, 1), this.maxOrder)}}`;
  }

  /** FITS RANGE packaging (MOCDIM = 'TIME'). */
  toFits(): Uint8Array {
    return writeFitsMoc({ dim: 'TIME', ordering: 'RANGE', values: this.ranges, type: 'K', orderT: this.maxOrder });
  }

  /** ASCII T-MOC; cells without a prefix are read as time cells. */
  static fromAscii(text: string): TimeMoc {
    return TimeMoc.fromSections(parseAsciiSections(text));
  }

  static fromJson(text: string): TimeMoc {
    return TimeMoc.fromSections(parseJsonSections(text));
  }

  /** @internal */
  static fromSections(sections: Section[]): TimeMoc {
    const s = sections[0];
    if (sections.length !== 1 || s.dim === 's') {
      throw new MocParseError('this is a space or space-time MOC, not a time MOC (use readMoc)', s.where);
    }
    return TimeMoc.fromSection(s);
  }

  /** @internal */
  static fromSection(s: Section, maxOrder?: number): TimeMoc {
    const ranges = sectionRanges(s, 't');
    const order = maxOrder ?? checkSectionOrder(s, 't');
    return new TimeMoc(R.coarsen(ranges, TIME_DEPTH - order), order);
  }

  static fromFits(bytes: ArrayBufferLike | ArrayBufferView): TimeMoc {
    const col = readFitsMocColumn(bytes);
    if (col.dim !== 'TIME') throw new MocParseError(`MOCDIM = '${col.dim}' is not a time MOC (use readMoc)`, 'keyword MOCDIM');
    return TimeMoc.fromFitsColumn(col);
  }

  /** @internal */
  static fromFitsColumn(col: FitsMocColumn): TimeMoc {
    return TimeMoc.checkedRanges(timeRangesFromColumn(col.values, 0, col.values.length, false), col.orderT ?? TIME_DEPTH, 'keyword MOCORD_T');
  }

  /** @internal */
  static checkedRanges(ranges: R.Ranges, order: number, where: string): TimeMoc {
    if (order > TIME_DEPTH) throw new MocParseError(`time MOC order ${order} is deeper than 61`, where);
    if (!R.isAligned(ranges, TIME_DEPTH - order)) {
      throw new MocParseError(`time ranges are not whole cells of the MOC order ${order}`, where);
    }
    return new TimeMoc(ranges, order);
  }
}

const MASK63 = (1n << 63n) - 1n;

/** Time RANGE pairs from values[from..to) (bit 63 removed when `masked`), validated, normalised. */
export function timeRangesFromColumn(values: BigUint64Array, from: number, to: number, masked: boolean): R.Ranges {
  if ((to - from) % 2 !== 0) throw new MocParseError('odd number of range bounds', `row ${to}`);
  const n = (to - from) / 2;
  const starts = new BigUint64Array(n);
  const ends = new BigUint64Array(n);
  for (let k = 0; k < n; k++) {
    const s = masked ? values[from + 2 * k] & MASK63 : values[from + 2 * k];
    const e = masked ? values[from + 2 * k + 1] & MASK63 : values[from + 2 * k + 1];
    if (!(s < e) || e > TMAX) {
      throw new MocParseError(`time range [${s}, ${e}) is empty or beyond 2^61`, `row ${from + 2 * k + 1}`);
    }
    starts[k] = s;
    ends[k] = e;
  }
  return R.normalize(starts, ends);
}
