// Tile selection time per frame (selectTiles of src/hips/tileSelection.ts, built dist/lib/hips.js)
// in Node for a full-screen view (1920x1080 device pixels) at fields from the whole sky down to
// one arcsecond, in SIN and in the all-sky projections, on a 512-px survey as deep as DSS2
// (hips_order 11) and one as deep as HiPS allows in numbers (order 24). Each call gets a view
// panned by a fraction of a pixel from the last (nothing can be cached between frames); a sample
// is the mean time per call over at least `minMs`. No peer: Aladin Lite's selection runs inside
// its WebAssembly core and is not callable on its own. Goal (issue 3): < 0.5 ms at any fov.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { REPO, machine, summarize, writeResult } from './harness.mjs';

export const NAME = 'tile-selection';
const HIPS_JS = `${REPO}dist/lib/hips.js`;

/** [label, projection, fovDeg, hipsOrder] */
export const CASES = [
  ['whole sky AIT', 'AIT', 360, 11],
  ['whole sky MOL', 'MOL', 360, 11],
  ['whole sky ARC', 'ARC', 360, 11],
  ['hemisphere SIN', 'SIN', 180, 11],
  ['60° SIN', 'SIN', 60, 11],
  ['60° CAR', 'CAR', 60, 11],
  ['10° SIN', 'SIN', 10, 11],
  ['1° SIN', 'SIN', 1, 11],
  ['1° TAN', 'TAN', 1, 11],
  ["6' SIN", 'SIN', 0.1, 11],
  ["6' SIN, order-24 survey", 'SIN', 0.1, 24],
  ['1" SIN, order-24 survey', 'SIN', 1 / 3600, 24],
];

export async function run({ rounds = 7, warmup = 1, minMs = 150, write = true, cases = CASES, widthPx = 1920, heightPx = 1080 } = {}) {
  if (!existsSync(HIPS_JS)) throw new Error(`${HIPS_JS} is missing: run \`npm run build\` first`);
  const { makeCamera, selectTiles } = await import(HIPS_JS);
  const samples = new Map(cases.map((c) => [c[0], []]));
  const sizes = new Map();
  for (let round = -warmup; round < rounds; round++) {
    for (const [label, projection, fovDeg, hipsOrder] of cases) {
      let calls = 0;
      let cells = 0;
      let tiles = 0;
      const t0 = performance.now();
      let t;
      do {
        // a slow pan across a region with a pole, face edges and the RA seam nearby
        const step = calls % 500;
        const view = { raDeg: (350 + step * 0.013) % 360, decDeg: 40 + step * 0.003, fovDeg, rollDeg: 0, projection, widthPx, heightPx };
        const sel = selectTiles({ camera: makeCamera(view), tileWidthPx: 512, hipsOrder });
        cells += sel.cells.length;
        tiles += sel.wanted.length;
        calls++;
        t = performance.now() - t0;
      } while (t < minMs);
      if (round >= 0) samples.get(label).push(t / calls);
      sizes.set(label, { cells: Math.round(cells / calls), tiles: Math.round(tiles / calls) });
    }
  }
  const metrics = cases.map(([label]) => ({ metric: `selectTiles, ${label}`, unit: 'ms/frame', subject: 'esasky-sky', better: 'lower', ...summarize(samples.get(label)) }));
  const result = {
    description: `Tile selection per frame (selectTiles + makeCamera, dist/lib/hips.js) in Node for a ${widthPx}x${heightPx} view, 512-px tiles; ${rounds} rounds after ${warmup} warm-up, each sample the mean over >= ${minMs} ms of calls on a slowly panning view. Goal: < 0.5 ms at any fov.`,
    machine: machine({ node: process.version, v8: process.versions.v8 }),
    metrics,
    notes: [
      ...cases.map(([label]) => `${label}: ${sizes.get(label).cells} cells drawn, ${sizes.get(label).tiles} tiles wanted per frame.`),
      'No peer: Aladin Lite selects tiles inside its WebAssembly core; there is no entry point to time it alone.',
    ],
  };
  return write ? writeResult(NAME, result) : { name: NAME, ...result };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({ write: !process.argv.includes('--no-write') });
  for (const m of r.metrics) console.log(`${m.metric.padEnd(44)} median ${m.median.toFixed(3)} ${m.unit}`);
}
