/**
 * ESASky compatibility at /esasky-tap: the layout astroquery.esasky (and ESASky's own clients)
 * expect from https://sky.esa.int/esasky-tap —
 *  - GET /esasky-tap/observations | catalogs | spectra | sso   {"descriptors": [...]} naming, per
 *    mission, the TAP table and its position columns, and whether footprints (`fov`) are searched
 *    with INTERSECTS. Collections of spectra (every dataproduct_type 'spectrum', e.g. the UVES
 *    spectra of `npm run ingest -- products`) are spectra missions, searched by their position;
 *    the other collections are observation (map) missions, searched by footprint
 *  - /esasky-tap/tap/…   the TAP service (routes/tap.ts) with, besides the standard tables, one
 *    table per collection, observations.<name> or spectra.<name>, whose footprint column is `fov`
 *    and whose download link is `product_url` (absolute in sync answers, so astroquery's
 *    get_maps / get_spectra download from this server)
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../storage/db.js';
import type { DatabaseHandle } from '../storage/handle.js';
import { listCatalogues } from '../storage/catalogues.js';
import { listCollections, spectraCollections } from '../storage/observations.js';
import { CATALOGUE_SCHEMA, collectionTableName, loadTapMeta } from '../tap/metadata.js';
import { tapRoutes } from './tap.js';

export const ESASKY_TAP_PREFIX = '/esasky-tap';

/** One mission descriptor (the fields astroquery.esasky reads, and a few ESASky shows). */
export interface MissionDescriptor {
  mission: string;
  label: string;
  tapTable: string;
  tapRaColumn: string;
  tapDecColumn: string;
  useIntersectPolygonInsteadOfContainsPoint: boolean;
  uniqueIdentifierField: string;
  description: string;
  count: number;
}

async function collectionDescriptors(db: Database, spectra: boolean): Promise<MissionDescriptor[]> {
  const isSpectra = await spectraCollections(db);
  return (await listCollections(db))
    .filter((c) => isSpectra.has(c.name) === spectra)
    .map((c) => ({
      mission: c.name,
      label: c.title,
      tapTable: `${spectra ? 'spectra' : 'observations'}.${collectionTableName(c.name)}`,
      tapRaColumn: 's_ra',
      tapDecColumn: 's_dec',
      // a spectrum is taken at a point (the slit): found by its position, as ESASky does
      useIntersectPolygonInsteadOfContainsPoint: !spectra,
      uniqueIdentifierField: 'obs_id',
      description: c.description,
      count: c.rowCount,
    }));
}

/** Observation (map) missions: the collections that are not all spectra. */
export function observationDescriptors(db: Database): Promise<MissionDescriptor[]> {
  return collectionDescriptors(db, false);
}

/** Spectra missions: the collections whose every observation is a spectrum. */
export function spectraDescriptors(db: Database): Promise<MissionDescriptor[]> {
  return collectionDescriptors(db, true);
}

export async function catalogueDescriptors(db: Database): Promise<MissionDescriptor[]> {
  return (await listCatalogues(db)).map((c) => ({
    mission: c.name.toUpperCase(),
    label: c.title,
    tapTable: `${CATALOGUE_SCHEMA}.${c.name}`,
    tapRaColumn: 'ra',
    tapDecColumn: 'dec',
    useIntersectPolygonInsteadOfContainsPoint: false,
    uniqueIdentifierField: c.idColumn,
    description: c.description,
    count: c.rowCount,
  }));
}

export async function esaskyTapRoutes(app: FastifyInstance, handle: DatabaseHandle, version: string): Promise<void> {
  const descriptors = (fn: (db: Database) => Promise<MissionDescriptor[]>) => async () => ({ descriptors: await fn(await handle.get()) });
  app.get(`${ESASKY_TAP_PREFIX}/observations`, descriptors(observationDescriptors));
  app.get(`${ESASKY_TAP_PREFIX}/catalogs`, descriptors(catalogueDescriptors));
  app.get(`${ESASKY_TAP_PREFIX}/spectra`, descriptors(spectraDescriptors));
  app.get(`${ESASKY_TAP_PREFIX}/sso`, descriptors(async () => []));
  await app.register(async (scope) =>
    tapRoutes(scope, handle, version, {
      prefix: `${ESASKY_TAP_PREFIX}/tap`,
      loadMeta: (db) => loadTapMeta(db, { collectionTables: true }),
      esaTapPlus: true,
      absoluteUrls: true,
    }),
  );
}
