// The exact footprint refinement of the archive (server/storage/stcs.ts + stcsBoolean.ts): the
// work done per candidate row after the HEALPix pre-selection of the footprint search, TAP
// INTERSECTS on s_region / fov and the SSO crossing search — parse the row's s_region, then test
// it against the query cone. Timed per footprint (median over rounds):
//   - simple: the real ESO ObsCore footprints (../shared/data/votable_samples, POLYGON / UNION
//     of polygons / POSITION), cones of 0.5° at random offsets up to 1° from each footprint;
//   - boolean: the INTERSECTION / NOT regions of test/fixtures/server/regions (exact since they
//     left the s_fov fallback), cones around each.
// BENCH_SERVER_BUILD points at another compiled server (e.g. a build of the previous commit) to
// compare before / after in one command; default dist/server-build/server (npx tsc -p server/tsconfig.json).
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { REPO, machine, summarize, writeResult } from './harness.mjs';

export const NAME = 'footprint-region';
const SAMPLE = `${REPO}../shared/data/votable_samples/eso_obscore_1000rows_orion.xml`;
const FIXTURE = `${REPO}test/fixtures/server/regions/regions.json`;

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** ns per (parse + cone test) over `reps` passes of the footprints. */
function time(stcs, cones, parseStcs, intersectsCone, unit, reps) {
  let hits = 0;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < stcs.length; i++) {
      const fp = parseStcs(stcs[i]);
      const [ra, dec, rad] = cones[i];
      if (fp !== undefined && intersectsCone(fp, unit(ra, dec), rad)) hits++;
    }
  }
  return { ns: ((performance.now() - t0) * 1e6) / (reps * stcs.length), hits };
}

export async function run({ rounds = 7, write = true } = {}) {
  const build = process.env.BENCH_SERVER_BUILD ?? `${REPO}dist/server-build/server`;
  if (!existsSync(`${build}/storage/stcs.js`)) throw new Error(`server not built at ${build}: run \`npx tsc -p server/tsconfig.json\` first`);
  if (!existsSync(SAMPLE)) return { name: NAME, metrics: [], skipped: `no ${SAMPLE}` };
  const { parseStcs, intersectsCone, centreOf, unit } = await import(`${build}/storage/stcs.js`);
  const simple = [...readFileSync(SAMPLE, 'utf8').matchAll(/<TD>((?:POLYGON|UNION|POSITION|CIRCLE)[^<]*)<\/TD>/g)].map((m) => m[1]);
  const boolean = JSON.parse(readFileSync(FIXTURE, 'utf8')).regions.map((r) => r.stcs);
  const rand = rng(20261128);
  const conesFor = (list) =>
    list.map((s) => {
      const fp = parseStcs(s);
      const c = fp === undefined ? { ra: 0, dec: 0 } : centreOf(fp);
      return [c.ra + (rand() - 0.5) * 2, Math.max(-90, Math.min(90, c.dec + (rand() - 0.5) * 2)), (0.5 * Math.PI) / 180];
    });
  const sets = { simple: [simple, conesFor(simple), 40], boolean: [boolean, conesFor(boolean), 200] };
  const metrics = [];
  for (const [subject, [stcs, cones, reps]] of Object.entries(sets)) {
    time(stcs, cones, parseStcs, intersectsCone, unit, 3); // warm-up
    const samples = [];
    let hits = 0;
    for (let r = 0; r < rounds; r++) {
      const t = time(stcs, cones, parseStcs, intersectsCone, unit, reps);
      samples.push(t.ns / 1000);
      hits = t.hits / reps;
    }
    console.log(`${subject}: ${stcs.length} footprints, ${hits} meet their cone`);
    metrics.push({ metric: 'footprint parse + cone test', subject, unit: 'µs/footprint', ...summarize(samples) });
  }
  if (write) {
    writeResult(NAME, {
      description: 'Exact footprint refinement per candidate row: parse s_region (STC-S) and test it against a 0.5° cone',
      machine: machine({ build }),
      metrics,
      notes: [`${simple.length} ESO ObsCore footprints; ${boolean.length} boolean fixture regions`],
    });
  }
  return { name: NAME, metrics };
}
