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

/**
 * The pipeline every simple overlay uses (cached per device, name and format): one WGSL module with
 * entry points `vs` and `fs`, vertices pulled from its own bindings, triangles, alpha blending.
 */
export function overlayPipeline(device: GPUDevice, name: string, label: string, code: string, format: GPUTextureFormat): GPURenderPipeline {
  return cachedPipeline(device, `${name}/${format}`, () => {
    const module = device.createShaderModule({ label: name, code });
    return device.createRenderPipeline({
      label,
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format, blend: ALPHA_BLEND }] },
      primitive: { topology: 'triangle-list' },
    });
  });
}
