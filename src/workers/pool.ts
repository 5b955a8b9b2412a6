// A pool of decode workers (comlink): size from navigator.hardwareConcurrency, each request sent to
// the least busy worker, cancellation by AbortSignal, and a TileFetcher for the tile manager.
// Big jobs (tables, FITS images) have backpressure: at most one per worker runs, the rest wait in
// a FIFO queue (an aborted waiter leaves it); results come back as transferred buffers.
import type { HipsCatalogMetadata, HipsCatalogTile } from '../hips/catalog.js';
import { releaseProxy, transfer, wrap, type Remote } from 'comlink';
import { TileFetchError, type DecodedTile, type TileFetcher } from '../hips/tileManager.js';
import type { DecodeWorkerApi, TableParseRequest, TableParseResult } from './protocol.js';
import type { Series, SeriesRequest } from '../plot/series.js';
import type { SpaceMoc } from '../hips/moc/spaceMoc.js';
import type { MocGeometryOptions } from '../moc/mocGeometry.js';
import { concatGeometries, type FootprintGeometry, type FootprintInput, type TessellateOptions } from '../footprints/tessellate.js';

/** The reason a pool promise rejects when its AbortSignal fires. */
function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new DOMException('the decode request was aborted', 'AbortError');
}

interface Slot {
  readonly worker: Worker;
  readonly api: Remote<DecodeWorkerApi>;
  busy: number;
}

/** Below this many footprints one worker tessellates the whole list. */
const FOOTPRINTS_PER_TASK = 2000;

export function defaultPoolSize(): number {
  const n = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 2 : 2;
  return Math.max(1, Math.min(4, n - 1));
}

export class DecodePool implements TileFetcher {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private destroyed = false;
  /** Big jobs running (at most `size`) and those waiting for a turn. */
  private bigRunning = 0;
  private readonly bigWaiting: Array<() => void> = [];

