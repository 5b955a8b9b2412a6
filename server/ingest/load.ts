/**
 * Loading into the archive: a whole catalogue or a set of collections is replaced in ONE
 * transaction, so re-running an ingest replaces what the previous run wrote, and an ingest
 * that dies (SIGKILL included) leaves the database exactly as it was.
 *
 * A catalogue goes into a new table (cat_<name>_<version>); only at the end, still inside the
 * transaction, is the catalogues row pointed at it and the previous table dropped — readers
 * (the server, another process) keep seeing the old version until the commit.
 */
import type { Database, SqlRunner, SqlValue } from '../storage/db.js';
import { ident } from '../storage/db.js';
import { maxRadiusFor } from '../storage/catalogues.js';
import { CELL_SHIFT, OBSCORE_COLUMNS, catalogueTableSql, ensureSchema, type CatalogueColumn } from '../storage/schema.js';
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

export interface LoadOptions {
  /** Progress output (null = silent). Default stderr. */
  progress?: ProgressSink | null;
  /** Rows expected, for the bar. */
  expectedRows?: number;
  /** Called after every batch (tests use it to be killed halfway). */
  onBatch?: (rowsSoFar: number) => void;
}

export interface LoadReport {
  name: string;
  rows: number;
  skipped: number;
  seconds: number;
  rowsPerSecond: number;
}

const NAME = /^[a-z][a-z0-9_]{0,40}$/;

/** PostgreSQL: one ingest at a time across every process sharing the database. */
export async function lockIngest(tx: SqlRunner): Promise<void> {
  if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(?)', [INGEST_LOCK]);
}
/** Advisory lock key of ingests and schema creation ("esas" in ASCII). */
export const INGEST_LOCK = 0x65736173;
const BATCH = 5000;

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

/**
 * Replaces catalogue `spec.name` with the rows of `source` (each row: values in the order of
 * spec.columns). Rows without a valid position are skipped and counted.
 */
export async function replaceCatalogue(
  db: Database,
  spec: CatalogueSpec,
  source: AsyncIterable<SqlValue[][]> | Iterable<SqlValue[][]>,
  opts: LoadOptions = {},
): Promise<LoadReport> {
  checkSpec(spec);
  await ensureSchema(db);
  const progress = new Progress(spec.name, opts.expectedRows, opts.progress === undefined ? process.stderr : opts.progress);
  const raIdx = spec.columns.findIndex((c) => c.name === 'ra');
  const decIdx = spec.columns.findIndex((c) => c.name === 'dec');
  const others = spec.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.name !== 'ra' && c.name !== 'dec');
  const insertCols = ['id', 'ra', 'dec', 'hpx29', ...others.map(({ c }) => c.name)];
  const table = `cat_${spec.name}_${Date.now().toString(36)}`;
  const ddl = catalogueTableSql(db.dialect, table, spec.columns, spec.brightColumn, spec.idColumn);

  let skipped = 0;
  let rows = 0;
  await db.transaction(async (tx) => {
    await lockIngest(tx);
    await tx.exec(ddl.create);
    let pending: SqlValue[][] = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      await tx.insertMany(table, insertCols, pending);
      progress.tick(pending.length);
      pending = [];
      opts.onBatch?.(rows);
    };
    for await (const batch of source) {
      for (const r of batch) {
        const ra = r[raIdx];
        const dec = r[decIdx];
        if (typeof ra !== 'number' || typeof dec !== 'number' || !Number.isFinite(ra) || !(dec >= -90 && dec <= 90)) {
          skipped++;
          continue;
        }
        const raN = ra >= 0 && ra < 360 ? ra : ((ra % 360) + 360) % 360;
        const out: SqlValue[] = [++rows, raN, dec, hpx29(raN, dec)];
        for (const { i } of others) out.push(r[i] ?? null);
        pending.push(out);
        if (pending.length >= BATCH) await flush();
      }
    }
    await flush();
    await tx.exec(ddl.index);
    // planner statistics now, not whenever autovacuum gets to it (PostgreSQL picks a sequential
    // scan over the range ORs without them); SQLite's planner needs none for these queries
    if (tx.dialect === 'postgres') await tx.exec(`ANALYZE ${ident(table)}`);
    await swapCatalogue(tx, spec, table, rows);
  });
  const done = progress.finish(skipped ? `${skipped} rows without a position skipped` : '');
  return { name: spec.name, rows, skipped, seconds: done.seconds, rowsPerSecond: done.rowsPerSecond };
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
        opts.onBatch?.(rows);
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
