// MOCs through the element in real WebGPU (SwiftShader): the 50 % and 90 % credible regions of the
// BAYESTAR multi-order GW map (src/moc/credible.ts, checked against astropy/numpy in Node) drawn as
// fills cover their own area on screen (pixel solid angles of the exported SIN view summed), and
// the perimeter runs along the boundary of the filled region, nowhere else.
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import { credibleRegions, readMultiOrderMap } from '../../src/moc/credible.js';
import { readFits } from '../../src/workers/fits/file.js';

/** Solid angle (deg²) of the pixels of channel c at or above `min` in an exported SIN view: cdelt² / cos(rho). */
function sinArea(p: Awaited<ReturnType<typeof planes>>, c: number, min = 32): number {
  const pixDeg = p.cdeltDeg;
  let s = 0;
  for (let y = 0; y < p.ht; y++) {
    for (let x = 0; x < p.w; x++) {
      if (p.at(c, x, y) < min) continue;
      const X = ((x - (p.w - 1) / 2) * pixDeg * Math.PI) / 180;
      const Y = ((y - (p.ht - 1) / 2) * pixDeg * Math.PI) / 180;
      s += (pixDeg * pixDeg) / Math.sqrt(1 - X * X - Y * Y);
    }
  }
  return s;
}

async function planes(sky: EsaskySky) {
  const fits = readFits(new Uint8Array(await (await sky.exportFITS()).arrayBuffer()));
  const h = fits.hdus[0]!.header;
  const img = fits.hdus[0]!.readImage();
  const w = Number(h.get('NAXIS1'));
  const ht = Number(h.get('NAXIS2'));
  return { w, ht, cdeltDeg: Number(h.get('CDELT2')), at: (c: number, x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= ht ? 0 : Number(img.data[c * w * ht + y * w + x])) };
}

