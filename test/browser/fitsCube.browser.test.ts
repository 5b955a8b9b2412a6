// A FITS cube on the sky: <esasky-sky>.addFitsImage of a generated 3-plane int16 cube (TAN WCS,
// BSCALE/BZERO) draws plane 0; setFitsImagePlane and the plane slider in the element's shadow DOM
// switch planes, and the exported view's pixels take the grey of that plane's physical value.
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import { readFits } from '../../src/workers/fits/index.js';
import { sleep } from './renderTarget.js';

const N = 24;
/** Physical value of every pixel of plane k (stored int16 * BSCALE + BZERO). */
const PLANE_VALUES = [30, 150, 270];

function cubeFile(): File {
  const cards = [
    'SIMPLE  =                    T', 'BITPIX  =                   16', 'NAXIS   =                    3',
    `NAXIS1  = ${String(N).padStart(20)}`, `NAXIS2  = ${String(N).padStart(20)}`, 'NAXIS3  =                    3',
    'BSCALE  =                  2.0', 'BZERO   =                 10.0',
    "CTYPE1  = 'RA---TAN'", "CTYPE2  = 'DEC--TAN'", 'CRVAL1  =                150.0', 'CRVAL2  =                  2.0',
    `CRPIX1  = ${String((N + 1) / 2).padStart(20)}`, `CRPIX2  = ${String((N + 1) / 2).padStart(20)}`,
    'CDELT1  =             -0.01666', 'CDELT2  =              0.01666', "CTYPE3  = 'VRAD'", 'END',
  ].map((c) => c.padEnd(80)).join('');
  const header = new TextEncoder().encode(cards.padEnd(2880));
  const data = new Uint8Array(Math.ceil((N * N * 3 * 2) / 2880) * 2880);
  const dv = new DataView(data.buffer);
  for (let k = 0; k < 3; k++) for (let i = 0; i < N * N; i++) dv.setInt16(2 * (k * N * N + i), (PLANE_VALUES[k]! - 10) / 2);
  return new File([header, data], 'cube.fits');
}

/** Red channel at the centre of the exported view (FITS RGB planes; our own reader). */
async function centreGrey(sky: EsaskySky): Promise<number> {
  const fits = readFits(await (await sky.exportFITS()).arrayBuffer());
  const img = fits.hdus[0]!.readImagePlane(0);
  const [w, h] = img.shape as [number, number];
  return img.data[Math.floor(h / 2) * w + Math.floor(w / 2)]!;
}

const grey = (v: number): number => Math.round((v / 300) * 255);

describe('FITS cubes in <esasky-sky>', () => {
  it('draws plane 0, switches planes by API and by the shadow-DOM slider', async () => {
    const sky = document.createElement('esasky-sky') as EsaskySky;
    sky.style.cssText = 'display:block;width:64px;height:64px';
    document.body.appendChild(sky);
    try {
      await sleep(200);
      const id = await sky.addFitsImage(cubeFile(), { colormap: 'grayscale', cuts: [0, 300] });
      expect(sky.getFitsImagePlane(id)).to.deep.equal({ plane: 0, planeCount: 3 });
      expect(sky.getCenter().raDeg).to.be.closeTo(150, 0.01);
      expect(Math.abs((await centreGrey(sky)) - grey(PLANE_VALUES[0]!))).to.be.at.most(3);

      await sky.setFitsImagePlane(id, 1);
      expect(sky.getFitsImagePlane(id).plane).to.equal(1);
      expect(Math.abs((await centreGrey(sky)) - grey(PLANE_VALUES[1]!))).to.be.at.most(3);

      // the slider: labelled, ranged 0..2, moving it to 2 draws plane 2
      await sky.updateComplete;
      const slider = sky.shadowRoot!.querySelector<HTMLInputElement>('input[type="range"]')!;
      expect(slider, 'plane slider').to.not.equal(null);
      expect(slider.getAttribute('aria-label')).to.equal('Cube plane of cube.fits');
      expect([slider.min, slider.max, slider.value]).to.deep.equal(['0', '2', '1']);
      slider.value = '2';
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      for (let i = 0; i < 200 && sky.getFitsImagePlane(id).plane !== 2; i++) await sleep(25);
      expect(sky.getFitsImagePlane(id).plane).to.equal(2);
      expect(Math.abs((await centreGrey(sky)) - grey(PLANE_VALUES[2]!))).to.be.at.most(3);
      await sky.updateComplete;
      expect(sky.shadowRoot!.querySelector('.planes output')!.textContent).to.equal('3/3');

      // a newer plane supersedes one still pending: the older promise rejects with AbortError
      const superseded = sky.setFitsImagePlane(id, 0);
      const latest = sky.setFitsImagePlane(id, 1);
      let abortName = '';
      try {
        await superseded;
      } catch (e) {
        abortName = (e as Error).name;
      }
      await latest;
      expect(abortName).to.equal('AbortError');
      expect(sky.getFitsImagePlane(id).plane).to.equal(1);
      expect(Math.abs((await centreGrey(sky)) - grey(PLANE_VALUES[1]!))).to.be.at.most(3);

      let message = '';
      try {
        await sky.setFitsImagePlane(id, 3);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).to.match(/plane 3 is out of range \[0, 2\]/);
      sky.removeHips(id);
      await sky.updateComplete;
      expect(sky.shadowRoot!.querySelector('.planes')).to.equal(null);
    } finally {
      sky.remove();
    }
  });

  it('shows a gzip-compressed cube (inflated in a worker) and its planes', async () => {
    const sky = document.createElement('esasky-sky') as EsaskySky;
    sky.style.cssText = 'display:block;width:64px;height:64px';
    document.body.appendChild(sky);
    try {
      await sleep(200);
      const gz = await new Response(cubeFile().stream().pipeThrough(new CompressionStream('gzip'))).blob();
      const id = await sky.addFitsImage(new File([gz], 'cube.fits.gz'), { colormap: 'grayscale', cuts: [0, 300], plane: 2 });
      expect(sky.getFitsImagePlane(id)).to.deep.equal({ plane: 2, planeCount: 3 });
      expect(Math.abs((await centreGrey(sky)) - grey(PLANE_VALUES[2]!))).to.be.at.most(3);
      await sky.setFitsImagePlane(id, 0);
      expect(Math.abs((await centreGrey(sky)) - grey(PLANE_VALUES[0]!))).to.be.at.most(3);
    } finally {
      sky.remove();
    }
  });
});
