import { describe, expect, it } from 'vitest';
import { footprintInputs } from './api.js';

describe('footprintInputs', () => {
  it('accepts STC-S strings, regions, rows and { rows }, in order', () => {
    const region = { type: 'circle', raDeg: 1, decDeg: 2, radiusDeg: 0.1 } as const;
    expect(footprintInputs(['POSITION 1 2', region, { s_region: 'CIRCLE 1 2 3', obs_id: 'x' }]).inputs).toEqual(['POSITION 1 2', region, 'CIRCLE 1 2 3']);
    expect(footprintInputs({ rows: [{ fp: 'POSITION 3 4' }] }, 'fp').inputs).toEqual(['POSITION 3 4']);
  });

  it('names the row and the column when a row has no region', () => {
    expect(() => footprintInputs([{ s_region: 'POSITION 1 2' }, { region: 'POSITION 1 2' }])).toThrow(/footprint 1: the row has no string column 's_region' \(columns: region\)/);
    expect(() => footprintInputs([42 as unknown as string])).toThrow(/footprint 0: expected an STC-S string, a region or a row, got number/);
    expect(() => footprintInputs({ rowz: [] } as unknown as { rows: [] })).toThrow(/must be an array/);
  });
});
