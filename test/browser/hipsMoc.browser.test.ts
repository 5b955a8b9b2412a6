// The HiPS layer honours the survey's MOC: Moc.fits is read before any tile is asked for, tiles
// outside it are never requested and cells outside it are not drawn (real DSS2 tiles from
// ../shared/data; the MOC is a cone written by our MOC writer and served as the survey's
// Moc.fits); a 404 Moc.fits means no MOC. And the GPU tile array keeps to its byte budget,
// evicting the least recently used unpinned tile first.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { TileTextureArray } from '../../src/render/tileTextureArray.js';
import { DecodePool } from '../../src/workers/pool.js';
import { loadHipsProperties, type FetchLike } from '../../src/hips/hipsSource.js';
import { SpaceMoc } from '../../src/hips/moc/spaceMoc.js';
import { ang2pix } from '../../src/hips/healpix.js';
import type { DecodedTile, TileFetcher } from '../../src/hips/tileManager.js';
import type { HipsLayer } from '../../src/render/layers/hipsLayer.js';
import { makeCamera, unproject, pixelToNdc, type ViewState } from '../../src/math/camera.js';
import { vecToLonLatDeg } from '../../src/math/vec3.js';
import { createTarget, pixelAt, requestTestDevice, sleep } from './renderTarget.js';

class CountingFetcher implements TileFetcher {
  urls: string[] = [];
  constructor(private readonly inner: TileFetcher) {}
  fetchTile(url: string, signal: AbortSignal): Promise<DecodedTile | null> {
    this.urls.push(url);
    return this.inner.fetchTile(url, signal);
  }
}

const BASE = '/shared/data/hips/cds_dss2_color_subset/';
const SIZE = 129;
const VIEW: ViewState = { raDeg: 85.3, decDeg: -2.25, fovDeg: 40, rollDeg: 0, projection: 'SIN', widthPx: SIZE, heightPx: SIZE };

async function draw(moc: SpaceMoc | undefined): Promise<{ layer: HipsLayer; urls: string[]; mocRequests: number; pixels: Uint8Array }> {
  const device = await requestTestDevice();
  const pool = new DecodePool(1);
  const fetcher = new CountingFetcher(pool);
  let mocRequests = 0;
  const fetchFn: FetchLike = async (url, init) => {
    if (url.endsWith('/Moc.fits')) {
      mocRequests++;
      return moc ? new Response(new Blob([moc.toFits() as Uint8Array<ArrayBuffer>])) : new Response('not found', { status: 404 });
    }
    return fetch(url, init);
  };
  const renderer = new SkyRenderer(device, 'rgba8unorm', { clearColor: { r: 0, g: 0, b: 0, a: 0 } });
  const target = createTarget(device, SIZE, SIZE);
  try {
    const layer = renderer.addHipsLayer({ id: 'dss', baseUrl: BASE, properties: await loadHipsProperties(BASE), fetcher, fetchFn }) as HipsLayer;
    renderer.setView(VIEW);
    for (let i = 0; !renderer.settled; i++) {
      renderer.render(target.texture.createView());
      await device.queue.onSubmittedWorkDone();
      if (i > 3000) throw new Error('not settled');
      await sleep(10);
    }
    return { layer, urls: [...fetcher.urls], mocRequests, pixels: await target.read() };
  } finally {
    renderer.destroy();
    target.destroy();
    pool.destroy();
    device.destroy();
  }
}

function tileOf(url: string): { order: number; ipix: number } {
  const m = /Norder(\d+)\/Dir\d+\/Npix(\d+)\./.exec(url)!;
  return { order: Number(m[1]), ipix: Number(m[2]) };
}

