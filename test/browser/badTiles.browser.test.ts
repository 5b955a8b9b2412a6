// Bad input (issue 4): tiles that do not match the survey's hips_tile_width, truncated image
// tiles, and FITS tiles with an invalid BITPIX or cut short, decoded by the real worker pool. Each
// is reported once through the layer's onError (the element turns it into a layer-error event)
// with a reason naming the problem, and the rest of the survey keeps drawing: the view settles
// and the good tiles are on screen.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { parseHipsProperties } from '../../src/hips/properties.js';
import type { DecodedTile, TileErrorInfo, TileFetcher } from '../../src/hips/tileManager.js';
import { DecodePool } from '../../src/workers/pool.js';
import { makeCamera, pixelToNdc, unproject, type ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, requestTestDevice, sleep } from './renderTarget.js';

const W = 32;

function properties(format: string): ReturnType<typeof parseHipsProperties> {
  return parseHipsProperties(['creator_did = ivo://test/bad', 'obs_title = bad tiles', 'dataproduct_type = image', 'hips_version = 1.4',
    'hips_release_date = 2026-01-01T00:00Z', 'hips_status = public master clonableOnce', `hips_tile_format = ${format}`, 'hips_order = 0',
    'hips_frame = equatorial', `hips_tile_width = ${W}`, 'hips_pixel_bitpix = -32'].join('\n'));
}

async function png(size: number, rgb: [number, number, number]): Promise<Uint8Array<ArrayBuffer>> {
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = `rgb(${rgb.join(',')})`;
  ctx.fillRect(0, 0, size, size);
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
}

/** A FITS image: 80-character cards padded to 2880 bytes, then big-endian float32 values (padded). */
function fits(cards: string[], values: number[], truncateTo?: number): Uint8Array<ArrayBuffer> {
  const header = [...cards, 'END'].map((c) => c.padEnd(80)).join('');
  const headerBytes = Math.ceil(header.length / 2880) * 2880;
  const dataBytes = Math.ceil((values.length * 4) / 2880) * 2880;
  const out = new Uint8Array(headerBytes + dataBytes).fill(0x20, 0, headerBytes);
  for (let i = 0; i < header.length; i++) out[i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, headerBytes);
  values.forEach((v, i) => view.setFloat32(i * 4, v, false));
  return truncateTo === undefined ? out : out.slice(0, truncateTo);
}

const card = (key: string, value: string | number) => `${key.padEnd(8)}= ${String(value).padStart(20)}`;

/** Serves tile bytes by order-0 pixel index through blob: URLs, decoded by the real worker pool. */
function poolFetcher(pool: DecodePool, bytesOf: (ipix: number) => Uint8Array<ArrayBuffer> | undefined, ext: string): TileFetcher & { urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetchTile: async (url: string, signal: AbortSignal): Promise<DecodedTile | null> => {
      const m = /Npix(\d+)\./.exec(url);
      const bytes = m ? bytesOf(Number(m[1])) : undefined;
      if (!bytes) return null; // 404
      const blobUrl = URL.createObjectURL(new Blob([bytes]));
      urls.push(blobUrl);
      // the pool picks the FITS decoder by the URL's extension; a fragment keeps the blob URL valid
      return pool.fetchTile(`${blobUrl}#tile.${ext}`, signal);
    },
  };
}

async function renderSettled(renderer: SkyRenderer, view: GPUTextureView, device: GPUDevice): Promise<void> {
  for (let i = 0; !renderer.settled; i++) {
    renderer.render(view);
    await device.queue.onSubmittedWorkDone();
    if (i > 3000) throw new Error('not settled');
    await sleep(5);
  }
}

/** Fraction of on-sky pixels (CPU unproject) whose colour is within 3 of rgb. */
function fractionOf(px: Uint8Array, viewState: ViewState, rgb: [number, number, number]): number {
  const cam = makeCamera(viewState);
  const { widthPx: w, heightPx: h } = viewState;
  let sky = 0;
  let match = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!unproject(cam, ...pixelToNdc(viewState, x + 0.5, y + 0.5))) continue;
      sky++;
      const o = (y * w + x) * 4;
      if (Math.max(Math.abs(px[o] - rgb[0]), Math.abs(px[o + 1] - rgb[1]), Math.abs(px[o + 2] - rgb[2])) <= 3) match++;
    }
  }
  return match / sky;
}

