// Where the rows of a progressive catalogue are that are counted but not loaded: the density map
// of a view adds every resident (loaded, drawn) row at its position, plus, per HEALPix cell, the
// rows the cell is known to hold beyond those, spread uniformly over the cell as weighted sample
// points. The counts come from the HiPS tiles' own "# Completeness = n / N" lines (N: the sources
// of the tile's cell not in an ancestor tile, as CDS hipsgen and test/fixtures/hips/catalog write
// them) or from the archive server's per-cell counts (GET /api/coverage/catalogue/{name}/counts).
// Pure: no DOM, no GPU (docs/catalogues-progressive.md, "Density view").
import { cellRadiusDeg, faceLocalToVec, nest2xyf, pix2vec } from '../hips/healpix.js';
import { ang2pixBatch } from '../hips/healpixBatch.js';
import { CatalogError } from './columns.js';

/** Rows of a HEALPix cell (NESTED) that are not resident. */
export interface CountedCell {
  readonly order: number;
  readonly ipix: number;
  readonly rows: number;
}

/** A drawn tile as the remainder rule sees it. */
export interface CountedTile {
  readonly order: number;
  readonly ipix: number;
  /** Rows in the tile (resident). */
  readonly rows: number;
  /** N of its Completeness line: rows of its cell not in an ancestor tile; undefined without one. */
  readonly inCell: number | undefined;
}

/** Per-cell row counts of a whole catalogue at one order (the archive server's counts answer). */
export interface CellCountsAnswer {
  readonly order: number;
  readonly cells: ArrayLike<number>;
  readonly counts: ArrayLike<number>;
}

const tileKey = (order: number, ipix: number) => 4 * 4 ** order + ipix;

/**
 * Rows the drawn tiles' cells hold beyond the drawn rows, from the Completeness lines. A tile T
 * with N rows in its subtree, n rows of its own, and drawn children C (each with its own N_C) leaves
 * N - n - sum(N_C) rows in its children that are not drawn (and not known to be empty), shared
 * equally; with no drawn child they are spread over T's own cell. `undefined` when a tile has no
 * Completeness line (its remainder cannot be known).
 */
export function tileRemainders(tiles: readonly CountedTile[], isEmpty: (order: number, ipix: number) => boolean = () => false): CountedCell[] | undefined {
  const byKey = new Map<number, CountedTile>();
  for (const t of tiles) byKey.set(tileKey(t.order, t.ipix), t);
  const out: CountedCell[] = [];
  for (const t of tiles) {
    if (t.inCell === undefined) return undefined;
    let rest = t.inCell - t.rows;
    const missing: number[] = [];
    let drawnChildren = 0;
    for (let c = 4 * t.ipix; c < 4 * t.ipix + 4; c++) {
      const child = byKey.get(tileKey(t.order + 1, c));
      if (child) {
        drawnChildren++;
        rest -= child.inCell ?? child.rows;
      } else if (!isEmpty(t.order + 1, c)) {
        missing.push(c);
      }
    }
    if (!(rest > 0)) continue;
    if (drawnChildren === 0) out.push({ order: t.order, ipix: t.ipix, rows: rest });
    else if (missing.length > 0) for (const c of missing) out.push({ order: t.order + 1, ipix: c, rows: rest / missing.length });
  }
  return out;
}

/** Checks a counts answer (JSON of GET …/counts?order=k): cells ascending, counts finite and >= 0. */
export function validateCellCounts(value: unknown, url: string): CellCountsAnswer {
  const v = value as Partial<Record<'order' | 'cells' | 'counts', unknown>> | null;
  if (typeof v !== 'object' || v === null) throw new CatalogError(`${url}: a counts answer must be a JSON object with order, cells and counts`);
  const { order, cells, counts } = v;
  if (!(typeof order === 'number' && Number.isInteger(order) && order >= 0 && order <= 24)) throw new CatalogError(`${url}: 'order' must be an integer in 0..24, got ${JSON.stringify(order)}`);
  if (!Array.isArray(cells) || !Array.isArray(counts)) throw new CatalogError(`${url}: 'cells' and 'counts' must be arrays`);
  if (cells.length !== counts.length) throw new CatalogError(`${url}: ${cells.length} cells but ${counts.length} counts`);
  const n = 12 * 4 ** order;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i] as unknown;
    const k = counts[i] as unknown;
    if (!(typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < n)) throw new CatalogError(`${url}: cells[${i}] = ${JSON.stringify(c)} is not a cell of order ${order} (0..${n - 1})`);
    if (i > 0 && !(c > (cells[i - 1] as number))) throw new CatalogError(`${url}: cells must be ascending, cells[${i}] = ${c} follows ${String(cells[i - 1])}`);
    if (!(typeof k === 'number' && Number.isFinite(k) && k >= 0)) throw new CatalogError(`${url}: counts[${i}] = ${JSON.stringify(k)} is not a row count`);
  }
  return { order, cells: cells as number[], counts: counts as number[] };
}

