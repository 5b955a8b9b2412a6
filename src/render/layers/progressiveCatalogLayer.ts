// A progressive catalogue: a HiPS catalogue drawn from the tiles the view needs. Per view change it
// plans the tiles (src/catalog/progressivePlan.ts) and hands them to the tile loader
// (src/catalog/progressiveTiles.ts: priority, abort, 404 = empty, LRU). Every loaded tile's rows
// live in ONE set of shared, growable GPU buffers: a tile takes a contiguous block of row slots
// (src/catalog/rowSlots.ts: free list, first fit) and its anchor cells the cell slots at the start
// of the same block; its rows are written once, when it arrives. Row records hold their cell
// relative to the row, so when no block fits the live blocks are copied on the GPU into new
// buffers (compaction, growth by doubling, shrinking below a quarter use) without rewriting them.
// Tiles the view does not want stay (until the LRU evicts them) but are hidden by a flag in their
// cell records. Per view change one compute pass places every row and one indirect draw draws the
// visible ones, whatever the number of tiles. Picking: the pick id is the row slot, mapped back to
// the tile and its row. Labels (N brightest in view across the drawn tiles), image markers and
// proper motions as in CatalogLayer (docs/catalogues.md, docs/catalogues-progressive.md).
// Density view: above densityThreshold rows in view (resident rows plus the rows the tiles'
// Completeness lines or the server's per-cell counts say are in the view's cells but not loaded,
// 20 % hysteresis) a CatalogDensityMap shows the resident rows plus the counted-not-loaded rows
// spread over their cells (src/catalog/densityCells.ts) instead of markers.
// Marker path: as CatalogLayer (src/catalog/markerPath.ts, markerPath 'auto' | 'compute' |
// 'raster'), many small markers skip the quads: one pass places every row slot and rasterises its
// marker into a screen-sized id buffer (CatalogRaster, owned), a full-screen pass resolves it; the
// row slot is the id, so picking and the highlight use the same slots as the quads.
import type { Camera } from '../../math/camera.js';
import type { ProjectionTransition, RenderLayer } from '../layer.js';
import type { UploadBudget } from '../uploadBudget.js';
import type { PickableLayer } from '../picking.js';
import {
  catalogGpu, catalogMainBindGroups, specialisedPipelines, DEFAULT_DENSITY_THRESHOLD, type CatalogDrawMode, catalogMarkersBindGroup, catalogPipelines, catalogProjectBindGroup, createMarkerTexture, writeCatalogUniforms, type CatalogBindings, dispatchSize, packCatalogUniforms, PRECISE_BELOW_PIXEL_RAD, resolveCatalogStyle,
  UNIFORM_BYTES, type CatalogGpu, type CatalogStyle, type ResolvedStyle,
} from './catalogLayer.js';
import { CatalogLabels } from './catalogLabels.js';
import { CatalogRaster } from './catalogRaster.js';
import { chooseMarkerPath, type MarkerPath } from '../../catalog/markerPath.js';
import { PROJECTION_ID } from '../../math/projections.js';
import { COMPACT_CHUNK } from '../shaders/catalog.wgsl.js';
import { CatalogError, filterBounds, numericColumn, rowPasses, validateFilters, MAX_FILTERS, type CatalogData, type RangeFilter } from '../../catalog/columns.js';
import { colormapWords, SHAPE_ID } from '../../catalog/style.js';
import type { HipsCatalogMetadata, HipsCatalogTile } from '../../hips/catalog.js';
import { planCatalogTiles } from '../../catalog/progressivePlan.js';
import { CatalogTileLoader, type CatalogTileEntry, type CatalogTileLoaderOptions, type CatalogTileLoaderStats } from '../../catalog/progressiveTiles.js';
import type { TileId } from '../../hips/tileSelection.js';
import { ANCHOR_RADIUS_DEG } from '../../catalog/spatialIndex.js';
import { capacityLimitError, MIN_ROW_CAPACITY, repackPlan, RowSlots, targetCapacity } from '../../catalog/rowSlots.js';
import { mergeLabelSource, prepareTileRows, REL_NO_CELL, resolveProperMotion, type MergedLabelSource, type ProgressiveProperMotion, type TileRows } from '../../catalog/progressiveRows.js';
import type { ProperMotionOptions } from '../../catalog/properMotion.js';
import type { PlacedLabel } from '../../catalog/labelLayout.js';
import { CatalogDensityMap, type DensityGrid } from './catalogDensity.js';
import {
  cellNearCone, countRemainders, DensitySampleJob, rowCap, rowsOfCapInCone, rowsPerCell, sampleOrderFor, tileRemainders, validateCellCounts,
  type CellCountsAnswer, type CountedCell, type RowCap,
} from '../../catalog/densityCells.js';

export type { ProgressiveProperMotion };

export interface ProgressiveCatalogOptions extends CatalogStyle {
  readonly id: string;
  readonly name?: string;
  /** Base URL of the HiPS catalogue (the folder that holds `properties`). */
  readonly baseUrl: string;
  readonly orderMin: number;
  readonly orderMax: number;
  readonly metadata?: HipsCatalogMetadata;
  readonly filters?: readonly RangeFilter[];
  readonly pixelRatio?: number;
  /** Loaded tiles kept (LRU, default 2048). */
  readonly maxTiles?: number;
  readonly concurrency?: number;
  readonly fetch?: (url: string, init: { signal: AbortSignal }) => Promise<Response>;
  /** Parses big tiles off the main thread (DecodePool.parseCatalogTile). */
  readonly parseInWorker?: CatalogTileLoaderOptions['parseInWorker'];
  /** Draw rows at another epoch with arrows; columns default to the UCDs pos.pm;pos.eq.ra / pos.pm;pos.eq.dec. */
  readonly properMotion?: ProgressiveProperMotion;
  /** Asks the host for another frame (a tile arrived). */
  readonly requestFrame?: () => void;
  /** A tile that could not be read (reported once per tile). */
  readonly onError?: (message: string) => void;
  /**
   * The archive server's per-cell counts of this catalogue, a URL with `{order}` (properties key
   * `esasky_cell_counts_url`): the density view then spreads the rows not loaded by the counts.
   */
  readonly countsUrl?: string;
}

/** Where the density map's rows come from: resident rows only, + Completeness remainders, + server counts. */
export type ProgressiveDensitySource = 'rows' | 'tiles' | 'counts';
/** Weighted sample points of a density map at most. */
export const MAX_DENSITY_SAMPLES = 262_144;
/** While tiles stream in, density sample points are made again at most this often, ms. */
const SAMPLES_REFRESH_MS = 250;
/**
 * Density sample points made per prepare() at most (DensitySampleJob.step): measured at most 4.8 ms
 * (median 0.3 ms) per step in headless Chromium here, against 9–29 ms (reported up to ~100 ms on a
 * loaded machine) for 170,000 points in one go; a bigger set is built over several frames.
 */
export const SAMPLES_PER_FRAME = 8192;
/** Deepest order of counts asked for (the archive server's MAX_COUNTS_ORDER). */
const MAX_COUNTS_ORDER = 12;

