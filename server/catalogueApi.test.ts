// The archive HTTP API on the shipped data (first start fills a temp database): catalogue
// cones and polygons, counts, observations, Simple Cone Search parsed back with the project's
// own VOTable reader, and every kind of bad input.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVoTable } from '../src/workers/tables/index.js';
import { angularDistanceDeg } from '../src/hips/healpix.js';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { openSqlite } from './storage/db.js';
import { inPolygon } from './storage/spatial.js';

interface Star {
  hip: number;
  ra: number;
  dec: number;
  mag: number;
}

let dir: string;
let app: FastifyInstance;
let stars: Star[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'esasky-api-'));
  const config = loadConfig({ DATA_DIR: dir });
  // the reference: the shipped GeoJSON read directly
  const doc = JSON.parse(readFileSync(join(config.repoRoot, 'data/catalogs/stars.6.json'), 'utf8')) as {
    features: Array<{ id: number; properties: { mag: number }; geometry: { coordinates: [number, number] } }>;
  };
  stars = doc.features.map((f) => {
    const [lon, lat] = f.geometry.coordinates;
    return { hip: f.id, ra: lon < 0 ? lon + 360 : lon, dec: lat, mag: f.properties.mag };
  });
  app = await buildApp(config, { logger: false });
  // a small limit on one catalogue, to see the 413s
  const db = openSqlite(join(dir, 'esasky.sqlite'));
  expect((await app.inject('/api/catalogues')).statusCode).toBe(200); // first use fills the database
  await db.run("UPDATE catalogues SET max_radius = 10 WHERE name = 'messier'");
  await db.close();
}, 60_000);

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface SearchBody {
  catalogue: string;
  total: number;
  returned: number;
  truncated: boolean;
  orderBy: string;
  descending: boolean;
  columns: Array<{ name: string; type: string; unit?: string; ucd?: string }>;
  data: Array<Array<number | string | null>>;
}

describe('GET /api/catalogues', () => {
  it('lists the catalogues with row counts and column metadata', async () => {
    const res = await app.inject('/api/catalogues');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const body = res.json() as Array<{ name: string; rowCount: number; maxRadius: number; columns: Array<{ name: string; ucd?: string; unit?: string }> }>;
    expect(body.map((c) => [c.name, c.rowCount])).toEqual([
      ['hipparcos', 5044],
      ['messier', 110],
      ['starnames', 3340],
    ]);
    const hip = body[0]!;
    expect(hip.maxRadius).toBe(180);
    expect(hip.columns.find((c) => c.name === 'ra')).toMatchObject({ unit: 'deg', ucd: 'pos.eq.ra;meta.main' });
    expect(hip.columns.find((c) => c.name === 'mag')).toMatchObject({ unit: 'mag', ucd: 'phot.mag;em.opt.V' });
    const colls = (await app.inject('/api/collections')).json() as Array<{ name: string; rowCount: number }>;
    expect(colls.reduce((s, c) => s + c.rowCount, 0)).toBe(1000);
  });
});

