/**
 * Loading into the archive. A catalogue ingest is RESUMABLE and ATOMIC at once:
 *
 *  1. its rows go into a staging table (stage_<name>_<v>, named by no catalogues row, so no
 *     reader sees it) in committed chunks of `commitRows` source rows; each chunk's
 *     transaction also advances the catalogue's ingest_checkpoints row (source rows consumed,
 *     rows loaded, rows skipped);
 *  2. only the last transaction makes it visible: it renames the staging table to
 *     cat_<name>_<v>, builds its indexes, points the catalogues row at it, rebuilds the cell
 *     counts, drops the previous table and deletes the checkpoint.
 *
 * So an ingest killed at any point (SIGKILL included) leaves every visible table as it was, and
 * the next run of the same ingest resumes after the last committed chunk — when the checkpoint
 * still matches: the same source identity (paths, sizes, modification times of the files), the
 * same columns and the same schema version (its `fingerprint`). Anything else (a changed file, a
 * source without an identity) discards the checkpoint and its staging table and starts over.
 * Two ingests of one catalogue cannot interleave: each run stamps the checkpoint with its own
 * token, and a chunk whose token is no longer there fails.
 *
 * A set of collections (small: thousands of rows) is replaced in ONE transaction.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Database, SqlRunner, SqlValue } from '../storage/db.js';
import { ident } from '../storage/db.js';
import { maxRadiusFor } from '../storage/catalogues.js';
import { CELL_SHIFT, OBSCORE_COLUMNS, SCHEMA_VERSION, catalogueTableSql, ensureSchema, type CatalogueColumn } from '../storage/schema.js';
import { hpx29 } from '../storage/spatial.js';
import { centreOf, extentFrom, unit } from '../storage/stcs.js';
import { footprintOf } from '../storage/observations.js';
import { Progress, type ProgressSink } from './progress.js';

export interface CatalogueSpec {
  name: string;
  title: string;
  description: string;
  /** Where the data came from (file, version). */
  source: string;
  credit: string;
  /** Output columns in order; must include `ra` and `dec` (double, degrees ICRS). */
  columns: CatalogueColumn[];
  /** The main identifier column (SCS ID_MAIN). */
  idColumn: string;
  /** Numeric column for "brightest first" (ascending = brighter, magnitudes). */
  brightColumn: string;
}

export type RowBatches = AsyncIterable<SqlValue[][]> | Iterable<SqlValue[][]>;

/** What lets an interrupted catalogue ingest resume. */
export interface ResumableInput {
  /** Identity of the input files (path, size, mtime of each): a checkpoint is reused only when it matches. */
  identity: string;
  /**
   * The source rows after the first `skipRows` (a row = one record of the source, counted
   * whether or not it is loaded). Without it the batches are read and the first rows dropped.
   */
  from?: (skipRows: number) => RowBatches;
}

export interface LoadOptions {
  /** Progress output (null = silent). Default stderr. */
  progress?: ProgressSink | null;
  /** Rows expected, for the bar. */
  expectedRows?: number;
  /** Called (and awaited) after every committed batch (tests use it to crash halfway). */
  onBatch?: (rowsSoFar: number) => void | Promise<void>;
  /** Resume an interrupted ingest of the same input (catalogues). */
  resume?: ResumableInput;
  /** Source rows per committed chunk of a catalogue ingest (default 50,000). */
  commitRows?: number;
}

export interface LoadReport {
  name: string;
  rows: number;
  skipped: number;
  seconds: number;
  rowsPerSecond: number;
  /** Source rows an earlier, interrupted run had committed (0: started from the beginning). */
  resumedFrom?: number;
  /** Source rows read by this run. */
  rowsRead?: number;
}

const NAME = /^[a-z][a-z0-9_]{0,40}$/;

/** PostgreSQL: one ingest at a time across every process sharing the database. */
export async function lockIngest(tx: SqlRunner): Promise<void> {
  if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(?)', [INGEST_LOCK]);
}
/** Advisory lock key of ingests and schema creation ("esas" in ASCII). */
export const INGEST_LOCK = 0x65736173;
const BATCH = 5000;
/** Source rows per committed chunk of a catalogue ingest. */
export const COMMIT_ROWS = 50_000;
/** Version of the checkpoint format and of the row numbering; part of the fingerprint. */
const CHECKPOINT_VERSION = 1;

