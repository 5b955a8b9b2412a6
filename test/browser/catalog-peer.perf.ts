// Catalogue frame times, esasky-sky against Aladin Lite 3.8 in the same page of the same headless
// Chromium (not part of the test suite: bench/catalog-peer.bench.mjs runs it with
// `web-test-runner --config bench/wtr-perf.config.mjs test/browser/catalog-peer.perf.ts` and reads
// the `BENCH {json}` and `NOTE {json}` lines). The bench gives its settings (one size N per run,
// rounds, time cap, subjects) at /bench-perf-config.json (bench/wtr-perf.config.mjs). For N sources uniform
// in a 10° disc, both subjects draw them over the same HiPS in the same 800x600 SIN view of 30°
// (every source in view), then pan one step per animation frame; measured per subject and round:
// the time to add the sources and draw, the interval between animation frames while panning,
// dropped frames, main-thread long tasks (PerformanceObserver), JS heap, GPU memory (growth of the
// GPU process's PSS while the subject is shown; esasky-sky's own byte count) — the shared health
// code of test/browser/perfHealth.ts — and hover/click picking latency. Rounds alternate esasky-sky, Aladin Lite, esasky-sky, ... (A B A B).
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import { getSharedDevice } from '../../src/elements/sharedDevice.js';
import { seeded } from './catalogHelpers.js';
import { collect, gpuProcessPssMiB, heapMiB, ownGpuMiB, startHealth } from './perfHealth.js';

interface AladinView {
  updateObjectsLookup(): void;
  closestObjects(x: number, y: number, radiusPx: number): unknown[] | null;
}
interface Aladin {
  gotoRaDec(ra: number, dec: number): void;
  world2pix(ra: number, dec: number): [number, number] | undefined;
  addCatalog(c: unknown): void;
  view: AladinView;
}
interface AladinApi {
  init: Promise<void>;
  aladin(el: HTMLElement, options: Record<string, unknown>): Aladin;
  HiPS(url: string, options: Record<string, unknown>): unknown;
  catalog(options: Record<string, unknown>): { addSources(s: unknown[]): void };
  source(ra: number, dec: number, data?: Record<string, unknown>): unknown;
}
interface Config {
  sizes: number[];
  rounds: number;
  capMs: number;
  subjects: string[];
  /** esasky-sky's overlayCatalogue markerPath ('auto' when absent; 'raster' measures the quad path). */
  markerPath?: 'auto' | 'compute' | 'raster';
}
interface Sample {
  addMs: number;
  intervals: number[];
  longTasks: number;
  longTaskMs: number;
  heapMiB: number;
  /** Growth of the GPU process's PSS from before the subject was created to after its picks, MiB. */
  gpuProcessMiB?: number;
  /** esasky-sky's own GPU buffer + texture bytes after the picks, MiB. */
  ownGpuMiB?: number;
  pickMs: number[];
  pickHits: number;
  capped: boolean;
  mode?: string;
  /** Why the subject could not show the rows at all (e.g. more rows than the GPU can bind). */
  error?: string;
}

const bench = (metric: string, subject: string, unit: string, better: 'lower' | 'higher', samples: number[]) =>
  console.log(`BENCH ${JSON.stringify({ metric, subject, unit, better, samples })}`);
const note = (o: Record<string, unknown>) => console.log(`NOTE ${JSON.stringify(o)}`);
const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RA0 = 84;
const DEC0 = -5;
const FOV_DEG = 30;
const RADIUS_DEG = 10;
const FRAMES = 14;
const WARMUP = 4;
const PAN_STEP_DEG = 0.05;
const SIZE_PX = 6;
const COLOR = '#ffd54f';
/** 60 Hz: the headless compositor's frame period; an interval of k periods dropped k - 1 frames. */
const PERIOD_MS = 1000 / 60;

