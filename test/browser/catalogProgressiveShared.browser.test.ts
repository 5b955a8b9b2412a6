// Progressive catalogues in shared GPU buffers (ProgressiveCatalogLayer: one set of growable
// buffers for all tiles, one compute pass and one draw). Over the committed HiPS catalogue of the
// Hipparcos V <= 6 stars (test/fixtures/hips/catalog/hip6, made with healpy by make_catalog_hips.py):
// after many pan/zoom steps the buffers stay bounded by the live rows, the rows drawn are exactly
// those of the wanted tiles (expected.json), every drawn row in view has a marker at its
// CPU-projected pixel (also right after the buffers were repacked on the GPU), and picks of random
// isolated rows return their tile and row. Labels across tiles equal a brute-force greedy placement
// over all drawn rows. Image markers show the image; proper motions move a star to where astropy
// puts it (test/fixtures/propermotion/stars.json).
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { ProgressiveCatalogLayer } from '../../src/render/layers/progressiveCatalogLayer.js';
import { loadHipsCatalogSource } from '../../src/catalog/hipsCatalogSource.js';
import { MIN_ROW_CAPACITY } from '../../src/catalog/rowSlots.js';
import { GlyphAtlas } from '../../src/render/text/glyphAtlas.js';
import { labelText, placeLabels, type LabelCandidate } from '../../src/catalog/labelLayout.js';
import { parseHipsCatalogMetadata } from '../../src/hips/catalog.js';
import { ang2pix } from '../../src/hips/healpix.js';
import type { ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, requestTestDevice, sleep } from './renderTarget.js';
import { projectRows, seeded } from './catalogHelpers.js';

const BASE = new URL('/test/fixtures/hips/catalog/hip6/', location.href).href;
interface Expected { nrows: number; tiles: Array<{ order: number; ipix: number; n: number; N: number; hip: number[] }> }

async function settle(renderer: SkyRenderer, layer: ProgressiveCatalogLayer, target: ReturnType<typeof createTarget>, view: ViewState): Promise<Uint8Array> {
  renderer.setView(view);
  for (let i = 0; i < 1500; i++) {
    renderer.render(target.texture.createView());
    if (layer.settled && !layer.hasPendingUploads) break;
    await sleep(10);
  }
  expect(layer.settled, 'tiles loaded').to.equal(true);
  renderer.render(target.texture.createView());
  return target.read();
}

/** Every drawn row (as drawn) with its tile, row in the tile and slot. */
function drawnRows(layer: ProgressiveCatalogLayer) {
  const rows: Array<{ order: number; ipix: number; row: number; slot: number; raDeg: number; decDeg: number; values: Record<string, unknown> }> = [];
  for (const t of layer.drawnSlots) {
    for (let i = 0; i < t.rows; i++) {
      const values: Record<string, unknown> = {};
      for (const c of t.tile.table.columns) values[c.name] = (c.values as ArrayLike<unknown>)[i];
      rows.push({ order: t.tile.order, ipix: t.tile.ipix, row: i, slot: t.start + i, raDeg: t.drawnRaDeg[i], decDeg: t.drawnDecDeg[i], values });
    }
  }
  return rows;
}