/** Resident rows per cell at `order` (positions in ICRS degrees, one array pair per tile). */
export function rowsPerCell(order: number, tiles: ReadonlyArray<{ raDeg: ArrayLike<number>; decDeg: ArrayLike<number> }>): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of tiles) {
    if (t.raDeg.length === 0) continue;
    const cells = ang2pixBatch(order, t.raDeg, t.decDeg);
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      if (!Number.isFinite(c)) continue;
      out.set(c, (out.get(c) ?? 0) + 1);
    }
  }
  return out;
}

/** The counted rows of each cell beyond the resident ones (cells where the count exceeds them). */
export function countRemainders(counts: CellCountsAnswer, resident: ReadonlyMap<number, number>): CountedCell[] {
  const out: CountedCell[] = [];
  for (let i = 0; i < counts.cells.length; i++) {
    const rest = counts.counts[i] - (resident.get(counts.cells[i]) ?? 0);
    if (rest > 0) out.push({ order: counts.order, ipix: counts.cells[i], rows: rest });
  }
  return out;
}

/** Does cell (order, ipix) reach within radiusRad of the unit vector `centre`? (cell radius bound) */
export function cellNearCone(order: number, ipix: number, centre: readonly number[], radiusRad: number): boolean {
  if (radiusRad >= Math.PI) return true;
  const [x, y, z] = pix2vec(order, ipix);
  const d = Math.acos(Math.max(-1, Math.min(1, x * centre[0] + y * centre[1] + z * centre[2])));
  return d <= radiusRad + (cellRadiusDeg(order) * Math.PI) / 180;
}

/** The lightest sample point, rows (1/64: 16 units of the map's fixed point, so rounding stays under 3 %). */
export const MIN_SAMPLE_ROWS = 1 / 64;

/** Order whose cells are at most a grid pixel (two device pixels of pixelAngleRad) wide. */
export function sampleOrderFor(pixelAngleRad: number): number {
  const cellDeg = 58.6;
  const k = Math.ceil(Math.log2(cellDeg / ((2 * pixelAngleRad * 180) / Math.PI)));
  return Math.max(0, Math.min(24, k));
}

/**
 * Weighted sample points for counted cells: each cell split into its sub-cells at `sampleOrder`
 * (but no lighter than MIN_SAMPLE_ROWS per sample), one point at each sub-cell centre weighing
 * rows / sub-cells. The order steps down until at most maxSamples points are made. vec4 per point:
 * ICRS unit vector (float32), weight.
 */
export function densitySamples(cells: readonly CountedCell[], sampleOrder: number, maxSamples: number): { samples: Float32Array; order: number } {
  const job = new DensitySampleJob(cells, sampleOrder, maxSamples);
  job.step(Infinity);
  return { samples: job.samples, order: job.order };
}

/**
 * densitySamples made a bounded number of points at a time (so no main-thread task of a layer
 * exceeds a few ms for 200,000 points): the same points in the same order once done. States:
 * 'building' (step() adds up to maxPoints points) -> 'done' (samples complete).
 */
export class DensitySampleJob {
  /** The sample order used (sampleOrder lowered until the points fit maxSamples). */
  readonly order: number;
  /** The points, x, y, z, weight each; complete once state is 'done'. */
  readonly samples: Float32Array;
  private readonly cells: readonly CountedCell[];
  private readonly depths: Uint8Array;
  private cell = 0;
  /** Next sub-cell of the current cell (a * side + b). */
  private sub = 0;
  private o = 0;
  private readonly v = new Float64Array(3);

  constructor(cells: readonly CountedCell[], sampleOrder: number, maxSamples: number) {
    let order = sampleOrder;
    const depthOf = (c: CountedCell, k: number) => {
      const byRows = Math.floor(Math.log(Math.max(1, c.rows / MIN_SAMPLE_ROWS)) / Math.log(4));
      return Math.max(0, Math.min(k - c.order, byRows, 24 - c.order));
    };
    for (;;) {
      let total = 0;
      for (const c of cells) total += 4 ** depthOf(c, order);
      if (total <= maxSamples || order <= 0) break;
      order--;
    }
    this.order = order;
    this.cells = cells;
    this.depths = new Uint8Array(cells.length);
    let total = 0;
    for (let i = 0; i < cells.length; i++) {
      this.depths[i] = depthOf(cells[i], order);
      total += 4 ** this.depths[i];
    }
    this.samples = new Float32Array(4 * total);
  }

