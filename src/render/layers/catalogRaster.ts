// The compute-rasterised marker path of a catalogue layer (shaders: catalogRaster.wgsl.ts): for
// small markers, a compute pass writes each visible row's marker pixels (atomicMax of its visible
// index) into a screen-sized buffer and a full-screen pass resolves it to colour, or, for picking,
// to the integer pick target. Owns its buffers and bind groups (destroy()); pipelines are shared
// per device. Which path draws a frame: src/catalog/markerPath.ts. Used by CatalogLayer (fixed
// screen buffer) and ProgressiveCatalogLayer (shared row-slot buffers that grow and shrink:
// setSources rebinds when its screen buffer is replaced).
import { cachedPipeline } from '../pipelineCache.js';
import { PICK_FORMAT } from '../picking.js';
import { catalogProjectRasterWgsl, catalogRasterWgsl, catalogResolveWgsl, RASTER_WORKGROUP } from '../shaders/catalogRaster.wgsl.js';
import { catalogGpu } from './catalogLayer.js';

interface RasterGpu {
  readonly bglRaster: GPUBindGroupLayout;
  readonly bglResolve: GPUBindGroupLayout;
  /** Raster pipelines by shape id and fill, and fused ones by shape, fill and projections (made when first used). */
  readonly raster: Map<string, GPUComputePipeline>;
  readonly rasterLayout: GPUPipelineLayout;
  readonly rasterModule: GPUShaderModule;
  readonly bglFused: GPUBindGroupLayout;
  readonly fusedLayout: GPUPipelineLayout;
  readonly fusedModule: GPUShaderModule;
  readonly resolveLayout: GPUPipelineLayout;
  readonly resolveModule: GPUShaderModule;
}

const gpuCache = new WeakMap<GPUDevice, RasterGpu>();

function rasterGpu(device: GPUDevice): RasterGpu {
  let g = gpuCache.get(device);
  if (g) return g;
  const cat = catalogGpu(device);
  const { COMPUTE, FRAGMENT } = GPUShaderStage;
  const storage = (visibility: number, types: GPUBufferBindingType[], label: string) =>
    device.createBindGroupLayout({ label, entries: types.map((type, binding) => ({ binding, visibility, buffer: { type } })) });
  const bglRaster = storage(COMPUTE, ['read-only-storage', 'storage'], 'catalog raster');
  const bglResolve = storage(FRAGMENT, ['read-only-storage', 'read-only-storage'], 'catalog resolve');
  const rasterModule = device.createShaderModule({ label: 'catalog raster', code: catalogRasterWgsl });
  const bglFused = storage(COMPUTE, ['storage', 'storage'], 'catalog project + raster');
  g = {
    bglFused,
    fusedLayout: device.createPipelineLayout({ bindGroupLayouts: [cat.bgl0, bglFused] }),
    fusedModule: device.createShaderModule({ label: 'catalog project + raster', code: catalogProjectRasterWgsl }),
    bglRaster, bglResolve,
    raster: new Map(),
    rasterLayout: device.createPipelineLayout({ bindGroupLayouts: [cat.bgl0, bglRaster] }),
    rasterModule,
    resolveLayout: device.createPipelineLayout({ bindGroupLayouts: [cat.bgl0, bglResolve] }),
    resolveModule: device.createShaderModule({ label: 'catalog resolve', code: catalogResolveWgsl }),
  };
  gpuCache.set(device, g);
  return g;
}

const BLEND: GPUBlendState = {
  color: { srcFactor: 'src-alpha', dstFactor: 'one-minus-src-alpha', operation: 'add' },
  alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
};

