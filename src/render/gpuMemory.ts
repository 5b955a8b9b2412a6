// Exact accounting of the GPU memory a device's buffers and textures were created with (WebGPU has
// no memory query): trackGpuMemory(device) wraps the device's createBuffer and createTexture once —
// at the one place the page's device is made (elements/sharedDevice.ts) — adds each object's bytes
// and takes them off again on its destroy() (or when it is garbage-collected without one). The
// bytes are what was asked for (size, or texels × bytes per texel over every mip level, layer and
// sample); what the driver adds for alignment or bookkeeping is not known to the page. Textures
// handed out by a canvas context (getCurrentTexture) are not created through the device: not counted.

/** Bytes per texel of the texture formats; a format not listed is counted in `unknownFormats`. */
const BYTES_PER_TEXEL: Record<string, number> = {
  r8unorm: 1, r8snorm: 1, r8uint: 1, r8sint: 1,
  r16uint: 2, r16sint: 2, r16float: 2, rg8unorm: 2, rg8snorm: 2, rg8uint: 2, rg8sint: 2,
  r32uint: 4, r32sint: 4, r32float: 4, rg16uint: 4, rg16sint: 4, rg16float: 4,
  rgba8unorm: 4, 'rgba8unorm-srgb': 4, rgba8snorm: 4, rgba8uint: 4, rgba8sint: 4, bgra8unorm: 4, 'bgra8unorm-srgb': 4,
  rgb10a2unorm: 4, rgb10a2uint: 4, rg11b10ufloat: 4, rgb9e5ufloat: 4,
  rg32uint: 8, rg32sint: 8, rg32float: 8, rgba16uint: 8, rgba16sint: 8, rgba16float: 8,
  rgba32uint: 16, rgba32sint: 16, rgba32float: 16,
  stencil8: 1, depth16unorm: 2, depth24plus: 4, 'depth24plus-stencil8': 4, depth32float: 4, 'depth32float-stencil8': 5,
};

export interface TextureSize {
  width: number;
  height: number;
  depthOrArrayLayers: number;
}

/** A GPUExtent3D as width/height/depthOrArrayLayers. */
export function extentOf(size: GPUExtent3D): TextureSize {
  if (typeof (size as Iterable<number>)[Symbol.iterator] === 'function') {
    const [width = 1, height = 1, depthOrArrayLayers = 1] = [...(size as Iterable<number>)];
    return { width, height, depthOrArrayLayers };
  }
  const d = size as GPUExtent3DDict;
  return { width: d.width, height: d.height ?? 1, depthOrArrayLayers: d.depthOrArrayLayers ?? 1 };
}

/**
 * Bytes of a texture with this descriptor: every mip level (each dimension halved, at least 1; a
 * 3-D texture's depth too, array layers not), every layer, every sample. NaN for an unknown format.
 */
export function textureBytes(desc: Pick<GPUTextureDescriptor, 'size' | 'format' | 'mipLevelCount' | 'sampleCount' | 'dimension'>): number {
  const texel = BYTES_PER_TEXEL[desc.format];
  if (texel === undefined) return NaN;
  const { width, height, depthOrArrayLayers } = extentOf(desc.size);
  const is3d = desc.dimension === '3d';
  let texels = 0;
  for (let l = 0; l < (desc.mipLevelCount ?? 1); l++) {
    const w = Math.max(1, width >> l);
    const h = desc.dimension === '1d' ? 1 : Math.max(1, height >> l);
    const d = is3d ? Math.max(1, depthOrArrayLayers >> l) : depthOrArrayLayers;
    texels += w * h * d;
  }
  return texels * texel * (desc.sampleCount ?? 1);
}

export interface GpuMemoryStats {
  /** Bytes of live buffers created through the device. */
  bufferBytes: number;
  /** Bytes of live textures created through the device (known formats). */
  textureBytes: number;
  buffers: number;
  textures: number;
  /** Most bytes (buffers + textures) live at once since tracking began. */
  peakBytes: number;
  /** Formats of live textures whose size is unknown (not in textureBytes). */
  unknownFormats: string[];
}

