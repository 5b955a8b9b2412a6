// Differential test of the ADQL translation: random valid queries (fast-check, seeded) over the
// shipped archive run on SQLite and on PostgreSQL (a throwaway cluster) must give the same rows
// — the two dialects differ in integer division, NULL ordering, LIKE case, ROUND/MOD/TRUNC types,
// GROUP BY strictness, and the translator must hide all of it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { bootstrap } from '../ingest/bootstrap.js';
import { openPostgres, openSqlite, type Database } from '../storage/db.js';
import { ensureSchema } from '../storage/schema.js';
import { pgUnavailable, startPgCluster, type PgCluster } from '../testing/pgCluster.js';
import { runAdql } from './execute.js';
import { loadTapMeta, type TapMeta } from './metadata.js';

const NUM = ['mag', 'ra', 'dec'];
const TEXT = ['name', 'type', 'common_name', 'designation'];

const num = fc.oneof(fc.integer({ min: -5, max: 20 }).map(String), fc.double({ min: -10, max: 30, noNaN: true }).map((v) => v.toFixed(2)));
const numExpr: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NUM),
  fc.tuple(fc.constantFrom(...NUM), fc.constantFrom('+', '-', '*', '/'), num).map(([c, op, n]) => (op === '/' && Number(n) === 0 ? c : `(${c} ${op} ${n})`)),
  fc.tuple(fc.constantFrom('ROUND', 'TRUNCATE'), fc.constantFrom(...NUM), fc.integer({ min: 0, max: 3 })).map(([f, c, n]) => `${f}(${c}, ${n})`),
  fc.tuple(fc.constantFrom('ABS', 'FLOOR', 'CEILING', 'SQRT', 'SIN', 'DEGREES'), fc.constantFrom(...NUM)).map(([f, c]) => (f === 'SQRT' ? `SQRT(ABS(${c}))` : `${f}(${c})`)),
  fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 7 })).map(([a, b]) => `(${a} / ${b} + MOD(${a}, ${b}))`),
  fc.tuple(fc.double({ min: 0, max: 359, noNaN: true }), fc.double({ min: -80, max: 80, noNaN: true })).map(
    ([a, d]) => `DISTANCE(POINT(ra, dec), POINT(${a.toFixed(3)}, ${d.toFixed(3)}))`,
  ),
);
const textExpr = fc.oneof(
  fc.constantFrom(...TEXT),
  fc.tuple(fc.constantFrom('UPPER', 'LOWER'), fc.constantFrom(...TEXT)).map(([f, c]) => `${f}(${c})`),
  fc.constantFrom(...TEXT).map((c) => `${c} || '-x'`),
);
const pred: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...NUM), fc.constantFrom('<', '<=', '>', '>=', '=', '<>'), num).map(([c, op, n]) => `${c} ${op} ${n}`),
  fc.tuple(fc.constantFrom(...NUM), num, num).map(([c, a, b]) => `${c} BETWEEN ${a} AND ${b}`),
  fc.tuple(fc.constantFrom('name', 'type'), fc.constantFrom("'M1%'", "'m1%'", "'%3'", "'gc'", "'M_'", "'G%'", "'%a%'"), fc.boolean(), fc.boolean()).map(
    ([c, p, not, i]) => `${c} ${not ? 'NOT ' : ''}${i ? 'ILIKE' : 'LIKE'} ${p}`,
  ),
  fc.tuple(fc.constantFrom(...TEXT, ...NUM), fc.boolean()).map(([c, not]) => `${c} IS ${not ? 'NOT ' : ''}NULL`),
  fc.constantFrom("type IN ('gc', 'oc', 'pn')", "name NOT IN ('M1', 'M31')", 'mag IN (5, 6.5, 9)'),
  fc.tuple(fc.double({ min: 0, max: 359, noNaN: true }), fc.double({ min: -85, max: 85, noNaN: true }), fc.double({ min: 1, max: 60, noNaN: true }), fc.constantFrom('1', '0')).map(
    ([a, d, r, v]) => `CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', ${a.toFixed(2)}, ${d.toFixed(2)}, ${r.toFixed(2)})) = ${v}`,
  ),
);
const cond = fc.tuple(fc.array(pred, { minLength: 1, maxLength: 3 }), fc.constantFrom('AND', 'OR'), fc.boolean()).map(
  ([ps, op, not]) => `${not ? 'NOT ' : ''}(${ps.join(` ${op} `)})`,
);
const plain = fc.tuple(fc.array(fc.oneof(numExpr, textExpr), { minLength: 1, maxLength: 4 }), fc.option(cond, { nil: undefined }), fc.boolean()).map(
  ([items, where, distinct]) =>
    `SELECT ${distinct ? 'DISTINCT ' : ''}${items.join(', ')} FROM esasky.messier${where ? ` WHERE ${where}` : ''} ORDER BY ${items.map((_, i) => i + 1).join(', ')}`,
);
const grouped = fc.tuple(fc.constantFrom('type', 'FLOOR(mag)', 'ROUND(dec / 10, 0)', 'UPPER(type)'), fc.constantFrom('COUNT(*)', 'AVG(mag)', 'MIN(ra)', 'MAX(name)', 'SUM(dec)', 'COUNT(DISTINCT type)'), fc.option(cond, { nil: undefined }), fc.boolean()).map(
  ([key, agg, where, having]) =>
    `SELECT ${key} AS k, ${agg} AS v FROM esasky.messier${where ? ` WHERE ${where}` : ''} GROUP BY ${key}${having ? ' HAVING COUNT(*) > 1' : ''} ORDER BY ${key}`,
);

