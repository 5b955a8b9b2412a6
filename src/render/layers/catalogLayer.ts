// A catalogue layer: up to millions of rows drawn as markers (or, when too many are in view, as a
// density map), filtered on the GPU, pickable. Owns its buffers; pipelines are shared per device.
//
// Positions, and why not a per-frame CPU transform. Rows keep float64 unit vectors on the CPU.
// The GPU needs view-frame vectors relative to the view centre (float32 absolute unit vectors are
// ~12 mas coarse). Computing them on the CPU each frame in float64 and uploading them, as the grid
// and HiPS cells do, costs O(rows) per pan frame; measured for 1e6 rows in headless Chromium on
// this 2-core machine (bench/catalog.bench.mjs): 2–5 ms of float64 arithmetic + 2–7 ms for the
// 16 MB writeBuffer, every frame, on the main thread. Rejected.
// Instead rows are grouped by HEALPix cell (order 8, cells ~0.23°): each row goes to the GPU once
// as a float32 offset from its cell's centre (< 0.31°, so float32 keeps < 1e-9 rad) plus the
// cell's index. Per frame the CPU writes 272-byte uniforms (the rotation as float32) and only at
// small fields (pixels < 4″) the float64 view-frame centres of the few cells in view (queryDisc at
// order 8: 4 cells at 800x600 and 0.1°): prepare() measured 0.01–0.2 ms per pan frame for 1e6
// rows (up to 1.7 ms with the machine's load at 6 on 2 cores), with no term that grows with rows.
// At wide fields the cell centre is rotated on the GPU in float32 (error ~1.5e-7 rad, < 0.05 px
// when a pixel is > 4″); at small fields the error is float32 of the offset: a marker follows
// 0.1-px view steps to 0.03 px at a 1″ field (test/browser/catalog.browser.test.ts).
//
// Drawing. Per view / filter / style change one compute pass per row writes its screen position,
// size and colour, and an order-preserving compaction lists the rows on screen for drawIndirect
// (catalog.wgsl.ts). On SwiftShader at 800x600, 1e5 rows at SIN 60° (7 % on screen): 0.06–0.11 s
// per frame, against 0.43 s when the vertex shader redid the per-row work for all 6 vertices of
// every row; 1e6 rows there 0.44–0.9 s; density of 1e6 rows 0.2–0.5 s; 1e5 markers all on screen
// 0.28–0.8 s (rasterising the quads dominates, hence the density threshold). The compaction uses
// chunks of 64 rows per invocation: a per-row workgroup scan (barriers) took 0.5 s for 1e5 rows.
// Many small markers (markerPath 'auto': >= 2000 rows in view, quad <= 28 px, not images) skip
// the quads: one pass places each row and rasterises its marker by atomicMax of row ids into a
// screen-sized buffer, and a full-screen pass resolves it (CatalogRaster, docs/catalogues.md):
// 1e5 markers all on screen 0.14 s instead of 0.7 s on SwiftShader, same pixels but at overlaps.
//
// Marks (docs/catalogues.md): shape 'image' draws the layer's own mipmapped texture; with
// properMotion the rows are indexed at the chosen epoch and an arrow pass (same indirect draw)
// draws the motion over arrowYears under the markers; labels (CatalogLabels) are chosen on the
// CPU per view and drawn as GPU glyphs after the markers. In density mode the density map stands
// for markers, images and arrows; labels are still drawn.
import type { Camera } from '../../math/camera.js';
import { PROJECTION_ID } from '../../math/projections.js';
import { queryDisc } from '../../hips/healpixQuery.js';
import type { ProjectionTransition, RenderLayer } from '../layer.js';
import type { UploadBudget } from '../uploadBudget.js';
import { cachedPipeline } from '../pipelineCache.js';
import { PICK_FORMAT, type PickableLayer } from '../picking.js';
import { catalogDensityWgsl, catalogMarkersWgsl, catalogProjectWgsl, catalogSplatWgsl, COMPACT_CHUNK } from '../shaders/catalog.wgsl.js';
import {
  CatalogError, checkRowsFitDevice, filterBounds, finiteRange, MAX_FILTERS, numericColumn, rowPasses, validateCatalog, validateFilters,
  type CatalogData, type RangeFilter,
} from '../../catalog/columns.js';
import { colormapWords, MARKER_SHAPES, parseColor, SHAPE_ID, sizeFor, type MarkerShape, type Rgba } from '../../catalog/style.js';
import { squareMarkerCanvas, type MarkerImageSource } from '../../catalog/markerImage.js';
import { propagateColumns, validateProperMotion, type ProperMotionOptions } from '../../catalog/properMotion.js';
import { generateMipmaps, mipLevelsFor } from '../mipmaps.js';
import { CatalogLabels, type CatalogLabelOptions } from './catalogLabels.js';
import { CatalogRaster } from './catalogRaster.js';
import { chooseMarkerPath, MARKER_PATHS, type MarkerPath, type MarkerPathSetting } from '../../catalog/markerPath.js';
import {
  ANCHOR_ORDER, ANCHOR_RADIUS_DEG, buildCatalogIndex, coarseCountsWhere, compactRuns, COUNT_ORDER, COUNT_RADIUS_DEG,
  countInRanges, tipOffsets, type CatalogIndex,
} from '../../catalog/spatialIndex.js';

/** Below this pixel angle (radians, ~4″) cells in view get float64-derived view-frame centres. */
export const PRECISE_BELOW_PIXEL_RAD = 2e-5;
/** At most this many cells get float64 centres per frame (more means a wide field: not needed). */
const MAX_PRECISE_CELLS = 8192;
/** Default number of rows in view above which the layer draws a density map instead of markers. */
export const DEFAULT_DENSITY_THRESHOLD = 2e5;

export interface CatalogStyle {
  readonly shape?: MarkerShape;
  /** '#rrggbb', '#rrggbbaa' or [r, g, b, a] in 0..1. */
  readonly color?: string | readonly number[];
  /** Marker size in CSS pixels (default 8). */
  readonly sizePx?: number;
  /** Outline / stroke width in CSS pixels (default 1.5). */
  readonly lineWidthPx?: number;
  /** Fill circle, square, rhomb and triangle instead of outlining them (default false). */
  readonly filled?: boolean;
  /** Numeric column that sets the size (null: none). */
  readonly sizeColumn?: string | null;
  /** Column values mapped to sizePxRange (default: the column's min..max). */
  readonly sizeRange?: readonly [number, number];
  /** CSS pixel sizes at sizeRange[0] and sizeRange[1] (default [sizePx / 2, sizePx * 2]). */
  readonly sizePxRange?: readonly [number, number];
  /** Numeric column that sets the colour through `colormap` (null: none). */
  readonly colorColumn?: string | null;
  /** Column values mapped to the colormap's ends (default: the column's min..max). */
  readonly colorRange?: readonly [number, number];
  readonly colormap?: string;
  readonly reverseColormap?: boolean;
  /** Colour of the selection outline. */
  readonly highlightColor?: string | readonly number[];
  /** Rows in view above which a density map is drawn instead of markers (default 2e5; Infinity: never). */
  readonly densityThreshold?: number;
  readonly densityColormap?: string;
  /** The image drawn by shape 'image' (decoded; the element also takes URLs), centred, sizePx wide. */
  readonly image?: MarkerImageSource;
  /** Multiply the image by the marker colour (default true); false: the image's own colours, with the colour's alpha. */
  readonly imageTint?: boolean;
  /** Labels for the N brightest rows in view (null: none). */
  readonly labels?: CatalogLabelOptions | null;
  /**
   * How markers are drawn: 'auto' (default) rasterises small markers (quad <= 28 device px, not
   * images) in a compute pass when >= 2000 rows are in view, else draws quads; 'compute' / 'raster'
   * force one (images and big markers always use quads). Same pixels either way except where
   * markers overlap (docs/catalogues.md).
   */
  readonly markerPath?: MarkerPathSetting;
}

