// A space MOC as a fast "does this HEALPix cell touch the coverage?" test for tile selection:
// the MOC's ranges widened to whole order-24 cells and kept as float64 (exact: 12·4^24 < 2^53),
// searched by bisection, so a test costs O(log ranges) with no bigint work per frame.
import type { SpaceMoc } from './moc/spaceMoc.js';

/** Deepest order the test works at (cells deeper than this are tested through their order-24 ancestor). */
export const COVERAGE_ORDER = 24;

/** What tile selection asks of a coverage (a CellCoverage, or any other answer to the question). */
export interface CellFilter {
  /** False only when the cell (NESTED, `order` 0..29) certainly holds no covered point. */
  intersects(order: number, ipix: number): boolean;
}

export class CellCoverage implements CellFilter {
  /** Range starts and ends, order-24 indices, sorted and disjoint. */
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;

  private constructor(starts: Float64Array, ends: Float64Array) {
    this.starts = starts;
    this.ends = ends;
  }

  static fromMoc(moc: SpaceMoc): CellCoverage {
    const r = moc.degrade(COVERAGE_ORDER).ranges;
    const n = r.length / 2;
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    const shift = BigInt(2 * (29 - COVERAGE_ORDER));
    let m = 0;
    for (let i = 0; i < n; i++) {
      const s = Number(r[2 * i] >> shift);
      const e = Number((r[2 * i + 1] + (1n << shift) - 1n) >> shift);
      if (m > 0 && s <= ends[m - 1]) ends[m - 1] = Math.max(ends[m - 1], e); // ranges that touch after widening
      else {
        starts[m] = s;
        ends[m] = e;
        m++;
      }
    }
    return new CellCoverage(starts.slice(0, m), ends.slice(0, m));
  }

  /** Number of disjoint order-24 ranges. */
  get rangeCount(): number {
    return this.starts.length;
  }

  intersects(order: number, ipix: number): boolean {
    if (!(order >= 0 && order <= 29 && Number.isInteger(order))) throw new RangeError(`order must be an integer in 0..29, got ${order}`);
    let lo: number;
    let hi: number;
    if (order <= COVERAGE_ORDER) {
      const f = 4 ** (COVERAGE_ORDER - order);
      lo = ipix * f;
      hi = lo + f;
    } else {
      lo = Math.floor(ipix / 4 ** (order - COVERAGE_ORDER));
      hi = lo + 1;
    }
    // first range whose end is after lo
    let a = 0;
    let b = this.ends.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (this.ends[mid] <= lo) a = mid + 1;
      else b = mid;
    }
    return a < this.starts.length && this.starts[a] < hi;
  }
}
