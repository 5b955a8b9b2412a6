// Smoke test of bench/grid-labels.bench.mjs at a tiny size: it runs, measures every case, places
// labels in each and writes nothing.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { run, CASES } from './grid-labels.bench.mjs';

describe('grid-labels benchmark (smoke)', () => {
  it('measures grid geometry and label placement for every case', async () => {
    const r = await run({ write: false, rounds: 1, warmup: 0, minMs: 1, widthPx: 400, heightPx: 300 });
    expect(r.metrics.map((m: { metric: string }) => m.metric)).toEqual(CASES.map((c: string[]) => `grid + labels per view, ${c[0]}`));
    for (const m of r.metrics) expect(m.median, m.metric).toBeGreaterThan(0);
    for (const n of r.notes.slice(0, CASES.length)) expect(n).toMatch(/[1-9]\d* labels placed/);
  }, 60_000);
});
