// Space-time MOC (MOC 2.0 ST-MOC): a list of (time ranges, space MOC) pairs — during the times
// of each entry the space MOC is covered. Time entries are disjoint and ascending. Read from
// ASCII `t61/1 3 5 s3/1-3 4/ t61/50 52 s4/25`, JSON [{"t":…},{"s":…},…] and FITS
// MOCDIM = 'TIME.SPACE' RANGE columns (time bounds carry bit 63 as a mask).
import { parseAsciiSections } from './ascii.js';
import { MocParseError } from './errors.js';
import { readFitsMocColumn, writeFitsMoc, type FitsMocColumn } from './fits.js';
import { parseJsonSections } from './json.js';
import { SPACE_DEPTH, TIME_DEPTH, checkSectionOrder, type Section } from './sections.js';
import { SpaceMoc, spaceRangesFromColumn } from './spaceMoc.js';
import { TimeMoc, timeRangesFromColumn } from './timeMoc.js';

const BIT63 = 1n << 63n;

export interface SpaceTimeEntry {
  time: TimeMoc;
  space: SpaceMoc;
}

export class SpaceTimeMoc {
  readonly entries: readonly SpaceTimeEntry[];
  readonly maxOrderTime: number;
  readonly maxOrderSpace: number;

  constructor(entries: readonly SpaceTimeEntry[], maxOrderTime: number, maxOrderSpace: number) {
    if (!Number.isInteger(maxOrderTime) || maxOrderTime < 0 || maxOrderTime > TIME_DEPTH) {
      throw new RangeError(`SpaceTimeMoc time order must be in 0..61, got ${String(maxOrderTime)}`);
    }
    if (!Number.isInteger(maxOrderSpace) || maxOrderSpace < 0 || maxOrderSpace > SPACE_DEPTH) {
      throw new RangeError(`SpaceTimeMoc space order must be in 0..29, got ${String(maxOrderSpace)}`);
    }
    this.entries = entries;
    this.maxOrderTime = maxOrderTime;
    this.maxOrderSpace = maxOrderSpace;
  }

  isEmpty(): boolean {
    return this.entries.every((e) => e.time.isEmpty() || e.space.isEmpty());
  }

  /** Union of the space coverage over all times. */
  spaceCoverage(): SpaceMoc {
    return this.entries.reduce((acc, e) => acc.union(e.space), SpaceMoc.empty(this.maxOrderSpace));
  }

  /** Space coverage at the instant `us` (µs since JD 0, TCB); empty if none. */
  spaceAt(us: bigint): SpaceMoc {
    const hit = this.entries.find((e) => e.time.contains(us));
    return hit === undefined ? SpaceMoc.empty(this.maxOrderSpace) : hit.space;
  }

  equals(o: SpaceTimeMoc): boolean {
    return (
      this.maxOrderTime === o.maxOrderTime &&
      this.maxOrderSpace === o.maxOrderSpace &&
      this.entries.length === o.entries.length &&
      this.entries.every(
        (e, i) =>
          e.time.ranges.length === o.entries[i].time.ranges.length &&
          e.time.ranges.every((v, k) => v === o.entries[i].time.ranges[k]) &&
          e.space.ranges.length === o.entries[i].space.ranges.length &&
          e.space.ranges.every((v, k) => v === o.entries[i].space.ranges[k]),
      )
    );
  }

  /** `t…/… s…/… t…/… s…/…`, with each dimension's MOC order trailing its last section. */
  toAscii(): string {
    return this.entries
      .map((e) => {
        const t = TimeMoc.fromRanges(pairs(e.time.ranges), this.maxOrderTime).toAscii(true);
        const s = SpaceMoc.fromRanges(e.space.ranges, this.maxOrderSpace).toAscii();
        return `${t} s${s}`;
      })
      .join(' ');
  }

  /** FITS RANGE packaging (MOCDIM = 'TIME.SPACE'). */
  toFits(): Uint8Array {
    const values: bigint[] = [];
    for (const e of this.entries) {
      for (const v of e.time.ranges) values.push(v | BIT63);
      for (const v of e.space.ranges) values.push(v);
    }
    return writeFitsMoc({
      dim: 'TIME.SPACE',
      ordering: 'RANGE',
      values,
      type: 'K',
      orderT: this.maxOrderTime,
      orderS: this.maxOrderSpace,
    });
  }

  static fromAscii(text: string): SpaceTimeMoc {
    return SpaceTimeMoc.fromSections(parseAsciiSections(text));
  }

  static fromJson(text: string): SpaceTimeMoc {
    return SpaceTimeMoc.fromSections(parseJsonSections(text));
  }

  /** @internal alternating t / s sections */
  static fromSections(sections: Section[]): SpaceTimeMoc {
    if (sections.length % 2 !== 0) {
      throw new MocParseError('a space-time MOC needs pairs of t… and s… sections', sections[sections.length - 1].where);
    }
    let orderT = 0;
    let orderS = 0;
    sections.forEach((s, i) => {
      const want = i % 2 === 0 ? 't' : 's';
      if (s.dim !== want) throw new MocParseError(`expected a '${want}' section`, s.where);
      if (want === 't') orderT = Math.max(orderT, checkSectionOrder(s, 't'));
      else orderS = Math.max(orderS, checkSectionOrder(s, 's'));
    });
    const entries: SpaceTimeEntry[] = [];
    for (let i = 0; i < sections.length; i += 2) {
      entries.push({
        time: TimeMoc.fromSection(sections[i], orderT),
        space: SpaceMoc.fromSection(sections[i + 1], orderS),
      });
    }
    return new SpaceTimeMoc(entries, orderT, orderS);
  }

  static fromFits(bytes: ArrayBufferLike | ArrayBufferView): SpaceTimeMoc {
    const col = readFitsMocColumn(bytes);
    if (col.dim !== 'TIME.SPACE') {
      throw new MocParseError(`MOCDIM = '${col.dim}' is not a space-time MOC (use readMoc)`, 'keyword MOCDIM');
    }
    return SpaceTimeMoc.fromFitsColumn(col);
  }

  /** @internal */
  static fromFitsColumn(col: FitsMocColumn): SpaceTimeMoc {
    const v = col.values;
    const orderT = col.orderT ?? TIME_DEPTH;
    const orderS = col.orderS ?? SPACE_DEPTH;
    const entries: SpaceTimeEntry[] = [];
    let i = 0;
    while (i < v.length) {
      if ((v[i] & BIT63) === 0n) throw new MocParseError('expected a time bound (bit 63 set)', `row ${i + 1}`);
      const t0 = i;
      while (i < v.length && (v[i] & BIT63) !== 0n) i++;
      const s0 = i;
      while (i < v.length && (v[i] & BIT63) === 0n) i++;
      const time = TimeMoc.checkedRanges(timeRangesFromColumn(v, t0, s0, true), orderT, `rows ${t0 + 1}..${s0}`);
      const space = SpaceMoc.checkedRanges(spaceRangesFromColumn(v, s0, i), orderS, `rows ${s0 + 1}..${i}`);
      entries.push({ time, space });
    }
    return new SpaceTimeMoc(entries, orderT, orderS);
  }
}

function pairs(r: BigUint64Array): Array<[bigint, bigint]> {
  const out: Array<[bigint, bigint]> = [];
  for (let i = 0; i < r.length; i += 2) out.push([r[i], r[i + 1]]);
  return out;
}
