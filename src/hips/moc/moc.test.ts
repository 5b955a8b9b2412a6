// MOC 2.0: sample files (test/fixtures/moc/reference.json from make_reference.py, astropy +
// exact fractions), round trips, set operations against brute force, cone/polygon against the
// HEALPix queries, parse errors and a fuzz test.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ang2pixBig } from '../healpixBig.js';
import { queryDisc, queryDiscBig, queryPolygon } from '../healpixQuery.js';
import { MocParseError, SpaceMoc, SpaceTimeMoc, TimeMoc, parseMoc, readMoc } from './index.js';

const SAMPLES = '/work/shared/data/moc_samples';
interface RefEntry { durationUs: string; skyFraction: number }
interface RefFile {
  kind: 'space' | 'time' | 'space-time';
  skyFraction?: number;
  durationUs?: string;
  maxOrder?: number;
  cells?: number;
  entries?: RefEntry[];
  maxOrderTime?: number;
  maxOrderSpace?: number;
}
const ref = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/moc/reference.json', import.meta.url), 'utf8'),
) as { files: Record<string, RefFile> };

function load(name: string): ReturnType<typeof readMoc> {
  const bytes = readFileSync(`${SAMPLES}/${name}`);
  return name.endsWith('.fits') ? readMoc(bytes) : readMoc(bytes.toString('utf8'));
}

/** Seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sample files', () => {
  const names = readdirSync(SAMPLES).filter((n) => n.endsWith('.fits') || n.endsWith('.txt'));

  it('the reference covers every sample file', () => {
    expect(names.sort()).toEqual(Object.keys(ref.files).sort());
    expect(names.length).toBeGreaterThanOrEqual(12);
  });

  it.each(names)('%s loads and matches the astropy reference', (name) => {
    const want = ref.files[name];
    const moc = load(name);
    if (want.kind === 'space') {
      expect(moc).toBeInstanceOf(SpaceMoc);
      const s = moc as SpaceMoc;
      expect(Math.abs(s.skyFraction() - want.skyFraction!)).toBeLessThan(1e-12);
      if (want.maxOrder !== undefined) expect(s.maxOrder).toBe(want.maxOrder);
      if (want.cells !== undefined) {
        // canonical cells: never more than the file's (files may hold 4 siblings unmerged)
        const n = s.toCells().reduce((k, c) => k + c.cells.length, 0);
        expect(n).toBeLessThanOrEqual(want.cells);
      }
    } else if (want.kind === 'time') {
      expect(moc).toBeInstanceOf(TimeMoc);
      const t = moc as TimeMoc;
      expect(t.durationMicroseconds()).toBe(BigInt(want.durationUs!));
      if (want.maxOrder !== undefined) expect(t.maxOrder).toBe(want.maxOrder);
    } else {
      expect(moc).toBeInstanceOf(SpaceTimeMoc);
      const st = moc as SpaceTimeMoc;
      expect(st.entries.length).toBe(want.entries!.length);
      st.entries.forEach((e, i) => {
        expect(e.time.durationMicroseconds()).toBe(BigInt(want.entries![i].durationUs));
        expect(Math.abs(e.space.skyFraction() - want.entries![i].skyFraction)).toBeLessThan(1e-12);
      });
      if (want.maxOrderTime !== undefined) expect(st.maxOrderTime).toBe(want.maxOrderTime);
      if (want.maxOrderSpace !== undefined) expect(st.maxOrderSpace).toBe(want.maxOrderSpace);
    }
  });

  it('the MOC 2.0 ASCII examples equal their FITS versions', () => {
    expect((load('MOC2.0_smoc.ascii.txt') as SpaceMoc).equals(load('MOC2.0_SMOC.fits') as SpaceMoc)).toBe(true);
    expect((load('MOC2.0_tmoc.ascii.txt') as TimeMoc).equals(load('MOC2.0_TMOC.fits') as TimeMoc)).toBe(true);
    expect((load('MOC2.0_stmoc.ascii.txt') as SpaceTimeMoc).equals(load('MOC2.0_STMOC.fits') as SpaceTimeMoc)).toBe(true);
    expect((load('MOC2.0_smoc.ascii.txt') as SpaceMoc).toAscii()).toBe('3/3 10 4/16-18 22 5/19-20 17/222 28/123456789 29/');
    expect((load('MOC2.0_tmoc.ascii.txt') as TimeMoc).toAscii()).toBe('t31/1 32/4 35/');
    expect((load('MOC2.0_stmoc.ascii.txt') as SpaceTimeMoc).toAscii()).toBe('t61/1 3 5 s3/1-3 4/ t61/50 52 s4/25');
  });

  it('class-specific readers refuse the other kinds with MocParseError', () => {
    const tm = readFileSync(`${SAMPLES}/MOC2.0_TMOC.fits`);
    expect(() => SpaceMoc.fromFits(tm)).toThrow(MocParseError);
    expect(() => TimeMoc.fromFits(readFileSync(`${SAMPLES}/MOC2.0_SMOC.fits`))).toThrow(/MOCDIM/);
    expect(() => SpaceMoc.fromAscii('t61/1 3 5 s3/1-3')).toThrow(MocParseError);
    expect(() => SpaceTimeMoc.fromFits(tm)).toThrow(MocParseError);
  });

  it('real MOCs round-trip through ASCII, JSON and FITS (NUNIQ and RANGE)', () => {
    for (const name of ['P-SDSS9-r.fits', 'CDS-I-125A-catalog_MOC.fits', 'MOC2.0_SMOC.fits', 'bayestar.multiorder.fits']) {
      const m = load(name) as SpaceMoc;
      expect(SpaceMoc.fromAscii(m.toAscii()).equals(m), name).toBe(true);
      expect(SpaceMoc.fromJson(m.toJson()).equals(m), name).toBe(true);
      expect(SpaceMoc.fromFits(m.toFits()).equals(m), name).toBe(true);
      expect(SpaceMoc.fromFits(m.toFits({ ordering: 'RANGE' })).equals(m), name).toBe(true);
    }
    for (const name of ['TMOC_HST_SDSSg_TMoc.fits', 'MOC2.0_TMOC.fits']) {
      const t = load(name) as TimeMoc;
      expect(TimeMoc.fromAscii(t.toAscii()).equals(t)).toBe(true);
      expect(TimeMoc.fromJson(t.toJson()).equals(t)).toBe(true);
      expect(TimeMoc.fromFits(t.toFits()).equals(t)).toBe(true);
    }
    for (const name of ['MOC2.0_STMoc-basic.fits', 'MOC2.0_STMOC.fits']) {
      const st = load(name) as SpaceTimeMoc;
      expect(SpaceTimeMoc.fromFits(st.toFits()).equals(st)).toBe(true);
      expect(SpaceTimeMoc.fromAscii(st.toAscii()).equals(st)).toBe(true);
    }
  }, 60_000);
});

describe('formats', () => {
  it('spec ASCII and JSON examples', () => {
    const m = SpaceMoc.fromAscii('1/1 2 4 2/12-14 21 23 25 8/');
    expect(m.maxOrder).toBe(8);
    expect(m.toAscii()).toBe('1/1-2 4 2/12-14 21 23 25 8/');
    expect(m.toJson()).toBe('{"1":[1,2,4],"2":[12,13,14,21,23,25],"8":[]}');
    expect(SpaceMoc.fromJson('{"1":[1,2,4],"2":[12,13,14,21,23,25],"8":[]}').equals(m)).toBe(true);
    expect(SpaceMoc.fromJson('{"s":{"1":[1,2,4],"2":[12,13,14,21,23,25],"8":[]}}').equals(m)).toBe(true);
    expect(SpaceMoc.fromAscii('s1/1,2,4\n2/12-14 21 23 25\t8/').equals(m)).toBe(true);
    // non-canonical input (4 siblings, overlaps, unsorted) is normalised
    expect(SpaceMoc.fromAscii('2/7 4-6 3/16-19 0/1 2/ 1/1 2 4').toAscii()).toBe('0/1 1/1-2 3/');
    expect(parseMoc('t61/1 3 5 s3/1-3 4/ t61/50 52 s4/25')).toBeInstanceOf(SpaceTimeMoc);
    const st = SpaceTimeMoc.fromJson('[{"t":{"61":[1,3,5]}},{"s":{"3":[1,2,3],"4":[]}},{"t":{"61":[50,52]}},{"s":{"4":[25]}}]');
    expect(st.equals(SpaceTimeMoc.fromAscii('t61/1 3 5 s3/1-3 4/ t61/50 52 s4/25'))).toBe(true);
    expect(SpaceMoc.fromAscii('5/').isEmpty()).toBe(true);
    expect(SpaceMoc.fromAscii('5/').toAscii()).toBe('5/');
    expect(SpaceMoc.empty(7).toJson()).toBe('{"7":[]}');
    // order-29 indices past 2^53 stay exact in JSON
    const deep = SpaceMoc.fromCells(29, [3458764513820540927n, 2n ** 60n + 1n]);
    expect(SpaceMoc.fromJson(deep.toJson()).equals(deep)).toBe(true);
    expect(deep.toJson()).toContain('3458764513820540927');
  });

  it('FITS NUNIQ writes 1J below order 14, 1K from 14, keywords and 2880 padding', () => {
    const text = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);
    const j = SpaceMoc.fromCells(13, [5n]).toFits();
    const k = SpaceMoc.fromCells(14, [5n]).toFits();
    expect(j.length % 2880).toBe(0);
    expect(k.length % 2880).toBe(0);
    expect(text(j)).toContain("TFORM1  = '1J      '");
    expect(text(k)).toContain("TFORM1  = '1K      '");
    for (const kw of ['MOCVERS = \'2.0     \'', "MOCDIM  = 'SPACE   '", "ORDERING= 'NUNIQ   '", "COORDSYS= 'C       '", 'MOCORD_S=                   14', 'MOCORDER=                   14']) {
      expect(text(k)).toContain(kw);
    }
    expect(SpaceMoc.fromFits(j).toAscii()).toBe('13/5');
  });
});

// ---------------------------------------------------------------------------------------------
// random MOCs and brute force

const O = 6;
const N6 = 12 * 4 ** O;

/** A random MOC from cells at orders ≤ 6, and its order-6 cells as a bitmap. */
function randomMoc(rand: () => number): { moc: SpaceMoc; set: Uint8Array } {
  const set = new Uint8Array(N6);
  const cells: bigint[] = [];
  const count = Math.floor(rand() * 40);
  const uniq: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const o = Math.floor(rand() * (O + 1));
    const p = Math.floor(rand() * 12 * 4 ** o);
    uniq.push(4n * 4n ** BigInt(o) + BigInt(p));
    const f = 4 ** (O - o);
    set.fill(1, p * f, (p + 1) * f);
  }
  // a run of neighbouring deepest cells, so ranges merge
  const start = Math.floor(rand() * (N6 - 50));
  const run = Math.floor(rand() * 50);
  for (let q = start; q < start + run; q++) {
    set[q] = 1;
    cells.push(BigInt(q));
  }
  const moc = SpaceMoc.fromUniq(uniq, O).union(SpaceMoc.fromCells(O, cells));
  return { moc, set };
}

