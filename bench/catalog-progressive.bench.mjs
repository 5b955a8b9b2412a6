// Progressive catalogues with many tiles (~700 wanted at 20°) on this machine's WebGPU (SwiftShader
// when there is no GPU): frame times of pan frames and unchanged frames for the shared-buffer layer
// (one compute pass, one draw) against one CatalogLayer per tile (the design it replaced), same
// tiles, same run. Runs test/browser/catalogProgressive.perf.ts in the headless Chromium of the
// browser tests and reads its `BENCH {json}` lines.
import { spawn } from 'node:child_process';
import { REPO, machine, summarize, writeResult } from './harness.mjs';

export const NAME = 'catalog-progressive';

function runPerfPage() {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['web-test-runner', 'test/browser/catalogProgressive.perf.ts'], { cwd: REPO, env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), 600_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`catalogProgressive.perf.ts failed (exit ${code}):\n${out.slice(-3000)}`));
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
    description: 'Progressive HiPS catalogue (render/layers/progressiveCatalogLayer.ts) with ~700 tiles in view: shared growable buffers, one compute pass + one indirect draw per view change, vs one CatalogLayer per tile; frame = render + GPU done.',
    machine: machine({ browser: 'Chromium (headless, system)', gpu: 'whatever WebGPU adapter Chromium finds (SwiftShader on CPU-only machines)' }),
    metrics,
    notes: [
      'Synthetic HiPS catalogue served in memory: order 6 only, 20 seeded random rows per cell; SIN 20° at 512x512; pan frames move the view by 0.05°.',
      'The per-tile layers are built from the very tiles the shared layer drew (same rows), as the previous layer built them.',
    ],
  };
  return write ? writeResult(NAME, result) : { name: NAME, ...result };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({ write: !process.argv.includes('--no-write') });
  for (const m of r.metrics) console.log(`${m.metric.padEnd(100)} median ${m.median.toFixed(2)} ${m.unit} (n=${m.n})`);
}
