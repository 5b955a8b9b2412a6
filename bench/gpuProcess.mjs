// Resident memory of Chromium's GPU process (the --type=gpu-process child of the browser this Node
// process started), read from /proc (Linux). Under SwiftShader every WebGPU buffer/texture and every
// WebGL one lives in that process's RAM, so its resident set is a same-run measure of GPU memory
// for both subjects of a browser benchmark; browser code cannot ask WebGPU or WebGL for one.
// Rss: pages resident; Pss: shared pages divided among their sharers (smaps_rollup).
import { readFileSync, readdirSync } from 'node:fs';
import { clearInterval, setInterval, setTimeout } from 'node:timers';

function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Pids of the GPU processes descended from `rootPid` (default: this process). */
export function gpuProcessPids(rootPid = process.pid) {
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const out = [];
  for (const pid of pids) {
    let cmd;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmd.includes('--type=gpu-process')) continue;
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      p = parentOf(p);
      if (p === rootPid) {
        out.push(pid);
        break;
      }
      if (p === undefined) break;
    }
  }
  return out;
}

/** { pids, rssMiB, pssMiB } summed over those GPU processes; rssMiB NaN when there is none. */
export function gpuProcessMemory(rootPid = process.pid) {
  const pids = gpuProcessPids(rootPid);
  let rss = 0;
  let pss = 0;
  let read = 0;
  for (const pid of pids) {
    try {
      const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(t)?.[1] ?? NaN);
      pss += Number(/^Pss:\s+(\d+)/m.exec(t)?.[1] ?? NaN);
      read++;
    } catch {
      // gone between the scan and the read
    }
  }
  return read ? { pids, rssMiB: rss / 1024, pssMiB: pss / 1024 } : { pids, rssMiB: NaN, pssMiB: NaN };
}

/**
 * Samples the GPU processes' memory every `intervalMs` until stop(), which returns
 * { startRssMiB, peakRssMiB, endRssMiB, startPssMiB, peakPssMiB, endPssMiB, samples }.
 */
export function sampleGpuProcess({ rootPid = process.pid, intervalMs = 250 } = {}) {
  const first = gpuProcessMemory(rootPid);
  const max = (a, b) => (Number.isFinite(b) ? (Number.isFinite(a) ? Math.max(a, b) : b) : a);
  let peakRss = first.rssMiB;
  let peakPss = first.pssMiB;
  let samples = 1;
  const tick = () => {
    const m = gpuProcessMemory(rootPid);
    samples++;
    peakRss = max(peakRss, m.rssMiB);
    peakPss = max(peakPss, m.pssMiB);
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref?.();
  return {
    stop() {
      clearInterval(timer);
      tick();
      const end = gpuProcessMemory(rootPid);
      return { startRssMiB: first.rssMiB, peakRssMiB: peakRss, endRssMiB: end.rssMiB, startPssMiB: first.pssMiB, peakPssMiB: peakPss, endPssMiB: end.pssMiB, samples };
    },
  };
}

/**
 * Wait until the GPU processes' PSS has stopped changing (two readings `intervalMs` apart within
 * `toleranceMiB`), at most `maxMs`: a context that has just closed frees its GPU memory
 * asynchronously, and a baseline taken before that would be too high. Returns the last reading.
 */
export async function quietGpuProcess({ rootPid = process.pid, intervalMs = 250, toleranceMiB = 1, maxMs = 10_000 } = {}) {
  const t0 = Date.now();
  let last = gpuProcessMemory(rootPid);
  for (;;) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const m = gpuProcessMemory(rootPid);
    if (!Number.isFinite(m.pssMiB) || Math.abs(m.pssMiB - last.pssMiB) <= toleranceMiB || Date.now() - t0 > maxMs) return m;
    last = m;
  }
}
