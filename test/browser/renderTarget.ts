// Test helper: an off-screen rgba8unorm render target with a readback of its pixels.

export interface OffscreenTarget {
  readonly texture: GPUTexture;
  readonly width: number;
  readonly height: number;
  /** RGBA8 pixels, rows top to bottom, tightly packed. */
  read(): Promise<Uint8Array>;
  destroy(): void;
}

export function createTarget(device: GPUDevice, width: number, height: number): OffscreenTarget {
  const texture = device.createTexture({
    size: { width, height },
    format: 'rgba8unorm',
    usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
  });
  const bytesPerRow = Math.ceil((width * 4) / 256) * 256;
  return {
    texture,
    width,
    height,
    async read() {
      const buffer = device.createBuffer({ size: bytesPerRow * height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
      const enc = device.createCommandEncoder();
      enc.copyTextureToBuffer({ texture }, { buffer, bytesPerRow }, { width, height });
      device.queue.submit([enc.finish()]);
      await buffer.mapAsync(GPUMapMode.READ);
      const src = new Uint8Array(buffer.getMappedRange());
      const out = new Uint8Array(width * height * 4);
      for (let y = 0; y < height; y++) out.set(src.subarray(y * bytesPerRow, y * bytesPerRow + width * 4), y * width * 4);
      buffer.unmap();
      buffer.destroy();
      return out;
    },
    destroy() {
      texture.destroy();
    },
  };
}

/** Uncaptured WebGPU errors seen by devices from requestTestDevice(); tests assert it stays empty. */
export const gpuErrors: string[] = [];

export async function requestTestDevice(): Promise<GPUDevice> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter in this Chromium: check the flags in scripts/chromium.mjs');
  const device = await adapter.requestDevice();
  // WebGPU validation errors would otherwise only be warnings in the console: make them loud.
  device.addEventListener('uncapturederror', (e) => {
    gpuErrors.push((e as GPUUncapturedErrorEvent).error.message);
    console.error('WebGPU error:', (e as GPUUncapturedErrorEvent).error.message);
  });
  return device;
}

export function pixelAt(pixels: Uint8Array, width: number, x: number, y: number): [number, number, number, number] {
  const o = (y * width + x) * 4;
  return [pixels[o], pixels[o + 1], pixels[o + 2], pixels[o + 3]];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
