// astroquery.esasky's Solar System functions (Debian python3-astroquery, driven by
// tap/astroquery_sso_client.py) against /esasky-tap: list_sso, find_sso (our
// /esasky-tap/generalresolver over the archive's orbits), query_sso (its ADQL join of a collection
// table, sso.xmatch and sso.ssoid, precomputed by `npm run ingest -- sso-xmatch`) and
// get_images_sso. The reference: a test collection whose footprints are placed on Ceres' path as
// the independent astropy reference gives it (test/fixtures/sso/sso_reference.json, as in
// ssoApi.test.ts) — the on-path, pass-through and s_fov-circle observations are crossed, the
// right-place-wrong-time, right-time-wrong-place and untimed ones are not. Skips (logged) only when
// astroquery is missing; with ESASKY_REQUIRE_VO_TOOLS=1 (CI) that is a failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { bootstrap } from './ingest/bootstrap.js';
import { replaceCollections, type ObservationRow } from './ingest/load.js';
import { productDir, productUrl } from './ingest/products.js';
import { buildSsoCrossmatch } from './ingest/ssoXmatch.js';
import { openPostgres, openSqlite, type Database } from './storage/db.js';
import { pgUnavailable, startPgCluster } from './testing/pgCluster.js';
import { ensureSchema } from './storage/schema.js';
import { msToMjd } from './sso/ephemeris.js';
import { runProcess } from './testing/runProcess.js';

const PYTHON = '/usr/bin/python3';
const config0 = loadConfig({});
const IMAGE = join(config0.repoRoot, '..', 'shared', 'data', 'fits_samples', 'HorseHead.fits');
const DEG = Math.PI / 180;

const reference = JSON.parse(readFileSync(new URL('../test/fixtures/sso/sso_reference.json', import.meta.url), 'utf8')) as {
  cases: Array<{ label: string; points: Array<{ utc: string; raDeg: number; decDeg: number }> }>;
};
const ceres = reference.cases.find((c) => c.label === '(1) Ceres')!.points[1]!;
const T0 = Date.parse(ceres.utc);
const MIN = 60_000;

function square(ra: number, dec: number, h: number): string {
  const c = Math.cos(dec * DEG);
  const v = [
    [ra - h / c, dec - h],
    [ra + h / c, dec - h],
    [ra + h / c, dec + h],
    [ra - h / c, dec + h],
  ];
  return `POLYGON ICRS ${v.map(([a, b]) => `${a!.toFixed(6)} ${b!.toFixed(6)}`).join(' ')}`;
}

const COLL = 'SSOTEST';
const obs = (id: string, region: string | null, t0Ms: number | null, t1Ms: number | null, extra: ObservationRow = {}): ObservationRow => ({
  obs_collection: COLL,
  obs_id: id,
  dataproduct_type: 'image',
  s_region: region,
  t_min: t0Ms === null ? null : msToMjd(t0Ms),
  t_max: t1Ms === null ? null : msToMjd(t1Ms),
  access_url: productUrl(COLL, id),
  access_format: 'application/fits',
  ...extra,
});
const ROWS: ObservationRow[] = [
  obs('on-path', square(ceres.raDeg, ceres.decDeg, 20 / 3600), T0 - 5 * MIN, T0 + 5 * MIN),
  obs('right-place-wrong-time', square(ceres.raDeg, ceres.decDeg, 20 / 3600), T0 + 3 * 86_400_000, T0 + 3 * 86_400_000 + 10 * MIN),
  obs('right-time-wrong-place', square(ceres.raDeg + 0.5, ceres.decDeg, 20 / 3600), T0 - 5 * MIN, T0 + 5 * MIN),
  obs('passes-through', square(ceres.raDeg, ceres.decDeg, 10 / 3600), T0 - 12 * 60 * MIN, T0 + 12 * 60 * MIN),
  obs('fov-circle', null, T0, T0 + MIN, { s_ra: ceres.raDeg, s_dec: ceres.decDeg, s_fov: 0.02 }),
  obs('untimed', square(ceres.raDeg, ceres.decDeg, 1), null, null),
];
const CROSSED = ['fov-circle', 'on-path', 'passes-through'];


