// Progressive catalogues on the GPU: the committed HiPS catalogue of the Hipparcos V <= 6 stars
// (test/fixtures/hips/catalog/hip6, built with healpy by make_catalog_hips.py; served by the test
// runner) drawn by ProgressiveCatalogLayer. Checks: a wide view requests only hips_order_min;
// zooming in requests deeper tiles only near the view; every star of the source catalogue
// (../shared/data/catalogs/stars.6.json) that projects into the view is in a drawn tile and has a
// marker at its CPU-projected pixel; the rows drawn are exactly the rows of the wanted tiles
// (expected.json); a missing tile (HTTP 404) is just empty; picking returns the star's HIP; and
// big tiles parse in the decode workers; the element's addCatalogueHips raises shape-select with the row's tile and values.
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import type { CatalogueHipsEventDetail } from '../../src/catalog/catalogueHipsSets.js';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { ProgressiveCatalogLayer } from '../../src/render/layers/progressiveCatalogLayer.js';
import { loadHipsCatalogSource } from '../../src/catalog/hipsCatalogSource.js';
import { CatalogTileLoader, WORKER_PARSE_BYTES } from '../../src/catalog/progressiveTiles.js';
import { parseHipsCatalogTile } from '../../src/hips/catalog.js';
import { getSharedDecodePool } from '../../src/elements/sharedDevice.js';
import { angularDistanceDeg, cellRadiusDeg, pix2ang } from '../../src/hips/healpix.js';
import { makeCamera, type ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, requestTestDevice, sleep } from './renderTarget.js';
import { projectRows } from './catalogHelpers.js';

const BASE = new URL('/test/fixtures/hips/catalog/hip6/', location.href).href;
interface Expected { nrows: number; tiles: Array<{ order: number; ipix: number; n: number; N: number; hip: number[] }> }
interface Star { id: number; geometry: { coordinates: [number, number] } }

