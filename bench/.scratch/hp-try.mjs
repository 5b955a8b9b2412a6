import { run } from '../healpix.bench.mjs';
const t = Date.now();
const r = await run({ n: Number(process.argv[2] || 100000), rounds: 1, warmup: 1, minMs: 100, write: false });
for (const m of r.metrics) console.log(m.metric.padEnd(30), m.subject.padEnd(12), m.median.toFixed(2), m.ratio?.toFixed(2) ?? '');
console.log(r.notes, r.machine, (Date.now() - t) / 1000);
