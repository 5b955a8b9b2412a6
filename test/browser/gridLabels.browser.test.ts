// Grid labels drawn by the render core (GPU text): on a black sky with red grid lines and green
// label text, the pixels read back from the export path (SkyRenderer.readPixels, what exportPNG
// encodes) have glyph pixels inside every label box the CPU placed, and none anywhere else (so
// none where a label was dropped for overlap, outside the view or outside an all-sky boundary), in
// TAN, AIT, a Galactic-frame view and a HEALPix debugging grid.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import type { ViewState } from '../../src/math/camera.js';
import type { PlacedGridLabel } from '../../src/render/gridLabelLayout.js';
import { gpuErrors, requestTestDevice } from './renderTarget.js';

const LINE: [number, number, number, number] = [1, 0, 0, 1];
const TEXT: [number, number, number, number] = [0, 1, 0, 1];

/** A label glyph pixel: green text (the glyphs' white fill tinted by TEXT), not a red line. */
function isGlyph(rgba: Uint8Array, i: number): boolean {
  return rgba[i + 1] > 120 && rgba[i + 1] > rgba[i] + 60;
}

function countIn(rgba: Uint8Array, width: number, x0: number, y0: number, x1: number, y1: number, skip?: (x: number, y: number) => boolean): number {
  let n = 0;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.ceil(y1); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.ceil(x1); x++) {
      if (skip?.(x, y)) continue;
      if (isGlyph(rgba, (y * width + x) * 4)) n++;
    }
  }
  return n;
}

/** Inside a placed box, with a small slack for the glyphs' anti-aliased outline. */
function inAnyBox(boxes: readonly PlacedGridLabel[], x: number, y: number, slackPx = 3): boolean {
  return boxes.some((b) => x >= b.x0 - slackPx && x < b.x1 + slackPx && y >= b.y0 - slackPx && y < b.y1 + slackPx);
}

const cases: Array<[string, ViewState, 'grid' | 'healpix']> = [
  ['TAN, ICRS, Orion', { raDeg: 83.8, decDeg: -5.4, fovDeg: 30, rollDeg: 0, projection: 'TAN', widthPx: 480, heightPx: 320 }, 'grid'],
  ['AIT, ICRS, all-sky', { raDeg: 0, decDeg: 0, fovDeg: 220, rollDeg: 0, projection: 'AIT', widthPx: 560, heightPx: 320 }, 'grid'],
  ['SIN, Galactic frame, Galactic centre', { raDeg: 266.4, decDeg: -28.9, fovDeg: 90, rollDeg: 0, projection: 'SIN', widthPx: 480, heightPx: 320, frame: 'galactic' }, 'grid'],
  // narrow: the arcminute RA labels cannot all fit along the bottom edge, some are dropped for overlap
  ['TAN, ICRS, narrow (overlaps)', { raDeg: 10.68, decDeg: 41.27, fovDeg: 0.8, rollDeg: 0, projection: 'TAN', widthPx: 200, heightPx: 320 }, 'grid'],
  ['AIT, HEALPix order-1 cells', { raDeg: 0, decDeg: 0, fovDeg: 360, rollDeg: 0, projection: 'AIT', widthPx: 640, heightPx: 320 }, 'healpix'],
];

