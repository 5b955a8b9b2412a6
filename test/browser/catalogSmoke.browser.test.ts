import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { CatalogLayer } from '../../src/render/layers/catalogLayer.js';
import type { ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, requestTestDevice } from './renderTarget.js';
import { centroid, projectRows, randomCatalog } from './catalogHelpers.js';

describe('catalogue smoke', () => {
  it('draws', async () => {
    const device = await requestTestDevice();
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const data = randomCatalog(2000, 1);
    const layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', { id: 'c', data, sizePx: 6, filled: true, color: '#ffffff' }));
    const view: ViewState = { raDeg: 30, decDeg: 20, fovDeg: 60, rollDeg: 0, projection: 'SIN', widthPx: 128, heightPx: 128 };
    renderer.setView(view);
    const target = createTarget(device, 128, 128);
    renderer.render(target.texture.createView());
    const px = await target.read();
    let lit = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] > 0) lit++;
    const pos = projectRows(view, data.raDeg, data.decDeg);
    let inView = 0;
    let first = -1;
    for (let i = 0; i < 2000; i++) if (pos[2 * i] > 5 && pos[2 * i] < 123 && pos[2 * i + 1] > 5 && pos[2 * i + 1] < 123) { inView++; if (first < 0) first = i; }
    console.log('lit', lit, 'inView', inView, 'stats', JSON.stringify(layer.stats));
    console.log('first', pos[2 * first], pos[2 * first + 1], centroid(px, 128, 128, pos[2 * first], pos[2 * first + 1], 3));
    const hit = await renderer.pick(pos[2 * first], pos[2 * first + 1]);
    console.log('pick', hit?.row, first);
    expect(gpuErrors).to.deep.equal([]);
    renderer.destroy();
  });
});
