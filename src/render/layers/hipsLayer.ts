// One HiPS image survey on the GPU: turns a camera into the cells to draw (tile selection), asks
// the tile manager for tiles, uploads decoded tiles under the frame's time budget, and draws every
// visible cell from its own tile or, until that arrives, from the best resident ancestor (a UV
// sub-rectangle of the ancestor's texture). Loads the survey's Moc.fits first (when its
// properties say it covers part of the sky) so that no tile outside the coverage is requested. Owns its texture array,
// buffers and pipeline.
import { ALPHA_BLEND, cachedPipeline } from '../pipelineCache.js';
import type { RenderLayer } from '../layer.js';
import { toViewFrame, type Camera } from '../../math/camera.js';
import { applyMat3, frameFromHips, frameRotation, isIdentity, type Mat3 } from '../../math/frames.js';
import { cellPointToVec, nest2xyf } from '../../hips/healpix.js';
import type { HipsProperties } from '../../hips/properties.js';
import { selectTiles, type TileId, type TileSelection } from '../../hips/tileSelection.js';
import { TileManager, tileKey, type TileErrorInfo, type TileFetcher } from '../../hips/tileManager.js';
import { allskyPath, extensionForFormat, joinUrl } from '../../hips/tilePath.js';
import { allskyLayout, sliceAllskyTile, type AllskyLayout } from '../../hips/allsky.js';
import { loadHipsMoc, type FetchLike } from '../../hips/hipsSource.js';
import { CellCoverage } from '../../hips/mocCoverage.js';
import { TileTextureArray } from '../tileTextureArray.js';
import { PROJECTION_ID } from '../../math/projections.js';
import { neighbours } from '../../hips/neighbours.js';
import { HIPS_GRID, hipsCopies, hipsVariant, hipsWgsl, type HipsShaderVariant } from '../shaders/hips.wgsl.js';
import { GrowableBuffer } from '../growableBuffer.js';
import { colormapTable, histogramEqualisation, quantile, STRETCH_ID, type StretchName } from '../colormaps.js';
import type { UploadBudget } from '../uploadBudget.js';
import { FADE_MS, FADE_SKIP_FRAME_MS, fadeWeight, shownOrderAt } from './crossFade.js';
import { cellSqueeze, MIP_SQUEEZE } from '../tileSqueeze.js';

export type Blending = 'normal' | 'additive';

/** How a FITS layer turns values into colours. */
export interface FitsDisplay {
  readonly colormap: string;
  readonly reverse?: boolean;
  readonly stretch: StretchName;
  /** 'auto' = 0.5 and 99.5 percentiles of the values in view; or [lo, hi] in data units. */
  readonly cuts: 'auto' | readonly [number, number];
}

export const DEFAULT_FITS_DISPLAY: FitsDisplay = { colormap: 'grayscale', stretch: 'linear', cuts: 'auto' };

export interface HipsLayerOptions {
  /** Which tiles to draw: colour images (JPEG/PNG/WebP), FITS values, or auto (colour when offered). */
  readonly tileKind?: 'auto' | 'colour' | 'fits';
  readonly display?: FitsDisplay;
  readonly id: string;
  readonly baseUrl: string;
  readonly properties: HipsProperties;
  readonly fetcher: TileFetcher;
  /** Fetch for Moc.fits (default: the global fetch). */
  readonly fetchFn?: FetchLike;
  readonly opacity?: number;
  /** How the layer combines with what is below it. */
  readonly blending?: Blending;
  /** GPU memory for tiles, bytes (default 128 MiB: 128 tiles of 512², 256 of 256² or smaller). */
  readonly gpuBudgetBytes?: number;
  /** CPU memory for decoded tiles kept after upload, bytes (default 64 MiB; the tile manager's LRU cache). */
  readonly cpuBudgetBytes?: number;
  /** Empty (404), failed or dropped tiles remembered so they are not asked for again (default 4096). */
  readonly rememberedOutcomes?: number;
  readonly maxConcurrent?: number;
  readonly onError?: (info: TileErrorInfo) => void;
  /** Something changed that needs a new frame (a tile arrived). */
  readonly onChange?: () => void;
  /**
   * A needed tile turned out empty or failed: nothing new to draw (its cell keeps its stand-in),
   * but the view may now be complete — check `settled` without drawing (default: onChange).
   */
  readonly onSettleCheck?: () => void;
}

/** The first colour format the survey offers, or undefined when it has none we decode. */
export function pickColourFormat(formats: readonly string[]): 'webp' | 'png' | 'jpeg' | undefined {
  for (const f of formats) {
    const n = f.toLowerCase();
    if (n === 'webp' || n === 'png' || n === 'jpeg' || n === 'jpg') return n === 'jpg' ? 'jpeg' : n;
  }
  return undefined;
}

const VERTS_PER_CELL = (HIPS_GRID + 1) * (HIPS_GRID + 1);
/** Bytes per cell entry in the cells storage buffer (struct Cell in hips.wgsl.ts). */
const CELL_BYTES = 32;
// Parent -> child cross-fade: the rule and its duration live in crossFade.ts.
export { FADE_MS } from './crossFade.js';
/**
 * Cells whose mesh vectors (81 float64 vectors, ~2 KB each) are cached: at least this many, and
 * twice the cells of the current view (least recently used go first), so that a pan reuses them
 * and memory follows the view, not the session.
 */
export const CELL_CACHE_MIN = 256;

