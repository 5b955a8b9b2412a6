// HiPS viewing against the first peer, Aladin Lite, in the same run of the same headless Chromium:
// time from a view change until the view is settled over scripted paths of views, frames drawn
// per second while panning, and long tasks + memory after a long pan/zoom session. Each round
// runs esasky-sky then Aladin Lite (A B A B ...) after a warm-up round; every survey of every
// subject gets a fresh browser context (no HTTP or GPU cache carried over).
//
// esasky-sky runs in the reference page from the archive server, made to fill the viewport;
// Aladin Lite 3.8 (npm aladin-lite, dist/aladin.js) runs in bench/pages/aladin.html from a tiny
// static server (bench/static.mjs). Both draw a 1280x720 canvas at device pixel ratio 1 and read
// the same HiPS from the same archive server (CORS). bench/pages/probe.js is loaded into both
// pages and applies one definition of "settled" (see there and the notes below).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { launchOptions } from '../scripts/chromium.mjs';
import { REPO, addRatios, machine, summarize, writeResult } from './harness.mjs';
import { startServer } from './server.mjs';
import { startStatic } from './static.mjs';
import { quietGpuProcess, sampleGpuProcess } from './gpuProcess.mjs';

export const NAME = 'hips-settle';
const SHARED_HIPS = `${REPO}../shared/data/hips`;
const PROBE = `${REPO}bench/pages/probe.js`;
const HEALTH = `${REPO}bench/pages/health.js`;

/** The wide path over the whole sky: [raDeg, decDeg, fovDeg]. */
export const PATH = [
  [266.4, -29.0, 180],
  [83.82, -5.39, 60],
  [10.68, 41.27, 20],
  [201.37, -43.02, 90],
  [0, 89.9, 40],
  [279.23, 38.78, 5],
];

/** Into the DSS2 subset (orders 0-7 around Orion and the Crab; elsewhere tiles are 404). */
export const PATH_DSS = [
  [84.375, 0, 20],
  [84.375, 0, 5],
  [85.3, -2.25, 2],
  [83.67, 22.02, 1],
  [83.67, 22.02, 0.4],
  [84.375, 3.5, 8],
];

export const SURVEYS = [
  { id: 'swe_milkyway', title: 'Milky Way (order 0, 512 px webp)', start: [0, 0, 180], path: PATH, shared: false },
  { id: 'cds_gaia_dr2_radial_velocity_map', title: 'Gaia DR2 RV map (orders 0-3, 32 px jpeg)', start: [0, 0, 180], path: PATH, shared: false },
  { id: 'cds_dss2_color_subset', title: 'DSS2 colour subset (orders 0-7, 512 px jpeg)', start: [84.375, 0, 60], path: PATH_DSS, shared: true },
];

const SUBJECTS = ['esasky-sky', 'Aladin Lite'];
const VIEWPORT = { width: 1280, height: 720 };

