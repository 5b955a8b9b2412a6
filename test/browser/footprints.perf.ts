// Frame times with many footprints, esasky-sky against Aladin Lite 3.8 in the same page of the same
// headless Chromium (not part of the test suite: bench/footprints.bench.mjs runs it with
// `web-test-runner test/browser/footprints.perf.ts` and reads the `BENCH {json}` lines). For each
// size N (from bench/results/footprints.sizes.tmp.json, written by the bench), both draw the same N
// STC-S polygons over the same HiPS in an 800x600 SIN view of 20°, every footprint in view, then
// pan one step per frame; the metrics are the interval between animation frames while panning
// (what a user sees), and over the pan dropped frames and long tasks, then the JS heap after gc(),
// the growth of Chromium's GPU process (PSS) while the subject was shown and, for esasky-sky, its
// own count of its GPU bytes (test/browser/perfHealth.ts). Subjects alternate per size: esasky-sky,
// Aladin Lite, esasky-sky, ...
// Above ALADIN_MAX footprints (1e6: Aladin Lite cannot draw them) only esasky-sky runs, with the
// footprints spread over the whole sky (a survey's footprints, not 1e6 all in one 20° view): the
// metric names say "over the whole sky" and the view holds ~0.8 % of them.
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import { collect, gpuProcessPssMiB, heapMiB, ownGpuMiB, startHealth, type Health } from './perfHealth.js';

interface AladinApi {
  init: Promise<void>;
  aladin(el: HTMLElement, options: Record<string, unknown>): { gotoRaDec(ra: number, dec: number): void; addOverlay(o: unknown): void };
  HiPS(url: string, options: Record<string, unknown>): unknown;
  graphicOverlay(options: Record<string, unknown>): { addFootprints(f: unknown[]): void };
  footprintsFromSTCS(stcs: string, options?: Record<string, unknown>): unknown[];
}

const bench = (metric: string, subject: string, samples: number[], unit = 'ms') => console.log(`BENCH ${JSON.stringify({ metric, subject, unit, samples })}`);

interface Sample extends Health {
  intervals: number[];
  heapMiB: number;
  /** Growth of the GPU process's PSS from before the subject was created to after its pan, MiB. */
  gpuProcessMiB: number;
  /** esasky-sky's own GPU buffer + texture bytes after the pan, MiB (NaN for Aladin Lite). */
  ownGpuMiB: number;
}
const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
const RA0 = 84;
const DEC0 = -5;
const FRAMES = 14;
/** Sizes above this run esasky-sky alone, footprints over the whole sky. */
const ALADIN_MAX = 100_000;
const WARMUP = 4;

/** N random quadrilaterals (~0.2–0.5°) within 7° of the view centre, as STC-S. */
function polygons(n: number, seed: number): string[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = 7 * Math.sqrt(rnd());
    const t = 2 * Math.PI * rnd();
    const dec = DEC0 + r * Math.sin(t);
    const ra = RA0 + (r * Math.cos(t)) / Math.cos((dec * Math.PI) / 180);
    const size = 0.1 + 0.15 * rnd();
    const rot = 2 * Math.PI * rnd();
    const v: string[] = [];
    for (let k = 0; k < 4; k++) {
      const a = rot + (k * Math.PI) / 2;
      v.push(`${(ra + (size * Math.cos(a)) / Math.cos((dec * Math.PI) / 180)).toFixed(5)} ${(dec + size * Math.sin(a)).toFixed(5)}`);
    }
    out.push(`POLYGON ICRS ${v.join(' ')}`);
  }
  return out;
}

