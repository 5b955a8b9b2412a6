// The GPU benchmark's workloads, run on the DOM-free render core under Node with Dawn (npm
// `webgpu`): on this machine through SwiftShader, on a lent NVIDIA H100/H200 through
// ../shared/tools/gpu-kit. Bundled by bench/gpu/build.mjs into bench/gpu/dist/core.mjs so that the
// GPU machine needs no node_modules beyond Dawn.
//
// Each workload draws into an off-screen rgba8unorm target of the given size and times frames as
// wall-clock milliseconds from the start of encoding to the queue having finished the work
// (render + submit + onSubmittedWorkDone): what a frame costs end to end, CPU and GPU together.
// Every frame moves the view by a small step, so per-view GPU work (the catalogue's compute pass)
// is redone each frame, as in a pan.
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { CatalogLayer } from '../../src/render/layers/catalogLayer.js';
import { FootprintLayer } from '../../src/render/layers/footprintLayer.js';
import { tessellateFootprints, type FootprintGeometry } from '../../src/footprints/tessellate.js';
import { parseHipsProperties } from '../../src/hips/properties.js';
import type { DecodedTile, TileFetcher } from '../../src/hips/tileManager.js';
import type { ViewState } from '../../src/math/camera.js';
import type { ProjectionName } from '../../src/math/projections.js';

export interface FrameSamples {
  /** Per-frame wall-clock times, ms. */
  readonly samples: number[];
  /** Extra facts about the run (rows, cells drawn, mode). */
  readonly info: Record<string, number | string>;
}

/** mulberry32: seeded uniform [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n rows uniform on the sphere with a magnitude column. */
export function randomRows(n: number, seed = 7): { raDeg: Float64Array; decDeg: Float64Array; columns: { mag: Float32Array } } {
  const rnd = seeded(seed);
  const raDeg = new Float64Array(n);
  const decDeg = new Float64Array(n);
  const mag = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    raDeg[i] = rnd() * 360;
    decDeg[i] = (Math.asin(2 * rnd() - 1) * 180) / Math.PI;
    mag[i] = rnd() * 20;
  }
  return { raDeg, decDeg, columns: { mag } };
}

function target(device: GPUDevice, widthPx: number, heightPx: number): GPUTexture {
  return device.createTexture({ label: 'bench target', size: { width: widthPx, height: heightPx }, format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
}

async function timeFrames(device: GPUDevice, renderer: SkyRenderer, view: ViewState, frames: number, stepDeg: number, tex: GPUTexture): Promise<number[]> {
  const samples: number[] = [];
  const targetView = tex.createView();
  for (let k = -2; k < frames; k++) {
    renderer.setView({ ...view, raDeg: view.raDeg + (k + 2) * stepDeg });
    const t0 = performance.now();
    renderer.render(targetView);
    await device.queue.onSubmittedWorkDone();
    if (k >= 0) samples.push(performance.now() - t0); // two warm-up frames
  }
  return samples;
}

/**
 * Frame time of a catalogue of `rows` random rows over the whole sky at a full-sky view
 * (markers below the layer's density threshold of rows in view, a density map above it).
 */
export async function catalogueFrames(device: GPUDevice, opts: { rows: number; widthPx: number; heightPx: number; frames: number; mode: 'markers' | 'density'; projection?: ProjectionName }): Promise<FrameSamples> {
  const data = randomRows(opts.rows);
  const renderer = new SkyRenderer(device, 'rgba8unorm');
  const t0 = performance.now();
  const layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', {
    id: 'bench', data, shape: 'circle', sizePx: 3,
    densityThreshold: opts.mode === 'density' ? 0 : Infinity,
  }));
  const buildMs = performance.now() - t0;
  const tex = target(device, opts.widthPx, opts.heightPx);
  try {
    const view: ViewState = { raDeg: 0, decDeg: 0, fovDeg: 360, rollDeg: 0, projection: opts.projection ?? 'AIT', widthPx: opts.widthPx, heightPx: opts.heightPx };
    const samples = await timeFrames(device, renderer, view, opts.frames, 0.05, tex);
    return { samples, info: { rows: opts.rows, mode: layer.stats.mode, buildMs: Math.round(buildMs) } };
  } finally {
    tex.destroy();
    renderer.destroy();
  }
}

/**
 * The card's own limit for the density path: one compute thread per point, each projecting a
 * float32 unit vector with a plain orthographic map and atomicAdd-ing into a width x height u32
 * grid — no view maths beyond that, no filtering, no colormap. `points` positions are made on
 * the GPU (a hash per index) so that 1e9 needs no CPU memory.
 */