export interface ProgressiveCatalogStats {
  /** The catalogue order of the current view. */
  readonly order: number;
  /** Tiles the current view wants, and of them those drawn (ready and on the GPU). */
  readonly wantedTiles: number;
  readonly drawnTiles: number;
  /** Rows in the drawn tiles. */
  readonly drawnRows: number;
  /** Tiles on the GPU (drawn or kept hidden for later). */
  readonly gpuTiles: number;
  /** Rows in GPU slots (live tiles) and the shared buffers' row capacity. */
  readonly gpuRows: number;
  readonly rowCapacity: number;
  /** Bytes of all shared GPU buffers now (rows, cells, attributes, tips, screen, visible, scan). */
  readonly gpuBytes: number;
  /** Bytes written to GPU buffers for row data so far: each tile once, columns a style adds, and a tile's cell records (16 B each) when it is shown or hidden. */
  readonly bytesUploaded: number;
  /** Bytes moved GPU-to-GPU by compactions / growth, and how many there were. */
  readonly bytesCopied: number;
  readonly repacks: number;
  /** Compute passes that placed the rows (one per view, filter, style or tile change). */
  readonly projectPasses: number;
  /** Draw calls of markers in the last encode() (1, or 2 with arrows). */
  readonly drawCalls: number;
  /** CPU time of the last prepare(), ms. */
  readonly prepareMs: number;
  readonly loader: CatalogTileLoaderStats;
  /** Markers or the density map, rows in view it was chosen by (resident + counted), and the density's sources. */
  readonly mode: CatalogDrawMode;
  readonly estimatedVisibleRows: number;
  readonly densitySource: ProgressiveDensitySource;
  /** Order of the server counts in use (-1: none), weighted sample points, density passes so far. */
  readonly countsOrder: number;
  readonly densitySamples: number;
  readonly densityPasses: number;
  /** Density sample points still to make (a set being built over frames; 0: none), and the prepare() steps that made points so far. */
  readonly densitySamplesPending: number;
  readonly densitySampleSteps: number;
  /** The path that drew the markers in the last prepared frame ('raster': quads; 'compute': compute-rasterised). */
  readonly markerPath: MarkerPath;
  /** Compute raster passes run (drawing and picking). */
  readonly rasterPasses: number;
}

interface TileSlot {
  readonly key: number;
  readonly rows: TileRows;
  /** First row slot; the tile's cells take the cell slots [start, start + cells). */
  start: number;
  readonly cells: number;
  /** The hidden flag its cell records carry on the GPU. */
  hidden: boolean;
}

const key = (order: number, ipix: number) => 4 * 4 ** order + ipix;
/** At most this many cells get float64 centres per view (more means a wide field: not needed). */
const MAX_PRECISE_CELLS = 8192;
const TIP_FLOATS = 6;

export class ProgressiveCatalogLayer implements RenderLayer, PickableLayer {
  readonly id: string;
  readonly name: string;
  readonly pickable = true as const;
  pixelRatio: number;

  private readonly device: GPUDevice;
  private readonly gpu: CatalogGpu;
  private readonly pipelines: ReturnType<typeof catalogPipelines>;
  private readonly orderMin: number;
  private readonly orderMax: number;
  private readonly metadata: HipsCatalogMetadata | undefined;
  private readonly loader: CatalogTileLoader;
  private readonly requestFrame: () => void;
  private readonly onError: (message: string) => void;
  private readonly properMotion: ProperMotionOptions | undefined;
  private readonly hasArrows: boolean;
  private style: ResolvedStyle;
  private filterList: readonly RangeFilter[];
  /** Tiles in the shared buffers, by NUNIQ key. */
  private readonly tiles = new Map<number, TileSlot>();
  /** Ready tiles not in the buffers yet. */
  private readonly pending = new Map<number, HipsCatalogTile>();
  private drawn: TileSlot[] = [];
  private slots = new RowSlots(0);
  private capacity = 0;
  /** A tile was refused because the buffers would exceed the device's limits (reported once). */
  private refusedCapacity = false;
  /** Compaction chunks up to the end of the last live block: the passes stop there. */
  private liveChunks = 1;
  /** Attribute columns on the GPU: name -> slot. */
  private readonly columnSlots = new Map<string, number>();
  private attrSlotCapacity = 1;
  private rowsBuffer!: GPUBuffer;
  private cellsBuffer!: GPUBuffer;
  private attrsBuffer!: GPUBuffer;
  private tipsBuffer!: GPUBuffer;
  private screenBuffer!: GPUBuffer;
  private visibleBuffer!: GPUBuffer;
  private scanBuffer!: GPUBuffer;
  private readonly lutBuffer: GPUBuffer;
  private readonly uniformMain: GPUBuffer;
  private readonly uniformHighlight: GPUBuffer;
  private readonly uniformPick: GPUBuffer;
  private imageTexture: GPUTexture;
  private readonly imageSampler: GPUSampler;
  private readonly labels: CatalogLabels;
  private labelSource: MergedLabelSource | undefined;
  private bgMain: GPUBindGroup | undefined;
  private bgHighlight: GPUBindGroup | undefined;
  private bgPick: GPUBindGroup | undefined;
  private bgProject: GPUBindGroup | undefined;
  private bgMarkers: GPUBindGroup | undefined;
  private readonly uniformBytes = new ArrayBuffer(UNIFORM_BYTES);
  /** The selected row as its tile and row in the tile (survives compaction). */
  private selection: { key: number; row: number } | undefined;
  private planOrder = 0;
  private viewKey = '';
  private preciseKey = '';
  private projectKey = '';
  private stamp = 0;
  private precise = false;
  /** Changes when rows move, appear, hide or their look changes (project pass, pick target, labels). */
  private version = 1;
  private drawnVersion = 0;
  private destroyed = false;
  private bytes = 0;
  private bytesCopied = 0;
  private repacks = 0;
  private projectPasses = 0;
  private drawCalls = 0;
  private prepareMs = 0;
  private drawMode: CatalogDrawMode = 'markers';
  private readonly density: CatalogDensityMap;
  private readonly countsUrl: string | undefined;
  private readonly fetchFn: (url: string, init: { signal: AbortSignal }) => Promise<Response>;
  private readonly countsAbort = new AbortController();
  /** Server counts by order: the answer, or pending / failed. */
  private readonly counts = new Map<number, CellCountsAnswer | 'pending' | 'failed'>();
  private countsVersion = 0;
  private countsErrorReported = false;
  /** Per tile: its rows' vectors and cap, rows with a position, and the rows passing the filters of filterVersion. */
  private readonly tileCaps = new WeakMap<TileRows, { cap: RowCap; valid: number; filterVersion: number; kept: number; keep: ((row: number) => boolean) | undefined }>();
  private densitySource: ProgressiveDensitySource = 'rows';
  private countsInUse: CellCountsAnswer | undefined;
  private remainders: CountedCell[] = [];
  private remaindersKey = '';
  private samplesKey = '';
  private samplesOrder = -1;
  private samplesAt = 0;
  /** The sample set being built a step per frame (shown when done), and how many sets were shown. */
  private sampleJob: DensitySampleJob | undefined;
  private samplesShown = 0;
  private sampleSteps = 0;
  private densityKey = '';
  private modeKey = '';
  private estimated = 0;
  /** Resident rows (loaded, passing the filters) estimated in view: what chooses the marker path. */
  private estimatedResident = 0;
  private filterVersion = 0;
  /** The compute-rasterised marker path (owned): id buffers, resolve. */
  private readonly raster: CatalogRaster;
  private path: MarkerPath = 'raster';
  private rasterKey = '';
  private pickRasterKey = '';
  private projectionIds: [number, number] = [0, 0];