describe('GET /api/catalogues/:name/cone', () => {
  it('returns the rows in the cone brightest first, with the total and a limit', async () => {
    const [ra, dec, radius] = [83.82, -5.39, 10];
    const expected = stars.filter((s) => angularDistanceDeg(ra, dec, s.ra, s.dec) <= radius).sort((a, b) => a.mag - b.mag);
    expect(expected.length).toBeGreaterThan(30);
    const res = await app.inject(`/api/catalogues/hipparcos/cone?ra=${ra}&dec=${dec}&radius=${radius}&limit=25`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as SearchBody;
    expect(body).toMatchObject({ catalogue: 'hipparcos', total: expected.length, returned: 25, truncated: true, orderBy: 'mag', descending: false });
    expect(body.columns.map((c) => c.name)).toEqual(['hip', 'ra', 'dec', 'mag', 'bv']);
    const mags = body.data.map((r) => r[3] as number);
    expect(mags).toEqual(expected.slice(0, 25).map((s) => s.mag));
    // every row really is inside
    for (const r of body.data) expect(angularDistanceDeg(ra, dec, r[1] as number, r[2] as number)).toBeLessThanOrEqual(radius);
  });

  it('orderBy: descending, another column, distance', async () => {
    const base = '/api/catalogues/hipparcos/cone?ra=10&dec=41&radius=15';
    const desc = (await app.inject(`${base}&orderBy=-mag&limit=5`)).json() as SearchBody;
    expect(desc.descending).toBe(true);
    const m = desc.data.map((r) => r[3] as number);
    expect([...m].sort((a, b) => b - a)).toEqual(m);
    const near = (await app.inject(`${base}&orderBy=distance&limit=5`)).json() as SearchBody;
    const d = near.data.map((r) => angularDistanceDeg(10, 41, r[1] as number, r[2] as number));
    expect([...d].sort((a, b) => a - b)).toEqual(d);
    const byBv = await app.inject(`${base}&orderBy=bv&limit=3`);
    expect(byBv.statusCode).toBe(200);
  });

  it('crosses RA 0/360 and reaches the pole', async () => {
    for (const [ra, dec, radius] of [[0, 0, 8], [359.9, 30, 6], [0, 90, 12], [200, -90, 20]] as const) {
      const expected = stars.filter((s) => angularDistanceDeg(ra, dec, s.ra, s.dec) <= radius).length;
      const body = (await app.inject(`/api/catalogues/hipparcos/cone?ra=${ra}&dec=${dec}&radius=${radius}&limit=10000`)).json() as SearchBody;
      expect(body.total, `${ra} ${dec} ${radius}`).toBe(expected);
      expect(body.returned).toBe(expected);
    }
  });

  it.each([
    ['', 'ra'],
    ['?dec=1&radius=1', 'ra'],
    ['?ra=abc&dec=1&radius=1', 'ra'],
    ['?ra=400&dec=1&radius=1', 'ra'],
    ['?ra=1&dec=95&radius=1', 'dec'],
    ['?ra=1&dec=-91&radius=1', 'dec'],
    ['?ra=1&dec=1', 'radius'],
    ['?ra=1&dec=1&radius=-1', 'radius'],
    ['?ra=1&dec=1&radius=200', 'radius'],
    ['?ra=1&dec=1&radius=x', 'radius'],
    ['?ra=1&dec=1&radius=1&limit=0', 'limit'],
    ['?ra=1&dec=1&radius=1&limit=10001', 'limit'],
    ['?ra=1&dec=1&radius=1&limit=2.5', 'limit'],
    ['?ra=1&dec=1&radius=1&orderBy=1x', 'orderBy'],
    ['?ra=1&dec=1&radius=1&orderBy=nope', 'orderBy'],
    ['?ra=1&dec=1&radius=1&extra=1', 'extra'],
  ])('400 naming the field: %s', async (query, field) => {
    const res = await app.inject(`/api/catalogues/hipparcos/cone${query}`);
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; message: string };
    expect(body.error).toBe('bad request');
    expect(body.message).toContain(field);
  });

  it('orderBy must be numeric', async () => {
    const res = await app.inject('/api/catalogues/messier/cone?ra=1&dec=1&radius=1&orderBy=type');
    expect(res.statusCode).toBe(400);
    expect((res.json() as { message: string }).message).toMatch(/orderBy.*numeric column of messier.*mag/);
  });

  it('413 naming the limit when the radius is too large for the catalogue', async () => {
    const res = await app.inject('/api/catalogues/messier/cone?ra=1&dec=1&radius=11');
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: 'payload too large',
      message: 'radius 11 is above the limit of 10 degrees (maxRadius) for catalogue messier',
    });
    expect((await app.inject('/api/catalogues/messier/cone?ra=1&dec=1&radius=10')).statusCode).toBe(200);
  });

  it('404 for an unknown catalogue; 400 for a malformed name', async () => {
    const res = await app.inject('/api/catalogues/nope/cone?ra=1&dec=1&radius=1');
    expect(res.statusCode).toBe(404);
    expect((res.json() as { message: string }).message).toMatch(/no catalogue named "nope"/);
    expect((await app.inject('/api/catalogues/Bad%20Name/cone?ra=1&dec=1&radius=1')).statusCode).toBe(400);
  });
});

