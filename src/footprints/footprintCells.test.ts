// footprintCells / cellsInView: anchors regrouped per HEALPix cell for the GPU. Checked: every
// anchor is rebuilt from its cell's float64 centre + the float32 offset to float32 precision of the
// cell's size (not of a unit vector); the cell is the one vec2pix gives (itself checked against
// healpy in src/hips); the info words; and, over random views (fast-check), the cell-level cull
// never drops a footprint whose float64 cap meets the view.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { vec2pix } from '../hips/healpix.js';
import { cellsInView, footprintCells, RING_BIT } from './footprintCells.js';
import { outlineRadiiRad, tessellateFootprints } from './tessellate.js';

const DEG = Math.PI / 180;

/** Seeded polygons and circles of 0.001°–15° all over the sky, RA 0 and both poles included. */
function footprints(n: number): string[] {
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: string[] = ['CIRCLE ICRS 0 90 0.5', 'CIRCLE ICRS 180 -89.9 2', 'POLYGON ICRS 359.9 0 0.1 0 0.1 0.1', 'POSITION ICRS 10 10'];
  for (let i = 0; i < n; i++) {
    const ra = 360 * rnd();
    const dec = (Math.asin(2 * rnd() - 1) * 180) / Math.PI;
    const r = 10 ** (-3 + 4.2 * rnd());
    out.push(i % 2 ? `CIRCLE ICRS ${ra} ${dec} ${r}` : `BOX ICRS ${ra} ${dec} ${r} ${r / 2}`);
  }
  return out;
}

const geometry = tessellateFootprints(footprints(600), { toleranceRad: 0.5 * DEG, fill: false });
const radii = outlineRadiiRad(geometry);

describe('footprintCells', () => {
  const cells = footprintCells(geometry, radii, 5);
  const off = new Float32Array(cells.offsets);
  const offU = new Uint32Array(cells.offsets);
  const info = new Uint32Array(cells.info);
  const infoF = new Float32Array(cells.info);

  it('rebuilds every anchor from its cell centre + float32 offset, in the cell vec2pix gives', () => {
    let worst = 0;
    for (let i = 0; i < geometry.count; i++) {
      const slot = offU[4 * i + 3]!;
      const a = [0, 1, 2].map((k) => geometry.anchors[3 * i + k]!);
      expect(cells.cellIds[slot]).toBe(vec2pix(5, a[0]!, a[1]!, a[2]!));
      const d = Math.hypot(...[0, 1, 2].map((k) => cells.cellCentres[3 * slot + k]! + off[4 * i + k]! - a[k]!));
      worst = Math.max(worst, d);
    }
    // float32 of offsets ≤ a cell radius (1.6°): ~2e-9 rad, 30× better than a float32 unit vector (6e-8)
    expect(worst).toBeLessThan(4e-9);
    expect(worst).toBeGreaterThan(0);
  });

  it('cells ascending and non-empty, counts and extents per cell, info words per footprint', () => {
    for (let s = 1; s < cells.cellIds.length; s++) expect(cells.cellIds[s]!).toBeGreaterThan(cells.cellIds[s - 1]!);
    expect(cells.cellFootprints.reduce((x, y) => x + y, 0)).toBe(geometry.count);
    for (let i = 0; i < geometry.count; i++) {
      const slot = offU[4 * i + 3]!;
      expect(cells.cellExtentRad[slot]!).toBeGreaterThanOrEqual(geometry.extentsRad[i]!);
      expect(info[4 * i]).toBe(geometry.segmentStart[i]);
      expect(info[4 * i + 1]! & ~RING_BIT).toBe(geometry.segmentCount[i]);
      expect(infoF[4 * i + 2]).toBe(Math.fround(radii[i]!));
      expect(infoF[4 * i + 3]).toBe(Math.fround(geometry.extentsRad[i]!));
    }
    // only the POSITION (footprint 3) has ring markers
    expect([...Array(geometry.count).keys()].filter((i) => (info[4 * i + 1]! & RING_BIT) !== 0)).toEqual([3]);
    expect(cells.cellRadiusRad).toBeGreaterThan(1.4 * DEG);
  });

  it('a footprint that could not be read (zero anchor, no geometry) goes nowhere; a bad anchor with geometry is named', () => {
    const g = tessellateFootprints(['CIRCLE ICRS 10 20 1', 'POLYGON ICRS 1 2 abc'], { toleranceRad: 0.5 * DEG, fill: false });
    expect(g.problems.some((p) => p.index === 1 && p.level === 'error')).toBe(true);
    const c = footprintCells(g, outlineRadiiRad(g), 5);
    expect(new Uint32Array(c.info)[4 * 1 + 1]).toBe(0);
    const bad = { ...g, anchors: Float64Array.from([NaN, 0, 0, 0, 0, 0]) };
    expect(() => footprintCells(bad, outlineRadiiRad(g), 5)).toThrow(/footprint 0: anchor \(NaN, 0, 0\) is not a direction/);
  });

  it('never culls a cell holding a footprint whose cap meets the view (random views, float64)', () => {
    const out = new Float32Array(4 * cells.cellIds.length);
    const vec = (ra: number, dec: number) => [Math.cos(dec) * Math.cos(ra), Math.cos(dec) * Math.sin(ra), Math.sin(dec)];
    let checked = 0;
    fc.assert(fc.property(
      fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }), fc.double({ min: -Math.PI / 2, max: Math.PI / 2, noNaN: true }),
      fc.double({ min: -5, max: Math.log10(Math.PI), noNaN: true }),
      (ra, dec, logR) => {
        const radius = 10 ** logR;
        const centre = vec(ra, dec);
        const right = [-Math.sin(ra), Math.cos(ra), 0];
        const up = [-Math.sin(dec) * Math.cos(ra), -Math.sin(dec) * Math.sin(ra), Math.cos(dec)];
        const inView = cellsInView(cells, right, up, centre, radius, out);
        let expected = 0;
        for (let s = 0; s < cells.cellIds.length; s++) {
          const c = [0, 1, 2].map((k) => cells.cellCentres[3 * s + k]!);
          const dot = (r: number[]) => r[0]! * c[0]! + r[1]! * c[1]! + r[2]! * c[2]!;
          expect(out[4 * s]).toBe(Math.fround(dot(right)));
          expect(out[4 * s + 2]).toBe(Math.fround(dot(centre)));
          if (out[4 * s + 3] === 1) expected += cells.cellFootprints[s]!;
        }
        expect(inView).toBe(expected);
        for (let i = 0; i < geometry.count; i++) {
          const a = [0, 1, 2].map((k) => geometry.anchors[3 * i + k]!);
          const ang = Math.acos(Math.max(-1, Math.min(1, a[0]! * centre[0]! + a[1]! * centre[1]! + a[2]! * centre[2]!)));
          if (ang > radius + geometry.extentsRad[i]!) continue;
          checked++;
          expect(out[4 * offU[4 * i + 3]! + 3], `footprint ${i} meets the view but its cell is culled`).toBe(1);
        }
      },
    ), { numRuns: 300, seed: 20261128 });
    expect(checked).toBeGreaterThan(2000);
  });
});
