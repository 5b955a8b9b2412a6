/**
 * UWS 1.1 jobs for TAP /async, kept in the archive database (table uws_jobs, the same schema on
 * SQLite and PostgreSQL) so that any server node behind a round-robin balancer can answer for
 * any job: a job created on one node is polled, aborted, deleted and its result fetched on
 * another. The job state machine
 *   PENDING --RUN--> QUEUED -> EXECUTING -> COMPLETED | ERROR
 *   PENDING | QUEUED | EXECUTING --ABORT--> ABORTED
 * is kept with conditional UPDATEs (`… WHERE phase = 'EXECUTING'`), so that an ABORT from one
 * node wins over a result that arrives later on the node running the query. The node that gets
 * PHASE=RUN runs the query; the result (VOTable or CSV text) is stored in the job's row. A job
 * whose node stopped while it was QUEUED or EXECUTING is set to ERROR by whichever node looks at
 * it after its execution duration (plus a grace period) has passed. Expired jobs (destruction
 * time) are deleted by a sweep on every node and never shown. WAIT polls the row.
 * One JobStore per service (/tap, /esasky-tap/tap) and app; destroy() stops its timer and marks
 * the jobs this node was running as ERROR.
 */
import { randomBytes } from 'node:crypto';
import type { Database, SqlRunner } from '../storage/db.js';
import { xmlEscape } from '../votable.js';

export type Phase = 'PENDING' | 'QUEUED' | 'EXECUTING' | 'COMPLETED' | 'ERROR' | 'ABORTED';

const PHASES: ReadonlySet<string> = new Set(['PENDING', 'QUEUED', 'EXECUTING', 'COMPLETED', 'ERROR', 'ABORTED']);
const ACTIVE: ReadonlySet<Phase> = new Set(['PENDING', 'QUEUED', 'EXECUTING']);

export interface JobResult {
  type: string;
  body: string;
}

/**
 * Runs a job's parameters within `timeLimitS` seconds; throws an Error whose message becomes the
 * error summary.
 */
export type JobRunner = (params: ReadonlyMap<string, string>, timeLimitS: number) => Promise<JobResult>;

/** A job as read from its row (the result body is read on its own: JobStore.result). */
export interface Job {
  id: string;
  runId: string | null;
  phase: Phase;
  params: Map<string, string>;
  creationTime: Date;
  /** When PHASE=RUN queued it (not a UWS field: tells an orphaned QUEUED job). */
  queuedTime: Date | null;
  startTime: Date | null;
  endTime: Date | null;
  /** Seconds; 0 = unlimited. */
  executionDuration: number;
  destruction: Date;
  /** Media type of the result, when there is one. */
  resultType: string | null;
  error: string | null;
}

export interface JobStoreOptions {
  /** Which service's jobs (jobs of /tap and /esasky-tap/tap share the table). */
  service?: string;
  /** Seconds a job lives (default 1 day). */
  lifetimeS?: number;
  /** Execution limit in seconds (default 600). */
  executionDurationS?: number;
  /** Most jobs held at once per service (default 100). */
  maxJobs?: number;
  /** How often WAIT looks at the job's row (ms, default 100). */
  pollMs?: number;
  /** How long after its execution duration a QUEUED/EXECUTING job counts as orphaned (s, default 30). */
  orphanGraceS?: number;
  /** Clock (ms since 1970), for tests. */
  now?: () => number;
}

/** A client error on a UWS resource (the message names it). */
export class UwsError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'UwsError';
  }
}

/** The jobs table; the same DDL for SQLite and PostgreSQL (times in ms since 1970). */
export const UWS_SCHEMA = `
CREATE TABLE IF NOT EXISTS uws_jobs (
  id TEXT PRIMARY KEY,
  service TEXT NOT NULL,
  run_id TEXT,
  phase TEXT NOT NULL,
  params_json TEXT NOT NULL,
  creation_ms BIGINT NOT NULL,
  queued_ms BIGINT,
  start_ms BIGINT,
  end_ms BIGINT,
  execution_duration_s INTEGER NOT NULL,
  destruction_ms BIGINT NOT NULL,
  result_type TEXT,
  result_body TEXT,
  error TEXT
);
CREATE INDEX IF NOT EXISTS uws_jobs_service ON uws_jobs (service, creation_ms);
CREATE INDEX IF NOT EXISTS uws_jobs_destruction ON uws_jobs (destruction_ms);
`;