describe('bad tiles are reported and the rest keeps drawing', () => {
  const viewState: ViewState = { raDeg: 0, decDeg: 0, fovDeg: 360, rollDeg: 0, projection: 'AIT', widthPx: 160, heightPx: 90 };

  it('colour tiles of the wrong size or cut short', async () => {
    const device = await requestTestDevice();
    const pool = new DecodePool(2);
    const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: { r: 1, g: 0, b: 0, a: 1 } });
    const target = createTarget(device, viewState.widthPx, viewState.heightPx);
    const good = await png(W, [40, 200, 90]);
    const small = await png(W / 2, [40, 200, 90]);
    const errors: TileErrorInfo[] = [];
    try {
      const fetcher = poolFetcher(pool, (ipix) => (ipix === 5 ? small : ipix === 7 ? good.slice(0, good.length >> 1) : good), 'png');
      const layer = renderer.addHipsLayer({ id: 'bad', baseUrl: 'http://h/hips/bad/', properties: properties('png'), fetcher, onError: (e) => errors.push(e) });
      renderer.setView(viewState);
      await renderSettled(renderer, target.texture.createView(), device);
      const byTile = new Map(errors.map((e) => [/Npix(\d+)\./.exec(e.url)?.[1], e.reason]));
      expect(errors.length, JSON.stringify(errors)).to.equal(2);
      expect(byTile.get('5')).to.match(/tile is 16x16 pixels but hips_tile_width is 32/);
      expect(byTile.get('7')).to.match(/is not a decodable image/);
      // the ten good tiles of the order-0 sky are drawn: 10/12 of the sky in the tiles' colour (less
      // the outermost ring of pixels, where the boundary's anti-aliased outline begins), and the
      // two bad ones are not drawn at all (the red background shows)
      expect(layer.stats.tilesResident).to.equal(10);
      const px = await target.read();
      expect(fractionOf(px, viewState, [40, 200, 90]), 'fraction of the sky drawn from good tiles').to.be.within(10 / 12 - 0.07, 10 / 12 + 0.01);
      expect(fractionOf(px, viewState, [255, 0, 0]), 'fraction of the sky left empty').to.be.within(2 / 12 - 0.03, 2 / 12 + 0.01);
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      renderer.destroy();
      target.destroy();
      pool.destroy();
    }
  });

  it('FITS tiles with an invalid BITPIX or cut short', async () => {
    const device = await requestTestDevice();
    const pool = new DecodePool(2);
    const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: { r: 1, g: 0, b: 0, a: 1 } });
    const target = createTarget(device, viewState.widthPx, viewState.heightPx);
    const cards = (bitpix: number) => [card('SIMPLE', 'T'), card('BITPIX', bitpix), card('NAXIS', 2), card('NAXIS1', W), card('NAXIS2', W)];
    const ones = new Array<number>(W * W).fill(1);
    const good = fits(cards(-32), ones);
    const errors: TileErrorInfo[] = [];
    try {
      const fetcher = poolFetcher(pool, (ipix) => (ipix === 2 ? fits(cards(12), ones) : ipix === 9 ? good.slice(0, 2880 + 1000) : good), 'fits');
      const layer = renderer.addHipsLayer({
        id: 'badfits', baseUrl: 'http://h/hips/badfits/', properties: properties('fits'), fetcher, tileKind: 'fits',
        display: { colormap: 'grayscale', stretch: 'linear', cuts: [0, 1] }, onError: (e) => errors.push(e),
      });
      renderer.setView(viewState);
      await renderSettled(renderer, target.texture.createView(), device);
      const byTile = new Map(errors.map((e) => [/Npix(\d+)\./.exec(e.url)?.[1], e.reason]));
      expect(errors.length, JSON.stringify(errors)).to.equal(2);
      expect(byTile.get('2')).to.match(/FITS tile .* cannot be read: .*BITPIX = 12 is not a valid FITS BITPIX/);
      expect(byTile.get('9')).to.match(/FITS tile .* cannot be read: /);
      expect(layer.stats.tilesResident).to.equal(10);
      // value 1 at cuts [0, 1] on the grayscale map is white
      const px = await target.read();
      expect(fractionOf(px, viewState, [255, 255, 255]), 'fraction of the sky drawn from good tiles').to.be.within(10 / 12 - 0.07, 10 / 12 + 0.01);
      expect(fractionOf(px, viewState, [255, 0, 0]), 'fraction of the sky left empty').to.be.within(2 / 12 - 0.03, 2 / 12 + 0.01);
      expect(gpuErrors).to.deep.equal([]);
    } finally {
      renderer.destroy();
      target.destroy();
      pool.destroy();
    }
  });
});
