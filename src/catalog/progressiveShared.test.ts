// The CPU side of progressive catalogues' shared GPU buffers: the row-slot allocator (against a
// brute-force occupancy map, property-tested), capacity bounds, repacking, tile rows whose cells
// are relative to the row, proper motions of tile rows against astropy (the Tycho-2 stars of
// test/fixtures/propermotion/stars.json, made by make_fixture.py there) with the columns found by
// their UCDs in metadata.xml, and the drawn tiles merged into one label source.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { capacityFor, capacityLimitError, MIN_ROW_CAPACITY, repackPlan, RowSlots, targetCapacity } from './rowSlots.js';
import { mergeLabelSource, prepareTileRows, REL_NO_CELL, resolveProperMotion } from './progressiveRows.js';
import { parseHipsCatalogMetadata, parseHipsCatalogTile } from '../hips/catalog.js';
import { CatalogError } from './columns.js';

describe('row slots', () => {
  it('never hands out overlapping rows and merges freed neighbours (random alloc/free vs an occupancy map)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 60 }), fc.nat()), { maxLength: 200 }), (ops) => {
      const cap = 512;
      const slots = new RowSlots(cap);
      const owner = new Int32Array(cap).fill(-1);
      const live: Array<{ id: number; start: number; rows: number }> = [];
      let id = 0;
      for (const [doAlloc, rows, pick] of ops) {
        if (doAlloc || live.length === 0) {
          const start = slots.alloc(rows);
          // first fit: undefined only when no run of `rows` free rows exists
          let run = 0;
          let firstFit = -1;
          for (let i = 0; i < cap && firstFit < 0; i++) {
            run = owner[i] < 0 ? run + 1 : 0;
            if (run === rows) firstFit = i - rows + 1;
          }
          if (start === undefined) {
            expect(firstFit).toBe(-1);
            continue;
          }
          expect(start).toBe(firstFit);
          for (let i = start; i < start + rows; i++) {
            expect(owner[i]).toBe(-1);
            owner[i] = id;
          }
          live.push({ id: id++, start, rows });
        } else {
          const [r] = live.splice(pick % live.length, 1);
          slots.release(r.start, r.rows);
          owner.fill(-1, r.start, r.start + r.rows);
        }
        const used = owner.reduce((s, o) => s + (o >= 0 ? 1 : 0), 0);
        expect(slots.used).toBe(used);
        // free ranges = exactly the unowned rows, sorted, never adjacent
        const fr = slots.freeRanges;
        let free = 0;
        for (let k = 0; k < fr.length; k++) {
          for (let i = fr[k].start; i < fr[k].start + fr[k].rows; i++) expect(owner[i]).toBe(-1);
          free += fr[k].rows;
          if (k > 0) expect(fr[k].start).toBeGreaterThan(fr[k - 1].start + fr[k - 1].rows);
        }
        expect(free).toBe(cap - used);
      }
    }), { numRuns: 150 });
  });

  it('refuses freeing a range twice or outside the buffer, by name', () => {
    const s = new RowSlots(100);
    const a = s.alloc(10)!;
    s.release(a, 10);
    expect(() => s.release(a, 10)).toThrow(/already free/);
    expect(() => s.release(95, 10)).toThrow(/outside the 100 slots/);
    expect(() => s.alloc(-1)).toThrow(/non-negative integer/);
  });

  it('keeps the capacity within max(MIN, 4 x live rows) and above what is needed', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -3000, max: 3000 }), { maxLength: 300 }), (steps) => {
      let cap = MIN_ROW_CAPACITY;
      let live = 0;
      for (const d of steps) {
        const add = Math.max(0, d);
        const remove = Math.min(live, Math.max(0, -d));
        live -= remove;
        cap = targetCapacity(cap, live, add);
        live += add;
        expect(cap).toBeGreaterThanOrEqual(live);
        expect(cap).toBeLessThanOrEqual(Math.max(MIN_ROW_CAPACITY, 4 * live));
        expect(cap).toBe(capacityFor(cap)); // a power of two
      }
    }));
  });

  it('refuses capacities past the device limits with the sizes in the message', () => {
    const limits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };
    expect(capacityLimitError(2 ** 22, 32, limits, 'the tiles')).toBeUndefined(); // exactly 128 MiB
    expect(capacityLimitError(2 ** 23, 32, limits, 'the tiles')).toBe('the tiles need GPU buffers of 256 MiB (8388608 row slots), but this GPU device binds at most 128 MiB per buffer');
    expect(capacityLimitError(2 ** 22, 32, { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 64 * 2 ** 20 }, 'x')).toMatch(/binds at most 64 MiB/);
  });

  it('repacks live ranges from row 0 in their order', () => {
    const { moves, slots } = repackPlan([{ key: 'b', start: 50, rows: 5 }, { key: 'a', start: 10, rows: 7 }, { key: 'c', start: 90, rows: 3 }], 32);
    expect(moves).toEqual([{ key: 'a', from: 10, to: 0, rows: 7 }, { key: 'b', from: 50, to: 7, rows: 5 }, { key: 'c', from: 90, to: 12, rows: 3 }]);
    expect(slots.used).toBe(15);
    expect(slots.freeRanges).toEqual([{ start: 15, rows: 17 }]);
    expect(() => repackPlan([{ key: 1, start: 0, rows: 40 }], 32)).toThrow(/do not fit/);
  });
});

