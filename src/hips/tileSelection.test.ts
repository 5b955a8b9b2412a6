import { describe, expect, it } from 'vitest';
import { makeCamera, pixelToNdc, unproject, type ViewState } from '../math/camera.js';
import { frameRotation } from '../math/frames.js';
import { vec2pix } from './healpix.js';
import { meshOrder, resolutionOrder, selectTiles } from './tileSelection.js';
import { applyMat3 } from '../math/frames.js';

const view = (o: Partial<ViewState>): ViewState => ({ raDeg: 0, decDeg: 0, fovDeg: 60, rollDeg: 0, projection: 'SIN', widthPx: 320, heightPx: 200, ...o });

/** Every pixel's sky position must fall in a selected cell (no holes), checked with ang2pix. */
function expectCoversViewport(v: ViewState, hipsOrder: number, tileWidthPx = 512, galactic = false): void {
  const camera = makeCamera(v);
  const toIcrs = galactic ? frameRotation('galactic', 'icrs') : undefined;
  const fromIcrs = galactic ? frameRotation('icrs', 'galactic') : undefined;
  const sel = selectTiles({ camera, tileWidthPx, hipsOrder, toIcrs });
  const cells = new Set(sel.cells.map((c) => `${c.order}/${c.ipix}`));
  const orders = [...new Set(sel.cells.map((c) => c.order))];
  expect(Math.min(...orders)).toBe(sel.drawOrder);
  const missing: string[] = [];
  for (let y = 0; y <= v.heightPx; y += 4) {
    for (let x = 0; x <= v.widthPx; x += 4) {
      const s = unproject(camera, ...pixelToNdc(v, x, y));
      if (!s) continue;
      const w = fromIcrs ? applyMat3(fromIcrs, s) : s;
      if (!orders.some((o) => cells.has(`${o}/${vec2pix(o, w[0], w[1], w[2])}`))) missing.push(`${x},${y}`);
    }
  }
  expect(missing.slice(0, 5)).toEqual([]);
  // Tiles to load: each data tile exactly once, and ancestors before data tiles.
  const keys = sel.wanted.map((t) => `${t.order}/${t.ipix}`);
  expect(new Set(keys).size).toBe(keys.length);
  const tileOrders = sel.wanted.map((t) => t.order);
  expect([...tileOrders].sort((a, b) => a - b)).toEqual(tileOrders);
}

describe('tile selection', () => {
  it('chooses the order where one tile pixel is about one device pixel', () => {
    // order-k pixel of a 512 px tile: sqrt(pi/3)/(512·2^k) rad
    for (let k = 0; k < 20; k++) {
      const pix = Math.sqrt(Math.PI / 3) / (512 * 2 ** k);
      expect(resolutionOrder(pix, 512)).toBe(k);
      expect(resolutionOrder(pix * 0.6, 512)).toBe(k + 1);
    }
    expect(meshOrder(2 * Math.PI)).toBe(0);
    expect(meshOrder((1 / 3600) * (Math.PI / 180))).toBeGreaterThan(15);
  });

  const cases: Array<[string, Partial<ViewState>, number]> = [
    ['all sky, SIN, at the galactic centre', { raDeg: 266.4, decDeg: -29, fovDeg: 180, widthPx: 400, heightPx: 400 }, 3],
    ['north pole', { raDeg: 0, decDeg: 90, fovDeg: 30 }, 7],
    ['south pole, rolled', { raDeg: 123, decDeg: -89.999, fovDeg: 5, rollDeg: 33 }, 9],
    ['RA 0/360 seam', { raDeg: 359.99, decDeg: 10, fovDeg: 2 }, 9],
    ['face corner at lat 41.81', { raDeg: 90, decDeg: 41.8103, fovDeg: 1 }, 11],
    ['TAN wide', { raDeg: 200, decDeg: -60, fovDeg: 120, projection: 'TAN' }, 5],
    ['ARC whole sky', { raDeg: 120, decDeg: -40, fovDeg: 360, projection: 'ARC', widthPx: 300, heightPx: 300 }, 3],
    ['AIT whole sky', { raDeg: 266.4, decDeg: -29, fovDeg: 360, projection: 'AIT' }, 3],
    ['HPX whole sky', { raDeg: 0, decDeg: 0, fovDeg: 360, projection: 'HPX' }, 3],
    ['MOL tilted', { raDeg: 45, decDeg: 70, fovDeg: 200, projection: 'MOL', rollDeg: 20 }, 4],
    ['one arcsecond field', { raDeg: 83.633, decDeg: 22.0145, fovDeg: 1 / 3600 }, 11],
  ];
  for (const [name, v, order] of cases) {
    it(`covers the viewport without holes: ${name}`, () => expectCoversViewport(view(v), order));
  }

  it('covers the viewport for a galactic survey on an ICRS view', () => {
    expectCoversViewport(view({ raDeg: 266.4, decDeg: -29, fovDeg: 20 }), 8, 512, true);
  });

  it('keeps the number of cells bounded by the screen, not the survey depth', () => {
    const sel = selectTiles({ camera: makeCamera(view({ raDeg: 10, decDeg: 41, fovDeg: 0.5, widthPx: 1920, heightPx: 1080 })), tileWidthPx: 512, hipsOrder: 11 });
    expect(sel.cells.length).toBeLessThan(80);
    expect(sel.cells.length).toBeGreaterThan(3);
    // nearest first
    for (let i = 1; i < sel.cells.length; i++) expect(sel.cells[i].distanceRad).toBeGreaterThanOrEqual(sel.cells[i - 1].distanceRad);
  });

  it('limits stand-in ancestors to what fits', () => {
    const camera = makeCamera(view({ raDeg: 266.4, decDeg: -29, fovDeg: 120, widthPx: 1200, heightPx: 700 }));
    const all = selectTiles({ camera, tileWidthPx: 32, hipsOrder: 3 });
    const limited = selectTiles({ camera, tileWidthPx: 32, hipsOrder: 3, maxAncestors: 64 });
    const anc = (s: typeof all) => s.wanted.filter((t) => t.order < s.dataOrder).length;
    expect(anc(all)).toBeGreaterThan(64);
    expect(anc(limited)).toBeLessThanOrEqual(64);
    expect(anc(limited)).toBeGreaterThan(0);
    expect(limited.wanted.length - anc(limited)).toBe(all.wanted.length - anc(all));
  });
});
