import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { median, summarize } from './harness.mjs';

describe('bench harness statistics', () => {
  it('takes medians of odd and even samples and reports the range', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
    expect(summarize([5, 1, 9])).toMatchObject({ n: 3, median: 5, min: 1, max: 9 });
  });
});
