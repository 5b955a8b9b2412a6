// `npm run bench -- gpu`: the GPU benchmark (bench/gpu/run.mjs) at the sizes this machine's
// WebGPU allows. Without a GPU that is Dawn on SwiftShader (--quick); on a machine with a GPU
// driver (VK_DRIVER_FILES / VK_ICD_FILENAMES set) the full 4K run. Bundles the core first.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { REPO, RESULTS_DIR } from './harness.mjs';

export async function run() {
  const node = process.execPath;
  const built = spawnSync(node, [`${REPO}bench/gpu/build.mjs`], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('bundling bench/gpu failed');
  const hasDriver = Boolean(process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES);
  const t = Date.now();
  const r = spawnSync(node, [`${REPO}bench/gpu/run.mjs`, ...(hasDriver ? [] : ['--quick'])], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`bench/gpu/run.mjs failed (exit ${r.status})`);
  const newest = readdirSync(RESULTS_DIR).filter((f) => f.startsWith('gpu-') && statSync(`${RESULTS_DIR}/${f}`).mtimeMs >= t)
    .sort((a, b) => statSync(`${RESULTS_DIR}/${b}`).mtimeMs - statSync(`${RESULTS_DIR}/${a}`).mtimeMs)[0];
  if (!newest) throw new Error('bench/gpu/run.mjs wrote no result file');
  return JSON.parse(readFileSync(`${RESULTS_DIR}/${newest}`, 'utf8'));
}