/** Advisory lock key of the jobs table's creation in PostgreSQL (nodes starting together). */
const UWS_SCHEMA_LOCK = 0x75777331;

/** Creates uws_jobs when missing (PostgreSQL: one node at a time). */
export async function ensureUwsSchema(db: Database): Promise<void> {
  if (db.dialect === 'postgres') {
    await db.transaction(async (tx) => {
      await tx.all('SELECT pg_advisory_xact_lock(?)', [UWS_SCHEMA_LOCK]);
      await tx.exec(UWS_SCHEMA);
    });
  } else {
    await db.exec(UWS_SCHEMA);
  }
}

const UWS_NS = 'http://www.ivoa.net/xml/UWS/v1.0';
const HEAD = `xmlns:uws="${UWS_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`;

function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}

function timeEl(name: string, d: Date | null): string {
  const v = iso(d);
  return v === null ? `<uws:${name} xsi:nil="true"/>` : `<uws:${name}>${v}</uws:${name}>`;
}

interface JobRow {
  id: string;
  run_id: string | null;
  phase: string;
  params_json: string;
  creation_ms: number | string;
  queued_ms: number | string | null;
  start_ms: number | string | null;
  end_ms: number | string | null;
  execution_duration_s: number | string;
  destruction_ms: number | string;
  result_type: string | null;
  error: string | null;
}

const JOB_COLUMNS = 'id, run_id, phase, params_json, creation_ms, queued_ms, start_ms, end_ms, execution_duration_s, destruction_ms, result_type, error';

function dateOf(v: number | string | null): Date | null {
  return v === null ? null : new Date(Number(v));
}

/** A row -> a Job; a row this code did not write is an error naming the job. */
export function jobFromRow(row: JobRow): Job {
  if (!PHASES.has(row.phase)) throw new Error(`uws_jobs row ${row.id} has an unknown phase ${JSON.stringify(row.phase)}`);
  const pairs = JSON.parse(row.params_json) as unknown;
  if (!Array.isArray(pairs) || !pairs.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string')) {
    throw new Error(`uws_jobs row ${row.id} has malformed parameters`);
  }
  return {
    id: row.id,
    runId: row.run_id,
    phase: row.phase as Phase,
    params: new Map(pairs as [string, string][]),
    creationTime: new Date(Number(row.creation_ms)),
    queuedTime: dateOf(row.queued_ms),
    startTime: dateOf(row.start_ms),
    endTime: dateOf(row.end_ms),
    executionDuration: Number(row.execution_duration_s),
    destruction: new Date(Number(row.destruction_ms)),
    resultType: row.result_type,
    error: row.error,
  };
}

export class JobStore {
  private readonly sweep: NodeJS.Timeout;
  private readonly service: string;
  private readonly lifetimeS: number;
  private readonly executionDurationS: number;
  private readonly maxJobs: number;
  private readonly pollMs: number;
  private readonly orphanGraceS: number;
  private readonly now: () => number;
  /** Ids of the jobs this node is running. */
  private readonly running = new Set<string>();
  private ready: Promise<Database> | undefined;
  private destroyed = false;

  constructor(
    private readonly database: () => Promise<Database>,
    private readonly runner: JobRunner,
    opts: JobStoreOptions = {},
  ) {
    this.service = opts.service ?? 'tap';
    this.lifetimeS = opts.lifetimeS ?? 86_400;
    this.executionDurationS = opts.executionDurationS ?? 600;
    this.maxJobs = opts.maxJobs ?? 100;
    this.pollMs = opts.pollMs ?? 100;
    this.orphanGraceS = opts.orphanGraceS ?? 30;
    this.now = opts.now ?? Date.now;
    this.sweep = setInterval(() => {
      // only once the database is in use (it is opened lazily); it may be closing: next sweep
      if (this.ready !== undefined) this.removeExpired().catch(() => undefined);
    }, 60_000);
    this.sweep.unref();
  }

  /** The database with the jobs table in it (created on first use). */
  private db(): Promise<Database> {
    this.ready ??= this.database().then(async (db) => {
      await ensureUwsSchema(db);
      return db;
    });
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }

  /** Stops the sweep; the jobs this node is running become ERROR (their query dies with it). */
  async destroy(): Promise<void> {
    clearInterval(this.sweep);
    this.destroyed = true;
    if (this.running.size === 0 || this.ready === undefined) return;
    try {
      const db = await this.ready;
      for (const id of this.running) {
        await this.finish(db, id, 'ERROR', { error: 'the server node running the job stopped before it finished' });
      }
    } catch {
      // the database is gone already: the orphan rule ends these jobs on the other nodes
    }
    this.running.clear();
  }