describe('grid labels drawn by the GPU', () => {
  let device: GPUDevice;
  before(async () => {
    device = await requestTestDevice();
  });
  after(() => device.destroy());

  let overlapDrops = 0;
  for (const [name, view, kind] of cases) {
    it(`${name}: glyph pixels in every placed label box and nowhere else`, async () => {
      const renderer = new SkyRenderer(device, 'rgba8unorm');
      try {
        if (kind === 'grid') renderer.setGrid({ color: LINE, labelColor: TEXT, labelFontPx: 13 });
        else renderer.setHealpixGrid({ order: 1, color: LINE, labelColor: TEXT, labelFontPx: 12 });
        renderer.setView(view);
        const { width, height, rgba } = await renderer.readPixels();
        const { placed, dropped } = renderer.gridLabelLayout;
        expect(placed.length, `labels placed in ${name}`).to.be.greaterThan(kind === 'healpix' ? 20 : 4);
        if (kind === 'grid') {
          expect(placed.some((p) => p.kind === 'lon'), 'a meridian label').to.equal(true);
          expect(placed.some((p) => p.kind === 'lat'), 'a parallel label').to.equal(true);
        }
        for (const p of placed) {
          const n = countIn(rgba, width, p.x0, p.y0, p.x1, p.y1);
          expect(n, `glyph pixels of '${p.text}' in [${p.x0.toFixed(1)}, ${p.y0.toFixed(1)}, ${p.x1.toFixed(1)}, ${p.y1.toFixed(1)}]`).to.be.greaterThan(3 * [...p.text].length);
        }
        // no glyph pixel outside the placed boxes: dropped labels, the view's outside and an all-sky
        // projection's outside have none
        const stray = countIn(rgba, width, 0, 0, width, height, (x, y) => inAnyBox(placed, x, y));
        expect(stray, 'glyph pixels outside every placed label box').to.equal(0);
        for (const d of dropped.filter((d) => d.reason === 'overlap')) {
          overlapDrops++;
          // where the dropped box is not covered by a kept one, it is empty
          const n = countIn(rgba, width, d.x0, d.y0, d.x1, d.y1, (x, y) => inAnyBox(placed, x, y));
          expect(n, `no glyph pixels where '${d.text}' was dropped for overlap`).to.equal(0);
        }
        if (name.includes('overlaps')) expect(dropped.some((d) => d.reason === 'overlap'), `overlap drops: ${dropped.map((d) => `${d.text}:${d.reason}`)}`).to.equal(true);
        if (view.projection === 'AIT') {
          // every glyph pixel lies inside the ellipse of the Hammer-Aitoff image (x²/8 + y²/2 ≤ 1 in plane units)
          const cam = renderer.getCamera()!;
          for (let y = 0; y < height; y++) {
            for (let x = 0; x < width; x++) {
              if (!isGlyph(rgba, (y * width + x) * 4)) continue;
              const X = ((2 * (x + 0.5)) / width - 1) * cam.halfWidthPlane;
              const Y = (1 - (2 * (y + 0.5)) / height) * cam.halfHeightPlane;
              expect((X * X) / 8 + (Y * Y) / 2, `glyph pixel ${x},${y} inside the AIT boundary`).to.be.at.most(1.02);
            }
          }
        }
        if (view.frame === 'galactic') expect(placed.map((p) => p.text)).to.include('0°'); // Galactic longitude 0 through the centre
      } finally {
        renderer.destroy();
      }
      expect(gpuErrors).to.deep.equal([]);
    });
  }

  it('saw labels dropped for overlap in the narrow view', () => {
    expect(overlapDrops).to.be.greaterThan(0);
  });

  it('draws no labels with labels: false, and changes colour and size in place', async () => {
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    try {
      renderer.setView(cases[0][1]);
      renderer.setGrid({ color: LINE, labelColor: TEXT, labels: false });
      let px = await renderer.readPixels();
      expect(countIn(px.rgba, px.width, 0, 0, px.width, px.height)).to.equal(0);
      expect(renderer.gridLabels).to.deep.equal([]);
      renderer.setGrid({ color: LINE, labelColor: TEXT, labels: true, labelFontPx: 11 });
      px = await renderer.readPixels();
      const small = renderer.gridLabels.map((l) => l.y1 - l.y0);
      expect(countIn(px.rgba, px.width, 0, 0, px.width, px.height)).to.be.greaterThan(50);
      renderer.setGrid({ color: LINE, labelColor: [0, 0, 1, 1], labelFontPx: 20 });
      px = await renderer.readPixels();
      expect(countIn(px.rgba, px.width, 0, 0, px.width, px.height), 'no green text after the colour change').to.equal(0);
      const big = renderer.gridLabels.map((l) => l.y1 - l.y0);
      expect(Math.min(...big)).to.be.greaterThan(Math.max(...small));
      expect(() => renderer.setGrid({ labelFontPx: 1000 })).to.throw(/labelFontPx must be in \[4, 256\] device pixels, got 1000/);
      expect(() => renderer.setGrid({ labelColor: [2, 0, 0, 1] })).to.throw(/labelColor must be \[r, g, b, a\]/);
      expect(() => renderer.setHealpixGrid({ order: 40 })).to.throw(/order must be an integer in \[0, 29\]/);
    } finally {
      renderer.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it('keeps drawing the HEALPix grid and its labels when the coordinate grid is switched off', async () => {
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    try {
      renderer.setView(cases[4][1]);
      renderer.setGrid({ color: LINE, labelColor: [0, 0, 1, 1] });
      renderer.setHealpixGrid({ order: 1, color: LINE, labelColor: TEXT });
      await renderer.readPixels();
      renderer.setGrid(undefined);
      const { width, height, rgba } = await renderer.readPixels();
      expect(renderer.gridLabels.length).to.be.greaterThan(20);
      expect(renderer.gridLabels.every((l) => l.kind === 'cell')).to.equal(true);
      expect(countIn(rgba, width, 0, 0, width, height)).to.be.greaterThan(200);
    } finally {
      renderer.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });
});