/** Order-6 bitmap of a MOC, built from its canonical cells. */
function bitmap(m: SpaceMoc): Uint8Array {
  const s = new Uint8Array(N6);
  for (const { order, cells } of m.toCells()) {
    const f = 4 ** (O - order);
    for (const c of cells) s.fill(1, Number(c) * f, (Number(c) + 1) * f);
  }
  return s;
}

/** Number of cells where two bitmaps differ. */
function diff(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

function count(a: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += a[i];
  return n;
}

describe('set operations vs brute force (order ≤ 6)', () => {
  it('union, intersection, difference, complement, degrade, contains, fraction on 300 random pairs', () => {
    const rand = prng(42);
    const map = (a: Uint8Array, b: Uint8Array, f: (x: number, y: number) => number): Uint8Array =>
      a.map((x, i) => f(x, b[i]));
    for (let t = 0; t < 300; t++) {
      const a = randomMoc(rand);
      const b = randomMoc(rand);
      expect(diff(bitmap(a.moc), a.set)).toBe(0);
      expect(diff(bitmap(a.moc.union(b.moc)), map(a.set, b.set, (x, y) => x | y))).toBe(0);
      expect(diff(bitmap(a.moc.intersection(b.moc)), map(a.set, b.set, (x, y) => x & y))).toBe(0);
      expect(diff(bitmap(a.moc.difference(b.moc)), map(a.set, b.set, (x, y) => x & (1 - y)))).toBe(0);
      expect(diff(bitmap(a.moc.complement()), a.set.map((x) => 1 - x))).toBe(0);
      expect(a.moc.complement().complement().equals(a.moc)).toBe(true);
      expect(a.moc.skyFraction()).toBe(count(a.set) / N6);
      const d = Math.floor(rand() * O);
      const f = 4 ** (O - d);
      const deg = new Uint8Array(N6);
      for (let q = 0; q < N6; q++) if (a.set[q]) deg.fill(1, Math.floor(q / f) * f, (Math.floor(q / f) + 1) * f);
      expect(diff(bitmap(a.moc.degrade(d)), deg)).toBe(0);
      expect(a.moc.degrade(d).maxOrder).toBe(d);
      for (let k = 0; k < 10; k++) {
        const lon = rand() * 360;
        const lat = Math.asin(2 * rand() - 1) * (180 / Math.PI);
        expect(a.moc.contains(lon, lat)).toBe(a.set[Number(ang2pixBig(O, lon, lat))] === 1);
      }
      // canonical cells: sorted, and never 4 siblings at one order
      for (const { order, cells } of a.moc.toCells()) {
        for (let i = 1; i < cells.length; i++) expect(cells[i] > cells[i - 1]).toBe(true);
        if (order > 0) {
          for (let i = 0; i + 3 < cells.length; i++) {
            expect(cells[i] % 4n === 0n && cells[i + 3] === cells[i] + 3n).toBe(false);
          }
        }
      }
      const u = a.moc.toUniq();
      for (let i = 1; i < u.length; i++) expect(u[i] > u[i - 1]).toBe(true);
      // round trips
      expect(SpaceMoc.fromAscii(a.moc.toAscii()).equals(a.moc)).toBe(true);
      expect(SpaceMoc.fromJson(a.moc.toJson()).equals(a.moc)).toBe(true);
      expect(SpaceMoc.fromFits(a.moc.toFits()).equals(a.moc)).toBe(true);
      expect(SpaceMoc.fromFits(a.moc.toFits({ ordering: 'RANGE' })).equals(a.moc)).toBe(true);
      expect(SpaceMoc.fromUniq(u, a.moc.maxOrder).equals(a.moc)).toBe(true);
    }
  }, 60_000);

  it('deep random MOCs (orders up to 29) round-trip', () => {
    const rand = prng(7);
    for (let t = 0; t < 100; t++) {
      const pairs: [bigint, bigint][] = [];
      const total = 12n << 58n;
      for (let k = 0; k < 20; k++) {
        const s = BigInt(Math.floor(rand() * 2 ** 30)) * BigInt(Math.floor(rand() * 2 ** 31)) % total;
        const len = BigInt(Math.floor(rand() * 2 ** 40));
        pairs.push([s, s + len > total ? total : s + len]);
      }
      const order = 14 + Math.floor(rand() * 16);
      const m = SpaceMoc.fromRanges(pairs, order);
      expect(SpaceMoc.fromAscii(m.toAscii()).equals(m)).toBe(true);
      expect(SpaceMoc.fromJson(m.toJson()).equals(m)).toBe(true);
      expect(SpaceMoc.fromFits(m.toFits()).equals(m)).toBe(true);
      expect(SpaceMoc.fromFits(m.toFits({ ordering: 'RANGE' })).equals(m)).toBe(true);
      expect(m.union(m.complement()).skyFraction()).toBe(1);
      expect(m.intersection(m.complement()).isEmpty()).toBe(true);
    }
  });

  it('time MOC set operations and round trips', () => {
    const a = TimeMoc.fromRanges([[0n, 10n], [20n, 30n]]);
    const b = TimeMoc.fromRanges([[5n, 25n]]);
    expect(Array.from(a.union(b).ranges)).toEqual([0n, 30n]);
    expect(Array.from(a.intersection(b).ranges)).toEqual([5n, 10n, 20n, 25n]);
    expect(Array.from(a.difference(b).ranges)).toEqual([0n, 5n, 25n, 30n]);
    expect(TimeMoc.fromAscii(a.toAscii()).equals(a)).toBe(true);
    expect(TimeMoc.fromFits(a.toFits()).equals(a)).toBe(true);
    expect(a.contains(25n)).toBe(true);
    expect(a.contains(10n)).toBe(false);
  });
});

describe('cone, polygon, positions', () => {
  it('fromCone / fromPolygon equal queryDisc / queryPolygon', () => {
    const rand = prng(3);
    const poly: [number, number][] = [[350, -10], [10, -10], [10, 10], [0, 0], [350, 10]];
    for (const order of [3, 7, 10]) {
      for (const inclusive of [false, true]) {
        for (let k = 0; k < 5; k++) {
          const lon = rand() * 360;
          const lat = k === 0 ? 89.5 : Math.asin(2 * rand() - 1) * (180 / Math.PI);
          const r = 0.5 + rand() * 20;
          const q = queryDisc(order, lon, lat, r, { inclusive });
          const m = SpaceMoc.fromCone(order, lon, lat, r, { inclusive });
          expect(m.equals(SpaceMoc.fromRanges(q.map(([a, b]) => [BigInt(a) << BigInt(2 * (29 - order)), BigInt(b) << BigInt(2 * (29 - order))]), order))).toBe(true);
          expect(m.skyFraction()).toBe(q.reduce((s, [a, b]) => s + b - a, 0) / (12 * 4 ** order));
        }
        const qp = queryPolygon(order, poly, { inclusive });
        const mp = SpaceMoc.fromPolygon(order, poly, { inclusive });
        expect(mp.skyFraction()).toBe(qp.reduce((s, [a, b]) => s + b - a, 0) / (12 * 4 ** order));
        expect(count(bitmap(SpaceMoc.fromPolygon(Math.min(order, O), poly, { inclusive })))).toBeGreaterThan(0);
      }
    }
    // default is inclusive; order 29 works through bigint
    expect(SpaceMoc.fromCone(5, 10, 10, 3).equals(SpaceMoc.fromCone(5, 10, 10, 3, { inclusive: true }))).toBe(true);
    const deep = SpaceMoc.fromCone(29, 10, 10, 1e-7);
    expect(deep.contains(10, 10)).toBe(true);
    expect(deep.rangeCount).toBe(queryDiscBig(29, 10, 10, 1e-7, { inclusive: true }).length);
  });

  it('fromPositions contains its positions', () => {
    const rand = prng(11);
    const pts: [number, number][] = [];
    for (let k = 0; k < 200; k++) pts.push([rand() * 720 - 360, Math.asin(2 * rand() - 1) * (180 / Math.PI)]);
    pts.push([0, 90], [123, -90], [360, 0]);
    const m = SpaceMoc.fromPositions(12, pts);
    for (const [l, b] of pts) expect(m.contains(l, b)).toBe(true);
    expect(m.maxOrder).toBe(12);
    expect(m.areaSqDeg()).toBeCloseTo((m.skyFraction() * 129600) / Math.PI, 9);
    expect(SpaceMoc.allSky().areaSqDeg()).toBeCloseTo(41252.96, 2);
  });

  it('bad arguments throw RangeError', () => {
    expect(() => SpaceMoc.fromCells(30, [1])).toThrow(/30/);
    expect(() => SpaceMoc.fromCells(2, [192])).toThrow(/192/);
    expect(() => SpaceMoc.fromCells(2, [1.5])).toThrow(/1\.5/);
    expect(() => SpaceMoc.fromRanges([[5n, 2n]])).toThrow(RangeError);
    expect(() => SpaceMoc.fromUniq([3])).toThrow(/uniq 3/);
    expect(() => SpaceMoc.fromPositions(3, [[0, 91]])).toThrow(/91/);
    expect(() => SpaceMoc.empty().degrade(-1)).toThrow(/-1/);
    expect(() => SpaceMoc.empty().toFits({ ordering: 'X' as 'RANGE' })).toThrow(/X/);
  });
});

describe('parse errors', () => {
  it('ASCII errors are MocParseError with the character offset', () => {
    const cases: [string, RegExp][] = [
      ['', /character 0/],
      ['1/1 2 x', /unexpected "x".*character 6/],
      ['3 4/1', /cell index before any order.*character 0/],
      ['1/5-2', /reversed/],
      ['1/48', /cell 48 does not exist at order 1/],
      ['30/1', /order 30 is deeper than 29/],
      ['99/1', /order 99 is deeper than 61.*character 0/],
      ['1/1-', /expected a digit.*character 4/],
      ['1/123456789012345678901234', /too long/],
      ['s1/1 4/ 3/1 t', /expected a digit/],
      ['1/1 s2/3', /prefix 's' after cells without a prefix.*character 4/],
      ['1/2-3-4', /expected a separator.*character 5/],
    ];
    for (const [text, re] of cases) {
      let err: unknown;
      try {
        SpaceMoc.fromAscii(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(MocParseError);
      expect((err as Error).message, text).toMatch(re);
    }
    expect(() => parseMoc('t61/1 s3/1 t61/5')).toThrow(/pairs of t… and s…/);
    expect(() => parseMoc('s3/1 t61/1')).toThrow(/expected a 't' section/);
  });

  it('JSON errors name the key', () => {
    const cases: [string, RegExp][] = [
      ['{"1":[1,2,"x"]}', /element 2 \("x"\).*key "1"/],
      ['{"1":[1.5]}', /element 0 \(1.5\)/],
      ['{"a":[1]}', /key "a" is not an order/],
      ['{"1":5}', /expected an array.*key "1"/],
      ['{"1":[48]}', /cell 48 does not exist.*key "1"/],
      ['{"1":[1]', /expected ',' or '}'/],
      ['{"1":[-1]}', /not a non-negative integer/],
      ['[1]', /expected \{"t"/],
      ['{"1":[1]} x', /unexpected text after/],
      ['nul', /unexpected "n"/],
    ];
    for (const [text, re] of cases) {
      let err: unknown;
      try {
        parseMoc(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(MocParseError);
      expect((err as Error).message, text).toMatch(re);
    }
  });

  it('FITS errors name the row or keyword', () => {
    const good = SpaceMoc.fromCells(3, [1n, 2n, 700n]).toFits();
    // row 2 (second uniq, 4 bytes each after 2 blocks of headers) -> uniq 2
    const bad = good.slice();
    new DataView(bad.buffer).setInt32(5760 + 4, 2, false);
    expect(() => SpaceMoc.fromFits(bad)).toThrow(/uniq 2 is below 4.*row 2/);
    const neg = good.slice();
    new DataView(neg.buffer).setInt32(5760 + 8, -5, false);
    expect(() => SpaceMoc.fromFits(neg)).toThrow(/row 3/);
    expect(() => SpaceMoc.fromFits(good.slice(0, 3000))).toThrow(MocParseError);
    expect(() => SpaceMoc.fromFits(new Uint8Array(10))).toThrow(MocParseError);
    const kw = new TextDecoder('latin1').decode(good).replace("ORDERING= 'NUNIQ   '", "ORDERING= 'FOO     '");
    expect(() => SpaceMoc.fromFits(Uint8Array.from(kw, (c) => c.charCodeAt(0)))).toThrow(/ORDERING.*FOO/);
    const r = SpaceMoc.fromCells(3, [1n]).toFits({ ordering: 'RANGE' });
    const rv = new DataView(r.buffer);
    rv.setBigUint64(5760, rv.getBigUint64(5768, false) + 1n, false); // start > end
    expect(() => SpaceMoc.fromFits(r)).toThrow(/row 1/);
  });

  it('fuzz: 2000 seeded random / mutated ASCII strings only ever throw MocParseError', () => {
    const rand = prng(2024);
    const seeds = [
      '1/1 2 4 2/12-14 21 23 25 8/',
      '3/3 10 4/16-18 22 5/19-20 17/222 28/123456789 29/',
      't61/1 3 5 s3/1-3 4/ t61/50 52 s4/25',
      '31/1 32/4 35/',
      '{"1":[1,2,4],"2":[12,13,14,21,23,25],"8":[]}',
      '[{"t":{"61":[1,3,5]}},{"s":{"3":[1,2,3],"4":[]}}]',
    ];
    const alphabet = '0123456789/- ,\nst{}[]":x.e+29613';
    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      let text: string;
      if (i % 4 === 0) {
        const len = Math.floor(rand() * 40);
        text = Array.from({ length: len }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      } else {
        const chars = [...seeds[Math.floor(rand() * seeds.length)]];
        const edits = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < edits; k++) {
          const pos = Math.floor(rand() * (chars.length + 1));
          const op = rand();
          const ch = alphabet[Math.floor(rand() * alphabet.length)];
          if (op < 0.4) chars.splice(pos, 1);
          else if (op < 0.7) chars.splice(pos, 0, ch);
          else if (op < 0.9) chars[pos] = ch;
          else chars.splice(pos, 0, '9'.repeat(Math.floor(rand() * 25)));
        }
        text = chars.join('');
      }
      try {
        const m = parseMoc(text);
        parsed++;
        if (m instanceof SpaceMoc) expect(SpaceMoc.fromAscii(m.toAscii()).equals(m)).toBe(true);
      } catch (e) {
        if (!(e instanceof MocParseError)) throw new Error(`non-MocParseError for ${JSON.stringify(text)}: ${String(e)}`);
        rejected++;
      }
    }
    expect(parsed + rejected).toBe(2000);
    expect(parsed).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});
