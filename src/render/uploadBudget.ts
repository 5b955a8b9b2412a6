// The per-frame time budget for GPU uploads: at least one upload per frame, then more while the
// time spent stays under the budget (Aladin Lite uploads one tile per frame; we fill the budget).

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
