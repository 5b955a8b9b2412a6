// Catalogue layers through real WebGPU (SwiftShader): markers where the float64 CPU camera puts
// the rows in every projection, picking of a 1M-row catalogue, filters without re-upload, density
// counts, and sub-pixel precision at a 1-arcsecond field.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { CatalogLayer } from '../../src/render/layers/catalogLayer.js';
import { PROJECTIONS, MAX_FOV_DEG, type ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, requestTestDevice } from './renderTarget.js';
import { centroid, insideProjection, isolatedRows, projectRows, randomCatalog, seeded } from './catalogHelpers.js';

describe('catalogue layer (WebGPU, off-screen)', () => {
  let device: GPUDevice;
  before(async () => {
    device = await requestTestDevice();
  });
  after(() => device.destroy());

  it('draws markers where the CPU camera projects the rows, in all ten projections', async () => {
    const size = 256;
    const data = randomCatalog(400, 7);
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', { id: 'c', data, sizePx: 5, filled: true, color: '#ff0000', densityThreshold: Infinity }));
    const target = createTarget(device, size, size);
    const report: string[] = [];
    try {
      for (const projection of PROJECTIONS) {
        const fovDeg = Math.min(MAX_FOV_DEG[projection], projection === 'TAN' ? 100 : projection === 'SIN' ? 150 : 220);
        const view: ViewState = { raDeg: 120.5, decDeg: -35.25, fovDeg, rollDeg: 17, projection, widthPx: size, heightPx: size };
        renderer.setView(view);
        renderer.render(target.texture.createView());
        const px = await target.read();
        const pos = projectRows(view, data.raDeg, data.decDeg);
        const rows = isolatedRows(pos, size, size, 12, 6).filter((r) => insideProjection(view, pos[2 * r], pos[2 * r + 1], 7));
        const errors: number[] = [];
        for (const r of rows) {
          const [cx, cy, w] = centroid(px, size, size, pos[2 * r], pos[2 * r + 1], 4, 'redOnly');
          errors.push(w > 0 ? Math.hypot(cx - pos[2 * r], cy - pos[2 * r + 1]) : Infinity);
        }
        const worst = Math.max(...errors);
        report.push(`${projection}: ${rows.length} rows, worst ${worst.toFixed(3)} px`);
        expect(rows.length, `${projection}: isolated rows in view`).to.be.at.least(10);
        expect(worst, `${projection}: marker centroid vs CPU projection (px)`).to.be.lessThan(0.1);
        // culling: no red pixel farther than the marker's radius from every row the CPU can project
        const near = new Uint8Array(size * size);
        for (let r = 0; r < data.raDeg.length; r++) {
          const x = pos[2 * r];
          const y = pos[2 * r + 1];
          if (!Number.isFinite(x)) continue;
          for (let yy = Math.max(0, Math.floor(y - 5)); yy <= Math.min(size - 1, Math.floor(y + 5)); yy++) {
            for (let xx = Math.max(0, Math.floor(x - 5)); xx <= Math.min(size - 1, Math.floor(x + 5)); xx++) near[yy * size + xx] = 1;
          }
        }
        let stray = 0;
        for (let k = 0; k < size * size; k++) if (!near[k] && px[4 * k] - px[4 * k + 1] > 40) stray++;
        expect(stray, `${projection}: red pixels away from every drawable row`).to.equal(0);
      }
    } finally {
      console.log(report.join('\n'));
      renderer.destroy();
      target.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  for (const [label, fovDeg, limitPx] of [['1 arcsec', 1 / 3600, 0.1], ['10 arcsec', 10 / 3600, 0.1]] as const) {
    it(`a marker follows 0.1-pixel steps of the view at a ${label} field (float64 cell centres)`, async () => {
      const size = 65;
      const ra0 = 83.8221;
      const dec0 = -5.3911;
      const pixDeg = fovDeg / size;
      // one row 9 px west and 6 px north of the centre, the others far away; plus 2000 random rows
      const extra = randomCatalog(2000, 5);
      const raDeg = Float64Array.from([ra0 - (9 * pixDeg) / Math.cos((dec0 * Math.PI) / 180), ...extra.raDeg]);
      const decDeg = Float64Array.from([dec0 + 6 * pixDeg, ...extra.decDeg]);
      const renderer = new SkyRenderer(device, 'rgba8unorm');
      const layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', { id: 'p', data: { raDeg, decDeg }, sizePx: 5, filled: true, color: '#ffffff' }));
      const target = createTarget(device, size, size);
      const errors: number[] = [];
      try {
        for (let k = 0; k < 10; k++) {
          const view: ViewState = { raDeg: ra0, decDeg: dec0 - k * 0.1 * pixDeg, fovDeg, rollDeg: 0, projection: 'TAN', widthPx: size, heightPx: size };
          renderer.setView(view);
          renderer.render(target.texture.createView());
          const p = projectRows(view, raDeg.subarray(0, 1), decDeg.subarray(0, 1));
          const [cx, cy] = centroid(await target.read(), size, size, p[0], p[1], 5);
          errors.push(Math.hypot(cx - p[0], cy - p[1]));
        }
        expect(layer.stats.preciseCells, 'cells given float64 centres').to.be.greaterThan(0);
      } finally {
        renderer.destroy();
        target.destroy();
      }
      console.log(`${label}: marker position errors (px) ${errors.map((e) => e.toFixed(3)).join(' ')}`);
      expect(Math.max(...errors)).to.be.lessThan(limitPx);
      expect(gpuErrors).to.deep.equal([]);
    });
  }

  it('follows an animated projection change (markers blended between the two projections)', async () => {
    const size = 200;
    const data = randomCatalog(150, 21);
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', { id: 't', data, sizePx: 5, filled: true, color: '#ff0000' }));
    const target = createTarget(device, size, size);
    const view: ViewState = { raDeg: 40, decDeg: 10, fovDeg: 200, rollDeg: 0, projection: 'AIT', widthPx: size, heightPx: size };
    const from: ViewState = { ...view, projection: 'SIN', fovDeg: 150 };
    try {
      renderer.setView(view, { view: from, mix: 0.4 });
      renderer.render(target.texture.createView());
      const px = await target.read();
      const a = projectRows({ ...view, projection: 'SIN', fovDeg: 150 }, data.raDeg, data.decDeg);
      const b = projectRows(view, data.raDeg, data.decDeg);
      const mixed = a.map((v, i) => v + (b[i] - v) * 0.4);
      const rows = isolatedRows(mixed, size, size, 12, 8);
      expect(rows.length).to.be.at.least(5);
      for (const r of rows) {
        const [cx, cy] = centroid(px, size, size, mixed[2 * r], mixed[2 * r + 1], 4, 'redOnly');
        expect(Math.hypot(cx - mixed[2 * r], cy - mixed[2 * r + 1]), `row ${r}`).to.be.lessThan(0.1);
      }
    } finally {
      renderer.destroy();
      target.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it('outlines the selected row in the highlight colour, on top', async () => {
    const size = 96;
    const raDeg = Float64Array.from([10, 11]);
    const decDeg = Float64Array.from([20, 20]);
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', { id: 'h', data: { raDeg, decDeg }, sizePx: 8, filled: true, color: '#ff0000', highlightColor: '#00ff00', shape: 'square' }));
    const view: ViewState = { raDeg: 10.5, decDeg: 20, fovDeg: 3, rollDeg: 0, projection: 'TAN', widthPx: size, heightPx: size };
    const target = createTarget(device, size, size);
    const pos = projectRows(view, raDeg, decDeg);
    const greenAround = (px: Uint8Array, r: number) => {
      let g = 0;
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
        const o = (y * size + x) * 4;
        if (px[o + 1] > 150 && px[o] < 80 && Math.hypot(x + 0.5 - pos[2 * r], y + 0.5 - pos[2 * r + 1]) < 11) g++;
      }
      return g;
    };
    try {
      renderer.setView(view);
      renderer.render(target.texture.createView());
      let px = await target.read();
      expect(greenAround(px, 0) + greenAround(px, 1)).to.equal(0);
      layer.select(1);
      renderer.render(target.texture.createView());
      px = await target.read();
      expect(greenAround(px, 1), 'highlight outline pixels around row 1').to.be.greaterThan(20);
      expect(greenAround(px, 0)).to.equal(0);
      // the marker itself stays red inside the outline
      const o = (Math.floor(pos[3]) * size + Math.floor(pos[2])) * 4;
      expect([px[o], px[o + 1]]).to.deep.equal([255, 0]);
    } finally {
      renderer.destroy();
      target.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  describe('a 1M-row catalogue', () => {
    const N = 1_000_000;
    const data = randomCatalog(N, 2024);
    const size = 512;
    const view: ViewState = { raDeg: 201.3, decDeg: -43.0, fovDeg: 8, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size };
    let renderer: SkyRenderer;
    let layer: CatalogLayer;
    let target: ReturnType<typeof createTarget>;
    let pos: Float64Array;

    before(() => {
      renderer = new SkyRenderer(device, 'rgba8unorm');
      const t0 = performance.now();
      layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', { id: 'big', data, sizePx: 4, filled: true, color: '#ffcc00' }));
      console.log(`1M-row layer built and uploaded in ${(performance.now() - t0).toFixed(0)} ms: ${JSON.stringify(layer.stats)}`);
      target = createTarget(device, size, size);
      pos = projectRows(view, data.raDeg, data.decDeg);
    });
    after(() => {
      renderer.destroy();
      target.destroy();
    });

    it('picks exactly the row at the CPU-projected pixel of 200 random isolated rows', async () => {
      renderer.setView(view);
      renderer.render(target.texture.createView());
      expect(layer.mode).to.equal('markers');
      // pick discs have a radius of max(size / 2, 3) px: rows with no other row within 8 px
      const t1 = performance.now();
      const candidates = isolatedRows(pos, size, size, 8, 4);
      console.log(`isolated rows: ${candidates.length} (${(performance.now() - t1).toFixed(0)} ms)`);
      expect(candidates.length).to.be.at.least(200);
      const rnd = seeded(99);
      const chosen = new Set<number>();
      while (chosen.size < 200) chosen.add(candidates[Math.floor(rnd() * candidates.length)]);
      const passes0 = renderer.pickPasses;
      const wrong: string[] = [];
      const t0 = performance.now();
      for (const r of chosen) {
        const hit = await renderer.pick(pos[2 * r], pos[2 * r + 1]);
        if (hit?.row !== r || hit.layerId !== 'big') wrong.push(`row ${r} -> ${hit ? `${hit.layerId}:${hit.row}` : 'nothing'}`);
      }
      console.log(`200 picks in ${(performance.now() - t0).toFixed(0)} ms (${renderer.pickPasses - passes0} pick pass)`);
      expect(wrong, wrong.slice(0, 5).join('; ')).to.deep.equal([]);
      expect(renderer.pickPasses - passes0, 'the pick target is drawn once for a still view').to.equal(1);
      // empty sky: a pixel with no row within 6 px picks nothing
      // empty sky: pixels with no row within 6.5 px pick nothing
      const visible: number[] = [];
      for (let k = 0; k < N; k++) if (pos[2 * k] > -10 && pos[2 * k] < size + 10 && pos[2 * k + 1] > -10 && pos[2 * k + 1] < size + 10) visible.push(k);
      let emptyChecked = 0;
      for (let t = 0; t < 400 && emptyChecked < 5; t++) {
        const x = 10 + rnd() * (size - 20);
        const y = 10 + rnd() * (size - 20);
        if (visible.some((k) => Math.hypot(pos[2 * k] - x, pos[2 * k + 1] - y) < 6.5)) continue;
        expect(await renderer.pick(x, y), `empty sky at ${x.toFixed(1)},${y.toFixed(1)}`).to.equal(undefined);
        emptyChecked++;
      }
      expect(emptyChecked).to.equal(5);
      expect(gpuErrors).to.deep.equal([]);
    });

    it('filters hide rows on the GPU without uploading row data again', async () => {
      const before = layer.stats;
      layer.setFilters([{ column: 'mag', max: 10 }]); // first use of 'mag': one column upload
      const afterFirst = layer.stats;
      expect(afterFirst.columnUploads - before.columnUploads).to.equal(1);
      renderer.setView(view);
      renderer.render(target.texture.createView());
      const mag = data.columns.mag;
      const candidates = isolatedRows(pos, size, size, 8, 4);
      const bright = candidates.filter((r) => mag[r] <= 10).slice(0, 40);
      const faint = candidates.filter((r) => mag[r] > 10).slice(0, 40);
      for (const r of bright) expect((await renderer.pick(pos[2 * r], pos[2 * r + 1]))?.row, `row ${r} mag ${mag[r]}`).to.equal(r);
      for (const r of faint) expect(await renderer.pick(pos[2 * r], pos[2 * r + 1]), `filtered row ${r} mag ${mag[r]}`).to.equal(undefined);
      // new ranges, same column: nothing uploaded
      layer.setFilters([{ column: 'mag', min: 10 }]);
      layer.setFilters([{ column: 'mag', min: 10, max: 20 }, { column: 'id', min: 0 }]);
      const idUpload = layer.stats.columnUploads;
      layer.setFilters([{ column: 'mag', min: 10 }, { column: 'id', max: N }]);
      renderer.render(target.texture.createView());
      for (const r of faint) expect((await renderer.pick(pos[2 * r], pos[2 * r + 1]))?.row, `row ${r} mag ${mag[r]}`).to.equal(r);
      for (const r of bright) expect(await renderer.pick(pos[2 * r], pos[2 * r + 1]), `filtered row ${r}`).to.equal(undefined);
      expect(layer.stats.columnUploads, 'no upload when only ranges change').to.equal(idUpload);
      expect(layer.stats.bytesUploaded - afterFirst.bytesUploaded, 'bytes uploaded after the first filter: the id column only').to.equal(N * 4);
      // the pixels agree: a filtered row's pixel is dark, a kept row's is lit
      const px = await target.read();
      const lum = (r: number) => { const o = (Math.floor(pos[2 * r + 1]) * size + Math.floor(pos[2 * r])) * 4; return px[o] + px[o + 1]; };
      for (const r of faint.slice(0, 10)) expect(lum(r), `kept row ${r} is drawn`).to.be.greaterThan(200);
      for (const r of bright.slice(0, 10)) expect(lum(r), `filtered row ${r} is not drawn`).to.equal(0);
      layer.setFilters([]);
      expect(gpuErrors).to.deep.equal([]);
    });

    it('density mode: the accumulated count equals the rows in view (and the layer switches by count)', async () => {
      const wide: ViewState = { raDeg: 201.3, decDeg: -43.0, fovDeg: 120, rollDeg: 0, projection: 'SIN', widthPx: 300, heightPx: 200 };
      layer.setFilters([{ column: 'mag', max: 15 }]);
      renderer.setView(wide);
      const t2 = createTarget(device, wide.widthPx, wide.heightPx);
      try {
        renderer.render(t2.texture.createView());
        expect(layer.mode, `estimated ${layer.stats.estimatedVisibleRows} rows in view`).to.equal('density');
        const { width, height, counts, max } = await layer.readDensity();
        expect([width, height]).to.deep.equal([150, 100]);
        let total = 0;
        let gpuMax = 0;
        for (const c of counts) {
          total += c;
          gpuMax = Math.max(gpuMax, c);
        }
        // CPU reference (float64): rows passing the filter inside the viewport; rows within 0.01 px
        // of an edge may go either way in float32
        const p = projectRows(wide, data.raDeg, data.decDeg);
        const mag = data.columns.mag;
        let inside = 0;
        let edge = 0;
        const cpu = new Uint32Array(width * height);
        for (let i = 0; i < N; i++) {
          const x = p[2 * i];
          const y = p[2 * i + 1];
          if (!(mag[i] <= 15) || !Number.isFinite(x)) continue;
          if (x >= 0 && x < wide.widthPx && y >= 0 && y < wide.heightPx) {
            inside++;
            cpu[Math.floor(y / 2) * width + Math.floor(x / 2)]++;
          }
          const inX = x >= -0.01 && x <= wide.widthPx + 0.01;
          const inY = y >= -0.01 && y <= wide.heightPx + 0.01;
          if ((inY && Math.min(Math.abs(x), Math.abs(x - wide.widthPx)) < 0.01) || (inX && Math.min(Math.abs(y), Math.abs(y - wide.heightPx)) < 0.01)) edge++;
        }
        console.log(`density: GPU total ${total}, CPU ${inside} (edge rows ${edge}), max ${max}`);
        expect(Math.abs(total - inside), `GPU ${total} vs CPU ${inside}`).to.be.at.most(edge);
        expect(max).to.equal(gpuMax);
        let differentCells = 0;
        for (let k = 0; k < cpu.length; k++) if (cpu[k] !== counts[k]) differentCells++;
        expect(differentCells / cpu.length, 'cells whose count differs from the CPU (rows on cell borders)').to.be.lessThan(0.01);
        // zoomed in, the same layer draws markers again
        renderer.setView(view);
        renderer.render(target.texture.createView());
        expect(layer.mode).to.equal('markers');
      } finally {
        t2.destroy();
        layer.setFilters([]);
      }
      expect(gpuErrors).to.deep.equal([]);
    });
  });
});