function checkSpec(spec: CatalogueSpec): void {
  if (!NAME.test(spec.name)) throw new Error(`catalogue name must match ${NAME}, got ${JSON.stringify(spec.name)}`);
  const names = spec.columns.map((c) => c.name);
  for (const n of names) ident(n);
  if (new Set(names).size !== names.length) throw new Error(`catalogue ${spec.name}: repeated column names`);
  for (const need of ['ra', 'dec', spec.idColumn, spec.brightColumn]) {
    if (!names.includes(need)) throw new Error(`catalogue ${spec.name}: no column ${need}`);
  }
  if (names.includes('id') || names.includes('hpx29')) throw new Error(`catalogue ${spec.name}: id and hpx29 are reserved`);
  const bright = spec.columns.find((c) => c.name === spec.brightColumn)!;
  if (bright.type === 'text') throw new Error(`catalogue ${spec.name}: the brightness column must be numeric`);
}

/** What a checkpoint must match to be resumed: the input, the table layout, the schema. */
export function checkpointFingerprint(spec: CatalogueSpec, identity: string): string {
  const what = JSON.stringify({
    v: CHECKPOINT_VERSION,
    schema: SCHEMA_VERSION,
    columns: spec.columns.map((c) => [c.name, c.type]),
    id: spec.idColumn,
    bright: spec.brightColumn,
    identity,
  });
  return createHash('sha256').update(what).digest('hex');
}

/** The rows of `source` after the first `skip`. */
async function* skipRows(source: RowBatches, skip: number): AsyncGenerator<SqlValue[][]> {
  let left = skip;
  for await (const batch of source) {
    if (left >= batch.length) {
      left -= batch.length;
      continue;
    }
    yield left > 0 ? batch.slice(left) : batch;
    left = 0;
  }
}

interface Checkpoint {
  name: string;
  fingerprint: string;
  staging_table: string;
  rows_consumed: number;
  rows_loaded: number;
  rows_skipped: number;
  run_token: string;
  updated_at: string;
}

/** The staging table of an earlier run, and where it stopped; undefined = start over. */
interface Staging {
  table: string;
  consumed: number;
  loaded: number;
  skipped: number;
  token: string;
  resumedFrom: number;
  checkpointAt?: string;
}

async function tableExists(tx: SqlRunner, table: string): Promise<boolean> {
  const rows =
    tx.dialect === 'sqlite'
      ? await tx.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
      : await tx.all("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?", [table]);
  return rows.length > 0;
}

/** Reuses the matching checkpoint of `spec.name`, or discards it and creates a fresh staging table. */
async function openStaging(
  db: Database,
  spec: CatalogueSpec,
  resume: { fingerprint: string; identity: string } | undefined,
  createSql: (t: string) => string,
  stamp: string,
): Promise<Staging> {
  const token = randomUUID();
  return db.transaction(async (tx) => {
    await lockIngest(tx);
    const rows = await tx.all<Checkpoint>('SELECT * FROM ingest_checkpoints WHERE name = ?', [spec.name]);
    const old = rows[0];
    if (old !== undefined) {
      if (resume !== undefined && old.fingerprint === resume.fingerprint && (await tableExists(tx, old.staging_table))) {
        await tx.run('UPDATE ingest_checkpoints SET run_token = ?, updated_at = ? WHERE name = ?', [token, new Date().toISOString(), spec.name]);
        const consumed = Number(old.rows_consumed);
        return {
          table: old.staging_table,
          consumed,
          loaded: Number(old.rows_loaded),
          skipped: Number(old.rows_skipped),
          token,
          resumedFrom: consumed,
          checkpointAt: old.updated_at,
        };
      }
      // a different input (or none that can be checked): the staged rows are not reusable
      await tx.exec(`DROP TABLE IF EXISTS ${ident(old.staging_table)}`);
      await tx.run('DELETE FROM ingest_checkpoints WHERE name = ?', [spec.name]);
    }
    const table = `stage_${spec.name}_${stamp}`;
    await tx.exec(createSql(table));
    const now = new Date().toISOString();
    await tx.run(
      'INSERT INTO ingest_checkpoints (name, fingerprint, source_identity, staging_table, rows_consumed, rows_loaded, ' +
        'rows_skipped, run_token, started_at, updated_at) VALUES (?, ?, ?, ?, 0, 0, 0, ?, ?, ?)',
      [spec.name, resume?.fingerprint ?? '', resume?.identity ?? null, table, token, now, now],
    );
    return { table, consumed: 0, loaded: 0, skipped: 0, token, resumedFrom: 0 };
  });
}