  constructor(device: GPUDevice, format: GPUTextureFormat, options: ProgressiveCatalogOptions) {
    this.device = device;
    this.id = options.id;
    this.name = options.name ?? options.id;
    this.pixelRatio = options.pixelRatio ?? 1;
    this.orderMin = options.orderMin;
    this.orderMax = options.orderMax;
    this.metadata = options.metadata;
    if (!(Number.isInteger(this.orderMin) && Number.isInteger(this.orderMax) && this.orderMin >= 0 && this.orderMin <= this.orderMax && this.orderMax <= 24)) {
      throw new CatalogError(`a HiPS catalogue needs 0 <= hips_order_min <= hips_order <= 24, got ${this.orderMin}..${this.orderMax}`);
    }
    const { id: _i, name: _n, baseUrl: _b, orderMin: _o, orderMax: _m, metadata: _md, filters, pixelRatio: _p, maxTiles: _t, concurrency: _c, fetch: _f, parseInWorker: _w, properMotion, requestFrame: _r, onError: _e, ...style } = options;
    checkStyleRanges(style);
    this.properMotion = properMotion ? resolveProperMotion(properMotion, this.metadata) : undefined;
    this.hasArrows = this.properMotion !== undefined && (this.properMotion.arrowYears ?? 1000) !== 0;
    this.style = resolveCatalogStyle({ densityThreshold: DEFAULT_DENSITY_THRESHOLD, ...style }, undefined, (name) => this.ensureColumn(name), this.columnCatalog());
    this.filterList = [];
    this.requestFrame = options.requestFrame ?? (() => undefined);
    this.onError = options.onError ?? (() => undefined);
    this.gpu = catalogGpu(device);
    this.pipelines = catalogPipelines(device, format);
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    this.lutBuffer = device.createBuffer({ label: 'progressive catalog colormaps', size: 2048, usage: storage });
    const uniform = GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
    this.uniformMain = device.createBuffer({ label: 'progressive catalog', size: UNIFORM_BYTES, usage: uniform });
    this.uniformHighlight = device.createBuffer({ label: 'progressive catalog highlight', size: UNIFORM_BYTES, usage: uniform });
    this.uniformPick = device.createBuffer({ label: 'progressive catalog pick', size: UNIFORM_BYTES, usage: uniform });
    this.imageSampler = device.createSampler({ label: 'progressive catalog marker image', minFilter: 'linear', magFilter: 'linear', mipmapFilter: 'linear' });
    this.imageTexture = createMarkerTexture(device, this.style.image);
    this.labels = new CatalogLabels(device, format);
    this.density = new CatalogDensityMap(device, format, this.gpu);
    this.countsUrl = options.countsUrl;
    if (this.countsUrl !== undefined && !this.countsUrl.includes('{order}')) throw new CatalogError(`countsUrl must contain '{order}', got '${this.countsUrl}'`);
    this.fetchFn = options.fetch ?? ((url, init) => fetch(url, init));
    this.allocate(MIN_ROW_CAPACITY);
    this.raster = new CatalogRaster(device, format, { screen: this.screenBuffer, rowCount: 0 });
    this.applyLuts();
    this.setFilters(filters ?? []);
    this.loader = new CatalogTileLoader({
      baseUrl: options.baseUrl,
      ...(options.metadata ? { metadata: options.metadata } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.parseInWorker ? { parseInWorker: options.parseInWorker } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.maxTiles ? { maxTiles: options.maxTiles } : {}),
      onSettle: (e) => this.tileSettled(e),
      onEvict: (e) => this.tileEvicted(e),
    });
  }

  get settled(): boolean {
    return this.loader.settled && !this.hasPendingUploads && ![...this.counts.values()].includes('pending') && this.sampleJob === undefined;
  }

  /** A wanted tile arrived and is not in the buffers yet (tiles that arrived for an earlier view wait until wanted again). */
  get hasPendingUploads(): boolean {
    if (this.pending.size === 0) return false;
    return this.loader.wantedEntries.some((e) => this.pending.has(key(e.order, e.ipix)));
  }

  get pickVersion(): number {
    return this.version;
  }

  /** The tiles of the current view, in plan order (parents first). */
  get wantedTiles(): readonly TileId[] {
    return this.loader.wantedEntries.map((e) => ({ order: e.order, ipix: e.ipix }));
  }

  /** URLs requested so far, in order. */
  get requestedUrls(): readonly string[] {
    return this.loader.requested;
  }

  /** The tiles drawn in the last frame with their rows (ICRS degrees and columns). */
  get drawnTiles(): readonly HipsCatalogTile[] {
    return this.drawn.map((t) => t.rows.tile);
  }

  /** The drawn tiles' rows with the slot of their first row (pick id - 1 = slot). */
  get drawnSlots(): ReadonlyArray<{ tile: HipsCatalogTile; start: number; rows: number; drawnRaDeg: ArrayLike<number>; drawnDecDeg: ArrayLike<number> }> {
    return this.drawn.map((t) => ({ tile: t.rows.tile, start: t.start, rows: t.rows.rows, drawnRaDeg: t.rows.drawnRaDeg, drawnDecDeg: t.rows.drawnDecDeg }));
  }

  get stats(): ProgressiveCatalogStats {
    return {
      order: this.planOrder,
      wantedTiles: this.loader.wantedEntries.length,
      drawnTiles: this.drawn.length,
      drawnRows: this.drawn.reduce((s, t) => s + t.rows.rows, 0),
      gpuTiles: this.tiles.size,
      gpuRows: this.slots.used,
      rowCapacity: this.capacity,
      gpuBytes: this.gpuBytes(),
      bytesUploaded: this.bytes,
      bytesCopied: this.bytesCopied,
      repacks: this.repacks,
      projectPasses: this.projectPasses,
      drawCalls: this.drawCalls,
      prepareMs: this.prepareMs,
      loader: this.loader.stats,
      mode: this.drawMode,
      estimatedVisibleRows: this.estimated,
      densitySource: this.densitySource,
      countsOrder: this.countsInUse?.order ?? -1,
      densitySamples: this.density.samples,
      densityPasses: this.density.passes,
      densitySamplesPending: this.sampleJob ? this.sampleJob.samples.length / 4 - this.sampleJob.made : 0,
      densitySampleSteps: this.sampleSteps,
      markerPath: this.path,
      rasterPasses: this.raster.passes,
    };
  }

  /** Labels drawn in the last prepared view: the tile, row in the tile, text and box (device pixels, y down). */
  get labelPlacements(): ReadonlyArray<PlacedLabel & { order: number; ipix: number; rowInTile: number }> {
    const src = this.labelSource;
    if (!src) return [];
    return this.labels.placements().map((p) => {
      const { tile, row } = src.locate(p.row);
      return { ...p, order: tile.tile.order, ipix: tile.tile.ipix, rowInTile: row };
    });
  }

