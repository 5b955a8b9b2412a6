// Diagnostic (not a benchmark; bench/run.mjs does not run it): GPU time of one frame of the
// reference page's settled view, by layer. Renders the element's SkyRenderer into an offscreen
// target and waits for onSubmittedWorkDone, 7 times per case (median): the whole frame, without
// the boundary pass, and without the HiPS layer. Needs `npm run build`.
//   node bench/diag/frame-cost.mjs [projection=SIN] [fovDeg=30] [survey=swe_milkyway]
// (a survey id starting with cds_ is served from ../shared/data/hips)
/* global GPUTextureUsage */
import { chromium } from 'playwright-core';
import { launchOptions } from '../../scripts/chromium.mjs';
import { startServer } from '../server.mjs';
import { REPO } from '../harness.mjs';

const [proj = 'SIN', fovArg = '30', survey = 'swe_milkyway'] = process.argv.slice(2);
const fov = Number(fovArg);
if (!(fov > 0)) throw new Error(`fov must be a positive number of degrees, got '${fovArg}'`);
const shared = survey.startsWith('cds_');
const archive = await startServer(shared ? { env: { HIPS_DIR: `${REPO}../shared/data/hips` } } : {});
const browser = await chromium.launch(launchOptions());
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const hips = `${archive.url}/hips/${survey}/`;
  const target = shared ? '84.375 0' : '83.82 -5.39';
  await page.goto(`${archive.url}/?hips=${encodeURIComponent(hips)}&target=${encodeURIComponent(target)}&fov=${fov}&projection=${proj}`);
  await page.waitForFunction(() => document.body.dataset.settled === 'true', undefined, { timeout: 120_000 });
  const r = await page.evaluate(async () => {
    const sky = document.querySelector('esasky-sky');
    const style = document.createElement('style');
    style.textContent = 'esasky-sky { position: fixed !important; inset: 0 !important; width: 100vw !important; height: 100vh !important; }';
    document.head.append(style);
    await new Promise((r) => setTimeout(r, 300));
    await sky.whenSettled();
    const ren = sky.renderer; // private field, read for this diagnostic only
    const dev = ren.device;
    const tex = dev.createTexture({ size: { width: 1280, height: 720 }, format: navigator.gpu.getPreferredCanvasFormat(), usage: GPUTextureUsage.RENDER_ATTACHMENT });
    const view = tex.createView();
    const time = async (n) => {
      const xs = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        ren.render(view);
        await dev.queue.onSubmittedWorkDone();
        xs.push(performance.now() - t);
      }
      xs.sort((a, b) => a - b);
      return Number(xs[n >> 1].toFixed(1));
    };
    const out = {};
    await time(2);
    out.frameMs = await time(7);
    const b = ren.boundary;
    const be = b.encode;
    b.encode = () => {};
    out.withoutBoundaryMs = await time(7);
    b.encode = be;
    const h = ren.getLayers()[0];
    const he = h.encode;
    h.encode = () => {};
    out.withoutHipsMs = await time(7);
    h.encode = he;
    out.cells = h.stats.cellsDrawn;
    tex.destroy();
    return out;
  });
  console.log(JSON.stringify({ projection: proj, fovDeg: fov, survey, ...r }));
} finally {
  await browser.close();
  await archive.stop();
}
