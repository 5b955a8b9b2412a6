// A progressive catalogue: a HiPS catalogue drawn from the tiles the view needs. Per view change it
// plans the tiles (src/catalog/progressivePlan.ts), hands them to the tile loader
// (src/catalog/progressiveTiles.ts: priority, abort, 404 = empty, LRU), and draws one
// CatalogLayer per loaded tile: a tile's rows go to the GPU once, in their own small buffers, when
// the tile arrives (tens of rows, ~1 KiB), and nothing already uploaded is written again. Only the
// tiles of the current plan are drawn; tiles that left the view stay in the LRU (their GPU buffers
// too) until evicted. Picking: each tile layer writes rows offset by its own base, so one pick slot
// covers the whole catalogue (row = base + row in tile, bases never reused).
import type { Camera } from '../../math/camera.js';
import type { ProjectionTransition, RenderLayer } from '../layer.js';
import type { UploadBudget } from '../uploadBudget.js';
import type { PickableLayer } from '../picking.js';
import { CatalogLayer, type CatalogStyle } from './catalogLayer.js';
import { CatalogError, type ColumnData, type RangeFilter } from '../../catalog/columns.js';
import type { HipsCatalogMetadata, HipsCatalogTile } from '../../hips/catalog.js';
import { planCatalogTiles } from '../../catalog/progressivePlan.js';
import { CatalogTileLoader, type CatalogTileEntry, type CatalogTileLoaderOptions, type CatalogTileLoaderStats } from '../../catalog/progressiveTiles.js';
import type { TileId } from '../../hips/tileSelection.js';

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
  /** Asks the host for another frame (a tile arrived). */
  readonly requestFrame?: () => void;
  /** A tile that could not be read (reported once per tile). */
  readonly onError?: (message: string) => void;
}

export interface ProgressiveCatalogStats {
  /** The catalogue order of the current view. */
  readonly order: number;
  /** Tiles the current view wants, and of them those drawn (ready with a GPU layer) and empty. */
  readonly wantedTiles: number;
  readonly drawnTiles: number;
  /** Rows in the drawn tiles. */
  readonly drawnRows: number;
  /** Tiles with GPU buffers (drawn or kept for later). */
  readonly gpuTiles: number;
  /** Bytes written to GPU buffers for row data so far (each tile once). */
  readonly bytesUploaded: number;
  readonly loader: CatalogTileLoaderStats;
}

interface TileLayer {
  readonly tile: HipsCatalogTile;
  readonly base: number;
  readonly layer: CatalogLayer;
}

const key = (order: number, ipix: number) => 4 * 4 ** order + ipix;

export class ProgressiveCatalogLayer implements RenderLayer, PickableLayer {
  readonly id: string;
  readonly name: string;
  readonly pickable = true as const;
  pixelRatio: number;

  private readonly device: GPUDevice;
  private readonly format: GPUTextureFormat;
  private readonly orderMin: number;
  private readonly orderMax: number;
  private readonly loader: CatalogTileLoader;
  private readonly requestFrame: () => void;
  private readonly onError: (message: string) => void;
  private style: CatalogStyle;
  private filterList: readonly RangeFilter[];
  /** GPU layers of loaded tiles, by NUNIQ key. */
  private readonly layers = new Map<number, TileLayer>();
  /** Ready tiles whose GPU layer is not built yet. */
  private readonly pending = new Map<number, HipsCatalogTile>();
  private drawn: TileLayer[] = [];
  private nextBase = 0;
  private planOrder = 0;
  private viewKey = '';
  private selectedRow: number | undefined;
  private version = 1;
  private destroyed = false;
  private bytes = 0;

