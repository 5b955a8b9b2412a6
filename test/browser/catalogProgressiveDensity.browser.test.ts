// Density view of progressive catalogues (ProgressiveCatalogLayer + CatalogDensityMap), on the
// committed hip6 HiPS catalogue (5,044 Hipparcos stars; a whole-sky view loads only the 48 order-1
// tiles, 960 rows). Checked: above densityThreshold the layer draws a density map, and its grid
// holds ALL the rows (5,044), not the loaded 960: from the tiles' own Completeness counts, and from
// per-cell counts in the archive server's answer format made by healpy (counts/make_counts.py), the
// grid summed over each HEALPix cell agrees with healpy's count of the cell; the coloured pixels
// are where rows are and background where there are none; with filters, exactly the resident rows
// that pass them; zooming in switches to markers (and picking), zooming out back to density.
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { ProgressiveCatalogLayer, SAMPLES_PER_FRAME } from '../../src/render/layers/progressiveCatalogLayer.js';
import { loadHipsCatalogSource } from '../../src/catalog/hipsCatalogSource.js';
import { vec2pix } from '../../src/hips/healpix.js';
import { makeCamera, pixelToNdc, unproject, type ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, requestTestDevice, sleep } from './renderTarget.js';
import { projectRows } from './catalogHelpers.js';
import type { DensityGrid } from '../../src/render/layers/catalogDensity.js';

const BASE = new URL('/test/fixtures/hips/catalog/hip6/', location.href).href;
const COUNTS = new URL('/test/fixtures/hips/catalog/counts/', location.href).href + 'order{order}.json';
interface Counts { order: number; total: number; cells: number[]; counts: number[] }
interface Expected { nrows: number; tiles: Array<{ order: number; ipix: number; n: number; N: number; hip: number[] }> }

const W = 384;
const H = 192;
const WHOLE_SKY: ViewState = { raDeg: 0, decDeg: 0, fovDeg: 360, rollDeg: 0, projection: 'AIT', widthPx: W, heightPx: H };

async function settle(renderer: SkyRenderer, layer: ProgressiveCatalogLayer, target: ReturnType<typeof createTarget>, view: ViewState): Promise<Uint8Array> {
  renderer.setView(view);
  for (let i = 0; i < 1500; i++) {
    renderer.render(target.texture.createView());
    if (layer.settled && !layer.hasPendingUploads) break;
    await sleep(10);
  }
  expect(layer.settled, 'tiles and counts loaded').to.equal(true);
  renderer.render(target.texture.createView());
  renderer.render(target.texture.createView());
  return target.read();
}

/** The HEALPix cell (order) of each grid pixel's centre (device px 2g + 1), -1 off the map. */
function gridCells(view: ViewState, grid: DensityGrid, order: number): Float64Array {
  const cam = makeCamera(view);
  const out = new Float64Array(grid.width * grid.height).fill(-1);
  for (let gy = 0; gy < grid.height; gy++) {
    for (let gx = 0; gx < grid.width; gx++) {
      const [nx, ny] = pixelToNdc(view, 2 * gx + 1, 2 * gy + 1);
      const v = unproject(cam, nx, ny);
      if (v) out[gy * grid.width + gx] = vec2pix(order, v[0], v[1], v[2]);
    }
  }
  return out;
}

/** Rows per cell summed from the grid (grid units / scale). */
function gridPerCell(grid: DensityGrid, cells: Float64Array): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < cells.length; i++) {
    if (cells[i] < 0 || grid.counts[i] === 0) continue;
    out.set(cells[i], (out.get(cells[i]) ?? 0) + grid.counts[i] / grid.scale);
  }
  return out;
}

/** Sum over cells of |grid rows - reference rows|, and the grid's total. */
function compare(perCell: Map<number, number>, ref: Map<number, number>): { absDiff: number; worst: string } {
  let absDiff = 0;
  let worst = '';
  let worstD = -1;
  for (const c of new Set([...perCell.keys(), ...ref.keys()])) {
    const d = Math.abs((perCell.get(c) ?? 0) - (ref.get(c) ?? 0));
    absDiff += d;
    if (d > worstD) {
      worstD = d;
      worst = `cell ${c}: grid ${(perCell.get(c) ?? 0).toFixed(1)}, reference ${ref.get(c) ?? 0}`;
    }
  }
  return { absDiff, worst };
}