interface Tracker {
  stats: GpuMemoryStats;
  unknown: Map<string, number>;
}

const trackers = new WeakMap<GPUDevice, Tracker>();

/** Start counting the device's buffers and textures (idempotent); returns its live stats. */
export function trackGpuMemory(device: GPUDevice): GpuMemoryStats {
  const existing = trackers.get(device);
  if (existing) return existing.stats;
  const t: Tracker = { stats: { bufferBytes: 0, textureBytes: 0, buffers: 0, textures: 0, peakBytes: 0, unknownFormats: [] }, unknown: new Map() };
  trackers.set(device, t);
  const s = t.stats;
  let epoch = 0; // bumped when the device is lost: objects made before count for nothing any more
  // what each live object counts for: taken off once, by destroy() or by the finalizer
  const release = (kind: 'buffer' | 'texture', bytes: number, format?: string): void => {
    if (kind === 'buffer') {
      s.bufferBytes -= bytes;
      s.buffers--;
    } else {
      s.textures--;
      if (Number.isFinite(bytes)) s.textureBytes -= bytes;
      else if (format !== undefined) {
        const n = (t.unknown.get(format) ?? 1) - 1;
        if (n > 0) t.unknown.set(format, n);
        else t.unknown.delete(format);
        s.unknownFormats = [...t.unknown.keys()];
      }
    }
  };
  const finalizer = typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<{ kind: 'buffer' | 'texture'; bytes: number; format?: string; done: { v: boolean }; epoch: number }>((h) => {
      if (!h.done.v && h.epoch === epoch) release(h.kind, h.bytes, h.format);
    })
    : undefined;
  const watch = <T extends GPUBuffer | GPUTexture>(obj: T, kind: 'buffer' | 'texture', bytes: number, format?: string): T => {
    const done = { v: false };
    const e = epoch;
    const destroy = obj.destroy.bind(obj);
    obj.destroy = () => {
      if (!done.v && e === epoch) release(kind, bytes, format);
      done.v = true;
      destroy();
    };
    finalizer?.register(obj, { kind, bytes, format, done, epoch: e });
    return obj;
  };
  const peak = (): void => {
    s.peakBytes = Math.max(s.peakBytes, s.bufferBytes + s.textureBytes);
  };
  const createBuffer = device.createBuffer.bind(device);
  device.createBuffer = (desc: GPUBufferDescriptor): GPUBuffer => {
    const b = createBuffer(desc);
    s.bufferBytes += b.size;
    s.buffers++;
    peak();
    return watch(b, 'buffer', b.size);
  };
  const createTexture = device.createTexture.bind(device);
  device.createTexture = (desc: GPUTextureDescriptor): GPUTexture => {
    const tex = createTexture(desc);
    const bytes = textureBytes(desc);
    s.textures++;
    if (Number.isFinite(bytes)) s.textureBytes += bytes;
    else {
      t.unknown.set(desc.format, (t.unknown.get(desc.format) ?? 0) + 1);
      s.unknownFormats = [...t.unknown.keys()];
    }
    peak();
    return watch(tex, 'texture', bytes, desc.format);
  };
  // on device loss every object is gone with it
  device.lost?.then(() => {
    epoch++;
    Object.assign(s, { bufferBytes: 0, textureBytes: 0, buffers: 0, textures: 0, unknownFormats: [] });
    t.unknown.clear();
  }, () => {});
  return s;
}

/** A copy of the device's stats, or undefined when it is not tracked. */
export function gpuMemoryOf(device: GPUDevice): GpuMemoryStats | undefined {
  const t = trackers.get(device);
  return t ? { ...t.stats, unknownFormats: [...t.stats.unknownFormats] } : undefined;
}
