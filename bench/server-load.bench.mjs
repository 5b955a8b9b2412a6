// The archive server under load (autocannon on loopback), each case with its peer in the same run:
//  - HiPS tiles per second: our server (fastify + @fastify/static, one Node process) vs nginx
//    (Debian, one worker) serving the same directory, the same random tile URLs, same
//    connections; rounds alternate ours / nginx (A B A B). Goal: >= 0.8x nginx.
//  - counts-in-view (/api/counts: every collection and catalogue in a cone, ESASky's treemap) and
//    1-degree cone searches on the default database: latency p50/p99 of one client issuing
//    queries back to back (the query's own latency), and under 50 connections (queueing on one
//    process included). Goal: counts p99 < 50 ms.
//  - a soak: 500 concurrent connections for 60 s (--soak-seconds) over a mix of tiles, counts and
//    cones, reporting errors/non-2xx (goal: zero) and p99.
// Needs the built server (npm run build) and nginx (Debian nginx-light); without nginx the tile
// peer is skipped with a note.
import { Buffer } from 'node:buffer';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import autocannon from 'autocannon';
import { REPO, addRatios, machine, median, summarize, writeResult } from './harness.mjs';
import { freePort, startServer } from './server.mjs';

export const NAME = 'server-load';

function tilesUnder(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/^Npix\d+\.(jpg|png|webp|fits)$/.test(e)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function seeded(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** One autocannon run over `paths` (random order per request); returns its result. */
function cannon(url, paths, { connections, seconds, seed = 1 }) {
  const u = seeded(seed);
  return autocannon({
    url,
    connections,
    duration: seconds,
    pipelining: 1,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[Math.floor(u() * paths.length)] }) }],
  });
}

const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p));
const NCPU = cpus().length;
const PINNED = TASKSET !== undefined && NCPU >= 2 && !process.env.BENCH_NO_PIN;
const SERVER_CPUS = '0';
const LOADGEN_CPU = String(NCPU - 1);

/** A process and its descendants (Linux /proc). */
function processTree(pid) {
  const out = [pid];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const k of kids ? kids.split(/\s+/) : []) out.push(...processTree(Number(k)));
    }
  } catch {
    // gone, or no /proc
  }
  return out;
}

/** CPU seconds (user + system) used so far by a process tree (Linux /proc; 0 elsewhere). */
function cpuSeconds(pid) {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    } catch {
      // gone
    }
  }
  return ticks / 100; // USER_HZ
}

/** Pins every thread of a process tree to `cpuList` (taskset -a -p). */
function pin(pid, cpuList) {
  if (!PINNED || pid === undefined) return;
  for (const p of processTree(pid)) execFileSync(TASKSET, ['-a', '-p', '-c', cpuList, String(p)], { stdio: 'ignore' });
}

