// Memory flat over a long session (issue 4): 1000 pan/zoom steps over a synthetic survey with
// empty (404) and failing tiles and small GPU/CPU budgets, each step prepared like a frame (a
// full frame drawn every 10th). What a HiPS
// layer keeps between frames must stay within stated bounds, not grow with the session: cell mesh
// vectors (least recently used beyond max(CELL_CACHE_MIN, 2 x the view's cells)), tile arrival
// times (only while a tile fades in), remembered 404/failed/dropped tiles (rememberedOutcomes
// beyond the wanted ones), tiles on the GPU and decoded tiles on the CPU (their budgets).
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { CELL_CACHE_MIN, FADE_MS } from '../../src/render/layers/hipsLayer.js';
import { parseHipsProperties } from '../../src/hips/properties.js';
import { makeCamera } from '../../src/math/camera.js';
import { UploadBudget } from '../../src/render/uploadBudget.js';
import type { DecodedTile, TileFetcher } from '../../src/hips/tileManager.js';
import type { ProjectionName } from '../../src/math/projections.js';
import { createTarget, gpuErrors, requestTestDevice, sleep } from './renderTarget.js';

const W = 64;
const TILE_BYTES = W * W * 4;
const grey = new Uint8Array(TILE_BYTES).fill(128);
// a quarter of the tiles exist (uploads are what costs time on SwiftShader), every 17th index
// fails for good, the rest are 404
const fetcher: TileFetcher = {
  fetchTile: async (url: string): Promise<DecodedTile | null> => {
    const ipix = Number(/Npix(\d+)/.exec(url)?.[1] ?? 0);
    if (ipix % 17 === 0) throw new Error('synthetic broken tile');
    if (url.includes('Allsky') || ipix % 4 !== 1) return null;
    return { width: W, height: W, rgba: grey.slice() };
  },
};
const properties = parseHipsProperties(['creator_did = ivo://test/session', 'obs_title = session', 'dataproduct_type = image', 'hips_version = 1.4',
  'hips_release_date = 2026-01-01T00:00Z', 'hips_status = public master clonableOnce', 'hips_tile_format = png', 'hips_order = 9',
  'hips_frame = equatorial', `hips_tile_width = ${W}`].join('\n'));

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('memory over a long session', () => {
  it('keeps every cache of a HiPS layer bounded over 1000 pan/zoom steps', async function () {
    this.timeout(300_000);
    const t0 = performance.now();
    const device = await requestTestDevice();
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const remembered = 200;
    const cpuBudgetBytes = 16 * TILE_BYTES;
    const layer = renderer.addHipsLayer({ id: 'session', baseUrl: '', properties, fetcher, gpuBudgetBytes: 512 * 1024, cpuBudgetBytes, rememberedOutcomes: remembered });
    const [w, h] = [96, 72];
    const target = createTarget(device, w, h);
    const next = random(4);
    const projections: ProjectionName[] = ['SIN', 'SIN', 'TAN', 'AIT', 'STG'];
    let view = { raDeg: 10, decDeg: 20, fovDeg: 30, rollDeg: 0, projection: 'SIN' as ProjectionName, widthPx: w, heightPx: h };
    const peaks = { cellVectors: 0, tileStates: 0, outcomesOver: -Infinity, cellsOver: -Infinity };
    const report: string[] = [];
    try {
      for (let step = 1; step <= 1000; step++) {
        // pan by up to half a field, zoom by up to 2x, now and then another projection
        const fovDeg = Math.min(180, Math.max(0.3, view.fovDeg * 2 ** (2 * next() - 1)));
        view = {
          ...view,
          raDeg: (view.raDeg + (next() - 0.5) * fovDeg + 360) % 360,
          decDeg: Math.max(-85, Math.min(85, view.decDeg + (next() - 0.5) * fovDeg * 0.5)),
          fovDeg,
          projection: step % 50 === 0 ? projections[Math.floor(next() * projections.length)]! : view.projection,
        };
        if (step % 10 === 0) {
          renderer.setView(view);
          renderer.render(target.texture.createView());
          await device.queue.onSubmittedWorkDone();
        } else {
          // what a frame does for this layer, less the drawing (SwiftShader runs vertex shaders on the CPU)
          layer.prepare(makeCamera(view), new UploadBudget(6));
        }
        await sleep(0); // let the synthetic fetches answer
        const s = layer.cacheSizes;
        peaks.cellVectors = Math.max(peaks.cellVectors, s.cellVectors);
        peaks.tileStates = Math.max(peaks.tileStates, s.tileStates);
        // tile states: remembered outcomes + wanted (and prefetched) + ready ones (on the GPU or waiting for upload)
        peaks.outcomesOver = Math.max(peaks.outcomesOver, s.tileStates - (remembered + s.wantedTiles + s.gpuCapacity / 4 + s.gpuTiles + s.pendingUploads));
        peaks.cellsOver = Math.max(peaks.cellsOver, s.cellVectors - Math.max(CELL_CACHE_MIN, 2 * s.selectedCells));
        expect(s.gpuTiles, `step ${step}`).to.be.at.most(s.gpuCapacity);
        expect(s.cpuBytes, `step ${step}`).to.be.at.most(cpuBudgetBytes);
        expect(s.samples, `step ${step}`).to.equal(0); // colour tiles keep no value samples
        if (step % 250 === 0) report.push(`step ${step} at ${((performance.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(s)} cells ${layer.stats.cellsDrawn} uploaded ${layer.stats.tilesUploaded}`);
      }
      // after the session: a small view, frames past the cross-fade
      renderer.setView({ ...view, projection: 'TAN', fovDeg: 1 });
      for (let i = 0; i < 5; i++) {
        renderer.render(target.texture.createView());
        await device.queue.onSubmittedWorkDone();
        await sleep(FADE_MS / 2);
      }
      const end = layer.cacheSizes;
      report.push(`end: ${JSON.stringify(end)} cells ${layer.stats.cellsDrawn}; peaks ${JSON.stringify(peaks)}`);
      console.log(report.join('\n'));
      const msg = report.join('\n');
      // the session did exercise the bounds: far more tiles were seen than are kept
      expect(layer.stats.tilesUploaded, msg).to.be.greaterThan(4 * end.gpuCapacity);
      expect(peaks.tileStates, msg).to.be.greaterThan(remembered);
      expect(peaks.outcomesOver, msg).to.be.at.most(0);
      expect(peaks.cellsOver, msg).to.be.at.most(0);
      expect(end.cellVectors, msg).to.be.at.most(CELL_CACHE_MIN);
      expect(end.arrivals, msg).to.equal(0);
      expect(end.tileStates, msg).to.be.at.most(remembered + end.wantedTiles + end.gpuCapacity / 4 + end.gpuTiles + end.pendingUploads);
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      renderer.destroy();
      target.destroy();
      device.destroy();
    }
  });
});
