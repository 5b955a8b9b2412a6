import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig, type ServerConfig } from './config.js';
import { parseProperties } from './hipsCatalog.js';

const MILKY = '/hips/swe_milkyway';
const GAIA = '/hips/cds_gaia_dr2_radial_velocity_map';

describe('HiPS files (shipped data)', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(loadConfig({}), { logger: false });
  });
  afterAll(() => app.close());

  it.each([
    [`${MILKY}/Norder0/Dir0/Npix0.webp`, 'image/webp', 'public, max-age=86400'],
    [`${MILKY}/Norder0/Dir0/Npix11.webp`, 'image/webp', 'public, max-age=86400'],
    [`${MILKY}/Norder0/Allsky.webp`, 'image/webp', 'public, max-age=86400'],
    [`${GAIA}/Norder0/Dir0/Npix5.jpg`, 'image/jpeg', 'public, max-age=86400'],
    [`${GAIA}/Norder3/Dir0/Npix767.jpg`, 'image/jpeg', 'public, max-age=86400'],
    [`${GAIA}/Norder3/Allsky.jpg`, 'image/jpeg', 'public, max-age=86400'],
    [`${GAIA}/Moc.fits`, 'application/fits', 'public, max-age=300'],
    [`${MILKY}/properties`, 'text/plain; charset=utf-8', 'public, max-age=300'],
  ])('GET %s: %s, CORS, %s', async (url, type, cache) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['cache-control']).toBe(cache);
    expect(res.rawPayload.length).toBeGreaterThan(0);
  });

  it('serves the real bytes (magic numbers)', async () => {
    const webp = (await app.inject(`${MILKY}/Norder0/Dir0/Npix0.webp`)).rawPayload;
    expect(webp.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(webp.subarray(8, 12).toString('latin1')).toBe('WEBP');
    const jpg = (await app.inject(`${GAIA}/Norder1/Dir0/Npix0.jpg`)).rawPayload;
    expect([...jpg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const moc = (await app.inject(`${GAIA}/Moc.fits`)).rawPayload;
    expect(moc.subarray(0, 9).toString('latin1')).toBe('SIMPLE  =');
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: `${MILKY}/Norder0/Dir0/Npix3.webp` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/webp');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.rawPayload.length).toBe(0);
  });

  it('answers a CORS preflight', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: `${MILKY}/Norder0/Dir0/Npix0.webp`,
      headers: { origin: 'https://example.org', 'access-control-request-method': 'GET' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toContain('GET');
  });

  it('ships only JPEG tiles of the Gaia HiPS and says so in its properties', async () => {
    const res = await app.inject(`${GAIA}/properties`);
    const props = parseProperties(res.body);
    expect(props.hips_tile_format).toBe('jpeg');
    expect(props.hips_order).toBe('3');
    expect((await app.inject(`${GAIA}/Norder3/Dir0/Npix0.fits`)).statusCode).toBe(404);
    expect((await app.inject(`${GAIA}/Norder3/Allsky.fits`)).statusCode).toBe(404);
    expect((await app.inject(`${GAIA}/index.html`)).statusCode).toBe(404);
  });

  it.each([
    `${MILKY}/Norder0/Dir0/Npix12.webp`,
    `${MILKY}/Norder1/Dir0/Npix0.webp`,
    `${GAIA}/Norder4/Dir0/Npix0.jpg`,
    '/hips/no_such_survey/properties',
    `${MILKY}/`,
    `${MILKY}/Norder0`,
    '/hips/',
  ])('a missing file is a real 404 with a short JSON body, readable cross-origin: %s', async (url) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.json()).toEqual({ error: 'not found', path: url });
    expect(res.body.length).toBeLessThan(200);
  });

  it('does not serve files beside the HiPS directories (CREDITS.md)', async () => {
    expect((await app.inject('/hips/CREDITS.md')).statusCode).toBe(404);
  });

  it.each([
    '/hips/../package.json',
    '/hips/../../package.json',
    '/hips/swe_milkyway/../../../package.json',
    '/hips/%2e%2e/%2e%2e/package.json',
    '/hips/%2E%2E%2F%2E%2E%2Fpackage.json',
    '/hips/..%2f..%2fpackage.json',
    '/hips/swe_milkyway/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
    '/hips/%252e%252e%252f%252e%252e%252fpackage.json',
    '/hips/..%5c..%5cpackage.json',
    '/hips/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json',
    '/hips/swe_milkyway/.%2e/.%2e/.%2e/package.json',
    '/hips/..%00/package.json',
  ])('rejects path traversal: %s', async (url) => {
    const res = await app.inject(url);
    expect([400, 404]).toContain(res.statusCode);
    expect(res.body).not.toContain('"esasky-sky"');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
});

describe('HiPS path traversal against a planted secret', () => {
  let root: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'esasky-hips-'));
    writeFileSync(join(root, 'secret.txt'), 'TOP SECRET\n');
    mkdirSync(join(root, 'hips', 'test', 'Norder0', 'Dir0'), { recursive: true });
    writeFileSync(join(root, 'hips', 'test', 'properties'), 'obs_title = test\nhips_tile_format = png\n');
    writeFileSync(join(root, 'hips', 'test', 'Norder0', 'Dir0', 'Npix0.png'), 'PNG');
    writeFileSync(join(root, 'hips', 'test', '.secret'), 'TOP SECRET\n');
    const config: ServerConfig = { ...loadConfig({}), hipsDir: join(root, 'hips') };
    app = await buildApp(config, { logger: false });
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the HiPS itself', async () => {
    const res = await app.inject('/hips/test/Norder0/Dir0/Npix0.png');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.body).toBe('PNG');
  });

  it.each([
    '/hips/../secret.txt',
    '/hips/test/../../secret.txt',
    '/hips/%2e%2e/secret.txt',
    '/hips/%2E%2E%2Fsecret.txt',
    '/hips/..%2fsecret.txt',
    '/hips/test/..%2f..%2fsecret.txt',
    '/hips/test/%2e%2e/%2e%2e/secret.txt',
    '/hips/test/.%2e/.%2e/secret.txt',
    '/hips/%252e%252e%252fsecret.txt',
    '/hips/test/%252e%252e/%252e%252e/secret.txt',
    '/hips/..%5csecret.txt',
    '/hips/test/..%5c..%5csecret.txt',
    '/hips/%c0%ae%c0%ae/secret.txt',
    '/hips/%ef%bc%8e%ef%bc%8e/secret.txt',
    '/hips/test/..%00/../secret.txt',
    '/hips/test/.secret',
    '/hips/test/%2esecret',
    '//hips/../secret.txt',
  ])('never serves %s', async (url) => {
    const res = await app.inject(url);
    expect([400, 404]).toContain(res.statusCode);
    expect(res.body).not.toContain('TOP SECRET');
  });
});

