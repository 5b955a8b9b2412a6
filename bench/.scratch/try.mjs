import { run } from '/work/main/bench/hips-settle.bench.mjs';
process.env.BENCH_VERBOSE = '1';
const t = Date.now();
const r = await run({ rounds: 1, warmup: 0, surveys: (process.argv[2]||'swe_milkyway').split(','), pathLength: Number(process.argv[3]||6), panMs: 1000, sessionSteps: Number(process.argv[4]||100), write: false });
for (const m of r.metrics) console.log(m.metric.padEnd(60), m.subject.padEnd(12), m.median?.toFixed(1), m.n, m.samples.map(x=>x.toFixed(0)).join(' '));
console.log(r.notes.join('\n'), r.machine, (Date.now()-t)/1000);
