// HEALPix NESTED ang2pix / pix2ang throughput: our src/hips/healpix.ts (built dist/lib/hips.js) in
// Node against healpy (Debian's /usr/bin/python3 + python3-healpy, vectorised numpy calls timed
// inside Python with time.perf_counter) on the same points, at orders 8, 16 and 24, in the same run:
// each round runs ours then healpy (A B A B ...) after a warm-up round; one core each. Ours is
// timed twice: the scalar functions in a loop, and the batch API (ang2pixBatch / pix2angBatch:
// Float64Array in, Float64Array out, no allocation per point), which is what healpy's vectorised
// calls compare with. Also queryDisc (inclusive, NESTED) at orders 10, 14 and 18 against healpy's
// query_disc(nest=True, inclusive=True) on the same 200 cones of 30 cell widths radius.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { REPO, addRatios, machine, summarize, writeResult } from './harness.mjs';

export const NAME = 'healpix';
const HIPS_JS = `${REPO}dist/lib/hips.js`;
const PYTHON = process.env.HEALPY_PYTHON ?? '/usr/bin/python3';
const PEER = 'healpy';

/** Whether healpy can run here (else the benchmark runs ours only and says so). */
export function healpyAvailable() {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import healpy'], { stdio: 'ignore' }).status === 0;
}

/** Uniform points on the sphere (deterministic): lon in [0, 360), lat in [-90, 90] degrees. */
export function makePoints(n, seed = 12345) {
  let s = seed >>> 0;
  const u = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lon[i] = 360 * u();
    lat[i] = (Math.asin(2 * u() - 1) * 180) / Math.PI;
  }
  return { lon, lat };
}

function timed(fn, n, minMs) {
  let calls = 0;
  const t0 = performance.now();
  let t;
  do {
    fn();
    calls++;
    t = performance.now() - t0;
  } while (t < minMs);
  return (n * calls) / (t / 1000);
}

/** One JSON line in, one JSON line out. */
function startPeer() {
  const child = spawn(PYTHON, [`${REPO}bench/healpix_healpy.py`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (l) => waiting.shift()?.resolve(JSON.parse(l)));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`healpy process exited with ${code}`));
  });
  return {
    ask: (msg) => new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      child.stdin.write(JSON.stringify(msg) + '\n');
    }),
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin.end();
    }),
  };
}

/** 200 cones at random positions, radius 30 cells of the order (about 2,800 cells each). */
export function makeCones(order, count = 200, seed = 777) {
  const { lon, lat } = makePoints(count, seed);
  const r = (30 * 58.63) / 2 ** order;
  return Array.from({ length: count }, (_, i) => [lon[i], lat[i], r]);
}