/** One tile run from a child process on the load-generator CPU. */
function cannonPinned(url, pathsFile, { connections, seconds, seed = 1 }) {
  const args = ['bench/cannonChild.mjs', JSON.stringify({ url, pathsFile, connections, seconds, seed })];
  const [cmd, argv] = PINNED ? [TASKSET, ['-c', LOADGEN_CPU, process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { cwd: REPO, timeout: (seconds + 30) * 1000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

/** The bare node:http tile server (bench/rawTileServer.mjs) on a free port. */
async function startRawTileServer(hipsRoot) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO, 'bench', 'rawTileServer.mjs'), hipsRoot, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`rawTileServer exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => new Promise((r) => { child.once('exit', r); child.kill(); }) };
}

export async function run({ rounds = 3, seconds = 5, connections = 50, soakSeconds = 60, soakConnections = 500, write = true } = {}) {
  const hipsRoot = join(REPO, 'data', 'hips');
  const tilePaths = tilesUnder(hipsRoot).map((p) => '/hips/' + relative(hipsRoot, p).split('\\').join('/'));
  const metrics = [];
  const notes = [`${tilePaths.length} tile files of the shipped HiPS (data/hips), random order; ${connections} connections, ${seconds} s per round, ${rounds} rounds`];
  const server = await startServer();
  let nginx;
  try {
    const { nginxUnavailable, startNginx } = await import(`${REPO}dist/server-build/server/testing/nginx.js`);
    const why = nginxUnavailable();
    if (why) notes.push(`nginx peer skipped: ${why}`);
    else nginx = await startNginx(await freePort(), { kind: 'static', root: hipsRoot, location: '/hips/' }, { workers: 1 });

    // the same bytes from both (a check that the comparison is fair)
    for (const p of tilePaths.slice(0, 5)) {
      const a = Buffer.from(await (await fetch(server.url + p)).arrayBuffer());
      if (nginx) {
        const b = Buffer.from(await (await fetch(nginx.url + p)).arrayBuffer());
        if (!a.equals(b)) throw new Error(`our server and nginx serve different bytes for ${p}`);
      }
    }
    const raw = await startRawTileServer(hipsRoot);
    // the same server with the fast path's cache off: every tile through fastify + @fastify/static
    const plain = await startServer({ env: { TILE_CACHE_MB: '0' } });
    const tmp = mkdtempSync(join(tmpdir(), 'esasky-bench-'));
    const pathsFile = join(tmp, 'paths.json');
    writeFileSync(pathsFile, JSON.stringify(tilePaths));
    const peers = [
      { subject: 'esasky-sky', url: server.url, pid: server.pid, rps: [], cpu: [] },
      { subject: 'node:http, tiles in memory (Node ceiling)', url: raw.url, pid: raw.pid, rps: [], cpu: [] },
      { subject: 'esasky-sky, fastify route only (TILE_CACHE_MB=0)', url: plain.url, pid: plain.pid, rps: [], cpu: [] },
      ...(nginx ? [{ subject: 'nginx', url: nginx.url, pid: nginx.pid, rps: [], cpu: [] }] : []),
    ];
    const errors = [];
    try {
      for (const p of peers) pin(p.pid, SERVER_CPUS);
      notes.push(PINNED
        ? `servers pinned to CPU ${SERVER_CPUS}, autocannon to CPU ${LOADGEN_CPU} (taskset); ${NCPU} CPUs`
        : `not pinned (${TASKSET ? `${NCPU} CPU` : 'no taskset'}): the load generator shares the CPUs with the server`);
      for (const p of peers) await cannonPinned(p.url, pathsFile, { connections, seconds: 1 }); // warm-up
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < peers.length; i++) {
          const p = peers[(i + r) % peers.length];
          const cpu0 = cpuSeconds(p.pid);
          const res = await cannonPinned(p.url, pathsFile, { connections, seconds, seed: r + 1 });
          p.cpu.push((cpuSeconds(p.pid) - cpu0) / seconds);
          p.rps.push(res.rps);
          errors.push(res.errors);
        }
      }
    } finally {
      pin(server.pid, `0-${NCPU - 1}`);
      await raw.stop();
      await plain.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
    const [ours, node, fastifyOnly, peer] = [peers[0].rps, peers[1].rps, peers[2].rps, peers[3]?.rps ?? []];
    metrics.push({ metric: 'HiPS tiles per second (1 process)', subject: 'esasky-sky', unit: 'req/s', better: 'higher', ...summarize(ours) });
    if (nginx) metrics.push({ metric: 'HiPS tiles per second (1 process)', subject: 'nginx', unit: 'req/s', better: 'higher', ...summarize(peer) });
    metrics.push({ metric: 'HiPS tiles per second (1 process)', subject: peers[1].subject, unit: 'req/s', better: 'higher', ...summarize(node) });
    metrics.push({ metric: 'HiPS tiles per second (1 process)', subject: peers[2].subject, unit: 'req/s', better: 'higher', ...summarize(fastifyOnly) });
    // the same per CPU second of the server process(es): what one core would serve when the
    // server is the bottleneck (robust to a load generator or a busy machine holding it back)
    for (const p of peers) {
      const perCpu = p.rps.map((rps, i) => (p.cpu[i] > 0 ? rps / p.cpu[i] : Number.NaN)).filter(Number.isFinite);
      if (perCpu.length > 0) metrics.push({ metric: 'HiPS tiles per CPU second of the server', subject: p.subject, unit: 'req/CPU-s', better: 'higher', ...summarize(perCpu) });
    }
    notes.push(`tile runs: ${errors.reduce((s, x) => s + x, 0)} errors or non-2xx answers in all`);
    // a server far below one CPU second per second was not the bottleneck (the load generator or
    // the machine's other load was): read the ratios with that in mind
    notes.push(`server CPU use during its tile runs (CPU s per s, median): ${peers.map((p) => `${p.subject} ${median(p.cpu).toFixed(2)}`).join('; ')}`);

    // latency of the page's region queries
    const rnd = seeded(7);
    const cones = Array.from({ length: 200 }, () => {
      const ra = (360 * rnd()).toFixed(3);
      const dec = ((Math.asin(2 * rnd() - 1) * 180) / Math.PI).toFixed(3);
      return { counts: `/api/counts?ra=${ra}&dec=${dec}&radius=2`, cone: `/api/catalogues/hipparcos/cone?ra=${ra}&dec=${dec}&radius=1&limit=1000` };
    });
    for (const [name, paths] of [['counts in view, 2° cone, every collection and catalogue', cones.map((c) => c.counts)], ['cone search 1°, Hipparcos subset', cones.map((c) => c.cone)]]) {
      for (const conn of [1, connections]) {
        const p50 = [];
        const p99 = [];
        for (let r = 0; r < rounds; r++) {
          const res = await cannon(server.url, paths, { connections: conn, seconds, seed: r + 11 });
          if (res.errors + res.non2xx > 0) throw new Error(`${name}: ${res.errors} errors, ${res.non2xx} non-2xx`);
          p50.push(res.latency.p50);
          p99.push(res.latency.p99);
        }
        const who = conn === 1 ? 'one client' : `${conn} connections`;
        metrics.push({ metric: `${name}: latency p50 (${who})`, subject: 'esasky-sky', unit: 'ms', better: 'lower', ...summarize(p50) });
        metrics.push({ metric: `${name}: latency p99 (${who})`, subject: 'esasky-sky', unit: 'ms', better: 'lower', ...summarize(p99) });
      }
    }

    // soak
    const mix = [...tilePaths, ...cones.map((c) => c.counts), ...cones.map((c) => c.cone)];
    const soak = await cannon(server.url, mix, { connections: soakConnections, seconds: soakSeconds, seed: 99 });
    metrics.push({ metric: `soak: ${soakConnections} connections for ${soakSeconds} s, errors + non-2xx`, subject: 'esasky-sky', unit: 'count', better: 'lower', ...summarize([soak.errors + soak.non2xx + soak.timeouts]) });
    metrics.push({ metric: `soak: ${soakConnections} connections for ${soakSeconds} s, latency p99`, subject: 'esasky-sky', unit: 'ms', better: 'lower', ...summarize([soak.latency.p99]) });
    metrics.push({ metric: `soak: ${soakConnections} connections for ${soakSeconds} s, requests per second`, subject: 'esasky-sky', unit: 'req/s', better: 'higher', ...summarize([soak.requests.average]) });
    notes.push(`soak: ${soak.requests.total} requests, ${soak.errors} errors, ${soak.timeouts} timeouts, ${soak.non2xx} non-2xx`);
  } finally {
    await nginx?.stop();
    await server.stop();
  }
  const result = {
    description: 'The archive server under load on loopback (autocannon 8): HiPS tile throughput vs nginx on the same files, region-query latency, a 500-connection soak',
    machine: machine({ nginx: '1.22 (Debian), 1 worker', server: 'one Node process' }),
    metrics,
    notes,
  };
  if (write) return writeResult(NAME, result);
  addRatios(metrics);
  return { name: NAME, ...result };
}
