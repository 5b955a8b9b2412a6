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

  it('draws a labelled coordinate grid when asked (labels in the canvas and in exportPNG), and drops it again', async () => {
    const sky = makeSky({ hips: '/data/hips/swe_milkyway/', target: '83.8 -5.4', fov: '60', grid: '' });
    sky.style.width = '320px';
    sky.style.height = '200px';
    await nextEvent(sky, 'view-settled');
    await sky.updateComplete;
    // no HTML label spans any more: the render core draws the labels
    expect(sky.shadowRoot!.querySelectorAll('.labels span').length).to.equal(0);
    const labels = sky.getGridLabels();
    expect(labels.map((l) => l.text)).to.include('05h');
    // the visually hidden description (the canvas's aria-describedby) says what the labels say
    const canvas = sky.shadowRoot!.querySelector('canvas')!;
    const description = sky.shadowRoot!.getElementById(canvas.getAttribute('aria-describedby')!)!;
    expect(description.textContent).to.contain('Coordinate grid (ICRS)');
    expect(description.textContent).to.contain('05h');
    // bright green label text in the exported PNG inside each label's box
    sky.setGridOptions({ labelColor: '#00ff00', labelFontPx: 12 });
    await new Promise((r) => setTimeout(r, 100));
    const bitmap = await createImageBitmap(await sky.exportPNG());
    const c = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    c.drawImage(bitmap, 0, 0);
    const dpr = devicePixelRatio || 1;
    const placed = sky.getGridLabels();
    expect(placed.length).to.be.greaterThan(3);
    for (const l of placed) {
      const x0 = Math.floor(l.x0 * dpr);
      const y0 = Math.floor(l.y0 * dpr);
      const d = c.getImageData(x0, y0, Math.max(1, Math.ceil(l.x1 * dpr) - x0), Math.max(1, Math.ceil(l.y1 * dpr) - y0)).data;
      let green = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 1] > 160 && d[i + 1] > d[i] + 80 && d[i + 1] > d[i + 2] + 80) green++;
      expect(green, `green glyph pixels of '${l.text}' in the PNG`).to.be.greaterThan(3 * l.text.length);
    }
    expect(() => sky.setGridOptions({ labelFontPx: 2 })).to.throw(/labelFontPx must be in \[6, 64\] CSS pixels, got 2/);
    expect(() => sky.setGridOptions({ labelFormat: 'roman' as 'decimal' })).to.throw(/labelFormat must be one of auto, sexagesimal, decimal/);
    sky.setGridOptions({ labelFormat: 'decimal' });
    await nextEvent(sky, 'view-settled');
    expect(sky.getGridLabels().map((l) => l.text)).to.include('90°');
    sky.grid = false;
    await new Promise((r) => setTimeout(r, 100));
    await sky.updateComplete;
    expect(sky.getGridLabels()).to.deep.equal([]);
    expect(description.textContent).to.equal('');
  });

  it('draws HEALPix debugging cells labelled order/ipix into exportPNG', async () => {
    const sky = makeSky({ hips: '/data/hips/swe_milkyway/', target: '0 0', fov: '360', projection: 'AIT', 'healpix-grid': '' });
    sky.style.width = '320px';
    sky.style.height = '160px';
    await nextEvent(sky, 'view-settled');
    await sky.updateComplete;
    const cells = sky.getGridLabels();
    expect(cells.length).to.be.greaterThan(5);
    expect(cells.every((l) => l.kind === 'cell' && /^\d+\/\d+$/.test(l.text))).to.equal(true);
    expect(sky.shadowRoot!.getElementById('grid-description')!.textContent).to.match(/^HEALPix cells \d+\/\d+/);
    // the cell outlines (orange) are in the export
    const bitmap = await createImageBitmap(await sky.exportPNG());
    const c = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    c.drawImage(bitmap, 0, 0);
    const d = c.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let orange = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] > 120 && d[i + 1] < 230 && d[i + 2] < 120) orange++;
    expect(orange, 'HEALPix outline pixels in the PNG').to.be.greaterThan(200);
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