/** Fails unless this run still owns the checkpoint (another ingest of the catalogue took it over). */
async function advanceCheckpoint(tx: SqlRunner, name: string, st: Staging): Promise<void> {
  const changed = await tx.run(
    'UPDATE ingest_checkpoints SET rows_consumed = ?, rows_loaded = ?, rows_skipped = ?, updated_at = ? WHERE name = ? AND run_token = ?',
    [st.consumed, st.loaded, st.skipped, new Date().toISOString(), name, st.token],
  );
  if (changed !== 1) throw new Error(`ingest of ${name}: another ingest of the same catalogue took over its checkpoint; this one stops`);
}

/**
 * Replaces catalogue `spec.name` with the rows of `source` (each row: values in the order of
 * spec.columns). Rows without a valid position are skipped and counted. With `opts.resume`, an
 * interrupted ingest of the same input continues from its checkpoint.
 */
export async function replaceCatalogue(
  db: Database,
  spec: CatalogueSpec,
  source: RowBatches,
  opts: LoadOptions = {},
): Promise<LoadReport> {
  checkSpec(spec);
  await ensureSchema(db);
  const progress = new Progress(spec.name, opts.expectedRows, opts.progress === undefined ? process.stderr : opts.progress);
  const raIdx = spec.columns.findIndex((c) => c.name === 'ra');
  const decIdx = spec.columns.findIndex((c) => c.name === 'dec');
  const others = spec.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.name !== 'ra' && c.name !== 'dec');
  const insertCols = ['id', 'ra', 'dec', 'hpx29', ...others.map(({ c }) => c.name)];
  const stamp = Date.now().toString(36);
  const table = `cat_${spec.name}_${stamp}`;
  const ddl = catalogueTableSql(db.dialect, table, spec.columns, spec.brightColumn, spec.idColumn);
  const resume =
    opts.resume === undefined ? undefined : { fingerprint: checkpointFingerprint(spec, opts.resume.identity), identity: opts.resume.identity };
  const commitRows = Math.max(1, opts.commitRows ?? COMMIT_ROWS);

  const st = await openStaging(
    db,
    spec,
    resume,
    (t) => catalogueTableSql(db.dialect, t, spec.columns, spec.brightColumn).create,
    stamp,
  );
  const sink = opts.progress === undefined ? process.stderr : opts.progress;
  if (st.resumedFrom > 0) {
    progress.resumeAt(st.loaded);
    sink?.write(
      `${spec.name}: resuming from the checkpoint of ${st.checkpointAt}: ${st.resumedFrom.toLocaleString('en-US')} source rows ` +
        'already staged\n',
    );
  }
  const rowsIn =
    st.consumed === 0 ? source : opts.resume?.from !== undefined ? opts.resume.from(st.consumed) : skipRows(source, st.consumed);

  let pending: SqlValue[][] = [];
  let pendingSkipped = 0;
  let consumedInChunk = 0;
  let rowsRead = 0;
  const commit = async (): Promise<void> => {
    if (consumedInChunk === 0) return;
    const rows = pending;
    const next = { ...st, consumed: st.consumed + consumedInChunk, loaded: st.loaded + rows.length };
    await db.transaction(async (tx) => {
      await lockIngest(tx);
      await advanceCheckpoint(tx, spec.name, { ...next, skipped: st.skipped + pendingSkipped });
      await tx.insertMany(st.table, insertCols, rows);
    });
    st.consumed = next.consumed;
    st.loaded = next.loaded;
    st.skipped += pendingSkipped;
    progress.tick(rows.length);
    pending = [];
    consumedInChunk = 0;
    pendingSkipped = 0;
    await opts.onBatch?.(st.loaded);
  };
  for await (const batch of rowsIn) {
    for (const r of batch) {
      consumedInChunk++;
      rowsRead++;
      const ra = r[raIdx];
      const dec = r[decIdx];
      if (typeof ra !== 'number' || typeof dec !== 'number' || !Number.isFinite(ra) || !(dec >= -90 && dec <= 90)) {
        pendingSkipped++;
      } else {
        const raN = ra >= 0 && ra < 360 ? ra : ((ra % 360) + 360) % 360;
        const out: SqlValue[] = [st.loaded + pending.length + 1, raN, dec, hpx29(raN, dec)];
        for (const { i } of others) out.push(r[i] ?? null);
        pending.push(out);
      }
      if (consumedInChunk >= commitRows) await commit();
    }
  }
  await commit();

  await db.transaction(async (tx) => {
    await lockIngest(tx);
    const own = await tx.all('SELECT name FROM ingest_checkpoints WHERE name = ? AND run_token = ?', [spec.name, st.token]);
    if (own.length !== 1) throw new Error(`ingest of ${spec.name}: another ingest of the same catalogue took over its checkpoint; this one stops`);
    await tx.exec(`ALTER TABLE ${ident(st.table)} RENAME TO ${ident(table)}`);
    if (tx.dialect === 'postgres') await tx.exec(`ALTER INDEX ${ident(st.table + '_pkey')} RENAME TO ${ident(table + '_pkey')}`);
    await tx.exec(ddl.index);
    // planner statistics now, not whenever autovacuum gets to it (PostgreSQL picks a sequential
    // scan over the range ORs without them); SQLite's planner needs none for these queries
    if (tx.dialect === 'postgres') await tx.exec(`ANALYZE ${ident(table)}`);
    await swapCatalogue(tx, spec, table, st.loaded);
    await tx.run('DELETE FROM ingest_checkpoints WHERE name = ?', [spec.name]);
  });
  const notes = [
    st.skipped ? `${st.skipped} rows without a position skipped` : '',
    st.resumedFrom > 0 ? `resumed at source row ${st.resumedFrom.toLocaleString('en-US')} (${rowsRead.toLocaleString('en-US')} read in this run)` : '',
  ].filter((x) => x !== '');
  const done = progress.finish(notes.join(', '));
  return {
    name: spec.name,
    rows: st.loaded,
    skipped: st.skipped,
    seconds: done.seconds,
    rowsPerSecond: done.rowsPerSecond,
    resumedFrom: st.resumedFrom,
    rowsRead,
  };
}