/** n positions uniform in a disc of RADIUS_DEG around the view centre (small-angle offsets), seeded. */
function positions(n: number, seed: number): { raDeg: Float64Array; decDeg: Float64Array } {
  const rnd = seeded(seed);
  const raDeg = new Float64Array(n);
  const decDeg = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = RADIUS_DEG * Math.sqrt(rnd());
    const t = 2 * Math.PI * rnd();
    const dec = DEC0 + r * Math.sin(t);
    decDeg[i] = dec;
    raDeg[i] = RA0 + (r * Math.cos(t)) / Math.cos((dec * Math.PI) / 180);
  }
  return { raDeg, decDeg };
}

function host(): HTMLDivElement {
  const d = document.createElement('div');
  d.style.cssText = 'position:fixed;left:0;top:0;width:800px;height:600px';
  document.body.appendChild(d);
  return d;
}


/**
 * Frame intervals while `step` moves the view once per animation frame: FRAMES frames, the first
 * WARMUP not kept (all kept when the cap stopped it first); stops early once `capMs` has passed
 * (then `capped`). Long tasks are observed over the pan only.
 */
async function pan(step: (i: number) => void, capMs: number): Promise<Pick<Sample, 'intervals' | 'longTasks' | 'longTaskMs' | 'capped'>> {
  const health = startHealth();
  const all: number[] = [];
  const t0 = performance.now();
  let last = await frame();
  let capped = false;
  for (let i = 0; i < FRAMES; i++) {
    step(i);
    const now = await frame();
    all.push(now - last);
    last = now;
    if (now - t0 > capMs && i < FRAMES - 1) {
      capped = true;
      break;
    }
  }
  await sleep(0);
  const h = health.stop();
  // stopped by the cap before the warm-up was over: the frames it did draw (each took seconds)
  const intervals = all.length > WARMUP ? all.slice(WARMUP) : all;
  return { intervals, longTasks: h.longTaskCount, longTaskMs: h.longTaskMs, capped };
}

/** Where to pick: five sources away from the edges, [x, y] in CSS px (SIN about (raC, DEC0)) and the row. */
function pickPoints(p: { raDeg: Float64Array; decDeg: Float64Array }, raC: number): [number, number, number][] {
  const D = Math.PI / 180;
  const out: [number, number, number][] = [];
  const pxPerRad = 800 / (2 * Math.sin((FOV_DEG / 2) * D)); // SIN: the horizontal fov spans 2 sin(fov/2)
  for (let i = 0; i < p.raDeg.length && out.length < 5; i++) {
    const ra = p.raDeg[i] * D;
    const dec = p.decDeg[i] * D;
    const a0 = raC * D;
    const d0 = DEC0 * D;
    const x = Math.cos(dec) * Math.sin(ra - a0);
    const y = Math.cos(d0) * Math.sin(dec) - Math.sin(d0) * Math.cos(dec) * Math.cos(ra - a0);
    const sx = 400 - x * pxPerRad; // east to the left
    const sy = 300 - y * pxPerRad;
    if (sx > 50 && sx < 750 && sy > 50 && sy < 550) out.push([sx, sy, i]);
  }
  return out;
}

