// Real WebGPU pixels against independent references: the shipped Milky Way HiPS and the DSS2
// subset are rendered off-screen at fixed views and the pixel under the view centre is compared
// with the tile texel that healpy + Pillow say lies there (test/fixtures/render/make_centre_pixels.py).
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { DecodePool } from '../../src/workers/pool.js';
import { loadHipsProperties } from '../../src/hips/hipsSource.js';
import type { DecodedTile, TileFetcher } from '../../src/hips/tileManager.js';
import type { ViewState } from '../../src/math/camera.js';
import { createTarget, pixelAt, requestTestDevice, sleep } from './renderTarget.js';
import { FADE_MS } from '../../src/render/layers/crossFade.js';

interface RefPoint {
  raDeg: number;
  decDeg: number;
  order: number;
  tile: number;
  row: number;
  col: number;
  rgb: [number, number, number];
  ancestor?: { order: number; tile: number; row: number; col: number; rgb: [number, number, number] };
}

const SIZE = 65; // odd: the centre pixel's centre is exactly the view centre
const TOLERANCE = 12; // per channel, 0..255: decoder differences + bilinear blend in a flat 3x3 texel block

async function fixture(): Promise<Record<string, RefPoint[]>> {
  const r = await fetch('/test/fixtures/render/centre_pixels.json');
  return (await r.json()).surveys;
}

async function renderUntil(renderer: SkyRenderer, target: GPUTexture, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const view = target.createView();
  const t0 = performance.now();
  for (;;) {
    renderer.render(view);
    await renderer.device.queue.onSubmittedWorkDone();
    if (done()) return;
    if (performance.now() - t0 > timeoutMs) throw new Error('timed out waiting for tiles');
    await sleep(20);
  }
}

function expectColour(actual: number[], expected: number[], what: string): void {
  const diff = Math.max(...expected.map((v, i) => Math.abs(v - actual[i])));
  expect(diff, `${what}: rendered rgb(${actual.slice(0, 3)}) vs reference rgb(${expected})`).to.be.at.most(TOLERANCE);
}