  prepare(camera: Camera, budget: UploadBudget, transition?: ProjectionTransition): void {
    if (this.destroyed) return;
    const t0 = performance.now();
    const v = camera.view;
    const vk = `${v.raDeg},${v.decDeg},${v.fovDeg},${v.rollDeg},${v.projection},${v.frame},${v.widthPx},${v.heightPx}`;
    if (vk !== this.viewKey) {
      this.viewKey = vk;
      const plan = planCatalogTiles({ raDeg: v.raDeg, decDeg: v.decDeg, radiusRad: camera.radiusRad, fovRad: (v.fovDeg * Math.PI) / 180 }, this.orderMin, this.orderMax,
        (order, ipix) => this.loader.get(order, ipix)?.tile?.mayHaveChildren === false);
      this.planOrder = plan.order;
      this.loader.want(plan.tiles);
    }
    // tiles that arrived go into the shared buffers, wanted ones first, under the frame's upload budget
    for (const e of this.loader.wantedEntries) {
      if (!budget.allows()) break;
      const k = key(e.order, e.ipix);
      const tile = this.pending.get(k);
      if (!tile) continue;
      const t1 = performance.now();
      this.pending.delete(k);
      this.addTile(k, tile);
      budget.spend(performance.now() - t1);
    }
    this.updateDrawn();
    const tk = transition ? `${transition.camera.view.projection},${transition.camera.view.fovDeg},${transition.mix}` : '';
    const pk = `${vk}|${tk}|${this.capacity}|${this.version}`;
    if (pk !== this.preciseKey) {
      this.preciseKey = pk;
      this.updatePrecise(camera);
    }
    this.ensureBindGroups();
    this.writeUniforms(camera, transition);
    this.updateMode(camera);
    this.updateSamples(camera);
    if (this.drawMode === 'density') {
      const dk = `${pk}|${this.samplesShown}`;
      if (dk !== this.densityKey) {
        this.densityKey = dk;
        this.density.run(this.bgMain!, Math.min(this.capacity, this.liveChunks * COMPACT_CHUNK), v.widthPx, v.heightPx, this.style.color[3]);
      }
    }
    this.path = this.drawMode === 'markers' ? this.choosePath() : 'raster';
    // rows past the last live block are free (never drawn): the passes stop at its chunk
    this.raster.setSources({ screen: this.screenBuffer, rowCount: Math.min(this.capacity, this.liveChunks * COMPACT_CHUNK) });
    if (this.raster.resize(v.widthPx, v.heightPx)) this.rasterKey = this.pickRasterKey = this.projectKey = '';
    if (this.drawMode === 'markers' || this.selectedSlot() !== undefined) {
      // the compute path reads every slot's screen record: the visible list is needed only by the
      // quads and the arrows; without arrows one pass places and rasterises the rows
      const compact = this.path === 'raster' || this.hasArrows;
      const fused = this.path === 'compute' && !this.hasArrows;
      const rk = `${pk}|${compact}|${fused}`;
      if (rk !== this.projectKey) {
        this.projectKey = rk;
        if (fused) {
          this.runProjectRaster();
          this.rasterKey = rk;
        } else this.runProject(compact);
      }
    }
    if (this.path === 'compute' && this.projectKey !== this.rasterKey && this.bgMain) {
      this.rasterKey = this.projectKey;
      const enc = this.device.createCommandEncoder({ label: 'progressive catalog raster' });
      this.raster.encodeRaster(enc, this.bgMain, 'colour', SHAPE_ID[this.style.shape], this.style.filled);
      this.device.queue.submit([enc.finish()]);
    }
    this.updateLabels(camera, `${vk}|${tk}`);
    if (this.hasPendingUploads) this.requestFrame();
    this.prepareMs = performance.now() - t0;
  }

  encode(pass: GPURenderPassEncoder): void {
    this.drawCalls = 0;
    if (this.destroyed || !this.bgMain || !this.bgMarkers) return;
    if (this.drawMode === 'density') {
      this.density.encode(pass, this.bgMain);
      this.drawCalls++;
    } else if (this.drawn.length > 0) {
      if (this.hasArrows) {
        pass.setPipeline(this.pipelines.arrows);
        pass.setBindGroup(0, this.bgMain);
        pass.setBindGroup(1, this.bgMarkers);
        pass.drawIndirect(this.scanBuffer, 0);
        this.drawCalls++;
      }
      if (this.path !== 'compute' || !this.raster.encodeResolve(pass, this.bgMain, 'colour')) {
        pass.setPipeline(this.pipelines.markers);
        pass.setBindGroup(0, this.bgMain);
        pass.setBindGroup(1, this.bgMarkers);
        pass.drawIndirect(this.scanBuffer, 0);
      }
      this.drawCalls++;
    }
    if (this.selectedSlot() !== undefined && this.bgHighlight) {
      pass.setPipeline(this.pipelines.markers);
      pass.setBindGroup(0, this.bgHighlight);
      pass.setBindGroup(1, this.bgMarkers);
      pass.draw(6);
    }
    this.labels.encode(pass);
  }

  encodePick(pass: GPURenderPassEncoder, slot: number): boolean {
    if (this.destroyed || this.drawn.length === 0 || this.drawMode === 'density' || !this.bgPick || !this.bgMarkers) return false;
    const w = new Uint32Array(this.uniformBytes);
    w[35] = 2;
    w[38] = slot;
    this.device.queue.writeBuffer(this.uniformPick, 0, this.uniformBytes);
    if (this.path === 'compute' && this.pickRasterKey === this.projectKey && this.raster.encodeResolve(pass, this.bgPick, 'pick')) return true;
    pass.setPipeline(this.pipelines.pick);
    pass.setBindGroup(0, this.bgPick);
    pass.setBindGroup(1, this.bgMarkers);
    pass.drawIndirect(this.scanBuffer, 0);
    return true;
  }

  /** This frame's marker path: by the style's setting, shape, largest marker and the resident rows in view. */
  private choosePath(): MarkerPath {
    if (this.drawn.length === 0) return 'raster';
    const st = this.style;
    const pr = this.pixelRatio;
    const maxSizePx = (st.sizeColumn ? Math.max(st.sizePxRange[0], st.sizePxRange[1]) : st.sizePx) * pr;
    return chooseMarkerPath({ setting: st.markerPath, shape: st.shape, maxSizePx, lineWidthPx: st.lineWidthPx * pr, estimatedRows: this.estimatedResident });
  }

  /**
   * Before a pick pass (Picker): on the compute path, rasterise the pick discs of the drawn rows
   * into the pick id buffer that encodePick resolves (once per view / change).
   */
  preparePick(): void {
    if (this.destroyed || this.path !== 'compute' || this.drawMode !== 'markers' || this.drawn.length === 0 || !this.bgPick) return;
    if (this.pickRasterKey === this.projectKey) return;
    this.pickRasterKey = this.projectKey;
    const enc = this.device.createCommandEncoder({ label: 'progressive catalog pick raster' });
    this.raster.encodeRaster(enc, this.bgPick, 'pick', SHAPE_ID[this.style.shape], this.style.filled);
    this.device.queue.submit([enc.finish()]);
  }

  /** The tile and row inside it of a pick row (its row slot). */
  private locate(row: number): { t: TileSlot; local: number } | undefined {
    for (const t of this.tiles.values()) {
      if (row >= t.start && row < t.start + t.rows.rows) return { t, local: row - t.start };
    }
    return undefined;
  }

  /** ICRS position a picked row is drawn at (propagated with proper motions), degrees. */
  rowPosition(row: number): { raDeg: number; decDeg: number } {
    const hit = this.locate(row);
    if (!hit) throw new CatalogError(`row ${row} is not in a loaded tile of ${this.id}`);
    return { raDeg: Number(hit.t.rows.drawnRaDeg[hit.local]), decDeg: Number(hit.t.rows.drawnDecDeg[hit.local]) };
  }

  /** The tile (order, ipix) and row inside it of a picked row, with the row's values. */
  rowInfo(row: number): { order: number; ipix: number; rowInTile: number; values: Record<string, string | number | null> } | undefined {
    const hit = this.locate(row);
    if (!hit) return undefined;
    const tile = hit.t.rows.tile;
    const values: Record<string, string | number | null> = {};
    for (const c of tile.table.columns) values[c.name] = c.nulls?.[hit.local] ? null : (c.values as ArrayLike<string | number>)[hit.local];
    return { order: tile.order, ipix: tile.ipix, rowInTile: hit.local, values };
  }

  /** Outline a picked row (undefined: none). */
  select(row: number | undefined): void {
    const hit = row === undefined ? undefined : this.locate(row);
    this.selection = hit ? { key: hit.t.key, row: hit.local } : undefined;
    this.version++;
  }

  /** The selected row's current slot (pick row). */
  get selected(): number | undefined {
    return this.selectedSlot();
  }

