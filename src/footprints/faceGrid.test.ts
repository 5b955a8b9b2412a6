// faceGrid: a polygon with a hole cut along a grid: the triangles' area is the polygon's, no
// triangle leaves its cell, and points are covered once inside, never outside or in the hole.
import { describe, expect, it } from 'vitest';
import { gridTriangles } from './faceGrid.js';

type P = [number, number];
const area = ([a, b, c]: [P, P, P]): number => Math.abs((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])) / 2;
const inside = ([a, b, c]: [P, P, P], p: P): boolean => {
  const s = (u: P, v: P) => (v[0] - u[0]) * (p[1] - u[1]) - (p[0] - u[0]) * (v[1] - u[1]);
  const [d1, d2, d3] = [s(a, b), s(b, c), s(c, a)];
  return (d1 > 0 && d2 > 0 && d3 > 0) || (d1 < 0 && d2 < 0 && d3 < 0);
};

describe('gridTriangles', () => {
  it('cuts a polygon with a hole along the grid, covering each point once', () => {
    // outer: a rotated square reaching over many cells; hole: a triangle crossing cell borders
    const outer: P[] = [[0, -0.9], [0.9, 0], [0, 0.9], [-0.9, 0]];
    const hole: P[] = [[-0.3, -0.2], [0.35, -0.1], [0, 0.4]];
    const flat = [...outer.flat(), ...hole.flat()];
    const g = 10;
    const tris = gridTriangles([{ flat, holes: [outer.length] }], g);
    const total = tris.reduce((s, t) => s + area(t), 0);
    const want = 2 * 0.9 * 0.9 - area(hole as [P, P, P]);
    expect(total).toBeCloseTo(want, 12);
    for (const t of tris) {
      const cx = Math.floor(((t[0][0] + t[1][0] + t[2][0]) / 3 + 1) / (2 / g));
      const cy = Math.floor(((t[0][1] + t[1][1] + t[2][1]) / 3 + 1) / (2 / g));
      for (const [x, y] of t) {
        expect(x).toBeGreaterThanOrEqual(-1 + cx * (2 / g) - 1e-12);
        expect(x).toBeLessThanOrEqual(-1 + (cx + 1) * (2 / g) + 1e-12);
        expect(y).toBeGreaterThanOrEqual(-1 + cy * (2 / g) - 1e-12);
        expect(y).toBeLessThanOrEqual(-1 + (cy + 1) * (2 / g) + 1e-12);
      }
    }
    // coverage of a lattice of points (off the grid lines)
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 40; j++) {
        const p: P = [-0.987 + i * 0.0503, -0.991 + j * 0.0497];
        const n = tris.filter((t) => inside(t, p)).length;
        const inOuter = Math.abs(p[0]) + Math.abs(p[1]) < 0.9;
        const inHole = inside(hole as [P, P, P], p);
        expect(n, `${p}`).toBe(inOuter && !inHole ? 1 : 0);
      }
    }
  });
});
