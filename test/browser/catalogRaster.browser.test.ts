// The compute-rasterised marker path against the raster (quad) path on the same rows, through real
// WebGPU (SwiftShader): pixels of every shape (outlined and filled, size and colour from a column,
// over a non-black background), picking, filters without re-upload, the selection outline and the
// per-frame choice of path. Tolerance: wherever at most one marker's quad covers a pixel the two
// paths agree within 16/255 per channel (SNAP_TOLERANCE: the raster path's sub-pixel snapping; 97 %
// of marked pixels within 3/255); where quads overlap the
// compute path blends only the top marker (docs/catalogues.md), so those pixels are only counted.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { CatalogLayer, type CatalogLayerOptions } from '../../src/render/layers/catalogLayer.js';
import type { ViewState } from '../../src/math/camera.js';
import type { MarkerShape } from '../../src/catalog/style.js';
import { createTarget, gpuErrors, requestTestDevice } from './renderTarget.js';
import { projectRows, seeded } from './catalogHelpers.js';

const W = 320;
const H = 240;
const VIEW: ViewState = { raDeg: 150, decDeg: 20, fovDeg: 30, rollDeg: 10, projection: 'SIN', widthPx: W, heightPx: H };
/**
 * Worst channel difference allowed under a single marker: the raster path's quad corners are
 * snapped to the rasterizer's sub-pixel grid (Vulkan guarantees 1/16 px at least) and its
 * interpolated offsets carry that shift, up to ~0.06 of coverage at an anti-aliased edge; the
 * compute path evaluates the exact offset.
 */
const SNAP_TOLERANCE = 16;
const BACKGROUND = { r: 0.15, g: 0.2, b: 0.3, a: 1 };

/** n rows spread over (and a little beyond) the view, with a 'mag' column. */
function rowsInView(n: number, seed: number): { raDeg: Float64Array; decDeg: Float64Array; columns: { mag: Float32Array } } {
  const rnd = seeded(seed);
  const raDeg = new Float64Array(n);
  const decDeg = new Float64Array(n);
  const mag = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    raDeg[i] = 150 + (rnd() - 0.5) * 36;
    decDeg[i] = 20 + (rnd() - 0.5) * 26;
    mag[i] = rnd() * 10;
  }
  return { raDeg, decDeg, columns: { mag } };
}

