// The element's side of catalogue marks: a marker image given as a URL (loaded, then the layer is
// built; a broken URL raises layer-error naming it), proper motions (rows drawn and picked at the
// chosen epoch, setCatalogueEpoch moving them), and the image catalogue rebuilt after a GPU device loss.
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import { propagate } from '../../src/catalog/properMotion.js';
import { makeCamera, project, type ViewState } from '../../src/math/camera.js';
import { lonLatDegToVec } from '../../src/math/vec3.js';
import { sleep } from './renderTarget.js';
import { getSharedDevice } from '../../src/elements/sharedDevice.js';

describe('<esasky-sky> catalogue marks', () => {
  it('loads a marker image from a URL, draws rows at the chosen epoch, moves them with setCatalogueEpoch and survives a device loss', async () => {
    const sky = document.createElement('esasky-sky') as EsaskySky;
    sky.style.cssText = 'display:block;width:240px;height:240px';
    sky.setAttribute('target', '269.45 4.75');
    sky.setAttribute('fov', '1');
    document.body.appendChild(sky);
    // Barnard's star (Tycho-2, J2000) and a motionless neighbour
    const raDeg = Float64Array.from([269.45207389, 269.3]);
    const decDeg = Float64Array.from([4.69327996, 4.9]);
    const pmRa = Float64Array.from([-798.8, 0]);
    const pmDec = Float64Array.from([10277.3, 0]);
    const errors: string[] = [];
    sky.addEventListener('layer-error', (e) => errors.push((e as CustomEvent<{ reason: string }>).detail.reason));
    try {
      const bad = sky.overlayCatalogue({ raDeg, decDeg, shape: 'image', image: '/no/such/marker.png' });
      const id = sky.overlayCatalogue({
        raDeg, decDeg, columns: { pmRa, pmDec, name: ['Barnard', ''] }, shape: 'image', image: '/docs/screenshot.png', sizePx: 16, densityThreshold: Infinity,
        properMotion: { pmRaColumn: 'pmRa', pmDecColumn: 'pmDec', catalogueEpoch: 2000, epoch: 2000, arrowYears: 20 },
      });
      for (let i = 0; i < 400 && !sky.getCatalogueStats(id); i++) await sleep(25);
      expect(sky.getCatalogueStats(id), 'the layer is built once the image is loaded').to.deep.include({ rows: 2 });
      const frames = sky.framesDrawn;
      for (let i = 0; i < 400 && sky.framesDrawn === frames; i++) await sleep(25);
      for (let i = 0; i < 200 && errors.length === 0; i++) await sleep(25);
      expect(errors.join('\n')).to.match(/no\/such\/marker\.png/);
      expect(sky.getCatalogueIds()).to.not.include(bad);

      const canvas = sky.shadowRoot!.querySelector('canvas')!;
      const rect = canvas.getBoundingClientRect();
      const css = (ra: number, dec: number) => {
        const view: ViewState = { raDeg: 269.45, decDeg: 4.75, fovDeg: 1, rollDeg: 0, projection: 'SIN', widthPx: canvas.width, heightPx: canvas.height };
        const p = project(makeCamera(view), lonLatDegToVec(ra, dec))!;
        return [((p[0] + 1) / 2) * rect.width, ((1 - p[1]) / 2) * rect.height] as const;
      };
      const pickAt = async (ra: number, dec: number) => {
        const [x, y] = css(ra, dec);
        return sky.pickCatalogue(x, y);
      };
      const at2000 = await pickAt(raDeg[0], decDeg[0]);
      expect(at2000?.row).to.equal(0);
      // J2020: Barnard's star has moved 206″ north (~ 14 px here): picked there, reported there, not at its J2000 place
      sky.setCatalogueEpoch(id, 2020);
      const frames2 = sky.framesDrawn;
      for (let i = 0; i < 400 && sky.framesDrawn === frames2; i++) await sleep(25);
      const p2020 = propagate({ raDeg: raDeg[0], decDeg: decDeg[0], pmRaCosDecMasYr: pmRa[0], pmDecMasYr: pmDec[0] }, 20);
      const hit = await pickAt(p2020.raDeg, p2020.decDeg);
      expect(hit?.row).to.equal(0);
      expect(hit!.decDeg).to.be.closeTo(p2020.decDeg, 1e-9);
      expect((await pickAt(raDeg[0], decDeg[0]))?.row, 'nothing left at the J2000 place').to.equal(undefined);
      expect(() => sky.setCatalogueEpoch(id, Number.NaN)).to.throw(/epoch must be a Julian year/);
      // labels are drawn by the GPU, so exportPNG has them (as the grid's labels are)
      sky.setCatalogueStyle(id, { labels: { column: 'name', count: 5, fontPx: 14 } });
      const png = await createImageBitmap(await sky.exportPNG());
      const c2 = new OffscreenCanvas(png.width, png.height).getContext('2d')!;
      c2.drawImage(png, 0, 0);
      const [lx, ly] = css(p2020.raDeg, p2020.decDeg);
      const img = c2.getImageData(Math.floor(lx) + 10, Math.floor(ly) - 8, 50, 16).data;
      let white = 0;
      for (let i = 0; i < img.length; i += 4) if (img[i] > 200 && img[i + 1] > 200 && img[i + 2] > 200) white++;
      expect(white, "Barnard's label in the exported PNG").to.be.greaterThan(10);
      // device loss: rebuilt on the new device, at the same epoch, image texture included
      const old = await getSharedDevice();
      old.destroy();
      let again;
      for (let i = 0; i < 200 && again?.row !== 0; i++) {
        await sleep(50);
        again = await pickAt(p2020.raDeg, p2020.decDeg);
      }
      expect(again?.row, 'picked on the new device').to.equal(0);
      expect(await getSharedDevice()).to.not.equal(old);
    } finally {
      sky.remove();
    }
  });
});