/** Rows as comparable strings: numbers to 9 significant digits. */
function canon(rows: unknown[][]): string[] {
  return rows.map((r) => JSON.stringify(r.map((v) => (typeof v === 'number' ? Number(v.toPrecision(9)) : v))));
}

const pgSkip = pgUnavailable();
describe('ADQL answers the same on SQLite and PostgreSQL (differential)', () => {
  let dir: string;
  let lite: Database;
  let pgdb: Database | undefined;
  let cluster: PgCluster | undefined;
  let metaLite: TapMeta;
  let metaPg: TapMeta;

  beforeAll(async () => {
    if (pgSkip !== undefined) return;
    const root = loadConfig({ DATA_DIR: tmpdir() }).repoRoot;
    dir = mkdtempSync(join(tmpdir(), 'esasky-diff-'));
    lite = openSqlite(join(dir, 'd.sqlite'));
    cluster = await startPgCluster();
    pgdb = await openPostgres(cluster.url);
    for (const db of [lite, pgdb]) {
      await ensureSchema(db);
      await bootstrap(db, root, null);
    }
    metaLite = await loadTapMeta(lite);
    metaPg = await loadTapMeta(pgdb);
  }, 180_000);

  afterAll(async () => {
    await lite?.close();
    await pgdb?.close();
    cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('1000 random queries: the same rows, in the same order', async () => {
    if (pgSkip !== undefined) {
      // .ci/run sets ESASKY_REQUIRE_PG=1: there a missing PostgreSQL is a failure, not a skip
      expect(process.env['ESASKY_REQUIRE_PG'], pgSkip).toBeUndefined();
      console.warn(`differential ADQL test not run here: ${pgSkip}`);
      return;
    }
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(plain, grouped), async (q) => {
        const settle = (p: Promise<{ rows: unknown[][] }>) =>
          p.then(
            (r) => ({ rows: canon(r.rows) }),
            (e: Error) => ({ error: e.message }),
          );
        const [a, b] = await Promise.all([settle(runAdql(lite, metaLite, q, 10_000)), settle(runAdql(pgdb!, metaPg, q, 10_000))]);
        expect('error' in a ? a.error : undefined, q).toBeUndefined();
        expect('error' in b ? b.error : undefined, q).toBeUndefined();
        expect(b, q).toEqual(a);
        if ('rows' in a && a.rows.length > 0) nonEmpty++;
      }),
      { numRuns: 1000, seed: 7 },
    );
    expect(nonEmpty).toBeGreaterThan(100);
  }, 240_000);
});
