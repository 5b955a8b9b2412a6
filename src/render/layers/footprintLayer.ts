// A footprint layer: many sky regions (tessellated in workers, src/footprints/tessellate.ts) drawn
// as anti-aliased outlines of constant CSS-pixel width and optional translucent fills, per-footprint
// colours, a selection highlight, and picking (fill and outline write the footprint's id). DOM-free;
// owns its buffers; the pipelines are shared per device.
//
// Per view, two-level culling on the GPU (compute, footprints.wgsl.ts): each footprint's state
// (out of view — its HEALPix cell's cap misses the view, or its own cap does —, a dot when its
// whole cap projects within DOT_PX of its anchor, or drawn in full); the kept footprints compacted
// in order with the prefix sum of their segments; then, by indirect dispatch over those segments
// only, each kept segment's ends on screen and a compacted index list of them in segment order
// with the arguments of indexed indirect draws. Segments of footprints out of view are never
// visited, off-screen footprints cost no vertex work, sub-pixel ones one small quad, and every
// quad shades 4 vertices (6 indices), not 6.
//
// Precision. Every point is a float32 offset from its footprint's anchor, and every anchor a
// float32 offset from the centre of its HEALPix cell (order CELL_ORDER, float64 on the CPU); both
// stay on the GPU. Once per view change the CPU rotates only the non-empty cells' centres into the
// view frame in float64 (≤ 12 288 of them, whatever the footprint count) and culls cells whose cap
// (cell radius + its footprints' largest extent) misses the view; the GPU adds the offsets rotated
// by the float32 view matrix. The error is float32 of quantities as large as a cell (≤ 1.5°:
// ≤ 0.3 mas) or a footprint, not of unit vectors (12 mas).
//
// Tolerance. Outlines are tessellated to toleranceForView() (factor-2 steps); when the view asks
// for a finer one (non-zenithal projections zoomed in) the layer asks its `retessellate` callback
// (the element: the worker pool) and keeps drawing the coarser geometry until the new one arrives;
// nextTolerance() caps the segment count and goes back to coarse after a deep zoom.
import type { Camera } from '../../math/camera.js';
import { boundaryFunction, PROJECTION_ID, ZENITHAL } from '../../math/projections.js';
import type { ProjectionTransition, RenderLayer } from '../layer.js';
import type { UploadBudget } from '../uploadBudget.js';
import { ALPHA_BLEND, cachedPipeline } from '../pipelineCache.js';
import { PICK_FORMAT, type PickableLayer } from '../picking.js';
import { footprintsProjectWgsl, footprintsWgsl } from '../shaders/footprints.wgsl.js';
import { parseColor, type Rgba } from '../../catalog/style.js';
import { nextTolerance, outlineLengthRad, outlineRadiiRad, SEGMENT_FLOATS, toleranceForView, type FootprintGeometry } from '../../footprints/tessellate.js';
import { cellsInView, footprintCells, type FootprintCells } from '../../footprints/footprintCells.js';

export interface FootprintStyle {
  /** Outline colour: '#rrggbb', '#rrggbbaa' or [r, g, b, a] in 0..1 (default '#ffd54f'). */
  readonly color?: string | readonly number[];
  /** One colour per footprint (overrides `color`). */
  readonly colors?: ReadonlyArray<string | readonly number[]>;
  /** Outline width, CSS pixels (default 1.5). */
  readonly lineWidthPx?: number;
  /** Fill the footprints (default false). */
  readonly fill?: boolean;
  /** Fill opacity, multiplies the colour's alpha (default 0.25). */
  readonly fillOpacity?: number;
  /** Colour of the selected footprint's outline (default '#ff4081'). */
  readonly highlightColor?: string | readonly number[];
  /** Radius of the ring drawn for POSITION footprints, CSS pixels (default 4). */
  readonly pointSizePx?: number;
}

export interface FootprintLayerOptions extends FootprintStyle {
  readonly id: string;
  readonly geometry: FootprintGeometry;
  /** Device pixels per CSS pixel. */
  readonly pixelRatio?: number;
  /** Asked for the same footprints at a finer tolerance (rad) when the view needs one. */
  readonly retessellate?: (toleranceRad: number) => Promise<FootprintGeometry>;
  /** Called when new geometry arrived (ask for a frame). */
  readonly onChange?: () => void;
  /** Draw into the picking target (default true; MOC layers are not picked). */
  readonly picking?: boolean;
}

export interface FootprintLayerStats {
  readonly footprints: number;
  readonly segments: number;
  readonly triangleVertices: number;
  /** Footprints in the HEALPix cells whose cap meets the view in the last view update (the GPU tests only these). */
  readonly inView: number;
  /** Non-empty HEALPix cells (order CELL_ORDER) whose centres the CPU rotates per view. */
  readonly cells: number;
  readonly toleranceRad: number;
  readonly retessellations: number;
  /** Compute passes that put the segments on screen (one per view or geometry change). */
  readonly projectPasses: number;
  readonly prepareMs: number;
}

