import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { credibleRegions, readMultiOrderMap } from './credible.js';

const SKYMAP = new URL('../../../shared/data/allsky_maps/bayestar.multiorder.fits', import.meta.url);
const REF = JSON.parse(readFileSync(new URL('../../test/fixtures/moc/credible.json', import.meta.url), 'utf8')) as {
  cells: number;
  regions: Array<{ level: number; area_deg2: number; probability: number; uniq: number[] }>;
};

describe('credible regions of the BAYESTAR multi-order map', () => {
  it('select the same cells, area and probability as the astropy/numpy reference', () => {
    const map = readMultiOrderMap(readFileSync(SKYMAP));
    expect(map.uniq.length).toBe(REF.cells);
    const regions = credibleRegions(map, [0.5, 0.9]);
    for (const [k, r] of regions.entries()) {
      const ref = REF.regions[k]!;
      expect(r.level).toBe(ref.level);
      expect(Array.from(r.uniq, Number)).toEqual(ref.uniq);
      expect(r.areaSqDeg).toBeCloseTo(ref.area_deg2, 9);
      expect(r.probability).toBeCloseTo(ref.probability, 12);
      // the MOC covers exactly those cells: same area
      expect(r.moc.areaSqDeg()).toBeCloseTo(ref.area_deg2, 6);
    }
    expect(regions[0]!.moc.difference(regions[1]!.moc).isEmpty()).toBe(true); // 50 % inside 90 %
  });

  it('refuses what is not a multi-order map and bad levels', () => {
    const map = readMultiOrderMap(readFileSync(SKYMAP));
    expect(() => credibleRegions(map, [1.5])).toThrow(/credible level must be in \(0, 1\], got 1.5/);
    expect(() => credibleRegions({ uniq: BigUint64Array.of(3n), probDensity: Float64Array.of(1) }, [0.5])).toThrow(/invalid NUNIQ value 3/);
    expect(() => credibleRegions({ uniq: BigUint64Array.of(4n), probDensity: Float64Array.of(NaN) }, [0.5])).toThrow(/PROBDENSITY of row 1 is NaN/);
    expect(() => readMultiOrderMap(readFileSync(new URL('../../../shared/data/moc_samples/MOC2.0_SMOC.fits', import.meta.url)))).toThrow(/not a multi-order sky map/);
  });
});
