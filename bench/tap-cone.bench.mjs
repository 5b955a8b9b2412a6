// TAP/ADQL cone search on Tycho-2 (2,539,913 stars) in the archive's SQLite database: the query
// pyvo or TOPCAT would send —
//   SELECT TOP 1000 tyc, ra, dec, mag FROM esasky.tycho2
//   WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', <ra>, <dec>, 1)) ORDER BY mag, tyc
// — run through the whole TAP path (parse, translate, HEALPix pre-selection + exact test, the
// translated SELECT; server/tap/*) and timed per query, p50 and p99 per round. The peer, in the
// same run on the same database file, is a brute-force SQLite full scan (haversine in SQL over
// every row, ORDER BY mag, tyc LIMIT 1000); its cones are checked to return the same rows.
//
// Needs the compiled server (`npx tsc -p server/tsconfig.json` or npm run build) and Tycho-2 in
// BENCH_DATA_DIR (default var/bench): when missing it is ingested first from the data kit
// (ESASKY_SHARED_DATA or ../shared/data).
import { existsSync } from 'node:fs';
import { machine, summarize, writeResult } from './harness.mjs';
import { BUILD, bruteForceCone, coneRounds, ensureTycho2 } from './tycho2Cone.mjs';

export const NAME = 'tap-cone';
const RADIUS = 1;
const LIMIT = 1000;

export async function run({ rounds = 5, conesPerRound = 200, peerConesPerRound = 3, write = true } = {}) {
  if (!existsSync(`${BUILD}/tap/execute.js`)) throw new Error('server not built: run `npx tsc -p server/tsconfig.json` first');
  const { openDatabase } = await import(`${BUILD}/storage/open.js`);
  const { runAdql } = await import(`${BUILD}/tap/execute.js`);
  const { loadTapMeta } = await import(`${BUILD}/tap/metadata.js`);

  const fixture = await ensureTycho2();
  if (fixture.skipped) {
    console.log(fixture.skipped);
    return { name: NAME, metrics: [], skipped: fixture.skipped };
  }
  const { dataDir, cat } = fixture;

  // ours: the same connection settings as the server (64 MiB page cache)
  const ours = await openDatabase({ dataDir });
  const meta = await loadTapMeta(ours);
  // peer: a separate plain better-sqlite3 connection to the same file
  const peer = await bruteForceCone(dataDir, cat, { radiusDeg: RADIUS, limit: LIMIT, orderBy: 'mag IS NULL, mag, tyc' });
  const bruteCone = peer.cone;
  const adql = (ra, dec) =>
    `SELECT TOP ${LIMIT} tyc, ra, dec, mag FROM esasky.tycho2 ` +
    `WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', ${ra}, ${dec}, ${RADIUS})) ORDER BY mag, tyc`;
  const oursCone = async (ra, dec) => (await runAdql(ours, meta, adql(ra, dec), 100_000)).rows.map((r) => r[0]);

  const { m, rows, checked } = await coneRounds(oursCone, bruteCone, { rounds, conesPerRound, peerConesPerRound, warmupCones: 100, what: 'TAP' });
  await ours.close();
  peer.close();

  const row = (metric, subject, samples) => ({ metric, unit: 'ms', subject, better: 'lower', ...summarize(samples) });
  const metrics = [
    row('Tycho-2 1° ADQL cone p50', 'esasky-sky', m.oursP50),
    row('Tycho-2 1° ADQL cone p50', 'SQLite full scan', m.peerP50),
    row('Tycho-2 1° ADQL cone p99', 'esasky-sky', m.oursP99),
    row('Tycho-2 1° ADQL cone p99', 'SQLite full scan', m.peerP99),
  ];
  const result = {
    description:
      `TAP/ADQL cone search on Tycho-2 (${cat.rowCount.toLocaleString('en-US')} stars, SQLite file): ` +
      `SELECT TOP ${LIMIT} … WHERE 1 = CONTAINS(POINT, CIRCLE(…, ${RADIUS}°)) ORDER BY mag through the whole TAP path ` +
      `(parse, translate, HEALPix pre-selection + exact test, SELECT; ${conesPerRound} random cones per round, no HTTP); ` +
      `peer = brute-force full scan in SQLite with haversine in SQL (${peerConesPerRound} cones per round). Per-round p50/p99 latency.`,
    machine: machine(),
    metrics,
    notes: [
      `${rounds} rounds; ${(rows / (rounds * conesPerRound)).toFixed(0)} rows per cone on average ` +
        `(mean latency ${summarize(m.oursMean).median.toFixed(2)} ms); ${checked} peer cones checked to return the same rows.`,
    ],
  };
  return write ? writeResult(NAME, result) : { name: NAME, ...result };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const x of r.metrics) console.log(`${x.metric.padEnd(28)} ${x.subject.padEnd(18)} median ${x.median.toFixed(2)} ms`);
}
