// The ADQL parser and translator: syntax trees of the supported forms, errors that name the line,
// column and token, SQL that never carries user text (only bound parameters), and fuzzing:
// random and mutated ADQL run end to end against a real SQLite archive never crash and never
// fail with anything but a clean AdqlError / TapUserError.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config.js';
import { bootstrap } from '../ingest/bootstrap.js';
import { openSqlite, type Database } from '../storage/db.js';
import { ensureSchema } from '../storage/schema.js';
import { runAdql, TapUserError } from './execute.js';
import { AdqlError, tokenize } from './lexer.js';
import { loadTapMeta, type TapMeta } from './metadata.js';
import { parseAdql } from './parser.js';
import { likeToGlob, translate } from './translate.js';

// generous per-test limits: these run real databases on shared, busy CI machines
vi.setConfig({ testTimeout: 60_000 });

function parseError(q: string): AdqlError {
  try {
    parseAdql(q);
  } catch (e) {
    expect(e).toBeInstanceOf(AdqlError);
    return e as AdqlError;
  }
  throw new Error(`no error for ${q}`);
}

describe('ADQL parser', () => {
  it('reads SELECT DISTINCT TOP, aliases, stars, joins, WHERE, GROUP BY, HAVING, ORDER BY, OFFSET', () => {
    const s = parseAdql(
      'SELECT DISTINCT TOP 10 h.ra AS r, "dec" d, m.* FROM esasky.hipparcos AS h LEFT OUTER JOIN esasky.messier m ON h.mag < m.mag ' +
        "WHERE h.mag BETWEEN -1 AND 3.5e0 AND NOT h.bv IS NULL OR h.hip IN (1, 2, 3) AND m.name LIKE 'M%' " +
        'GROUP BY h.ra, 2 HAVING COUNT(*) > 1 ORDER BY 1 DESC, d ASC OFFSET 5;',
    );
    expect(s.distinct).toBe(true);
    expect(s.top).toBe(10);
    expect(s.offset).toBe(5);
    expect(s.items).toEqual([
      { k: 'expr', e: { k: 'col', parts: ['h', 'ra'], pos: { line: 1, column: 24 } }, alias: 'r' },
      { k: 'expr', e: { k: 'col', parts: ['dec'], pos: { line: 1, column: 35 } }, alias: 'd' },
      { k: 'star', table: ['m'], pos: { line: 1, column: 44 } },
    ]);
    expect(s.from).toEqual({ parts: ['esasky', 'hipparcos'], alias: 'h', pos: { line: 1, column: 53 } });
    expect(s.joins).toHaveLength(1);
    expect(s.joins[0]!.type).toBe('left');
    expect(s.joins[0]!.table.alias).toBe('m');
    // AND binds tighter than OR
    expect(s.where!.k).toBe('or');
    expect(s.groupBy).toHaveLength(2);
    expect(s.having).toMatchObject({ k: 'cmp', op: '>', l: { k: 'agg', name: 'COUNT', arg: null } });
    expect(s.orderBy.map((o) => o.desc)).toEqual([true, false]);
  });

  it('tells a parenthesised condition from a parenthesised expression', () => {
    expect(parseAdql('SELECT a FROM t WHERE (a + 1) * 2 > 3').where).toMatchObject({ k: 'cmp', op: '>', l: { k: 'bin', op: '*' } });
    expect(parseAdql('SELECT a FROM t WHERE ((a > 1) AND (b < 2 OR c = 3))').where).toMatchObject({ k: 'and', r: { k: 'or' } });
    expect(parseAdql('SELECT a FROM t WHERE NOT (a > 1)').where).toMatchObject({ k: 'not', c: { k: 'cmp' } });
  });

  it('reads geometry, CASE, negative numbers, string escapes, comments and operator precedence', () => {
    const s = parseAdql(
      "SELECT CASE WHEN mag < 0 THEN 'bright' ELSE 'it''s faint' END, -2 * -ra + 3 -- comment\n" +
        "FROM t WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 10, -20.5, .5))",
    );
    expect(s.items[0]).toMatchObject({ e: { k: 'case', else: { k: 'str', value: "it's faint" } } });
    expect(s.items[1]).toMatchObject({
      e: { k: 'bin', op: '+', l: { k: 'bin', op: '*', l: { k: 'num', value: -2 }, r: { k: 'neg' } }, r: { k: 'num', value: 3 } },
    });
    expect(s.where).toMatchObject({
      k: 'cmp',
      r: { k: 'func', name: 'CONTAINS', args: [{ k: 'func', name: 'POINT' }, { k: 'func', name: 'CIRCLE', pos: { line: 2, column: 51 } }] },
    });
  });

  it('names the line, column and token of a syntax error', () => {
    expect(parseError('SELECT ra FROM t WHERE').message).toBe('expected an expression but found the end of the query (line 1, column 23)');
    expect(parseError('SELECT ra,\n  FROM t').message).toBe('expected an expression but found "FROM" (line 2, column 3)');
    const e = parseError('SELECT ra FROM t\nWHERE mag >> 3');
    expect([e.line, e.column]).toEqual([2, 12]);
    expect(e.message).toContain('">"');
    expect(parseError("SELECT 'abc FROM t").message).toBe('unterminated string literal (line 1, column 8)');
    expect(parseError('SELECT a FROM t LIMIT 10').message).toContain('ADQL has no LIMIT: write SELECT TOP n');
    expect(parseError('SELECT a FROM t WHERE a # 2').message).toBe('unexpected character "#" (line 1, column 25)');
    expect(parseError('SELECT TOP -1 a FROM t').message).toContain('a whole number for TOP');
    expect(parseError('SELECT a FROM t UNION SELECT b FROM u').message).toContain('UNION is not supported');
    expect(parseError('SELECT a FROM (SELECT b FROM u) x').message).toContain('sub-queries in FROM are not supported');
    expect(parseError('').message).toBe('the query is empty');
    expect(parseError('SELECT 12abc FROM t').message).toContain('malformed number');
  });

  it('many parenthesised expressions in one condition do not count as nesting', () => {
    const terms = Array.from({ length: 300 }, (_, i) => `(mag + ${i}) > 0`).join(' AND ');
    expect(() => parseAdql(`SELECT ra FROM t WHERE ${terms}`)).not.toThrow();
  });

  it('bounds nesting and length instead of overflowing the stack', () => {
    const deep = `SELECT ${'('.repeat(5000)}1${')'.repeat(5000)} FROM t`;
    expect(parseError(deep).message).toContain('nested more than 200 levels');
    const negs = `SELECT ${'- '.repeat(5000)}a FROM t`;
    expect(parseError(negs).message).toContain('nested more than 200 levels');
    expect(() => tokenize('x'.repeat(200_000))).toThrow(/more than the limit of 100000/);
  });

  it('translates LIKE patterns to case-sensitive GLOB for SQLite', () => {
    expect(likeToGlob('M_1%')).toBe('M?1*');
    expect(likeToGlob('a*b?[c')).toBe('a[*]b[?][[]c');
  });
});

