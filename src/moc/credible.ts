// Credible regions of a multi-order (NUNIQ) probability sky map, e.g. a LIGO/Virgo/KAGRA BAYESTAR
// `*.multiorder.fits`: the smallest set of cells holding probability p, as a space MOC. Pure.
//
// The greedy rule of ligo.skymap (find_greedy_credible_levels): probability of a cell =
// PROBDENSITY x its area (4π / (12·4^order) sr); cells sorted by decreasing density; the credible
// level of a cell is the cumulative probability up to and including it; the region for p is every
// cell whose level is <= p. Checked against test/fixtures/moc/make_credible.py (astropy + numpy).
import { readFits } from '../workers/fits/file.js';
import { SpaceMoc } from '../hips/moc/spaceMoc.js';

export interface MultiOrderMap {
  /** NUNIQ cell ids (4·4^order + ipix). */
  readonly uniq: BigUint64Array;
  /** Probability per steradian of each cell. */
  readonly probDensity: Float64Array;
}

export interface CredibleRegion {
  /** Asked-for credible level, 0..1. */
  readonly level: number;
  readonly moc: SpaceMoc;
  /** UNIQ ids of the cells in the region, increasing. */
  readonly uniq: BigUint64Array;
  readonly areaSqDeg: number;
  /** Probability actually enclosed (<= level). */
  readonly probability: number;
}

/** Reads the UNIQ and PROBDENSITY columns of the first table HDU that has them. */
export function readMultiOrderMap(bytes: ArrayBufferLike | ArrayBufferView): MultiOrderMap {
  const file = readFits(bytes);
  for (const hdu of file.hdus) {
    if (hdu.type !== 'bintable') continue;
    const table = hdu.readTable();
    const names = table.columns.map((c) => c.name.toUpperCase());
    const iu = names.indexOf('UNIQ');
    const ip = names.indexOf('PROBDENSITY');
    if (iu < 0 || ip < 0) continue;
    const rawU = table.column(iu) as unknown;
    const rawP = table.column(ip) as unknown;
    if (!(rawU instanceof BigInt64Array || rawU instanceof BigUint64Array || rawU instanceof Int32Array)) throw new TypeError(`UNIQ column must be integers, got TFORM '${table.columns[iu]!.tform}'`);
    const uniq = BigUint64Array.from(rawU as ArrayLike<bigint | number>, (v) => BigInt(v));
    const probDensity = Float64Array.from(rawP as ArrayLike<number>);
    return { uniq, probDensity };
  }
  throw new TypeError('no binary table with UNIQ and PROBDENSITY columns: not a multi-order sky map');
}

function orderOfUniq(u: bigint): number {
  if (u < 4n) throw new RangeError(`invalid NUNIQ value ${u}`);
  let bits = 0;
  for (let v = u; v > 1n; v >>= 1n) bits++;
  return (bits >> 1) - 1;
}

/** Credible-region MOCs for each level (e.g. [0.5, 0.9]). */
export function credibleRegions(map: MultiOrderMap, levels: readonly number[]): CredibleRegion[] {
  const n = map.uniq.length;
  if (map.probDensity.length !== n) throw new RangeError(`UNIQ has ${n} rows but PROBDENSITY ${map.probDensity.length}`);
  for (const p of levels) if (!(p > 0 && p <= 1)) throw new RangeError(`credible level must be in (0, 1], got ${p}`);
  const areaSr = new Float64Array(n);
  const prob = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const order = orderOfUniq(map.uniq[i]!);
    const d = map.probDensity[i]!;
    if (!(d >= 0)) throw new RangeError(`PROBDENSITY of row ${i + 1} is ${d}: must be a finite number >= 0`);
    areaSr[i] = (4 * Math.PI) / (12 * 4 ** order);
    prob[i] = d * areaSr[i]!;
  }
  // decreasing density; ties keep file order (a stable sort, as numpy's 'stable')
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => map.probDensity[b]! - map.probDensity[a]! || a - b);
  const cumulative = new Float64Array(n);
  let s = 0;
  for (const i of idx) {
    s += prob[i]!;
    cumulative[i] = s;
  }
  const SQDEG_PER_SR = (180 / Math.PI) ** 2;
  return levels.map((level) => {
    const cells: bigint[] = [];
    let area = 0;
    let p = 0;
    for (let i = 0; i < n; i++) {
      if (cumulative[i]! <= level) {
        cells.push(map.uniq[i]!);
        area += areaSr[i]!;
        p += prob[i]!;
      }
    }
    const uniq = BigUint64Array.from(cells.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    return { level, moc: SpaceMoc.fromUniq(uniq), uniq, areaSqDeg: area * SQDEG_PER_SR, probability: p };
  });
}
