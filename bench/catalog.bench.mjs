// Catalogue layers on this machine's WebGPU (SwiftShader when there is no GPU): frame times of
// markers and density maps for 1e5 and 1e6 rows, picking, and the per-frame CPU cost of the layer
// against the rejected design (a float64 transform of every row on the main thread + upload).
// Runs test/browser/catalog.perf.ts in the headless Chromium of the browser tests (with
// bench/wtr-perf.config.mjs: gc, precise heap, GPU process memory) and reads its
// `BENCH {json}` lines. No peer here: Aladin Lite's catalogue path is a later comparison.
import { machine, summarize, writeResult } from './harness.mjs';
import { benchRecords, runPerfPage } from './perfPage.mjs';

export const NAME = 'catalog';

export async function run({ write = true } = {}) {
  const out = await runPerfPage('test/browser/catalog.perf.ts', { args: ['--config', 'bench/wtr-perf.config.mjs'] });
  const metrics = benchRecords(out).map(({ metric, unit, samples }) => ({ metric, unit, subject: 'esasky-sky', better: 'lower', ...summarize(samples) }));
  const result = {
    description: 'Catalogue layers (render/layers/catalogLayer.ts) in headless Chromium: frame = render + GPU done; markers are placed by a compute pass (screen positions) and drawn either as quads (order-preserving compaction, drawIndirect) or compute-rasterised (per-pixel atomicMax of row ids + full-screen resolve, render/layers/catalogRaster.ts), density by atomic splatting at half resolution.',
    machine: machine({ browser: 'Chromium (headless, system)', gpu: 'whatever WebGPU adapter Chromium finds (SwiftShader on CPU-only machines)' }),
    metrics,
    notes: [
      'Random rows uniform on the sphere; SIN 60° at 800x600 shows ~7 % of them, "all rows on screen" is an AIT 360° view.',
      'Density mode is chosen automatically above 2e5 rows in view; the all-on-screen marker rows show why.',
      '"markers" rows force the quad path (markerPath: \'raster\'), "markers, compute-rasterised" the compute path (markerPath: \'compute\'); by default (\'auto\') 4 px markers take the compute path from 2000 rows in view.',
      'Health per layer (test/browser/perfHealth.ts, on bench/pages/health.js like every browser benchmark): PerformanceObserver "longtask" entries (> 50 ms) over its frames and picks; frames are rendered off-screen back to back (render + onSubmittedWorkDone), not paced by animation frames, so no dropped frames are counted. JS heap growth: performance.memory after gc(), with the layer minus before it (the rows themselves are made before). GPU memory: the renderer\'s and layer\'s buffers and textures by exact count (src/render/gpuMemory.ts), and the growth of Chromium\'s GPU process PSS (/proc, bench/gpuProcess.mjs; under SwiftShader GPU memory is that process\'s RAM).',
    ],
  };
  return write ? writeResult(NAME, result) : { name: NAME, ...result };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({ write: !process.argv.includes('--no-write') });
  for (const m of r.metrics) console.log(`${m.metric.padEnd(80)} median ${m.median.toFixed(2)} ${m.unit} (n=${m.n})`);
}
