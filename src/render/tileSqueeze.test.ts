// The squeeze bound that decides which HiPS tiles need their mip chain: it must never be below the
// true texels per pixel (else a squeezed tile would alias), and a cell drawn at the resolution tile
// selection aims for must come out below MIP_SQUEEZE (else the lazy chain saves nothing).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cellSqueeze, MIP_SQUEEZE, squeezeBound } from './tileSqueeze.js';
import { makeCamera, type ProjectionName } from '../math/camera.js';
import { cellPointToVec, pix2ang } from '../hips/healpix.js';

const G = 8;

/** Largest singular value of the screen-to-texture map of legs a, b spanning t texels each (by the 2x2 closed form). */
function sigmaMax(ax: number, ay: number, bx: number, by: number, t: number): number {
  // M = [a b] / t maps texels to pixels; J = M^-1 = adj(M) / det M, and adj(M) has M's singular
  // values, so sigma_max(J) = sigma_max(M) / |det M| (no cancellation in sigma_max)
  const m = [ax / t, bx / t, ay / t, by / t];
  const s = m[0]! ** 2 + m[1]! ** 2 + m[2]! ** 2 + m[3]! ** 2;
  const det = Math.abs(m[0]! * m[3]! - m[1]! * m[2]!);
  const sMax = Math.sqrt((s + Math.sqrt(Math.max(0, s * s - 4 * det * det))) / 2);
  return sMax / det;
}

function meshOf(order: number, ipix: number): Float64Array {
  const vs = new Float64Array((G + 1) * (G + 1) * 3);
  const tmp = [0, 0, 0] as [number, number, number];
  for (let j = 0; j <= G; j++) {
    for (let i = 0; i <= G; i++) {
      cellPointToVec(order, ipix, i / G, j / G, tmp);
      vs.set(tmp, (j * (G + 1) + i) * 3);
    }
  }
  return vs;
}

/** A camera centred on cell (order, ipix) with `pixelsPerTexel` device pixels per tile texel at the centre. */
function cameraOnCell(order: number, ipix: number, tileWidth: number, pixelsPerTexel: number, projection: ProjectionName = 'SIN') {
  const [raDeg, decDeg] = pix2ang(order, ipix);
  const texelRad = Math.sqrt(Math.PI / 3) / 2 ** order / tileWidth;
  const widthPx = 800;
  return makeCamera({ raDeg, decDeg, rollDeg: 0, projection,
    fovDeg: (widthPx * texelRad * 180) / Math.PI / pixelsPerTexel, widthPx, heightPx: 600 });
}

describe('squeezeBound', () => {
  it('is never below the true texels per pixel, and equals it for a square', () => {
    expect(squeezeBound(10, 0, 0, 10, 10)).toBeCloseTo(Math.SQRT2, 12);
    const leg = fc.double({ min: -100, max: 100, noNaN: true });
    fc.assert(fc.property(leg, leg, leg, leg, fc.double({ min: 0.1, max: 100, noNaN: true }), (ax, ay, bx, by, t) => {
      const area = Math.abs(ax * by - ay * bx);
      fc.pre(area > 1e-6 * (ax * ax + ay * ay + bx * bx + by * by) && area > 1e-9);
      const truth = sigmaMax(ax, ay, bx, by, t);
      expect(squeezeBound(ax, ay, bx, by, t)).toBeGreaterThanOrEqual(truth * (1 - 1e-9));
    }));
  });

  it('is infinite for a degenerate triangle', () => {
    expect(squeezeBound(1, 1, 2, 2, 4)).toBe(Infinity);
  });
});

describe('cellSqueeze', () => {
  it('stays under the mip threshold for a DSS2 tile drawn 1:1 at the view centre', () => {
    for (const [order, ipix] of [[7, 123456], [5, 4000], [3, 500]] as const) {
      const s = cellSqueeze(cameraOnCell(order, ipix, 512, 1), meshOf(order, ipix), G, 512);
      expect(s).toBeGreaterThan(0.9);
      expect(s).toBeLessThan(MIP_SQUEEZE);
    }
  });

  it('exceeds it when the tile is drawn 3x smaller, and grows with the squeeze', () => {
    const s3 = cellSqueeze(cameraOnCell(6, 777, 512, 1 / 3), meshOf(6, 777), G, 512);
    const s6 = cellSqueeze(cameraOnCell(6, 777, 512, 1 / 6), meshOf(6, 777), G, 512);
    expect(s3).toBeGreaterThan(MIP_SQUEEZE);
    expect(s3).toBeGreaterThan(2.9);
    expect(s6 / s3).toBeCloseTo(2, 1);
  });

  it('measures an ancestor drawn magnified (a quarter of its texels across the cell) as not squeezed', () => {
    const s = cellSqueeze(cameraOnCell(7, 1000, 512, 1), meshOf(7, 1000), G, 128);
    expect(s).toBeLessThan(0.5);
  });

  it('is 0 for a cell out of view, and counts the squeezed limb of SIN', () => {
    const cam = cameraOnCell(7, 1000, 512, 1);
    expect(cellSqueeze(cam, meshOf(7, 1000 + 4 ** 7 * 6), G, 512)).toBe(0);
    // a whole-sky SIN view centred on (0, 0) = ICRS +x: an order-1 cell on the limb is foreshortened
    // far more than the one at the centre
    const wide = makeCamera({ raDeg: 0, decDeg: 0, rollDeg: 0, projection: 'SIN', fovDeg: 180, widthPx: 800, heightPx: 800 });
    const xOf = (p: number) => { const [lon, lat] = pix2ang(1, p).map((d) => (d * Math.PI) / 180) as [number, number]; return [Math.cos(lat) * Math.cos(lon), Math.sin(lat)] as const; };
    let centreCell = 0;
    let limb = -1;
    for (let p = 0; p < 48; p++) {
      if (xOf(p)[0] > xOf(centreCell)[0]) centreCell = p;
      if (limb < 0 && Math.abs(xOf(p)[0]) < 0.2 && Math.abs(xOf(p)[1]) < 0.4) limb = p;
    }
    expect(limb).toBeGreaterThanOrEqual(0);
    const sCentre = cellSqueeze(wide, meshOf(1, centreCell), G, 512);
    const sLimb = cellSqueeze(wide, meshOf(1, limb), G, 512);
    expect(sLimb).toBeGreaterThan(3 * sCentre);
  });

  it('counts a triangle TAN cannot place as squeezed', () => {
    const tan = makeCamera({ raDeg: 0, decDeg: 0, rollDeg: 0, projection: 'TAN', fovDeg: 150, widthPx: 800, heightPx: 600 });
    // an order-0 cell reaching behind the tangent plane (face 4 is centred on (0, 0); face 6 on 180°)
    expect(cellSqueeze(tan, meshOf(0, 5), G, 512)).toBe(Infinity);
  });
});
