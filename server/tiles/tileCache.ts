/**
 * In-memory LRU of HiPS tile files for the tile fast path (fastPath.ts): each entry holds the
 * file's bytes, its size and mtime, and the response headers (flat arrays for res.writeHead)
 * precomputed once, so a hit costs one Map lookup and no system call.
 *
 * Entries are keyed by a string that always names the same file (the fast path uses the tile's
 * URL path, so a hit is found before any parsing).
 *
 * Freshness: an entry is trusted for `revalidateMs` after it was last checked against the file
 * system; the first request after that stats the file (one fs.stat per entry per period, not per
 * request) and re-reads it when its mtime or size changed, or drops it when it is gone. Entries
 * are keyed by file path; the ETag and Last-Modified come from the size and mtime, in the same
 * form as @fastify/send's (W/"<size hex>-<mtime ms hex>"), so answers from the fast path and
 * from the static route validate each other's ETags.
 *
 * Budget: the sum of cached bytes stays at or under `maxBytes` (least recently used first out);
 * a file larger than `maxEntryBytes` is not cached (the caller streams it instead). Concurrent
 * misses for one file share one read.
 */
import { readFile, stat } from 'node:fs/promises';

/** A tile file in memory and everything needed to answer for it. */
export interface TileEntry {
  readonly path: string;
  readonly body: Buffer;
  readonly size: number;
  /** mtime in whole ms as Date gives it (ETag, Last-Modified). */
  readonly mtimeMs: number;
  /** The stat's exact mtimeMs (fractional), to notice a change. */
  readonly statMtimeMs: number;
  readonly etag: string;
  readonly lastModified: string;
  /** Headers of every 200/206 (flat [name, value, …] list) without Content-Length. */
  readonly headersBase: readonly string[];
  /** Headers of a 200: headersBase and Content-Length. */
  readonly headers200: readonly string[];
  /** Headers of a 304 (validators, caching, CORS). */
  readonly headers304: readonly string[];
  /** performance.now() of the last check against the file system. */
  checkedAtMs: number;
}

export interface TileCacheOptions {
  /** Total bytes of tile bodies kept (0 disables caching: every request reads the file). */
  maxBytes: number;
  /** Files larger than this are not cached. */
  maxEntryBytes: number;
  /** How long an entry is served without looking at the file again (ms). */
  revalidateMs: number;
  /** Headers common to every answer for `path` (content type, cache control, CORS…). */
  headersFor: (path: string) => readonly string[];
  /** Clock (ms), for tests. Default performance.now. */
  now?: () => number;
}

/** The ETag @fastify/send gives a file of this size and mtime (whole ms, `stat.mtime.getTime()`). */
export function fileEtag(size: number, mtimeMs: number): string {
  return `W/"${size.toString(16)}-${mtimeMs.toString(16)}"`;
}

/** The outcome of a lookup: an entry, or why there is none. */
export type TileLookup =
  | { kind: 'hit'; entry: TileEntry }
  | { kind: 'missing' } // no such file (or not a regular file)
  | { kind: 'too-large'; size: number }; // a real file, not cached: stream it

export class TileCache {
  private readonly entries = new Map<string, TileEntry>();
  private readonly pending = new Map<string, Promise<TileLookup>>();
  private bytes = 0;
  private readonly now: () => number;

  constructor(private readonly options: TileCacheOptions) {
    if (!(options.maxBytes >= 0) || !(options.maxEntryBytes >= 0) || !(options.revalidateMs >= 0)) {
      throw new RangeError('TileCache: maxBytes, maxEntryBytes and revalidateMs must be numbers >= 0');
    }
    this.now = options.now ?? (() => performance.now());
  }

  /** Bytes of tile bodies held now. */
  get cachedBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * A fresh entry for `key` without touching the file system, or undefined when there is none
   * (not cached, or due for a check: call `load`). Marks the entry most recently used.
   */
  getFresh(key: string): TileEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || this.now() - entry.checkedAtMs > this.options.revalidateMs) return undefined;
    // LRU order = Map insertion order: move to the end
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /**
   * Checks the file `path` (stat), reads it when new or changed, and caches it under `key`
   * (default: the path; the fast path uses the URL path, so that a hit needs no parsing) within
   * the budget. A key always names the same file.
   */
  load(key: string, path: string = key): Promise<TileLookup> {
    const running = this.pending.get(key);
    if (running !== undefined) return running;
    const job = this.loadUncached(key, path).finally(() => this.pending.delete(key));
    this.pending.set(key, job);
    return job;
  }

  /** Drops every entry. */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private async loadUncached(key: string, path: string): Promise<TileLookup> {
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      if (isNotFound(err)) {
        this.remove(key);
        return { kind: 'missing' };
      }
      throw err;
    }
    if (!st.isFile()) {
      this.remove(key);
      return { kind: 'missing' };
    }
    const old = this.entries.get(key);
    if (old !== undefined && old.size === st.size && old.statMtimeMs === st.mtimeMs) {
      old.checkedAtMs = this.now();
      this.entries.delete(key);
      this.entries.set(key, old);
      return { kind: 'hit', entry: old };
    }
    this.remove(key);
    if (st.size > this.options.maxEntryBytes) return { kind: 'too-large', size: st.size };
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch (err) {
      if (isNotFound(err)) return { kind: 'missing' };
      throw err;
    }
    // the file may have changed between stat and read: describe the bytes actually read
    const same = body.length === st.size;
    const entry = this.makeEntry(path, body, same ? st.mtime.getTime() : Date.now(), same ? st.mtimeMs : Number.NaN);
    if (this.options.maxBytes > 0 && body.length <= this.options.maxEntryBytes && body.length <= this.options.maxBytes) {
      this.entries.set(key, entry);
      this.bytes += body.length;
      this.evict();
    }
    return { kind: 'hit', entry };
  }

  private makeEntry(path: string, body: Buffer, mtimeMs: number, statMtimeMs: number): TileEntry {
    const etag = fileEtag(body.length, mtimeMs);
    const lastModified = new Date(mtimeMs).toUTCString();
    const common = this.options.headersFor(path);
    const headersBase = [...common, 'accept-ranges', 'bytes', 'etag', etag, 'last-modified', lastModified];
    return {
      path,
      body,
      size: body.length,
      mtimeMs,
      statMtimeMs,
      etag,
      lastModified,
      headersBase,
      headers200: [...headersBase, 'content-length', String(body.length)],
      headers304: [...withoutHeader(common, 'content-type'), 'etag', etag, 'last-modified', lastModified],
      checkedAtMs: this.now(),
    };
  }

  private remove(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.entries.delete(key);
    this.bytes -= old.size;
  }

  private evict(): void {
    for (const [path, entry] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.entries.delete(path);
      this.bytes -= entry.size;
    }
  }
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** A flat [name, value, …] header list without the pairs named `name` (lower case). */
export function withoutHeader(list: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    if (list[i]!.toLowerCase() !== name) out.push(list[i]!, list[i + 1]!);
  }
  return out;
}
