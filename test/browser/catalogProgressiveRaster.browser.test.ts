// The compute-rasterised marker path of a progressive catalogue (ProgressiveCatalogLayer with
// markerPath 'compute') against its quad path ('raster') on the same tiles: the committed HiPS
// catalogue of the Hipparcos V <= 6 stars (test/fixtures/hips/catalog/hip6, made with healpy by
// make_catalog_hips.py), through real WebGPU (SwiftShader). Each path draws the very pixels a
// CatalogLayer draws on the same path from the same rows in slot order (so the progressive layer
// inherits catalogRaster.browser.test.ts's equivalence of the two paths), and the two paths agree
// within that test's tolerance (16/255 where at most one marker's quad covers a pixel; < 25 % of
// overlap pixels differ), also after the shared buffers grew (repack: the raster path is bound to
// the new screen buffer). Picking returns the same tile and row on both paths (and exactly the
// CatalogLayer compute pick); the selection outline shows on the compute path; 'auto' chooses by
// the resident rows in view (a synthetic catalogue served in memory). The share of pixels under one quad differing by > 3/255 (bounded at
// 3 % in catalogRaster.browser.test.ts, whose colours are mostly dark) grows with the marker's
// contrast: one bright colour here gives 7-19 % on both layer kinds alike, so it is reported, not bounded.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { ProgressiveCatalogLayer, type ProgressiveCatalogOptions } from '../../src/render/layers/progressiveCatalogLayer.js';
import { CatalogLayer } from '../../src/render/layers/catalogLayer.js';
import { loadHipsCatalogSource, type HipsCatalogSource } from '../../src/catalog/hipsCatalogSource.js';
import type { MarkerShape } from '../../src/catalog/style.js';
import { COMPUTE_MIN_ROWS } from '../../src/catalog/markerPath.js';
import { pix2ang } from '../../src/hips/healpix.js';
import type { ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, requestTestDevice, sleep } from './renderTarget.js';
import { projectRows, seeded } from './catalogHelpers.js';

const BASE = new URL('/test/fixtures/hips/catalog/hip6/', location.href).href;
const W = 320;
const H = 240;
/** Half the sky in view: ~2500 of the 5044 stars, more than COMPUTE_MIN_ROWS. */
const ALL: ViewState = { raDeg: 80, decDeg: -10, fovDeg: 180, rollDeg: 10, projection: 'SIN', widthPx: W, heightPx: H };
const ORION: ViewState = { raDeg: 84, decDeg: -2, fovDeg: 50, rollDeg: 0, projection: 'TAN', widthPx: W, heightPx: H };
const SCORPIUS: ViewState = { raDeg: 250, decDeg: -30, fovDeg: 60, rollDeg: -20, projection: 'SIN', widthPx: W, heightPx: H };
/** As catalogRaster.browser.test.ts: the quad path's sub-pixel snapping under one marker. */
const SNAP_TOLERANCE = 16;
const BACKGROUND = { r: 0.15, g: 0.2, b: 0.3, a: 1 };

type Path = 'raster' | 'compute';

/** One order-6 tile of the synthetic catalogue: 20 seeded rows at random order-14 cells inside it. */
function syntheticTile(ipix: number): string {
  const rnd = seeded(ipix + 1);
  let text = '# Completeness = 20 / 20\nid\tra\tdec\tmag\n';
  for (let i = 0; i < 20; i++) {
    const [ra, dec] = pix2ang(14, ipix * 4 ** 8 + Math.floor(rnd() * 4 ** 8));
    text += `${ipix * 20 + i}\t${ra}\t${dec}\t${(rnd() * 10).toFixed(3)}\n`;
  }
  return text;
}
type Options = Omit<ProgressiveCatalogOptions, 'id' | 'baseUrl' | 'orderMin' | 'orderMax' | 'metadata'>;