export interface CatalogLayerOptions extends CatalogStyle {
  readonly id: string;
  readonly name?: string;
  readonly data: CatalogData;
  readonly filters?: readonly RangeFilter[];
  /** Device pixels per CSS pixel (sizes are given in CSS pixels). */
  readonly pixelRatio?: number;
  /** Added to the row number written by the pick pass (default 0): a layer made of several catalogue layers gives each its own range. */
  readonly pickRowBase?: number;
  /** Draw rows at another epoch from their proper motions, with arrows over a span of years. */
  readonly properMotion?: ProperMotionOptions;
}

export type CatalogDrawMode = 'markers' | 'density';

export interface CatalogLayerStats {
  readonly rows: number;
  readonly validRows: number;
  readonly cells: number;
  /** Attribute columns uploaded so far, and all bytes written to GPU buffers for row data. */
  readonly columnUploads: number;
  readonly bytesUploaded: number;
  readonly mode: CatalogDrawMode;
  /** Rows (after filters) in the cells around the view: the number density mode is chosen by. */
  readonly estimatedVisibleRows: number;
  /** Cells that got float64-derived view-frame centres in the last view update. */
  readonly preciseCells: number;
  readonly densityPasses: number;
  /** Compute passes that placed the markers on screen (one per view, filter or style change). */
  readonly projectPasses: number;
  /** CPU time of the last prepare(), ms. */
  readonly prepareMs: number;
  /** The path that drew the markers in the last prepared frame ('raster': quads; 'compute': compute-rasterised). */
  readonly markerPath: MarkerPath;
  /** Compute raster passes run (drawing and picking). */
  readonly rasterPasses: number;
}

export interface CatalogGpu {
  readonly bgl0: GPUBindGroupLayout;
  readonly bglProject: GPUBindGroupLayout;
  readonly bglMarkers: GPUBindGroupLayout;
  readonly bglSplat: GPUBindGroupLayout;
  readonly bglDensity: GPUBindGroupLayout;
  readonly layoutMarkers: GPUPipelineLayout;
  readonly layoutDensity: GPUPipelineLayout;
  readonly markersModule: GPUShaderModule;
  readonly densityModule: GPUShaderModule;
  readonly project: GPUComputePipeline;
  readonly countChunks: GPUComputePipeline;
  readonly scanChunks: GPUComputePipeline;
  readonly scatter: GPUComputePipeline;
  readonly splat: GPUComputePipeline;
  readonly reduce: GPUComputePipeline;
  /** Project and splat pipelines specialised to a projection pair (catalog.wgsl.ts PROJECTION_A/B), made when first used. */
  readonly specialised: Map<string, { project: GPUComputePipeline; splat: GPUComputePipeline }>;
  readonly projectModule: GPUShaderModule;
  readonly splatModule: GPUShaderModule;
  readonly layoutProject: GPUPipelineLayout;
  readonly layoutSplat: GPUPipelineLayout;
}

const gpuCache = new WeakMap<GPUDevice, CatalogGpu>();

export function catalogGpu(device: GPUDevice): CatalogGpu {
  let g = gpuCache.get(device);
  if (g) return g;
  const { VERTEX, FRAGMENT, COMPUTE } = GPUShaderStage;
  const layout = (label: string, visibility: number, type: GPUBufferBindingType, n: number) =>
    device.createBindGroupLayout({ label, entries: Array.from({ length: n }, (_, binding) => ({ binding, visibility, buffer: { type } })) });
  const bgl0 = device.createBindGroupLayout({
    label: 'catalog',
    entries: [
      { binding: 0, visibility: VERTEX | FRAGMENT | COMPUTE, buffer: { type: 'uniform' } },
      { binding: 1, visibility: COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 2, visibility: COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 3, visibility: COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 4, visibility: FRAGMENT | COMPUTE, buffer: { type: 'read-only-storage' } },
    ],
  });
  const bglProject = layout('catalog project', COMPUTE, 'storage', 4);
  const bglMarkers = device.createBindGroupLayout({
    label: 'catalog markers',
    entries: [
      { binding: 0, visibility: VERTEX, buffer: { type: 'read-only-storage' } },
      { binding: 1, visibility: VERTEX, buffer: { type: 'read-only-storage' } },
      { binding: 2, visibility: VERTEX, buffer: { type: 'read-only-storage' } },
      { binding: 3, visibility: FRAGMENT, texture: { sampleType: 'float', viewDimension: '2d' } },
      { binding: 4, visibility: FRAGMENT, sampler: { type: 'filtering' } },
    ],
  });
  const bglSplat = layout('catalog splat', COMPUTE, 'storage', 2);
  const bglDensity = layout('catalog density', FRAGMENT, 'read-only-storage', 2);
  const pipelineLayout = (b: GPUBindGroupLayout) => device.createPipelineLayout({ bindGroupLayouts: [bgl0, b] });
  const projectModule = device.createShaderModule({ label: 'catalog project', code: catalogProjectWgsl });
  const splatModule = device.createShaderModule({ label: 'catalog splat', code: catalogSplatWgsl });
  const compute = (label: string, module: GPUShaderModule, entryPoint: string, b: GPUBindGroupLayout) =>
    device.createComputePipeline({ label, layout: pipelineLayout(b), compute: { module, entryPoint } });
  g = {
    bgl0, bglProject, bglMarkers, bglSplat, bglDensity,
    layoutMarkers: pipelineLayout(bglMarkers),
    layoutDensity: pipelineLayout(bglDensity),
    markersModule: device.createShaderModule({ label: 'catalog markers', code: catalogMarkersWgsl }),
    densityModule: device.createShaderModule({ label: 'catalog density', code: catalogDensityWgsl }),
    project: compute('catalog project', projectModule, 'project', bglProject),
    countChunks: compute('catalog count', projectModule, 'countChunks', bglProject),
    scanChunks: compute('catalog scan', projectModule, 'scanChunks', bglProject),
    scatter: compute('catalog scatter', projectModule, 'scatter', bglProject),
    splat: compute('catalog splat', splatModule, 'splat', bglSplat),
    reduce: compute('catalog max', splatModule, 'reduceMax', bglSplat),
    specialised: new Map(),
    projectModule,
    splatModule,
    layoutProject: pipelineLayout(bglProject),
    layoutSplat: pipelineLayout(bglSplat),
  };
  gpuCache.set(device, g);
  return g;
}

/**
 * The project and splat pipelines for projection ids a (the view's, or the one a projection change
 * starts from) and b (the view's during a change; = a otherwise): the ids are pipeline constants,
 * so the per-row projection has no switch (several times faster on SwiftShader).
 */
export function specialisedPipelines(device: GPUDevice, a: number, b: number): { project: GPUComputePipeline; splat: GPUComputePipeline } {
  const g = catalogGpu(device);
  const key = `${a}/${b}`;
  let p = g.specialised.get(key);
  if (!p) {
    const constants = { PROJECTION_A: a, PROJECTION_B: b };
    p = {
      project: device.createComputePipeline({ label: `catalog project ${key}`, layout: g.layoutProject, compute: { module: g.projectModule, entryPoint: 'project', constants } }),
      splat: device.createComputePipeline({ label: `catalog splat ${key}`, layout: g.layoutSplat, compute: { module: g.splatModule, entryPoint: 'splat', constants } }),
    };
    g.specialised.set(key, p);
  }
  return p;
}

const BLEND: GPUBlendState = {
  color: { srcFactor: 'src-alpha', dstFactor: 'one-minus-src-alpha', operation: 'add' },
  alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
};

