// Frame pacing: the state machine and FramePacer with a fake animation-frame clock and GPU.
// Properties (fast-check): never two frames in flight; a frame wanted is always drawn once the GPU
// is done (no want is lost); wants while the GPU is busy coalesce into one frame.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { FramePacer, GPU_DONE_WATCHDOG_MS, pacerStep } from './framePacer.js';

/** A fake page: animation frames run when the test says, each frame's GPU work ends when the test says. */
function harness(slowGpu = false) {
  let nextHandle = 1;
  const callbacks = new Map<number, (t: number) => void>();
  const gpu: Array<() => void> = [];
  let draws = 0;
  let wantsSinceDrawStart = 0;
  const pacer: FramePacer = new FramePacer({
    requestFrame: (cb) => {
      callbacks.set(nextHandle, cb);
      return nextHandle++;
    },
    cancelFrame: (h) => void callbacks.delete(h),
    draw: () => {
      draws++;
      wantsSinceDrawStart = 0;
      pacer.submitted(new Promise<void>((r) => gpu.push(r)));
    },
    slowGpu: () => slowGpu,
  });
  return {
    pacer,
    get draws() { return draws; },
    get wantsSinceDrawStart() { return wantsSinceDrawStart; },
    get rafsPending() { return callbacks.size; },
    want() {
      wantsSinceDrawStart++;
      pacer.want();
    },
    /** Run the animation frame callbacks requested so far. */
    animationFrame() {
      const cbs = [...callbacks.values()];
      callbacks.clear();
      for (const cb of cbs) cb(0);
    },
    /** Finish the oldest frame's GPU work and let its promise callbacks run. */
    async gpuDone() {
      gpu.shift()?.();
      await Promise.resolve();
      await Promise.resolve();
    },
    get gpuQueue() { return gpu.length; },
  };
}

describe('pacerStep', () => {
  it('asks for an animation frame only from idle, and draws only when one was asked for', () => {
    expect(pacerStep('idle', 'want')).toEqual({ state: 'scheduled', request: true });
    expect(pacerStep('scheduled', 'want')).toEqual({ state: 'scheduled' });
    expect(pacerStep('gpuBusy', 'want')).toEqual({ state: 'gpuBusyWanted' });
    expect(pacerStep('scheduled', 'fired')).toEqual({ state: 'idle', draw: true });
    expect(pacerStep('gpuBusyWanted', 'fired').draw).toBe(false);
    expect(pacerStep('idle', 'submitted').state).toBe('gpuBusy');
    expect(pacerStep('scheduled', 'submitted')).toEqual({ state: 'gpuBusyWanted', cancelRequest: true });
    expect(pacerStep('gpuBusyWanted', 'gpuDone')).toEqual({ state: 'scheduled', request: true });
    expect(pacerStep('gpuBusy', 'gpuDone')).toEqual({ state: 'idle' });
    expect(pacerStep('scheduled', 'cancel')).toEqual({ state: 'idle', cancelRequest: true });
    expect(pacerStep('gpuBusyWanted', 'reset')).toEqual({ state: 'scheduled', request: true });
    // a slow GPU: the frame waiting for it is drawn as soon as it is done
    expect(pacerStep('gpuBusyWanted', 'gpuDone', true)).toEqual({ state: 'idle', draw: true });
    expect(pacerStep('gpuBusy', 'gpuDone', true)).toEqual({ state: 'idle' });
  });
});

