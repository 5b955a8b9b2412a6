import { readFileSync, readdirSync } from 'node:fs';
import { it } from 'vitest';
import { parseVoTable, findPositionColumns } from './index.js';
it('smoke', () => {
  const dir = '/work/shared/data/votable_samples/';
  for (const f of readdirSync(dir)) {
    const t0 = performance.now();
    const doc = parseVoTable(new Uint8Array(readFileSync(dir + f)));
    const ms = performance.now() - t0;
    console.log(f, ms.toFixed(1), 'ms', doc.tables.map((t) => `${t.name}:${t.nrows}x${t.columns.length} ${t.serialization}`), doc.queryStatus, doc.warnings.length, doc.warnings.slice(0, 3));
    for (const t of doc.tables) { const p = findPositionColumns(t); console.log('  pos', p && [p.ra, p.dec, p.rule, p.raFormat, p.decFormat, p.raDeg[0], p.decDeg[0]]); }
  }
});
