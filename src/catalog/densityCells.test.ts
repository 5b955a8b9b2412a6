// The rows a progressive catalogue's density view adds for what is counted but not loaded
// (densityCells.ts), on the committed hip6 HiPS catalogue (tiles and expected.json made by healpy,
// make_catalog_hips.py) and its per-cell counts (counts/order*.json, healpy, make_counts.py):
// resident rows + remainders = every row of the catalogue, for any set of loaded tiles a plan can
// give (parents before children); remainders from counts; sample points inside their cells
// carrying the cell's rows, also when made a bounded number of points per step (DensitySampleJob:
// the very points of one go, never all at once for a large set); counts answers checked with errors
// that name the problem (fuzzed).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { vec2pix } from '../hips/healpix.js';
import { parseHipsCatalogTile } from '../hips/catalog.js';
import { tilePath } from '../hips/tilePath.js';
import { CatalogError } from './columns.js';
import {
  cellNearCone, countRemainders, DensitySampleJob, densitySamples, MIN_SAMPLE_ROWS, rowCap, rowsOfCapInCone, rowsPerCell, sampleOrderFor, tileRemainders, validateCellCounts,
  type CountedTile,
} from './densityCells.js';

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/hips/catalog');
type Tile = { order: number; ipix: number; n: number; N: number; hip: number[] };
const expected = JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')) as { nrows: number; tiles: Tile[] };
const byKey = new Map(expected.tiles.map((t) => [`${t.order}/${t.ipix}`, t]));
const counts = async (k: number) => JSON.parse(await readFile(join(FIXTURE, `counts/order${k}.json`), 'utf8')) as { order: number; total: number; cells: number[]; counts: number[] };

const counted = (t: Tile): CountedTile => ({ order: t.order, ipix: t.ipix, rows: t.n, inCell: t.N });
/** A tile is known empty when the loader asked for it and got 404: here, when the fixture has none (its parent had more rows). */
const emptyIn = (have: Set<string>) => (order: number, ipix: number) => !byKey.has(`${order}/${ipix}`) && have.has(`${order - 1}/${ipix >> 2}`);
const total = (tiles: readonly CountedTile[], isEmpty?: (o: number, p: number) => boolean) =>
  tiles.reduce((s, t) => s + t.rows, 0) + tileRemainders(tiles, isEmpty)!.reduce((s, c) => s + c.rows, 0);

describe('tileRemainders (Completeness counts)', () => {
  it('the whole-sky plan (the 48 order-1 tiles): 960 rows loaded, remainders N - n per cell, 5,044 in all', () => {
    const tiles = expected.tiles.filter((t) => t.order === 1).map(counted);
    const rest = tileRemainders(tiles)!;
    for (const c of rest) {
      const t = byKey.get(`1/${c.ipix}`)!;
      expect(c).toEqual({ order: 1, ipix: t.ipix, rows: t.N - t.n });
    }
    expect(tiles.reduce((s, t) => s + t.rows, 0)).toBe(960);
    expect(total(tiles)).toBe(expected.nrows);
  });

  it('every tile loaded: nothing is missing', () => {
    const tiles = expected.tiles.map(counted);
    const have = new Set(expected.tiles.map((t) => `${t.order}/${t.ipix}`));
    expect(tileRemainders(tiles, emptyIn(have))).toEqual([]);
    expect(tiles.reduce((s, t) => s + t.rows, 0)).toBe(expected.nrows);
  });

  it('any set of loaded tiles closed under parents: loaded rows + remainders = all rows; remainders lie in cells not loaded', () => {
    const deeper = expected.tiles.filter((t) => t.order > 1);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: deeper.length - 1 }), { maxLength: 80 }), (picks) => {
      const have = new Set(expected.tiles.filter((t) => t.order === 1).map((t) => `1/${t.ipix}`));
      for (const i of picks) {
        // a tile and all its ancestors (the plan lists parents first)
        for (let k = deeper[i].order, p = deeper[i].ipix; k > 1; k--, p >>= 2) have.add(`${k}/${p}`);
      }
      const tiles = [...have].map((k) => counted(byKey.get(k)!));
      const rest = tileRemainders(tiles, emptyIn(have))!;
      expect(tiles.reduce((s, t) => s + t.rows, 0) + rest.reduce((s, c) => s + c.rows, 0)).toBeCloseTo(expected.nrows, 6);
      for (const c of rest) {
        expect(c.rows).toBeGreaterThan(0);
        // a remainder cell is a loaded leaf, or a child of a loaded tile that is not loaded itself
        if (have.has(`${c.order}/${c.ipix}`)) expect([0, 1, 2, 3].some((j) => have.has(`${c.order + 1}/${4 * c.ipix + j}`))).toBe(false);
        else expect(have.has(`${c.order - 1}/${c.ipix >> 2}`)).toBe(true);
      }
    }), { numRuns: 60, seed: 7 });
  });

  it('a tile without a Completeness line: unknown', () => {
    expect(tileRemainders([{ order: 1, ipix: 0, rows: 3, inCell: undefined }])).toBeUndefined();
  });
});