async function esasky(p: { raDeg: Float64Array; decDeg: Float64Array }, capMs: number, markerPath: Config['markerPath'] = 'auto'): Promise<Sample> {
  await collect();
  const gpu0 = await gpuProcessPssMiB();
  const d = host();
  const sky = document.createElement('esasky-sky') as EsaskySky;
  sky.style.cssText = 'display:block;width:800px;height:600px';
  sky.setAttribute('hips', '/data/hips/swe_milkyway/');
  sky.setAttribute('target', `${RA0} ${DEC0}`);
  sky.setAttribute('fov', String(FOV_DEG));
  sky.setAttribute('projection', 'SIN');
  d.appendChild(sky);
  try {
    await sky.whenSettled();
    for (let i = 0; i < 3; i++) await frame();
    await collect();
    const t0 = performance.now();
    let id: string;
    try {
      id = sky.overlayCatalogue({ raDeg: p.raDeg, decDeg: p.decDeg, color: COLOR, sizePx: SIZE_PX, shape: 'square', markerPath });
    } catch (e) {
      return { addMs: NaN, intervals: [], longTasks: 0, longTaskMs: 0, heapMiB: NaN, pickMs: [], pickHits: 0, capped: true, error: String((e as Error).message ?? e) };
    }
    const f0 = sky.framesDrawn;
    while (sky.framesDrawn === f0 && performance.now() - t0 < capMs) await frame();
    const addMs = performance.now() - t0;
    const moved = await pan((i) => sky.goToRaDec(RA0 + PAN_STEP_DEG * (i + 1), DEC0), capMs);
    const st = sky.getCatalogueStats(id);
    const mode = st?.mode === 'markers' ? `markers (${st.markerPath === 'compute' ? 'compute-rasterised' : 'quads'})` : st?.mode;
    const raC = RA0 + PAN_STEP_DEG * FRAMES;
    sky.goToRaDec(raC, DEC0);
    await frame();
    const pickMs: number[] = [];
    let pickHits = 0;
    for (const [x, y] of pickPoints(p, raC)) {
      const t = performance.now();
      const hit = await sky.pickCatalogue(x, y);
      pickMs.push(performance.now() - t);
      if (hit) pickHits++;
    }
    const gpuProcessMiB = (await gpuProcessPssMiB()) - gpu0;
    await collect();
    return { addMs, ...moved, heapMiB: heapMiB(), gpuProcessMiB, ownGpuMiB: ownGpuMiB(sky), pickMs, pickHits, mode };
  } finally {
    d.remove();
  }
}

async function aladin(A: AladinApi, p: { raDeg: Float64Array; decDeg: Float64Array }, capMs: number): Promise<Sample> {
  await collect();
  const gpu0 = await gpuProcessPssMiB();
  const d = host();
  try {
    const hips = A.HiPS(`${location.origin}/data/hips/swe_milkyway`, {});
    const al = A.aladin(d, {
      survey: hips, hipsList: [], log: false, target: `${RA0} ${DEC0}`, fov: FOV_DEG, projection: 'SIN', showReticle: false, inertia: false,
      showZoomControl: false, showFullscreenControl: false, showLayersControl: false, showFrame: false, showCooLocation: false,
      showProjectionControl: false, showStatusBar: false, showContextMenu: false, showSimbadPointerControl: false, showCooGridControl: false,
    });
    for (let i = 0; i < 30; i++) await frame(); // let it load its tiles and draw
    await collect();
    const t0 = performance.now();
    // Aladin Lite takes one source object per row: making them is part of adding the rows
    const sources = new Array<unknown>(p.raDeg.length);
    for (let i = 0; i < p.raDeg.length; i++) sources[i] = A.source(p.raDeg[i], p.decDeg[i]);
    const cat = A.catalog({ name: 'bench', color: COLOR, sourceSize: SIZE_PX, shape: 'square' });
    al.addCatalog(cat);
    cat.addSources(sources);
    await frame();
    await frame();
    const addMs = performance.now() - t0;
    const moved = await pan((i) => al.gotoRaDec(RA0 + PAN_STEP_DEG * (i + 1), DEC0), capMs);
    const raC = RA0 + PAN_STEP_DEG * FRAMES;
    al.gotoRaDec(raC, DEC0);
    await frame();
    await frame();
    const pickMs: number[] = [];
    let pickHits = 0;
    // the same sources as for esasky-sky, placed by Aladin Lite's own projection; what its
    // mousemove handler does: rebuild the look-up grid of drawn sources, then search it
    for (const [, , i] of pickPoints(p, raC)) {
      const [x, y] = al.world2pix(p.raDeg[i], p.decDeg[i]) ?? [NaN, NaN];
      const t = performance.now();
      al.view.updateObjectsLookup();
      const hit = al.view.closestObjects(Math.round(x), Math.round(y), 5);
      pickMs.push(performance.now() - t);
      if (hit && hit.length) pickHits++;
    }
    const gpuProcessMiB = (await gpuProcessPssMiB()) - gpu0;
    await collect();
    return { addMs, ...moved, heapMiB: heapMiB(), gpuProcessMiB, pickMs, pickHits };
  } finally {
    d.remove();
  }
}