export async function run({ n = 1_000_000, orders = [8, 16, 24], discOrders = [10, 14, 18], rounds = 7, warmup = 1, minMs = 200, write = true } = {}) {
  if (!existsSync(HIPS_JS)) throw new Error(`${HIPS_JS} is missing: run \`npm run build\` first`);
  const { ang2pix, pix2ang, ang2pixBatch, pix2angBatch, queryDisc } = await import(HIPS_JS);
  const { lon, lat } = makePoints(n);
  const pix = {};
  const centres = {};
  for (const k of orders) {
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) p[i] = ang2pix(k, lon[i], lat[i]);
    pix[k] = p;
  }

  const peerOk = healpyAvailable();
  const dir = mkdtempSync(join(tmpdir(), 'esasky-healpix-bench-'));
  const peer = peerOk ? startPeer() : undefined;
  const notes = [];
  let versions = {};
  const cones = Object.fromEntries(discOrders.map((k) => [k, makeCones(k)]));
  const discSamples = Object.fromEntries(discOrders.flatMap((k) => [[`${k}-ours`, []], [`${k}-peer`, []]]));
  const discCells = {};
  for (const k of discOrders) {
    let total = 0;
    for (const [lo, la, r] of cones[k]) for (const [a, b] of queryDisc(k, lo, la, r, { inclusive: true })) total += b - a;
    discCells[k] = { ours: total };
  }
  const samples = Object.fromEntries(orders.flatMap((k) => ['ang2pix', 'pix2ang'].flatMap((op) => [[`${op}-${k}-ours`, []], [`${op}-${k}-batch`, []], [`${op}-${k}-peer`, []]])));
  try {
    if (peer) {
      const ll = new Float64Array(2 * n);
      ll.set(lon, 0);
      ll.set(lat, n);
      writeFileSync(join(dir, 'lonlat.f8'), ll);
      const files = {};
      for (const k of orders) {
        files[k] = join(dir, `pix${k}.i8`);
        writeFileSync(files[k], BigInt64Array.from(pix[k], (x) => BigInt(x)));
        const c = new Float64Array(2 * n);
        for (let i = 0; i < n; i++) {
          const [a, b] = pix2ang(k, pix[k][i]);
          c[i] = a;
          c[n + i] = b;
        }
        centres[k] = join(dir, `centres${k}.f8`);
        writeFileSync(centres[k], c);
      }
      versions = await peer.ask({ cmd: 'load', lonlat: join(dir, 'lonlat.f8'), pix: files, n });
      for (const k of orders) {
        const c = await peer.ask({ cmd: 'check', order: k, centres: centres[k] });
        notes.push(`Order ${k}: ang2pix differs from healpy on ${c.ang2pixMismatches} of ${n} points; pix2ang centres differ by at most ${c.pix2angMaxErrDeg.toExponential(1)} deg.`);
      }
    } else {
      notes.push(`healpy not available (${PYTHON} with python3-healpy): esasky-sky only.`);
    }

    const outPix = new Float64Array(n);
    const outLon = new Float64Array(n);
    const outLat = new Float64Array(n);
    for (let round = -warmup; round < rounds; round++) {
      for (const k of orders) {
        const a = timed(() => {
          for (let i = 0; i < n; i++) outPix[i] = ang2pix(k, lon[i], lat[i]);
        }, n, minMs);
        const p = pix[k];
        const b = timed(() => {
          for (let i = 0; i < n; i++) {
            const r = pix2ang(k, p[i]);
            outLon[i] = r[0];
            outLat[i] = r[1];
          }
        }, n, minMs);
        const c = timed(() => ang2pixBatch(k, lon, lat, outPix), n, minMs);
        const d = timed(() => pix2angBatch(k, p, outLon, outLat), n, minMs);
        if (round >= 0) {
          samples[`ang2pix-${k}-ours`].push(a);
          samples[`pix2ang-${k}-ours`].push(b);
          samples[`ang2pix-${k}-batch`].push(c);
          samples[`pix2ang-${k}-batch`].push(d);
        }
      }
      for (const k of discOrders) {
        const cs = cones[k];
        const q = timed(() => {
          for (const [lo, la, r] of cs) queryDisc(k, lo, la, r, { inclusive: true });
        }, cs.length, minMs);
        if (round >= 0) discSamples[`${k}-ours`].push(q);
        if (peer) {
          const d = await peer.ask({ cmd: 'disc', order: k, cones: cs, min_s: minMs / 1000 });
          if (round >= 0) discSamples[`${k}-peer`].push(d.conesPerS);
          discCells[k].peer = d.cells;
        }
      }
      if (peer) {
        const r = await peer.ask({ cmd: 'round', orders, min_s: minMs / 1000 });
        if (round >= 0) {
          for (const k of orders) {
            samples[`ang2pix-${k}-peer`].push(r[k].ang2pix);
            samples[`pix2ang-${k}-peer`].push(r[k].pix2ang);
          }
        }
      }
    }
  } finally {
    await peer?.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const metrics = [];
  for (const op of ['ang2pix', 'pix2ang']) {
    for (const k of orders) {
      const M = (x) => x / 1e6;
      metrics.push({ metric: `${op}, order ${k}`, unit: 'M points/s', subject: 'esasky-sky', better: 'higher', ...summarize(samples[`${op}-${k}-ours`].map(M)) });
      if (peer) metrics.push({ metric: `${op}, order ${k}`, unit: 'M points/s', subject: PEER, better: 'higher', ...summarize(samples[`${op}-${k}-peer`].map(M)) });
      // the batch API against the same healpy samples, as its own metric (ratio = healpy / batch)
      metrics.push({ metric: `${op}Batch, order ${k}`, unit: 'M points/s', subject: 'esasky-sky', better: 'higher', ...summarize(samples[`${op}-${k}-batch`].map(M)) });
      if (peer) metrics.push({ metric: `${op}Batch, order ${k}`, unit: 'M points/s', subject: PEER, better: 'higher', ...summarize(samples[`${op}-${k}-peer`].map(M)) });
    }
  }
  for (const k of discOrders) {
    const K = (x) => x / 1e3;
    metrics.push({ metric: `queryDisc inclusive, order ${k}`, unit: 'k cones/s', subject: 'esasky-sky', better: 'higher', ...summarize(discSamples[`${k}-ours`].map(K)) });
    if (peer) metrics.push({ metric: `queryDisc inclusive, order ${k}`, unit: 'k cones/s', subject: PEER, better: 'higher', ...summarize(discSamples[`${k}-peer`].map(K)) });
  }
  const result = {
    description: `HEALPix NESTED ang2pix (lon/lat degrees -> pixel) and pix2ang (pixel -> lon/lat of its centre) on ${n.toLocaleString('en')} uniform random points, millions of points per second on one core. esasky-sky: a plain loop calling ang2pix/pix2ang of dist/lib/hips.js in Node (results stored into Float64Arrays), and the batch API ang2pixBatch/pix2angBatch on the same Float64Arrays (metrics ...Batch). healpy: one vectorised call (nest=True, lonlat=True) on numpy arrays, timed inside Python with time.perf_counter. ${rounds} rounds after ${warmup} warm-up, ours then healpy in each; each sample repeats the work for at least ${minMs} ms.`,
    machine: machine({ node: process.version, v8: process.versions.v8, ...(versions.healpy ? { python: `healpy ${versions.healpy}, numpy ${versions.numpy}` } : {}) }),
    metrics,
    notes: [
      ...notes,
      ...discOrders.map((k) => `queryDisc order ${k}: 200 cones of radius ${(30 * 58.63 / 2 ** k).toPrecision(3)} deg; cells returned in all: ours ${discCells[k].ours}${discCells[k].peer !== undefined ? `, healpy ${discCells[k].peer}` : ''} (ours as sorted ranges, healpy as an array of every cell).`),
      'healpy\'s time includes its lonlat -> theta/phi conversion and the allocation of the output arrays; ours includes a [lon, lat] tuple per pix2ang call.',
      ...(versions.healpy ? [`Peer: healpy ${versions.healpy}, numpy ${versions.numpy} (${PYTHON}).`] : []),
    ],
  };
  return write ? writeResult(NAME, result) : { name: NAME, ...result, metrics: addRatios(result.metrics) };
}
