// Diagnostic (not a benchmark; bench/run.mjs does not run it): what the long tasks of
// hips-settle's pan/zoom session are made of. Runs the session's path (one view change per
// animation frame, 7.5°-120°, SIN) in the reference page and lists Chromium's
// "long-animation-frame" entries (> 50 ms): their duration, how much of it was script (with the
// scripts' entry points and durations), rendering (style/layout + paint/commit), and the time
// drawFrame itself took in that frame (split into getCurrentTexture, submit, writeBuffer and the
// rest where it took over 30 ms). Needs `npm run build`.
//   node bench/diag/long-frames.mjs [steps=300] [survey=swe_milkyway]
import { chromium } from 'playwright-core';
import { launchOptions } from '../../scripts/chromium.mjs';
import { startServer } from '../server.mjs';

const steps = Number(process.argv[2] ?? 300);
const survey = process.argv[3] ?? 'swe_milkyway';
if (!(steps > 0)) throw new Error(`steps must be a positive number, got '${process.argv[2]}'`);
const archive = await startServer();
const browser = await chromium.launch(launchOptions());
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const hips = `${archive.url}/hips/${survey}/`;
  await page.goto(`${archive.url}/?hips=${encodeURIComponent(hips)}&target=10%200&fov=30&projection=SIN`);
  await page.waitForFunction(() => document.body.dataset.settled === 'true', undefined, { timeout: 120_000 });
  const out = await page.evaluate(async (n) => {
    const sky = document.querySelector('esasky-sky');
    const style = document.createElement('style');
    style.textContent = 'esasky-sky { position: fixed !important; inset: 0 !important; width: 100vw !important; height: 100vh !important; }';
    document.head.append(style);
    await new Promise((r) => setTimeout(r, 500));
    await sky.whenSettled();
    // drawFrame's own time per call (a private method, wrapped for this diagnostic only)
    const draws = [];
    // and inside it: getCurrentTexture, the renderer's prepare + encode, and queue.submit
    const part = { tex: 0, submit: 0, write: 0 };
    const ctx = sky.context;
    const gct = ctx.getCurrentTexture.bind(ctx);
    ctx.getCurrentTexture = () => { const t = performance.now(); const r = gct(); part.tex += performance.now() - t; return r; };
    const q = sky.renderer.device.queue;
    const submit = q.submit.bind(q);
    q.submit = (b) => { const t = performance.now(); submit(b); part.submit += performance.now() - t; };
    const wb = q.writeBuffer.bind(q);
    q.writeBuffer = (...a) => { const t = performance.now(); wb(...a); part.write += performance.now() - t; };
    const draw = sky.drawFrame;
    sky.drawFrame = function (...a) {
      part.tex = part.submit = part.write = 0;
      const t = performance.now();
      const r = draw.apply(this, a);
      const ms = performance.now() - t;
      draws.push([t, ms, ms > 30 ? `getCurrentTexture ${part.tex.toFixed(0)} submit ${part.submit.toFixed(0)} writeBuffer ${part.write.toFixed(0)} other ${(ms - part.tex - part.submit - part.write).toFixed(0)}` : '']);
      return r;
    };
    const frames = [];
    const obs = new PerformanceObserver((l) => frames.push(...l.getEntries()));
    obs.observe({ type: 'long-animation-frame', buffered: false });
    const longTasks = [];
    const lt = new PerformanceObserver((l) => longTasks.push(...l.getEntries().map((e) => [e.startTime, e.duration])));
    lt.observe({ type: 'longtask', buffered: false });
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await new Promise((r) => requestAnimationFrame(r));
      const fov = 30 * 2 ** (2 * Math.sin(i / 60));
      sky.goToRaDec((10 + 0.35 * i) % 360, 50 * Math.sin(i / 150));
      sky.setFov(fov);
    }
    await sky.whenSettled();
    await new Promise((r) => setTimeout(r, 200));
    obs.disconnect();
    lt.disconnect();
    const seconds = (performance.now() - t0) / 1000;
    return {
      seconds,
      draws: draws.length,
      longTasks: longTasks.map(([s, d]) => `${Math.round(s - t0)}:${Math.round(d)}`),
      longFrames: frames.filter((f) => f.duration > 50).map((f) => {
        const drawMs = draws.filter(([t]) => t >= f.startTime && t < f.startTime + f.duration).reduce((a, [, d]) => a + d, 0);
        const script = f.scripts.reduce((a, s) => a + s.duration, 0);
        return {
          atMs: Math.round(f.startTime - t0),
          ms: Math.round(f.duration),
          blockingMs: Math.round(f.blockingDuration),
          scriptMs: Math.round(script),
          drawFrameMs: Math.round(drawMs),
          drawParts: draws.filter(([t, , p]) => p && t >= f.startTime && t < f.startTime + f.duration).map(([, , p]) => p).join('; '),
          renderMs: Math.round(f.startTime + f.duration - (f.renderStart || f.startTime + f.duration)),
          scripts: f.scripts.filter((s) => s.duration > 5).map((s) => `${s.invokerType}:${s.invoker} ${Math.round(s.duration)}ms`).slice(0, 4),
        };
      }),
    };
  }, steps);
  console.log(JSON.stringify({ steps, survey, seconds: Number(out.seconds.toFixed(1)), draws: out.draws, longTasks: out.longTasks }));
  for (const f of out.longFrames) console.log(JSON.stringify(f));
} finally {
  await browser.close();
  await archive.stop();
}
