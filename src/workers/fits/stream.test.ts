// Streaming FITS (stream.ts): a generated multi-plane cube read plane by plane from a Blob (only
// the header and that plane's bytes are read), the same from an HTTP server answering Range
// requests, a virtual 16 GiB cube (bytes made on demand: larger than this machine's memory), the
// real l1448_13co cube and a tile-compressed cube compared with the in-memory reader (whose values
// are checked against astropy in file.test.ts / compressed.test.ts), and bad input.
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FitsError } from './errors.js';
import { readFits } from './file.js';
import { blobSource, bytesSource, FitsStream, httpRangeSource, type ByteSource } from './stream.js';

const FIX = new URL('../../../test/fixtures/fits/', import.meta.url);
const CUBE_REAL = '/work/shared/data/fits_samples/l1448_13co.fits';

function card(s: string): string {
  return s.padEnd(80).slice(0, 80);
}
function header(cards: string[]): Uint8Array {
  const text = [...cards, 'END'].map(card).join('');
  return new TextEncoder().encode(text.padEnd(Math.ceil(text.length / 2880) * 2880));
}
function kv(key: string, value: string | number): string {
  return `${key.padEnd(8)}= ${String(value).padStart(20)}`;
}

const NX = 37;
const NY = 23;
const NZ = 9;
const BLANK = -32768;
/** Stored int16 of pixel (x, y, z): a pattern with a blank every 97th pixel. */
function stored(x: number, y: number, z: number): number {
  const i = x + NX * (y + NY * z);
  return i % 97 === 5 ? BLANK : ((x * 31 + y * 17 + z * 1000) % 60000) - 30000;
}

/** A primary int16 cube with BSCALE/BZERO/BLANK, then an IMAGE extension (float32 2-D). */
function makeCube(): Uint8Array {
  const h0 = header([kv('SIMPLE', 'T'), kv('BITPIX', 16), kv('NAXIS', 3), kv('NAXIS1', NX), kv('NAXIS2', NY), kv('NAXIS3', NZ), kv('BSCALE', 0.5), kv('BZERO', 100), kv('BLANK', BLANK), kv('EXTEND', 'T')]);
  const n = NX * NY * NZ;
  const d0 = new Uint8Array(Math.ceil((n * 2) / 2880) * 2880);
  const dv = new DataView(d0.buffer);
  for (let z = 0; z < NZ; z++) for (let y = 0; y < NY; y++) for (let x = 0; x < NX; x++) dv.setInt16(2 * (x + NX * (y + NY * z)), stored(x, y, z));
  const h1 = header([kv('XTENSION', "'IMAGE   '"), kv('BITPIX', -32), kv('NAXIS', 2), kv('NAXIS1', 4), kv('NAXIS2', 3), kv('PCOUNT', 0), kv('GCOUNT', 1)]);
  const d1 = new Uint8Array(2880);
  for (let i = 0; i < 12; i++) new DataView(d1.buffer).setFloat32(4 * i, i * 1.5 - 3);
  const out = new Uint8Array(h0.length + d0.length + h1.length + d1.length);
  let o = 0;
  for (const part of [h0, d0, h1, d1]) {
    out.set(part, o);
    o += part.length;
  }
  return out;
}

/** Wraps a source and counts the bytes it hands out. */
function counting(src: ByteSource): ByteSource & { bytesRead: number } {
  const c = {
    size: src.size,
    bytesRead: 0,
    read: async (offset: number, length: number) => {
      const b = await src.read(offset, length);
      c.bytesRead += b.length;
      return b;
    },
  };
  return c;
}

