// The projection boundary drawn as a ring (only the screen outside a polygon just inside the
// boundary) gives exactly the pixels of the full-screen pass, for every convex boundary, at
// whole-sky, half-sky and rolled views and odd viewport sizes — and it is really drawn (outline
// and background pixels present).
import { expect } from '@esm-bundle/chai';
import { BoundaryLayer, boundaryRing } from '../../src/render/layers/boundaryLayer.js';
import { makeCamera, MAX_FOV_DEG, type ViewState } from '../../src/math/camera.js';
import type { ProjectionName } from '../../src/math/projections.js';
import { createTarget, gpuErrors, requestTestDevice } from './renderTarget.js';

const CASES: Array<[ProjectionName, number, number, number]> = [];
for (const p of ['SIN', 'ZEA', 'ARC', 'AIT', 'MOL', 'CAR', 'MER'] as const) {
  for (const frac of [1, 0.75, 0.5]) CASES.push([p, frac * MAX_FOV_DEG[p], 161, 97]);
  CASES.push([p, MAX_FOV_DEG[p], 240, 240]);
}

async function draw(device: GPUDevice, layer: BoundaryLayer, view: ViewState): Promise<Uint8Array> {
  const target = createTarget(device, view.widthPx, view.heightPx);
  try {
    layer.prepare(makeCamera(view), false);
    const enc = device.createCommandEncoder();
    const pass = enc.beginRenderPass({ colorAttachments: [{ view: target.texture.createView(), clearValue: { r: 0, g: 0.5, b: 0, a: 1 }, loadOp: 'clear', storeOp: 'store' }] });
    layer.encode(pass);
    pass.end();
    device.queue.submit([enc.finish()]);
    return await target.read();
  } finally {
    target.destroy();
  }
}

describe('boundary ring', () => {
  it('draws the same pixels as the full-screen pass', async () => {
    const device = await requestTestDevice();
    const layer = new BoundaryLayer(device, 'rgba8unorm', { lineColor: [1, 1, 1, 1], outsideColor: [0.2, 0, 0.6, 1], lineWidthPx: 1.5 });
    try {
      for (const [projection, fovDeg, widthPx, heightPx] of CASES) {
        const view: ViewState = { raDeg: 30, decDeg: 20, fovDeg, rollDeg: 25, projection, widthPx, heightPx };
        expect(boundaryRing(makeCamera(view)), projection).to.not.equal(undefined);
        layer.ringGeometry = true;
        const ring = await draw(device, layer, view);
        layer.ringGeometry = false;
        const full = await draw(device, layer, view);
        let differ = 0;
        let outside = 0;
        for (let i = 0; i < ring.length; i += 4) {
          if (ring[i] !== full[i] || ring[i + 1] !== full[i + 1] || ring[i + 2] !== full[i + 2] || ring[i + 3] !== full[i + 3]) differ++;
          if (ring[i] !== 0 || ring[i + 2] !== 0) outside++; // outline or background over the clear colour
        }
        const what = `${projection} fov ${fovDeg} ${widthPx}x${heightPx}`;
        expect(differ, `${what}: pixels that differ`).to.equal(0);
        if (fovDeg === MAX_FOV_DEG[projection]) expect(outside, `${what}: outline and background pixels`).to.be.greaterThan(0);
      }
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      layer.destroy();
    }
  });
});
