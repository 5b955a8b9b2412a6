// Products: the ingest of the data kit's UVES spectra and light curves, single downloads (byte for
// byte), 302 for remote (ESO) products, bulk tar read back by Debian's tar and python's tarfile,
// bulk ZIP (also with ZIP64 records) checked by Debian's unzip -t and python's zipfile,
// bad ids, path traversal and the limits.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { openSqlite, type Database } from './storage/db.js';
import { DatabaseHandle } from './storage/handle.js';
import { runIngest } from './ingest/cli.js';
import { LIGHTCURVES_COLLECTION, SPECTRA_COLLECTION } from './ingest/products.js';
import { productsRoutes } from './routes/products.js';
import { zipArchive } from './routes/bulkArchive.js';

const config0 = loadConfig({});
const KIT = process.env['ESASKY_SHARED_DATA']?.trim() || join(config0.repoRoot, '..', 'shared', 'data');
const haveKit = existsSync(join(KIT, 'spectra', 'UVES')) && existsSync(join(KIT, 'lightcurves'));

const spectra = haveKit ? readdirSync(join(KIT, 'spectra', 'UVES')).filter((f) => f.endsWith('.fits')).sort() : [];
const curves = haveKit ? readdirSync(join(KIT, 'lightcurves')).filter((f) => f.endsWith('.fits')).sort() : [];
const source = (collection: string, file: string): string =>
  join(KIT, collection === SPECTRA_COLLECTION ? 'spectra/UVES' : 'lightcurves', file);


/** The end-of-central-directory record of ZIP64 ("PK\\x06\\x06"). */
const ZIP64_EOCD = Buffer.from([0x50, 0x4b, 0x06, 0x06]);

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(parts)));
  });
}

/**
 * Checks a ZIP with two independent readers: Debian's unzip (-t integrity incl. CRCs, -Z1 the
 * names in order, extracted bytes) and python's zipfile (names, sizes, stored entries, CRCs by
 * testzip, SHA-256 of every member against its source file).
 */
function checkZip(zipFile: string, names: string[], out: string): void {
  const test = spawnSync('unzip', ['-t', zipFile], { encoding: 'utf8' });
  expect(test.error, 'Debian unzip is needed (apt-get install unzip; .ci/run installs it)').toBeUndefined();
  expect(test.status, test.stdout + test.stderr).toBe(0);
  expect(test.stdout).toMatch(/No errors detected/);
  const list = spawnSync('unzip', ['-Z1', zipFile], { encoding: 'utf8' });
  expect(list.stdout.trim().split('\n')).toEqual(names);
  mkdirSync(out, { recursive: true });
  expect(spawnSync('unzip', ['-q', zipFile, '-d', out]).status).toBe(0);
  for (const name of names) {
    const [collection, file] = name.split('/') as [string, string];
    expect(Buffer.compare(readFileSync(join(out, collection, file)), readFileSync(source(collection, file))), name).toBe(0);
  }
  const py = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      [
        'import sys, zipfile, hashlib',
        'with zipfile.ZipFile(sys.argv[1]) as z:',
        '  assert z.testzip() is None',
        '  for i in z.infolist():',
        '    print(i.filename, i.file_size, i.compress_type == zipfile.ZIP_STORED, hashlib.sha256(z.read(i)).hexdigest())',
      ].join('\n'),
      zipFile,
    ],
    { encoding: 'utf8' },
  );
  expect(py.status, py.stderr).toBe(0);
  expect(py.stdout.trim().split('\n')).toEqual(
    names.map((n) => {
      const bytes = readFileSync(source(...(n.split('/') as [string, string])));
      return `${n} ${bytes.length} True ${createHash('sha256').update(bytes).digest('hex')}`;
    }),
  );
}

