// RICE_1 images through the WebAssembly batches (simd.ts RiceBatch, compressed.ts riceTiles)
// against the JavaScript decoder (rice.ts + compressed.ts), the oracle: every RICE_1 fixture and
// sample, decoded whole and plane by plane, with batch boundaries after every tile, every few tiles
// and at the defaults, must give the same bits; mutated files (bytes of the heap changed, streams
// cut short) must give the same values or the same error naming the same tile, wherever that tile
// falls in a batch.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FitsError } from './errors.js';
import { readFits } from './file.js';
import { setRiceBatchLimits, setSimdEnabled, simdStatus } from './simd.js';

const REPO = new URL('../../../', import.meta.url);
const FIXTURES = new URL('test/fixtures/fits/', REPO);
const SAMPLES = new URL('../shared/data/fits_samples/', REPO);

afterEach(() => {
  setSimdEnabled(true);
  setRiceBatchLimits();
});

/** Same bits (NaN at the same pixels), or the index of the first difference. */
function firstDifference(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  if (a.constructor !== b.constructor || a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    if (!Object.is(a[i], b[i])) return i;
  }
  return -1;
}

/** Every image of a file, whole and per plane, in both output types: values or the error message. */
function decodeAll(bytes: Uint8Array): Map<string, Float32Array | Float64Array | string> {
  const out = new Map<string, Float32Array | Float64Array | string>();
  let fits;
  try {
    fits = readFits(bytes);
  } catch (e) {
    if (!(e instanceof FitsError)) throw e;
    out.set('file', e.message);
    return out;
  }
  for (const hdu of fits.hdus) {
    if (hdu.compression?.zcmptype !== 'RICE_1') continue;
    const planes = hdu.imageLayout().planeCount;
    for (const output of ['auto', 'float64'] as const) {
      for (const plane of [undefined, ...(planes > 1 ? [0, planes - 1] : [])]) {
        const key = `HDU ${hdu.index} ${output} plane ${plane ?? 'all'}`;
        try {
          out.set(key, (plane === undefined ? hdu.readImage({ output }) : hdu.readImagePlane(plane, { output })).data);
        } catch (e) {
          if (!(e instanceof FitsError)) throw e;
          out.set(key, e.message);
        }
      }
    }
  }
  return out;
}

function decodeJs(bytes: Uint8Array): Map<string, Float32Array | Float64Array | string> {
  setSimdEnabled(false);
  try {
    return decodeAll(bytes);
  } finally {
    setSimdEnabled(true);
  }
}

function expectSame(js: Map<string, Float32Array | Float64Array | string>, wasm: Map<string, Float32Array | Float64Array | string>, what: string): void {
  expect([...wasm.keys()], what).toEqual([...js.keys()]);
  for (const [key, a] of js) {
    const b = wasm.get(key)!;
    if (typeof a === 'string' || typeof b === 'string') expect(b, `${what} ${key}`).toBe(a);
    else expect(firstDifference(a, b), `${what} ${key}`).toBe(-1);
  }
}

const riceFiles = readdirSync(FIXTURES)
  .filter((f) => /^(gz_)?comp_.*\.fits(\.gz)?$/.test(f))
  .map((f) => new URL(f, FIXTURES))
  .filter((u) => readFits(new Uint8Array(readFileSync(u))).hdus.some((h) => h.compression?.zcmptype === 'RICE_1'));
if (existsSync(SAMPLES)) {
  for (const f of ['comp.fits', 'compressed_image.fits', 'compressed_float_bzero.fits']) if (existsSync(new URL(f, SAMPLES))) riceFiles.push(new URL(f, SAMPLES));
}

describe('RICE_1 images in WebAssembly batches', () => {
  it('give the JavaScript decoder\'s bits for every RICE_1 fixture, whole and per plane, at any batch size', () => {
    expect(simdStatus().state).toBe('ready');
    expect(riceFiles.length).toBeGreaterThan(8);
    for (const url of riceFiles) {
      const bytes = new Uint8Array(readFileSync(url));
      const js = decodeJs(bytes);
      expect([...js.values()].some((v) => typeof v !== 'string'), url.pathname).toBe(true);
      for (const [tiles, bytesPer] of [[1, 1], [3, 1 << 20], [1024, 64], [1024, 1 << 20]] as const) {
        setRiceBatchLimits(tiles, bytesPer);
        expectSame(js, decodeAll(bytes), `${url.pathname.split('/').pop()} batches of ${tiles} tiles / ${bytesPer} bytes`);
      }
      setRiceBatchLimits();
    }
  });

  it('give the same values or the same error (naming the same tile) on files with mutated heap bytes', () => {
    const url = riceFiles.find((u) => u.pathname.endsWith('comp_i16_rice.fits'))!;
    const pristine = new Uint8Array(readFileSync(url));
    const hdu = readFits(pristine).hdus.find((h) => h.compression?.zcmptype === 'RICE_1')!;
    // the heap: after the table rows (NAXIS1 x NAXIS2), up to the end of the data unit
    const heapStart = hdu.dataOffset + hdu.header.getInteger('NAXIS1')! * hdu.header.getInteger('NAXIS2')!;
    const heapEnd = hdu.dataOffset + hdu.dataLength;
    let errors = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: heapStart, max: heapEnd - 1 }), fc.nat(255)), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(1, 2, 5, 1024),
        (flips, tiles) => {
          const bytes = pristine.slice();
          for (const [p, v] of flips) bytes[p] = v;
          const js = decodeJs(bytes);
          setRiceBatchLimits(tiles);
          const wasm = decodeAll(bytes);
          setRiceBatchLimits();
          if ([...js.values()].some((v) => typeof v === 'string')) errors++;
          expectSame(js, wasm, `flips ${JSON.stringify(flips)}, batches of ${tiles} tiles`);
        },
      ),
      { numRuns: 150 },
    );
    expect(errors).toBeGreaterThan(10); // the property met bad streams, not only changed values
  });
});
