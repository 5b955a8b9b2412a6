// Catalogue layers on this machine's WebGPU (SwiftShader when there is no GPU): frame times of
// markers and density maps for 1e5 and 1e6 rows, picking, and the per-frame CPU cost of the layer
// against the rejected design (a float64 transform of every row on the main thread + upload).
// Runs test/browser/catalog.perf.ts in the headless Chromium of the browser tests (with
// bench/wtr-perf.config.mjs: gc, precise heap, GPU process memory) and reads its
// `BENCH {json}` lines. No peer here: Aladin Lite's catalogue path is a later comparison.
import { spawn } from 'node:child_process';
import { REPO, machine, summarize, writeResult } from './harness.mjs';

export const NAME = 'catalog';

function runPerfPage() {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['web-test-runner', '--config', 'bench/wtr-perf.config.mjs', 'test/browser/catalog.perf.ts'], { cwd: REPO, env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), 600_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`catalog.perf.ts failed (exit ${code}):\n${out.slice(-3000)}`));
      else resolve(out);
    });
  });
}

export async function run({ write = true } = {}) {
  const out = await runPerfPage();
  const metrics = [];
  for (const line of out.split('\n')) {
    const i = line.indexOf('BENCH {');
    if (i < 0) continue;
    const { metric, unit, samples } = JSON.parse(line.slice(i + 6).trim());
    metrics.push({ metric, unit, subject: 'esasky-sky', better: 'lower', ...summarize(samples) });
  }
  if (metrics.length === 0) throw new Error(`no BENCH lines in the output:\n${out.slice(-3000)}`);
  const result = {
    description: 'Catalogue layers (render/layers/catalogLayer.ts) in headless Chromium: frame = render + GPU done; markers are drawn from a compute pass (screen positions, order-preserving compaction, drawIndirect), density by atomic splatting at half resolution.',
    machine: machine({ browser: 'Chromium (headless, system)', gpu: 'whatever WebGPU adapter Chromium finds (SwiftShader on CPU-only machines)' }),
    metrics,
    notes: [
      'Random rows uniform on the sphere; SIN 60° at 800x600 shows ~7 % of them, "all rows on screen" is an AIT 360° view.',
      'Density mode is chosen automatically above 2e5 rows in view; the all-on-screen marker rows show why.',
      'Health per layer (test/browser/perfHealth.ts, on bench/pages/health.js like every browser benchmark): PerformanceObserver "longtask" entries (> 50 ms) over its frames and picks; frames are rendered off-screen back to back (render + onSubmittedWorkDone), not paced by animation frames, so no dropped frames are counted. JS heap growth: performance.memory after gc(), with the layer minus before it (the rows themselves are made before). GPU memory: the renderer\'s and layer\'s buffers and textures by exact count (src/render/gpuMemory.ts), and the growth of Chromium\'s GPU process PSS (/proc, bench/gpuProcess.mjs; under SwiftShader GPU memory is that process\'s RAM).',
    ],
  };
  return write ? writeResult(NAME, result) : { name: NAME, ...result };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({ write: !process.argv.includes('--no-write') });
  for (const m of r.metrics) console.log(`${m.metric.padEnd(80)} median ${m.median.toFixed(2)} ${m.unit} (n=${m.n})`);
}
