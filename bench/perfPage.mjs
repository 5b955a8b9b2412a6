// Runs a browser perf page (test/browser/*.perf.ts) in the headless Chromium of the browser tests
// and reads the `BENCH {json}` lines it prints: { metric, unit, samples } each.
import { spawn } from 'node:child_process';
import { REPO } from './harness.mjs';

/** web-test-runner on `file` (extra CLI args before it); resolves with the whole output. */
export function runPerfPage(file, { args = [], timeoutMs = 600_000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['web-test-runner', ...args, file], { cwd: REPO, env: { ...process.env, FORCE_COLOR: '0', ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${file} failed (exit ${code}):\n${out.slice(-3000)}`));
      else resolve(out);
    });
  });
}

/** The `BENCH {json}` records of a perf page's output; throws when there are none. */
export function benchRecords(out) {
  const records = [];
  for (const line of out.split('\n')) {
    const i = line.indexOf('BENCH {');
    if (i >= 0) records.push(JSON.parse(line.slice(i + 6).trim()));
  }
  if (records.length === 0) throw new Error(`no BENCH lines in the output:\n${out.slice(-3000)}`);
  return records;
}
