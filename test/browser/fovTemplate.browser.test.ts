// FoV templates in <esasky-sky>, driven by real mouse input (playwright through
// @web/test-runner-commands: trusted pointer events): a drag that starts at the template's centre
// ends with the centre under the pointer (fov-change carries it), the view does not pan; Shift+drag
// turns it by the pointer's angle around the centre measured on screen (north up, east left); the
// exported image has the outline at the CPU-projected vertices; the NIRCam template draws.
import { expect } from '@esm-bundle/chai';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import type { FovChangeDetail } from '../../src/footprints/fovTemplates.js';
import { makeCamera, pixelToNdc, project, unproject, type ViewState } from '../../src/math/camera.js';
import { lonLatDegToVec, vecToLonLatDeg } from '../../src/math/vec3.js';
import { angularDistanceDeg } from '../../src/hips/healpix.js';
import { sleep } from './renderTarget.js';

/** Gnomonic inverse (Snyder 1987, eq. 22-14/15), written here apart from src/footprints: offset (x, y) arcmin, PA east of north. */
function tanOffset(raDeg: number, decDeg: number, paDeg: number, x: number, y: number): [number, number] {
  const D = Math.PI / 180;
  const pa = paDeg * D;
  const xi = ((x * Math.cos(pa) + y * Math.sin(pa)) / 60) * D;
  const eta = ((-x * Math.sin(pa) + y * Math.cos(pa)) / 60) * D;
  const rho = Math.hypot(xi, eta);
  const c = Math.atan(rho);
  const d0 = decDeg * D;
  if (rho === 0) return [raDeg, decDeg];
  const dec = Math.asin(Math.cos(c) * Math.sin(d0) + (eta * Math.sin(c) * Math.cos(d0)) / rho);
  const ra = raDeg * D + Math.atan2(xi * Math.sin(c), rho * Math.cos(d0) * Math.cos(c) - eta * Math.sin(d0) * Math.sin(c));
  return [ra / D, dec / D];
}

async function pixels(sky: EsaskySky): Promise<{ w: number; h: number; px: Uint8ClampedArray }> {
  const bmp = await createImageBitmap(await sky.exportPNG());
  const c = new OffscreenCanvas(bmp.width, bmp.height);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bmp, 0, 0);
  return { w: bmp.width, h: bmp.height, px: ctx.getImageData(0, 0, bmp.width, bmp.height).data };
}

