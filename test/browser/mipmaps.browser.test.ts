// Mipmapped colour tiles: a survey whose tiles are a one-pixel black/white checkerboard, drawn
// whole-sky into a thumbnail (each 64-px tile squeezed into ~12 px), must come out as the
// checkerboard's mean grey rather than an aliased pattern of black and white pixels; and at 1:1
// (a tile pixel per device pixel) the pattern must stay sharp. Chains are rendered only for tiles
// drawn squeezed (tileSqueeze.ts): none at 1:1.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { parseHipsProperties } from '../../src/hips/properties.js';
import type { DecodedTile, TileFetcher } from '../../src/hips/tileManager.js';
import { createTarget, gpuErrors, requestTestDevice, sleep } from './renderTarget.js';

const W = 64;
const checker = new Uint8Array(W * W * 4);
for (let y = 0; y < W; y++) {
  for (let x = 0; x < W; x++) {
    const v = (x + y) % 2 ? 255 : 0;
    checker.set([v, v, v, 255], (y * W + x) * 4);
  }
}
const fetcher: TileFetcher = {
  fetchTile: async (url: string): Promise<DecodedTile | null> => (url.includes('Allsky') ? null : { width: W, height: W, rgba: checker.slice() }),
};
const properties = parseHipsProperties(['creator_did = ivo://test/checker', 'obs_title = checker', 'dataproduct_type = image', 'hips_version = 1.4',
  'hips_release_date = 2026-01-01T00:00Z', 'hips_status = public master clonableOnce', 'hips_tile_format = png', 'hips_order = 3',
  'hips_frame = equatorial', `hips_tile_width = ${W}`].join('\n'));

let mipChains = -1;

async function render(view: { fovDeg: number; widthPx: number; heightPx: number; projection: 'CAR' | 'TAN' }): Promise<number[]> {
  const device = await requestTestDevice();
  const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: { r: 1, g: 0, b: 0, a: 1 } });
  const layer = renderer.addHipsLayer({ id: 'checker', baseUrl: '', properties, fetcher });
  const target = createTarget(device, view.widthPx, view.heightPx);
  try {
    renderer.setView({ raDeg: 180, decDeg: 0, rollDeg: 0, ...view });
    for (let i = 0; !renderer.settled; i++) {
      renderer.render(target.texture.createView());
      await device.queue.onSubmittedWorkDone();
      if (i > 500) throw new Error('not settled');
      await sleep(5);
    }
    const px = await target.read();
    mipChains = layer.stats.mipChains;
    const greys: number[] = [];
    // the middle half of the image, red channel (background is pure red, sky is grey)
    for (let y = view.heightPx >> 2; y < (3 * view.heightPx) >> 2; y++) {
      for (let x = view.widthPx >> 2; x < (3 * view.widthPx) >> 2; x++) greys.push(px[(y * view.widthPx + x) * 4 + 1]!);
    }
    return greys;
  } finally {
    renderer.destroy();
    target.destroy();
    device.destroy();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

describe('mipmapped colour tiles', () => {
  it('average a squeezed tile instead of aliasing it', async () => {
    const greys = await render({ fovDeg: 360, widthPx: 96, heightPx: 48, projection: 'CAR' });
    expect(Math.abs(mean(greys) - 127.5), `mean ${mean(greys)}`).to.be.below(20);
    expect(std(greys), `std ${std(greys)}`).to.be.below(25); // unfiltered: ~100 (pixels near 0 or 255)
    // (without the chain for squeezed tiles: std 42)
    expect(mipChains).to.be.above(0);
    expect(gpuErrors).to.deep.equal([]);
  });

  it('keep a tile sharp when its pixels match the screen', async () => {
    // order 3, 64-px tiles: a tile pixel is 58.6° / 512 ≈ 0.1145°; 128 px over 14.66° ≈ 1:1
    // bilinear sampling at arbitrary sub-pixel offsets already greys a 1-px checkerboard (std ~44
    // here, against ~20 once squeezed); without the shader's negative LOD bias the next mip level
    // is mixed in half-way and the std measured 39.7, so this catches a blurrier level choice
    const greys = await render({ fovDeg: 128 * (58.6 / 512), widthPx: 128, heightPx: 128, projection: 'TAN' });
    expect(std(greys), `std ${std(greys)}`).to.be.above(42);
    expect(mipChains, 'tiles drawn 1:1 need no mip chain').to.equal(0);
  });
});
