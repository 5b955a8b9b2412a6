// Loading of HiPS-catalogue tiles for a progressive catalogue: one state machine per tile
// (queued -> loading -> ready | empty (HTTP 404/410) | failed), at most `concurrency` requests at a
// time in the order of the wanted list (parents first), abort of requests for tiles the view no
// longer wants, and an LRU of loaded tiles (at most `maxTiles` kept; the least recently wanted
// that the view does not want go first). DOM-free: takes a fetch function, parses with
// src/hips/catalog.ts: on this thread for small tiles (<= 50 rows above the deepest order: 0.04 ms,
// less than a worker round trip), through `parseInWorker` (the decode pool) for tiles over
// WORKER_PARSE_BYTES (deepest-order tiles of up to a few thousand rows: 1-10 ms each).
import { parseHipsCatalogTile, type HipsCatalogMetadata, type HipsCatalogTile } from '../hips/catalog.js';
import { joinUrl, tilePath } from '../hips/tilePath.js';
import type { TileId } from '../hips/tileSelection.js';

export type CatalogTileState = 'queued' | 'loading' | 'ready' | 'empty' | 'failed';

export interface CatalogTileEntry {
  readonly order: number;
  readonly ipix: number;
  state: CatalogTileState;
  tile: HipsCatalogTile | undefined;
  error: string | undefined;
  /** Sequence number of the last want() that listed this tile (LRU). */
  lastWanted: number;
  abort: AbortController | undefined;
}

/** Tiles bigger than this (bytes of text, ~300 rows) are parsed by `parseInWorker` when given. */
export const WORKER_PARSE_BYTES = 16_384;

export interface CatalogTileLoaderOptions {
  /** Parses big tiles off this thread (DecodePool.parseCatalogTile); rejects with the parser's message. */
  readonly parseInWorker?: (text: string, where: { order: number; ipix: number }, metadata: HipsCatalogMetadata | undefined) => Promise<HipsCatalogTile>;
  readonly baseUrl: string;
  readonly metadata?: HipsCatalogMetadata;
  readonly fetch?: (url: string, init: { signal: AbortSignal }) => Promise<Response>;
  readonly concurrency?: number;
  /** Loaded (ready or empty) tiles kept at most (default 2048). */
  readonly maxTiles?: number;
  /** Called when a tile reached ready, empty or failed. */
  readonly onSettle?: (entry: CatalogTileEntry) => void;
  /** Called when a ready tile is dropped from the LRU. */
  readonly onEvict?: (entry: CatalogTileEntry) => void;
}

export interface CatalogTileLoaderStats {
  readonly requests: number;
  readonly aborted: number;
  readonly ready: number;
  readonly empty: number;
  readonly failed: number;
  readonly loading: number;
  readonly evicted: number;
}

const key = (order: number, ipix: number) => 4 * 4 ** order + ipix;

export class CatalogTileLoader {
  private readonly baseUrl: string;
  private readonly metadata: HipsCatalogMetadata | undefined;
  private readonly fetchFn: (url: string, init: { signal: AbortSignal }) => Promise<Response>;
  private readonly concurrency: number;
  private readonly maxTiles: number;
  private readonly onSettle: ((entry: CatalogTileEntry) => void) | undefined;
  private readonly parseInWorker: CatalogTileLoaderOptions['parseInWorker'];
  private readonly onEvict: ((entry: CatalogTileEntry) => void) | undefined;
  private readonly entries = new Map<number, CatalogTileEntry>();
  private wanted: CatalogTileEntry[] = [];
  private seq = 0;
  private active = 0;
  private destroyed = false;
  /** URLs asked for, in order (for tests and diagnostics). */
  readonly requested: string[] = [];
  private counts = { aborted: 0, evicted: 0 };

  constructor(options: CatalogTileLoaderOptions) {
    this.baseUrl = options.baseUrl;
    this.metadata = options.metadata;
    this.fetchFn = options.fetch ?? ((url, init) => fetch(url, init));
    this.concurrency = options.concurrency ?? 6;
    this.maxTiles = options.maxTiles ?? 2048;
    if (!(Number.isInteger(this.concurrency) && this.concurrency >= 1)) throw new RangeError(`concurrency must be an integer >= 1, got ${this.concurrency}`);
    if (!(Number.isInteger(this.maxTiles) && this.maxTiles >= 1)) throw new RangeError(`maxTiles must be an integer >= 1, got ${this.maxTiles}`);
    this.onSettle = options.onSettle;
    this.parseInWorker = options.parseInWorker;
    this.onEvict = options.onEvict;
  }

