// The GPU benchmark (issue: benchmarks that hold up, GPU runs): the render core under Node with
// Dawn. Catalogue frames (markers and density) from 1e5 to 1e8 rows, the card's own compute-splat
// limit on the same point counts (the peer for the density path), footprint outlines from 1e4 to
// 1e6 (full sky and SIN 60°), and the full-sky HiPS frame at 4K. Writes bench/results/gpu-<adapter>.json in the harness format, naming the adapter.
//
//   here (SwiftShader, tiny):  npm run bench:gpu -- --quick
//   on a lent H100/H200:       ../shared/tools/gpu-kit && node bench/gpu/build.mjs, then run
//                              `bash .gpu-kit/enter.sh node bench/gpu/run.mjs` there with
//                              carry [".gpu-kit", "bench/gpu/dist"]  (finishes in < 5 min)
// Options: --quick (sizes for a CPU rasteriser), --rows=1e5,1e6 (catalogue sizes), --footprints=1e4,1e5
// (footprint counts), --size=WxH,
// --frames=N, --no-write (print a `RESULT {json}` line instead of writing the result file).
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, machine, summarize, writeResult } from '../harness.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const write = !args.includes('--no-write');
const opt = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync('/usr/lib/chromium/vk_swiftshader_icd.json')) {
  // no GPU driver named: use Chromium's SwiftShader Vulkan driver (../shared/TESTING.md)
  process.env.VK_ICD_FILENAMES = '/usr/lib/chromium/vk_swiftshader_icd.json';
}
if (!existsSync(join(REPO, 'bench/gpu/dist/core.mjs'))) {
  console.error('bench/gpu/dist/core.mjs is missing: run `node bench/gpu/build.mjs` first');
  process.exit(2);
}
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);
const core = await import('./dist/core.mjs');
const { decodeJpeg } = await import('./dist/jpeg.mjs');

const gpu = create([]);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
if (!adapter) {
  console.error('no WebGPU adapter (Dawn found no Vulkan device): on this machine install libvulkan1 and Debian chromium (for SwiftShader)');
  process.exit(2);
}
const info = adapter.info;
const card = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
const device = await adapter.requestDevice({
  requiredLimits: {
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  },
});
device.addEventListener('uncapturederror', (e) => console.error('WebGPU error:', e.error.message));
console.log(`adapter: ${card}; maxBufferSize ${adapter.limits.maxBufferSize}`);

const parseN = (s) => Math.round(Number(s));
const rows = opt('rows') ? opt('rows').split(',').map(parseN) : quick ? [1e4, 1e5] : [1e5, 1e6, 1e7, 1e8];
const [W, H] = opt('size') ? opt('size').split('x').map(parseN) : quick ? [960, 540] : [3840, 2160];
const frames = opt('frames') ? parseN(opt('frames')) : quick ? 3 : 10;
if (!(W > 0 && H > 0 && frames > 0 && rows.every((n) => n > 0) && (opt('footprints') ?? '1').split(',').every((n) => parseN(n) > 0))) {
  console.error(`bad options: rows ${rows}, size ${W}x${H}, frames ${frames}`);
  process.exit(2);
}
const metrics = [];
const notes = [`adapter: ${card}`, `target ${W}x${H} rgba8unorm, ${frames} timed frames after 2 warm-up frames, each frame a small pan step`];
const push = (metric, subject, unit, r) => {
  const s = summarize(r.samples);
  metrics.push({ metric, subject, unit, better: 'lower', ...s, info: r.info });
  console.log(`${metric.padEnd(46)} ${subject.padEnd(22)} median ${s.median.toFixed(2)} ${unit} ${JSON.stringify(r.info)}`);
};

for (const n of rows) {
  const label = n.toExponential(0).replace('+', '');
  if (n <= 1e7) push(`catalogue ${label} rows, markers, full sky`, 'esasky-sky', 'ms', await core.catalogueFrames(device, { rows: n, widthPx: W, heightPx: H, frames, mode: 'markers' }));
  push(`catalogue ${label} rows, density, full sky`, 'esasky-sky', 'ms', await core.catalogueFrames(device, { rows: n, widthPx: W, heightPx: H, frames, mode: 'density' }));
  push(`catalogue ${label} rows, density, full sky`, 'raw compute splat', 'ms', await core.rawSplatFrames(device, { points: n, widthPx: W, heightPx: H, frames }));
}
const footprintCounts = opt('footprints') ? opt('footprints').split(',').map(parseN) : quick ? [1e3, 1e4] : [1e4, 1e5, 1e6];
for (const n of footprintCounts) {
  const label = n.toExponential(0).replace('+', '');
  const built = core.footprintGeometry(n);
  push(`footprints ${label}, outlines, full sky`, 'esasky-sky', 'ms', await core.footprintFrames(device, { built, widthPx: W, heightPx: H, frames }));
  push(`footprints ${label}, outlines, SIN 60°`, 'esasky-sky', 'ms', await core.footprintFrames(device, { built, widthPx: W, heightPx: H, frames, fovDeg: 60 }));
}
if (!quick && !opt('rows')) {
  push('raw compute splat 1e9 points (card limit)', 'raw compute splat', 'ms', await core.rawSplatFrames(device, { points: 1e9, widthPx: W, heightPx: H, frames }));
}

const hipsDir = join(REPO, 'data/hips/cds_gaia_dr2_radial_velocity_map');
const fetcher = core.fileFetcher(async (url) => {
  try {
    return new Uint8Array(await readFile(join(hipsDir, url.replace(/^\/+/, ''))));
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}, decodeJpeg);
push(`full-sky HiPS (Gaia DR2 RV, AIT) at ${W}x${H}`, 'esasky-sky', 'ms', await core.hipsFullSkyFrames(device, { propertiesText: await readFile(join(hipsDir, 'properties'), 'utf8'), fetcher, widthPx: W, heightPx: H, frames }));

device.destroy();
const slug = /swiftshader/i.test(card) ? 'swiftshader' : (info.description || info.device || info.vendor || 'gpu').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const result = { description: `Render core under Node (Dawn) on ${card}: catalogue frames (markers, density) vs the card's raw compute-splat limit, footprint outlines, full-sky HiPS at ${W}x${H}`, machine: machine({ gpu: card }), metrics, notes };
if (write) writeResult(`gpu-${quick ? 'quick-' : ''}${slug}`, result);
else console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(0);