describe('ADQL on the shipped archive (SQLite)', () => {
  let dir: string;
  let db: Database;
  let meta: TapMeta;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esasky-adql-'));
    db = openSqlite(join(dir, 'a.sqlite'));
    await ensureSchema(db);
    await bootstrap(db, loadConfig({ DATA_DIR: dir }).repoRoot, null);
    meta = await loadTapMeta(db);
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes no user text into SQL: identifiers are resolved, every literal is a parameter', () => {
    const evil = "x'); DROP TABLE catalogues; --";
    const q = `SELECT TOP 3 hip, mag * 2 AS m2 FROM esasky.hipparcos WHERE (mag < 4.5 OR bv > 1) AND '${evil.replace(/'/g, "''")}' = 'y' ORDER BY m2`;
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const t = translate(parseAdql(q), meta, dialect);
      expect(t.sql).not.toContain('DROP');
      expect(t.sql).not.toContain('4.5');
      expect(t.sql).not.toMatch(/'/);
      // SQLite adds the statement deadline (filled when the query runs)
      expect(t.params).toEqual(dialect === 'sqlite' ? [2, 4.5, 1, evil, 'y', { deadline: true }] : [2, 4.5, 1, evil, 'y']);
      expect(t.sql).toContain('"cat_hipparcos_');
    }
  });

  it('names unknown tables and columns, ambiguous names, and misuse', async () => {
    const fails = async (q: string, re: RegExp): Promise<void> => {
      await expect(runAdql(db, meta, q, 100)).rejects.toThrow(re);
    };
    await fails('SELECT ra FROM esasky.nope', /unknown table esasky\.nope \(see \/tap\/tables/);
    await fails('SELECT nope FROM esasky.hipparcos', /unknown column nope \(not a column of esasky\.hipparcos\) \(line 1, column 8\)/);
    await fails('SELECT hpx29 FROM esasky.hipparcos', /unknown column hpx29/);
    await fails('SELECT id FROM esasky.hipparcos', /unknown column id/);
    await fails('SELECT ra FROM esasky.hipparcos h, esasky.messier m', /column name ra is ambiguous/);
    await fails('SELECT x.ra FROM esasky.hipparcos h', /unknown table or alias x/);
    await fails('SELECT FOO(ra) FROM esasky.hipparcos', /unknown function FOO/);
    await fails('SELECT SQRT(ra, dec) FROM esasky.hipparcos', /SQRT takes 1 argument\(s\), got 2/);
    await fails('SELECT POINT(ra, dec) FROM esasky.hipparcos', /POINT can only be used inside CONTAINS/);
    await fails('SELECT ra FROM esasky.hipparcos WHERE COUNT(*) > 1', /COUNT cannot be used here/);
    await fails("SELECT ra FROM esasky.hipparcos WHERE mag < 'x'", /compares text with a number/);
    await fails("SELECT ra FROM esasky.hipparcos WHERE 1 = CONTAINS(POINT('GALACTIC', ra, dec), CIRCLE(0, 0, 1))", /coordinate system 'GALACTIC' is not supported/);
    await fails('SELECT ra FROM esasky.hipparcos WHERE 1 = CONTAINS(POINT(ra, dec), CIRCLE(0, 95, 1))', /CIRCLE: latitude 95 is outside/);
    await fails('SELECT ra FROM esasky.hipparcos WHERE 1 = CONTAINS(POINT(ra, dec), CIRCLE(0, 0, 200))', /radius 200 is outside/);
    await fails('SELECT ra FROM esasky.hipparcos WHERE 1 = CONTAINS(POINT(ra, dec), POLYGON(0, 0, 1, 1))', /POLYGON needs at least 3 vertices/);
    await fails('SELECT ra FROM esasky.hipparcos ORDER BY 9', /a column number must be between 1 and 1/);
    await fails('SELECT s_ra FROM ivoa.ObsCore WHERE 1 = CONTAINS(CIRCLE(0, 0, 1), s_region)', /not supported: use INTERSECTS/);
  });

  it('runs arithmetic, functions, aggregates, GROUP BY, HAVING, CASE, LIKE, IN, joins and OFFSET', async () => {
    const one = async (q: string): Promise<unknown[]> => (await runAdql(db, meta, q, 1000)).rows[0]!;
    expect(await one('SELECT 7 / 2, 7.0 / 2, MOD(7, 3), ABS(-2.5), ROUND(2.567, 2), TRUNCATE(2.567, 1), POWER(2, 10) FROM esasky.messier')).toEqual([
      3, 3.5, 1, 2.5, 2.57, 2.5, 1024,
    ]);
    const [sq, lg, pi, deg, up] = await one("SELECT SQRT(16), LOG10(1000), PI(), DEGREES(PI()), UPPER('m31') || 'x' FROM esasky.messier");
    expect([sq, lg, pi, deg, up]).toEqual([4, 3, Math.PI, 180, 'M31x']);
    const g = await runAdql(db, meta, "SELECT type, COUNT(*) AS n, MIN(mag), MAX(mag), AVG(mag) FROM esasky.messier GROUP BY type HAVING COUNT(*) >= 10 ORDER BY n DESC", 100);
    expect(g.fields.map((f) => [f.name, f.type])).toEqual([['type', 'text'], ['n', 'long'], ['min', 'double'], ['max', 'double'], ['avg', 'double']]);
    expect(g.rows.length).toBeGreaterThan(1);
    expect((g.rows[0]![1] as number) >= (g.rows[1]![1] as number)).toBe(true);
    // LIKE is case-sensitive, ILIKE is not
    const like = await one("SELECT COUNT(*) FROM esasky.messier WHERE name LIKE 'M1_'");
    const lower = await one("SELECT COUNT(*) FROM esasky.messier WHERE name LIKE 'm1_'");
    const ilike = await one("SELECT COUNT(*) FROM esasky.messier WHERE name ILIKE 'm1_'");
    expect([like[0], lower[0], ilike[0]]).toEqual([10, 0, 10]);
    const inList = await runAdql(db, meta, "SELECT name FROM esasky.messier WHERE name IN ('M31', 'M42', 'M999') ORDER BY name", 10);
    expect(inList.rows).toEqual([['M31'], ['M42']]);
    const page = await runAdql(db, meta, 'SELECT TOP 3 name FROM esasky.messier ORDER BY name OFFSET 2', 10);
    const all = await runAdql(db, meta, 'SELECT name FROM esasky.messier ORDER BY name', 1000);
    expect(page.rows).toEqual(all.rows.slice(2, 5));
    const join = await runAdql(
      db,
      meta,
      'SELECT m.name, t.table_name FROM esasky.messier AS m INNER JOIN TAP_SCHEMA.tables AS t ON t.table_index = 0 WHERE m.name = \'M1\'',
      10,
    );
    expect(join.rows).toEqual([['M1', 'TAP_SCHEMA.schemas']]);
    const cs = await runAdql(db, meta, "SELECT TOP 1 CASE WHEN mag < 5 THEN 'bright' ELSE 'faint' END AS c, mag FROM esasky.messier ORDER BY mag", 10);
    expect(cs.rows[0]![0]).toBe('bright');
  });

  it('stops a runaway query at the time limit with a message naming it', async () => {
    const t0 = Date.now();
    await expect(
      runAdql(db, meta, 'SELECT COUNT(*) FROM esasky.hipparcos AS a, esasky.hipparcos AS b, esasky.hipparcos AS c', 10, 300),
    ).rejects.toThrow('the query ran longer than the time limit of 0.3 s of this service: ask for less (TOP, a smaller region, fewer joined rows)');
    console.info(`runaway query stopped after ${Date.now() - t0} ms (limit 300 ms)`);
    // LEFT JOIN rows without a match survive the time-limit term (it never filters)
    const left = await runAdql(db, meta, "SELECT m.name, t.table_name FROM esasky.messier AS m LEFT JOIN TAP_SCHEMA.tables AS t ON t.table_name = m.name WHERE m.name = 'M1'", 10);
    expect(left.rows).toEqual([['M1', null]]);
  });

  it('fuzz: random and mutated ADQL never crash, always a clean error or a result', async () => {
    const corpus = [
      "SELECT TOP 5 hip, ra, dec FROM esasky.hipparcos WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 10, 20, 3)) ORDER BY mag",
      'SELECT COUNT(*), AVG(mag) FROM esasky.hipparcos WHERE mag BETWEEN 1 AND 4 GROUP BY bv HAVING COUNT(*) > 1',
      "SELECT obs_id, s_region FROM ivoa.ObsCore WHERE 1 = INTERSECTS(s_region, POLYGON(80, -10, 90, -10, 85, 0)) AND obs_id LIKE '%1'",
      'SELECT DISTINCT h.hip, m.name FROM esasky.hipparcos AS h JOIN esasky.messier AS m ON DISTANCE(POINT(h.ra, h.dec), POINT(m.ra, m.dec)) < 0.5',
      'SELECT table_name, column_name FROM TAP_SCHEMA.columns WHERE "size" IS NULL AND std = 1 ORDER BY 2 DESC OFFSET 3',
      "SELECT CASE WHEN mag < 2 THEN 'a' ELSE 'b' END, ROUND(mag, 1), -ra * 2 FROM esasky.hipparcos WHERE hip IN (1, 2, 3) OR NOT (mag > 3)",
    ];
    const vocab = ['SELECT', 'FROM', 'WHERE', '(', ')', ',', "'", '"', '1', '-', '*', 'AND', 'OR', 'NOT', 'CONTAINS', 'POINT', 'CIRCLE',
      'POLYGON', 'BOX', 'TOP', '0', '1e400', '.', 'ra', 'dec', 'mag', 'esasky.hipparcos', '=', '<', 'IS', 'NULL', 'IN', 'BETWEEN',
      'GROUP', 'BY', 'ORDER', 'COUNT', 'DISTINCT', 'JOIN', 'ON', 'AS', 'x', '999999999999999999999', '/', '||', 'CASE', 'END', ';', '\n'];
    const mutate = fc.tuple(
      fc.constantFrom(...corpus),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.constantFrom(...vocab)), { maxLength: 4 }),
    ).map(([q, edits]) => {
      const toks = q.split(/(\s+|(?=[(),])|(?<=[(),]))/).filter((t) => t !== undefined && t !== '');
      for (const [at, op, word] of edits) {
        const i = at % (toks.length + 1);
        if (op === 0) toks.splice(i, 1);
        else if (op === 1) toks.splice(i, 0, ` ${word} `);
        else if (op === 2) toks[i] = word;
        else toks.length = Math.min(toks.length, i);
      }
      return toks.join('');
    });
    const random = fc.array(fc.constantFrom(...vocab), { maxLength: 25 }).map((w) => w.join(' '));
    const junk = fc.string({ maxLength: 60 });
    let ok = 0;
    let clean = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutate, random, junk), async (q) => {
        try {
          await runAdql(db, meta, q, 50);
          ok++;
        } catch (e) {
          if (!(e instanceof AdqlError || e instanceof TapUserError)) throw e;
          expect(e.message.length).toBeGreaterThan(10);
          clean++;
        }
      }),
      { numRuns: 1500, seed: 20261127 },
    );
    expect(ok).toBeGreaterThan(5);
    expect(clean).toBeGreaterThan(100);
  }, 120_000);
});
