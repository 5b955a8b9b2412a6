// The tile fast path over real HTTP (app.inject() bypasses it): the same answers as the static
// route (compared with inject on the same app), ETag/304, Range, HEAD, CORS, traversal, cache
// invalidation when a file changes, and its logging.
import { request } from 'node:http';
import { cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { loadConfig, type ServerConfig } from '../config.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with the path sent exactly as written (fetch would normalise `..`). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${path} in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** The headers that describe the representation (not the connection or the time). */
function described(h: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) if (!['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) out[k] = v;
  return out;
}

const REPO_HIPS = loadConfig({}).hipsDir;
const TILE = '/hips/swe_milkyway/Norder0/Dir0/Npix0.webp';

describe('HiPS tile fast path (real HTTP)', () => {
  let root: string;
  let app: FastifyInstance;
  let port: number;
  const logLines: { msg: string; level: number; statusCode?: number; url?: string }[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'esasky-fastpath-'));
    cpSync(join(REPO_HIPS, 'swe_milkyway'), join(root, 'hips', 'swe_milkyway'), { recursive: true });
    writeFileSync(join(root, 'secret.txt'), 'TOP SECRET\n');
    mkdirSync(join(root, 'hips', 't', 'Norder3', 'Dir0'), { recursive: true });
    writeFileSync(join(root, 'hips', 't', 'properties'), 'obs_title = t\nhips_tile_format = png\n');
    writeFileSync(join(root, 'hips', 't', 'Norder3', 'Dir0', 'Npix7.png'), 'version 1');
    writeFileSync(join(root, 'hips', 't', '.hidden.png'), 'TOP SECRET\n');
    const config: ServerConfig = { ...loadConfig({}), hipsDir: join(root, 'hips'), tileRevalidateMs: 100, port: 0 };
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as (typeof logLines)[number]);
        done();
      },
    });
    app = await buildApp(config, { logger: { level: 'debug', stream } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each([
    TILE,
    '/hips/swe_milkyway/Norder0/Dir0/Npix11.webp',
    '/hips/swe_milkyway/Norder0/Allsky.webp',
    `${TILE}?v=2`,
  ])('GET %s: the bytes and headers of the static route, from the fast path', async (url) => {
    const before = logLines.length;
    const fast = await get(port, url);
    const lines = logLines.slice(before);
    const slow = await app.inject({ url });
    expect(fast.status).toBe(200);
    expect(slow.statusCode).toBe(200);
    expect(fast.body.equals(slow.rawPayload)).toBe(true);
    expect(described(fast.headers)).toEqual(described(slow.headers));
    expect(fast.headers['access-control-allow-origin']).toBe('*');
    expect(fast.headers['cache-control']).toBe('public, max-age=86400');
    expect(fast.headers['content-type']).toBe('image/webp');
    expect(fast.headers.etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    // served by the fast path (its debug line), not by a fastify route (no "incoming request")
    expect(lines.some((l) => l.msg === 'tile (fast path)' && l.url === url && l.statusCode === 200)).toBe(true);
    expect(lines.some((l) => l.msg === 'incoming request')).toBe(false);
    expect(lines.every((l) => l.level <= 20)).toBe(true); // debug, not info
  });

  it('answers 304 to a matching If-None-Match (weak, in a list) and If-Modified-Since', async () => {
    const first = await get(port, TILE);
    const etag = String(first.headers.etag);
    for (const headers of <Array<Record<string, string>>>[
      { 'if-none-match': etag },
      { 'if-none-match': `"other", ${etag.replace(/^W\//, '')}` },
      { 'if-none-match': '*' },
      { 'if-modified-since': String(first.headers['last-modified']) },
    ]) {
      const res = await get(port, TILE, headers);
      expect(res.status, JSON.stringify(headers)).toBe(304);
      expect(res.body.length).toBe(0);
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cache-control']).toBe('public, max-age=86400');
      const slow = await app.inject({ url: TILE, headers });
      expect(slow.statusCode).toBe(304);
    }
    expect((await get(port, TILE, { 'if-none-match': '"nope"' })).status).toBe(200);
    expect((await get(port, TILE, { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(200);
    // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
    expect((await get(port, TILE, { 'if-none-match': '"nope"', 'if-modified-since': String(first.headers['last-modified']) })).status).toBe(200);
  });

  it('serves byte ranges like the static route; unsatisfiable and multiple ranges keep its answers', async () => {
    const full = (await get(port, TILE)).body;
    for (const [range, start, end] of [
      ['bytes=0-9', 0, 9],
      ['bytes=-5', full.length - 5, full.length - 1],
      [`bytes=${full.length - 3}-`, full.length - 3, full.length - 1],
      ['bytes=100-99999999', 100, full.length - 1],
    ] as const) {
      const res = await get(port, TILE, { range });
      expect(res.status, range).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${full.length}`);
      expect(res.headers['content-length']).toBe(String(end - start + 1));
      expect(res.body.equals(full.subarray(start, end + 1))).toBe(true);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      const slow = await app.inject({ url: TILE, headers: { range } });
      expect(described(res.headers)).toEqual(described(slow.headers));
    }
    const unsatisfiable = await get(port, TILE, { range: `bytes=${full.length}-` });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers['content-range']).toBe(`bytes */${full.length}`);
    expect(unsatisfiable.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(unsatisfiable.body.toString())).toMatchObject({ error: 'range not satisfiable' });
    const several = await get(port, TILE, { range: 'bytes=0-1,5-6' });
    expect(several.status).toBe(200);
    expect(several.body.equals(full)).toBe(true);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const res = await get(port, TILE, {}, 'HEAD');
    const full = await get(port, TILE);
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(described(res.headers)).toEqual(described(full.headers));
  });

  it('leaves missing tiles, metadata files, preflights and POSTs to the fastify routes', async () => {
    const missing = await get(port, '/hips/swe_milkyway/Norder0/Dir0/Npix12.webp');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString())).toEqual({ error: 'not found', path: '/hips/swe_milkyway/Norder0/Dir0/Npix12.webp' });
    expect(missing.headers['access-control-allow-origin']).toBe('*');
    const props = await get(port, '/hips/t/properties', { 'accept-encoding': 'identity' });
    expect(props.status).toBe(200);
    expect(props.headers['cache-control']).toBe('public, max-age=300');
    const pre = await get(port, TILE, { origin: 'https://example.org', 'access-control-request-method': 'GET' }, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect([404, 405]).toContain((await get(port, TILE, {}, 'POST')).status);
  });

  it.each([
    '/hips/../secret.txt',
    '/hips/t/../../secret.txt',
    '/hips/%2e%2e/secret.txt',
    '/hips/t/..%2f..%2fsecret.txt',
    '/hips/t/%2e%2e/%2e%2e/secret.txt',
    '/hips/..%5csecret.txt',
    '/hips/t/.hidden.png',
    '/hips/../hips/t/Norder3/Dir0/Npix7.png/../../../../../secret.txt',
    '/hips/./t/Norder3/Dir0/Npix7.png',
    '/hips/t/Norder3/../../../secret.txt',
    '/hips//etc/passwd',
    '/hips/t/Norder3/Dir0/%4Epix7.png/../../../../../secret.txt',
  ])('never serves a file outside the HiPS root: %s', async (url) => {
    const res = await get(port, url);
    expect([400, 404]).toContain(res.status);
    expect(res.body.toString()).not.toContain('TOP SECRET');
    expect(res.body.toString()).not.toContain('root:');
  });

  it('sees a changed file after the revalidation period, and a deleted one as a 404', async () => {
    const url = '/hips/t/Norder3/Dir0/Npix7.png';
    const path = join(root, 'hips', 't', 'Norder3', 'Dir0', 'Npix7.png');
    const v1 = await get(port, url);
    expect(v1.body.toString()).toBe('version 1');
    writeFileSync(path, 'version two!');
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    await new Promise((r) => setTimeout(r, 150));
    const v2 = await get(port, url);
    expect(v2.body.toString()).toBe('version two!');
    expect(v2.headers.etag).not.toBe(v1.headers.etag);
    expect((await get(port, url, { 'if-none-match': String(v1.headers.etag) })).status).toBe(200);
    expect((await get(port, url, { 'if-none-match': String(v2.headers.etag) })).status).toBe(304);
    rmSync(path);
    await new Promise((r) => setTimeout(r, 150));
    expect((await get(port, url)).status).toBe(404);
  });
});