/** A CatalogueSource-shaped input (spec, batches, resume) loaded with replaceCatalogue. */
export function loadCatalogueSource(
  db: Database,
  src: { spec: CatalogueSpec; batches: RowBatches; expectedRows?: number; resume?: ResumableInput },
  opts: LoadOptions = {},
): Promise<LoadReport> {
  return replaceCatalogue(db, src.spec, src.batches, {
    ...(src.expectedRows === undefined ? {} : { expectedRows: src.expectedRows }),
    ...(src.resume === undefined ? {} : { resume: src.resume }),
    ...opts,
  });
}

async function swapCatalogue(tx: SqlRunner, spec: CatalogueSpec, table: string, rows: number): Promise<void> {
  const old = await tx.all<{ table_name: string }>('SELECT table_name FROM catalogues WHERE name = ?', [spec.name]);
  await tx.run('DELETE FROM catalogues WHERE name = ?', [spec.name]);
  await tx.run(
    'INSERT INTO catalogues (name, title, description, table_name, columns_json, id_column, bright_column, row_count, ' +
      'max_radius, source, credit, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      spec.name,
      spec.title,
      spec.description,
      table,
      JSON.stringify(spec.columns),
      spec.idColumn,
      spec.brightColumn,
      rows,
      maxRadiusFor(rows),
      spec.source,
      spec.credit,
      new Date().toISOString(),
    ],
  );
  const source = `cat:${spec.name}`;
  await tx.run('DELETE FROM cell_counts WHERE source = ?', [source]);
  await tx.run(
    `INSERT INTO cell_counts (source, cell, n) SELECT CAST(? AS TEXT), hpx29 / ${2n ** BigInt(CELL_SHIFT)}, COUNT(*) ` +
      `FROM ${ident(table)} GROUP BY hpx29 / ${2n ** BigInt(CELL_SHIFT)}`,
    [source],
  );
  for (const { table_name } of old) {
    if (table_name !== table) await tx.exec(`DROP TABLE IF EXISTS ${ident(table_name)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// collections of observations

export interface CollectionSpec {
  name: string;
  title: string;
  description: string;
}

export type ObservationRow = Record<string, number | string | null>;

export interface CollectionsLoad {
  /** Tag of the ingest (e.g. 'eso-obscore'); its previous collections are replaced. */
  source: string;
  credit: string;
  collections: CollectionSpec[];
  /** ObsCore rows; `obs_collection` names the collection. */
  rows: ObservationRow[];
}

/**
 * Replaces every collection previously loaded from `load.source` (and any collection of the
 * same names) with the given rows. Each row's centre is s_ra/s_dec, else the centre of its
 * footprint; rows with neither are skipped.
 */
export async function replaceCollections(
  db: Database,
  load: CollectionsLoad,
  opts: LoadOptions = {},
): Promise<LoadReport> {
  await ensureSchema(db);
  for (const c of load.collections) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(c.name)) throw new Error(`bad collection name ${JSON.stringify(c.name)}`);
  }
  const names = new Set(load.collections.map((c) => c.name));
  const progress = new Progress(load.source, opts.expectedRows ?? load.rows.length, opts.progress === undefined ? process.stderr : opts.progress);
  const cols = ['id', 'collection', ...OBSCORE_COLUMNS.map((c) => c.name), 'hpx29'];
  const extent = new Map<string, number>();
  const counts = new Map<string, number>();
  let skipped = 0;
  let rows = 0;
  await db.transaction(async (tx) => {
    await lockIngest(tx);
    const old = await tx.all<{ name: string }>('SELECT name FROM collections WHERE source = ?', [load.source]);
    const drop = new Set([...old.map((o) => o.name), ...names]);
    for (const name of drop) {
      // the SSO cross-match names these observations' ids: stale once they are replaced
      await tx.run('DELETE FROM sso_xmatch WHERE observation_oid IN (SELECT id FROM observations WHERE collection = ?)', [name]);
      await tx.run('DELETE FROM observations WHERE collection = ?', [name]);
      await tx.run('DELETE FROM collections WHERE name = ?', [name]);
      await tx.run('DELETE FROM cell_counts WHERE source = ?', [`obs:${name}`]);
    }
    const maxId = await tx.all<{ m: number | null }>('SELECT MAX(id) AS m FROM observations');
    let id = Number(maxId[0]?.m ?? 0);
    let pending: SqlValue[][] = [];
    for (const r of load.rows) {
      const coll = String(r['obs_collection'] ?? '');
      if (!names.has(coll)) {
        skipped++;
        continue;
      }
      const fp = footprintOf({
        s_ra: num(r['s_ra']),
        s_dec: num(r['s_dec']),
        s_fov: num(r['s_fov']),
        s_region: typeof r['s_region'] === 'string' ? r['s_region'] : null,
      });
      let ra = num(r['s_ra']);
      let dec = num(r['s_dec']);
      if ((ra === null || dec === null) && fp !== undefined) ({ ra, dec } = centreOf(fp));
      if (ra === null || dec === null || !(dec >= -90 && dec <= 90)) {
        skipped++;
        continue;
      }
      if (!(ra >= 0 && ra < 360)) ra = ((ra % 360) + 360) % 360;
      const reach = fp === undefined ? 0 : extentFrom(fp, unit(ra, dec));
      extent.set(coll, Math.max(extent.get(coll) ?? 0, reach));
      counts.set(coll, (counts.get(coll) ?? 0) + 1);
      const row: SqlValue[] = [++id, coll];
      for (const c of OBSCORE_COLUMNS) {
        if (c.name === 's_ra') row.push(ra);
        else if (c.name === 's_dec') row.push(dec);
        else row.push(r[c.name] ?? null);
      }
      row.push(hpx29(ra, dec));
      pending.push(row);
      rows++;
      if (pending.length >= BATCH) {
        await tx.insertMany('observations', cols, pending);
        progress.tick(pending.length);
        pending = [];
        await opts.onBatch?.(rows);
      }
    }
    await tx.insertMany('observations', cols, pending);
    progress.tick(pending.length);
    const now = new Date().toISOString();
    for (const c of load.collections) {
      await tx.run(
        'INSERT INTO collections (name, title, description, source, credit, row_count, max_extent, ingested_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [c.name, c.title, c.description, load.source, load.credit, counts.get(c.name) ?? 0, extent.get(c.name) ?? 0, now],
      );
      await tx.run(
        `INSERT INTO cell_counts (source, cell, n) SELECT CAST(? AS TEXT), hpx29 / ${2n ** BigInt(CELL_SHIFT)}, COUNT(*) ` +
          `FROM observations WHERE collection = ? GROUP BY hpx29 / ${2n ** BigInt(CELL_SHIFT)}`,
        [`obs:${c.name}`, c.name],
      );
    }
    if (tx.dialect === 'postgres') await tx.exec('ANALYZE observations');
  });
  const done = progress.finish(skipped ? `${skipped} rows skipped (no position or collection)` : '');
  return { name: load.source, rows, skipped, seconds: done.seconds, rowsPerSecond: done.rowsPerSecond };
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
