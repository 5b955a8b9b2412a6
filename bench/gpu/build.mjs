// Bundles bench/gpu/core.ts (the render core and the workloads) and jpeg-js into
// bench/gpu/dist/core.mjs, so that the GPU machine runs it with node + Dawn and no node_modules.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
await build({
  entryPoints: { core: `${here}core.ts`, jpeg: `${here}jpeg.ts` },
  outdir: `${here}dist`,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
});
console.log('built bench/gpu/dist/core.mjs, jpeg.mjs');
