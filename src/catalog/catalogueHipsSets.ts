// The element's progressive catalogues (addCatalogueHips): each keeps its opened HiPS catalogue
// (properties, metadata.xml) and style, and while a renderer exists its ProgressiveCatalogLayer;
// after a renderer change (device loss) the layer is rebuilt and reloads what the view needs.
// No DOM: the element hands in callbacks for its renderer, frames and errors.
import type { SkyRenderer } from '../render/skyRenderer.js';
import type { PickResult } from '../render/picking.js';
import type { CatalogStyle } from '../render/layers/catalogLayer.js';
import { ProgressiveCatalogLayer, type ProgressiveCatalogStats, type ProgressiveProperMotion } from '../render/layers/progressiveCatalogLayer.js';
import { isMarkerImageSource, loadMarkerImage, type MarkerImageSource } from './markerImage.js';
import { resolveProperMotion } from './progressiveRows.js';
import { loadHipsCatalogSource, type HipsCatalogSource } from './hipsCatalogSource.js';
import { CatalogError, type RangeFilter } from './columns.js';
import type { ShapeEventDetail } from './api.js';
import type { HipsCatalogTile } from '../hips/catalog.js';
import type { TileId } from '../hips/tileSelection.js';
import type { DecodePool } from '../workers/pool.js';
import { RendererBoundSets } from '../render/rendererBoundSets.js';

/** addCatalogueHips's options: how rows look (as overlayCatalogue: also image markers, labels, proper motions), plus loading limits. */
export interface CatalogueHipsOptions extends Omit<CatalogStyle, 'image'> {
  /** The marker image of shape 'image': a URL, Blob or decoded image. */
  readonly image?: string | Blob | MarkerImageSource;
  /** Draw rows at another epoch with arrows; pmRaColumn / pmDecColumn default to the UCDs pos.pm;pos.eq.ra / pos.pm;pos.eq.dec of metadata.xml. */
  readonly properMotion?: ProgressiveProperMotion;
  readonly id?: string;
  readonly name?: string;
  readonly filters?: readonly RangeFilter[];
  /** Loaded tiles kept in the LRU (default 2048). */
  readonly maxTiles?: number;
  /** Per-cell row counts for the density view, a URL with `{order}` (default: the properties' esasky_cell_counts_url; null: none). */
  readonly countsUrl?: string | null;
  readonly signal?: AbortSignal;
}

/** What a progressive catalogue is doing now (for pages and tests). */
export interface CatalogueHipsState {
  readonly stats: ProgressiveCatalogStats;
  readonly wantedTiles: readonly TileId[];
  readonly requestedUrls: readonly string[];
  readonly drawnTiles: readonly HipsCatalogTile[];
}

/** detail of shape-hover / shape-select on a progressive catalogue's row: the row's tile and values too. */
export interface CatalogueHipsEventDetail extends ShapeEventDetail {
  readonly kind: 'catalogue-hips';
  readonly order: number;
  readonly ipix: number;
  readonly rowInTile: number;
  /** The row's cells as the tile wrote them; null for an empty cell of a numeric column. */
  readonly values: Readonly<Record<string, string | number | null>>;
}

interface Entry {
  readonly source: HipsCatalogSource;
  style: CatalogStyle;
  readonly properMotion: ProgressiveProperMotion | undefined;
  filters: readonly RangeFilter[];
  readonly maxTiles: number | undefined;
  layer: ProgressiveCatalogLayer | undefined;
}

export interface CatalogueHipsHost {
  renderer(): SkyRenderer | undefined;
  pixelRatio(): number;
  /** The page's decode pool (big tiles are parsed there). */
  pool(): DecodePool;
  requestFrame(): void;
  reportError(id: string, url: string, reason: string): void;
}

export class CatalogueHipsSets extends RendererBoundSets<Entry> {
  private readonly host: CatalogueHipsHost;