const VOT = (fields: string) => `<?xml version="1.0"?><VOTABLE version="1.4"><RESOURCE><TABLE>${fields}<DATA><TABLEDATA></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`;

describe('tile rows for the shared buffers', () => {
  it('writes each row as an offset from its cell with the cell relative to the row', () => {
    const md = parseHipsCatalogMetadata(VOT('<FIELD name="id" datatype="int"/><FIELD name="ra" datatype="double" ucd="pos.eq.ra;meta.main"/><FIELD name="dec" datatype="double" ucd="pos.eq.dec;meta.main"/>'));
    let text = 'id\tra\tdec\n';
    for (let i = 0; i < 200; i++) text += `${i}\t${(i * 1.7) % 360}\t${-80 + (i * 0.8)}\n`;
    const tile = parseHipsCatalogTile(text, { order: 2, ipix: 7 }, md);
    const r = prepareTileRows(tile, undefined);
    expect(r.rows).toBe(200);
    const bits = new Int32Array(r.gpuRows.buffer);
    const cells = r.index.cellIds.length;
    for (let i = 0; i < 200; i++) {
      const cell = i + bits[4 * i + 3];
      expect(cell).toBeGreaterThanOrEqual(0);
      expect(cell).toBeLessThan(cells);
      const v = [0, 1, 2].map((a) => r.index.cellCentres[3 * cell + a] + r.gpuRows[4 * i + a]);
      const D = Math.PI / 180;
      const want = [Math.cos(tile.decDeg[i] * D) * Math.cos(tile.raDeg[i] * D), Math.cos(tile.decDeg[i] * D) * Math.sin(tile.raDeg[i] * D), Math.sin(tile.decDeg[i] * D)];
      for (let a = 0; a < 3; a++) expect(Math.abs(v[a] - want[a])).toBeLessThan(1e-7);
    }
    expect(cells).toBeLessThanOrEqual(200); // a tile's cells fit the slots of its rows
    expect(REL_NO_CELL).toBe(0x7fffffff);
  });

  it('reads an empty cell of an integer column as NaN, not 0 (size/colour/filters see a missing value)', () => {
    const text = 'id\tra\tdec\tflag\tname\n1\t10\t20\t3\ta\n2\t11\t21\t\tb\n3\t12\t22\t0\t\n';
    const tile = parseHipsCatalogTile(text, { order: 0, ipix: 0 });
    const cols = prepareTileRows(tile, undefined).data.columns!;
    const flag = cols.flag as ArrayLike<number>;
    expect(Array.from(flag).map((x) => (Number.isNaN(x) ? 'NaN' : x))).toEqual([3, 'NaN', 0]);
    expect(Array.from(cols.id as ArrayLike<number>)).toEqual([1, 2, 3]);
    expect(cols.name).toEqual(['a', 'b', '']);
  });

  it('propagates tile rows with proper-motion columns found by UCD, as astropy does', () => {
    interface Star { id: string; raDeg: number; decDeg: number; pmRa: number; pmDec: number; epoch: number; parallaxMas?: number; at: [number, number, number][] }
    const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/propermotion/stars.json', import.meta.url), 'utf8')) as { stars: Star[] };
    const stars = fixture.stars.filter((s) => s.epoch === 2000 && s.parallaxMas === undefined).slice(0, 150);
    expect(stars.length).toBeGreaterThan(100);
    const md = parseHipsCatalogMetadata(VOT('<FIELD name="name" datatype="char" arraysize="*"/><FIELD name="RAJ2000" datatype="double" ucd="pos.eq.ra;meta.main"/><FIELD name="DEJ2000" datatype="double" ucd="pos.eq.dec;meta.main"/>'
      + '<FIELD name="pmRA" datatype="double" ucd="pos.pm;pos.eq.ra" unit="mas/yr"/><FIELD name="pmDE" datatype="double" ucd="pos.pm;pos.eq.dec" unit="mas/yr"/>'));
    const pm = resolveProperMotion({ catalogueEpoch: 2000, epoch: 2050, arrowYears: 450 }, md);
    expect([pm.pmRaColumn, pm.pmDecColumn]).toEqual(['pmRA', 'pmDE']);
    let text = 'name\tRAJ2000\tDEJ2000\tpmRA\tpmDE\n';
    for (const s of stars) text += `${s.id}\t${s.raDeg}\t${s.decDeg}\t${s.pmRa}\t${s.pmDec}\n`;
    const r = prepareTileRows(parseHipsCatalogTile(text, { order: 3, ipix: 1 }, md), pm);
    const D = Math.PI / 180;
    const sepMas = (ra1: number, d1: number, ra2: number, d2: number) => {
      const c = Math.sin(d1 * D) * Math.sin(d2 * D) + Math.cos(d1 * D) * Math.cos(d2 * D) * Math.cos((ra1 - ra2) * D);
      const s = Math.hypot(Math.cos(d2 * D) * Math.sin((ra2 - ra1) * D), Math.cos(d1 * D) * Math.sin(d2 * D) - Math.sin(d1 * D) * Math.cos(d2 * D) * Math.cos((ra2 - ra1) * D));
      return (Math.atan2(s, c) / D) * 3.6e6;
    };
    let worst = 0;
    stars.forEach((s, i) => {
      const [, raRef, decRef] = s.at.find((a) => a[0] === 2050)!;
      const err = sepMas(r.drawnRaDeg[i], r.drawnDecDeg[i], raRef, decRef);
      const moved = sepMas(s.raDeg, s.decDeg, raRef, decRef);
      // no parallax: ERFA's artificial distance, measured up to 6.3e-5 of the motion within 100 yr (docs/catalogues.md)
      expect(err, s.id).toBeLessThan(Math.max(0.01, moved * 1e-4));
      worst = Math.max(worst, err);
    });
    expect(r.gpuTips).toBeDefined();
    expect(r.gpuTips!.length).toBe(6 * stars.length);
    console.log(`tile rows at J2050 vs astropy: worst ${worst.toFixed(3)} mas`);
  });

  it('names the UCDs when no proper-motion columns are found', () => {
    const md = parseHipsCatalogMetadata(VOT('<FIELD name="ra" datatype="double" ucd="pos.eq.ra;meta.main"/><FIELD name="dec" datatype="double" ucd="pos.eq.dec;meta.main"/>'));
    expect(() => resolveProperMotion({ catalogueEpoch: 2000 }, md)).toThrow(CatalogError);
    expect(() => resolveProperMotion({ catalogueEpoch: 2000 }, md)).toThrow(/pos\.pm;pos\.eq\.ra and pos\.pm;pos\.eq\.dec/);
    expect(() => resolveProperMotion({ catalogueEpoch: 2000, pmRaColumn: 'x', pmDecColumn: 'dec' }, md)).toThrow(/no column 'x'/);
    expect(() => resolveProperMotion({ catalogueEpoch: 1e9, pmRaColumn: 'ra', pmDecColumn: 'dec' }, md)).toThrow(/catalogueEpoch/);
  });

  it('merges drawn tiles into one label source that maps rows back to their tiles', () => {
    const md = parseHipsCatalogMetadata(VOT('<FIELD name="name" datatype="char" arraysize="*"/><FIELD name="ra" datatype="double" ucd="pos.eq.ra;meta.main"/><FIELD name="dec" datatype="double" ucd="pos.eq.dec;meta.main"/><FIELD name="mag" datatype="float"/>'));
    const a = prepareTileRows(parseHipsCatalogTile('name\tra\tdec\tmag\nA0\t10.5\t10.5\t5.5\nA1\t11.5\t10.5\t3.5\n', { order: 1, ipix: 0 }, md), undefined);
    const b = prepareTileRows(parseHipsCatalogTile('name\tra\tdec\tmag\nB0\t12.5\t10.5\t\nB1\t13.5\t10.5\t1.5\nB2\t14.5\t10.5\t9.5\n', { order: 2, ipix: 5 }, md), undefined);
    const src = mergeLabelSource([a, b], ['name', 'mag'], [{ column: 'mag', max: 4 }], { sizePx: 8, sizeColumn: 'mag', sizeRange: [0, 10], sizePxRange: [20, 0] }, 2);
    expect(src.index.rowCount).toBe(5);
    expect(src.data.columns!.name).toEqual(['A0', 'A1', 'B0', 'B1', 'B2']);
    expect(Array.from(src.data.columns!.mag as Float32Array)).toEqual([5.5, 3.5, NaN, 1.5, 9.5]);
    expect([0, 1, 2, 3, 4].map((m) => { const l = src.locate(m); return `${l.tile.tile.ipix}/${l.row}`; })).toEqual(['0/0', '0/1', '5/0', '5/1', '5/2']);
    expect([0, 1, 2, 3, 4].map((m) => src.rowPassesFilters(m))).toEqual([false, true, false, true, false]);
    expect(src.markerRadiusPx(3)).toBeCloseTo(17, 5); // mag 1.5 -> 17 CSS px, at ratio 2 a 34 device px marker
    expect(src.markerRadiusPx(2)).toBeCloseTo(8, 5); // NaN -> sizePx
  });
});

