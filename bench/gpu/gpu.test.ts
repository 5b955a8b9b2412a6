// Smoke test of the GPU benchmark (not a timed test): bundle the render core, run it under Node
// with Dawn on this machine's WebGPU (SwiftShader) at tiny sizes, and check that every workload
// produced frame times and really drew (catalogue mode as asked, HiPS cells drawn, all tiles in).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('bench/gpu (smoke)', () => {
  it('runs catalogue, raw-splat, footprint and full-sky HiPS frames under Dawn and reports numbers', () => {
    const b = spawnSync(process.execPath, [`${here}build.mjs`], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    const r = spawnSync(process.execPath, [`${here}run.mjs`, '--no-write', '--rows=2000', '--footprints=300', '--size=256x144', '--frames=2'], { encoding: 'utf8', timeout: 240_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, r.stdout).toBeDefined();
    const result = JSON.parse(line!.slice(7));
    const rows = result.metrics as Array<{ metric: string; subject: string; median: number; n: number; info: Record<string, unknown> }>;
    expect(rows.length).toBe(6);
    for (const m of rows) {
      expect(m.n).toBe(2);
      expect(m.median).toBeGreaterThan(0);
    }
    expect(rows.find((m) => m.metric.includes('markers'))!.info.mode).toBe('markers');
    expect(rows.find((m) => m.metric.includes('density') && m.subject === 'esasky-sky')!.info.mode).toBe('density');
    // the footprints really drew: every one in the full-sky view, outline pixels in the target
    const fullSky = rows.find((m) => m.metric.startsWith('footprints') && m.metric.includes('full sky'))!;
    expect(fullSky.info.inView).toBe(300);
    expect(fullSky.info.segments as number).toBeGreaterThanOrEqual(4 * 300 * 6 / 7);
    expect(fullSky.info.drawnPx as number).toBeGreaterThan(100);
    const sin = rows.find((m) => m.metric.startsWith('footprints') && m.metric.includes('SIN'))!;
    expect(sin.info.inView as number).toBeLessThan(300);
    expect(sin.info.inView as number).toBeGreaterThan(0);
    const hips = rows.find((m) => m.metric.startsWith('full-sky HiPS'))!;
    expect(hips.info.cellsDrawn as number).toBeGreaterThanOrEqual(48);
  }, 300_000);
});
