// The database-backed UWS job store on its own (a real SQLite file): the job limit per service,
// which job makes room, the row checks, and parameter/duration rules.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite, type Database } from '../storage/db.js';
import { JobStore, UwsError, jobFromRow, jobXml } from './uws.js';

describe('JobStore (SQLite)', () => {
  let dir: string;
  let db: Database;
  const stores: JobStore[] = [];
  const never = async (): Promise<never> => {
    throw new Error('no job runs in these tests');
  };
  const store = (opts: ConstructorParameters<typeof JobStore>[2]): JobStore => {
    const s = new JobStore(async () => db, never, opts);
    stores.push(s);
    return s;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'esasky-uwsstore-'));
    db = openSqlite(join(dir, 'jobs.sqlite'));
  });
  afterAll(async () => {
    for (const s of stores) await s.destroy();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds at most maxJobs per service: the oldest finished job makes room, else 503 naming the limit', async () => {
    const s = store({ service: 'limit-test', maxJobs: 2 });
    const other = store({ service: 'other-service', maxJobs: 2 });
    const j1 = await s.create(new Map([['QUERY', 'one']]));
    const j2 = await s.create(new Map([['QUERY', 'two']]));
    await other.create(new Map([['QUERY', 'elsewhere']])); // another service's jobs do not count
    const full = s.create(new Map([['QUERY', 'three']]));
    await expect(full).rejects.toThrow(UwsError);
    await expect(full).rejects.toThrow('this service holds at most 2 jobs and all are active: try later');
    await s.command(j2, 'ABORT');
    const j3 = await s.create(new Map([['QUERY', 'three']]));
    expect((await s.list()).map((j) => j.id)).toEqual([j1.id, j3.id]);
    await expect(s.get(j2.id)).rejects.toThrow(`no job "${j2.id}" (unknown, or destroyed)`);
    expect((await other.list()).map((j) => j.params.get('QUERY'))).toEqual(['elsewhere']);
  });

  it('keeps RUNID apart from the parameters, keeps their order, and freezes them once the job left PENDING', async () => {
    const s = store({ service: 'params-test' });
    const j = await s.create(new Map([['RUNID', 'r1'], ['LANG', 'ADQL'], ['QUERY', 'q'], ['PHASE', 'RUN?']]));
    expect(j.runId).toBe('r1');
    expect([...j.params.keys()]).toEqual(['LANG', 'QUERY']);
    await s.setParams(j, new Map([['MAXREC', '5'], ['RUNID', 'r2']]));
    const changed = await s.get(j.id);
    expect([...changed.params]).toEqual([['LANG', 'ADQL'], ['QUERY', 'q'], ['MAXREC', '5']]);
    expect(changed.runId).toBe('r2');
    await s.setExecutionDuration(changed, '0'); // 0 = the service's own limit
    expect((await s.get(j.id)).executionDuration).toBe(600);
    await s.setExecutionDuration(changed, '99999');
    expect((await s.get(j.id)).executionDuration).toBe(600);
    await expect(s.setExecutionDuration(changed, '1.5')).rejects.toThrow('EXECUTIONDURATION must be whole seconds >= 0, got "1.5"');
    await s.command(changed, 'ABORT');
    await expect(s.setParams(changed, new Map([['MAXREC', '9']]))).rejects.toThrow(`job ${j.id} is ABORTED: parameters can only change while PENDING`);
    await expect(s.setExecutionDuration(changed, '10')).rejects.toThrow(/can only change while PENDING/);
    await expect(s.command(changed, 'PAUSE')).rejects.toThrow('PHASE=PAUSE is not a command: use PHASE=RUN or PHASE=ABORT');
    expect(jobXml(await s.get(j.id), 'http://h/tap/async/x')).toContain('<uws:phase>ABORTED</uws:phase>');
  });

  it('refuses rows it did not write, naming the job', () => {
    const row = {
      id: 'abc', run_id: null, phase: 'PENDING', params_json: '[["QUERY","q"]]', creation_ms: 1, queued_ms: null,
      start_ms: null, end_ms: null, execution_duration_s: 60, destruction_ms: 2, result_type: null, error: null,
    };
    expect(jobFromRow(row).params.get('QUERY')).toBe('q');
    expect(() => jobFromRow({ ...row, phase: 'SLEEPING' })).toThrow('uws_jobs row abc has an unknown phase "SLEEPING"');
    expect(() => jobFromRow({ ...row, params_json: '{"QUERY":"q"}' })).toThrow('uws_jobs row abc has malformed parameters');
    expect(() => jobFromRow({ ...row, params_json: '[["QUERY",1]]' })).toThrow('uws_jobs row abc has malformed parameters');
  });
});
