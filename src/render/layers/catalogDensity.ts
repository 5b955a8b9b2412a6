// The density map of a catalogue layer: a u32 grid at half the screen resolution that a compute
// pass fills from the layer's resident rows (through the layer's own main bind group, so filters,
// hidden tiles and free slots count as they do for markers) plus weighted sample points (rows that
// are counted but not loaded, see src/catalog/densityCells.ts), and a full-screen pass that shows
// it through the density colormap. Owns its grid, statistics, samples and uniform buffers
// (destroy()); pipelines are shared per device. Used by ProgressiveCatalogLayer.
import { cachedPipeline } from '../pipelineCache.js';
import { densityDrawWgsl, densitySplatWgsl } from '../shaders/density.wgsl.js';
import { COMPACT_CHUNK } from '../shaders/catalog.wgsl.js';
import { dispatchSize, type CatalogGpu } from './catalogLayer.js';

/** Grid units per row: sample weights are rounded to 1/DENSITY_SCALE of a row (a grid cell holds up to 4.2M rows). */
export const DENSITY_SCALE = 1024;
const UNIFORM_SIZE = 32;

interface DensityGpu {
  readonly bglSplat: GPUBindGroupLayout;
  readonly bglDraw: GPUBindGroupLayout;
  readonly layoutDraw: GPUPipelineLayout;
  readonly drawModule: GPUShaderModule;
  readonly splatRows: GPUComputePipeline;
  readonly splatSamples: GPUComputePipeline;
  readonly reduceMax: GPUComputePipeline;
}

const cache = new WeakMap<GPUDevice, DensityGpu>();

function densityGpu(device: GPUDevice, g: CatalogGpu): DensityGpu {
  let d = cache.get(device);
  if (d) return d;
  const { FRAGMENT, COMPUTE } = GPUShaderStage;
  const bglSplat = device.createBindGroupLayout({
    label: 'catalog density splat',
    entries: [
      { binding: 0, visibility: COMPUTE, buffer: { type: 'storage' } },
      { binding: 1, visibility: COMPUTE, buffer: { type: 'storage' } },
      { binding: 2, visibility: COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 3, visibility: COMPUTE, buffer: { type: 'uniform' } },
    ],
  });
  const bglDraw = device.createBindGroupLayout({
    label: 'catalog density draw',
    entries: [
      { binding: 0, visibility: FRAGMENT, buffer: { type: 'read-only-storage' } },
      { binding: 1, visibility: FRAGMENT, buffer: { type: 'read-only-storage' } },
      { binding: 2, visibility: FRAGMENT, buffer: { type: 'uniform' } },
    ],
  });
  const module = device.createShaderModule({ label: 'catalog density splat', code: densitySplatWgsl });
  const layout = device.createPipelineLayout({ bindGroupLayouts: [g.bgl0, bglSplat] });
  const compute = (entryPoint: string) => device.createComputePipeline({ label: `catalog density ${entryPoint}`, layout, compute: { module, entryPoint } });
  d = {
    bglSplat, bglDraw,
    layoutDraw: device.createPipelineLayout({ bindGroupLayouts: [g.bgl0, bglDraw] }),
    drawModule: device.createShaderModule({ label: 'catalog density draw', code: densityDrawWgsl }),
    splatRows: compute('splatRows'),
    splatSamples: compute('splatSamples'),
    reduceMax: compute('reduceMax'),
  };
  cache.set(device, d);
  return d;
}

const BLEND: GPUBlendState = {
  color: { srcFactor: 'src-alpha', dstFactor: 'one-minus-src-alpha', operation: 'add' },
  alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
};

export interface DensityGrid {
  readonly width: number;
  readonly height: number;
  /** Grid units (DENSITY_SCALE per row), rows top to bottom. */
  readonly counts: Uint32Array;
  readonly max: number;
  readonly scale: number;
}

export class CatalogDensityMap {
  private readonly device: GPUDevice;
  private readonly gpu: DensityGpu;
  private readonly drawPipeline: GPURenderPipeline;
  private readonly statsBuffer: GPUBuffer;
  private readonly uniformBuffer: GPUBuffer;
  private countsBuffer: GPUBuffer | undefined;
  private samplesBuffer: GPUBuffer;
  private sampleCount = 0;
  private gridSize: [number, number] = [0, 0];
  private bgSplat: GPUBindGroup | undefined;
  private bgDraw: GPUBindGroup | undefined;
  private destroyed = false;
  /** Splat passes run so far. */
  passes = 0;

