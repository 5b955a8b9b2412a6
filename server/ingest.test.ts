// The ingest: CDS ReadMe parsing, the Tycho-2 reader on a real 200-line sample, idempotence
// (re-running replaces), atomicity and resumption: an ingest process of real Tycho-2 data killed
// with SIGKILL halfway leaves every visible table exactly as it was, and the re-run resumes from
// its checkpoint and ends with what a clean single run writes — on SQLite and on a real
// PostgreSQL server.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRepoRoot } from './config.js';
import { openPostgres, openSqlite, type Database, type SqlValue } from './storage/db.js';
import { ensureSchema } from './storage/schema.js';
import { getCatalogue, listCatalogues } from './storage/catalogues.js';
import { listCollections } from './storage/observations.js';
import { parseReadme } from './ingest/cdsReadme.js';
import { loadCatalogueSource, replaceCatalogue, replaceCollections, type CatalogueSpec } from './ingest/load.js';
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
// SIGKILL halfway through a large real ingest, in a child process running the real CLI; the
// re-run resumes from the checkpoint and ends with exactly what a clean single run writes

/** The server compiled once for the child processes (inside the repo so it finds the package). */
const BUILD = join(ROOT, 'node_modules', '.cache', 'esasky-server-test');
const TYCHO_KIT = join(ROOT, '..', 'shared', 'data', 'catalogs', 'tycho2');
/** The first two of the 20 real tyc2.dat files: 254,000 stars. */
const SLICE_FILES = ['tyc2.dat.00', 'tyc2.dat.01'];
const SLICE_ROWS = 254_000;

/** Extracts the ReadMe and the first data files of the real Tycho-2 archive into `dir`. */
function realTychoSlice(dir: string): void {
  const archive = join(TYCHO_KIT, 'tycho2_2.orig.tar.xz');
  if (!existsSync(archive)) throw new Error(`${archive} is missing: the data kit must be beside the repository (../shared/data)`);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('tar', ['-xJf', archive, '--occurrence=1', '-C', dir, 'ReadMe', ...SLICE_FILES], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  killedAt?: number;
}

/**
 * Runs the ingest CLI; with killAtPercent, SIGKILLs it `delayMs` after its progress passes that
 * (so the kill lands anywhere in the next chunk: parsing, or inside its transaction).
 */
function runCli(args: string[], env: Record<string, string>, killAtPercent?: number, delayMs = 0): Promise<ChildResult> {
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
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, ...(killedAt === undefined ? {} : { killedAt }) }));
  });
}

/** Rows, and a SHA-256 of (id, identifier, ra, dec) in id order, of a catalogue's table. */
async function tableDigest(db: Database, table: string, idColumn: string): Promise<{ rows: number; sha256: string }> {
  const rows = await db.all<{ id: number; ident: string; ra: number; dec: number }>(
    `SELECT id, "${idColumn}" AS ident, ra, "dec" FROM "${table}" ORDER BY id`,
  );
  const h = createHash('sha256');
  for (const r of rows) h.update(`${Number(r.id)}|${r.ident}|${r.ra}|${r.dec}\n`);
  return { rows: rows.length, sha256: h.digest('hex') };
}

interface Snapshot {
  catalogues: unknown[];
  /** Tables a reader can reach (staging tables excluded: no catalogues row names them). */
  tables: string[];
  staging: string[];
  tycho: { rows: number; sha256: string };
  cells: number;
}

async function allTables(db: Database): Promise<string[]> {
  return db.dialect === 'sqlite'
    ? (await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).map((r) => r.name)
    : (await db.all<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).map(
        (r) => r.name,
      );
}

async function snapshot(db: Database): Promise<Snapshot> {
  const catalogues = await db.all<{ name: string; table_name: string; row_count: number; ingested_at: string }>(
    'SELECT name, table_name, row_count, ingested_at FROM catalogues ORDER BY name',
  );
  const tables = await allTables(db);
  const t = catalogues.find((c) => c.name === 'tycho2')!;
  const cells = Number((await db.all<{ n: number }>("SELECT SUM(n) AS n FROM cell_counts WHERE source = 'cat:tycho2'"))[0]!.n);
  return {
    catalogues,
    tables: tables.filter((x) => !x.startsWith('stage_')),
    staging: tables.filter((x) => x.startsWith('stage_')),
    tycho: await tableDigest(db, t.table_name, 'tyc'),
    cells,
  };
}

interface CheckpointRow {
  name: string;
  staging_table: string;
  rows_consumed: number;
  rows_loaded: number;
}

