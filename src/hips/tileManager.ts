// Loads the HiPS tiles a view wants: a small state machine per tile (queued -> loading -> ready |
// empty | failed), a concurrency limit, priority = the order of the latest wanted list, abort of
// requests that left the view, 404 -> empty, retry with backoff for network errors and 5xx, and a
// queue of decoded tiles waiting for the renderer to upload them, and an LRU cache of decoded
// tiles in CPU memory under a byte budget, so a tile the GPU evicted comes back without a request
// while it is cached. DOM-free: decoding goes through an injected TileFetcher (a worker pool in
// the browser, a plain function in Node).
import type { TileId } from './tileSelection.js';
import { extensionForFormat, joinUrl, tilePath } from './tilePath.js';

/**
 * A decoded tile, rows top to bottom: colour tiles as RGBA8 (unpremultiplied), FITS tiles as
 * float32 physical values (NaN = blank).
 */
export type DecodedTile =
  | { readonly width: number; readonly height: number; readonly rgba: Uint8Array; readonly values?: undefined }
  | { readonly width: number; readonly height: number; readonly values: Float32Array; readonly rgba?: undefined };

/** Why a tile fetch failed, as the fetcher reports it. */
export class TileFetchError extends Error {
  /** HTTP status when the server answered; undefined for network failures and bad data. */
  readonly httpStatus: number | undefined;
  /** True when trying again may help (network errors, HTTP 5xx and 429). */
  readonly retryable: boolean;
  constructor(message: string, opts: { httpStatus?: number; retryable: boolean }) {
    super(message);
    this.name = 'TileFetchError';
    this.httpStatus = opts.httpStatus;
    this.retryable = opts.retryable;
  }
}

export interface TileFetcher {
  /** The decoded tile, or null when the server says it does not exist (HTTP 404/410). */
  fetchTile(url: string, signal: AbortSignal): Promise<DecodedTile | null>;
}

/**
 * queued -> loading -> ready | empty (404) | failed; a ready tile that the renderer could not keep
 * (no free GPU slot) becomes dropped, and is queued again by the next want().
 */
export type TileState = 'queued' | 'loading' | 'ready' | 'empty' | 'failed' | 'dropped';

export interface TileErrorInfo {
  readonly order: number;
  readonly ipix: number;
  readonly url: string;
  readonly reason: string;
}

export interface TileManagerOptions {
  readonly baseUrl: string;
  readonly format: string;
  readonly fetcher: TileFetcher;
  readonly maxConcurrent?: number;
  readonly maxRetries?: number;
  /** First retry delay in ms; doubled on each further try. */
  readonly retryBaseMs?: number;
  /** Called whenever a needed tile reaches ready (and, without onResolvedEmpty, empty or failed). */
  readonly onSettle?: () => void;
  /**
   * Called when a needed tile turns out empty (404) or fails for good: nothing new to draw, but
   * the view may now be complete. Default: onSettle.
   */
  readonly onResolvedEmpty?: () => void;
  /** Called when a tile fails for good. */
  readonly onError?: (info: TileErrorInfo) => void;
  /**
   * CPU memory for decoded tiles kept after upload, bytes (default 64 MiB; 0 = no cache). The
   * least recently wanted tiles are forgotten first; a tile larger than the budget is not kept.
   */
  readonly cpuBudgetBytes?: number;
  /** Empty, failed or dropped tiles no longer wanted that are remembered (default REMEMBERED_OUTCOMES). */
  readonly rememberedOutcomes?: number;
}

/** Bytes of pixel data a decoded tile holds. */
export function decodedTileBytes(tile: DecodedTile): number {
  return (tile.rgba ?? tile.values).byteLength;
}

interface Entry {
  readonly order: number;
  readonly ipix: number;
  readonly key: number;
  state: TileState;
  tries: number;
  controller?: AbortController;
  retryTimer?: ReturnType<typeof setTimeout>;
}

/** NUNIQ key of a tile: 4·4^order + ipix (exact as a double up to order 24). */
export function tileKey(order: number, ipix: number): number {
  return 4 * 4 ** order + ipix;
}

