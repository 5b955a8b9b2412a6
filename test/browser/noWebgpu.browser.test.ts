// A browser without WebGPU: the element says so inside itself and emits webgpu-unavailable.
import { expect } from '@esm-bundle/chai';

describe('<esasky-sky> without WebGPU', () => {
  it('shows a readable message and emits webgpu-unavailable', async () => {
    Object.defineProperty(navigator, 'gpu', { value: undefined, configurable: true });
    await import('../../src/define.js');
    const sky = document.createElement('esasky-sky');
    sky.setAttribute('hips', '/data/hips/swe_milkyway/');
    const event = new Promise<CustomEvent<{ reason: string }>>((resolve) =>
      sky.addEventListener('webgpu-unavailable', (e) => resolve(e as CustomEvent<{ reason: string }>), { once: true }));
    document.body.appendChild(sky);
    const e = await event;
    expect(e.detail.reason).to.contain('WebGPU');
    await sky.updateComplete;
    const text = sky.shadowRoot!.querySelector('.messages')!.textContent ?? '';
    expect(text).to.contain('does not offer WebGPU');
  });
});
