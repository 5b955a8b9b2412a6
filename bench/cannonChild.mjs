// One autocannon run in its own process (so that it can be pinned to a CPU with taskset, away from
// the server under test): node bench/cannonChild.mjs <json {url, pathsFile, connections, seconds, seed}>
// prints autocannon's result as JSON. Paths are drawn at random (seeded) for every request.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const { url, pathsFile, connections, seconds, seed } = JSON.parse(process.argv[2]);
const paths = JSON.parse(readFileSync(pathsFile, 'utf8'));
let s = seed >>> 0;
const u = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const r = await autocannon({
  url,
  connections,
  duration: seconds,
  pipelining: 1,
  requests: [{ setupRequest: (req) => ({ ...req, path: paths[Math.floor(u() * paths.length)] }) }],
});
process.stdout.write(JSON.stringify({ rps: r.requests.average, errors: r.errors + r.non2xx + r.timeouts, p99: r.latency.p99 }) + '\n');
