// Progressive catalogues with many tiles (~700 wanted at 20°) on this machine's WebGPU (SwiftShader
// when there is no GPU): frame times of pan frames and unchanged frames for the shared-buffer layer
// (one compute pass, one draw) against one CatalogLayer per tile (the design it replaced), same
// tiles, same run; and the density view of the same layer at the same view (compute splat of the
// resident rows, maximum, one full-screen draw) against its markers; and its markers on the
// compute-rasterised path (markerPath 'compute') against its quads ('raster'). Runs test/browser/catalogProgressive.perf.ts in the headless Chromium of the
// browser tests and reads its `BENCH {json}` lines.
import { machine, summarize, writeResult } from './harness.mjs';
import { benchRecords, runPerfPage } from './perfPage.mjs';

export const NAME = 'catalog-progressive';

export async function run({ write = true } = {}) {
  const out = await runPerfPage('test/browser/catalogProgressive.perf.ts');
  const metrics = benchRecords(out).map(({ metric, unit, samples }) => ({ metric, unit, subject: 'esasky-sky', better: 'lower', ...summarize(samples) }));
  const result = {
    description: 'Progressive HiPS catalogue (render/layers/progressiveCatalogLayer.ts) with ~700 tiles in view: shared growable buffers, one compute pass + one indirect draw per view change, vs one CatalogLayer per tile, its density view (densityThreshold lowered) vs its markers at the same view, and its compute-rasterised markers (one fused place + raster pass, one full-screen resolve) vs its quads; frame = render + GPU done.',
    machine: machine({ browser: 'Chromium (headless, system)', gpu: 'whatever WebGPU adapter Chromium finds (SwiftShader on CPU-only machines)' }),
    metrics,
    notes: [
      'Synthetic HiPS catalogue served in memory: order 6 only, 20 seeded random rows per cell; SIN 20° at 512x512; pan frames move the view by 0.05°.',
      'The per-tile layers are built from the very tiles the shared layer drew (same rows), as the previous layer built them.',
      "'shared buffers (1 pass, 1 draw)' is the quad path (markerPath 'raster'); 'compute-rasterised markers' the same layer and rows with markerPath 'compute' (what 'auto' picks at this view).",
    ],
  };
  return write ? writeResult(NAME, result) : { name: NAME, ...result };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({ write: !process.argv.includes('--no-write') });
  for (const m of r.metrics) console.log(`${m.metric.padEnd(100)} median ${m.median.toFixed(2)} ${m.unit} (n=${m.n})`);
}
