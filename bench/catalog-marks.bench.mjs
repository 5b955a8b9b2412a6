// CPU side of catalogue marks, in Node: (1) proper-motion propagation of 1e6 rows (float64, with
// and without the radial term) against astropy's SkyCoord.apply_space_motion (Debian
// /usr/bin/python3 + python3-astropy, vectorised, timed inside Python) on the same rows, A B A B
// after a warm-up; (2) label selection per view change (the N = 20 brightest rows in view, placed
// greedily) for 1e6 rows at a wide and a small field, and the one-off brightness order. No GPU:
// the GPU side (arrows, image markers, label glyphs) is drawn by the same passes as the markers.
// The TypeScript sources are bundled with esbuild (a dependency of the toolchain) into a temp file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { REPO, machine, summarize, writeResult } from './harness.mjs';

export const NAME = 'catalog-marks';
const PYTHON = process.env.ASTROPY_PYTHON ?? '/usr/bin/python3';
const PEER = 'astropy';

/** Bundle the modules under test into one ESM file (deleted after the run). */
async function load(dir) {
  const esbuild = await import('esbuild');
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, [
    `export { propagateColumns } from '${REPO}src/catalog/properMotion.ts';`,
    `export { LabelSelector } from '${REPO}src/catalog/labelSelect.ts';`,
    `export { resolveLabelOptions } from '${REPO}src/catalog/labelLayout.ts';`,
    `export { buildCatalogIndex } from '${REPO}src/catalog/spatialIndex.ts';`,
    `export { makeCamera } from '${REPO}src/math/camera.ts';`,
  ].join('\n'));
  const out = join(dir, 'marks.mjs');
  await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error' });
  return import(pathToFileURL(out).href);
}

/** Deterministic rows: uniform on the sphere, proper motions ~N(0, 50 mas/yr), parallax 1-20 mas, RV ±50 km/s, magnitude 0-20. */
export function makeRows(n, seed = 4242) {
  let s = seed >>> 0;
  const u = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const g = () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
  const rows = { raDeg: new Float64Array(n), decDeg: new Float64Array(n), pmRa: new Float64Array(n), pmDec: new Float64Array(n), plx: new Float64Array(n), rv: new Float64Array(n), mag: new Float32Array(n), name: [] };
  for (let i = 0; i < n; i++) {
    rows.raDeg[i] = 360 * u();
    rows.decDeg[i] = (Math.asin(2 * u() - 1) * 180) / Math.PI;
    rows.pmRa[i] = 50 * g();
    rows.pmDec[i] = 50 * g();
    rows.plx[i] = 1 + 19 * u();
    rows.rv[i] = 100 * u() - 50;
    rows.mag[i] = 20 * u();
    rows.name.push(`S${i}`);
  }
  return rows;
}

function astropyAvailable() {
  return spawnSync(PYTHON, ['-c', 'import astropy.coordinates'], { stdio: 'ignore' }).status === 0;
}