export async function rawSplatFrames(device: GPUDevice, opts: { points: number; widthPx: number; heightPx: number; frames: number }): Promise<FrameSamples> {
  const wgsl = /* wgsl */ `
    struct P { n: u32, w: u32, h: u32, frame: u32 };
    @group(0) @binding(0) var<uniform> p: P;
    @group(0) @binding(1) var<storage, read_write> grid: array<atomic<u32>>;
    fn hash(x: u32) -> u32 { var v = x * 747796405u + 2891336453u; v = ((v >> ((v >> 28u) + 4u)) ^ v) * 277803737u; return (v >> 22u) ^ v; }
    @compute @workgroup_size(256) fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) nw: vec3u) {
      let i = id.x + id.y * nw.x * 256u;
      if (i >= p.n) { return; }
      let z = f32(hash(i)) / 4294967296.0 * 2.0 - 1.0;
      let phi = f32(hash(i ^ 0x9e3779b9u)) / 4294967296.0 * 6.2831853 + f32(p.frame) * 0.001;
      let r = sqrt(max(0.0, 1.0 - z * z));
      let x = r * cos(phi);
      let y = r * sin(phi);
      if (x < 0.0) { return; }
      let px = u32((y * 0.5 + 0.5) * f32(p.w - 1u));
      let py = u32((z * 0.5 + 0.5) * f32(p.h - 1u));
      atomicAdd(&grid[py * p.w + px], 1u);
    }`;
  const module = device.createShaderModule({ label: 'raw splat', code: wgsl });
  const pipeline = device.createComputePipeline({ label: 'raw splat', layout: 'auto', compute: { module, entryPoint: 'main' } });
  const uniforms = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const grid = device.createBuffer({ size: opts.widthPx * opts.heightPx * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: uniforms } }, { binding: 1, resource: { buffer: grid } }] });
  const groups = Math.ceil(opts.points / 256);
  const gx = Math.min(groups, 65535);
  const gy = Math.ceil(groups / gx);
  const samples: number[] = [];
  try {
    for (let k = -2; k < opts.frames; k++) {
      const t0 = performance.now();
      device.queue.writeBuffer(uniforms, 0, new Uint32Array([opts.points, opts.widthPx, opts.heightPx, k + 2]));
      const enc = device.createCommandEncoder();
      enc.clearBuffer(grid);
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(gx, gy);
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
      if (k >= 0) samples.push(performance.now() - t0);
    }
  } finally {
    uniforms.destroy();
    grid.destroy();
  }
  return { samples, info: { points: opts.points } };
}

/**
 * `n` instrument-like footprints uniform over the sky, as STC-S: squares 0.05–0.3° on a side at a
 * random position angle (the size of the ESO/HST footprints in ../shared/data), every 7th a
 * circle, seeded.
 */
export function randomFootprints(n: number, seed = 11): string[] {
  const rnd = seeded(seed);
  const out: string[] = new Array<string>(n);
  const DEG = Math.PI / 180;
  for (let i = 0; i < n; i++) {
    const raDeg = rnd() * 360;
    const decDeg = (Math.asin(2 * rnd() - 1) * 180) / Math.PI;
    const sideDeg = 0.05 + rnd() * 0.25;
    if (i % 7 === 6) {
      out[i] = `CIRCLE ICRS ${raDeg.toFixed(6)} ${decDeg.toFixed(6)} ${(sideDeg / 2).toFixed(6)}`;
      continue;
    }
    const pa = rnd() * 2 * Math.PI;
    const cosDec = Math.max(Math.cos(decDeg * DEG), 1e-3);
    const corners: string[] = [];
    for (let k = 0; k < 4; k++) {
      const a = pa + (k * Math.PI) / 2 + Math.PI / 4;
      const dx = (Math.cos(a) * sideDeg) / Math.SQRT2;
      const dy = (Math.sin(a) * sideDeg) / Math.SQRT2;
      const dec = Math.max(-89.999, Math.min(89.999, decDeg + dy));
      corners.push(`${(((raDeg + dx / cosDec) % 360) + 360) % 360} ${dec}`);
    }
    out[i] = `POLYGON ICRS ${corners.join(' ')}`;
  }
  return out;
}

