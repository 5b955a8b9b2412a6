// Measurements behind the catalogue layer's design (printed, not asserted; not part of the test
// suite: bench/catalog.bench.mjs runs it with `web-test-runner test/browser/catalog.perf.ts` and
// reads the `BENCH {json}` lines): per-frame CPU cost of transforming rows in float64 on the main
// thread versus the per-cell scheme of render/layers/catalogLayer.ts, and frame times of markers
// and density maps for 1e5 and 1e6 rows on this machine's WebGPU (SwiftShader without a GPU), with
// the main thread's long tasks over each series of frames, the JS heap after gc() and GPU memory
// (the layer's own buffer/texture bytes, and the growth of the GPU process's PSS) per layer
// (test/browser/perfHealth.ts). Frames here are rendered off-screen back to back, not paced by
// animation frames, so there are no dropped frames to count.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { CatalogLayer } from '../../src/render/layers/catalogLayer.js';
import { makeCamera } from '../../src/math/camera.js';
import { gpuErrors, requestTestDevice } from './renderTarget.js';
import { randomCatalog } from './catalogHelpers.js';
import { trackGpuMemory } from '../../src/render/gpuMemory.js';
import { collect, gpuProcessPssMiB, heapMiB, startHealth } from './perfHealth.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** One machine-readable line per metric for the benchmark script. */
const bench = (metric: string, samples: number[], unit = 'ms') => console.log(`BENCH ${JSON.stringify({ metric, unit, samples })}`);

