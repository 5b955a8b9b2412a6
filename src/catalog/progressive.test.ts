// Progressive catalogues without a GPU: the tile plan of a view (orders, cells in view by brute
// force sampling, parents first, pruning below complete tiles), opening the committed HiPS
// catalogue fixture (test/fixtures/hips/catalog/hip6, made by make_catalog_hips.py with healpy), and
// the tile loader over those real files (priority, 404 = empty, abort, LRU).
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { angularDistanceDeg, ang2pix, cellRadiusDeg, pix2ang } from '../hips/healpix.js';
import { catalogViewOrder, cellWidthRad, planCatalogTiles, CELLS_ACROSS } from './progressivePlan.js';
import { CatalogTileLoader } from './progressiveTiles.js';
import { HipsCatalogSourceError, loadHipsCatalogSource } from './hipsCatalogSource.js';

const FIXTURE = join(__dirname, '../../test/fixtures/hips/catalog/hip6');
const BASE = 'http://fixture.test/hip6';
const expected = JSON.parse(await readFile(join(FIXTURE, '../expected.json'), 'utf8')) as { nrows: number; tiles: Array<{ order: number; ipix: number; n: number; N: number; hip: number[] }> };

/** fetch over the fixture folder: files as they are, 404 for missing ones; optional delay that honours abort. */
function fixtureFetch(delayMs = 0) {
  return async (url: string, init?: { signal?: AbortSignal }): Promise<Response> => {
    if (delayMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, delayMs);
        init?.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    }
    const path = url.slice(BASE.length + 1);
    try {
      return new Response(await readFile(join(FIXTURE, path)), { status: 200 });
    } catch {
      return new Response('not found', { status: 404, statusText: 'Not Found' });
    }
  };
}

