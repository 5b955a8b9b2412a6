// The functions the decode worker runs for the pool (decodeFitsBytes, decodeFitsPlane,
// readSeriesSource, parseTableBytes) on random and mutated FITS files: each always resolves to
// { status: 'ok' } or { status: 'error', message } — never an exception, which would reject the
// worker call — so a bad file never breaks the pool (fast-check, seeded).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFitsBytes, decodeFitsPlane } from './fitsTileDecode.js';
import { parseTableBytes } from './tableDecode.js';
import { readSeriesSource } from '../plot/seriesDecode.js';
import { FitsError } from './fits/errors.js';
import { bytesSource, FitsStream } from './fits/stream.js';

const FIX = new URL('../../test/fixtures/fits/', import.meta.url);
const SEEDS = ['cube3.fits', 'bitpix16_scaled_blank.fits', 'table_all.fits', 'comp_i16_rice.fits', 'comp_plio_tiles.fits', 'comp_hcompress_i16.fits', 'mef.fits', 'gz_mef.fits.gz'].map((n) => new Uint8Array(readFileSync(new URL(n, FIX))));

const mutation = fc.record({
  seed: fc.nat(SEEDS.length - 1),
  edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 16 }),
  // overwrite a header card with a structural keyword and a random number
  card: fc.option(fc.tuple(fc.nat(40), fc.constantFrom('NAXIS', 'NAXIS1', 'NAXIS2', 'NAXIS3', 'BITPIX', 'PCOUNT', 'ZCMPTYPE', 'TFORM1', 'BLANK'), fc.oneof(fc.integer(), fc.constant(1e12), fc.constant(-1)))),
  cut: fc.option(fc.nat()),
});

function mutate(m: { seed: number; edits: Array<[number, number]>; card: [number, string, number] | null; cut: number | null }): Uint8Array {
  const b = SEEDS[m.seed]!.slice();
  if (m.card && b.length >= 36 * 80) {
    const [k, key, v] = m.card;
    b.set(new TextEncoder().encode(`${key.padEnd(8)}= ${String(v).padStart(20)}`.padEnd(80)), Math.min(k, 35) * 80);
  }
  for (const [at, v] of m.edits) b[at % b.length] = v;
  return m.cut === null ? b : b.subarray(0, m.cut % (b.length + 1));
}

function checkResult(r: { status: string; message?: string }): void {
  expect(['ok', 'error', 'missing']).toContain(r.status);
  if (r.status === 'error') expect(r.message!.length).toBeGreaterThan(10);
}

describe('worker entry points never throw on bad FITS', () => {
  it('decodeFitsBytes, parseTableBytes (sync)', () => {
    fc.assert(
      fc.property(mutation, fc.nat(3), fc.nat(3), (m, hdu, plane) => {
        const bytes = mutate(m);
        checkResult(decodeFitsBytes(bytes.slice().buffer, hdu, plane));
        checkResult(parseTableBytes(bytes, { maxBytes: 1 << 26 }));
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it('decodeFitsPlane (Blob, streamed) and readSeriesSource (async)', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, fc.nat(3), fc.nat(3), async (m, hdu, plane) => {
        const bytes = mutate(m);
        checkResult(await decodeFitsPlane(new Blob([bytes as Uint8Array<ArrayBuffer>]), hdu, plane));
        checkResult(await readSeriesSource(new Blob([bytes as Uint8Array<ArrayBuffer>]), {}, 1));
      }),
      { numRuns: 300, seed: 12 },
    );
  });

  it('FitsStream throws only FitsError (naming the HDU or the file)', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, fc.nat(3), fc.nat(3), async (m, hdu, plane) => {
        try {
          const fits = await FitsStream.open(bytesSource(mutate(m)), { maxBytes: 1 << 26 });
          await fits.readImagePlane(hdu, plane);
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(FitsError);
        }
      }),
      { numRuns: 400, seed: 13 },
    );
  });
});