  get state(): 'building' | 'done' {
    return this.cell < this.cells.length ? 'building' : 'done';
  }

  /** Points made so far. */
  get made(): number {
    return this.o / 4;
  }

  /** Add up to maxPoints points (whole rows of sub-cells may end a step early); true when done. */
  step(maxPoints: number): boolean {
    const out = this.samples;
    const v = this.v;
    let budget = maxPoints;
    while (this.cell < this.cells.length && budget > 0) {
      const c = this.cells[this.cell];
      const side = 2 ** this.depths[this.cell];
      const w = c.rows / (side * side);
      // sub-cell centres in the face's (x, y) coordinates: (ix * side + a + 0.5) / nside(order + d)
      const { face, ix, iy } = nest2xyf(c.order, c.ipix);
      const nsub = side * 2 ** c.order;
      const end = Math.min(side * side, this.sub + budget);
      let o = this.o;
      for (let k = this.sub; k < end; k++) {
        const a = Math.floor(k / side);
        const b = k - a * side;
        faceLocalToVec(face, (ix * side + a + 0.5) / nsub, (iy * side + b + 0.5) / nsub, v);
        out[o] = v[0];
        out[o + 1] = v[1];
        out[o + 2] = v[2];
        out[o + 3] = w;
        o += 4;
      }
      budget -= end - this.sub;
      this.o = o;
      if (end === side * side) {
        this.cell++;
        this.sub = 0;
      } else {
        this.sub = end;
      }
    }
    return this.state === 'done';
  }
}

/** A tile's rows as unit vectors with the cap that holds them all (for counting rows in a cone). */
export interface RowCap {
  readonly xyz: Float64Array;
  /** Mean direction of the rows (unit vector) and the largest angle of a row from it, radians. */
  readonly centre: readonly [number, number, number];
  readonly radiusRad: number;
}

/** The unit vectors of rows at (raDeg, decDeg) and their bounding cap (made once per tile). */
export function rowCap(raDeg: ArrayLike<number>, decDeg: ArrayLike<number>): RowCap {
  const n = raDeg.length;
  const xyz = new Float64Array(3 * n);
  const D = Math.PI / 180;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  for (let i = 0; i < n; i++) {
    const c = Math.cos(decDeg[i] * D);
    const x = c * Math.cos(raDeg[i] * D);
    const y = c * Math.sin(raDeg[i] * D);
    const z = Math.sin(decDeg[i] * D);
    xyz[3 * i] = x;
    xyz[3 * i + 1] = y;
    xyz[3 * i + 2] = z;
    if (Number.isFinite(x + y + z)) {
      sx += x;
      sy += y;
      sz += z;
    }
  }
  const len = Math.hypot(sx, sy, sz);
  if (!(len > 1e-12)) return { xyz, centre: [0, 0, 1], radiusRad: Math.PI };
  const centre: [number, number, number] = [sx / len, sy / len, sz / len];
  let minDot = 1;
  for (let i = 0; i < n; i++) {
    const d = xyz[3 * i] * centre[0] + xyz[3 * i + 1] * centre[1] + xyz[3 * i + 2] * centre[2];
    if (d < minDot) minDot = d;
  }
  return { xyz, centre, radiusRad: Math.acos(Math.max(-1, Math.min(1, minDot))) + 1e-9 };
}

/**
 * Rows of a tile within radiusRad of `centre` that `keep` accepts (rows with no position never
 * count): the whole cap inside -> `kept` (the number of kept rows), outside -> 0, else row by row.
 */
export function rowsOfCapInCone(cap: RowCap, kept: number, centre: readonly number[], radiusRad: number, keep?: (row: number) => boolean): number {
  if (radiusRad >= Math.PI) return kept;
  const c = cap.centre;
  const d = Math.acos(Math.max(-1, Math.min(1, c[0] * centre[0] + c[1] * centre[1] + c[2] * centre[2])));
  if (d - cap.radiusRad > radiusRad) return 0;
  if (d + cap.radiusRad <= radiusRad) return kept;
  const cosR = Math.cos(radiusRad);
  const xyz = cap.xyz;
  let n = 0;
  for (let i = 0; i < xyz.length / 3; i++) {
    if (xyz[3 * i] * centre[0] + xyz[3 * i + 1] * centre[1] + xyz[3 * i + 2] * centre[2] >= cosR && (!keep || keep(i))) n++;
  }
  return n;
}