/** How many empty, failed or dropped tiles no longer wanted are remembered (forgetOldOutcomes). */
export const REMEMBERED_OUTCOMES = 4096;

export class TileManager {
  private readonly opts: Required<Omit<TileManagerOptions, 'onSettle' | 'onError' | 'onResolvedEmpty'>> &
    Pick<TileManagerOptions, 'onSettle' | 'onError' | 'onResolvedEmpty'>;
  private readonly ext: string;
  private readonly entries = new Map<number, Entry>();
  private wantedOrder: number[] = [];
  private wantedSet = new Set<number>();
  /** Keys the view needs (idle waits for these); wantedOrder may add prefetched ones after them. */
  private neededSet = new Set<number>();
  private active = 0;
  private readonly decoded: Array<{ order: number; ipix: number; tile: DecodedTile }> = [];
  /** Tiles known without a request (sliced from an Allsky file), kept on the CPU. */
  private readonly seeded = new Map<number, { order: number; ipix: number; tile: DecodedTile }>();
  /** Decoded tiles in CPU memory, least recently used first (Map keeps insertion order). */
  private readonly cache = new Map<number, { order: number; ipix: number; tile: DecodedTile; bytes: number }>();
  private cacheBytes = 0;
  /** Requests started since construction (for tests and diagnostics). */
  requests = 0;
  private destroyed = false;

  constructor(options: TileManagerOptions) {
    // options given as undefined keep their defaults
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as TileManagerOptions;
    this.opts = { maxConcurrent: 6, maxRetries: 3, retryBaseMs: 250, cpuBudgetBytes: 64 * 1024 * 1024, rememberedOutcomes: REMEMBERED_OUTCOMES, ...given };
    if (!(this.opts.rememberedOutcomes >= 0)) throw new RangeError(`rememberedOutcomes must be >= 0, got ${this.opts.rememberedOutcomes}`);
    if (!(this.opts.cpuBudgetBytes >= 0)) throw new RangeError(`cpuBudgetBytes must be >= 0, got ${this.opts.cpuBudgetBytes}`);
    this.ext = extensionForFormat(options.format);
  }

  urlOf(order: number, ipix: number): string {
    return joinUrl(this.opts.baseUrl, tilePath(order, ipix, this.ext));
  }

  stateOf(order: number, ipix: number): TileState | undefined {
    return this.entries.get(tileKey(order, ipix))?.state;
  }

  /** Number of requests in flight. */
  get inFlight(): number {
    return this.active;
  }

  /** True when every wanted tile is ready, empty or failed and nothing waits for upload. */
  get idle(): boolean {
    if (this.decoded.some((d) => this.neededSet.has(tileKey(d.order, d.ipix)))) return false;
    for (const key of this.neededSet) {
      const s = this.entries.get(key)?.state;
      if (s === undefined || s === 'queued' || s === 'loading') return false;
    }
    return true;
  }

  /**
   * Declare the tiles the view wants, most important first, and optionally tiles to prefetch after
   * them (e.g. the next zoom level; `idle` does not wait for those). Requests for tiles no longer
   * wanted are aborted; new ones are queued; loads start up to the concurrency limit. A prefetched
   * tile is only fetched and decoded: it waits in the CPU cache (no state, no upload, no frame) until
   * a view needs it, so prefetching never costs the settled view GPU work or redrawn frames.
   */
  want(tiles: readonly TileId[], prefetch: readonly TileId[] = []): void {
    if (this.destroyed) return;
    const order: number[] = [];
    const set = new Set<number>();
    const needed = new Set<number>();
    for (const t of tiles) needed.add(tileKey(t.order, t.ipix));
    for (const t of [...tiles, ...prefetch]) {
      const key = tileKey(t.order, t.ipix);
      if (set.has(key)) continue;
      set.add(key);
      order.push(key);
      const existing = this.entries.get(key);
      const known = this.seeded.get(key) ?? this.cache.get(key);
      if (known && this.cache.has(key)) this.touch(key);
      if (known && !needed.has(key) && (!existing || existing.state === 'queued' || existing.state === 'dropped')) {
        // prefetched and already decoded: nothing to fetch, nothing to upload until a view needs it
        if (existing) {
          this.abandon(existing);
          this.entries.delete(key);
        }
        continue;
      }
      if (known && (!existing || existing.state === 'dropped' || existing.state === 'queued')) {
        if (existing?.state === 'queued' && existing.retryTimer !== undefined) clearTimeout(existing.retryTimer);
        this.entries.set(key, { order: t.order, ipix: t.ipix, key, state: 'ready', tries: 0 });
        this.decoded.push({ order: known.order, ipix: known.ipix, tile: known.tile });
      } else if (!existing) {
        this.entries.set(key, { order: t.order, ipix: t.ipix, key, state: 'queued', tries: 0 });
      } else if (existing.state === 'dropped') {
        existing.state = 'queued';
        existing.tries = 0;
      }
    }
    this.wantedOrder = order;
    this.wantedSet = set;
    this.neededSet = needed;
    for (const e of this.entries.values()) {
      if ((e.state === 'loading' || e.state === 'queued') && !set.has(e.key)) this.abandon(e);
    }
    this.forgetOldOutcomes();
    this.pump();
  }

