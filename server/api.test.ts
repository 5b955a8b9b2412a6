import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

interface OpenApiParameter {
  name: string;
  in: string;
  example?: unknown;
}
interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { parameters?: OpenApiParameter[]; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

const EXPECTED_PATHS = [
  '/',
  '/api/health',
  '/api/openapi.json',
  '/api/hips',
  '/hips/hipslist',
  '/hips/{id}/properties',
  '/hips/{id}/Moc.fits',
  '/hips/{id}/Norder{order}/Allsky.{ext}',
  '/hips/{id}/Norder{order}/Dir{dir}/Npix{npix}.{ext}',
  '/api/catalogues',
  '/api/collections',
  '/api/catalogues/{name}/cone',
  '/api/catalogues/{name}/polygon',
  '/api/counts',
  '/api/observations/cone',
  '/api/coverage/{kind}/{name}/moc',
  '/api/coverage/{kind}/{name}/counts',
  '/api/products/{collection}/{obsId}',
  '/api/products/bulk',
  '/scs/{catalogue}',
  '/catalogues/{name}/hips/{file}',
  '/api/sso/search',
  '/api/sso/{name}/ephemeris',
  '/api/sso/{name}/observations',
  '/api/resolve',
  '/tap/sync',
  '/tap/tables',
  '/tap/capabilities',
  '/tap/availability',
  '/tap/examples',
  '/tap/async',
  '/tap/async/{jobId}',
  '/tap/async/{jobId}/phase',
  '/tap/async/{jobId}/parameters',
  '/tap/async/{jobId}/results',
  '/tap/async/{jobId}/results/result',
  '/tap/async/{jobId}/error',
  '/tap/async/{jobId}/executionduration',
  '/tap/async/{jobId}/destruction',
  '/tap/async/{jobId}/quote',
  '/tap/async/{jobId}/owner',
  '/esasky-tap/observations',
  '/esasky-tap/catalogs',
  '/esasky-tap/spectra',
  '/esasky-tap/sso',
  '/esasky-tap/generalresolver',
  '/esasky-tap/tap/sync',
];

describe('JSON API', () => {
  const config = loadConfig({});
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(config, { logger: false });
    // a route that fails, to see what an internal error looks like from outside
    app.get('/api/test-boom', async () => {
      throw new Error('secret detail /etc/passwd');
    });
  });
  afterAll(() => app.close());

  it('GET /api/health', async () => {
    const res = await app.inject('/api/health');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as { status: string; version: string; uptimeS: number };
    expect(Object.keys(body).sort()).toEqual(['status', 'uptimeS', 'version']);
    expect(body.status).toBe('ok');
    expect(body.version).toBe(config.version);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.uptimeS).toBeGreaterThan(0);
  });

  it('GET /api/hips lists the shipped HiPS', async () => {
    const res = await app.inject('/api/hips');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      {
        id: 'cds_gaia_dr2_radial_velocity_map',
        title: 'Radial velocity map for I/345/gaia2 (Gaia DR2)',
        url: 'http://localhost:80/hips/cds_gaia_dr2_radial_velocity_map',
        frame: 'equatorial',
        order: 3,
        tileFormat: 'jpeg',
        tileWidth: 32,
        credit: 'ESA/Gaia/DPAC, CC BY-SA 3.0 IGO; HiPS by CDS (Thomas Boch)',
      },
      {
        id: 'swe_milkyway',
        title: 'milkyway',
        url: 'http://localhost:80/hips/swe_milkyway',
        frame: 'equatorial',
        order: 0,
        tileFormat: 'webp',
        tileWidth: 512,
        credit: 'Axel Mellinger (Milky Way panorama), via Stellarium Web Engine; modify and redistribute with credit',
      },
    ]);
  });

  it('GET /api/hips: the url follows the Host the client used', async () => {
    const res = await app.inject({ url: '/api/hips', headers: { host: '[::1]:9000' } });
    const urls = (res.json() as { url: string }[]).map((h) => h.url);
    expect(urls).toEqual([
      'http://[::1]:9000/hips/cds_gaia_dr2_radial_velocity_map',
      'http://[::1]:9000/hips/swe_milkyway',
    ]);
  });

  it('GET /api/hips validates its query', async () => {
    expect((await app.inject('/api/hips?frame=equatorial')).json()).toHaveLength(2);
    expect((await app.inject('/api/hips?frame=galactic')).json()).toEqual([]);
    for (const url of ['/api/hips?frame=icrs', '/api/hips?frame=', '/api/hips?unknown=1']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(400);
      const body = res.json() as { error: string; message: string };
      expect(body.error).toBe('bad request');
      expect(body.message).toMatch(/querystring/);
    }
  });

  it('unknown /api/* routes are a JSON 404 naming the path', async () => {
    for (const url of ['/api/nope', '/api/hips/extra', '/api/', '/api']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toEqual({ error: 'not found', path: url });
    }
    const withQuery = await app.inject('/api/nope?x=1');
    expect(withQuery.json()).toEqual({ error: 'not found', path: '/api/nope' });
  });

  it('wrong method is a JSON 404 too', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/health', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not found' });
  });

  it('an internal error is {error, message} with no details or stack', async () => {
    const res = await app.inject('/api/test-boom');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal server error', message: 'internal server error' });
    expect(res.body).not.toMatch(/secret|passwd|stack|at /);
  });

  it('a malformed URL is a JSON 400', async () => {
    const res = await app.inject('/hips/%zz/properties');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect(body.error).toBe('bad request');
  });
});

