// A module worker for fitsSimd.browser.test.ts: in a worker realm (where the decode pool runs the
// FITS decoders), reports whether the WebAssembly paths are in use and compares them with the
// JavaScript paths on the files it is sent: every image HDU's pixels (decodePixels 'simd' against
// 'js', bits compared), random data of every BITPIX with scalings and BLANK values, and every
// RICE_1 tile (riceDecompressSimd against riceDecompress).
import { readFits } from '../../src/workers/fits/file.js';
import { decodePixels, type Bitpix, type ImageLayout } from '../../src/workers/fits/image.js';
import { riceDecompress } from '../../src/workers/fits/rice.js';
import { riceDecompressSimd, simdStatus } from '../../src/workers/fits/simd.js';

export interface ProbeResult {
  state: string;
  reason: string;
  images: number;
  tiles: number;
  differences: string[];
}

function sameBits(a: Float32Array | Float64Array, b: Float32Array | Float64Array): boolean {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  for (let i = 0; i < a.length; i++) if (!(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) return false;
  return true;
}

self.onmessage = (e: MessageEvent<{ name: string; bytes: ArrayBuffer }[]>) => {
  const { state, reason } = simdStatus();
  const result: ProbeResult = { state, reason, images: 0, tiles: 0, differences: [] };
  // random bytes (every bit pattern: NaN, infinities, subnormals, extreme integers)
  const random = new Uint8Array(1 + 8 * 20011);
  let seed = 7;
  for (let i = 0; i < random.length; i++) random[i] = (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24;
  for (const bitpix of [8, 16, 32, 64, -32, -64] as Bitpix[]) {
    const count = 20011;
    for (const [bscale, bzero, blank] of [[1, 0, undefined], [0.1, -3.5, 5n], [1, bitpix === 64 ? 2 ** 63 : 32768, -1n]] as const) {
      const layout: ImageLayout = { bitpix, naxes: [count], bscale, bzero, blank: bitpix > 0 ? blank : undefined, storedType: 'scaled', autoOutput: 'float32', planePixels: count, planeCount: 1 };
      for (const output of ['float32', 'float64'] as const) {
        const js = decodePixels(random, 1, count, layout, output, 'js');
        const wasm = decodePixels(random, 1, count, layout, output, 'simd');
        if (!sameBits(js, wasm)) result.differences.push(`random BITPIX ${bitpix} BSCALE ${bscale} BZERO ${bzero} BLANK ${blank} ${output}`);
      }
    }
  }
  for (const { name, bytes } of e.data) {
    for (const hdu of readFits(new Uint8Array(bytes)).hdus) {
      if (hdu.type === 'image') {
        const layout = hdu.imageLayout();
        const count = layout.planePixels * layout.planeCount;
        const all = new Uint8Array(bytes);
        for (const output of ['float32', 'float64'] as const) {
          const js = decodePixels(all, hdu.dataOffset, count, layout, output, 'js');
          const wasm = decodePixels(all, hdu.dataOffset, count, layout, output, 'simd');
          if (!sameBits(js, wasm)) result.differences.push(`${name} HDU ${hdu.index} ${output}`);
        }
        result.images++;
      }
      const info = hdu.compression;
      if (info?.zcmptype === 'RICE_1') {
        const table = hdu.readTable();
        const col = table.getColumn('COMPRESSED_DATA')!;
        const n = info.ztile.reduce((a, t, k) => a * Math.min(t, info.znaxes[k]!), 1);
        for (let row = 0; row < table.nrows; row++) {
          const data = table.heapBytes(col, row);
          const js = new Int32Array(n);
          const wasm = new Int32Array(n);
          let jsOk = true;
          try {
            riceDecompress(data, js, n, info.blocksize, info.bytepix as 1 | 2 | 4, 'tile');
          } catch {
            jsOk = false;
          }
          const r = riceDecompressSimd(data, wasm, n, info.blocksize, info.bytepix as 1 | 2 | 4);
          if ((r === 'ok') !== jsOk || (jsOk && js.some((v, i) => v !== wasm[i]))) result.differences.push(`${name} tile ${row}`);
          result.tiles++;
        }
      }
    }
  }
  self.postMessage(result);
};