  /** Tiles with a state (any but forgotten ones), for tests and diagnostics. */
  get entryCount(): number {
    return this.entries.size;
  }

  /**
   * Empty (404), failed and dropped tiles are remembered so that a view does not ask for them again;
   * over a long session they would pile up, so beyond `rememberedOutcomes` the oldest of those no
   * longer wanted are forgotten (asked for again if a view comes back to them). Ready tiles leave
   * with their GPU copy (evict), queued and loading ones when no longer wanted.
   */
  private forgetOldOutcomes(): void {
    let excess = this.entries.size - this.wantedSet.size - this.opts.rememberedOutcomes;
    if (excess <= 0) return;
    for (const e of this.entries.values()) {
      if (excess <= 0) break;
      if ((e.state === 'empty' || e.state === 'failed' || e.state === 'dropped') && !this.wantedSet.has(e.key)) {
        this.entries.delete(e.key);
        excess--;
      }
    }
  }

  /**
   * Provide a tile without a request (e.g. sliced from NorderK/Allsky): it becomes ready as soon as
   * it is wanted, and again after an eviction, with no network traffic.
   */
  seed(order: number, ipix: number, tile: DecodedTile): void {
    this.seeded.set(tileKey(order, ipix), { order, ipix, tile });
  }

  /** Decoded tiles waiting for upload, oldest first; the caller uploads and removes them. */
  takeDecoded(max = Infinity): Array<{ order: number; ipix: number; tile: DecodedTile }> {
    return this.decoded.splice(0, Math.min(max, this.decoded.length));
  }

  get pendingUploads(): number {
    return this.decoded.length;
  }

  /** Decoded tiles held in CPU memory and their bytes. */
  get cpuCache(): { tiles: number; bytes: number; budgetBytes: number } {
    return { tiles: this.cache.size, bytes: this.cacheBytes, budgetBytes: this.opts.cpuBudgetBytes };
  }

  /** Whether a decoded copy of the tile is in the CPU cache. */
  isCached(order: number, ipix: number): boolean {
    return this.cache.has(tileKey(order, ipix));
  }

  /** Keep a decoded tile in the CPU cache (most recently used), forgetting the oldest over budget. */
  private remember(order: number, ipix: number, tile: DecodedTile): void {
    const key = tileKey(order, ipix);
    const bytes = decodedTileBytes(tile);
    const old = this.cache.get(key);
    if (old) {
      this.cache.delete(key);
      this.cacheBytes -= old.bytes;
    }
    if (bytes > this.opts.cpuBudgetBytes) return;
    this.cache.set(key, { order, ipix, tile, bytes });
    this.cacheBytes += bytes;
    for (const [k, e] of this.cache) {
      if (this.cacheBytes <= this.opts.cpuBudgetBytes) break;
      this.cache.delete(k);
      this.cacheBytes -= e.bytes;
    }
  }

  private touch(key: number): void {
    const e = this.cache.get(key);
    if (!e) return;
    this.cache.delete(key);
    this.cache.set(key, e);
  }

