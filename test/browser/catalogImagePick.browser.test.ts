// Image markers pick by their own alpha (catalog.wgsl.ts fsPick): a ring-shaped PNG made here
// (OffscreenCanvas -> PNG blob -> decoded ImageBitmap). A click in a ring's transparent hole does
// not pick that row but the row under it, if its ring is there; a click on a ring picks its row;
// a click in the hole (or the transparent corners of the square) with nothing under it picks
// nothing. (ProgressiveCatalogLayer draws and picks with the same pipelines.)
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { CatalogLayer } from '../../src/render/layers/catalogLayer.js';
import { makeCamera, pixelToNdc, unproject, type ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, requestTestDevice } from './renderTarget.js';

const SIZE = 256;
const SIDE = 64; // marker size, device px (= the image's side)
const INNER = 0.2 * SIDE; // ring radii, px
const OUTER = 0.4 * SIDE;

/** A 64x64 PNG: an opaque white ring (radii 12.8 and 25.6 px), transparent elsewhere. */
async function ringImage(): Promise<ImageBitmap> {
  const c = new OffscreenCanvas(SIDE, SIDE);
  const g = c.getContext('2d')!;
  g.fillStyle = '#ffffff';
  g.beginPath();
  g.arc(SIDE / 2, SIDE / 2, OUTER, 0, 2 * Math.PI);
  g.arc(SIDE / 2, SIDE / 2, INNER, 0, 2 * Math.PI, true);
  g.fill('evenodd');
  const png = await c.convertToBlob({ type: 'image/png' });
  expect(png.type).to.equal('image/png');
  return createImageBitmap(png);
}

describe('image markers pick by alpha', () => {
  it('a click in a ring\'s hole picks the row below; on the ring, its own row; in an empty hole, nothing', async () => {
    const device = await requestTestDevice();
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const view: ViewState = { raDeg: 10, decDeg: 20, fovDeg: 8, rollDeg: 0, projection: 'SIN', widthPx: SIZE, heightPx: SIZE };
    renderer.setView(view);
    const cam = makeCamera(view);
    // rows placed at chosen device pixels (y down): 0 and 1 overlap (1 drawn later, on top), 2 alone
    const at: Array<[number, number]> = [[80.5, 128.5], [99.5, 128.5], [190.5, 100.5]];
    const raDeg = new Float64Array(at.length);
    const decDeg = new Float64Array(at.length);
    at.forEach(([x, y], i) => {
      const [nx, ny] = pixelToNdc(view, x, y);
      const v = unproject(cam, nx, ny)!;
      raDeg[i] = ((Math.atan2(v[1], v[0]) * 180) / Math.PI + 360) % 360;
      decDeg[i] = (Math.asin(v[2]) * 180) / Math.PI;
    });
    const image = await ringImage();
    const target = createTarget(device, SIZE, SIZE);
    try {
      const layer = renderer.addLayer(new CatalogLayer(device, 'rgba8unorm', {
        id: 'rings', data: { raDeg, decDeg }, shape: 'image', image, imageTint: false, sizePx: SIDE, densityThreshold: Infinity,
      }));
      renderer.render(target.texture.createView());
      const px = await target.read();
      const red = (x: number, y: number) => px[(Math.floor(y) * SIZE + Math.floor(x)) * 4];
      // drawn as rings: the lone ring's hole is background, its ring white
      expect(red(190.5, 100.5), 'hole of row 2').to.equal(0);
      expect(red(190.5 + 19, 100.5), 'ring of row 2').to.be.greaterThan(200);
      const pickRow = async (x: number, y: number) => (await renderer.pick(x, y))?.row;
      // row 1's centre is in its hole and on row 0's ring (19 px from row 0): row 0
      expect(await pickRow(99.5, 128.5), 'hole of row 1 over the ring of row 0').to.equal(0);
      // row 0's centre is in its hole and on row 1's ring (row 1 above): row 1
      expect(await pickRow(80.5, 128.5), 'hole of row 0 under the ring of row 1').to.equal(1);
      // row 0's ring where row 1 does not reach (row 0 left edge): row 0
      expect(await pickRow(80.5 - 19, 128.5), 'ring of row 0').to.equal(0);
      // the lone row: hole -> nothing, ring -> itself, transparent corner of its square -> nothing
      expect(await pickRow(190.5, 100.5), 'hole of row 2').to.equal(undefined);
      expect(await pickRow(190.5 + 19, 100.5), 'ring of row 2').to.equal(2);
      expect(await pickRow(190.5 - 19, 100.5 + 4), 'ring of row 2 (left)').to.equal(2);
      expect(await pickRow(190.5 + 29, 100.5 + 29), 'corner of row 2\'s square').to.equal(undefined);
      // the same rows as circles pick anywhere in the disc, the centre included
      layer.setStyle({ shape: 'circle', filled: true, sizePx: SIDE });
      renderer.render(target.texture.createView());
      expect(await pickRow(190.5, 100.5), 'centre of a circle').to.equal(2);
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      renderer.destroy();
      target.destroy();
    }
  });
});
