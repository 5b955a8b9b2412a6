// Frame pacing: at most one frame's GPU work in flight. A frame wanted while the previous frame's
// GPU work is still pending is not drawn then; it is drawn once that work is done (one animation
// frame later, or at once where the GPU is slower than the display), from the state at that time — so the wants in between coalesce into one frame of
// the latest state, and the main thread never queues a second frame behind a busy GPU (where
// Chromium's queue.submit can block the main thread for tens of ms: SwiftShader shares the CPU).
//
// pacerStep is the pure state machine; FramePacer wires it to requestAnimationFrame and to the
// promise of each frame's GPU work (GPUQueue.onSubmittedWorkDone).

/**
 * idle: nothing asked for, nothing on the GPU. scheduled: an animation frame has been requested.
 * gpuBusy: the last frame's GPU work is pending, nothing more asked for. gpuBusyWanted: the same,
 * and a frame is wanted once it is done.
 */
export type PacerState = 'idle' | 'scheduled' | 'gpuBusy' | 'gpuBusyWanted';

/**
 * want: something changed, a frame is needed. fired: the requested animation frame's callback runs
 * (it draws). submitted: the frame's GPU work was submitted. gpuDone: that work is done (or given
 * up on). cancel: the element left the page (a frame asked for is dropped; the GPU work is still
 * tracked). reset: the device was replaced (its GPU work is no longer waited for; a frame asked for
 * stays asked for).
 */
export type PacerEvent = 'want' | 'fired' | 'submitted' | 'gpuDone' | 'cancel' | 'reset';

export interface PacerStep {
  readonly state: PacerState;
  /** Request an animation frame now. */
  readonly request?: true;
  /** Cancel the animation frame requested. */
  readonly cancelRequest?: true;
  /** The callback that fired is to draw (false: a stale callback, do nothing). */
  readonly draw?: boolean;
}

/**
 * The next state of the pacer and what to do, for `event` in `state`. `slowGpu`: the GPU takes
 * longer than a display frame per frame, so a frame wanted while it was busy is drawn as soon as it
 * is done (in the done callback, not at the next animation frame: on a software rasteriser the
 * animation frames come at the GPU's pace, and waiting for one left the GPU idle for up to one of
 * them — 300 session steps drew 100 frames in 31.7 s instead of ~180).
 */
export function pacerStep(state: PacerState, event: PacerEvent, slowGpu = false): PacerStep {
  switch (event) {
    case 'want':
      if (state === 'idle') return { state: 'scheduled', request: true };
      if (state === 'gpuBusy') return { state: 'gpuBusyWanted' };
      return { state };
    case 'fired':
      // the frame draws; until it submits nothing is on the GPU from it
      return state === 'scheduled' ? { state: 'idle', draw: true } : { state, draw: false };
    case 'submitted':
      // a frame wanted while this one was being encoded waits for its GPU work instead
      return state === 'scheduled' ? { state: 'gpuBusyWanted', cancelRequest: true } : { state: state === 'gpuBusyWanted' ? 'gpuBusyWanted' : 'gpuBusy' };
    case 'gpuDone':
      if (state === 'gpuBusyWanted') return slowGpu ? { state: 'idle', draw: true } : { state: 'scheduled', request: true };
      if (state === 'gpuBusy') return { state: 'idle' };
      return { state };
    case 'cancel':
      if (state === 'scheduled') return { state: 'idle', cancelRequest: true };
      if (state === 'gpuBusyWanted') return { state: 'gpuBusy' };
      return { state };
    case 'reset':
      // the old device's work holds nothing back; a frame wanted is still wanted
      if (state === 'gpuBusyWanted') return { state: 'scheduled', request: true };
      return { state: state === 'scheduled' ? 'scheduled' : 'idle' };
  }
}

export interface FramePacerHooks {
  /** Request a callback at the next animation frame (requestAnimationFrame); returns a handle. */
  readonly requestFrame: (cb: (timestamp: number) => void) => number;
  readonly cancelFrame: (handle: number) => void;
  /** Draw a frame (the callback of the animation frame); call FramePacer.submitted if it submits one. */
  readonly draw: (timestamp: number) => void;
  /** Whether the GPU takes longer than a display frame per frame (then a frame waiting for it is drawn as soon as it is done). */
  readonly slowGpu?: () => boolean;
}

/**
 * A GPU promise that has not settled after this long is given up on (treated as done), so that a
 * promise that never settles cannot stop the element drawing for good. Far above a frame's GPU time
 * even on a software rasteriser (0.1–0.8 s measured).
 */
export const GPU_DONE_WATCHDOG_MS = 3000;

/** Drives pacerStep with requestAnimationFrame and the GPU's done-promises. One per element. */
export class FramePacer {
  private current: PacerState = 'idle';
  private handle = 0;
  /** Bumped by reset(): the done-promise of an older frame no longer counts. */
  private generation = 0;
  /** Frames submitted whose GPU work is not done: at most 1 (a diagnostic for tests). */
  private inFlight = 0;
  /** The largest number of frames ever in flight at once (tests check it stays at 1). */
  maxInFlight = 0;

  constructor(private readonly hooks: FramePacerHooks, private readonly watchdogMs = GPU_DONE_WATCHDOG_MS) {}

  get state(): PacerState {
    return this.current;
  }

  /** A frame is asked for or will be drawn once the GPU is done. */
  get pending(): boolean {
    return this.current === 'scheduled' || this.current === 'gpuBusyWanted';
  }

  /** Frames submitted and not yet done on the GPU. */
  get framesInFlight(): number {
    return this.inFlight;
  }

  want(): void {
    this.apply('want');
  }

  /** The frame being drawn submitted its GPU work; `done` settles when that work is done. */
  submitted(done: Promise<unknown>): void {
    this.apply('submitted');
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const generation = this.generation;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (generation !== this.generation) return;
      this.inFlight--;
      this.apply('gpuDone', this.hooks.slowGpu?.() ?? false);
    };
    const timer = setTimeout(finish, this.watchdogMs);
    done.then(finish, finish);
  }

  /** Drop a frame asked for (the element left the page); GPU work in flight is still tracked. */
  cancel(): void {
    this.apply('cancel');
  }

  /** Stop waiting for GPU work (the device was replaced: its work no longer holds anything back). */
  reset(): void {
    this.generation++;
    this.inFlight = 0;
    this.apply('reset');
  }

  private apply(event: PacerEvent, slowGpu = false): void {
    const step = pacerStep(this.current, event, slowGpu);
    this.current = step.state;
    if (step.cancelRequest && this.handle) {
      this.hooks.cancelFrame(this.handle);
      this.handle = 0;
    }
    if (step.request) this.handle = this.hooks.requestFrame((t) => this.fired(t));
    if (step.draw) this.hooks.draw(performance.now());
  }

  private fired(timestamp: number): void {
    this.handle = 0;
    const step = pacerStep(this.current, 'fired');
    this.current = step.state;
    if (step.draw) this.hooks.draw(timestamp);
  }
}
