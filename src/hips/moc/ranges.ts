// Range algebra for MOCs: sets of integers stored as sorted, disjoint, non-adjacent half-open
// ranges [start, end), flattened into a BigUint64Array [s0, e0, s1, e1, …].
//
// Why BigUint64Array: every MOC bound is an index at the deepest order (space: < 12·4^29 ≈ 2^61.6,
// time: < 2^61), beyond 2^53, so numbers cannot hold them. A BigUint64Array keeps them exact in
// 16 bytes per range (a bigint[] costs a heap object per bound), sorts natively (numeric
// order, no comparator), and its bytes map directly onto FITS 'K' columns. Reads yield bigint.
//
// Every binary operation is one merge pass over both boundary lists: O(n + m).

export type Ranges = BigUint64Array;

export const EMPTY: Ranges = new BigUint64Array(0);

/** Builds sorted disjoint ranges from arbitrary (unsorted, overlapping) [start, end) pairs. */
export function normalize(starts: BigUint64Array, ends: BigUint64Array): Ranges {
  // For a union of intervals, sorting starts and ends independently and sweeping a depth counter
  // is exact (the k-th smallest start and end need not belong to the same input interval).
  starts.sort();
  ends.sort();
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  let depth = 0;
  const n = starts.length;
  while (i < n || j < n) {
    // a start at the same point as an end is taken first, so touching ranges merge
    if (i < n && starts[i] <= ends[j]) {
      if (depth === 0) out.push(starts[i]);
      depth++;
      i++;
    } else {
      depth--;
      if (depth === 0) out.push(ends[j]);
      j++;
    }
  }
  return BigUint64Array.from(out);
}

/** Whether `r` is sorted, disjoint and non-adjacent with start < end everywhere. */
export function isCanonical(r: Ranges): boolean {
  if (r.length % 2 !== 0) return false;
  for (let i = 0; i < r.length; i += 2) {
    if (!(r[i] < r[i + 1])) return false;
    if (i > 0 && !(r[i - 1] < r[i])) return false;
  }
  return true;
}

/** Pairs (sorted by start, possibly overlapping or touching) -> canonical ranges, linear. */
export function mergeSorted(pairs: ArrayLike<bigint>): Ranges {
  const out: bigint[] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const s = pairs[i];
    const e = pairs[i + 1];
    if (!(s < e)) continue;
    const k = out.length;
    if (k > 0 && s <= out[k - 1]) {
      if (e > out[k - 1]) out[k - 1] = e;
    } else {
      out.push(s, e);
    }
  }
  return BigUint64Array.from(out);
}

const enum Op {
  Or,
  And,
  AndNot,
}

function combine(a: Ranges, b: Ranges, op: Op): Ranges {
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  let inA = false;
  let inB = false;
  let inside = false;
  const na = a.length;
  const nb = b.length;
  while (i < na || j < nb) {
    let x: bigint;
    if (j >= nb || (i < na && a[i] <= b[j])) x = a[i];
    else x = b[j];
    while (i < na && a[i] === x) {
      inA = !inA;
      i++;
    }
    while (j < nb && b[j] === x) {
      inB = !inB;
      j++;
    }
    const now = op === Op.Or ? inA || inB : op === Op.And ? inA && inB : inA && !inB;
    if (now !== inside) {
      out.push(x);
      inside = now;
    }
  }
  return BigUint64Array.from(out);
}

export function union(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return combine(a, b, Op.Or);
}

export function intersection(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return EMPTY;
  return combine(a, b, Op.And);
}

export function difference(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return a;
  return combine(a, b, Op.AndNot);
}

/** [0, total) minus r. */
export function complement(r: Ranges, total: bigint): Ranges {
  return combine(BigUint64Array.of(0n, total), r, Op.AndNot);
}

/** Widens every range to multiples of 2^bits (start down, end up) and merges. */
export function coarsen(r: Ranges, bits: number): Ranges {
  if (bits === 0) return r;
  const b = BigInt(bits);
  const pairs = new BigUint64Array(r.length);
  for (let i = 0; i < r.length; i += 2) {
    pairs[i] = (r[i] >> b) << b;
    pairs[i + 1] = ((r[i + 1] + (1n << b) - 1n) >> b) << b;
  }
  return mergeSorted(pairs);
}

/** Whether every bound of r is a multiple of 2^bits. */
export function isAligned(r: Ranges, bits: number): boolean {
  if (bits === 0) return true;
  const mask = (1n << BigInt(bits)) - 1n;
  for (let i = 0; i < r.length; i++) if ((r[i] & mask) !== 0n) return false;
  return true;
}

/** Whether the value v lies in one of the ranges (binary search). */
export function containsValue(r: Ranges, v: bigint): boolean {
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (v < r[2 * mid]) hi = mid - 1;
    else if (v >= r[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

export function equalRanges(a: Ranges, b: Ranges): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Total length of the ranges (exact). */
export function measure(r: Ranges): bigint {
  let s = 0n;
  for (let i = 0; i < r.length; i += 2) s += r[i + 1] - r[i];
  return s;
}

/** Number of trailing zero bits of v (v > 0), up to 64. */
function ctz(v: bigint): number {
  const lo = Number(v & 0xffffffffn);
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  const hi = Number((v >> 32n) & 0xffffffffn);
  if (hi !== 0) return 63 - Math.clz32(hi & -hi);
  return 64;
}

/** floor(log2(v)) for 0 < v < 2^64. */
export function log2Floor(v: bigint): number {
  const hi = Number(v >> 32n);
  if (hi > 0) return 63 - Math.clz32(hi);
  return 31 - Math.clz32(Number(v));
}

/**
 * Splits canonical ranges at depth `maxDepth` into the minimal list of cells of the hierarchy
 * where each level divides a cell into 2^bitsPerLevel children (2 for HEALPix, 1 for time):
 * returns, per order 0..maxDepth, the sorted cell indices at that order.
 */
export function toCellsPerOrder(r: Ranges, maxDepth: number, bitsPerLevel: number): bigint[][] {
  const perOrder: bigint[][] = Array.from({ length: maxDepth + 1 }, () => []);
  for (let i = 0; i < r.length; i += 2) {
    let s = r[i];
    const e = r[i + 1];
    while (s < e) {
      // the largest aligned block starting at s that fits in [s, e)
      let levels = Math.min(maxDepth, Math.floor((s === 0n ? 64 : ctz(s)) / bitsPerLevel));
      const room = log2Floor(e - s);
      levels = Math.min(levels, Math.floor(room / bitsPerLevel));
      const shift = BigInt(levels * bitsPerLevel);
      perOrder[maxDepth - levels].push(s >> shift);
      s += 1n << shift;
    }
  }
  return perOrder;
}
