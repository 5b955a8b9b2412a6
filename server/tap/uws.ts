/**
 * UWS 1.1 jobs for TAP /async, held in memory: the job state machine
 *   PENDING --RUN--> QUEUED -> EXECUTING -> COMPLETED | ERROR
 *   PENDING | QUEUED | EXECUTING --ABORT--> ABORTED
 * with execution duration, destruction time (expired jobs are removed by a sweep), parameters,
 * one result, an error summary, blocking WAIT, and the job / job-list XML documents.
 * One JobStore per app; destroy() stops its timer.
 */
import { randomBytes } from 'node:crypto';
import { xmlEscape } from '../votable.js';

export type Phase = 'PENDING' | 'QUEUED' | 'EXECUTING' | 'COMPLETED' | 'ERROR' | 'ABORTED';

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

export interface Job {
  id: string;
  runId: string | null;
  phase: Phase;
  params: Map<string, string>;
  creationTime: Date;
  startTime: Date | null;
  endTime: Date | null;
  /** Seconds; 0 = unlimited. */
  executionDuration: number;
  destruction: Date;
  result: JobResult | null;
  error: string | null;
}

export interface JobStoreOptions {
  /** Seconds a job lives (default 1 day). */
  lifetimeS?: number;
  /** Execution limit in seconds (default 600). */
  executionDurationS?: number;
  /** Most jobs held at once (default 100). */
  maxJobs?: number;
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

const UWS_NS = 'http://www.ivoa.net/xml/UWS/v1.0';
const HEAD = `xmlns:uws="${UWS_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`;

function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}

function timeEl(name: string, d: Date | null): string {
  const v = iso(d);
  return v === null ? `<uws:${name} xsi:nil="true"/>` : `<uws:${name}>${v}</uws:${name}>`;
}

export class JobStore {
  private readonly jobs = new Map<string, Job>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly sweep: NodeJS.Timeout;
  private readonly lifetimeS: number;
  private readonly executionDurationS: number;
  private readonly maxJobs: number;

  constructor(
    private readonly runner: JobRunner,
    opts: JobStoreOptions = {},
  ) {
    this.lifetimeS = opts.lifetimeS ?? 86_400;
    this.executionDurationS = opts.executionDurationS ?? 600;
    this.maxJobs = opts.maxJobs ?? 100;
    this.sweep = setInterval(() => this.removeExpired(), 60_000);
    this.sweep.unref();
  }

  destroy(): void {
    clearInterval(this.sweep);
    for (const id of [...this.jobs.keys()]) this.delete(id);
  }

  list(): Job[] {
    this.removeExpired();
    return [...this.jobs.values()].sort((a, b) => a.creationTime.getTime() - b.creationTime.getTime());
  }

  get(id: string): Job {
    this.removeExpired();
    const job = this.jobs.get(id);
    if (job === undefined) throw new UwsError(404, `no job ${JSON.stringify(id)} (unknown, or destroyed)`);
    return job;
  }