const until = async (ok: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('catalogue tile plan', () => {
  it('chooses the order with about CELLS_ACROSS cells across the field, clamped', () => {
    expect(catalogViewOrder(Math.PI, 1, 3)).toBe(1);
    expect(catalogViewOrder(Math.PI, 0, 10)).toBe(1); // order 0 cells (58°) > 180°/4
    for (const fovDeg of [120, 60, 20, 5, 1, 0.1]) {
      const fov = (fovDeg * Math.PI) / 180;
      const k = catalogViewOrder(fov, 0, 14);
      expect(cellWidthRad(k)).toBeLessThanOrEqual(fov / CELLS_ACROSS);
      if (k > 0) expect(cellWidthRad(k - 1)).toBeGreaterThan(fov / CELLS_ACROSS);
    }
    expect(catalogViewOrder(1e-6, 1, 3)).toBe(3);
    expect(() => catalogViewOrder(0, 1, 3)).toThrow(/fovRad/);
    expect(() => catalogViewOrder(1, 3, 1)).toThrow(/orderMin/);
  });

  it('a wide view asks for hips_order_min only', () => {
    const plan = planCatalogTiles({ raDeg: 0, decDeg: 0, radiusRad: Math.PI, fovRad: Math.PI * 2 }, 1, 3);
    expect(plan.order).toBe(1);
    expect(plan.tiles.map((t) => t.order)).toEqual(new Array(48).fill(1));
  });

  it('a narrow view asks for every cell it touches, parents first, nothing far away', () => {
    const view = { raDeg: 83.82, decDeg: -5.39, radiusRad: (6 * Math.PI) / 180, fovRad: (8 * Math.PI) / 180 };
    const plan = planCatalogTiles(view, 1, 3);
    expect(plan.order).toBe(3);
    const listed = new Set(plan.tiles.map((t) => `${t.order}/${t.ipix}`));
    // brute force: points sampled in the cone fall in listed cells of every order
    for (let i = 0; i < 4000; i++) {
      const r = 6 * Math.sqrt((i + 0.5) / 4000);
      const a = i * 2.399963;
      const dec = view.decDeg + r * Math.sin(a);
      const ra = view.raDeg + (r * Math.cos(a)) / Math.cos((dec * Math.PI) / 180);
      for (let k = 1; k <= 3; k++) expect(listed.has(`${k}/${ang2pix(k, ra, dec)}`), `${ra},${dec} at order ${k}`).toBe(true);
    }
    // every listed cell of the view order is near the cone
    for (const t of plan.tiles) {
      const [lon, lat] = pix2ang(t.order, t.ipix);
      expect(angularDistanceDeg(lon, lat, view.raDeg, view.decDeg)).toBeLessThanOrEqual(6 + cellRadiusDeg(t.order) + 1e-9);
    }
    // parents before children
    const at = new Map(plan.tiles.map((t, i) => [`${t.order}/${t.ipix}`, i]));
    for (const [i, t] of plan.tiles.entries()) if (t.order > 1) expect(at.get(`${t.order - 1}/${Math.floor(t.ipix / 4)}`)).toBeLessThan(i);
  });

  it('leaves out the children of tiles that hold all of their cell', () => {
    const view = { raDeg: 83.82, decDeg: -5.39, radiusRad: (6 * Math.PI) / 180, fovRad: (8 * Math.PI) / 180 };
    const all = planCatalogTiles(view, 1, 3);
    const order2 = all.tiles.filter((t) => t.order === 2);
    const complete = order2[0];
    const pruned = planCatalogTiles(view, 1, 3, (k, n) => k === complete.order && n === complete.ipix);
    expect(pruned.tiles.some((t) => t.order === 3 && Math.floor(t.ipix / 4) === complete.ipix)).toBe(false);
    expect(pruned.tiles.length).toBeLessThan(all.tiles.length);
  });
});

describe('HiPS catalogue source', () => {
  it('reads properties and metadata.xml of the fixture', async () => {
    const s = await loadHipsCatalogSource(BASE, fixtureFetch());
    expect(s).toMatchObject({ orderMin: 1, orderMax: 3 });
    expect(s.metadata?.raColumn).toBe('RAICRS');
    expect(s.metadata?.fields.map((f) => f.name)).toEqual(['HIP', 'RAICRS', 'DEICRS', 'Vmag', 'B-V']);
  });

  it('names what is wrong', async () => {
    const text = (body: string, status = 200) => async () => new Response(body, { status });
    await expect(loadHipsCatalogSource(BASE, text('', 404))).rejects.toThrow(/properties.*404/);
    await expect(loadHipsCatalogSource(BASE, text('dataproduct_type = image\nhips_order = 3\n'))).rejects.toThrow(/dataproduct_type 'image', not a catalogue/);
    await expect(loadHipsCatalogSource(BASE, text('dataproduct_type = catalog\nhips_tile_format = tsv\n'))).rejects.toThrow(/hips_order must be/);
    await expect(loadHipsCatalogSource(BASE, text('dataproduct_type = catalog\nhips_order = 3\nhips_order_min = 5\n'))).rejects.toThrow(/hips_order_min 5 is above/);
    await expect(loadHipsCatalogSource(BASE, async () => { throw new TypeError('Failed to fetch'); })).rejects.toThrow(HipsCatalogSourceError);
    await expect(loadHipsCatalogSource(BASE, text('dataproduct_type = catalog\nhips_order = 3\nesasky_cell_counts_url = /api/counts\n'))).rejects.toThrow(/esasky_cell_counts_url must contain '\{order\}'/);
  });

  it('reads the per-cell counts URL (esasky_cell_counts_url), resolved against the properties URL', async () => {
    const props = (v: string) => async (url: string) => url.endsWith('properties') ? new Response(`dataproduct_type = catalog\nhips_order = 3\nesasky_cell_counts_url = ${v}\n`) : new Response('', { status: 404 });
    const base = 'http://archive.test/catalogues/x/hips/';
    expect((await loadHipsCatalogSource(base, props('/api/coverage/catalogue/x/counts?order={order}'))).countsUrl).toBe('http://archive.test/api/coverage/catalogue/x/counts?order={order}');
    expect((await loadHipsCatalogSource(base, props('http://other.test/c/{order}.json'))).countsUrl).toBe('http://other.test/c/{order}.json');
    expect((await loadHipsCatalogSource(base, async (url) => url.endsWith('properties') ? new Response('dataproduct_type = catalog\nhips_order = 3\n') : new Response('', { status: 404 }))).countsUrl).toBeUndefined();
  });
});

describe('catalogue tile loader', () => {
  it('loads the wanted tiles in order; missing tiles are empty; rows are the tiles of expected.json', async () => {
    const src = await loadHipsCatalogSource(BASE, fixtureFetch());
    const loader = new CatalogTileLoader({ baseUrl: BASE, metadata: src.metadata!, fetch: fixtureFetch(), concurrency: 3 });
    // around order-3 cell 251, which holds no star of V <= 6 (no file: HTTP 404)
    const [raDeg, decDeg] = pix2ang(3, 251);
    const plan = planCatalogTiles({ raDeg, decDeg, radiusRad: (6 * Math.PI) / 180, fovRad: (8 * Math.PI) / 180 }, 1, 3);
    loader.want(plan.tiles);
    await until(() => loader.settled);
    expect(loader.requested).toEqual(plan.tiles.map((t) => `${BASE}/Norder${t.order}/Dir0/Npix${t.ipix}.tsv`));
    const byTile = new Map(expected.tiles.map((t) => [`${t.order}/${t.ipix}`, t]));
    let empty = 0;
    for (const t of plan.tiles) {
      const e = loader.get(t.order, t.ipix)!;
      const want = byTile.get(`${t.order}/${t.ipix}`);
      if (!want) {
        expect(e.state).toBe('empty');
        empty++;
        continue;
      }
      expect(e.state).toBe('ready');
      expect(Array.from(e.tile!.table.byName.HIP.values as ArrayLike<number>)).toEqual(want.hip);
      expect(e.tile!.mayHaveChildren).toBe(want.n < want.N);
    }
    expect(empty).toBeGreaterThan(0);
    expect(loader.stats).toMatchObject({ empty, failed: 0, loading: 0 });
  });

  it('aborts tiles that left the view and keeps at most maxTiles loaded', async () => {
    const aborted: string[] = [];
    const slow = fixtureFetch(30);
    const loader = new CatalogTileLoader({
      baseUrl: BASE, fetch: (url, init) => {
        init.signal.addEventListener('abort', () => aborted.push(url));
        return slow(url, init);
      }, concurrency: 2, maxTiles: 4,
    });
    loader.want([{ order: 1, ipix: 0 }, { order: 1, ipix: 1 }, { order: 1, ipix: 2 }]);
    expect(loader.stats.loading).toBe(2);
    loader.want([{ order: 1, ipix: 40 }, { order: 1, ipix: 41 }]);
    expect(aborted).toEqual([`${BASE}/Norder1/Dir0/Npix0.tsv`, `${BASE}/Norder1/Dir0/Npix1.tsv`]);
    expect(loader.get(1, 2)).toBeUndefined(); // never started, dropped
    await until(() => loader.settled);
    expect(loader.get(1, 40)?.state).toBe('ready');
    expect(loader.stats.aborted).toBe(2);
    // LRU: six more tiles; only 4 stay, the two of the current view among them
    for (const n of [10, 11, 12, 13]) {
      loader.want([{ order: 1, ipix: n }]);
      await until(() => loader.settled);
    }
    loader.want([{ order: 1, ipix: 40 }, { order: 1, ipix: 41 }]);
    await until(() => loader.settled);
    const kept = [0, 1, 10, 11, 12, 13, 40, 41].filter((n) => loader.get(1, n));
    expect(kept).toEqual([12, 13, 40, 41]);
    expect(loader.stats.evicted).toBe(4); // 40, 41 (while 12, 13 loaded), then 10, 11
    expect(loader.get(1, 40)?.state).toBe('ready');
  });

  it('reports unreadable tiles as failed with the URL and reason', async () => {
    const loader = new CatalogTileLoader({ baseUrl: BASE, fetch: async () => new Response('HIP\tRAICRS\tDEICRS\n1\tx\t2\n') });
    const settled: string[] = [];
    const l2 = new CatalogTileLoader({ baseUrl: BASE, fetch: async () => new Response('oops', { status: 500 }), onSettle: (e) => settled.push(e.error!) });
    loader.want([{ order: 1, ipix: 0 }]);
    l2.want([{ order: 1, ipix: 0 }]);
    await until(() => loader.settled && l2.settled);
    expect(loader.get(1, 0)?.error).toMatch(/Npix0\.tsv.*line 2.*no valid position/);
    expect(settled[0]).toMatch(/Npix0\.tsv: HTTP 500/);
  });
});