/** The catalogue render pipelines of a device and colour format (shared through the pipeline cache). */
export function catalogPipelines(device: GPUDevice, format: GPUTextureFormat): { markers: GPURenderPipeline; pick: GPURenderPipeline; density: GPURenderPipeline; arrows: GPURenderPipeline } {
  const g = catalogGpu(device);
  const markers = cachedPipeline(device, `catalog-markers/${format}`, () => device.createRenderPipeline({
    label: 'catalog markers',
    layout: g.layoutMarkers,
    vertex: { module: g.markersModule, entryPoint: 'vsMarker' },
    fragment: { module: g.markersModule, entryPoint: 'fsMarker', targets: [{ format, blend: BLEND }] },
    primitive: { topology: 'triangle-list' },
  }));
  const pick = cachedPipeline(device, `catalog-pick/${PICK_FORMAT}`, () => device.createRenderPipeline({
    label: 'catalog pick',
    layout: g.layoutMarkers,
    vertex: { module: g.markersModule, entryPoint: 'vsMarker' },
    fragment: { module: g.markersModule, entryPoint: 'fsPick', targets: [{ format: PICK_FORMAT }] },
    primitive: { topology: 'triangle-list' },
  }));
  const density = cachedPipeline(device, `catalog-density/${format}`, () => device.createRenderPipeline({
    label: 'catalog density',
    layout: g.layoutDensity,
    vertex: { module: g.densityModule, entryPoint: 'vsFull' },
    fragment: { module: g.densityModule, entryPoint: 'fsDensity', targets: [{ format, blend: BLEND }] },
    primitive: { topology: 'triangle-list' },
  }));
  const arrows = cachedPipeline(device, `catalog-arrows/${format}`, () => device.createRenderPipeline({
    label: 'catalog proper-motion arrows',
    layout: g.layoutMarkers,
    vertex: { module: g.markersModule, entryPoint: 'vsArrow' },
    fragment: { module: g.markersModule, entryPoint: 'fsArrow', targets: [{ format, blend: BLEND }] },
    primitive: { topology: 'triangle-list' },
  }));
  return { markers, pick, density, arrows };
}

export const UNIFORM_BYTES = 288;
const WORKGROUP = 256;

export interface ResolvedStyle {
  shape: MarkerShape;
  color: Rgba;
  highlightColor: Rgba;
  sizePx: number;
  lineWidthPx: number;
  filled: boolean;
  sizeColumn: string | undefined;
  sizeRange: [number, number];
  sizePxRange: [number, number];
  colorColumn: string | undefined;
  colorRange: [number, number];
  colormap: string;
  reverseColormap: boolean;
  densityThreshold: number;
  densityColormap: string;
  image: MarkerImageSource | undefined;
  imageTint: boolean;
  labels: CatalogLabelOptions | undefined;
  markerPath: MarkerPathSetting;
}

export function dispatchSize(items: number): [number, number] {
  const groups = Math.max(1, Math.ceil(items / WORKGROUP));
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / x)];
}

/** What the catalogue shaders' uniform block (struct Cat in catalog.wgsl.ts) is made of. */
export interface CatalogUniformInput {
  readonly camera: Camera;
  readonly transition: ProjectionTransition | undefined;
  readonly style: ResolvedStyle;
  readonly pixelRatio: number;
  readonly stamp: number;
  /** Rows the passes run over (and the stride of the attribute slots). */
  readonly rowCount: number;
  /** Cell records before the float64-derived section. */
  readonly cellCount: number;
  readonly chunkCount: number;
  readonly precise: boolean;
  /** Attribute slot of a column in use. */
  readonly slotOf: (column: string) => number;
  readonly filters: readonly RangeFilter[];
  readonly gridSize: readonly [number, number];
  readonly selected: number;
  readonly pickRowBase: number;
  readonly hasArrows: boolean;
  readonly imageSidePx: number;
  /** Row records hold their cell relative to the row (progressive catalogues' shared buffers). */
  readonly cellsRelative: boolean;
}

/** Packs the uniform block (mode 0: markers; the caller sets word 35 for highlight / pick). */
export function packCatalogUniforms(buf: ArrayBuffer, p: CatalogUniformInput): void {
  const f = new Float32Array(buf);
  const w = new Uint32Array(buf);
  const i = new Int32Array(buf);
  const s = p.style;
  const pr = p.pixelRatio;
  const camera = p.camera;
  const transition = p.transition;
  f.set(camera.right, 0);
  f.set(camera.up, 4);
  f.set(camera.centre, 8);
  const a = transition ? transition.camera : camera;
  f[12] = a.halfWidthPlane;
  f[13] = a.halfHeightPlane;
  f[14] = camera.view.widthPx;
  f[15] = camera.view.heightPx;
  f[16] = camera.halfWidthPlane;
  f[17] = camera.halfHeightPlane;
  f[18] = transition ? transition.mix : 0;
  w[19] = PROJECTION_ID[camera.view.projection];
  w[20] = PROJECTION_ID[a.view.projection];
  w[21] = p.stamp;
  w[22] = p.rowCount;
  w[23] = SHAPE_ID[s.shape];
  f.set(s.color, 24);
  f.set(s.highlightColor, 28);
  f[32] = s.sizePx * pr;
  f[33] = s.lineWidthPx * pr;
  w[34] = s.filled ? 1 : 0;
  w[35] = 0;
  i[36] = s.sizeColumn ? p.slotOf(s.sizeColumn) : -1;
  i[37] = s.colorColumn ? p.slotOf(s.colorColumn) : -1;
  w[38] = 0;
  w[39] = p.precise ? 1 : 0;
  f[40] = s.sizeRange[0];
  f[41] = s.sizeRange[1];
  f[42] = s.sizePxRange[0] * pr;
  f[43] = s.sizePxRange[1] * pr;
  f[44] = s.colorRange[0];
  f[45] = s.colorRange[1];
  f[46] = 0;
  f[47] = 0;
  for (let k = 0; k < MAX_FILTERS; k++) {
    const flt = p.filters[k];
    if (flt) {
      const [lo, hi] = filterBounds(flt);
      i[48 + k] = p.slotOf(flt.column);
      f[52 + k] = Math.max(lo, -3.4028234663852886e38);
      f[56 + k] = Math.min(hi, 3.4028234663852886e38);
    } else {
      i[48 + k] = -1;
      f[52 + k] = 0;
      f[56 + k] = 0;
    }
  }
  w[60] = p.gridSize[0];
  w[61] = p.gridSize[1];
  w[62] = p.cellCount;
  f[63] = 3 * pr;
  w[64] = p.chunkCount;
  w[65] = p.selected;
  w[66] = p.pickRowBase;
  w[67] = p.cellsRelative ? 1 : 0;
  w[68] = s.imageTint ? 1 : 0;
  w[69] = p.hasArrows ? 1 : 0;
  f[70] = p.imageSidePx;
  w[71] = 0;
}

/** The GPU objects a catalogue layer binds; each is owned (and destroyed) by that layer. */
export interface CatalogBindings {
  readonly uniformMain: GPUBuffer;
  readonly uniformHighlight: GPUBuffer;
  readonly uniformPick: GPUBuffer;
  readonly rows: GPUBuffer;
  readonly cells: GPUBuffer;
  readonly attrs: GPUBuffer;
  readonly lut: GPUBuffer;
  readonly screen: GPUBuffer;
  readonly visible: GPUBuffer;
  readonly scan: GPUBuffer;
  readonly tips: GPUBuffer;
  readonly imageTexture: GPUTexture;
  readonly imageSampler: GPUSampler;
}

