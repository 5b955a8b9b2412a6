// A FITS image drawn at its WCS: real 2MASS (RA---TAN, int16) and Bolocam (GLON-CAR, Galactic,
// float) images from ../shared; the header is read on the main thread, the pixels in a worker;
// at the sky position astropy.wcs gives for an image pixel, the rendered grey is that pixel's
// value through the cuts (test/fixtures/render/make_fits_image_pixels.py).
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { FitsImageLayer } from '../../src/render/layers/fitsImageLayer.js';
import { DecodePool } from '../../src/workers/pool.js';
import { UploadBudget } from '../../src/render/uploadBudget.js';
import { readFits, parseWcs } from '../../src/workers/fits/index.js';
import { frameRotation, applyMat3 } from '../../src/math/frames.js';
import { lonLatDegToVec, vecToLonLatDeg } from '../../src/math/vec3.js';
import { createTarget, gpuErrors, pixelAt, requestTestDevice } from './renderTarget.js';

interface Img { file: string; cuts: [number, number]; frame: string; degPerPixel: number; points: Array<{ lon: number; lat: number; value: number }> }

describe('FITS images on the sky', () => {
  it('<esasky-sky>.addFitsImage shows a dropped file and reports a bad one', async () => {
    await import('../../src/define.js');
    const sky = document.createElement('esasky-sky');
    sky.style.cssText = 'display:block;width:64px;height:64px';
    document.body.appendChild(sky);
    await new Promise((r) => setTimeout(r, 300));
    const bytes = await (await fetch('/shared/data/fits_samples/gc_2mass_k.fits')).arrayBuffer();
    const file = new File([bytes], 'gc_2mass_k.fits');
    const id = await sky.addFitsImage(file, { colormap: 'inferno' });
    expect(id).to.match(/^fits-/);
    // centred on the image (2MASS K of the Galactic centre, RA ~266.4)
    expect(sky.getCenter().raDeg).to.be.closeTo(266.4, 0.5);
    await sky.whenSettled();
    const errors: string[] = [];
    sky.addEventListener('layer-error', (e) => errors.push((e as CustomEvent<{ reason: string }>).detail.reason));
    let threw = false;
    try {
      await sky.addFitsImage(new File([new TextEncoder().encode('not a fits file at all')], 'bad.fits'));
    } catch {
      threw = true;
    }
    expect(threw).to.equal(true);
    expect(errors.join(' ')).to.contain('bad.fits');
    sky.removeHips(id);
    sky.remove();
  });

  it('places real images by their WCS and colours their values', async () => {
    const ref = await (await fetch('/test/fixtures/render/fits_image_pixels.json')).json() as { images: Img[] };
    const device = await requestTestDevice();
    const pool = new DecodePool(1);
    const size = 33;
    const target = createTarget(device, size, size);
    const c = (size - 1) / 2;
    try {
      for (const img of ref.images) {
        const bytes = await (await fetch(`/shared/data/fits_samples/${img.file}`)).arrayBuffer();
        const hdu = readFits(new Uint8Array(bytes)).hdus[0];
        const wcs = parseWcs(hdu.header);
        const { width, height, values } = await pool.decodeFitsImage(bytes.slice(0), 0);
        const renderer = new SkyRenderer(device, 'rgba8unorm');
        renderer.addLayer(new FitsImageLayer(device, 'rgba8unorm', { id: img.file, width, height, values, wcs, display: { colormap: 'grayscale', stretch: 'linear', cuts: img.cuts } }));
        for (const p of img.points) {
          const icrs = img.frame === 'GLON' ? vecToLonLatDeg(applyMat3(frameRotation('galactic', 'icrs'), lonLatDegToVec(p.lon, p.lat))) : [p.lon, p.lat];
          renderer.setView({ raDeg: icrs[0], decDeg: icrs[1], fovDeg: img.degPerPixel * 8, rollDeg: 0, projection: 'TAN', widthPx: size, heightPx: size });
          renderer.render(target.texture.createView());
          const grey = pixelAt(await target.read(), size, c, c);
          const want = Math.round(Math.min(1, Math.max(0, (p.value - img.cuts[0]) / (img.cuts[1] - img.cuts[0]))) * 255);
          expect(Math.abs(grey[0] - want), `${img.file} at (${p.lon.toFixed(4)}, ${p.lat.toFixed(4)}): grey ${grey[0]} vs ${want}`).to.be.at.most(8);
        }
        renderer.destroy();
      }
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      target.destroy();
      pool.destroy();
      device.destroy();
    }
  });

  it('draws an image of many chunks over several texture arrays exactly as over one, uploaded frame by frame', async () => {
    // 300 x 200 px at 0.1 deg/px: 32 px chunks (5 deg each), 10 x 7 = 70 chunks
    const [w, h] = [300, 200];
    const cards = ['SIMPLE  =                    T', 'BITPIX  =                  -32', 'NAXIS   =                    2', `NAXIS1  = ${String(w).padStart(20)}`, `NAXIS2  = ${String(h).padStart(20)}`,
      "CTYPE1  = 'RA---CAR'", "CTYPE2  = 'DEC--CAR'", 'CRVAL1  =                 40.0', 'CRVAL2  =                  0.0', 'CRPIX1  =                150.5', 'CRPIX2  =                100.5',
      'CDELT1  =                 -0.1', 'CDELT2  =                  0.1', 'END'].map((c) => c.padEnd(80)).join('');
    const header = readFits(new TextEncoder().encode(cards.padEnd(2880) + '\0'.repeat(Math.ceil((w * h * 4) / 2880) * 2880))).hdus[0]!.header;
    const wcs = parseWcs(header);
    const values = new Float32Array(w * h).map((_, i) => ((i % w) * 7 + Math.floor(i / w) * 3) % 256);
    const device = await requestTestDevice();
    const size = 48;
    const target = createTarget(device, size, size);
    try {
      const shots: Uint8Array[] = [];
      for (const maxLayersPerTexture of [undefined, 8, 1]) {
        const renderer = new SkyRenderer(device, 'rgba8unorm');
        const layer = renderer.addLayer(new FitsImageLayer(device, 'rgba8unorm', { id: 'many', width: w, height: h, values, wcs, display: { colormap: 'grayscale', stretch: 'linear', cuts: [0, 255] }, ...(maxLayersPerTexture ? { maxLayersPerTexture } : {}) }));
        renderer.setView({ raDeg: 40, decDeg: 0, fovDeg: 35, rollDeg: 0, projection: 'CAR', widthPx: size, heightPx: size });
        // chunks are uploaded under each frame's budget: draw frames until all are on the GPU
        let frames = 0;
        do {
          renderer.render(target.texture.createView());
          frames++;
        } while (layer.hasPendingUploads && frames < 200);
        expect(layer.settled, 'all chunks uploaded').to.equal(true);
        shots.push(await target.read());
        renderer.destroy();
      }
      // a budget that allows one upload per frame shows the image chunk by chunk: blank cells until uploaded
      {
        const renderer = new SkyRenderer(device, 'rgba8unorm');
        const layer = renderer.addLayer(new FitsImageLayer(device, 'rgba8unorm', { id: 'slow', width: w, height: h, values, wcs, display: { colormap: 'grayscale', stretch: 'linear', cuts: [0, 255] } }));
        renderer.setView({ raDeg: 40, decDeg: 0, fovDeg: 35, rollDeg: 0, projection: 'CAR', widthPx: size, heightPx: size });
        renderer.render(target.texture.createView(), new UploadBudget(0));
        expect(layer.hasPendingUploads).to.equal(true);
        const first = await target.read();
        let diff = 0;
        for (let i = 0; i < first.length; i += 4) if (first[i] !== shots[0]![i]) diff++;
        expect(diff, 'pixels not yet drawn after one upload').to.be.greaterThan(100);
        renderer.destroy();
      }
      let lit = 0;
      for (let i = 0; i < shots[0]!.length; i += 4) if (shots[0]![i]! > 20) lit++;
      expect(lit, 'pixels drawn').to.be.greaterThan(size * size * 0.3);
      expect(Array.from(shots[1]!)).to.deep.equal(Array.from(shots[0]!));
      expect(Array.from(shots[2]!)).to.deep.equal(Array.from(shots[0]!));
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      target.destroy();
      device.destroy();
    }
  });
});
