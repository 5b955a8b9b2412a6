// Footprints at scale against Aladin Lite 3.8 in the same run: frame interval while panning over
// N STC-S polygons, all in view, for N = 1e2 … 1e5 (`--sizes=100,1000` to choose; sizes above 1e5, e.g. 1000000, run esasky-sky alone with the footprints over the whole sky: Aladin Lite cannot draw 1e6), with dropped
// frames, long tasks, JS heap and GPU memory (GPU process PSS, and esasky-sky's own byte count). Runs
// test/browser/footprints.perf.ts in the headless Chromium of the browser tests (both subjects in
// the same page, alternating per size) and reads its `BENCH {json}` lines.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { RESULTS_DIR, addRatios, machine, summarize, writeResult } from './harness.mjs';
import { benchRecords, runPerfPage } from './perfPage.mjs';

export const NAME = 'footprints';
export const DEFAULT_SIZES = [100, 1000, 10_000, 100_000];
const SIZES_FILE = `${RESULTS_DIR}/footprints.sizes.tmp.json`;
/** One 60 Hz frame period (ms): headless Chromium's animation frames come at multiples of it. */
const FRAME_MS = 1000 / 60;

export async function run({ write = true, sizes: sizesOption = DEFAULT_SIZES } = {}) {
  // bench/run.mjs passes `--sizes=10000` as a number and `--sizes=100,1000` as strings
  const sizes = [sizesOption].flat().map(Number).filter((n) => Number.isInteger(n) && n > 0);
  mkdirSync(RESULTS_DIR, { recursive: true });
  let out = '';
  const failed = [];
  for (const n of sizes) {
    writeFileSync(SIZES_FILE, JSON.stringify({ sizes: [n] }));
    try {
      // one size per browser run: a browser that dies at 1e5 keeps the smaller results
      out += await runPerfPage('test/browser/footprints.perf.ts', { args: ['--config', 'bench/wtr-perf.config.mjs'], timeoutMs: 1_800_000 });
    } catch (e) {
      failed.push(n);
      console.error(`footprints bench at ${n}: ${e.message.slice(0, 2000)}`);
    } finally {
      rmSync(SIZES_FILE, { force: true });
    }
  }
  const all = benchRecords(out).map(({ metric, subject, unit, samples }) => ({ metric, unit, subject, better: 'lower', ...summarize(samples) }));
  // a marginal cost below one 60 Hz frame period (esasky-sky's) is the rounding of frame intervals
  // to vsync, not a cost: those rows (both subjects) are left out, and their ratio would be noise
  const noise = new Set(all.filter((m) => m.metric.startsWith('marginal') && m.subject === 'esasky-sky' && m.median < FRAME_MS).map((m) => m.metric));
  const metrics = all.filter((m) => !noise.has(m.metric));
  const result = {
    description: 'Footprint layer (render/layers/footprintLayer.ts) against Aladin Lite 3.8 (graphicOverlay + footprintsFromSTCS): interval between animation frames while panning one step per frame, N random 0.2–0.5° quadrilaterals all in an 800x600 SIN 20° view over the Milky Way HiPS, same page of the same headless Chromium.',
    machine: machine({ browser: 'Chromium (headless, system)', gpu: 'whatever WebGPU/WebGL adapter Chromium finds (SwiftShader on CPU-only machines)' }),
    metrics,
    notes: [
      `Sizes: ${sizes.join(', ')}${failed.length ? ` (no result at ${failed.join(', ')}: the page failed or ran out of time)` : ''}. 10 frames per size after 4 warm-up frames; subjects alternate per size (esasky-sky first), one browser per size.`,
      'The frame interval includes drawing the HiPS (the same survey for both); headless Chromium paces animation frames at 60 Hz, so 16.7 ms is the floor. Each size\'s browser first pans both subjects with no footprints (the "no footprints (base of the N run)" rows: the HiPS alone); "marginal frame cost of N footprints" is each frame interval with N footprints minus the median base interval of the same subject in the same browser (left out where esasky-sky\'s is below one 60 Hz frame period: vsync rounding, not a cost).',
      'Sizes above 1e5 (e.g. --sizes=1000000): esasky-sky alone (Aladin Lite cannot draw 1e6 footprints), the same quadrilaterals spread uniformly over the whole sky (metric names "over the whole sky"), the same 20° view: ~0.8 % of them in view, the rest culled per HEALPix cell and per footprint on the GPU.',
      'Aladin Lite draws footprints on a 2-D canvas on the CPU; esasky-sky tessellates once in workers and draws by vertex pulling on the GPU.',
      'Main-thread health over the same 10 pan frames (bench/pages/health.js, the code of every browser benchmark): dropped 60 Hz frames (an interval of k periods drops k - 1) as a share of all periods, and PerformanceObserver "longtask" entries (> 50 ms). JS heap: performance.memory.usedJSHeapSize after gc() with the subject still shown (everything in the page included).',
      'GPU memory: WebGPU and WebGL have no memory query; under SwiftShader both subjects\' GPU buffers and textures live in the RAM of Chromium\'s GPU process, so the row gives how much its PSS (/proc/<pid>/smaps_rollup, bench/gpuProcess.mjs via a web-test-runner server command) grew from before the subject was created to after its pan — all the GPU process holds for the page, including the canvas and compositor. "own GPU buffers + textures" is esasky-sky\'s exact count of the bytes it created (src/render/gpuMemory.ts; the canvas texture not included).',
    ],
  };
  if (!write) return { name: NAME, ...result, metrics: addRatios(metrics) };
  return writeResult(NAME, result);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = process.argv.find((a) => a.startsWith('--sizes='));
  const sizes = arg ? arg.slice(8).split(',').map(Number).filter((n) => n > 0) : DEFAULT_SIZES;
  const r = await run({ write: !process.argv.includes('--no-write'), sizes });
  for (const m of r.metrics) console.log(`${m.metric.padEnd(50)} ${m.subject.padEnd(12)} median ${m.median.toFixed(1)} ${m.unit} (n=${m.n}${m.ratio ? `, ratio ${m.ratio.toFixed(2)}x` : ''})`);
}