  create(params: Map<string, string>): Job {
    this.removeExpired();
    if (this.jobs.size >= this.maxJobs) {
      const oldest = this.list().find((j) => !ACTIVE.has(j.phase));
      if (oldest === undefined) throw new UwsError(503, `this service holds at most ${this.maxJobs} jobs and all are active: try later`);
      this.delete(oldest.id);
    }
    const now = new Date();
    const runId = params.get('RUNID') ?? null;
    params.delete('RUNID');
    const job: Job = {
      id: randomBytes(9).toString('base64url'),
      runId,
      phase: 'PENDING',
      params: new Map([...params].filter(([k]) => k !== 'PHASE')),
      creationTime: now,
      startTime: null,
      endTime: null,
      executionDuration: this.executionDurationS,
      destruction: new Date(now.getTime() + this.lifetimeS * 1000),
      result: null,
      error: null,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  delete(id: string): void {
    const job = this.jobs.get(id);
    if (job === undefined) return;
    if (ACTIVE.has(job.phase)) this.setPhase(job, 'ABORTED');
    this.jobs.delete(id);
  }

  /** Parameters may change while the job is PENDING. */
  setParams(job: Job, params: Map<string, string>): void {
    if (job.phase !== 'PENDING') throw new UwsError(409, `job ${job.id} is ${job.phase}: parameters can only change while PENDING`);
    for (const [k, v] of params) {
      if (k === 'RUNID') job.runId = v;
      else if (k !== 'PHASE') job.params.set(k, v);
    }
  }

  setExecutionDuration(job: Job, raw: string): void {
    if (job.phase !== 'PENDING') throw new UwsError(409, `job ${job.id} is ${job.phase}: EXECUTIONDURATION can only change while PENDING`);
    if (!/^\s*\d+\s*$/.test(raw)) throw new UwsError(400, `EXECUTIONDURATION must be whole seconds >= 0, got ${JSON.stringify(raw)}`);
    const v = Number(raw);
    // 0 means "unlimited": the service keeps its own limit
    job.executionDuration = v === 0 ? this.executionDurationS : Math.min(v, this.executionDurationS);
  }

  setDestruction(job: Job, raw: string): void {
    const t = Date.parse(raw);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(raw.trim()) || Number.isNaN(t)) {
      throw new UwsError(400, `DESTRUCTION must be an ISO 8601 time such as 2030-01-01T00:00:00Z, got ${JSON.stringify(raw)}`);
    }
    // never later than the service's own lifetime from now
    job.destruction = new Date(Math.min(t, Date.now() + this.lifetimeS * 1000));
  }

  /** PHASE=RUN or PHASE=ABORT. */
  command(job: Job, phase: string): void {
    const p = phase.trim().toUpperCase();
    if (p === 'RUN') {
      if (job.phase !== 'PENDING') return; // running a started job again does nothing
      this.start(job);
    } else if (p === 'ABORT') {
      if (ACTIVE.has(job.phase)) this.setPhase(job, 'ABORTED');
    } else {
      throw new UwsError(400, `PHASE=${phase} is not a command: use PHASE=RUN or PHASE=ABORT`);
    }
  }

  /** Resolves when the job leaves `phase` (or after timeoutS), for WAIT. */
  async waitForChange(job: Job, timeoutS: number): Promise<void> {
    if (!ACTIVE.has(job.phase) || timeoutS <= 0) return;
    const from = job.phase;
    await new Promise<void>((resolve) => {
      const set = this.waiters.get(job.id) ?? new Set();
      this.waiters.set(job.id, set);
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutS * 1000);
      timer.unref();
      set.add(() => {
        if (job.phase !== from) done();
      });
    });
  }

  private setPhase(job: Job, phase: Phase): void {
    job.phase = phase;
    if (phase === 'EXECUTING') job.startTime = new Date();
    if (phase === 'COMPLETED' || phase === 'ERROR' || phase === 'ABORTED') job.endTime = new Date();
    for (const w of [...(this.waiters.get(job.id) ?? [])]) w();
  }

  private start(job: Job): void {
    this.setPhase(job, 'QUEUED');
    setImmediate(() => {
      if (job.phase !== 'QUEUED') return;
      this.setPhase(job, 'EXECUTING');
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the job ran longer than its execution duration of ${job.executionDuration} s`)),
          job.executionDuration * 1000,
        );
        timer.unref();
      });
      Promise.race([this.runner(job.params, job.executionDuration), limit])
        .then((result) => {
          if (job.phase !== 'EXECUTING') return;
          job.result = result;
          this.setPhase(job, 'COMPLETED');
        })
        .catch((err: unknown) => {
          if (job.phase !== 'EXECUTING') return;
          job.error = err instanceof Error ? err.message : String(err);
          this.setPhase(job, 'ERROR');
        })
        .finally(() => clearTimeout(timer));
    });
  }

  private removeExpired(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) if (job.destruction.getTime() <= now) this.delete(id);
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
    job.result === null
      ? ''
      : `<uws:result id="result" xlink:type="simple" xlink:href="${xmlEscape(`${jobUrl}/results/result`)}" mime-type="${xmlEscape(job.result.type)}"/>`;
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