  private selectedSlot(): number | undefined {
    const s = this.selection;
    const t = s ? this.tiles.get(s.key) : undefined;
    return s && t && !t.hidden ? t.start + s.row : undefined;
  }

  setStyle(style: CatalogStyle): void {
    checkStyleRanges({ ...this.publicStyle(), ...style });
    const prev = this.style;
    this.style = resolveCatalogStyle(style, prev, (name) => this.ensureColumn(name), this.columnCatalog());
    if (prev.colormap !== this.style.colormap || prev.reverseColormap !== this.style.reverseColormap || prev.densityColormap !== this.style.densityColormap) this.applyLuts();
    if (this.style.image !== prev.image) {
      const next = createMarkerTexture(this.device, this.style.image);
      this.imageTexture.destroy();
      this.imageTexture = next;
      this.bgMarkers = undefined;
    }
    this.labelSource = undefined;
    this.labels.invalidate();
    this.version++;
  }

  setFilters(filters: readonly RangeFilter[]): void {
    validateFilters(this.columnCatalog(), filters);
    if (filters.length > MAX_FILTERS) throw new CatalogError(`at most ${MAX_FILTERS} filters at once, got ${filters.length}`);
    for (const f of filters) this.ensureColumn(f.column);
    this.filterList = filters.map((f) => ({ ...f }));
    this.filterVersion++;
    this.labelSource = undefined;
    this.labels.invalidate();
    this.version++;
  }

  get filters(): readonly RangeFilter[] {
    return this.filterList;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.countsAbort.abort();
    this.loader.destroy();
    this.density.destroy();
    this.raster.destroy();
    for (const b of [this.rowsBuffer, this.cellsBuffer, this.attrsBuffer, this.tipsBuffer, this.screenBuffer, this.visibleBuffer, this.scanBuffer, this.lutBuffer, this.uniformMain, this.uniformHighlight, this.uniformPick]) b.destroy();
    this.imageTexture.destroy();
    this.labels.destroy();
    this.tiles.clear();
    this.pending.clear();
    this.drawn = [];
  }

  // ---- tiles in the shared buffers ----

  private tileSettled(e: CatalogTileEntry): void {
    if (this.destroyed) return;
    if (e.state === 'ready' && e.tile) this.pending.set(key(e.order, e.ipix), e.tile);
    if (e.state === 'failed' && e.error) this.onError(e.error);
    this.requestFrame();
  }

  private tileEvicted(e: CatalogTileEntry): void {
    const k = key(e.order, e.ipix);
    this.pending.delete(k);
    const t = this.tiles.get(k);
    if (!t || this.destroyed) return;
    this.tiles.delete(k);
    // rows of a freed block must never draw: their cell slots will belong to another tile
    if (t.rows.rows > 0) {
      this.device.queue.writeBuffer(this.rowsBuffer, t.start * 16, emptyRows(t.rows.rows));
      this.slots.release(t.start, t.rows.rows);
    }
    if (this.selection?.key === k) this.selection = undefined;
    this.version++;
    const cap = targetCapacity(this.capacity, this.slots.used, 0);
    if (cap < this.capacity) this.repack(cap);
    this.updateLiveEnd();
  }

  /** The passes run over the chunks up to the end of the last live block (free rows past it are never placed). */
  private updateLiveEnd(): void {
    let end = 0;
    for (const t of this.tiles.values()) end = Math.max(end, t.start + t.rows.rows);
    this.liveChunks = Math.max(1, Math.ceil(end / COMPACT_CHUNK));
  }

