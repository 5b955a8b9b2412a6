// Pure parts of catalogue marks: label options, brightness order, greedy label placement (with a
// property test: no overlaps, all inside the view, brightest first, every skip justified), the
// marker-image texture layout, the glyph-atlas grid, and the float32 arrow-tip offsets.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { brightnessOrder, labelText, MAX_LABELS, placeLabels, resolveLabelOptions, type LabelCandidate } from './labelLayout.js';
import { markerImageRect, markerTextureSide } from './markerImage.js';
import { atlasLayout } from '../render/text/glyphAtlas.js';
import { buildCatalogIndex, tipOffsets } from './spatialIndex.js';
import { propagateColumns } from './properMotion.js';
import { CatalogError } from './columns.js';

describe('label options', () => {
  const data = { raDeg: [1, 2], decDeg: [3, 4], columns: { name: ['a', 'b'], mag: Float32Array.from([1, 2]) } };
  it('resolves defaults and names bad options', () => {
    expect(resolveLabelOptions({ column: 'name' }, data)).toEqual({ column: 'name', count: 10, fontPx: 12, brightnessColumn: undefined, brightest: 'min', color: [1, 1, 1, 1] });
    expect(() => resolveLabelOptions({ column: 'nope' }, data)).toThrow(/labels.column: no column 'nope'.*name, mag/);
    expect(() => resolveLabelOptions({ column: 'name', brightnessColumn: 'vmag' }, data)).toThrow(/labels.brightnessColumn: no column 'vmag'/);
    expect(() => resolveLabelOptions({ column: 'name', count: MAX_LABELS + 1 }, data)).toThrow(/labels.count must be an integer in \[0, 1000\]/);
    expect(() => resolveLabelOptions({ column: 'name', count: 2.5 }, data)).toThrow(CatalogError);
    expect(() => resolveLabelOptions({ column: 'name', fontPx: 2 }, data)).toThrow(/labels.fontPx/);
    expect(() => resolveLabelOptions({ column: 'name', brightest: 'brightest' as 'min' }, data)).toThrow(/'min' \(magnitudes\) or 'max'/);
    expect(() => resolveLabelOptions({ column: 'name', color: '#zzz' }, data)).toThrow(/colour/);
  });

  it('orders rows brightest first, either way, leaving out NaN', () => {
    const mag = Float32Array.from([3, NaN, -1, 3, 0.5]);
    expect(Array.from(brightnessOrder(mag, 5, 'min'))).toEqual([2, 4, 0, 3]);
    expect(Array.from(brightnessOrder(mag, 5, 'max'))).toEqual([0, 3, 4, 2]);
    expect(Array.from(brightnessOrder(undefined, 3, 'min'))).toEqual([0, 1, 2]);
  });

  it('property: the radix order equals a comparison sort of the float32 values (ties in row order)', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.float({ noDefaultInfinity: false }), fc.constantFrom(0, -0, 1, -1, NaN)), { maxLength: 300 }), fc.boolean(), (xs, max) => {
      const f = Float32Array.from(xs);
      const sign = max ? -1 : 1;
      const expected = [...f.keys()].filter((i) => !Number.isNaN(f[i])).sort((a, b) => sign * (f[a] - f[b]) || a - b);
      expect(Array.from(brightnessOrder(f, f.length, max ? 'max' : 'min'))).toEqual(expected);
    }), { seed: 9, numRuns: 300 });
  });

  it('turns values into label text', () => {
    expect(labelText(['  Rigel ', ''], 0)).toBe('Rigel');
    expect(labelText(Float64Array.of(1.5, NaN), 0)).toBe('1.5');
    expect(labelText(Float64Array.of(1.5, NaN), 1)).toBe('');
  });
});

