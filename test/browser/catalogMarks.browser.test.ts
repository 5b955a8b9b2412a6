// Catalogue marks through real WebGPU (SwiftShader), read back as pixels: custom image markers
// (orientation, centring, tint, picking, re-creation on a new device), proper-motion arrows of real
// stars whose tips land within 1 px of astropy's propagated position (fixture
// test/fixtures/propermotion, made by astropy's SkyCoord.apply_space_motion), and GPU-drawn labels
// of the N brightest named Hipparcos stars in view (present for those, absent for the next ones).
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { CatalogLayer } from '../../src/render/layers/catalogLayer.js';
import { ProgressiveCatalogLayer } from '../../src/render/layers/progressiveCatalogLayer.js';
import { TextLabels } from '../../src/render/layers/textLabels.js';
import type { ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, pixelAt, requestTestDevice } from './renderTarget.js';
import { projectRows } from './catalogHelpers.js';

/** A 32x32 image in four quadrants: red (top left), green (top right), blue (bottom left), white (bottom right). */
async function quadrantImage(): Promise<ImageBitmap> {
  const c = new OffscreenCanvas(32, 32);
  const g = c.getContext('2d')!;
  for (const [x, y, col] of [[0, 0, '#ff0000'], [16, 0, '#00ff00'], [0, 16, '#0000ff'], [16, 16, '#ffffff']] as const) {
    g.fillStyle = col;
    g.fillRect(x, y, 16, 16);
  }
  return createImageBitmap(c);
}

