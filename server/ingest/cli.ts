/**
 * `npm run ingest -- <what> [--path P]`: loads data into the configured database (DATABASE_URL,
 * else DATA_DIR/esasky.sqlite). Each ingest replaces what a previous run of the same ingest
 * wrote; what readers see changes in one final transaction (kill it at any point and the
 * database is as before). A killed catalogue ingest resumes from its last committed chunk when
 * run again on the same, unchanged files (load.ts).
 *
 *   hipparcos    [--path stars.14.json]           118,216 Hipparcos stars (d3-celestial GeoJSON)
 *   messier      [--path messier.json]            the 110 Messier objects
 *   tycho2       [--path dir with ReadMe + data]  2,539,913 Tycho-2 stars (CDS I/259)
 *   eso-obscore  [--path ObsCore VOTable]         1,000 ESO observations with footprints
 *   sso          [--path dir or file]             MPC asteroid (MPCORB) and comet (CometEls) orbits
 *   sso-xmatch                                    ESASky's SSO cross-match: observations each orbit crossed
 *   dsos         [--path dsos.20.json]            89,870 deep-sky objects (NGC, IC, …) for the name resolver
 *   starnames    [--path starnames.json]          star names and designations (positions from stars.14.json)
 *   products     [--path data kit dir]            UVES spectra and light curves, copied under DATA_DIR/products
 *   shipped                                       the data in the repository (first-start set)
 *   list                                          what the database holds
 *
 * Default paths are in the project data kit: $ESASKY_SHARED_DATA, else <repo>/../shared/data.
 */
import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../config.js';
import type { Database } from '../storage/db.js';
import { openDatabase } from '../storage/open.js';
import { listCatalogues } from '../storage/catalogues.js';
import { listCollections } from '../storage/observations.js';
import { loadCatalogueSource, replaceCollections, type LoadReport } from './load.js';
import { SHIPPED, bootstrap } from './bootstrap.js';
import { mpcSource, replaceSmallBodies } from './sso.js';
import { dsoSource, starNamesSource } from './names.js';
import { countSmallBodies } from '../storage/sso.js';
import { ingestProducts } from './products.js';
import { buildSsoCrossmatch } from './ssoXmatch.js';
import { ESO_OBSCORE, hipparcosSource, messierSource, obscoreSource, tychoSource } from './sources.js';

export const USAGE = `usage: npm run ingest -- <what> [--path PATH]
  hipparcos    Hipparcos stars      (default PATH: <data kit>/catalogs/stars.14.json)
  messier      Messier objects      (default PATH: data/catalogs/messier.json)
  tycho2       Tycho-2 catalogue    (default PATH: <data kit>/catalogs/tycho2, with ReadMe and tyc2.dat.* or the .tar.xz)
  eso-obscore  ESO observations     (default PATH: <data kit>/votable_samples/eso_obscore_1000rows_orion.xml)
  sso          asteroid and comet orbits (default PATH: <data kit>/sso: MPCORB *.dat and CometEls.txt)
  sso-xmatch   the observations every asteroid and comet crossed (ESASky's SSO search, precomputed for /esasky-tap); re-run after sso or collection ingests
  dsos         deep-sky objects     (default PATH: <data kit>/catalogs/dsos.20.json)
  starnames    star names           (default PATH: <data kit>/catalogs/starnames.json; positions from stars.14.json beside it)
  products     UVES spectra and Kepler/TESS light curves (default PATH: <data kit>, with spectra/UVES and lightcurves); files copied under DATA_DIR/products
  shipped      the data in the repository, as on first start
  list         catalogues and collections in the database
The database: DATABASE_URL (PostgreSQL) or DATA_DIR/esasky.sqlite. The data kit: ESASKY_SHARED_DATA or <repo>/../shared/data.`;

export class UsageError extends Error {}

export interface CliArgs {
  what: string;
  path?: string;
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const rest = [...argv];
  let path: string | undefined;
  const pos: string[] = [];
  while (rest.length) {
    const a = rest.shift()!;
    if (a === '--path' || a === '-p') {
      path = rest.shift();
      if (path === undefined) throw new UsageError('--path needs a value');
    } else if (a.startsWith('--path=')) path = a.slice(7);
    else if (a === '--help' || a === '-h') pos.push('help');
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else pos.push(a);
  }
  if (pos.length !== 1) throw new UsageError(pos.length ? `one thing at a time, got ${pos.join(' ')}` : 'say what to ingest');
  return path === undefined ? { what: pos[0]! } : { what: pos[0]!, path: resolve(path) };
}