describe('FitsStream: a generated cube read plane by plane', () => {
  const bytes = makeCube();

  it('reads each plane from a Blob: physical values (BSCALE/BZERO, BLANK -> NaN), only that plane read', async () => {
    const src = counting(blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>])));
    const fits = await FitsStream.open(src);
    expect(fits.hdus.map((h) => [h.type, h.planeCount])).toEqual([['image', NZ], ['image', 1]]);
    const headerBytes = src.bytesRead;
    expect(headerBytes).toBeLessThan(bytes.length);
    for (const z of [0, 4, NZ - 1]) {
      const before = src.bytesRead;
      const img = await fits.readImagePlane(0, z);
      expect(src.bytesRead - before).toBe(NX * NY * 2);
      expect(img.shape).toEqual([NX, NY]);
      for (let y = 0; y < NY; y++) {
        for (let x = 0; x < NX; x++) {
          const s = stored(x, y, z);
          const v = img.data[x + NX * y]!;
          if (s === BLANK) expect(v).toBeNaN();
          else expect(v).toBe(100 + 0.5 * s);
        }
      }
      // the in-memory reader agrees value for value
      expect(Array.from(img.data)).toEqual(Array.from(readFits(bytes).hdus[0]!.readImagePlane(z).data));
    }
    const ext = await fits.readImagePlane(1, 0);
    expect(Array.from(ext.data)).toEqual(Array.from({ length: 12 }, (_, i) => i * 1.5 - 3));
  });

  it('reads a gzip-compressed cube (inflated whole: gzip has no random access)', async () => {
    const fits = await FitsStream.open(bytesSource(gzipSync(bytes)));
    expect(Array.from((await fits.readImagePlane(0, 3)).data)).toEqual(Array.from(readFits(bytes).hdus[0]!.readImagePlane(3).data));
  });

  describe('from an HTTP server with Range requests', () => {
    let server: Server;
    let base = '';
    const ranges: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
        if (req.url === '/norange.fits' || !m) {
          res.writeHead(200, { 'Content-Length': bytes.length });
          res.end(Buffer.from(bytes));
          return;
        }
        ranges.push(req.headers.range!);
        const a = Number(m[1]);
        const b = Math.min(bytes.length - 1, Number(m[2]));
        res.writeHead(206, { 'Content-Range': `bytes ${a}-${b}/${bytes.length}`, 'Content-Length': b - a + 1 });
        res.end(Buffer.from(bytes.subarray(a, b + 1)));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const addr = server.address();
      base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('reads one plane with byte ranges; refuses a server that ignores Range', async () => {
      const fits = await FitsStream.open(await httpRangeSource(`${base}/cube.fits`));
      const img = await fits.readImagePlane(0, 7);
      expect(Array.from(img.data)).toEqual(Array.from(readFits(bytes).hdus[0]!.readImagePlane(7).data));
      const start = fits.hdus[0]!.dataOffset + 7 * NX * NY * 2;
      expect(ranges).toContain(`bytes=${start}-${start + NX * NY * 2 - 1}`);
      await expect(httpRangeSource(`${base}/norange.fits`)).rejects.toThrow(/HTTP 200 to a Range request/);
    });
  });

  it('reads a plane of a virtual 16 GiB cube without holding the file', async () => {
    const [nx, ny, nz] = [4096, 4096, 256];
    const h = header([kv('SIMPLE', 'T'), kv('BITPIX', -32), kv('NAXIS', 3), kv('NAXIS1', nx), kv('NAXIS2', ny), kv('NAXIS3', nz)]);
    const dataBytes = nx * ny * nz * 4;
    expect(dataBytes).toBe(2 ** 34);
    // value of pixel i: the float32 of (i mod 2^20) / 8, made on demand from the byte offset
    const virtual: ByteSource = {
      size: h.length + dataBytes,
      read: async (offset, length) => {
        const out = new Uint8Array(length);
        const dv = new DataView(out.buffer);
        for (let o = offset; o < offset + length; o++) {
          if (o < h.length) out[o - offset] = h[o]!;
        }
        const first = Math.max(offset, h.length);
        for (let p = first; p + 4 <= offset + length; p += 4) dv.setFloat32(p - offset, (((p - h.length) / 4) % 2 ** 20) / 8);
        return out;
      },
    };
    const src = counting(virtual);
    const fits = await FitsStream.open(src);
    const img = await fits.readImagePlane(0, 200);
    expect(src.bytesRead).toBeLessThan(nx * ny * 4 + 4 * 2880 * 2);
    const base = 200 * nx * ny;
    for (const i of [0, 1, 12345, nx * ny - 1]) expect(img.data[i]).toBe(Math.fround(((base + i) % 2 ** 20) / 8));
    await expect(fits.readImagePlane(0, 256)).rejects.toThrow(/plane 256 is out of range \[0, 255\]/);
  });
});

