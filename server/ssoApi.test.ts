// The Solar System and name-resolver HTTP API on a temp database filled on first start (the
// shipped orbits and star names), plus a Tycho-2 sample, a d3-celestial DSO sample and a test
// collection of observations placed on Ceres' path from the independent astropy reference.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Equator, MakeTime, Observer, Body } from 'astronomy-engine';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { openSqlite, type Database } from './storage/db.js';
import { replaceCatalogue, replaceCollections, type ObservationRow } from './ingest/load.js';
import { tychoSource } from './ingest/sources.js';
import { dsoSource } from './ingest/names.js';
import { mjdToMs, msToMjd } from './sso/ephemeris.js';

const DEG = Math.PI / 180;
function sepArcsec(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const s = Math.sin(((dec2 - dec1) * DEG) / 2) ** 2 + Math.cos(dec1 * DEG) * Math.cos(dec2 * DEG) * Math.sin(((ra2 - ra1) * DEG) / 2) ** 2;
  return ((2 * Math.asin(Math.sqrt(s))) / DEG) * 3600;
}

interface RefPoint {
  utc: string;
  raDeg: number;
  decDeg: number;
  deltaAu: number;
}
const reference = JSON.parse(readFileSync(new URL('../test/fixtures/sso/sso_reference.json', import.meta.url), 'utf8')) as {
  cases: Array<{ label: string; points: RefPoint[] }>;
};
const ceres = reference.cases.find((c) => c.label === '(1) Ceres')!.points;

/** A square footprint (STC-S POLYGON) of half-size h degrees around (ra, dec). */
function square(ra: number, dec: number, h: number): string {
  const c = Math.cos(dec * DEG);
  const v = [
    [ra - h / c, dec - h],
    [ra + h / c, dec - h],
    [ra + h / c, dec + h],
    [ra - h / c, dec + h],
  ];
  return `POLYGON ICRS ${v.map(([a, b]) => `${a!.toFixed(6)} ${b!.toFixed(6)}`).join(' ')}`;
}

let dir: string;
let app: FastifyInstance;
let db: Database;

// Ceres at 2019-04-27T00:00Z (the reference), moving ~0.2°/day (near opposition)
const T0 = Date.parse(ceres[1]!.utc);
const MIN = 60_000;
const obs = (id: string, region: string, t0Ms: number, t1Ms: number): ObservationRow => ({
  obs_collection: 'SSOTEST',
  obs_id: id,
  dataproduct_type: 'image',
  s_region: region,
  t_min: msToMjd(t0Ms),
  t_max: msToMjd(t1Ms),
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'esasky-sso-'));
  const config = loadConfig({ DATA_DIR: dir });
  app = await buildApp(config, { logger: false });
  expect((await app.inject('/api/catalogues')).statusCode).toBe(200); // first use fills the database
  db = openSqlite(join(dir, 'esasky.sqlite'));
  const tyc = tychoSource(join(config.repoRoot, 'test/fixtures/server/tycho2'));
  await replaceCatalogue(db, tyc.spec, tyc.batches, { progress: null });
  const dsos = dsoSource(join(config.repoRoot, 'test/fixtures/sso/dsos_sample.json'));
  await replaceCatalogue(db, dsos.spec, dsos.batches, { progress: null });
  const { raDeg: ra, decDeg: dec } = ceres[1]!;
  // ~0.2°/day = 30″/h: a 40″ square is crossed within minutes of T0
  await replaceCollections(
    db,
    {
      source: 'sso-test',
      credit: 'test footprints placed on the astropy reference path of Ceres',
      collections: [{ name: 'SSOTEST', title: 'SSO test', description: 'footprints on and off the path of Ceres' }],
      rows: [
        obs('on-path', square(ra, dec, 20 / 3600), T0 - 5 * MIN, T0 + 5 * MIN),
        obs('right-place-wrong-time', square(ra, dec, 20 / 3600), T0 + 3 * 86_400_000, T0 + 3 * 86_400_000 + 10 * MIN),
        obs('right-time-wrong-place', square(ra + 0.5, dec, 20 / 3600), T0 - 5 * MIN, T0 + 5 * MIN),
        // a long exposure that starts and ends outside its footprint: Ceres passes through halfway
        obs('passes-through', square(ra, dec, 10 / 3600), T0 - 12 * 60 * MIN, T0 + 12 * 60 * MIN),
        // a pointing (no s_region; s_fov circle) at the same place: found through footprintOf's fallback
        { obs_collection: 'SSOTEST', obs_id: 'fov-circle', s_ra: ra, s_dec: dec, s_fov: 0.02, t_min: msToMjd(T0), t_max: msToMjd(T0 + MIN) },
        // no time: never crossed
        { obs_collection: 'SSOTEST', obs_id: 'untimed', s_region: square(ra, dec, 1) },
      ],
    },
    { progress: null },
  );
}, 120_000);