/** In the reference page: the element fills the viewport; its frames and view-settled feed the probe. */
async function installEsaskyAdapter(page) {
  await page.evaluate(async () => {
    const b = window.__bench;
    const sky = document.querySelector('esasky-sky');
    const style = document.createElement('style');
    style.textContent = 'esasky-sky { position: fixed !important; inset: 0 !important; width: 100vw !important; height: 100vh !important; z-index: 1000; }';
    document.head.append(style);
    let settled = false;
    const adapter = {
      describe: 'esasky-sky',
      settledAt: undefined,
      setView(ra, dec, fov) {
        settled = false;
        sky.goToRaDec(ra, dec);
        sky.setFov(fov);
      },
      busy: () => !settled,
      // its own count of the bytes of its GPU buffers and textures (render/gpuMemory.ts)
      gpuMemory: () => sky.gpuMemory?.(),
    };
    sky.addEventListener('view-settled', () => {
      settled = true;
      adapter.settledAt = performance.now();
    });
    const draw = sky.drawFrame;
    if (typeof draw === 'function') {
      // The element draws only when something changed; count the frames that did.
      sky.drawFrame = function (...args) {
        const before = this.framesDrawn;
        const r = draw.apply(this, args);
        if (this.framesDrawn !== before) b.frameDrawn();
        return r;
      };
    } else {
      let seen = sky.framesDrawn;
      const poll = () => {
        if (sky.framesDrawn !== seen) {
          seen = sky.framesDrawn;
          b.frameDrawn();
        }
        requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    }
    b.adapter = adapter;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    await sky.whenSettled();
    settled = true;
  });
}

async function openSubject(context, subject, survey, urls) {
  const page = await context.newPage();
  const hips = `${survey.shared ? urls.shared : urls.archive}/hips/${survey.id}/`;
  const [ra, dec, fov] = survey.start;
  if (subject === 'esasky-sky') {
    await page.goto(`${urls.archive}/?hips=${encodeURIComponent(hips)}&target=${ra}%20${dec}&fov=${fov}`);
    await page.waitForFunction(() => document.body.dataset.settled === 'true', undefined, { timeout: 120_000 });
    await installEsaskyAdapter(page);
  } else {
    await page.goto(`${urls.static}/pages/aladin.html?hips=${encodeURIComponent(hips.replace(/\/$/, ''))}&ra=${ra}&dec=${dec}&fov=${fov}`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.error, undefined, { timeout: 120_000 });
    const error = await page.evaluate(() => document.body.dataset.error);
    if (error) throw new Error(`Aladin Lite page: ${error}`);
  }
  return page;
}

/** `promise`, or an error naming `what` once `ms` have passed (a page that stopped answering). */
function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One survey in a fresh context: the path, and on the first survey the pan and the session. */
async function measureSurvey(browser, subject, survey, urls, opts, log) {
  const out = { requests: 0, errors: [], failures: [] };
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  context.on('request', (r) => {
    if (r.url().includes('/hips/')) out.requests++;
    if (!/^(https?:\/\/127\.0\.0\.1[:/]|data:|blob:)/.test(r.url())) log.external.push(`${subject}/${survey.id}: ${r.url().slice(0, 100)}`);
  });
  // The reference page gets the probe before its own scripts; the Aladin page loads it itself.
  if (subject === 'esasky-sky') {
    await context.addInitScript({ path: HEALTH });
    await context.addInitScript({ path: PROBE });
  }
  // Chromium's GPU process (shared by every context of this browser): its memory before the page
  // opens, sampled through the first survey (path, pan, session)
  const measured = survey === opts.surveys[0] && !opts.warm;
  if (measured) await quietGpuProcess(); // the previous context's GPU memory is freed first
  const sampler = measured ? sampleGpuProcess() : undefined;
  try {
    const page = await openSubject(context, subject, survey, urls);
    page.on('pageerror', (e) => out.errors.push(e.message.slice(0, 160)));
    // Initial load settled (not measured), then the path.
    await page.evaluate((q) => window.__bench.settle(performance.now(), { quietMs: q, timeoutMs: 120_000 }), opts.quietMs);
    log.canvas[subject] = await page.evaluate(() => [...document.querySelectorAll('canvas'), ...(document.querySelector('esasky-sky')?.shadowRoot?.querySelectorAll('canvas') ?? [])].filter((c) => c.width > 100).map((c) => `${c.width}x${c.height}`)[0]);
    const path = survey.path.slice(0, opts.pathLength);
    // every view has viewTimeoutMs to settle (a failure, not a hang); the page as a whole a little more
    const pathMs = path.length * (opts.viewTimeoutMs + 5000) + 30_000;
    Object.assign(out, await within(pathMs, `${subject}/${survey.id} path`,
      page.evaluate(({ path, quietMs, viewTimeoutMs }) => window.__bench.runPath(path, { quietMs, viewTimeoutMs }), { path, quietMs: opts.quietMs, viewTimeoutMs: opts.viewTimeoutMs })));
    if (survey === opts.surveys[0] && !opts.warm) {
      Object.assign(out, await within(opts.panMs + opts.viewTimeoutMs + 30_000, `${subject} pan`,
        page.evaluate((o) => window.__bench.pan(o), { ms: opts.panMs, quietMs: opts.quietMs })));
      out.session = await within(opts.sessionMaxMs + opts.viewTimeoutMs + 60_000, `${subject} session`,
        page.evaluate((o) => window.__bench.session(o), { steps: opts.sessionSteps, quietMs: opts.quietMs, maxMs: opts.sessionMaxMs, settleTimeoutMs: opts.viewTimeoutMs }));
      out.gpuProcess = sampler?.stop();
      if (!log.gpu[subject]) {
        log.gpu[subject] = subject === 'esasky-sky'
          ? await page.evaluate(async () => {
            const a = await navigator.gpu?.requestAdapter();
            return a ? `WebGPU ${a.info?.vendor ?? ''} ${a.info?.architecture ?? ''}`.trim() + (a.info?.isFallbackAdapter ? ' (fallback adapter)' : '') : 'no WebGPU';
          })
          : `WebGL2 ${await page.evaluate(() => window.__bench.webglRenderer())}`;
      }
    }
  } finally {
    sampler?.stop();
    await context.close();
  }
  return out;
}

/**
 * Every survey for one subject. A page that throws or reports a page error (e.g. Aladin Lite's
 * layer could not be added, so it fell back to its default online survey) is measured again, up
 * to `attempts` times; the failures are listed in the notes.
 */
async function measureSubject(browser, subject, urls, opts, log, attempts = 3) {
  const out = { settle: {}, events: [], requests: 0, failures: [] };
  for (const survey of opts.surveys) {
    for (let attempt = 1; ; attempt++) {
      let r;
      try {
        r = await measureSurvey(browser, subject, survey, urls, opts, log);
        if (r.errors.length) throw new Error(`page error: ${r.errors[0]}`);
      } catch (err) {
        log.errors.push(`${subject}/${survey.id}: ${String(err?.message ?? err).split('\n')[0].slice(0, 160)}`);
        if (attempt >= attempts) throw err;
        continue;
      }
      out.settle[survey.id] = r.times;
      out.failures.push(...r.failures.map((f) => `${survey.id} ${f}`));
      out.events.push(...r.events);
      out.requests += r.requests;
      if (r.session) Object.assign(out, { fps: r.fps, panHealth: r.panHealth, session: r.session, gpuProcess: r.gpuProcess });
      break;
    }
  }
  return out;
}

export async function run({
  rounds = 3,
  warmup = 1,
  surveys: surveyIds,
  pathLength = Infinity,
  panMs = 3000,
  sessionSteps = 1000,
  quietMs = 600,
  viewTimeoutMs = 30_000,
  sessionMaxMs = 240_000,
  write = true,
} = {}) {
  const sharedOk = existsSync(`${SHARED_HIPS}/cds_dss2_color_subset/properties`);
  const surveys = SURVEYS.filter((s) => (surveyIds ? surveyIds.includes(s.id) : true) && (!s.shared || sharedOk));
  const skipped = SURVEYS.filter((s) => s.shared && !sharedOk && (!surveyIds || surveyIds.includes(s.id)));
  const archive = await startServer();
  const shared = sharedOk && surveys.some((s) => s.shared) ? await startServer({ env: { HIPS_DIR: SHARED_HIPS } }) : undefined;
  const statics = await startStatic();
  const urls = { archive: archive.url, shared: shared?.url, static: statics.url };
  const base = launchOptions();
  const browser = await chromium.launch({
    ...base,
    args: [...base.args, '--enable-precise-memory-info', '--js-flags=--expose-gc', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  // Start the GPU process before any measurement (Chromium starts it with the first page that
  // uses a GPU context), so that every subject's GPU-memory baseline is the same running process.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.evaluate(async () => {
      document.createElement('canvas').getContext('webgl2');
      await navigator.gpu?.requestAdapter();
    });
    await context.close();
  }
  const log = { errors: [], external: [], canvas: {}, gpu: {} };
  const opts = { surveys, pathLength, panMs, sessionSteps, quietMs, viewTimeoutMs, sessionMaxMs };
  const acc = Object.fromEntries(SUBJECTS.map((s) => [s, { settle: {}, events: [], requests: [], fps: [], sfps: [], lt: [], ltMs: [], heap: [], growth: [], total: [],
    failed: [], failures: [], steps: [], sessionUnsettled: 0,
    panDrop: [], panLt: [], drop: [], gpuPeak: [], gpuEnd: [], gpuBase: [], ownGpu: [], ownGpuPeak: [], ownGpuStart: [], ownGpuGrowth: [], heapStart: [], longTasks: [] }]));
  try {
    for (let round = -warmup; round < rounds; round++) {
      for (const subject of SUBJECTS) {
        const t = Date.now();
        const r = await measureSubject(browser, subject, urls, { ...opts, warm: round < 0 }, log);
        if (process.env.BENCH_VERBOSE) console.log(`round ${round} ${subject}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
        if (round < 0) continue;
        const a = acc[subject];
        for (const [id, xs] of Object.entries(r.settle)) (a.settle[id] ??= []).push(...xs);
        a.events.push(...r.events);
        a.failed.push(r.failures.length);
        a.failures.push(...r.failures);
        a.steps.push(r.session.stepsDone);
        if (!r.session.settled) a.sessionUnsettled++;
        a.requests.push(r.requests);
        a.fps.push(r.fps);
        a.sfps.push(r.session.fps);
        a.lt.push(r.session.longTaskCount);
        a.ltMs.push(r.session.longTaskMs);
        a.heap.push(r.session.heapAfterMiB);
        a.growth.push(r.session.heapAfterMiB - r.session.heapBeforeMiB);
        a.heapStart.push(r.session.heapBeforeMiB);
        a.longTasks.push(...(r.session.longTasks ?? []));
        a.total.push(r.session.heapAfterMiB + r.session.wasmMiB);
        a.drop.push(100 * r.session.droppedShare);
        a.panDrop.push(100 * r.panHealth.droppedShare);
        a.panLt.push(r.panHealth.longTaskCount);
        const g = r.gpuProcess;
        if (g) {
          a.gpuBase.push(g.startPssMiB);
          a.gpuPeak.push(g.peakPssMiB - g.startPssMiB);
          a.gpuEnd.push(g.endPssMiB - g.startPssMiB);
        }
        a.ownGpu.push(r.session.gpuOwnMiB);
        a.ownGpuPeak.push(r.session.gpuOwnPeakMiB);
        a.ownGpuStart.push(r.session.gpuOwnBeforeMiB);
        a.ownGpuGrowth.push(r.session.gpuOwnMiB - r.session.gpuOwnBeforeMiB);
      }
    }
  } finally {
    await browser.close();
    await statics.stop();
    await archive.stop();
    await shared?.stop();
  }

  const rows = [];
  const row = (metric, unit, better, pick) => {
    for (const s of SUBJECTS) {
      const xs = pick(acc[s]).filter(Number.isFinite);
      if (xs.length) rows.push({ metric, unit, subject: s, better, ...summarize(xs) });
    }
  };
  for (const sv of surveys) row(`time to settled per view, ${sv.title}`, 'ms', 'lower', (a) => a.settle[sv.id] ?? []);
  row(`views not settled within ${viewTimeoutMs / 1000} s per round (of ${surveys.reduce((n, s) => n + Math.min(s.path.length, pathLength), 0)})`, 'count', 'lower', (a) => a.failed);
  rows.push({ metric: 'time to view-settled event per view (all surveys)', unit: 'ms', subject: 'esasky-sky', better: 'lower', ...summarize(acc['esasky-sky'].events) });
  row(`frames drawn per second, ${panMs / 1000} s pan`, 'frames/s', 'higher', (a) => a.fps);
  row(`frames drawn per second, ${sessionSteps}-step pan/zoom session`, 'frames/s', 'higher', (a) => a.sfps);
  row(`dropped 60 Hz frames, ${panMs / 1000} s pan`, '%', 'lower', (a) => a.panDrop);
  row(`long tasks in the ${panMs / 1000} s pan`, 'count', 'lower', (a) => a.panLt);
  row(`dropped 60 Hz frames, ${sessionSteps}-step session`, '%', 'lower', (a) => a.drop);
  row(`long tasks in the ${sessionSteps}-step session`, 'count', 'lower', (a) => a.lt);
  row(`long-task time in the ${sessionSteps}-step session`, 'ms', 'lower', (a) => a.ltMs);
  row('JS heap before the session (after GC)', 'MiB', 'lower', (a) => a.heapStart);
  row('JS heap after the session (after GC)', 'MiB', 'lower', (a) => a.heap);
  row('JS heap growth over the session (after GC)', 'MiB', 'lower', (a) => a.growth);
  row('JS heap + WebAssembly memory after the session', 'MiB', 'lower', (a) => a.total);
  row('GPU process memory (PSS) above its level before the page, peak over path, pan and session', 'MiB', 'lower', (a) => a.gpuPeak);
  row('GPU process memory (PSS) above its level before the page, after the session', 'MiB', 'lower', (a) => a.gpuEnd);
  row('own GPU buffers + textures before the session (exact count)', 'MiB', 'lower', (a) => a.ownGpuStart);
  row('own GPU buffers + textures after the session (exact count)', 'MiB', 'lower', (a) => a.ownGpu);
  row('own GPU buffers + textures growth over the session (exact count)', 'MiB', 'lower', (a) => a.ownGpuGrowth);
  row('own GPU buffers + textures, peak (exact count)', 'MiB', 'lower', (a) => a.ownGpuPeak);

  const result = {
    description: `HiPS viewing, esasky-sky against Aladin Lite 3.8.2 in the same headless Chromium, ${VIEWPORT.width}x${VIEWPORT.height} canvas at DPR 1, SIN projection. ` +
      `Per survey: time from a view change (goToRaDec+setFov / gotoRaDec+setFoV) until the view is settled, over ${surveys.map((s) => Math.min(s.path.length, pathLength)).join('+')} views; ` +
      `then on the first survey frames drawn per second over a ${panMs / 1000} s pan and over a ${sessionSteps}-step pan/zoom session (one view change per animation frame), with long tasks and memory after it. ` +
      `${rounds} rounds after ${warmup} warm-up round (paths only), each running esasky-sky then Aladin Lite, each survey in a fresh browser context.`,
    machine: machine({ browser: `Chromium ${browser.version()}`, gpu: SUBJECTS.map((s) => `${s}: ${log.gpu[s] ?? '?'}`).join('; ') }),
    metrics: rows,
    notes: [
      `Settled (bench/pages/probe.js, one rule for both): the subject reports idle, no HiPS request from the page is in flight, and for ${quietMs} ms nothing was drawn, requested or received; the time is from the view change to the end of the last frame that drew (the quiet window is not counted). Idle for esasky-sky = its view-settled event has fired for this view; every frame it draws after that is counted too, so this is at least as strict as view-settled (shown in its own row). Idle for Aladin Lite = its core's isRendering() is false after the frame (no camera move, no tile added, no 200 ms tile fade-in running) and none of its tile images is loading. ${quietMs} ms is longer than Aladin Lite's 200 ms tile look-up throttle plus its 100 ms still-camera fetch delay, so it cannot start more requests afterwards. Aladin Lite's time includes its 200 ms fade-in of the last tile.`,
      'A frame "drew" when esasky-sky ran its render (it draws only on change) or when Aladin Lite\'s update() left isRendering() true (it runs update() on every animation frame but draws only then).',
      `Canvas sizes: ${SUBJECTS.map((s) => `${s} ${log.canvas[s] ?? '?'}`).join(', ')}. HiPS requests per round (paths, pan and session, workers included): ${SUBJECTS.map((s) => `${s} ${summarize(acc[s].requests).median}`).join(', ')}. Offline: Chromium resolves no host names; requests outside 127.0.0.1: ${log.external.length}${log.external.length ? ` (${[...new Set(log.external)].slice(0, 3).join(', ')})` : ''}. Pages measured again after an error: ${log.errors.length}${log.errors.length ? ` (${[...new Set(log.errors)].slice(0, 3).join(' | ')})` : ''}.`,
      `Failures: a view not settled within ${viewTimeoutMs / 1000} s counts in its own row (its time is left out of the medians) and the path goes on; ${SUBJECTS.map((s) => `${s} ${acc[s].failures.length}${acc[s].failures.length ? ` (${[...new Set(acc[s].failures)].slice(0, 3).join(' | ')})` : ''}`).join(', ')}. The session stops after ${sessionMaxMs / 1000} s: steps done per round ${SUBJECTS.map((s) => `${s} ${acc[s].steps.join('/')}`).join(', ')} of ${sessionSteps}; sessions whose last view did not settle: ${SUBJECTS.map((s) => `${s} ${acc[s].sessionUnsettled}`).join(', ')}.`,
      'esasky-sky runs in the reference page (its status bar follows every view change), made to fill the viewport; Aladin Lite runs in a bare page with all its controls off.',
      'JS heap is performance.memory.usedJSHeapSize (--enable-precise-memory-info) after gc() (--js-flags=--expose-gc); Aladin Lite keeps its data in WebAssembly memory, added in its own row.',
      `Main-thread health (bench/pages/health.js, the same code for both): long tasks are PerformanceObserver "longtask" entries (> 50 ms); a dropped frame is a 60 Hz period with no animation frame (an interval of k periods drops k - 1), as a share of all periods of the pan or session.`,
      `GPU memory: WebGPU and WebGL have no memory query. Under SwiftShader every GPU buffer and texture of both subjects lives in the RAM of Chromium's GPU process (--type=gpu-process), so its proportional set size (PSS, /proc/<pid>/smaps_rollup; bench/gpuProcess.mjs) is sampled every 250 ms from before the subject's page opens (once the previous context's memory has been freed: PSS steady within 1 MiB over 250 ms, at most 10 s; GPU process PSS then: ${SUBJECTS.map((s) => `${s} ${summarize(acc[s].gpuBase.filter(Number.isFinite)).median?.toFixed?.(0) ?? '?'} MiB`).join(', ')}) through the first survey's path, pan and session; the rows give the peak and the level after the session above that starting level. It includes everything the GPU process holds for the page (compositor surfaces, shader caches, the canvas swap chain), not only the subject's own buffers. "own GPU buffers + textures" is esasky-sky's exact count of the bytes it created (src/render/gpuMemory.ts, wrapped around its device's createBuffer/createTexture; the canvas texture not included); Aladin Lite has no such count.`,
      'The GPU here is SwiftShader (software WebGPU and WebGL on the CPU), so frame rates are far below a real GPU and CPU-bound for both subjects.',
      `Long tasks in the sessions (duration ms @ field of view of the step being drawn when it began, step number; all rounds): ${SUBJECTS.map((s) => `${s} ${acc[s].longTasks.length ? acc[s].longTasks.map((x) => `${x.ms} @ ${x.fovDeg}° (${x.step})`).join(', ') : 'none'}`).join('; ')}.`,
      ...(skipped.length ? [`Skipped (../shared/data/hips absent): ${skipped.map((s) => s.id).join(', ')}.`] : []),
    ],
  };
  if (log.errors.length) console.warn(`page errors:\n  ${[...new Set(log.errors)].slice(0, 10).join('\n  ')}`);
  return write ? writeResult(NAME, result) : { name: NAME, ...result, metrics: addRatios(result.metrics) };
}