export interface HipsLayerStats {
  cellsDrawn: number;
  cellsFromAncestor: number;
  tilesUploaded: number;
  tilesResident: number;
  dataOrder: number;
  drawOrder: number;
  /** Tiles seeded from the Allsky file (0 when it was not usable). */
  allskyTiles: number;
  /** Tiles of the next order asked for after the view settled. */
  prefetched: number;
  /**
   * The survey's coverage: 'full-sky' (moc_sky_fraction = 1) or 'undeclared' (no
   * moc_sky_fraction): Moc.fits not fetched; else 'pending', 'loaded' (tile selection honours it),
   * 'absent' (Moc.fits 404) or 'failed: <reason>' (drawn as full sky).
   */
  moc: string;
  /** Decoded tiles kept in CPU memory, bytes (under the CPU budget). */
  cpuCacheBytes: number;
  /** Cells of the last frame drawn as a cross-fade (their coarser tile under the new one). */
  cellsFading: number;
  /** Colour tiles whose mip chain has been rendered (only those drawn squeezed; tileSqueeze.ts). */
  mipChains: number;
}

export class HipsLayer implements RenderLayer {
  readonly id: string;
  readonly properties: HipsProperties;
  opacity: number;
  blending: Blending;
  readonly stats: HipsLayerStats = { cellsDrawn: 0, cellsFromAncestor: 0, tilesUploaded: 0, tilesResident: 0, dataOrder: 0, drawOrder: 0, allskyTiles: 0, prefetched: 0, moc: 'pending', cpuCacheBytes: 0, cellsFading: 0, mipChains: 0 };
  private readonly device: GPUDevice;
  private readonly manager: TileManager;
  private readonly tiles: TileTextureArray;
  private readonly toIcrs: Mat3 | undefined;
  private pipeline: GPURenderPipeline;
  private readonly format: GPUTextureFormat;
  private readonly sampler: GPUSampler;
  private readonly uniforms: GPUBuffer;
  private readonly cellBuffer: GrowableBuffer;
  private readonly positionBuffer: GrowableBuffer;
  private readonly cellVectors = new Map<number, Float64Array>();
  /** When each tile reached the GPU (for the cross-fade), ms. */
  private readonly arrivals = new Map<number, number>();
  private fading = false;
  /** Cell key -> order of the tile fully drawn there in the last frame (for the cross-fade rule). */
  private shown = new Map<number, number>();
  private readonly onError?: (info: TileErrorInfo) => void;
  private bindGroup: GPUBindGroup | undefined;
  private bindGroupKey = '';
  private cellCount = 0;
  private selection: TileSelection | undefined;
  private selectionCameraKey = '';
  private allskyOrder = -1;
  private allskyPending = false;
  private prefetchedFor = '';
  /** The survey's coverage once Moc.fits has been read. */
  private coverage: CellCoverage | undefined;
  private mocPending = false;
  /** The tiles last asked of the tile manager (the selection less what the Allsky or MOC rule out). */
  private wantedNow: readonly TileId[] = [];
  private readonly mocAbort = new AbortController();
  private readonly hipsOrderMin: number;
  private readonly hipsOrder: number;
  /** Colour tiles or FITS values. */
  readonly kind: 'colour' | 'fits';
  private display: FitsDisplay;
  private lut: GPUTexture | undefined;
  private lutView: GPUTextureView | undefined;
  private lutKey = '';
  /** FITS: a sample of each resident tile's finite values, for automatic cuts and histeq. */
  private readonly samples = new Map<number, Float32Array>();
  private cuts: [number, number] = [0, 1];
  private cutsKey = '';
  private destroyed = false;
  /** Recent GPU time per frame, ms (set by the renderer before prepare; crossFade.ts skips the fade above fadeSkipFrameMs). */
  gpuFrameMs = 0;
  /** GPU time per frame above which tiles appear without a cross-fade, ms. */
  fadeSkipFrameMs = FADE_SKIP_FRAME_MS;