/** Pixels of a rgba8unorm target with any alpha (read back once): proof that a workload drew. */
async function coveredPixels(device: GPUDevice, tex: GPUTexture): Promise<number> {
  const bytesPerRow = Math.ceil((tex.width * 4) / 256) * 256;
  const buf = device.createBuffer({ size: bytesPerRow * tex.height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  try {
    const enc = device.createCommandEncoder();
    enc.copyTextureToBuffer({ texture: tex }, { buffer: buf, bytesPerRow }, { width: tex.width, height: tex.height });
    device.queue.submit([enc.finish()]);
    await buf.mapAsync(GPUMapMode.READ);
    const px = new Uint8Array(buf.getMappedRange());
    let n = 0;
    for (let y = 0; y < tex.height; y++) {
      for (let x = 0; x < tex.width; x++) if (px[y * bytesPerRow + x * 4 + 3]! > 0) n++;
    }
    buf.unmap();
    return n;
  } finally {
    buf.destroy();
  }
}

/** `count` random footprints tessellated (outlines) as the workers do in the browser, and how long that took. */
export function footprintGeometry(count: number): { geometry: FootprintGeometry; buildMs: number } {
  const stcs = randomFootprints(count);
  const t0 = performance.now();
  const geometry = tessellateFootprints(stcs, { toleranceRad: 0.002, fill: false });
  const buildMs = performance.now() - t0;
  if (geometry.problems.length > 0) throw new Error(`footprint bench: ${geometry.problems.length} footprints refused, first: ${geometry.problems[0]!.message}`);
  return { geometry, buildMs };
}

/**
 * Frame time of footprints (footprintGeometry: outlines, no fill) at a full-sky AIT view (every
 * footprint in view) or a SIN view of `fovDeg`. The layer is built anew (its upload untimed).
 */
export async function footprintFrames(device: GPUDevice, opts: { built: { geometry: FootprintGeometry; buildMs: number }; widthPx: number; heightPx: number; frames: number; fovDeg?: number }): Promise<FrameSamples> {
  const { geometry, buildMs } = opts.built;
  const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: { r: 0, g: 0, b: 0, a: 0 } });
  const layer = renderer.addLayer(new FootprintLayer(device, 'rgba8unorm', { id: 'bench', geometry, color: '#ffd54f', lineWidthPx: 1 }));
  const tex = target(device, opts.widthPx, opts.heightPx);
  try {
    const fovDeg = opts.fovDeg ?? 360;
    const view: ViewState = { raDeg: 0, decDeg: 0, fovDeg, rollDeg: 0, projection: fovDeg >= 180 ? 'AIT' : 'SIN', widthPx: opts.widthPx, heightPx: opts.heightPx };
    const samples = await timeFrames(device, renderer, view, opts.frames, 0.05, tex);
    const drawnPx = await coveredPixels(device, tex);
    return { samples, info: { footprints: geometry.count, segments: layer.stats.segments, inView: layer.stats.inView, drawnPx, buildMs: Math.round(buildMs) } };
  } finally {
    tex.destroy();
    renderer.destroy();
  }
}

/** Tiles read from a HiPS directory by `readFile` and decoded by `decodeJpeg` (jpeg-js in Node). */
export function fileFetcher(readFile: (relPath: string) => Promise<Uint8Array | null>, decodeJpeg: (bytes: Uint8Array) => { width: number; height: number; data: Uint8Array }): TileFetcher {
  return {
    async fetchTile(url: string): Promise<DecodedTile | null> {
      const bytes = await readFile(url);
      if (!bytes) return null;
      const img = decodeJpeg(bytes);
      return { width: img.width, height: img.height, rgba: img.data };
    },
  };
}

/**
 * Full-sky HiPS frame time: the survey in `propertiesText` at a 360° view of the given size, after
 * every tile the view needs is on the GPU (frames are only timed once the layer has settled).
 */
export async function hipsFullSkyFrames(device: GPUDevice, opts: { propertiesText: string; fetcher: TileFetcher; widthPx: number; heightPx: number; frames: number; projection?: ProjectionName; settleTimeoutMs?: number }): Promise<FrameSamples> {
  const renderer = new SkyRenderer(device, 'rgba8unorm');
  const layer = renderer.addHipsLayer({ id: 'bench', baseUrl: '', properties: parseHipsProperties(opts.propertiesText), fetcher: opts.fetcher, gpuBudgetBytes: 512 * 1024 * 1024 });
  const tex = target(device, opts.widthPx, opts.heightPx);
  const view: ViewState = { raDeg: 0, decDeg: 0, fovDeg: 360, rollDeg: 0, projection: opts.projection ?? 'AIT', widthPx: opts.widthPx, heightPx: opts.heightPx };
  try {
    renderer.setView(view);
    const deadline = performance.now() + (opts.settleTimeoutMs ?? 60_000);
    const settleStart = performance.now();
    const targetView = tex.createView();
    while (!renderer.settled) {
      if (performance.now() > deadline) throw new Error(`the HiPS layer did not settle within ${opts.settleTimeoutMs ?? 60_000} ms`);
      renderer.render(targetView);
      await device.queue.onSubmittedWorkDone();
      await new Promise((r) => setTimeout(r, 1));
    }
    const settleMs = performance.now() - settleStart;
    // pan steps far below a tile: the same tiles stay in view, only the cells' positions change
    const samples = await timeFrames(device, renderer, view, opts.frames, 0.01, tex);
    return { samples, info: { cellsDrawn: layer.stats.cellsDrawn, settleMs: Math.round(settleMs) } };
  } finally {
    tex.destroy();
    renderer.destroy();
  }
}