/** Holds tiles whose URL matches until open() is called. */
class GateFetcher implements TileFetcher {
  private readonly waiting: Array<() => void> = [];
  private opened = false;
  requested = 0;
  constructor(private readonly inner: TileFetcher, private readonly held: RegExp) {}
  async fetchTile(url: string, signal: AbortSignal): Promise<DecodedTile | null> {
    if (this.held.test(url) && !this.opened) {
      this.requested++;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    return this.inner.fetchTile(url, signal);
  }
  open(): void {
    this.opened = true;
    for (const w of this.waiting.splice(0)) w();
  }
}

describe('HiPS rendering through WebGPU (off-screen, SIN)', () => {
  let device: GPUDevice;
  let pool: DecodePool;
  let refs: Record<string, RefPoint[]>;

  before(async () => {
    device = await requestTestDevice();
    pool = new DecodePool(2);
    refs = await fixture();
  });

  after(() => {
    pool.destroy();
    device.destroy();
  });

  it('draws the shipped Milky Way HiPS with the healpy-predicted texel under the view centre', async () => {
    const base = '/data/hips/swe_milkyway/';
    const properties = await loadHipsProperties(base);
    const points = refs.swe_milkyway;
    expect(points.length).to.be.at.least(6);
    const target = createTarget(device, SIZE, SIZE);
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    renderer.addHipsLayer({ id: 'mw', baseUrl: base, properties, fetcher: pool });
    try {
      for (const p of points) {
        const view: ViewState = { raDeg: p.raDeg, decDeg: p.decDeg, fovDeg: 0.5, rollDeg: 0, projection: 'SIN', widthPx: SIZE, heightPx: SIZE };
        renderer.setView(view);
        await renderUntil(renderer, target.texture, () => renderer.settled);
        const pixels = await target.read();
        const c = (SIZE - 1) / 2;
        expectColour(pixelAt(pixels, SIZE, c, c), p.rgb, `ra ${p.raDeg.toFixed(4)} dec ${p.decDeg.toFixed(4)} (tile ${p.tile} row ${p.row} col ${p.col})`);
      }
    } finally {
      renderer.destroy();
      target.destroy();
    }
  });

  it('draws the whole sky at a wide field: no black holes inside the visible disc', async () => {
    const base = '/data/hips/swe_milkyway/';
    const properties = await loadHipsProperties(base);
    const size = 97;
    const target = createTarget(device, size, size);
    // Cleared to transparent: a pixel is covered by a tile exactly when its alpha is 255.
    const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: { r: 0, g: 0, b: 0, a: 0 } });
    renderer.addHipsLayer({ id: 'mw', baseUrl: base, properties, fetcher: pool });
    try {
      for (const [raDeg, decDeg] of [[266.4, -29.0], [0, 90], [45, 41.8], [180, -89.9]]) {
        renderer.setView({ raDeg, decDeg, fovDeg: 180, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size });
        await renderUntil(renderer, target.texture, () => renderer.settled);
        const px = await target.read();
        let inside = 0;
        let covered = 0;
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            const dx = (x + 0.5) / size * 2 - 1;
            const dy = (y + 0.5) / size * 2 - 1;
            if (dx * dx + dy * dy > 0.9) continue; // stay off the limb's anti-aliasing
            inside++;
            const o = (y * size + x) * 4;
            if (px[o + 3] === 255) covered++;
          }
        }
        expect(covered / inside, `coverage at (${raDeg}, ${decDeg})`).to.equal(1);
        // only the near hemisphere: the view centre shows the near side's texel
        // and nothing is drawn outside the SIN disc
        const corner = pixelAt(px, size, 0, 0);
        expect(corner, 'outside the projection').to.deep.equal([0, 0, 0, 0]);
      }
    } finally {
      renderer.destroy();
      target.destroy();
    }
  });

  it('shows only the near hemisphere at a 180-degree field (nothing from the far side)', async () => {
    const base = '/data/hips/swe_milkyway/';
    const properties = await loadHipsProperties(base);
    const target = createTarget(device, SIZE, SIZE);
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    renderer.addHipsLayer({ id: 'mw', baseUrl: base, properties, fetcher: pool });
    try {
      for (const p of refs.swe_milkyway) {
        renderer.setView({ raDeg: p.raDeg, decDeg: p.decDeg, fovDeg: 180, rollDeg: 0, projection: 'SIN', widthPx: SIZE, heightPx: SIZE });
        await renderUntil(renderer, target.texture, () => renderer.settled);
        const c = (SIZE - 1) / 2;
        expectColour(pixelAt(await target.read(), SIZE, c, c), p.rgb, `fov 180 centred on ra ${p.raDeg.toFixed(3)} dec ${p.decDeg.toFixed(3)}`);
      }
    } finally {
      renderer.destroy();
      target.destroy();
    }
  });

  it('draws a cell from its ancestor tile (UV sub-rectangle) until its own tile arrives (DSS2, ../shared)', async () => {
    const points = refs.cds_dss2_color_subset ?? [];
    if (points.length === 0) throw new Error('fixture has no DSS2 points: regenerate it with ../shared present');
    const base = '/shared/data/hips/cds_dss2_color_subset/';
    const properties = await loadHipsProperties(base);
    for (const p of points) {
      const gate = new GateFetcher(pool, /Norder4\//);
      const target = createTarget(device, SIZE, SIZE);
      // (always fade: by default a renderer whose GPU frames take over FADE_SKIP_FRAME_MS skips it,
      // which a loaded machine can reach even here)
      const renderer = new SkyRenderer(device, 'rgba8unorm', { fadeSkipFrameMs: Infinity });
      const layer = renderer.addHipsLayer({ id: 'dss', baseUrl: base, properties, fetcher: gate });
      try {
        renderer.setView({ raDeg: p.raDeg, decDeg: p.decDeg, fovDeg: 0.52, rollDeg: 0, projection: 'SIN', widthPx: SIZE, heightPx: SIZE });
        // Order-4 tiles are held back: the order-3 ancestor must texture the cells.
        await renderUntil(renderer, target.texture, () => layer.tileState(3, 357) === 'ready' && !layer.hasPendingUploads && layer.stats.cellsDrawn > 0);
        expect(layer.stats.dataOrder).to.equal(4);
        expect(gate.requested).to.be.greaterThan(0);
        expect(layer.stats.cellsFromAncestor).to.equal(layer.stats.cellsDrawn);
        const c = (SIZE - 1) / 2;
        expectColour(pixelAt(await target.read(), SIZE, c, c), p.ancestor!.rgb, `ancestor 3/357 at ra ${p.raDeg.toFixed(4)} dec ${p.decDeg.toFixed(4)}`);
        expect(renderer.settled).to.equal(false);
        gate.open();
        const cells = layer.stats.cellsDrawn;
        let most = 0;
        // the cross-fade ends within FADE_MS of the last tile's arrival (arrival: during the frame
        // whose uploads grew; the weight is computed at the start of a later frame's layout)
        let uploads = layer.stats.tilesUploaded;
        let lastUploadEnd = NaN;
        let lastFadeStart = NaN;
        let frameStart = performance.now();
        const view = target.texture.createView();
        for (const t0 = performance.now(); !renderer.settled;) {
          frameStart = performance.now();
          renderer.render(view);
          await renderer.device.queue.onSubmittedWorkDone();
          most = Math.max(most, layer.stats.cellsDrawn);
          if (layer.stats.tilesUploaded > uploads) lastUploadEnd = performance.now();
          if (layer.stats.cellsFading > 0) lastFadeStart = frameStart;
          uploads = layer.stats.tilesUploaded;
          if (performance.now() - t0 > 30_000) throw new Error('timed out waiting for tiles');
          await sleep(5);
        }
        // while the own tiles fade in, the ancestor is drawn under them (two entries per cell)
        expect(most, 'cross-fade entries').to.be.greaterThan(cells);
        expect(lastFadeStart - lastUploadEnd, 'fade ends within FADE_MS of the last arrival').to.be.lessThan(FADE_MS);
        expect(renderer.gpuFrameMs, 'GPU time per frame measured').to.be.above(0);
        expect(layer.stats.cellsDrawn).to.equal(cells);
        expect(layer.stats.cellsFromAncestor).to.equal(0);
        expectColour(pixelAt(await target.read(), SIZE, c, c), p.rgb, `own tile 4/${p.tile} at ra ${p.raDeg.toFixed(4)} dec ${p.decDeg.toFixed(4)}`);
        // once settled, the next zoom level of the view is prefetched, without unsettling the view;
        // prefetched tiles wait decoded in CPU memory, not uploaded (no GPU work for the settled view)
        const uploaded = layer.stats.tilesUploaded;
        await renderUntil(renderer, target.texture, () => layer.stats.prefetched > 0 && layer.tileCached(5, p.tile * 4));
        expect(layer.tileState(5, p.tile * 4)).to.equal(undefined);
        expect(layer.stats.tilesUploaded).to.equal(uploaded);
        expect(layer.hasPendingUploads).to.equal(false);
        expect(renderer.settled).to.equal(true);
      } finally {
        renderer.destroy();
        target.destroy();
      }
    }
  });

  it('draws a tile that arrives over nothing fully on its first frame (no cross-fade from an unseen parent; DSS2, ../shared)', async () => {
    const p = (refs.cds_dss2_color_subset ?? [])[0];
    if (!p) throw new Error('fixture has no DSS2 points: regenerate it with ../shared present');
    const base = '/shared/data/hips/cds_dss2_color_subset/';
    const properties = await loadHipsProperties(base);
    const gate = new GateFetcher(pool, /Norder\d+\//);
    const target = createTarget(device, SIZE, SIZE);
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addHipsLayer({ id: 'dss', baseUrl: base, properties, fetcher: gate });
    const view = target.texture.createView();
    try {
      renderer.setView({ raDeg: p.raDeg, decDeg: p.decDeg, fovDeg: 0.52, rollDeg: 0, projection: 'SIN', widthPx: SIZE, heightPx: SIZE });
      // every tile is held back: the first frames draw nothing
      for (let i = 0; i < 3; i++) {
        renderer.render(view);
        await renderer.device.queue.onSubmittedWorkDone();
        await sleep(20);
      }
      expect(layer.stats.cellsDrawn).to.equal(0);
      expect(gate.requested).to.be.greaterThan(0);
      // both the order-3 ancestor and the own order-4 tile decode before the next frame, so an
      // ancestor is resident when the own tile is uploaded — but it was never on screen
      gate.open();
      const t0 = performance.now();
      while (!(layer.tileState(3, 357) === 'ready' && layer.tileState(4, p.tile) === 'ready')) {
        if (performance.now() - t0 > 30_000) throw new Error(`tiles not decoded: 3/357 ${layer.tileState(3, 357)}, 4/${p.tile} ${layer.tileState(4, p.tile)}`);
        await sleep(20);
      }
      let first = -1;
      for (let frames = 0; !renderer.settled; frames++) {
        renderer.render(view);
        await renderer.device.queue.onSubmittedWorkDone();
        if (first < 0 && layer.stats.cellsDrawn > 0) {
          first = frames;
          // the first frame that draws anything draws each cell once, at full weight
          expect(layer.stats.cellsFading, 'cells drawn as a cross-fade on the first frame').to.equal(0);
          const c = (SIZE - 1) / 2;
          const px = pixelAt(await target.read(), SIZE, c, c);
          const own = Math.max(...p.rgb.map((v, i) => Math.abs(v - px[i])));
          const anc = Math.max(...p.ancestor!.rgb.map((v, i) => Math.abs(v - px[i])));
          expect(Math.min(own, anc), `centre rgb(${px.slice(0, 3)}) is the own tile rgb(${p.rgb}) or the ancestor rgb(${p.ancestor!.rgb}), not a blend with black`).to.be.at.most(TOLERANCE);
        }
        if (frames > 500) throw new Error('not settled after 500 frames');
        await sleep(5);
      }
      expect(first).to.be.at.least(0);
      const c = (SIZE - 1) / 2;
      expectColour(pixelAt(await target.read(), SIZE, c, c), p.rgb, `own tile 4/${p.tile}`);
    } finally {
      renderer.destroy();
      target.destroy();
    }
  });
});
