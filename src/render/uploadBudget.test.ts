// The per-frame upload budget: one upload always, more while the time spent is under budget.
import { describe, expect, it } from 'vitest';
import { UploadBudget, uploadBudgetMsFor } from './uploadBudget.js';

describe('uploadBudgetMsFor', () => {
  it('is 6 ms for a fast GPU, a quarter of a slow GPU frame, never over 16 ms', () => {
    expect(uploadBudgetMsFor(0)).toBe(6);
    expect(uploadBudgetMsFor(16)).toBe(6);
    expect(uploadBudgetMsFor(40)).toBe(10);
    expect(uploadBudgetMsFor(100)).toBe(16);
    expect(uploadBudgetMsFor(5000)).toBe(16);
    expect(uploadBudgetMsFor(NaN)).toBe(6);
  });
});

describe('UploadBudget', () => {
  it('allows the first upload even over budget, then stops once the budget is spent', () => {
    const b = new UploadBudget(6, () => 0);
    expect(b.allows()).toBe(true);
    b.spend(10); // one slow upload
    expect(b.allows()).toBe(false);
    expect(b.uploads).toBe(1);
  });

  it('fills the budget with many cheap uploads', () => {
    const b = new UploadBudget(6);
    let n = 0;
    while (b.allows()) {
      b.spend(0.5);
      n++;
    }
    expect(n).toBe(12);
    expect(b.uploads).toBe(12);
  });
});
