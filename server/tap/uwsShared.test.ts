// TAP async (UWS) jobs shared by two server nodes on one database — two apps, each with its own
// connection (SQLite: two connections to one file; PostgreSQL: two pools on one throwaway
// cluster): a job created on one node is read, changed, run, polled, aborted, fetched and deleted
// on the other; a job whose node died, or was shut down mid-job, ends in ERROR; expired jobs disappear. pyvo's async path
// (Debian python3-pyvo, pyvo_async_nodes.py) across the two nodes over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseVoTable } from '../../src/workers/tables/index.js';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { bootstrap } from '../ingest/bootstrap.js';
import { openPostgres, openSqlite, type Database } from '../storage/db.js';
import { ensureSchema } from '../storage/schema.js';
import { pgUnavailable, startPgCluster, type PgCluster } from '../testing/pgCluster.js';
import { runProcess } from '../testing/runProcess.js';

vi.setConfig({ testTimeout: 60_000 });
const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const config = loadConfig({ DATA_DIR: tmpdir() });

const tag = (xml: string, name: string): string | undefined => new RegExp(`<uws:${name}>([^<]*)</uws:${name}>`).exec(xml)?.[1];

interface Nodes {
  a: FastifyInstance;
  b: FastifyInstance;
  /** a third connection, to look at the table itself */
  db: Database;
}

/**
 * `queriesOffLoop`: the back end runs queries off the event loop (PostgreSQL), so a node can be
 * shut down while one of its jobs is running (better-sqlite3 runs them synchronously).
 */
