/**
 * The HiPS tile fast path: answers GET/HEAD of HiPS image and FITS tiles
 * (`/hips/<id>/NorderK/DirD/NpixN.ext`, `/hips/<id>/NorderK/Allsky.ext`) straight from node:http,
 * before fastify's router, out of an in-memory LRU (tileCache.ts) with precomputed header lists —
 * the same answers as the static route (routes/hips.ts) with a fraction of the work per request.
 *
 * It takes only requests it can answer exactly like the static route: a strict URL shape (plain
 * characters, no %-escapes, no dot segments, so the file is always inside the HiPS root),
 * no preconditions other than If-None-Match / If-Modified-Since, no Range or one satisfiable byte
 * range without If-Range. Everything else — metadata files, missing tiles (the JSON 404),
 * multi-range and unsatisfiable ranges (416), files over the cache's entry limit (streamed),
 * OPTIONS preflights, traversal attempts — goes to fastify unchanged (`next`).
 *
 * Logging: tile hits are logged at debug (every other request is logged by fastify at info);
 * a file that cannot be read is logged at error and the request handed to fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { etagMatches } from '../compress.js';
import { TileCache, type TileEntry } from './tileCache.js';

/** Tile and Allsky files of an image/FITS HiPS, with an optional query string (ignored). */
const TILE_URL = /^\/hips\/([A-Za-z0-9_][A-Za-z0-9_.-]*)\/(Norder\d{1,2}\/(?:Dir\d{1,9}\/Npix\d{1,18}|Allsky)\.(?:webp|jpg|jpeg|png|fits))(?:\?[^#]*)?$/;

/** The bits of a pino logger the fast path uses. */
export interface FastPathLog {
  debug(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface TileFastPathOptions {
  /** Root of the HiPS directories (config.hipsDir). */
  hipsDir: string;
  cache: TileCache;
  log: () => FastPathLog;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A byte range [start, end] (inclusive) of a file of `size` bytes. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The one satisfiable byte range of a Range header (`bytes=a-b`, `bytes=a-`, `bytes=-n`), or
 * undefined for anything else (several ranges, other units, malformed, unsatisfiable), which the
 * static route answers (200 with the whole file, or 416).
 */
export function singleByteRange(header: string, size: number): ByteRange | undefined {
  const m = /^\s*bytes\s*=\s*(\d{0,15})\s*-\s*(\d{0,15})\s*$/i.exec(header);
  if (m === null || size <= 0) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    // a suffix longer than the file is the whole file for RFC 9110 §14.1.2, but a 416 for
    // @fastify/send: left to it, so a tile gets one answer whether it is cached or not
    if (n === 0 || n > size) return undefined;
    return { start: size - n, end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return undefined;
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  return end < start ? undefined : { start, end };
}

/** True when a Last-Modified time (ms) is not after an If-Modified-Since date (second precision). */
function notModifiedSince(mtimeMs: number, ifModifiedSince: string): boolean {
  const since = Date.parse(ifModifiedSince);
  return Number.isFinite(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

export class TileFastPath {
  private closing = false;

  constructor(private readonly options: TileFastPathOptions) {}

  /** From now on every request goes to fastify (graceful shutdown: its 503/close logic applies). */
  stop(): void {
    this.closing = true;
  }

  /** Answers the request when it is a tile request it can serve, else calls `next`. */
  handle(req: IncomingMessage, res: ServerResponse, next: NodeHandler): void {
    const url = req.url;
    const method = req.method;
    if (this.closing || (method !== 'GET' && method !== 'HEAD') || url === undefined || url.charCodeAt(1) !== 104 /* h */) {
      next(req, res);
      return;
    }
    const h = req.headers;
    if (h['if-match'] !== undefined || h['if-unmodified-since'] !== undefined || h['if-range'] !== undefined) {
      next(req, res);
      return;
    }
    // a hit: the cache is keyed by URL paths that passed TILE_URL when they were loaded
    const q = url.indexOf('?');
    const key = q === -1 ? url : url.slice(0, q);
    const cache = this.options.cache;
    const entry = cache.getFresh(key);
    if (entry !== undefined) {
      this.respond(req, res, entry, next);
      return;
    }
    const m = TILE_URL.exec(url);
    if (m === null) {
      next(req, res);
      return;
    }
    cache.load(key, join(this.options.hipsDir, m[1]!, m[2]!)).then(
      (lookup) => {
        if (lookup.kind === 'hit') this.respond(req, res, lookup.entry, next);
        else next(req, res);
      },
      (err: unknown) => {
        this.options.log().error({ err, url: key }, 'tile fast path: cannot read the file; handing the request to the static route');
        next(req, res);
      },
    );
  }

  private respond(req: IncomingMessage, res: ServerResponse, entry: TileEntry, next: NodeHandler): void {
    if (res.destroyed) return;
    const h = req.headers;
    const inm = h['if-none-match'];
    const notModified = inm !== undefined
      ? etagMatches(inm, entry.etag)
      : h['if-modified-since'] !== undefined && notModifiedSince(entry.mtimeMs, h['if-modified-since']);
    if (notModified) {
      res.writeHead(304, entry.headers304 as string[]);
      res.end();
      this.logHit(req, 304);
      return;
    }
    const rangeHeader = h.range;
    if (rangeHeader !== undefined) {
      const range = singleByteRange(rangeHeader, entry.size);
      if (range === undefined) {
        next(req, res);
        return;
      }
      const length = range.end - range.start + 1;
      res.writeHead(206, [
        ...entry.headersBase,
        'content-range', `bytes ${range.start}-${range.end}/${entry.size}`,
        'content-length', String(length),
      ]);
      if (req.method === 'HEAD') res.end();
      else res.end(entry.body.subarray(range.start, range.end + 1));
      this.logHit(req, 206);
      return;
    }
    res.writeHead(200, entry.headers200 as string[]);
    if (req.method === 'HEAD') res.end();
    else res.end(entry.body);
    this.logHit(req, 200);
  }

  private logHit(req: IncomingMessage, statusCode: number): void {
    this.options.log().debug({ method: req.method, url: req.url, statusCode }, 'tile (fast path)');
  }
}
