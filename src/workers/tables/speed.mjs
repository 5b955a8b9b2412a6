// Parse speed of the table readers (MB/s, median of 7 runs after 2 warm-ups):
// eso_obscore_1000rows_orion.xml (TABLEDATA, 1.4 MB), its BINARY2 and FITS-in-VOTable copies
// when STILTS is installed (apt-get install stilts), and a generated 100k-row CSV.
//
//   node src/workers/tables/speed.mjs
//
// Bundles src/workers/tables/index.ts with esbuild (a dev dependency via vite) into a temp file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDecoder, TextEncoder } from 'node:util';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tables-speed-'));
const out = join(dir, 'tables.mjs');
await build({ entryPoints: [join(here, 'index.ts')], bundle: true, format: 'esm', platform: 'neutral', outfile: out, logLevel: 'error' });
const { parseVoTable, parseDelimited, findPositionColumns } = await import(pathToFileURL(out).href);

const ESO = '/work/shared/data/votable_samples/eso_obscore_1000rows_orion.xml';
/** eso_obscore in another serialisation, written by STILTS; undefined without stilts. */
function stiltsCopy(ofmt) {
  const file = join(dir, `eso.${ofmt}.xml`);
  try {
    execFileSync('stilts', ['tpipe', `in=${ESO}`, 'ifmt=votable', `ofmt=${ofmt}`, `out=${file}`], { stdio: 'ignore' });
    return new Uint8Array(readFileSync(file));
  } catch {
    return undefined;
  }
}
const esoBinary2 = stiltsCopy('votable-binary2-inline');
const esoFits = stiltsCopy('votable-fits-inline');
rmSync(dir, { recursive: true, force: true });

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall time and median CPU time (user+system of this process: less affected by other load). */
function measure(label, bytes, fn) {
  for (let i = 0; i < 2; i++) fn();
  const times = [];
  const cpus = [];
  for (let i = 0; i < 7; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  const ms = median(times);
  const cpuMs = median(cpus);
  const mbs = bytes / 1e6 / (ms / 1000);
  const cpuMbs = bytes / 1e6 / (cpuMs / 1000);
  console.log(
    `${label.padEnd(40)} ${(bytes / 1e6).toFixed(2).padStart(6)} MB  wall ${ms.toFixed(1).padStart(7)} ms ${mbs.toFixed(1).padStart(6)} MB/s` +
      `  cpu ${cpuMs.toFixed(1).padStart(7)} ms ${cpuMbs.toFixed(1).padStart(6)} MB/s`,
  );
  return { label, bytes, ms, mbs, cpuMs, cpuMbs };
}

/** Seeded PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateCsv(rows) {
  const rnd = prng(42);
  const lines = ['source_id,ra,dec,pmra,pmdec,phot_g_mean_mag,parallax,name,flag'];
  for (let i = 0; i < rows; i++) {
    const ra = (rnd() * 360).toFixed(8);
    const dec = (Math.asin(2 * rnd() - 1) * (180 / Math.PI)).toFixed(8);
    const name = i % 10 === 0 ? `"Star ${i}, field ""A"""` : `Star_${i}`;
    const flag = i % 7 === 0 ? '' : String(i % 5);
    lines.push(
      `${4295806720 + i * 1000},${ra},${dec},${(rnd() * 20 - 10).toFixed(4)},${(rnd() * 20 - 10).toFixed(4)},${(8 + rnd() * 13).toFixed(5)},${(rnd() * 5).toFixed(5)},${name},${flag}`,
    );
  }
  return lines.join('\n') + '\n';
}

const esoBytes = new Uint8Array(readFileSync(ESO));
const esoText = new TextDecoder().decode(esoBytes);
const csv = generateCsv(100_000);
const csvBytes = new TextEncoder().encode(csv);

const results = [
  measure('VOTable eso_obscore 1000 rows (string)', esoBytes.length, () => parseVoTable(esoText)),
  measure('VOTable eso_obscore 1000 rows (bytes)', esoBytes.length, () => parseVoTable(esoBytes)),
  ...(esoBinary2 ? [measure('VOTable eso_obscore BINARY2 (STILTS)', esoBinary2.length, () => parseVoTable(esoBinary2))] : []),
  ...(esoFits ? [measure('VOTable eso_obscore FITS (STILTS)', esoFits.length, () => parseVoTable(esoFits))] : []),
  measure('CSV 100k rows x 9 cols (string)', csvBytes.length, () => parseDelimited(csv)),
  measure('CSV 100k rows x 9 cols (bytes)', csvBytes.length, () => parseDelimited(csvBytes)),
  measure('CSV 100k rows + findPositionColumns', csvBytes.length, () => findPositionColumns(parseDelimited(csv))),
];
const check = parseDelimited(csv);
console.log(`check: ${check.nrows} rows, ${check.columns.map((c) => `${c.name}:${c.datatype}`).join(' ')}`);
console.log(`node ${process.version}, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
if (process.argv.includes('--json')) writeFileSync(process.argv[process.argv.indexOf('--json') + 1], JSON.stringify(results, null, 1));