describe('catalogue marks (WebGPU, off-screen)', () => {
  let device: GPUDevice;
  before(async () => {
    device = await requestTestDevice();
  });
  after(() => device.destroy());

  it("draws shape 'image' centred at the CPU-projected position, upright, tinted or not, and picks it", async () => {
    const size = 200;
    const view: ViewState = { raDeg: 40, decDeg: 20, fovDeg: 10, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size };
    const data = { raDeg: Float64Array.from([38.3, 41.7, 40.4]), decDeg: Float64Array.from([21.6, 18.9, 19.6]) };
    const image = await quadrantImage();
    const pos = projectRows(view, data.raDeg, data.decDeg);
    const sizePx = 24;
    const check = async (dev: GPUDevice, tint: boolean) => {
      const renderer = new SkyRenderer(dev, 'rgba8unorm');
      const layer = renderer.addLayer(new CatalogLayer(dev, 'rgba8unorm', { id: 'img', data, shape: 'image', image, imageTint: tint, color: '#ff0000', sizePx, densityThreshold: Infinity }));
      const target = createTarget(dev, size, size);
      try {
        renderer.setView(view);
        renderer.render(target.texture.createView());
        const px = await target.read();
        for (let r = 0; r < 3; r++) {
          const x = pos[2 * r];
          const y = pos[2 * r + 1];
          const at = (dx: number, dy: number) => pixelAt(px, size, Math.floor(x + dx), Math.floor(y + dy));
          const [tl, tr, bl, br] = [at(-6, -6), at(6, -6), at(-6, 6), at(6, 6)];
          if (!tint) {
            expect(tl.slice(0, 3), `row ${r} top left red`).to.deep.equal([255, 0, 0]);
            expect(tr.slice(0, 3), `row ${r} top right green`).to.deep.equal([0, 255, 0]);
            expect(bl.slice(0, 3), `row ${r} bottom left blue`).to.deep.equal([0, 0, 255]);
            expect(br.slice(0, 3), `row ${r} bottom right white`).to.deep.equal([255, 255, 255]);
          } else {
            // multiplied by red: red stays, white becomes red, green and blue become black (but opaque)
            expect(tl.slice(0, 3)).to.deep.equal([255, 0, 0]);
            expect(br.slice(0, 3)).to.deep.equal([255, 0, 0]);
            expect(tr.slice(0, 3), 'green times red is black').to.deep.equal([0, 0, 0]);
            expect(bl.slice(0, 3), 'blue times red is black').to.deep.equal([0, 0, 0]);
          }
          const rgbSum = (p: number[]) => p[0] + p[1] + p[2];
          // the image is sizePx wide, centred: nothing 3 px beyond its edge on either side
          for (const [dx, dy] of [[sizePx / 2 + 3, 0], [-sizePx / 2 - 3, 0], [0, sizePx / 2 + 3], [0, -sizePx / 2 - 3]]) {
            expect(rgbSum(at(dx, dy)), `row ${r} outside the image at ${dx},${dy} (black sky)`).to.equal(0);
          }
          // edges within a pixel of x ± sizePx / 2 (the bottom half: white on the right, blue on the left; red tint: red, black)
          if (!tint) {
            expect(rgbSum(at(sizePx / 2 - 1.5, 3)), `row ${r} right edge`).to.be.greaterThan(600);
            expect(at(-sizePx / 2 + 1.5, 3)[2], `row ${r} left edge`).to.be.greaterThan(200);
          } else {
            expect(at(sizePx / 2 - 1.5, 3)[0], `row ${r} right edge`).to.be.greaterThan(200);
          }
          const hit = await renderer.pick(x + 5, y - 5);
          expect(hit?.layerId).to.equal('img');
          expect(hit?.row).to.equal(r);
        }
        // the selection outline of an image marker: a square 3 px outside it, in the highlight colour
        if (!tint) {
          layer.setStyle({ highlightColor: '#00ffff', lineWidthPx: 2 });
          layer.select(0);
          renderer.render(target.texture.createView());
          const px1 = await target.read();
          const ring = sizePx / 2 + 3 + 1;
          for (const [dx, dy] of [[ring, 0], [-ring, 0], [0, ring], [0, -ring], [ring, ring - 2]]) {
            expect(pixelAt(px1, size, Math.floor(pos[0] + dx), Math.floor(pos[1] + dy)).slice(0, 3), `outline at ${dx},${dy}`).to.deep.equal([0, 255, 255]);
          }
          layer.select(undefined);
        }
        // replacing the image (setStyle) re-creates the texture: a plain white image now
        const white = new OffscreenCanvas(8, 8);
        const wg = white.getContext('2d')!;
        wg.fillStyle = '#ffffff';
        wg.fillRect(0, 0, 8, 8);
        layer.setStyle({ image: white, imageTint: false });
        renderer.render(target.texture.createView());
        const px2 = await target.read();
        expect(pixelAt(px2, size, Math.floor(pos[0] - 6), Math.floor(pos[1] - 6)).slice(0, 3)).to.deep.equal([255, 255, 255]);
      } finally {
        target.destroy();
        renderer.destroy();
      }
    };
    await check(device, false);
    await check(device, true);
    // a new device (what the element does after a device loss): the layer re-creates its texture from the same image
    const second = await requestTestDevice();
    await check(second, false);
    second.destroy();
    expect(() => new CatalogLayer(device, 'rgba8unorm', { id: 'x', data, shape: 'image' })).to.throw(/shape 'image' needs an image/);
    // progressive catalogues take images and labels (test/browser/catalogProgressiveShared.browser.test.ts) and refuse bad ones by name
    const progressive = (style: object) => () => new ProgressiveCatalogLayer(device, 'rgba8unorm', { id: 'p', baseUrl: '/none/', orderMin: 1, orderMax: 3, metadata: undefined as never, ...style });
    expect(progressive({ shape: 'image' })).to.throw(/shape 'image' needs an image/);
    expect(progressive({ labels: { column: 'name' } })).to.throw(/labels\.column: no column 'name'/);
    progressive({ shape: 'image', image })().destroy();
    expect(gpuErrors).to.deep.equal([]);
  });

  it('draws proper-motion arrows of real stars whose tips lie within 1 px of astropy\'s propagated positions', async () => {
    interface Star { id: string; raDeg: number; decDeg: number; pmRa: number; pmDec: number; epoch: number; at: [number, number, number][] }
    const fixture = (await (await fetch('/test/fixtures/propermotion/stars.json')).json()) as { stars: Star[] };
    const pick = (id: string) => fixture.stars.find((s) => s.id === id)!;
    // Barnard's star and Kapteyn's star (Tycho-2, J2000), and a Hipparcos row of Tycho-2 supplement 1 (J1991.25)
    const supplement = fixture.stars.find((s) => s.epoch === 1991.25)!;
    const stars = [pick('TYC 0425-02502-1'), pick('TYC 8078-01749-1'), supplement];
    const size = 320;
    const report: string[] = [];
    for (const s of stars) {
      const at = (e: number) => s.at.find((a) => a[0] === e)!;
      const [, ra0, dec0] = at(2016);
      const [, ra1, dec1] = at(2500);
      const moveDeg = Math.hypot((ra1 - ra0) * Math.cos((dec0 * Math.PI) / 180), dec1 - dec0);
      // the arrow spans about half the view
      const view: ViewState = { raDeg: (ra0 + ra1) / 2, decDeg: (dec0 + dec1) / 2, fovDeg: Math.max(moveDeg * 2, 0.01), rollDeg: 0, projection: 'TAN', widthPx: size, heightPx: size };
      const renderer = new SkyRenderer(device, 'rgba8unorm');
      renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', {
        id: 'pm', data: { raDeg: [s.raDeg], decDeg: [s.decDeg], columns: { pmRa: Float64Array.of(s.pmRa), pmDec: Float64Array.of(s.pmDec) } },
        sizePx: 4, filled: true, color: '#00ff00', lineWidthPx: 2, densityThreshold: Infinity,
        properMotion: { pmRaColumn: 'pmRa', pmDecColumn: 'pmDec', catalogueEpoch: s.epoch, epoch: 2016, arrowYears: 484 },
      }));
      const target = createTarget(device, size, size);
      try {
        renderer.setView(view);
        renderer.render(target.texture.createView());
        const px = await target.read();
        const p = projectRows(view, Float64Array.of(ra0, ra1), Float64Array.of(dec0, dec1));
        const [bx, by, tx, ty] = [p[0], p[1], p[2], p[3]];
        const len = Math.hypot(tx - bx, ty - by);
        expect(len, `${s.id}: arrow length`).to.be.greaterThan(size / 4);
        const dir = [(tx - bx) / len, (ty - by) / len];
        // the farthest lit pixel along the arrow
        let tMax = -Infinity;
        let lateral = 0;
        let lit = 0;
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            if (px[(y * size + x) * 4 + 1] < 16) continue; // coverage >= 1/16
            lit++;
            const dx = x + 0.5 - bx;
            const dy = y + 0.5 - by;
            const t = dx * dir[0] + dy * dir[1];
            if (t > tMax) {
              tMax = t;
              lateral = Math.abs(-dx * dir[1] + dy * dir[0]);
            }
          }
        }
        report.push(`${s.id}: length ${len.toFixed(1)} px, tip at ${tMax.toFixed(2)} px along (lateral ${lateral.toFixed(2)}), ${lit} lit pixels`);
        expect(Math.abs(tMax - len), `${s.id}: the tip is where astropy puts the star at J2500`).to.be.at.most(1);
        expect(lateral, `${s.id}: the tip is on the line of motion`).to.be.at.most(1);
        // the shaft is drawn along the way (half-way point lit), the star's marker at its J2016 position
        const mid = pixelAt(px, size, Math.floor((bx + tx) / 2), Math.floor((by + ty) / 2));
        expect(mid[1], `${s.id}: shaft`).to.be.greaterThan(100);
        expect(pixelAt(px, size, Math.floor(bx), Math.floor(by))[1], `${s.id}: marker at J2016`).to.equal(255);
        // nothing beyond the tip
        const beyond = pixelAt(px, size, Math.floor(tx + dir[0] * 3), Math.floor(ty + dir[1] * 3));
        expect(beyond[1], `${s.id}: beyond the tip`).to.equal(0);
      } finally {
        target.destroy();
        renderer.destroy();
      }
    }
    console.log(report.join('\n'));
    expect(gpuErrors).to.deep.equal([]);
  });

  it('labels the N brightest named stars in view (text pixels beside them) and no others, and follows the view', async () => {
    interface Star { id: number; properties: { mag: number }; geometry: { coordinates: [number, number] } }
    const stars = (await (await fetch('/shared/data/catalogs/stars.6.json')).json()).features as Star[];
    const names = (await (await fetch('/shared/data/catalogs/starnames.json')).json()) as Record<string, { name: string }>;
    const named = stars.filter((s) => names[String(s.id)]?.name);
    const n = named.length;
    const raDeg = new Float64Array(n);
    const decDeg = new Float64Array(n);
    const mag = new Float32Array(n);
    const name: string[] = [];
    named.forEach((s, i) => {
      const [lon, lat] = s.geometry.coordinates;
      raDeg[i] = lon < 0 ? lon + 360 : lon;
      decDeg[i] = lat;
      mag[i] = s.properties.mag;
      name.push(names[String(s.id)].name);
    });
    const size = 400;
    const view: ViewState = { raDeg: 83.8, decDeg: -1, fovDeg: 24, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size };
    const count = 3;
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', {
      id: 'names', data: { raDeg, decDeg, columns: { mag, name } }, sizePx: 5, filled: true, color: '#ff0000', densityThreshold: Infinity,
      labels: { column: 'name', count, fontPx: 13, brightnessColumn: 'mag' },
    }));
    const target = createTarget(device, size, size);
    try {
      renderer.setView(view);
      renderer.render(target.texture.createView());
      const px = await target.read();
      const pos = projectRows(view, raDeg, decDeg);
      const inView = [...Array(n).keys()].filter((r) => pos[2 * r] >= 0 && pos[2 * r] < size && pos[2 * r + 1] >= 0 && pos[2 * r + 1] < size).sort((a, b) => mag[a] - mag[b]);
      const top = inView.slice(0, count);
      // these are Orion's brightest: Rigel, Betelgeuse, Bellatrix (far enough apart that their labels cannot overlap)
      expect(top.map((r) => name[r])).to.deep.equal(['Rigel', 'Betelgeuse', 'Bellatrix']);
      const placed = layer.labelPlacements;
      expect(placed.map((p) => p.row)).to.deep.equal(top);
      // white text pixels (the markers are red) in a box right of each labelled star, none right of the next fainter ones
      const whiteRightOf = (r: number) => {
        let white = 0;
        const x0 = Math.floor(pos[2 * r]) + 4;
        const y0 = Math.floor(pos[2 * r + 1]) - 7;
        for (let y = Math.max(0, y0); y < Math.min(size, y0 + 14); y++) {
          for (let x = Math.max(0, x0); x < Math.min(size, x0 + 30); x++) {
            const [R, G, B] = pixelAt(px, size, x, y);
            if (R > 200 && G > 200 && B > 200) white++;
          }
        }
        return white;
      };
      for (const r of top) expect(whiteRightOf(r), `label of ${name[r]}`).to.be.greaterThan(8);
      const overlapsPlaced = (r: number) => placed.some((p) => pos[2 * r] + 34 > p.x0 && pos[2 * r] < p.x1 && pos[2 * r + 1] + 7 > p.y0 && pos[2 * r + 1] - 7 < p.y1);
      const others = inView.slice(count).filter((r) => !overlapsPlaced(r)).slice(0, 6);
      expect(others.length).to.be.greaterThan(3);
      for (const r of others) expect(whiteRightOf(r), `no label for ${name[r]} (mag ${mag[r]})`).to.equal(0);
      // every label box lies inside the view
      for (const p of placed) expect(p.x0 >= 0 && p.y0 >= 0 && p.x1 <= size && p.y1 <= size, `${p.text} inside the view`).to.equal(true);

      // labels follow the GPU filters (their CPU twin): without Rigel the next brightest are labelled
      layer.setFilters([{ column: 'mag', min: 0.3 }]);
      renderer.render(target.texture.createView());
      expect(layer.labelPlacements.map((p) => p.row)).to.deep.equal(inView.filter((r) => mag[r] >= 0.3).slice(0, count));
      layer.setFilters([]);

      // pan so that Rigel leaves the view: the labels are placed again for the new view
      const view2: ViewState = { ...view, decDeg: 12 };
      renderer.setView(view2);
      renderer.render(target.texture.createView());
      const pos2 = projectRows(view2, raDeg, decDeg);
      const inView2 = [...Array(n).keys()].filter((r) => pos2[2 * r] >= 0 && pos2[2 * r] < size && pos2[2 * r + 1] >= 0 && pos2[2 * r + 1] < size);
      const rows2 = layer.labelPlacements.map((p) => p.row);
      expect(rows2).to.not.include(top[0]);
      expect(rows2.length).to.equal(count);
      for (const r of rows2) expect(inView2).to.include(r);
      expect(rows2[0], 'the brightest star in the new view is labelled first').to.equal(inView2.sort((a, b) => mag[a] - mag[b])[0]);
    } finally {
      target.destroy();
      renderer.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it('does not draw an arrow across the map when the motion crosses an all-sky projection\'s seam', async () => {
    const size = 400;
    const view: ViewState = { raDeg: 0, decDeg: 0, fovDeg: 360, rollDeg: 0, projection: 'AIT', widthPx: size, heightPx: size / 2 };
    // 1°/yr eastwards for 2 years: one star crosses RA 180 (the seam), the other moves from RA 60 to 62
    const raDeg = Float64Array.of(179.2, 60);
    const decDeg = Float64Array.of(10, -10);
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', {
      id: 'seam', data: { raDeg, decDeg, columns: { pmRa: Float64Array.of(3.6e6, 3.6e6), pmDec: Float64Array.of(0, 0) } },
      sizePx: 3, filled: true, color: '#00ff00', lineWidthPx: 2, densityThreshold: Infinity,
      properMotion: { pmRaColumn: 'pmRa', pmDecColumn: 'pmDec', catalogueEpoch: 2000, arrowYears: 2 },
    }));
    const target = createTarget(device, size, size / 2);
    try {
      renderer.setView(view);
      renderer.render(target.texture.createView());
      const px = await target.read();
      const pos = projectRows(view, Float64Array.of(179.2, 181.2, 60, 62), Float64Array.of(10, 10, -10, -10));
      const litAlong = (x0: number, y0: number, x1: number, y1: number) => {
        let lit = 0;
        for (let k = 1; k < 20; k++) {
          const t = 0.2 + (0.6 * k) / 20; // the middle of the segment, away from the markers
          if (pixelAt(px, size, Math.floor(x0 + t * (x1 - x0)), Math.floor(y0 + t * (y1 - y0)))[1] > 64) lit++;
        }
        return lit;
      };
      expect(Math.abs(pos[2] - pos[0]), 'the seam star jumps across the map').to.be.greaterThan(size / 2);
      expect(litAlong(pos[0], pos[1], pos[2], pos[3]), 'no arrow across the map').to.equal(0);
      expect(litAlong(pos[4], pos[5], pos[6], pos[7]), 'the other arrow is drawn').to.be.greaterThan(15);
    } finally {
      target.destroy();
      renderer.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });

  it('GPU text: strings whose characters overflow the glyph atlas are left out, never a failed frame', async () => {
    const text = new TextLabels(device, 'rgba8unorm');
    try {
      // at 64 px the atlas holds 25 x 40 = 1000 distinct characters; 12 strings of 100 distinct CJK characters each
      const items = Array.from({ length: 12 }, (_, k) => ({ text: String.fromCodePoint(...Array.from({ length: 100 }, (_, i) => 0x4e00 + 100 * k + i)), xPx: 0, yMidPx: 40 }));
      text.set(items, 64, [1, 1, 1, 1], 400, 300);
      expect(text.glyphs).to.equal(1000);
      text.set(items.slice(0, 2), 64, [1, 1, 1, 1], 400, 300);
      expect(text.glyphs).to.equal(200);
      const target = createTarget(device, 400, 300);
      const enc = device.createCommandEncoder();
      const pass = enc.beginRenderPass({ colorAttachments: [{ view: target.texture.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }] });
      text.encode(pass);
      pass.end();
      device.queue.submit([enc.finish()]);
      const px = await target.read();
      let white = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] > 200 && px[i + 1] > 200 && px[i + 2] > 200) white++;
      expect(white, 'glyph pixels drawn').to.be.greaterThan(500);
      target.destroy();
    } finally {
      text.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });
});
