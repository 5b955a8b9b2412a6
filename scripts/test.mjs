// `npm test`: every check in order, stopping at the first failure: type check, lint, Node unit
// tests, server tests, build, browser tests (WebGPU in headless Chromium), end-to-end page tests.
import { spawnSync } from 'node:child_process';

const steps = [
  ['type check', 'npm', ['run', '-s', 'typecheck']],
  ['lint', 'npm', ['run', '-s', 'lint']],
  ['unit tests (Node)', 'npm', ['run', '-s', 'test:unit']],
  ['server tests', 'npm', ['run', '-s', 'test:server']],
  ['build', 'npm', ['run', '-s', 'build']],
  ['browser tests (headless Chromium, WebGPU)', 'npm', ['run', '-s', 'test:browser']],
  ['end-to-end tests (page from the server)', 'npm', ['run', '-s', 'test:e2e']],
];

const t0 = Date.now();
for (const [name, cmd, args] of steps) {
  const t = Date.now();
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const s = ((Date.now() - t) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n✗ ${name} failed (exit ${r.status ?? r.signal}) after ${s} s`);
    process.exit(r.status || 1);
  }
  console.log(`✓ ${name} (${s} s)`);
}
console.log(`\nAll checks passed in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
