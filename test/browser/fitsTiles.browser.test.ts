// FITS HiPS tiles on the GPU: the Gaia DR2 radial-velocity FITS tiles (../shared, BITPIX -32,
// unpadded) are decoded in workers, uploaded as float textures and coloured by cuts, stretch and
// colormap; the colour under the view centre must be the one the astropy-read value gives
// (test/fixtures/render/make_fits_pixels.py).
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { DecodePool } from '../../src/workers/pool.js';
import { loadHipsProperties } from '../../src/hips/hipsSource.js';
import { colormapTable } from '../../src/render/colormaps.js';
import { createTarget, gpuErrors, pixelAt, requestTestDevice, sleep } from './renderTarget.js';

interface P { raDeg: number; decDeg: number; value: number }

describe('FITS HiPS tiles', () => {
  it('colours each value by cuts, stretch and colormap', async () => {
    const device = await requestTestDevice();
    const pool = new DecodePool(2);
    const points = ((await (await fetch('/test/fixtures/render/fits_pixels.json')).json()).points) as P[];
    const base = '/shared/data/hips/cds_gaia_dr2_radial_velocity_map/';
    const properties = await loadHipsProperties(base);
    const size = 65;
    const target = createTarget(device, size, size);
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addHipsLayer({ id: 'rv', baseUrl: base, properties, fetcher: pool, tileKind: 'fits', display: { colormap: 'grayscale', stretch: 'linear', cuts: [-60, 60] } });
    const c = (size - 1) / 2;
    const settle = async () => {
      for (let i = 0; ; i++) {
        renderer.render(target.texture.createView());
        await device.queue.onSubmittedWorkDone();
        if (renderer.settled) break;
        if (i > 2000) throw new Error('FITS tiles did not arrive');
        await sleep(10);
      }
      return pixelAt(await target.read(), size, c, c);
    };
    try {
      expect(layer.kind).to.equal('fits');
      for (const p of points) {
        renderer.setView({ raDeg: p.raDeg, decDeg: p.decDeg, fovDeg: 18, rollDeg: 0, projection: 'TAN', widthPx: size, heightPx: size });
        const grey = await settle();
        expect(layer.stats.dataOrder).to.equal(3);
        // the order-3 tiles are slices of Norder3/Allsky.fits (FITS layout: the flip of the JPEG one)
        expect(layer.stats.allskyTiles).to.equal(768);
        const want = Math.round(Math.min(1, Math.max(0, (p.value + 60) / 120)) * 255);
        expect(Math.abs(grey[0] - want), `value ${p.value} at (${p.raDeg.toFixed(3)}, ${p.decDeg.toFixed(3)}): grey ${grey[0]} vs ${want}`).to.be.at.most(2);
        expect(grey[3]).to.equal(255);
      }
      // the data values themselves (exportFITS of a FITS survey): the astropy value under the centre
      for (const q of points.slice(0, 4)) {
        renderer.setView({ raDeg: q.raDeg, decDeg: q.decDeg, fovDeg: 18, rollDeg: 0, projection: 'TAN', widthPx: size, heightPx: size });
        await settle();
        const { values } = await renderer.readValues(layer);
        // within 1 km/s: the point under the centre pixel is within ~5% of a texel of the texel
        // centre (the linear 8x8 mesh per cell), and neighbouring texels differ by ~10 km/s here
        expect(values[c * size + c]).to.be.closeTo(q.value, 1);
        expect(Number.isNaN(values[0]) || Number.isFinite(values[0])).to.equal(true);
      }
      // viridis with a sqrt stretch, no reload
      layer.setDisplay({ colormap: 'viridis', stretch: 'sqrt', cuts: [-60, 60] });
      const p = points[0];
      renderer.setView({ raDeg: p.raDeg, decDeg: p.decDeg, fovDeg: 18, rollDeg: 0, projection: 'TAN', widthPx: size, heightPx: size });
      const got = await settle();
      const t = Math.sqrt(Math.min(1, Math.max(0, (p.value + 60) / 120)));
      const lut = colormapTable('viridis');
      const i = Math.round(t * 255);
      const want = [lut[i * 4], lut[i * 4 + 1], lut[i * 4 + 2]];
      const near = [Math.max(0, i - 1), i, Math.min(255, i + 1)].some((k) => Math.max(...[0, 1, 2].map((ch) => Math.abs(lut[k * 4 + ch] - got[ch]))) <= 2);
      expect(near, `viridis rgb(${got.slice(0, 3)}) vs rgb(${want})`).to.equal(true);
      // automatic cuts come from the values in view and bracket most of them
      layer.setDisplay({ colormap: 'grayscale', stretch: 'linear', cuts: 'auto' });
      await settle();
      const [lo, hi] = layer.currentCuts;
      expect(hi).to.be.greaterThan(lo);
      expect(lo).to.be.lessThan(0);
      expect(hi).to.be.greaterThan(0);
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      renderer.destroy();
      target.destroy();
      pool.destroy();
      device.destroy();
    }
  });
});
