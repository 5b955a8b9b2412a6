// Exact server-side tests of STC-S footprints built with INTERSECTION / NOT / UNION, BOX,
// POSITION, polygons beyond a hemisphere, RA 0/360 and the poles, against the independent
// reference test/fixtures/server/regions/regions.json (made by make_regions.py there with
// numpy / astropy / healpy): point in region, region meets cone, region meets polygon, the
// cells a region covers — directly, through the footprint search API, TAP INTERSECTS /
// CONTAINS on ivoa.ObsCore s_region and the esasky-tap fov column, and the coverage MOC, on
// SQLite and on PostgreSQL (a throwaway cluster; ESASKY_REQUIRE_PG=1 makes its absence a failure).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMoc, SpaceMoc } from '../src/hips/moc/index.js';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { replaceCollections, type ObservationRow } from './ingest/load.js';
import { openPostgres, openSqlite, type Database } from './storage/db.js';
import { ensureSchema } from './storage/schema.js';
import { centreOf, extentFrom, intersectsCone, parseStcs, regionContains, unit } from './storage/stcs.js';
import { regionIntersectsPolygon } from './tap/geometry.js';
import { firstCrossing } from './sso/crossing.js';
import { collectionTableName } from './tap/metadata.js';
import { pgUnavailable, startPgCluster } from './testing/pgCluster.js';

interface Fixture {
  cellOrder: number;
  regions: Array<{ stcs: string; cap: [number, number, number]; points: Array<[number, number, 0 | 1]>; cells: number[]; cellsGrown: number[] }>;
  cones: Array<[number, number, number]>;
  coneTruth: Array<Array<boolean | null>>;
  quads: Array<Array<[number, number]>>;
  quadTruth: Array<Array<boolean | null>>;
}
const FIX = JSON.parse(
  readFileSync(join(__dirname, '..', 'test', 'fixtures', 'server', 'regions', 'regions.json'), 'utf8'),
) as Fixture;
const DEG = Math.PI / 180;
const COLL = 'REGIONS';