function report(n: number, subject: string, s: Sample): void {
  const size = n.toExponential(0).replace('+', '');
  if (s.error) {
    note({ n, subject, error: s.error });
    return;
  }
  bench(`add ${size} sources and draw the first frame`, subject, 'ms', 'lower', [s.addMs]);
  if (s.intervals.length) bench(`frame interval while panning, ${size} sources`, subject, 'ms', 'lower', s.intervals);
  if (s.intervals.length) bench(`dropped frames per 10 pan frames, ${size} sources`, subject, 'count', 'lower', [s.intervals.reduce((a, dt) => a + Math.max(0, Math.round(dt / PERIOD_MS) - 1), 0) * (10 / Math.max(1, s.intervals.length))]);
  bench(`long tasks while panning, ${size} sources`, subject, 'count', 'lower', [s.longTasks]);
  bench(`long-task time while panning, ${size} sources`, subject, 'ms', 'lower', [s.longTaskMs]);
  if (Number.isFinite(s.heapMiB)) bench(`JS heap after adding and panning (after GC), ${size} sources`, subject, 'MiB', 'lower', [s.heapMiB]);
  if (Number.isFinite(s.gpuProcessMiB)) bench(`GPU process memory (PSS) growth while shown, ${size} sources`, subject, 'MiB', 'lower', [s.gpuProcessMiB!]);
  if (Number.isFinite(s.ownGpuMiB)) bench(`own GPU buffers + textures (exact count), ${size} sources`, subject, 'MiB', 'lower', [s.ownGpuMiB!]);
  // density maps (esasky-sky above 2e5 rows in view) have no markers to pick
  if (s.pickHits > 0) bench(`pick latency (pointer position to row), ${size} sources`, subject, 'ms', 'lower', s.pickMs);
  note({ n, subject, mode: s.mode, capped: s.capped, frames: s.intervals.length, pickHits: s.pickHits, picks: s.pickMs.length });
}

describe('catalogue vs Aladin Lite: frame time vs source count (measured, printed)', () => {
  it('esasky-sky and Aladin Lite pan over N sources', async function () {
    this.timeout(1_500_000);
    const res = await fetch('/bench-perf-config.json');
    const cfg: Config = res.ok ? ((await res.json()) as Config) : { sizes: [1000], rounds: 1, capMs: 60_000, subjects: ['esasky-sky', 'Aladin Lite'] };
    // WebGPU validation errors of the element's device would mean frames that draw nothing: counted
    const gpuErrors: string[] = [];
    (await getSharedDevice()).addEventListener('uncapturederror', (e) => gpuErrors.push((e as GPUUncapturedErrorEvent).error.message));
    const A = (await import(/* @vite-ignore */ '/node_modules/aladin-lite/dist/aladin.js' as string)).default as AladinApi;
    await A.init;
    let measured = 0;
    for (const n of cfg.sizes) {
      const p = positions(n, n);
      const capped = new Set<string>();
      for (let round = 0; round < cfg.rounds; round++) {
        for (const subject of cfg.subjects) {
          // a subject that could not pan FRAMES frames within the cap is not measured again at this size
          if (capped.has(subject)) continue;
          const s = subject === 'esasky-sky' ? await esasky(p, cfg.capMs, cfg.markerPath) : await aladin(A, p, cfg.capMs);
          report(n, subject, s);
          measured++;
          await frame();
          if (s.capped) {
            capped.add(subject);
            note({ n, subject, cap: cfg.capMs, reason: s.error ? `refused: ${s.error}` : `fewer than ${FRAMES} pan frames within ${cfg.capMs} ms` });
          }
        }
      }
    }
    note({ gpuErrors: gpuErrors.length, firstGpuError: gpuErrors[0] });
    expect(measured).to.be.greaterThan(0);
  });
});
