// Spectra and light curves to x/y series (series.ts) vs astropy (test/fixtures/plot/
// make_plot_reference.py): every UVES spectrum and both light curves of ../shared/data — point
// counts, x/y ranges, units, samples — and clear errors for files that hold neither.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seriesFromFits } from './series.js';

const DATA = '/work/shared/data';
const haveData = existsSync(`${DATA}/spectra/UVES`);

interface Ref {
  count: number; xMin: number; xMax: number; yMin: number; yMax: number; xLabel: string; xUnit: string; yUnit: string; yLabel?: string; title: string; rows?: number;
  samples: Array<[number, number, number | 'NaN']>;
}
const ref = JSON.parse(readFileSync(new URL('../../test/fixtures/plot/plot_reference.json', import.meta.url), 'utf8')) as { spectra: Record<string, Ref>; lightcurves: Record<string, Ref> };

function finiteRange(a: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return [lo, hi];
}

describe.skipIf(!haveData)('series of the real spectra and light curves vs astropy', () => {
  it('covers the kit: 15 UVES spectra, 2 light curves', () => {
    expect(Object.keys(ref.spectra)).toHaveLength(15);
    expect(Object.keys(ref.lightcurves)).toHaveLength(2);
  });

  for (const [rel, want] of [...Object.entries(ref.spectra), ...Object.entries(ref.lightcurves)]) {
    it(rel, () => {
      const s = seriesFromFits(new Uint8Array(readFileSync(`${DATA}/${rel}`)));
      expect(s.kind).toBe(rel.startsWith('spectra') ? 'spectrum' : 'lightcurve');
      expect(s.x.length).toBe(want.count);
      expect([s.xLabel, s.xUnit, s.yUnit, s.title]).toEqual([want.xLabel, want.xUnit, want.yUnit, want.title]);
      if (want.yLabel) expect(s.yLabel).toBe(want.yLabel);
      expect(s.x[0]).toBeCloseTo(want.xMin, 9);
      expect(s.x[s.x.length - 1]).toBeCloseTo(want.xMax, 9);
      const [ylo, yhi] = finiteRange(s.y);
      expect(ylo).toBe(want.yMin);
      expect(yhi).toBe(want.yMax);
      for (const [i, x, y] of want.samples) {
        expect(s.x[i]).toBeCloseTo(x, 9);
        if (y === 'NaN') expect(s.y[i]).toBeNaN();
        else expect(s.y[i]).toBe(y);
      }
      if (want.rows !== undefined) expect(s.rows[s.rows.length - 1]).toBeLessThan(want.rows);
    });
  }

  it('takes named columns and names missing ones', () => {
    const bytes = new Uint8Array(readFileSync(`${DATA}/lightcurves/tess_00025155310-s01_lc.fits`));
    const s = seriesFromFits(bytes, { y: 'SAP_FLUX' });
    expect([s.yLabel, s.yUnit]).toEqual(['SAP_FLUX', 'e-/s']);
    expect(() => seriesFromFits(bytes, { y: 'NOPE' })).toThrow(/no column 'NOPE' for y \(columns: TIME, TIMECORR/);
    expect(() => seriesFromFits(bytes, { hdu: 2 })).toThrow(/HDU 2 is neither a 1-D spectrum nor a table/);
  });
});

describe('files that hold no series', () => {
  it('names the problem', () => {
    const cards = ['SIMPLE  =                    T', 'BITPIX  =                    8', 'NAXIS   =                    2', 'NAXIS1  =                    4', 'NAXIS2  =                    4', 'END'];
    const bytes = new Uint8Array(2880 * 2);
    bytes.set(new TextEncoder().encode(cards.map((c) => c.padEnd(80)).join('').padEnd(2880)));
    expect(() => seriesFromFits(bytes)).toThrow(/no 1-D spectrum and no table in this FITS file \(HDUs: image 4x4\)/);
    expect(() => seriesFromFits(new Uint8Array(10))).toThrow(/not a FITS file/);
  });
});
