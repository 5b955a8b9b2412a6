// The page never stutters while a 100 MB FITS image is decoded: a 5000 x 5000 BITPIX -32 file is
// made in the test (a Blob of repeated 1 MiB parts: no big main-thread loop), decoded by the pool
// twice — from the Blob (the worker reads it) and from its bytes (transferred) — while a
// requestAnimationFrame loop animates the page; a PerformanceObserver collects main-thread long
// tasks (> 50 ms): there must be none, frames must keep coming, and the values must be right.
import { expect } from '@esm-bundle/chai';
import { DecodePool } from '../../src/workers/pool.js';

const N = 5000;
const CHUNK_VALUES = 1 << 18; // 1 MiB of float32

function bigFits(): Blob {
  const cards = ['SIMPLE  =                    T', 'BITPIX  =                  -32', 'NAXIS   =                    2', `NAXIS1  = ${String(N).padStart(20)}`, `NAXIS2  = ${String(N).padStart(20)}`, 'END'];
  const header = new TextEncoder().encode(cards.map((c) => c.padEnd(80)).join('').padEnd(2880));
  const chunk = new Uint8Array(CHUNK_VALUES * 4);
  const dv = new DataView(chunk.buffer);
  for (let j = 0; j < CHUNK_VALUES; j++) dv.setFloat32(4 * j, j * 0.5);
  const dataBytes = N * N * 4;
  const parts: BlobPart[] = [header];
  let left = dataBytes;
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    parts.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    left -= n;
  }
  parts.push(new Uint8Array((2880 - (dataBytes % 2880)) % 2880));
  return new Blob(parts);
}

/** Physical value of FITS pixel i (row 0 = bottom row). */
const valueAt = (i: number): number => (i % CHUNK_VALUES) * 0.5;

describe('a 100 MB FITS image decoded while the page animates', () => {
  it('has no main-thread long task over 50 ms', async () => {
    const blob = bigFits();
    expect(blob.size).to.be.greaterThan(100e6);
    const pool = new DecodePool(2);
    const longTasks: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push(e.duration);
    });
    const box = document.createElement('div');
    box.style.cssText = 'width:20px;height:20px;background:#48f;position:fixed;top:0;left:0';
    document.body.appendChild(box);
    let frames = 0;
    let running = true;
    const tick = (t: number): void => {
      frames++;
      box.style.transform = `translateX(${Math.round(100 + 100 * Math.sin(t / 200))}px)`;
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    try {
      // let the page settle (the file was made above, the workers are starting), then observe
      await new Promise((r) => setTimeout(r, 300));
      observer.observe({ type: 'longtask', buffered: false });
      const f0 = frames;
      const t0 = performance.now();
      const a = await pool.decodeFitsPlane(blob, 0, 0);
      const t1 = performance.now();
      const bytes = await blob.arrayBuffer();
      const b = await pool.decodeFitsImage(bytes, 0);
      const t2 = performance.now();
      const decodeFrames = frames - f0;
      await new Promise((r) => setTimeout(r, 200));
      running = false;
      console.log(`100 MB FITS: Blob ${(t1 - t0).toFixed(0)} ms, bytes ${(t2 - t1).toFixed(0)} ms, ${decodeFrames} frames, long tasks: ${JSON.stringify(longTasks.map(Math.round))}`);
      for (const img of [a, b]) {
        expect([img.width, img.height]).to.deep.equal([N, N]);
        // rows come back top to bottom: texture row r is FITS row N - 1 - r
        for (const [x, y] of [[0, 0], [17, 3], [N - 1, N - 1], [1234, 4321]] as const) {
          expect(img.values[(N - 1 - y) * N + x], `pixel ${x},${y}`).to.equal(valueAt(y * N + x));
        }
      }
      expect(bytes.byteLength, 'bytes transferred, not copied').to.equal(0);
      expect(decodeFrames, 'frames drawn during the decodes').to.be.greaterThan(5);
      expect(longTasks, 'main-thread long tasks (ms)').to.deep.equal([]);
    } finally {
      running = false;
      observer.disconnect();
      box.remove();
      pool.destroy();
    }
  });
});
