// `npm run build`: the library (dist/lib, ES modules + decode worker), its type declarations
// (dist/types), the reference page (dist/demo) and the archive server (dist/server-build).
import { build } from 'vite';
import { spawnSync } from 'node:child_process';
import { libConfig, demoConfig } from '../vite.config.mjs';

function step(name, fn) {
  const t = Date.now();
  return Promise.resolve(fn()).then(() => console.log(`  built ${name} in ${((Date.now() - t) / 1000).toFixed(1)} s`));
}

function tsc(project) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc -p ${project} failed`);
}

try {
  await step('library (dist/lib)', () => build(libConfig));
  await step('type declarations (dist/types)', () => tsc('tsconfig.types.json'));
  await step('reference page (dist/demo)', () => build(demoConfig));
  await step('archive server (dist/server-build)', () => tsc('server/tsconfig.json'));
} catch (err) {
  console.error(`build failed: ${err.message ?? err}`);
  process.exit(1);
}
