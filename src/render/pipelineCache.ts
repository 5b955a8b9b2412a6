// One render pipeline per (device, name, format): twenty sky views on a page compile each shader
// once, not twenty times. Entries die with their device (WeakMap).

const cache = new WeakMap<GPUDevice, Map<string, GPURenderPipeline>>();

export function cachedPipeline(device: GPUDevice, key: string, create: () => GPURenderPipeline): GPURenderPipeline {
  let perDevice = cache.get(device);
  if (!perDevice) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  let p = perDevice.get(key);
  if (!p) {
    p = create();
    perDevice.set(key, p);
  }
  return p;
}

/** Ordinary "over" blending of straight (non-premultiplied) colour, used by every overlay. */
export const ALPHA_BLEND: GPUBlendState = {
  color: { srcFactor: 'src-alpha', dstFactor: 'one-minus-src-alpha', operation: 'add' },
  alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
};
