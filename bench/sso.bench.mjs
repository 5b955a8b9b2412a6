// Solar System Objects on the shipped data: (1) cost of one geocentric astrometric position of
// an asteroid/comet (two-body + light-time iteration + the Earth from astronomy-engine) and of a
// planet (astronomy-engine GeoVector, the library's own light-time loop) as the reference point;
// (2) ESASky's SSO search — a different 1/20 of the 1,368 shipped bodies each round (asteroids,
// comets, planets) against the shipped ESO observations (1,000 footprints, 2006–2018) over their
// whole time span, per-body latency p50/p99, with the crossings found. No external peer exists for (2) on this data; (1)'s
// planet row is astronomy-engine doing the comparable job for a major body.
//
// Needs the built server: `npx tsc -p server/tsconfig.json` (or npm run build).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO, machine, summarize, writeResult } from './harness.mjs';

export const NAME = 'sso';
const BUILD = `${REPO}dist/server-build/server`;

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export async function run({ rounds = 3, positions = 20_000, everyNthBody = 20, write = true } = {}) {
  if (!existsSync(`${BUILD}/sso/ephemeris.js`)) throw new Error('server not built: run `npx tsc -p server/tsconfig.json` first');
  const { openSqlite } = await import(`${BUILD}/storage/db.js`);
  const { ensureSchema } = await import(`${BUILD}/storage/schema.js`);
  const { ensureSsoSchema } = await import(`${BUILD}/storage/sso.js`);
  const { bootstrap } = await import(`${BUILD}/ingest/bootstrap.js`);
  const { positionAt, directionOf, MAJOR_BODIES } = await import(`${BUILD}/sso/ephemeris.js`);
  const { observationsCrossed } = await import(`${BUILD}/storage/ssoObservations.js`);
  const { listCollections } = await import(`${BUILD}/storage/observations.js`);
  const { lookupTargets } = await import(`${BUILD}/sso/targets.js`);

  const dir = mkdtempSync(join(tmpdir(), 'esasky-bench-sso-'));
  const db = openSqlite(join(dir, 'esasky.sqlite'));
  try {
    await ensureSchema(db);
    await ensureSsoSchema(db);
    await bootstrap(db, REPO, null);
    const labels = (await db.all('SELECT label FROM sso_objects ORDER BY id')).map((r) => r.label);
    // one target per body (a label can be shared: look each up, keep each orbit once)
    const byKey = new Map();
    for (const l of [...labels, ...MAJOR_BODIES.map((m) => m.name)]) {
      for (const t of await lookupTargets(db, l)) byKey.set(t.kind === 'small' ? `orbit ${t.orbit.id}` : t.name, t);
    }
    const targets = [...byKey.values()];
    const colls = await listCollections(db);
    const t0 = Date.parse('2010-01-01T00:00:00Z');
    const small = targets.filter((t) => t.kind === 'small');
    const mars = targets.find((t) => t.name === 'Mars');

    const m = { small: [], planet: [], p50: [], p99: [], mean: [] };
    let crossings = 0;
    const crossed = new Set();
    const refused = new Set();
    let searched = 0;
    for (let round = 0; round < rounds; round++) {
      let s = performance.now();
      for (let i = 0; i < positions; i++) positionAt(small[i % small.length], t0 + i * 3_600_000);
      m.small.push(((performance.now() - s) / positions) * 1000);
      s = performance.now();
      for (let i = 0; i < positions; i++) positionAt(mars, t0 + i * 3_600_000);
      m.planet.push(((performance.now() - s) / positions) * 1000);

      const times = [];
      for (const t of targets.filter((_, i) => i % everyNthBody === round % everyNthBody)) {
        const a = performance.now();
        // the whole span of the observations (the API's default); the Moon is refused (too long a path)
        let r;
        try {
          r = await observationsCrossed(db, colls, directionOf(t), Date.parse('1700-01-01'), Date.parse('2299-12-31'), 10);
        } catch (err) {
          refused.add(`${t.name}: ${err.message}`);
          continue;
        }
        times.push(performance.now() - a);
        searched++;
        crossings += r.total;
        if (r.total > 0) crossed.add(`${t.name} (${r.total})`);
      }
      m.p50.push(quantile(times, 0.5));
      m.p99.push(quantile(times, 0.99));
      m.mean.push(times.reduce((x, y) => x + y, 0) / times.length);
    }
    const row = (metric, unit, subject, samples) => ({ metric, unit, subject, better: 'lower', ...summarize(samples) });
    const result = {
      description:
        'Solar System Objects on the shipped data (SQLite): one geocentric astrometric position (two-body + ' +
        'light time for asteroids/comets; astronomy-engine GeoVector for a planet), and the SSO search (path ' +
        'sampled ≤ 1°, HEALPix + time index query per path chunk, exact footprint test every 1″ of motion) of ' +
        `a sample of the ${targets.length} shipped bodies against the ${colls.reduce((n, c) => n + c.rowCount, 0)} shipped ESO observations.`,
      machine: machine(),
      metrics: [
        row('asteroid/comet position', 'µs', 'esasky-sky', m.small),
        row('planet position (astronomy-engine)', 'µs', 'astronomy-engine', m.planet),
        row('SSO search per body p50', 'ms', 'esasky-sky', m.p50),
        row('SSO search per body p99', 'ms', 'esasky-sky', m.p99),
      ],
      notes: [
        `${rounds} rounds; ${positions} positions per round and kind; mean SSO search ${summarize(m.mean).median.toFixed(1)} ms per body.`,
        `SSO search: every ${everyNthBody}th body per round (a different subset each round), ${searched} searches in all; ` +
          `${crossings} crossings found: ${[...crossed].join(', ') || 'none'}; refused: ${[...refused].join('; ') || 'none'}.`,
      ],
    };
    return write ? writeResult(NAME, result) : { name: NAME, ...result };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({ write: process.argv.includes('--write') });
  for (const x of r.metrics) console.log(`${x.metric.padEnd(36)} ${x.subject.padEnd(18)} median ${x.median.toFixed(3)} ${x.unit}`);
  for (const n of r.notes) console.log(n);
}
