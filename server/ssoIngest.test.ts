// The SSO ingest and name lookups on SQLite and on a real PostgreSQL server: the shipped MPC
// files load, re-running replaces (same counts, no duplicate names), an ingest that fails
// halfway leaves the previous orbits, lookups by every kind of key, and the crossing search's
// index query gives the same answer on both back ends.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRepoRoot } from './config.js';
import { openPostgres, openSqlite, type Database } from './storage/db.js';
import { ensureSchema } from './storage/schema.js';
import { countSmallBodies, ensureSsoSchema, findSmallBodies, keysOf, nameKey, searchSmallBodies } from './storage/sso.js';
import { mpcSource, replaceSmallBodies } from './ingest/sso.js';
import { replaceCatalogue, replaceCollections } from './ingest/load.js';
import { starNamesSource } from './ingest/names.js';
import { resolveName } from './resolve/resolver.js';
import { observationsCrossed } from './storage/ssoObservations.js';
import { listCollections } from './storage/observations.js';
import { directionOf, msToMjd } from './sso/ephemeris.js';
import { lookupTargets } from './sso/targets.js';
import { pgUnavailable, startPgCluster, type PgCluster } from './testing/pgCluster.js';

const ROOT = findRepoRoot();
const SHIPPED = join(ROOT, 'data/sso');

describe('lookup keys', () => {
  it('one key for the ways a body is written', () => {
    expect(nameKey('(1) Ceres')).toBe(nameKey('1 ceres'));
    expect(nameKey('2013 FY27')).toBe(nameKey('2013fy27'));
    expect(nameKey('1I/`Oumuamua')).toBe('1i/oumuamua');
    expect(nameKey("1I/'Oumuamua")).toBe('1i/oumuamua');
    expect(nameKey('  ')).toBe('');
    const { orbits } = mpcSource(SHIPPED);
    const ceres = orbits.find((o) => o.label === '(1) Ceres')!;
    expect(keysOf(ceres).sort()).toEqual(['00001', '1', '1ceres', 'ceres']);
    const halley = orbits.find((o) => o.label === '1P/Halley')!;
    expect(keysOf(halley).sort()).toEqual(['0001p', '1p', '1p/halley', 'halley']);
  });
});

