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
      const renderer = new SkyRenderer(device, 'rgba8unorm');
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
        await renderUntil(renderer, target.texture, () => {
          most = Math.max(most, layer.stats.cellsDrawn);
          return renderer.settled;
        });
        // while the own tiles fade in, the ancestor is drawn under them (two entries per cell)
        expect(most, 'cross-fade entries').to.be.greaterThan(cells);
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
});