describe('boolean STC-S footprints, directly (stcs.ts / stcsBoolean.ts)', () => {
  it('every fixture region parses into an exact shape, none falls back', () => {
    for (const r of FIX.regions) {
      const fp = parseStcs(r.stcs);
      expect(fp, r.stcs).toBeDefined();
      expect(fp!.some((s) => s.kind === 'boolean' || s.kind === 'circle'), r.stcs).toBe(true);
    }
  });

  it('point in region agrees with the reference on every fixture point', () => {
    let checked = 0;
    for (const r of FIX.regions) {
      const fp = parseStcs(r.stcs)!;
      const wrong = r.points.filter(([l, b, inside]) => regionContains(fp, unit(l, b)) !== (inside === 1));
      expect(wrong.slice(0, 5), `${r.stcs}: ${wrong.length} of ${r.points.length} points wrong`).toEqual([]);
      checked += r.points.length;
    }
    expect(checked).toBeGreaterThan(15_000);
  });

  it('the index reach (max_extent) from the centre covers every inside point; the centre is a finite direction', () => {
    for (const r of FIX.regions) {
      const fp = parseStcs(r.stcs)!;
      const c = centreOf(fp);
      expect(Number.isFinite(c.ra) && c.dec >= -90 && c.dec <= 90, r.stcs).toBe(true);
      const centre = unit(c.ra, c.dec);
      const reachDeg = extentFrom(fp, centre);
      let far = 0;
      for (const [l, b, inside] of r.points) {
        if (inside !== 1) continue;
        const p = unit(l, b);
        far = Math.max(far, Math.atan2(Math.hypot(p[1]! * centre[2]! - p[2]! * centre[1]!, p[2]! * centre[0]! - p[0]! * centre[2]!, p[0]! * centre[1]! - p[1]! * centre[0]!), p[0]! * centre[0]! + p[1]! * centre[1]! + p[2]! * centre[2]!) / DEG);
      }
      expect(reachDeg, r.stcs).toBeGreaterThanOrEqual(far);
      // only the regions that hold a NOT at top level reach the whole sky; an intersection is
      // bounded by its smallest member (the band ∩ 40° circle: 40°, not the band's 166°)
      if (/^(NOT \(POLYGON|NOT \(CIRCLE|UNION \(NOT)/.test(r.stcs)) expect(reachDeg, r.stcs).toBe(180);
      // (a polygon's bound is its farthest vertex plus half an edge: 90° edges of the lune add 45°)
      else expect(reachDeg, r.stcs).toBeLessThan(far + 50);
    }
  });

  it('region meets cone / polygon agrees with the reference on every decided pair', () => {
    const fps = FIX.regions.map((r) => parseStcs(r.stcs)!);
    let decided = 0;
    FIX.cones.forEach(([ra, dec, radius], i) => {
      fps.forEach((fp, j) => {
        const t = FIX.coneTruth[i]![j];
        if (t === null || t === undefined) return;
        decided++;
        expect(intersectsCone(fp, unit(ra, dec), radius * DEG), `cone ${ra} ${dec} ${radius} vs ${FIX.regions[j]!.stcs}`).toBe(t);
      });
    });
    FIX.quads.forEach((q, i) => {
      fps.forEach((fp, j) => {
        const t = FIX.quadTruth[i]![j];
        if (t === null || t === undefined) return;
        decided++;
        expect(regionIntersectsPolygon(fp, q), `polygon ${JSON.stringify(q)} vs ${FIX.regions[j]!.stcs}`).toBe(t);
      });
    });
    expect(decided).toBeGreaterThan(3000);
  });
});

/** Every region in COLL (the searches) and each alone in its own collection (the coverage MOCs). */
const own = (i: number): string => `REGION${String(i).padStart(2, '0')}`;
describe('SSO crossings of boolean footprints (sso/crossing.ts firstCrossing)', () => {
  // a body moving along the equator from RA 30° to RA −30° over 60 hours (1°/hour)
  const H = 3_600_000;
  const path = (t: number): { raDeg: number; decDeg: number } => ({ raDeg: (30 - t / H + 360) % 360, decDeg: 0 });

  it('enters an annulus at its outer ring, misses an empty intersection and a hole it stays in', () => {
    const annulus = parseStcs('INTERSECTION (CIRCLE 0 0 10 NOT (CIRCLE 0 0 4))')!;
    const hit = firstCrossing(path, annulus, 0, 60 * H, 0.01, 100_000)!;
    expect(hit).toBeDefined();
    expect(30 - hit.timeMs / H).toBeCloseTo(10, 1); // enters at RA 10°
    // empty: inside 10° and outside 12° (the s_fov fallback circle would have been crossed)
    expect(firstCrossing(path, parseStcs('INTERSECTION (CIRCLE 0 0 10 NOT (CIRCLE 0 0 12))')!, 0, 60 * H, 0.01, 100_000)).toBeUndefined();
    // only inside the hole (RA 3° to −3°) for hours 27–33: never in the annulus then
    expect(firstCrossing(path, annulus, 27.2 * H, 32.8 * H, 0.01, 100_000)).toBeUndefined();
  });
});

const rows: ObservationRow[] = FIX.regions.flatMap((r, i) =>
  [COLL, own(i)].map((c) => ({ obs_collection: c, obs_id: `region-${i}`, dataproduct_type: 'image', s_region: r.stcs })),
);
const collections = [COLL, ...FIX.regions.map((_, i) => own(i))].map((name) => ({ name, title: name, description: 'boolean STC-S' }));

function csvIds(body: string): number[] {
  const lines = body.trim().split(/\r?\n/).slice(1);
  return lines.filter((l) => l !== '').map((l) => Number(l.replace(/"/g, '').split('-')[1])).sort((a, b) => a - b);
}

function expected(truth: Array<boolean | null>): { yes: number[]; no: number[] } {
  const yes: number[] = [];
  const no: number[] = [];
  truth.forEach((t, j) => (t === true ? yes : t === false ? no : []).push(j));
  return { yes, no };
}

function suite(name: string, open: (dir: string) => Promise<{ db: Database; done: () => Promise<void> }>): void {
  describe(`boolean footprints through HTTP and TAP, ${name}`, () => {
    let app: FastifyInstance;
    let done: (() => Promise<void>) | undefined;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'esasky-regions-'));
      const opened = await open(dir);
      done = opened.done;
      await ensureSchema(opened.db);
      await replaceCollections(
        opened.db,
        { source: 'regions-test', credit: 'make_regions.py', collections, rows },
        { progress: null },
      );
      app = await buildApp(loadConfig({ DATA_DIR: dir }), { logger: false, database: opened.db });
    }, 180_000);

    afterAll(async () => {
      await app?.close();
      await done?.();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const tap = async (query: string, path = '/tap/sync'): Promise<number[]> => {
      const res = await app.inject(`${path}?REQUEST=doQuery&LANG=ADQL&FORMAT=csv&QUERY=${encodeURIComponent(query)}`);
      expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
      return csvIds(res.body);
    };

    it('the footprint search API returns exactly the regions meeting each cone', async () => {
      for (let i = 0; i < FIX.cones.length; i += 2) {
        const [ra, dec, radius] = FIX.cones[i]!;
        const res = await app.inject(`/api/observations/cone?ra=${ra}&dec=${dec}&radius=${radius}&collection=${COLL}&limit=100`);
        expect(res.statusCode, res.body).toBe(200);
        const got = (res.json() as { observations: Array<{ obs_id: string }> }).observations.map((o) => Number(o.obs_id.split('-')[1]));
        const { yes, no } = expected(FIX.coneTruth[i]!);
        for (const j of yes) expect(got, `cone ${i} must meet region ${j}`).toContain(j);
        for (const j of no) expect(got, `cone ${i} must miss region ${j}`).not.toContain(j);
      }
    }, 120_000);

    it('TAP INTERSECTS with CIRCLE and POLYGON on ivoa.ObsCore s_region and on the esasky fov column', async () => {
      const table = `observations.${collectionTableName(COLL)}`;
      for (let i = 1; i < FIX.cones.length; i += 3) {
        const [ra, dec, radius] = FIX.cones[i]!;
        const got = await tap(
          `SELECT obs_id FROM ivoa.ObsCore WHERE obs_collection = '${COLL}' AND INTERSECTS(s_region, CIRCLE('ICRS', ${ra}, ${dec}, ${radius})) = 1`,
        );
        const { yes, no } = expected(FIX.coneTruth[i]!);
        for (const j of yes) expect(got, `cone ${i} must meet region ${j}`).toContain(j);
        for (const j of no) expect(got, `cone ${i} must miss region ${j}`).not.toContain(j);
      }
      for (let i = 0; i < FIX.quads.length; i += 2) {
        const poly = FIX.quads[i]!.flat().join(', ');
        const got = await tap(`SELECT obs_id FROM ${table} WHERE INTERSECTS(fov, POLYGON('ICRS', ${poly})) = 1`, '/esasky-tap/tap/sync');
        const { yes, no } = expected(FIX.quadTruth[i]!);
        for (const j of yes) expect(got, `polygon ${i} must meet region ${j}`).toContain(j);
        for (const j of no) expect(got, `polygon ${i} must miss region ${j}`).not.toContain(j);
      }
    }, 120_000);

    it('TAP CONTAINS(POINT, s_region) returns the regions holding the point', async () => {
      for (const [k, r] of FIX.regions.entries()) {
        for (const [l, b, inside] of r.points.filter((_, n) => n % 160 === 0)) {
          const got = await tap(
            `SELECT obs_id FROM ivoa.ObsCore WHERE obs_collection = '${COLL}' AND CONTAINS(POINT('ICRS', ${l}, ${b}), s_region) = 1`,
          );
          expect(got.includes(k), `(${l}, ${b}) in ${r.stcs}`).toBe(inside === 1);
        }
      }
    }, 120_000);

    it('each coverage MOC holds every cell its region touches and stays within one ring of them', async () => {
      const order = FIX.cellOrder;
      const shift = BigInt(2 * (29 - order));
      for (const [i, r] of FIX.regions.entries()) {
        const res = await app.inject(`/api/coverage/collection/${own(i)}/moc?order=${order}`);
        expect(res.statusCode, res.body).toBe(200);
        const moc = readMoc(res.body) as SpaceMoc;
        const cells = new Set<number>();
        for (let k = 0; k < moc.ranges.length; k += 2) {
          for (let c = moc.ranges[k]! >> shift; c < moc.ranges[k + 1]! >> shift; c++) cells.add(Number(c));
        }
        const may = new Set(r.cellsGrown);
        expect(r.cells.filter((c) => !cells.has(c)), `${r.stcs}: cells missing`).toEqual([]);
        expect([...cells].filter((c) => !may.has(c)), `${r.stcs}: cells too many`).toEqual([]);
      }
    }, 120_000);
  });
}

suite('SQLite', async (dir) => {
  const db = openSqlite(join(dir, 'esasky.sqlite'));
  return { db, done: () => db.close() };
});

const noPg = pgUnavailable();
if (noPg !== undefined) {
  // .ci/run sets ESASKY_REQUIRE_PG=1: there a missing PostgreSQL is a failure, not a skip
  it(`PostgreSQL is available for these tests (${noPg})`, () => {
    expect(process.env['ESASKY_REQUIRE_PG'], noPg).toBeUndefined();
  });
} else {
  suite('PostgreSQL (throwaway cluster)', async () => {
    const cluster = await startPgCluster();
    const db = await openPostgres(cluster.url);
    // the app closes the pool it was given (app.close())
    return { db, done: async () => cluster.stop() };
  });
}
