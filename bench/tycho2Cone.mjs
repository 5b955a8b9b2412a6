// Shared set-up of the Tycho-2 cone benchmarks (server-cone, tap-cone): the archive's SQLite
// database in BENCH_DATA_DIR with Tycho-2 ingested once from the data kit, the brute-force
// full-scan peer (haversine in SQL over every row on a separate plain better-sqlite3 connection),
// seeded uniform cone centres and the quantile used for p50/p99.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO } from './harness.mjs';

export const BUILD = `${REPO}dist/server-build/server`;

/** q-quantile (0..1) of the samples, nearest rank below. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** n seeded cone centres [raDeg, decDeg], uniform on the sphere. */
export function centres(n, seed) {
  let s = seed >>> 0;
  const u = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, () => [360 * u(), (Math.asin(2 * u() - 1) * 180) / Math.PI]);
}

/**
 * Makes sure Tycho-2 (≥ 2e6 rows) is in the bench database, ingesting it from the data kit when
 * missing. Returns { dataDir, cat } or { skipped } when neither the database nor the kit has it.
 */
export async function ensureTycho2() {
  const { openDatabase } = await import(`${BUILD}/storage/open.js`);
  const { getCatalogue } = await import(`${BUILD}/storage/catalogues.js`);
  const { runIngest } = await import(`${BUILD}/ingest/cli.js`);
  const dataDir = process.env.BENCH_DATA_DIR ?? join(REPO, 'var', 'bench');
  const db = await openDatabase({ dataDir }, { cacheMiB: 256 });
  try {
    let cat = await getCatalogue(db, 'tycho2');
    if (cat === undefined || cat.rowCount < 2_000_000) {
      const sharedData = process.env.ESASKY_SHARED_DATA ?? join(REPO, '..', 'shared', 'data');
      if (!existsSync(join(sharedData, 'catalogs', 'tycho2'))) {
        return { skipped: `skipped: Tycho-2 is not in ${dataDir} and the data kit (${sharedData}/catalogs/tycho2) is missing` };
      }
      console.log(`ingesting Tycho-2 into ${dataDir} (once)`);
      await runIngest(db, { what: 'tycho2' }, { repoRoot: REPO, sharedData });
      cat = await getCatalogue(db, 'tycho2');
    }
    return { dataDir, cat };
  } finally {
    await db.close();
  }
}

/**
 * The peer: a read-only plain better-sqlite3 connection (64 MiB page cache) and a full-scan cone
 * returning the TYC ids of the `limit` brightest stars within radiusDeg, ordered by `orderBy`.
 */
export async function bruteForceCone(dataDir, cat, { radiusDeg, limit, orderBy }) {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const raw = new BetterSqlite3(join(dataDir, 'esasky.sqlite'), { readonly: true });
  raw.pragma('cache_size = -65536');
  const brute = raw.prepare(
    `SELECT tyc FROM "${cat.tableName}" WHERE 2 * asin(sqrt(pow(sin((radians("dec") - ?) / 2), 2) + ` +
      `cos(?) * cos(radians("dec")) * pow(sin((radians(ra) - ?) / 2), 2))) <= ? ORDER BY ${orderBy} LIMIT ${limit}`,
  );
  const d = Math.PI / 180;
  return {
    cone: (raDeg, decDeg) => brute.all(decDeg * d, decDeg * d, raDeg * d, radiusDeg * d).map((r) => r.tyc),
    close: () => raw.close(),
  };
}

/**
 * The A/B rounds of a cone benchmark: per round, `conesPerRound` seeded cones through `oursCone`
 * (p50/p99/mean latency) then `peerConesPerRound` through the full scan, each checked to give the
 * same rows as ours (compared as sets: ties in magnitude may order differently). After a warm-up.
 */
export async function coneRounds(oursCone, bruteCone, { rounds, conesPerRound, peerConesPerRound, warmupCones, what }) {
  for (const [ra, dec] of centres(warmupCones, 1)) await oursCone(ra, dec);
  bruteCone(10, 10);
  const m = { oursP50: [], oursP99: [], oursMean: [], peerP50: [], peerP99: [] };
  let rows = 0;
  let checked = 0;
  for (let round = 0; round < rounds; round++) {
    const t = [];
    for (const [ra, dec] of centres(conesPerRound, 100 + round)) {
      const t0 = performance.now();
      rows += (await oursCone(ra, dec)).length;
      t.push(performance.now() - t0);
    }
    m.oursP50.push(quantile(t, 0.5));
    m.oursP99.push(quantile(t, 0.99));
    m.oursMean.push(t.reduce((a, b) => a + b, 0) / t.length);
    const p = [];
    for (const [ra, dec] of centres(peerConesPerRound, 900 + round)) {
      const t0 = performance.now();
      const b = bruteCone(ra, dec);
      p.push(performance.now() - t0);
      const o = await oursCone(ra, dec);
      if (JSON.stringify([...o].sort()) !== JSON.stringify([...b].sort())) {
        throw new Error(`${what} and full scan disagree for the cone (${ra}, ${dec})`);
      }
      checked++;
    }
    m.peerP50.push(quantile(p, 0.5));
    m.peerP99.push(quantile(p, 0.99));
  }
  return { m, rows, checked };
}