function ssoSuite(name: string, open: (dir: string) => Promise<{ db: Database; done: () => Promise<void> }>): void {
  describe.skipIf(!existsSync(IMAGE))(`astroquery.esasky SSO functions against /esasky-tap, ${name}`, () => {
    let app: FastifyInstance;
    let db: Database;
    let done: (() => Promise<void>) | undefined;
    let dir: string;
    let origin: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'esasky-aq-sso-'));
      const config = loadConfig({ DATA_DIR: dir });
      ({ db, done } = await open(dir));
      await ensureSchema(db);
      await bootstrap(db, config.repoRoot, null);
      await replaceCollections(
        db,
        { source: 'sso-test', credit: 'test footprints on the astropy reference path of Ceres', collections: [{ name: COLL, title: 'SSO test', description: 'footprints on and off the path of Ceres' }], rows: ROWS },
        { progress: null },
      );
      // each observation's product: a real FITS image
      mkdirSync(productDir(dir, COLL), { recursive: true });
      for (const r of ROWS) copyFileSync(IMAGE, join(productDir(dir, COLL), `${String(r['obs_id'])}.fits`));
      // Ceres, Pallas and Halley against every collection (a sweep of all 1,358 orbits takes minutes here)
      const report = await buildSsoCrossmatch(db, { bodies: ['Ceres', 'Pallas', '1P/Halley'], progress: null });
      expect(report.rows).toBe(CROSSED.length);
      app = await buildApp(config, { logger: false, database: db });
      await app.listen({ port: 0, host: '127.0.0.1' });
      origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    }, 180_000);

    afterAll(async () => {
      await app?.close();
      await done?.();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('the cross-match holds exactly the crossings of the reference geometry; the resolver and its errors', async () => {
      const x = await db.all<{ obs_id: string; sso_name: string; sso_type: string; sso_mjd: number }>(
        'SELECT o.obs_id, i.sso_name, i.sso_type, x.sso_mjd FROM sso_xmatch x JOIN observations o ON o.id = x.observation_oid ' +
          'JOIN sso_ids i ON i.sso_oid = x.sso_oid ORDER BY o.obs_id',
      );
      expect(x.map((r) => [r.obs_id, r.sso_name, r.sso_type])).toEqual(CROSSED.map((id) => [id, 'Ceres', 'aster']));
      for (const r of x) {
        const row = ROWS.find((o) => o.obs_id === r.obs_id)!;
        expect(r.sso_mjd).toBeGreaterThanOrEqual(Number(row['t_min']) - 1e-9);
        expect(r.sso_mjd).toBeLessThanOrEqual(Number(row['t_max']) + 1e-9);
      }
      expect((await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM sso_ids'))[0]!.n).toBe(3);
      const halley = await (await fetch(`${origin}/esasky-tap/generalresolver?action=bytarget&target=1P&type=comet`)).json();
      expect(halley).toEqual({ ssoDnetResults: { errorMessage: null, results: [expect.objectContaining({ name: '1P', ssoObjType: 'Comet' })] } });
      const none = await (await fetch(`${origin}/esasky-tap/generalresolver?action=bytarget&target=Vulcan`)).json();
      expect(none).toEqual({ ssoDnetResults: { errorMessage: null, results: [] } });
      const bad = await fetch(`${origin}/esasky-tap/generalresolver?action=bytarget&target=Ceres&type=moonlet`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/type must be one of ALL, ASTEROID/);
      const noAction = await fetch(`${origin}/esasky-tap/generalresolver?target=Ceres`);
      expect(noAction.status).toBe(400);
      expect(((await noAction.json()) as { message: string }).message).toMatch(/action/);
      const sso = ((await (await fetch(`${origin}/esasky-tap/sso`)).json()) as { descriptors: Array<{ mission: string; tapTable: string; ssoXMatchTapTable: string }> }).descriptors;
      expect(sso.find((d) => d.mission === COLL)).toMatchObject({ tapTable: 'observations.ssotest', ssoXMatchTapTable: 'sso.xmatch' });
    });

    it('list_sso, find_sso, query_sso and get_images_sso', async () => {
      const aq = spawnSync(PYTHON, ['-c', 'import astroquery.esasky'], { encoding: 'utf8' });
      if (aq.status !== 0) {
        const why = `astroquery is not importable by ${PYTHON} (apt-get install -y python3-astroquery)`;
        expect(process.env['ESASKY_REQUIRE_VO_TOOLS'], why).toBeUndefined();
        console.warn(`astroquery SSO test not run here: ${why}`);
        return;
      }
      const home = mkdtempSync(join(tmpdir(), 'esasky-aq-home-'));
      const res = await runProcess(
        PYTHON,
        [join(config0.repoRoot, 'server/tap/astroquery_sso_client.py'), `${origin}/esasky-tap`, join(dir, 'Maps'), COLL, 'Ceres', '1P/Halley'],
        180_000,
        { HOME: home, XDG_CACHE_HOME: join(home, '.cache'), XDG_CONFIG_HOME: join(home, '.config') },
      );
      rmSync(home, { recursive: true, force: true });
      expect(res.code, res.stderr.slice(-3000)).toBe(0);
      const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as {
        missions: string[];
        find: Array<{ sso_name: string; sso_type: string; aliases: string[] }>;
        find_comet: string[];
        find_wrong_type: unknown[];
        query_one: string[];
        query_columns: string[];
        query_mjd: Record<string, number>;
        query_all: Record<string, string[]>;
        query_comet: Record<string, number>;
        images: Record<string, string>;
      };
      const timed = (await db.all<{ c: string }>('SELECT DISTINCT collection AS c FROM observations WHERE t_min IS NOT NULL AND t_max IS NOT NULL ORDER BY collection')).map((r) => r.c);
      expect(out.missions).toEqual(timed);
      expect(out.find).toEqual([{ sso_name: 'Ceres', sso_type: 'Asteroid', aliases: ['(1) Ceres', '1', 'Ceres'] }]);
      expect(out.find_comet).toEqual(['1P']);
      expect(out.find_wrong_type).toEqual([]);
      expect(out.query_one).toEqual(CROSSED);
      expect(out.query_columns).toEqual(expect.arrayContaining(['obs_id', 'product_url', 'sso_mjd', 'sso_ra', 'sso_dec', 'sso_name', 'sso_type']));
      for (const id of CROSSED) {
        const row = ROWS.find((o) => o.obs_id === id)!;
        expect(out.query_mjd[id]).toBeGreaterThanOrEqual(Number(row['t_min']) - 1e-9);
        expect(out.query_mjd[id]).toBeLessThanOrEqual(Number(row['t_max']) + 1e-9);
      }
      // every mission searched: Ceres crossed only the test footprints (none of the ESO ones), Halley nothing
      expect(out.query_all).toEqual({ [COLL]: CROSSED });
      expect(out.query_comet).toEqual({});
      const sha = createHash('sha256').update(readFileSync(IMAGE)).digest('hex');
      expect(out.images).toEqual(Object.fromEntries(CROSSED.map((id) => [`${id}.fits`, sha])));
    }, 240_000);

    it('replacing the collection empties the cross-match rows that named its observations', async () => {
      const count = async (): Promise<number> => Number((await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM sso_xmatch'))[0]!.n);
      expect(await count()).toBe(CROSSED.length);
      await replaceCollections(
        db,
        { source: 'sso-test', credit: 'test', collections: [{ name: COLL, title: 'SSO test', description: 'again' }], rows: ROWS },
        { progress: null },
      );
      expect(await count()).toBe(0);
    });
  });
}

ssoSuite('SQLite', async (dir) => {
  const db = openSqlite(join(dir, 'esasky.sqlite'));
  return { db, done: () => db.close() };
});

const noPg = pgUnavailable();
if (noPg !== undefined) {
  // .ci/run sets ESASKY_REQUIRE_PG=1: there a missing PostgreSQL is a failure, not a skip
  it(`PostgreSQL is available for these tests (${noPg})`, () => {
    expect(process.env['ESASKY_REQUIRE_PG'], noPg).toBeUndefined();
    console.warn(`PostgreSQL SSO tests not run here: ${noPg}`);
  });
} else {
  ssoSuite('PostgreSQL (throwaway cluster)', async () => {
    const cluster = await startPgCluster();
    const db = await openPostgres(cluster.url);
    // the app closes the pool it was given (app.close())
    return { db, done: async () => cluster.stop() };
  });
}
