// Measurements of progressive catalogues with many tiles (printed, not asserted; not part of the
// test suite: bench/catalog-progressive.bench.mjs runs it with `web-test-runner` and reads the
// `BENCH {json}` lines). A synthetic HiPS catalogue served in memory (orders 6..6, 20 random rows
// per cell, seeded) viewed at 20° (~700 tiles wanted): frame times (render + GPU done) of pan
// frames and of unchanged frames for the shared-buffer ProgressiveCatalogLayer, against the design
// it replaced, one CatalogLayer per tile (built here from the same tiles, as the old layer did:
// own buffers, pick base per tile, no density), on this machine's WebGPU (SwiftShader without a GPU);
// and the shared layer's density map of the same view (densityThreshold lowered) against its markers;
// and the shared layer's markers on the compute-rasterised path (markerPath 'compute': one fused
// place + raster pass, one full-screen resolve) against its quads (markerPath 'raster'), same run.
import { expect } from '@esm-bundle/chai';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { CatalogLayer } from '../../src/render/layers/catalogLayer.js';
import { ProgressiveCatalogLayer } from '../../src/render/layers/progressiveCatalogLayer.js';
import { parseHipsCatalogMetadata } from '../../src/hips/catalog.js';
import { tileColumns } from '../../src/catalog/progressiveRows.js';
import { pix2ang } from '../../src/hips/healpix.js';
import type { ViewState } from '../../src/math/camera.js';
import { createTarget, gpuErrors, requestTestDevice, sleep } from './renderTarget.js';
import { seeded } from './catalogHelpers.js';

const bench = (metric: string, samples: number[]) => console.log(`BENCH ${JSON.stringify({ metric, unit: 'ms', samples })}`);
const ORDER = 6;
const ROWS = 20;

function tileText(ipix: number): string {
  const rnd = seeded(ipix + 1);
  let text = `# Completeness = ${ROWS} / ${ROWS}\nid\tra\tdec\tmag\n`;
  for (let i = 0; i < ROWS; i++) {
    // a random order-14 cell inside this order-6 cell
    const sub = ipix * 4 ** 8 + Math.floor(rnd() * 4 ** 8);
    const [ra, dec] = pix2ang(14, sub);
    text += `${ipix * ROWS + i}\t${ra}\t${dec}\t${(rnd() * 10).toFixed(3)}\n`;
  }
  return text;
}

describe('progressive catalogue with many tiles (measured, printed)', () => {
  it('shared buffers vs one layer per tile: pan and unchanged frames', async () => {
    const device = await requestTestDevice();
    const size = 512;
    const target = createTarget(device, size, size);
    const metadata = parseHipsCatalogMetadata('<?xml version="1.0"?><VOTABLE version="1.4"><RESOURCE><TABLE><FIELD name="id" datatype="int"/>'
      + '<FIELD name="ra" datatype="double" ucd="pos.eq.ra;meta.main"/><FIELD name="dec" datatype="double" ucd="pos.eq.dec;meta.main"/><FIELD name="mag" datatype="float"/><DATA><TABLEDATA></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>');
    const serve = async (url: string) => {
      const m = /Npix(\d+)\.tsv$/.exec(url);
      return m ? new Response(tileText(Number(m[1]))) : new Response('', { status: 404 });
    };
    const view = (k: number): ViewState => ({ raDeg: 40 + 0.05 * k, decDeg: 20 + 0.03 * k, fovDeg: 20, rollDeg: 0, projection: 'SIN', widthPx: size, heightPx: size });
    const style = { shape: 'circle' as const, filled: true, sizePx: 4, color: '#ffffff' };
    const frame = async (renderer: SkyRenderer) => {
      const t0 = performance.now();
      renderer.render(target.texture.createView());
      await device.queue.onSubmittedWorkDone();
      return performance.now() - t0;
    };
    const measure = async (renderer: SkyRenderer, label: string) => {
      await frame(renderer);
      const pan: number[] = [];
      for (let k = 1; k <= 8; k++) {
        renderer.setView(view(k));
        pan.push(await frame(renderer));
      }
      const still: number[] = [];
      for (let k = 0; k < 8; k++) still.push(await frame(renderer));
      renderer.setView(view(0));
      await frame(renderer);
      bench(`${label}: pan frame`, pan);
      bench(`${label}: unchanged frame`, still);
    };
    // shared buffers
    const shared = new SkyRenderer(device, 'rgba8unorm');
    const layer = shared.addLayer(new ProgressiveCatalogLayer(device, 'rgba8unorm', { id: 'p', baseUrl: 'https://example.invalid/c/', orderMin: ORDER, orderMax: ORDER, metadata, fetch: serve, ...style, markerPath: 'raster' }));
    shared.setView(view(0));
    for (let i = 0; i < 3000; i++) {
      shared.render(target.texture.createView());
      if (layer.settled && !layer.hasPendingUploads) break;
      await sleep(5);
    }
    expect(layer.settled).to.equal(true);
    const tiles = layer.drawnTiles;
    const st = layer.stats;
    console.log(`shared: ${JSON.stringify(st)}`);
    expect(tiles.length).to.be.greaterThan(300);
    const label = `${tiles.length} tiles × ${ROWS} rows, SIN 20° ${size}x${size}`;
    // quads (the metric's name is kept from before the compute path existed)
    await measure(shared, `shared buffers (1 pass, 1 draw), ${label}`);
    expect(layer.stats.markerPath).to.equal('raster');
    // the same rows on the compute-rasterised path ('auto' picks it here: ~14,000 rows of 4 px)
    layer.setStyle({ markerPath: 'compute' });
    await frame(shared);
    expect(layer.stats.markerPath).to.equal('compute');
    await measure(shared, `shared buffers, compute-rasterised markers (1 fused pass, 1 full-screen resolve), ${label}`);
    layer.setStyle({ markerPath: 'auto' });
    await frame(shared);
    expect(layer.stats.markerPath, "'auto' at this view").to.equal('compute');
    layer.setStyle({ markerPath: 'raster' });
    // the same view as a density map (all its rows are loaded: the map splats the resident rows)
    layer.setStyle({ densityThreshold: 1000 });
    await frame(shared);
    expect(layer.stats.mode).to.equal('density');
    await measure(shared, `density map of the same rows (splat + max + 1 full-screen draw), ${label}`);
    console.log(`density: ${JSON.stringify(layer.stats)}`);
    shared.destroy();
    // one CatalogLayer per tile (the design before)
    const per = new SkyRenderer(device, 'rgba8unorm');
    let base = 0;
    for (const t of tiles) {
      per.addLayer(new CatalogLayer(device, 'rgba8unorm', { ...style, id: 'p', data: { raDeg: t.raDeg, decDeg: t.decDeg, columns: tileColumns(t) }, pickRowBase: base, densityThreshold: Infinity, markerPath: 'raster' }));
      base += t.raDeg.length;
    }
    per.setView(view(0));
    await measure(per, `one layer per tile (${tiles.length} passes, ${tiles.length} draws), ${label}`);
    per.destroy();
    target.destroy();
    device.destroy();
    expect(gpuErrors).to.deep.equal([]);
  });
});
