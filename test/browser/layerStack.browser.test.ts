// Layer stacks in <esasky-sky>: surveys added above the base blend by opacity (normal) or add
// (additive), can be reordered, and changing the base survey keeps the old one until the new one
// is drawn.
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';

const MW = '/data/hips/swe_milkyway/';
const GAIA = '/data/hips/cds_gaia_dr2_radial_velocity_map/';

function settled(sky: EsaskySky): Promise<void> {
  return new Promise((r) => sky.addEventListener('view-settled', () => r(), { once: true }));
}

async function centre(sky: EsaskySky): Promise<number[]> {
  const bitmap = await createImageBitmap(await sky.exportPNG());
  const c = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
  c.drawImage(bitmap, 0, 0);
  return [...c.getImageData(bitmap.width >> 1, bitmap.height >> 1, 1, 1).data].slice(0, 3);
}

async function make(hips: string): Promise<EsaskySky> {
  const sky = document.createElement('esasky-sky');
  sky.style.cssText = 'display:block;width:61px;height:61px';
  sky.setAttribute('hips', hips);
  sky.setAttribute('target', '266.4 -29');
  sky.setAttribute('fov', '20');
  const s = settled(sky);
  document.body.appendChild(sky);
  await s;
  return sky;
}

const close = (a: number[], b: number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

describe('layer stack', () => {
  it('blends an added survey by opacity or additively, and reorders', async () => {
    const mwOnly = await make(MW);
    const a = await centre(mwOnly);
    mwOnly.remove();
    const gaiaOnly = await make(GAIA);
    const b = await centre(gaiaOnly);
    gaiaOnly.remove();

    const sky = await make(MW);
    const id = await sky.addHips(GAIA, { opacity: 0.5 });
    await sky.whenSettled();
    await new Promise((r) => setTimeout(r, 50));
    const normal = await centre(sky);
    const wantNormal = a.map((v, i) => 0.5 * v + 0.5 * b[i]);
    expect(close(normal, wantNormal, 3), `normal ${normal} vs ${wantNormal.map(Math.round)}`).to.equal(true);

    sky.setHipsBlending(id, 'additive');
    const additive = await centre(sky);
    const wantAdd = a.map((v, i) => Math.min(255, v + 0.5 * b[i]));
    expect(close(additive, wantAdd, 3), `additive ${additive} vs ${wantAdd.map(Math.round)}`).to.equal(true);

    // two opaque overlays: the top one is what shows; moving it down shows the other
    sky.setHipsBlending(id, 'normal');
    sky.setHipsOpacity(id, 1);
    const id2 = await sky.addHips(MW, { opacity: 1 });
    await sky.whenSettled();
    expect(close(await centre(sky), a, 3)).to.equal(true);
    sky.moveHips(id2, 0);
    expect(sky.getHipsIds()).to.deep.equal([id2, id]);
    expect(close(await centre(sky), b, 3)).to.equal(true);
    sky.removeHips(id);
    expect(close(await centre(sky), a, 3)).to.equal(true);
    expect(() => sky.setHipsOpacity('nope', 0.5)).to.throw(RangeError);
    sky.remove();
  });

  it('keeps the old base survey on screen until the new one has its tiles', async () => {
    const sky = await make(MW);
    const before = await centre(sky);
    // the Gaia tiles will take at least a frame to arrive: right after the switch the old sky shows
    const renderer = (sky as unknown as { renderer: { getLayers(): unknown[] } }).renderer;
    const done = settled(sky);
    sky.changeHips(GAIA);
    let finished = false;
    void done.then(() => (finished = true));
    let most = 0;
    while (!finished) {
      most = Math.max(most, renderer.getLayers().length);
      await new Promise((r) => requestAnimationFrame(r));
    }
    expect(most, 'old and new survey drawn together while the new one loads').to.equal(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(renderer.getLayers().length).to.equal(1);
    expect(await centre(sky)).to.not.deep.equal(before);
    sky.remove();
  });
});