describe('GET /api/catalogues/:name/polygon', () => {
  it('returns exactly the rows inside', async () => {
    const vs: Array<[number, number]> = [[80, -10], [90, -10], [90, 0], [80, 0]];
    const inside = inPolygon(vs);
    const expected = stars.filter((s) => inside(s.ra, s.dec)).map((s) => s.hip).sort((a, b) => a - b);
    const res = await app.inject(`/api/catalogues/hipparcos/polygon?vertices=${vs.flat().join(',')}&limit=10000`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as SearchBody;
    expect(body.data.map((r) => r[0] as number).sort((a, b) => a - b)).toEqual(expected);
  });

  it.each([
    ['1,2,3', /ra,dec pairs/],
    ['1,2,3,4', /at least 3 vertices/],
    ['1,2,x,4,5,6', /item 3 \("x"\) is not a number/],
    ['1,2,3,95,5,6', /dec 95 is outside/],
    ['0,0,10,10,10,0,0,10', /cross/],
    ['0,0,0,0,1,1', /identical/],
  ])('400 naming vertices: %s', async (vertices, why) => {
    const res = await app.inject(`/api/catalogues/hipparcos/polygon?vertices=${vertices}`);
    expect(res.statusCode).toBe(400);
    const message = (res.json() as { message: string }).message;
    expect(message).toContain('vertices');
    expect(message).toMatch(why);
  });

  it('413 for a polygon larger than the limit', async () => {
    const res = await app.inject('/api/catalogues/messier/polygon?vertices=0,-20,20,-20,20,20,0,20');
    expect(res.statusCode).toBe(413);
    expect((res.json() as { message: string }).message).toMatch(/limit of 10 degrees \(maxRadius\)/);
  });
});

describe('GET /api/counts', () => {
  it('counts every catalogue and collection in one call', async () => {
    const [ra, dec, radius] = [83.82, -5.39, 3];
    const res = await app.inject(`/api/counts?ra=${ra}&dec=${dec}&radius=${radius}`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      catalogues: Array<{ name: string; count: number; approximate: boolean }>;
      collections: Array<{ name: string; count: number; approximate: boolean }>;
    };
    const hip = body.catalogues.find((c) => c.name === 'hipparcos')!;
    expect(hip).toMatchObject({
      count: stars.filter((s) => angularDistanceDeg(ra, dec, s.ra, s.dec) <= radius).length,
      approximate: false,
    });
    expect(body.catalogues.find((c) => c.name === 'messier')).toMatchObject({ count: 2, approximate: false }); // M42, M43
    expect(body.collections.map((c) => c.name)).toEqual(['FEROS', 'GIRAFFE', 'HARPS', 'HAWKI', 'PIONIER', 'VHS', 'VIMOS', 'XSHOOTER']);
    const obs = (await app.inject(`/api/observations/cone?ra=${ra}&dec=${dec}&radius=${radius}&limit=1`)).json() as { total: number };
    expect(body.collections.reduce((s, c) => s + c.count, 0)).toBe(obs.total);
    for (const q of ['?ra=1&dec=1', '?ra=1&dec=100&radius=1', '?ra=1&dec=1&radius=1&x=2']) {
      expect((await app.inject(`/api/counts${q}`)).statusCode, q).toBe(400);
    }
  });
});

describe('GET /api/observations/cone', () => {
  it('returns footprints that intersect the cone, nearest first', async () => {
    const res = await app.inject('/api/observations/cone?ra=83.82&dec=-5.39&radius=0.05&limit=1000');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { total: number; returned: number; observations: Array<Record<string, unknown>> };
    expect(body.total).toBeGreaterThan(10);
    expect(body.returned).toBe(body.total);
    const first = body.observations[0]!;
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['collection', 's_region', 's_ra', 's_dec', 't_min', 't_max', 'em_min', 'em_max', 'instrument_name', 'access_url', 'preview']));
    expect(typeof first['s_region']).toBe('string');
    // a big VHS tile whose centre is outside the cone but whose footprint covers it
    const far = await app.inject('/api/observations/cone?ra=83.82&dec=-5.39&radius=0.01&collection=VHS');
    const vhs = (far.json() as { observations: Array<{ s_ra: number; s_dec: number }> }).observations;
    expect(vhs.length).toBeGreaterThan(0);
    expect(Math.max(...vhs.map((o) => angularDistanceDeg(83.82, -5.39, o.s_ra, o.s_dec)))).toBeGreaterThan(0.1);
  });

  it('collection filter and errors', async () => {
    const one = (await app.inject('/api/observations/cone?ra=83.82&dec=-5.39&radius=2&collection=HAWKI&limit=5')).json() as {
      total: number;
      returned: number;
      observations: Array<{ collection: string }>;
    };
    expect(one.returned).toBe(5);
    expect(one.observations.every((o) => o.collection === 'HAWKI')).toBe(true);
    expect((await app.inject('/api/observations/cone?ra=1&dec=1&radius=1&collection=NOPE')).statusCode).toBe(404);
    expect((await app.inject('/api/observations/cone?ra=1&dec=1&radius=1&limit=6000')).statusCode).toBe(400);
  });
});

