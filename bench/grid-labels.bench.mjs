// CPU side of the coordinate grid per view change, in Node: grid geometry (meridians and parallels
// sampled in float64, label anchors; src/render/gridLines.ts) plus label placement (boxes kept
// without overlaps inside the view and the projection image; src/render/gridLabelLayout.ts), and
// the HEALPix debugging grid. Full-screen 1920x1080 device-pixel views, each call on a view panned
// a little from the last (nothing cached between frames, as while dragging). Text widths come
// from a fixed advance (0.6 × font size per character): Node has no canvas to measure glyphs, and
// in the browser the atlas caches each character's advance, so measuring is a sum either way.
// No GPU (the glyph quads are a few hundred at most) and no peer: Aladin Lite's grid runs inside
// its WebAssembly core. The TypeScript sources are bundled with esbuild into a temp file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { REPO, machine, summarize, writeResult } from './harness.mjs';

export const NAME = 'grid-labels';

async function load(dir) {
  const esbuild = await import('esbuild');
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, [
    `export { gridGeometry } from '${REPO}src/render/gridLines.ts';`,
    `export { healpixGridLines } from '${REPO}src/render/healpixGridLines.ts';`,
    `export { placeGridLabels, insideProjectionImage } from '${REPO}src/render/gridLabelLayout.ts';`,
    `export { makeCamera } from '${REPO}src/math/camera.ts';`,
  ].join('\n'));
  const out = join(dir, 'grid.mjs');
  await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error' });
  return import(pathToFileURL(out).href);
}

/** [label, projection, fovDeg, frame, format, kind] */
export const CASES = [
  ['TAN 30° ICRS', 'TAN', 30, 'icrs', 'auto', 'grid'],
  ["TAN 2' ICRS sexagesimal", 'TAN', 2 / 60, 'icrs', 'sexagesimal', 'grid'],
  ['SIN 90° Galactic', 'SIN', 90, 'galactic', 'auto', 'grid'],
  ['AIT 360° ICRS', 'AIT', 360, 'icrs', 'auto', 'grid'],
  ['MOL 360° Ecliptic decimal', 'MOL', 360, 'ecliptic', 'decimal', 'grid'],
  ['HEALPix grid, AIT 360°', 'AIT', 360, 'icrs', 'auto', 'healpix'],
  ['HEALPix grid, SIN 10°', 'SIN', 10, 'icrs', 'auto', 'healpix'],
];

export async function run({ rounds = 7, warmup = 1, minMs = 150, write = true, cases = CASES, widthPx = 1920, heightPx = 1080, fontPx = 13 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'grid-bench-'));
  try {
    const lib = await load(dir);
    const metrics = { fontPx, measure: (t) => 0.6 * fontPx * [...t].length };
    const samples = new Map(cases.map((c) => [c[0], []]));
    const sizes = new Map();
    for (let round = -warmup; round < rounds; round++) {
      for (const [label, projection, fovDeg, frame, format, kind] of cases) {
        let calls = 0;
        let placed = 0;
        let lines = 0;
        const t0 = performance.now();
        let t;
        do {
          const step = calls % 500;
          const view = { raDeg: (83 + step * 0.013) % 360, decDeg: 10 + step * 0.003, fovDeg, rollDeg: 0, projection, widthPx, heightPx, frame };
          const geo = kind === 'grid' ? lib.gridGeometry(view, frame, format) : lib.healpixGridLines(view);
          const layout = lib.placeGridLabels(geo.labels, metrics, widthPx, heightPx, lib.insideProjectionImage(lib.makeCamera(view)));
          placed += layout.placed.length;
          lines += geo.lines.length;
          calls++;
          t = performance.now() - t0;
        } while (t < minMs);
        if (round >= 0) samples.get(label).push(t / calls);
        sizes.set(label, { placed: Math.round(placed / calls), lines: Math.round(lines / calls) });
      }
    }
    const rows = cases.map(([label]) => ({ metric: `grid + labels per view, ${label}`, unit: 'ms', subject: 'esasky-sky', better: 'lower', ...summarize(samples.get(label)) }));
    const result = {
      description: `Coordinate / HEALPix grid geometry + label placement per view change in Node for a ${widthPx}x${heightPx} view, ${fontPx}-px labels; ${rounds} rounds after ${warmup} warm-up, each sample the mean over >= ${minMs} ms of calls on a slowly panning view.`,
      machine: machine({ node: process.version, v8: process.versions.v8 }),
      metrics: rows,
      notes: [
        ...cases.map(([label]) => `${label}: ${sizes.get(label).lines} polylines, ${sizes.get(label).placed} labels placed per view.`),
        'Text widths from a fixed advance (no canvas in Node). No peer: Aladin Lite draws its grid inside its WebAssembly core.',
      ],
    };
    return write ? writeResult(NAME, result) : { name: NAME, ...result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({ write: !process.argv.includes('--no-write') });
  for (const m of r.metrics) console.log(`${m.metric.padEnd(50)} median ${m.median.toFixed(3)} ${m.unit}`);
}
