// First vertical slice, in real headless Chromium against `npm start`'s server: time from a view
// change to `view-settled` over a scripted path of views (fresh browser context per round, so no
// HTTP or GPU cache carries over), and frames/s with main-thread long tasks during a continuous pan.
import { chromium } from 'playwright-core';
import { launchOptions } from '../scripts/chromium.mjs';
import { machine, summarize, writeResult } from './harness.mjs';
import { startServer } from './server.mjs';

/** The scripted path: [raDeg, decDeg, fovDeg]. */
export const PATH = [
  [266.4, -29.0, 180],
  [83.82, -5.39, 60],
  [10.68, 41.27, 20],
  [201.37, -43.02, 90],
  [0, 89.9, 40],
  [279.23, 38.78, 5],
];

async function measureRound(browser, url, { panMs }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.settled === 'true', undefined, { timeout: 120_000 });
  const r = await page.evaluate(async ({ path, panMs }) => {
    const sky = document.querySelector('esasky-sky');
    const settleTimes = [];
    for (const [ra, dec, fov] of path) {
      const t0 = performance.now();
      const settled = new Promise((res) => sky.addEventListener('view-settled', res, { once: true }));
      sky.goToRaDec(ra, dec);
      sky.setFov(fov);
      await settled;
      settleTimes.push(performance.now() - t0);
    }
    // Continuous pan: one view change per animation frame, the way a drag drives it.
    const longTasks = [];
    const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration)));
    obs.observe({ type: 'longtask', buffered: false });
    sky.goToRaDec(83.82, -5.39);
    sky.setFov(30);
    await sky.whenSettled();
    const f0 = sky.framesDrawn;
    const t0 = performance.now();
    let ra = 83.82;
    await new Promise((resolve) => {
      const step = () => {
        ra += 0.2;
        sky.goToRaDec(ra, -5.39);
        if (performance.now() - t0 < panMs) requestAnimationFrame(step);
        else resolve();
      };
      requestAnimationFrame(step);
    });
    const elapsed = performance.now() - t0;
    obs.disconnect();
    const heap = performance.memory ? performance.memory.usedJSHeapSize / 2 ** 20 : NaN;
    return { settleTimes, fps: ((sky.framesDrawn - f0) * 1000) / elapsed, longTaskCount: longTasks.length, longTaskMs: longTasks.reduce((a, b) => a + b, 0), heapMiB: heap };
  }, { path: PATH, panMs });
  const gpu = await page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? `${a.info?.vendor ?? ''} ${a.info?.architecture ?? ''} ${a.info?.description ?? ''}`.trim() + (a.info?.isFallbackAdapter ? ' (fallback adapter)' : '') : 'none';
  });
  await context.close();
  return { ...r, gpu };
}

export async function run({ rounds = 5, panMs = 3000, write = true } = {}) {
  const server = await startServer();
  const browser = await chromium.launch(launchOptions());
  const settle = [];
  const fps = [];
  const longTasks = [];
  const heap = [];
  let gpu = '';
  try {
    for (let i = 0; i < rounds; i++) {
      const r = await measureRound(browser, `${server.url}/?target=0%200&fov=180`, { panMs });
      settle.push(...r.settleTimes);
      fps.push(r.fps);
      longTasks.push(r.longTaskCount);
      heap.push(r.heapMiB);
      gpu = r.gpu;
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  const metrics = [
    { metric: 'time to view-settled per view', unit: 'ms', subject: 'esasky-sky', better: 'lower', ...summarize(settle) },
    { metric: 'frames per second while panning', unit: 'frames/s', subject: 'esasky-sky', better: 'higher', ...summarize(fps) },
    { metric: 'long tasks during 3 s pan', unit: 'count', subject: 'esasky-sky', better: 'lower', ...summarize(longTasks) },
    { metric: 'JS heap after the session', unit: 'MiB', subject: 'esasky-sky', better: 'lower', ...summarize(heap.filter(Number.isFinite)) },
  ];
  const result = {
    description: `Reference page from the archive server in headless Chromium (1280x720): time from goToRaDec+setFov to view-settled over ${PATH.length} views of the shipped Milky Way HiPS (fresh browser context each of ${rounds} rounds), then frames/s over a ${panMs / 1000} s pan driven once per animation frame.`,
    machine: machine({ browser: browser.version ? `Chromium ${browser.version()}` : 'Chromium', gpu }),
    metrics,
    notes: [
      'The GPU here is SwiftShader (software WebGPU on the CPU), so absolute frame rates are far below a real GPU; the GPU benchmarks (issue 8) run on an NVIDIA card.',
      'Peer (Aladin Lite in the same run) is added by the benchmark-harness issue.',
    ],
  };
  return write ? writeResult('slice', result) : { name: 'slice', ...result };
}
