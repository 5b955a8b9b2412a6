// Catalogue logic without a GPU: input validation, float32 filter bounds (the shader's twin),
// colours and colormaps, and the HEALPix anchoring of rows (offsets reproduce the float64
// positions; cell runs and counts agree with brute force).
import { describe, expect, it } from 'vitest';
import { CatalogError, checkRowsFitDevice, filterBounds, GPU_BYTES_PER_ROW, finiteRange, numericColumn, rowPasses, validateCatalog, validateFilters } from './columns.js';
import { colormapIndex, colormapWords, parseColor, sizeFor } from './style.js';
import { ANCHOR_ORDER, buildCatalogIndex, COUNT_ORDER, compactRuns, countInRanges, NO_CELL } from './spatialIndex.js';
import { ang2pix, cellRadiusDeg } from '../hips/healpix.js';
import { queryDisc } from '../hips/healpixQuery.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('catalogue columns', () => {
  const data = { raDeg: [1, 2, 3], decDeg: [0, 10, -10], columns: { mag: Float64Array.from([1.5, NaN, 3]), bv: ['0.5', '', 'x'], name: ['a', 'b', 'c'] } };

  it('validates shapes with readable errors', () => {
    expect(validateCatalog(data)).toBe(3);
    expect(() => validateCatalog({ raDeg: [1], decDeg: [1, 2] })).toThrow(/same length/);
    expect(() => validateCatalog({ raDeg: [1], decDeg: [1], columns: { m: [] } })).toThrow(/column 'm' has 0 values for 1 rows/);
    expect(() => numericColumn(data, 'nope')).toThrow(/no column 'nope'.*mag, bv, name/);
    expect(() => numericColumn(data, 'name')).toThrow(CatalogError);
    expect(() => validateFilters(data, [{ column: 'mag' }, { column: 'mag' }, { column: 'mag' }, { column: 'mag' }, { column: 'mag' }])).toThrow(/at most 4/);
    expect(() => validateFilters(data, [{ column: 'mag', min: NaN }])).toThrow(/numbers/);
  });

  it('reads numeric text as float32 and finds finite ranges', () => {
    const bv = numericColumn(data, 'bv');
    expect(bv[0]).toBe(Math.fround(0.5));
    expect(Number.isNaN(bv[1]) && Number.isNaN(bv[2])).toBe(true);
    expect(finiteRange(numericColumn(data, 'mag'))).toEqual([1.5, 3]);
    expect(finiteRange([NaN])).toBeUndefined();
  });

  it('rounds filter bounds outward to float32 so every float64-admitted value stays in', () => {
    const [lo, hi] = filterBounds({ column: 'x', min: 0.1, max: 0.3 });
    expect(lo).toBeLessThanOrEqual(0.1);
    expect(hi).toBeGreaterThanOrEqual(0.3);
    expect(Math.fround(lo)).toBe(lo);
    expect(Math.fround(hi)).toBe(hi);
    expect(filterBounds({ column: 'x' })).toEqual([-Infinity, Infinity]);
    const col = Float32Array.from([0.1, 0.2, 0.3, 0.30000001, NaN]);
    const keep = [0, 1, 2, 3, 4].map((r) => rowPasses([col], [filterBounds({ column: 'x', min: 0.1, max: 0.3 })], r));
    expect(keep).toEqual([true, true, true, Math.fround(0.30000001) <= hi, false]);
  });
});