  constructor(device: GPUDevice, format: GPUTextureFormat, opts: HipsLayerOptions) {
    this.device = device;
    this.id = opts.id;
    this.properties = opts.properties;
    this.opacity = opts.opacity ?? 1;
    this.blending = opts.blending ?? 'normal';
    this.format = format;
    this.onError = opts.onError;
    const p = opts.properties;
    const colourFormat = pickColourFormat(p.hipsTileFormats);
    // FITS tiles: listed in hips_tile_format, or implied by hips_pixel_bitpix (some surveys, e.g.
    // CDS's Gaia maps, list only jpeg yet serve FITS tiles beside them)
    const hasFits = p.hipsTileFormats.includes('fits') || (requestedTileKind(opts) === 'fits' && p.hipsPixelBitpix !== undefined);
    const want = requestedTileKind(opts);
    this.kind = want === 'fits' || (want === 'auto' && !colourFormat && hasFits) ? 'fits' : 'colour';
    if (this.kind === 'fits' && !hasFits) {
      throw new Error(`HiPS ${opts.baseUrl} has no FITS tiles (hips_tile_format = ${p.hipsTileFormats.join(' ') || 'none'})`);
    }
    if (this.kind === 'colour' && !colourFormat) {
      throw new Error(`HiPS ${opts.baseUrl} offers no colour tile format this viewer draws (hips_tile_format = ${p.hipsTileFormats.join(' ') || 'none'})`);
    }
    this.display = opts.display ?? DEFAULT_FITS_DISPLAY;
    if (p.hipsOrder === undefined) throw new Error(`HiPS ${opts.baseUrl} has no valid hips_order in its properties`);
    this.hipsOrder = p.hipsOrder;
    const frame = frameFromHips(p.hipsFrame);
    if (!frame) throw new Error(`HiPS ${opts.baseUrl} has hips_frame '${p.hipsFrame}', which is not a celestial frame this viewer places`);
    const rot = frameRotation(frame, 'icrs');
    this.toIcrs = isIdentity(rot) ? undefined : rot;
    this.hipsOrderMin = Math.min(p.hipsOrderMin, p.hipsOrder);
    this.manager = new TileManager({
      baseUrl: opts.baseUrl,
      format: this.kind === 'fits' ? 'fits' : colourFormat!,
      fetcher: opts.fetcher,
      maxConcurrent: opts.maxConcurrent,
      cpuBudgetBytes: opts.cpuBudgetBytes,
      rememberedOutcomes: opts.rememberedOutcomes,
      onSettle: opts.onChange,
      onResolvedEmpty: opts.onSettleCheck,
      onError: (info) => this.onError?.(info),
    });
    this.loadMoc(opts.baseUrl, opts.fetchFn, opts.onChange);
    if (p.hipsTileWidth <= 64) this.bootstrapAllsky(opts.baseUrl, this.kind === 'fits' ? 'fits' : colourFormat!, opts.fetcher, opts.onChange);
    this.tiles = new TileTextureArray(device, p.hipsTileWidth, opts.gpuBudgetBytes ?? 128 * 1024 * 1024, `hips ${opts.id}`,
      this.kind === 'fits' ? 'r32float' : 'rgba8unorm');
    if (this.kind === 'fits') {
      this.lut = device.createTexture({ label: 'colormap', size: { width: 256, height: 2 }, format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
      this.lutView = this.lut.createView();
    }
    this.pipeline = this.pipelineFor(this.blending);
    this.sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear', mipmapFilter: 'linear', addressModeU: 'clamp-to-edge', addressModeV: 'clamp-to-edge' });
    this.uniforms = device.createBuffer({ label: 'hips frame', size: 64, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.cellBuffer = new GrowableBuffer(device, 'hips cells', GPUBufferUsage.STORAGE, CELL_BYTES * 64);
    this.positionBuffer = new GrowableBuffer(device, 'hips positions', GPUBufferUsage.STORAGE, 16 * VERTS_PER_CELL * 64);
  }

  /** The render pipeline for a blending mode and shader variant (shared by every layer of this kind on the device). */
  private pipelineFor(blending: Blending, variant: HipsShaderVariant = 'plain'): GPURenderPipeline {
    return hipsPipeline(this.device, this.kind, blending, this.format, variant);
  }

  /** The tile manager's view of one tile (for tests and diagnostics). */
  tileState(order: number, ipix: number): string | undefined {
    return this.manager.stateOf(order, ipix);
  }

  /** Whether a decoded copy of the tile waits in CPU memory (e.g. prefetched; for tests and diagnostics). */
  tileCached(order: number, ipix: number): boolean {
    return this.manager.isCached(order, ipix);
  }

  private valuesPipeline: GPURenderPipeline | undefined;
  private valuesBindGroup: GPUBindGroup | undefined;
  private valuesKey = '';
  /** The shader variant of the last prepared frame (caps for MER/CAR). */
  private variant: HipsShaderVariant = 'plain';
  /** Copies of the mesh the last prepared frame draws (hipsCopies: 1 for zenithal projections). */
  private copies: 1 | 2 = 2;

  /**
   * Draw this FITS layer's data values (not colours) into a pass whose target is rg32float:
   * r = value, g = 1 where the layer covers the pixel. Call after prepare().
   */
  encodeValues(pass: GPURenderPassEncoder): void {
    if (this.kind !== 'fits') throw new Error('encodeValues is only for FITS layers');
    if (this.destroyed || this.cellCount === 0) return;
    const device = this.device;
    const variant = this.variant;
    this.valuesPipeline = cachedPipeline(device, `hips-fits-values-${variant}/rg32float`, () => {
      const module = device.createShaderModule({ label: `hips fits values ${variant}`, code: hipsWgsl('fits', variant) });
      return device.createRenderPipeline({
        label: 'hips fits values',
        layout: 'auto',
        vertex: { module, entryPoint: 'vs' },
        fragment: { module, entryPoint: 'fsValues', targets: [{ format: 'rg32float' }] },
        primitive: { topology: 'triangle-list', cullMode: 'none' },
      });
    });
    const key = `${this.cellBuffer.generation}/${this.positionBuffer.generation}/${this.tiles.generation}/${variant}`;
    if (!this.valuesBindGroup || key !== this.valuesKey) {
      this.valuesKey = key;
      this.valuesBindGroup = device.createBindGroup({
        layout: this.valuesPipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms } },
          { binding: 1, resource: { buffer: this.cellBuffer.buffer } },
          { binding: 2, resource: { buffer: this.positionBuffer.buffer } },
          { binding: 3, resource: this.tiles.view },
        ],
      });
    }
    pass.setPipeline(this.valuesPipeline);
    pass.setBindGroup(0, this.valuesBindGroup);
    pass.draw(this.copies * this.cellCount * HIPS_GRID * HIPS_GRID * 6);
  }


  /** What a settled view does between frames (it needs no frame to settle): ask for the next order's tiles. */
  idleWork(): void {
    if (this.destroyed || !this.selection) return;
    this.maybePrefetch(this.selection);
  }

  /** Decoded tiles wait for the next frame's upload budget, or a tile is still fading in. */
  get hasPendingUploads(): boolean {
    return this.manager.pendingUploads > 0 || this.fading;
  }

  /** True when every wanted tile has been drawn (or is known to be empty or broken). */
  get settled(): boolean {
    if (!this.selection || this.selectionCameraKey === '' || this.allskyPending || this.mocPending || !this.manager.idle || this.fading) return false;
    for (const t of this.selection.wanted) {
      if (this.stats.allskyTiles > 0 && t.order < this.allskyOrder) continue; // never needed
      const s = this.manager.stateOf(t.order, t.ipix);
      if (s === undefined) return false; // not asked for yet
      if (s === 'ready' && !this.tiles.has(tileKey(t.order, t.ipix))) return false;
    }
    return true;
  }

  /**
   * Select, request, upload and lay out this frame's cells. `from` blends in another camera (the
   * same view in the previous projection) with weight 1 - mix, for animated projection changes.
   */
  prepare(camera: Camera, budget: UploadBudget, from?: { camera: Camera; mix: number }): void {
    if (this.destroyed) return;
    const p = this.properties;
    const v = camera.view;
    const camKey = `${v.raDeg},${v.decDeg},${v.fovDeg},${v.rollDeg},${v.projection},${v.widthPx},${v.heightPx}`;
    if (camKey !== this.selectionCameraKey) {
      // with the Allsky's tiles seeded, a view that would ask for coarser orders (a small or
      // thumbnail-sized element) draws the resident order-K tiles instead of fetching coarser ones
      const orderMin = this.stats.allskyTiles > 0 ? Math.max(this.hipsOrderMin, this.allskyOrder) : this.hipsOrderMin;
      this.selection = selectTiles({
        camera, tileWidthPx: p.hipsTileWidth, hipsOrder: this.hipsOrder, hipsOrderMin: orderMin,
        toIcrs: this.toIcrs, maxAncestors: Math.floor(this.tiles.capacity / 4), moc: this.coverage,
      });
      this.selectionCameraKey = camKey;
      // while the Allsky is on its way, its order and below are not requested tile by tile
      // with the Allsky tiles seeded, the orders below it are never needed as stand-ins
      // and until Moc.fits has answered nothing is requested (it may rule most tiles out)
      const wanted = this.mocPending ? [] : this.allskyPending
        ? this.selection.wanted.filter((t) => t.order > this.allskyOrder)
        : this.stats.allskyTiles > 0 ? this.selection.wanted.filter((t) => t.order >= this.allskyOrder) : this.selection.wanted;
      this.wantedNow = wanted;
      this.manager.want(wanted);
    }
    const sel = this.selection!;
    this.stats.dataOrder = sel.dataOrder;
    this.stats.drawOrder = sel.drawOrder;
    this.maybePrefetch(sel);
    const pinned = new Set<number>(sel.wanted.map((t) => tileKey(t.order, t.ipix)));
    this.uploadDecoded(budget, pinned);
    this.updateFitsDisplay(sel);
    this.layoutCells(camera, sel, from);
  }

  private uploadDecoded(budget: UploadBudget, pinned: ReadonlySet<number>): void {
    const width = this.properties.hipsTileWidth;
    while (this.manager.pendingUploads > 0 && budget.allows()) {
      const [item] = this.manager.takeDecoded(1);
      const { order, ipix, tile } = item;
      if (tile.width !== width || tile.height !== width) {
        this.onError?.({ order, ipix, url: this.manager.urlOf(order, ipix), reason: `tile is ${tile.width}x${tile.height} pixels but hips_tile_width is ${width}` });
        this.manager.reject(order, ipix); // failed: the view settles without it and does not ask again
        continue;
      }
      const data = this.kind === 'fits' ? tile.values : tile.rgba;
      if (!data) {
        this.onError?.({ order, ipix, url: this.manager.urlOf(order, ipix), reason: `tile is not a ${this.kind === 'fits' ? 'FITS' : 'colour'} tile` });
        this.manager.reject(order, ipix);
        continue;
      }
      if (tile.values) this.samples.set(tileKey(order, ipix), sampleFinite(tile.values, 1024));
      const t0 = budget.now();
      const ok = this.tiles.upload(tileKey(order, ipix), tile.width, tile.height, data, pinned, {
        onEvict: (key) => this.evictKey(key),
      });
      budget.spend(budget.now() - t0);
      if (ok) {
        this.stats.tilesUploaded++;
        // oldest first: re-inserted, so that layoutCells can forget them from the front
        this.arrivals.delete(tileKey(order, ipix));
        this.arrivals.set(tileKey(order, ipix), performance.now());
      }
      else {
        this.manager.drop(order, ipix); // every slot holds a tile this view needs
        this.samples.delete(tileKey(order, ipix));
      }
    }
    this.stats.tilesResident = this.tiles.used;
    this.stats.cpuCacheBytes = this.manager.cpuCache.bytes;
  }

  /**
   * Once everything the view needs has arrived, fetch the next zoom level's tiles of the view
   * (Aladin Lite users ask for this, its issue #386) so that zooming in shows them at once. Only
   * while they fit in a quarter of the GPU tile budget.
   */
  private maybePrefetch(sel: TileSelection): void {
    if (this.mocPending || this.allskyPending) return; // not before the survey's coverage is known
    if (this.prefetchedFor === this.selectionCameraKey || !this.manager.idle || sel.dataOrder >= this.hipsOrder) return;
    this.prefetchedFor = this.selectionCameraKey;
    const children = [];
    for (const t of sel.wanted) {
      if (t.order !== sel.dataOrder) continue;
      for (let k = 0; k < 4; k++) {
        const child = { order: t.order + 1, ipix: t.ipix * 4 + k };
        if (!this.coverage || this.coverage.intersects(child.order, child.ipix)) children.push(child);
      }
    }
    if (children.length === 0 || children.length > this.tiles.capacity / 4) return;
    this.stats.prefetched = children.length;
    this.manager.want(this.wantedNow, children);
  }

  /**
   * Reads the survey's Moc.fits when its properties say it covers only part of the sky
   * (moc_sky_fraction < 1, which HipsGen always writes); tiles are not requested until the
   * answer. Surveys that declare no fraction are drawn as the whole sky without asking (a 404
   * would put an error line in the browser console of every page). A missing MOC (404) means the
   * whole sky; a broken one is reported in stats.moc and ignored.
   */
  private loadMoc(baseUrl: string, fetchFn: FetchLike | undefined, onChange?: () => void): void {
    const fraction = this.properties.mocSkyFraction;
    if (fraction === undefined || fraction >= 1) {
      this.stats.moc = fraction === undefined ? 'undeclared' : 'full-sky';
      return;
    }
    const f = fetchFn ?? (typeof fetch === 'function' ? (u: string, i?: { signal?: AbortSignal }) => fetch(u, i) : undefined);
    if (!f) {
      this.stats.moc = 'failed: no fetch in this environment';
      return;
    }
    this.mocPending = true;
    loadHipsMoc(baseUrl, f, this.mocAbort.signal).then((r) => {
      if (this.destroyed) return;
      if (r.status === 'loaded') this.coverage = CellCoverage.fromMoc(r.moc);
      this.stats.moc = r.status === 'failed' ? `failed: ${r.reason}` : r.status;
      this.mocPending = false;
      this.selectionCameraKey = ''; // select again, now inside the coverage
      onChange?.();
    }, (err: unknown) => {
      if (this.destroyed) return; // aborted by destroy()
      this.stats.moc = `failed: ${err instanceof Error ? err.message : String(err)}`;
      this.mocPending = false;
      this.selectionCameraKey = '';
      onChange?.();
    });
  }

  /**
   * Allsky bootstrap: one request for NorderK/Allsky (K = min(3, hips_order)) instead of every
   * tile of order K. When the Allsky holds the tiles at full resolution (its tile width equals
   * hips_tile_width, as CDS writes small-tile maps), they are sliced and seeded into the tile
   * manager, so order K never goes to the network. Until the answer, order <= K is not requested.
   */
  private bootstrapAllsky(baseUrl: string, format: string, fetcher: TileFetcher, onChange?: () => void): void {
    const k = Math.min(3, this.hipsOrder);
    if (k < this.hipsOrderMin) return;
    this.allskyOrder = k;
    this.allskyPending = true;
    const url = joinUrl(baseUrl, allskyPath(k, extensionForFormat(format)));
    const done = (): void => {
      this.allskyPending = false;
      this.selectionCameraKey = ''; // ask again, now with order-K tiles seeded or to fetch
      onChange?.();
    };
    fetcher.fetchTile(url, new AbortController().signal).then((img) => {
      if (this.destroyed) return;
      // decoded tiles have rows top to bottom (FITS ones flipped by the decoder), so both take the
      // JPEG layout here (allsky.ts)
      const data = this.kind === 'fits' ? img?.values : img?.rgba;
      let layout: AllskyLayout | undefined;
      try {
        layout = img && data ? allskyLayout(k, img.width, img.height) : undefined;
      } catch {
        layout = undefined; // not an Allsky of this order: tiles are fetched one by one
      }
      if (layout && data && layout.tileWidthPx === this.properties.hipsTileWidth) {
        const channels = this.kind === 'fits' ? 1 : 4;
        for (let ipix = 0; ipix < layout.tiles; ipix++) {
          const slice = sliceAllskyTile(data, layout, ipix, channels, 'top-down');
          const w = layout.tileWidthPx;
          this.manager.seed(k, ipix, slice instanceof Float32Array ? { width: w, height: w, values: slice } : { width: w, height: w, rgba: slice as Uint8Array });
        }
        this.stats.allskyTiles = layout.tiles;
      }
      done();
    }, () => done());
  }

  /** Change how FITS values become colours (no reload). */
  setDisplay(display: FitsDisplay): void {
    this.display = display;
    this.cutsKey = '';
  }

  /** The cuts in use, data units (for FITS layers). */
  get currentCuts(): [number, number] {
    return this.cuts;
  }

  private updateFitsDisplay(sel: TileSelection): void {
    if (this.kind !== 'fits' || !this.lut) return;
    const d = this.display;
    // cuts: manual, or percentiles of the samples of the tiles this view uses
    const inView: Float32Array[] = [];
    let signature = 0;
    for (const t of sel.wanted) {
      const k = tileKey(t.order, t.ipix);
      const smp = this.samples.get(k);
      if (smp && t.order === sel.dataOrder) {
        inView.push(smp);
        signature = (signature * 31 + k) % 2147483647;
      }
    }
    if (inView.length === 0) for (const t of sel.wanted) { const smp = this.samples.get(tileKey(t.order, t.ipix)); if (smp) inView.push(smp); }
    // recomputed when the set of tiles in view changes, not on every pan step
    const key = `${d.colormap}/${d.reverse}/${d.stretch}/${d.cuts}/${inView.length}/${sel.dataOrder}/${signature}`;
    if (key === this.cutsKey) return;
    this.cutsKey = key;
    let all = new Float64Array(0);
    if (inView.length > 0) {
      all = new Float64Array(inView.reduce((n, a) => n + a.length, 0));
      let o = 0;
      for (const a of inView) { all.set(a, o); o += a.length; }
      all.sort();
    }
    if (d.cuts === 'auto') {
      const lo = quantile(all, 0.005);
      const hi = quantile(all, 0.995);
      const fallback = this.properties.hipsPixelCut ?? [0, 1];
      this.cuts = Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? [lo, hi] : [fallback[0], fallback[1]];
    } else {
      this.cuts = [d.cuts[0], d.cuts[1]];
    }
    const lutKey = `${d.colormap}/${d.reverse}/${d.stretch === 'histeq' ? this.cuts.join(',') + '/' + all.length : ''}`;
    if (lutKey !== this.lutKey) {
      this.lutKey = lutKey;
      const table = new Uint8Array(256 * 4 * 2);
      table.set(colormapTable(d.colormap, d.reverse ?? false), 0);
      const eq = histogramEqualisation(all, this.cuts[0], this.cuts[1]);
      for (let i = 0; i < 256; i++) table.set([eq[i], eq[i], eq[i], 255], 1024 + i * 4);
      this.device.queue.writeTexture({ texture: this.lut }, table, { bytesPerRow: 1024 }, { width: 256, height: 2 });
    }
  }

  private evictKey(key: number): void {
    this.samples.delete(key);
    const order = Math.floor(Math.log2(key / 4) / 2);
    this.manager.evict(order, key - 4 * 4 ** order);
  }

  /** Find the resident tile that textures a draw cell: its data tile, else the nearest ancestor. */
  // (with a seeded Allsky at order K the search stops at K: lower orders are never loaded)
  private sourceFor(cellOrder: number, ipix: number, dataOrder: number): { order: number; ipix: number; layer: number } | undefined {
    for (let order = dataOrder; order >= this.hipsOrderMin; order--) {
      const t = Math.floor(ipix / 4 ** (cellOrder - order));
      const layer = this.tiles.touch(tileKey(order, t));
      if (layer !== undefined) return { order, ipix: t, layer };
    }
    return undefined;
  }

  private vectorsOf(order: number, ipix: number): Float64Array {
    const key = tileKey(order, ipix);
    let vs = this.cellVectors.get(key);
    if (vs) {
      // most recently used last (Map keeps insertion order)
      this.cellVectors.delete(key);
      this.cellVectors.set(key, vs);
      return vs;
    }
    vs = new Float64Array(VERTS_PER_CELL * 3);
    const tmp = [0, 0, 0];
    const rotated = [0, 0, 0];
    for (let j = 0; j <= HIPS_GRID; j++) {
      for (let i = 0; i <= HIPS_GRID; i++) {
        cellPointToVec(order, ipix, i / HIPS_GRID, j / HIPS_GRID, tmp);
        const w = this.toIcrs ? applyMat3(this.toIcrs, tmp, rotated) : tmp;
        const o = (j * (HIPS_GRID + 1) + i) * 3;
        vs[o] = w[0];
        vs[o + 1] = w[1];
        vs[o + 2] = w[2];
      }
    }
    this.cellVectors.set(key, vs);
    return vs;
  }

  /** Forget the least recently used cell vectors beyond the cache's limit for a view of `cells` cells. */
  private trimCellVectors(cells: number): void {
    let excess = this.cellVectors.size - Math.max(CELL_CACHE_MIN, 2 * cells);
    for (const key of this.cellVectors.keys()) {
      if (excess-- <= 0) break;
      this.cellVectors.delete(key);
    }
  }

  /** Sizes of what this layer keeps between frames (tests check that they stay bounded). */
  get cacheSizes(): { selectedCells: number; cellVectors: number; arrivals: number; samples: number; tileStates: number; wantedTiles: number; pendingUploads: number;
    cpuTiles: number; cpuBytes: number; gpuTiles: number; gpuCapacity: number } {
    return {
      selectedCells: this.selection?.cells.length ?? 0, cellVectors: this.cellVectors.size, arrivals: this.arrivals.size, samples: this.samples.size,
      tileStates: this.manager.entryCount, wantedTiles: this.wantedNow.length, pendingUploads: this.manager.pendingUploads,
      cpuTiles: this.manager.cpuCache.tiles, cpuBytes: this.manager.cpuCache.bytes, gpuTiles: this.tiles.used, gpuCapacity: this.tiles.capacity,
    };
  }

  private layoutCells(camera: Camera, sel: TileSelection, from?: { camera: Camera; mix: number }): void {
    // up to two entries per cell: the ancestor under a tile that is still fading in, and the cell
    const maxEntries = 2 * Math.max(1, sel.cells.length);
    const cellData = new ArrayBuffer(CELL_BYTES * maxEntries);
    const cellF32 = new Float32Array(cellData);
    const cellU32 = new Uint32Array(cellData);
    const pos = new Float32Array(4 * VERTS_PER_CELL * maxEntries);
    const f = [0, 0, 0];
    let n = 0;
    let fromAncestor = 0;
    const now = performance.now();
    this.fading = false;
    // arrivals older than the cross-fade are of no more use
    for (const [key, t] of this.arrivals) {
      if (now - t < FADE_MS) break;
      this.arrivals.delete(key);
    }
    const drawn = new Set<number>();
    for (const c of sel.cells) drawn.add(tileKey(c.order, c.ipix));
    const shown = new Map<number, number>();
    let fading = 0;
    // colour tiles get their mip chain when first drawn squeezed (tileSqueeze.ts); during a
    // projection change the mesh is not where `camera` puts it, so every tile gets one
    const needMips = new Set<number>();
    const transitioning = from !== undefined && from.mix < 1;
    const tileWidth = this.properties.hipsTileWidth;
    const emit = (cellOrder: number, cellIpix: number, src: { order: number; ipix: number; layer: number }, alpha: number, vs: Float64Array): void => {
      const base = n * VERTS_PER_CELL * 4;
      for (let k = 0; k < VERTS_PER_CELL; k++) {
        f[0] = vs[k * 3];
        f[1] = vs[k * 3 + 1];
        f[2] = vs[k * 3 + 2];
        const q = toViewFrame(camera, f);
        pos[base + k * 4] = q[0];
        pos[base + k * 4 + 1] = q[1];
        pos[base + k * 4 + 2] = q[2];
      }
      closeTJunctions(cellOrder, cellIpix, drawn, pos, base);
      const d = cellOrder - src.order;
      const div = 2 ** d;
      const c = nest2xyf(cellOrder, cellIpix);
      const t = nest2xyf(src.order, src.ipix);
      const o = n * (CELL_BYTES / 4);
      cellF32[o] = (c.iy - t.iy * div) / div; // column fraction follows face-local y
      cellF32[o + 1] = (c.ix - t.ix * div) / div; // row fraction follows face-local x
      cellF32[o + 2] = 1 / div;
      cellU32[o + 3] = src.layer;
      cellF32[o + 4] = alpha;
      let mipped = this.tiles.hasMipmaps(src.layer) || needMips.has(src.layer);
      if (!mipped && (transitioning || cellSqueeze(camera, vs, HIPS_GRID, tileWidth / div) > MIP_SQUEEZE)) {
        needMips.add(src.layer);
        mipped = true;
      }
      cellF32[o + 5] = mipped ? 0.5 : 0;
      n++;
    };
    for (const cell of sel.cells) {
      const src = this.sourceFor(cell.order, cell.ipix, sel.dataOrder);
      if (!src) continue;
      const vs = this.vectorsOf(cell.order, cell.ipix);
      let alpha = 1;
      let fullOrder = src.order;
      const arrived = this.arrivals.get(tileKey(src.order, src.ipix));
      const weight = arrived === undefined ? 1 : fadeWeight(now, arrived, src.order, shownOrderAt(this.shown, cell.order, cell.ipix), FADE_MS,
        this.gpuFrameMs, this.fadeSkipFrameMs);
      if (weight < 1) {
        // cross-fade from the coarser tile drawn here last frame toward the tile that just arrived
        const under = src.order > this.hipsOrderMin ? this.sourceFor(cell.order, cell.ipix, src.order - 1) : undefined;
        if (under) {
          emit(cell.order, cell.ipix, under, 1, vs);
          alpha = weight;
          fullOrder = under.order;
          this.fading = true;
          fading++;
        }
      }
      shown.set(tileKey(cell.order, cell.ipix), fullOrder);
      emit(cell.order, cell.ipix, src, alpha, vs);
      if (src.order < sel.dataOrder) fromAncestor++;
    }
    this.shown = shown;
    this.stats.mipChains += this.tiles.ensureMipmaps(needMips);
    this.stats.cellsFading = fading;
    this.trimCellVectors(sel.cells.length);
    this.cellCount = n;
    this.stats.cellsDrawn = n;
    this.stats.cellsFromAncestor = fromAncestor;
    if (n === 0) return;
    const cellsChanged = this.cellBuffer.write(new Uint8Array(cellData, 0, n * CELL_BYTES));
    const posChanged = this.positionBuffer.write(new Uint8Array(pos.buffer, 0, n * VERTS_PER_CELL * 16));
    writeHipsFrame(this.device, this.uniforms, camera, from, this.opacity, n, this.cuts, STRETCH_ID[this.display.stretch]);
    const a = from && from.mix < 1 ? from.camera : camera;
    this.variant = hipsVariant(PROJECTION_ID[a.view.projection], PROJECTION_ID[camera.view.projection]);
    this.copies = hipsCopies(PROJECTION_ID[a.view.projection], PROJECTION_ID[camera.view.projection]);
    const pipeline = this.pipelineFor(this.blending, this.variant);
    const key = `${this.cellBuffer.generation}/${this.positionBuffer.generation}/${this.tiles.generation}/${this.blending}/${this.variant}`;
    this.pipeline = pipeline;
    if (cellsChanged || posChanged || !this.bindGroup || key !== this.bindGroupKey) {
      this.bindGroup = this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms } },
          { binding: 1, resource: { buffer: this.cellBuffer.buffer } },
          { binding: 2, resource: { buffer: this.positionBuffer.buffer } },
          { binding: 3, resource: this.tiles.view },
          { binding: 4, resource: this.kind === 'fits' ? this.lutView! : this.sampler },
        ],
      });
      this.bindGroupKey = key;
    }
  }

  encode(pass: GPURenderPassEncoder): void {
    if (this.destroyed || this.cellCount === 0 || !this.bindGroup) return;
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    // two copies (all-sky projections): the second draws seam-crossing triangles on the other side
    pass.draw(this.copies * this.cellCount * HIPS_GRID * HIPS_GRID * 6);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.mocAbort.abort();
    this.manager.destroy();
    this.tiles.destroy();
    this.lut?.destroy();
    this.uniforms.destroy();
    this.cellBuffer.destroy();
    this.positionBuffer.destroy();
    this.cellVectors.clear();
  }
}