describe('<esasky-sky> MOCs', () => {
  it('GW credible regions: fills cover their area, the perimeter follows their boundary', async () => {
    const bytes = await (await fetch('/shared/data/allsky_maps/bayestar.multiorder.fits')).arrayBuffer();
    const [r50, r90] = credibleRegions(readMultiOrderMap(bytes), [0.5, 0.9]);
    const sky = document.createElement('esasky-sky') as EsaskySky;
    sky.style.cssText = 'display:block;width:560px;height:560px';
    sky.setAttribute('target', '316.4 10.4');
    sky.setAttribute('fov', '56');
    document.body.appendChild(sky);
    try {
      const id90 = await sky.addMoc(r90!.moc, { color: '#0000ff', opacity: 0.5, perimeter: false });
      const id50 = await sky.addMoc(r50!.moc.toJson(), { color: '#ff0000', opacity: 0.5, perimeter: false });
      expect(sky.getMocInfo(id90)).to.deep.include({ maxOrder: 11, drawOrder: Math.max(...r90!.moc.toCells().map((o) => o.order)) });
      expect(sky.getMocInfo(id50).areaSqDeg).to.be.closeTo(r50!.areaSqDeg, 1e-6);
      const p = await planes(sky);
      const pixDeg = p.cdeltDeg;
      // solid angle of pixel (x, y) of a SIN view: cdelt² / cos(rho), plane offsets in radians
      const area = (c: number): number => {
        let s = 0;
        for (let y = 0; y < p.ht; y++) {
          for (let x = 0; x < p.w; x++) {
            if (p.at(c, x, y) < 32) continue;
            const X = ((x - (p.w - 1) / 2) * pixDeg * Math.PI) / 180;
            const Y = ((y - (p.ht - 1) / 2) * pixDeg * Math.PI) / 180;
            s += (pixDeg * pixDeg) / Math.sqrt(1 - X * X - Y * Y);
          }
        }
        return s;
      };
      const a90 = area(2);
      const a50 = area(0);
      console.log(`90 %: drawn ${a90.toFixed(2)} deg² vs ${r90!.areaSqDeg.toFixed(2)}; 50 %: drawn ${a50.toFixed(2)} vs ${r50!.areaSqDeg.toFixed(2)} (pixel ${(pixDeg * 3600).toFixed(0)}″)`);
      expect(a90 / r90!.areaSqDeg).to.be.closeTo(1, 0.03);
      expect(a50 / r50!.areaSqDeg).to.be.closeTo(1, 0.03);
      const filled = (x: number, y: number) => p.at(2, x, y) >= 32;
      // the perimeter of the 90 % region alone, in green
      sky.removeMoc(id90);
      sky.removeMoc(id50);
      await sky.addMoc(r90!.moc, { color: '#00ff00', fill: false, perimeter: true, lineWidthPx: 1 });
      const q = await planes(sky);
      let onEdge = 0;
      let strays = 0;
      let boundary = 0;
      let covered = 0;
      const near = (x: number, y: number, r: number, f: (i: number, j: number) => boolean) => {
        for (let j = y - r; j <= y + r; j++) for (let i = x - r; i <= x + r; i++) if (f(i, j)) return true;
        return false;
      };
      for (let y = 1; y < q.ht - 1; y++) {
        for (let x = 1; x < q.w - 1; x++) {
          if (q.at(1, x, y) >= 128) {
            if (near(x, y, 2, filled) && near(x, y, 2, (i, j) => !filled(i, j))) onEdge++;
            else strays++;
          }
          if (filled(x, y) && near(x, y, 1, (i, j) => !filled(i, j))) {
            boundary++;
            if (near(x, y, 2, (i, j) => q.at(1, i, j) >= 128)) covered++;
          }
        }
      }
      console.log(`perimeter: ${onEdge} pixels on the fill's edge, ${strays} elsewhere; ${covered} of ${boundary} edge pixels covered`);
      expect(onEdge).to.be.greaterThan(200);
      expect(strays).to.equal(0);
      expect(covered / boundary).to.be.greaterThan(0.97);
      await sky.addMoc('https://invalid.example/none.fits').then(() => expect.fail('no MOC there'), (e: Error) => expect(e.message).to.match(/fetch|HTTP|Failed/i));
      await sky.addMoc('{"3": [1, 2], "bad"').then(() => expect.fail('bad JSON'), (e: Error) => expect(e.message).to.match(/expected ':' after key "bad"/));
    } finally {
      sky.remove();
    }
  });

  it('a MOC of order-3 and order-12 cells: each drawn at its own order, the fill has healpy\'s area, the perimeter its edge', async () => {
    // test/fixtures/moc/make_mixed.py: the view shows order-3 cells 100 and 101 and a 0.5° disc of order-12 cells across their side
    const ref = await (await fetch('/test/fixtures/moc/mixed.json')).json() as { moc: Record<string, number[]>; view: { raDeg: number; decDeg: number; fovDeg: number; areaSr: number } };
    const sky = document.createElement('esasky-sky') as EsaskySky;
    sky.style.cssText = 'display:block;width:560px;height:560px';
    sky.setAttribute('target', `${ref.view.raDeg} ${ref.view.decDeg}`);
    sky.setAttribute('fov', String(ref.view.fovDeg));
    document.body.appendChild(sky);
    try {
      const id = await sky.addMoc(ref.moc, { color: '#0000ff', opacity: 0.5, perimeter: false });
      const info = sky.getMocInfo(id);
      expect(info).to.deep.include({ maxOrder: 12, drawOrder: 12 });
      expect(info.cells).to.be.below(3 + ref.moc['12']!.length);
      const p = await planes(sky);
      const refDeg2 = ref.view.areaSr * (180 / Math.PI) ** 2;
      const drawn = sinArea(p, 2);
      console.log(`mixed orders: drawn ${drawn.toFixed(3)} deg² vs healpy ${refDeg2.toFixed(3)} (pixel ${(p.cdeltDeg * 3600).toFixed(0)}″), ${info.cells} cells`);
      expect(drawn / refDeg2).to.be.closeTo(1, 0.01);
      // the perimeter alone (green) lies on the fill's edge only
      sky.removeMoc(id);
      await sky.addMoc(ref.moc, { color: '#00ff00', fill: false, perimeter: true, lineWidthPx: 1 });
      const q = await planes(sky);
      let strays = 0;
      let onEdge = 0;
      const filled = (x: number, y: number) => p.at(2, x, y) >= 32;
      for (let y = 2; y < q.ht - 2; y++) {
        for (let x = 2; x < q.w - 2; x++) {
          if (q.at(1, x, y) < 128) continue;
          let inside = false;
          let outside = false;
          for (let j = y - 2; j <= y + 2; j++) {
            for (let i = x - 2; i <= x + 2; i++) {
              if (filled(i, j)) inside = true;
              else outside = true;
            }
          }
          if (inside && outside) onEdge++;
          else strays++;
        }
      }
      console.log(`mixed orders perimeter: ${onEdge} pixels on the fill's edge, ${strays} elsewhere`);
      expect(onEdge).to.be.greaterThan(300);
      expect(strays).to.equal(0);
    } finally {
      sky.remove();
    }
  });
});
