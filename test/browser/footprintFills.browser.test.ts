// Fills of UNION / INTERSECTION / NOT and of a polygon beyond a hemisphere, through the element in
// real WebGPU (SwiftShader), against astropy (test/fixtures/footprints/make_fill_pixels.py: pixel ->
// sky with astropy.wcs from the exported view's WCS, inside/outside by numpy/astropy set
// expressions). Every reference pixel more than 3 px from a boundary is filled inside and not
// outside, and the fill is one even colour inside (a UNION's overlapping members are not blended
// twice).
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import { readFits } from '../../src/workers/fits/file.js';

interface Pass {
  view: { raDeg: number; decDeg: number; fovDeg: number; projection: string; widthPx: number; heightPx: number };
  header: Record<string, string | number>;
  footprints: Array<{ stcs: string; color: string; channel: number; pixels: Array<[number, number, number]> }>;
}
const fixture: { passes: Pass[] } = await (await fetch('/test/fixtures/footprints/fill_pixels.json')).json();
const FILL_OPACITY = 0.4;

describe('<esasky-sky> footprint fills (UNION, INTERSECTION, NOT, beyond a hemisphere)', () => {
  expect(devicePixelRatio || 1, 'the fixture is for 1 device pixel per CSS pixel').to.equal(1);

  for (const pass of fixture.passes) {
    it(`${pass.view.projection}: ${pass.footprints.map((f) => f.stcs.slice(0, 40)).join(' | ')}`, async () => {
      const v = pass.view;
      const sky = document.createElement('esasky-sky') as EsaskySky;
      sky.style.cssText = `display:block;width:${v.widthPx}px;height:${v.heightPx}px`;
      sky.setAttribute('target', `${v.raDeg} ${v.decDeg}`);
      sky.setAttribute('fov', String(v.fovDeg));
      sky.setAttribute('projection', v.projection);
      document.body.appendChild(sky);
      try {
        const id = await sky.overlayFootprints(pass.footprints.map((f) => f.stcs), {
          colors: pass.footprints.map((f) => f.color), fill: true, fillOpacity: FILL_OPACITY, lineWidthPx: 1,
        });
        expect(sky.getFootprintProblems(id)).to.deep.equal([]);
        await sky.whenSettled();
        const fits = readFits(new Uint8Array(await (await sky.exportFITS()).arrayBuffer()));
        const h = fits.hdus[0]!.header;
        for (const [k, val] of Object.entries(pass.header)) {
          if (typeof val === 'number') expect(Number(h.get(k)), k).to.be.closeTo(val, 1e-9 * Math.max(1, Math.abs(val)));
          else expect(h.get(k), k).to.equal(val);
        }
        const img = fits.hdus[0]!.readImage();
        const w = Number(h.get('NAXIS1'));
        const ht = Number(h.get('NAXIS2'));
        const at = (c: number, x: number, y: number): number => Number(img.data[c * w * ht + y * w + x]);
        const report: string[] = [];
        for (const f of pass.footprints) {
          const inside = f.pixels.filter((p) => p[2] === 1).map(([x, y]) => at(f.channel, x, y));
          const outside = f.pixels.filter((p) => p[2] === 0).map(([x, y]) => at(f.channel, x, y));
          const sorted = [...inside].sort((a, b) => a - b);
          const median = sorted[sorted.length >> 1]!;
          const unfilled = f.pixels.filter(([x, y, i]) => i === 1 && Math.abs(at(f.channel, x, y) - median) > 6);
          const stray = f.pixels.filter(([x, y, i]) => i === 0 && at(f.channel, x, y) > 6);
          report.push(`${f.stcs.slice(0, 60)}: ${inside.length} inside (median ${median}, range ${sorted[0]}..${sorted[sorted.length - 1]}), ${outside.length} outside, ${unfilled.length} uneven/unfilled, ${stray.length} filled outside`);
          expect(inside.length, `${f.stcs}: reference pixels inside`).to.be.at.least(200);
          // one layer of the fill colour at the fill opacity (twice would be ~163)
          expect(median, `${f.stcs}: fill value`).to.be.closeTo(255 * FILL_OPACITY, 8);
          expect(unfilled.slice(0, 5), `${f.stcs}: inside pixels not filled once`).to.deep.equal([]);
          expect(stray.slice(0, 5), `${f.stcs}: outside pixels filled`).to.deep.equal([]);
        }
        console.log(`${v.projection}\n${report.join('\n')}`);
      } finally {
        sky.remove();
      }
    });
  }
});
