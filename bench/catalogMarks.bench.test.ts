// Smoke test of bench/catalog-marks.bench.mjs at a tiny size: it runs, measures every metric and
// (where astropy is importable) its peer, and writes nothing.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { run } from './catalog-marks.bench.mjs';

describe('catalog-marks benchmark (smoke)', () => {
  it('measures propagation and label selection on 2000 rows', async () => {
    const r = await run({ write: false, rows: 2000, rounds: 1 });
    const ours = r.metrics.filter((m: { subject: string }) => m.subject === 'esasky-sky');
    expect(ours.map((m: { metric: string }) => m.metric)).toEqual([
      'propagate 0.002M rows', 'propagate 0.002M rows (parallax+RV)', 'labels: first view (brightness order of 0.002M rows)',
      'labels: view change at 60° (0.002M rows)', 'labels: view change at 1° (0.002M rows)',
    ]);
    for (const m of r.metrics) expect(m.median, m.metric).toBeGreaterThan(0);
  }, 60_000);
});
