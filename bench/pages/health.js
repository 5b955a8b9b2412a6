// Main-thread health over a stretch of animation frames, the one implementation for every browser
// benchmark: long tasks (PerformanceObserver "longtask", > 50 ms) and dropped frames (an interval
// of k 60 Hz periods between animation frames dropped k - 1). A classic script that sets
// window.__benchHealth(): loaded before bench/pages/probe.js in the hips-settle pages, imported for
// its effect by the perf pages of the browser tests (test/browser/*.perf.ts). Usage:
//   const h = window.__benchHealth(); ...each animation frame: h.frame(rafTimestamp); ... h.stop()
// stop() gives { longTaskCount, longTaskMs, longTasks: [{ startMs, ms }] (performance.now() time
// base), droppedFrames, droppedShare }.
(() => {
  /** 60 Hz: the headless compositor's frame period. */
  const PERIOD_MS = 1000 / 60;
  window.__benchHealth = () => {
    const longTasks = [];
    let obs;
    try {
      obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push({ startMs: e.startTime, ms: e.duration })));
      obs.observe({ type: 'longtask', buffered: false });
    } catch {
      obs = undefined; // no longtask entries in this browser: counts stay NaN
    }
    let last;
    let intervals = 0;
    let dropped = 0;
    return {
      frame(ts) {
        if (last !== undefined) {
          intervals++;
          dropped += Math.max(0, Math.round((ts - last) / PERIOD_MS) - 1);
        }
        last = ts;
      },
      stop() {
        obs?.disconnect();
        return {
          longTaskCount: obs ? longTasks.length : NaN,
          longTaskMs: obs ? longTasks.reduce((a, x) => a + x.ms, 0) : NaN,
          longTasks: longTasks.slice(),
          droppedFrames: dropped,
          // dropped / (frames shown + dropped): the share of 60 Hz frames the page missed
          droppedShare: intervals ? dropped / (intervals + dropped) : NaN,
        };
      },
    };
  };
})();
