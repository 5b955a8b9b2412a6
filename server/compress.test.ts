// gzip/br of HiPS text files: Accept-Encoding negotiation (unit + fuzz), and over HTTP: the
// compressed bodies decode (node:zlib) to the identity bytes, images/FITS are never compressed,
// Range, HEAD, ETag/304 and CORS keep working.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { isCompressibleType, negotiateEncoding } from './compress.js';

describe('negotiateEncoding', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['gzip;q=1.0, br;q=0.5', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['identity', 'identity'],
    ['deflate', 'identity'],
    ['x-gzip', 'gzip'],
    ['GZIP ; Q=0.3', 'gzip'],
  ] as const)('%j -> %s', (header, coding) => {
    expect(negotiateEncoding(header)).toBe(coding);
  });

  it('never throws and always answers one of the three codings (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (h) => ['br', 'gzip', 'identity'].includes(negotiateEncoding(h))),
      { numRuns: 2000 },
    );
  });

  it('compresses text types only', () => {
    for (const t of ['text/plain; charset=utf-8', 'text/tab-separated-values; charset=utf-8', 'application/xml; charset=utf-8', 'application/json', 'application/x-votable+xml']) {
      expect(isCompressibleType(t), t).toBe(true);
    }
    for (const t of ['image/jpeg', 'image/png', 'image/webp', 'application/fits', 'application/octet-stream', '']) {
      expect(isCompressibleType(t), t).toBe(false);
    }
  });
});

describe('HiPS text files are compressed on request', () => {
  let app: FastifyInstance;
  let hipsDir: string;
  const GAIA = 'cds_gaia_dr2_radial_velocity_map';
  const metadata = `<?xml version="1.0"?>\n<VOTABLE>${'<FIELD name="mag" datatype="double"/>'.repeat(30)}</VOTABLE>\n`;
  const tsv = `ra\tdec\tmag\n${Array.from({ length: 200 }, (_, i) => `${i * 1.5}\t${i / 10 - 10}\t${(i % 17) + 3.25}`).join('\n')}\n`;

  beforeAll(async () => {
    const config = loadConfig({});
    hipsDir = mkdtempSync(join(tmpdir(), 'esasky-compress-'));
    cpSync(join(config.hipsDir, GAIA), join(hipsDir, GAIA), { recursive: true });
    writeFileSync(join(hipsDir, GAIA, 'metadata.xml'), metadata);
    mkdirSync(join(hipsDir, GAIA, 'Norder3', 'Dir0'), { recursive: true });
    writeFileSync(join(hipsDir, GAIA, 'Norder3', 'Dir0', 'Npix7.tsv'), tsv);
    app = await buildApp(loadConfig({ HIPS_DIR: hipsDir }), { logger: false });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(hipsDir, { recursive: true, force: true });
  });

  const decode = (coding: string | undefined, body: Buffer): Buffer =>
    coding === 'br' ? brotliDecompressSync(body) : coding === 'gzip' ? gunzipSync(body) : body;

  it.each([
    [`/hips/${GAIA}/properties`, 'properties'],
    [`/hips/${GAIA}/metadata.xml`, 'metadata.xml'],
    [`/hips/${GAIA}/Norder3/Dir0/Npix7.tsv`, 'Norder3/Dir0/Npix7.tsv'],
  ])('%s: br, gzip and identity carry the same bytes', async (url, file) => {
    const original = readFileSync(join(hipsDir, GAIA, file));
    const plain = await app.inject({ url });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/);
    expect(Buffer.compare(plain.rawPayload, original)).toBe(0);
    for (const [accept, coding] of [['gzip, deflate, br', 'br'], ['gzip', 'gzip']] as const) {
      const res = await app.inject({ url, headers: { 'accept-encoding': accept } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBe(coding);
      expect(res.headers.vary).toMatch(/Accept-Encoding/);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cache-control']).toBe(plain.headers['cache-control']);
      expect(res.headers.etag).toBe(plain.headers.etag);
      expect(res.rawPayload.length).toBeLessThan(original.length);
      expect(Buffer.compare(decode(coding, res.rawPayload), original)).toBe(0);
    }
  });

  it('the hipslist is compressed too', async () => {
    const plain = await app.inject({ url: '/hips/hipslist' });
    const res = await app.inject({ url: '/hips/hipslist', headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.rawPayload).toString('utf8')).toBe(plain.body);
  });

  it('images, FITS and tiny files are never compressed', async () => {
    for (const url of [`/hips/${GAIA}/Norder0/Dir0/Npix5.jpg`, `/hips/${GAIA}/Norder3/Allsky.jpg`, `/hips/${GAIA}/Moc.fits`]) {
      const res = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-encoding'], url).toBeUndefined();
      expect(res.headers.vary, url).toBeUndefined();
    }
    writeFileSync(join(hipsDir, GAIA, 'tiny.xml'), '<a/>\n');
    const tiny = await app.inject({ url: `/hips/${GAIA}/tiny.xml`, headers: { 'accept-encoding': 'gzip' } });
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body).toBe('<a/>\n');
  });

  it('Range, HEAD and If-None-Match still answer as before', async () => {
    const url = `/hips/${GAIA}/properties`;
    const original = readFileSync(join(hipsDir, GAIA, 'properties'));
    const range = await app.inject({ url, headers: { 'accept-encoding': 'gzip', range: 'bytes=10-99' } });
    expect(range.statusCode).toBe(206);
    expect(range.headers['content-encoding']).toBeUndefined();
    expect(Buffer.compare(range.rawPayload, original.subarray(10, 100))).toBe(0);
    const head = await app.inject({ method: 'HEAD', url, headers: { 'accept-encoding': 'gzip' } });
    expect(head.statusCode).toBe(200);
    expect(head.rawPayload.length).toBe(0);
    const first = await app.inject({ url, headers: { 'accept-encoding': 'br' } });
    const again = await app.inject({ url, headers: { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });
});

describe('catalogue HiPS answers are compressed on request', () => {
  let app: FastifyInstance;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'esasky-compress-db-'));
    app = await buildApp(loadConfig({ DATA_DIR: dataDir }), { logger: false });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(['properties', 'metadata.xml', 'Norder0/Dir0/Npix4.tsv'])('/catalogues/hipparcos/hips/%s: gzip and br decode to the identity body; weak ETag gives 304', async (file) => {
    const url = `/catalogues/hipparcos/hips/${file}`;
    const plain = await app.inject({ url });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.length).toBeGreaterThan(256);
    for (const coding of ['gzip', 'br'] as const) {
      const res = await app.inject({ url, headers: { 'accept-encoding': coding } });
      expect(res.headers['content-encoding']).toBe(coding);
      expect(res.headers.etag).toBe(`W/${String(plain.headers.etag)}`);
      const body = coding === 'br' ? brotliDecompressSync(res.rawPayload) : gunzipSync(res.rawPayload);
      expect(Buffer.compare(body, plain.rawPayload)).toBe(0);
      const again = await app.inject({ url, headers: { 'accept-encoding': coding, 'if-none-match': String(res.headers.etag) } });
      expect(again.statusCode).toBe(304);
    }
  });
});