describe('catalogue style', () => {
  it('parses colours', () => {
    expect(parseColor('#ff8000', [0, 0, 0, 1])).toEqual([1, 128 / 255, 0, 1]);
    expect(parseColor('#f80', [0, 0, 0, 1])).toEqual([1, 136 / 255, 0, 1]);
    expect(parseColor('#00000080', [0, 0, 0, 1])[3]).toBeCloseTo(128 / 255);
    expect(parseColor([0.5, 0.5, 0.5], [0, 0, 0, 1])).toEqual([0.5, 0.5, 0.5, 1]);
    expect(parseColor(undefined, [1, 2, 3, 4] as never)).toEqual([1, 2, 3, 4]);
    expect(() => parseColor('red', [0, 0, 0, 1])).toThrow(/#rrggbb/);
  });

  it('maps values to colormap entries and sizes like the shader', () => {
    const w = colormapWords('grayscale');
    expect(w.length).toBe(256);
    expect(w[255] & 0xff).toBe(255);
    expect(w[0] >>> 24).toBe(255);
    expect(colormapIndex(-1, 0, 1)).toBe(0);
    expect(colormapIndex(0.5, 0, 1)).toBe(128);
    expect(colormapIndex(NaN, 0, 1)).toBe(-1);
    expect(sizeFor(-1.5, -1.5, 8, 16, 1)).toBe(16);
    expect(sizeFor(20, -1.5, 8, 16, 1)).toBe(1);
    expect(() => colormapWords('nope')).toThrow(/unknown colormap/);
  });
});

describe('catalogue spatial index', () => {
  const n = 20000;
  const r = rng(3);
  const ra = new Float64Array(n);
  const dec = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ra[i] = r() * 360;
    dec[i] = (Math.asin(2 * r() - 1) * 180) / Math.PI;
  }
  ra[5] = NaN;
  dec[6] = 91;
  const index = buildCatalogIndex(ra, dec);

  it('anchors each row to its HEALPix cell; float32 offsets reproduce the float64 position to < 1e-9 rad', () => {
    expect(index.validRows).toBe(n - 2);
    expect(index.rowCell[5]).toBe(NO_CELL);
    expect(index.rowCell[6]).toBe(NO_CELL);
    const bits = new Uint32Array(index.gpuRows.buffer);
    let worst = 0;
    let farthest = 0;
    for (let i = 0; i < n; i++) {
      const k = index.rowCell[i];
      if (k === NO_CELL) continue;
      expect(index.cellIds[k]).toBe(ang2pix(ANCHOR_ORDER, ra[i], dec[i]));
      expect(bits[4 * i + 3]).toBe(k);
      let err = 0;
      let d2 = 0;
      for (let c = 0; c < 3; c++) {
        const rebuilt = index.cellCentres[3 * k + c] + index.gpuRows[4 * i + c];
        err = Math.max(err, Math.abs(rebuilt - index.vectors[3 * i + c]));
        d2 += index.gpuRows[4 * i + c] ** 2;
      }
      worst = Math.max(worst, err);
      farthest = Math.max(farthest, Math.sqrt(d2));
    }
    expect(worst).toBeLessThan(1e-9);
    expect(farthest).toBeLessThan((cellRadiusDeg(ANCHOR_ORDER) * Math.PI) / 180);
    for (let k = 1; k < index.cellIds.length; k++) expect(index.cellIds[k]).toBeGreaterThan(index.cellIds[k - 1]);
  });

  it('finds the occupied cells in a disc and counts rows per coarse cell', () => {
    const ranges = queryDisc(ANCHOR_ORDER, 120, -30, 5);
    const runs = compactRuns(index.cellIds, ranges);
    const fromRuns = new Set<number>();
    for (const [a, b] of runs) for (let k = a; k < b; k++) fromRuns.add(index.cellIds[k]);
    const brute = new Set<number>();
    for (const id of index.cellIds) if (ranges.some(([a, b]) => id >= a && id < b)) brute.add(id);
    expect(fromRuns).toEqual(brute);
    const coarse = queryDisc(COUNT_ORDER, 120, -30, 20);
    const shift = 2 * (ANCHOR_ORDER - COUNT_ORDER);
    let expected = 0;
    for (let i = 0; i < n; i++) {
      const k = index.rowCell[i];
      if (k !== NO_CELL && coarse.some(([a, b]) => index.cellIds[k] >>> shift >= a && index.cellIds[k] >>> shift < b)) expected++;
    }
    expect(countInRanges(index.coarseCounts, coarse)).toBe(expected);
  });
});

describe('checkRowsFitDevice', () => {
  // WebGPU's default limits: 128 MiB per storage binding, 256 MiB per buffer
  const defaults = { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28 };
  it('accepts up to the binding limit and refuses one row more, naming rows, MiB and the limit', () => {
    const maxRows = 2 ** 27 / GPU_BYTES_PER_ROW;
    expect(maxRows).toBe(8_388_608);
    expect(() => checkRowsFitDevice(maxRows, defaults)).not.toThrow();
    expect(() => checkRowsFitDevice(maxRows + 1, defaults)).toThrow(CatalogError);
    expect(() => checkRowsFitDevice(10_000_000, defaults)).toThrow(/10000000 rows needs GPU buffers of 153 MiB.*at most 128 MiB.*maxStorageBufferBindingSize.*at most 8388608 rows/);
  });
  it('uses the smaller of the binding and buffer limits', () => {
    const limits = { maxStorageBufferBindingSize: 2 ** 32 - 4, maxBufferSize: 2 ** 30 };
    expect(() => checkRowsFitDevice(2 ** 26, limits)).not.toThrow();
    expect(() => checkRowsFitDevice(2 ** 26 + 1, limits)).toThrow(/at most 1024 MiB/);
  });
});
