// Tile orientation against real stars: DSS2 colour tiles around Orion (../shared data) rendered by
// the GPU are bright where Hipparcos stars are (d3-celestial stars.14.json, positions projected
// with the CPU camera) and dark a few pixels away; a mirrored picture is not.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { DecodePool } from '../../src/workers/pool.js';
import { loadHipsProperties } from '../../src/hips/hipsSource.js';
import { makeCamera, project, type ViewState } from '../../src/math/camera.js';
import { lonLatDegToVec } from '../../src/math/vec3.js';
import { requestTestDevice, sleep, gpuErrors } from './renderTarget.js';

describe('HiPS tile orientation against Hipparcos stars (DSS2, Orion)', () => {
  it('finds stars where the catalogue puts them', async () => {
    const device = await requestTestDevice();
    const pool = new DecodePool(2);
    const base = '/shared/data/hips/cds_dss2_color_subset/';
    const properties = await loadHipsProperties(base);
    const size = 257;
    const view: ViewState = { raDeg: 84.9, decDeg: -2.5, fovDeg: 1.4, rollDeg: 0, projection: 'TAN', widthPx: size, heightPx: size };
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    renderer.addHipsLayer({ id: 'dss', baseUrl: base, properties, fetcher: pool });
    renderer.setView(view);
    const scratch = device.createTexture({ size: [size, size], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    for (let i = 0; !renderer.settled; i++) {
      renderer.render(scratch.createView());
      await device.queue.onSubmittedWorkDone();
      if (i > 3000) throw new Error('DSS tiles did not arrive');
      await sleep(10);
    }
    scratch.destroy();
    const { rgba } = await renderer.readPixels();
    const lum = (x: number, y: number) => {
      if (x < 0 || y < 0 || x >= size || y >= size) return NaN;
      const o = (y * size + x) * 4;
      return (rgba[o] + rgba[o + 1] + rgba[o + 2]) / 3;
    };
    const stars = (await (await fetch('/shared/data/catalogs/stars.14.json')).json()).features as Array<{ properties: { mag: number }; geometry: { coordinates: [number, number] } }>;
    const cam = makeCamera(view);
    const contrast = (mirror: boolean) => {
      const out: number[] = [];
      for (const s of stars) {
        if (s.properties.mag > 9.5) continue;
        const [lon, lat] = s.geometry.coordinates;
        const p = project(cam, lonLatDegToVec(lon, lat));
        if (!p) continue;
        let x = Math.round(((p[0] + 1) / 2) * size - 0.5);
        const y = Math.round(((1 - p[1]) / 2) * size - 0.5);
        if (mirror) x = size - 1 - x;
        if (x < 10 || y < 10 || x >= size - 10 || y >= size - 10) continue;
        let peak = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) peak = Math.max(peak, lum(x + dx, y + dy));
        const ring: number[] = [];
        for (let a = 0; a < 16; a++) ring.push(lum(Math.round(x + 8 * Math.cos((a * Math.PI) / 8)), Math.round(y + 8 * Math.sin((a * Math.PI) / 8))));
        ring.sort((a, b) => a - b);
        out.push(peak - ring[8]);
      }
      return out;
    };
    const right = contrast(false);
    const mirrored = contrast(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(right.length, 'stars in the field').to.be.greaterThan(10);
    const brightShare = right.filter((c) => c > 20).length / right.length;
    expect(brightShare, `share of stars with a bright peak; contrasts ${right.map((c) => c.toFixed(0))}`).to.be.greaterThan(0.8);
    expect(mean(right)).to.be.greaterThan(3 * Math.max(1, mean(mirrored)));
    expect(gpuErrors).to.deep.equal([]);
    renderer.destroy();
    pool.destroy();
    device.destroy();
  });
});
