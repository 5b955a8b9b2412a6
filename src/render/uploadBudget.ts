// The per-frame time budget for GPU uploads: at least one upload per frame, then more while the
// time spent stays under the budget (Aladin Lite uploads one tile per frame; we fill the budget).
// The budget grows with the GPU's frame time (uploadBudgetMsFor): where every frame already takes
// 100 ms on the GPU (SwiftShader), 6 ms of uploads per frame only spread a view's tiles over more
// slow frames.

/** Upload budget per frame, ms: 6 (a share of a 60 Hz frame), up to a quarter of the GPU's frame time, at most 16 (far from a 50 ms long task). */
export function uploadBudgetMsFor(gpuFrameMs: number): number {
  return Number.isFinite(gpuFrameMs) ? Math.min(16, Math.max(6, gpuFrameMs / 4)) : 6;
}

export class UploadBudget {
  private spentMs = 0;
  private count = 0;
  readonly budgetMs: number;
  readonly now: () => number;

  constructor(budgetMs: number, now: () => number = () => performance.now()) {
    this.budgetMs = budgetMs;
    this.now = now;
  }

  allows(): boolean {
    return this.count === 0 || this.spentMs < this.budgetMs;
  }

  spend(ms: number): void {
    this.spentMs += ms;
    this.count++;
  }

  get uploads(): number {
    return this.count;
  }
}