describe('progressive HiPS catalogue layer', () => {
  it('loads by view order, draws exactly the wanted tiles, 404 = empty, picks', async () => {
    const expected = (await (await fetch('/test/fixtures/hips/catalog/expected.json')).json()) as Expected;
    const tileRows = new Map(expected.tiles.map((t) => [`${t.order}/${t.ipix}`, t.n]));
    const stars = ((await (await fetch('/shared/data/catalogs/stars.6.json')).json()).features as Star[]);
    expect(stars.length).to.equal(expected.nrows);
    const allRa = Float64Array.from(stars, (s) => (s.geometry.coordinates[0] + 360) % 360);
    const allDec = Float64Array.from(stars, (s) => s.geometry.coordinates[1]);

    const source = await loadHipsCatalogSource(BASE);
    const device = await requestTestDevice();
    const size = 320;
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', {
      id: 'hip6', baseUrl: BASE, orderMin: source.orderMin, orderMax: source.orderMax, metadata: source.metadata!,
      shape: 'circle', filled: true, color: '#ffffff', sizePx: 5,
    }));
    const target = createTarget(device, size, size);
    const settle = async (view: ViewState) => {
      renderer.setView(view);
      for (let i = 0; i < 1000; i++) {
        renderer.render(target.texture.createView());
        if (layer.settled && !layer.hasPendingUploads) break;
        await sleep(10);
      }
      expect(layer.settled, 'tiles loaded').to.equal(true);
      renderer.render(target.texture.createView());
      return target.read();
    };
    try {
      // wide: only hips_order_min (1)
      const wide: ViewState = { raDeg: 0, decDeg: 0, fovDeg: 180, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size };
      await settle(wide);
      expect(layer.stats.order).to.equal(1);
      expect(layer.requestedUrls.length).to.be.greaterThan(10);
      for (const u of layer.requestedUrls) expect(u).to.match(/\/Norder1\/Dir0\/Npix\d+\.tsv$/);
      const nWide = layer.requestedUrls.length;

      // narrow, around order-3 cell 251 (no star: no file)
      const [raDeg, decDeg] = pix2ang(3, 251);
      const narrow: ViewState = { raDeg, decDeg, fovDeg: 12, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size };
      const px = await settle(narrow);
      expect(layer.stats.order).to.equal(3);
      const radiusDeg = (makeCamera(narrow).radiusRad * 180) / Math.PI;
      const deeper = layer.requestedUrls.slice(nWide);
      expect(deeper.some((u) => u.includes('/Norder3/'))).to.equal(true);
      for (const u of deeper) {
        const m = /Norder(\d)\/Dir0\/Npix(\d+)\.tsv$/.exec(u)!;
        const [k, n] = [Number(m[1]), Number(m[2])];
        const [lon, lat] = pix2ang(k, n);
        expect(angularDistanceDeg(lon, lat, raDeg, decDeg), `${u} is near the view`).to.be.at.most(radiusDeg + cellRadiusDeg(k) + 1e-9);
      }
      const wanted = layer.wantedTiles;
      expect(wanted.some((t) => t.order === 3 && t.ipix === 251)).to.equal(true);
      expect(layer.stats.loader.empty, 'tiles without a file are empty').to.be.greaterThan(0);
      expect(layer.stats.loader.failed).to.equal(0);
      // rows drawn = rows of the wanted tiles (expected.json, from healpy)
      const wantedRows = wanted.reduce((s, t) => s + (tileRows.get(`${t.order}/${t.ipix}`) ?? 0), 0);
      expect(layer.stats.drawnRows).to.equal(wantedRows);
      console.log(`narrow view: ${JSON.stringify(layer.stats)}`);
      expect(layer.drawnTiles.length).to.equal(wanted.filter((t) => tileRows.has(`${t.order}/${t.ipix}`)).length);
      // every source star in view is in a drawn tile and has a marker at its CPU-projected pixel
      const drawnHip = new Set<number>();
      for (const t of layer.drawnTiles) for (const h of Array.from(t.table.byName.HIP.values as ArrayLike<number>)) drawnHip.add(h);
      const pos = projectRows(narrow, allRa, allDec);
      let inView = 0;
      const at = (x: number, y: number) => px[(Math.floor(y) * size + Math.floor(x)) * 4];
      for (let i = 0; i < stars.length; i++) {
        const x = pos[2 * i];
        const y = pos[2 * i + 1];
        if (!(x >= 3 && y >= 3 && x < size - 3 && y < size - 3)) continue;
        inView++;
        expect(drawnHip.has(stars[i].id), `HIP ${stars[i].id} in view is drawn`).to.equal(true);
        expect(at(x, y), `marker of HIP ${stars[i].id} at (${x.toFixed(1)}, ${y.toFixed(1)})`).to.be.greaterThan(200);
      }
      expect(inView).to.be.greaterThan(10);
      // and nothing where no star is: pixels 8 px from every star are background
      let empty = 0;
      for (let y = 4; y < size; y += 16) {
        for (let x = 4; x < size; x += 16) {
          let near = false;
          for (let i = 0; i < stars.length && !near; i++) near = Math.hypot(pos[2 * i] - x, pos[2 * i + 1] - y) < 8;
          if (near) continue;
          empty++;
          expect(at(x, y), `background at (${x}, ${y})`).to.be.lessThan(30);
        }
      }
      expect(empty).to.be.greaterThan(100);
      // picking the brightest star in view returns it
      const source6 = new Map(stars.map((s, i) => [s.id, i]));
      const firstTile = layer.drawnTiles[0];
      const hip0 = (firstTile.table.byName.HIP.values as ArrayLike<number>)[0];
      const i0 = source6.get(hip0)!;
      if (pos[2 * i0] >= 0 && pos[2 * i0] < size && pos[2 * i0 + 1] >= 0 && pos[2 * i0 + 1] < size) {
        const hit = await renderer.pick(pos[2 * i0], pos[2 * i0 + 1]);
        expect(layer.rowInfo(hit!.row)?.values.HIP).to.equal(hip0);
      }
      let picked = 0;
      for (let i = 0; i < stars.length && picked < 5; i++) {
        const x = pos[2 * i];
        const y = pos[2 * i + 1];
        if (!(x >= 3 && y >= 3 && x < size - 3 && y < size - 3)) continue;
        let alone = true;
        for (let j = 0; j < stars.length && alone; j++) if (j !== i && Math.hypot(pos[2 * j] - x, pos[2 * j + 1] - y) < 8) alone = false;
        if (!alone) continue;
        const hit = await renderer.pick(x, y);
        expect(hit?.layerId).to.equal('hip6');
        expect(layer.rowInfo(hit!.row)?.values.HIP, `pick at HIP ${stars[i].id}`).to.equal(stars[i].id);
        const p = layer.rowPosition(hit!.row);
        expect(angularDistanceDeg(p.raDeg, p.decDeg, allRa[i], allDec[i])).to.be.lessThan(1e-6);
        picked++;
      }
      expect(picked).to.be.greaterThan(2);

      // back to wide: the deep tiles are no longer drawn (kept in the LRU), no request repeats
      const before = layer.requestedUrls.length;
      await settle(wide);
      expect(layer.requestedUrls.length).to.equal(before);
      expect(layer.drawnTiles.every((t) => t.order === 1)).to.equal(true);
      expect(layer.stats.gpuTiles).to.be.greaterThan(layer.stats.drawnTiles);
    } finally {
      renderer.destroy();
      target.destroy();
      device.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it('settles when tiles that arrived for an earlier view are no longer wanted', async () => {
    const source = await loadHipsCatalogSource(BASE);
    const device = await requestTestDevice();
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', {
      id: 'hip6b', baseUrl: BASE, orderMin: source.orderMin, orderMax: source.orderMax, metadata: source.metadata!,
    }));
    const target = createTarget(device, 64, 64);
    try {
      renderer.setView({ raDeg: 83.8, decDeg: -5.4, fovDeg: 10, rollDeg: 0, projection: 'SIN', widthPx: 64, heightPx: 64 });
      renderer.render(target.texture.createView()); // asks for the Orion tiles
      // they all arrive; no frame builds them
      for (let i = 0; i < 500 && !(layer.hasPendingUploads && layer.stats.loader.loading === 0); i++) await sleep(10);
      expect(layer.hasPendingUploads).to.equal(true);
      renderer.setView({ raDeg: 260, decDeg: 60, fovDeg: 10, rollDeg: 0, projection: 'SIN', widthPx: 64, heightPx: 64 });
      for (let i = 0; i < 500 && !(layer.settled && renderer.settled); i++) {
        renderer.render(target.texture.createView());
        await sleep(10);
      }
      expect(layer.settled, 'settled on the new view').to.equal(true);
      // going back builds the tiles that arrived earlier, without asking for them again
      const asked = layer.requestedUrls.length;
      renderer.setView({ raDeg: 83.8, decDeg: -5.4, fovDeg: 10, rollDeg: 0, projection: 'SIN', widthPx: 64, heightPx: 64 });
      for (let i = 0; i < 500 && !(layer.settled && renderer.settled); i++) {
        renderer.render(target.texture.createView());
        await sleep(10);
      }
      expect(layer.requestedUrls.length).to.equal(asked);
      expect(layer.stats.drawnTiles).to.be.greaterThan(0);
    } finally {
      renderer.destroy();
      target.destroy();
      device.destroy();
    }
  });

  it('parses big deepest-order tiles in the decode workers, same rows as on the main thread', async () => {
    const pool = getSharedDecodePool();
    let text = '# Completeness = 3000 / 3000\nHIP\tRAICRS\tDEICRS\tVmag\tB-V\n';
    for (let i = 0; i < 3000; i++) text += `${i}\t${(83 + i * 1e-4).toFixed(4)}\t${(-5 - i * 1e-4).toFixed(4)}\t${(6 + i * 1e-3).toFixed(3)}\t${i % 7 ? '0.5' : ''}\n`;
    expect(text.length).to.be.greaterThan(WORKER_PARSE_BYTES);
    const source = await loadHipsCatalogSource(BASE);
    let inWorker = 0;
    const loader = new CatalogTileLoader({
      baseUrl: BASE, metadata: source.metadata!, fetch: async () => new Response(text),
      parseInWorker: (t, where, md) => {
        inWorker++;
        return pool.parseCatalogTile(t, where, md);
      },
    });
    loader.want([{ order: 3, ipix: 300 }]);
    for (let i = 0; i < 500 && !loader.settled; i++) await sleep(10);
    const tile = loader.get(3, 300)!.tile!;
    expect(inWorker).to.equal(1);
    const here = parseHipsCatalogTile(text, { order: 3, ipix: 300 }, source.metadata);
    expect(Array.from(tile.raDeg)).to.deep.equal(Array.from(here.raDeg));
    expect(Array.from(tile.table.byName.HIP.values as ArrayLike<number>)).to.deep.equal(Array.from(here.table.byName.HIP.values as ArrayLike<number>));
    expect(tile.completeness).to.deep.equal({ inTile: 3000, inCell: 3000 });
    const bad = text.replace('\t83.0005\t', '\tnot-a-number\t');
    await pool.parseCatalogTile(bad, { order: 3, ipix: 300 }, source.metadata).then(() => expect.fail('parsed'), (e: Error) => expect(e.message).to.match(/Npix300\.tsv line 8: row 6 has no valid position/));
  });

  it('<esasky-sky> addCatalogueHips: drawn, clicked, bad URLs named', async () => {
    const sky = document.createElement('esasky-sky') as EsaskySky;
    sky.style.cssText = 'display:block;width:240px;height:180px';
    sky.setAttribute('target', '88.79 7.41'); // Betelgeuse
    sky.setAttribute('fov', '10');
    document.body.appendChild(sky);
    try {
      await sky.addCatalogueHips('/test/fixtures/hips/catalog/hip6/not-there/').then(() => expect.fail('resolved'), (e: Error) => expect(e.message).to.match(/properties.*404/));
      await sky.addCatalogueHips(BASE, { colorColumn: 'B-V' }).then(() => expect.fail('resolved'), (e: Error) => expect(e.message).to.match(/needs colorRange/));
      const id = await sky.addCatalogueHips(BASE, { shape: 'circle', filled: true, sizePx: 8, color: '#ffcc00' });
      // until Betelgeuse's tile (1/23) is drawn and no tile is loading
      const ready = () => {
        const st = sky.getCatalogueHipsState(id);
        return !!st && st.stats.loader.loading === 0 && st.drawnTiles.some((t) => t.order === 1 && t.ipix === 23);
      };
      for (let i = 0; i < 800 && !ready(); i++) await sleep(25);
      expect(ready(), 'tiles drawn').to.equal(true);
      await sleep(100);
      const state = sky.getCatalogueHipsState(id)!;
      expect(state.stats.order).to.equal(3);
      expect(state.stats.drawnRows).to.be.greaterThan(0);
      const canvas = sky.shadowRoot!.querySelector('canvas')!;
      const rect = canvas.getBoundingClientRect();
      const view: ViewState = { raDeg: 88.79, decDeg: 7.41, fovDeg: 10, rollDeg: 0, projection: 'SIN', widthPx: canvas.width, heightPx: canvas.height };
      const b = { ra: 88.7929, dec: 7.4071 }; // Betelgeuse, HIP 27989 (row 0 of tile 1/23)
      const p = projectRows(view, Float64Array.of(b.ra), Float64Array.of(b.dec));
      const at = { clientX: rect.left + (p[0] / canvas.width) * rect.width, clientY: rect.top + (p[1] / canvas.height) * rect.height };
      const selected = new Promise<CatalogueHipsEventDetail | undefined>((resolve) => {
        const t = setTimeout(() => resolve(undefined), 5000);
        sky.addEventListener('shape-select', (e) => { clearTimeout(t); resolve((e as CustomEvent<CatalogueHipsEventDetail>).detail); }, { once: true });
      });
      canvas.dispatchEvent(new PointerEvent('pointerdown', { ...at, pointerId: 1, button: 0, buttons: 1, bubbles: true }));
      canvas.dispatchEvent(new PointerEvent('pointerup', { ...at, pointerId: 1, button: 0, buttons: 0, bubbles: true }));
      const d = await selected;
      expect(d, 'shape-select').to.not.equal(undefined);
      expect(d!).to.deep.include({ kind: 'catalogue-hips', layer: id, order: 1, ipix: 23, rowInTile: 0 });
      expect(d!.values.HIP).to.equal(27989);
      expect(d!.raDeg).to.be.closeTo(b.ra, 1e-9);
      sky.removeCatalogueHips(id);
      expect(sky.getCatalogueHipsIds()).to.deep.equal([]);
    } finally {
      sky.remove();
    }
  });
});
