// The ingest: CDS ReadMe parsing, the Tycho-2 reader on a real 200-line sample, idempotence
// (re-running replaces), and atomicity: an ingest process killed with SIGKILL halfway leaves
// the database exactly as it was — on SQLite and on a real PostgreSQL server.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRepoRoot } from './config.js';
import { openPostgres, openSqlite, type Database } from './storage/db.js';
import { ensureSchema } from './storage/schema.js';
import { getCatalogue, listCatalogues } from './storage/catalogues.js';
import { listCollections } from './storage/observations.js';
import { parseReadme } from './ingest/cdsReadme.js';
import { replaceCatalogue, replaceCollections } from './ingest/load.js';
import { ESO_OBSCORE, hipparcosSource, obscoreSource, tychoSource } from './ingest/sources.js';
import { SHIPPED, bootstrap } from './ingest/bootstrap.js';
import { UsageError, parseArgs } from './ingest/cli.js';
import { pgUnavailable, startPgCluster, type PgCluster } from './testing/pgCluster.js';

const ROOT = findRepoRoot();
const TYCHO_SAMPLE = join(ROOT, 'test/fixtures/server/tycho2');

describe('CDS ReadMe', () => {
  const fields = parseReadme(readFileSync(join(TYCHO_SAMPLE, 'ReadMe'), 'latin1'), 'tyc2.dat');

  it('reads the byte-by-byte description of tyc2.dat', () => {
    expect(fields.map((f) => f.label)).toEqual([
      'TYC1', 'TYC2', 'TYC3', 'pflag', 'RAmdeg', 'DEmdeg', 'pmRA', 'pmDE', 'e_RAmdeg', 'e_DEmdeg', 'e_pmRA', 'e_pmDE',
      'EpRAm', 'EpDEm', 'Num', 'q_RAmdeg', 'q_DEmdeg', 'q_pmRA', 'q_pmDE', 'BTmag', 'e_BTmag', 'VTmag', 'e_VTmag',
      'prox', 'TYC', 'HIP', 'CCDM', 'RAdeg', 'DEdeg', 'EpRA-1990', 'EpDE-1990', 'e_RAdeg', 'e_DEdeg', 'posflg', 'corr',
    ]);
    const ra = fields.find((f) => f.label === 'RAmdeg')!;
    expect(ra).toMatchObject({ start: 16, end: 27, format: 'F12.8', unit: 'deg', nullable: true, type: 'double', column: 'ramdeg' });
    expect(fields.find((f) => f.label === 'TYC3')).toMatchObject({ start: 12, end: 12, type: 'int', nullable: false });
    expect(fields.find((f) => f.label === 'EpRA-1990')!.column).toBe('epra_1990');
    expect(fields.find((f) => f.label === 'HIP')).toMatchObject({ start: 143, end: 148, nullable: true });
    expect(fields.find((f) => f.label === 'pflag')).toMatchObject({ type: 'text', nullable: false });
    // the supplement's description is found when its header names two files
    expect(parseReadme(readFileSync(join(TYCHO_SAMPLE, 'ReadMe'), 'latin1'), 'suppl_2.dat')[3]!.label).toBe('flag');
    expect(() => parseReadme('nothing here', 'tyc2.dat')).toThrow(/no byte-by-byte description of tyc2.dat/);
  });
});