describe('GET /api/openapi.json', () => {
  let app: FastifyInstance;
  let doc: OpenApiDoc;
  // the archive routes' examples need the database: a temp one, filled with the shipped data
  const dataDir = mkdtempSync(join(tmpdir(), 'esasky-openapi-'));
  beforeAll(async () => {
    app = await buildApp(loadConfig({ DATA_DIR: dataDir }), { logger: false });
    const res = await app.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = JSON.parse(res.body) as OpenApiDoc;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is an OpenAPI 3.1 document listing every route', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    expect(Object.keys(doc.paths).sort()).toEqual([...EXPECTED_PATHS].sort());
    expect(Object.keys(doc.components.schemas).sort()).toEqual([
      'CatalogueSummary',
      'CellCounts',
      'CollectionSummary',
      'Counts',
      'Ephemeris',
      'Error',
      'Health',
      'HipsSummary',
      'ObservationsResult',
      'Resolved',
      'SampLink',
      'SearchResult',
      'SsoObservations',
      'SsoSearch',
      'SsoTarget',
    ]);
  });

  it('every operation has responses, every path parameter is declared once and has an example', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        // the UWS resources of /tap/async also take POST and DELETE (answering 303 redirects)
        const methods = path.startsWith('/tap/') || path.startsWith('/esasky-tap/') ? ['get', 'post', 'delete'] : path === '/api/products/bulk' ? ['post'] : ['get'];
        expect(methods).toContain(method);
        if (method === 'get') expect(Object.keys(op.responses)).toContain('200');
        else expect(Object.keys(op.responses).some((s) => s === '200' || s === '303'), `${method} ${path}`).toBe(true);
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(pathParams.map((p) => p.name).sort(), path).toEqual([...templated].sort());
        for (const p of op.parameters ?? []) expect(p.example, `${path} ${p.name}`).toBeDefined();
      }
    }
  });

  it('all $refs resolve', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(doc.components.schemas[r], r).toBeDefined();
  });

  it('every documented path, filled with its examples, is served', async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (ops.get === undefined) continue; // POST-only (bulk download): tested in products.test.ts
      const params = ops.get.parameters ?? [];
      let url = path;
      for (const p of params.filter((q) => q.in === 'path')) url = url.replace(`{${p.name}}`, String(p.example));
      const query = params.filter((q) => q.in === 'query').map((q) => `${q.name}=${encodeURIComponent(String(q.example))}`);
      if (query.length > 0) url += `?${query.join('&')}`;
      const res = await app.inject(url);
      // '/' is 503 until the page is built; a job id cannot exist before a job is made
      // a shipped observation's product is at ESO: a 302 to its access_url
      const ok = path === '/' ? [200, 503] : path.includes('{jobId}') ? [404] : path.startsWith('/api/products/') ? [302] : [200];
      expect(ok, `${url} -> ${res.statusCode}`).toContain(res.statusCode);
    }
  });
});
