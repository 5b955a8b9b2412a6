// In-page probe shared by every subject of bench/hips-settle.bench.mjs (a classic script: it must
// run before the viewer loads). It tracks HiPS requests made from this page, WebAssembly memories,
// and, through a small adapter that each subject installs, the frames that actually drew. The same
// "settled" rule, path driver, pan driver and long session driver then run for every subject.
/* global HTMLImageElement, WebAssembly */
(() => {
  const b = {
    drawn: 0, // frames that drew the sky (counted by the adapter)
    lastDrawAt: 0, // performance.now() at the end of the last frame that drew
    pending: 0, // HiPS requests (image src / fetch) made by this page and not finished
    lastRequestAt: 0,
    lastDoneAt: 0,
    wasmMemories: [],
    adapter: null, // { setView(ra, dec, fov), busy(): boolean, describe: string }
  };
  window.__bench = b;

  const isHips = (u) => typeof u === 'string' && u.includes('/hips/');
  const started = () => {
    b.pending++;
    b.lastRequestAt = performance.now();
  };
  const finished = () => {
    b.pending--;
    b.lastDoneAt = performance.now();
  };

  // Image tiles: Aladin Lite loads jpeg/png/webp tiles through HTMLImageElement.src.
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src');
  Object.defineProperty(HTMLImageElement.prototype, 'src', {
    configurable: true,
    enumerable: src.enumerable,
    get() {
      return src.get.call(this);
    },
    set(v) {
      if (isHips(v)) {
        started();
        const done = () => {
          this.removeEventListener('load', done);
          this.removeEventListener('error', done);
          finished();
        };
        this.addEventListener('load', done);
        this.addEventListener('error', done);
      }
      src.set.call(this, v);
    },
  });

  // fetch() from this page (properties, Moc.fits, FITS tiles); the body is read to the end on a clone.
  const origFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input?.url;
    const p = origFetch.call(this, input, init);
    if (!isHips(url)) return p;
    started();
    p.then((r) => r.clone().arrayBuffer()).then(finished, finished);
    return p;
  };

  // WebAssembly memories (not part of the JS heap that performance.memory reports).
  const keep = (result) => {
    const inst = result?.instance ?? result;
    for (const v of Object.values(inst?.exports ?? {})) if (v instanceof WebAssembly.Memory) b.wasmMemories.push(v);
    return result;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const orig = WebAssembly[name];
    if (orig) WebAssembly[name] = (...args) => orig.apply(WebAssembly, args).then(keep);
  }

  /** Call from the adapter at the end of every frame that drew. */
  b.frameDrawn = () => {
    b.drawn++;
    b.lastDrawAt = performance.now();
  };

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const frame = () => new Promise((r) => requestAnimationFrame(r));

  /** Long tasks and dropped frames over a stretch of frames: bench/pages/health.js (loaded first). */
  b.health = () => window.__benchHealth();

  /**
   * Settled: the subject says it is idle (adapter.busy() false: for Aladin Lite no HiPS request in
   * flight and the last frame did not render; for esasky-sky view-settled has fired for this view),
   * no HiPS request is in flight, and for quietMs nothing was drawn, requested or received. The
   * time returned is from t0 to the end of the last frame that drew: the quiet window is not counted.
   */
  b.settle = async (t0, { quietMs = 600, timeoutMs = 60_000 } = {}) => {
    for (;;) {
      await sleep(10);
      const now = performance.now();
      const last = Math.max(t0, b.lastDrawAt, b.lastRequestAt, b.lastDoneAt);
      if (b.pending <= 0 && !b.adapter.busy() && now - last >= quietMs) return Math.max(0, b.lastDrawAt - t0);
      if (now - t0 > timeoutMs) throw new Error(`not settled after ${timeoutMs} ms (pending ${b.pending}, busy ${b.adapter.busy()})`);
    }
  };

  /**
   * Settle time per view of `path` ([ra, dec, fov] each). A view that has not settled after
   * viewTimeoutMs is a failure: its time is NaN, the reason is listed, and the path goes on.
   */
  b.runPath = async (path, { quietMs, viewTimeoutMs = 30_000 } = {}) => {
    const times = [];
    const events = [];
    const failures = [];
    for (const [ra, dec, fov] of path) {
      await frame();
      const t0 = performance.now();
      b.adapter.settledAt = undefined;
      b.adapter.setView(ra, dec, fov);
      try {
        times.push(await b.settle(t0, { quietMs, timeoutMs: viewTimeoutMs }));
      } catch (err) {
        times.push(NaN);
        failures.push(`view ${ra},${dec} fov ${fov}: ${err?.message ?? err}`);
        continue;
      }
      if (b.adapter.settledAt !== undefined) events.push(b.adapter.settledAt - t0);
    }
    return { times, events, failures };
  };

  /** Frames drawn per second while the view moves once per animation frame for `ms`. */
  b.pan = async ({ ra = 83.82, dec = -5.39, fov = 30, ms = 3000, quietMs } = {}) => {
    await frame();
    let t0 = performance.now();
    b.adapter.setView(ra, dec, fov);
    await b.settle(t0, { quietMs });
    const d0 = b.drawn;
    t0 = performance.now();
    let steps = 0;
    const health = b.health();
    while (performance.now() - t0 < ms) {
      health.frame(await frame());
      ra += 0.2;
      steps++;
      b.adapter.setView(ra, dec, fov);
    }
    health.frame(await frame());
    const elapsed = performance.now() - t0;
    return { fps: ((b.drawn - d0) * 1000) / elapsed, stepsPerSecond: (steps * 1000) / elapsed, panHealth: health.stop() };
  };

  const heapMiB = () => (performance.memory ? performance.memory.usedJSHeapSize / 2 ** 20 : NaN);
  const wasmMiB = () => b.wasmMemories.reduce((a, m) => a + m.buffer.byteLength, 0) / 2 ** 20;
  const collect = async () => {
    for (let i = 0; i < 2; i++) {
      globalThis.gc?.();
      await sleep(50);
    }
  };

  /**
   * A long pan/zoom session, one view change per animation frame; long tasks and memory. It stops
   * early after maxMs (stepsDone says how far it got) and gives settled: false when the last view
   * does not settle within settleTimeoutMs, so a slow subject cannot hold the benchmark forever.
   */
  b.session = async ({ steps = 1000, quietMs, maxMs = 240_000, settleTimeoutMs = 60_000 } = {}) => {
    await collect();
    const heapBefore = heapMiB();
    const gpuBefore = b.adapter.gpuMemory?.();
    const health = b.health();
    // when each step's view was set and its field (to place long tasks on the path)
    const stepAt = [];
    const d0 = b.drawn;
    const t0 = performance.now();
    let stepsDone = 0;
    for (let i = 0; i < steps && performance.now() - t0 < maxMs; i++, stepsDone++) {
      health.frame(await frame());
      const ra = (10 + 0.35 * i) % 360;
      const dec = 50 * Math.sin(i / 150);
      const fov = 30 * 2 ** (2 * Math.sin(i / 60)); // 7.5 deg .. 120 deg
      stepAt.push({ t: performance.now(), fov });
      b.adapter.setView(ra, dec, fov);
    }
    const elapsed = performance.now() - t0;
    let settled = true;
    try {
      await b.settle(performance.now(), { quietMs, timeoutMs: settleTimeoutMs });
    } catch {
      settled = false;
    }
    const h = health.stop();
    const gpu = b.adapter.gpuMemory?.();
    await collect();
    // each long task with the step that was being drawn when it began (the last view set before it)
    const placed = h.longTasks.map(({ startMs, ms }) => {
      let k = stepAt.length - 1;
      while (k > 0 && stepAt[k].t > startMs) k--;
      return { ms: Math.round(ms), step: startMs < (stepAt[0]?.t ?? 0) ? -1 : k, fovDeg: stepAt[k] ? Number(stepAt[k].fov.toFixed(1)) : NaN };
    });
    return {
      seconds: elapsed / 1000,
      stepsDone,
      settled,
      fps: ((b.drawn - d0) * 1000) / elapsed,
      ...h,
      // the subject's own count of its GPU buffer + texture bytes (esasky-sky only), MiB
      gpuOwnMiB: gpu ? (gpu.bufferBytes + gpu.textureBytes) / 2 ** 20 : NaN,
      gpuOwnBeforeMiB: gpuBefore ? (gpuBefore.bufferBytes + gpuBefore.textureBytes) / 2 ** 20 : NaN,
      longTasks: placed,
      gpuOwnPeakMiB: gpu ? gpu.peakBytes / 2 ** 20 : NaN,
      heapBeforeMiB: heapBefore,
      heapAfterMiB: heapMiB(),
      wasmMiB: wasmMiB(),
    };
  };

  /** WebGL renderer string of this browser (for the machine line). */
  b.webglRenderer = () => {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return 'no WebGL2';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  };
})();
