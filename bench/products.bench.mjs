// Bulk product download: POST /api/products/bulk with every product of the products ingest (the
// data kit's 15 UVES spectra and 2 light curves) against the built server on loopback, the
// streamed tar read to the end; throughput in MB/s per round. Peer, in the same run on the same
// files: GNU tar writing the same archive to a pipe (`tar -cf - …`), read to the end.
// Each archive is checked to hold the expected byte count before it is timed.
//
// Needs the built server (npm run build) and the data kit (ESASKY_SHARED_DATA or ../shared/data).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO, machine, summarize, writeResult } from './harness.mjs';
import { startServer } from './server.mjs';

export const NAME = 'products';
const BUILD = `${REPO}dist/server-build/server`;

function gnuTarBytes(cwd, names) {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-cf', '-', ...names], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let n = 0;
    child.stdout.on('data', (b) => (n += b.length));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(n) : reject(new Error(`tar exited with ${code}`))));
  });
}

export async function run({ rounds = 5, requestsPerRound = 10, write = true } = {}) {
  if (!existsSync(`${BUILD}/ingest/products.js`)) throw new Error('server not built: run `npm run build` first');
  const kit = process.env.ESASKY_SHARED_DATA ?? join(REPO, '..', 'shared', 'data');
  if (!existsSync(join(kit, 'spectra', 'UVES'))) {
    const reason = `skipped: the data kit (${kit}/spectra/UVES) is missing`;
    console.log(reason);
    return { name: NAME, metrics: [], skipped: reason };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'esasky-bench-products-'));
  const { openDatabase } = await import(`${BUILD}/storage/open.js`);
  const { ingestProducts, productDir } = await import(`${BUILD}/ingest/products.js`);
  const db = await openDatabase({ dataDir });
  await ingestProducts(db, kit, dataDir, { progress: null });
  await db.close();
  const server = await startServer({ env: { DATA_DIR: dataDir } });
  try {
    const ids = [];
    const files = [];
    for (const collection of ['UVES-spectra', 'light-curves']) {
      for (const f of readdirSync(productDir(dataDir, collection)).filter((x) => x.endsWith('.fits')).sort()) {
        ids.push(`${collection}/${f.replace(/\.fits$/, '')}`);
        files.push(`${collection}/${f}`);
      }
    }
    const productsRoot = join(dataDir, 'products');
    const payloadBytes = files.reduce((n, f) => n + statSync(join(productsRoot, f)).size, 0);
    const bulk = async () => {
      const res = await fetch(`${server.url}/api/products/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ids }),
      });
      if (res.status !== 200) throw new Error(`bulk answered ${res.status}: ${await res.text()}`);
      return (await res.arrayBuffer()).byteLength;
    };
    const oursSize = await bulk();
    const peerSize = await gnuTarBytes(productsRoot, files);
    if (oursSize < payloadBytes + 512 * files.length) throw new Error(`bulk archive too short: ${oursSize} bytes`);
    const ours = [];
    const peer = [];
    for (let round = 0; round < rounds; round++) {
      let t0 = performance.now();
      for (let i = 0; i < requestsPerRound; i++) await bulk();
      ours.push((oursSize * requestsPerRound) / 1e6 / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      for (let i = 0; i < requestsPerRound; i++) await gnuTarBytes(productsRoot, files);
      peer.push((peerSize * requestsPerRound) / 1e6 / ((performance.now() - t0) / 1000));
    }
    const row = (subject, samples) => ({ metric: 'bulk tar of 17 products', unit: 'MB/s', subject, better: 'higher', ...summarize(samples) });
    const result = {
      description:
        `POST /api/products/bulk with ${ids.length} products (${(payloadBytes / 1e6).toFixed(1)} MB of FITS) on loopback, ` +
        `the streamed tar read to the end (${requestsPerRound} requests per round); peer = GNU tar writing the same files ` +
        'to a pipe in the same run. Throughput per round.',
      machine: machine(),
      metrics: [row('esasky-sky', ours), row('GNU tar', peer)],
      notes: [`archive sizes: ours ${oursSize} bytes, GNU tar ${peerSize} bytes (GNU tar pads to 10 KiB records)`],
    };
    return write ? writeResult(NAME, result) : { name: NAME, ...result };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const x of r.metrics) console.log(`${x.metric.padEnd(28)} ${x.subject.padEnd(12)} median ${x.median.toFixed(1)} ${x.unit}`);
}