describe('<esasky-sky> FoV templates', () => {
  it('drags with the centre under the pointer, turns with Shift+drag, draws at the placed vertices', async () => {
    const sky = document.createElement('esasky-sky') as EsaskySky;
    sky.style.cssText = 'display:block;position:absolute;left:0;top:0;width:320px;height:240px';
    sky.setAttribute('target', '10 20');
    sky.setAttribute('fov', '0.25');
    document.body.appendChild(sky);
    const events: FovChangeDetail[] = [];
    sky.addEventListener('fov-change', (e) => events.push(e.detail));
    try {
      expect(() => sky.addFovTemplate({ shapes: 'hubble-xyz', raDeg: 10, decDeg: 20 })).to.throw(/unknown FoV template 'hubble-xyz'.*jwst-nircam/);
      expect(() => sky.addFovTemplate({ shapes: ['BOX 0 0 1 1'], raDeg: 10, decDeg: 20 })).to.throw(/BOX is not a template shape/);
      const id = sky.addFovTemplate({ shapes: ['POLYGON -2 -1 2 -1 2 1 -2 1', 'CIRCLE 0 2.5 0.5'], raDeg: 10, decDeg: 20, paDeg: 0, color: '#00ff00', lineWidthPx: 2 });
      await sky.whenSettled();
      await sleep(100);
      const canvas = sky.shadowRoot!.querySelector('canvas')!;
      const rect = canvas.getBoundingClientRect();
      const dpr = canvas.width / rect.width;
      const view = (): ViewState => ({ raDeg: sky.getCenter().raDeg, decDeg: sky.getCenter().decDeg, fovDeg: 0.25, rollDeg: 0, projection: 'SIN', widthPx: canvas.width, heightPx: canvas.height });
      const v0 = view();
      const toCss = (ra: number, dec: number): [number, number] => {
        const p = project(makeCamera(v0), lonLatDegToVec(ra, dec))!;
        return [rect.left + ((p[0] + 1) / 2) * rect.width, rect.top + ((1 - p[1]) / 2) * rect.height];
      };
      const skyAtCss = (x: number, y: number): [number, number] => vecToLonLatDeg(unproject(makeCamera(v0), ...pixelToNdc(v0, (x - rect.left) * dpr, (y - rect.top) * dpr))!);

      // drag from the centre (pixel-rounded) by (+60, -35) CSS px
      const [cx, cy] = toCss(10, 20).map(Math.round);
      await sendMouse({ type: 'move', position: [cx, cy] });
      await sendMouse({ type: 'down' });
      for (let k = 1; k <= 5; k++) await sendMouse({ type: 'move', position: [cx + 12 * k, cy - 7 * k] });
      await sendMouse({ type: 'up' });
      await sleep(50);
      expect(events.length, 'fov-change during and at the end of the drag').to.be.at.least(2);
      const last = events[events.length - 1];
      expect(last).to.deep.include({ id, action: 'move', final: true });
      // the grab point was the centre up to the pixel rounding: the centre moved with the pointer
      const grab = skyAtCss(cx, cy);
      const end = skyAtCss(cx + 60, cy - 35);
      const grabErrDeg = angularDistanceDeg(grab[0], grab[1], 10, 20);
      expect(angularDistanceDeg(last.raDeg, last.decDeg, end[0], end[1]), 'centre under the pointer').to.be.at.most(grabErrDeg + 1e-7);
      expect(sky.getFovTemplate(id)).to.deep.include({ raDeg: last.raDeg, decDeg: last.decDeg, paDeg: 0 });
      expect(sky.getCenter().raDeg, 'the view did not pan').to.equal(v0.raDeg);
      expect(events.filter((e) => !e.final).every((e) => e.action === 'move')).to.equal(true);

      // Shift+drag from a point 1.5' east of the centre (on screen: left) around the centre
      const placed = sky.getFovTemplate(id);
      const [px0, py0] = toCss(placed.raDeg, placed.decDeg);
      const start: [number, number] = [Math.round(px0 - 30), Math.round(py0 + 4)];
      const stop: [number, number] = [Math.round(px0 - 6), Math.round(py0 + 40)];
      const screenPa = (x: number, y: number) => (Math.atan2(-(x - px0), -(y - py0)) * 180) / Math.PI; // north up, east left
      const expectedPa = ((screenPa(...stop) - screenPa(...start)) % 360 + 360) % 360;
      events.length = 0;
      await sendKeys({ down: 'Shift' });
      await sendMouse({ type: 'move', position: start });
      await sendMouse({ type: 'down' });
      await sendMouse({ type: 'move', position: [(start[0] + stop[0]) / 2, (start[1] + stop[1]) / 2] });
      await sendMouse({ type: 'move', position: stop });
      await sendMouse({ type: 'up' });
      await sendKeys({ up: 'Shift' });
      await sleep(50);
      const turned = events[events.length - 1];
      expect(turned).to.deep.include({ id, action: 'rotate', final: true });
      expect(Math.abs(((turned.paDeg - expectedPa + 540) % 360) - 180), `PA ${turned.paDeg} vs ${expectedPa}`).to.be.lessThan(0.1);
      expect(angularDistanceDeg(turned.raDeg, turned.decDeg, placed.raDeg, placed.decDeg), 'turning keeps the centre').to.be.lessThan(1e-9);
      expect(sky.getCenter().raDeg, 'the view did not pan').to.equal(v0.raDeg);

      // the drawn outline passes through every placed vertex (green within 1 px)
      await sky.whenSettled();
      const { w, px } = await pixels(sky);
      const cam = makeCamera(view());
      const rectangle = [[-2, -1], [2, -1], [2, 1], [-2, 1]].map(([x, y]) => tanOffset(turned.raDeg, turned.decDeg, turned.paDeg, x, y));
      const circle = Array.from({ length: 8 }, (_, k) => tanOffset(turned.raDeg, turned.decDeg, turned.paDeg, 0.5 * Math.cos((k * Math.PI) / 4), 2.5 + 0.5 * Math.sin((k * Math.PI) / 4)));
      // the element's own regions agree with the independent formula
      const regions = sky.getFovTemplateRegions(id);
      expect(regions[0].type === 'polygon' && regions[0].vertices.every(([ra, dec], k) => angularDistanceDeg(ra, dec, ...rectangle[k]) * 3600 < 0.01)).to.equal(true);
      let checked = 0;
      for (const vertices of [rectangle, circle]) {
        for (const [ra, dec] of vertices) {
          const p = project(cam, lonLatDegToVec(ra, dec))!;
          const x = ((p[0] + 1) / 2) * cam.view.widthPx;
          const y = ((1 - p[1]) / 2) * cam.view.heightPx;
          let green = false;
          for (let dy = -1; dy <= 1 && !green; dy++) {
            for (let dx = -1; dx <= 1 && !green; dx++) {
              const o = (Math.floor(y + dy) * w + Math.floor(x + dx)) * 4;
              green = px[o + 1] > 120 && px[o] < 80 && px[o + 2] < 80;
            }
          }
          expect(green, `outline at the vertex (${ra.toFixed(5)}, ${dec.toFixed(5)}) -> pixel (${x.toFixed(1)}, ${y.toFixed(1)})`).to.equal(true);
          checked++;
        }
      }
      expect(checked).to.be.at.least(8);
      // inside the rectangle, away from its edges: not outline
      const mid = project(cam, lonLatDegToVec(turned.raDeg, turned.decDeg))!;
      const o = (Math.floor(((1 - mid[1]) / 2) * cam.view.heightPx) * w + Math.floor(((mid[0] + 1) / 2) * cam.view.widthPx)) * 4;
      expect(px[o + 1], 'no outline at the centre').to.be.lessThan(60);

      // the built-in NIRCam outline: 8 detectors, drawn
      const nircam = sky.addFovTemplate({ shapes: 'jwst-nircam', raDeg: 10.01, decDeg: 19.98, paDeg: 45, color: '#ff00ff' });
      expect(sky.getFovTemplateRegions(nircam)).to.have.length(8);
      sky.setFovTemplate(nircam, { paDeg: 60 });
      expect(events[events.length - 1]).to.deep.include({ id: nircam, action: 'set', paDeg: 60, final: true });
      sky.removeFovTemplate(nircam);
      sky.removeFovTemplate(id);
      expect(sky.getFovTemplateIds()).to.deep.equal([]);
    } finally {
      sky.remove();
    }
  });
});
