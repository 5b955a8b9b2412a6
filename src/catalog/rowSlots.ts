// Row slots of a shared, growable GPU buffer: which contiguous range of rows each progressive
// catalogue tile occupies. A free list of ranges (sorted, neighbours merged), first fit; when no
// free range fits, the owner repacks the live ranges (compaction, or growth by doubling) with
// `repackPlan`. Pure: no GPU; the layer (render/layers/progressiveCatalogLayer.ts) moves the bytes.

export interface SlotRange {
  readonly start: number;
  readonly rows: number;
}

/** The smallest capacity a shared buffer is given (rows). */
export const MIN_ROW_CAPACITY = 1024;

export class RowSlots {
  private free: Array<{ start: number; rows: number }>;
  private usedRows = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 0)) throw new RangeError(`row capacity must be a non-negative integer, got ${capacity}`);
    this.free = capacity > 0 ? [{ start: 0, rows: capacity }] : [];
  }

  /** Rows in live ranges. */
  get used(): number {
    return this.usedRows;
  }

  /** Free ranges (sorted by start, never adjacent). */
  get freeRanges(): readonly SlotRange[] {
    return this.free;
  }

  /** First free range that holds `rows` rows, taken from its start; undefined when none does. */
  alloc(rows: number): number | undefined {
    if (!(Number.isInteger(rows) && rows >= 0)) throw new RangeError(`a slot needs a non-negative integer row count, got ${rows}`);
    if (rows === 0) return 0;
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i];
      if (f.rows < rows) continue;
      const start = f.start;
      if (f.rows === rows) this.free.splice(i, 1);
      else this.free[i] = { start: f.start + rows, rows: f.rows - rows };
      this.usedRows += rows;
      return start;
    }
    return undefined;
  }

  /** Give a range back (merged with free neighbours). Throws on a range that is not live. */
  release(start: number, rows: number): void {
    if (rows === 0) return;
    if (!(Number.isInteger(start) && start >= 0 && start + rows <= this.capacity)) throw new RangeError(`range ${start}+${rows} is outside the ${this.capacity} slots`);
    let i = 0;
    while (i < this.free.length && this.free[i].start < start) i++;
    const prev = this.free[i - 1];
    const next = this.free[i];
    if ((prev && prev.start + prev.rows > start) || (next && start + rows > next.start)) throw new RangeError(`range ${start}+${rows} is already free`);
    this.usedRows -= rows;
    const joinPrev = prev !== undefined && prev.start + prev.rows === start;
    const joinNext = next !== undefined && start + rows === next.start;
    if (joinPrev && joinNext) this.free.splice(i - 1, 2, { start: prev.start, rows: prev.rows + rows + next.rows });
    else if (joinPrev) this.free[i - 1] = { start: prev.start, rows: prev.rows + rows };
    else if (joinNext) this.free[i] = { start, rows: rows + next.rows };
    else this.free.splice(i, 0, { start, rows });
  }
}

/** Smallest power of two >= n (and >= MIN_ROW_CAPACITY). */
export function capacityFor(rows: number): number {
  let c = MIN_ROW_CAPACITY;
  while (c < rows) c *= 2;
  return c;
}

/**
 * The capacity a buffer should have for `liveRows` rows after adding `addRows`: unchanged while it
 * fits (compaction), doubled until it does (growth), and shrunk to twice the live rows when they
 * use less than a quarter of it. So the capacity stays below max(MIN_ROW_CAPACITY, 4 x live rows).
 */
export function targetCapacity(capacity: number, liveRows: number, addRows: number): number {
  const need = liveRows + addRows;
  if (need > capacity) return capacityFor(need);
  if (capacity > MIN_ROW_CAPACITY && need < capacity / 4) return capacityFor(2 * need);
  return capacity;
}

/**
 * New starts for live ranges packed from row 0 in their current order (so a GPU copy of each
 * range never overwrites a range not yet copied when done into a new buffer), and the allocator
 * for the new capacity with those ranges taken.
 */
export function repackPlan<K>(live: ReadonlyArray<{ key: K; start: number; rows: number }>, capacity: number): { moves: Array<{ key: K; from: number; to: number; rows: number }>; slots: RowSlots } {
  const sorted = [...live].sort((a, b) => a.start - b.start);
  let total = 0;
  for (const r of sorted) total += r.rows;
  if (total > capacity) throw new RangeError(`${total} live rows do not fit ${capacity} slots`);
  const slots = new RowSlots(capacity);
  const moves: Array<{ key: K; from: number; to: number; rows: number }> = [];
  for (const r of sorted) {
    const to = slots.alloc(r.rows)!;
    moves.push({ key: r.key, from: r.start, to, rows: r.rows });
  }
  return { moves, slots };
}

/**
 * Why shared buffers of `capacity` row slots cannot be bound on a device whose largest per-slot
 * buffer takes `bytesPerSlot` bytes per slot (undefined when they can): past the limits the bind
 * groups would be invalid and nothing would be drawn, so the owner refuses the tile instead.
 */
export function capacityLimitError(capacity: number, bytesPerSlot: number, limits: { readonly maxStorageBufferBindingSize: number; readonly maxBufferSize: number }, what: string): string | undefined {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const biggest = bytesPerSlot * capacity;
  if (biggest <= limit) return undefined;
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  return `${what} need GPU buffers of ${mib(biggest)} MiB (${capacity} row slots), but this GPU device binds at most ${mib(limit)} MiB per buffer`;
}
