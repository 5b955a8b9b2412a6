// Smoke run of the benchmarks (tiny sizes): they run end to end and produce finite numbers. The
// real numbers come from `npm run bench`, never from tests.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { run } from '../../bench/slice.bench.mjs';

describe('bench smoke', () => {
  it('slice: settles views and counts frames', async () => {
    const r = await run({ rounds: 1, panMs: 300, write: false });
    const byName = Object.fromEntries(r.metrics.map((m: { metric: string; median: number; n: number }) => [m.metric, m]));
    expect(byName['time to view-settled per view'].n).toBe(6);
    expect(byName['time to view-settled per view'].median).toBeGreaterThan(0);
    expect(byName['frames per second while panning'].median).toBeGreaterThan(0);
  });
});
