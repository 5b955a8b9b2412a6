// `npm run bench` runs every benchmark in bench/*.bench.mjs; `npm run bench -- <name>` runs one.
// Each writes bench/results/<name>.json and the table in docs/performance.md is regenerated.
import { readdirSync } from 'node:fs';
import { REPO } from './harness.mjs';

// `--name=value` options go to the benchmark's run() (numbers as numbers, a,b as lists, true/false),
// e.g. `node bench/run.mjs hips-settle --rounds=1 --warmup=0 --pathLength=1 --sessionSteps=50 --write=false`
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const options = Object.fromEntries(process.argv.slice(2).filter((a) => /^--\w+=/.test(a)).map((a) => {
  const [k, v] = a.slice(2).split(/=(.*)/s);
  const value = v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v.includes(',') ? v.split(',') : v;
  return [k, k === 'surveys' && typeof value === 'string' ? [value] : value];
}));
const all = readdirSync(`${REPO}bench`).filter((f) => f.endsWith('.bench.mjs')).map((f) => f.replace('.bench.mjs', ''));
const names = wanted.length ? wanted : all;
for (const n of names) {
  if (!all.includes(n)) {
    console.error(`no benchmark named '${n}'; there are: ${all.join(', ')}`);
    process.exit(2);
  }
}
for (const n of names) {
  console.log(`\n=== bench ${n} ===`);
  const mod = await import(`./${n}.bench.mjs`);
  const result = await mod.run(options);
  for (const m of result.metrics) {
    console.log(`${m.metric.padEnd(34)} ${m.subject.padEnd(12)} median ${m.median.toFixed(2)} ${m.unit} (n=${m.n}${m.ratio ? `, ratio ${m.ratio.toFixed(2)}x` : ''})`);
  }
}
console.log('\nresults in bench/results/, table in docs/performance.md');