describe('compute-rasterised catalogue markers vs the raster path', function () {
  this.timeout(120_000);
  let device: GPUDevice;
  before(async () => {
    device = await requestTestDevice();
  });
  after(() => device.destroy());

  /** Draw the same layer options on both paths; pixels, stats and the two layers (destroyed by the caller's renderers). */
  async function drawBoth(options: Omit<CatalogLayerOptions, 'id'>, view = VIEW) {
    const out: Record<'raster' | 'compute', { px: Uint8Array; renderer: SkyRenderer; layer: CatalogLayer }> = {} as never;
    for (const path of ['raster', 'compute'] as const) {
      const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: BACKGROUND });
      const layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', { ...options, id: path, markerPath: path, densityThreshold: Infinity }));
      const target = createTarget(device, view.widthPx, view.heightPx);
      renderer.setView(view);
      renderer.render(target.texture.createView());
      const px = await target.read();
      target.destroy();
      expect(layer.stats.markerPath, 'path drawn').to.equal(path);
      out[path] = { px, renderer, layer };
    }
    return out;
  }

  /** Per pixel: how many markers' quads (half-size radius + lineWidth/2 + 1) cover it. */
  function quadCover(layer: CatalogLayer, pos: Float64Array, lineWidthPx: number): Uint8Array {
    const cover = new Uint8Array(W * H);
    for (let r = 0; r < layer.rowCount; r++) {
      const x = pos[2 * r];
      const y = pos[2 * r + 1];
      if (!Number.isFinite(x) || !layer.rowPassesFilters(r)) continue;
      const e = layer.markerRadiusPx(r) + lineWidthPx / 2 + 1.5;
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
    let overlapDiffer = 0;
    let overlap = 0;
    let marked = 0;
    const bg = cover.indexOf(0) * 4;
    for (let k = 0; k < W * H; k++) {
      let d = 0;
      for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(a[4 * k + c] - b[4 * k + c]));
      if (cover[k] >= 1 && (a[4 * k] !== a[bg] || a[4 * k + 1] !== a[bg + 1] || a[4 * k + 2] !== a[bg + 2])) marked++;
      if (cover[k] <= 1) {
        single++;
        singleWorst = Math.max(singleWorst, d);
        if (d > 3) singleOver3++;
      } else {
        overlap++;
        if (d > 3) overlapDiffer++;
      }
    }
    return { single, singleWorst, singleOver3, overlap, overlapDiffer, marked };
  }

  const shapes: MarkerShape[] = ['circle', 'square', 'plus', 'cross', 'rhomb', 'triangle'];
  for (const [filled, lineWidthPx, sizePxRange] of [[false, 1.5, [5, 16]], [true, 1.5, [5, 16]], [false, 4, [2, 9]]] as const) {
    it(`same pixels for every shape (${filled ? 'filled' : 'outlined'}, lines ${lineWidthPx} px, size and colour from a column)`, async () => {
      const data = rowsInView(700, filled ? 3 : lineWidthPx);
      const pos = projectRows(VIEW, data.raDeg, data.decDeg);
      const report: string[] = [];
      for (const shape of shapes) {
        const both = await drawBoth({ data, shape, filled, sizeColumn: 'mag', sizePxRange: [...sizePxRange], colorColumn: 'mag', colormap: 'viridis', lineWidthPx });
        try {
          const cover = quadCover(both.raster.layer, pos, lineWidthPx);
          const r = compare(both.raster.px, both.compute.px, cover);
          report.push(`${shape}: ${r.marked} marked px; ${r.single} px under <= 1 quad, worst diff ${r.singleWorst}, ${r.singleOver3} differ by > 3; ${r.overlap} px under >= 2 quads, ${r.overlapDiffer} differ by > 3`);
          expect(r.marked, `${shape}: pixels drawn`).to.be.greaterThan(3000);
          expect(r.singleWorst, `${shape}: worst channel difference where <= 1 marker`).to.be.at.most(SNAP_TOLERANCE);
          expect(r.singleOver3 / r.marked, `${shape}: share of marked pixels under one quad differing by > 3`).to.be.lessThan(0.03);
          expect(r.overlapDiffer / Math.max(1, r.overlap), `${shape}: share of overlap pixels that differ`).to.be.lessThan(0.25);
          expect(both.compute.layer.stats.rasterPasses, 'compute raster ran').to.equal(1);
        } finally {
          both.raster.renderer.destroy();
          both.compute.renderer.destroy();
        }
      }
      console.log(report.join('\n'));
      expect(gpuErrors).to.deep.equal([]);
    });
  }

  it('same pixels in other projections (the fused pass specialised to each)', async () => {
    const report: string[] = [];
    for (const projection of ['AIT', 'MOL', 'TAN', 'CAR', 'HPX'] as const) {
      const view: ViewState = { ...VIEW, projection, fovDeg: projection === 'TAN' ? 60 : 200 };
      const rnd = seeded(31);
      const n = 3000;
      const raDeg = Float64Array.from({ length: n }, () => rnd() * 360);
      const decDeg = Float64Array.from({ length: n }, () => (Math.asin(2 * rnd() - 1) * 180) / Math.PI);
      const data = { raDeg, decDeg };
      const pos = projectRows(view, raDeg, decDeg);
      const both = await drawBoth({ data, shape: 'circle', filled: true, sizePx: 5 }, view);
      try {
        const cover = quadCover(both.raster.layer, pos, 1.5);
        const r = compare(both.raster.px, both.compute.px, cover);
        report.push(`${projection}: ${r.marked} marked px, worst diff under one quad ${r.singleWorst}`);
        expect(r.marked, `${projection}: pixels drawn`).to.be.greaterThan(1000);
        expect(r.singleWorst, `${projection}: worst channel difference where <= 1 marker`).to.be.at.most(SNAP_TOLERANCE);
      } finally {
        both.raster.renderer.destroy();
        both.compute.renderer.destroy();
      }
    }
    console.log(report.join('\n'));
    expect(gpuErrors).to.deep.equal([]);
  });

  it('painter\'s order: where filled markers overlap, the later row is on top on both paths', async () => {
    // three rows at nearly the same place, three colours (colour column 0, 0.5, 1 through a map)
    // 20 px squares 8 px apart (0.75° at 30° / 320 px): each row's centre lies under the next row only
    const raDeg = Float64Array.from([149.2, 150, 150.8]);
    const decDeg = Float64Array.from([20, 20, 20]);
    const data = { raDeg, decDeg, columns: { c: Float32Array.from([0, 0.5, 1]) } };
    const both = await drawBoth({ data, shape: 'square', filled: true, sizePx: 20, colorColumn: 'c', colormap: 'viridis' });
    try {
      const pos = projectRows(VIEW, raDeg, decDeg);
      const at = (px: Uint8Array, r: number) => {
        const o = (Math.floor(pos[2 * r + 1]) * W + Math.floor(pos[2 * r])) * 4;
        return [px[o], px[o + 1], px[o + 2]];
      };
      for (const r of [0, 1, 2]) expect(at(both.compute.px, r), `row ${r} centre`).to.deep.equal(at(both.raster.px, r));
      expect(at(both.compute.px, 0), 'row 0 under row 1').to.not.deep.equal(at(both.compute.px, 2));
    } finally {
      both.raster.renderer.destroy();
      both.compute.renderer.destroy();
    }
  });

  it('picking returns the same rows on both paths (rows, their surroundings, empty sky)', async () => {
    const data = rowsInView(1500, 9);
    const pos = projectRows(VIEW, data.raDeg, data.decDeg);
    const both = await drawBoth({ data, shape: 'circle', sizePx: 6 });
    const rnd = seeded(10);
    try {
      let compared = 0;
      let hits = 0;
      for (let k = 0; k < 150; k++) {
        // half the probes at a row (plus a sub-pixel offset), half anywhere
        const r = Math.floor(rnd() * data.raDeg.length);
        const onRow = k % 2 === 0 && Number.isFinite(pos[2 * r]);
        const x = onRow ? pos[2 * r] + (rnd() - 0.5) * 4 : rnd() * W;
        const y = onRow ? pos[2 * r + 1] + (rnd() - 0.5) * 4 : rnd() * H;
        if (!(x >= 0 && y >= 0 && x < W && y < H)) continue;
        const a = await both.raster.renderer.pick(x, y);
        const b = await both.compute.renderer.pick(x, y);
        expect(b?.row, `pick at ${x.toFixed(2)}, ${y.toFixed(2)}`).to.equal(a?.row);
        if (a) expect(b!.distancePx).to.be.closeTo(a.distancePx, 1e-9);
        compared++;
        if (a) hits++;
      }
      console.log(`picking: ${compared} probes, ${hits} hits, identical on both paths`);
      expect(hits).to.be.greaterThan(40);
      expect(both.compute.layer.stats.rasterPasses, 'one raster for drawing, one for picking').to.equal(2);
      expect(both.compute.renderer.pickPasses).to.equal(1);
    } finally {
      both.raster.renderer.destroy();
      both.compute.renderer.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it('filters apply on the compute path without re-upload, and the selection outline shows', async () => {
    const data = rowsInView(900, 12);
    const pos = projectRows(VIEW, data.raDeg, data.decDeg);
    const both = await drawBoth({ data, shape: 'circle', filled: true, sizePx: 7, color: '#ff4000', highlightColor: '#00ff00' });
    const target = createTarget(device, W, H);
    try {
      const draw = async (which: 'raster' | 'compute') => {
        both[which].renderer.render(target.texture.createView());
        return target.read();
      };
      both.compute.layer.setFilters([{ column: 'mag', min: 0, max: 10 }]); // uploads the column once
      const before = both.compute.layer.stats.bytesUploaded;
      for (const which of ['raster', 'compute'] as const) both[which].layer.setFilters([{ column: 'mag', min: 2, max: 5 }]);
      const a = await draw('raster');
      const b = await draw('compute');
      expect(both.compute.layer.stats.bytesUploaded, 'bytes uploaded by setFilters (mag already on the GPU)').to.equal(before);
      const cover = quadCover(both.raster.layer, pos, 1.5);
      const r = compare(a, b, cover);
      expect(r.singleWorst, 'filtered: worst channel difference where <= 1 marker').to.be.at.most(SNAP_TOLERANCE);
      // a filtered-out row draws nothing on the compute path
      const out = [...Array(data.raDeg.length).keys()].find((k) => !both.compute.layer.rowPassesFilters(k) && cover[Math.floor(pos[2 * k + 1]) * W + Math.floor(pos[2 * k])] === 1)!;
      expect(out, 'an isolated filtered-out row').to.not.equal(undefined);
      const o = (Math.floor(pos[2 * out + 1]) * W + Math.floor(pos[2 * out])) * 4;
      const empty = cover.indexOf(0) * 4;
      expect([b[o], b[o + 1], b[o + 2]], 'filtered-out row: background').to.deep.equal([b[empty], b[empty + 1], b[empty + 2]]);
      // selection: a green ring around an isolated passing row, on the compute path
      const sel = [...Array(data.raDeg.length).keys()].find((k) => both.compute.layer.rowPassesFilters(k) && cover[Math.floor(pos[2 * k + 1]) * W + Math.floor(pos[2 * k])] === 1 && pos[2 * k] > 20 && pos[2 * k] < W - 20 && pos[2 * k + 1] > 20 && pos[2 * k + 1] < H - 20)!;
      both.compute.layer.select(sel);
      const c = await draw('compute');
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
      target.destroy();
      both.raster.renderer.destroy();
      both.compute.renderer.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it("'auto' picks the compute path for many small markers and quads otherwise", async () => {
    const many = rowsInView(5000, 21);
    const few = rowsInView(200, 22);
    const cases: Array<[string, Omit<CatalogLayerOptions, 'id'>, 'raster' | 'compute']> = [
      ['5000 rows, 8 px', { data: many, sizePx: 8 }, 'compute'],
      ['200 rows, 8 px', { data: few, sizePx: 8 }, 'raster'],
      ['5000 rows, 40 px', { data: many, sizePx: 40 }, 'raster'],
      ['5000 rows, size column up to 30 px', { data: many, sizeColumn: 'mag', sizePxRange: [4, 30] }, 'raster'],
    ];
    const target = createTarget(device, W, H);
    try {
      for (const [label, options, path] of cases) {
        const renderer = new SkyRenderer(device, 'rgba8unorm');
        const layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', { ...options, id: 'auto', densityThreshold: Infinity }));
        renderer.setView(VIEW);
        renderer.render(target.texture.createView());
        expect(layer.stats.markerPath, label).to.equal(path);
        expect(layer.stats.rasterPasses, label).to.equal(path === 'compute' ? 1 : 0);
        renderer.destroy();
      }
    } finally {
      target.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });
});
