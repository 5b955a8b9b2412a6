/**
 * Runs one ADQL query: parse, translate, run the geometry pre-selections (coarse hpx29 ranges
 * in SQL, exact test in TypeScript), then the translated SELECT with LIMIT = the smaller of
 * TOP and MAXREC + 1, so that an overflow is seen without reading more than one extra row.
 */
import type { Database, SqlRunner, SqlValue } from '../storage/db.js';
import { DEADLINE_EXCEEDED, ident } from '../storage/db.js';
import type { ColumnType } from '../storage/schema.js';
import { rangeClause } from '../storage/spatial.js';
import { parseStcs } from '../storage/stcs.js';
import { AdqlError } from './lexer.js';
import { parseAdql } from './parser.js';
import { pointRanges, pointTest, regionRanges, regionTest } from './geometry.js';
import type { TapMeta } from './metadata.js';
import { translate, type GeomJob, type OutputField } from './translate.js';

/** Longest a synchronous query may run (ms). */
export const TAP_QUERY_TIMEOUT_MS = 60_000;

/** Most candidate rows one geometry pre-selection may read. */
export const MAX_GEOMETRY_CANDIDATES = 2_000_000;

export interface QueryResult {
  fields: Array<OutputField & { type: ColumnType }>;
  rows: unknown[][];
  /** MAXREC cut the result. */
  overflow: boolean;
}

/** An error in what the client asked (a 400), with a message that names it. */
export class TapUserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TapUserError';
  }
}

/** The ids of `job.table` for which the geometry predicate is 1. */
export async function runGeomJob(db: SqlRunner, job: GeomJob, cap = MAX_GEOMETRY_CANDIDATES): Promise<number[]> {
  const t = job.table;
  if (t.source.kind !== 'table' || t.rowId === undefined) {
    throw new AdqlError(`geometry functions cannot be applied to ${t.name}`);
  }
  const table = ident(t.source.sqlTable);
  const id = ident(t.rowId);
  // a table that is one collection of a bigger SQL table
  const only = t.filter === undefined ? '' : ` AND ${ident(t.filter.sqlColumn)} = ?`;
  const onlyParams: SqlValue[] = t.filter === undefined ? [] : [t.filter.value];
  const ids: number[] = [];
  const tooMany = (): never => {
    throw new TapUserError(
      `the region of a ${job.subject.kind === 'point' ? 'CONTAINS' : 'INTERSECTS'} on ${t.name} holds more than ` +
        `${cap} candidate rows, the limit of this service: use a smaller region`,
    );
  };
  if (job.subject.kind === 'point') {
    const { ra, dec } = job.subject;
    const indexed = t.position !== undefined && t.position.ra === ra.name && t.position.dec === dec.name;
    const where = indexed ? rangeClause(pointRanges(job.shape), ident(t.position!.hpx)) : { sql: '1 = 1', params: [] };
    const rows = await db.all<{ id: number; a: number | null; b: number | null }>(
      `SELECT ${id} AS id, ${ident(ra.sqlName)} AS a, ${ident(dec.sqlName)} AS b FROM ${table} WHERE ${where.sql}${only} LIMIT ?`,
      [...where.params, ...onlyParams, BigInt(cap + 1)],
    );
    if (rows.length > cap) tooMany();
    const inside = pointTest(job.shape);
    for (const r of rows) {
      if (r.a === null || r.b === null || !(r.b >= -90 && r.b <= 90) || !Number.isFinite(r.a)) continue;
      if (inside(Number(r.a), Number(r.b))) ids.push(Number(r.id));
    }
    return ids;
  }
  const region = t.region;
  if (region === undefined || t.position === undefined) throw new AdqlError(`${t.name} has no footprint column`);
  const where = rangeClause(regionRanges(job.shape, region.maxExtentDeg), ident(t.position.hpx));
  const rows = await db.all<{ id: number; s: string | null }>(
    `SELECT ${id} AS id, ${ident(job.subject.column.sqlName)} AS s FROM ${table} WHERE ${where.sql}${only} LIMIT ?`,
    [...where.params, ...onlyParams, BigInt(cap + 1)],
  );
  if (rows.length > cap) tooMany();
  const meets = regionTest(job.shape);
  for (const r of rows) {
    const fp = parseStcs(r.s);
    if (fp !== undefined && meets(fp)) ids.push(Number(r.id));
  }
  return ids;
}

function idsParam(dialect: SqlRunner['dialect'], ids: readonly number[]): string {
  return dialect === 'postgres' ? `{${ids.join(',')}}` : JSON.stringify(ids);
}

/**
 * Runs `adql` against `db` with at most `maxrec` rows, each statement stopped after `timeoutMs`
 * (SQLite: the deadline function in the translated WHERE; PostgreSQL: statement_timeout).
 * @throws AdqlError (bad query), TapUserError (a limit), other errors from the database.
 */
export async function runAdql(
  db: Database,
  meta: TapMeta,
  adql: string,
  maxrec: number,
  timeoutMs = TAP_QUERY_TIMEOUT_MS,
): Promise<QueryResult> {
  const tr = translate(parseAdql(adql), meta, db.dialect);
  const limit = Math.min(tr.top ?? Infinity, maxrec + 1);
  const timeLimit = (): TapUserError =>
    new TapUserError(
      `the query ran longer than the time limit of ${timeoutMs / 1000} s of this service: ask for less ` +
        '(TOP, a smaller region, fewer joined rows)',
    );
  const execute = async (runner: SqlRunner): Promise<Array<Record<string, unknown>>> => {
    const idLists: string[] = [];
    for (const job of tr.jobs) idLists.push(idsParam(db.dialect, await runGeomJob(runner, job)));
    const deadline = Date.now() + timeoutMs;
    const params: SqlValue[] = tr.params.map((p) =>
      p === null || typeof p !== 'object' ? p : 'job' in p ? idLists[p.job]! : deadline,
    );
    params.push(BigInt(limit), BigInt(tr.offset ?? 0));
    if (limit === 0) return [];
    try {
      return await runner.all<Record<string, unknown>>(`${tr.sql} LIMIT ? OFFSET ?`, params);
    } catch (err) {
      if ((err as Error).message.includes(DEADLINE_EXCEEDED)) throw timeLimit();
      throw new TapUserError(`the database could not run the query: ${(err as Error).message}`);
    }
  };
  let rows: Array<Record<string, unknown>>;
  if (db.dialect === 'postgres') {
    try {
      rows = await db.transaction(async (tx) => {
        await tx.run(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
        return execute(tx);
      });
    } catch (err) {
      if (err instanceof TapUserError && /statement timeout/.test(err.message)) throw timeLimit();
      throw err;
    }
  } else rows = await execute(db);
  const overflow = rows.length > maxrec;
  if (overflow) rows = rows.slice(0, maxrec);
  const fields = tr.fields.map((f) => ({ ...f, type: f.type === 'null' ? ('text' as const) : f.type }));
  const keys = fields.map((_, i) => `c${i}`);
  return { fields, rows: rows.map((r) => keys.map((k) => r[k] ?? null)), overflow };
}