async function checkpoints(db: Database): Promise<CheckpointRow[]> {
  return (
    await db.all<CheckpointRow>('SELECT name, staging_table, rows_consumed, rows_loaded FROM ingest_checkpoints ORDER BY name')
  ).map((r) => ({ ...r, rows_consumed: Number(r.rows_consumed), rows_loaded: Number(r.rows_loaded) }));
}

async function sampleRows(): Promise<SqlValue[][]> {
  const out: SqlValue[][] = [];
  for await (const b of tychoSource(TYCHO_SAMPLE).batches) out.push(...b);
  return out;
}

function* inBatches(rows: SqlValue[][], size: number): Iterable<SqlValue[][]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

function killSuite(
  name: string,
  slice: () => { dir: string; reference: { rows: number; sha256: string } },
  setup: () => Promise<{ db: Database; env: Record<string, string>; done: () => Promise<void> }>,
): void {
  describe(name, () => {
    let db: Database;
    let env: Record<string, string>;
    let done: () => Promise<void>;

    beforeAll(async () => {
      ({ db, env, done } = await setup());
      // the state before: the 200-row sample as tycho2, plus the shipped data
      await ensureSchema(db);
      const src = tychoSource(TYCHO_SAMPLE);
      await replaceCatalogue(db, src.spec, src.batches, { progress: null });
      await bootstrap(db, ROOT, null);
    }, 120_000);

    afterAll(async () => {
      await done?.();
    });

    it('a SIGKILL halfway through leaves what readers see as it was; the re-run resumes and equals a clean run', async () => {
      const { dir, reference } = slice();
      const before = await snapshot(db);
      expect(before.tycho.rows).toBe(200);
      expect(before.staging).toEqual([]);
      const killed = await runCli(['tycho2', '--path', dir], env, 30, 300);
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      expect(killed.killedAt).toBeGreaterThanOrEqual(30);
      expect(killed.killedAt).toBeLessThan(100);
      // every visible table (catalogue rows, the tycho2 table's contents, the cell counts) as before
      const after = await snapshot(db);
      expect({ ...after, staging: [] }).toEqual(before);
      if (db.dialect === 'sqlite') {
        expect(await db.all('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      }
      // the committed chunks wait in a staging table, with a checkpoint
      const [cp] = await checkpoints(db);
      expect(cp).toBeDefined();
      expect(after.staging).toEqual([cp!.staging_table]);
      expect(cp!.rows_consumed % 50_000).toBe(0);
      expect(cp!.rows_consumed).toBeGreaterThanOrEqual(50_000);
      expect(cp!.rows_consumed).toBeLessThan(SLICE_ROWS);
      const staged = await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM "${cp!.staging_table}"`);
      expect(Number(staged[0]!.n)).toBe(cp!.rows_loaded);

      // the same ingest again: it resumes after the checkpoint, reads only the rest
      const resumed = await runCli(['tycho2', '--path', dir], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      const from = /tycho2: resuming from the checkpoint of \S+: ([\d,]+) source rows already staged/.exec(resumed.stderr);
      expect(from, resumed.stderr).not.toBeNull();
      expect(Number(from![1]!.replace(/,/g, ''))).toBe(cp!.rows_consumed);
      const rest = SLICE_ROWS - cp!.rows_consumed;
      expect(resumed.stderr).toMatch(
        new RegExp(
          `tycho2: 254,000 rows in [\\d.]+ s \\([\\d,]+ rows/s\\), resumed at source row ${cp!.rows_consumed.toLocaleString('en-US')} ` +
            `\\(${rest.toLocaleString('en-US')} read in this run\\)`,
        ),
      );
      // … and ends with exactly what a clean single run writes
      const final = await snapshot(db);
      expect(final.tycho).toEqual(reference);
      expect(final.cells).toBe(SLICE_ROWS);
      expect(final.staging).toEqual([]);
      expect(await checkpoints(db)).toEqual([]);
      expect(final.tables.filter((x) => x.startsWith('cat_tycho2_'))).toHaveLength(1);
      expect(final.tables.length).toBe(before.tables.length);
      const cat = (await getCatalogue(db, 'tycho2'))!;
      expect(cat.rowCount).toBe(SLICE_ROWS);
    }, 300_000);

    it('a crashed ingest resumes only on the same input: a changed file or a plain re-load starts over', async () => {
      const rows = await sampleRows();
      const spec: CatalogueSpec = { ...tychoSource(TYCHO_SAMPLE).spec, name: 'tycho2_sample' };
      const input = (v: string): { identity: string } => ({ identity: `sample-${v}` });
      await replaceCatalogue(db, { ...spec, name: 'tycho2_clean' }, inBatches(rows, 7), { progress: null });
      const ref = await tableDigest(db, (await getCatalogue(db, 'tycho2_clean'))!.tableName, 'tyc');
      expect(ref.rows).toBe(200);
      const stagingTables = async (): Promise<string[]> => (await allTables(db)).filter((t) => t.startsWith('stage_'));
      // each run below dies right after its 3rd committed chunk of 30 source rows
      let chunks = 0;
      const die = (): void => {
        if (++chunks === 3) throw new Error('crash after 3 chunks');
      };
      const crashing = async (v: string): Promise<void> => {
        chunks = 0;
        await expect(
          replaceCatalogue(db, spec, inBatches(rows, 7), { progress: null, commitRows: 30, resume: input(v), onBatch: die }),
        ).rejects.toThrow(/crash after 3 chunks/);
      };
      await crashing('a');
      expect(await getCatalogue(db, 'tycho2_sample')).toBeUndefined();
      expect((await checkpoints(db)).map((c) => [c.name, c.rows_consumed, c.rows_loaded])).toEqual([['tycho2_sample', 90, 90]]);
      const firstStage = await stagingTables();
      expect(firstStage).toHaveLength(1);
      // another input under the same name (a changed file): checkpoint and staging table discarded
      await crashing('b');
      expect((await checkpoints(db)).map((c) => c.rows_consumed)).toEqual([90]);
      const secondStage = await stagingTables();
      expect(secondStage).toHaveLength(1);
      expect(secondStage).not.toEqual(firstStage);
      // the same input again: resumes at source row 90 and reads the other 110
      const out: string[] = [];
      const resumed = await replaceCatalogue(db, spec, inBatches(rows, 7), {
        progress: { write: (x: string) => out.push(x) },
        expectedRows: 200,
        commitRows: 30,
        resume: input('b'),
      });
      expect(resumed).toMatchObject({ rows: 200, resumedFrom: 90, rowsRead: 110 });
      expect(out.join('')).toMatch(/tycho2_sample: resuming from the checkpoint of \S+: 90 source rows already staged/);
      expect(await tableDigest(db, (await getCatalogue(db, 'tycho2_sample'))!.tableName, 'tyc')).toEqual(ref);
      expect(await checkpoints(db)).toEqual([]);
      expect(await stagingTables()).toEqual([]);
      // a load without a source identity never resumes, and clears a leftover checkpoint
      await crashing('c');
      const plain = await replaceCatalogue(db, spec, inBatches(rows, 7), { progress: null, commitRows: 30 });
      expect(plain).toMatchObject({ rows: 200, resumedFrom: 0, rowsRead: 200 });
      expect(await tableDigest(db, (await getCatalogue(db, 'tycho2_sample'))!.tableName, 'tyc')).toEqual(ref);
      expect(await stagingTables()).toEqual([]);
      // a run whose checkpoint another run took over stops at its next chunk, naming why
      chunks = 0;
      await expect(
        replaceCatalogue(db, spec, inBatches(rows, 7), {
          progress: null,
          commitRows: 30,
          resume: input('d'),
          onBatch: async () => {
            if (++chunks === 1) {
              await replaceCatalogue(db, spec, inBatches(rows.slice(0, 10), 7), { progress: null, resume: input('e') });
            }
          },
        }),
      ).rejects.toThrow(/another ingest of the same catalogue took over its checkpoint/);
      expect((await getCatalogue(db, 'tycho2_sample'))!.rowCount).toBe(10);
      expect(await checkpoints(db)).toEqual([]);
      expect(await stagingTables()).toEqual([]);
    }, 120_000);
  });
}

describe('atomicity and resumption (child processes running the compiled CLI on real Tycho-2 data)', () => {
  const work = mkdtempSync(join(tmpdir(), 'esasky-tycho-slice-'));
  const dir = join(work, 'tycho2');
  let reference: { rows: number; sha256: string } | undefined;
  const slice = (): { dir: string; reference: { rows: number; sha256: string } } => {
    if (reference === undefined) throw new Error('the reference ingest did not run');
    return { dir, reference };
  };

  beforeAll(async () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'server/tsconfig.json'), '--outDir', BUILD],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
    realTychoSlice(dir);
    // the reference: a clean, uninterrupted single run into an empty database
    const db = openSqlite(join(work, 'reference.sqlite'));
    try {
      const report = await loadCatalogueSource(db, tychoSource(dir), { progress: null });
      expect(report).toMatchObject({ rows: SLICE_ROWS, skipped: 0, resumedFrom: 0, rowsRead: SLICE_ROWS });
      reference = await tableDigest(db, (await getCatalogue(db, 'tycho2'))!.tableName, 'tyc');
    } finally {
      await db.close();
    }
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  killSuite('SQLite', slice, async () => {
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
    killSuite('PostgreSQL (throwaway cluster)', slice, async () => {
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