  constructor(device: GPUDevice, format: GPUTextureFormat, catalogGpu: CatalogGpu) {
    this.device = device;
    this.gpu = densityGpu(device, catalogGpu);
    const g = this.gpu;
    this.drawPipeline = cachedPipeline(device, `catalog-density-weighted/${format}`, () => device.createRenderPipeline({
      label: 'catalog density (weighted)',
      layout: g.layoutDraw,
      vertex: { module: g.drawModule, entryPoint: 'vsFull' },
      fragment: { module: g.drawModule, entryPoint: 'fsDensity', targets: [{ format, blend: BLEND }] },
      primitive: { topology: 'triangle-list' },
    }));
    this.statsBuffer = device.createBuffer({ label: 'catalog density stats', size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    this.uniformBuffer = device.createBuffer({ label: 'catalog density', size: UNIFORM_SIZE, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.samplesBuffer = device.createBuffer({ label: 'catalog density samples', size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  }

  /** Bytes of the buffers owned here. */
  get gpuBytes(): number {
    return this.statsBuffer.size + this.uniformBuffer.size + this.samplesBuffer.size + (this.countsBuffer?.size ?? 0);
  }

  get samples(): number {
    return this.sampleCount;
  }

  /** Weighted sample points (vec4 per sample: ICRS unit vector, weight in rows); replaces the previous ones. */
  setSamples(samples: Float32Array): void {
    if (this.destroyed) return;
    if (samples.length % 4 !== 0) throw new RangeError(`density samples are 4 floats each, got ${samples.length} floats`);
    const bytes = Math.max(16, samples.byteLength);
    if (bytes > this.samplesBuffer.size) {
      this.samplesBuffer.destroy();
      let size = this.samplesBuffer.size;
      while (size < bytes) size *= 2;
      this.samplesBuffer = this.device.createBuffer({ label: 'catalog density samples', size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      this.bgSplat = undefined;
    }
    if (samples.byteLength > 0) this.device.queue.writeBuffer(this.samplesBuffer, 0, samples as Float32Array<ArrayBuffer>);
    this.sampleCount = samples.length / 4;
  }

  /**
   * Fill the grid for a viewport of widthPx x heightPx: the first `rowSlots` rows of the layer
   * whose main bind group is `bgMain` (its uniforms must hold this frame's view), then the samples.
   */
  run(bgMain: GPUBindGroup, rowSlots: number, widthPx: number, heightPx: number, alpha: number): void {
    if (this.destroyed) return;
    this.ensureGrid(widthPx, heightPx);
    const [gw, gh] = this.gridSize;
    const u = new ArrayBuffer(UNIFORM_SIZE);
    const w = new Uint32Array(u);
    const f = new Float32Array(u);
    w[0] = gw;
    w[1] = gh;
    f[2] = DENSITY_SCALE;
    w[3] = this.sampleCount;
    w[4] = rowSlots;
    f[5] = alpha;
    this.device.queue.writeBuffer(this.uniformBuffer, 0, u);
    const enc = this.device.createCommandEncoder({ label: 'catalog density' });
    enc.clearBuffer(this.countsBuffer!);
    enc.clearBuffer(this.statsBuffer);
    const pass = enc.beginComputePass({ label: 'catalog density' });
    pass.setBindGroup(0, bgMain);
    pass.setBindGroup(1, this.bgSplat!);
    if (rowSlots > 0) {
      pass.setPipeline(this.gpu.splatRows);
      pass.dispatchWorkgroups(...dispatchSize(rowSlots));
    }
    if (this.sampleCount > 0) {
      pass.setPipeline(this.gpu.splatSamples);
      pass.dispatchWorkgroups(...dispatchSize(this.sampleCount));
    }
    pass.setPipeline(this.gpu.reduceMax);
    pass.dispatchWorkgroups(...dispatchSize(Math.ceil((gw * gh) / COMPACT_CHUNK)));
    pass.end();
    this.device.queue.submit([enc.finish()]);
    this.passes++;
  }

  /** Draw the map (after run()). */
  encode(pass: GPURenderPassEncoder, bgMain: GPUBindGroup): void {
    if (this.destroyed || !this.bgDraw) return;
    pass.setPipeline(this.drawPipeline);
    pass.setBindGroup(0, bgMain);
    pass.setBindGroup(1, this.bgDraw);
    pass.draw(3);
  }

  /** Read back the grid of the last run. */
  async read(): Promise<DensityGrid> {
    const [width, height] = this.gridSize;
    if (!this.countsBuffer || width === 0) throw new Error('this catalogue has not drawn a density map yet');
    const bytes = width * height * 4;
    const read = this.device.createBuffer({ label: 'density readback', size: bytes + 16, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(this.countsBuffer, 0, read, 0, bytes);
    enc.copyBufferToBuffer(this.statsBuffer, 0, read, bytes, 16);
    this.device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const all = new Uint32Array(read.getMappedRange().slice(0));
    read.unmap();
    read.destroy();
    return { width, height, counts: all.subarray(0, width * height), max: all[width * height], scale: DENSITY_SCALE };
  }

  private ensureGrid(widthPx: number, heightPx: number): void {
    const gw = Math.max(1, Math.ceil(widthPx / 2));
    const gh = Math.max(1, Math.ceil(heightPx / 2));
    if (!this.countsBuffer || this.gridSize[0] !== gw || this.gridSize[1] !== gh) {
      this.countsBuffer?.destroy();
      this.countsBuffer = this.device.createBuffer({ label: 'catalog density grid', size: gw * gh * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
      this.gridSize = [gw, gh];
      this.bgSplat = this.bgDraw = undefined;
    }
    if (!this.bgSplat) {
      this.bgSplat = this.device.createBindGroup({
        label: 'catalog density splat', layout: this.gpu.bglSplat,
        entries: [this.countsBuffer, this.statsBuffer, this.samplesBuffer, this.uniformBuffer].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
    }
    if (!this.bgDraw) {
      this.bgDraw = this.device.createBindGroup({
        label: 'catalog density draw', layout: this.gpu.bglDraw,
        entries: [this.countsBuffer, this.statsBuffer, this.uniformBuffer].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.countsBuffer?.destroy();
    this.statsBuffer.destroy();
    this.uniformBuffer.destroy();
    this.samplesBuffer.destroy();
  }
}
