import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { addRatios, median, summarize } from './harness.mjs';

describe('bench harness statistics', () => {
  it('takes medians of odd and even samples and reports the range', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
    expect(summarize([5, 1, 9])).toMatchObject({ n: 3, median: 5, min: 1, max: 9 });
  });

  it('gives each peer row its ratio against esasky-sky (> 1: esasky-sky better)', () => {
    const rows = addRatios([
      { metric: 't', subject: 'esasky-sky', better: 'lower', median: 10 },
      { metric: 't', subject: 'peer', better: 'lower', median: 30 },
      { metric: 'r', subject: 'esasky-sky', better: 'higher', median: 10 },
      { metric: 'r', subject: 'peer', better: 'higher', median: 40 },
      { metric: 'alone', subject: 'peer', better: 'higher', median: 1 },
    ]);
    expect(rows.map((r: { ratio?: number }) => r.ratio)).toEqual([undefined, 3, undefined, 0.25, undefined]);
  });
});