/** Up to `max` finite values spread evenly over the array (for percentiles and histograms). */
function sampleFinite(values: Float32Array, max: number): Float32Array {
  const step = Math.max(1, Math.floor(values.length / max));
  const out: number[] = [];
  for (let i = 0; i < values.length && out.length < max; i += step) if (Number.isFinite(values[i])) out.push(values[i]);
  return Float32Array.from(out);
}

function requestedTileKind(opts: HipsLayerOptions): 'auto' | 'colour' | 'fits' {
  return opts.tileKind ?? 'auto';
}

/** The HiPS/FITS-image render pipeline for a tile kind, blending mode and shader variant (hipsVariant), shared per device. */
export function hipsPipeline(device: GPUDevice, kind: 'colour' | 'fits', blending: Blending, format: GPUTextureFormat,
  variant: HipsShaderVariant = 'plain'): GPURenderPipeline {
  return cachedPipeline(device, `hips-${kind}-${blending}-${variant}/${format}`, () => {
    const module = device.createShaderModule({ label: `hips ${kind} ${variant}`, code: hipsWgsl(kind, variant) });
    const blend: GPUBlendState = blending === 'additive'
      ? { color: { srcFactor: 'src-alpha', dstFactor: 'one', operation: 'add' }, alpha: { srcFactor: 'one', dstFactor: 'one', operation: 'add' } }
      : ALPHA_BLEND;
    return device.createRenderPipeline({
      label: `hips ${kind} ${blending} ${variant}`,
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format, blend }] },
      primitive: { topology: 'triangle-list', cullMode: 'none' },
    });
  });
}

