// web-test-runner config for the perf pages run by benchmarks: the browser tests' config with a
// longer limit (a page measuring 1e5 footprints in SwiftShader runs for minutes), Chromium flags
// for exact JS heap numbers after gc() (performance.memory, globalThis.gc), a server command that
// reads the GPU process's memory, and the run's settings
// at /bench-perf-config.json: the JSON file named by $BENCH_PERF_CONFIG (so that two runs at once,
// e.g. a benchmark and its smoke test, do not read each other's settings).
import { readFileSync } from 'node:fs';
import { playwrightLauncher } from '@web/test-runner-playwright';
import base from '../web-test-runner.config.mjs';
import { quietGpuProcess } from './gpuProcess.mjs';
import { launchOptions } from '../scripts/chromium.mjs';

const launch = launchOptions();

async function serveConfig(ctx, next) {
  if (ctx.path !== '/bench-perf-config.json') return next();
  const file = process.env.BENCH_PERF_CONFIG;
  if (!file) {
    ctx.status = 404;
    return;
  }
  ctx.type = 'application/json';
  ctx.body = readFileSync(file, 'utf8');
}

export default {
  ...base,
  files: [],
  testsFinishTimeout: 1_500_000,
  testFramework: { config: { timeout: 1_500_000 } },
  middleware: [...(base.middleware ?? []), serveConfig],
  // executeServerCommand('gpu-process-memory') from a perf page: the PSS/RSS of the GPU process of
  // the Chromium this runner started (bench/gpuProcess.mjs), once it has stopped changing (memory
  // of a subject just removed is freed asynchronously)
  plugins: [...(base.plugins ?? []), {
    name: 'gpu-process-memory',
    executeCommand({ command }) {
      return command === 'gpu-process-memory' ? quietGpuProcess({ rootPid: process.pid }) : undefined;
    },
  }],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { ...launch, args: [...launch.args, '--enable-precise-memory-info', '--js-flags=--expose-gc'] },
    }),
  ],
};