describe('FramePacer', () => {
  it('coalesces the wants of a busy GPU into one frame drawn after it is done', async () => {
    const h = harness();
    h.want();
    h.animationFrame();
    expect(h.draws).toBe(1);
    expect(h.pacer.state).toBe('gpuBusy');
    for (let i = 0; i < 10; i++) {
      h.want();
      h.animationFrame();
    }
    expect(h.draws, 'nothing drawn while the GPU is busy').toBe(1);
    expect(h.rafsPending).toBe(0);
    await h.gpuDone();
    expect(h.pacer.state).toBe('scheduled');
    h.animationFrame();
    expect(h.draws, 'one frame for the ten wants').toBe(2);
    await h.gpuDone();
    expect(h.pacer.state).toBe('idle');
    h.animationFrame();
    expect(h.draws).toBe(2);
  });

  it('a want during the draw (before its submit) waits for that frame\'s GPU work', async () => {
    let release!: () => void;
    const cbs: Array<(t: number) => void> = [];
    let draws = 0;
    const pacer: FramePacer = new FramePacer({
      requestFrame: (cb) => cbs.push(cb),
      cancelFrame: (hd) => { cbs[hd - 1] = () => {}; },
      draw: () => {
        draws++;
        pacer.want(); // e.g. uploads left for the next frame, asked for before submit
        pacer.submitted(new Promise<void>((r) => { release = r; }));
      },
    });
    pacer.want();
    cbs[0](0);
    expect(pacer.state).toBe('gpuBusyWanted');
    cbs[1]?.(0); // the request made during the draw was cancelled
    expect(draws).toBe(1);
    release();
    await Promise.resolve();
    await Promise.resolve();
    cbs[cbs.length - 1](0);
    expect(draws).toBe(2);
    expect(pacer.maxInFlight).toBe(1);
  });

  it('on a slow GPU draws the waiting frame as soon as the last one is done', async () => {
    const h = harness(true);
    h.want();
    h.animationFrame();
    h.want();
    h.want();
    await h.gpuDone();
    expect(h.draws, 'drawn in the done callback').toBe(2);
    expect(h.rafsPending).toBe(0);
    expect(h.pacer.framesInFlight).toBe(1);
    await h.gpuDone();
    expect(h.pacer.state).toBe('idle');
  });

  it('never has two frames in flight and never loses a want (random schedules)', async () => {
    await fc.assert(fc.asyncProperty(fc.boolean(), fc.array(fc.constantFrom('want', 'raf', 'gpu'), { maxLength: 80 }), async (slow, ops) => {
      const h = harness(slow);
      for (const op of ops) {
        if (op === 'want') h.want();
        else if (op === 'raf') h.animationFrame();
        else await h.gpuDone();
        expect(h.pacer.framesInFlight).toBeLessThanOrEqual(1);
        expect(h.gpuQueue).toBeLessThanOrEqual(1);
      }
      // drain: every want made after the last draw began is drawn
      const wanted = h.wantsSinceDrawStart > 0;
      const before = h.draws;
      for (let i = 0; i < 4; i++) {
        await h.gpuDone();
        h.animationFrame();
      }
      if (wanted) expect(h.draws).toBeGreaterThan(before);
      await h.gpuDone();
      expect(h.pacer.state).toBe('idle');
      expect(h.pacer.maxInFlight).toBeLessThanOrEqual(1);
    }), { numRuns: 300 });
  });

  describe('with a GPU promise that never settles', () => {
    beforeEach(() => { vi.useFakeTimers(); });
    afterEach(() => { vi.useRealTimers(); });
    it('gives up on it after the watchdog and draws again', async () => {
      const cbs: Array<(t: number) => void> = [];
      let draws = 0;
      const pacer: FramePacer = new FramePacer({
        requestFrame: (cb) => cbs.push(cb),
        cancelFrame: () => {},
        draw: () => {
          draws++;
          pacer.submitted(new Promise<void>(() => {}));
        },
      });
      pacer.want();
      cbs.shift()!(0);
      pacer.want();
      expect(cbs.length).toBe(0);
      await vi.advanceTimersByTimeAsync(GPU_DONE_WATCHDOG_MS - 10);
      expect(cbs.length, 'still waiting').toBe(0);
      await vi.advanceTimersByTimeAsync(20);
      expect(cbs.length).toBe(1);
      cbs.shift()!(0);
      expect(draws).toBe(2);
    });
  });

  it('reset forgets the old device\'s work but keeps a frame asked for', async () => {
    const h = harness();
    h.want();
    h.animationFrame();
    h.want();
    expect(h.pacer.state).toBe('gpuBusyWanted');
    h.pacer.reset();
    expect(h.pacer.state).toBe('scheduled');
    expect(h.pacer.framesInFlight).toBe(0);
    await h.gpuDone(); // the old frame's promise settles late: ignored
    expect(h.pacer.state).toBe('scheduled');
    h.animationFrame();
    expect(h.draws).toBe(2);
    expect(h.pacer.framesInFlight).toBe(1);
  });
});