describe('label placement', () => {
  const cand = (row: number, x: number, y: number, w = 40): LabelCandidate => ({ row, xPx: x, yPx: y, text: `r${row}`, widthPx: w });

  it('skips labels that would overlap a brighter one or leave the view, and stops at N', () => {
    const placed = placeLabels([cand(0, 10, 50), cand(1, 20, 55), cand(2, 380, 50), cand(3, 10, 5), cand(4, 100, 100), cand(5, 200, 200), cand(6, 10, 300)], 3, 14, 0, 400, 400);
    // 1 overlaps 0; 2 runs off the right edge; 3 off the top (box from -2 to 12)
    expect(placed.map((p) => p.row)).toEqual([0, 4, 5]);
    expect(placed[0]).toEqual({ row: 0, text: 'r0', x0: 10, y0: 43, x1: 50, y1: 57 });
    expect(placeLabels([cand(0, 10, 50)], 0, 14, 0, 400, 400)).toEqual([]);
    expect(placeLabels([{ ...cand(0, 10, 50), text: '' }, cand(1, 10, 50)], 5, 14, 0, 400, 400).map((p) => p.row)).toEqual([1]);
  });

  it('property: never overlapping, always inside, in brightness order, every skipped row justified', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ x: fc.double({ min: -50, max: 450, noNaN: true }), y: fc.double({ min: -50, max: 350, noNaN: true }), w: fc.double({ min: 1, max: 120, noNaN: true }) }), { maxLength: 80 }),
      fc.integer({ min: 0, max: 30 }),
      (rows, count) => {
        const cands = rows.map((r, i) => cand(i, r.x, r.y, r.w));
        const placed = placeLabels(cands, count, 14, 3, 400, 300);
        expect(placed.length).toBeLessThanOrEqual(count);
        const boxOf = (c: LabelCandidate) => ({ x0: c.xPx + 3, x1: c.xPx + 3 + c.widthPx, y0: c.yPx - 7, y1: c.yPx + 7 });
        for (let i = 0; i < placed.length; i++) {
          const p = placed[i];
          expect(p.x0 >= 0 && p.y0 >= 0 && p.x1 <= 400 && p.y1 <= 300).toBe(true);
          if (i > 0) expect(p.row).toBeGreaterThan(placed[i - 1].row);
          for (let j = 0; j < i; j++) {
            const q = placed[j];
            expect(p.x0 < q.x1 && q.x0 < p.x1 && p.y0 < q.y1 && q.y0 < p.y1).toBe(false);
          }
        }
        // a candidate brighter than the last placed label that was skipped is outside or overlaps a brighter placed label
        const last = placed.length ? placed[placed.length - 1].row : -1;
        for (const c of cands.filter((c) => c.row < last && !placed.some((p) => p.row === c.row))) {
          const b = boxOf(c);
          const outside = b.x0 < 0 || b.y0 < 0 || b.x1 > 400 || b.y1 > 300;
          const blocked = placed.some((p) => p.row < c.row && b.x0 < p.x1 && p.x0 < b.x1 && b.y0 < p.y1 && p.y0 < b.y1);
          expect(outside || blocked).toBe(true);
        }
      },
    ), { seed: 6, numRuns: 300 });
  });
});

describe('marker image layout', () => {
  it('uses the power of two that holds the image, at most 256, and centres it keeping its aspect', () => {
    expect(markerTextureSide(32, 32)).toBe(32);
    expect(markerTextureSide(33, 10)).toBe(64);
    expect(markerTextureSide(1, 1)).toBe(1);
    expect(markerTextureSide(1280, 720)).toBe(256);
    expect(markerImageRect(64, 32, 64)).toEqual({ x: 0, y: 16, w: 64, h: 32 });
    expect(markerImageRect(1280, 720, 256)).toEqual({ x: 0, y: 56, w: 256, h: 144 });
    expect(() => markerTextureSide(0, 10)).toThrow(/at least 1x1/);
    expect(() => markerTextureSide(NaN, 10)).toThrow(CatalogError);
  });
});

describe('glyph atlas layout', () => {
  it('fits the glyph cells in rows at most 2048 px wide', () => {
    const l = atlasLayout(100, 20);
    expect(l.cellW).toBe(28);
    expect(l.cellH).toBe(34);
    expect(l.cols).toBe(73);
    expect(l.rows).toBe(2);
    expect(l.widthPx).toBeLessThanOrEqual(2048);
    expect(atlasLayout(3, 12)).toMatchObject({ cols: 3, rows: 1 });
  });
});

describe('arrow tips', () => {
  it('are float32 offsets from the row cell centres that reproduce the float64 tips to float32 rounding of the offset', () => {
    const ra = [269.45207389, 0.001, 359.999, 120, NaN];
    const dec = [4.69327996, 89.99, -45, 0, 0];
    const pmRa = [-798.8, 500, 3000, 0, 0];
    const pmDec = [10277.3, -100, -4000, 0, 0];
    const index = buildCatalogIndex(ra, dec);
    const tips = propagateColumns(ra, dec, pmRa, pmDec, 1000).vectors;
    const off = tipOffsets(index, tips);
    expect(off.length).toBe(6 * 5);
    for (let i = 0; i < 4; i++) {
      const k = index.rowCell[i];
      for (let a = 0; a < 3; a++) {
        const exact = tips[3 * i + a] - index.cellCentres[3 * k + a];
        // half a float32 ulp of the offset (2^-24 relative): 3e-9 rad for Barnard's star 1000 years on (0.05 rad away)
        expect(Math.abs(index.cellCentres[3 * k + a] + off[6 * i + a] - tips[3 * i + a])).toBeLessThanOrEqual(Math.abs(exact) * 2 ** -24 + 1e-17);
      }
    }
    expect(Array.from(off.subarray(24, 30))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