describe('progressive catalogue in shared GPU buffers', () => {
  it('many pan/zoom steps: bounded buffers, every row in view drawn at its pixel, picks map to tile and row', async () => {
    const expected = (await (await fetch('/test/fixtures/hips/catalog/expected.json')).json()) as Expected;
    const tileRows = new Map(expected.tiles.map((t) => [`${t.order}/${t.ipix}`, t.n]));
    const source = await loadHipsCatalogSource(BASE);
    const device = await requestTestDevice();
    const size = 256;
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const maxTiles = 120;
    const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', {
      id: 'hip6s', baseUrl: BASE, orderMin: source.orderMin, orderMax: source.orderMax, metadata: source.metadata!, maxTiles,
      shape: 'circle', filled: true, color: '#ffffff', sizePx: 5,
    }));
    const target = createTarget(device, size, size);
    const rnd = seeded(6);
    const views: ViewState[] = [{ raDeg: 0, decDeg: 0, fovDeg: 180, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size }];
    for (let k = 0; k < 16; k++) {
      views.push({ raDeg: rnd() * 360, decDeg: (Math.asin(2 * rnd() - 1) * 180) / Math.PI, fovDeg: [10, 14, 25, 40][k % 4], rollDeg: 0, projection: k % 3 === 0 ? 'TAN' : 'SIN', widthPx: size, heightPx: size });
    }
    let pickedTotal = 0;
    let checkedRows = 0;
    let repacksSeen = 0;
    try {
      for (const view of views) {
        const repacksBefore = layer.stats.repacks;
        const px = await settle(renderer, layer, target, view);
        const st = layer.stats;
        // bounded: capacity within max(MIN, 4 x live rows), at most maxTiles tiles kept
        expect(st.gpuTiles).to.be.at.most(maxTiles);
        expect(st.rowCapacity, JSON.stringify(st)).to.be.at.most(Math.max(MIN_ROW_CAPACITY, 4 * st.gpuRows));
        // per row slot: record 16 B, cell + float64 cell 32, one attribute 4, screen 16, visible 4, compaction 0.125; tips 16 B in all
        expect(st.gpuBytes).to.be.at.most(st.rowCapacity * 73 + 4096);
        // rows drawn = rows of the wanted tiles
        const wantedRows = layer.wantedTiles.reduce((s, t) => s + (tileRows.get(`${t.order}/${t.ipix}`) ?? 0), 0);
        expect(st.drawnRows).to.equal(wantedRows);
        // every drawn row in view has a marker at its CPU-projected pixel
        const rows = drawnRows(layer);
        const pos = projectRows(view, Float64Array.from(rows, (r) => r.raDeg), Float64Array.from(rows, (r) => r.decDeg));
        for (let i = 0; i < rows.length; i++) {
          const x = pos[2 * i];
          const y = pos[2 * i + 1];
          if (!(x >= 3 && y >= 3 && x < size - 3 && y < size - 3)) continue;
          // at 180° SIN the disc's outline and the background outside it are drawn over markers at the limb
          if (view.fovDeg >= 90 && Math.hypot(x - size / 2, y - size / 2) > size / 2 - 5) continue;
          checkedRows++;
          expect(px[(Math.floor(y) * size + Math.floor(x)) * 4], `HIP ${rows[i].values.HIP} at (${x.toFixed(1)}, ${y.toFixed(1)}) after ${st.repacks} repacks`).to.be.greaterThan(200);
        }
        if (st.repacks > repacksBefore) repacksSeen++;
        // picks of random isolated rows return their tile and row (the pick id is the row's slot)
        const order = rows.map((_, i) => i).sort(() => rnd() - 0.5);
        let picked = 0;
        for (const i of order) {
          if (picked >= 6) break;
          const x = pos[2 * i];
          const y = pos[2 * i + 1];
          if (!(x >= 4 && y >= 4 && x < size - 4 && y < size - 4)) continue;
          let alone = true;
          for (let j = 0; j < rows.length && alone; j++) if (j !== i && Math.hypot(pos[2 * j] - x, pos[2 * j + 1] - y) < 8) alone = false;
          if (!alone) continue;
          const hit = await renderer.pick(x, y);
          expect(hit?.layerId).to.equal('hip6s');
          expect(hit!.row).to.equal(rows[i].slot);
          const info = layer.rowInfo(hit!.row)!;
          expect({ order: info.order, ipix: info.ipix, row: info.rowInTile }).to.deep.equal({ order: rows[i].order, ipix: rows[i].ipix, row: rows[i].row });
          expect(info.values.HIP).to.equal(rows[i].values.HIP);
          picked++;
        }
        pickedTotal += picked;
      }
      const st = layer.stats;
      console.log(`after ${views.length} views: ${JSON.stringify(st)}; rows checked ${checkedRows}, picks ${pickedTotal}`);
      expect(st.loader.evicted, 'the LRU evicted tiles').to.be.greaterThan(0);
      expect(st.repacks, 'the buffers were repacked (grown or compacted) on the GPU').to.be.greaterThan(0);
      expect(repacksSeen, 'rows were checked right after a repack').to.be.greaterThan(0);
      expect(st.bytesCopied).to.be.greaterThan(0);
      expect(checkedRows).to.be.greaterThan(300);
      expect(pickedTotal).to.be.greaterThan(40);
      // a frame of the same view runs no compute pass and one draw
      const passes = st.projectPasses;
      for (let i = 0; i < 3; i++) renderer.render(target.texture.createView());
      expect(layer.stats.projectPasses).to.equal(passes);
      expect(layer.stats.drawCalls).to.equal(1);
    } finally {
      renderer.destroy();
      target.destroy();
      device.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it('grows its buffers by GPU copies as tiles accumulate, rows still at their pixels and picks right', async () => {
    const source = await loadHipsCatalogSource(BASE);
    const device = await requestTestDevice();
    const size = 256;
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', {
      id: 'hip6g', baseUrl: BASE, orderMin: source.orderMin, orderMax: source.orderMax, metadata: source.metadata!,
      shape: 'square', filled: true, color: '#ffffff', sizePx: 5,
    }));
    const target = createTarget(device, size, size);
    try {
      const capacities = new Set<number>();
      let checked = 0;
      let picks = 0;
      // narrow views along the Milky Way and around the sky: their deep tiles pile up (nothing is evicted)
      for (let k = 0; k < 14 && layer.stats.rowCapacity < 4096; k++) {
        const view: ViewState = { raDeg: (k * 97) % 360, decDeg: ((k * 53) % 140) - 70, fovDeg: 12, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size };
        const px = await settle(renderer, layer, target, view);
        capacities.add(layer.stats.rowCapacity);
        const rows = drawnRows(layer);
        const pos = projectRows(view, Float64Array.from(rows, (r) => r.raDeg), Float64Array.from(rows, (r) => r.decDeg));
        for (let i = 0; i < rows.length; i++) {
          const x = pos[2 * i];
          const y = pos[2 * i + 1];
          if (!(x >= 3 && y >= 3 && x < size - 3 && y < size - 3)) continue;
          checked++;
          expect(px[(Math.floor(y) * size + Math.floor(x)) * 4], `HIP ${rows[i].values.HIP} at capacity ${layer.stats.rowCapacity}`).to.be.greaterThan(200);
          let alone = true;
          for (let j = 0; j < rows.length && alone; j++) if (j !== i && Math.hypot(pos[2 * j] - x, pos[2 * j + 1] - y) < 8) alone = false;
          if (!alone || picks > 40 * (k + 1)) continue;
          const hit = await renderer.pick(x, y);
          expect(layer.rowInfo(hit!.row)?.values.HIP).to.equal(rows[i].values.HIP);
          picks++;
        }
      }
      const st = layer.stats;
      console.log(`growth: capacities ${[...capacities].join(', ')}; ${JSON.stringify(st)}; rows checked ${checked}, picks ${picks}`);
      expect(st.loader.evicted).to.equal(0);
      expect(Math.max(...capacities), 'the buffers grew').to.be.greaterThan(MIN_ROW_CAPACITY);
      expect(st.repacks).to.be.greaterThan(0);
      expect(st.rowCapacity).to.be.at.most(Math.max(MIN_ROW_CAPACITY, 4 * st.gpuRows));
      expect(st.bytesCopied).to.be.greaterThan(0);
      expect(checked).to.be.greaterThan(100);
      expect(picks).to.be.greaterThan(20);
    } finally {
      renderer.destroy();
      target.destroy();
      device.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it('labels of the N brightest rows in view across tiles = brute force over the drawn rows', async () => {
    const source = await loadHipsCatalogSource(BASE);
    const device = await requestTestDevice();
    const size = 320;
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const labels = { column: 'HIP', count: 12, fontPx: 11, brightnessColumn: 'Vmag', brightest: 'min' as const, color: '#00ff00' };
    const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', {
      id: 'hip6l', baseUrl: BASE, orderMin: source.orderMin, orderMax: source.orderMax, metadata: source.metadata!,
      shape: 'circle', sizePx: 6, color: '#ffffff', labels,
    }));
    const target = createTarget(device, size, size);
    const atlas = new GlyphAtlas(labels.fontPx);
    const brute = (view: ViewState, maxVmag: number) => {
      const rows = drawnRows(layer);
      const pos = projectRows(view, Float64Array.from(rows, (r) => r.raDeg), Float64Array.from(rows, (r) => r.decDeg));
      const idx = rows.map((_, i) => i).filter((i) => {
        const v = Math.fround(Number(rows[i].values.Vmag));
        return !Number.isNaN(v) && v <= maxVmag;
      });
      idx.sort((a, b) => Math.fround(Number(rows[a].values.Vmag)) - Math.fround(Number(rows[b].values.Vmag)) || a - b);
      const cands: LabelCandidate[] = [];
      for (const i of idx) {
        const x = pos[2 * i];
        const y = pos[2 * i + 1];
        if (!(x >= 0 && y >= 0 && x < size && y < size)) continue;
        const text = labelText([rows[i].values.HIP], 0);
        cands.push({ row: i, xPx: x + 3 + 3, yPx: y, text, widthPx: atlas.measure(text) });
      }
      return placeLabels(cands, labels.count, Math.ceil(labels.fontPx * 1.25), 0, size, size).map((p) => ({ key: `${rows[p.row].order}/${rows[p.row].ipix}/${rows[p.row].row}`, text: p.text, x0: p.x0, y0: p.y0 }));
    };
    const got = () => layer.labelPlacements.map((p) => ({ key: `${p.order}/${p.ipix}/${p.rowInTile}`, text: p.text, x0: p.x0, y0: p.y0 }));
    const close = (a: ReturnType<typeof got>, b: ReturnType<typeof got>) => {
      expect(a.map((p) => p.key)).to.deep.equal(b.map((p) => p.key));
      expect(a.map((p) => p.text)).to.deep.equal(b.map((p) => p.text));
      a.forEach((p, i) => {
        expect(p.x0).to.be.closeTo(b[i].x0, 1e-6);
        expect(p.y0).to.be.closeTo(b[i].y0, 1e-6);
      });
    };
    try {
      let tilesUsed = 0;
      for (const view of [
        { raDeg: 83.8, decDeg: -1, fovDeg: 30, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size },
        { raDeg: 100, decDeg: -20, fovDeg: 12, rollDeg: 0, projection: 'TAN', widthPx: size, heightPx: size },
        { raDeg: 0, decDeg: 89, fovDeg: 50, rollDeg: 0, projection: 'STG', widthPx: size, heightPx: size },
      ] satisfies ViewState[]) {
        const px = await settle(renderer, layer, target, view);
        const want = brute(view, Infinity);
        expect(want.length, 'labels placed').to.be.greaterThan(3);
        close(got(), want);
        tilesUsed = Math.max(tilesUsed, new Set(want.map((w) => w.key.split('/').slice(0, 2).join('/'))).size);
        // the text is in the frame: green label pixels inside the first label's box
        const p = layer.labelPlacements[0];
        let green = 0;
        for (let y = Math.ceil(p.y0); y < p.y1; y++) for (let x = Math.ceil(p.x0); x < p.x1; x++) {
          const o = (y * size + x) * 4;
          if (px[o + 1] > 150 && px[o] < 100) green++;
        }
        expect(green, 'label text drawn').to.be.greaterThan(5);
      }
      expect(tilesUsed, 'labels come from several tiles').to.be.greaterThan(1);
      // with a filter: only the rows that pass are labelled
      layer.setFilters([{ column: 'Vmag', max: 3 }]);
      const view: ViewState = { raDeg: 83.8, decDeg: -1, fovDeg: 30, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size };
      await settle(renderer, layer, target, view);
      close(got(), brute(view, 3));
      layer.setStyle({ labels: null });
      await settle(renderer, layer, target, view);
      expect(layer.labelPlacements).to.deep.equal([]);
    } finally {
      renderer.destroy();
      target.destroy();
      device.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it('image markers and proper motions (Barnard\'s star to J2500 as astropy puts it)', async () => {
    const device = await requestTestDevice();
    const size = 200;
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const target = createTarget(device, size, size);
    // one HiPS catalogue tile served in memory: Barnard's star with its proper motion (Tycho-2, J2000)
    interface Star { id: string; raDeg: number; decDeg: number; pmRa: number; pmDec: number; epoch: number; parallaxMas?: number; at: [number, number, number][] }
    const fixture = (await (await fetch('/test/fixtures/propermotion/stars.json')).json()) as { stars: Star[] };
    const b = fixture.stars.find((s) => s.id.startsWith('TYC 0425-02502-1') && s.parallaxMas === undefined)!;
    const at2500 = b.at.find((a) => a[0] === 2500)!;
    const ipix = ang2pix(1, b.raDeg, b.decDeg);
    const tsv = `name\tRAJ2000\tDEJ2000\tpmRA\tpmDE\nBarnard\t${b.raDeg}\t${b.decDeg}\t${b.pmRa}\t${b.pmDec}\n`;
    const metadata = parseHipsCatalogMetadata('<?xml version="1.0"?><VOTABLE version="1.4"><RESOURCE><TABLE><FIELD name="name" datatype="char" arraysize="*"/>'
      + '<FIELD name="RAJ2000" datatype="double" ucd="pos.eq.ra;meta.main"/><FIELD name="DEJ2000" datatype="double" ucd="pos.eq.dec;meta.main"/>'
      + '<FIELD name="pmRA" datatype="double" ucd="pos.pm;pos.eq.ra"/><FIELD name="pmDE" datatype="double" ucd="pos.pm;pos.eq.dec"/><DATA><TABLEDATA></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>');
    const serve = async (url: string) => (url.endsWith(`/Norder1/Dir0/Npix${ipix}.tsv`) ? new Response(tsv) : new Response('', { status: 404 }));
    const img = new OffscreenCanvas(16, 16);
    const ctx = img.getContext('2d')!;
    ctx.fillStyle = '#ff0000';
    ctx.fillRect(0, 0, 16, 16);
    const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', {
      id: 'pm', baseUrl: 'https://example.invalid/cat/', orderMin: 1, orderMax: 1, metadata, fetch: serve,
      shape: 'image', image: img, imageTint: false, sizePx: 9,
      properMotion: { catalogueEpoch: 2000, epoch: 2500, arrowYears: 100 },
    }));
    try {
      const view: ViewState = { raDeg: (b.raDeg + at2500[1]) / 2, decDeg: (b.decDeg + at2500[2]) / 2, fovDeg: 3, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size };
      const px = await settle(renderer, layer, target, view);
      const [x1, y1, x0, y0] = projectRows(view, Float64Array.of(at2500[1], b.raDeg), Float64Array.of(at2500[2], b.decDeg));
      expect(Math.hypot(x1 - x0, y1 - y0), 'the star moves far on screen').to.be.greaterThan(40);
      const rgba = (x: number, y: number) => Array.from(px.subarray((Math.floor(y) * size + Math.floor(x)) * 4, (Math.floor(y) * size + Math.floor(x)) * 4 + 4));
      const c = rgba(x1, y1);
      expect(c[0], `red image marker at the J2500 position: ${c}`).to.be.greaterThan(200);
      expect(c[1]).to.be.lessThan(60);
      expect(rgba(x0, y0)[0], 'nothing at the J2000 position').to.be.lessThan(30);
      expect(layer.stats.drawCalls, 'markers and arrows').to.equal(2);
      const hit = await renderer.pick(x1, y1);
      const p = layer.rowPosition(hit!.row);
      // without a parallax ERFA gives the star an artificial distance: over 500 years our straight
      // line differs from astropy by up to 3e-4 of the motion (docs/catalogues.md; ~0.9″ here)
      const movedMas = Math.hypot((at2500[1] - b.raDeg) * Math.cos((b.decDeg * Math.PI) / 180), at2500[2] - b.decDeg) * 3.6e6;
      const errMas = Math.hypot((p.raDeg - at2500[1]) * Math.cos((at2500[2] * Math.PI) / 180), p.decDeg - at2500[2]) * 3.6e6;
      expect(errMas, `drawn position vs astropy (moved ${movedMas.toFixed(0)} mas)`).to.be.lessThan(3e-4 * movedMas);
    } finally {
      renderer.destroy();
      target.destroy();
      device.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it('<esasky-sky> addCatalogueHips takes labels, images and proper motions, and names bad ones', async () => {
    const sky = document.createElement('esasky-sky') as EsaskySky;
    sky.style.cssText = 'display:block;width:200px;height:150px';
    sky.setAttribute('target', '83.8 -1');
    sky.setAttribute('fov', '30');
    document.body.appendChild(sky);
    try {
      const fails = (o: object, re: RegExp) => sky.addCatalogueHips(BASE, o).then(() => expect.fail('resolved'), (e: Error) => expect(e.message).to.match(re));
      await fails({ labels: { column: 'Name' } }, /no column 'Name'.*columns: HIP, RAICRS/);
      await fails({ shape: 'image' }, /shape 'image' needs an image/);
      await fails({ shape: 'image', image: '/test/fixtures/not-there.png' }, /marker image \/test\/fixtures\/not-there\.png could not be read/);
      await fails({ properMotion: { catalogueEpoch: 2000 } }, /pos\.pm;pos\.eq\.ra and pos\.pm;pos\.eq\.dec/);
      const id = await sky.addCatalogueHips(BASE, { labels: { column: 'HIP', count: 5, brightnessColumn: 'Vmag' } });
      for (let i = 0; i < 400 && !((sky.getCatalogueHipsState(id)?.stats.drawnRows ?? 0) > 0 && sky.getCatalogueHipsState(id)!.stats.loader.loading === 0); i++) await sleep(25);
      expect(sky.getCatalogueHipsState(id)!.stats.drawnRows).to.be.greaterThan(0);
      sky.removeCatalogueHips(id);
    } finally {
      sky.remove();
    }
  });
});