describe('HiPS layer and the survey MOC', () => {
  it('requests and draws only tiles that touch Moc.fits', async () => {
    const cone = SpaceMoc.fromCone(8, 85.3, -2.25, 4);
    const withMoc = await draw(cone);
    const without = await draw(undefined);
    expect(withMoc.layer.stats.moc).to.equal('loaded');
    expect(without.layer.stats.moc).to.equal('absent');
    expect(withMoc.mocRequests).to.equal(1);
    expect(withMoc.urls.length).to.be.greaterThan(0);
    for (const u of withMoc.urls) {
      const t = tileOf(u);
      expect(SpaceMoc.fromCells(t.order, [t.ipix]).intersection(cone).isEmpty(), `${u} is outside the MOC`).to.equal(false);
    }
    expect(without.urls.length).to.be.greaterThan(withMoc.urls.length);
    // pixels: inside the cone the sky is drawn; where the view shows cells outside the MOC, nothing
    const camera = makeCamera(VIEW);
    let inside = 0;
    let outside = 0;
    for (let y = 4; y < SIZE; y += 8) {
      for (let x = 4; x < SIZE; x += 8) {
        const s = unproject(camera, ...pixelToNdc(VIEW, x + 0.5, y + 0.5));
        if (!s) continue;
        const [lon, lat] = vecToLonLatDeg(s);
        const cellOrder = withMoc.layer.stats.drawOrder;
        const touches = !SpaceMoc.fromCells(cellOrder, [ang2pix(cellOrder, lon, lat)]).intersection(cone).isEmpty();
        const a = pixelAt(withMoc.pixels, SIZE, x, y)[3];
        if (cone.contains(lon, lat)) {
          expect(a, `pixel ${x},${y} inside the MOC`).to.equal(255);
          inside++;
        } else if (!touches) {
          expect(a, `pixel ${x},${y} in a cell outside the MOC`).to.equal(0);
          expect(pixelAt(without.pixels, SIZE, x, y)[3], `pixel ${x},${y} without a MOC`).to.equal(255);
          outside++;
        }
      }
    }
    expect(inside).to.be.greaterThan(5);
    expect(outside).to.be.greaterThan(5);
  });
});

describe('TileTextureArray byte budget', () => {
  it('holds what its budget allows and evicts the least recently used unpinned tile', async () => {
    const device = await requestTestDevice();
    // rgba8unorm tiles carry a mip chain: 4/3 of the base level's bytes
    const perTile = (32 * 32 * 4 * 4) / 3;
    const arr = new TileTextureArray(device, 32, 6 * perTile + 16);
    try {
      expect(arr.capacity).to.equal(6);
      const evicted: number[] = [];
      const owner = { onEvict: (k: number) => evicted.push(k) };
      const data = new Uint8Array(32 * 32 * 4);
      for (let k = 1; k <= 6; k++) expect(arr.upload(k, 32, 32, data, new Set(), owner)).to.equal(true);
      expect(arr.bytes).to.be.at.most(6 * perTile + 1);
      arr.touch(1); // 2 is now the least recently used
      expect(arr.upload(7, 32, 32, data, new Set([2]), owner)).to.equal(true); // 2 pinned: 3 goes
      expect(evicted).to.deep.equal([3]);
      expect(arr.upload(8, 32, 32, data, new Set(), owner)).to.equal(true);
      expect(evicted).to.deep.equal([3, 2]);
      expect([1, 2, 3, 4, 5, 6, 7, 8].map((k) => arr.has(k))).to.deep.equal([true, false, false, true, true, true, true, true]);
      expect(arr.upload(9, 32, 32, data, new Set([1, 4, 5, 6, 7, 8]), owner)).to.equal(false); // every slot pinned
      expect(arr.used).to.equal(6);
      expect(arr.bytes).to.be.at.most(6 * perTile + 1);
      // a bigger budget grows in steps and never past it
      const big = new TileTextureArray(device, 32, 40 * perTile + 16);
      for (let k = 0; k < 45; k++) big.upload(k, 32, 32, data, new Set());
      expect(big.capacity).to.equal(40);
      expect(big.used).to.equal(40);
      expect(big.bytes).to.be.closeTo(40 * perTile, 1);
      big.destroy();
    } finally {
      arr.destroy();
      device.destroy();
    }
  });
});