/** N random quadrilaterals (~0.2–0.5°) uniform over the whole sky, as STC-S. */
function skyPolygons(n: number, seed: number): string[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const ra = 360 * rnd();
    const dec = Math.max(-89, Math.min(89, (Math.asin(2 * rnd() - 1) * 180) / Math.PI));
    const size = 0.1 + 0.15 * rnd();
    const rot = 2 * Math.PI * rnd();
    const v: string[] = [];
    for (let k = 0; k < 4; k++) {
      const a = rot + (k * Math.PI) / 2;
      v.push(`${(ra + (size * Math.cos(a)) / Math.cos((dec * Math.PI) / 180)).toFixed(5)} ${(dec + size * Math.sin(a)).toFixed(5)}`);
    }
    out.push(`POLYGON ICRS ${v.join(' ')}`);
  }
  return out;
}

/** Frame intervals after WARMUP frames, with long tasks and dropped frames over the same frames. */
async function panIntervals(step: (i: number) => void): Promise<{ intervals: number[] } & Health> {
  const dt: number[] = [];
  let last = await frame();
  let health = startHealth();
  for (let i = 0; i < FRAMES; i++) {
    if (i === WARMUP) {
      health.stop();
      health = startHealth();
      health.frame(last);
    }
    step(i);
    const now = await frame();
    if (i >= WARMUP) {
      dt.push(now - last);
      health.frame(now);
    }
    last = now;
  }
  return { intervals: dt, ...health.stop() };
}

function host(): HTMLDivElement {
  const d = document.createElement('div');
  d.style.cssText = 'position:fixed;left:0;top:0;width:800px;height:600px';
  document.body.appendChild(d);
  return d;
}

async function esasky(stcs: string[]): Promise<Sample> {
  await collect();
  const gpu0 = await gpuProcessPssMiB();
  const d = host();
  const sky = document.createElement('esasky-sky') as EsaskySky;
  sky.style.cssText = 'display:block;width:800px;height:600px';
  sky.setAttribute('hips', '/data/hips/swe_milkyway/');
  sky.setAttribute('target', `${RA0} ${DEC0}`);
  sky.setAttribute('fov', '20');
  d.appendChild(sky);
  try {
    if (stcs.length > 0) await sky.overlayFootprints(stcs, { color: '#ffd54f', lineWidthPx: 1.5 });
    await sky.whenSettled();
    const moved = await panIntervals((i) => sky.goToRaDec(RA0 + 0.02 * (i + 1), DEC0));
    const gpuProcessMiB = (await gpuProcessPssMiB()) - gpu0;
    await collect();
    return { ...moved, heapMiB: heapMiB(), gpuProcessMiB, ownGpuMiB: ownGpuMiB(sky) };
  } finally {
    d.remove();
  }
}

async function aladin(A: AladinApi, stcs: string[]): Promise<Sample> {
  await collect();
  const gpu0 = await gpuProcessPssMiB();
  const d = host();
  try {
    const hips = A.HiPS(`${location.origin}/data/hips/swe_milkyway`, {});
    const al = A.aladin(d, {
      survey: hips, hipsList: [], log: false, target: `${RA0} ${DEC0}`, fov: 20, projection: 'SIN', showReticle: false,
      showZoomControl: false, showFullscreenControl: false, showLayersControl: false, showFrame: false, showCooLocation: false,
      showProjectionControl: false, showStatusBar: false, showContextMenu: false, showSimbadPointerControl: false, showCooGridControl: false,
    });
    const overlay = A.graphicOverlay({ color: '#ffd54f', lineWidth: 1.5 });
    al.addOverlay(overlay);
    if (stcs.length > 0) overlay.addFootprints(stcs.flatMap((s) => A.footprintsFromSTCS(s)));
    for (let i = 0; i < (stcs.length > 20_000 ? 6 : 30); i++) await frame(); // let it load its tiles and draw
    const moved = await panIntervals((i) => al.gotoRaDec(RA0 + 0.02 * (i + 1), DEC0));
    const gpuProcessMiB = (await gpuProcessPssMiB()) - gpu0;
    await collect();
    return { ...moved, heapMiB: heapMiB(), gpuProcessMiB, ownGpuMiB: NaN };
  } finally {
    d.remove();
  }
}

