// One GPUDevice and one decode-worker pool for every <esasky-sky> on the page (Aladin Lite's one
// WebGL context per instance runs out at a few instances, its issue #346).
import { DecodePool } from '../workers/pool.js';
import { UploadBudget } from '../render/uploadBudget.js';
import { trackGpuMemory } from '../render/gpuMemory.js';

export class WebGpuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuUnavailableError';
  }
}

let devicePromise: Promise<GPUDevice> | undefined;
let pool: DecodePool | undefined;

async function acquireDevice(): Promise<GPUDevice> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    throw new WebGpuUnavailableError('This browser does not offer WebGPU (navigator.gpu is missing). Use a recent Chrome, Edge or Safari, or enable WebGPU.');
  }
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new WebGpuUnavailableError('WebGPU is present but no GPU adapter is available on this machine.');
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxTextureArrayLayers: Math.min(256, adapter.limits.maxTextureArrayLayers),
      // big catalogues: 16 bytes per row in one storage buffer (the default 128 MiB is 8.4M rows)
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  device.lost.then(() => {
    devicePromise = undefined;
  });
  trackGpuMemory(device); // bytes of every buffer and texture (gpuMemoryOf; benchmarks report it)
  return device;
}

/** The page's shared GPUDevice (requested once; requested again after it is lost). */
export function getSharedDevice(): Promise<GPUDevice> {
  if (!devicePromise) {
    devicePromise = acquireDevice();
    devicePromise.catch(() => {
      devicePromise = undefined;
    });
  }
  return devicePromise;
}

/** The page's shared pool of decode workers. */
export function getSharedDecodePool(): DecodePool {
  if (!pool) pool = new DecodePool();
  return pool;
}

let frameBudget: { stamp: number; budget: UploadBudget } | undefined;

/**
 * The GPU-upload budget of the current animation frame, shared by every element on the page
 * (pass the rAF timestamp): twenty views loading at once still upload ~6 ms per frame in all.
 */
export function sharedFrameBudget(rafTimestamp: number, budgetMs = 6): UploadBudget {
  if (!frameBudget || frameBudget.stamp !== rafTimestamp) frameBudget = { stamp: rafTimestamp, budget: new UploadBudget(budgetMs) };
  return frameBudget.budget;
}