  async list(): Promise<Job[]> {
    const db = await this.db();
    await this.removeExpired();
    const rows = await db.all<JobRow>(`SELECT ${JOB_COLUMNS} FROM uws_jobs WHERE service = ? ORDER BY creation_ms, id`, [this.service]);
    const jobs = rows.map(jobFromRow);
    if (!jobs.some((j) => this.isOrphan(j))) return jobs;
    for (const j of jobs) if (this.isOrphan(j)) await this.reapOrphan(db, j.id);
    return this.list();
  }

  async get(id: string): Promise<Job> {
    const db = await this.db();
    for (let attempt = 0; ; attempt++) {
      const rows = await db.all<JobRow>(`SELECT ${JOB_COLUMNS} FROM uws_jobs WHERE id = ? AND service = ? AND destruction_ms > ?`, [id, this.service, this.now()]);
      if (rows[0] === undefined) throw new UwsError(404, `no job ${JSON.stringify(id)} (unknown, or destroyed)`);
      const job = jobFromRow(rows[0]);
      if (attempt > 0 || !this.isOrphan(job)) return job;
      await this.reapOrphan(db, id);
    }
  }

  /** The result of a COMPLETED job. */
  async result(job: Job): Promise<JobResult> {
    const db = await this.db();
    const rows = await db.all<{ result_type: string | null; result_body: string | null }>(
      'SELECT result_type, result_body FROM uws_jobs WHERE id = ? AND service = ?',
      [job.id, this.service],
    );
    const r = rows[0];
    if (r === undefined || r.result_type === null || r.result_body === null) {
      throw new UwsError(404, `job ${job.id} is ${job.phase}: it has no result`);
    }
    return { type: r.result_type, body: r.result_body };
  }

  async create(params: Map<string, string>): Promise<Job> {
    const db = await this.db();
    await this.removeExpired();
    const counted = await db.all<{ n: number | string }>('SELECT COUNT(*) AS n FROM uws_jobs WHERE service = ?', [this.service]);
    if (Number(counted[0]?.n ?? 0) >= this.maxJobs) {
      const oldest = await db.all<{ id: string }>(
        `SELECT id FROM uws_jobs WHERE service = ? AND phase IN ('COMPLETED', 'ERROR', 'ABORTED') ORDER BY creation_ms, id LIMIT 1`,
        [this.service],
      );
      if (oldest[0] === undefined) throw new UwsError(503, `this service holds at most ${this.maxJobs} jobs and all are active: try later`);
      await db.run('DELETE FROM uws_jobs WHERE id = ?', [oldest[0].id]);
    }
    const now = this.now();
    const runId = params.get('RUNID') ?? null;
    const kept = [...params].filter(([k]) => k !== 'PHASE' && k !== 'RUNID');
    const id = randomBytes(9).toString('base64url');
    await db.run(
      `INSERT INTO uws_jobs (id, service, run_id, phase, params_json, creation_ms, execution_duration_s, destruction_ms)
       VALUES (?, ?, ?, 'PENDING', ?, ?, ?, ?)`,
      [id, this.service, runId, JSON.stringify(kept), now, this.executionDurationS, now + this.lifetimeS * 1000],
    );
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const db = await this.db();
    await db.run('DELETE FROM uws_jobs WHERE id = ? AND service = ?', [id, this.service]);
  }

  /** Parameters may change while the job is PENDING. */
  async setParams(job: Job, params: Map<string, string>): Promise<void> {
    const merged = new Map(job.params);
    let runId = job.runId;
    for (const [k, v] of params) {
      if (k === 'RUNID') runId = v;
      else if (k !== 'PHASE') merged.set(k, v);
    }
    await this.updatePending(job, 'parameters', 'run_id = ?, params_json = ?', [runId, JSON.stringify([...merged])]);
  }

  async setExecutionDuration(job: Job, raw: string): Promise<void> {
    if (!/^\s*\d+\s*$/.test(raw)) throw new UwsError(400, `EXECUTIONDURATION must be whole seconds >= 0, got ${JSON.stringify(raw)}`);
    const v = Number(raw);
    // 0 means "unlimited": the service keeps its own limit
    const seconds = v === 0 ? this.executionDurationS : Math.min(v, this.executionDurationS);
    await this.updatePending(job, 'EXECUTIONDURATION', 'execution_duration_s = ?', [seconds]);
  }