describe('countRemainders (server counts) and the sample points', () => {
  it('resident rows of the order-1 tiles + remainders of the healpy counts = every row, per cell', async () => {
    const tiles = [];
    for (const t of expected.tiles.filter((x) => x.order === 1)) {
      const text = await readFile(join(FIXTURE, 'hip6', tilePath(1, t.ipix, 'tsv')), 'utf8');
      tiles.push(parseHipsCatalogTile(text, { order: 1, ipix: t.ipix }));
    }
    for (const k of [3, 5]) {
      const c = await counts(k);
      const resident = rowsPerCell(k, tiles.map((t) => ({ raDeg: t.raDeg, decDeg: t.decDeg })));
      let residentTotal = 0;
      for (const n of resident.values()) residentTotal += n;
      expect(residentTotal).toBe(960);
      const rest = countRemainders(c, resident);
      // tile positions are rounded to 1e-4 deg: a star on a cell edge may change cell (then its cell keeps a remainder of 1)
      const sum = residentTotal + rest.reduce((s, r) => s + r.rows, 0);
      expect(sum).toBeGreaterThanOrEqual(c.total);
      expect(sum - c.total).toBeLessThanOrEqual(2);
      const countOf = new Map(c.cells.map((cell, i) => [cell, c.counts[i]]));
      for (const r of rest) expect(r.rows).toBe(countOf.get(r.ipix)! - (resident.get(r.ipix) ?? 0));
    }
  });

  it('sample points lie in their cells, carry the cell\'s rows, stay under the cap, and weigh at least MIN_SAMPLE_ROWS', async () => {
    const c = await counts(3);
    const cells = c.cells.map((ipix, i) => ({ order: 3, ipix, rows: c.counts[i] }));
    const t0 = performance.now();
    const { samples, order } = densitySamples(cells, 7, 200_000);
    const ms = performance.now() - t0;
    expect(order).toBe(7);
    let i = 0;
    let sum = 0;
    const wrong: string[] = [];
    for (const cell of cells) {
      let rows = 0;
      const depth = Math.min(4, Math.floor(Math.log(cell.rows / MIN_SAMPLE_ROWS) / Math.log(4)));
      for (let s = 0; s < 4 ** depth; s++, i++) {
        const [x, y, z, w] = samples.subarray(4 * i, 4 * i + 4);
        if (vec2pix(3, x, y, z) !== cell.ipix || !(w >= MIN_SAMPLE_ROWS * 0.999)) wrong.push(`sample ${i} of cell ${cell.ipix}: (${x}, ${y}, ${z}) weight ${w}`);
        rows += w;
      }
      if (Math.abs(rows - cell.rows) > 1e-3) wrong.push(`cell ${cell.ipix}: ${rows} rows, count ${cell.rows}`);
      sum += rows;
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    console.log(`${i} sample points for ${cells.length} order-3 cells in ${ms.toFixed(1)} ms`);
    expect(i).toBe(samples.length / 4);
    expect(sum).toBeCloseTo(c.total, 1);
    // a cap steps the sample order down
    const capped = densitySamples(cells, 9, 20_000);
    expect(capped.samples.length / 4).toBeLessThanOrEqual(20_000);
    expect(capped.order).toBeLessThan(9);
  });

  it('a large sample set is made in bounded steps (never in one call), the very points of densitySamples in one go', async () => {
    const c = await counts(3);
    const cells = c.cells.map((ipix, i) => ({ order: 3, ipix, rows: c.counts[i] }));
    const whole = densitySamples(cells, 7, 200_000);
    const total = whole.samples.length / 4;
    expect(total).toBeGreaterThan(100_000);
    const job = new DensitySampleJob(cells, 7, 200_000);
    expect(job.order).toBe(whole.order);
    expect(job.state).toBe('building');
    // the first step makes exactly its budget of points and stops: the build is not done in one call
    expect(job.step(8192)).toBe(false);
    expect(job.made).toBe(8192);
    expect(job.state).toBe('building');
    let steps = 1;
    while (!job.step(8192)) {
      steps++;
      expect(job.made).toBe(8192 * steps);
    }
    expect(steps + 1).toBe(Math.ceil(total / 8192));
    expect(job.state).toBe('done');
    expect(job.made).toBe(total);
    expect(Buffer.from(job.samples.buffer).equals(Buffer.from(whole.samples.buffer)), 'same points, same order').toBe(true);
    // done: further steps add nothing
    expect(job.step(8192)).toBe(true);
    expect(job.made).toBe(total);
  });

  it('any step sizes give the points of one go (fuzzed cells and budgets)', () => {
    const cell = fc.integer({ min: 0, max: 6 }).chain((order) => fc.record({
      order: fc.constant(order), ipix: fc.integer({ min: 0, max: 12 * 4 ** order - 1 }), rows: fc.double({ min: 0.001, max: 5000, noNaN: true }),
    }));
    fc.assert(fc.property(fc.array(cell, { maxLength: 12 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 5000 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }), (cells, order, max, budgets) => {
      const whole = densitySamples(cells, order, max);
      const job = new DensitySampleJob(cells, order, max);
      let k = 0;
      let guard = 0;
      while (!job.step(budgets[k++ % budgets.length])) expect(++guard).toBeLessThan(100_000);
      expect(job.order).toBe(whole.order);
      expect(Buffer.from(job.samples.buffer).equals(Buffer.from(whole.samples.buffer))).toBe(true);
    }), { numRuns: 200 });
  });

  it('sample order ~ a grid pixel (2 device pixels); cone tests against brute force', () => {
    expect(sampleOrderFor((0.1 * Math.PI) / 180)).toBe(9);
    expect(sampleOrderFor(1e-9)).toBe(24);
    const centre = [Math.cos(0.3) * Math.cos(1), Math.cos(0.3) * Math.sin(1), Math.sin(0.3)];
    for (let ipix = 0; ipix < 768; ipix++) {
      // near: the cell radius bound can only over-include
      if (vec2pix(3, centre[0], centre[1], centre[2]) === ipix) expect(cellNearCone(3, ipix, centre, 0.01)).toBe(true);
    }
    expect(cellNearCone(3, vec2pix(3, -centre[0], -centre[1], -centre[2]), centre, 0.5)).toBe(false);
  });

  it('rows of a tile in a cone (bounding cap shortcut) = brute force, with a filter and rows without position', () => {
    fc.assert(fc.property(
      fc.double({ min: 0, max: 360, noNaN: true }), fc.double({ min: -89, max: 89, noNaN: true }), fc.double({ min: 0.01, max: 20, noNaN: true }),
      fc.double({ min: 0, max: 360, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true }), fc.double({ min: 0.001, max: 3.2, noNaN: true }), fc.integer({ min: 0, max: 2 ** 31 }),
      (ra0, dec0, spread, ra1, dec1, radius, seed) => {
        let a = seed >>> 0;
        const rnd = () => ((a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32);
        const n = 60;
        const raDeg = Float64Array.from({ length: n }, () => ra0 + (rnd() - 0.5) * spread);
        const decDeg = Float64Array.from({ length: n }, () => Math.max(-90, Math.min(90, dec0 + (rnd() - 0.5) * spread)));
        raDeg[3] = NaN;
        const keep = (r: number) => r % 3 !== 0;
        const D = Math.PI / 180;
        const centre = [Math.cos(dec1 * D) * Math.cos(ra1 * D), Math.cos(dec1 * D) * Math.sin(ra1 * D), Math.sin(dec1 * D)];
        let brute = 0;
        let kept = 0;
        for (let i = 0; i < n; i++) {
          if (Number.isNaN(raDeg[i]) || !keep(i)) continue;
          kept++;
          const v = [Math.cos(decDeg[i] * D) * Math.cos(raDeg[i] * D), Math.cos(decDeg[i] * D) * Math.sin(raDeg[i] * D), Math.sin(decDeg[i] * D)];
          if (Math.acos(Math.min(1, v[0] * centre[0] + v[1] * centre[1] + v[2] * centre[2])) <= radius - 1e-9) brute++;
          else if (Math.acos(Math.min(1, v[0] * centre[0] + v[1] * centre[1] + v[2] * centre[2])) <= radius + 1e-9) return; // on the edge: either answer
        }
        expect(rowsOfCapInCone(rowCap(raDeg, decDeg), kept, centre, radius, keep)).toBe(brute);
      }), { numRuns: 300, seed: 11 });
  });
});

describe('validateCellCounts', () => {
  it('accepts the server answer format and names what is wrong', async () => {
    const c = await counts(2);
    expect(validateCellCounts(c, 'u').cells.length).toBe(c.cells.length);
    expect(() => validateCellCounts(null, 'u')).toThrow(/JSON object/);
    expect(() => validateCellCounts({ ...c, order: 25 }, 'u')).toThrow(/'order' must be an integer in 0..24/);
    expect(() => validateCellCounts({ ...c, counts: c.counts.slice(1) }, 'u')).toThrow(/cells but .* counts/);
    expect(() => validateCellCounts({ ...c, cells: [...c.cells].reverse() }, 'u')).toThrow(/ascending/);
    expect(() => validateCellCounts({ order: 0, cells: [12], counts: [1] }, 'u')).toThrow(/not a cell of order 0/);
    expect(() => validateCellCounts({ order: 0, cells: [1], counts: [-1] }, 'u')).toThrow(/not a row count/);
  });

  it('fuzz: any JSON value is accepted or refused with a CatalogError, never anything else', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.record({ order: fc.jsonValue(), cells: fc.array(fc.jsonValue()), counts: fc.array(fc.jsonValue()) })), (v) => {
      try {
        validateCellCounts(v, 'u');
      } catch (e) {
        expect(e).toBeInstanceOf(CatalogError);
      }
    }), { numRuns: 500, seed: 3 });
  });
});