describe('catalogue index of small tiles', () => {
  it('sorting the rows\' cells gives the same index as the map over all anchor cells', async () => {
    const { buildCatalogIndex } = await import('./spatialIndex.js');
    // 20,000 rows take the map path; their first 3,000 (and any prefix under 16,384) the sort path
    let s = 7;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const n = 20000;
    const ra = Float64Array.from({ length: n }, () => rnd() * 360);
    const dec = Float64Array.from({ length: n }, () => (Math.asin(2 * rnd() - 1) * 180) / Math.PI);
    ra[5] = NaN;
    dec[17] = 95;
    const big = buildCatalogIndex(ra, dec);
    for (const m of [0, 1, 3000, 16383]) {
      const small = buildCatalogIndex(ra.subarray(0, m), dec.subarray(0, m));
      // the same rows through the map path: pad with unusable rows up to the threshold
      const padRa = new Float64Array(16384).fill(NaN);
      const padDec = new Float64Array(16384).fill(NaN);
      padRa.set(ra.subarray(0, m));
      padDec.set(dec.subarray(0, m));
      const viaMap = buildCatalogIndex(padRa, padDec);
      expect(Array.from(small.cellIds)).toEqual(Array.from(viaMap.cellIds));
      expect(Array.from(small.rowCell)).toEqual(Array.from(viaMap.rowCell.subarray(0, m)));
      expect(Array.from(small.gpuRows)).toEqual(Array.from(viaMap.gpuRows.subarray(0, 4 * m)));
      expect(Array.from(small.gpuCells)).toEqual(Array.from(viaMap.gpuCells));
      expect(small.validRows).toBe(viaMap.validRows);
    }
    expect(big.validRows).toBe(n - 2);
  });
});