  async setDestruction(job: Job, raw: string): Promise<void> {
    const t = Date.parse(raw);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(raw.trim()) || Number.isNaN(t)) {
      throw new UwsError(400, `DESTRUCTION must be an ISO 8601 time such as 2030-01-01T00:00:00Z, got ${JSON.stringify(raw)}`);
    }
    // never later than the service's own lifetime from now
    const db = await this.db();
    await db.run('UPDATE uws_jobs SET destruction_ms = ? WHERE id = ? AND service = ?', [
      Math.min(t, this.now() + this.lifetimeS * 1000),
      job.id,
      this.service,
    ]);
  }

  /** PHASE=RUN or PHASE=ABORT. */
  async command(job: Job, phase: string): Promise<void> {
    const p = phase.trim().toUpperCase();
    const db = await this.db();
    if (p === 'RUN') {
      // running a started job again does nothing; only the node whose UPDATE wins runs it
      const queued = await db.run(`UPDATE uws_jobs SET phase = 'QUEUED', queued_ms = ? WHERE id = ? AND service = ? AND phase = 'PENDING'`, [
        this.now(),
        job.id,
        this.service,
      ]);
      if (queued === 1) this.start(db, job.id);
    } else if (p === 'ABORT') {
      await db.run(`UPDATE uws_jobs SET phase = 'ABORTED', end_ms = ? WHERE id = ? AND service = ? AND phase IN ('PENDING', 'QUEUED', 'EXECUTING')`, [
        this.now(),
        job.id,
        this.service,
      ]);
    } else {
      throw new UwsError(400, `PHASE=${phase} is not a command: use PHASE=RUN or PHASE=ABORT`);
    }
  }

  /**
   * The job once it has left `job.phase`, or as it is after `timeoutS` (WAIT); looks at its row
   * every pollMs, so a change made by any node is seen.
   */
  async waitForChange(job: Job, timeoutS: number): Promise<Job> {
    if (!ACTIVE.has(job.phase) || timeoutS <= 0) return job;
    const until = Date.now() + timeoutS * 1000;
    for (;;) {
      const wait = Math.min(this.pollMs, until - Date.now());
      if (wait <= 0 || this.destroyed) return this.get(job.id);
      await new Promise((r) => setTimeout(r, wait));
      const now = await this.get(job.id);
      if (now.phase !== job.phase) return now;
    }
  }

  private async updatePending(job: Job, what: string, set: string, values: (string | number | null)[]): Promise<void> {
    const db = await this.db();
    const changed = await db.run(`UPDATE uws_jobs SET ${set} WHERE id = ? AND service = ? AND phase = 'PENDING'`, [...values, job.id, this.service]);
    if (changed === 0) {
      const phase = (await this.get(job.id)).phase;
      throw new UwsError(409, `job ${job.id} is ${phase}: ${what} can only change while PENDING`);
    }
  }

  /** Sets a final phase, only from EXECUTING (an ABORT that came first stays). */
  private async finish(db: SqlRunner, id: string, phase: 'COMPLETED' | 'ERROR', what: { result?: JobResult; error?: string }): Promise<void> {
    await db.run(
      `UPDATE uws_jobs SET phase = ?, end_ms = ?, result_type = ?, result_body = ?, error = ? WHERE id = ? AND phase IN ('QUEUED', 'EXECUTING')`,
      [phase, this.now(), what.result?.type ?? null, what.result?.body ?? null, what.error ?? null, id],
    );
  }

  private start(db: Database, id: string): void {
    this.running.add(id);
    setImmediate(() => {
      void this.execute(db, id).finally(() => this.running.delete(id));
    });
  }

  private async execute(db: Database, id: string): Promise<void> {
    let job: Job;
    try {
      const started = await db.run(`UPDATE uws_jobs SET phase = 'EXECUTING', start_ms = ? WHERE id = ? AND phase = 'QUEUED'`, [this.now(), id]);
      if (started === 0 || this.destroyed) return; // aborted or deleted meanwhile
      job = await this.get(id);
    } catch {
      return; // the database went away (shutting down): the orphan rule ends the job
    }
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the job ran longer than its execution duration of ${job.executionDuration} s`)),
        job.executionDuration * 1000,
      );
      timer.unref();
    });
    try {
      const result = await Promise.race([this.runner(job.params, job.executionDuration), limit]);
      await this.finish(db, id, 'COMPLETED', { result });
    } catch (err) {
      await this.finish(db, id, 'ERROR', { error: err instanceof Error ? err.message : String(err) }).catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A QUEUED / EXECUTING job that no node is running any more: EXECUTING past its execution
   * duration plus a grace period, or QUEUED for longer than the grace period.
   */
  private isOrphan(job: Job): boolean {
    if (this.running.has(job.id)) return false;
    const now = this.now();
    const grace = this.orphanGraceS * 1000;
    if (job.phase === 'EXECUTING') return job.startTime !== null && job.startTime.getTime() + job.executionDuration * 1000 + grace < now;
    if (job.phase === 'QUEUED') return job.queuedTime !== null && job.queuedTime.getTime() + grace < now;
    return false;
  }

  /** Ends an orphaned job with an error, unless it changed meanwhile. */
  private async reapOrphan(db: Database, id: string): Promise<void> {
    const now = this.now();
    await db.run(
      `UPDATE uws_jobs SET phase = 'ERROR', end_ms = ?, error = ?
       WHERE id = ? AND ((phase = 'EXECUTING' AND start_ms + execution_duration_s * 1000 + ? < ?) OR (phase = 'QUEUED' AND queued_ms + ? < ?))`,
      [now, 'the server node running the job stopped before it finished', id, this.orphanGraceS * 1000, now, this.orphanGraceS * 1000, now],
    );
  }

  private async removeExpired(): Promise<void> {
    const db = await this.db();
    await db.run('DELETE FROM uws_jobs WHERE destruction_ms <= ?', [this.now()]);
  }
}

// ---------------------------------------------------------------------------------------------
// documents

export function parametersXml(job: Job, bare = false): string {
  const ps = [...job.params].map(([k, v]) => `<uws:parameter id="${xmlEscape(k)}">${xmlEscape(v)}</uws:parameter>`).join('');
  return bare ? `<uws:parameters ${HEAD}>${ps}</uws:parameters>` : `<uws:parameters>${ps}</uws:parameters>`;
}

export function resultsXml(job: Job, jobUrl: string, bare = false): string {
  const r =
    job.resultType === null
      ? ''
      : `<uws:result id="result" xlink:type="simple" xlink:href="${xmlEscape(`${jobUrl}/results/result`)}" mime-type="${xmlEscape(job.resultType)}"/>`;
  return bare ? `<uws:results ${HEAD}>${r}</uws:results>` : `<uws:results>${r}</uws:results>`;
}

export function jobXml(job: Job, jobUrl: string): string {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<uws:job ${HEAD} version="1.1">`,
    `<uws:jobId>${xmlEscape(job.id)}</uws:jobId>`,
    job.runId === null ? '' : `<uws:runId>${xmlEscape(job.runId)}</uws:runId>`,
    '<uws:ownerId xsi:nil="true"/>',
    `<uws:phase>${job.phase}</uws:phase>`,
    '<uws:quote xsi:nil="true"/>',
    timeEl('creationTime', job.creationTime),
    timeEl('startTime', job.startTime),
    timeEl('endTime', job.endTime),
    `<uws:executionDuration>${job.executionDuration}</uws:executionDuration>`,
    timeEl('destruction', job.destruction),
    parametersXml(job),
    resultsXml(job, jobUrl),
    job.error === null ? '' : `<uws:errorSummary type="fatal" hasDetail="true"><uws:message>${xmlEscape(job.error)}</uws:message></uws:errorSummary>`,
    '</uws:job>',
    '',
  ];
  return parts.filter((p) => p !== '').join('\n') + '\n';
}

export function jobListXml(jobs: readonly Job[], baseUrl: string): string {
  const refs = jobs.map(
    (j) =>
      `<uws:jobref id="${xmlEscape(j.id)}" xlink:type="simple" xlink:href="${xmlEscape(`${baseUrl}/${j.id}`)}">` +
      `<uws:phase>${j.phase}</uws:phase>${j.runId === null ? '' : `<uws:runId>${xmlEscape(j.runId)}</uws:runId>`}` +
      `<uws:creationTime>${j.creationTime.toISOString()}</uws:creationTime></uws:jobref>`,
  );
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<uws:jobs ${HEAD} version="1.1">`, ...refs, '</uws:jobs>', ''].join('\n');
}
