/**
 * ESASky compatibility at /esasky-tap: the layout astroquery.esasky (and ESASky's own clients)
 * expect from https://sky.esa.int/esasky-tap —
 *  - GET /esasky-tap/observations | catalogs | spectra | sso   {"descriptors": [...]} naming, per
 *    mission, the TAP table and its position columns, and whether footprints (`fov`) are searched
 *    with INTERSECTS. Collections of spectra (every dataproduct_type 'spectrum', e.g. the UVES
 *    spectra of `npm run ingest -- products`) are spectra missions, searched by their position;
 *    the other collections are observation (map) missions, searched by footprint
 *  - GET /esasky-tap/sso  one descriptor per collection with timed observations: its table and
 *    ESASky's cross-match table sso.xmatch (precomputed by `npm run ingest -- sso-xmatch`)
 *  - GET /esasky-tap/generalresolver?action=bytarget&target=&type=   the archive's asteroids and
 *    comets by name, in the shape of ESASky's SsODNet answer (astroquery's find_sso / query_sso)
 *  - /esasky-tap/tap/…   the TAP service (routes/tap.ts) with, besides the standard tables, one
 *    table per collection, observations.<name> or spectra.<name>, whose footprint column is `fov`
 *    and whose download link is `product_url` (absolute in sync answers, so astroquery's
 *    get_maps / get_spectra download from this server)
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http.js';
import type { Database } from '../storage/db.js';
import type { DatabaseHandle } from '../storage/handle.js';
import { listCatalogues } from '../storage/catalogues.js';
import { listCollections, spectraCollections } from '../storage/observations.js';
import { findSmallBodies } from '../storage/sso.js';
import { esaskySsoIds } from '../ingest/ssoXmatch.js';
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

/** SSO missions: the collections with timed observations, joined to sso.xmatch by observation_oid. */
export async function ssoDescriptors(db: Database): Promise<Array<MissionDescriptor & { ssoXMatchTapTable: string }>> {
  const timed = new Set(
    (await db.all<{ collection: string }>('SELECT DISTINCT collection FROM observations WHERE t_min IS NOT NULL AND t_max IS NOT NULL')).map(
      (r) => r.collection,
    ),
  );
  const all = [...(await observationDescriptors(db)), ...(await spectraDescriptors(db))].sort((a, b) => (a.mission < b.mission ? -1 : 1));
  return all.filter((d) => timed.has(d.mission)).map((d) => ({ ...d, ssoXMatchTapTable: 'sso.xmatch' }));
}

/** ESASky's sso types (astroquery's SSO_TYPES) and the kinds of small body each finds here. */
const SSO_TYPE_KINDS: Record<string, ReadonlyArray<'asteroid' | 'comet'>> = {
  ALL: ['asteroid', 'comet'],
  ASTEROID: ['asteroid'],
  DWARF_PLANET: ['asteroid'],
  COMET: ['comet'],
  SATELLITE: [],
  PLANET: [],
  SPACECRAFT: [],
  SPACEJUNK: [],
  EXOPLANET: [],
  STAR: [],
};

export const generalResolverQuerySchema = {
  type: 'object',
  required: ['action', 'target'],
  properties: {
    action: { type: 'string', enum: ['bytarget'], description: 'only bytarget (resolve a Solar System object name)' },
    target: { type: 'string', minLength: 1, maxLength: 200, description: 'name, number or designation of an asteroid or comet' },
    type: {
      type: 'string',
      pattern: '^[A-Za-z_]{1,20}$',
      default: 'ALL',
      description: `one of ${Object.keys(SSO_TYPE_KINDS).join(', ')} (any case)`,
    },
  },
} as const;

export interface SsoResolverResult {
  name: string;
  ssoObjType: 'Asteroid' | 'Comet';
  aliases: string[];
}

/** The small bodies called `target` of the kinds `type` selects, as ESASky's SsODNet answer lists them. */
export async function resolveSso(db: Database, target: string, type: string): Promise<SsoResolverResult[]> {
  const kinds = SSO_TYPE_KINDS[type.toUpperCase()] ?? [];
  return (await findSmallBodies(db, target))
    .filter((o) => kinds.includes(o.kind))
    .map((o) => ({
      name: esaskySsoIds(o).ssoName,
      ssoObjType: o.kind === 'comet' ? ('Comet' as const) : ('Asteroid' as const),
      aliases: [...new Set([o.label, o.designation, o.name, o.number === null ? null : String(o.number)].filter((x): x is string => x !== null))],
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
  app.get(`${ESASKY_TAP_PREFIX}/spectra`, descriptors(spectraDescriptors));
  app.get(`${ESASKY_TAP_PREFIX}/sso`, descriptors(ssoDescriptors));
  app.get<{ Querystring: { action: string; target: string; type?: string } }>(
    `${ESASKY_TAP_PREFIX}/generalresolver`,
    { schema: { querystring: generalResolverQuerySchema } },
    async (request) => {
      const { target, type = 'ALL' } = request.query;
      if (SSO_TYPE_KINDS[type.toUpperCase()] === undefined) {
        throw new HttpError(400, `querystring/type must be one of ${Object.keys(SSO_TYPE_KINDS).join(', ')}, got ${JSON.stringify(type)}`);
      }
      return { ssoDnetResults: { errorMessage: null, results: await resolveSso(await handle.get(), target, type) } };
    },
  );
  await app.register(async (scope) =>
    tapRoutes(scope, handle, version, {
      prefix: `${ESASKY_TAP_PREFIX}/tap`,
      loadMeta: (db) => loadTapMeta(db, { collectionTables: true }),
      esaTapPlus: true,
      absoluteUrls: true,
    }),
  );
}
