// The common shape of parsed ASCII / JSON MOCs before they become SpaceMoc / TimeMoc ranges:
// a list of sections (one for S-MOC or T-MOC, alternating t/s sections for ST-MOC), each a list
// of cell intervals [lo, hi] (inclusive) at some order, remembering where they were read.
import { MocParseError } from './errors.js';
import { normalize, type Ranges } from './ranges.js';

export type MocDim = 's' | 't';

export interface CellInterval {
  order: number;
  lo: bigint;
  hi: bigint;
  where: string;
}

export interface Section {
  /** 's' / 't' when the input said so, null when it did not (plain MOC). */
  dim: MocDim | null;
  items: CellInterval[];
  /** Deepest order mentioned in the section (cells or an empty "order/"), -1 if none. */
  maxOrder: number;
  where: string;
}

/** Deepest order and index bits per order for each dimension. */
export const SPACE_DEPTH = 29;
export const TIME_DEPTH = 61;

export function depthOf(dim: MocDim): number {
  return dim === 's' ? SPACE_DEPTH : TIME_DEPTH;
}

/** Number of cells at `order` in dimension `dim`. */
export function cellsAtOrder(dim: MocDim, order: number): bigint {
  return dim === 's' ? 12n << BigInt(2 * order) : 1n << BigInt(order);
}

/** Validates a section's cells for `dim` and returns canonical ranges at the deepest order. */
export function sectionRanges(section: Section, dim: MocDim): Ranges {
  const depth = depthOf(dim);
  const bitsPer = dim === 's' ? 2 : 1;
  const n = section.items.length;
  const starts = new BigUint64Array(n);
  const ends = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    const it = section.items[i];
    if (it.order > depth) {
      throw new MocParseError(`order ${it.order} is deeper than ${depth}, the deepest ${dim === 's' ? 'space' : 'time'} order`, it.where);
    }
    const total = cellsAtOrder(dim, it.order);
    if (it.lo > it.hi) throw new MocParseError(`range ${it.lo}-${it.hi} is reversed`, it.where);
    if (it.hi >= total) {
      throw new MocParseError(`cell ${it.hi} does not exist at order ${it.order} (0..${total - 1n})`, it.where);
    }
    const shift = BigInt((depth - it.order) * bitsPer);
    starts[i] = it.lo << shift;
    ends[i] = (it.hi + 1n) << shift;
  }
  return normalize(starts, ends);
}

export function checkSectionOrder(section: Section, dim: MocDim): number {
  const depth = depthOf(dim);
  if (section.maxOrder > depth) {
    throw new MocParseError(`order ${section.maxOrder} is deeper than ${depth}`, section.where);
  }
  return Math.max(0, section.maxOrder);
}