  constructor(size = defaultPoolSize()) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: `esasky-decode-${i}` });
      this.slots.push({ worker, api: wrap<DecodeWorkerApi>(worker), busy: 0 });
    }
  }

  get size(): number {
    return this.slots.length;
  }

  async fetchTile(url: string, signal: AbortSignal): Promise<DecodedTile | null> {
    if (this.destroyed) throw new TileFetchError('the decode pool was destroyed', { retryable: false });
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    const onAbort = (): void => void slot.api.cancel(id);
    signal.addEventListener('abort', onAbort, { once: true });
    slot.busy++;
    try {
      // A relative URL must be resolved here: the worker's base URL is its own script.
      const absolute = new URL(url, globalThis.location?.href).href;
      if (/\.fits(\?|$)/i.test(absolute)) {
        const f = await slot.api.decodeFits(absolute, id);
        if (f.status === 'ok') return { width: f.width, height: f.height, values: new Float32Array(f.values) };
        if (f.status === 'missing') return null;
        throw new TileFetchError(f.message, { httpStatus: f.httpStatus, retryable: f.retryable });
      }
      const r = await slot.api.decodeImage(absolute, id);
      if (r.status === 'ok') return { width: r.width, height: r.height, rgba: new Uint8Array(r.rgba) };
      if (r.status === 'missing') return null;
      throw new TileFetchError(r.message, { httpStatus: r.httpStatus, retryable: r.retryable });
    } finally {
      slot.busy--;
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Big jobs waiting for a worker (backpressure queue length). */
  get queued(): number {
    return this.bigWaiting.length;
  }

  /** Big jobs running in the workers now. */
  get running(): number {
    return this.bigRunning;
  }

  /**
   * Run a big job on the least busy worker once fewer than `size` big jobs run. Rejects with the
   * signal's reason when aborted: a waiting job leaves the queue, a running one is cancelled in
   * the worker (fetches stop; a parse already running finishes there and its result is dropped,
   * its turn is only given back when the worker is done).
   */
  private async runBig<T>(signal: AbortSignal | undefined, job: (slot: Slot, id: number) => Promise<T>): Promise<T> {
    if (this.destroyed) throw new Error('the decode pool was destroyed');
    if (signal?.aborted) throw abortError(signal);
    if (this.bigRunning >= this.slots.length) {
      await new Promise<void>((resolve, reject) => {
        const start = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          const i = this.bigWaiting.indexOf(start);
          if (i >= 0) this.bigWaiting.splice(i, 1);
          reject(abortError(signal!));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.bigWaiting.push(start);
      });
      if (this.destroyed) throw new Error('the decode pool was destroyed');
    } else this.bigRunning++;
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    const work = job(slot, id).finally(() => {
      slot.busy--;
      const next = this.bigWaiting.shift();
      if (next) next();
      else this.bigRunning--;
    });
    if (!signal) return work;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        void slot.api.cancel(id);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Decode an image HDU (plane of a cube) from FITS bytes in a worker; the bytes are transferred. */
  async decodeFitsImage(bytes: ArrayBuffer, hduIndex: number, plane = 0, signal?: AbortSignal): Promise<{ width: number; height: number; values: Float32Array }> {
    return this.runBig(signal, async (slot) => {
      const r = await slot.api.decodeFitsBytes(transfer(bytes, [bytes]), hduIndex, plane);
      if (r.status === 'ok') return { width: r.width, height: r.height, values: new Float32Array(r.values) };
      throw new Error(r.status === 'error' ? r.message : 'FITS image missing');
    });
  }

  /** Inflate a gzip-compressed Blob in a worker (bounded by maxBytes, default 2 GiB); resolves to the inflated bytes. */
  async gunzip(blob: Blob, maxBytes = 2 ** 31, signal?: AbortSignal): Promise<ArrayBuffer> {
    return this.runBig(signal, async (slot) => {
      const r = await slot.api.gunzip(blob, maxBytes);
      if (r.status === 'ok') return r.bytes;
      throw new Error(r.message);
    });
  }

  /** Read a spectrum / light curve (x/y series) from a FITS file in a worker; bytes are transferred. */
  async readSeries(source: ArrayBuffer | Blob | string, request: SeriesRequest = {}, signal?: AbortSignal): Promise<Series> {
    const src = typeof source === 'string' ? new URL(source, globalThis.location?.href).href : source;
    return this.runBig(signal, async (slot, id) => {
      const r = await slot.api.readSeries(src instanceof ArrayBuffer ? transfer(src, [src]) : src, request, id);
      if (r.status === 'ok') return r.series;
      throw new Error(r.message);
    });
  }

  /** Decode one plane of an image HDU of a File/Blob in a worker (only its header and that plane are read). */
  async decodeFitsPlane(blob: Blob, hduIndex: number, plane = 0, signal?: AbortSignal): Promise<{ width: number; height: number; values: Float32Array }> {
    return this.runBig(signal, async (slot) => {
      const r = await slot.api.decodeFitsPlane(blob, hduIndex, plane);
      if (r.status === 'ok') return { width: r.width, height: r.height, values: new Float32Array(r.values) };
      throw new Error(r.status === 'error' ? r.message : 'FITS image missing');
    });
  }

  /**
   * Parse a table (VOTable, CSV/TSV, FITS BINTABLE; sniffed unless `request.format` says) into
   * columns in a worker: bytes are transferred (the caller's ArrayBuffer is detached), a Blob is
   * read there, a URL fetched there. Rejects with an Error naming the problem.
   */
  async parseTable(source: ArrayBuffer | Blob | string, request: TableParseRequest = {}, signal?: AbortSignal): Promise<TableParseResult> {
    const src = typeof source === 'string' ? new URL(source, globalThis.location?.href).href : source;
    return this.runBig(signal, async (slot, id) => {
      const r = await slot.api.parseTable(src instanceof ArrayBuffer ? transfer(src, [src]) : src, request, id);
      if (r.status === 'ok') return r;
      throw new Error(r.message);
    });
  }

  /**
   * Tessellate footprints in the workers: lists of more than FOOTPRINTS_PER_TASK are cut into
   * slices for all workers at once, and the slices' geometries joined in order.
   */
  async tessellateFootprints(inputs: readonly FootprintInput[], options: TessellateOptions): Promise<FootprintGeometry> {
    if (this.destroyed) throw new Error('the decode pool was destroyed');
    const slices = Math.max(1, Math.min(this.slots.length, Math.ceil(inputs.length / FOOTPRINTS_PER_TASK)));
    const per = Math.ceil(inputs.length / slices);
    const tasks: Array<Promise<FootprintGeometry>> = [];
    for (let k = 0; k < slices; k++) {
      const slot = this.slots[k % this.slots.length]!;
      slot.busy++;
      const part = inputs.slice(k * per, (k + 1) * per);
      tasks.push(slot.api.tessellateFootprints(part, { ...options, indexOffset: (options.indexOffset ?? 0) + k * per }).finally(() => {
        slot.busy--;
      }));
    }
    return concatGeometries(await Promise.all(tasks));
  }

  /** Parse a HiPS-catalogue tile in the least busy worker (throws the parser's error message). */
  async parseCatalogTile(text: string, where: { order: number; ipix: number }, metadata?: HipsCatalogMetadata): Promise<HipsCatalogTile> {
    if (this.destroyed) throw new Error('the decode pool was destroyed');
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    slot.busy++;
    try {
      const r = await slot.api.parseCatalogTile(text, where, metadata);
      if (r.status !== 'ok') throw new Error(r.message);
      return r.tile;
    } finally {
      slot.busy--;
    }
  }

  /** Geometry of a space MOC, built in the least busy worker (the MOC's ranges are copied, not transferred). */
  async mocGeometry(moc: SpaceMoc, options: MocGeometryOptions): Promise<FootprintGeometry & { drawOrder: number }> {
    if (this.destroyed) throw new Error('the decode pool was destroyed');
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    slot.busy++;
    try {
      return await slot.api.mocGeometry(moc.ranges.slice(), moc.maxOrder, options);
    } finally {
      slot.busy--;
    }
  }

  destroy(): void {
    this.destroyed = true;
    for (const start of this.bigWaiting.splice(0)) start();
    for (const s of this.slots) {
      s.api[releaseProxy]();
      s.worker.terminate();
    }
    this.slots.length = 0;
  }
}