describe('footprints: frame time vs count (measured, printed)', () => {
  it('esasky-sky and Aladin Lite pan over N footprints', async function () {
    this.timeout(900_000);
    const sizesFile = await fetch('/bench/results/footprints.sizes.tmp.json');
    const sizes: number[] = sizesFile.ok ? ((await sizesFile.json()) as { sizes: number[] }).sizes : [100, 1000];
    const A = (await import(/* @vite-ignore */ '/node_modules/aladin-lite/dist/aladin.js' as string)).default as AladinApi;
    await A.init;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    for (const n of sizes) {
      if (n > ALADIN_MAX) {
        const base = await esasky([]);
        const ours = await esasky(skyPolygons(n, n));
        const what = `${n} footprints over the whole sky`;
        bench(`frame interval while panning, ${what}`, 'esasky-sky', ours.intervals);
        bench(`frame interval while panning, no footprints (base of the ${n} run)`, 'esasky-sky', base.intervals);
        const b0 = median(base.intervals);
        bench(`marginal frame cost of ${what} (interval minus the base's median)`, 'esasky-sky', ours.intervals.map((x) => x - b0));
        bench(`dropped 60 Hz frames while panning, ${what}`, 'esasky-sky', [100 * ours.droppedShare], '%');
        if (Number.isFinite(ours.longTaskCount)) bench(`long tasks while panning, ${what}`, 'esasky-sky', [ours.longTaskCount], 'count');
        if (Number.isFinite(ours.heapMiB)) bench(`JS heap after adding and panning (after GC), ${what}`, 'esasky-sky', [ours.heapMiB], 'MiB');
        if (Number.isFinite(ours.gpuProcessMiB)) bench(`GPU process memory (PSS) growth while shown, ${what}`, 'esasky-sky', [ours.gpuProcessMiB], 'MiB');
        if (Number.isFinite(ours.ownGpuMiB)) bench(`own GPU buffers + textures (exact count), ${what}`, 'esasky-sky', [ours.ownGpuMiB], 'MiB');
        expect(ours.intervals.length).to.equal(FRAMES - WARMUP);
        continue;
      }
      // the same pan with no footprints first (the HiPS alone, both subjects): the marginal cost of
      // the footprints is the frame interval with N minus this one, per subject, in the same browser
      const base = { ours: await esasky([]), theirs: await aladin(A, []) };
      const stcs = polygons(n, n);
      const ours = await esasky(stcs);
      const theirs = await aladin(A, stcs);
      for (const [subject, s, b] of [['esasky-sky', ours, base.ours], ['Aladin Lite', theirs, base.theirs]] as const) {
        bench(`frame interval while panning, ${n} footprints`, subject, s.intervals);
        bench(`frame interval while panning, no footprints (base of the ${n} run)`, subject, b.intervals);
        const b0 = median(b.intervals);
        bench(`marginal frame cost of ${n} footprints (interval minus the base's median)`, subject, s.intervals.map((x) => x - b0));
        bench(`dropped 60 Hz frames while panning, ${n} footprints`, subject, [100 * s.droppedShare], '%');
        if (Number.isFinite(s.longTaskCount)) bench(`long tasks while panning, ${n} footprints`, subject, [s.longTaskCount], 'count');
        if (Number.isFinite(s.heapMiB)) bench(`JS heap after adding and panning (after GC), ${n} footprints`, subject, [s.heapMiB], 'MiB');
        if (Number.isFinite(s.gpuProcessMiB)) bench(`GPU process memory (PSS) growth while shown, ${n} footprints`, subject, [s.gpuProcessMiB], 'MiB');
        if (Number.isFinite(s.ownGpuMiB)) bench(`own GPU buffers + textures (exact count), ${n} footprints`, subject, [s.ownGpuMiB], 'MiB');
      }
      await frame();
      expect(ours.intervals.length).to.equal(FRAMES - WARMUP);
      expect(theirs.intervals.length).to.equal(FRAMES - WARMUP);
    }
  });
});
