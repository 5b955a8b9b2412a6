// Footprints through the element in real WebGPU (SwiftShader), checked against astropy.wcs
// (test/fixtures/footprints/make_footprint_pixels.py): the exported view's outlines pass within one
// pixel of astropy's positions of the vertices and great-circle edge points; a polygon across RA 0,
// one around the north pole, a circle and a reversed-winding box are filled inside and not outside;
// picking returns the footprint under the pointer, clicks select and highlight it; footprints come
// back after a GPU device loss; bad STC-S is named.
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import type { FootprintEventDetail } from '../../src/footprints/api.js';
import { FootprintError } from '../../src/footprints/footprintSets.js';
import { BASE_TOLERANCE_RAD } from '../../src/footprints/tessellate.js';
import { readFits } from '../../src/workers/fits/file.js';
import { sleep } from './renderTarget.js';
import { getSharedDevice } from '../../src/elements/sharedDevice.js';

interface Pt { lon: number; lat: number; x: number; y: number }
interface Fixture {
  footprints: Array<{ stcs: string; color: string; channel: number }>;
  views: Array<{
    view: { raDeg: number; decDeg: number; fovDeg: number; projection: string; widthPx: number; heightPx: number };
    header: Record<string, string | number>;
    footprints: Array<{ edge: Pt[]; inside: Pt[]; outside: Pt[] }>;
  }>;
}

const fixture: Fixture = await (await fetch('/test/fixtures/footprints/footprint_pixels.json')).json();

function nextEvent<T>(el: EventTarget, type: string, timeoutMs = 5000): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), timeoutMs);
    el.addEventListener(type, (e) => {
      clearTimeout(t);
      resolve((e as CustomEvent<T>).detail);
    }, { once: true });
  });
}

async function makeSky(view: Fixture['views'][number]['view']): Promise<EsaskySky> {
  const sky = document.createElement('esasky-sky') as EsaskySky;
  sky.style.cssText = `display:block;width:${view.widthPx}px;height:${view.heightPx}px`;
  sky.setAttribute('target', `${view.raDeg} ${view.decDeg}`);
  sky.setAttribute('fov', String(view.fovDeg));
  sky.setAttribute('projection', view.projection);
  document.body.appendChild(sky);
  return sky;
}

/** FITS planes of the exported view: channel c at 0-based FITS pixel (x, y up). */
async function exportPlanes(sky: EsaskySky) {
  const fits = readFits(new Uint8Array(await (await sky.exportFITS()).arrayBuffer()));
  const h = fits.hdus[0]!.header;
  const img = fits.hdus[0]!.readImage();
  const w = Number(h.get('NAXIS1'));
  const ht = Number(h.get('NAXIS2'));
  const at = (c: number, x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= ht ? 0 : Number(img.data[c * w * ht + y * w + x]));
  return { h, w, ht, at };
}

/** Distance from (x, y) to the nearest pixel centre whose channel c is at least `min` (within 4 px). */
function nearest(at: (c: number, x: number, y: number) => number, c: number, x: number, y: number, min: number): number {
  let best = Infinity;
  for (let j = Math.floor(y) - 4; j <= Math.ceil(y) + 4; j++) {
    for (let i = Math.floor(x) - 4; i <= Math.ceil(x) + 4; i++) {
      if (at(c, i, j) >= min) best = Math.min(best, Math.hypot(i - x, j - y));
    }
  }
  return best;
}