function suite(name: string, open: () => Promise<{ db: Database; done: () => Promise<void> }>): void {
  describe(name, () => {
    let db: Database;
    let done: () => Promise<void>;
    beforeAll(async () => {
      ({ db, done } = await open());
      await ensureSchema(db);
      await ensureSsoSchema(db);
    }, 120_000);
    afterAll(async () => done?.());

    it('loads the shipped orbits, and re-running replaces them', async () => {
      const src = mpcSource(SHIPPED);
      expect(src.skipped).toEqual([]);
      const first = await replaceSmallBodies(db, src, { progress: null });
      expect(first.rows).toBe(1358);
      const again = await replaceSmallBodies(db, mpcSource(SHIPPED), { progress: null });
      expect(again.rows).toBe(1358);
      expect((await countSmallBodies(db)).map((c) => [c.kind, c.n])).toEqual([
        ['asteroid', 500],
        ['comet', 858],
      ]);
      const names = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM sso_names');
      const expected = src.orbits.reduce((n, o) => n + keysOf(o).length, 0);
      expect(Number(names[0]!.n)).toBe(expected);
    });

    it('an ingest that fails halfway leaves the previous orbits', async () => {
      const before = await db.all<{ id: number; label: string }>('SELECT id, label FROM sso_objects ORDER BY id');
      const src = mpcSource(SHIPPED);
      await expect(
        replaceSmallBodies(db, src, {
          progress: null,
          onBatch: () => {
            throw new Error('killed halfway');
          },
        }),
      ).rejects.toThrow(/killed halfway/);
      expect(await db.all('SELECT id, label FROM sso_objects ORDER BY id')).toEqual(before);
    });

    it('finds bodies by name, number, designation and label', async () => {
      const label = async (n: string): Promise<string[]> => (await findSmallBodies(db, n)).map((o) => o.label);
      expect(await label('Ceres')).toEqual(['(1) Ceres']);
      expect(await label('1')).toEqual(['(1) Ceres']);
      expect(await label('(136199) Eris')).toEqual(['(136199) Eris']);
      expect(await label('2013 FY27')).toEqual(['2013 FY27']);
      expect(await label('C/1995 O1')).toEqual(['C/1995 O1 (Hale-Bopp)']);
      expect(await label('halley')).toEqual(['1P/Halley']);
      expect((await label('PANSTARRS')).length).toBeGreaterThan(10);
      expect(await label('nothing at all')).toEqual([]);
      const ceres = (await findSmallBodies(db, 'ceres'))[0]!;
      expect(ceres.elements.e).toBe(0.0760091);
      expect(ceres.hMag).toBe(3.34);
      // LIKE wildcards in a search are literal
      expect(await searchSmallBodies(db, '%', 5)).toEqual([]);
      expect((await searchSmallBodies(db, 'c/2020', 50)).every((o) => o.label.startsWith('C/2020'))).toBe(true);
    });

    it('the resolver: star names (Bayer components, brightest first) and Solar System bodies', async () => {
      const src = starNamesSource(join(ROOT, 'data/catalogs/starnames.json.gz'), join(ROOT, 'data/catalogs/stars.6.json'));
      await replaceCatalogue(db, src.spec, src.batches, { progress: null });
      const t = Date.parse('2026-01-01T00:00:00Z');
      expect((await resolveName(db, 'alpha Cen', t)).found).toMatchObject({ name: 'Rigil Kentaurus (α1 Cen)', source: 'starnames' });
      expect((await resolveName(db, 'HD 48915', t)).found).toMatchObject({ name: 'Sirius (α CMa)' });
      expect((await resolveName(db, 'HIP 32349', t)).found).toMatchObject({ source: 'starnames' }); // no hipparcos here
      expect((await resolveName(db, 'vesta', t)).found).toMatchObject({ name: '(4) Vesta', source: 'sso', kind: 'asteroid' });
      const none = await resolveName(db, 'M 42', t);
      expect(none.found).toBeUndefined();
      expect(!none.found && none.searched.join('; ')).toContain('catalogue messier: not ingested');
    });

    it('the crossing search finds a footprint placed on the path', async () => {
      const [ceres] = await lookupTargets(db, 'Ceres');
      const dir = directionOf(ceres!);
      const t = Date.parse('2019-06-01T00:00:00Z');
      const p = dir(t);
      const box = (ra: number, dec: number, h: number): string =>
        `POLYGON ${ra - h} ${dec - h} ${ra + h} ${dec - h} ${ra + h} ${dec + h} ${ra - h} ${dec + h}`;
      await replaceCollections(
        db,
        {
          source: 'sso-ingest-test',
          credit: 'test',
          collections: [{ name: 'X', title: 'X', description: 'X' }],
          rows: [
            { obs_collection: 'X', obs_id: 'hit', s_region: box(p.raDeg, p.decDeg, 0.01), t_min: msToMjd(t), t_max: msToMjd(t + 60_000) },
            { obs_collection: 'X', obs_id: 'miss', s_region: box(p.raDeg + 1, p.decDeg, 0.01), t_min: msToMjd(t), t_max: msToMjd(t + 60_000) },
          ],
        },
        { progress: null },
      );
      const r = await observationsCrossed(db, await listCollections(db), dir, Date.parse('2019-01-01'), Date.parse('2020-01-01'), 10);
      expect(r.hits.map((h) => h.row['obs_id'])).toEqual(['hit']);
      expect(r.candidates).toBe(2);
    });
  });
}

suite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'esasky-sso-ingest-'));
  const db = openSqlite(join(dir, 'esasky.sqlite'));
  return {
    db,
    done: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const skip = pgUnavailable();
if (skip === undefined) {
  let cluster: PgCluster | undefined;
  suite('PostgreSQL (throwaway cluster)', async () => {
    cluster = await startPgCluster();
    const db = await openPostgres(cluster.url);
    return {
      db,
      done: async () => {
        await db.close();
        cluster?.stop();
      },
    };
  });
} else {
  it(`PostgreSQL is available for the SSO tests (${skip})`, () => {
    expect(process.env['ESASKY_REQUIRE_PG'], skip).toBeUndefined();
  });
}

describe('bad orbit files', () => {
  it('names the file and its first bad line; skips and counts bad lines among good ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esasky-sso-bad-'));
    try {
      writeFileSync(join(dir, 'CometEls.txt'), 'not an orbit\n');
      expect(() => mpcSource(dir)).toThrow(/CometEls.txt: no line is a CometEls orbit \(line 1: CometEls line is 12 characters long/);
      expect(() => mpcSource(join(dir, 'nothing'))).toThrow(/no such file or directory/);
      const good =
        '    CJ95O010  1997 03 29.6259  0.916967  0.994927  130.6517  283.3587   88.9911  20200129  -2.0  4.0  C/1995 O1 (Hale-Bopp)                                    MPC106342';
      writeFileSync(join(dir, 'CometEls.txt'), `${good}\n${good.replace('0.994927', '0.99x927')}\n`);
      const src = mpcSource(dir);
      expect(src.orbits.length).toBe(1);
      expect(src.skipped).toEqual([{ file: join(dir, 'CometEls.txt'), line: 2, message: expect.stringMatching(/eccentricity/) as unknown as string }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