  constructor(device: GPUDevice, format: GPUTextureFormat, options: ProgressiveCatalogOptions) {
    this.device = device;
    this.format = format;
    this.id = options.id;
    this.name = options.name ?? options.id;
    this.pixelRatio = options.pixelRatio ?? 1;
    this.orderMin = options.orderMin;
    this.orderMax = options.orderMax;
    if (!(Number.isInteger(this.orderMin) && Number.isInteger(this.orderMax) && this.orderMin >= 0 && this.orderMin <= this.orderMax && this.orderMax <= 24)) {
      throw new CatalogError(`a HiPS catalogue needs 0 <= hips_order_min <= hips_order <= 24, got ${this.orderMin}..${this.orderMax}`);
    }
    const { id: _i, name: _n, baseUrl: _b, orderMin: _o, orderMax: _m, metadata: _md, filters, pixelRatio: _p, maxTiles: _t, concurrency: _c, fetch: _f, parseInWorker: _w, requestFrame: _r, onError: _e, ...style } = options;
    checkStyleRanges(style);
    this.style = style;
    this.filterList = filters ?? [];
    this.requestFrame = options.requestFrame ?? (() => undefined);
    this.onError = options.onError ?? (() => undefined);
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
    return this.loader.settled && !this.hasPendingUploads;
  }

