// GPU memory accounting on a real WebGPU device: bytes of live buffers and textures go up on
// create and back down on destroy (render/gpuMemory.ts).
import { expect } from '@esm-bundle/chai';
import { gpuMemoryOf, trackGpuMemory } from '../../src/render/gpuMemory.js';
import { requestTestDevice } from './renderTarget.js';

describe('GPU memory accounting (real device)', () => {
  it('counts buffers and textures from create to destroy, once each', async () => {
    const device = await requestTestDevice();
    try {
      expect(gpuMemoryOf(device)).to.equal(undefined);
      trackGpuMemory(device);
      trackGpuMemory(device); // idempotent: not wrapped twice
      const buf = device.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      const tex = device.createTexture({ size: [64, 64, 3], format: 'rgba8unorm', mipLevelCount: 7, usage: GPUTextureUsage.TEXTURE_BINDING });
      const levels = 64 * 64 + 32 * 32 + 16 * 16 + 8 * 8 + 4 * 4 + 2 * 2 + 1;
      let s = gpuMemoryOf(device)!;
      expect(s.bufferBytes).to.equal(1024);
      expect(s.textureBytes).to.equal(levels * 3 * 4);
      expect([s.buffers, s.textures]).to.deep.equal([1, 1]);
      expect(s.peakBytes).to.equal(1024 + levels * 12);
      buf.destroy();
      buf.destroy(); // a second destroy takes nothing off
      tex.destroy();
      s = gpuMemoryOf(device)!;
      expect([s.bufferBytes, s.textureBytes, s.buffers, s.textures]).to.deep.equal([0, 0, 0, 0]);
      expect(s.peakBytes).to.equal(1024 + levels * 12);
      // the objects still work as WebGPU objects (the wrappers only count)
      const b2 = device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
      device.queue.writeBuffer(b2, 0, new Uint32Array([1, 2, 3, 4]));
      await b2.mapAsync(GPUMapMode.READ);
      expect([...new Uint32Array(b2.getMappedRange())]).to.deep.equal([1, 2, 3, 4]);
      b2.unmap();
      b2.destroy();
      expect(gpuMemoryOf(device)!.bufferBytes).to.equal(0);
    } finally {
      device.destroy();
    }
  });
});
