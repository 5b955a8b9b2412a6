// A pool of decode workers (comlink): size from navigator.hardwareConcurrency, each request sent to
// the least busy worker, cancellation by AbortSignal, and a TileFetcher for the tile manager.
import { releaseProxy, transfer, wrap, type Remote } from 'comlink';
import { TileFetchError, type DecodedTile, type TileFetcher } from '../hips/tileManager.js';
import type { DecodeWorkerApi } from './protocol.js';
import type { SpaceMoc } from '../hips/moc/spaceMoc.js';
import type { MocGeometryOptions } from '../moc/mocGeometry.js';
import { concatGeometries, type FootprintGeometry, type FootprintInput, type TessellateOptions } from '../footprints/tessellate.js';

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

  /** Decode an image HDU (plane of a cube) from FITS bytes in a worker; the bytes are transferred. */
  async decodeFitsImage(bytes: ArrayBuffer, hduIndex: number, plane = 0): Promise<{ width: number; height: number; values: Float32Array }> {
    if (this.destroyed) throw new Error('the decode pool was destroyed');
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    slot.busy++;
    try {
      const r = await slot.api.decodeFitsBytes(transfer(bytes, [bytes]), hduIndex, plane);
      if (r.status === 'ok') return { width: r.width, height: r.height, values: new Float32Array(r.values) };
      throw new Error(r.status === 'error' ? r.message : 'FITS image missing');
    } finally {
      slot.busy--;
    }
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
    for (const s of this.slots) {
      s.api[releaseProxy]();
      s.worker.terminate();
    }
    this.slots.length = 0;
  }
}