interface FootprintGpu {
  readonly layout: GPUPipelineLayout;
  readonly bgl: GPUBindGroupLayout;
  readonly bglProjected: GPUBindGroupLayout;
  readonly bglProject: GPUBindGroupLayout;
  readonly module: GPUShaderModule;
  readonly projectFootprints: GPUComputePipeline;
  readonly scanFootprints: GPUComputePipeline;
  readonly writeFootprints: GPUComputePipeline;
  readonly projectSegments: GPUComputePipeline;
  readonly countChunks: GPUComputePipeline;
  readonly scanCounts: GPUComputePipeline;
  readonly writeIndices: GPUComputePipeline;
}

const gpuCache = new WeakMap<GPUDevice, FootprintGpu>();

function footprintGpu(device: GPUDevice): FootprintGpu {
  let g = gpuCache.get(device);
  if (g) return g;
  const { VERTEX, FRAGMENT, COMPUTE } = GPUShaderStage;
  const all = VERTEX | FRAGMENT | COMPUTE;
  const bgl = device.createBindGroupLayout({
    label: 'footprints',
    entries: [
      { binding: 0, visibility: all, buffer: { type: 'uniform' } },
      { binding: 1, visibility: VERTEX | COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 2, visibility: VERTEX | COMPUTE, buffer: { type: 'read-only-storage' } }, // colours: per vertex (flat varying), or copied beside the projected segment
      { binding: 3, visibility: VERTEX | COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 4, visibility: VERTEX, buffer: { type: 'read-only-storage' } },
    ],
  });
  const bglProjected = device.createBindGroupLayout({
    label: 'footprints projected',
    entries: [
      { binding: 0, visibility: VERTEX, buffer: { type: 'read-only-storage' } }, // projected segments
      { binding: 1, visibility: VERTEX, buffer: { type: 'read-only-storage' } }, // footprint states
      { binding: 2, visibility: VERTEX, buffer: { type: 'read-only-storage' } }, // kept footprints and segments
    ],
  });
  const bglProject = device.createBindGroupLayout({
    label: 'footprints project',
    entries: [
      { binding: 0, visibility: COMPUTE, buffer: { type: 'storage' } }, // projected segments
      { binding: 1, visibility: COMPUTE, buffer: { type: 'storage' } }, // footprint states
      { binding: 2, visibility: COMPUTE, buffer: { type: 'storage' } }, // kept footprints and segments
      { binding: 3, visibility: COMPUTE, buffer: { type: 'storage' } }, // index list
      { binding: 4, visibility: COMPUTE, buffer: { type: 'storage' } }, // draw arguments, dispatch sizes, chunk counts
    ],
  });
  const projectModule = device.createShaderModule({ label: 'footprints project', code: footprintsProjectWgsl });
  const projectLayout = device.createPipelineLayout({ label: 'footprints project', bindGroupLayouts: [bgl, bglProject] });
  const compute = (entryPoint: string) => device.createComputePipeline({ label: `footprints ${entryPoint}`, layout: projectLayout, compute: { module: projectModule, entryPoint } });
  g = {
    bgl, bglProjected, bglProject,
    layout: device.createPipelineLayout({ label: 'footprints', bindGroupLayouts: [bgl, bglProjected] }),
    module: device.createShaderModule({ label: 'footprints', code: footprintsWgsl }),
    projectFootprints: compute('projectFootprints'),
    scanFootprints: compute('scanFootprints'),
    writeFootprints: compute('writeFootprints'),
    projectSegments: compute('projectSegments'),
    countChunks: compute('countChunks'),
    scanCounts: compute('scanCounts'),
    writeIndices: compute('writeIndices'),
  };
  gpuCache.set(device, g);
  return g;
}

const UNIFORM_BYTES = 160;
/** HEALPix order of the cells footprints are grouped in (anchors as float32 offsets from their centre, culling per cell). */
export const CELL_ORDER = 5;
const DEG = Math.PI / 180;
/** A footprint whose cap projects within this radius (device px) of its anchor is drawn as a dot. */
export const DOT_PX = 1;
/** Segments per chunk of countChunks / writeIndices (CHUNK in the WGSL). */
const SEGMENT_CHUNK = 64;
/** Words of the work buffer before the per-chunk counts (HEAD in the WGSL): draw arguments, dispatch sizes, totals. */
const WORK_HEAD = 20;
/** Byte offset in the work buffer of the segment passes' two dispatch sizes (6 u32), copied to an INDIRECT buffer. */
const DISPATCH_AT = 40;

/** Byte offsets of the two indirect draws: plain segments, then ring markers and dots. */
const SEGMENTS_DRAW = 0;
const POINTS_DRAW = 20;
/** Index pattern of one segment's quad: 4 vertices, two triangles. */
const QUAD_INDICES = [0, 1, 2, 2, 1, 3] as const;