/** Pixels at least `margin` px inside the projection's boundary (where the outline is not drawn). */
function interiorMask(view: ViewState, margin: number): Uint8Array {
  const cam = makeCamera(view);
  const on = (x: number, y: number) => {
    const [nx, ny] = pixelToNdc(view, x, y);
    return unproject(cam, nx, ny) !== undefined;
  };
  const out = new Uint8Array(view.widthPx * view.heightPx);
  for (let y = 0; y < view.heightPx; y++) {
    for (let x = 0; x < view.widthPx; x++) {
      out[y * view.widthPx + x] = on(x + 0.5 - margin, y + 0.5 - margin) && on(x + 0.5 + margin, y + 0.5 - margin) && on(x + 0.5 - margin, y + 0.5 + margin) && on(x + 0.5 + margin, y + 0.5 + margin) ? 1 : 0;
    }
  }
  return out;
}

const isBackground = (px: Uint8Array, x: number, y: number, width = W) => {
  const o = (y * width + x) * 4;
  return px[o] === 0 && px[o + 1] === 0 && px[o + 2] === 0;
};

describe('progressive catalogue density view', () => {
  it('a whole-sky view draws the density of all 5,044 rows from the tiles\' Completeness counts; zooming in draws markers', async () => {
    const expected = (await (await fetch('/test/fixtures/hips/catalog/expected.json')).json()) as Expected;
    const source = await loadHipsCatalogSource(BASE);
    const device = await requestTestDevice();
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', {
      id: 'hip6d', baseUrl: BASE, orderMin: source.orderMin, orderMax: source.orderMax, metadata: source.metadata!,
      shape: 'circle', filled: true, color: '#ffffff', sizePx: 5, densityThreshold: 1000, densityColormap: 'viridis',
    }));
    const target = createTarget(device, W, H);
    try {
      const px = await settle(renderer, layer, target, WHOLE_SKY);
      const st = layer.stats;
      expect(st.mode).to.equal('density');
      expect(st.densitySource).to.equal('tiles');
      expect(st.drawnRows, 'only the order-1 tiles are loaded').to.equal(expected.tiles.filter((t) => t.order === 1).reduce((s, t) => s + t.n, 0));
      expect(st.drawnRows).to.be.lessThan(1000);
      expect(st.estimatedVisibleRows).to.be.closeTo(expected.nrows, 1);
      // the sample points were made over several frames, SAMPLES_PER_FRAME per prepare(), never in one main-thread task
      expect(st.densitySamples).to.be.greaterThan(4 * SAMPLES_PER_FRAME);
      expect(st.densitySampleSteps, 'prepare() steps that made sample points').to.be.at.least(Math.ceil(st.densitySamples / SAMPLES_PER_FRAME));
      expect(st.densitySamplesPending, 'settled: no set half made').to.equal(0);
      const grid = await layer.readDensity();
      let total = 0;
      for (const c of grid.counts) total += c / grid.scale;
      // every row of the catalogue is on an AIT whole-sky map: the map holds all of them (sample weights rounded to 1/64 row)
      expect(total, 'rows in the density grid').to.be.closeTo(expected.nrows, expected.nrows * 0.02);
      // per order-1 cell, the grid agrees with healpy's count of the cell (N of the order-1 tiles, make_catalog_hips.py)
      const ref = new Map(expected.tiles.filter((t) => t.order === 1).map((t) => [t.ipix, t.N]));
      const cmp = compare(gridPerCell(grid, gridCells(WHOLE_SKY, grid, 1)), ref);
      console.log(`tiles source: grid total ${total.toFixed(1)} of ${expected.nrows}; sum |grid - healpy| over order-1 cells ${cmp.absDiff.toFixed(1)}; worst ${cmp.worst}; samples ${st.densitySamples}`);
      expect(cmp.absDiff, cmp.worst).to.be.lessThan(expected.nrows * 0.08);
      // pixels: coloured where the grid has rows, background where it has none
      let coloured = 0;
      const inside = interiorMask(WHOLE_SKY, 4);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          if (!inside[y * W + x]) continue;
          const g = grid.counts[Math.floor(y / 2) * grid.width + Math.floor(x / 2)];
          expect(isBackground(px, x, y), `pixel (${x}, ${y}), grid ${g}`).to.equal(g === 0);
          if (g > 0) coloured++;
        }
      }
      expect(coloured).to.be.greaterThan(W * H * 0.5);
      expect(await renderer.pick(W / 2, H / 2), 'no picking on a density map').to.equal(undefined);

      // zoomed in on Orion: fewer rows than 80 % of the threshold -> markers, at the stars' pixels, pickable
      const narrow: ViewState = { raDeg: 83.8, decDeg: -2, fovDeg: 30, rollDeg: 0, projection: 'SIN', widthPx: W, heightPx: H };
      const px2 = await settle(renderer, layer, target, narrow);
      expect(layer.stats.mode).to.equal('markers');
      expect(layer.stats.estimatedVisibleRows).to.be.lessThan(800);
      const rows = layer.drawnSlots.flatMap((t) => Array.from({ length: t.rows }, (_, i) => ({ ra: Number(t.drawnRaDeg[i]), dec: Number(t.drawnDecDeg[i]), slot: t.start + i })));
      const pos = projectRows(narrow, Float64Array.from(rows, (r) => r.ra), Float64Array.from(rows, (r) => r.dec));
      let checked = 0;
      let picked = 0;
      for (let i = 0; i < rows.length; i++) {
        const x = pos[2 * i];
        const y = pos[2 * i + 1];
        if (!(x >= 4 && y >= 4 && x < W - 4 && y < H - 4)) continue;
        expect(px2[(Math.floor(y) * W + Math.floor(x)) * 4], `marker at (${x.toFixed(1)}, ${y.toFixed(1)})`).to.be.greaterThan(200);
        checked++;
        let alone = true;
        for (let j = 0; j < rows.length && alone; j++) if (j !== i && Math.hypot(pos[2 * j] - x, pos[2 * j + 1] - y) < 8) alone = false;
        if (alone && picked < 3) {
          expect((await renderer.pick(x, y))?.row).to.equal(rows[i].slot);
          picked++;
        }
      }
      expect(checked).to.be.greaterThan(20);
      expect(picked).to.be.greaterThan(0);
      // back out: density again
      await settle(renderer, layer, target, WHOLE_SKY);
      expect(layer.stats.mode).to.equal('density');
      // the threshold is the same option as CatalogLayer's: Infinity never draws density
      layer.setStyle({ densityThreshold: Infinity });
      await settle(renderer, layer, target, WHOLE_SKY);
      expect(layer.stats.mode).to.equal('markers');
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      renderer.destroy();
      target.destroy();
    }
  });

  it('with the server\'s per-cell counts the density of every cell agrees with healpy\'s counts of the same rows', async () => {
    const source = await loadHipsCatalogSource(BASE);
    const device = await requestTestDevice();
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', {
      id: 'hip6c', baseUrl: BASE, orderMin: source.orderMin, orderMax: source.orderMax, metadata: source.metadata!,
      shape: 'circle', filled: true, color: '#ffffff', sizePx: 5, densityThreshold: 100, densityColormap: 'viridis', countsUrl: COUNTS,
    }));
    const target = createTarget(device, W, H);
    try {
      await settle(renderer, layer, target, WHOLE_SKY);
      const st = layer.stats;
      expect(st.mode).to.equal('density');
      expect(st.densitySource).to.equal('counts');
      expect(st.countsOrder, 'counts 4 orders below the view order (1)').to.equal(5);
      const grid = await layer.readDensity();
      let total = 0;
      for (const c of grid.counts) total += c / grid.scale;
      const order3 = (await (await fetch(COUNTS.replace('{order}', '3'))).json()) as Counts;
      expect(total).to.be.closeTo(order3.total, order3.total * 0.02);
      for (const k of [2, 3]) {
        const ref = (await (await fetch(COUNTS.replace('{order}', String(k)))).json()) as Counts;
        const cmp = compare(gridPerCell(grid, gridCells(WHOLE_SKY, grid, k)), new Map(ref.cells.map((c, i) => [c, ref.counts[i]])));
        console.log(`counts source: grid total ${total.toFixed(1)} of ${ref.total}; sum |grid - healpy| over order-${k} cells ${cmp.absDiff.toFixed(1)}; worst ${cmp.worst}; samples ${st.densitySamples}`);
        expect(cmp.absDiff, `order ${k}: ${cmp.worst}`).to.be.lessThan(ref.total * (k === 2 ? 0.1 : 0.2));
      }
      // where there are no rows there is no colour, where there are there is: a 60° view (view order 2,
      // counts of order 6, cells ~12 px at 768 px); grid pixels whose 3x3 neighbourhood lies in one order-6 cell
      const W2 = 768;
      const orion: ViewState = { raDeg: 83.8, decDeg: -2, fovDeg: 60, rollDeg: 0, projection: 'SIN', widthPx: W2, heightPx: 384 };
      const target2 = createTarget(device, W2, 384);
      const px6 = await settle(renderer, layer, target2, orion);
      target2.destroy();
      expect(layer.stats.mode).to.equal('density');
      expect(layer.stats.countsOrder).to.equal(6);
      const grid6 = await layer.readDensity();
      const order6 = (await (await fetch(COUNTS.replace('{order}', '6'))).json()) as Counts;
      const nonEmpty = new Set(order6.cells);
      const cells6 = gridCells(orion, grid6, 6);
      const inside6 = interiorMask(orion, 4);
      let empty = 0;
      let full = 0;
      const colouredCells = new Set<number>();
      const checkedCells = new Set<number>();
      for (let gy = 1; gy < grid6.height - 1; gy++) {
        for (let gx = 1; gx < grid6.width - 1; gx++) {
          const c = cells6[gy * grid6.width + gx];
          if (c < 0 || !inside6[2 * gy * W2 + 2 * gx]) continue;
          let same = true;
          for (let dy = -1; dy <= 1 && same; dy++) for (let dx = -1; dx <= 1 && same; dx++) same = cells6[(gy + dy) * grid6.width + gx + dx] === c;
          if (!same) continue;
          const bg = isBackground(px6, 2 * gx, 2 * gy, W2);
          if (nonEmpty.has(c)) {
            full++;
            checkedCells.add(c);
          } else {
            empty++;
            expect(bg, `grid (${gx}, ${gy}) in empty cell 6/${c}`).to.equal(true);
            expect(grid6.counts[gy * grid6.width + gx], `grid (${gx}, ${gy}) in empty cell 6/${c}`).to.equal(0);
          }
        }
      }
      // every cell with rows has colour in it (a resident row may sit on its edge: within one grid pixel)
      for (let gy = 1; gy < grid6.height - 1; gy++) {
        for (let gx = 1; gx < grid6.width - 1; gx++) {
          if (isBackground(px6, 2 * gx, 2 * gy, W2)) continue;
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) colouredCells.add(cells6[(gy + dy) * grid6.width + gx + dx]);
        }
      }
      // (cells that reach the screen's edge may have their rows off screen)
      const edgeCells = new Set<number>();
      for (let gx = 0; gx < grid6.width; gx++) edgeCells.add(cells6[gx]).add(cells6[(grid6.height - 1) * grid6.width + gx]);
      for (let gy = 0; gy < grid6.height; gy++) edgeCells.add(cells6[gy * grid6.width]).add(cells6[gy * grid6.width + grid6.width - 1]);
      let cellsChecked = 0;
      for (const c of checkedCells) {
        if (edgeCells.has(c)) continue;
        expect(colouredCells.has(c), `cell 6/${c} has rows`).to.equal(true);
        cellsChecked++;
      }
      expect(cellsChecked).to.be.greaterThan(30);
      console.log(`60° view: ${empty} grid pixels in empty order-6 cells background, ${cellsChecked} cells with rows coloured`);
      expect(empty, 'pixels in empty cells checked').to.be.greaterThan(100);
      expect(full, 'pixels in cells with rows checked').to.be.greaterThan(100);
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      renderer.destroy();
      target.destroy();
    }
  });

  it('counts that cannot be read are reported with their URL and the tiles\' counts are used; a counts URL needs {order}', async () => {
    const source = await loadHipsCatalogSource(BASE);
    const device = await requestTestDevice();
    const opts = { id: 'hip6e', baseUrl: BASE, orderMin: source.orderMin, orderMax: source.orderMax, metadata: source.metadata!, densityThreshold: 1000 };
    expect(() => new ProgressiveCatalogLayer(device, 'rgba8unorm', { ...opts, countsUrl: '/counts.json' })).to.throw(/countsUrl must contain '\{order\}'/);
    const errors: string[] = [];
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const bad = new URL('/test/fixtures/hips/catalog/no-such-counts/', location.href).href + 'order{order}.json';
    const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', { ...opts, countsUrl: bad, onError: (m) => errors.push(m) }));
    const target = createTarget(device, W, H);
    try {
      await settle(renderer, layer, target, WHOLE_SKY);
      expect(errors.length, 'reported once').to.equal(1);
      expect(errors[0]).to.contain('no-such-counts/order5.json').and.to.contain('HTTP 404');
      expect(layer.stats.mode).to.equal('density');
      expect(layer.stats.densitySource).to.equal('tiles');
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      renderer.destroy();
      target.destroy();
    }
  });

  it('<esasky-sky> addCatalogueHips: densityThreshold and countsUrl options, bad countsUrl refused', async () => {
    const sky = document.createElement('esasky-sky') as EsaskySky;
    sky.style.cssText = 'display:block;width:240px;height:120px';
    sky.setAttribute('projection', 'AIT');
    sky.setAttribute('fov', '360');
    document.body.appendChild(sky);
    try {
      await sky.addCatalogueHips(BASE, { countsUrl: '/counts.json' }).then(() => expect.fail('resolved'), (e: Error) => expect(e.message).to.match(/countsUrl must be a URL containing '\{order\}'/));
      const id = await sky.addCatalogueHips(BASE, { densityThreshold: 1000, countsUrl: '/test/fixtures/hips/catalog/counts/order{order}.json' });
      const ready = () => {
        const st = sky.getCatalogueHipsState(id)?.stats;
        return !!st && st.mode === 'density' && st.densitySource === 'counts' && st.countsOrder === 5 && st.densityPasses > 0;
      };
      for (let i = 0; i < 800 && !ready(); i++) await sleep(25);
      expect(ready(), JSON.stringify(sky.getCatalogueHipsState(id)?.stats)).to.equal(true);
      expect(sky.getCatalogueHipsState(id)!.stats.estimatedVisibleRows).to.be.closeTo(5044, 3);
      sky.setCatalogueHipsStyle(id, { densityThreshold: Infinity });
      for (let i = 0; i < 200 && sky.getCatalogueHipsState(id)!.stats.mode !== 'markers'; i++) await sleep(25);
      expect(sky.getCatalogueHipsState(id)!.stats.mode).to.equal('markers');
      sky.removeCatalogueHips(id);
    } finally {
      sky.remove();
    }
  });

  it('with a filter the density map is exactly the resident rows that pass it', async () => {
    const source = await loadHipsCatalogSource(BASE);
    const device = await requestTestDevice();
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', {
      id: 'hip6f', baseUrl: BASE, orderMin: source.orderMin, orderMax: source.orderMax, metadata: source.metadata!,
      shape: 'circle', filled: true, color: '#ffffff', sizePx: 5, densityThreshold: 100, densityColormap: 'viridis', countsUrl: COUNTS,
      filters: [{ column: 'Vmag', max: 4 }],
    }));
    const target = createTarget(device, W, H);
    try {
      const px = await settle(renderer, layer, target, WHOLE_SKY);
      expect(layer.stats.mode).to.equal('density');
      expect(layer.stats.densitySource).to.equal('rows');
      const rows = layer.drawnSlots.flatMap((t) => {
        const vmag = t.tile.table.columns.find((c) => c.name === 'Vmag')!.values as ArrayLike<number>;
        return Array.from({ length: t.rows }, (_, i) => ({ ra: Number(t.drawnRaDeg[i]), dec: Number(t.drawnDecDeg[i]), vmag: Number(vmag[i]) }));
      }).filter((r) => Math.fround(r.vmag) <= 4);
      const pos = projectRows(WHOLE_SKY, Float64Array.from(rows, (r) => r.ra), Float64Array.from(rows, (r) => r.dec));
      const grid = await layer.readDensity();
      let total = 0;
      for (const c of grid.counts) total += c;
      expect(total / grid.scale, 'one grid unit per passing row').to.equal(rows.length);
      // each passing row's grid cell is coloured; grid cells farther than one cell from every row are background
      const near = new Uint8Array(grid.width * grid.height);
      for (let i = 0; i < rows.length; i++) {
        const gx = Math.floor(pos[2 * i] / 2);
        const gy = Math.floor(pos[2 * i + 1] / 2);
        // (CPU float64 vs GPU float32 positions may fall on either side of a grid line: the 3x3 neighbourhood)
        let around = 0;
        let colouredAround = false;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const x = gx + dx;
          const y = gy + dy;
          if (x < 0 || y < 0 || x >= grid.width || y >= grid.height) continue;
          around += grid.counts[y * grid.width + x];
          if (grid.counts[y * grid.width + x] > 0) colouredAround ||= !isBackground(px, 2 * x, 2 * y);
        }
        expect(around, `grid around row ${i}`).to.be.greaterThan(0);
        expect(colouredAround, `pixels around row ${i}`).to.equal(true);
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const x = gx + dx;
          const y = gy + dy;
          if (x >= 0 && y >= 0 && x < grid.width && y < grid.height) near[y * grid.width + x] = 1;
        }
      }
      let background = 0;
      const inside = interiorMask(WHOLE_SKY, 4);
      for (let gy = 0; gy < grid.height; gy++) {
        for (let gx = 0; gx < grid.width; gx++) {
          if (near[gy * grid.width + gx]) continue;
          expect(grid.counts[gy * grid.width + gx], `grid (${gx}, ${gy})`).to.equal(0);
          if (inside[2 * gy * W + 2 * gx]) expect(isBackground(px, 2 * gx, 2 * gy), `pixel (${2 * gx}, ${2 * gy})`).to.equal(true);
          background++;
        }
      }
      expect(rows.length).to.be.greaterThan(100);
      expect(background).to.be.greaterThan(grid.width * grid.height * 0.5);
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      renderer.destroy();
      target.destroy();
    }
  });
});