describe('progressive catalogue: compute-rasterised markers vs quads', function () {
  this.timeout(180_000);
  let device: GPUDevice;
  let source: HipsCatalogSource;
  before(async () => {
    device = await requestTestDevice();
    source = await loadHipsCatalogSource(BASE);
  });
  after(() => device.destroy());

  function makeLayer(path: Path | 'auto', options: Options) {
    const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: BACKGROUND });
    const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', {
      id: path, baseUrl: BASE, orderMin: source.orderMin, orderMax: source.orderMax, metadata: source.metadata!,
      densityThreshold: Infinity, markerPath: path, ...options,
    }));
    return { renderer, layer, target: createTarget(device, W, H) };
  }
  type Drawn = ReturnType<typeof makeLayer>;

  /** Render until every wanted tile is drawn, then once more; the pixels. */
  async function settle(d: Drawn, view: ViewState): Promise<Uint8Array> {
    d.renderer.setView(view);
    for (let i = 0; i < 1500; i++) {
      d.renderer.render(d.target.texture.createView());
      if (d.layer.settled && !d.layer.hasPendingUploads) break;
      await sleep(10);
    }
    expect(d.layer.settled, 'tiles loaded').to.equal(true);
    d.renderer.render(d.target.texture.createView());
    return d.target.read();
  }

  /** The drawn rows (as drawn, ICRS degrees) in slot order: the progressive layer's painter's order. */
  function rowsBySlot(layer: ProgressiveCatalogLayer): { raDeg: Float64Array; decDeg: Float64Array; where: string[] } {
    const tiles = [...layer.drawnSlots].sort((a, b) => a.start - b.start);
    const ra: number[] = [];
    const dec: number[] = [];
    const where: string[] = [];
    for (const t of tiles) for (let i = 0; i < t.rows; i++) {
      ra.push(Number(t.drawnRaDeg[i]));
      dec.push(Number(t.drawnDecDeg[i]));
      where.push(`${t.tile.order}/${t.tile.ipix}#${i}`);
    }
    return { raDeg: Float64Array.from(ra), decDeg: Float64Array.from(dec), where };
  }

  /** The same rows drawn by a CatalogLayer on `path` with the same style: pixels, and the layer's renderer (caller destroys). */
  async function reference(layer: ProgressiveCatalogLayer, path: Path, style: Options, view: ViewState) {
    const { raDeg, decDeg, where } = rowsBySlot(layer);
    const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: BACKGROUND });
    const cat = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', { ...style, id: `ref-${path}`, data: { raDeg, decDeg }, markerPath: path, densityThreshold: Infinity } as never));
    const target = createTarget(device, W, H);
    renderer.setView(view);
    renderer.render(target.texture.createView());
    const px = await target.read();
    target.destroy();
    expect(cat.stats.markerPath, `reference path`).to.equal(path);
    return { px, renderer, where };
  }

  function worstDiff(a: Uint8Array, b: Uint8Array): number {
    let worst = 0;
    for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
    return worst;
  }

  /** The drawn rows' pixel positions (CPU projection) for the quad cover. */
  function drawnPositions(layer: ProgressiveCatalogLayer, view: ViewState): Float64Array {
    const ra: number[] = [];
    const dec: number[] = [];
    for (const t of layer.drawnSlots) for (let i = 0; i < t.rows; i++) {
      ra.push(Number(t.drawnRaDeg[i]));
      dec.push(Number(t.drawnDecDeg[i]));
    }
    return projectRows(view, Float64Array.from(ra), Float64Array.from(dec));
  }

  /** Per pixel: how many markers' quads (radius + lineWidth/2 + 1.5) cover it. */
  function quadCover(pos: Float64Array, radiusPx: number, lineWidthPx: number): Uint8Array {
    const cover = new Uint8Array(W * H);
    const e = radiusPx + lineWidthPx / 2 + 1.5;
    for (let r = 0; r < pos.length / 2; r++) {
      const x = pos[2 * r];
      const y = pos[2 * r + 1];
      if (!Number.isFinite(x)) continue;
      for (let yy = Math.max(0, Math.floor(y - e)); yy <= Math.min(H - 1, Math.floor(y + e)); yy++) {
        for (let xx = Math.max(0, Math.floor(x - e)); xx <= Math.min(W - 1, Math.floor(x + e)); xx++) cover[yy * W + xx] = Math.min(255, cover[yy * W + xx] + 1);
      }
    }
    return cover;
  }

  function compare(a: Uint8Array, b: Uint8Array, cover: Uint8Array) {
    let single = 0;
    let singleWorst = 0;
    let singleOver3 = 0;
    let singleOver6 = 0;
    let overlapDiffer = 0;
    let overlap = 0;
    let marked = 0;
    const bg = [BACKGROUND.r, BACKGROUND.g, BACKGROUND.b].map((v) => Math.round(v * 255));
    for (let k = 0; k < W * H; k++) {
      let d = 0;
      for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(a[4 * k + c] - b[4 * k + c]));
      if (cover[k] >= 1 && [0, 1, 2].some((c) => Math.abs(a[4 * k + c] - bg[c]) > 1)) marked++;
      if (cover[k] <= 1) {
        single++;
        singleWorst = Math.max(singleWorst, d);
        if (d > 3) singleOver3++;
        if (d > 6) singleOver6++;
      } else {
        overlap++;
        if (d > 3) overlapDiffer++;
      }
    }
    return { single, singleWorst, singleOver3, singleOver6, overlap, overlapDiffer, marked };
  }

  const cases: Array<[MarkerShape, boolean, number]> = [['circle', false, 1.5], ['square', true, 1.5], ['plus', false, 4], ['triangle', true, 1.5]];
  it('same pixels on both paths for several shapes, over three views (the shared buffers grow on the way)', async () => {
    const report: string[] = [];
    for (const [shape, filled, lineWidthPx] of cases) {
      const sizePx = 7;
      const style: Options = { shape, filled, lineWidthPx, sizePx, color: '#ffb040' };
      const both = { raster: makeLayer('raster', style), compute: makeLayer('compute', style) };
      try {
        for (const view of [ORION, SCORPIUS, ALL]) {
          const a = await settle(both.raster, view);
          const b = await settle(both.compute, view);
          expect(both.raster.layer.stats.markerPath).to.equal('raster');
          expect(both.compute.layer.stats.markerPath).to.equal('compute');
          expect(both.compute.layer.stats.drawnRows, 'same rows drawn').to.equal(both.raster.layer.stats.drawnRows);
          const cover = quadCover(drawnPositions(both.raster.layer, view), sizePx / 2, lineWidthPx);
          const r = compare(a, b, cover);
          // each path draws what a CatalogLayer draws on it from the same rows
          const vsCatalog: number[] = [];
          for (const [path, px, layer] of [['raster', a, both.raster.layer], ['compute', b, both.compute.layer]] as const) {
            const ref = await reference(layer, path, style, view);
            ref.renderer.destroy();
            vsCatalog.push(worstDiff(px, ref.px));
            expect(vsCatalog.at(-1), `${shape} ${view.fovDeg}° ${path}: worst difference from a CatalogLayer on the same path`).to.be.at.most(1);
          }
          report.push(`${shape}${filled ? ' filled' : ''} ${view.fovDeg}°: ${both.compute.layer.stats.drawnRows} rows, ${r.marked} marked px; worst diff under <= 1 quad ${r.singleWorst}, ${r.singleOver3} > 3, ${r.singleOver6} > 6; ${r.overlap} px under >= 2 quads, ${r.overlapDiffer} differ; worst vs CatalogLayer (quads, compute) ${vsCatalog.join(', ')}`);
          expect(r.marked, `${shape} ${view.fovDeg}°: pixels drawn`).to.be.greaterThan(2000);
          expect(r.singleWorst, `${shape} ${view.fovDeg}°: worst channel difference where <= 1 marker`).to.be.at.most(SNAP_TOLERANCE);
          expect(r.overlapDiffer / Math.max(1, r.overlap), `${shape} ${view.fovDeg}°: share of overlap pixels that differ`).to.be.lessThan(0.25);
        }
        // the whole-sky view needed bigger shared buffers: the raster path drew from the new screen buffer
        expect(both.compute.layer.stats.repacks, 'shared buffers grew').to.be.greaterThan(0);
        expect(both.compute.layer.stats.rasterPasses, 'compute raster ran').to.be.greaterThan(0);
      } finally {
        for (const d of Object.values(both)) {
          d.target.destroy();
          d.renderer.destroy();
        }
      }
    }
    console.log(report.join('\n'));
    expect(gpuErrors).to.deep.equal([]);
  });

  it('picking returns the same tile and row on both paths (exactly the CatalogLayer picks), and the selection outline shows', async () => {
    const opts: Options = { shape: 'circle', filled: true, sizePx: 6, color: '#ff4000', highlightColor: '#00ff00' };
    const both = { raster: makeLayer('raster', opts), compute: makeLayer('compute', opts) };
    const refs: Array<{ renderer: SkyRenderer }> = [];
    try {
      await settle(both.raster, ALL);
      await settle(both.compute, ALL);
      const ref = { raster: await reference(both.raster.layer, 'raster', opts, ALL), compute: await reference(both.compute.layer, 'compute', opts, ALL) };
      refs.push(ref.raster, ref.compute);
      const pos = drawnPositions(both.raster.layer, ALL);
      const slots = both.raster.layer.drawnSlots.flatMap((t) => Array.from({ length: t.rows }, (_, i) => ({ tile: t.tile, row: i })));
      const rnd = seeded(17);
      let compared = 0;
      let hits = 0;
      let sameDistance = 0;
      const where = (l: ProgressiveCatalogLayer, row: number | undefined) => {
        if (row === undefined) return undefined;
        const info = l.rowInfo(row);
        return info && `${info.order}/${info.ipix}#${info.rowInTile}`;
      };
      for (let k = 0; k < 150; k++) {
        const r = Math.floor(rnd() * slots.length);
        const onRow = k % 2 === 0 && Number.isFinite(pos[2 * r]);
        const x = onRow ? pos[2 * r] + (rnd() - 0.5) * 4 : rnd() * W;
        const y = onRow ? pos[2 * r + 1] + (rnd() - 0.5) * 4 : rnd() * H;
        if (!(x >= 0 && y >= 0 && x < W && y < H)) continue;
        const at = `pick at ${x.toFixed(2)}, ${y.toFixed(2)}`;
        for (const path of ['raster', 'compute'] as const) {
          const p = await both[path].renderer.pick(x, y);
          const q = await ref[path].renderer.pick(x, y);
          expect(where(both[path].layer, p?.row), `${path}: ${at} vs CatalogLayer`).to.equal(q && ref[path].where[q.row]);
          if (q) expect(p!.distancePx, `${path}: ${at} distance vs CatalogLayer`).to.be.closeTo(q.distancePx, 1e-9);
        }
        const a = await both.raster.renderer.pick(x, y);
        const b = await both.compute.renderer.pick(x, y);
        expect(where(both.compute.layer, b?.row), at).to.equal(where(both.raster.layer, a?.row));
        // the quads' sub-pixel snapping can move a disc's edge pixel: the nearest hit texel then differs by a pixel
        if (a) expect(b!.distancePx, `${at}: distance`).to.be.closeTo(a.distancePx, 1.5);
        if (a && Math.abs(b!.distancePx - a.distancePx) < 1e-9) sameDistance++;
        compared++;
        if (a) hits++;
      }
      console.log(`progressive picking: ${compared} probes, ${hits} hits, same rows on both paths, ${sameDistance} at the same distance`);
      expect(hits).to.be.greaterThan(40);
      expect(sameDistance / hits, 'hits at the same distance on both paths').to.be.greaterThan(0.9);
      expect(both.compute.layer.stats.markerPath).to.equal('compute');
      expect(both.compute.renderer.pickPasses, 'one pick pass for all probes').to.equal(1);

      // selection: a green outline around an isolated row, on the compute path
      const cover = quadCover(pos, 3, 1.5);
      const sel = [...Array(slots.length).keys()].find((k) => Number.isFinite(pos[2 * k]) && cover[Math.floor(pos[2 * k + 1]) * W + Math.floor(pos[2 * k])] === 1
        && pos[2 * k] > 20 && pos[2 * k] < W - 20 && pos[2 * k + 1] > 20 && pos[2 * k + 1] < H - 20)!;
      expect(sel, 'an isolated row').to.not.equal(undefined);
      const hit = await both.compute.renderer.pick(pos[2 * sel], pos[2 * sel + 1]);
      expect(where(both.compute.layer, hit?.row)).to.equal(`${slots[sel].tile.order}/${slots[sel].tile.ipix}#${slots[sel].row}`);
      both.compute.layer.select(hit!.row);
      both.compute.renderer.render(both.compute.target.texture.createView());
      const c = await both.compute.target.read();
      let green = 0;
      const [sx, sy] = [pos[2 * sel], pos[2 * sel + 1]];
      for (let y = Math.floor(sy - 12); y <= sy + 12; y++) {
        for (let x = Math.floor(sx - 12); x <= sx + 12; x++) {
          const q = (y * W + x) * 4;
          if (c[q + 1] > 200 && c[q] < 80) green++;
        }
      }
      expect(green, 'highlight pixels around the selected row').to.be.greaterThan(15);
      expect(both.compute.layer.stats.markerPath).to.equal('compute');
    } finally {
      for (const d of Object.values(both)) {
        d.target.destroy();
        d.renderer.destroy();
      }
      for (const r of refs) r.renderer.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it("'auto' uses the compute path for many resident rows in view and quads for few or big markers", async () => {
    // a synthetic catalogue served in memory (order 6 only, 20 seeded rows per cell, as catalogProgressive.perf.ts): hip6 has too few rows
    const serve = async (url: string) => {
      const m = /Npix(\d+)\.tsv$/.exec(url);
      return m ? new Response(syntheticTile(Number(m[1]))) : new Response('', { status: 404 });
    };
    const view = (fovDeg: number): ViewState => ({ raDeg: 40, decDeg: 20, fovDeg, rollDeg: 0, projection: 'SIN', widthPx: W, heightPx: H });
    const cases: Array<[string, ViewState, Options, Path]> = [
      ['12° field (~3000 rows), 6 px', view(12), { sizePx: 6 }, 'compute'],
      ['3° field (~200 rows), 6 px', view(3), { sizePx: 6 }, 'raster'],
      ['12° field, 40 px', view(12), { sizePx: 40 }, 'raster'],
    ];
    for (const [label, v, options, path] of cases) {
      const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: BACKGROUND });
      const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', {
        id: 'auto', baseUrl: 'mem:/', orderMin: 6, orderMax: 6, fetch: serve, densityThreshold: Infinity, ...options,
      }));
      const d = { renderer, layer, target: createTarget(device, W, H) };
      try {
        await settle(d, v);
        const rows = layer.stats.estimatedVisibleRows;
        expect(layer.stats.markerPath, `${label}: ${rows} rows estimated in view`).to.equal(path);
        expect(layer.stats.rasterPasses > 0, `${label}: raster passes`).to.equal(path === 'compute');
        if (label.startsWith('12° field (')) expect(rows).to.be.greaterThan(COMPUTE_MIN_ROWS);
        if (label.startsWith('3°')) expect(rows).to.be.lessThan(COMPUTE_MIN_ROWS);
      } finally {
        d.target.destroy();
        d.renderer.destroy();
      }
    }
    expect(gpuErrors).to.deep.equal([]);
  });
});