  constructor(host: CatalogueHipsHost) {
    super('progressive catalogue', () => host.renderer());
    this.host = host;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  async add(url: string, options: CatalogueHipsOptions = {}): Promise<string> {
    const { id: givenId, name, filters, maxTiles, signal, properMotion, image: imageIn, countsUrl, ...rest } = options;
    const id = givenId ?? `catalogue-hips-${++this.seq}`;
    if (this.entries.has(id)) throw new RangeError(`a catalogue with id '${id}' is already shown`);
    if (maxTiles !== undefined && !(Number.isInteger(maxTiles) && maxTiles >= 1)) throw new CatalogError(`maxTiles must be an integer >= 1, got ${maxTiles}`);
    if (rest.sizeColumn && !rest.sizeRange) throw new CatalogError(`a progressive catalogue with sizeColumn '${rest.sizeColumn}' needs sizeRange (tiles arrive one by one, so no tile's min..max can stand for all)`);
    if (rest.colorColumn && !rest.colorRange) throw new CatalogError(`a progressive catalogue with colorColumn '${rest.colorColumn}' needs colorRange (tiles arrive one by one, so no tile's min..max can stand for all)`);
    if (typeof url !== 'string' || url.trim() === '') throw new CatalogError(`addCatalogueHips needs the HiPS catalogue's base URL as a string, got ${typeof url === 'string' ? "''" : typeof url}`);
    let base: string;
    try {
      base = new URL(url, globalThis.location?.href).href;
    } catch {
      throw new CatalogError(`'${url}' is not a URL`);
    }
    if (countsUrl !== undefined && countsUrl !== null && !(typeof countsUrl === 'string' && countsUrl.includes('{order}'))) throw new CatalogError(`countsUrl must be a URL containing '{order}', got ${JSON.stringify(countsUrl)}`);
    if (rest.shape === 'image' && imageIn === undefined) throw new CatalogError("shape 'image' needs an image (a URL, Blob, ImageBitmap, <img> or canvas)");
    const source = await loadHipsCatalogSource(base, undefined, signal);
    let image: MarkerImageSource | undefined;
    if (imageIn !== undefined) {
      try {
        image = isMarkerImageSource(imageIn) ? imageIn : await loadMarkerImage(imageIn, signal);
      } catch (err) {
        throw new CatalogError(`the marker image ${typeof imageIn === 'string' ? imageIn : 'given'} could not be read: ${(err as Error)?.message ?? String(err)}`);
      }
    }
    const style: CatalogStyle = { ...rest, ...(image ? { image } : {}) };
    if (properMotion) resolveProperMotion(properMotion, source.metadata);
    if (this.entries.has(id)) throw new RangeError(`a catalogue with id '${id}' is already shown`);
    const fields = source.metadata?.fields.map((f) => f.name);
    for (const col of [style.sizeColumn, style.colorColumn, style.labels?.column, style.labels?.brightnessColumn, ...(filters ?? []).map((f) => f.column)]) {
      if (col && fields && !fields.includes(col)) throw new CatalogError(`no column '${col}' in the HiPS catalogue ${base} (columns: ${fields.join(', ')})`);
    }
    const counts = countsUrl === null ? undefined : countsUrl !== undefined ? new URL(countsUrl, globalThis.location?.href).href.replace(/%7Border%7D/gi, '{order}') : source.countsUrl;
    this.entries.set(id, { source: { ...source, title: name ?? source.title, countsUrl: counts }, style, properMotion, filters: filters ?? [], maxTiles, layer: undefined });
    this.sync();
    return id;
  }

  remove(id: string): void {
    const e = this.entry(id);
    this.entries.delete(id);
    if (e.layer && this.host.renderer()?.getLayers().includes(e.layer)) this.host.renderer()!.removeLayer(e.layer);
    else e.layer?.destroy();
    this.host.requestFrame();
  }

  setStyle(id: string, style: CatalogStyle): void {
    const e = this.entry(id);
    e.layer?.setStyle(style);
    e.style = { ...e.style, ...style };
    this.host.requestFrame();
  }

  setFilters(id: string, filters: readonly RangeFilter[]): void {
    const e = this.entry(id);
    e.layer?.setFilters(filters);
    e.filters = filters;
    this.host.requestFrame();
  }

  select(id: string, row: number | undefined): void {
    const e = this.entry(id);
    for (const o of this.entries.values()) if (o !== e) o.layer?.select(undefined);
    e.layer?.select(row);
    this.host.requestFrame();
  }

  state(id: string): CatalogueHipsState | undefined {
    const l = this.entry(id).layer;
    if (!l) return undefined;
    return { stats: l.stats, wantedTiles: l.wantedTiles, requestedUrls: l.requestedUrls, drawnTiles: l.drawnTiles };
  }

  /** The row a pick hit, if it is one of ours. */
  detail(hit: PickResult | undefined): CatalogueHipsEventDetail | undefined {
    if (!hit) return undefined;
    const e = this.entries.get(hit.layerId);
    if (!e?.layer || e.layer !== hit.layer) return undefined;
    const info = e.layer.rowInfo(hit.row);
    if (!info) return undefined;
    const p = e.layer.rowPosition(hit.row);
    return { kind: 'catalogue-hips', layer: hit.layerId, row: hit.row, raDeg: p.raDeg, decDeg: p.decDeg, order: info.order, ipix: info.ipix, rowInTile: info.rowInTile, values: info.values };
  }

  /** After a click: the hit row selected, every other progressive catalogue's selection cleared. */
  selectHit(hit: { layer: string; row: number } | undefined): void {
    for (const [id, e] of this.entries) e.layer?.select(hit && id === hit.layer ? hit.row : undefined);
  }

  /** Build missing layers on the current renderer (all of them after a renderer change), above the surveys. */
  sync(): void {
    const renderer = this.currentRenderer();
    if (!renderer) return;
    for (const [id, e] of this.entries) {
      if (e.layer) continue;
      e.layer = renderer.addLayer(new ProgressiveCatalogLayer(renderer.device, renderer.format, {
        ...e.style,
        id,
        name: e.source.title,
        baseUrl: e.source.baseUrl,
        orderMin: e.source.orderMin,
        orderMax: e.source.orderMax,
        ...(e.source.metadata ? { metadata: e.source.metadata } : {}),
        ...(e.source.countsUrl ? { countsUrl: e.source.countsUrl } : {}),
        filters: e.filters,
        ...(e.properMotion ? { properMotion: e.properMotion } : {}),
        ...(e.maxTiles ? { maxTiles: e.maxTiles } : {}),
        pixelRatio: this.host.pixelRatio(),
        parseInWorker: (text, where, metadata) => this.host.pool().parseCatalogTile(text, where, metadata),
        requestFrame: () => this.host.requestFrame(),
        onError: (message) => this.host.reportError(id, e.source.baseUrl, message),
      }));
      renderer.moveLayer(e.layer, renderer.getLayers().length - 1);
    }
    this.host.requestFrame();
  }


}