describe('FitsStream vs the in-memory reader on real and compressed cubes', () => {
  it.skipIf(!existsSync(CUBE_REAL))('l1448_13co (real 3-D cube): every plane', async () => {
    const bytes = new Uint8Array(readFileSync(CUBE_REAL));
    const mem = readFits(bytes).hdus[0]!;
    const fits = await FitsStream.open(blobSource(new Blob([bytes])));
    expect(fits.hdus[0]!.planeCount).toBe(mem.planeCount);
    for (let z = 0; z < mem.planeCount; z += 7) {
      const a = await fits.readImagePlane(0, z);
      expect(a.shape).toEqual(mem.readImagePlane(z).shape);
      expect(Array.from(a.data)).toEqual(Array.from(mem.readImagePlane(z).data));
    }
  });

  it('comp_cube_tiles.fits (tile-compressed cube): planes through readHdu', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('comp_cube_tiles.fits', FIX)));
    const mem = readFits(bytes);
    const k = mem.hdus.findIndex((h) => h.hasImage);
    const fits = await FitsStream.open(blobSource(new Blob([bytes])));
    expect(fits.hdus[k]!.hasImage).toBe(true);
    expect(fits.hdus[k]!.planeCount).toBe(mem.hdus[k]!.planeCount);
    const last = mem.hdus[k]!.planeCount - 1;
    expect(Array.from((await fits.readImagePlane(k, last)).data)).toEqual(Array.from(mem.hdus[k]!.readImagePlane(last).data));
  });
});

describe('FitsStream: bad input is a FitsError naming the problem', () => {
  const bytes = makeCube();
  const open = (b: Uint8Array, o = {}) => FitsStream.open(bytesSource(b), o);

  it('truncated data, no END, not FITS, header limit, bad HDU index', async () => {
    await expect(open(bytes.subarray(0, 2880 + 1000))).rejects.toThrow(/HDU 0: FITS data is truncated/);
    await expect(open(bytes.subarray(0, 700))).rejects.toThrow(/no END card before the end of the file/);
    await expect(open(new TextEncoder().encode('hello world'.repeat(10)))).rejects.toThrow(FitsError);
    const long = header(Array.from({ length: 400 }, (_, i) => (i === 0 ? kv('SIMPLE', 'T') : `COMMENT ${i}`)));
    await expect(open(long, { maxHeaderBytes: 2880 })).rejects.toThrow(/no END card in the first/);
    const fits = await open(bytes);
    await expect(fits.readImagePlane(5, 0)).rejects.toThrow(/no HDU 5/);
    // NAXIS1 = 1e12: refused by the size limits before any allocation
    const huge = header([kv('SIMPLE', 'T'), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', 1e12), kv('NAXIS2', 10)]);
    await expect(open(huge)).rejects.toThrow(FitsError);
  });

  it('a source that gives fewer bytes than its size says is a FitsError, not a hang', async () => {
    const short: ByteSource = { size: bytes.length, read: async (o, l) => bytes.subarray(o, Math.min(o + l, 2880 * 2)) };
    await expect(FitsStream.open(short)).rejects.toThrow(/HDU 1: no bytes could be read at byte/);
    // headers complete, but the cube's data reads come back short
    const cut: ByteSource = { size: bytes.length, read: async (o, l) => bytes.subarray(o, o >= 2880 && o < 2880 * 7 ? o + 10 : o + l) };
    const fits = await FitsStream.open(cut);
    await expect(fits.readImagePlane(0, 8)).rejects.toThrow(/truncated|needs \d+ bytes/i);
  });
});
