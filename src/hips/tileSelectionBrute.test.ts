// Tile selection against brute force, in every projection the renderer supports, for 40 seeded
// random views per projection (400 in all; a fifth of them centred on a pole, a face edge or
// corner, or the RA seam). Brute force: every cell of the data order whose outline (edges
// sampled at 17 points each) or interior (a 5x5 grid) projects inside the viewport, plus every
// cell holding one of a 33x33 grid of viewport points unprojected to the sky. The selection's
// data tiles must contain all of them (no holes at poles, face edges or the projection
// boundary), its drawn cells must cover every brute-force cell, and it may not be wildly larger:
// at most 2x the brute-force count + 12 tiles (the bound asserted below).
import { describe, expect, it } from 'vitest';
import { makeCamera, pixelToNdc, project, unproject, type Camera, type ViewState } from '../math/camera.js';
import { MAX_FOV_DEG, PROJECTIONS, type ProjectionName } from '../math/projections.js';
import { vecToLonLatDeg } from '../math/vec3.js';
import { cellPointToVec, cellRadiusDeg, vec2pix } from './healpix.js';
import { queryDisc } from './healpixQuery.js';
import { selectTiles } from './tileSelection.js';

const VIEWS_PER_PROJECTION = 40;
const EDGE_SAMPLES = 17;
const INTERIOR = 5;
const SCREEN_GRID = 33;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Points of the cell outline and interior, face-local fractions. */
const CELL_SAMPLES: Array<[number, number]> = (() => {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < EDGE_SAMPLES; i++) {
    const t = i / (EDGE_SAMPLES - 1);
    out.push([t, 0], [t, 1], [0, t], [1, t]);
  }
  for (let i = 0; i < INTERIOR; i++) for (let j = 0; j < INTERIOR; j++) out.push([(i + 0.5) / INTERIOR, (j + 0.5) / INTERIOR]);
  return out;
})();

function cellHitsViewport(camera: Camera, order: number, ipix: number): boolean {
  for (const [u, v] of CELL_SAMPLES) {
    const p = project(camera, cellPointToVec(order, ipix, u, v));
    if (p && Math.abs(p[0]) <= 1 && Math.abs(p[1]) <= 1) return true;
  }
  return false;
}

/** Brute-force set of order-k cells in the viewport. */
function bruteForce(camera: Camera, k: number): Set<number> {
  const found = new Set<number>();
  const v = camera.view;
  for (let i = 0; i < SCREEN_GRID; i++) {
    for (let j = 0; j < SCREEN_GRID; j++) {
      const s = unproject(camera, ...pixelToNdc(v, (i / (SCREEN_GRID - 1)) * v.widthPx, (j / (SCREEN_GRID - 1)) * v.heightPx));
      if (s) found.add(vec2pix(k, s[0], s[1], s[2]));
    }
  }
  // candidates: every cell when there are few, else the cells of a cone around the view
  const candidates: Array<[number, number]> = [];
  const radiusDeg = Math.min(180, (camera.radiusRad * 180) / Math.PI * 1.05 + 2 * (58.6 / 2 ** k) + 1e-6);
  if (12 * 4 ** k <= 50_000 || radiusDeg >= 180) candidates.push([0, 12 * 4 ** k]);
  else {
    const [lon, lat] = vecToLonLatDeg(camera.centre);
    candidates.push(...queryDisc(k, lon, lat, radiusDeg, { inclusive: true }));
  }
  // a cell whose centre is farther from the view centre than the visible radius plus 1.5 cell
  // radii cannot touch the viewport; the others are sampled densely
  const reach = camera.radiusRad + (1.5 * cellRadiusDeg(k) * Math.PI) / 180;
  const c = camera.centre;
  for (const [a, b] of candidates) {
    for (let ipix = a; ipix < b; ipix++) {
      if (found.has(ipix)) continue;
      const m = cellPointToVec(k, ipix, 0.5, 0.5);
      if (Math.acos(Math.max(-1, Math.min(1, m[0] * c[0] + m[1] * c[1] + m[2] * c[2]))) > reach) continue;
      if (cellHitsViewport(camera, k, ipix)) found.add(ipix);
    }
  }
  return found;
}

/** A random view; one in five sits on a pole, a face edge or corner, or the RA seam. */
function randomView(projection: ProjectionName, u: () => number): { view: ViewState; tileWidthPx: number; hipsOrder: number } {
  const widthPx = 160 + Math.floor(u() * 240);
  const heightPx = 120 + Math.floor(u() * 200);
  const logMin = Math.log(0.002);
  const logMax = Math.log(MAX_FOV_DEG[projection]);
  const fovDeg = Math.exp(logMin + u() * (logMax - logMin));
  let raDeg = u() * 360;
  let decDeg = (Math.asin(2 * u() - 1) * 180) / Math.PI;
  const special = u();
  if (special < 0.05) decDeg = u() < 0.5 ? 90 : -90;
  else if (special < 0.1) decDeg = (u() < 0.5 ? 1 : -1) * 41.8103148958;
  else if (special < 0.15) raDeg = 90 * Math.floor(u() * 4) + (u() < 0.5 ? 45 : 0);
  else if (special < 0.2) raDeg = u() < 0.5 ? 0 : 359.9999;
  const rollDeg = u() < 0.5 ? 0 : u() * 360;
  const tileWidthPx = 2 ** (6 + Math.floor(u() * 4));
  return { view: { raDeg, decDeg, fovDeg, rollDeg, projection, widthPx, heightPx }, tileWidthPx, hipsOrder: 3 + Math.floor(u() * 8) };
}

describe('tile selection against brute force', () => {
  for (const projection of PROJECTIONS) {
    it(`${projection}: ${VIEWS_PER_PROJECTION} random views, a superset of brute force and at most 2x + 12 tiles`, () => {
      const u = rng(1000 + PROJECTIONS.indexOf(projection));
      let totalBrute = 0;
      let totalSel = 0;
      for (let n = 0; n < VIEWS_PER_PROJECTION; n++) {
        const { view, tileWidthPx, hipsOrder } = randomView(projection, u);
        const camera = makeCamera(view);
        const sel = selectTiles({ camera, tileWidthPx, hipsOrder });
        const k = sel.dataOrder;
        const brute = bruteForce(camera, k);
        const tiles = new Set(sel.wanted.filter((t) => t.order === k).map((t) => t.ipix));
        const missing = [...brute].filter((p) => !tiles.has(p));
        const what = `${JSON.stringify(view)} tile ${tileWidthPx} order ${k}`;
        expect(missing, `tiles missing for ${what}`).toEqual([]);
        expect(tiles.size, `too many tiles for ${what}: ${tiles.size} vs ${brute.size}`).toBeLessThanOrEqual(2 * brute.size + 12);
        // drawn cells (at drawOrder >= k, or deeper) cover every brute-force cell
        const covered = new Set(sel.cells.map((c) => Math.floor(c.ipix / 4 ** (c.order - k))));
        expect([...brute].filter((p) => !covered.has(p)), `cells not drawn for ${what}`).toEqual([]);
        totalBrute += brute.size;
        totalSel += tiles.size;
      }
      expect(totalSel).toBeGreaterThanOrEqual(totalBrute);
      console.log(`${projection}: ${totalSel} tiles selected for ${totalBrute} in brute force (${(totalSel / totalBrute).toFixed(2)}x)`);
    }, 120_000);
  }
});
