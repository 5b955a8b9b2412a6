// The reticle without a boundary in view is drawn by a triangle shrunk to the reticle's box (a
// full-screen pass for it cost ~40% of a SwiftShader frame): its pixels must be exactly those of the
// full-screen pass (drawn when the projection's limb is in view), arms to their tips included (to
// within 1/255: the anti-aliased tips are interpolated over another triangle).
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { boundaryInView } from '../../src/render/layers/boundaryLayer.js';
import { makeCamera, type ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, requestTestDevice } from './renderTarget.js';

const W = 240;
const H = 160;
const ARM_PX = 30;

async function centreBox(view: ViewState): Promise<Uint8Array> {
  const device = await requestTestDevice();
  const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: { r: 0, g: 0, b: 0, a: 1 } });
  renderer.setReticle(ARM_PX, [1, 0.35, 0.3, 1]);
  const target = createTarget(device, W, H);
  try {
    renderer.setView(view);
    renderer.render(target.texture.createView());
    const px = await target.read();
    // the box around the centre, 10 px more than the arms on each side
    const r = ARM_PX + 10;
    const out = new Uint8Array((2 * r) * (2 * r) * 4);
    for (let y = 0; y < 2 * r; y++) {
      const row = (H / 2 - r + y) * W + (W / 2 - r);
      out.set(px.subarray(row * 4, (row + 2 * r) * 4), y * 2 * r * 4);
    }
    return out;
  } finally {
    renderer.destroy();
    target.destroy();
    device.destroy();
  }
}

describe('reticle', () => {
  it('draws the same pixels from its own box as from a full-screen pass', async () => {
    const base = { raDeg: 30, decDeg: 10, rollDeg: 0, projection: 'SIN' as const, widthPx: W, heightPx: H };
    const narrow = { ...base, fovDeg: 20 };
    const wide = { ...base, fovDeg: 175 };
    expect(boundaryInView(makeCamera(narrow)), 'no boundary at 20°').to.equal(false);
    expect(boundaryInView(makeCamera(wide)), 'the limb is in view at 175°').to.equal(true);
    const a = await centreBox(narrow);
    const b = await centreBox(wide);
    let red = 0;
    let differ = 0;
    for (let i = 0; i < a.length; i += 4) {
      if (a[i]! > 128) red++;
      // (the arm tips' anti-aliasing may round 1/255 apart: the varying is interpolated over another triangle)
      if (Math.max(Math.abs(a[i]! - b[i]!), Math.abs(a[i + 1]! - b[i + 1]!), Math.abs(a[i + 2]! - b[i + 2]!)) > 1) differ++;
    }
    // four arms from 4 to 30 px, about 2 px wide
    expect(red, 'reticle pixels').to.be.within(4 * 26 * 1.5, 4 * 28 * 3);
    expect(differ, 'pixels that differ from the full-screen pass').to.equal(0);
    // the tip of the right arm (x = centre + 29.5) is drawn
    const r = ARM_PX + 10;
    const tip = ((r - 1) * 2 * r + r + ARM_PX - 1) * 4;
    expect(a[tip]!, 'arm tip').to.be.above(128);
    expect(gpuErrors).to.deep.equal([]);
  });
});
