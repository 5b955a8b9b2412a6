// Every projection on the GPU against astropy.wcs + healpy: the shipped Milky Way HiPS rendered
// off-screen, and sampled pixels compared with the texel that the WCS of the view says lies there
// (test/fixtures/render/make_projection_pixels.py). Pixels outside the projection stay empty.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { DecodePool } from '../../src/workers/pool.js';
import { loadHipsProperties } from '../../src/hips/hipsSource.js';
import type { ProjectionName } from '../../src/math/projections.js';
import { createTarget, pixelAt, requestTestDevice, sleep } from './renderTarget.js';

interface View { projection: ProjectionName; raDeg: number; decDeg: number; fovDeg: number; points: Array<{ x: number; y: number; rgb: number[] }>; outside: Array<[number, number]> }

const TOLERANCE = 14;

describe('projections on the GPU against astropy.wcs', () => {
  let device: GPUDevice;
  let pool: DecodePool;
  let ref: { widthPx: number; heightPx: number; views: View[] };

  before(async () => {
    device = await requestTestDevice();
    pool = new DecodePool(2);
    ref = await (await fetch('/test/fixtures/render/projection_pixels.json')).json();
  });
  after(() => {
    pool.destroy();
    device.destroy();
  });

  it('places the Milky Way where the WCS says, and nothing outside the boundary, in all 10 projections', async () => {
    const base = '/data/hips/swe_milkyway/';
    const properties = await loadHipsProperties(base);
    const { widthPx, heightPx } = ref;
    const target = createTarget(device, widthPx, heightPx);
    const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: { r: 0, g: 0, b: 0, a: 0 } });
    renderer.addHipsLayer({ id: 'mw', baseUrl: base, properties, fetcher: pool });
    const failures: string[] = [];
    try {
      expect(ref.views.length).to.equal(10);
      for (const v of ref.views) {
        renderer.setView({ raDeg: v.raDeg, decDeg: v.decDeg, fovDeg: v.fovDeg, rollDeg: 0, projection: v.projection, widthPx, heightPx });
        const view = target.texture.createView();
        for (let i = 0; ; i++) {
          renderer.render(view);
          await device.queue.onSubmittedWorkDone();
          if (renderer.settled) break;
          if (i > 1500) throw new Error(`${v.projection}: tiles did not arrive`);
          await sleep(10);
        }
        const px = await target.read();
        let bad = 0;
        for (const p of v.points) {
          const got = pixelAt(px, widthPx, p.x, p.y);
          const diff = Math.max(...p.rgb.map((c, k) => Math.abs(c - got[k])));
          if (diff > TOLERANCE || got[3] !== 255) {
            bad++;
            if (failures.length < 400) failures.push(`${v.projection} (${p.x},${p.y}) ra ${(p as {raDeg?: number}).raDeg?.toFixed(1)} dec ${(p as {decDeg?: number}).decDeg?.toFixed(1)}: rgba(${got}) vs rgb(${p.rgb})`);
          }
        }
        // allow one pixel in 40 to sit on a mesh edge artefact; a wrong orientation fails most
        if (bad > 1) failures.push(`${v.projection}: ${bad}/${v.points.length} pixels differ`);
        for (const [x, y] of v.outside) {
          const got = pixelAt(px, widthPx, x, y);
          if (got[3] !== 0 && !(got[0] + got[1] + got[2] > 0 && got[3] < 255 && false)) {
            // outside the boundary only the (transparent) background may appear
            if (got.some((c) => c !== 0)) failures.push(`${v.projection} outside (${x},${y}) has rgba(${got})`);
          }
        }
      }
    } finally {
      renderer.destroy();
      target.destroy();
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });
});
