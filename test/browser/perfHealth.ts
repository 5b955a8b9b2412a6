// Main-thread and memory health for the perf pages of the browser benchmarks (test/browser/*.perf.ts,
// run by bench/*.bench.mjs through bench/wtr-perf.config.mjs): long tasks and dropped frames from
// the one health script of every browser benchmark (bench/pages/health.js), JS heap after gc(),
// the GPU process's memory (server command of bench/wtr-perf.config.mjs) and esasky-sky's own
// count of its GPU bytes.
import '../../bench/pages/health.js';
import { executeServerCommand } from '@web/test-runner-commands';
import type { EsaskySky } from '../../src/elements/esaskySky.js';

export interface Health {
  longTaskCount: number;
  longTaskMs: number;
  droppedFrames: number;
  droppedShare: number;
}
export interface HealthMeter {
  frame(rafTimestamp: number): void;
  stop(): Health;
}

/** Start observing long tasks; feed it every animation frame's timestamp; stop() gives the counts. */
export function startHealth(): HealthMeter {
  return (window as unknown as { __benchHealth: () => HealthMeter }).__benchHealth();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** performance.memory.usedJSHeapSize in MiB (NaN without --enable-precise-memory-info). */
export function heapMiB(): number {
  const m = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  return m ? m.usedJSHeapSize / 2 ** 20 : NaN;
}

/** Two rounds of gc() (--js-flags=--expose-gc) so that heap numbers count live objects only. */
export async function collect(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    (globalThis as unknown as { gc?: () => void }).gc?.();
    await sleep(20);
  }
}

/** PSS of Chromium's GPU process in MiB (NaN when the runner has no such command, e.g. outside the benchmarks). */
export async function gpuProcessPssMiB(): Promise<number> {
  try {
    const r = await executeServerCommand<{ pssMiB: number } | undefined, undefined>('gpu-process-memory');
    return typeof r?.pssMiB === 'number' ? r.pssMiB : NaN;
  } catch {
    return NaN;
  }
}

/** esasky-sky's exact count of its live GPU buffer + texture bytes, MiB. */
export function ownGpuMiB(sky: EsaskySky): number {
  const g = sky.gpuMemory();
  return g ? (g.bufferBytes + g.textureBytes) / 2 ** 20 : NaN;
}
