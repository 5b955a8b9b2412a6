// Diagnostic (not a benchmark; bench/run.mjs does not run it): where a view's settle time goes in
// the reference page, view by view along hips-settle's DSS2 path (or its wide path). For each view:
// time to view-settled, frames drawn, and two timelines relative to the view change — tile
// requests through the decode pool (start-end, ms) and frames (start+CPU ms, tiles uploaded,
// P = uploads or a cross-fade pending, S = settled). Needs `npm run build`.
//   node bench/diag/settle-timeline.mjs [dss|wide]
import { chromium } from 'playwright-core';
import { launchOptions } from '../../scripts/chromium.mjs';
import { startServer } from '../server.mjs';
import { REPO } from '../harness.mjs';
import { PATH, PATH_DSS } from '../hips-settle.bench.mjs';

const which = process.argv[2] ?? 'dss';
if (which !== 'dss' && which !== 'wide') throw new Error(`path must be dss or wide, got '${which}'`);
const dss = which === 'dss';
const archive = await startServer(dss ? { env: { HIPS_DIR: `${REPO}../shared/data/hips` } } : {});
const browser = await chromium.launch(launchOptions());
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const hips = `${archive.url}/hips/${dss ? 'cds_dss2_color_subset' : 'swe_milkyway'}/`;
  await page.goto(`${archive.url}/?hips=${encodeURIComponent(hips)}&target=${dss ? '84.375%200&fov=60' : '0%200&fov=180'}`);
  await page.waitForFunction(() => document.body.dataset.settled === 'true', undefined, { timeout: 120_000 });
  const rows = await page.evaluate(async (path) => {
    const sky = document.querySelector('esasky-sky');
    const style = document.createElement('style');
    style.textContent = 'esasky-sky { position: fixed !important; inset: 0 !important; width: 100vw !important; height: 100vh !important; }';
    document.head.append(style);
    await new Promise((r) => setTimeout(r, 1000));
    await sky.whenSettled();
    // private fields, read for this diagnostic only
    const layer = () => sky.renderer.getLayers()[0];
    let t0 = 0;
    let frames = [];
    const draw = sky.drawFrame;
    sky.drawFrame = function (...a) {
      const t = performance.now();
      const before = layer().stats.tilesUploaded;
      const r = draw.apply(this, a);
      const l = layer();
      frames.push(`${(t - t0).toFixed(0)}+${(performance.now() - t).toFixed(0)}:up${l.stats.tilesUploaded - before}${l.hasPendingUploads ? 'P' : ''}${l.settled ? 'S' : ''}`);
      return r;
    };
    const requests = [];
    const pool = layer().manager.opts.fetcher;
    const fetchTile = pool.fetchTile.bind(pool);
    pool.fetchTile = (url, signal) => {
      const t = performance.now();
      const p = fetchTile(url, signal);
      p.then(() => requests.push({ t, end: performance.now() }), () => requests.push({ t, end: NaN }));
      return p;
    };
    const out = [];
    for (const [ra, dec, fov] of path) {
      await new Promise((r) => requestAnimationFrame(r));
      frames = [];
      const n0 = requests.length;
      t0 = performance.now();
      const settled = new Promise((res) => sky.addEventListener('view-settled', (e) => res(e.detail), { once: true }));
      sky.goToRaDec(ra, dec);
      sky.setFov(fov);
      const d = await settled;
      const ms = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 700)); // what follows the settle (prefetch) shows up too
      out.push({ view: [ra, dec, fov], settleMs: Math.round(ms), frames: d.frames, cells: d.cellsDrawn,
        requests: requests.slice(n0).map((x) => `${(x.t - t0).toFixed(0)}-${(x.end - t0).toFixed(0)}`).join(' '), timeline: frames.join(' ') });
    }
    return out;
  }, dss ? PATH_DSS : PATH);
  for (const r of rows) console.log(JSON.stringify(r));
} finally {
  await browser.close();
  await archive.stop();
}