function sharedSuite(
  name: string,
  queriesOffLoop: boolean,
  open: () => Promise<{ dbs: [Database, Database, Database]; close: () => Promise<void> }>,
): void {
  describe(name, () => {
    let nodes: Nodes;
    let close: () => Promise<void>;
    let aClosed = false;

    beforeAll(async () => {
      const opened = await open();
      close = opened.close;
      const [dbA, dbB, db] = opened.dbs;
      await ensureSchema(dbA);
      await bootstrap(dbA, config.repoRoot, null);
      nodes = {
        a: await buildApp(config, { logger: false, database: dbA }),
        b: await buildApp(config, { logger: false, database: dbB }),
        db,
      };
    }, 180_000);

    afterAll(async () => {
      if (!aClosed) await nodes?.a.close();
      await nodes?.b.close();
      await nodes?.db.close();
      await close?.();
    });

    const form = (app: FastifyInstance, url: string, params: Record<string, string>) =>
      app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(params).toString() });
    const create = async (app: FastifyInstance, params: Record<string, string>): Promise<string> => {
      const res = await form(app, '/tap/async', params);
      expect(res.statusCode).toBe(303);
      return new URL(res.headers['location'] as string).pathname;
    };
    const phaseOn = async (app: FastifyInstance, url: string): Promise<string> => (await app.inject(`${url}/phase`)).body;

    it('a job created on A is changed and run through B, polled on A, its result read on B, deleted on A', async () => {
      const { a, b } = nodes;
      const query = 'SELECT name, mag FROM esasky.messier WHERE mag < 6 ORDER BY mag, name';
      const url = await create(a, { LANG: 'ADQL', QUERY: query, RUNID: 'shared-1' });
      const onB = (await b.inject(url)).body;
      expect(tag(onB, 'phase')).toBe('PENDING');
      expect(tag(onB, 'runId')).toBe('shared-1');
      expect(onB).toContain('<uws:parameter id="QUERY">SELECT name, mag FROM esasky.messier WHERE mag &lt; 6 ORDER BY mag, name</uws:parameter>');
      expect((await form(b, `${url}/parameters`, { MAXREC: '4' })).statusCode).toBe(303);
      expect((await form(b, `${url}/executionduration`, { EXECUTIONDURATION: '40' })).statusCode).toBe(303);
      expect((await a.inject(`${url}/executionduration`)).body).toBe('40');
      expect((await a.inject(`${url}/parameters`)).body).toContain('<uws:parameter id="MAXREC">4</uws:parameter>');
      expect((await form(b, `${url}/phase`, { PHASE: 'RUN' })).statusCode).toBe(303);
      // A polls with WAIT until B has finished
      let xml = (await a.inject(`${url}?WAIT=20`)).body;
      for (let i = 0; i < 5 && tag(xml, 'phase') !== 'COMPLETED'; i++) xml = (await a.inject(`${url}?WAIT=20`)).body;
      expect(tag(xml, 'phase')).toBe('COMPLETED');
      expect(xml).toMatch(/<uws:result id="result" xlink:type="simple" xlink:href="http:\/\/localhost:80\/tap\/async\/[^"]+\/results\/result" mime-type="application\/x-votable\+xml/);
      // run again on A: nothing happens (it is not PENDING); parameters are frozen on both
      expect((await form(a, `${url}/phase`, { PHASE: 'RUN' })).statusCode).toBe(303);
      expect((await form(a, `${url}/parameters`, { MAXREC: '9' })).statusCode).toBe(409);
      const viaB = await b.inject(`${url}/results/result`);
      const viaA = await a.inject(`${url}/results/result`);
      expect(viaB.statusCode).toBe(200);
      expect(viaB.body).toBe(viaA.body);
      const sync = parseVoTable((await a.inject(`/tap/sync?${new URLSearchParams({ LANG: 'ADQL', QUERY: query, MAXREC: '4' })}`)).body);
      const got = parseVoTable(viaB.body);
      expect(got.overflow).toBe(true);
      expect(Array.from(got.tables[0]!.byName['name']!.values as string[])).toEqual(Array.from(sync.tables[0]!.byName['name']!.values as string[]));
      expect(got.tables[0]!.nrows).toBe(4);
      const id = url.split('/').pop()!;
      expect((await b.inject('/tap/async')).body).toContain(`<uws:jobref id="${id}"`);
      expect((await a.inject({ method: 'DELETE', url })).statusCode).toBe(303);
      expect((await b.inject(url)).statusCode).toBe(404);
      expect((await b.inject('/tap/async')).body).not.toContain(id);
    });

    it('ABORT on B ends a job A created; errors of a job run on A are read on B', async () => {
      const { a, b } = nodes;
      const pending = await create(a, { LANG: 'ADQL', QUERY: 'SELECT 1 FROM esasky.messier' });
      expect((await form(b, `${pending}/phase`, { PHASE: 'ABORT' })).statusCode).toBe(303);
      expect(await phaseOn(a, pending)).toBe('ABORTED');
      expect((await form(a, `${pending}/phase`, { PHASE: 'RUN' })).statusCode).toBe(303);
      expect(await phaseOn(b, pending)).toBe('ABORTED'); // an aborted job does not run
      const bad = await create(a, { LANG: 'ADQL', QUERY: 'SELECT ra FROM esasky.hipparcos WHERE', PHASE: 'RUN' });
      let xml = (await b.inject(`${bad}?WAIT=20`)).body;
      for (let i = 0; i < 5 && tag(xml, 'phase') !== 'ERROR'; i++) xml = (await b.inject(`${bad}?WAIT=20`)).body;
      expect(tag(xml, 'phase')).toBe('ERROR');
      expect(xml).toContain('<uws:message>expected an expression but found the end of the query (line 1, column 38)</uws:message>');
      expect(parseVoTable((await b.inject(`${bad}/error`)).body).error).toMatch(/line 1, column 38/);
      expect((await b.inject(`${bad}/results/result`)).statusCode).toBe(404);
    });

    it('a job whose node stopped while EXECUTING ends in ERROR on the next look after its duration', async () => {
      const { a, b, db } = nodes;
      const url = await create(a, { LANG: 'ADQL', QUERY: 'SELECT 1 FROM esasky.messier' });
      const id = url.split('/').pop()!;
      // as a node that died mid-query leaves it: EXECUTING, started 10 minutes ago, 60 s allowed
      const started = Date.now() - 600_000;
      await db.run(`UPDATE uws_jobs SET phase = 'EXECUTING', queued_ms = ?, start_ms = ?, execution_duration_s = 60 WHERE id = ?`, [started, started, id]);
      const xml = (await b.inject(url)).body;
      expect(tag(xml, 'phase')).toBe('ERROR');
      expect(xml).toContain('the server node running the job stopped before it finished');
      expect(await phaseOn(a, url)).toBe('ERROR');
      // one still within its duration is left alone
      const live = await create(a, { LANG: 'ADQL', QUERY: 'SELECT 1 FROM esasky.messier' });
      await db.run(`UPDATE uws_jobs SET phase = 'EXECUTING', start_ms = ?, execution_duration_s = 60 WHERE id = ?`, [Date.now(), live.split('/').pop()!]);
      expect(await phaseOn(b, live)).toBe('EXECUTING');
    });

    it('a job past its destruction time is gone on every node and deleted from the table', async () => {
      const { a, b, db } = nodes;
      const url = await create(a, { LANG: 'ADQL', QUERY: 'SELECT 1 FROM esasky.messier' });
      const id = url.split('/').pop()!;
      const soon = new Date(Date.now() + 300).toISOString();
      expect((await form(b, `${url}/destruction`, { DESTRUCTION: soon })).statusCode).toBe(303);
      expect((await a.inject(`${url}/destruction`)).body).toBe(soon);
      await new Promise((r) => setTimeout(r, 400));
      expect((await a.inject(url)).statusCode).toBe(404);
      expect((await b.inject(`${url}/phase`)).statusCode).toBe(404);
      expect((await b.inject('/tap/async')).body).not.toContain(id);
      expect(await db.all('SELECT id FROM uws_jobs WHERE id = ?', [id])).toEqual([]);
    });

    it('/tap and /esasky-tap/tap keep their own job lists', async () => {
      const { a, b } = nodes;
      const url = await create(a, { LANG: 'ADQL', QUERY: 'SELECT 1 FROM esasky.messier' });
      const id = url.split('/').pop()!;
      expect((await b.inject(`/esasky-tap/tap/async/${id}`)).statusCode).toBe(404);
      expect((await b.inject('/esasky-tap/tap/async')).body).not.toContain(id);
    });
    // last: node A is shut down
    it.runIf(queriesOffLoop)('a node shut down gracefully while running a job leaves it ERROR for the others at once', async () => {
      const { a, b } = nodes;
      const url = await create(a, {
        LANG: 'ADQL',
        QUERY: 'SELECT COUNT(*) AS n FROM esasky.hipparcos AS x, esasky.hipparcos AS y, esasky.hipparcos AS z',
      });
      expect((await form(a, `${url}/executionduration`, { EXECUTIONDURATION: '8' })).statusCode).toBe(303);
      expect((await form(a, `${url}/phase`, { PHASE: 'RUN' })).statusCode).toBe(303);
      let phase = await phaseOn(b, url);
      for (let i = 0; i < 50 && phase !== 'EXECUTING'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        phase = await phaseOn(b, url);
      }
      expect(phase).toBe('EXECUTING');
      aClosed = true;
      await a.close();
      const xml = (await b.inject(url)).body;
      expect(tag(xml, 'phase')).toBe('ERROR');
      expect(xml).toContain('the server node running the job stopped before it finished');
    }, 60_000);

  });
}

