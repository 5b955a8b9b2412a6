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