describe.skipIf(!haveKit)('products', () => {
  let dir: string;
  let app: FastifyInstance;
  let db: Database;
  const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esasky-products-'));
    const config = loadConfig({ DATA_DIR: dir });
    app = await buildApp(config, { logger: false });
    expect((await app.inject('/api/collections')).statusCode).toBe(200); // fills the database
    db = openSqlite(join(dir, 'esasky.sqlite'));
    // twice: the ingest is idempotent
    for (let i = 0; i < 2; i++) {
      await runIngest(db, { what: 'products' }, { repoRoot: config.repoRoot, sharedData: KIT, dataDir: dir, out: quiet });
    }
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers every spectrum and light curve once, as ObsCore rows pointing at this server', async () => {
    const colls = (await app.inject('/api/collections')).json() as Array<{ name: string; rowCount: number }>;
    expect(colls.find((c) => c.name === SPECTRA_COLLECTION)?.rowCount).toBe(spectra.length);
    expect(colls.find((c) => c.name === LIGHTCURVES_COLLECTION)?.rowCount).toBe(curves.length);
    const rows = await db.all<{ obs_id: string; access_url: string; dataproduct_type: string; s_ra: number; t_min: number; em_min: number | null }>(
      'SELECT obs_id, access_url, dataproduct_type, s_ra, t_min, em_min FROM observations WHERE collection = ? ORDER BY obs_id',
      [SPECTRA_COLLECTION],
    );
    expect(rows.map((r) => `${r.obs_id}.fits`)).toEqual(spectra);
    const first = rows[0]!;
    expect(first.access_url).toBe(`/api/products/${SPECTRA_COLLECTION}/${encodeURIComponent(first.obs_id)}`);
    expect(first.dataproduct_type).toBe('spectrum');
    // header values (checked with astropy): RA 230.876323, MJD-OBS 55784.97491049, CRVAL1 3732.056 Å
    expect(first.s_ra).toBeCloseTo(230.876323, 6);
    expect(first.t_min).toBeCloseTo(55784.97491049, 8);
    expect(first.em_min!).toBeCloseTo(3732.05623191818e-10, 16);
    const tess = await db.all<{ t_min: number; t_max: number; dataproduct_type: string }>(
      "SELECT t_min, t_max, dataproduct_type FROM observations WHERE obs_id = 'tess_00025155310-s01_lc'",
    );
    // TSTART/TSTOP 1325.29456531902 / 1353.178026739609 (BTJD, BJDREFI 2457000)
    expect(tess[0]!.dataproduct_type).toBe('timeseries');
    expect(tess[0]!.t_min).toBeCloseTo(2457000 + 1325.29456531902 - 2400000.5, 8);
    expect(tess[0]!.t_max).toBeCloseTo(2457000 + 1353.178026739609 - 2400000.5, 8);
  });

  it('streams each local product byte for byte', async () => {
    for (const [collection, file] of [...spectra.map((f) => [SPECTRA_COLLECTION, f]), ...curves.map((f) => [LIGHTCURVES_COLLECTION, f])] as const) {
      const res = await app.inject(`/api/products/${collection}/${encodeURIComponent(file.replace(/\.fits$/, ''))}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/fits');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${file}"`);
      expect(Buffer.compare(res.rawPayload, readFileSync(source(collection, file)))).toBe(0);
    }
  });

  it('redirects (302) to the access_url of a remote product', async () => {
    const row = (await db.all<{ collection: string; obs_id: string; access_url: string }>(
      "SELECT collection, obs_id, access_url FROM observations WHERE access_url LIKE 'http%' ORDER BY id LIMIT 1",
    ))[0]!;
    const res = await app.inject(`/api/products/${row.collection}/${encodeURIComponent(row.obs_id)}`);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(row.access_url);
  });

  it('bulk: a streamed tar that tar and python tarfile read back, files identical', async () => {
    const ids = [
      ...spectra.slice(0, 4).map((f) => `${SPECTRA_COLLECTION}/${f.replace(/\.fits$/, '')}`),
      ...curves.map((f) => `${LIGHTCURVES_COLLECTION}/${f.replace(/\.fits$/, '')}`),
    ];
    const res = await app.inject({ method: 'POST', url: '/api/products/bulk', payload: { ids: [...ids, ids[0]] } });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-tar');
    expect(res.headers['x-product-count']).toBe(String(ids.length));
    const tarFile = join(dir, 'bulk.tar');
    writeFileSync(tarFile, res.rawPayload);
    const names = ids.map((id) => `${id}.fits`);
    const list = spawnSync('tar', ['-tf', tarFile], { encoding: 'utf8' });
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout.trim().split('\n')).toEqual(names);
    const out = join(dir, 'untar');
    mkdirSync(out);
    expect(spawnSync('tar', ['-xf', tarFile, '-C', out]).status).toBe(0);
    for (const name of names) {
      const [collection, file] = name.split('/') as [string, string];
      expect(Buffer.compare(readFileSync(join(out, collection, file)), readFileSync(source(collection, file))), name).toBe(0);
    }
    const py = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import sys, tarfile\nwith tarfile.open(sys.argv[1]) as t:\n  for m in t.getmembers(): print(m.name, m.size, m.isfile())', tarFile],
      { encoding: 'utf8' },
    );
    if (py.status === 0) {
      expect(py.stdout.trim().split('\n')).toEqual(names.map((n) => `${n} ${readFileSync(source(...(n.split('/') as [string, string]))).length} True`));
    }
  });

  it('bulk zip: a streamed ZIP that unzip -t passes and python zipfile reads back, files identical', async () => {
    const ids = [
      ...spectra.slice(0, 5).map((f) => `${SPECTRA_COLLECTION}/${f.replace(/\.fits$/, '')}`),
      ...curves.map((f) => `${LIGHTCURVES_COLLECTION}/${f.replace(/\.fits$/, '')}`),
    ];
    const res = await app.inject({ method: 'POST', url: '/api/products/bulk', payload: { ids: [...ids, ids[1]], format: 'zip' } });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe('attachment; filename="products.zip"');
    expect(res.headers['x-product-count']).toBe(String(ids.length));
    const zipFile = join(dir, 'bulk.zip');
    writeFileSync(zipFile, res.rawPayload);
    const names = ids.map((id) => `${id}.fits`);
    checkZip(zipFile, names, join(dir, 'unzip'));
    // small archives need no ZIP64 records
    expect(res.rawPayload.includes(ZIP64_EOCD)).toBe(false);
  });

  it('bulk zip with ZIP64 records (as written past 4 GiB or 65,535 entries) reads back the same', async () => {
    const files = spectra.slice(0, 3).map((f) => ({ name: `${SPECTRA_COLLECTION}/${f}`, path: source(SPECTRA_COLLECTION, f), size: readFileSync(source(SPECTRA_COLLECTION, f)).length }));
    const bytes = await collect(zipArchive(files, new Date(), () => undefined, { forceZip64: true }));
    expect(bytes.includes(ZIP64_EOCD)).toBe(true);
    const zipFile = join(dir, 'bulk64.zip');
    writeFileSync(zipFile, bytes);
    checkZip(zipFile, files.map((f) => f.name), join(dir, 'unzip64'));
  });

  it('bulk zip: a file that is not the size the listing promised fails the stream (never a silent short archive)', async () => {
    const f = spectra[0]!;
    const real = readFileSync(source(SPECTRA_COLLECTION, f)).length;
    const errors: Error[] = [];
    const out = zipArchive([{ name: `x/${f}`, path: source(SPECTRA_COLLECTION, f), size: real + 1 }], new Date(), (e) => errors.push(e));
    await expect(collect(out)).rejects.toThrow(/bytes|size/i);
    expect(errors.length).toBeGreaterThan(0);
    const gone = zipArchive([{ name: 'x/gone.fits', path: join(dir, 'no-such-file.fits'), size: 10 }], new Date(), () => undefined);
    await expect(collect(gone)).rejects.toThrow(/ENOENT/);
  });

  it('bulk: an unknown format is a 400 naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/products/bulk',
      payload: { ids: [`${SPECTRA_COLLECTION}/${spectra[0]!.replace(/\.fits$/, '')}`], format: 'rar' },
    });
    expect(res.statusCode).toBe(400);
    expect((res.json() as { message: string }).message).toMatch(/format/);
  });

  it.each([
    ['/api/products/UVES-spectra/nosuch', 404, /no observation "UVES-spectra\/nosuch"/],
    ['/api/products/NOSUCH/x', 404, /no observation "NOSUCH\/x"/],
    ['/api/products/UVES-spectra/..%2F..%2F..%2Fetc%2Fpasswd', 404, /no observation/],
    ['/api/products/..%2F..%2Fetc/passwd', 400, /collection/],
    ['/api/products/UVES-spectra/%2Fetc%2Fpasswd', 404, /no observation/],
    ['/api/products/UVES-spectra/..', 404, /not found/],
  ])('GET %s -> %i', async (path, status, message) => {
    const res = await app.inject(path);
    expect(res.statusCode).toBe(status);
    expect((res.json() as { message?: string }).message ?? res.body).toMatch(message);
    expect(res.body).not.toMatch(/root:/);
  });

  it('a row whose access_url points outside cannot be served as a file', async () => {
    // a tampered row naming a path outside the product directory is refused, never read
    await db.run("UPDATE observations SET obs_id = '../../esasky', access_url = '/api/products/light-curves/..%2F..%2Fesasky' WHERE obs_id = 'tess_00025155310-s01_lc'");
    const res = await app.inject('/api/products/light-curves/..%2F..%2Fesasky');
    expect(res.statusCode).toBe(404);
    expect((res.json() as { message: string }).message).toMatch(/has no product to download here/);
    const bulk = await app.inject({ method: 'POST', url: '/api/products/bulk', payload: { ids: ['light-curves/../../esasky'] } });
    expect(bulk.statusCode).toBe(400);
    await db.run("UPDATE observations SET obs_id = 'tess_00025155310-s01_lc', access_url = '/api/products/light-curves/tess_00025155310-s01_lc' WHERE obs_id = '../../esasky'");
  });

  it.each([
    [{ ids: ['UVES-spectra/nosuch', 'light-curves/gone'] }, 404, /no downloadable product for "UVES-spectra\/nosuch", "light-curves\/gone"/],
    [{ ids: ['UVES-spectra/../../etc/passwd'] }, 400, /not "collection\/obs_id" of a product: "UVES-spectra\/..\/..\/etc\/passwd"/],
    [{ ids: ['/etc/passwd'] }, 400, /not "collection\/obs_id"/],
    [{ ids: [] }, 400, /ids/],
    [{ id: ['x/y'] }, 400, /ids|unknown parameter/],
  ])('bulk %j -> %i', async (payload, status, message) => {
    const res = await app.inject({ method: 'POST', url: '/api/products/bulk', payload });
    expect(res.statusCode).toBe(status);
    expect((res.json() as { message: string }).message).toMatch(message);
  });

  it('random ids never reach a file outside, never crash (fuzz)', async () => {
    const piece = fc.oneof(
      fc.constantFrom('..', '.', '/', '%2e', '%2F', '\\', 'etc', 'passwd', 'UVES-spectra', 'light-curves', '~', '\u0000', 'esasky.sqlite'),
      fc.string({ maxLength: 12 }),
    );
    const id = fc.array(piece, { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
    await fc.assert(
      fc.asyncProperty(id, async (s) => {
        const bulk = await app.inject({ method: 'POST', url: '/api/products/bulk', payload: { ids: [s] } });
        expect([400, 404], `${JSON.stringify(s)} -> ${bulk.statusCode} ${bulk.body.slice(0, 200)}`).toContain(bulk.statusCode);
        const get = await app.inject(`/api/products/${s.split('/').map(encodeURIComponent).join('/')}`);
        expect([400, 404], `GET ${JSON.stringify(s)} -> ${get.statusCode}`).toContain(get.statusCode);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('bulk refuses remote products, naming them', async () => {
    const row = (await db.all<{ collection: string; obs_id: string }>(
      "SELECT collection, obs_id FROM observations WHERE access_url LIKE 'http%' AND obs_id NOT LIKE '%/%' ORDER BY id LIMIT 1",
    ))[0]!;
    const id = `${row.collection}/${row.obs_id}`;
    const res = await app.inject({ method: 'POST', url: '/api/products/bulk', payload: { ids: [id] } });
    expect(res.statusCode).toBe(400);
    expect((res.json() as { message: string }).message).toContain(JSON.stringify(id));
  });

  it('bulk limits: count and total size -> 413 naming the limit', async () => {
    const small = Fastify({ logger: false });
    await small.register(async (scope) => productsRoutes(scope, DatabaseHandle.of(db, false), dir, { maxCount: 3, maxBytes: 500_000 }));
    const ids = spectra.slice(0, 4).map((f) => `${SPECTRA_COLLECTION}/${f.replace(/\.fits$/, '')}`);
    const many = await small.inject({ method: 'POST', url: '/api/products/bulk', payload: { ids } });
    expect(many.statusCode).toBe(413);
    expect(many.body).toMatch(/4 products asked for, more than the limit of 3 per request/);
    const big = await small.inject({ method: 'POST', url: '/api/products/bulk', payload: { ids: ids.slice(0, 3) } });
    expect(big.statusCode).toBe(413);
    expect(big.body).toMatch(/more than the limit of 500000 bytes per archive/);
    const ok = await small.inject({ method: 'POST', url: '/api/products/bulk', payload: { ids: ids.slice(0, 2) } });
    expect(ok.statusCode).toBe(200);
    expect(ok.rawPayload.length).toBeGreaterThan(2 * 221760);
    await small.close();
  });
});
