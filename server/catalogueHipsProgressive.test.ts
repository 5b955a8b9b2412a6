// The progressive-catalogue client (src/catalog: plan, source, tile loader) against the real
// archive server's HiPS catalogue of the shipped Hipparcos subset (data/catalogs/stars.6.json),
// requests going through fastify's inject: a wide view reads hips_order_min only; a narrow view
// reads only the tiles near it, and the rows read are exactly the shipped stars in the view's
// cells, each once; a tile outside the hierarchy (HTTP 404) is empty.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { loadHipsCatalogSource } from '../src/catalog/hipsCatalogSource.js';
import { planCatalogTiles } from '../src/catalog/progressivePlan.js';
import { CatalogTileLoader } from '../src/catalog/progressiveTiles.js';
import { ang2pix } from '../src/hips/healpix.js';
import { validateCellCounts } from '../src/catalog/densityCells.js';

let dir: string;
let app: FastifyInstance;
const ORIGIN = 'http://archive.test';
const BASE = `${ORIGIN}/catalogues/hipparcos/hips`;

const injectFetch = async (url: string): Promise<Response> => {
  const res = await app.inject({ method: 'GET', url: url.slice(ORIGIN.length) });
  return new Response(res.statusCode === 204 ? null : res.rawPayload, { status: res.statusCode });
};

const until = async (ok: () => boolean, ms = 30_000) => {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'esasky-progressive-'));
  app = await buildApp(loadConfig({ DATA_DIR: dir }), { logger: false });
  expect((await app.inject('/api/catalogues')).statusCode).toBe(200);
}, 60_000);

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('progressive catalogue client on the archive server', () => {
  it('reads only what the views need; the rows are the shipped stars of the view cells', async () => {
    const source = await loadHipsCatalogSource(BASE, injectFetch);
    expect(source.metadata?.raColumn).toBeTruthy();
    const { orderMin, orderMax } = source;
    expect(orderMax).toBeGreaterThanOrEqual(orderMin);
    const loader = new CatalogTileLoader({ baseUrl: BASE, metadata: source.metadata!, fetch: injectFetch });

    const wide = planCatalogTiles({ raDeg: 0, decDeg: 0, radiusRad: Math.PI, fovRad: 2 * Math.PI }, orderMin, orderMax);
    expect(wide.order).toBe(orderMin);
    expect(wide.tiles.length).toBe(12 * 4 ** orderMin);
    expect(wide.tiles.every((t) => t.order === orderMin)).toBe(true);
    loader.want(wide.tiles);
    await until(() => loader.settled);
    expect(loader.stats.failed).toBe(0);

    // narrow view on Orion at the catalogue's deepest order
    const view = { raDeg: 83.82, decDeg: -5.39, radiusRad: (2 * Math.PI) / 180, fovRad: (2.5 * Math.PI) / 180 };
    const plan = planCatalogTiles(view, orderMin, orderMax);
    // the shipped 5,044 stars fit one order (hips_order 0: no order-0 cell holds more than
    // DEEPEST_MAX rows), so here the view order is hips_order and only the cells near Orion are read
    // (the multi-order hierarchy is checked on test/fixtures/hips/catalog in src/catalog and the browser)
    expect(plan.order).toBe(orderMax);
    expect(plan.tiles.length).toBeLessThan(12 * 4 ** orderMax);
    const before = loader.requested.length;
    loader.want(plan.tiles);
    await until(() => loader.settled);
    expect(loader.stats.failed).toBe(0);
    // only tiles of the plan were asked for, and none twice
    const asked = loader.requested.slice(before);
    expect(new Set(loader.requested).size).toBe(loader.requested.length);
    for (const u of asked) expect(plan.tiles.some((t) => u.endsWith(`/Norder${t.order}/Dir0/Npix${t.ipix}.tsv`))).toBe(true);

    // every shipped star in the cells of the view's order is read exactly once
    const cells = new Set(plan.tiles.filter((t) => t.order === plan.order).map((t) => t.ipix));
    const stars = (JSON.parse(readFileSync(join(__dirname, '../data/catalogs/stars.6.json'), 'utf8')).features as Array<{ geometry: { coordinates: [number, number] } }>)
      .map((f) => [(f.geometry.coordinates[0] + 360) % 360, f.geometry.coordinates[1]] as const)
      .filter(([ra, dec]) => cells.has(ang2pix(plan.order, ra, dec)));
    expect(stars.length).toBeGreaterThan(5);
    const got: Array<[number, number]> = [];
    for (const t of plan.tiles) {
      const e = loader.get(t.order, t.ipix)!;
      if (e.state !== 'ready') continue;
      for (let i = 0; i < e.tile!.raDeg.length; i++) {
        const ra = e.tile!.raDeg[i];
        const dec = e.tile!.decDeg[i];
        if (cells.has(ang2pix(plan.order, ra, dec))) got.push([ra, dec]);
      }
    }
    const key = ([ra, dec]: readonly [number, number]) => `${Math.round(ra * 1e6)},${Math.round(dec * 1e6)}`;
    expect(got.map(key).sort()).toEqual(stars.map(key).sort());

    // a tile below hips_order does not exist: 404, empty
    const deeper = { order: orderMax + 1, ipix: 4 * plan.tiles[plan.tiles.length - 1].ipix };
    loader.want([deeper]);
    await until(() => loader.settled);
    expect(loader.get(deeper.order, deeper.ipix)?.state).toBe('empty');
  }, 120_000);

  it('advertises its per-cell counts for the density view, and they are healpy\'s counts of the same stars', async () => {
    const source = await loadHipsCatalogSource(BASE, injectFetch);
    // (the server names its own origin, here fastify inject's)
    const path = new URL(source.countsUrl!.replace('{order}', 'K')).pathname + new URL(source.countsUrl!.replace('{order}', 'K')).search;
    expect(path).toBe('/api/coverage/catalogue/hipparcos/counts?order=K');
    for (const k of [0, 3, 5, 7]) {
      const res = await app.inject({ method: 'GET', url: path.replace('K', String(k)) });
      expect(res.statusCode).toBe(200);
      const answer = validateCellCounts(res.json(), 'counts');
      // test/fixtures/hips/catalog/counts/make_counts.py: healpy over data/catalogs/stars.6.json
      const ref = JSON.parse(readFileSync(join(__dirname, `../test/fixtures/hips/catalog/counts/order${k}.json`), 'utf8')) as { order: number; cells: number[]; counts: number[] };
      expect({ order: answer.order, cells: Array.from(answer.cells), counts: Array.from(answer.counts) }).toEqual({ order: ref.order, cells: ref.cells, counts: ref.counts });
    }
  }, 60_000);
});
