import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig, type ServerConfig } from './config.js';

describe('reference page not built', () => {
  let root: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'esasky-web-'));
    const config: ServerConfig = { ...loadConfig({}), webDir: join(root, 'missing-dist-demo') };
    app = await buildApp(config, { logger: false });
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('GET / is a 503 that says how to build the page', async () => {
    for (const url of ['/', '/index.html']) {
      const res = await app.inject(url);
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.body).toContain('the reference page is not built: run `npm run build`');
    }
  });

  it('the API and the HiPS still work', async () => {
    expect((await app.inject('/api/health')).statusCode).toBe(200);
    expect((await app.inject('/hips/swe_milkyway/properties')).statusCode).toBe(200);
    const other = await app.inject('/app.js');
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ error: 'not found', path: '/app.js' });
  });
});

describe('reference page built', () => {
  let root: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'esasky-web-'));
    writeFileSync(join(root, 'secret.txt'), 'TOP SECRET\n');
    const web = join(root, 'demo');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>esasky</title>');
    writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1);');
    writeFileSync(join(web, '.env'), 'TOP SECRET\n');
    const config: ServerConfig = { ...loadConfig({}), webDir: web };
    app = await buildApp(config, { logger: false });
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / and the assets', async () => {
    const index = await app.inject('/');
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body).toContain('<title>esasky</title>');
    const js = await app.inject('/assets/app.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
  });

  it('keeps /api and /hips routes ahead of the page', async () => {
    expect((await app.inject('/api/health')).json()).toMatchObject({ status: 'ok' });
    expect((await app.inject('/hips/hipslist')).statusCode).toBe(200);
    const missing = await app.inject('/api/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not found', path: '/api/nope' });
  });

  it('a missing asset is a 404', async () => {
    expect((await app.inject('/assets/nope.js')).statusCode).toBe(404);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/%252e%252e/secret.txt',
    '/..%5csecret.txt',
    '/.env',
    '/%2eenv',
  ])('never serves %s', async (url) => {
    const res = await app.inject(url);
    expect([400, 404]).toContain(res.statusCode);
    expect(res.body).not.toContain('TOP SECRET');
  });
});