/**
 * The `Frame` uniform block of hips.wgsl.ts (64 bytes): the projection blended from (transition)
 * toward `camera`, opacity, how many cells are drawn, and the FITS cuts and stretch.
 */
export function writeHipsFrame(device: GPUDevice, buffer: GPUBuffer, camera: Camera, transition: { camera: Camera; mix: number } | undefined,
  opacity: number, cellCount: number, cuts: readonly [number, number], stretchId: number): void {
  const u = new ArrayBuffer(64);
  const uf = new Float32Array(u);
  const uu = new Uint32Array(u);
  const a = transition && transition.mix < 1 ? transition.camera : camera;
  uf[0] = a.halfWidthPlane;
  uf[1] = a.halfHeightPlane;
  uu[2] = PROJECTION_ID[a.view.projection];
  uf[3] = opacity;
  uf[4] = camera.halfWidthPlane;
  uf[5] = camera.halfHeightPlane;
  uu[6] = PROJECTION_ID[camera.view.projection];
  uf[7] = transition && transition.mix < 1 ? transition.mix : 0;
  uu[8] = cellCount;
  uf[12] = cuts[0];
  uf[13] = cuts[1];
  uu[14] = stretchId;
  device.queue.writeBuffer(buffer, 0, u);
}

/** Mesh vertex index of step t along cell edge e (0: x = 0, 1: x = 1, 2: y = 0, 3: y = 1). */
function edgeVertex(e: number, t: number): number {
  const G = HIPS_GRID;
  switch (e) {
    case 0: return t * (G + 1);
    case 1: return t * (G + 1) + G;
    case 2: return t;
    default: return G * (G + 1) + t;
  }
}