describe('<esasky-sky> footprints', () => {
  expect(devicePixelRatio || 1, 'the fixture is for 1 device pixel per CSS pixel').to.equal(1);

  for (const v of fixture.views) {
    it(`${v.view.projection}: outlines on astropy's positions, fills inside only, picking`, async () => {
      const sky = await makeSky(v.view);
      try {
        const id = await sky.overlayFootprints(fixture.footprints.map((f) => f.stcs), {
          colors: fixture.footprints.map((f) => f.color), fill: true, fillOpacity: 0.4, lineWidthPx: 2,
        });
        expect(sky.getFootprintProblems(id)).to.deep.equal([]);
        const { h, w, ht, at } = await exportPlanes(sky);
        expect([w, ht]).to.deep.equal([v.view.widthPx, v.view.heightPx]);
        for (const [k, val] of Object.entries(v.header)) {
          if (typeof val === 'number') expect(Number(h.get(k)), k).to.be.closeTo(val, 1e-9 * Math.max(1, Math.abs(val)));
          else expect(h.get(k), k).to.equal(val);
        }
        const report: string[] = [];
        fixture.footprints.forEach((f, k) => {
          const ref = v.footprints[k]!;
          const dists = ref.edge.map((p) => nearest(at, f.channel, p.x, p.y, 150));
          const worst = Math.max(...dists);
          report.push(`${f.stcs}: ${dists.length} edge points, worst ${worst.toFixed(2)} px`);
          expect(dists.length, `${f.stcs}: edge points in view`).to.be.at.least(8);
          expect(worst, `${f.stcs}: outline within one pixel of astropy's points`).to.be.at.most(1);
          for (const p of ref.inside) expect(at(f.channel, Math.round(p.x), Math.round(p.y)), `${f.stcs}: filled at ${p.lon},${p.lat}`).to.be.at.least(60);
          for (const p of ref.outside) expect(at(f.channel, Math.round(p.x), Math.round(p.y)), `${f.stcs}: not filled at ${p.lon},${p.lat}`).to.be.below(25);
        });
        console.log(`${v.view.projection}\n${report.join('\n')}`);
        // picking: the footprint under each inside point (CSS pixels from the top-left)
        for (const [k, ref] of v.footprints.entries()) {
          for (const p of ref.inside) {
            const hit = (await sky.pickCatalogue(p.x + 0.5, v.view.heightPx - 0.5 - p.y)) as FootprintEventDetail | undefined;
            expect(hit?.kind, `pick at ${p.lon},${p.lat}`).to.equal('footprint');
            expect(hit?.row, `pick at ${p.lon},${p.lat}`).to.equal(k);
            expect(hit?.footprint).to.equal(fixture.footprints[k]!.stcs);
          }
        }
      } finally {
        sky.remove();
      }
    });
  }

  it('selects on click (highlight drawn), hovers, re-tessellates on deep zoom, removes', async () => {
    const v = fixture.views[0]!;
    const sky = await makeSky(v.view);
    try {
      const id = await sky.overlayFootprints(fixture.footprints.map((f) => ({ s_region: f.stcs, obs_id: f.color })), { color: '#ff0000', lineWidthPx: 2 });
      await sky.whenSettled();
      const canvas = sky.shadowRoot!.querySelector('canvas')!;
      const rect = canvas.getBoundingClientRect();
      const inside = v.footprints[3]!.inside[0]!;
      const at = { clientX: rect.left + inside.x + 0.5, clientY: rect.top + v.view.heightPx - 0.5 - inside.y };
      const pointer = (type: string, buttons = 0) => canvas.dispatchEvent(new PointerEvent(type, { ...at, pointerId: 1, button: 0, buttons, bubbles: true }));
      const hover = nextEvent<FootprintEventDetail>(sky, 'shape-hover');
      pointer('pointermove');
      expect(await hover).to.deep.include({ kind: 'footprint', layer: id, row: 3 });
      const select = nextEvent<FootprintEventDetail>(sky, 'shape-select');
      pointer('pointerdown', 1);
      pointer('pointerup');
      const s = await select;
      expect(s).to.deep.include({ kind: 'footprint', layer: id, row: 3 });
      expect(s!.footprint).to.deep.equal({ s_region: fixture.footprints[3]!.stcs, obs_id: '#ff0000' });
      // the highlight (default #ff4081) is drawn along footprint 3's edges only
      const planes = await exportPlanes(sky);
      const edge3 = v.footprints[3]!.edge.map((p) => nearest(planes.at, 2, p.x, p.y, 90));
      expect(Math.max(...edge3), 'highlight along the selected footprint').to.be.at.most(1.5);
      const edge0 = v.footprints[0]!.edge.map((p) => nearest(planes.at, 2, p.x, p.y, 90));
      expect(Math.min(...edge0), 'no highlight on the others').to.equal(Infinity);
      // a CAR view at 0.1° (0.5° segments would stray ~1.4 px): finer tessellation asked of the workers
      sky.setAttribute('projection', 'CAR');
      sky.setAttribute('fov', '0.1');
      sky.setAttribute('target', '0 66.1');
      for (let i = 0; i < 200 && (sky.getFootprintStats(id)?.retessellations ?? 0) === 0; i++) await sleep(50);
      const st = sky.getFootprintStats(id)!;
      expect(st.retessellations).to.be.at.least(1);
      expect(st.toleranceRad).to.be.below(BASE_TOLERANCE_RAD);
      // device loss: the footprints are rebuilt on the new device from the kept geometry and pick again
      sky.setAttribute('projection', 'SIN');
      sky.setAttribute('fov', String(v.view.fovDeg));
      sky.setAttribute('target', `${v.view.raDeg} ${v.view.decDeg}`);
      await sky.whenSettled();
      const old = await getSharedDevice();
      old.destroy();
      let hit: FootprintEventDetail | undefined;
      for (let i = 0; i < 200 && hit?.row !== 3; i++) {
        await sleep(50);
        hit = (await sky.pickCatalogue(inside.x + 0.5, v.view.heightPx - 0.5 - inside.y)) as FootprintEventDetail | undefined;
      }
      expect(hit?.row, 'picked on the new device').to.equal(3);
      expect(await getSharedDevice()).to.not.equal(old);
      sky.removeFootprints(id);
      expect(sky.getFootprintIds()).to.deep.equal([]);
      expect(await sky.pickCatalogue(inside.x + 0.5, v.view.heightPx - 0.5 - inside.y)).to.equal(undefined);
      expect(() => sky.getFootprintProblems(id)).to.throw(/no footprint set/);
    } finally {
      sky.remove();
    }
  });

  it('names bad STC-S: rejects when nothing (or, strict, anything) is readable, else reports each', async () => {
    const sky = await makeSky(fixture.views[0]!.view);
    try {
      let err: unknown;
      try {
        await sky.overlayFootprints(['POLYGON ICRS 1 2 abc 4 5 6']);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(FootprintError);
      expect((err as Error).message).to.match(/footprint 0: STC-S: .*'abc' at position 17/);
      const events: string[] = [];
      sky.addEventListener('layer-error', (e) => events.push((e as CustomEvent<{ reason: string }>).detail.reason));
      const id = await sky.overlayFootprints(['CIRCLE ICRS 0 80 1', 'CIRCLE ICRS 0 80', 'BOX ICRS 10 80 1 1']);
      expect(events).to.deep.equal(["footprint 1: STC-S: CIRCLE needs lon lat radius; got 2 numbers before at the end at position 16 of \"CIRCLE ICRS 0 80\""]);
      expect(sky.getFootprintProblems(id).map((p) => p.index)).to.deep.equal([1]);
      let strictErr: unknown;
      try {
        await sky.overlayFootprints(['CIRCLE ICRS 0 80 1', 'POSITION ICRS 0 95'], { strict: true });
      } catch (e) {
        strictErr = e;
      }
      expect((strictErr as Error).message).to.match(/1 of 2 footprints could not be read; first: footprint 1: .*latitude outside \[-90, 90\]: '95'/);
      await sky.overlayFootprints([{ obs_id: 1 }]).then(() => expect.fail('a row without s_region'), (e: Error) => expect(e.message).to.match(/no string column 's_region'/));
      expect(sky.getFootprintIds()).to.deep.equal([id]);
    } finally {
      sky.remove();
    }
  });
});