describe('GET /scs/:catalogue (Simple Cone Search 1.03)', () => {
  it('answers a VOTable that our reader parses back, with the SCS UCDs and the right rows', async () => {
    const [ra, dec, sr] = [83.82, -5.39, 3];
    const res = await app.inject(`/scs/hipparcos?RA=${ra}&DEC=${dec}&SR=${sr}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-votable\+xml/);
    const doc = parseVoTable(res.body);
    expect(doc.queryStatus).toBe('OK');
    expect(doc.warnings).toEqual([]);
    const t = doc.tables[0]!;
    const ucd = Object.fromEntries(t.columns.map((c) => [c.name, c.ucd]));
    expect(ucd).toMatchObject({ hip: 'ID_MAIN', ra: 'POS_EQ_RA_MAIN', dec: 'POS_EQ_DEC_MAIN' });
    const expected = stars.filter((s) => angularDistanceDeg(ra, dec, s.ra, s.dec) <= sr);
    expect(t.nrows).toBe(expected.length);
    const hips = Array.from(t.byName['hip']!.values as Int32Array).sort((a, b) => a - b);
    expect(hips).toEqual(expected.map((s) => s.hip).sort((a, b) => a - b));
    const r = t.byName['_r']!.values as Float64Array;
    for (let i = 1; i < r.length; i++) expect(r[i]!).toBeGreaterThanOrEqual(r[i - 1]!);
    expect(t.byName['ra']!.unit).toBe('deg');
  });

  it('VERB=1 gives the id and position; SR=0 the columns only; lower-case names work', async () => {
    const v1 = parseVoTable((await app.inject('/scs/messier?RA=83.8&DEC=-5.4&SR=1&VERB=1')).body).tables[0]!;
    expect(v1.columns.map((c) => c.name)).toEqual(['name', 'ra', 'dec', '_r']);
    expect(Array.from(v1.byName['name']!.values as string[]).sort()).toEqual(['M42', 'M43']);
    const meta = parseVoTable((await app.inject('/scs/messier?ra=83.8&dec=-5.4&sr=0')).body).tables[0]!;
    expect(meta.nrows).toBe(0);
    expect(meta.columns.length).toBeGreaterThan(5);
  });

  it.each([
    ['?DEC=1&SR=1', /RA is required/],
    ['?RA=x&DEC=1&SR=1', /RA must be a number/],
    ['?RA=1&DEC=91&SR=1', /DEC must be in \[-90, 90\]/],
    ['?RA=1&DEC=1', /SR is required/],
    ['?RA=1&DEC=1&SR=-1', /SR must be in/],
    ['?RA=1&DEC=1&SR=1&VERB=7', /VERB must be 1, 2 or 3/],
  ])('bad input %s: an SCS error VOTable', async (query, why) => {
    const res = await app.inject(`/scs/hipparcos${query}`);
    expect(res.statusCode).toBe(200);
    const doc = parseVoTable(res.body);
    expect(doc.queryStatus).toBe('ERROR');
    expect(doc.error).toMatch(why);
    expect(doc.infos.find((i) => i.name === 'Error')?.value).toMatch(why);
  });

  it('SR above the limit and an unknown catalogue', async () => {
    const big = parseVoTable((await app.inject('/scs/messier?RA=1&DEC=1&SR=30')).body);
    expect(big.error).toMatch(/SR 30 is above the limit of 10 degrees/);
    const res = await app.inject('/scs/nope?RA=1&DEC=1&SR=1');
    expect(res.statusCode).toBe(404);
    expect(parseVoTable(res.body).error).toMatch(/no catalogue named "nope"/);
  });
});
