// Catalogues as HiPS catalogues: on the shipped Hipparcos subset, every row is in exactly one
// tile of the hierarchy, in the tile's HEALPix cell (healpix maths checked against healpy
// elsewhere), with each tile holding the brightest rows its ancestors left out; the HTTP files
// (properties, metadata.xml read back by the project's VOTable parser, Moc.fits, TSV tiles) with
// caching headers, and errors that name the problem.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { openSqlite } from './storage/db.js';
import { getCatalogue } from './storage/catalogues.js';
import { catalogueHipsOrder, catalogueTile, hipsOrderOf, tileTsv, TILE_ROWS } from './storage/catalogueHips.js';
import { parseHipsCatalogTile } from '../src/hips/catalog.js';
import { ang2pix } from '../src/hips/healpix.js';
import { parseVoTable } from '../src/workers/tables/index.js';
import { SpaceMoc } from '../src/hips/moc/index.js';

let dir: string;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'esasky-cathips-'));
  app = await buildApp(loadConfig({ DATA_DIR: dir }), { logger: false });
  expect((await app.inject('/api/catalogues')).statusCode).toBe(200); // first use fills the database
}, 60_000);

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('catalogue HiPS tiles (storage)', () => {
  it('puts every row in exactly one tile, inside its cell, brightest first down the hierarchy', async () => {
    const db = openSqlite(join(dir, 'esasky.sqlite'));
    try {
      const cat = (await getCatalogue(db, 'hipparcos'))!;
      // small tiles so that the ~5,000 shipped stars need several orders
      const tileRows = 8;
      const order = 3;
      const seen = new Map<number, string>();
      const raCol = cat.columns.findIndex((c) => c.name === 'ra');
      const decCol = cat.columns.findIndex((c) => c.name === 'dec');
      const magCol = cat.columns.findIndex((c) => c.name === 'mag');
      const idCol = cat.columns.findIndex((c) => c.name === 'hip');
      const worstByTile = new Map<string, number>();
      const subtree = new Map<string, readonly [number, number]>();
      for (let k = 0; k <= order; k++) {
        for (let n = 0; n < 12 * 4 ** k; n++) {
          const t = await catalogueTile(db, cat, order, k, n, tileRows);
          if (k < order) expect(t.rows.length).toBeLessThanOrEqual(tileRows);
          let worst = -Infinity;
          for (const r of t.rows) {
            const key = `${r[idCol]}`;
            expect(seen.has(Number(key)), `row ${key} in ${k}/${n} and ${seen.get(Number(key))}`).toBe(false);
            seen.set(Number(key), `${k}/${n}`);
            expect(ang2pix(k, r[raCol] as number, r[decCol] as number)).toBe(n);
            worst = Math.max(worst, (r[magCol] as number | null) ?? Infinity);
          }
          worstByTile.set(`${k}/${n}`, worst);
          // a tile's rows are no fainter than any row its children hold (brightest first)
          if (k > 0 && t.rows.length > 0) {
            const best = Math.min(...t.rows.map((r) => (r[magCol] as number | null) ?? Infinity));
            const parentWorst = worstByTile.get(`${k - 1}/${Math.floor(n / 4)}`)!;
            expect(best).toBeGreaterThanOrEqual(parentWorst);
          }
          expect(t.completeness[1]).toBeGreaterThanOrEqual(t.completeness[0]);
          if (k === order) expect(t.completeness[0]).toBe(t.completeness[1]);
          // n = the tile's rows (what parseHipsCatalogTile checks); N = its rows + its children's N
          expect(t.completeness[0]).toBe(t.rows.length);
          subtree.set(`${k}/${n}`, t.completeness);
          if (t.rows.length > 0 || k === 0) expect(() => parseHipsCatalogTile(tileTsv(t), { order: k, ipix: n })).not.toThrow();
        }
      }
      expect(seen.size).toBe(cat.rowCount);
      for (let k = 0; k < order; k++) {
        for (let n = 0; n < 12 * 4 ** k; n++) {
          const [rows, inCell] = subtree.get(`${k}/${n}`)!;
          const children = [0, 1, 2, 3].reduce((s, j) => s + subtree.get(`${k + 1}/${4 * n + j}`)![1], 0);
          expect(inCell, `tile ${k}/${n}`).toBe(rows + children);
        }
      }
      let top = 0;
      for (let n = 0; n < 12; n++) top += subtree.get(`0/${n}`)![1];
      expect(top).toBe(cat.rowCount);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('chooses hips_order so that deepest tiles stay small', () => {
    const counts = new Float64Array(12 * 4 ** 6);
    counts[100] = 10_000; // one dense order-6 cell: 2 more orders until <= 2000 per cell
    expect(catalogueHipsOrder(counts)).toBe(8);
    counts.fill(1); // sparse: coarser cells still hold <= 2000 rows
    expect(catalogueHipsOrder(counts)).toBe(1); // order 1 cells hold 1024 rows, order 0 would hold 4096
    expect(catalogueHipsOrder(new Float64Array(12 * 4 ** 6))).toBe(0);
  });

  it('rejects tiles outside the hierarchy', async () => {
    const db = openSqlite(join(dir, 'esasky.sqlite'));
    try {
      const cat = (await getCatalogue(db, 'hipparcos'))!;
      await expect(catalogueTile(db, cat, 2, 3, 0)).rejects.toThrow(/order 3 is outside 0..2/);
      await expect(catalogueTile(db, cat, 2, 1, 48)).rejects.toThrow(/Npix48 does not exist at order 1/);
    } finally {
      await db.close();
    }
  });
});

describe('catalogue HiPS over HTTP', () => {
  it('serves properties, metadata.xml, Moc.fits and TSV tiles with caching headers', async () => {
    const base = '/catalogues/hipparcos/hips';
    const props = await app.inject(`${base}/properties`);
    expect(props.statusCode).toBe(200);
    expect(props.headers['access-control-allow-origin']).toBe('*');
    const p = Object.fromEntries(props.body.trim().split('\n').map((l) => l.split(/\s*=\s*/, 2) as [string, string]));
    expect(p).toMatchObject({ dataproduct_type: 'catalog', hips_tile_format: 'tsv', hips_frame: 'equatorial', hips_order_min: '0' });
    const db = openSqlite(join(dir, 'esasky.sqlite'));
    const cat = (await getCatalogue(db, 'hipparcos'))!;
    const order = await hipsOrderOf(db, cat);
    await db.close();
    expect(p['hips_order']).toBe(String(order));
    expect(p['hips_cat_nrows']).toBe(String(cat.rowCount));
    expect(p['hips_service_url']).toMatch(/\/catalogues\/hipparcos\/hips$/);

    const meta = await app.inject(`${base}/metadata.xml`);
    const table = parseVoTable(meta.body).tables[0]!;
    expect(table.columns.map((c) => c.name)).toEqual(cat.columns.map((c) => c.name));
    expect(table.columns.find((c) => c.name === 'ra')?.ucd).toBe('pos.eq.ra;meta.main');

    const moc = SpaceMoc.fromFits(new Uint8Array((await app.inject(`${base}/Moc.fits`)).rawPayload));
    expect(moc.contains(101.287, -16.716)).toBe(true); // Sirius's cell holds a star

    // order-0 tiles: up to TILE_ROWS rows (or all at hips_order 0), header line, Completeness
    let total = 0;
    for (let n = 0; n < 12; n++) {
      const r = await app.inject(`${base}/Norder0/Dir0/Npix${n}.tsv`);
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/tab-separated/);
      const lines = r.body.trim().split('\n');
      expect(lines[0]).toMatch(/^# Completeness = \d+ \/ \d+$/);
      expect(lines[1]!.split('\t')).toEqual(cat.columns.map((c) => c.name));
      total += lines.length - 2;
      if (order > 0) expect(lines.length - 2).toBeLessThanOrEqual(TILE_ROWS);
    }
    expect(total).toBeGreaterThan(0);
    const again = await app.inject({ url: `${base}/Norder0/Dir0/Npix4.tsv` });
    const etag = again.headers['etag'] as string;
    expect(etag).toMatch(/^"/);
    expect((await app.inject({ url: `${base}/Norder0/Dir0/Npix4.tsv`, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
  });

  it('answers 404 naming the problem', async () => {
    const nope = await app.inject('/catalogues/nope/hips/properties');
    expect(nope.statusCode).toBe(404);
    expect(nope.body).toMatch(/no catalogue named \\"nope\\"/);
    const deep = await app.inject('/catalogues/hipparcos/hips/Norder20/Dir0/Npix0.tsv');
    expect(deep.statusCode).toBe(404);
    expect(deep.body).toMatch(/hips_order/);
    const wrongDir = await app.inject('/catalogues/hipparcos/hips/Norder0/Dir10000/Npix3.tsv');
    expect(wrongDir.statusCode).toBe(404);
    const other = await app.inject('/catalogues/hipparcos/hips/../../etc/passwd');
    expect([400, 404]).toContain(other.statusCode);
  });
});