sharedSuite('UWS jobs shared by two nodes on one SQLite file', false, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'esasky-uws2-'));
  const file = join(dir, 'shared.sqlite');
  return {
    dbs: [openSqlite(file), openSqlite(file), openSqlite(file)],
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

const pgSkip = pgUnavailable();
if (pgSkip !== undefined) {
  // .ci/run sets ESASKY_REQUIRE_PG=1: there a missing PostgreSQL is a failure, not a skip
  it(`PostgreSQL is available for the shared UWS tests (${pgSkip})`, () => {
    expect(process.env['ESASKY_REQUIRE_PG'], `${pgSkip}`).toBeUndefined();
    console.warn(`shared UWS PostgreSQL tests not run here: ${pgSkip}`);
  });
} else {
  let cluster: PgCluster | undefined;
  sharedSuite('UWS jobs shared by two nodes on one PostgreSQL', true, async () => {
    cluster = await startPgCluster();
    const url = cluster.url;
    return {
      dbs: [await openPostgres(url), await openPostgres(url), await openPostgres(url)],
      close: async () => cluster?.stop(),
    };
  });
}


describe('pyvo async across two nodes over HTTP (one SQLite file)', () => {
  let dir: string;
  const apps: FastifyInstance[] = [];
  const bases: string[] = [];
  let pyvoWhy: string | undefined;

  beforeAll(async () => {
    const probe = await runProcess(PYTHON, ['-c', 'import pyvo'], 30_000);
    if (probe.code !== 0) pyvoWhy = `pyvo is not importable by ${PYTHON} (apt-get install -y python3-pyvo)`;
    dir = mkdtempSync(join(tmpdir(), 'esasky-uws-pyvo-'));
    const file = join(dir, 'shared.sqlite');
    const first = openSqlite(file);
    await ensureSchema(first);
    await bootstrap(first, config.repoRoot, null);
    for (const db of [first, openSqlite(file)]) {
      const app = await buildApp(config, { logger: false, database: db });
      await app.listen({ host: '127.0.0.1', port: 0 });
      apps.push(app);
      bases.push(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/tap`);
    }
  }, 120_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('submit_job on A; run, wait and fetch_result on B; delete on A', async () => {
    if (pyvoWhy !== undefined) {
      expect(process.env['ESASKY_REQUIRE_VO_TOOLS'], pyvoWhy).toBeUndefined();
      console.warn(`pyvo cross-node test not run here: ${pyvoWhy}`);
      return;
    }
    const res = await runProcess(PYTHON, [join(HERE, 'pyvo_async_nodes.py'), bases[0]!, bases[1]!], 120_000);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(String(out['url_a']).startsWith(`${bases[0]}/async/`)).toBe(true);
    expect(String(out['url_b']).startsWith(`${bases[1]}/async/`)).toBe(true);
    expect(out['phase_before']).toBe('PENDING');
    expect(out['phase_on_b']).toBe('PENDING');
    expect(out['phase_after']).toBe('COMPLETED');
    expect(out['phase_on_a']).toBe('COMPLETED');
    expect(String(out['after_delete_on_b'])).toMatch(/^gone: .*404/);
    // the reference: the five brightest of the shipped star list, read by the sync endpoint of A
    const sync = parseVoTable(await (await fetch(`${bases[0]}/sync?${new URLSearchParams({ LANG: 'ADQL', QUERY: 'SELECT TOP 5 hip, mag FROM esasky.hipparcos ORDER BY mag, hip' })}`)).text());
    expect(out['hip']).toEqual(Array.from(sync.tables[0]!.byName['hip']!.values as ArrayLike<number>, Number));
  }, 180_000);
});
