// Catalogues at scale against Aladin Lite 3.8 in the same run: frame interval while panning over N
// sources (all in view), time to add them, dropped frames, long tasks, JS heap, GPU memory (GPU
// process PSS, esasky-sky's own byte count) and picking latency,
// for N = 1e3 … 1e7 (`--sizes=1000,10000`, `--rounds=3`, `--cap-ms=120000` to choose). Runs
// test/browser/catalog-peer.perf.ts in the headless Chromium of the browser tests (both subjects
// in the same page, A B A B rounds per size, one browser per size) and reads its `BENCH {json}`
// and `NOTE {json}` lines. A subject that cannot pan within the time cap at one size is not run at
// larger ones (recorded in the notes).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULTS_DIR, addRatios, machine, summarize, writeResult } from './harness.mjs';
import { pageRecords, runPerfPage } from './perfPage.mjs';

export const NAME = 'catalog-peer';
export const DEFAULT_SIZES = [1000, 10_000, 100_000, 1_000_000, 10_000_000];
export const SUBJECTS = ['esasky-sky', 'Aladin Lite'];

export async function run({ write = true, sizes = DEFAULT_SIZES, rounds = 3, capMs = 120_000, markerPath = 'auto', subjects: only = SUBJECTS } = {}) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'catalog-peer-'));
  const configFile = join(dir, 'config.json');
  const samples = new Map(); // `${metric}\n${subject}` -> { metric, subject, unit, better, samples }
  const notes = [];
  const stopped = new Map(); // subject -> the size at which it stopped
  const failed = [];
  const modes = new Map(); // size -> esasky-sky draw modes seen
  const picks = new Map(); // `${subject} at ${n}` -> [hits, picks]
  let gpuErrors = 0;
  const gpuErrorText = new Set();
  for (const n of sizes) {
    const subjects = SUBJECTS.filter((s) => !stopped.has(s) && [only].flat().includes(s));
    if (subjects.length === 0) break;
    writeFileSync(configFile, JSON.stringify({ sizes: [n], rounds, capMs, subjects, markerPath }));
    let out;
    try {
      // one size per browser run: a browser that dies at 1e7 keeps the smaller results
      out = await runPerfPage('test/browser/catalog-peer.perf.ts', {
        args: ['--config', 'bench/wtr-perf.config.mjs'], env: { BENCH_PERF_CONFIG: configFile }, timeoutMs: Math.max(600_000, 4 * rounds * subjects.length * capMs),
      });
    } catch (e) {
      failed.push(n);
      out = e.out ?? '';
      console.error(`catalog-peer bench at ${n}: ${e.message.slice(0, 2000)}`);
    }
    for (const b of pageRecords(out, 'BENCH')) {
      const key = `${b.metric}\n${b.subject}`;
      if (!samples.has(key)) samples.set(key, { ...b, samples: [] });
      samples.get(key).samples.push(...b.samples);
    }
    const seen = new Set();
    for (const nt of pageRecords(out, 'NOTE')) {
      if (nt.gpuErrors !== undefined) {
        gpuErrors += nt.gpuErrors;
        if (nt.firstGpuError) gpuErrorText.add(nt.firstGpuError.slice(0, 200));
        continue;
      }
      seen.add(nt.subject);
      if (nt.mode) modes.set(n, new Set([...(modes.get(n) ?? []), nt.mode]));
      if (nt.picks) {
        const k = `${nt.subject} at ${n}`;
        const [h, p] = picks.get(k) ?? [0, 0];
        picks.set(k, [h + nt.pickHits, p + nt.picks]);
      }
      if (nt.reason && !stopped.has(nt.subject)) {
        stopped.set(nt.subject, n);
        notes.push(`${nt.subject} at ${n} sources: ${nt.reason}; not run at larger sizes.`);
      }
    }
    for (const s of subjects) {
      if (!seen.has(s) && !stopped.has(s)) {
        stopped.set(s, n);
        notes.push(`${s} at ${n} sources: no result (the page failed or ran out of time); not run at larger sizes.`);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const metrics = [...samples.values()].map(({ metric, subject, unit, better, samples: xs }) => ({ metric, unit, subject, better, ...summarize(xs) }));
  if (metrics.length === 0) throw new Error('no BENCH lines in the output of any size');
  const result = {
    description: 'Catalogue layer (render/layers/catalogLayer.ts through <esasky-sky>.overlayCatalogue) against Aladin Lite 3.8.2 (A.catalog + addSources, 6 px squares): N random sources in a 10° disc, all in an 800x600 SIN 30° view over the Milky Way HiPS, panned 0.05° per animation frame; same page of the same headless Chromium, rounds alternating esasky-sky, Aladin Lite (A B A B).',
    machine: machine({ browser: 'Chromium (headless, system)', gpu: 'esasky-sky: WebGPU, Aladin Lite: WebGL2 (SwiftShader on CPU-only machines)' }),
    metrics,
    notes: [
      `Sizes: ${sizes.join(', ')}; ${rounds} rounds per size (each builds the layer anew), 10 pan frames per round after 4 warm-up frames; time cap ${capMs / 1000} s per pan.${failed.length ? ` Page failures at: ${failed.join(', ')}.` : ''}`,
      ...notes,
      `esasky-sky draw mode by size (density above 2e5 rows in view, its default): ${[...modes].map(([n, m]) => `${n}: ${[...m].join('/')}`).join(', ') || '—'}.`,
      'Frame interval = time between animation frames while the view moves once per frame (what a user sees); headless Chromium paces frames at 60 Hz, so 16.7 ms is the floor and ratios at the floor understate the difference. It includes drawing the same HiPS for both.',
      '"add N sources" = from the call that adds the rows (for Aladin Lite including making its A.source objects, which its API needs; esasky-sky takes Float64Arrays) until the first frame that shows them. Dropped frames: an interval of k 60 Hz periods counts k - 1. Long tasks: PerformanceObserver "longtask" entries during the pan. JS heap: performance.memory.usedJSHeapSize after gc(), everything else in the page included (both subjects keep their rows in the page; GPU buffers are not counted). Long tasks and the health of the pan come from bench/pages/health.js, the code of every browser benchmark.',
      'GPU memory: WebGPU and WebGL have no memory query; under SwiftShader both subjects\' GPU buffers and textures live in the RAM of Chromium\'s GPU process, so "GPU process memory (PSS) growth while shown" is how much its PSS (/proc/<pid>/smaps_rollup, bench/gpuProcess.mjs via a web-test-runner server command) grew from before the subject was created to after its pan and picks — everything the GPU process holds for the page, canvas and compositor included. "own GPU buffers + textures" is esasky-sky\'s exact count of the bytes it created (src/render/gpuMemory.ts; the canvas texture not included).',
      `Pick latency: five picks at sources near the centre after the pan; esasky-sky: pickCatalogue() (GPU pick pass after a view change, then a readback; 3 px radius), Aladin Lite: what its mousemove handler does, view.updateObjectsLookup() (a grid of the drawn sources' screen positions) then view.closestObjects(x, y, 5), at the same sources placed with its own world2pix. Hits/picks: ${[...picks].map(([s, [h, p]]) => `${s} ${h}/${p}`).join(', ') || '—'}; a size without a pick row for esasky-sky drew a density map, which has no markers to pick.`,
      `WebGPU validation errors on esasky-sky's device during the run: ${gpuErrors}${gpuErrorText.size ? ` (${[...gpuErrorText].join(' | ')})` : ''}.`,
      'Aladin Lite draws catalogue markers on a 2-D canvas on the CPU; esasky-sky places them with a compute pass and draws them by vertex pulling on the GPU. The GPU here is SwiftShader (software), so both are CPU-bound.',
    ],
  };
  if (!write) return { name: NAME, ...result, metrics: addRatios(metrics) };
  return writeResult(NAME, result);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
  const sizes = arg('sizes') ? arg('sizes').split(',').map(Number).filter((n) => n > 0) : DEFAULT_SIZES;
  const only = arg('subjects') ? arg('subjects').split(',') : SUBJECTS;
  const r = await run({ write: !process.argv.includes('--no-write'), sizes, rounds: Number(arg('rounds') ?? 3), capMs: Number(arg('cap-ms') ?? 120_000), markerPath: arg('marker-path') ?? 'auto', subjects: only });
  for (const m of r.metrics) console.log(`${m.metric.padEnd(64)} ${m.subject.padEnd(12)} median ${m.median.toFixed(1)} ${m.unit} (n=${m.n}${m.ratio ? `, ratio ${m.ratio.toFixed(2)}x` : ''})`);
  for (const n of r.notes) console.log(`- ${n}`);
}