afterAll(async () => {
  await db?.close();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface EphemerisBody {
  target: { name: string; kind: string; label: string };
  count: number;
  stepS: number;
  points: Array<{ time: string; mjd: number; raDeg: number; decDeg: number; deltaAu: number; vMag: number | null; elongationDeg: number }>;
}

describe('GET /api/sso/{name}/ephemeris', () => {
  it('Ceres agrees with the astropy reference', async () => {
    const res = await app.inject(`/api/sso/Ceres/ephemeris?start=2019-01-01&end=2019-04-27&step=${116}d`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<EphemerisBody>();
    expect(body.target).toMatchObject({ kind: 'asteroid', label: '(1) Ceres' });
    expect(body.count).toBe(2);
    for (const [i, p] of body.points.entries()) {
      const ref = ceres[i]!;
      expect(p.time).toBe(new Date(ref.utc).toISOString());
      expect(sepArcsec(p.raDeg, p.decDeg, ref.raDeg, ref.decDeg)).toBeLessThan(3);
      expect(p.deltaAu).toBeCloseTo(ref.deltaAu, 4);
      // H = 3.34 at 1.9-3.2 AU: magnitude 7-9
      expect(p.vMag).toBeGreaterThan(6.5);
      expect(p.vMag).toBeLessThan(9.5);
    }
  });

  it('Mars agrees with astronomy-engine Equator() at the geocentre to 1″, every 6 h', async () => {
    const res = await app.inject('/api/sso/mars/ephemeris?start=2026-03-01T00:00&end=2026-03-03T00:00:00Z&step=6h');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<EphemerisBody>();
    expect(body.target).toMatchObject({ name: 'Mars', kind: 'planet' });
    expect(body.count).toBe(9);
    expect(body.stepS).toBe(21600);
    const geocentre = new Observer(0, 0, -6378136.6);
    for (const p of body.points) {
      const want = Equator(Body.Mars, MakeTime(new Date(p.time)), geocentre, false, false);
      expect(sepArcsec(p.raDeg, p.decDeg, want.ra * 15, want.dec)).toBeLessThan(1);
      expect(p.mjd).toBeCloseTo(msToMjd(Date.parse(p.time)), 9);
    }
  });

  it('comets by designation, name or number; the last point is `end`', async () => {
    for (const name of ['C/1995 O1', 'Hale-Bopp', 'c%2F1995%20o1%20(hale-bopp)']) {
      const res = await app.inject(`/api/sso/${encodeURIComponent(decodeURIComponent(name))}/ephemeris?start=1997-03-22&end=1997-04-01T12:00&step=5d`);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(200);
      const body = res.json<EphemerisBody>();
      expect(body.target.label).toBe('C/1995 O1 (Hale-Bopp)');
      expect(body.points.map((p) => p.time)).toEqual(['1997-03-22T00:00:00.000Z', '1997-03-27T00:00:00.000Z', '1997-04-01T00:00:00.000Z', '1997-04-01T12:00:00.000Z']);
    }
    const encke = await app.inject('/api/sso/2P/ephemeris?start=2020-06-25&end=2020-06-25&step=1d');
    expect(encke.json<EphemerisBody>().target.label).toBe('2P/Encke');
  });

  it('bad input: 404 naming the body, 400 naming the limit or the field', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/api/sso/Vulcan/ephemeris', 404, /no Solar System body named "Vulcan".*1358 asteroid and comet orbits/],
      ['/api/sso/Ceres/ephemeris?start=2020-01-01&end=2020-01-02&step=30s', 400, /step "30s" is below the limit of 60 s/],
      ['/api/sso/Ceres/ephemeris?start=2020-01-01&end=2021-01-01&step=1h', 400, /8785 points; the limit is 5000/],
      ['/api/sso/Ceres/ephemeris?start=1800-01-01&end=2000-01-02&step=30d', 400, /limit is 36525 days/],
      ['/api/sso/Ceres/ephemeris?start=2020-01-02&end=2020-01-01', 400, /end is before querystring\/start/],
      ['/api/sso/Ceres/ephemeris?start=2020-13-45', 400, /start "2020-13-45" is not a valid date/],
      ['/api/sso/Ceres/ephemeris?start=yesterday', 400, /querystring\/start must match pattern/],
      ['/api/sso/Ceres/ephemeris?start=1066-10-14', 400, /outside the years 1700..2299 \(the limit\)/],
      ['/api/sso/Ceres/ephemeris?step=1w', 400, /querystring\/step must match pattern/],
      ['/api/sso/Ceres/ephemeris?planet=mars', 400, /unknown parameter "planet"/],
      ['/api/sso/PANSTARRS/ephemeris', 400, /"PANSTARRS" names \d+ bodies \(C\/.*\): use a designation/],
    ];
    for (const [url, status, message] of cases) {
      const res = await app.inject(url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(status);
      expect(res.json<{ message: string }>().message, url).toMatch(message);
    }
  });
});

describe('GET /api/sso/search', () => {
  it('finds by the start of names, numbers and designations, major bodies first', async () => {
    const names = async (q: string): Promise<string[]> => {
      const res = await app.inject(`/api/sso/search?q=${encodeURIComponent(q)}&limit=5`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ results: Array<{ label: string }> }>().results.map((r) => r.label);
    };
    expect(await names('cer')).toEqual(['(1) Ceres']);
    expect((await names('ma'))[0]).toBe('Mars');
    expect(await names('make')).toEqual(['(136472) Makemake']);
    expect(await names('hale')).toContain('C/1995 O1 (Hale-Bopp)');
    expect(await names('2013 fy')).toContain('2013 FY27');
    expect(await names('oumuamua')).toEqual(['1I/`Oumuamua']);
    expect(await names('zzzz')).toEqual([]);
    expect((await app.inject('/api/sso/search')).statusCode).toBe(400);
    expect((await app.inject('/api/sso/search?q=a&limit=1000')).json<{ message: string }>().message).toMatch(/limit must be <= 100/);
  });
});

interface CrossingBody {
  total: number;
  candidates: number;
  start: string | null;
  observations: Array<{ obs_id: string; sso_time: string; sso_mjd: number; sso_ra: number; sso_dec: number; sso_tolerance_arcsec: number }>;
}

describe('GET /api/sso/{name}/observations (SSO search)', () => {
  it('finds exactly the observations Ceres crossed, in time order', async () => {
    const res = await app.inject('/api/sso/Ceres/observations?collection=SSOTEST&start=2019-01-01&end=2019-12-31');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<CrossingBody>();
    expect(body.observations.map((o) => o.obs_id)).toEqual(['passes-through', 'on-path', 'fov-circle']);
    expect(body.total).toBe(3);
    // the wrong-time and wrong-place footprints were candidates of the index query, and rejected
    expect(body.candidates).toBeGreaterThanOrEqual(4);
    const through = body.observations[0]!;
    // it enters the 20″ square ~20 min before T0 (30″/h): well inside the 24 h exposure
    expect(Math.abs(Date.parse(through.sso_time) - T0)).toBeLessThan(60 * MIN);
    expect(through.sso_tolerance_arcsec).toBeLessThan(2);
    expect(mjdToMs(through.sso_mjd)).toBeCloseTo(Date.parse(through.sso_time), -1);
    const on = body.observations[1]!;
    expect(Date.parse(on.sso_time)).toBe(T0 - 5 * MIN);
    expect(sepArcsec(on.sso_ra, on.sso_dec, ceres[1]!.raDeg, ceres[1]!.decDeg)).toBeLessThan(20);
  });

  it('without a time range it searches the span of the observations; other bodies cross nothing here', async () => {
    const res = await app.inject('/api/sso/1/observations?collection=SSOTEST');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<CrossingBody>().total).toBe(3);
    const vesta = await app.inject('/api/sso/Vesta/observations?collection=SSOTEST');
    expect(vesta.json<CrossingBody>().total).toBe(0);
  });

  it('searches every collection, including the shipped ESO observations', async () => {
    const res = await app.inject('/api/sso/Ceres/observations?limit=1');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<CrossingBody>();
    expect(body.total).toBe(3);
    expect(body.observations.length).toBe(1);
    expect(body.start).not.toBeNull();
  });

  it('bad input', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/api/sso/Ceres/observations?collection=NOPE', 404, /no collection named "NOPE"/],
      ['/api/sso/Nemesis/observations', 404, /no Solar System body named "Nemesis"/],
      ['/api/sso/Ceres/observations?limit=0', 400, /limit must be >= 1/],
      ['/api/sso/Ceres/observations?start=1800-01-01&end=2000-01-02', 400, /limit is 36525 days/],
    ];
    for (const [url, status, message] of cases) {
      const res = await app.inject(url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(status);
      expect(res.json<{ message: string }>().message, url).toMatch(message);
    }
  });
});

