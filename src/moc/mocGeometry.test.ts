import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SpaceMoc } from '../hips/moc/spaceMoc.js';
import { SEGMENT_FLOATS, TRIANGLE_VERTEX_FLOATS } from '../footprints/tessellate.js';
import { credibleRegions, readMultiOrderMap } from './credible.js';
import { mocGeometry } from './mocGeometry.js';

type V3 = [number, number, number];
function triArea(a: V3, b: V3, c: V3): number {
  const num = Math.abs(a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]));
  const den = 1 + (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) + (b[0] * c[0] + b[1] * c[1] + b[2] * c[2]) + (c[0] * a[0] + c[1] * a[1] + c[2] * a[2]);
  return 2 * Math.atan2(num, den);
}
function fillArea(g: ReturnType<typeof mocGeometry>): number {
  const fp = new Uint32Array(g.triangles.buffer);
  let s = 0;
  for (let k = 0; k < g.triangles.length; k += 12) {
    const v: V3[] = [0, 1, 2].map((j) => {
      const o = k + 4 * j;
      const i = fp[o + 3]!;
      return [g.anchors[3 * i]! + g.triangles[o]!, g.anchors[3 * i + 1]! + g.triangles[o + 1]!, g.anchors[3 * i + 2]! + g.triangles[o + 2]!];
    });
    s += triArea(v[0]!, v[1]!, v[2]!);
  }
  return s * (180 / Math.PI) ** 2;
}

describe('MOC geometry', () => {
  it('perimeter: only the sides facing outside the union; outline: every side', () => {
    const moc = SpaceMoc.fromCells(1, [0, 1]); // two side-by-side children of base cell 0
    const tol = 0.2;
    const per = mocGeometry(moc, { toleranceRad: tol, fill: false, perimeter: true });
    expect(per.count).toBe(2);
    const steps = Math.ceil((58.6 * Math.PI) / 180 / 2 / tol);
    expect(per.segments.length / SEGMENT_FLOATS).toBe(6 * steps);
    const all = mocGeometry(moc, { toleranceRad: tol, fill: false, perimeter: false, outline: true });
    expect(all.segments.length / SEGMENT_FLOATS).toBe(8 * steps);
    // the union at order 0 is its base cell: 4 sides
    expect(mocGeometry(SpaceMoc.fromCells(1, [0, 1, 2, 3]), { toleranceRad: tol, fill: false }).segments.length / SEGMENT_FLOATS).toBe(8 * steps);
  });

  it('fills the GW 90 % credible region with its own area; perimeter shorter than all sides', () => {
    const map = readMultiOrderMap(readFileSync(new URL('../../../shared/data/allsky_maps/bayestar.multiorder.fits', import.meta.url)));
    const [r90] = credibleRegions(map, [0.9]);
    const g = mocGeometry(r90!.moc, { toleranceRad: 0.5 * Math.PI / 180, perimeter: true, outline: false });
    // drawn down to its deepest cells (the MOC is declared at order 11; its canonical cells stop earlier)
    expect(g.drawOrder).toBe(Math.max(...r90!.moc.toCells().map((o) => o.order)));
    expect(g.count).toBe(r90!.moc.toCells().reduce((n, o) => n + o.cells.length, 0));
    expect(g.problems).toEqual([]);
    expect(g.triangles.length / TRIANGLE_VERTEX_FLOATS).toBe(g.triangleCount.reduce((a, b) => a + b, 0));
    const area = fillArea(g);
    expect(Math.abs(area / r90!.areaSqDeg - 1)).toBeLessThan(0.01);
    const outline = mocGeometry(r90!.moc, { toleranceRad: 0.5 * Math.PI / 180, fill: false, outline: true, perimeter: false });
    const length = (x: ReturnType<typeof mocGeometry>) => {
      let s = 0;
      for (let k = 0; k < x.segments.length; k += SEGMENT_FLOATS) s += Math.hypot(x.segments[k + 4]! - x.segments[k]!, x.segments[k + 5]! - x.segments[k + 1]!, x.segments[k + 6]! - x.segments[k + 2]!);
      return s;
    };
    // the boundary of the union is part of all the cells' sides
    expect(length(g)).toBeGreaterThan(0);
    expect(length(g)).toBeLessThan(length(outline));
    // a low draw order degrades (enlarges) the MOC: its fill is no smaller
    const coarse = mocGeometry(r90!.moc, { toleranceRad: 0.01, maxDrawOrder: 6, perimeter: false });
    expect(coarse.drawOrder).toBe(6);
    expect(fillArea(coarse)).toBeGreaterThanOrEqual(r90!.areaSqDeg);
  });
});

describe('MOC geometry at mixed orders', () => {
  // test/fixtures/moc/make_mixed.py: order-3 cells and order-12 discs beside one of them (healpy)
  const ref = JSON.parse(readFileSync(new URL('../../test/fixtures/moc/mixed.json', import.meta.url), 'utf8')) as {
    moc: Record<string, number[]>; cells: number; areaSr: number; perimeterRad: number;
  };
  const moc = SpaceMoc.fromJson(JSON.stringify(ref.moc));

  it('draws every cell at its own order: no order-12 explosion of the order-3 cells, no fine cell lost', () => {
    expect(moc.maxOrder).toBe(12);
    const canonical = moc.toCells().reduce((n, o) => n + o.cells.length, 0);
    const g = mocGeometry(moc, { toleranceRad: 0.5 * Math.PI / 180, perimeter: false });
    expect(g.drawOrder).toBe(12);
    expect(g.count).toBe(canonical);
    expect(g.count).toBeLessThan(ref.cells); // sibling order-12 cells merged, never split
    const areaSr = fillArea(g) * (Math.PI / 180) ** 2;
    expect(Math.abs(areaSr / ref.areaSr - 1), `fill ${areaSr} sr vs healpy ${ref.areaSr} sr`).toBeLessThan(0.002);
    expect(Math.abs(moc.areaSqDeg() * (Math.PI / 180) ** 2 / ref.areaSr - 1)).toBeLessThan(1e-12);
  });

  it('perimeter at each side\'s own resolution (halving only where the neighbours are finer) has the length healpy gives', () => {
    const g = mocGeometry(moc, { toleranceRad: 0.05 * Math.PI / 180, fill: false, perimeter: true });
    let length = 0;
    for (let k = 0; k < g.segments.length; k += SEGMENT_FLOATS) length += Math.hypot(g.segments[k + 4]! - g.segments[k]!, g.segments[k + 5]! - g.segments[k + 1]!, g.segments[k + 6]! - g.segments[k + 2]!);
    expect(Math.abs(length / ref.perimeterRad - 1), `perimeter ${length} rad vs healpy ${ref.perimeterRad} rad`).toBeLessThan(0.005);
  });
});