function resolvePipelines(device: GPUDevice, format: GPUTextureFormat): { colour: GPURenderPipeline; pick: GPURenderPipeline } {
  const g = rasterGpu(device);
  const make = (label: string, entryPoint: string, target: GPUColorTargetState) => device.createRenderPipeline({
    label, layout: g.resolveLayout,
    vertex: { module: g.resolveModule, entryPoint: 'vsFull' },
    fragment: { module: g.resolveModule, entryPoint, targets: [target] },
    primitive: { topology: 'triangle-list' },
  });
  return {
    colour: cachedPipeline(device, `catalog-resolve/${format}`, () => make('catalog resolve', 'fsResolve', { format, blend: BLEND })),
    pick: cachedPipeline(device, `catalog-pick-resolve/${PICK_FORMAT}`, () => make('catalog pick resolve', 'fsPickResolve', { format: PICK_FORMAT })),
  };
}

/** What the raster path reads, owned by the catalogue layer. */
export interface RasterSources {
  /** The project pass's output: per row screen position, size (< 0: not drawn), packed colour. */
  readonly screen: GPUBuffer;
  readonly rowCount: number;
}

/** One screen-sized id buffer and its bind groups (drawing or picking). */
interface Target {
  buffer: GPUBuffer;
  raster: GPUBindGroup;
  resolve: GPUBindGroup;
  /** Group 1 of the fused project + raster pass (screen written, ids). */
  fused: GPUBindGroup;
}

export class CatalogRaster {
  private readonly device: GPUDevice;
  private readonly gpu: RasterGpu;
  private readonly pipelines: { colour: GPURenderPipeline; pick: GPURenderPipeline };
  private sources: RasterSources;
  private size: [number, number] = [0, 0];
  private colour: Target | undefined;
  private pick: Target | undefined;
  /** Raster passes run (drawing and picking), for tests and diagnostics. */
  passes = 0;

  constructor(device: GPUDevice, format: GPUTextureFormat, sources: RasterSources) {
    this.device = device;
    this.gpu = rasterGpu(device);
    this.pipelines = resolvePipelines(device, format);
    this.sources = sources;
  }

  /** Bytes of the id buffers now allocated (drawing, and picking once used). */
  get targetBytes(): number {
    return (this.colour?.buffer.size ?? 0) + (this.pick?.buffer.size ?? 0);
  }

  /**
   * The project pass's screen buffer and the rows to dispatch changed (a layer whose buffers are
   * reallocated): the bind groups are made again on next use; the id buffers are kept.
   */
  setSources(sources: RasterSources): void {
    if (sources.screen !== this.sources.screen) {
      const keep = (t: Target | undefined) => t?.buffer;
      const colour = keep(this.colour);
      const pick = keep(this.pick);
      this.colour = undefined;
      this.pick = undefined;
      this.sources = sources;
      if (colour) this.colour = this.bind('colour', colour);
      if (pick) this.pick = this.bind('pick', pick);
      return;
    }
    this.sources = sources;
  }

  /** Make the id buffers match a view of width x height device pixels (returns true when they were remade). */
  resize(width: number, height: number): boolean {
    if (this.size[0] === width && this.size[1] === height) return false;
    this.colour?.buffer.destroy();
    this.pick?.buffer.destroy();
    this.colour = undefined;
    this.pick = undefined;
    this.size = [width, height];
    return true;
  }

