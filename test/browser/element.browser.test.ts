// <esasky-sky> in a real page: it settles on the shipped HiPS, and bad input (unreachable survey,
// properties without required keys, tiles that are not images) becomes a readable message inside
// the element plus a layer-error event, while the element keeps working.
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import type { LayerErrorDetail } from '../../src/elements/esaskySky.js';

function makeSky(attrs: Record<string, string>): EsaskySky {
  const sky = document.createElement('esasky-sky');
  sky.style.width = '160px';
  sky.style.height = '120px';
  for (const [k, v] of Object.entries(attrs)) sky.setAttribute(k, v);
  document.body.appendChild(sky);
  return sky;
}

function nextEvent<T>(el: EventTarget, type: string, timeoutMs = 30_000): Promise<CustomEvent<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms`)), timeoutMs);
    el.addEventListener(type, (e) => {
      clearTimeout(timer);
      resolve(e as CustomEvent<T>);
    }, { once: true });
  });
}

function messages(sky: EsaskySky): string[] {
  return [...(sky.shadowRoot?.querySelectorAll('.messages li') ?? [])].map((li) => li.textContent ?? '');
}

describe('<esasky-sky>', () => {
  const uncaught: unknown[] = [];
  const onError = (e: ErrorEvent) => uncaught.push(e.error ?? e.message);
  const onRejection = (e: PromiseRejectionEvent) => uncaught.push(e.reason);
  before(() => {
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
  });
  after(() => {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
  });
  afterEach(() => {
    document.querySelectorAll('esasky-sky').forEach((e) => e.remove());
    expect(uncaught, 'nothing throws uncaught').to.deep.equal([]);
  });

  it('draws the shipped HiPS and reports view-settled at the requested target and fov', async () => {
    const sky = makeSky({ hips: '/data/hips/swe_milkyway/', target: 'M42', fov: '40' });
    const e = await nextEvent<{ raDeg: number; decDeg: number; fovDeg: number; cellsDrawn: number }>(sky, 'view-settled');
    // M42 from the shipped Messier table (SAC 8.1: 83.82, -5.45; SIMBAD has -5.39)
    expect(e.detail.raDeg).to.be.closeTo(83.82, 0.05);
    expect(e.detail.decDeg).to.be.closeTo(-5.42, 0.05);
    expect(e.detail.fovDeg).to.equal(40);
    expect(e.detail.cellsDrawn).to.be.greaterThan(0);
    expect(messages(sky)).to.deep.equal([]);
    // Rendering only when something changed: no frames while idle.
    const frames = sky.framesDrawn;
    await new Promise((r) => setTimeout(r, 300));
    expect(sky.framesDrawn).to.equal(frames);
  });

  it('pans with a drag and zooms with the wheel', async () => {
    const sky = makeSky({ hips: '/data/hips/swe_milkyway/', target: '0 0', fov: '60' });
    await nextEvent(sky, 'view-settled');
    const canvas = sky.shadowRoot!.querySelector('canvas')!;
    const r = canvas.getBoundingClientRect();
    const at = (dx: number) => ({ clientX: r.left + r.width / 2 + dx, clientY: r.top + r.height / 2, pointerId: 1, button: 0, bubbles: true });
    canvas.dispatchEvent(new PointerEvent('pointerdown', at(0)));
    canvas.dispatchEvent(new PointerEvent('pointermove', at(40)));
    canvas.dispatchEvent(new PointerEvent('pointerup', at(40)));
    // The sky follows the pointer: what was left of the centre (east, higher RA, on a sky seen
    // from inside) comes to the centre, so the centre's RA grows by about 40 px of field.
    const ra = sky.getCenter().raDeg;
    expect(ra > 0 && ra < 30, `ra after drag ${ra}`).to.equal(true);
    canvas.dispatchEvent(new WheelEvent('wheel', { clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, deltaY: -200, bubbles: true, cancelable: true }));
    expect(sky.getFov()).to.be.lessThan(60);
  });

  it('reports an unreachable HiPS with a message inside the element and a layer-error event', async () => {
    const sky = makeSky({ hips: 'http://127.0.0.1:9/no-such-hips/' });
    const e = await nextEvent<LayerErrorDetail>(sky, 'layer-error');
    expect(e.detail.reason).to.match(/cannot reach the HiPS|HTTP/);
    await sky.updateComplete;
    expect(messages(sky).join(' ')).to.contain('127.0.0.1:9/no-such-hips');
  });

  it('rejects a properties file without hips_order and names the missing key', async () => {
    const sky = makeSky({ hips: '/test/fixtures/hips/no_order/' });
    const e = await nextEvent<LayerErrorDetail>(sky, 'layer-error');
    expect(e.detail.reason).to.contain('hips_order');
    await sky.updateComplete;
    expect(messages(sky).join(' ')).to.contain('hips_order');
  });

  it('reports tiles that are not images, then keeps working when the survey is changed', async () => {
    const sky = makeSky({ hips: '/test/fixtures/hips/not_image/', fov: '90' });
    const e = await nextEvent<LayerErrorDetail>(sky, 'layer-error');
    expect(e.detail.reason).to.contain('not a decodable image');
    expect(e.detail.url).to.match(/Npix\d+\.jpg$/);
    const settled = nextEvent<{ cellsDrawn: number }>(sky, 'view-settled');
    sky.changeHips('/data/hips/swe_milkyway/');
    expect((await settled).detail.cellsDrawn).to.be.greaterThan(0);
  });

  it('draws a labelled coordinate grid when asked, and drops it again', async () => {
    const sky = makeSky({ hips: '/data/hips/swe_milkyway/', target: '83.8 -5.4', fov: '60', grid: '' });
    await nextEvent(sky, 'view-settled');
    await sky.updateComplete;
    const labels = () => [...sky.shadowRoot!.querySelectorAll('.labels span')].map((s) => s.textContent);
    expect(labels()).to.include('05h');
    sky.grid = false;
    await new Promise((r) => setTimeout(r, 100));
    await sky.updateComplete;
    expect(labels()).to.deep.equal([]);
  });

  it('draws a reticle at the view centre when asked', async () => {
    const sky = makeSky({ hips: '/data/hips/swe_milkyway/', target: '180 60', fov: '60', reticle: '' });
    await nextEvent(sky, 'view-settled');
    const bitmap = await createImageBitmap(await sky.exportPNG());
    const c = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    c.drawImage(bitmap, 0, 0);
    const cx = bitmap.width >> 1;
    const cy = bitmap.height >> 1;
    const dpr = devicePixelRatio || 1;
    const arm = c.getImageData(cx + Math.round(8 * dpr), cy, 1, 1).data;
    const away = c.getImageData(cx + Math.round(30 * dpr), cy + Math.round(30 * dpr), 1, 1).data;
    expect(arm[0], `arm pixel ${[...arm]}`).to.be.greaterThan(180);
    expect(arm[0] - arm[2]).to.be.greaterThan(100);
    expect(away[0]).to.be.lessThan(150);
  });

  it('rejects an unknown projection with a message and keeps the old one', async () => {
    const sky = makeSky({ hips: '/data/hips/swe_milkyway/', projection: 'AIT', fov: '200' });
    await nextEvent(sky, 'view-settled');
    const errored = nextEvent<LayerErrorDetail>(sky, 'layer-error');
    sky.setAttribute('projection', 'XYZ');
    expect((await errored).detail.reason).to.contain("unknown projection 'XYZ'");
    expect(sky.getFov()).to.equal(200);
  });

  it('reports an unknown target name without moving', async () => {
    const sky = makeSky({ hips: '/data/hips/swe_milkyway/', target: '10 20' });
    await nextEvent(sky, 'view-settled');
    const errored = nextEvent<LayerErrorDetail>(sky, 'layer-error');
    expect(await sky.goToTargetName('Not A Real Object 123')).to.equal(false);
    expect((await errored).detail.reason).to.contain('unknown target');
    expect(sky.getCenter().raDeg).to.be.closeTo(10, 1e-9);
  });
});
