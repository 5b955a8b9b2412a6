// The cross-fade rule: which arriving tiles blend over a coarser parent, and with what weight.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FADE_MS, FADE_SKIP_FRAME_MS, fadeWeight, shownOrderAt } from './crossFade.js';
import { tileKey } from '../../hips/tileManager.js';

describe('fadeWeight', () => {
  it('draws a tile fully at once when nothing was drawn under it last frame', () => {
    expect(fadeWeight(1000, 1000, 5, undefined)).toBe(1);
    expect(fadeWeight(1000, 999, 5, undefined)).toBe(1);
  });

  it('draws a tile fully when what was drawn there was not coarser', () => {
    expect(fadeWeight(1000, 1000, 5, 5)).toBe(1);
    expect(fadeWeight(1000, 1000, 4, 6)).toBe(1);
  });

  it('does not fade where the GPU takes more than half the fade per frame', () => {
    expect(FADE_SKIP_FRAME_MS).toBe(FADE_MS / 2);
    expect(fadeWeight(1000, 1000, 5, 4, FADE_MS, FADE_SKIP_FRAME_MS + 1)).toBe(1);
    expect(fadeWeight(1000, 1000, 5, 4, FADE_MS, 16)).toBe(0); // a 60 Hz GPU fades
    expect(fadeWeight(1060, 1000, 5, 4, FADE_MS, FADE_SKIP_FRAME_MS)).toBeCloseTo(0.5, 12);
    expect(fadeWeight(1000, 1000, 5, 4, FADE_MS, 1000, Infinity)).toBe(0); // skipping turned off
  });

  it('blends a tile over a coarser parent linearly over FADE_MS from its arrival', () => {
    expect(fadeWeight(1000, 1000, 5, 4)).toBe(0);
    expect(fadeWeight(1000 + FADE_MS / 2, 1000, 5, 4)).toBeCloseTo(0.5, 12);
    expect(fadeWeight(1000 + FADE_MS - 1, 1000, 5, 0)).toBeCloseTo(1 - 1 / FADE_MS, 12);
    expect(fadeWeight(1000 + FADE_MS, 1000, 5, 4)).toBe(1);
    expect(fadeWeight(1000, undefined, 5, 4)).toBe(1);
  });

  it('is always in [0, 1], below 1 only over a coarser parent within FADE_MS of arrival', () => {
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 29 }), fc.option(fc.integer({ min: 0, max: 29 }), { nil: undefined }),
      (now, arrived, order, before) => {
        const w = fadeWeight(now, arrived, order, before);
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThanOrEqual(1);
        if (w < 1) {
          expect(before).toBeDefined();
          expect(before!).toBeLessThan(order);
          expect(now - arrived).toBeLessThan(FADE_MS);
        }
      }));
  });

  it('stays at 1 for a NaN time (never a NaN weight)', () => {
    expect(fadeWeight(NaN, 0, 5, 4)).toBe(1);
  });
});

describe('shownOrderAt', () => {
  it('finds what was drawn over the cell itself or over a coarser cell containing it', () => {
    const shown = new Map<number, number>([[tileKey(3, 357), 2], [tileKey(5, 100), 5]]);
    expect(shownOrderAt(shown, 3, 357)).toBe(2);
    expect(shownOrderAt(shown, 4, 357 * 4 + 3)).toBe(2); // child cell of the shown order-3 cell
    expect(shownOrderAt(shown, 6, 357 * 64 + 17)).toBe(2);
    expect(shownOrderAt(shown, 5, 100)).toBe(5);
    expect(shownOrderAt(shown, 6, 400)).toBe(5);
    expect(shownOrderAt(shown, 4, 356 * 4)).toBeUndefined(); // a sibling's child: nothing drawn there
    expect(shownOrderAt(shown, 2, 89)).toBeUndefined(); // a coarser cell is not covered by one child
  });
});
