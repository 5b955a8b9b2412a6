// A tile that turns out empty (404) changes nothing on screen, so it asks for no frame: the layer
// calls onSettleCheck instead of onChange, and the renderer can tell that the view is complete
// without drawing again (hasDrawn + settled) — the element then emits view-settled without a frame.
// A frame drawn anyway must be pixel-identical to the last one.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { parseHipsProperties } from '../../src/hips/properties.js';
import type { DecodedTile, TileFetcher } from '../../src/hips/tileManager.js';
import { createTarget, gpuErrors, requestTestDevice, sleep } from './renderTarget.js';

const W = 128;
const properties = parseHipsProperties(['creator_did = ivo://test/half-empty', 'obs_title = half empty', 'dataproduct_type = image', 'hips_version = 1.4',
  'hips_release_date = 2026-01-01T00:00Z', 'hips_status = public master clonableOnce', 'hips_tile_format = png', 'hips_order = 0',
  'hips_frame = equatorial', `hips_tile_width = ${W}`].join('\n'));

/** Even order-0 tiles are a flat colour per tile at once; odd ones are 404, held until open(). */
class HalfEmpty implements TileFetcher {
  private held: Array<() => void> = [];
  openAll = false;
  async fetchTile(url: string): Promise<DecodedTile | null> {
    const ipix = Number(/Npix(\d+)\./.exec(url)?.[1]);
    if (!Number.isInteger(ipix)) throw new Error(`unexpected url ${url}`);
    if (ipix % 2 === 0) {
      const rgba = new Uint8Array(W * W * 4);
      for (let i = 0; i < rgba.length; i += 4) rgba.set([20 * ipix, 100, 200, 255], i);
      return { width: W, height: W, rgba };
    }
    if (!this.openAll) await new Promise<void>((r) => this.held.push(r));
    return null;
  }
  open(): void {
    this.openAll = true;
    for (const r of this.held.splice(0)) r();
  }
  get waiting(): number {
    return this.held.length;
  }
}

describe('a view whose last tiles are empty', () => {
  it('settles without another frame, and that frame would change no pixel', async () => {
    const device = await requestTestDevice();
    const fetcher = new HalfEmpty();
    let changes = 0;
    let checks = 0;
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    // (16 at once: the held 404s must not keep an even tile queued behind them)
    const layer = renderer.addHipsLayer({ id: 'half', baseUrl: '', properties, fetcher, maxConcurrent: 16, onChange: () => changes++, onSettleCheck: () => checks++ });
    const target = createTarget(device, 160, 120);
    const view = { raDeg: 45, decDeg: 20, rollDeg: 0, fovDeg: 120, projection: 'SIN' as const, widthPx: 160, heightPx: 120 };
    try {
      renderer.setView(view);
      // draw until every even tile is drawn while the odd (404) ones are still in flight
      for (let i = 0; ; i++) {
        renderer.render(target.texture.createView());
        await device.queue.onSubmittedWorkDone();
        if (fetcher.waiting > 0 && !layer.hasPendingUploads && changes > 0 && layer.stats.tilesUploaded > 0) {
          await sleep(50); // any even tile still on its way
          if (!layer.hasPendingUploads) break;
        }
        if (i > 200) throw new Error('tiles did not arrive');
        await sleep(5);
      }
      renderer.render(target.texture.createView());
      await device.queue.onSubmittedWorkDone();
      const before = await target.read();
      expect(renderer.settled, 'not settled while 404s are in flight').to.equal(false);
      const changesBefore = changes;
      const odd = fetcher.waiting;
      expect(odd).to.be.greaterThan(0);
      fetcher.open();
      for (let i = 0; checks < odd && i < 200; i++) await sleep(5);
      expect(checks, 'a settle check per empty tile').to.equal(odd);
      expect(changes, 'no frame asked for by an empty tile').to.equal(changesBefore);
      // complete without drawing again
      expect(renderer.hasDrawn(view)).to.equal(true);
      expect(renderer.settled, 'settled without a new frame').to.equal(true);
      expect(renderer.hasDrawn({ ...view, fovDeg: 100 }), 'another view was not drawn').to.equal(false);
      // and a frame drawn anyway changes nothing
      renderer.render(target.texture.createView());
      await device.queue.onSubmittedWorkDone();
      const after = await target.read();
      let differ = 0;
      for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) differ++;
      expect(differ, 'bytes changed by the extra frame').to.equal(0);
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      renderer.destroy();
      target.destroy();
      device.destroy();
    }
  });
});
