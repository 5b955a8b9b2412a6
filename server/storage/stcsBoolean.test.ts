// Property test: for random boolean STC-S regions (UNION / INTERSECTION / NOT of circles and
// simple polygons, any size, anywhere), the server's exact point test (stcs.ts regionContains on
// the stcsBoolean.ts tree) agrees with the client's fill (src/footprints/sphereRegion.ts): a point
// is inside iff the per-face fill holds it and iff a fill triangle of regionGeometry covers it.
// Points within MARGIN_RAD of a leaf's boundary are left out (the client samples circles).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStcs as parseClient } from '../../src/footprints/stcs.js';
import { facesContain, regionFaces, regionGeometry, type V3 } from '../../src/footprints/sphereRegion.js';
import { extentFrom, intersectsCone, parseStcs, regionContains, unit } from './stcs.js';
import { boolNodeOf, signedDist, type BoolNode } from './stcsBoolean.js';

const DEG = Math.PI / 180;
const MARGIN_RAD = 2e-4;
const TOL_RAD = 1e-3;

const lon = fc.double({ min: 0, max: 359.999, noNaN: true });
const lat = fc.double({ min: -89.9, max: 89.9, noNaN: true });
const f = (x: number): string => x.toFixed(6);

const circle = fc
  .tuple(lon, lat, fc.double({ min: 0.5, max: 120, noNaN: true }))
  .map(([l, b, r]) => `CIRCLE ${f(l)} ${f(b)} ${f(r)}`);

/** A simple (star-shaped) polygon around a centre: vertices at increasing bearings. */
const polygon = fc
  .tuple(lon, lat, fc.array(fc.double({ min: 1, max: 40, noNaN: true }), { minLength: 3, maxLength: 7 }))
  .map(([l, b, radii]) => {
    const c = unit(l, b);
    const east = Math.abs(c[2]) > 0.999 ? Float64Array.of(1, 0, 0) : normalize(Float64Array.of(-c[1], c[0], 0));
    const north = Float64Array.of(c[1] * east[2] - c[2] * east[1], c[2] * east[0] - c[0] * east[2], c[0] * east[1] - c[1] * east[0]);
    const verts = radii.map((r, k) => {
      const phi = (2 * Math.PI * k) / radii.length;
      const s = Math.sin(r * DEG);
      const p = [0, 1, 2].map((i) => Math.cos(r * DEG) * c[i]! + s * (Math.cos(phi) * east[i]! + Math.sin(phi) * north[i]!));
      return `${f(((Math.atan2(p[1]!, p[0]!) / DEG) % 360 + 360) % 360)} ${f(Math.asin(Math.max(-1, Math.min(1, p[2]!))) / DEG)}`;
    });
    return `POLYGON ${verts.join(' ')}`;
  });

function normalize(a: Float64Array): Float64Array {
  const m = Math.hypot(a[0]!, a[1]!, a[2]!);
  return Float64Array.of(a[0]! / m, a[1]! / m, a[2]! / m);
}

const { region } = fc.letrec<{ region: string }>((tie) => ({
  region: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    circle,
    polygon,
    fc.array(tie('region'), { minLength: 2, maxLength: 3 }).map((m) => `UNION ( ${m.join(' ')} )`),
    fc.array(tie('region'), { minLength: 2, maxLength: 3 }).map((m) => `INTERSECTION ( ${m.join(' ')} )`),
    tie('region').map((m) => `NOT ( ${m} )`),
  ),
}));

function leaves(n: BoolNode, out: BoolNode[]): BoolNode[] {
  if (n.t === 'or' || n.t === 'and') for (const m of n.m) leaves(m, out);
  else if (n.t === 'not') leaves(n.m, out);
  else out.push(n);
  return out;
}

function inTriangle(p: V3, a: V3, b: V3, c: V3): boolean {
  const side = (u: V3, v: V3): number =>
    p[0] * (u[1] * v[2] - u[2] * v[1]) + p[1] * (u[2] * v[0] - u[0] * v[2]) + p[2] * (u[0] * v[1] - u[1] * v[0]);
  const s1 = side(a, b);
  const s2 = side(b, c);
  const s3 = side(c, a);
  // (the triangle's side of the sphere, not its antipode)
  const front = p[0] * (a[0] + b[0] + c[0]) + p[1] * (a[1] + b[1] + c[1]) + p[2] * (a[2] + b[2] + c[2]) > 0;
  return front && ((s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0));
}

describe('server point test = client fill (fast-check)', () => {
  it('random boolean regions: inside iff the client fill covers the point', () => {
    let compared = 0;
    fc.assert(
      fc.property(region, fc.array(fc.tuple(lon, lat), { minLength: 40, maxLength: 40 }), (text, pts) => {
        const server = parseStcs(text);
        expect(server, text).toBeDefined();
        const sky = parseClient(text);
        let faces;
        try {
          faces = regionFaces(sky, TOL_RAD);
        } catch (e) {
          // the one refusal of the client: a polygon cutting the sky in two equal halves
          expect(String(e)).toMatch(/equal area/);
          return;
        }
        const geometry = regionGeometry(sky, TOL_RAD, 10 * DEG);
        const ls = leaves(boolNodeOf(sky), []);
        for (const [l, b] of pts) {
          const p = unit(l, b);
          if (ls.some((n) => Math.abs(signedDist(n, p)) < MARGIN_RAD)) continue;
          const inside = regionContains(server!, p);
          const v: V3 = [p[0]!, p[1]!, p[2]!];
          expect(facesContain(faces, v), `${text} at (${l}, ${b})`).toBe(inside);
          let covered = false;
          const t = geometry.triangles;
          for (let k = 0; k < t.length && !covered; k += 3) covered = inTriangle(v, t[k]!, t[k + 1]!, t[k + 2]!);
          expect(covered, `${text} at (${l}, ${b}): fill triangles`).toBe(inside);
          compared++;
        }
      }),
      { numRuns: 60, seed: 20261128 },
    );
    expect(compared).toBeGreaterThan(1500);
  }, 120_000);
});

describe('bad footprints never crash the server tests (fast-check)', () => {
  it('mutated boolean STC-S: undefined (the s_fov fallback) or a region every test answers', () => {
    const token = fc.constantFrom('UNION', 'INTERSECTION', 'NOT', '(', ')', 'CIRCLE', 'POLYGON', 'BOX', 'POSITION', 'ICRS', '0', '90', '-90', '180', '1e-9', '359.99', 'NaN', '-', 'x');
    fc.assert(
      fc.property(region, fc.array(fc.tuple(fc.nat(40), token), { maxLength: 4 }), (text, edits) => {
        const words = text.split(' ');
        for (const [at, w] of edits) words.splice(at % (words.length + 1), at % 2, w);
        const fp = parseStcs(words.join(' '));
        if (fp === undefined) return;
        const p = unit(12.5, -33);
        expect(typeof regionContains(fp, p)).toBe('boolean');
        expect(typeof intersectsCone(fp, p, 0.3)).toBe('boolean');
        expect(extentFrom(fp, p)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 150, seed: 7 },
    );
  }, 60_000);
});