/** 6 × n indices for n consecutive segments' quads (4 vertices each), as the compaction writes them. */
export function quadIndices(n: number): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(6 * n);
  for (let j = 0; j < n; j++) for (let k = 0; k < 6; k++) out[6 * j + k] = 4 * j + QUAD_INDICES[k]!;
  return out;
}

/** Dispatch size (x, y) for `groups` workgroups (x at most 65535). */
function dispatchSize(groups: number): [number, number] {
  const x = Math.max(1, Math.min(groups, 65535));
  return [x, Math.max(1, Math.ceil(groups / x))];
}

function packColor(c: Rgba): number {
  const b = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 255);
  return (b(c[0]) | (b(c[1]) << 8) | (b(c[2]) << 16) | (b(c[3]) << 24)) >>> 0;
}

export class FootprintLayer implements RenderLayer, PickableLayer {
  readonly id: string;
  readonly pickable = true as const;
  pixelRatio: number;

  private readonly device: GPUDevice;
  private readonly gpu: FootprintGpu;
  private readonly linePipeline: GPURenderPipeline;
  /** Plain segments of the kept list (no points, no picking), without and with the boundary test. */
  private readonly segPipeline: GPURenderPipeline;
  private readonly segClipPipeline: GPURenderPipeline;
  private readonly fillPipeline: GPURenderPipeline;
  private readonly highlightPipeline: GPURenderPipeline;
  private readonly linePick: GPURenderPipeline;
  private readonly fillPick: GPURenderPipeline;
  private geometry: FootprintGeometry;
  /** [cells, view frame, per view][anchor offsets from their cell][per-footprint info], see the WGSL. */
  private anchorsBuffer: GPUBuffer | undefined;
  private colorsBuffer: GPUBuffer | undefined;
  private segmentsBuffer: GPUBuffer | undefined;
  private trianglesBuffer: GPUBuffer | undefined;
  /** Per kept segment, per view: screen positions of both ends and their plane points or colour (projectSegments). */
  private projectedBuffer: GPUBuffer | undefined;
  /** Per footprint, per view: anchor on screen, cap radius (px), state (0 out, 1 dot, 2 full). */
  private fpScreenBuffer: GPUBuffer | undefined;
  /** Per view: the kept footprints (id, first kept segment), then each kept segment's segment. */
  private keptBuffer: GPUBuffer | undefined;
  /** The kept segments' indices (6 per segment), written per view by writeIndices. */
  private indexBuffer: GPUBuffer | undefined;
  /** drawIndexedIndirect arguments, dispatch sizes, totals, then counts per chunk of segments and of footprints. */
  private workBuffer: GPUBuffer | undefined;
  /** The segment passes' dispatchWorkgroupsIndirect arguments (copied from the work buffer between the two passes). */
  private dispatchBuffer: GPUBuffer | undefined;
  /** The footprints grouped by HEALPix cell (anchors relative to cell centres), and the cells in the view frame. */
  private cells: FootprintCells | undefined;
  private cellView = new Float32Array(0);
  private viewRadiusRad = 0;
  /** Indices of the selected footprint's segments (quadIndices of the longest footprint), made on first selection. */
  private highlightIndexBuffer: GPUBuffer | undefined;
  private projectedGroups: { read: GPUBindGroup; write: GPUBindGroup } | undefined;
  private projectKey = '';
  /** The last view reaches the projection's boundary (fragments test it). */
  private clipBoundary = false;
  private projectPasses = 0;
  private readonly uniforms: { main: GPUBuffer; highlight: GPUBuffer; pick: GPUBuffer };
  private bindGroups: { main: GPUBindGroup; highlight: GPUBindGroup; pick: GPUBindGroup } | undefined;
  private readonly uniformBytes = new ArrayBuffer(UNIFORM_BYTES);
  private style: Required<Omit<FootprintStyle, 'colors' | 'color' | 'highlightColor'>> & { color: Rgba; highlightColor: Rgba; colors: readonly Rgba[] | undefined };
  private selected: number | undefined;
  private viewKey = '';
  private inView = 0;
  private version = 1;
  private destroyed = false;
  private readonly retessellate: FootprintLayerOptions['retessellate'];
  private readonly onChange: FootprintLayerOptions['onChange'];
  private readonly picking: boolean;
  private pendingTolerance: number | undefined;
  private retessellations = 0;
  private prepareMs = 0;
  private segmentsTotal = 0;
  /** Total angular length of the outlines (bounds the segments a finer tolerance would make). */
  private outlineRad = 0;
  /** Per footprint, the cap radius (rad) around its anchor its outline lies in (level of detail). */
  private outlineRadii: Float32Array = new Float32Array(0);
  private triangleVertices = 0;