/** Group 0 (uniforms + row data) for drawing, the highlight outline and picking. */
export function catalogMainBindGroups(device: GPUDevice, g: CatalogGpu, b: CatalogBindings, label: string): { main: GPUBindGroup; highlight: GPUBindGroup; pick: GPUBindGroup } {
  const group = (uniform: GPUBuffer, suffix: string) => device.createBindGroup({
    label: label + suffix,
    layout: g.bgl0,
    entries: [uniform, b.rows, b.cells, b.attrs, b.lut].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  return { main: group(b.uniformMain, ''), highlight: group(b.uniformHighlight, ' highlight'), pick: group(b.uniformPick, ' pick') };
}

/** The compute pass's outputs: screen positions, visible list, compaction scan, arrow tips. */
export function catalogProjectBindGroup(device: GPUDevice, g: CatalogGpu, b: CatalogBindings, label: string): GPUBindGroup {
  const buffers = [b.screen, b.visible, b.scan, b.tips];
  return device.createBindGroup({ label: `${label} project`, layout: g.bglProject, entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
}

/** What the marker and arrow draws pull from: screen positions, visible list, tips, the marker image. */
export function catalogMarkersBindGroup(device: GPUDevice, g: CatalogGpu, b: CatalogBindings, label: string): GPUBindGroup {
  return device.createBindGroup({
    label: `${label} markers`,
    layout: g.bglMarkers,
    entries: [
      { binding: 0, resource: { buffer: b.screen } },
      { binding: 1, resource: { buffer: b.visible } },
      { binding: 2, resource: { buffer: b.tips } },
      { binding: 3, resource: b.imageTexture.createView({ dimension: '2d' }) },
      { binding: 4, resource: b.imageSampler },
    ],
  });
}

/** Writes packed uniforms to the draw, highlight (mode word 1) and pick (mode word 2) buffers. */
export function writeCatalogUniforms(queue: GPUQueue, buf: ArrayBuffer, b: Pick<CatalogBindings, 'uniformMain' | 'uniformHighlight' | 'uniformPick'>): void {
  const w = new Uint32Array(buf);
  w[35] = 0;
  queue.writeBuffer(b.uniformMain, 0, buf);
  w[35] = 1;
  queue.writeBuffer(b.uniformHighlight, 0, buf);
  w[35] = 2;
  queue.writeBuffer(b.uniformPick, 0, buf);
}

/** A marker image as a mipmapped square power-of-two texture, or 1x1 white without one (owned by the caller). */
export function createMarkerTexture(device: GPUDevice, src: MarkerImageSource | undefined): GPUTexture {
  const usage = GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT;
  if (!src) {
    const t = device.createTexture({ label: 'catalog marker image (none)', size: [1, 1, 1], format: 'rgba8unorm', usage });
    device.queue.writeTexture({ texture: t }, new Uint8Array([255, 255, 255, 255]), { bytesPerRow: 4 }, [1, 1, 1]);
    return t;
  }
  const canvas = squareMarkerCanvas(src);
  const side = canvas.width;
  const t = device.createTexture({ label: 'catalog marker image', size: [side, side, 1], format: 'rgba8unorm', usage, mipLevelCount: mipLevelsFor(side) });
  device.queue.copyExternalImageToTexture({ source: canvas }, { texture: t, premultipliedAlpha: false }, [side, side, 1]);
  generateMipmaps(device, t, 0);
  return t;
}

/**
 * A style with defaults and checks (each problem named); `columnRange` makes a column ready for
 * the GPU and gives its finite range; `data` names the columns labels may use.
 */
export function resolveCatalogStyle(s: CatalogStyle, prev: ResolvedStyle | undefined, columnRange: (name: string) => [number, number] | undefined, data: CatalogData): ResolvedStyle {
  const has = (k: keyof CatalogStyle) => Object.prototype.hasOwnProperty.call(s, k) && s[k] !== undefined;
  const shape = s.shape ?? prev?.shape ?? 'circle';
  if (!MARKER_SHAPES.includes(shape)) throw new CatalogError(`unknown marker shape '${shape}': use one of ${MARKER_SHAPES.join(', ')}`);
  const sizePx = s.sizePx ?? prev?.sizePx ?? 8;
  if (!(sizePx > 0 && sizePx <= 256)) throw new CatalogError(`sizePx must be in (0, 256], got ${sizePx}`);
  const lineWidthPx = s.lineWidthPx ?? prev?.lineWidthPx ?? 1.5;
  if (!(lineWidthPx > 0 && lineWidthPx <= 32)) throw new CatalogError(`lineWidthPx must be in (0, 32], got ${lineWidthPx}`);
  const sizeColumn = has('sizeColumn') ? (s.sizeColumn ?? undefined) : s.sizeColumn === null ? undefined : prev?.sizeColumn;
  const colorColumn = has('colorColumn') ? (s.colorColumn ?? undefined) : s.colorColumn === null ? undefined : prev?.colorColumn;
  const sizeInfo = sizeColumn ? { range: columnRange(sizeColumn) } : undefined;
  const colorInfo = colorColumn ? { range: columnRange(colorColumn) } : undefined;
  const pair = (v: readonly number[] | undefined, what: string): [number, number] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length !== 2 || !v.every(Number.isFinite)) throw new CatalogError(`${what} must be two finite numbers, got ${JSON.stringify(v)}`);
    return [v[0], v[1]];
  };
  const sameSize = sizeColumn === prev?.sizeColumn;
  const sameColor = colorColumn === prev?.colorColumn;
  const sizePxRange = pair(s.sizePxRange, 'sizePxRange') ?? (prev && !has('sizePx') ? prev.sizePxRange : [sizePx / 2, sizePx * 2]);
  if (sizePxRange.some((v) => !(v >= 0 && v <= 256))) throw new CatalogError(`sizePxRange must lie in [0, 256], got ${sizePxRange}`);
  const densityThreshold = s.densityThreshold ?? prev?.densityThreshold ?? DEFAULT_DENSITY_THRESHOLD;
  if (!(densityThreshold >= 0)) throw new CatalogError(`densityThreshold must be >= 0 (Infinity: never), got ${densityThreshold}`);
  const colormap = s.colormap ?? prev?.colormap ?? 'viridis';
  const densityColormap = s.densityColormap ?? prev?.densityColormap ?? 'inferno';
  colormapWords(colormap);
  colormapWords(densityColormap);
  const image = s.image ?? prev?.image;
  if (shape === 'image' && !image) throw new CatalogError("shape 'image' needs an image (style.image: an ImageBitmap, <img>, canvas or, through the element, a URL)");
  const labels = s.labels === null ? undefined : (s.labels ?? prev?.labels);
  if (labels) CatalogLabels.validate(labels, data);
  const markerPath = s.markerPath ?? prev?.markerPath ?? 'auto';
  if (!MARKER_PATHS.includes(markerPath)) throw new CatalogError(`markerPath must be one of ${MARKER_PATHS.join(', ')}, got '${String(markerPath)}'`);
  return {
    shape,
    color: parseColor(s.color, prev?.color ?? [1, 0.85, 0.2, 1]),
    highlightColor: parseColor(s.highlightColor, prev?.highlightColor ?? [0.2, 1, 1, 1]),
    sizePx,
    lineWidthPx,
    filled: s.filled ?? prev?.filled ?? false,
    sizeColumn,
    sizeRange: pair(s.sizeRange, 'sizeRange') ?? (sameSize && prev ? prev.sizeRange : sizeInfo?.range ?? [0, 1]),
    sizePxRange,
    colorColumn,
    colorRange: pair(s.colorRange, 'colorRange') ?? (sameColor && prev ? prev.colorRange : colorInfo?.range ?? [0, 1]),
    colormap,
    reverseColormap: s.reverseColormap ?? prev?.reverseColormap ?? false,
    densityThreshold,
    densityColormap,
    image,
    imageTint: s.imageTint ?? prev?.imageTint ?? true,
    labels,
    markerPath,
  };
}

export class CatalogLayer implements RenderLayer, PickableLayer {
  readonly id: string;
  readonly name: string;
  readonly pickable = true as const;
  readonly data: CatalogData;
  readonly index: CatalogIndex;
  readonly rowCount: number;
  readonly settled = true;
  readonly hasPendingUploads = false;
  pixelRatio: number;
  readonly pickRowBase: number;

  private readonly device: GPUDevice;
  private readonly gpu: CatalogGpu;
  private readonly markers: GPURenderPipeline;
  private readonly pickPipeline: GPURenderPipeline;
  private readonly densityPipeline: GPURenderPipeline;
  private readonly arrowPipeline: GPURenderPipeline;
  /**
   * Per row, 6 float32: the offset of the arrow's tip (the position arrowYears later) from the
   * row's cell centre (xyz, one unused), then the tip on screen (written by the project pass).
   * 16 bytes without proper motion. (One buffer: the compute stage binds at most 8 storage buffers.)
   */
  private readonly tipsBuffer: GPUBuffer;
  /** The marker image (2D array texture of one layer, mipmapped) or a 1x1 white texture; owned here. */
  private imageTexture: GPUTexture;
  private readonly imageSampler: GPUSampler;
  private imageSource: MarkerImageSource | undefined;
  private readonly hasArrows: boolean;
  /** ICRS positions (degrees) the rows are drawn at: the catalogue's, or propagated to properMotion.epoch. */
  readonly drawnRaDeg: ArrayLike<number>;
  readonly drawnDecDeg: ArrayLike<number>;
  /** Resolved proper-motion options (undefined without). */
  readonly properMotion: { catalogueEpoch: number; epoch: number; arrowYears: number } | undefined;
  private readonly labelSet: CatalogLabels;
  private readonly rowsBuffer: GPUBuffer;
  /** [cells] float32 centres, then [cells] float64-derived view-frame centres of the cells in view. */
  private readonly cellsBuffer: GPUBuffer;
  private attrsBuffer: GPUBuffer;
  private attrCapacity: number;
  /** [256] column colormap, [256] density colormap (packed RGBA8). */
  private readonly lutBuffer: GPUBuffer;
  /** Per row: screen position, size, colour (written by the project pass). */
  private readonly screenBuffer: GPUBuffer;
  /** Rows in view, in row order (the compaction of the project pass). */
  private readonly visibleBuffer: GPUBuffer;
  /** Indirect draw arguments, per-workgroup counts and offsets of the compaction. */
  private readonly scanBuffer: GPUBuffer;
  private readonly chunkCount: number;
  private readonly uniformMain: GPUBuffer;
  private readonly uniformHighlight: GPUBuffer;
  private readonly uniformPick: GPUBuffer;
  private countsBuffer: GPUBuffer | undefined;
  private readonly densityStatsBuffer: GPUBuffer;
  private gridSize: [number, number] = [0, 0];
  private bgMain: GPUBindGroup | undefined;
  private bgHighlight: GPUBindGroup | undefined;
  private bgPick: GPUBindGroup | undefined;
  private bgProject: GPUBindGroup | undefined;
  private bgMarkers: GPUBindGroup | undefined;
  private bgSplat: GPUBindGroup | undefined;
  private bgDensity: GPUBindGroup | undefined;
  private projectKey = '';
  private projectPasses = 0;
  /** The compute-rasterised marker path (owned): id buffers, resolve. */
  private readonly raster: CatalogRaster;
  private path: MarkerPath = 'raster';
  private rasterKey = '';
  /** Projection ids of the last uniforms (A, B), for the specialised project / splat pipelines. */
  private projectionIds: [number, number] = [0, 0];
  private pickRasterKey = '';

  /** Attribute columns on the GPU: name -> slot, their float32 values and finite range. */
  private readonly slots = new Map<string, { slot: number; values: Float32Array; range: [number, number] | undefined }>();
  private style: ResolvedStyle;
  private filterList: readonly RangeFilter[] = [];
  private filterCounts: Uint32Array | undefined;
  private uniformBytes = new ArrayBuffer(UNIFORM_BYTES);
  private selected: number | undefined;
  private viewKey = '';
  private modeKey = '';
  private filterVersion = 0;
  private densityKey = '';
  private stamp = 0;
  private precise = false;
  private drawMode: CatalogDrawMode = 'markers';
  private version = 1;
  private destroyed = false;
  private columnUploads = 0;
  private bytesUploaded = 0;
  private estimated = 0;
  private preciseCells = 0;
  private densityPasses = 0;
  private prepareMs = 0;

  constructor(device: GPUDevice, format: GPUTextureFormat, options: CatalogLayerOptions) {
    this.device = device;
    this.id = options.id;
    this.name = options.name ?? options.id;
    this.data = options.data;
    this.rowCount = validateCatalog(options.data);
    checkRowsFitDevice(this.rowCount, device.limits);
    this.pixelRatio = options.pixelRatio ?? 1;
    this.pickRowBase = options.pickRowBase ?? 0;
    if (!(Number.isInteger(this.pickRowBase) && this.pickRowBase >= 0 && this.pickRowBase + this.rowCount < 0xffffffff)) throw new CatalogError(`pickRowBase must be an integer with pickRowBase + rows < 2^32 - 1, got ${this.pickRowBase}`);
    let tips: Float64Array | undefined;
    if (options.properMotion) {
      const pm = validateProperMotion(options.properMotion);
      this.properMotion = pm;
      const col = (name: string | undefined): ArrayLike<number> | undefined => {
        if (name === undefined) return undefined;
        const c = options.data.columns?.[name];
        return c instanceof Float64Array || c instanceof Int32Array ? c : numericColumn(options.data, name);
      };
      const o = options.properMotion;
      const args = [options.data.raDeg, options.data.decDeg, col(o.pmRaColumn)!, col(o.pmDecColumn)!] as const;
      const plx = col(o.parallaxColumn);
      const rv = col(o.rvColumn);
      const at = propagateColumns(...args, pm.epoch - pm.catalogueEpoch, plx, rv);
      this.drawnRaDeg = at.raDeg;
      this.drawnDecDeg = at.decDeg;
      if (pm.arrowYears !== 0) tips = propagateColumns(...args, pm.epoch + pm.arrowYears - pm.catalogueEpoch, plx, rv).vectors;
    } else {
      this.drawnRaDeg = options.data.raDeg;
      this.drawnDecDeg = options.data.decDeg;
    }
    this.hasArrows = tips !== undefined;
    this.index = buildCatalogIndex(this.drawnRaDeg, this.drawnDecDeg);
    this.gpu = catalogGpu(device);
    ({ markers: this.markers, pick: this.pickPipeline, density: this.densityPipeline, arrows: this.arrowPipeline } = catalogPipelines(device, format));
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    this.rowsBuffer = this.upload('catalog rows', this.index.gpuRows, storage);
    this.tipsBuffer = this.upload('catalog arrow tips', tips ? tipOffsets(this.index, tips) : new Float32Array(4), storage);
    this.imageSampler = device.createSampler({ label: 'catalog marker image', minFilter: 'linear', magFilter: 'linear', mipmapFilter: 'linear' });
    this.imageTexture = this.createImageTexture(options.image);
    this.labelSet = new CatalogLabels(device, format);
    this.cellsBuffer = device.createBuffer({ label: 'catalog cells', size: Math.max(16, this.index.gpuCells.byteLength * 2), usage: storage });
    if (this.index.gpuCells.byteLength > 0) device.queue.writeBuffer(this.cellsBuffer, 0, this.index.gpuCells as Float32Array<ArrayBuffer>);
    this.bytesUploaded += this.index.gpuCells.byteLength;
    this.chunkCount = Math.ceil(this.rowCount / COMPACT_CHUNK);
    this.screenBuffer = device.createBuffer({ label: 'catalog screen', size: Math.max(16, this.rowCount * 16), usage: GPUBufferUsage.STORAGE });
    this.visibleBuffer = device.createBuffer({ label: 'catalog visible rows', size: Math.max(16, this.rowCount * 4), usage: GPUBufferUsage.STORAGE });
    this.scanBuffer = device.createBuffer({ label: 'catalog compaction', size: (4 + 2 * this.chunkCount) * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.INDIRECT });
    const numeric = Object.values(options.data.columns ?? {}).filter((c) => !Array.isArray(c)).length;
    this.attrCapacity = Math.max(1, Math.min(4, numeric));
    this.attrsBuffer = device.createBuffer({ label: 'catalog attributes', size: this.attrBytes(this.attrCapacity), usage: storage | GPUBufferUsage.COPY_SRC });
    this.lutBuffer = device.createBuffer({ label: 'catalog colormaps', size: 2048, usage: storage });
    const uniform = GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
    this.uniformMain = device.createBuffer({ label: 'catalog', size: UNIFORM_BYTES, usage: uniform });
    this.uniformHighlight = device.createBuffer({ label: 'catalog highlight', size: UNIFORM_BYTES, usage: uniform });
    this.uniformPick = device.createBuffer({ label: 'catalog pick', size: UNIFORM_BYTES, usage: uniform });
    this.densityStatsBuffer = device.createBuffer({ label: 'catalog density stats', size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    this.raster = new CatalogRaster(device, format, { screen: this.screenBuffer, rowCount: this.rowCount });
    this.style = this.resolveStyle(options, undefined);
    this.imageSource = this.style.image;
    this.applyLuts();
    this.setFilters(options.filters ?? []);
  }

  private attrBytes(slots: number): number {
    return Math.max(16, slots * this.rowCount * 4);
  }

  private upload(label: string, data: Float32Array, usage: GPUBufferUsageFlags): GPUBuffer {
    const buffer = this.device.createBuffer({ label, size: Math.max(16, data.byteLength), usage });
    if (data.byteLength > 0) this.device.queue.writeBuffer(buffer, 0, data as Float32Array<ArrayBuffer>);
    this.bytesUploaded += data.byteLength;
    return buffer;
  }

  // ---- style, filters, selection ----

  private resolveStyle(s: CatalogStyle, prev: ResolvedStyle | undefined): ResolvedStyle {
    return resolveCatalogStyle(s, prev, (name) => this.ensureColumn(name).range, this.data);
  }

  /** Change how rows look (only the given fields); columns are uploaded the first time they are used. */
  setStyle(style: CatalogStyle): void {
    const prev = this.style;
    this.style = this.resolveStyle(style, prev);
    if (prev.colormap !== this.style.colormap || prev.reverseColormap !== this.style.reverseColormap || prev.densityColormap !== this.style.densityColormap) this.applyLuts();
    if (this.style.image !== this.imageSource) {
      const next = this.createImageTexture(this.style.image);
      this.imageTexture.destroy();
      this.imageTexture = next;
      this.imageSource = this.style.image;
      this.bgMarkers = undefined;
    }
    this.labelSet.invalidate();
    this.version++;
    this.viewKey = '';
    this.densityKey = '';
  }

  getStyle(): Readonly<ResolvedStyle> {
    return this.style;
  }

  private applyLuts(): void {
    this.device.queue.writeBuffer(this.lutBuffer, 0, colormapWords(this.style.colormap, this.style.reverseColormap) as Uint32Array<ArrayBuffer>);
    this.device.queue.writeBuffer(this.lutBuffer, 1024, colormapWords(this.style.densityColormap) as Uint32Array<ArrayBuffer>);
  }

  /**
   * Show only rows whose values lie in the given ranges (at most 4 filters). Changing ranges over
   * columns already on the GPU writes one uniform: no row data is uploaded again.
   */
  setFilters(filters: readonly RangeFilter[]): void {
    validateFilters(this.data, filters);
    for (const f of filters) this.ensureColumn(f.column);
    this.filterList = filters.map((f) => ({ ...f }));
    this.filterCounts = undefined;
    this.labelSet?.invalidate();
    this.filterVersion++;
    this.version++;
    this.densityKey = '';
  }

  get filters(): readonly RangeFilter[] {
    return this.filterList;
  }

  /** The CPU twin of the GPU filters: does this row pass? */
  rowPassesFilters(row: number): boolean {
    const cols = this.filterList.map((f) => this.slots.get(f.column)!.values);
    return rowPasses(cols, this.filterList.map(filterBounds), row);
  }

  /** Outline one row in the highlight colour (undefined: none). */
  select(row: number | undefined): void {
    if (row !== undefined && !(Number.isInteger(row) && row >= 0 && row < this.rowCount)) throw new CatalogError(`row must be an integer in [0, ${this.rowCount}), got ${row}`);
    this.selected = row;
  }

  get selectedRow(): number | undefined {
    return this.selected;
  }

  /** ICRS position a row is drawn at, degrees (propagated to properMotion.epoch when given). */
  rowPosition(row: number): { raDeg: number; decDeg: number } {
    return { raDeg: Number(this.drawnRaDeg[row]), decDeg: Number(this.drawnDecDeg[row]) };
  }

  /** Half the marker size of a row, device pixels (the CPU twin of the project pass's size). */
  markerRadiusPx(row: number): number {
    const st = this.style;
    const pr = this.pixelRatio;
    if (!st.sizeColumn) return (st.sizePx * pr) / 2;
    const v = this.slots.get(st.sizeColumn)?.values[row];
    if (v === undefined || Number.isNaN(v)) return (st.sizePx * pr) / 2;
    return Math.max(0, sizeFor(v, st.sizeRange[0], st.sizeRange[1], st.sizePxRange[0] * pr, st.sizePxRange[1] * pr)) / 2;
  }

  /** Labels drawn in the last prepared view: row, text and the label's box (device pixels, y down). */
  get labelPlacements(): ReturnType<CatalogLabels['placements']> {
    return this.labelSet.placements();
  }

  /** The marker image as a mipmapped single-layer 2D-array texture (square, power of two), or 1x1 white. */
  private createImageTexture(src: MarkerImageSource | undefined): GPUTexture {
    return createMarkerTexture(this.device, src);
  }

  get mode(): CatalogDrawMode {
    return this.drawMode;
  }

  get pickVersion(): number {
    return this.version;
  }

  get stats(): CatalogLayerStats {
    return {
      rows: this.rowCount,
      validRows: this.index.validRows,
      cells: this.index.cellIds.length,
      columnUploads: this.columnUploads,
      bytesUploaded: this.bytesUploaded,
      mode: this.drawMode,
      estimatedVisibleRows: this.estimated,
      preciseCells: this.preciseCells,
      densityPasses: this.densityPasses,
      projectPasses: this.projectPasses,
      prepareMs: this.prepareMs,
      markerPath: this.path,
      rasterPasses: this.raster.passes,
    };
  }

  /** Upload a numeric column into a free attribute slot (once). */
  private ensureColumn(name: string): { slot: number; values: Float32Array; range: [number, number] | undefined } {
    const have = this.slots.get(name);
    if (have) return have;
    const values = numericColumn(this.data, name);
    const slot = this.slots.size;
    if (slot >= this.attrCapacity) {
      let cap = this.attrCapacity;
      while (cap <= slot) cap *= 2;
      const bigger = this.device.createBuffer({ label: 'catalog attributes', size: this.attrBytes(cap), usage: this.attrsBuffer.usage });
      const enc = this.device.createCommandEncoder({ label: 'catalog attributes grow' });
      enc.copyBufferToBuffer(this.attrsBuffer, 0, bigger, 0, this.attrBytes(this.attrCapacity));
      this.device.queue.submit([enc.finish()]);
      this.attrsBuffer.destroy();
      this.attrsBuffer = bigger;
      this.attrCapacity = cap;
      this.bgMain = undefined;
    }
    if (this.rowCount > 0) this.device.queue.writeBuffer(this.attrsBuffer, slot * this.rowCount * 4, values as Float32Array<ArrayBuffer>);
    this.bytesUploaded += values.byteLength;
    this.columnUploads++;
    const entry = { slot, values, range: finiteRange(values) };
    this.slots.set(name, entry);
    return entry;
  }

  // ---- frame ----

  prepare(camera: Camera, _budget: UploadBudget, transition?: ProjectionTransition): void {
    if (this.destroyed) return;
    const t0 = performance.now();
    const v = camera.view;
    const key = `${v.raDeg},${v.decDeg},${v.fovDeg},${v.rollDeg},${v.projection},${v.frame},${v.widthPx},${v.heightPx},${transition ? `${transition.camera.view.projection},${transition.camera.view.fovDeg},${transition.mix}` : ''}`;
    if (key !== this.viewKey) {
      this.viewKey = key;
      this.updatePrecise(camera);
    }
    const modeKey = `${key}|${this.filterVersion}|${this.style.densityThreshold}`;
    if (modeKey !== this.modeKey) {
      this.modeKey = modeKey;
      this.updateMode(camera);
    }
    this.ensureBindGroups(v.widthPx, v.heightPx);
    this.writeUniforms(camera, transition);
    if (this.drawMode === 'density') {
      const dk = `${key}|${this.version}`;
      if (dk !== this.densityKey) {
        this.densityKey = dk;
        this.runDensity();
      }
    }
    this.path = this.drawMode === 'markers' ? this.choosePath() : 'raster';
    if (this.raster.resize(v.widthPx, v.heightPx)) this.rasterKey = this.pickRasterKey = this.projectKey = '';
    if (this.drawMode === 'markers' || this.selected !== undefined) {
      // the compute path reads every row's screen position: the visible list is needed only by
      // the quads and the arrows; without arrows it places and rasterises the rows in one pass
      const compact = this.path === 'raster' || this.hasArrows;
      const fused = this.path === 'compute' && !this.hasArrows;
      const pk = `${key}|${this.version}|${compact}|${fused}`;
      if (pk !== this.projectKey) {
        this.projectKey = pk;
        if (fused) {
          this.runProjectRaster();
          this.rasterKey = pk;
        } else this.runProject(compact);
      }
    }
    if (this.path === 'compute' && this.projectKey !== this.rasterKey && this.rowCount > 0 && this.bgMain) {
      this.rasterKey = this.projectKey;
      const enc = this.device.createCommandEncoder({ label: 'catalog raster' });
      this.raster.encodeRaster(enc, this.bgMain, 'colour', SHAPE_ID[this.style.shape], this.style.filled);
      this.device.queue.submit([enc.finish()]);
    }
    this.labelSet.update(camera, this.style.labels, this, key);
    this.prepareMs = performance.now() - t0;
  }

  /** This frame's marker path: by the style's setting, shape, largest marker and the rows in view. */
  private choosePath(): MarkerPath {
    const st = this.style;
    const pr = this.pixelRatio;
    const maxSizePx = (st.sizeColumn ? Math.max(st.sizePxRange[0], st.sizePxRange[1]) : st.sizePx) * pr;
    return chooseMarkerPath({ setting: st.markerPath, shape: st.shape, maxSizePx, lineWidthPx: st.lineWidthPx * pr, estimatedRows: this.estimated });
  }

  /**
   * Before a pick pass (Picker): on the compute path, rasterise the pick discs of the visible rows
   * into the pick id buffer that encodePick resolves (once per view / change).
   */
  preparePick(): void {
    if (this.destroyed || this.path !== 'compute' || this.drawMode !== 'markers' || this.rowCount === 0 || !this.bgPick) return;
    if (this.pickRasterKey === this.projectKey) return;
    this.pickRasterKey = this.projectKey;
    const enc = this.device.createCommandEncoder({ label: 'catalog pick raster' });
    this.raster.encodeRaster(enc, this.bgPick, 'pick', SHAPE_ID[this.style.shape], this.style.filled);
    this.device.queue.submit([enc.finish()]);
  }

  /** Float64 view-frame centres of the anchor cells in view, at small fields. */
  private updatePrecise(camera: Camera): void {
    this.precise = false;
    this.preciseCells = 0;
    if (camera.pixelAngleRad >= PRECISE_BELOW_PIXEL_RAD || this.index.cellIds.length === 0) return;
    const v = camera.view;
    const radiusDeg = Math.min(180, (camera.radiusRad * 180) / Math.PI + ANCHOR_RADIUS_DEG);
    const runs = compactRuns(this.index.cellIds, queryDisc(ANCHOR_ORDER, v.raDeg, v.decDeg, radiusDeg));
    let total = 0;
    for (const [a, b] of runs) total += b - a;
    if (total > MAX_PRECISE_CELLS) return;
    this.stamp = (this.stamp + 1) >>> 0 || 1;
    const centres = this.index.cellCentres;
    const { right: r, up: u, centre: c } = camera;
    for (const [a, b] of runs) {
      const out = new Float32Array(4 * (b - a));
      const bits = new Uint32Array(out.buffer);
      for (let k = a; k < b; k++) {
        const x = centres[3 * k];
        const y = centres[3 * k + 1];
        const z = centres[3 * k + 2];
        const o = 4 * (k - a);
        out[o] = x * r[0] + y * r[1] + z * r[2];
        out[o + 1] = x * u[0] + y * u[1] + z * u[2];
        out[o + 2] = x * c[0] + y * c[1] + z * c[2];
        bits[o + 3] = this.stamp;
      }
      this.device.queue.writeBuffer(this.cellsBuffer, (this.index.cellIds.length + a) * 16, out);
    }
    this.precise = true;
    this.preciseCells = total;
  }

  /** Estimated rows in view (after filters) -> markers or density, with 20 % hysteresis. */
  private updateMode(camera: Camera): void {
    const threshold = this.style.densityThreshold;
    const v = camera.view;
    const radiusDeg = (camera.radiusRad * 180) / Math.PI + COUNT_RADIUS_DEG;
    const ranges: Array<[number, number]> = radiusDeg >= 180 ? [[0, 12 << (2 * COUNT_ORDER)]] : queryDisc(COUNT_ORDER, v.raDeg, v.decDeg, radiusDeg);
    let estimate = countInRanges(this.index.coarseCounts, ranges);
    if (!Number.isFinite(threshold)) {
      // markers always; the estimate (without filters) still chooses their path
      this.estimated = estimate;
      this.setMode('markers');
      return;
    }
    if (this.filterList.length > 0 && estimate > threshold * 0.8) {
      this.filterCounts ??= coarseCountsWhere(this.index, (row) => this.rowPassesFilters(row));
      estimate = countInRanges(this.filterCounts, ranges);
    }
    this.estimated = estimate;
    const next = this.drawMode === 'density' ? (estimate >= threshold * 0.8 ? 'density' : 'markers') : estimate > threshold ? 'density' : 'markers';
    this.setMode(next);
  }

  private setMode(mode: CatalogDrawMode): void {
    if (mode === this.drawMode) return;
    this.drawMode = mode;
    this.version++;
    this.densityKey = '';
  }

  private ensureBindGroups(width: number, height: number): void {
    const g = this.gpu;
    const b = this.bindings();
    if (!this.bgMain) {
      const groups = catalogMainBindGroups(this.device, g, b, 'catalog');
      this.bgMain = groups.main;
      this.bgHighlight = groups.highlight;
      this.bgPick = groups.pick;
    }
    if (!this.bgProject) this.bgProject = catalogProjectBindGroup(this.device, g, b, 'catalog');
    if (!this.bgMarkers) this.bgMarkers = catalogMarkersBindGroup(this.device, g, b, 'catalog');
    if (this.drawMode !== 'density') return;
    const gw = Math.ceil(width / 2);
    const gh = Math.ceil(height / 2);
    if (!this.countsBuffer || this.gridSize[0] !== gw || this.gridSize[1] !== gh) {
      this.countsBuffer?.destroy();
      this.countsBuffer = this.device.createBuffer({ label: 'catalog density counts', size: Math.max(16, gw * gh * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
      this.gridSize = [gw, gh];
      const entries = [{ binding: 0, resource: { buffer: this.countsBuffer } }, { binding: 1, resource: { buffer: this.densityStatsBuffer } }];
      this.bgSplat = this.device.createBindGroup({ label: 'catalog splat', layout: g.bglSplat, entries });
      this.bgDensity = this.device.createBindGroup({ label: 'catalog density', layout: g.bglDensity, entries });
      this.densityKey = '';
    }
  }

  private writeUniforms(camera: Camera, transition: ProjectionTransition | undefined): void {
    const buf = this.uniformBytes;
    const a = PROJECTION_ID[(transition ? transition.camera : camera).view.projection];
    this.projectionIds = [a, transition ? PROJECTION_ID[camera.view.projection] : a];
    packCatalogUniforms(buf, {
      camera, transition, style: this.style, pixelRatio: this.pixelRatio, stamp: this.stamp, rowCount: this.rowCount,
      cellCount: this.index.cellIds.length, chunkCount: this.chunkCount, precise: this.precise, slotOf: (name) => this.slots.get(name)!.slot,
      filters: this.filterList, gridSize: this.gridSize, selected: this.selected ?? 0, pickRowBase: this.pickRowBase, hasArrows: this.hasArrows,
      imageSidePx: this.imageTexture.width, cellsRelative: false,
    });
    writeCatalogUniforms(this.device.queue, buf, { uniformMain: this.uniformMain, uniformHighlight: this.uniformHighlight, uniformPick: this.uniformPick });
  }

  /** The GPU objects this layer binds (all owned by it). */
  private bindings(): CatalogBindings {
    return {
      uniformMain: this.uniformMain, uniformHighlight: this.uniformHighlight, uniformPick: this.uniformPick,
      rows: this.rowsBuffer, cells: this.cellsBuffer, attrs: this.attrsBuffer, lut: this.lutBuffer,
      screen: this.screenBuffer, visible: this.visibleBuffer, scan: this.scanBuffer, tips: this.tipsBuffer,
      imageTexture: this.imageTexture, imageSampler: this.imageSampler,
    };
  }

  /** Screen positions of every row, then (compact) the order-preserving list of rows in view and the indirect draw. */
  private runProject(compact: boolean): void {
    if (this.rowCount === 0 || !this.bgMain || !this.bgProject) return;
    const g = this.gpu;
    const enc = this.device.createCommandEncoder({ label: 'catalog project' });
    const pass = enc.beginComputePass({ label: 'catalog project' });
    pass.setBindGroup(0, this.bgMain);
    pass.setBindGroup(1, this.bgProject);
    pass.setPipeline(specialisedPipelines(this.device, ...this.projectionIds).project);
    pass.dispatchWorkgroups(...dispatchSize(this.rowCount));
    if (compact) {
      const chunks = dispatchSize(this.chunkCount);
      pass.setPipeline(g.countChunks);
      pass.dispatchWorkgroups(...chunks);
      pass.setPipeline(g.scanChunks);
      pass.dispatchWorkgroups(1);
      pass.setPipeline(g.scatter);
      pass.dispatchWorkgroups(...chunks);
    }
    pass.end();
    this.device.queue.submit([enc.finish()]);
    this.projectPasses++;
  }

  /** The fused project + raster pass (compute path without arrows). */
  private runProjectRaster(): void {
    if (this.rowCount === 0 || !this.bgMain) return;
    const enc = this.device.createCommandEncoder({ label: 'catalog project + raster' });
    this.raster.encodeProjectRaster(enc, this.bgMain, SHAPE_ID[this.style.shape], this.style.filled, this.projectionIds);
    this.device.queue.submit([enc.finish()]);
    this.projectPasses++;
  }

  private runDensity(): void {
    if (!this.countsBuffer || !this.bgSplat || !this.bgMain) return;
    const enc = this.device.createCommandEncoder({ label: 'catalog density' });
    enc.clearBuffer(this.countsBuffer);
    enc.clearBuffer(this.densityStatsBuffer);
    const pass = enc.beginComputePass({ label: 'catalog density' });
    pass.setBindGroup(0, this.bgMain);
    pass.setBindGroup(1, this.bgSplat);
    if (this.rowCount > 0) {
      pass.setPipeline(specialisedPipelines(this.device, ...this.projectionIds).splat);
      pass.dispatchWorkgroups(...dispatchSize(this.rowCount));
    }
    pass.setPipeline(this.gpu.reduce);
    pass.dispatchWorkgroups(...dispatchSize(Math.ceil((this.gridSize[0] * this.gridSize[1]) / COMPACT_CHUNK)));
    pass.end();
    this.device.queue.submit([enc.finish()]);
    this.densityPasses++;
  }

  encode(pass: GPURenderPassEncoder): void {
    if (this.destroyed || this.rowCount === 0 || !this.bgMain || !this.bgMarkers) return;
    if (this.drawMode === 'density') {
      if (this.bgDensity) {
        pass.setPipeline(this.densityPipeline);
        pass.setBindGroup(0, this.bgMain);
        pass.setBindGroup(1, this.bgDensity);
        pass.draw(3);
      }
    } else {
      if (this.hasArrows) {
        pass.setPipeline(this.arrowPipeline);
        pass.setBindGroup(0, this.bgMain);
        pass.setBindGroup(1, this.bgMarkers);
        pass.drawIndirect(this.scanBuffer, 0);
      }
      if (this.path !== 'compute' || !this.raster.encodeResolve(pass, this.bgMain, 'colour')) {
        pass.setPipeline(this.markers);
        pass.setBindGroup(0, this.bgMain);
        pass.setBindGroup(1, this.bgMarkers);
        pass.drawIndirect(this.scanBuffer, 0);
      }
    }
    if (this.selected !== undefined && this.bgHighlight) {
      pass.setPipeline(this.markers);
      pass.setBindGroup(0, this.bgHighlight);
      pass.setBindGroup(1, this.bgMarkers);
      pass.draw(6);
    }
    this.labelSet.encode(pass);
  }

  encodePick(pass: GPURenderPassEncoder, slot: number): boolean {
    if (this.destroyed || this.rowCount === 0 || this.drawMode === 'density' || !this.bgPick || !this.bgMarkers) return false;
    const w = new Uint32Array(this.uniformBytes);
    w[35] = 2;
    w[38] = slot;
    this.device.queue.writeBuffer(this.uniformPick, 0, this.uniformBytes);
    if (this.path === 'compute' && this.pickRasterKey === this.projectKey && this.raster.encodeResolve(pass, this.bgPick, 'pick')) return true;
    pass.setPipeline(this.pickPipeline);
    pass.setBindGroup(0, this.bgPick);
    pass.setBindGroup(1, this.bgMarkers);
    pass.drawIndirect(this.scanBuffer, 0);
    return true;
  }

  /** Read back the density grid of the last density pass (half the view's resolution). */
  async readDensity(): Promise<{ width: number; height: number; counts: Uint32Array; max: number }> {
    const [width, height] = this.gridSize;
    if (!this.countsBuffer || width === 0) throw new Error('this catalogue layer has not drawn a density map yet');
    const bytes = width * height * 4;
    const read = this.device.createBuffer({ label: 'density readback', size: bytes + 16, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(this.countsBuffer, 0, read, 0, bytes);
    enc.copyBufferToBuffer(this.densityStatsBuffer, 0, read, bytes, 16);
    this.device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const all = new Uint32Array(read.getMappedRange().slice(0));
    read.unmap();
    read.destroy();
    return { width, height, counts: all.subarray(0, width * height), max: all[width * height] };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [this.rowsBuffer, this.cellsBuffer, this.attrsBuffer, this.lutBuffer, this.screenBuffer, this.visibleBuffer, this.scanBuffer, this.uniformMain, this.uniformHighlight, this.uniformPick, this.densityStatsBuffer, this.tipsBuffer]) b.destroy();
    this.imageTexture.destroy();
    this.labelSet.destroy();
    this.countsBuffer?.destroy();
    this.raster.destroy();
  }
}

