// Twenty <esasky-sky> on one page share one GPUDevice, one decode pool, one pipeline per shader
// and one per-frame upload budget; all settle, and one of them still pans while all twenty are on
// screen. (Long tasks are reported in the log, not asserted: timings belong to benchmarks.)
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import { getSharedDevice } from '../../src/elements/sharedDevice.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';

describe('20 instances on one page', () => {
  it('share one device and all settle', async () => {
    const longTasks: number[] = [];
    const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration)));
    obs.observe({ type: 'longtask' });
    const skies: EsaskySky[] = [];
    const settled: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      const sky = document.createElement('esasky-sky');
      sky.style.cssText = 'display:inline-block;width:90px;height:70px';
      sky.setAttribute('hips', '/data/hips/swe_milkyway/');
      sky.setAttribute('target', `${i * 18} ${-60 + i * 6}`);
      sky.setAttribute('fov', String(30 + i * 7));
      settled.push(new Promise((r) => sky.addEventListener('view-settled', () => r(), { once: true })));
      document.body.appendChild(sky);
      skies.push(sky);
    }
    await Promise.all(settled);
    const loading = longTasks.splice(0);
    const device = await getSharedDevice();
    for (const s of skies) expect((s as unknown as { renderer: { device: GPUDevice } }).renderer.device).to.equal(device);
    console.log(`long tasks while loading: ${loading.map((t) => t.toFixed(0)).join(', ') || 'none'}`);
    // interactive: 30 view changes on one element, one per animation frame
    for (let i = 0; i < 30; i++) {
      skies[3].goToRaDec(54 + i * 0.5, -42);
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
    }
    await skies[3].whenSettled();
    obs.disconnect();
    expect(skies[3].getCenter().raDeg).to.be.closeTo(54 + 29 * 0.5, 1e-9);
    console.log(`long tasks while panning: ${longTasks.map((t) => t.toFixed(0)).join(', ') || 'none'}`);
    skies.forEach((s) => s.remove());
  });
});