  constructor(device: GPUDevice, format: GPUTextureFormat, options: FootprintLayerOptions) {
    this.device = device;
    this.id = options.id;
    this.pixelRatio = options.pixelRatio ?? 1;
    this.retessellate = options.retessellate;
    this.onChange = options.onChange;
    this.picking = options.picking ?? true;
    this.style = resolveStyle(options, undefined, options.geometry.count);
    const g = (this.gpu = footprintGpu(device));
    const pipeline = (key: string, vs: string, fs: string, target: GPUColorTargetState) => cachedPipeline(device, `footprints-${key}/${target.format}`, () => device.createRenderPipeline({
      label: `footprints ${key}`,
      layout: g.layout,
      vertex: { module: g.module, entryPoint: vs },
      fragment: { module: g.module, entryPoint: fs, targets: [target] },
      primitive: { topology: 'triangle-list' },
    }));
    this.linePipeline = pipeline('line', 'vsLine', 'fsLine', { format, blend: ALPHA_BLEND });
    this.segPipeline = pipeline('seg', 'vsSeg', 'fsSeg', { format, blend: ALPHA_BLEND });
    this.segClipPipeline = pipeline('seg-clip', 'vsSegClip', 'fsSegClip', { format, blend: ALPHA_BLEND });
    this.fillPipeline = pipeline('fill', 'vsFill', 'fsFill', { format, blend: ALPHA_BLEND });
    this.highlightPipeline = pipeline('highlight', 'vsHighlight', 'fsLine', { format, blend: ALPHA_BLEND });
    this.linePick = pipeline('line-pick', 'vsLine', 'fsLinePick', { format: PICK_FORMAT });
    this.fillPick = pipeline('fill-pick', 'vsFill', 'fsFillPick', { format: PICK_FORMAT });
    const uniform = (label: string) => device.createBuffer({ label, size: UNIFORM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.uniforms = { main: uniform('footprints'), highlight: uniform('footprints highlight'), pick: uniform('footprints pick') };
    this.geometry = options.geometry;
    this.upload(options.geometry);
  }

  /** Replace the geometry (same footprints, e.g. finer tolerance, or a new list). */
  setGeometry(geometry: FootprintGeometry): void {
    if (this.destroyed) return;
    if (geometry.count !== this.geometry.count) {
      this.style = { ...this.style, colors: this.style.colors && geometry.count === this.style.colors.length ? this.style.colors : undefined };
      if (this.selected !== undefined && this.selected >= geometry.count) this.selected = undefined;
    }
    this.upload(geometry);
    this.viewKey = '';
    this.version++;
  }

  private upload(geometry: FootprintGeometry): void {
    this.geometry = geometry;
    const d = this.device;
    const make = (label: string, data: ArrayBufferView, bytes = data.byteLength) => {
      const b = d.createBuffer({ label, size: Math.max(16, Math.ceil(bytes / 16) * 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      if (data.byteLength > 0) d.queue.writeBuffer(b, 0, data as unknown as Uint8Array<ArrayBuffer>);
      return b;
    };
    for (const b of [this.anchorsBuffer, this.segmentsBuffer, this.trianglesBuffer, this.projectedBuffer, this.fpScreenBuffer, this.keptBuffer, this.indexBuffer, this.workBuffer, this.dispatchBuffer, this.highlightIndexBuffer]) b?.destroy();
    this.highlightIndexBuffer = undefined;
    const n = geometry.count;
    const segments = geometry.segments.length / SEGMENT_FLOATS;
    this.segmentsTotal = segments;
    this.outlineRad = outlineLengthRad(geometry);
    this.outlineRadii = outlineRadiiRad(geometry);
    const cells = (this.cells = footprintCells(geometry, this.outlineRadii, CELL_ORDER));
    const cellCount = cells.cellIds.length;
    this.cellView = new Float32Array(4 * cellCount);
    this.anchorsBuffer = d.createBuffer({ label: 'footprint cells and anchors', size: Math.max(16, 16 * (cellCount + 2 * n)), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    if (n > 0) {
      d.queue.writeBuffer(this.anchorsBuffer, 16 * cellCount, cells.offsets);
      d.queue.writeBuffer(this.anchorsBuffer, 16 * (cellCount + n), cells.info);
    }
    this.projectedBuffer = d.createBuffer({ label: 'footprint kept segments on screen', size: Math.max(32, segments * 32), usage: GPUBufferUsage.STORAGE });
    this.fpScreenBuffer = d.createBuffer({ label: 'footprint states on screen', size: Math.max(16, n * 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    this.keptBuffer = d.createBuffer({ label: 'footprint kept footprints and segments', size: Math.max(16, 4 * (2 * n + segments)), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    this.indexBuffer = d.createBuffer({ label: 'footprint kept segment indices', size: Math.max(16, segments * 24), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.INDEX | GPUBufferUsage.COPY_SRC });
    const workWords = WORK_HEAD + 2 * Math.max(1, Math.ceil(segments / SEGMENT_CHUNK)) + 2 * Math.max(1, Math.ceil(n / SEGMENT_CHUNK));
    this.workBuffer = d.createBuffer({ label: 'footprint draw arguments and counts', size: Math.ceil(workWords / 4) * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.INDIRECT | GPUBufferUsage.COPY_SRC });
    this.dispatchBuffer = d.createBuffer({ label: 'footprint segment dispatches', size: 32, usage: GPUBufferUsage.INDIRECT | GPUBufferUsage.COPY_DST });
    const entries = (buffers: GPUBuffer[]): GPUBindGroupEntry[] => buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    this.projectedGroups = {
      read: d.createBindGroup({ label: 'footprints projected', layout: this.gpu.bglProjected, entries: entries([this.projectedBuffer, this.fpScreenBuffer, this.keptBuffer]) }),
      write: d.createBindGroup({
        label: 'footprints project', layout: this.gpu.bglProject,
        entries: entries([this.projectedBuffer, this.fpScreenBuffer, this.keptBuffer, this.indexBuffer, this.workBuffer]),
      }),
    };
    this.projectKey = '';
    this.segmentsBuffer = make('footprint segments', geometry.segments);
    this.trianglesBuffer = make('footprint triangles', geometry.triangles);
    this.triangleVertices = geometry.triangles.length / 4;
    this.writeColors();
  }

  private writeColors(): void {
    const n = this.geometry.count;
    const words = new Uint32Array(Math.max(4, n));
    const base = packColor(this.style.color);
    for (let i = 0; i < n; i++) words[i] = this.style.colors ? packColor(this.style.colors[i]!) : base;
    if (!this.colorsBuffer || this.colorsBuffer.size < words.byteLength) {
      this.colorsBuffer?.destroy();
      this.colorsBuffer = this.device.createBuffer({ label: 'footprint colours', size: Math.ceil(words.byteLength / 16) * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    }
    this.device.queue.writeBuffer(this.colorsBuffer, 0, words);
    this.bindGroups = undefined;
  }

  /** Change how the footprints are drawn (only the given fields). */
  setStyle(style: FootprintStyle): void {
    this.style = resolveStyle(style, this.style, this.geometry.count);
    this.writeColors();
    this.version++;
  }

  /** Outline a footprint in the highlight colour (undefined: none). */
  select(index: number | undefined): void {
    if (index !== undefined && !(Number.isInteger(index) && index >= 0 && index < this.geometry.count)) {
      throw new RangeError(`footprint index ${index} outside 0..${this.geometry.count - 1}`);
    }
    this.selected = index;
  }

  get selection(): number | undefined {
    return this.selected;
  }

  get count(): number {
    return this.geometry.count;
  }

  /** ICRS direction (degrees) of a footprint's anchor (the mean of its points). */
  anchorPosition(index: number): { raDeg: number; decDeg: number } {
    const a = this.geometry.anchors;
    const ra = (Math.atan2(a[3 * index + 1]!, a[3 * index]!) / DEG + 360) % 360;
    return { raDeg: ra, decDeg: Math.asin(Math.max(-1, Math.min(1, a[3 * index + 2]!))) / DEG };
  }

  get pickVersion(): number {
    return this.version;
  }

  get settled(): boolean {
    return this.pendingTolerance === undefined;
  }

  get hasPendingUploads(): boolean {
    return false;
  }

  get stats(): FootprintLayerStats {
    return {
      footprints: this.geometry.count, segments: this.segmentsTotal, triangleVertices: this.triangleVertices, inView: this.inView, cells: this.cells?.cellIds.length ?? 0,
      toleranceRad: this.geometry.toleranceRad, retessellations: this.retessellations, projectPasses: this.projectPasses, prepareMs: this.prepareMs,
    };
  }

  prepare(camera: Camera, _budget: UploadBudget, transition?: ProjectionTransition): void {
    if (this.destroyed) return;
    const t0 = performance.now();
    const v = camera.view;
    const key = `${v.raDeg},${v.decDeg},${v.fovDeg},${v.rollDeg},${v.projection},${v.frame},${v.widthPx},${v.heightPx},${transition ? `${transition.camera.view.projection},${transition.camera.view.fovDeg}` : ''}`;
    if (key !== this.viewKey) {
      this.viewKey = key;
      this.updateAnchors(camera, transition);
      this.checkTolerance(camera);
    }
    this.ensureBindGroups();
    this.writeUniforms(camera, transition);
    const pk = `${key}|${transition?.mix ?? 1}|${this.version}`;
    if (pk !== this.projectKey) {
      this.projectKey = pk;
      this.runProject();
    }
    this.prepareMs = performance.now() - t0;
  }

  /**
   * Float64 view-frame centres of the non-empty cells (w = -1 when a cell's cap misses the view),
   * O(cells ≤ 12 288) and ≤ 196 KB per view whatever the footprint count; the anchors stay on the GPU.
   */
  private updateAnchors(camera: Camera, transition: ProjectionTransition | undefined): void {
    this.viewRadiusRad = Math.max(camera.radiusRad, transition ? transition.camera.radiusRad : 0);
    if (!this.cells || this.cellView.length === 0) { this.inView = 0; return; }
    this.inView = cellsInView(this.cells, camera.right, camera.up, camera.centre, this.viewRadiusRad, this.cellView);
    this.device.queue.writeBuffer(this.anchorsBuffer!, 0, this.cellView as Float32Array<ArrayBuffer>);
  }

  private checkTolerance(camera: Camera): void {
    if (!this.retessellate || this.pendingTolerance !== undefined) return;
    const view = toleranceForView({ widthPx: camera.view.widthPx, halfWidthPlane: camera.halfWidthPlane, radiusRad: camera.radiusRad, zenithal: ZENITHAL.has(camera.view.projection) });
    const want = nextTolerance(this.geometry.toleranceRad, view, this.outlineRad);
    if (want === undefined) return;
    this.pendingTolerance = want;
    this.retessellate(want).then((g) => {
      if (this.destroyed) return;
      this.retessellations++;
      this.pendingTolerance = undefined;
      this.setGeometry(g);
      this.onChange?.();
    }, () => {
      // keep the coarser geometry; try again on the next view change
      this.pendingTolerance = undefined;
    });
  }

  /**
   * Two compute passes. Footprints: their states, the kept ones compacted in order with the prefix
   * sum of the segments each needs, and the segment passes' dispatch sizes (copied to an INDIRECT
   * buffer between the passes: a buffer written as storage cannot be the indirect argument of the
   * same pass's dispatches). Segments, by indirect dispatch over the kept footprints' segments
   * only: both ends on screen, kept ones per chunk, their prefix sums and the draws' arguments, the
   * kept segments' index list.
   */
  private runProject(): void {
    if (this.geometry.count === 0 || !this.bindGroups || !this.projectedGroups) return;
    const enc = this.device.createCommandEncoder({ label: 'footprints project' });
    const footprints = enc.beginComputePass({ label: 'footprints cull' });
    footprints.setBindGroup(0, this.bindGroups.main);
    footprints.setBindGroup(1, this.projectedGroups.write);
    const fpChunkGroups = dispatchSize(Math.ceil(this.geometry.count / SEGMENT_CHUNK / 64));
    footprints.setPipeline(this.gpu.projectFootprints);
    footprints.dispatchWorkgroups(...fpChunkGroups);
    footprints.setPipeline(this.gpu.scanFootprints);
    footprints.dispatchWorkgroups(1);
    footprints.setPipeline(this.gpu.writeFootprints);
    footprints.dispatchWorkgroups(...fpChunkGroups);
    footprints.end();
    if (this.segmentsTotal > 0) {
      enc.copyBufferToBuffer(this.workBuffer!, DISPATCH_AT, this.dispatchBuffer!, 0, 24);
      const pass = enc.beginComputePass({ label: 'footprints project segments' });
      pass.setBindGroup(0, this.bindGroups.main);
      pass.setBindGroup(1, this.projectedGroups.write);
      pass.setPipeline(this.gpu.projectSegments);
      pass.dispatchWorkgroupsIndirect(this.dispatchBuffer!, 0);
      pass.setPipeline(this.gpu.countChunks);
      pass.dispatchWorkgroupsIndirect(this.dispatchBuffer!, 12);
      pass.setPipeline(this.gpu.scanCounts);
      pass.dispatchWorkgroups(1);
      pass.setPipeline(this.gpu.writeIndices);
      pass.dispatchWorkgroupsIndirect(this.dispatchBuffer!, 12);
      pass.end();
    }
    this.device.queue.submit([enc.finish()]);
    this.projectPasses++;
  }

  private ensureBindGroups(): void {
    if (this.bindGroups) return;
    const entries = (uniform: GPUBuffer): GPUBindGroupEntry[] => [
      { binding: 0, resource: { buffer: uniform } },
      { binding: 1, resource: { buffer: this.anchorsBuffer! } },
      { binding: 2, resource: { buffer: this.colorsBuffer! } },
      { binding: 3, resource: { buffer: this.segmentsBuffer! } },
      { binding: 4, resource: { buffer: this.trianglesBuffer! } },
    ];
    const make = (label: string, u: GPUBuffer) => this.device.createBindGroup({ label, layout: this.gpu.bgl, entries: entries(u) });
    this.bindGroups = { main: make('footprints', this.uniforms.main), highlight: make('footprints highlight', this.uniforms.highlight), pick: make('footprints pick', this.uniforms.pick) };
  }

  private writeUniforms(camera: Camera, transition: ProjectionTransition | undefined): void {
    const buf = this.uniformBytes;
    const f = new Float32Array(buf);
    const w = new Uint32Array(buf);
    const s = this.style;
    const pr = this.pixelRatio;
    f.set(camera.right, 0);
    f.set(camera.up, 4);
    f.set(camera.centre, 8);
    f[12] = camera.halfWidthPlane;
    f[13] = camera.halfHeightPlane;
    f[14] = camera.view.widthPx;
    f[15] = camera.view.heightPx;
    const from = transition ? transition.camera : camera;
    f[16] = from.halfWidthPlane;
    f[17] = from.halfHeightPlane;
    f[18] = transition ? transition.mix : 1;
    f[19] = s.lineWidthPx * pr;
    w[20] = PROJECTION_ID[camera.view.projection];
    w[21] = PROJECTION_ID[from.view.projection];
    w[22] = 0;
    w[23] = 0;
    f.set(s.highlightColor, 24);
    f[28] = s.fillOpacity;
    f[29] = s.pointSizePx * pr;
    w[30] = this.segmentsTotal;
    this.clipBoundary = viewReachesBoundary(camera);
    w[31] = this.clipBoundary ? 1 : 0;
    w[32] = this.geometry.count;
    w[33] = Math.ceil(this.segmentsTotal / SEGMENT_CHUNK);
    f[34] = DOT_PX;
    f[35] = this.viewRadiusRad;
    const cells = this.cells?.cellIds.length ?? 0;
    w[36] = cells;
    w[37] = cells + this.geometry.count;
    w[38] = WORK_HEAD + 2 * Math.max(1, Math.ceil(this.segmentsTotal / SEGMENT_CHUNK));
    w[39] = 2 * this.geometry.count;
    this.device.queue.writeBuffer(this.uniforms.main, 0, buf);
    w[22] = 1;
    f[19] = (s.lineWidthPx + 1.5) * pr;
    this.device.queue.writeBuffer(this.uniforms.highlight, 0, buf);
    w[22] = 2;
    f[19] = Math.max(s.lineWidthPx, 5) * pr; // outlines are easier to hit than they are to see
    this.device.queue.writeBuffer(this.uniforms.pick, 0, buf);
  }

  encode(pass: GPURenderPassEncoder): void {
    if (this.destroyed || !this.bindGroups || this.geometry.count === 0) return;
    if (!this.projectedGroups) return;
    pass.setBindGroup(1, this.projectedGroups.read);
    if (this.style.fill && this.triangleVertices > 0 && fillShows(this.style)) {
      pass.setPipeline(this.fillPipeline);
      pass.setBindGroup(0, this.bindGroups.main);
      pass.draw(this.triangleVertices);
    }
    if (this.segmentsTotal > 0) {
      pass.setBindGroup(0, this.bindGroups.main);
      pass.setIndexBuffer(this.indexBuffer!, 'uint32');
      pass.setPipeline(this.clipBoundary ? this.segClipPipeline : this.segPipeline);
      pass.drawIndexedIndirect(this.workBuffer!, SEGMENTS_DRAW);
      pass.setPipeline(this.linePipeline);
      pass.drawIndexedIndirect(this.workBuffer!, POINTS_DRAW);
    }
    const sel = this.selected;
    if (sel !== undefined && this.geometry.segmentCount[sel]! > 0) {
      // projected in the vertex shader (the kept lists are per view; the selection is a few segments)
      pass.setPipeline(this.highlightPipeline);
      pass.setBindGroup(0, this.bindGroups.highlight);
      pass.setIndexBuffer(this.highlightIndices(), 'uint32');
      // its segments' quads (vertex 4 × segment + corner), dropped ones degenerate in the vertex shader
      pass.drawIndexed(this.geometry.segmentCount[sel]! * 6, 1, 0, this.geometry.segmentStart[sel]! * 4);
    }
  }

  /** quadIndices for the longest footprint, made once per geometry (on the first selection). */
  private highlightIndices(): GPUBuffer {
    if (!this.highlightIndexBuffer) {
      let most = 1;
      for (const c of this.geometry.segmentCount) most = Math.max(most, c);
      const data = quadIndices(most);
      this.highlightIndexBuffer = this.device.createBuffer({ label: 'footprint highlight indices', size: data.byteLength, usage: GPUBufferUsage.INDEX | GPUBufferUsage.COPY_DST });
      this.device.queue.writeBuffer(this.highlightIndexBuffer, 0, data);
    }
    return this.highlightIndexBuffer;
  }

  /**
   * For tests and diagnostics: the last view's draw lists as the GPU wrote them: the kept plain
   * segments and the kept ring markers and dots (each in segment order), and each footprint's
   * state (0 out of view, 1 dot, 2 full), anchor on screen and cap radius (device px from the view
   * centre, y up), 4 floats per footprint; and the kept footprints (the first level of the culling:
   * those whose segments the segment passes visit), in order.
   */
  async readDrawList(): Promise<{ lineSegments: Uint32Array; pointSegments: Uint32Array; states: Float32Array; keptFootprints: Uint32Array }> {
    const d = this.device;
    const n = this.geometry.count;
    const read = async (src: GPUBuffer, bytes: number, from = 0): Promise<ArrayBuffer> => {
      const staging = d.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = d.createCommandEncoder();
      if (bytes > 0) enc.copyBufferToBuffer(src, from, staging, 0, Math.ceil(bytes / 4) * 4);
      d.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const out = staging.getMappedRange().slice(0, bytes);
      staging.destroy();
      return out;
    };
    const args = new Uint32Array(await read(this.workBuffer!, 4 * WORK_HEAD));
    const lines = args[0]! / 6;
    const points = args[5]! / 6;
    const indices = new Uint32Array(await read(this.indexBuffer!, (lines + points) * 24));
    const keptSegs = new Uint32Array(await read(this.keptBuffer!, 4 * args[16]!, 8 * n));
    const keptFps = new Uint32Array(await read(this.keptBuffer!, 8 * args[18]!));
    const keptFootprints = Uint32Array.from({ length: args[18]! }, (_, i) => keptFps[2 * i]!);
    const segmentsOf = (from: number, count: number) => Uint32Array.from({ length: count }, (_, i) => keptSegs[indices[6 * (from + i)]! / 4]!);
    const states = new Float32Array(await read(this.fpScreenBuffer!, n * 16));
    return { lineSegments: segmentsOf(0, lines), pointSegments: segmentsOf(lines, points), states, keptFootprints };
  }

  encodePick(pass: GPURenderPassEncoder, slot: number): boolean {
    if (this.destroyed || !this.picking || !this.bindGroups || this.geometry.count === 0) return false;
    const w = new Uint32Array(this.uniformBytes);
    w[22] = 2;
    w[23] = slot;
    this.device.queue.writeBuffer(this.uniforms.pick, 0, this.uniformBytes);
    if (!this.projectedGroups) return false;
    pass.setBindGroup(1, this.projectedGroups.read);
    // the inside picks even when fills are not drawn (a click inside a footprint selects it)
    if (this.triangleVertices > 0) {
      pass.setPipeline(this.fillPick);
      pass.setBindGroup(0, this.bindGroups.pick);
      pass.draw(this.triangleVertices);
    }
    if (this.segmentsTotal > 0) {
      pass.setPipeline(this.linePick);
      pass.setBindGroup(0, this.bindGroups.pick);
      pass.setIndexBuffer(this.indexBuffer!, 'uint32');
      pass.drawIndexedIndirect(this.workBuffer!, SEGMENTS_DRAW);
      pass.drawIndexedIndirect(this.workBuffer!, POINTS_DRAW);
    }
    return true;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [
      this.anchorsBuffer, this.colorsBuffer, this.segmentsBuffer, this.trianglesBuffer, this.projectedBuffer, this.fpScreenBuffer, this.keptBuffer,
      this.indexBuffer, this.workBuffer, this.dispatchBuffer, this.highlightIndexBuffer, this.uniforms.main, this.uniforms.highlight, this.uniforms.pick,
    ]) b?.destroy();
  }
}

/**
 * Does the viewport reach outside the projection's boundary? Its corners are tested: every
 * boundary but HEALPix's bounds a convex region, so a viewport with its corners inside is inside.
 */
export function viewReachesBoundary(camera: Camera): boolean {
  const name = camera.view.projection;
  if (name === 'HPX') return true;
  for (const [sx, sy] of [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const) {
    const f = boundaryFunction(name, sx * camera.halfWidthPlane, sy * camera.halfHeightPlane);
    if (f !== undefined && f > -1e-9) return true;
  }
  return false;
}

/** Would a fill change any pixel? Not at opacity 0 or when every footprint's colour has alpha 0 (no draw then). */
export function fillShows(style: { fillOpacity: number; color: Rgba; colors: readonly Rgba[] | undefined }): boolean {
  if (!(style.fillOpacity > 0)) return false;
  return style.colors ? style.colors.some((c) => c[3] > 0) : style.color[3] > 0;
}

function resolveStyle(s: FootprintStyle, prev: FootprintLayer['style'] | undefined, count: number): FootprintLayer['style'] {
  const num = (v: number | undefined, name: string, fallback: number, lo: number, hi: number): number => {
    if (v === undefined) return fallback;
    if (!(typeof v === 'number' && v >= lo && v <= hi)) throw new RangeError(`${name} must be a number in ${lo}..${hi}, got ${String(v)}`);
    return v;
  };
  let colors = prev?.colors;
  if (s.colors !== undefined) {
    if (s.colors.length !== count) throw new RangeError(`colors has ${s.colors.length} entries for ${count} footprints`);
    colors = s.colors.map((c) => parseColor(c, [1, 1, 1, 1]));
  }
  return {
    color: parseColor(s.color, prev?.color ?? [1, 0.835, 0.31, 1]),
    highlightColor: parseColor(s.highlightColor, prev?.highlightColor ?? [1, 0.25, 0.5, 1]),
    colors,
    lineWidthPx: num(s.lineWidthPx, 'lineWidthPx', prev?.lineWidthPx ?? 1.5, 0.25, 64),
    fill: s.fill ?? prev?.fill ?? false,
    fillOpacity: num(s.fillOpacity, 'fillOpacity', prev?.fillOpacity ?? 0.25, 0, 1),
    pointSizePx: num(s.pointSizePx, 'pointSizePx', prev?.pointSizePx ?? 4, 0, 64),
  };
}