/** A temp SQLite database per test. */
function tempSqlite(): { db: Database; dir: string; done: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'esasky-ingest-'));
  const db = openSqlite(join(dir, 'esasky.sqlite'));
  return {
    db,
    dir,
    done: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('ingest into SQLite', () => {
  it('reads the Tycho-2 sample: ids, positions (observed when no mean), magnitudes', async () => {
    const t = tempSqlite();
    try {
      const src = tychoSource(TYCHO_SAMPLE);
      expect(src.expectedRows).toBe(200);
      const report = await replaceCatalogue(t.db, src.spec, src.batches, { progress: null });
      expect(report).toMatchObject({ name: 'tycho2', rows: 200, skipped: 0 });
      const cat = (await getCatalogue(t.db, 'tycho2'))!;
      expect(cat).toMatchObject({ rowCount: 200, idColumn: 'tyc', brightColumn: 'mag' });
      expect(cat.columns.slice(0, 4).map((c) => c.name)).toEqual(['tyc', 'ra', 'dec', 'mag']);
      expect(cat.columns.find((c) => c.name === 'tycho1_star')?.type).toBe('text');
      const rows = await t.db.all<Record<string, unknown>>(
        `SELECT tyc, ra, "dec", mag, btmag, vtmag, pflag, hip, ramdeg FROM "${cat.tableName}" ORDER BY id`,
      );
      // line 1: "0001 00008 1| |  2.31750494|  2.23184345|…|12.146|0.158|12.146|0.223|…"
      expect(rows[0]).toEqual({ tyc: '1-8-1', ra: 2.31750494, dec: 2.23184345, mag: 12.146, btmag: 12.146, vtmag: 12.146, pflag: null, hip: null, ramdeg: 2.31750494 });
      // "0001 00041 1|X|   (no mean position) …|  1.80874194|  2.31573611|…": the observed position
      const x = rows.find((r) => r['tyc'] === '1-41-1')!;
      expect(x).toMatchObject({ pflag: 'X', ramdeg: null, ra: 1.80874194, dec: 2.31573611, mag: 12.235 });
    } finally {
      await t.done();
    }
  });

  it('re-running an ingest replaces what it wrote (catalogue and collections)', async () => {
    const t = tempSqlite();
    try {
      await ensureSchema(t.db);
      for (let run = 0; run < 2; run++) {
        const hip = hipparcosSource(join(ROOT, SHIPPED.hipparcos));
        await replaceCatalogue(t.db, hip.spec, hip.batches, { progress: null });
        await replaceCollections(t.db, obscoreSource(join(ROOT, SHIPPED.esoObscore), ESO_OBSCORE), { progress: null });
        const cats = await listCatalogues(t.db);
        expect(cats.map((c) => [c.name, c.rowCount])).toEqual([['hipparcos', 5044]]);
        const tables = await t.db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 4) = 'cat_'");
        expect(tables.map((x) => x.name)).toEqual([cats[0]!.tableName]);
        const n = await t.db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM "${cats[0]!.tableName}"`);
        expect(n[0]!.n).toBe(5044);
        const cells = await t.db.all<{ n: number }>("SELECT SUM(n) AS n FROM cell_counts WHERE source = 'cat:hipparcos'");
        expect(cells[0]!.n).toBe(5044);
        const colls = await listCollections(t.db);
        expect(colls.map((c) => c.name)).toEqual(['FEROS', 'GIRAFFE', 'HARPS', 'HAWKI', 'PIONIER', 'VHS', 'VIMOS', 'XSHOOTER']);
        expect(colls.reduce((s, c) => s + c.rowCount, 0)).toBe(1000);
        const obs = await t.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM observations');
        expect(obs[0]!.n).toBe(1000);
        const ocells = await t.db.all<{ n: number }>("SELECT SUM(n) AS n FROM cell_counts WHERE source LIKE 'obs:%'");
        expect(ocells[0]!.n).toBe(1000);
        // VISTA/VHS tiles are the largest footprints here (~1.5° x 1.2°; the bound adds half an edge)
        const extent = Object.fromEntries(colls.map((c) => [c.name, c.maxExtent]));
        expect(extent['VHS']).toBeGreaterThan(0.7);
        expect(extent['VHS']).toBeLessThan(2);
        expect(extent['XSHOOTER']).toBeLessThan(0.1);
      }
    } finally {
      await t.done();
    }
  });

  it('the first start loads the shipped data once', async () => {
    const t = tempSqlite();
    try {
      await ensureSchema(t.db);
      expect(await bootstrap(t.db, ROOT, null)).toBe(true);
      expect(await bootstrap(t.db, ROOT, null)).toBe(false);
      expect((await listCatalogues(t.db)).map((c) => [c.name, c.rowCount])).toEqual([
        ['hipparcos', 5044],
        ['messier', 110],
        ['starnames', 3340],
      ]);
      expect((await listCollections(t.db)).length).toBe(8);
    } finally {
      await t.done();
    }
  });

  it('CLI arguments', () => {
    expect(parseArgs(['tycho2', '--path', '/x'])).toEqual({ what: 'tycho2', path: '/x' });
    expect(parseArgs(['hipparcos'])).toEqual({ what: 'hipparcos' });
    expect(() => parseArgs([])).toThrow(UsageError);
    expect(() => parseArgs(['a', 'b'])).toThrow(/one thing at a time/);
    expect(() => parseArgs(['tycho2', '--nope'])).toThrow(/unknown option --nope/);
  });
});

// ---------------------------------------------------------------------------------------------
// SIGKILL halfway through a large ingest, in a child process running the real CLI

/** The server compiled once for the child processes (inside the repo so it finds the package). */
const BUILD = join(ROOT, 'node_modules', '.cache', 'esasky-server-test');

/** A Tycho-2 directory of `files` × `linesPerFile` records, repeating the real 200-line sample. */
function bigTycho(dir: string, files: number, linesPerFile: number): number {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ReadMe'), readFileSync(join(TYCHO_SAMPLE, 'ReadMe')));
  const sample = readFileSync(join(TYCHO_SAMPLE, 'tyc2.dat.00'), 'latin1');
  const block = sample.repeat(Math.ceil(linesPerFile / 200)).slice(0, linesPerFile * 207);
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `tyc2.dat.${String(i).padStart(2, '0')}`), block, 'latin1');
  return files * linesPerFile;
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  killedAt?: number;
}

/** Runs the ingest CLI; with killAtPercent, SIGKILLs it once its progress passes that. */
function runCli(args: string[], env: Record<string, string>, killAtPercent?: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(BUILD, 'server', 'ingest', 'cli.js'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let killedAt: number | undefined;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
      if (killAtPercent === undefined || killedAt !== undefined) return;
      const pct = [...stderr.matchAll(/\]\s+(\d+)%/g)].map((m) => Number(m[1]));
      const last = pct[pct.length - 1];
      if (last !== undefined && last >= killAtPercent) {
        killedAt = last;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, ...(killedAt === undefined ? {} : { killedAt }) }));
  });
}

interface Snapshot {
  catalogues: unknown[];
  tables: string[];
  rows: number;
  cells: number;
}

async function snapshot(db: Database): Promise<Snapshot> {
  const catalogues = await db.all<{ name: string; table_name: string; row_count: number; ingested_at: string }>(
    'SELECT name, table_name, row_count, ingested_at FROM catalogues ORDER BY name',
  );
  const tables =
    db.dialect === 'sqlite'
      ? (await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).map((r) => r.name)
      : (
          await db.all<{ name: string }>(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
          )
        ).map((r) => r.name);
  const t = catalogues.find((c) => c.name === 'tycho2')!;
  const rows = Number((await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM "${t.table_name}"`))[0]!.n);
  const cells = Number((await db.all<{ n: number }>("SELECT SUM(n) AS n FROM cell_counts WHERE source = 'cat:tycho2'"))[0]!.n);
  return { catalogues, tables, rows, cells };
}

function killSuite(name: string, setup: () => Promise<{ db: Database; env: Record<string, string>; done: () => Promise<void> }>): void {
  describe(name, () => {
    let db: Database;
    let env: Record<string, string>;
    let done: () => Promise<void>;
    let big: string;
    let bigRows: number;

    beforeAll(async () => {
      ({ db, env, done } = await setup());
      big = mkdtempSync(join(tmpdir(), 'esasky-bigtycho-'));
      bigRows = bigTycho(big, 6, 50_000);
      // the state before: the 200-row sample as tycho2, plus the shipped data
      await ensureSchema(db);
      const src = tychoSource(TYCHO_SAMPLE);
      await replaceCatalogue(db, src.spec, src.batches, { progress: null });
      await bootstrap(db, ROOT, null);
    }, 120_000);

    afterAll(async () => {
      await done?.();
      if (big) rmSync(big, { recursive: true, force: true });
    });

    it('a SIGKILL halfway through leaves the database as it was; a full re-run replaces it', async () => {
      const before = await snapshot(db);
      expect(before.rows).toBe(200);
      const killed = await runCli(['tycho2', '--path', big], env, 30);
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      expect(killed.killedAt).toBeGreaterThanOrEqual(30);
      expect(killed.killedAt).toBeLessThan(100);
      const after = await snapshot(db);
      expect(after).toEqual(before);
      if (db.dialect === 'sqlite') {
        expect(await db.all('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      }
      // the same ingest run to the end replaces the catalogue (and drops the old table)
      const full = await runCli(['tycho2', '--path', big], env);
      expect(full.code, full.stderr).toBe(0);
      expect(full.stderr).toMatch(/tycho2: 300,000 rows in [\d.]+ s \([\d,]+ rows\/s\)/);
      const replaced = await snapshot(db);
      expect(replaced.rows).toBe(bigRows);
      expect(replaced.cells).toBe(bigRows);
      expect(replaced.tables.filter((x) => x.startsWith('cat_tycho2_'))).toHaveLength(1);
      expect(replaced.tables.length).toBe(before.tables.length);
    }, 180_000);
  });
}

describe('atomicity (child processes running the compiled CLI)', () => {
  beforeAll(() => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'server/tsconfig.json'), '--outDir', BUILD],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
  }, 180_000);

  killSuite('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esasky-kill-'));
    const db = openSqlite(join(dir, 'esasky.sqlite'));
    return {
      db,
      env: { DATA_DIR: dir, DATABASE_URL: '' },
      done: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });

  const skip = pgUnavailable();
  if (skip !== undefined) {
    // .ci/run sets ESASKY_REQUIRE_PG=1: there a missing PostgreSQL is a failure, not a skip
    it(`PostgreSQL is available for these tests (${skip})`, () => {
      expect(process.env['ESASKY_REQUIRE_PG'], `${skip}`).toBeUndefined();
      console.warn(`PostgreSQL tests not run here: ${skip}`);
    });
  } else {
    let cluster: PgCluster | undefined;
    killSuite('PostgreSQL (throwaway cluster)', async () => {
      cluster = await startPgCluster();
      const db = await openPostgres(cluster.url);
      return {
        db,
        env: { DATABASE_URL: cluster.url },
        done: async () => {
          await db.close();
          cluster?.stop();
        },
      };
    });
  }
});