  private target(kind: 'colour' | 'pick'): Target {
    const have = kind === 'colour' ? this.colour : this.pick;
    if (have) return have;
    const [w, h] = this.size;
    const buffer = this.device.createBuffer({ label: `catalog raster ${kind} ids`, size: Math.max(16, w * h * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const t = this.bind(kind, buffer);
    if (kind === 'colour') this.colour = t;
    else this.pick = t;
    return t;
  }

  /** The bind groups of an id buffer with the current screen buffer. */
  private bind(kind: 'colour' | 'pick', buffer: GPUBuffer): Target {
    const s = this.sources;
    const entries = (bufs: GPUBuffer[]) => bufs.map((b, binding) => ({ binding, resource: { buffer: b } }));
    const t: Target = {
      buffer,
      raster: this.device.createBindGroup({ label: `catalog raster ${kind}`, layout: this.gpu.bglRaster, entries: entries([s.screen, buffer]) }),
      resolve: this.device.createBindGroup({ label: `catalog resolve ${kind}`, layout: this.gpu.bglResolve, entries: entries([s.screen, buffer]) }),
      fused: this.device.createBindGroup({ label: `catalog project + raster ${kind}`, layout: this.gpu.bglFused, entries: entries([s.screen, buffer]) }),
    };
    return t;
  }

  /**
   * Encode the raster of the rows (after the project pass, same or earlier submission): clear the
   * ids, one invocation per row walks its marker's pixels.
   * `group0` is the layer's main (drawing) or pick bind group: its uniform's mode picks the footprint.
   */
  encodeRaster(enc: GPUCommandEncoder, group0: GPUBindGroup, kind: 'colour' | 'pick', shapeId: number, filled: boolean): void {
    const t = this.target(kind);
    enc.clearBuffer(t.buffer);
    const pass = enc.beginComputePass({ label: `catalog raster ${kind}` });
    pass.setPipeline(this.rasterPipeline(kind === 'pick' ? 0 : shapeId, kind === 'colour' && filled));
    pass.setBindGroup(0, group0);
    pass.setBindGroup(1, t.raster);
    this.dispatchRows(pass);
    pass.end();
    this.passes++;
  }

  /**
   * Encode the project pass and the raster in one (drawing, layers without arrows): every row's
   * screen record is written as the project pass writes it (no compaction) and its marker
   * rasterised into the drawing ids. `projection`: the ids of the specialised project pipeline.
   */
  encodeProjectRaster(enc: GPUCommandEncoder, group0: GPUBindGroup, shapeId: number, filled: boolean, projection: readonly [number, number]): void {
    const t = this.target('colour');
    enc.clearBuffer(t.buffer);
    const key = `fused ${shapeId}/${filled ? 1 : 0}/${projection[0]}/${projection[1]}`;
    let pipeline = this.gpu.raster.get(key);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline({
        label: `catalog project + raster ${key}`, layout: this.gpu.fusedLayout,
        compute: { module: this.gpu.fusedModule, entryPoint: 'projectRaster', constants: { SHAPE: shapeId, FILLED: filled ? 1 : 0, PROJECTION_A: projection[0], PROJECTION_B: projection[1] } },
      });
      this.gpu.raster.set(key, pipeline);
    }
    const pass = enc.beginComputePass({ label: 'catalog project + raster' });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group0);
    pass.setBindGroup(1, t.fused);
    this.dispatchRows(pass);
    pass.end();
    this.passes++;
  }

  private dispatchRows(pass: GPUComputePassEncoder): void {
    const groups = Math.max(1, Math.ceil(this.sources.rowCount / RASTER_WORKGROUP));
    const x = Math.min(groups, 65535);
    pass.dispatchWorkgroups(x, Math.ceil(groups / x));
  }

  private rasterPipeline(shapeId: number, filled: boolean): GPUComputePipeline {
    const key = `${shapeId}/${filled ? 1 : 0}`;
    let p = this.gpu.raster.get(key);
    if (!p) {
      p = this.device.createComputePipeline({
        label: `catalog raster ${key}`, layout: this.gpu.rasterLayout,
        compute: { module: this.gpu.rasterModule, entryPoint: 'raster', constants: { SHAPE: shapeId, FILLED: filled ? 1 : 0 } },
      });
      this.gpu.raster.set(key, p);
    }
    return p;
  }

  /** Full-screen resolve of the last raster into the frame (colour) or the pick target (pick). */
  encodeResolve(pass: GPURenderPassEncoder, group0: GPUBindGroup, kind: 'colour' | 'pick'): boolean {
    const t = kind === 'colour' ? this.colour : this.pick;
    if (!t) return false;
    pass.setPipeline(kind === 'colour' ? this.pipelines.colour : this.pipelines.pick);
    pass.setBindGroup(0, group0);
    pass.setBindGroup(1, t.resolve);
    pass.draw(3);
    return true;
  }

  destroy(): void {
    this.colour?.buffer.destroy();
    this.pick?.buffer.destroy();
    this.colour = undefined;
    this.pick = undefined;
  }
}