describe('catalogue costs (measured, printed)', () => {
  let device: GPUDevice;
  const big = randomCatalog(1_000_000, 11);
  before(async () => {
    device = await requestTestDevice();
    trackGpuMemory(device);
  });
  after(() => device.destroy());

  it('per-frame CPU work: float64 transform of every row vs per-cell anchors', async () => {
    const n = big.raDeg.length;
    const vec = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const d = (big.decDeg[i] * Math.PI) / 180;
      const r = (big.raDeg[i] * Math.PI) / 180;
      vec[3 * i] = Math.cos(d) * Math.cos(r);
      vec[3 * i + 1] = Math.cos(d) * Math.sin(r);
      vec[3 * i + 2] = Math.sin(d);
    }
    const out = new Float32Array(4 * n);
    const buf = device.createBuffer({ size: out.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const cpu: number[] = [];
    const upload: number[] = [];
    for (let k = 0; k < 5; k++) {
      const cam = makeCamera({ raDeg: 10 + k, decDeg: 20, fovDeg: 60, rollDeg: 0, projection: 'SIN', widthPx: 800, heightPx: 600 });
      const [r0, r1, r2] = cam.right;
      const [u0, u1, u2] = cam.up;
      const [c0, c1, c2] = cam.centre;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const x = vec[3 * i];
        const y = vec[3 * i + 1];
        const z = vec[3 * i + 2];
        out[4 * i] = x * r0 + y * r1 + z * r2;
        out[4 * i + 1] = x * u0 + y * u1 + z * u2;
        out[4 * i + 2] = x * c0 + y * c1 + z * c2;
      }
      const t1 = performance.now();
      device.queue.writeBuffer(buf, 0, out);
      await device.queue.onSubmittedWorkDone();
      upload.push(performance.now() - t1);
      cpu.push(t1 - t0);
    }
    buf.destroy();
    bench('1e6 rows: float64 view-frame transform on the CPU, per frame (the rejected design)', cpu);
    bench('1e6 rows: writeBuffer of 16 MB, per frame (the rejected design)', upload);
    // prepare() submits the GPU's per-view work (compute) without waiting for it: on SwiftShader that
    // work queues up, so this part runs on a device of its own, destroyed afterwards
    const own = await requestTestDevice();
    const renderer = new SkyRenderer(own, 'rgba8unorm');
    const t0 = performance.now();
    const layer = renderer.addLayer(new CatalogLayer(own, 'rgba8unorm', { id: 'perf', data: big, densityThreshold: Infinity }));
    const buildMs = performance.now() - t0;
    // performance.now() is coarse here (0.1 ms): time 50 pan frames together; cameras made beforehand
    const prep = (fovDeg: number, label = `${fovDeg}°`) => {
      const cams = Array.from({ length: 20 }, (_, k) => makeCamera({ raDeg: 10 + k * 0.01 * fovDeg, decDeg: 20, fovDeg, rollDeg: 0, projection: 'SIN', widthPx: 800, heightPx: 600 }));
      const t = performance.now();
      for (const cam of cams) layer.prepare(cam, undefined as never);
      bench(`1e6 rows: CatalogLayer.prepare per pan frame, fov ${label}`, [(performance.now() - t) / cams.length]);
      return `${((performance.now() - t) / cams.length).toFixed(3)} ms (${layer.stats.preciseCells} cells with float64 centres)`;
    };
    console.log([
      `rows: ${n}, anchor cells: ${layer.stats.cells}, build + upload ${buildMs.toFixed(0)} ms`,
      `per-row float64 transform on the CPU: ${median(cpu).toFixed(1)} ms + writeBuffer 16 MB ${median(upload).toFixed(1)} ms per frame`,
      `CatalogLayer.prepare per pan frame (CPU, including the submission of its compute pass): fov 60° ${prep(60)}; 1° ${prep(1)}; 0.1° ${prep(0.1)}; 1′ ${prep(1 / 60, '1′')}; 1″ ${prep(1 / 3600, '1″')}`,
    ].join('\n'));
    renderer.destroy();
    own.destroy();
    expect(gpuErrors).to.deep.equal([]);
  });

  for (const rows of [100_000, 1_000_000]) {
    it(`frame times for ${rows} rows: markers vs density`, async () => {
      const data = rows === big.raDeg.length ? big : randomCatalog(rows, 12);
      const target = device.createTexture({ size: [800, 600], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT });
      const lines: string[] = [];
      if (rows === 100_000) {
        const empty = new SkyRenderer(device, 'rgba8unorm');
        const times: number[] = [];
        for (let k = 0; k < 4; k++) {
          empty.setView({ raDeg: 30 + k, decDeg: 10, fovDeg: 60, rollDeg: 0, projection: 'SIN', widthPx: 800, heightPx: 600 });
          const t0 = performance.now();
          empty.render(target.createView());
          await device.queue.onSubmittedWorkDone();
          times.push(performance.now() - t0);
        }
        empty.destroy();
        bench('empty frame (projection outline only), 800x600', times.slice(1));
        lines.push(`empty frame (projection outline only), 800x600: ${median(times.slice(1)).toFixed(0)} ms`);
      }
      // 'markers': quads (the raster path); 'markers, compute-rasterised': the compute path (catalogRaster.ts)
      for (const [label, threshold, markerPath] of [['markers', Infinity, 'raster'], ['markers, compute-rasterised', Infinity, 'compute'], ['density', 0, 'auto']] as const) {
        await collect();
        const gpu0 = await gpuProcessPssMiB();
        const heap0 = heapMiB();
        const own = trackGpuMemory(device);
        const own0 = own.bufferBytes + own.textureBytes;
        const health = startHealth();
        const renderer = new SkyRenderer(device, 'rgba8unorm');
        const layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', { id: 'f', data, sizePx: 4, densityThreshold: threshold, markerPath }));
        for (const [vlabel, projection, fovDeg] of [['all rows on screen (AIT 360°)', 'AIT', 360], ['SIN 60°', 'SIN', 60]] as const) {
          const times: number[] = [];
          // 1e6 markers all on screen (a case the density threshold avoids) take seconds per frame on SwiftShader
          const frames = rows >= 1e6 && label !== 'density' && projection === 'AIT' ? 2 : 4;
          for (let k = 0; k < frames; k++) {
            renderer.setView({ raDeg: 30 + k, decDeg: 10, fovDeg, rollDeg: 0, projection, widthPx: 800, heightPx: 600 });
            const t0 = performance.now();
            renderer.render(target.createView());
            await device.queue.onSubmittedWorkDone();
            times.push(performance.now() - t0);
          }
          expect(layer.mode).to.equal(label === 'density' ? 'density' : 'markers');
          if (label !== 'density') expect(layer.stats.markerPath).to.equal(markerPath);
          if (times.length > 1) times.shift(); // the first frame compiles pipelines
          bench(`${rows.toExponential(0)} rows: frame, ${label}, ${vlabel}, 800x600`, times);
          lines.push(`${rows} rows, ${label}, ${vlabel}, 800x600: ${median(times).toFixed(0)} ms/frame (${times.map((t) => t.toFixed(0)).join(', ')})`);
        }
        if (label !== 'density') {
          const t0 = performance.now();
          await renderer.pick(400, 300);
          const first = performance.now() - t0;
          const next: number[] = [];
          for (let k = 0; k < 5; k++) {
            const t = performance.now();
            await renderer.pick(401 + k, 300);
            next.push(performance.now() - t);
          }
          const suffix = label === 'markers' ? '' : ` (${label}; its first pick compiles the pick raster pipelines)`;
          bench(`${rows.toExponential(0)} rows: pick after a view change (pick pass + readback), SIN 60°${suffix}`, [first]);
          bench(`${rows.toExponential(0)} rows: pick on a still view (readback only)${label === 'markers' ? '' : ` (${label})`}`, next);
          lines.push(`${rows} rows, pick pass + readback (SIN 60°): ${first.toFixed(0)} ms; next picks ${median(next).toFixed(1)} ms`);
        }
        const h = health.stop();
        const n = rows.toExponential(0);
        if (Number.isFinite(h.longTaskCount)) bench(`${n} rows, ${label}: long tasks over its frames and picks`, [h.longTaskCount], 'count');
        const ownMiB = (own.bufferBytes + own.textureBytes - own0) / 2 ** 20;
        const gpuMiB = (await gpuProcessPssMiB()) - gpu0;
        await collect();
        const heap = heapMiB() - heap0;
        bench(`${n} rows, ${label}: own GPU buffers + textures of the renderer and layer (exact count)`, [ownMiB], 'MiB');
        if (Number.isFinite(gpuMiB)) bench(`${n} rows, ${label}: GPU process memory (PSS) growth`, [gpuMiB], 'MiB');
        if (Number.isFinite(heap)) bench(`${n} rows, ${label}: JS heap growth with the layer (after GC)`, [heap], 'MiB');
        lines.push(`${rows} rows, ${label}: ${h.longTaskCount} long tasks (${h.longTaskMs.toFixed(0)} ms), own GPU ${ownMiB.toFixed(1)} MiB, GPU process +${gpuMiB.toFixed(0)} MiB, heap +${heap.toFixed(1)} MiB`);
        renderer.destroy();
      }
      target.destroy();
      console.log(lines.join('\n'));
      expect(gpuErrors).to.deep.equal([]);
    });
  }
});
