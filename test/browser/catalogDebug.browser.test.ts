import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { CatalogLayer } from '../../src/render/layers/catalogLayer.js';
import { makeCamera } from '../../src/math/camera.js';
import { requestTestDevice } from './renderTarget.js';
import { randomCatalog } from './catalogHelpers.js';

describe('debug', () => {
  it('times', async () => {
    const device = await requestTestDevice();
    const data = randomCatalog(100_000, 12);
    const target = device.createTexture({ size: [800, 600], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    const out: string[] = [];
    const empty = new SkyRenderer(device, 'rgba8unorm');
    for (const [projection, fovDeg, thr] of [['SIN', 60, Infinity], ['AIT', 360, Infinity], ['AIT', 360, 0]] as const) {
      const renderer = new SkyRenderer(device, 'rgba8unorm');
      const layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', { id: 'f', data, sizePx: 4, densityThreshold: thr }));
      for (let k = 0; k < 4; k++) {
        const view = { raDeg: 30 + k, decDeg: 10, fovDeg, rollDeg: 0, projection, widthPx: 800, heightPx: 600 } as const;
        await device.queue.onSubmittedWorkDone();
        let t0 = performance.now();
        layer.prepare(makeCamera(view), undefined as never);
        await device.queue.onSubmittedWorkDone();
        const tp = performance.now() - t0;
        renderer.setView(view);
        t0 = performance.now();
        renderer.render(target.createView());
        await device.queue.onSubmittedWorkDone();
        const tr = performance.now() - t0;
        empty.setView(view);
        t0 = performance.now();
        empty.render(target.createView());
        await device.queue.onSubmittedWorkDone();
        const te = performance.now() - t0;
        out.push(`${layer.mode} ${projection} frame ${k}: project ${tp.toFixed(0)} ms, render ${tr.toFixed(0)} ms, empty ${te.toFixed(0)} ms`);
      }
      renderer.destroy();
    }
    console.log(out.join('\n'));
  });
});
