// The element's catalogue API: overlayCatalogue before WebGPU is ready, shape-hover on pointer
// move, shape-select on a click (pointerup without movement) with the row outlined, drag-to-pan
// still panning without selecting, filters, rebuilding after a GPU device loss, and removal.
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import type { ShapeEventDetail } from '../../src/catalog/api.js';
import { makeCamera, project, type ViewState } from '../../src/math/camera.js';
import { lonLatDegToVec } from '../../src/math/vec3.js';
import { sleep } from './renderTarget.js';
import { getSharedDevice } from '../../src/elements/sharedDevice.js';

function nextEvent<T>(el: EventTarget, type: string, timeoutMs = 5000): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), timeoutMs);
    el.addEventListener(type, (e) => {
      clearTimeout(t);
      resolve((e as CustomEvent<T>).detail);
    }, { once: true });
  });
}

describe('<esasky-sky> catalogue API', () => {
  it('hovers, selects, keeps drag-to-pan, filters and removes', async () => {
    const sky = document.createElement('esasky-sky') as EsaskySky;
    sky.style.cssText = 'display:block;width:240px;height:180px';
    sky.setAttribute('target', '10 20');
    sky.setAttribute('fov', '10');
    document.body.appendChild(sky);
    const raDeg = Float64Array.from([10, 8, 12.5]);
    const decDeg = Float64Array.from([20, 21, 18.5]);
    const mag = Float32Array.from([5, 7, 9]);
    const id = sky.overlayCatalogue({ name: 'three stars', raDeg, decDeg, columns: { mag }, shape: 'square', color: '#ff8800', sizePx: 10 });
    expect(id).to.match(/^catalogue-/);
    expect(() => sky.overlayCatalogue({ id, raDeg, decDeg })).to.throw(/already/);
    expect(() => sky.overlayCatalogue({ raDeg, decDeg: Float64Array.from([1]) })).to.throw(/same length/);
    try {
      // the layer is built once WebGPU is up, then drawn
      for (let i = 0; i < 400 && !sky.getCatalogueStats(id); i++) await sleep(25);
      const frames = sky.framesDrawn;
      for (let i = 0; i < 400 && sky.framesDrawn === frames; i++) await sleep(25);
      expect(sky.getCatalogueStats(id)).to.deep.include({ rows: 3, mode: 'markers' });
      const canvas = sky.shadowRoot!.querySelector('canvas')!;
      const rect = canvas.getBoundingClientRect();
      const view: ViewState = { raDeg: 10, decDeg: 20, fovDeg: 10, rollDeg: 0, projection: 'SIN', widthPx: canvas.width, heightPx: canvas.height };
      const cam = makeCamera(view);
      const css = (r: number) => {
        const p = project(cam, lonLatDegToVec(raDeg[r], decDeg[r]))!;
        return { clientX: rect.left + ((p[0] + 1) / 2) * rect.width, clientY: rect.top + ((1 - p[1]) / 2) * rect.height };
      };
      const pointer = (type: string, at: { clientX: number; clientY: number }, buttons = 0) =>
        canvas.dispatchEvent(new PointerEvent(type, { ...at, pointerId: 1, button: 0, buttons, bubbles: true }));

      // hover row 1
      const hover = nextEvent<ShapeEventDetail>(sky, 'shape-hover');
      pointer('pointermove', css(1));
      const h = await hover;
      expect(h, 'shape-hover').to.deep.include({ layer: id, row: 1, raDeg: 8, decDeg: 21 });
      expect(canvas.style.cursor).to.equal('pointer');

      // click row 2: selected and outlined
      const select = nextEvent<ShapeEventDetail>(sky, 'shape-select');
      pointer('pointerdown', css(2), 1);
      pointer('pointerup', css(2));
      const s = await select;
      expect(s, 'shape-select').to.deep.include({ layer: id, row: 2, raDeg: 12.5, decDeg: 18.5 });

      // drag from row 0: the view pans, nothing is selected
      const noSelect = nextEvent<ShapeEventDetail>(sky, 'shape-select', 800);
      const changed = nextEvent(sky, 'view-change', 2000);
      const from = css(0);
      pointer('pointerdown', from, 1);
      pointer('pointermove', { clientX: from.clientX + 30, clientY: from.clientY + 5 }, 1);
      pointer('pointerup', { clientX: from.clientX + 30, clientY: from.clientY + 5 });
      expect(await changed, 'view-change after a drag').to.not.equal(undefined);
      expect(await noSelect, 'no shape-select after a drag').to.equal(undefined);
      expect(sky.getCenter().raDeg).to.not.be.closeTo(10, 1e-6);

      // back to the start: filters hide rows from picking
      sky.goToRaDec(10, 20);
      await sleep(100);
      const x0 = css(0).clientX - rect.left;
      const y0 = css(0).clientY - rect.top;
      expect((await sky.pickCatalogue(x0, y0))?.row).to.equal(0);
      sky.setCatalogueFilter(id, [{ column: 'mag', min: 6 }]);
      expect(await sky.pickCatalogue(x0, y0)).to.equal(undefined);
      expect(() => sky.setCatalogueFilter(id, [{ column: 'nope' }])).to.throw(/no column 'nope'/);
      sky.setCatalogueFilter(id, []);
      expect((await sky.pickCatalogue(x0, y0))?.row).to.equal(0);
      // device loss: the catalogue is rebuilt on the new device and picks again
      const old = await getSharedDevice();
      old.destroy();
      let hit: ShapeEventDetail | undefined;
      for (let i = 0; i < 200 && !hit; i++) {
        await sleep(50);
        hit = await sky.pickCatalogue(x0, y0);
      }
      expect(hit?.row, 'picked on the new device').to.equal(0);
      expect(await getSharedDevice()).to.not.equal(old);
      sky.removeCatalogue(id);
      expect(sky.getCatalogueIds()).to.deep.equal([]);
      expect(await sky.pickCatalogue(x0, y0)).to.equal(undefined);
    } finally {
      sky.remove();
    }
  });
});
