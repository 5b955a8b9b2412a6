// Mipmaps for one layer of an rgba8unorm 2D-array texture: each level from the one above by a
// 2:1 box filter (a bilinear sample at the centre of every 2x2 block), one tiny render pass per
// level. Colour HiPS tiles get them so that tiles drawn smaller than their pixels (all-sky and
// thumbnail views, the squeezed edges of AIT/MOL) average instead of alias. FITS value tiles do
// not: a box filter would mix NaN blanks and data (they are sampled NaN-aware by hand).
import { cachedPipeline } from './pipelineCache.js';

const WGSL = /* wgsl */ `
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var smp: sampler;
struct VOut { @builtin(position) pos: vec4f, @location(0) uv: vec2f };
@vertex fn vs(@builtin(vertex_index) i: u32) -> VOut {
  // one triangle covering the target: (0,0) (2,0) (0,2) in uv
  let uv = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  var o: VOut;
  o.pos = vec4f(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0, 0.0, 1.0);
  o.uv = uv;
  return o;
}
@fragment fn fs(in: VOut) -> @location(0) vec4f {
  return textureSampleLevel(src, smp, in.uv, 0.0);
}`;

/** Number of mip levels of a square power-of-two texture of `widthPx`. */
export function mipLevelsFor(widthPx: number): number {
  return Math.floor(Math.log2(widthPx)) + 1;
}

const samplers = new WeakMap<GPUDevice, GPUSampler>();

/**
 * Fill levels 1.. of array layer `layer` (or of each of `layers`) of `texture` (rgba8unorm) from
 * its level 0: one command buffer, one submit for all of them.
 */
export function generateMipmaps(device: GPUDevice, texture: GPUTexture, layer: number | readonly number[]): void {
  const layers = typeof layer === 'number' ? [layer] : layer;
  if (texture.mipLevelCount <= 1 || layers.length === 0) return;
  const pipeline = cachedPipeline(device, 'mipmap/rgba8unorm', () => {
    const module = device.createShaderModule({ label: 'mipmap', code: WGSL });
    return device.createRenderPipeline({
      label: 'mipmap',
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format: 'rgba8unorm' }] },
      primitive: { topology: 'triangle-list' },
    });
  });
  let sampler = samplers.get(device);
  if (!sampler) {
    sampler = device.createSampler({ label: 'mipmap', minFilter: 'linear', magFilter: 'linear' });
    samplers.set(device, sampler);
  }
  const enc = device.createCommandEncoder({ label: 'mipmaps' });
  for (const l of layers) {
    const view = (mip: number) => texture.createView({ dimension: '2d', baseArrayLayer: l, arrayLayerCount: 1, baseMipLevel: mip, mipLevelCount: 1 });
    for (let level = 1; level < texture.mipLevelCount; level++) {
      const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: view(level - 1) }, { binding: 1, resource: sampler }] });
      const pass = enc.beginRenderPass({ label: `mip ${level}`, colorAttachments: [{ view: view(level), loadOp: 'clear', clearValue: { r: 0, g: 0, b: 0, a: 0 }, storeOp: 'store' }] });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bind);
      pass.draw(3);
      pass.end();
    }
  }
  device.queue.submit([enc.finish()]);
}
