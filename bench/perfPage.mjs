// Runs a browser perf page (test/browser/*.perf.ts) in the headless Chromium of the browser tests
// and reads the `PREFIX {json}` lines it prints (BENCH: { metric, unit, samples, subject? } each).
import { spawn } from 'node:child_process';
import { REPO } from './harness.mjs';

/** web-test-runner on `file` (extra CLI args before it); resolves with the whole output, rejects with it as `out`. */
export function runPerfPage(file, { args = [], timeoutMs = 600_000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['web-test-runner', ...args, file], { cwd: REPO, env: { ...process.env, FORCE_COLOR: '0', ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(Object.assign(new Error(`${file} failed (exit ${code}):\n${out.slice(-3000)}`), { out }));
      else resolve(out);
    });
  });
}

/** The `PREFIX {json}` records of a perf page's output, in order. */
export function pageRecords(out, prefix) {
  const records = [];
  for (const line of out.split('\n')) {
    const i = line.indexOf(`${prefix} {`);
    if (i >= 0) records.push(JSON.parse(line.slice(i + prefix.length + 1).trim()));
  }
  return records;
}

/** The `BENCH {json}` records of a perf page's output; throws when there are none. */
export function benchRecords(out) {
  const records = pageRecords(out, 'BENCH');
  if (records.length === 0) throw new Error(`no BENCH lines in the output:\n${out.slice(-3000)}`);
  return records;
}
