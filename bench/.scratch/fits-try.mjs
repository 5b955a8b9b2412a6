import { run } from '../fits-decode.bench.mjs';
const t = Date.now();
const r = await run({ rounds: Number(process.argv[2] || 1), warmup: 0, write: false, big: process.argv[3] === 'big' ? [5120, 5120] : [256, 256], minMs: 30 });
for (const m of r.metrics) console.log(m.metric.padEnd(50), m.subject.padEnd(15), m.median.toFixed(1), m.ratio?.toFixed(2) ?? '');
console.log(r.notes, (Date.now() - t) / 1000);