interface ResolvedBody {
  name: string;
  raDeg: number;
  decDeg: number;
  source: string;
  kind: string;
  time?: string;
}

describe('GET /api/resolve', () => {
  const resolve = async (name: string, extra = ''): Promise<ResolvedBody> => {
    const res = await app.inject(`/api/resolve?name=${encodeURIComponent(name)}${extra}`);
    expect(res.statusCode, `${name}: ${res.body}`).toBe(200);
    return res.json<ResolvedBody>();
  };

  it('Messier numbers, their NGC designations and common names', async () => {
    for (const n of ['M42', 'M 42', 'messier 42', 'NGC 1976', 'ngc1976', 'Orion Nebula']) {
      const r = await resolve(n);
      expect(r, n).toMatchObject({ source: 'messier', name: 'M42 (Orion Nebula)' });
      // the shipped messier.json: M42 at [83.85, -5.45]
      expect(r.raDeg).toBe(83.85);
      expect(r.decDeg).toBe(-5.45);
    }
  });

  it('NGC/IC/other designations from the DSO catalogue', async () => {
    expect(await resolve('NGC 7000')).toMatchObject({ source: 'dsos', name: 'NGC 7000', raDeg: 360 - 45.304, decDeg: 44.33, kind: 'bn' });
    expect(await resolve('ic434')).toMatchObject({ source: 'dsos', name: 'IC 434', raDeg: 85.2, decDeg: -2.5 });
    expect(await resolve('PGC 0012')).toMatchObject({ name: 'PGC 12' });
  });

  it('HIP numbers, star names, Bayer and Flamsteed designations, HD numbers', async () => {
    expect(await resolve('HIP 27989')).toMatchObject({ source: 'hipparcos', raDeg: 88.7929, decDeg: 7.4071 });
    for (const n of ['Betelgeuse', 'betelgeuse', 'α Ori', 'alpha Ori', 'alf ori', '58 Ori', 'HD 39801']) {
      expect(await resolve(n), n).toMatchObject({ source: 'starnames', name: 'Betelgeuse (α Ori)', raDeg: 88.7929, decDeg: 7.4071 });
    }
    expect(await resolve('β1 Cyg')).toMatchObject({ name: 'Albireo (β1 Cyg)' });
    // no plain α Cen in the data: the brighter of α1/α2 Cen
    expect(await resolve('alpha Cen')).toMatchObject({ name: 'Rigil Kentaurus (α1 Cen)' });
    expect(await resolve('α2 Cen')).toMatchObject({ name: 'Toliman (α2 Cen)' });
  });

  it('TYC identifiers', async () => {
    expect(await resolve('TYC 1-8-1')).toMatchObject({ source: 'tycho2', raDeg: 2.31750494, decDeg: 2.23184345 });
    expect(await resolve('0001-00008-1')).toMatchObject({ name: 'TYC 1-8-1' });
  });

  it('Solar System bodies at the time asked (default now)', async () => {
    const mars = await resolve('Mars', '&time=2026-03-01T00:00:00Z');
    const want = Equator(Body.Mars, MakeTime(new Date('2026-03-01T00:00:00Z')), new Observer(0, 0, -6378136.6), false, false);
    expect(mars).toMatchObject({ source: 'sso', kind: 'planet', time: '2026-03-01T00:00:00.000Z' });
    expect(sepArcsec(mars.raDeg, mars.decDeg, want.ra * 15, want.dec)).toBeLessThan(1);
    const c = await resolve('Ceres', `&time=${ceres[1]!.utc}`);
    expect(sepArcsec(c.raDeg, c.decDeg, ceres[1]!.raDeg, ceres[1]!.decDeg)).toBeLessThan(3);
    const now = await resolve('Moon');
    expect(Math.abs(Date.parse(now.time!) - Date.now())).toBeLessThan(60_000);
  });

  it('not found: 404 naming what was searched; ambiguous: 400', async () => {
    const res = await app.inject('/api/resolve?name=Krikkit');
    expect(res.statusCode).toBe(404);
    const msg = res.json<{ message: string }>().message;
    expect(msg).toMatch(/nothing named "Krikkit" was found; searched: /);
    for (const part of ['(messier)', '(dsos)', '(starnames)', 'Solar System bodies']) expect(msg).toContain(part);
    const hip = await app.inject('/api/resolve?name=HIP%20999999');
    expect(hip.json<{ message: string }>().message).toContain('HIP numbers (hipparcos)');
    expect((await app.inject('/api/resolve?name=PANSTARRS')).statusCode).toBe(400);
    expect((await app.inject('/api/resolve')).statusCode).toBe(400);
    expect((await app.inject('/api/resolve?name=M42&time=noon')).json<{ message: string }>().message).toMatch(/time must match pattern/);
  });
});

describe('fuzzed requests', () => {
  it('any name, date or step gives 200, 400 or 404 with a message, never a 500', async () => {
    const text = fc.string({ minLength: 0, maxLength: 40, unit: 'grapheme' });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('resolve', 'ephemeris', 'observations', 'search'), text, text, async (route, a, b) => {
        const e = encodeURIComponent;
        const url =
          route === 'resolve'
            ? `/api/resolve?name=${e(a)}&time=${e(b)}`
            : route === 'search'
              ? `/api/sso/search?q=${e(a)}&limit=${e(b)}`
              : `/api/sso/${e(a || 'x')}/${route}?start=${e(b)}`;
        const res = await app.inject(url);
        expect([200, 400, 404], `${url}: ${res.body}`).toContain(res.statusCode);
        if (res.statusCode !== 200) expect(res.json<{ message?: string; path?: string }>().message ?? res.json<{ path?: string }>().path).toBeTruthy();
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
