// The WebAssembly FITS decoding paths in Chromium: in a worker realm (as the decode pool runs
// them) and on the page, the SIMD kernels load and give bit-identical values to the JavaScript
// paths on real files (and random data); the decode pool's results equal the JavaScript path.
import { expect } from '@esm-bundle/chai';
import { readFits } from '../../src/workers/fits/file.js';
import { decodePixels } from '../../src/workers/fits/image.js';
import { simdStatus } from '../../src/workers/fits/simd.js';
import { DecodePool } from '../../src/workers/pool.js';
import type { ProbeResult } from './fitsSimdProbe.worker.js';

// Real files from ../shared/data (served byte for byte by the test server's /shared/ route; the
// dev server re-encodes the repository's binary fixtures as text, so they are not used here):
// BITPIX 16 with BZERO 32768 or a fractional BSCALE, BITPIX 64 with BLANK, BITPIX -32 and cubes,
// a HiPS tile, RICE_1 images (integer, BZERO 32768).
const FILES = [
  'fits_samples/blank.fits',
  'fits_samples/scale.fits',
  'fits_samples/test0.fits',
  'fits_samples/o4sp040b0_raw.fits',
  'fits_samples/M13_blue_0001.fits',
  'fits_samples/gc_2mass_k.fits',
  'fits_samples/l1448_13co.fits',
  'hips/cds_gaia_dr2_radial_velocity_map/Norder3/Dir0/Npix80.fits',
  'fits_samples/comp.fits',
  'fits_samples/compressed_image.fits',
  'fits_samples/compressed_float_bzero.fits',
];

async function fixture(name: string): Promise<ArrayBuffer> {
  const r = await fetch(`/shared/data/${name}`);
  if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
  return r.arrayBuffer();
}

describe('WebAssembly FITS decoding in Chromium', () => {
  it('loads in a worker and matches the JavaScript paths there (pixels and Rice tiles)', async () => {
    const files = await Promise.all(FILES.map(async (name) => ({ name, bytes: await fixture(name) })));
    const worker = new Worker(new URL('./fitsSimdProbe.worker.ts', import.meta.url), { type: 'module' });
    try {
      const result = await new Promise<ProbeResult>((resolve, reject) => {
        worker.onmessage = (e: MessageEvent<ProbeResult>) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message));
        worker.postMessage(files);
      });
      expect(result.state, result.reason).to.equal('ready');
      expect(result.differences).to.deep.equal([]);
      expect(result.images).to.be.greaterThan(7);
      expect(result.tiles).to.be.greaterThan(10);
    } finally {
      worker.terminate();
    }
  });

  it('loads on the page too and the decode pool gives the JavaScript path\'s values', async () => {
    expect(simdStatus().state, simdStatus().reason).to.equal('ready');
    const pool = new DecodePool(1);
    try {
      for (const name of ['fits_samples/scale.fits', 'fits_samples/M13_blue_0001.fits', 'hips/cds_gaia_dr2_radial_velocity_map/Norder3/Dir0/Npix80.fits']) {
        const bytes = await fixture(name);
        const hdu = readFits(new Uint8Array(bytes)).firstImage()!;
        const layout = hdu.imageLayout();
        const [w, h] = layout.naxes as [number, number];
        const js = decodePixels(new Uint8Array(bytes), hdu.dataOffset, w * h, layout, 'float32', 'js');
        const r = await pool.decodeFitsImage(bytes.slice(0), hdu.index, 0);
        expect([r.width, r.height]).to.deep.equal([w, h]);
        const got = r.values;
        // the pool's rows run top to bottom
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const a = got[y * w + x]!;
            const b = js[(h - 1 - y) * w + x]!;
            if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) throw new Error(`${name} (${x}, ${y}): pool ${a}, JavaScript ${b}`);
          }
        }
      }
    } finally {
      pool.destroy();
    }
  });
});