  /**
   * Forget a ready tile (its GPU copy was evicted): when wanted again it comes from the CPU cache
   * if it is still there, else from the network.
   */
  evict(order: number, ipix: number): void {
    const e = this.entries.get(tileKey(order, ipix));
    if (e && e.state === 'ready') this.entries.delete(e.key);
  }

  /**
   * A decoded tile the renderer cannot use (not the survey's tile size, or not the kind of tile it
   * draws): failed like a broken download — settled, not asked for again while remembered, and out
   * of the CPU cache. (The caller reports why.)
   */
  reject(order: number, ipix: number): void {
    const key = tileKey(order, ipix);
    const e = this.entries.get(key);
    if (e) e.state = 'failed';
    else this.entries.set(key, { order, ipix, key, state: 'failed', tries: 0 });
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cacheBytes -= cached.bytes;
    }
  }

  /** A ready tile could not be kept by the renderer: settled for now, fetched again by the next want(). */
  drop(order: number, ipix: number): void {
    const e = this.entries.get(tileKey(order, ipix));
    if (e && e.state === 'ready') e.state = 'dropped';
  }

  destroy(): void {
    this.destroyed = true;
    for (const e of this.entries.values()) this.abandon(e);
    this.entries.clear();
    this.decoded.length = 0;
    this.seeded.clear();
    this.cache.clear();
    this.cacheBytes = 0;
  }

  private abandon(e: Entry): void {
    if (e.retryTimer !== undefined) clearTimeout(e.retryTimer);
    e.retryTimer = undefined;
    if (e.controller) e.controller.abort();
    e.controller = undefined;
    if (e.state === 'loading' || e.state === 'queued') this.entries.delete(e.key);
  }

  private pump(): void {
    if (this.destroyed) return;
    for (const key of this.wantedOrder) {
      if (this.active >= this.opts.maxConcurrent) return;
      const e = this.entries.get(key);
      if (e && e.state === 'queued' && e.retryTimer === undefined) this.start(e);
    }
  }

  private start(e: Entry): void {
    const controller = new AbortController();
    e.controller = controller;
    e.state = 'loading';
    e.tries++;
    this.active++;
    this.requests++;
    const url = this.urlOf(e.order, e.ipix);
    this.opts.fetcher.fetchTile(url, controller.signal).then(
      (tile) => {
        this.active--;
        if (controller.signal.aborted || this.destroyed) return this.pump();
        e.controller = undefined;
        if (tile && !this.neededSet.has(e.key)) {
          // prefetched: kept decoded in CPU memory, uploaded when a view needs it (want())
          this.remember(e.order, e.ipix, tile);
          this.entries.delete(e.key);
          return this.pump();
        }
        if (tile) {
          e.state = 'ready';
          this.decoded.push({ order: e.order, ipix: e.ipix, tile });
          this.remember(e.order, e.ipix, tile);
        } else {
          e.state = 'empty';
        }
        // a prefetched tile that turned out empty changes nothing on screen: no frame for it
        if (this.neededSet.has(e.key)) (tile ? this.opts.onSettle : this.opts.onResolvedEmpty ?? this.opts.onSettle)?.();
        this.pump();
      },
      (err: unknown) => {
        this.active--;
        if (controller.signal.aborted || this.destroyed) return this.pump();
        e.controller = undefined;
        const retryable = err instanceof TileFetchError ? err.retryable : false;
        if (retryable && e.tries <= this.opts.maxRetries && this.wantedSet.has(e.key)) {
          e.state = 'queued';
          const delay = this.opts.retryBaseMs * 2 ** (e.tries - 1);
          e.retryTimer = setTimeout(() => {
            e.retryTimer = undefined;
            this.pump();
          }, delay);
        } else {
          e.state = 'failed';
          const reason = err instanceof Error ? err.message : String(err);
          this.opts.onError?.({ order: e.order, ipix: e.ipix, url, reason });
          (this.opts.onResolvedEmpty ?? this.opts.onSettle)?.();
        }
        this.pump();
      },
    );
  }
}
