/**
 * First start: when the database has never been filled, load the data that ships with the
 * repository (no ../shared needed): Hipparcos stars brighter than 6 mag, the Messier objects,
 * the ESO ObsCore sample, the MPC asteroid and comet orbits and the star names (these two also
 * into a database bootstrapped before they shipped). `npm run ingest -- …` replaces any of them with fuller data.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../storage/db.js';
import type { ProgressSink } from './progress.js';
import { loadCatalogueSource, replaceCollections } from './load.js';
import { mpcSource, replaceSmallBodies } from './sso.js';
import { starNamesSource } from './names.js';
import { ESO_OBSCORE, hipparcosSource, messierSource, obscoreSource } from './sources.js';

export const SHIPPED = {
  hipparcos: 'data/catalogs/stars.6.json',
  messier: 'data/catalogs/messier.json',
  esoObscore: 'data/observations/eso_obscore_1000rows_orion.xml.gz',
  sso: 'data/sso',
  starnames: 'data/catalogs/starnames.json.gz',
} as const;

const DONE_KEY = 'bootstrap_done';
const SSO_DONE_KEY = 'bootstrap_sso_done';

/** Loads the shipped MPC orbits and star names once (or again with force); returns whether it did. */
async function bootstrapSso(db: Database, repoRoot: string, progress: ProgressSink | null, force: boolean): Promise<boolean> {
  if (!force && (await db.all('SELECT value FROM meta WHERE key = ?', [SSO_DONE_KEY])).length > 0) return false;
  for (const p of [SHIPPED.sso, SHIPPED.starnames, SHIPPED.hipparcos]) {
    if (!existsSync(join(repoRoot, p))) throw new Error(`shipped data ${p} is missing from the repository`);
  }
  await replaceSmallBodies(db, mpcSource(join(repoRoot, SHIPPED.sso)), { progress });
  const names = await db.all('SELECT name FROM catalogues WHERE name = ?', ['starnames']);
  if (force || names.length === 0) {
    const src = starNamesSource(join(repoRoot, SHIPPED.starnames), join(repoRoot, SHIPPED.hipparcos));
    await loadCatalogueSource(db, src, { progress });
  }
  await db.run('DELETE FROM meta WHERE key = ?', [SSO_DONE_KEY]);
  await db.run('INSERT INTO meta (key, value) VALUES (?, ?)', [SSO_DONE_KEY, new Date().toISOString()]);
  return true;
}

/** True when the shipped data were loaded before (even if later replaced). */
export async function isBootstrapped(db: Database): Promise<boolean> {
  const rows = await db.all<{ value: string }>('SELECT value FROM meta WHERE key = ?', [DONE_KEY]);
  return rows.length > 0;
}

/** Loads the shipped data once; returns whether it did. */
export async function bootstrap(
  db: Database,
  repoRoot: string,
  progress: ProgressSink | null = process.stderr,
  opts: { force?: boolean } = {},
): Promise<boolean> {
  const force = opts.force ?? false;
  if (!force && (await isBootstrapped(db))) return bootstrapSso(db, repoRoot, progress, false);
  const path = (p: string): string => {
    const full = join(repoRoot, p);
    if (!existsSync(full)) throw new Error(`shipped data file ${p} is missing from the repository`);
    return full;
  };
  const have = force ? new Set<string>() : new Set((await db.all<{ name: string }>('SELECT name FROM catalogues')).map((r) => r.name));
  if (!force) progress?.write('esasky-sky: first start, building the database from the data in the repository\n');
  if (!have.has('hipparcos')) {
    const hip = hipparcosSource(path(SHIPPED.hipparcos), 'the subset brighter than 6 mag shipped in the repository; `npm run ingest -- hipparcos` loads all 118,216');
    await loadCatalogueSource(db, hip, { progress });
  }
  if (!have.has('messier')) {
    const m = messierSource(path(SHIPPED.messier));
    await loadCatalogueSource(db, m, { progress });
  }
  const colls = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM collections WHERE source = ?', [ESO_OBSCORE.source]);
  if (force || Number(colls[0]?.n ?? 0) === 0) {
    await replaceCollections(db, obscoreSource(path(SHIPPED.esoObscore), ESO_OBSCORE), { progress });
  }
  await bootstrapSso(db, repoRoot, progress, force);
  await db.run('DELETE FROM meta WHERE key = ?', [DONE_KEY]);
  await db.run('INSERT INTO meta (key, value) VALUES (?, ?)', [DONE_KEY, new Date().toISOString()]);
  return true;
}
