/**
 * One small database interface over the two back ends: SQLite through better-sqlite3 (the
 * embedded default, a file under DATA_DIR in WAL mode) and PostgreSQL through `pg` (when
 * DATABASE_URL is set). Everything above this file writes SQL with `?` placeholders and
 * double-quoted identifiers, which both dialects accept; the few places where the dialects
 * differ (DDL) ask `dialect`.
 *
 * Values: numbers, bigints (64-bit HEALPix indices), strings and null go in; numbers, strings
 * and null come out (BIGINT/COUNT/SUM results are returned as JS numbers — never select
 * hpx29 itself, which needs 62 bits).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { ROUND_FUNCTION, TRUNC_FUNCTION, roundDecimal, truncDecimal } from './sqlFunctions.js';

export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = number | bigint | string | null;
export type Row = Record<string, unknown>;

export interface SqlRunner {
  readonly dialect: Dialect;
  /** Rows of a query. */
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** A statement without a result; returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Several statements separated by `;`, no parameters (DDL). */
  exec(sql: string): Promise<void>;
  /** Inserts rows with prepared multi-row statements (batched). */
  insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void>;
}

export interface Database extends SqlRunner {
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (or
   * when the process dies before the commit).
   */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Where the data lives, for logs (no password). */
  readonly location: string;
}

/** `"name"`: a double-quoted identifier; only [A-Za-z_][A-Za-z0-9_]* is accepted. */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`unsafe SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

// ---------------------------------------------------------------------------------------------
// SQLite

/** Most variables in one SQLite statement used by insertMany (the library allows 32766). */
const SQLITE_MAX_VARS = 30000;
const MAX_BATCH_ROWS = 500;

class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private inTransaction = false;

  constructor(
    private readonly db: BetterSqlite3.Database,
    readonly location: string,
  ) {}

  private prepare(sql: string): BetterSqlite3.Statement {
    let st = this.statements.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, st);
    }
    return st;
  }

  async all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.prepare(sql).run(...params).changes;
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  async insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    if (rows.length === 0) return;
    const ncol = columns.length;
    const per = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(SQLITE_MAX_VARS / ncol)));
    const head = `INSERT INTO ${ident(table)} (${columns.map(ident).join(', ')}) VALUES `;
    const tuple = `(${new Array(ncol).fill('?').join(', ')})`;
    const flat: SqlValue[] = [];
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      const st = this.prepare(head + new Array(chunk.length).fill(tuple).join(', '));
      flat.length = 0;
      for (const r of chunk) for (let c = 0; c < ncol; c++) flat.push(r[c] ?? null);
      st.run(...flat);
    }
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    if (this.inTransaction) throw new Error('nested transactions are not supported');
    this.inTransaction = true;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn(this);
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.inTransaction = false;
    }
  }

  async close(): Promise<void> {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

export interface SqliteOptions {
  readonly?: boolean;
  /** Page cache in MiB (bulk ingests want more). Default 64. */
  cacheMiB?: number;
}

/** Opens (creating) the SQLite file at `path` in WAL mode. */
export function openSqlite(path: string, opts: SqliteOptions = {}): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path, { readonly: opts.readonly ?? false });
  if (!opts.readonly) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 30000');
  db.pragma(`cache_size = -${(opts.cacheMiB ?? 64) * 1024}`);
  db.pragma('temp_store = MEMORY');
  registerDeadline(db);
  return new SqliteDatabase(db, path);
}

/** Message of the error DEADLINE_FUNCTION raises. */
export const DEADLINE_EXCEEDED = 'statement time limit exceeded';
/**
 * `esasky_deadline(deadlineEpochMs, …)`: 1 until Date.now() passes the deadline, then an error
 * that aborts the statement. SQLite has no statement timeout that better-sqlite3 exposes; SQL that
 * calls this once per row (the TAP translator puts it in WHERE, with a column of every joined
 * table) can be stopped. PostgreSQL uses statement_timeout instead.
 */
export const DEADLINE_FUNCTION = 'esasky_deadline';

function registerDeadline(db: BetterSqlite3.Database): void {
  db.function(DEADLINE_FUNCTION, { deterministic: false, varargs: true }, (deadline: unknown) => {
    if (typeof deadline === 'number' && Date.now() > deadline) throw new Error(DEADLINE_EXCEEDED);
    return 1;
  });
  // decimal ROUND / TRUNCATE as PostgreSQL's NUMERIC does them (sqlFunctions.ts)
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  db.function(ROUND_FUNCTION, { deterministic: true }, (x: unknown, d: unknown) => roundDecimal(num(x), num(d)));
  db.function(TRUNC_FUNCTION, { deterministic: true }, (x: unknown, d: unknown) => truncDecimal(num(x), num(d)));
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

const PG_MAX_PARAMS = 65535;

/** `?` → `$1, $2, …` (our SQL never has a literal question mark). */
function pgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function pgValue(v: SqlValue | undefined): string | number | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'bigint' ? v.toString() : v;
}

/** int8 (COUNT, BIGINT columns) and numeric (SUM of bigint) as JS numbers. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

class PgRunner implements SqlRunner {
  readonly dialect = 'postgres' as const;
  constructor(protected readonly q: pg.Pool | pg.PoolClient) {}

  async all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const res = await this.q.query({ text: pgPlaceholders(sql), values: params.map(pgValue), types: pgTypes });
    return res.rows as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const res = await this.q.query({ text: pgPlaceholders(sql), values: params.map(pgValue), types: pgTypes });
    return res.rowCount ?? 0;
  }

  async exec(sql: string): Promise<void> {
    await this.q.query(sql);
  }

  async insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    if (rows.length === 0) return;
    const ncol = columns.length;
    const per = Math.max(1, Math.min(MAX_BATCH_ROWS * 2, Math.floor(PG_MAX_PARAMS / ncol)));
    const head = `INSERT INTO ${ident(table)} (${columns.map(ident).join(', ')}) VALUES `;
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      const values: (string | number | null)[] = [];
      const tuples: string[] = [];
      let p = 0;
      for (const r of chunk) {
        const t: string[] = [];
        for (let c = 0; c < ncol; c++) {
          values.push(pgValue(r[c]));
          t.push(`$${++p}`);
        }
        tuples.push(`(${t.join(', ')})`);
      }
      // named statement: the server parses each batch shape once
      await this.q.query({
        name: `ins_${table}_${ncol}_${chunk.length}`.slice(0, 63),
        text: head + tuples.join(', '),
        values,
      });
    }
  }
}

class PgDatabase extends PgRunner implements Database {
  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {
    super(pool);
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PgRunner(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Connects a pool to DATABASE_URL (postgres://user:pass@host:port/db). */
export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  pool.on('error', () => undefined); // an idle client lost: the next query reconnects
  await pool.query('SELECT 1');
  let location = url;
  try {
    const u = new URL(url);
    u.password = '';
    location = u.toString();
  } catch {
    location = 'postgresql';
  }
  return new PgDatabase(pool, location);
}
