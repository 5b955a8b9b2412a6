// The real Hipparcos catalogue (d3-celestial stars.14.json, 118k stars: [lon -180..180, lat], mag,
// B-V as text) as a catalogue layer: marker size from the magnitude, colour from B-V through a
// colormap. Screenshot-free checks: picking at Sirius's CPU-projected pixel returns Sirius, its
// marker is the widest in view, and the bright stars' centre pixels have the colormap colour of
// their B-V (the CPU twin of the shader's lookup).
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { CatalogLayer } from '../../src/render/layers/catalogLayer.js';
import { colormapIndex } from '../../src/catalog/style.js';
import { colormapTable } from '../../src/render/colormaps.js';
import type { ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, requestTestDevice } from './renderTarget.js';
import { projectRows } from './catalogHelpers.js';

interface Star { properties: { mag: number; bv: string }; geometry: { coordinates: [number, number] } }

describe('Hipparcos stars as a catalogue layer', () => {
  it('draws size from magnitude and colour from B-V; Sirius is the widest marker and picks as itself', async () => {
    const features = (await (await fetch('/shared/data/catalogs/stars.14.json')).json()).features as Star[];
    expect(features.length).to.be.greaterThan(100_000);
    // faint stars first, so the bright ones are drawn on top
    const order = features.map((_, i) => i).sort((a, b) => features[b].properties.mag - features[a].properties.mag);
    const n = order.length;
    const raDeg = new Float64Array(n);
    const decDeg = new Float64Array(n);
    const mag = new Float32Array(n);
    const bv: string[] = [];
    order.forEach((k, i) => {
      const [lon, lat] = features[k].geometry.coordinates;
      raDeg[i] = lon < 0 ? lon + 360 : lon;
      decDeg[i] = lat;
      mag[i] = features[k].properties.mag;
      bv.push(features[k].properties.bv);
    });
    const sirius = n - 1; // the brightest star
    expect(Math.abs(raDeg[sirius] - 101.287)).to.be.lessThan(0.01);
    expect(mag[sirius]).to.be.lessThan(-1.4);

    const device = await requestTestDevice();
    const size = 320;
    const view: ViewState = { raDeg: 95, decDeg: -5, fovDeg: 44, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size };
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const colorRange: [number, number] = [-0.4, 2.0];
    const layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', {
      id: 'hip', data: { raDeg, decDeg, columns: { mag, bv } }, shape: 'circle', filled: true,
      sizeColumn: 'mag', sizeRange: [-1.5, 8], sizePxRange: [16, 1], colorColumn: 'bv', colorRange, colormap: 'rainbow',
    }));
    const target = createTarget(device, size, size);
    try {
      renderer.setView(view);
      renderer.render(target.texture.createView());
      const px = await target.read();
      const pos = projectRows(view, raDeg, decDeg);
      const lut = colormapTable('rainbow');
      const bvOf = (r: number) => Math.fround(Number(bv[r]));
      const expected = (r: number) => {
        const k = colormapIndex(bvOf(r), colorRange[0], colorRange[1]);
        return [lut[4 * k], lut[4 * k + 1], lut[4 * k + 2]];
      };
      const at = (x: number, y: number) => { const o = (y * size + x) * 4; return [px[o], px[o + 1], px[o + 2]]; };
      const close = (a: number[], b: number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]) <= tol);
      /** Horizontal run of pixels of the star's own colour through its centre. */
      const width = (r: number) => {
        const y = Math.floor(pos[2 * r + 1]);
        const x0 = Math.floor(pos[2 * r]);
        const c = expected(r);
        let w = 0;
        for (let x = x0; x >= 0 && close(at(x, y), c, 40); x--) w++;
        for (let x = x0 + 1; x < size && close(at(x, y), c, 40); x++) w++;
        return w;
      };
      const bright: number[] = [];
      for (let r = 0; r < n; r++) {
        const x = pos[2 * r];
        const y = pos[2 * r + 1];
        if (mag[r] < 2.0 && x > 12 && y > 12 && x < size - 12 && y < size - 12) bright.push(r);
      }
      expect(bright).to.include(sirius);
      expect(bright.length, 'bright stars in view (Sirius, Betelgeuse, Rigel, Procyon, Bellatrix...)').to.be.at.least(5);
      const report = bright.map((r) => `mag ${mag[r].toFixed(2)} bv ${bv[r]} width ${width(r)} centre rgb(${at(Math.floor(pos[2 * r]), Math.floor(pos[2 * r + 1]))}) expected rgb(${expected(r)})`);
      console.log(report.join('\n'));
      for (const r of bright) {
        expect(close(at(Math.floor(pos[2 * r]), Math.floor(pos[2 * r + 1])), expected(r), 3), `centre colour of the mag ${mag[r]} star (B-V ${bv[r]})`).to.equal(true);
        if (r !== sirius) expect(width(sirius), `Sirius wider than the mag ${mag[r]} star`).to.be.greaterThan(width(r));
      }
      expect(width(sirius)).to.be.within(14, 17);
      const hit = await renderer.pick(pos[2 * sirius], pos[2 * sirius + 1]);
      expect(hit?.row).to.equal(sirius);
      expect(layer.rowPosition(hit!.row).raDeg).to.be.closeTo(101.287, 0.01);
    } finally {
      renderer.destroy();
      target.destroy();
      device.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });
});