/** astropy on the same rows (written as .npy-free raw float64), seconds per call, `rounds` samples. */
function astropyTimes(dir, rows, rounds, withRv) {
  const bin = join(dir, 'rows.f64');
  const n = rows.raDeg.length;
  const all = new Float64Array(6 * n);
  [rows.raDeg, rows.decDeg, rows.pmRa, rows.pmDec, rows.plx, rows.rv].forEach((c, k) => all.set(c, k * n));
  writeFileSync(bin, new Uint8Array(all.buffer));
  const script = `
import sys, time, warnings, json
import numpy as np
import astropy.units as u
from astropy.coordinates import SkyCoord, Distance
from astropy.time import Time
n = ${n}
a = np.fromfile(${JSON.stringify(bin)}, dtype='<f8').reshape(6, n)
kw = dict(ra=a[0]*u.deg, dec=a[1]*u.deg, pm_ra_cosdec=a[2]*u.mas/u.yr, pm_dec=a[3]*u.mas/u.yr, frame='icrs', obstime=Time(2016.0, format='jyear', scale='tdb'))
${withRv ? "kw.update(distance=Distance(parallax=a[4]*u.mas), radial_velocity=a[5]*u.km/u.s)" : ''}
out = []
t2 = Time(2100.0, format='jyear', scale='tdb')
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    for r in range(${rounds} + 1):
        t0 = time.perf_counter()
        c = SkyCoord(**kw).apply_space_motion(new_obstime=t2)
        c.ra.deg; c.dec.deg
        out.append((time.perf_counter() - t0) * 1000)
print(json.dumps(out[1:]))
`;
  const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`astropy failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

export async function run({ write = true, rows: nRows = 1_000_000, rounds = 5 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-marks-bench-'));
  try {
    const m = await load(dir);
    const rows = makeRows(nRows);
    const metrics = [];
    const notes = [];
    const peer = astropyAvailable();
    if (!peer) notes.push(`astropy not importable with ${PYTHON}: propagation measured for esasky-sky only`);
    for (const withRv of [false, true]) {
      const ours = [];
      const args = [rows.raDeg, rows.decDeg, rows.pmRa, rows.pmDec, 84];
      m.propagateColumns(...args, withRv ? rows.plx : undefined, withRv ? rows.rv : undefined); // warm-up
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        m.propagateColumns(...args, withRv ? rows.plx : undefined, withRv ? rows.rv : undefined);
        ours.push(performance.now() - t0);
      }
      const metric = `propagate ${nRows / 1e6}M rows${withRv ? ' (parallax+RV)' : ''}`;
      metrics.push({ metric, unit: 'ms', subject: 'esasky-sky', better: 'lower', ...summarize(ours) });
      if (peer) metrics.push({ metric, unit: 'ms', subject: PEER, better: 'lower', ...summarize(astropyTimes(dir, rows, rounds, withRv)) });
    }
    // label selection
    const data = { raDeg: rows.raDeg, decDeg: rows.decDeg, columns: { mag: rows.mag, name: rows.name } };
    const index = m.buildCatalogIndex(rows.raDeg, rows.decDeg);
    const src = { data, index, pixelRatio: 1, filters: [], rowPassesFilters: () => true, markerRadiusPx: () => 4 };
    const o = m.resolveLabelOptions({ column: 'name', count: 20, fontPx: 12, brightnessColumn: 'mag' }, data);
    const measure = (t) => 7 * t.length;
    const sel = new m.LabelSelector();
    const view = (fovDeg, raDeg) => m.makeCamera({ raDeg, decDeg: 10, fovDeg, rollDeg: 0, projection: 'SIN', widthPx: 1200, heightPx: 800 });
    const t0 = performance.now();
    sel.select(view(60, 0), o, src, 12, measure);
    metrics.push({ metric: `labels: first view (brightness order of ${nRows / 1e6}M rows)`, unit: 'ms', subject: 'esasky-sky', better: 'lower', ...summarize([performance.now() - t0]) });
    for (const fov of [60, 1]) {
      const times = [];
      let visited = 0;
      for (let r = 0; r < 20; r++) {
        const t1 = performance.now();
        sel.select(view(fov, 3 * r), o, src, 12, measure);
        times.push(performance.now() - t1);
        visited += sel.visited;
      }
      metrics.push({ metric: `labels: view change at ${fov}° (${nRows / 1e6}M rows)`, unit: 'ms', subject: 'esasky-sky', better: 'lower', ...summarize(times) });
      notes.push(`labels at ${fov}°: ${(visited / 20).toFixed(0)} rows visited per view on average`);
    }
    const result = {
      description: 'CPU side of catalogue marks in Node: proper-motion propagation (src/catalog/properMotion.ts) against astropy SkyCoord.apply_space_motion on the same 1e6 rows, and label selection per view change (src/catalog/labelSelect.ts: N = 20 brightest in view, greedy placement) for 1e6 rows.',
      machine: machine({ peer: peer ? `astropy via ${PYTHON}` : 'none' }),
      metrics,
      notes,
    };
    if (write) return writeResult(NAME, result);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await run({ write: !process.argv.includes('--no-write'), rows: process.argv.includes('--smoke') ? 2000 : 1_000_000, rounds: process.argv.includes('--smoke') ? 1 : 5 });
  for (const x of r.metrics) console.log(`${x.metric.padEnd(48)} ${x.subject.padEnd(11)} median ${x.median.toFixed(2)} ${x.unit}`);
  for (const n of r.notes) console.log(n);
}