  private addTile(k: number, tile: HipsCatalogTile): void {
    let rows: TileRows;
    try {
      rows = prepareTileRows(tile, this.properMotion);
    } catch (err) {
      this.onError(`tile Norder${tile.order}/Npix${tile.ipix}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const n = rows.rows;
    let start = this.slots.alloc(n);
    if (start === undefined) {
      const cap = targetCapacity(this.capacity, this.slots.used, n);
      const tooBig = this.capacityError(cap);
      if (tooBig) {
        // refused with a message once, never an invalid bind group: the tile is not drawn
        if (!this.refusedCapacity) this.onError(`tile Norder${tile.order}/Npix${tile.ipix}: ${tooBig}`);
        this.refusedCapacity = true;
        return;
      }
      this.repack(cap);
      start = this.slots.alloc(n)!;
    }
    const t: TileSlot = { key: k, rows, start, cells: rows.index.cellIds.length, hidden: true };
    this.tiles.set(k, t);
    this.updateLiveEnd();
    if (n === 0) return;
    const q = this.device.queue;
    q.writeBuffer(this.rowsBuffer, start * 16, rows.gpuRows as Float32Array<ArrayBuffer>);
    this.bytes += rows.gpuRows.byteLength;
    this.writeCells(t);
    for (const [name, slot] of this.columnSlots) {
      const values = columnOf(rows.data, name, n);
      q.writeBuffer(this.attrsBuffer, (slot * this.capacity + start) * 4, values as Float32Array<ArrayBuffer>);
      this.bytes += values.byteLength;
    }
    if (this.hasArrows && rows.gpuTips) {
      q.writeBuffer(this.tipsBuffer, start * TIP_FLOATS * 4, rows.gpuTips as Float32Array<ArrayBuffer>);
      this.bytes += rows.gpuTips.byteLength;
    }
    this.version++;
  }

  /** A tile's cell records (float32 centres) with its hidden flag in w. */
  private writeCells(t: TileSlot): void {
    if (t.cells === 0) return;
    const out = t.rows.index.gpuCells.slice();
    const bits = new Uint32Array(out.buffer);
    for (let c = 0; c < t.cells; c++) bits[4 * c + 3] = t.hidden ? 1 : 0;
    this.device.queue.writeBuffer(this.cellsBuffer, t.start * 16, out);
    this.bytes += out.byteLength;
  }

  /** The wanted tiles in the buffers are drawn; the others are hidden (one cell-block write per tile that changes). */
  private updateDrawn(): void {
    const drawn: TileSlot[] = [];
    for (const e of this.loader.wantedEntries) {
      const t = this.tiles.get(key(e.order, e.ipix));
      if (t) drawn.push(t);
    }
    if (drawn.length === this.drawn.length && drawn.every((t, i) => t === this.drawn[i])) return;
    const show = new Set(drawn);
    for (const t of this.tiles.values()) {
      const hidden = !show.has(t);
      if (hidden !== t.hidden) {
        t.hidden = hidden;
        this.writeCells(t);
      }
    }
    this.drawn = drawn;
    this.drawnVersion++;
    this.labelSource = undefined;
    this.version++;
  }

  /** New buffers of `capacity` rows with every live block copied in, packed from row 0 (GPU to GPU). */
  private repack(capacity: number): void {
    const live = [...this.tiles.values()].filter((t) => t.rows.rows > 0).map((t) => ({ key: t.key, start: t.start, rows: t.rows.rows }));
    const { moves, slots } = repackPlan(live, capacity);
    const old = { rows: this.rowsBuffer, cells: this.cellsBuffer, attrs: this.attrsBuffer, tips: this.tipsBuffer, capacity: this.capacity };
    const oldOthers = [this.screenBuffer, this.visibleBuffer, this.scanBuffer];
    this.allocate(capacity);
    const enc = this.device.createCommandEncoder({ label: 'progressive catalog repack' });
    let copied = 0;
    for (const m of moves) {
      const t = this.tiles.get(m.key)!;
      enc.copyBufferToBuffer(old.rows, m.from * 16, this.rowsBuffer, m.to * 16, m.rows * 16);
      if (t.cells > 0) enc.copyBufferToBuffer(old.cells, m.from * 16, this.cellsBuffer, m.to * 16, t.cells * 16);
      for (const slot of this.columnSlots.values()) enc.copyBufferToBuffer(old.attrs, (slot * old.capacity + m.from) * 4, this.attrsBuffer, (slot * capacity + m.to) * 4, m.rows * 4);
      if (this.hasArrows) enc.copyBufferToBuffer(old.tips, m.from * TIP_FLOATS * 4, this.tipsBuffer, m.to * TIP_FLOATS * 4, m.rows * TIP_FLOATS * 4);
      copied += m.rows * (16 + 4 * this.columnSlots.size + (this.hasArrows ? TIP_FLOATS * 4 : 0)) + t.cells * 16;
      t.start = m.to;
    }
    this.device.queue.submit([enc.finish()]);
    const used = slots.used;
    if (used < capacity) this.device.queue.writeBuffer(this.rowsBuffer, used * 16, emptyRows(capacity - used));
    for (const b of [old.rows, old.cells, old.attrs, old.tips, ...oldOthers]) b.destroy();
    this.slots = slots;
    this.updateLiveEnd();
    this.bytesCopied += copied;
    this.repacks++;
    this.version++;
  }

  /** Shared buffers for `capacity` rows (rows start empty; callers copy live blocks in). */
  private allocate(capacity: number): void {
    const d = this.device;
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    this.capacity = capacity;
    if (this.slots.capacity === 0) {
      this.slots = new RowSlots(capacity);
    }
    this.rowsBuffer = d.createBuffer({ label: 'progressive catalog rows', size: capacity * 16, usage: storage });
    if (this.tiles.size === 0) d.queue.writeBuffer(this.rowsBuffer, 0, emptyRows(capacity));
    this.cellsBuffer = d.createBuffer({ label: 'progressive catalog cells', size: 2 * capacity * 16, usage: storage });
    this.attrsBuffer = d.createBuffer({ label: 'progressive catalog attributes', size: Math.max(16, this.attrSlotCapacity * capacity * 4), usage: storage });
    this.tipsBuffer = d.createBuffer({ label: 'progressive catalog arrow tips', size: this.hasArrows ? capacity * TIP_FLOATS * 4 : 16, usage: storage });
    this.screenBuffer = d.createBuffer({ label: 'progressive catalog screen', size: capacity * 16, usage: GPUBufferUsage.STORAGE });
    this.visibleBuffer = d.createBuffer({ label: 'progressive catalog visible rows', size: capacity * 4, usage: GPUBufferUsage.STORAGE });
    this.scanBuffer = d.createBuffer({ label: 'progressive catalog compaction', size: (4 + 2 * (capacity / COMPACT_CHUNK)) * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.INDIRECT });
    this.bgMain = this.bgHighlight = this.bgPick = this.bgProject = this.bgMarkers = undefined;
  }

  /** Why buffers of `capacity` rows cannot be bound on this device, or undefined when they can. */
  private capacityError(capacity: number): string | undefined {
    // the biggest per-slot buffers: cells (2 x 16 B per slot), attributes (4 B per slot and column), tips (24 B)
    const bytesPerSlot = Math.max(32, 4 * this.attrSlotCapacity, this.hasArrows ? TIP_FLOATS * 4 : 0);
    const why = capacityLimitError(capacity, bytesPerSlot, this.device.limits, `the loaded tiles of ${this.id}`);
    return why && `${why}: lower maxTiles (the tiles kept, now ${this.tiles.size}) or use a catalogue with smaller tiles`;
  }

  private gpuBytes(): number {
    return [this.rowsBuffer, this.cellsBuffer, this.attrsBuffer, this.tipsBuffer, this.screenBuffer, this.visibleBuffer, this.scanBuffer].reduce((s, b) => s + b.size, 0);
  }

  /** Attribute slot of a numeric column, written for every tile in the buffers the first time it is used; its range is not known (progressive styles give ranges). */
  private ensureColumn(name: string): undefined {
    if (this.columnSlots.has(name)) return undefined;
    if (this.metadata && !this.metadata.fields.some((f) => f.name === name)) {
      throw new CatalogError(`no column '${name}' in this HiPS catalogue (columns: ${this.metadata.fields.map((f) => f.name).join(', ')})`);
    }
    const slot = this.columnSlots.size;
    if (!this.rowsBuffer) {
      // during construction: the buffers are made for the columns known so far
      this.columnSlots.set(name, slot);
      this.attrSlotCapacity = Math.max(this.attrSlotCapacity, slot + 1);
      return undefined;
    }
    if (slot >= this.attrSlotCapacity) {
      const cap = this.attrSlotCapacity * 2;
      const bigger = this.device.createBuffer({ label: 'progressive catalog attributes', size: cap * this.capacity * 4, usage: this.attrsBuffer.usage });
      const enc = this.device.createCommandEncoder({ label: 'progressive catalog attributes grow' });
      enc.copyBufferToBuffer(this.attrsBuffer, 0, bigger, 0, this.attrSlotCapacity * this.capacity * 4);
      this.device.queue.submit([enc.finish()]);
      this.attrsBuffer.destroy();
      this.attrsBuffer = bigger;
      this.attrSlotCapacity = cap;
      this.bgMain = undefined;
    }
    this.columnSlots.set(name, slot);
    for (const t of this.tiles.values()) {
      if (t.rows.rows === 0) continue;
      const values = columnOf(t.rows.data, name, t.rows.rows);
      this.device.queue.writeBuffer(this.attrsBuffer, (slot * this.capacity + t.start) * 4, values as Float32Array<ArrayBuffer>);
      this.bytes += values.byteLength;
    }
    this.version++;
    return undefined;
  }

  /** The catalogue's columns by name (for style and filter checks): from metadata.xml, or the loaded tiles. */
  private columnCatalog(): CatalogData {
    const columns: Record<string, string[]> = {};
    const names = this.metadata?.fields.map((f) => f.name) ?? [...new Set([...(this.tiles?.values() ?? [])].flatMap((t) => Object.keys(t.rows.data.columns ?? {})))];
    for (const n of names) columns[n] = [''];
    return { raDeg: [0], decDeg: [0], columns };
  }

  private publicStyle(): CatalogStyle {
    const s = this.style;
    return { sizeColumn: s.sizeColumn ?? null, colorColumn: s.colorColumn ?? null, ...(s.sizeColumn ? { sizeRange: s.sizeRange } : {}), ...(s.colorColumn ? { colorRange: s.colorRange } : {}) };
  }

  private applyLuts(): void {
    this.device.queue.writeBuffer(this.lutBuffer, 0, colormapWords(this.style.colormap, this.style.reverseColormap) as Uint32Array<ArrayBuffer>);
    this.device.queue.writeBuffer(this.lutBuffer, 1024, colormapWords(this.style.densityColormap) as Uint32Array<ArrayBuffer>);
  }

  // ---- density view ----

  get mode(): CatalogDrawMode {
    return this.drawMode;
  }

  /** Read back the density grid of the last density pass (half the view's resolution, DENSITY_SCALE units per row). */
  readDensity(): Promise<DensityGrid> {
    return this.density.read();
  }

  /**
   * Rows in view (resident rows in the view's cone passing the filters, plus counted rows not
   * loaded in cells that reach the cone) -> markers or density, with CatalogLayer's rule: above
   * densityThreshold, back to markers below 80 % of it.
   */
  private updateMode(camera: Camera): void {
    const threshold = this.style.densityThreshold;
    this.updateRemainders(camera);
    const centre = camera.centre;
    const radius = camera.radiusRad;
    // the estimate changes with the view, the drawn tiles, the filters, the counts and the threshold only
    const mk = `${this.viewKey}|${this.remaindersKey}|${threshold}`;
    if (mk === this.modeKey) return;
    this.modeKey = mk;
    let estimate = 0;
    for (const t of this.drawn) {
      const { cap, kept, keep } = this.tileCount(t.rows);
      estimate += rowsOfCapInCone(cap, kept, centre, radius, keep);
    }
    this.estimatedResident = estimate;
    for (const c of this.remainders) if (cellNearCone(c.order, c.ipix, centre, radius)) estimate += c.rows;
    this.estimated = estimate;
    const next: CatalogDrawMode = !Number.isFinite(threshold) ? 'markers'
      : this.drawMode === 'density' ? (estimate >= threshold * 0.8 ? 'density' : 'markers') : estimate > threshold ? 'density' : 'markers';
    if (next !== this.drawMode) {
      this.drawMode = next;
      this.densityKey = '';
      this.projectKey = '';
      this.version++;
    }
  }

  /**
   * Weighted samples for the counted rows not loaded, near the view, about a grid pixel apart: made
   * again when the remainders or the sample order change, but while tiles stream in at most every
   * SAMPLES_REFRESH_MS (each arrival changes the remainders) and not while a set is being built.
   * A set is built SAMPLES_PER_FRAME points per frame (DensitySampleJob: 200,000 points in one go
   * took ~100 ms, a main-thread long task); the previous set is shown until it is done.
   */
  private updateSamples(camera: Camera): void {
    if (this.drawMode !== 'density') {
      if (this.sampleJob) {
        // dropped unfinished: made again when the density view returns
        this.sampleJob = undefined;
        this.samplesKey = '';
      }
      return;
    }
    const sampleOrder = sampleOrderFor(camera.pixelAngleRad);
    const sk = `${this.remaindersKey}|${sampleOrder}`;
    if (sk !== this.samplesKey) {
      const now = performance.now();
      const streaming = sampleOrder === this.samplesOrder && this.samplesKey !== '' && !this.loader.settled;
      if (streaming && (now - this.samplesAt < SAMPLES_REFRESH_MS || this.sampleJob)) {
        this.requestFrame();
      } else {
        this.samplesKey = sk;
        this.samplesOrder = sampleOrder;
        this.samplesAt = now;
        const reach = Math.min(Math.PI, camera.radiusRad * 1.5);
        const near = this.remainders.filter((c) => cellNearCone(c.order, c.ipix, camera.centre, reach));
        this.sampleJob = new DensitySampleJob(near, sampleOrder, MAX_DENSITY_SAMPLES);
      }
    }
    const job = this.sampleJob;
    if (!job) return;
    this.sampleSteps++;
    if (job.step(SAMPLES_PER_FRAME)) {
      this.sampleJob = undefined;
      this.density.setSamples(job.samples);
      this.samplesShown++;
    } else {
      this.requestFrame();
    }
  }

  /** A tile's rows as vectors with their cap (once), and its rows passing the filters (once per filter change). */
  private tileCount(rows: TileRows): { cap: RowCap; kept: number; keep: ((row: number) => boolean) | undefined } {
    let c = this.tileCaps.get(rows);
    if (!c) {
      const cap = rowCap(rows.drawnRaDeg, rows.drawnDecDeg);
      let valid = 0;
      for (let i = 0; i < rows.rows; i++) if (Number.isFinite(cap.xyz[3 * i] + cap.xyz[3 * i + 1] + cap.xyz[3 * i + 2])) valid++;
      c = { cap, valid, filterVersion: -1, kept: 0, keep: undefined };
      this.tileCaps.set(rows, c);
    }
    if (c.filterVersion !== this.filterVersion) {
      c.filterVersion = this.filterVersion;
      if (this.filterList.length === 0) {
        c.keep = undefined;
        c.kept = c.valid;
      } else {
        const cols = this.filterList.map((f) => columnOf(rows.data, f.column, rows.rows));
        const bounds = this.filterList.map(filterBounds);
        const xyz = c.cap.xyz;
        const keep = (r: number) => rowPasses(cols, bounds, r);
        c.keep = keep;
        let kept = 0;
        for (let i = 0; i < rows.rows; i++) if (Number.isFinite(xyz[3 * i] + xyz[3 * i + 1] + xyz[3 * i + 2]) && keep(i)) kept++;
        c.kept = kept;
      }
    }
    return c;
  }

  /** The counted rows not loaded, per cell (recomputed when the drawn tiles, the filters or the counts change). */
  private updateRemainders(camera: Camera): void {
    const wantCounts = this.countsUrl !== undefined ? Math.min(MAX_COUNTS_ORDER, this.planOrder + 4) : -1;
    if (wantCounts >= 0) this.requestCounts(wantCounts);
    const counts = wantCounts >= 0 ? this.bestCounts(wantCounts) : undefined;
    const key = `${this.drawnVersion}|${this.filterVersion}|${counts?.order ?? -1}|${this.countsVersion}|${this.planOrder}`;
    if (key === this.remaindersKey) return;
    this.remaindersKey = key;
    this.countsInUse = undefined;
    this.remainders = [];
    this.densitySource = 'rows';
    // counts say nothing of column values: with filters the map shows the resident rows that pass them
    if (this.filterList.length > 0) return;
    if (counts) {
      const resident = rowsPerCell(counts.order, this.drawn.map((t) => ({ raDeg: t.rows.drawnRaDeg, decDeg: t.rows.drawnDecDeg })));
      // only the cells near the view: a whole catalogue's counts can list 500,000 cells
      const reach = Math.min(Math.PI, camera.radiusRad * 1.5);
      this.remainders = countRemainders(counts, resident).filter((c) => cellNearCone(c.order, c.ipix, camera.centre, reach));
      this.countsInUse = counts;
      this.densitySource = 'counts';
      return;
    }
    const cells = tileRemainders(
      this.drawn.map((t) => ({ order: t.rows.tile.order, ipix: t.rows.tile.ipix, rows: t.rows.rows, inCell: t.rows.tile.completeness?.inCell })),
      (order, ipix) => this.loader.get(order, ipix)?.state === 'empty',
    );
    if (cells && cells.length > 0) {
      this.remainders = cells;
      this.densitySource = 'tiles';
    }
  }

  /** The counts answer of the deepest order <= `order` that arrived (the one asked for is on its way). */
  private bestCounts(order: number): CellCountsAnswer | undefined {
    for (let k = order; k >= 0; k--) {
      const c = this.counts.get(k);
      if (c && c !== 'pending' && c !== 'failed') return c;
    }
    for (const c of this.counts.values()) if (c !== 'pending' && c !== 'failed') return c;
    return undefined;
  }

  /** Ask the server for the counts at `order` (or the deepest order below it that did not fail). */
  private requestCounts(order: number): void {
    let k = order;
    while (k > 0 && this.counts.get(k) === 'failed') k--;
    if (this.counts.has(k)) return;
    const url = this.countsUrl!.replace('{order}', String(k));
    this.counts.set(k, 'pending');
    this.fetchFn(url, { signal: this.countsAbort.signal }).then(async (res) => {
      if (!res.ok) {
        // 413 (too many cells) and 400 (order too deep) step down an order; say why once
        const body = await res.text().catch(() => '');
        throw new CatalogError(`HTTP ${res.status}${body ? `: ${body.slice(0, 200)}` : ''}`);
      }
      const answer = validateCellCounts(await res.json(), url);
      if (answer.order !== k) throw new CatalogError(`asked for order ${k}, the answer is of order ${answer.order}`);
      if (this.destroyed) return;
      this.counts.set(k, answer);
      this.countsVersion++;
      this.requestFrame();
    }).catch((err: unknown) => {
      if (this.destroyed) return;
      this.counts.set(k, 'failed');
      const status = /^HTTP (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
      // reported once (each order below is tried in turn); the density then uses the tiles' own counts
      if (status !== '413' && status !== '400' && !this.countsErrorReported) {
        this.countsErrorReported = true;
        this.onError(`cell counts ${url}: ${err instanceof Error ? err.message : String(err)}`);
      }
      this.countsVersion++;
      this.requestFrame();
    });
  }

  // ---- per view ----

  /** Float64 view-frame centres of the drawn tiles' cells near the view, at small fields. */
  private updatePrecise(camera: Camera): void {
    this.precise = false;
    if (camera.pixelAngleRad >= PRECISE_BELOW_PIXEL_RAD) return;
    const cosLimit = Math.cos(Math.min(Math.PI, camera.radiusRad + (ANCHOR_RADIUS_DEG * Math.PI) / 180));
    const { right: r, up: u, centre: c } = camera;
    this.stamp = (this.stamp + 1) >>> 0 || 1;
    let cells = 0;
    for (const t of this.drawn) {
      const centres = t.rows.index.cellCentres;
      let near = false;
      for (let k = 0; k < t.cells && !near; k++) near = centres[3 * k] * c[0] + centres[3 * k + 1] * c[1] + centres[3 * k + 2] * c[2] >= cosLimit;
      if (!near) continue;
      cells += t.cells;
      if (cells > MAX_PRECISE_CELLS) return;
      const out = new Float32Array(4 * t.cells);
      const bits = new Uint32Array(out.buffer);
      for (let k = 0; k < t.cells; k++) {
        const x = centres[3 * k];
        const y = centres[3 * k + 1];
        const z = centres[3 * k + 2];
        out[4 * k] = x * r[0] + y * r[1] + z * r[2];
        out[4 * k + 1] = x * u[0] + y * u[1] + z * u[2];
        out[4 * k + 2] = x * c[0] + y * c[1] + z * c[2];
        bits[4 * k + 3] = this.stamp;
      }
      this.device.queue.writeBuffer(this.cellsBuffer, (this.capacity + t.start) * 16, out);
    }
    this.precise = true;
  }

  private ensureBindGroups(): void {
    const g = this.gpu;
    const b = this.bindings();
    if (!this.bgMain) {
      const groups = catalogMainBindGroups(this.device, g, b, 'progressive catalog');
      this.bgMain = groups.main;
      this.bgHighlight = groups.highlight;
      this.bgPick = groups.pick;
    }
    if (!this.bgProject) this.bgProject = catalogProjectBindGroup(this.device, g, b, 'progressive catalog');
    if (!this.bgMarkers) this.bgMarkers = catalogMarkersBindGroup(this.device, g, b, 'progressive catalog');
  }

  private writeUniforms(camera: Camera, transition: ProjectionTransition | undefined): void {
    const buf = this.uniformBytes;
    const a = PROJECTION_ID[(transition ? transition.camera : camera).view.projection];
    this.projectionIds = [a, transition ? PROJECTION_ID[camera.view.projection] : a];
    packCatalogUniforms(buf, {
      camera, transition, style: this.style, pixelRatio: this.pixelRatio, stamp: this.stamp, rowCount: this.capacity,
      cellCount: this.capacity, chunkCount: this.liveChunks, precise: this.precise, slotOf: (name) => this.columnSlots.get(name)!,
      filters: this.filterList, gridSize: [0, 0], selected: this.selectedSlot() ?? 0, pickRowBase: 0, hasArrows: this.hasArrows,
      imageSidePx: this.imageTexture.width, cellsRelative: true,
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

  /** One compute pass over the shared buffers: every row placed, (compact) the visible ones listed for the one indirect draw. */
  private runProject(compact: boolean): void {
    if (!this.bgMain || !this.bgProject) return;
    const g = this.gpu;
    // rows past the last live block are free (never drawn): the passes stop at its chunk
    const chunkCount = this.liveChunks;
    const enc = this.device.createCommandEncoder({ label: 'progressive catalog project' });
    const pass = enc.beginComputePass({ label: 'progressive catalog project' });
    pass.setBindGroup(0, this.bgMain);
    pass.setBindGroup(1, this.bgProject);
    // specialised to the view's projection(s), as CatalogLayer and the fused compute path
    pass.setPipeline(specialisedPipelines(this.device, ...this.projectionIds).project);
    pass.dispatchWorkgroups(...dispatchSize(Math.min(this.capacity, chunkCount * COMPACT_CHUNK)));
    if (compact) {
      const chunks = dispatchSize(chunkCount);
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

  /** The fused project + raster pass over the live row slots (compute path without arrows). */
  private runProjectRaster(): void {
    if (!this.bgMain) return;
    const enc = this.device.createCommandEncoder({ label: 'progressive catalog project + raster' });
    this.raster.encodeProjectRaster(enc, this.bgMain, SHAPE_ID[this.style.shape], this.style.filled, this.projectionIds);
    this.device.queue.submit([enc.finish()]);
    this.projectPasses++;
  }

  /** Labels of the N brightest rows in view across the drawn tiles (the merged source is made again when the drawn tiles change). */
  private updateLabels(camera: Camera, viewKey: string): void {
    const o = this.style.labels;
    if (this.labelSource && this.labelSource.pixelRatio !== this.pixelRatio) this.labelSource = undefined;
    if (o && !this.labelSource) {
      const s = this.style;
      this.labelSource = mergeLabelSource(this.drawn.map((t) => t.rows), [o.column, ...(o.brightnessColumn ? [o.brightnessColumn] : [])], this.filterList,
        { sizePx: s.sizePx, sizeColumn: s.sizeColumn, sizeRange: s.sizeRange, sizePxRange: s.sizePxRange }, this.pixelRatio);
      this.labels.invalidate();
    }
    const src = this.labelSource;
    this.labels.update(camera, o && src ? o : undefined, src ?? emptyLabelSource(), `${viewKey}|${this.drawnVersion}|${this.pixelRatio}`);
  }
}

let emptySource: MergedLabelSource | undefined;
/** The label source of no rows (labels off). */
const emptyLabelSource = (): MergedLabelSource => (emptySource ??= mergeLabelSource([], [], [], { sizePx: 8, sizeColumn: undefined, sizeRange: [0, 1], sizePxRange: [4, 16] }, 1));

/** Row records that never draw (REL_NO_CELL). */
function emptyRows(n: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(4 * n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) bits[4 * i + 3] = REL_NO_CELL;
  return out;
}

/** A tile's float32 values of a column (NaN where the tile lacks it). */
function columnOf(data: CatalogData, name: string, rows: number): Float32Array {
  if (!data.columns?.[name]) return new Float32Array(rows).fill(NaN);
  try {
    return numericColumn(data, name);
  } catch {
    return new Float32Array(rows).fill(NaN);
  }
}

/** Column-driven size and colour need fixed ranges: every tile must map values the same way. */
function checkStyleRanges(style: CatalogStyle): void {
  if (style.sizeColumn && !style.sizeRange) throw new CatalogError(`a progressive catalogue with sizeColumn '${style.sizeColumn}' needs sizeRange (tiles arrive one by one, so no tile's min..max can stand for all)`);
  if (style.colorColumn && !style.colorRange) throw new CatalogError(`a progressive catalogue with colorColumn '${style.colorColumn}' needs colorRange (tiles arrive one by one, so no tile's min..max can stand for all)`);
}

