// The tile manager's state machine against a scripted network: every request is held until the
// test answers it, so concurrency, priority, abort, 404, retry and settling are checked exactly.
import { describe, expect, it } from 'vitest';
import { TileFetchError, TileManager, type DecodedTile, type TileFetcher } from './tileManager.js';

interface Pending {
  url: string;
  signal: AbortSignal;
  resolve: (t: DecodedTile | null) => void;
  reject: (e: unknown) => void;
}

class ScriptedNetwork implements TileFetcher {
  pending: Pending[] = [];
  aborted: string[] = [];
  requested: string[] = [];
  fetchTile(url: string, signal: AbortSignal): Promise<DecodedTile | null> {
    this.requested.push(url);
    return new Promise((resolve, reject) => {
      const p = { url, signal, resolve, reject };
      this.pending.push(p);
      signal.addEventListener('abort', () => {
        this.aborted.push(url);
        this.pending = this.pending.filter((q) => q !== p);
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
  }
  answer(match: string, result: DecodedTile | null | Error): void {
    const p = this.pending.find((q) => q.url.includes(match));
    if (!p) throw new Error(`no pending request for ${match}: ${this.pending.map((q) => q.url)}`);
    this.pending = this.pending.filter((q) => q !== p);
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }
}

const tile: DecodedTile = { width: 2, height: 2, rgba: new Uint8Array(16) };
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('TileManager', () => {
  it('builds HiPS tile URLs and keeps to the concurrency limit in priority order', async () => {
    const net = new ScriptedNetwork();
    const m = new TileManager({ baseUrl: 'http://h/hips/', format: 'jpeg', fetcher: net, maxConcurrent: 2 });
    m.want([{ order: 3, ipix: 10 }, { order: 6, ipix: 12345 }, { order: 3, ipix: 11 }]);
    expect(net.requested).toEqual(['http://h/hips/Norder3/Dir0/Npix10.jpg', 'http://h/hips/Norder6/Dir10000/Npix12345.jpg']);
    expect(m.inFlight).toBe(2);
    net.answer('Npix10.', tile);
    await flush();
    expect(net.requested[2]).toBe('http://h/hips/Norder3/Dir0/Npix11.jpg');
    expect(m.stateOf(3, 10)).toBe('ready');
    expect(m.takeDecoded().map((d) => d.ipix)).toEqual([10]);
  });

  it('aborts requests for tiles that left the view and starts the new ones', async () => {
    const net = new ScriptedNetwork();
    const m = new TileManager({ baseUrl: '/h', format: 'png', fetcher: net, maxConcurrent: 4 });
    m.want([{ order: 1, ipix: 1 }, { order: 1, ipix: 2 }]);
    m.want([{ order: 1, ipix: 2 }, { order: 1, ipix: 3 }]);
    await flush();
    expect(net.aborted).toEqual(['/h/Norder1/Dir0/Npix1.png']);
    expect(net.requested).toContain('/h/Norder1/Dir0/Npix3.png');
    expect(m.stateOf(1, 1)).toBeUndefined();
  });

  it('treats 404 as an empty tile and is idle once every wanted tile is settled', async () => {
    const net = new ScriptedNetwork();
    let settles = 0;
    const m = new TileManager({ baseUrl: '/h', format: 'webp', fetcher: net, onSettle: () => settles++ });
    m.want([{ order: 0, ipix: 0 }, { order: 0, ipix: 1 }]);
    expect(m.idle).toBe(false);
    net.answer('Npix0.', null);
    net.answer('Npix1.', tile);
    await flush();
    expect(m.stateOf(0, 0)).toBe('empty');
    expect(m.idle).toBe(false); // a decoded tile waits for upload
    m.takeDecoded();
    expect(m.idle).toBe(true);
    expect(settles).toBe(2);
  });

  it('tells an empty or failed tile (nothing to draw) from a decoded one when asked to (onResolvedEmpty)', async () => {
    const net = new ScriptedNetwork();
    let frames = 0;
    let checks = 0;
    const m = new TileManager({ baseUrl: '/h', format: 'webp', fetcher: net, maxRetries: 0, onSettle: () => frames++, onResolvedEmpty: () => checks++ });
    m.want([{ order: 0, ipix: 0 }, { order: 0, ipix: 1 }, { order: 0, ipix: 2 }]);
    net.answer('Npix0.', null);
    net.answer('Npix1.', tile);
    net.answer('Npix2.', new Error('broken'));
    await flush();
    expect(m.stateOf(0, 0)).toBe('empty');
    expect(m.stateOf(0, 2)).toBe('failed');
    expect(frames, 'one frame for the decoded tile').toBe(1);
    expect(checks, 'a settle check for the empty and the failed tile').toBe(2);
  });

  it('retries network errors and 5xx with backoff, then gives up with a reported reason', async () => {
    const net = new ScriptedNetwork();
    const errors: string[] = [];
    const m = new TileManager({ baseUrl: '/h', format: 'jpeg', fetcher: net, maxRetries: 2, retryBaseMs: 5, onError: (e) => errors.push(e.reason) });
    m.want([{ order: 2, ipix: 7 }]);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 30));
      net.answer('Npix7.', new TileFetchError('HTTP 503 Service Unavailable', { httpStatus: 503, retryable: true }));
    }
    await flush();
    expect(net.requested.length).toBe(3);
    expect(m.stateOf(2, 7)).toBe('failed');
    expect(errors).toEqual(['HTTP 503 Service Unavailable']);
    expect(m.idle).toBe(true);
  });

  it('does not retry bad data and reports it once', async () => {
    const net = new ScriptedNetwork();
    const errors: string[] = [];
    const m = new TileManager({ baseUrl: '/h', format: 'jpeg', fetcher: net, onError: (e) => errors.push(e.url) });
    m.want([{ order: 0, ipix: 5 }]);
    net.answer('Npix5.', new TileFetchError('not a decodable image', { retryable: false }));
    await flush();
    m.want([{ order: 0, ipix: 5 }]);
    await flush();
    expect(net.requested.length).toBe(1);
    expect(errors).toEqual(['/h/Norder0/Dir0/Npix5.jpg']);
  });

  it('queues a dropped tile again on the next want() (no CPU cache: from the network)', async () => {
    const net = new ScriptedNetwork();
    const m = new TileManager({ baseUrl: '/h', format: 'jpeg', fetcher: net, cpuBudgetBytes: 0 });
    m.want([{ order: 0, ipix: 3 }]);
    net.answer('Npix3.', tile);
    await flush();
    m.takeDecoded();
    m.drop(0, 3);
    expect(m.idle).toBe(true);
    m.want([{ order: 0, ipix: 3 }]);
    expect(net.requested.length).toBe(2);
  });

  it('serves seeded (Allsky) tiles without a request, again after an eviction', async () => {
    const net = new ScriptedNetwork();
    const m = new TileManager({ baseUrl: '/h', format: 'jpeg', fetcher: net });
    m.seed(3, 100, tile);
    m.want([{ order: 3, ipix: 100 }, { order: 3, ipix: 101 }]);
    expect(net.requested).toEqual(['/h/Norder3/Dir0/Npix101.jpg']);
    expect(m.stateOf(3, 100)).toBe('ready');
    expect(m.takeDecoded().map((d) => d.ipix)).toEqual([100]);
    m.evict(3, 100);
    m.want([{ order: 3, ipix: 100 }]);
    expect(m.takeDecoded().map((d) => d.ipix)).toEqual([100]);
    expect(net.requested.length).toBe(1 + 0);
  });

  describe('CPU cache of decoded tiles', () => {
    const sized = (bytes: number): DecodedTile => ({ width: 1, height: bytes / 4, rgba: new Uint8Array(bytes) });
    async function loaded(m: TileManager, net: ScriptedNetwork, ipix: number[], bytes = 100): Promise<void> {
      m.want(ipix.map((p) => ({ order: 5, ipix: p })));
      for (const p of ipix) net.answer(`Npix${p}.`, sized(bytes));
      await flush();
      m.takeDecoded();
    }

    it('brings a tile the GPU evicted back from CPU memory, without a request', async () => {
      const net = new ScriptedNetwork();
      const m = new TileManager({ baseUrl: '/h', format: 'png', fetcher: net, cpuBudgetBytes: 1000 });
      await loaded(m, net, [1, 2]);
      expect(m.cpuCache).toEqual({ tiles: 2, bytes: 200, budgetBytes: 1000 });
      m.evict(5, 1); // GPU copy gone
      m.drop(5, 2); // no GPU slot for it
      m.want([{ order: 5, ipix: 1 }, { order: 5, ipix: 2 }]);
      expect(net.requested.length).toBe(2);
      expect(m.stateOf(5, 1)).toBe('ready');
      const again = m.takeDecoded();
      expect(again.map((d) => d.ipix)).toEqual([1, 2]);
      expect(again[0].tile.rgba!.byteLength).toBe(100);
    });

    it('keeps within its byte budget, forgetting the least recently wanted tiles first', async () => {
      const net = new ScriptedNetwork();
      const m = new TileManager({ baseUrl: '/h', format: 'png', fetcher: net, cpuBudgetBytes: 350 });
      await loaded(m, net, [1, 2, 3]); // 300 bytes
      m.want([{ order: 5, ipix: 1 }, { order: 5, ipix: 3 }]); // 1 and 3 used again: 2 is now the oldest
      await loaded(m, net, [4]); // 400 > 350: tile 2 goes
      expect(m.cpuCache.bytes).toBe(300);
      expect([1, 2, 3, 4].map((p) => m.isCached(5, p))).toEqual([true, false, true, true]);
      await loaded(m, net, [6], 200); // 500 > 350: 1 then 3 go (oldest first), 4 and 6 stay
      expect([1, 3, 4, 6].map((p) => m.isCached(5, p))).toEqual([false, false, true, true]);
      expect(m.cpuCache.bytes).toBeLessThanOrEqual(350);
      await loaded(m, net, [7], 400); // bigger than the whole budget: not kept, nothing else lost
      expect(m.isCached(5, 7)).toBe(false);
      expect(m.cpuCache).toEqual({ tiles: 2, bytes: 300, budgetBytes: 350 });
    });

    it('fetches a tile again once it left both the GPU and the CPU cache', async () => {
      const net = new ScriptedNetwork();
      const m = new TileManager({ baseUrl: '/h', format: 'png', fetcher: net, cpuBudgetBytes: 150 });
      await loaded(m, net, [1, 2]); // 200 > 150: tile 1 forgotten
      expect(m.isCached(5, 1)).toBe(false);
      m.evict(5, 1);
      m.evict(5, 2);
      m.want([{ order: 5, ipix: 1 }, { order: 5, ipix: 2 }]);
      expect(net.requested.slice(2)).toEqual(['/h/Norder5/Dir0/Npix1.png']); // 2 came from memory
      expect(m.stateOf(5, 1)).toBe('loading');
      expect(m.stateOf(5, 2)).toBe('ready');
      net.answer('Npix1.', sized(100));
      await flush();
      expect(m.takeDecoded().map((d) => d.ipix).sort()).toEqual([1, 2]);
      expect(() => new TileManager({ baseUrl: '/h', format: 'png', fetcher: net, cpuBudgetBytes: -1 })).toThrow(/cpuBudgetBytes must be >= 0, got -1/);
    });
  });

  it('keeps prefetched tiles decoded in CPU memory only: no upload, no frame, until a view needs them', async () => {
    const net = new ScriptedNetwork();
    let frames = 0;
    const m = new TileManager({ baseUrl: '/h', format: 'png', fetcher: net, onSettle: () => frames++ });
    const view = [{ order: 3, ipix: 1 }];
    const next = [{ order: 4, ipix: 4 }, { order: 4, ipix: 5 }];
    m.want(view);
    net.answer('Norder3/Dir0/Npix1.', tile);
    await flush();
    expect(frames).toBe(1);
    m.takeDecoded();
    m.want(view, next);
    expect(m.idle).toBe(true); // the view does not wait for its prefetch
    net.answer('Npix4.', tile);
    net.answer('Npix5.', null); // 404
    await flush();
    expect(frames).toBe(1);
    expect(m.pendingUploads).toBe(0);
    expect(m.isCached(4, 4)).toBe(true);
    expect(m.stateOf(4, 4)).toBeUndefined();
    // asked to prefetch again: already decoded, so no request
    m.want(view, next);
    expect(net.requested.length).toBe(3);
    // nor an upload for a cached tile that was dropped (no GPU slot) and is now only prefetched
    m.want(next);
    m.takeDecoded();
    m.drop(4, 4);
    m.want(view, next);
    expect(m.pendingUploads).toBe(0);
    expect(m.stateOf(4, 4)).toBeUndefined();
    expect(net.requested.length).toBe(3);
    // a view that needs it gets it from memory, ready for upload
    m.want(next);
    expect(net.requested.length).toBe(3);
    expect(m.stateOf(4, 4)).toBe('ready');
    expect(m.stateOf(4, 5)).toBe('empty');
    expect(m.takeDecoded().map((d) => d.ipix)).toEqual([4]);
    expect(m.idle).toBe(true);
  });

  it('uploads a prefetched tile that a view needs by the time it arrives', async () => {
    const net = new ScriptedNetwork();
    const m = new TileManager({ baseUrl: '/h', format: 'png', fetcher: net });
    m.want([{ order: 3, ipix: 1 }], [{ order: 4, ipix: 4 }]);
    m.want([{ order: 4, ipix: 4 }]); // zoomed in while the prefetch was on its way
    expect(net.aborted).toEqual(['/h/Norder3/Dir0/Npix1.png']);
    net.answer('Npix4.', tile);
    await flush();
    expect(m.stateOf(4, 4)).toBe('ready');
    expect(m.takeDecoded().map((d) => d.ipix)).toEqual([4]);
  });

  it('a tile the renderer rejects (wrong size) is failed: settled, out of the CPU cache, not asked for again', async () => {
    const net = new ScriptedNetwork();
    const m = new TileManager({ baseUrl: '/h', format: 'png', fetcher: net });
    m.want([{ order: 2, ipix: 7 }]);
    net.answer('Npix7.', tile);
    await flush();
    m.takeDecoded();
    m.reject(2, 7);
    expect(m.stateOf(2, 7)).toBe('failed');
    expect(m.isCached(2, 7)).toBe(false);
    expect(m.idle).toBe(true);
    m.want([{ order: 2, ipix: 7 }]);
    expect(net.requested.length).toBe(1);
    expect(m.pendingUploads).toBe(0);
  });

  it('aborts everything on destroy', () => {
    const net = new ScriptedNetwork();
    const m = new TileManager({ baseUrl: '/h', format: 'jpeg', fetcher: net });
    m.want([{ order: 0, ipix: 1 }, { order: 0, ipix: 2 }]);
    m.destroy();
    expect(net.aborted.length).toBe(2);
  });
});

describe('TileManager options', () => {
  it('options passed as undefined keep their defaults (6 requests at once, a 64 MiB CPU cache)', () => {
    const net = new ScriptedNetwork();
    const m = new TileManager({ baseUrl: '/h', format: 'png', fetcher: net, maxConcurrent: undefined, cpuBudgetBytes: undefined });
    m.want(Array.from({ length: 10 }, (_, i) => ({ order: 3, ipix: i })));
    expect(m.inFlight).toBe(6);
    expect(m.cpuCache.budgetBytes).toBe(64 * 1024 * 1024);
  });
  it('forgets the oldest 404/failed tiles beyond rememberedOutcomes, and asks for them again when wanted', async () => {
    const net = new ScriptedNetwork();
    const m = new TileManager({ baseUrl: '/h', format: 'png', fetcher: net, maxConcurrent: 8, rememberedOutcomes: 3 });
    // six views of one tile each: 404, 404, failed, 404, 404, 404
    for (let ipix = 0; ipix < 6; ipix++) {
      m.want([{ order: 2, ipix }]);
      net.answer(`Npix${ipix}.`, ipix === 2 ? new TileFetchError('broken', { retryable: false }) : null);
      await flush();
    }
    // the wanted tile plus the 3 most recent outcomes; the oldest went first
    expect(m.entryCount).toBe(4);
    expect([0, 1, 2, 3, 4, 5].map((i) => m.stateOf(2, i))).toEqual([undefined, undefined, 'failed', 'empty', 'empty', 'empty']);
    expect(net.requested.length).toBe(6);
    // a remembered 404 is not asked again, a forgotten one is
    m.want([{ order: 2, ipix: 3 }, { order: 2, ipix: 0 }]);
    expect(net.requested.slice(6)).toEqual(['/h/Norder2/Dir0/Npix0.png']);
    expect(() => new TileManager({ baseUrl: '/h', format: 'png', fetcher: net, rememberedOutcomes: -1 })).toThrow(/rememberedOutcomes/);
  });
});
