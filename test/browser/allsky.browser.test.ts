// Allsky bootstrap: the shipped Gaia map stores its order-3 tiles at full resolution in
// Norder3/Allsky.jpg; one request for it replaces every order-3 tile request.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { DecodePool } from '../../src/workers/pool.js';
import { loadHipsProperties } from '../../src/hips/hipsSource.js';
import type { DecodedTile, TileFetcher } from '../../src/hips/tileManager.js';
import type { HipsLayer } from '../../src/render/layers/hipsLayer.js';
import { createTarget, pixelAt, requestTestDevice, sleep } from './renderTarget.js';

class CountingFetcher implements TileFetcher {
  urls: string[] = [];
  constructor(private readonly inner: TileFetcher) {}
  fetchTile(url: string, signal: AbortSignal): Promise<DecodedTile | null> {
    this.urls.push(url);
    return this.inner.fetchTile(url, signal);
  }
}

describe('Allsky bootstrap', () => {
  it('draws order-3 tiles of a 32-px survey from its Allsky file with one request', async () => {
    const device = await requestTestDevice();
    const pool = new DecodePool(1);
    const fetcher = new CountingFetcher(pool);
    const base = '/data/hips/cds_gaia_dr2_radial_velocity_map/';
    const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: { r: 0, g: 0, b: 0, a: 0 } });
    const layer = renderer.addHipsLayer({ id: 'rv', baseUrl: base, properties: await loadHipsProperties(base), fetcher }) as HipsLayer;
    const size = 65;
    const target = createTarget(device, size, size);
    try {
      renderer.setView({ raDeg: 266.4, decDeg: -29, fovDeg: 15, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size });
      for (let i = 0; !renderer.settled; i++) {
        renderer.render(target.texture.createView());
        await device.queue.onSubmittedWorkDone();
        if (i > 2000) throw new Error('not settled');
        await sleep(10);
      }
      expect(layer.stats.dataOrder).to.equal(3);
      expect(layer.stats.allskyTiles).to.equal(768);
      expect(layer.stats.moc).to.equal('full-sky'); // moc_sky_fraction = 1: Moc.fits not fetched
      expect(fetcher.urls.filter((u) => u.includes('Allsky'))).to.have.length(1);
      expect(fetcher.urls.filter((u) => /Norder[0-3]\/Dir/.test(u)), fetcher.urls.join(' ')).to.deep.equal([]);
      const px = await target.read();
      expect(pixelAt(px, size, 32, 32)[3]).to.equal(255);
      expect(layer.stats.cellsDrawn).to.be.greaterThan(0);
    } finally {
      renderer.destroy();
      target.destroy();
      pool.destroy();
      device.destroy();
    }
  });

  it('draws a thumbnail-sized full-sky view from the seeded order-3 tiles (no coarser requests)', async () => {
    // a 256x144 all-sky view asks for order 0 by screen resolution; the Allsky's order-3 tiles are
    // resident, so those are drawn rather than nothing (the view once stayed empty)
    const device = await requestTestDevice();
    const pool = new DecodePool(1);
    const fetcher = new CountingFetcher(pool);
    const base = '/data/hips/cds_gaia_dr2_radial_velocity_map/';
    const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: { r: 0, g: 0, b: 0, a: 0 } });
    const layer = renderer.addHipsLayer({ id: 'rv', baseUrl: base, properties: await loadHipsProperties(base), fetcher }) as HipsLayer;
    const [w, h] = [256, 144];
    const target = createTarget(device, w, h);
    try {
      renderer.setView({ raDeg: 0, decDeg: 0, fovDeg: 360, rollDeg: 0, projection: 'AIT', widthPx: w, heightPx: h });
      for (let i = 0; !renderer.settled; i++) {
        renderer.render(target.texture.createView());
        await device.queue.onSubmittedWorkDone();
        if (i > 2000) throw new Error('not settled');
        await sleep(10);
      }
      expect(layer.stats.allskyTiles).to.equal(768);
      expect(layer.stats.cellsDrawn).to.be.at.least(192); // every order-1 cell, or their order-3 parts
      expect(fetcher.urls.filter((u) => /Norder[0-3]\/Dir/.test(u)), fetcher.urls.join(' ')).to.deep.equal([]);
      const px = await target.read();
      expect(pixelAt(px, w, w >> 1, h >> 1)[3]).to.equal(255); // the centre of the ellipse is sky
      expect(pixelAt(px, w, 2, 2)[3]).to.equal(0); // the corner is outside AIT's boundary
    } finally {
      renderer.destroy();
      target.destroy();
      pool.destroy();
      device.destroy();
    }
  });
});