/** Runs one ingest on an open database; returns its report (undefined for list/shipped). */
export async function runIngest(
  db: Database,
  args: CliArgs,
  env: { repoRoot: string; sharedData: string; dataDir?: string; out?: NodeJS.WritableStream & { isTTY?: boolean } },
): Promise<LoadReport | undefined> {
  const out = env.out ?? process.stderr;
  const kit = (p: string): string => args.path ?? join(env.sharedData, p);
  switch (args.what) {
    case 'hipparcos': {
      const src = hipparcosSource(kit('catalogs/stars.14.json'));
      return loadCatalogueSource(db, src, { progress: out });
    }
    case 'messier': {
      const src = messierSource(args.path ?? join(env.repoRoot, SHIPPED.messier));
      return loadCatalogueSource(db, src, { progress: out });
    }
    case 'tycho2': {
      const src = tychoSource(kit('catalogs/tycho2'));
      return loadCatalogueSource(db, src, { progress: out });
    }
    case 'eso-obscore':
      return replaceCollections(db, obscoreSource(kit('votable_samples/eso_obscore_1000rows_orion.xml'), ESO_OBSCORE), {
        progress: out,
      });
    case 'dsos': {
      const src = dsoSource(kit('catalogs/dsos.20.json'));
      return loadCatalogueSource(db, src, { progress: out });
    }
    case 'starnames': {
      const names = kit('catalogs/starnames.json');
      const src = starNamesSource(names, join(dirname(names), 'stars.14.json'));
      return loadCatalogueSource(db, src, { progress: out });
    }
    case 'sso':
      return replaceSmallBodies(db, mpcSource(kit('sso')), { progress: out });
    case 'sso-xmatch':
      return buildSsoCrossmatch(db, { progress: out });
    case 'products':
      if (env.dataDir === undefined) throw new UsageError('products: no DATA_DIR to copy the files to');
      return ingestProducts(db, args.path ?? env.sharedData, env.dataDir, { progress: out });
    case 'shipped': {
      await bootstrap(db, env.repoRoot, out, { force: true });
      return undefined;
    }
    case 'list': {
      for (const c of await listCatalogues(db)) {
        out.write(`catalogue  ${c.name.padEnd(12)} ${String(c.rowCount).padStart(10)} rows  ${c.source}  (${c.ingestedAt})\n`);
      }
      for (const c of await listCollections(db)) {
        out.write(`collection ${c.name.padEnd(12)} ${String(c.rowCount).padStart(10)} rows  ${c.source}  (${c.ingestedAt})\n`);
      }
      for (const c of await countSmallBodies(db)) {
        out.write(`sso        ${c.kind.padEnd(12)} ${String(c.n).padStart(10)} orbits ${c.source}  (${c.ingestedAt})\n`);
      }
      return undefined;
    }
    default:
      throw new UsageError(`unknown ingest ${JSON.stringify(args.what)}`);
  }
}

export async function main(argv: readonly string[] = process.argv.slice(2), environ = process.env): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.what === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let db: Database | undefined;
  try {
    const config = loadConfig(environ);
    const sharedData = environ['ESASKY_SHARED_DATA']?.trim() || join(config.repoRoot, '..', 'shared', 'data');
    db = await openDatabase(config, { cacheMiB: 512 });
    process.stderr.write(`esasky-sky ingest ${args.what} into ${db.location}\n`);
    await runIngest(db, args, { repoRoot: config.repoRoot, sharedData, dataDir: config.dataDir });
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${USAGE}\n`);
      return 2;
    }
    const msg = err instanceof ConfigError ? `configuration error: ${err.message}` : (err as Error).message;
    process.stderr.write(`esasky-sky ingest: ${msg}\n`);
    return 1;
  } finally {
    await db?.close();
  }
}

function isEntryScript(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryScript()) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`esasky-sky ingest: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
