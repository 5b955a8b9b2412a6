// Frame pacing in the element: with a slow GPU (onSubmittedWorkDone delayed by 250 ms on the shared
// device) a view changed on every animation frame never has two sky frames in flight — each frame
// is submitted only after the previous frame's GPU work is done — the changes coalesce into fewer
// frames, and the last frame drawn shows the last view (view-settled reports it, and the renderer
// last drew it).
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import { getSharedDevice } from '../../src/elements/sharedDevice.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import type { SkyRenderer } from '../../src/render/skyRenderer.js';

const DELAY_MS = 250;

function settled(sky: EsaskySky): Promise<CustomEvent> {
  return new Promise((resolve) => sky.addEventListener('view-settled', (e) => resolve(e as CustomEvent), { once: true }));
}

describe('<esasky-sky> frame pacing on a slow GPU', () => {
  it('keeps at most one frame in flight and draws the final view last', async () => {
    const device = await getSharedDevice();
    const queue = device.queue;
    const original = queue.onSubmittedWorkDone.bind(queue);
    // frames whose GPU work has not been reported done, seen when the next frame asks
    let outstanding = 0;
    let maxOutstandingAtSubmit = 0;
    let frames = 0;
    queue.onSubmittedWorkDone = () => {
      maxOutstandingAtSubmit = Math.max(maxOutstandingAtSubmit, outstanding);
      outstanding++;
      frames++;
      return original().then(() => new Promise<undefined>((r) => setTimeout(() => {
        outstanding--;
        r(undefined);
      }, DELAY_MS)));
    };
    const sky = document.createElement('esasky-sky');
    try {
      sky.style.cssText = 'display:block;width:160px;height:120px';
      sky.setAttribute('hips', '/data/hips/swe_milkyway/');
      sky.setAttribute('target', '266.4 -29');
      sky.setAttribute('fov', '60');
      const first = settled(sky);
      document.body.appendChild(sky);
      await first;
      const drawn0 = sky.framesDrawn;
      const frames0 = frames;
      // one view change per animation frame for ~1.5 s (about six slow GPU frames)
      const steps = 40;
      let last = { raDeg: 266.4, decDeg: -29, fovDeg: 60 };
      const t0 = performance.now();
      let i = 0;
      for (; i < steps || performance.now() - t0 < 6 * DELAY_MS; i++) {
        await new Promise((r) => requestAnimationFrame(r));
        last = { raDeg: 266.4 - 0.5 * i, decDeg: -29 + 0.2 * i, fovDeg: 60 + 0.3 * i };
        sky.goToRaDec(last.raDeg, last.decDeg);
        sky.setFov(last.fovDeg);
      }
      const end = settled(sky);
      const detail = (await end).detail as { raDeg: number; decDeg: number; fovDeg: number };
      expect(detail.raDeg).to.be.closeTo(last.raDeg, 1e-9);
      expect(detail.decDeg).to.be.closeTo(last.decDeg, 1e-9);
      expect(detail.fovDeg).to.be.closeTo(last.fovDeg, 1e-9);
      const drawn = sky.framesDrawn - drawn0;
      expect(maxOutstandingAtSubmit, 'a frame submitted while the previous one was on the GPU').to.equal(0);
      expect(frames - frames0, 'every sky frame waited for its GPU work').to.equal(drawn);
      expect(drawn, `${i} view changes coalesced into fewer frames`).to.be.lessThan(i / 2);
      expect(drawn).to.be.greaterThan(1);
      // and the renderer's last frame drew it (the element's private renderer, read for the test)
      const renderer = (sky as unknown as { renderer: SkyRenderer }).renderer;
      const v = renderer.getView()!;
      expect([v.raDeg, v.decDeg, v.fovDeg]).to.deep.equal([last.raDeg, last.decDeg, last.fovDeg]);
      expect(renderer.hasDrawn(v), 'the last frame rendered is of the final view').to.equal(true);
    } finally {
      sky.remove();
      queue.onSubmittedWorkDone = original;
    }
  });
});
