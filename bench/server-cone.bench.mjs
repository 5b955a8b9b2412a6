// Cone search on Tycho-2 (2,539,913 stars) in the archive's SQLite database: 1-degree cones at
// random centres, brightest first, limit 1000 — the HEALPix order-29 index path (range
// decomposition + covering B-tree + exact refinement, server/storage/*) timed per query, p50 and
// p99 per round; the peer, in the same run on the same database file, is a brute-force SQLite
// full scan (haversine in SQL over every row, ORDER BY mag LIMIT 1000). Rounds alternate ours /
// peer; the peer's cones are checked to return the same rows as ours.
//
// Needs the built server (npm run build) and Tycho-2 in BENCH_DATA_DIR (default var/bench): when
// missing it is ingested first from the data kit (ESASKY_SHARED_DATA or ../shared/data).
import { existsSync } from 'node:fs';
import { machine, summarize, writeResult } from './harness.mjs';
import { BUILD, bruteForceCone, coneRounds, ensureTycho2 } from './tycho2Cone.mjs';

export const NAME = 'server-cone';
const RADIUS = 1;
const LIMIT = 1000;

export async function run({ rounds = 5, conesPerRound = 400, peerConesPerRound = 3, write = true } = {}) {
  if (!existsSync(`${BUILD}/storage/open.js`)) throw new Error('server not built: run `npm run build` first');
  const { openDatabase } = await import(`${BUILD}/storage/open.js`);
  const { searchRegion } = await import(`${BUILD}/storage/catalogues.js`);
  const { discRanges29, inCone } = await import(`${BUILD}/storage/spatial.js`);

  const fixture = await ensureTycho2();
  if (fixture.skipped) {
    console.log(fixture.skipped);
    return { name: NAME, metrics: [], skipped: fixture.skipped };
  }
  const { dataDir, cat } = fixture;

  // ours: the same connection settings as the server (64 MiB page cache)
  const ours = await openDatabase({ dataDir });
  // peer: a separate plain better-sqlite3 connection to the same file
  const peer = await bruteForceCone(dataDir, cat, { radiusDeg: RADIUS, limit: LIMIT, orderBy: 'mag IS NULL, mag, id' });
  const bruteCone = peer.cone;
  const oursCone = async (ra, dec) => {
    const r = await searchRegion(ours, cat, discRanges29(ra, dec, RADIUS), inCone(ra, dec, RADIUS), { limit: LIMIT });
    return r.data.map((row) => row[0]);
  };

  const { m, rows, checked } = await coneRounds(oursCone, bruteCone, { rounds, conesPerRound, peerConesPerRound, warmupCones: 200, what: 'index' });
  await ours.close();
  peer.close();

  const row = (metric, subject, samples) => ({ metric, unit: 'ms', subject, better: 'lower', ...summarize(samples) });
  const metrics = [
    row('Tycho-2 1° cone p50', 'esasky-sky', m.oursP50),
    row('Tycho-2 1° cone p50', 'SQLite full scan', m.peerP50),
    row('Tycho-2 1° cone p99', 'esasky-sky', m.oursP99),
    row('Tycho-2 1° cone p99', 'SQLite full scan', m.peerP99),
  ];
  const result = {
    description:
      `Cone search on Tycho-2 (${cat.rowCount.toLocaleString('en-US')} stars, SQLite file): radius ${RADIUS}°, ` +
      `brightest first, limit ${LIMIT}. esasky-sky = HEALPix order-29 ranges on a covering B-tree + exact ` +
      `refinement in TypeScript + rows by id (${conesPerRound} random cones per round); peer = brute-force full ` +
      `scan in SQLite with haversine in SQL (${peerConesPerRound} cones per round). Per-round p50/p99 latency.`,
    machine: machine(),
    metrics,
    notes: [
      `${rounds} rounds; esasky-sky returned ${(rows / (rounds * conesPerRound)).toFixed(0)} rows per cone on average ` +
        `(mean latency ${summarize(m.oursMean).median.toFixed(2)} ms); ${checked} peer cones checked to return the same rows.`,
      'Goal (issue 7): p99 < 20 ms for a 1-degree cone.',
    ],
  };
  return write ? writeResult(NAME, result) : { name: NAME, ...result };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const x of r.metrics) console.log(`${x.metric.padEnd(24)} ${x.subject.padEnd(18)} median ${x.median.toFixed(2)} ms`);
}
