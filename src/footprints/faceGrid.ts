// A set of planar polygons (outer ring + holes, earcut's flat layout) -> triangles cut along a
// g×g grid of the square [-1, 1]²: cells no boundary edge touches are two triangles when inside
// (even-odd), the others are the polygon clipped to the cell and earcut. Used per cube face by
// sphereRegion.ts so that big regions become small triangles that follow all-sky projections
// while every point is covered once. Pure.
import earcut from 'earcut';
import * as pc from 'polyclip-ts';

type Ring = Array<[number, number]>;
type Multi = Ring[][];

function closeRing(pts: Array<[number, number]>): Ring {
  return pts.length > 0 ? [...pts, pts[0]!] : pts;
}

/** A face polygon as earcut takes it: flat u,v coordinates (rings not closed) and hole starts. */
export interface FlatPoly {
  readonly flat: number[];
  readonly holes: number[];
}

/** Rings of a flat polygon as [u, v] lists. */
function ringsOf(p: FlatPoly): Array<Array<[number, number]>> {
  const starts = [0, ...p.holes, p.flat.length / 2];
  const out: Array<Array<[number, number]>> = [];
  for (let r = 0; r + 1 < starts.length; r++) {
    const ring: Array<[number, number]> = [];
    for (let k = starts[r]!; k < starts[r + 1]!; k++) ring.push([p.flat[2 * k]!, p.flat[2 * k + 1]!]);
    out.push(ring);
  }
  return out;
}

/** Sutherland–Hodgman of a planar ring against the rectangle [u0,u1]×[v0,v1]. */
function clipRect(ring: ReadonlyArray<[number, number]>, u0: number, u1: number, v0: number, v1: number): Array<[number, number]> {
  let r = ring as Array<[number, number]>;
  const planes: Array<[number, number, number]> = [[0, 1, u0], [0, -1, u1], [1, 1, v0], [1, -1, v1]];
  for (const [axis, sign, edge] of planes) {
    const out: Array<[number, number]> = [];
    for (let k = 0; k < r.length; k++) {
      const a = r[k]!;
      const b = r[(k + 1) % r.length]!;
      const da = sign * (a[axis]! - edge);
      const db = sign * (b[axis]! - edge);
      if (da >= 0) out.push(a);
      if ((da >= 0) !== (db >= 0)) {
        const t = da / (da - db);
        out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
      }
    }
    r = out;
    if (r.length < 3) return [];
  }
  return r;
}

export function insideRings(rings: ReadonlyArray<ReadonlyArray<[number, number]>>, u: number, v: number): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let k = 0, j = ring.length - 1; k < ring.length; j = k++) {
      const [xk, yk] = ring[k]!;
      const [xj, yj] = ring[j]!;
      if (yk > v !== yj > v && u < ((xj - xk) * (v - yk)) / (yj - yk) + xk) inside = !inside;
    }
  }
  return inside;
}

/**
 * Triangles (face coordinates) filling the polygons, cut along a g×g grid of the face square:
 * cells that no boundary edge touches are two triangles when inside; the others get each polygon
 * clipped to the cell (outer ring and holes) and earcut.
 */
export function gridTriangles(polys: readonly FlatPoly[], g: number): Array<[[number, number], [number, number], [number, number]]> {
  const out: Array<[[number, number], [number, number], [number, number]]> = [];
  const size = 2 / g;
  const cellOf = (x: number): number => Math.min(g - 1, Math.max(0, Math.floor((x + 1) / size)));
  for (const poly of polys) {
    const rings = ringsOf(poly);
    // cells touched by a boundary edge (by the edge's bounding box)
    const touched = new Set<number>();
    let [i0, i1, j0, j1] = [g, -1, g, -1];
    for (const ring of rings) {
      for (let k = 0; k < ring.length; k++) {
        const a = ring[k]!;
        const b = ring[(k + 1) % ring.length]!;
        const [ia, ib, ja, jb] = [cellOf(Math.min(a[0], b[0])), cellOf(Math.max(a[0], b[0])), cellOf(Math.min(a[1], b[1])), cellOf(Math.max(a[1], b[1]))];
        for (let j = ja; j <= jb; j++) for (let i = ia; i <= ib; i++) touched.add(j * g + i);
        [i0, i1, j0, j1] = [Math.min(i0, ia), Math.max(i1, ib), Math.min(j0, ja), Math.max(j1, jb)];
      }
    }
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const [u0, u1, v0, v1] = [-1 + i * size, -1 + (i + 1) * size, -1 + j * size, -1 + (j + 1) * size];
        if (!touched.has(j * g + i)) {
          if (insideRings(rings, (u0 + u1) / 2, (v0 + v1) / 2)) out.push([[u0, v0], [u1, v0], [u1, v1]], [[u0, v0], [u1, v1], [u0, v1]]);
          continue;
        }
        const outer = clipRect(rings[0]!, u0, u1, v0, v1);
        if (outer.length < 3) continue;
        const holes = rings.slice(1).map((h) => clipRect(h, u0, u1, v0, v1)).filter((h) => h.length >= 3);
        // a clipped hole may share the cell's border with the clipped outer ring, which neither
        // earcut nor polyclip-ts take: such cells (crossed by a hole's boundary) intersect the
        // whole polygon with the cell in polyclip-ts
        const pieces: Array<Array<Array<[number, number]>>> = holes.length === 0
          ? [[outer]]
          : (pc.intersection([closeRing([[u0, v0], [u1, v0], [u1, v1], [u0, v1]])] as pc.Geom, rings.map(closeRing) as pc.Geom) as Multi).map((q) => q.map((r) => r.slice(0, -1)));
        for (const piece of pieces) {
          const flat: number[] = piece[0]!.flat();
          const starts: number[] = [];
          for (const h of piece.slice(1)) {
            starts.push(flat.length / 2);
            flat.push(...h.flat());
          }
          const idx = earcut(flat, starts.length > 0 ? starts : undefined);
          const at = (n: number): [number, number] => [flat[2 * n]!, flat[2 * n + 1]!];
          for (let t = 0; t < idx.length; t += 3) out.push([at(idx[t]!), at(idx[t + 1]!), at(idx[t + 2]!)]);
        }
      }
    }
  }
  return out;
}