  /** The view wants these tiles (priority = list order). Aborts loads of tiles it no longer wants. */
  want(tiles: readonly TileId[]): void {
    if (this.destroyed) return;
    const seq = ++this.seq;
    const list: CatalogTileEntry[] = [];
    for (const t of tiles) {
      const k = key(t.order, t.ipix);
      let e = this.entries.get(k);
      if (!e) {
        e = { order: t.order, ipix: t.ipix, state: 'queued', tile: undefined, error: undefined, lastWanted: seq, abort: undefined };
        this.entries.set(k, e);
      }
      e.lastWanted = seq;
      list.push(e);
    }
    this.wanted = list;
    for (const e of this.entries.values()) {
      if (e.lastWanted === seq) continue;
      if (e.state === 'loading') {
        e.abort?.abort();
        e.abort = undefined;
        e.state = 'queued';
        this.active--;
        this.counts.aborted++;
      }
      if (e.state === 'queued' || e.state === 'failed') this.entries.delete(key(e.order, e.ipix));
    }
    this.evict();
    this.pump();
  }

  /** The entry of a tile, if known. */
  get(order: number, ipix: number): CatalogTileEntry | undefined {
    return this.entries.get(key(order, ipix));
  }

  /** Entries of the current wanted list, in its order. */
  get wantedEntries(): readonly CatalogTileEntry[] {
    return this.wanted;
  }

  /** Every wanted tile is ready, empty or failed. */
  get settled(): boolean {
    return this.wanted.every((e) => e.state === 'ready' || e.state === 'empty' || e.state === 'failed');
  }

  get stats(): CatalogTileLoaderStats {
    let ready = 0;
    let empty = 0;
    let failed = 0;
    for (const e of this.entries.values()) {
      if (e.state === 'ready') ready++;
      else if (e.state === 'empty') empty++;
      else if (e.state === 'failed') failed++;
    }
    return { requests: this.requested.length, aborted: this.counts.aborted, ready, empty, failed, loading: this.active, evicted: this.counts.evicted };
  }

  destroy(): void {
    this.destroyed = true;
    for (const e of this.entries.values()) e.abort?.abort();
    this.entries.clear();
    this.wanted = [];
  }

  private evict(): void {
    const loaded = [...this.entries.values()].filter((e) => (e.state === 'ready' || e.state === 'empty') && e.lastWanted !== this.seq);
    let excess = this.entries.size - this.maxTiles;
    if (excess <= 0) return;
    loaded.sort((a, b) => a.lastWanted - b.lastWanted);
    for (const e of loaded) {
      if (excess <= 0) break;
      this.entries.delete(key(e.order, e.ipix));
      if (e.state === 'ready') this.onEvict?.(e);
      this.counts.evicted++;
      excess--;
    }
  }

  private pump(): void {
    for (const e of this.wanted) {
      if (this.active >= this.concurrency || this.destroyed) return;
      if (e.state !== 'queued') continue;
      void this.load(e);
    }
  }

  private async load(e: CatalogTileEntry): Promise<void> {
    const abort = new AbortController();
    e.abort = abort;
    e.state = 'loading';
    this.active++;
    const url = joinUrl(this.baseUrl, tilePath(e.order, e.ipix, 'tsv'));
    this.requested.push(url);
    let state: CatalogTileState;
    let tile: HipsCatalogTile | undefined;
    let error: string | undefined;
    try {
      const res = await this.fetchFn(url, { signal: abort.signal });
      if (res.status === 404 || res.status === 410) {
        state = 'empty';
      } else if (!res.ok) {
        throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
      } else {
        const text = await res.text();
        const where = { order: e.order, ipix: e.ipix };
        tile = this.parseInWorker && text.length > WORKER_PARSE_BYTES
          ? await this.parseInWorker(text, where, this.metadata)
          : parseHipsCatalogTile(text, where, this.metadata);
        state = 'ready';
      }
    } catch (err) {
      if (abort.signal.aborted || e.abort !== abort) return; // counted in want()
      state = 'failed';
      error = `${url}: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (e.abort !== abort || this.destroyed) return; // aborted meanwhile
    e.abort = undefined;
    e.state = state;
    e.tile = tile;
    e.error = error;
    this.active--;
    this.onSettle?.(e);
    this.evict();
    this.pump();
  }
}