/** Neighbour (healpy order) across edges x = 0, x = 1, y = 0, y = 1: SW, NE, SE, NW. */
const EDGE_NEIGHBOUR = [0, 4, 6, 2];

/**
 * T-junctions: where a cell borders a coarser drawn cell (all-sky projections subdivide the far
 * side, so orders mix there), the coarse mesh's edge runs straight on screen between its
 * vertices while this cell's extra edge vertices sit on the true, curved edge — a crack, and even
 * on a straight edge (HPX) a pixel centre lying exactly on it can fall between the two meshes,
 * because a rasteriser is watertight only along edges whose end points are identical. So each
 * extra vertex collapses onto the coarse vertex below it along the edge (`pos` w = that vertex's
 * mesh index + 1, so it takes that vertex's texture coordinates too): this cell's boundary is
 * then made of the coarse mesh's own segments, bit for bit (the same exact face-local
 * coordinates give the same vectors), and nothing is drawn twice. Collapsing toward the lower
 * index keeps every triangle's orientation (the triangles it touches become degenerate or stay
 * the same way round), and the texture along the edge follows the coarse cell's exactly.
 * Neighbours up to 3 orders coarser: a cell of order + 3 spans one coarse mesh step (G = 8).
 */
export function closeTJunctions(order: number, ipix: number, drawn: ReadonlySet<number>, pos: Float32Array, base: number): void {
  if (order === 0) return;
  let nbs: number[] | undefined;
  for (let e = 0; e < 4; e++) {
    nbs ??= neighbours(order, ipix);
    const nb = nbs[EDGE_NEIGHBOUR[e]!]!;
    if (nb < 0 || drawn.has(tileKey(order, nb))) continue;
    let d = 0;
    for (let up = 1; up <= Math.min(3, order); up++) {
      if (drawn.has(tileKey(order - up, Math.floor(nb / 4 ** up)))) {
        d = up;
        break;
      }
    }
    if (d === 0) continue;
    const step = 2 ** d;
    for (let t = 1; t < HIPS_GRID; t++) {
      if (t % step === 0) continue;
      const target = edgeVertex(e, t - (t % step));
      const a = base + target * 4;
      const o = base + edgeVertex(e, t) * 4;
      pos[o] = pos[a]!;
      pos[o + 1] = pos[a + 1]!;
      pos[o + 2] = pos[a + 2]!;
      pos[o + 3] = target + 1;
    }
  }
}