  /** A wanted tile arrived and has no GPU layer yet (tiles that arrived for an earlier view wait until wanted again). */
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
    return this.drawn.map((t) => t.tile);
  }

  get stats(): ProgressiveCatalogStats {
    return {
      order: this.planOrder,
      wantedTiles: this.loader.wantedEntries.length,
      drawnTiles: this.drawn.length,
      drawnRows: this.drawn.reduce((s, t) => s + t.tile.raDeg.length, 0),
      gpuTiles: this.layers.size,
      bytesUploaded: this.bytes,
      loader: this.loader.stats,
    };
  }

  prepare(camera: Camera, budget: UploadBudget, transition?: ProjectionTransition): void {
    if (this.destroyed) return;
    const v = camera.view;
    const vk = `${v.raDeg},${v.decDeg},${v.fovDeg},${v.rollDeg},${v.projection},${v.widthPx},${v.heightPx}`;
    if (vk !== this.viewKey) {
      this.viewKey = vk;
      const plan = planCatalogTiles({ raDeg: v.raDeg, decDeg: v.decDeg, radiusRad: camera.radiusRad, fovRad: (v.fovDeg * Math.PI) / 180 }, this.orderMin, this.orderMax,
        (order, ipix) => this.loader.get(order, ipix)?.tile?.mayHaveChildren === false);
      this.planOrder = plan.order;
      this.loader.want(plan.tiles);
    }
    // GPU layers for tiles that arrived, wanted ones first, under the frame's upload budget
    for (const e of this.loader.wantedEntries) {
      if (!budget.allows()) break;
      const k = key(e.order, e.ipix);
      const tile = this.pending.get(k);
      if (!tile) continue;
      const t0 = performance.now();
      this.pending.delete(k);
      this.buildLayer(k, tile);
      budget.spend(performance.now() - t0);
    }
    const drawn: TileLayer[] = [];
    for (const e of this.loader.wantedEntries) {
      const t = this.layers.get(key(e.order, e.ipix));
      if (t) drawn.push(t);
    }
    if (drawn.length !== this.drawn.length || drawn.some((t, i) => t !== this.drawn[i])) {
      this.drawn = drawn;
      this.version++;
    }
    for (const t of drawn) {
      t.layer.pixelRatio = this.pixelRatio;
      t.layer.prepare(camera, budget, transition);
    }
    if (this.hasPendingUploads) this.requestFrame();
  }

  encode(pass: GPURenderPassEncoder): void {
    if (this.destroyed) return;
    for (const t of this.drawn) t.layer.encode(pass);
  }

  encodePick(pass: GPURenderPassEncoder, slot: number): boolean {
    if (this.destroyed) return false;
    let any = false;
    for (const t of this.drawn) any = t.layer.encodePick(pass, slot) || any;
    return any;
  }

  /** The tile and row inside it of a pick row (base + row in tile). */
  private locate(row: number): { t: TileLayer; local: number } | undefined {
    for (const t of this.layers.values()) {
      if (row >= t.base && row < t.base + t.tile.raDeg.length) return { t, local: row - t.base };
    }
    return undefined;
  }

  /** ICRS position of a picked row, degrees. */
  rowPosition(row: number): { raDeg: number; decDeg: number } {
    const hit = this.locate(row);
    if (!hit) throw new CatalogError(`row ${row} is not in a loaded tile of ${this.id}`);
    return { raDeg: hit.t.tile.raDeg[hit.local], decDeg: hit.t.tile.decDeg[hit.local] };
  }

  /** The tile (order, ipix) and row inside it of a picked row, with the row's values. */
  rowInfo(row: number): { order: number; ipix: number; rowInTile: number; values: Record<string, string | number> } | undefined {
    const hit = this.locate(row);
    if (!hit) return undefined;
    const values: Record<string, string | number> = {};
    for (const c of hit.t.tile.table.columns) values[c.name] = (c.values as ArrayLike<string | number>)[hit.local];
    return { order: hit.t.tile.order, ipix: hit.t.tile.ipix, rowInTile: hit.local, values };
  }

  /** Outline a picked row (undefined: none). */
  select(row: number | undefined): void {
    this.selectedRow = row;
    const hit = row === undefined ? undefined : this.locate(row);
    for (const t of this.layers.values()) t.layer.select(hit && hit.t === t ? hit.local : undefined);
    this.version++;
  }

  get selected(): number | undefined {
    return this.selectedRow;
  }

  setStyle(style: CatalogStyle): void {
    const next = { ...this.style, ...style };
    checkStyleRanges(next);
    for (const t of this.layers.values()) t.layer.setStyle(style);
    this.style = next;
    this.version++;
  }

  setFilters(filters: readonly RangeFilter[]): void {
    for (const t of this.layers.values()) t.layer.setFilters(filters);
    this.filterList = filters.map((f) => ({ ...f }));
    this.version++;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.loader.destroy();
    for (const t of this.layers.values()) t.layer.destroy();
    this.layers.clear();
    this.pending.clear();
    this.drawn = [];
  }

  private tileSettled(e: CatalogTileEntry): void {
    if (this.destroyed) return;
    if (e.state === 'ready' && e.tile) this.pending.set(key(e.order, e.ipix), e.tile);
    if (e.state === 'failed' && e.error) this.onError(e.error);
    this.requestFrame();
  }

  private tileEvicted(e: CatalogTileEntry): void {
    const k = key(e.order, e.ipix);
    this.pending.delete(k);
    const t = this.layers.get(k);
    if (!t) return;
    this.layers.delete(k);
    t.layer.destroy();
  }

  private buildLayer(k: number, tile: HipsCatalogTile): void {
    const columns: Record<string, ColumnData> = {};
    for (const c of tile.table.columns) {
      const v = c.values as unknown;
      if (v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array) columns[c.name] = v;
      else if (Array.isArray(v)) columns[c.name] = v.map((x) => (x == null ? '' : String(x)));
      else if (ArrayBuffer.isView(v)) columns[c.name] = Float64Array.from(v as unknown as ArrayLike<number>);
    }
    const base = this.nextBase;
    this.nextBase += tile.raDeg.length;
    let layer: CatalogLayer;
    try {
      layer = new CatalogLayer(this.device, this.format, {
        ...this.style,
        id: this.id,
        name: this.name,
        data: { raDeg: tile.raDeg, decDeg: tile.decDeg, columns },
        filters: this.filterList,
        pixelRatio: this.pixelRatio,
        pickRowBase: base,
        densityThreshold: Infinity,
      });
    } catch (err) {
      this.onError(`tile Norder${tile.order}/Npix${tile.ipix}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.bytes += layer.stats.bytesUploaded;
    this.layers.set(k, { tile, base, layer });
  }
}

/** Column-driven size and colour need fixed ranges: every tile must map values the same way. */
function checkStyleRanges(style: CatalogStyle): void {
  // each tile is its own CatalogLayer: per-tile labels would overlap across tiles and each would rasterise the image again
  if (style.labels) throw new CatalogError('labels are not supported on progressive (HiPS) catalogues yet: use overlayCatalogue for labelled catalogues');
  if (style.shape === 'image' || style.image) throw new CatalogError("marker images (shape 'image') are not supported on progressive (HiPS) catalogues yet: use overlayCatalogue");
  if (style.sizeColumn && !style.sizeRange) throw new CatalogError(`a progressive catalogue with sizeColumn '${style.sizeColumn}' needs sizeRange (tiles arrive one by one, so no tile's min..max can stand for all)`);
  if (style.colorColumn && !style.colorRange) throw new CatalogError(`a progressive catalogue with colorColumn '${style.colorColumn}' needs colorRange (tiles arrive one by one, so no tile's min..max can stand for all)`);
}
