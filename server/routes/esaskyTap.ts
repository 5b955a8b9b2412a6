/**
 * ESASky compatibility at /esasky-tap: the layout astroquery.esasky (and ESASky's own clients)
 * expect from https://sky.esa.int/esasky-tap —
 *  - GET /esasky-tap/observations | catalogs | spectra | sso   {"descriptors": [...]} naming, per
 *    mission, the TAP table and its position columns, and whether footprints (`fov`) are searched
 *    with INTERSECTS
 *  - /esasky-tap/tap/…   the TAP service (routes/tap.ts) with, besides the standard tables, one
 *    table per collection, observations.<name>, whose footprint column is `fov`
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../storage/db.js';
import type { DatabaseHandle } from '../storage/handle.js';
import { listCatalogues } from '../storage/catalogues.js';
import { listCollections } from '../storage/observations.js';
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

export async function observationDescriptors(db: Database): Promise<MissionDescriptor[]> {
  return (await listCollections(db)).map((c) => ({
    mission: c.name,
    label: c.title,
    tapTable: `observations.${collectionTableName(c.name)}`,
    tapRaColumn: 's_ra',
    tapDecColumn: 's_dec',
    useIntersectPolygonInsteadOfContainsPoint: true,
    uniqueIdentifierField: 'obs_id',
    description: c.description,
    count: c.rowCount,
  }));
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
  // no spectra and no solar-system objects in this archive (yet): empty lists, not 404s
  app.get(`${ESASKY_TAP_PREFIX}/spectra`, descriptors(async () => []));
  app.get(`${ESASKY_TAP_PREFIX}/sso`, descriptors(async () => []));
  await app.register(async (scope) =>
    tapRoutes(scope, handle, version, {
      prefix: `${ESASKY_TAP_PREFIX}/tap`,
      loadMeta: (db) => loadTapMeta(db, { collectionTables: true }),
      esaTapPlus: true,
    }),
  );
}