describe('GET /hips/hipslist', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(loadConfig({}), { logger: false });
  });
  afterAll(() => app.close());

  it('lists every shipped HiPS, each record with the four required keys, urls on this host', async () => {
    const res = await app.inject({ url: '/hips/hipslist', headers: { host: 'sky.example.org:8443' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['access-control-allow-origin']).toBe('*');

    const text = res.body;
    expect(text.endsWith('\n')).toBe(true);
    const blocks = text.trimEnd().split(/\n[ \t]*\n/);
    const shipped = readdirSync(loadConfig({}).hipsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(blocks).toHaveLength(shipped.length);

    const ids: string[] = [];
    for (const block of blocks) {
      for (const line of block.split('\n')) expect(line).toMatch(/^[A-Za-z0-9_]+ *= .*$/);
      const rec = parseProperties(block);
      for (const key of ['creator_did', 'hips_release_date', 'hips_service_url', 'hips_status']) {
        expect(rec[key], `${key} in\n${block}`).toBeTruthy();
      }
      expect(rec.creator_did).toMatch(/^ivo:\/\//);
      expect(rec.hips_release_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
      expect(rec.hips_status).toMatch(/^(private|public)( (master|mirror|partial))?( (clonable|unclonable|clonableOnce))?$/);
      const url = new URL(rec.hips_service_url!);
      expect(url.origin).toBe('http://sky.example.org:8443');
      const id = url.pathname.replace(/^\/hips\//, '');
      ids.push(id);
      // the advertised URL really serves that HiPS
      const props = await app.inject(`${url.pathname}/properties`);
      expect(props.statusCode).toBe(200);
      expect(parseProperties(props.body).obs_title).toBe(rec.obs_title);
    }
    expect(ids).toEqual(shipped);
    expect(ids).toEqual(['cds_gaia_dr2_radial_velocity_map', 'swe_milkyway']);
  });

  it('keeps the creator_did of the CDS HiPS', async () => {
    const res = await app.inject('/hips/hipslist');
    const gaia = res.body.split('\n\n').map(parseProperties).find((r) => r.obs_title?.includes('Gaia'));
    expect(gaia?.creator_did).toBe('ivo://CDS/P/DM/radial-velocity/I/345/gaia2');
    expect(gaia?.hips_service_url).toBe('http://localhost:80/hips/cds_gaia_dr2_radial_velocity_map');
  });

  it('refuses to echo a forged Host header', async () => {
    const res = await app.inject({ url: '/hips/hipslist', headers: { host: 'evil.example/<script>' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad request' });
  });
});
