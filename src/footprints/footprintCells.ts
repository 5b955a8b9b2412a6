// Footprints grouped by HEALPix cell (nested, one fixed order) for the footprint layer's GPU
// buffers: each anchor as a float32 offset from its cell's float64 centre, per cell the largest
// extent of its footprints (the cell-level culling cap), and per footprint the words the compute
// passes read (first segment, segment count with a ring-marker flag, outline and extent radii).
// Pure and DOM-free; built once per geometry (O(footprints + segments)).
import { cellRadiusDeg, pix2vec, vec2pix } from '../hips/healpix.js';
import { SEGMENT_FLOATS, type FootprintGeometry } from './tessellate.js';

/** Flag of a footprint's segment count: it has ring markers (POSITION), which a dot keeps. */
export const RING_BIT = 0x80000000;

export interface FootprintCells {
  readonly order: number;
  /** Upper bound (rad) of the distance from a cell's centre to any point of the cell. */
  readonly cellRadiusRad: number;
  /** Nested index of each non-empty cell, ascending. */
  readonly cellIds: Uint32Array;
  /** [3 × cells] ICRS unit vector of each non-empty cell's centre (float64). */
  readonly cellCentres: Float64Array;
  /** [cells] largest extentsRad of the footprints whose anchor lies in the cell. */
  readonly cellExtentRad: Float64Array;
  /** [cells] footprints whose anchor lies in the cell. */
  readonly cellFootprints: Uint32Array;
  /**
   * [4 × footprints] as float32 words: anchor − its cell's centre (x, y, z), then the cell's slot
   * (index into cellIds) as u32 bits.
   */
  readonly offsets: ArrayBuffer;
  /** [4 × footprints] as words: first segment (u32), segment count | RING_BIT (u32), outline cap radius (f32), extent (f32). */
  readonly info: ArrayBuffer;
}

/**
 * Groups a geometry's footprints by the order-`order` HEALPix cell of their anchor. `outlineRadii`
 * is outlineRadiiRad(geometry). A footprint the tessellation could not read has a zero anchor and
 * no geometry: it is placed at the centre of cell 0 and drawn nowhere. A non-direction anchor with
 * geometry is refused with an error naming the footprint.
 */
export function footprintCells(geometry: FootprintGeometry, outlineRadii: Float32Array, order: number): FootprintCells {
  const n = geometry.count;
  const a = geometry.anchors;
  const pix = new Uint32Array(n);
  // footprints that could not be read have no geometry and a zero anchor: placed at a cell centre
  const empty = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[3 * i]!;
    const y = a[3 * i + 1]!;
    const z = a[3 * i + 2]!;
    if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z)) || x * x + y * y + z * z === 0) {
      if (geometry.segmentCount[i]! > 0 || geometry.triangleCount[i]! > 0) throw new RangeError(`footprint ${i}: anchor (${x}, ${y}, ${z}) is not a direction`);
      empty[i] = 1;
      pix[i] = 0;
      continue;
    }
    pix[i] = vec2pix(order, x, y, z);
  }
  const cellIds = Uint32Array.from(new Set(pix)).sort();
  const slotOf = new Map<number, number>();
  cellIds.forEach((id, slot) => slotOf.set(id, slot));
  const cells = cellIds.length;
  const cellCentres = new Float64Array(3 * cells);
  for (let s = 0; s < cells; s++) cellCentres.set(pix2vec(order, cellIds[s]!), 3 * s);
  const cellExtentRad = new Float64Array(cells);
  const cellFootprints = new Uint32Array(cells);
  const ring = new Uint8Array(n);
  const segWords = new Uint32Array(geometry.segments.buffer, geometry.segments.byteOffset, geometry.segments.length);
  for (let s = 0; s < segWords.length / SEGMENT_FLOATS; s++) {
    if (segWords[s * SEGMENT_FLOATS + 7] === 1) ring[segWords[s * SEGMENT_FLOATS + 3]!] = 1;
  }
  const offsets = new ArrayBuffer(16 * n);
  const offF = new Float32Array(offsets);
  const offU = new Uint32Array(offsets);
  const info = new ArrayBuffer(16 * n);
  const infoF = new Float32Array(info);
  const infoU = new Uint32Array(info);
  for (let i = 0; i < n; i++) {
    const slot = slotOf.get(pix[i]!)!;
    offU[4 * i + 3] = slot;
    cellFootprints[slot]!++;
    if (empty[i]) continue; // offset 0, no segments, extent 0: drawn nowhere
    offF[4 * i] = a[3 * i]! - cellCentres[3 * slot]!;
    offF[4 * i + 1] = a[3 * i + 1]! - cellCentres[3 * slot + 1]!;
    offF[4 * i + 2] = a[3 * i + 2]! - cellCentres[3 * slot + 2]!;
    cellExtentRad[slot] = Math.max(cellExtentRad[slot]!, geometry.extentsRad[i]!);
    const count = geometry.segmentCount[i]!;
    if (count >= RING_BIT) throw new RangeError(`footprint ${i}: ${count} segments (at most ${RING_BIT - 1})`);
    infoU[4 * i] = geometry.segmentStart[i]!;
    infoU[4 * i + 1] = (count | (ring[i] ? RING_BIT : 0)) >>> 0;
    infoF[4 * i + 2] = outlineRadii[i]!;
    infoF[4 * i + 3] = geometry.extentsRad[i]!;
  }
  return { order, cellRadiusRad: (cellRadiusDeg(order) * Math.PI) / 180, cellIds, cellCentres, cellExtentRad, cellFootprints, offsets, info };
}

/**
 * Per view: each non-empty cell's centre in the view frame (rows right, up, centre of the ICRS →
 * view rotation, float64, stored float32: precise relative to its distance from the view centre),
 * w = 1 when the cell's cap (cell radius + its footprints' extent) meets the view's cap of
 * `viewRadiusRad`, else -1. Returns the footprints in the cells that meet it.
 */
export function cellsInView(
  cells: FootprintCells, right: ArrayLike<number>, up: ArrayLike<number>, centre: ArrayLike<number>, viewRadiusRad: number, out: Float32Array,
): number {
  const c = cells.cellCentres;
  let inView = 0;
  for (let s = 0; s < cells.cellIds.length; s++) {
    const x = c[3 * s]!;
    const y = c[3 * s + 1]!;
    const z = c[3 * s + 2]!;
    const cz = x * centre[0]! + y * centre[1]! + z * centre[2]!;
    const reach = viewRadiusRad + cells.cellRadiusRad + cells.cellExtentRad[s]!;
    const visible = reach >= Math.PI || cz >= Math.cos(reach);
    out[4 * s] = x * right[0]! + y * right[1]! + z * right[2]!;
    out[4 * s + 1] = x * up[0]! + y * up[1]! + z * up[2]!;
    out[4 * s + 2] = cz;
    out[4 * s + 3] = visible ? 1 : -1;
    if (visible) inView += cells.cellFootprints[s]!;
  }
  return inView;
}
