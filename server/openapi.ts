/**
 * The OpenAPI 3.1 description of the server, written by hand, and the JSON schemas that the
 * routes also use for validation and serialization (one definition for both).
 * Keep it in step with server/routes/*: server/openapi.test.ts calls every documented path.
 */

import { OBSCORE_COLUMNS } from './storage/schema.js';
import { ssoComponents, ssoPaths } from './openapiSso.js';
import { coverageComponents, coveragePaths } from './openapiCoverage.js';
import { productsPaths } from './openapiProducts.js';
import { generalResolverQuerySchema } from './routes/esaskyTap.js';

export const HIPS_FRAMES = ['equatorial', 'galactic', 'ecliptic'] as const;
export type HipsFrame = (typeof HIPS_FRAMES)[number];

export const errorSchema = {
  type: 'object',
  description: 'Error answer. `path` is set on 404s, `message` on other errors.',
  required: ['error'],
  properties: {
    error: { type: 'string', description: 'lower-case HTTP reason, e.g. "not found"', examples: ['not found'] },
    message: { type: 'string' },
    path: { type: 'string' },
  },
} as const;

export const healthSchema = {
  type: 'object',
  required: ['status', 'version', 'uptimeS'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['ok'] },
    version: { type: 'string', description: 'package.json version', examples: ['0.1.0'] },
    uptimeS: { type: 'number', minimum: 0, description: 'seconds since the server process started' },
  },
} as const;

export const hipsSummarySchema = {
  type: 'object',
  required: ['id', 'title', 'url', 'frame', 'order', 'tileFormat', 'tileWidth', 'credit'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'directory name under HIPS_DIR', examples: ['swe_milkyway'] },
    title: { type: 'string', description: 'obs_title' },
    url: { type: 'string', format: 'uri', description: 'absolute HiPS base URL on this server (hips_service_url)' },
    frame: { type: 'string', description: 'hips_frame', examples: ['equatorial'] },
    order: { type: 'integer', minimum: 0, description: 'hips_order (deepest tile order)' },
    tileFormat: { type: 'string', description: 'first (default) hips_tile_format', examples: ['webp', 'jpeg'] },
    tileWidth: { type: 'integer', minimum: 1, description: 'hips_tile_width in pixels' },
    credit: { type: 'string', description: 'obs_copyright; hips_copyright (or hips_creator)' },
  },
} as const;

export const hipsListJsonSchema = { type: 'array', items: hipsSummarySchema } as const;

export const hipsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    frame: { type: 'string', enum: [...HIPS_FRAMES], description: 'only HiPS in this frame' },
  },
} as const;

const jsonError = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const binary = { type: 'string', contentEncoding: 'binary' } as const;

const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'HiPS id (directory name), see /api/hips',
  schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
  example: 'swe_milkyway',
} as const;
const orderParam = {
  name: 'order',
  in: 'path',
  required: true,
  description: 'HEALPix order K of the tile',
  schema: { type: 'integer', minimum: 0, maximum: 29 },
  example: 0,
} as const;
const extParam = {
  name: 'ext',
  in: 'path',
  required: true,
  description: 'tile format extension (lower case), one of the HiPS hips_tile_format',
  schema: { type: 'string', enum: ['webp', 'jpg', 'png', 'fits'] },
  example: 'webp',
} as const;

const tileContent = {
  'image/webp': { schema: binary },
  'image/jpeg': { schema: binary },
  'image/png': { schema: binary },
  'application/fits': { schema: binary },
} as const;

const corsHeaders = {
  'Access-Control-Allow-Origin': { description: 'always *', schema: { type: 'string', enum: ['*'] } },
} as const;
const tileHeaders = {
  ...corsHeaders,
  'Cache-Control': { schema: { type: 'string', examples: ['public, max-age=86400'] } },
} as const;


// ---------------------------------------------------------------------------------------------
// archive: catalogues, counts, observations, Simple Cone Search

export const CATALOGUE_NAME_PATTERN = '^[a-z][a-z0-9_]{0,40}$';
export const COLLECTION_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
/** Most rows one JSON search returns. */
export const MAX_LIMIT = 10_000;
export const MAX_OBS_LIMIT = 5_000;
/** Most polygon vertices. */
export const MAX_VERTICES = 200;

const raProp = { type: 'number', minimum: 0, maximum: 360, description: 'right ascension, ICRS, degrees [0, 360]' } as const;
const decProp = { type: 'number', minimum: -90, maximum: 90, description: 'declination, ICRS, degrees [-90, 90]' } as const;
const radiusProp = {
  type: 'number',
  minimum: 0,
  maximum: 180,
  description: "cone radius, degrees; above the catalogue's maxRadius the answer is 413",
} as const;
const limitProp = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_LIMIT,
  default: 1000,
  description: `most rows returned (1..${MAX_LIMIT}), brightest first by default`,
} as const;
const orderByProp = {
  type: 'string',
  pattern: '^-?[A-Za-z_][A-Za-z0-9_]{0,63}$',
  description:
    "numeric column to sort by (ascending; prefix '-' for descending), or 'distance' from the cone centre. " +
    "Default: the catalogue's brightness column (brightest first).",
} as const;

export const catalogueParamsSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', pattern: CATALOGUE_NAME_PATTERN, description: 'catalogue name, see /api/catalogues' } },
} as const;

export const coneQuerySchema = {
  type: 'object',
  required: ['ra', 'dec', 'radius'],
  additionalProperties: false,
  properties: { ra: raProp, dec: decProp, radius: radiusProp, limit: limitProp, orderBy: orderByProp },
} as const;

export const polygonQuerySchema = {
  type: 'object',
  required: ['vertices'],
  additionalProperties: false,
  properties: {
    vertices: {
      type: 'string',
      maxLength: 20000,
      description: `ra1,dec1,ra2,dec2,… in degrees: 3 to ${MAX_VERTICES} vertices of a simple polygon with great-circle edges (the smaller of the two regions it bounds)`,
    },
    limit: limitProp,
    orderBy: orderByProp,
  },
} as const;

export const countsQuerySchema = {
  type: 'object',
  required: ['ra', 'dec', 'radius'],
  additionalProperties: false,
  properties: { ra: raProp, dec: decProp, radius: { ...radiusProp, description: 'cone radius, degrees (0..180)' } },
} as const;

export const observationsConeQuerySchema = {
  type: 'object',
  required: ['ra', 'dec', 'radius'],
  additionalProperties: false,
  properties: {
    ra: raProp,
    dec: decProp,
    radius: { ...radiusProp, description: 'cone radius, degrees (0..180)' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_OBS_LIMIT, default: 500, description: `most observations returned (1..${MAX_OBS_LIMIT}), nearest centre first` },
    collection: { type: 'string', pattern: COLLECTION_NAME_PATTERN, description: 'only this collection' },
  },
} as const;

export const columnSchema = {
  type: 'object',
  required: ['name', 'type'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    type: { type: 'string', enum: ['int', 'long', 'double', 'text'] },
    unit: { type: 'string' },
    ucd: { type: 'string' },
    description: { type: 'string' },
  },
} as const;

/** A SAMP-loadable link (server/samp.ts): absolute URL, MType, ready-to-send message. */
export const sampLinkSchema = {
  type: 'object',
  required: ['url', 'mtype', 'message'],
  additionalProperties: false,
  description:
    'Absolute GET URL a SAMP client loads directly (CORS-readable; VOTable 1.4 as application/x-votable+xml for tables, ' +
    'the FITS file for products), its SAMP MType, and the message to send as it is with a hub\'s notifyAll/callAll.',
  properties: {
    url: { type: 'string', format: 'uri' },
    mtype: { type: 'string', enum: ['table.load.votable', 'table.load.fits', 'image.load.fits', 'spectrum.load.ssa-generic'] },
    message: {
      type: 'object',
      required: ['samp.mtype', 'samp.params'],
      additionalProperties: false,
      properties: {
        'samp.mtype': { type: 'string' },
        'samp.params': {
          type: 'object',
          required: ['url', 'name'],
          additionalProperties: { anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }] },
          description: 'url, name and table-id | image-id | spectrum-id (spectra also carry SSA meta)',
        },
      },
    },
  },
} as const;

export const catalogueSummarySchema = {
  type: 'object',
  required: ['name', 'title', 'description', 'rowCount', 'maxRadius', 'idColumn', 'brightColumn', 'source', 'credit', 'ingestedAt', 'columns'],
  additionalProperties: false,
  properties: {
    samp: { ...sampLinkSchema, description: 'the catalogue as a VOTable (TAP sync, brightest first, at most 100000 rows) for SAMP' },
    name: { type: 'string', examples: ['tycho2'] },
    title: { type: 'string' },
    description: { type: 'string' },
    rowCount: { type: 'integer', minimum: 0 },
    maxRadius: { type: 'number', description: 'largest cone radius (deg) a search may ask for' },
    idColumn: { type: 'string', description: 'main identifier column (meta.id;meta.main)' },
    brightColumn: { type: 'string', description: 'column of the default ordering (magnitudes: ascending = brightest first)' },
    source: { type: 'string' },
    credit: { type: 'string' },
    ingestedAt: { type: 'string', format: 'date-time' },
    columns: { type: 'array', items: columnSchema },
  },
} as const;

export const collectionSummarySchema = {
  type: 'object',
  required: ['name', 'title', 'description', 'rowCount', 'maxExtent', 'source', 'credit', 'ingestedAt'],
  additionalProperties: false,
  properties: {
    samp: { ...sampLinkSchema, description: 'the observations of the collection as a VOTable (TAP sync) for SAMP' },
    name: { type: 'string', examples: ['XSHOOTER'] },
    title: { type: 'string' },
    description: { type: 'string' },
    rowCount: { type: 'integer', minimum: 0 },
    maxExtent: { type: 'number', description: 'farthest reach (deg) of any footprint from its centre' },
    source: { type: 'string' },
    credit: { type: 'string' },
    ingestedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const searchResultSchema = {
  type: 'object',
  required: ['catalogue', 'total', 'returned', 'truncated', 'orderBy', 'descending', 'columns', 'data'],
  additionalProperties: false,
  properties: {
    samp: { ...sampLinkSchema, description: 'the same region query as a VOTable (TAP sync, same order, MAXREC = limit) for SAMP' },
    catalogue: { type: 'string' },
    total: { type: 'integer', description: 'rows inside the region' },
    returned: { type: 'integer', description: 'rows in data (at most limit)' },
    truncated: { type: 'boolean', description: 'total > returned' },
    orderBy: { type: 'string' },
    descending: { type: 'boolean' },
    columns: { type: 'array', items: columnSchema },
    data: {
      type: 'array',
      description: 'one array per row, values in the order of columns (null = blank)',
      items: { type: 'array', items: {} },
    },
  },
} as const;

const regionCountSchema = {
  type: 'object',
  required: ['name', 'title', 'count', 'approximate'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    title: { type: 'string' },
    count: { type: 'integer', minimum: 0 },
    approximate: {
      type: 'boolean',
      description: 'true for huge regions: rows of the HEALPix cells whose centres are inside the cone',
    },
  },
} as const;

export const countsSchema = {
  type: 'object',
  required: ['ra', 'dec', 'radius', 'catalogues', 'collections'],
  additionalProperties: false,
  properties: {
    ra: { type: 'number' },
    dec: { type: 'number' },
    radius: { type: 'number' },
    catalogues: { type: 'array', items: regionCountSchema },
    collections: { type: 'array', items: regionCountSchema },
  },
} as const;

const obsTypes: Record<string, string> = { int: 'integer', long: 'integer', double: 'number', text: 'string' };
export const observationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['collection', ...OBSCORE_COLUMNS.map((c) => c.name)],
  properties: {
    samp: { ...sampLinkSchema, description: 'the product (access_url made absolute) for SAMP; absent when no SAMP client loads its format' },
    collection: { type: 'string' },
    ...Object.fromEntries(
      OBSCORE_COLUMNS.map((c) => [
        c.name,
        { type: [obsTypes[c.type], 'null'], description: `ObsCore ${c.name}${c.unit ? ` (${c.unit})` : ''}; UCD ${c.ucd}` },
      ]),
    ),
  },
} as const;

export const observationsResultSchema = {
  type: 'object',
  required: ['total', 'returned', 'truncated', 'observations'],
  additionalProperties: false,
  properties: {
    samp: { ...sampLinkSchema, description: 'the same cone query as a VOTable (TAP sync over ivoa.ObsCore or the collection\'s table) for SAMP' },
    total: { type: 'integer', description: 'observations whose footprint intersects the cone' },
    returned: { type: 'integer' },
    truncated: { type: 'boolean' },
    observations: { type: 'array', items: observationSchema },
  },
} as const;

const jsonOk = (description: string, ref: string, array = false) => ({
  description,
  content: {
    'application/json': {
      schema: array ? { type: 'array', items: { $ref: `#/components/schemas/${ref}` } } : { $ref: `#/components/schemas/${ref}` },
    },
  },
});

const q = (name: string, schema: object, example: unknown, required = false) => ({
  name,
  in: 'query',
  required,
  schema,
  example,
  ...('description' in schema ? { description: (schema as { description: string }).description } : {}),
});

const catalogueNameParam = {
  name: 'name',
  in: 'path',
  required: true,
  description: 'catalogue name, see /api/catalogues',
  schema: catalogueParamsSchema.properties.name,
  example: 'hipparcos',
} as const;

/** The archive's paths (merged into the document). */
function archivePaths(): Record<string, unknown> {
  const coneParams = [
    q('ra', raProp, 83.82, true),
    q('dec', decProp, -5.39, true),
    q('radius', radiusProp, 2, true),
  ];
  return {
    '/api/catalogues': {
      get: {
        tags: ['archive'],
        summary: 'The catalogues in the database, with row counts and column metadata (units, UCDs)',
        operationId: 'listCatalogues',
        responses: { '200': jsonOk('catalogues sorted by name', 'CatalogueSummary', true) },
      },
    },
    '/api/collections': {
      get: {
        tags: ['archive'],
        summary: 'The collections of observations, with row counts',
        operationId: 'listCollections',
        responses: { '200': jsonOk('collections sorted by name', 'CollectionSummary', true) },
      },
    },
    '/api/catalogues/{name}/cone': {
      get: {
        tags: ['archive'],
        summary: 'Catalogue rows in a cone, brightest first (or by orderBy), at most limit',
        description:
          'Rows whose position lies within radius of (ra, dec), found through the HEALPix order-29 index ' +
          '(range decomposition of the cone, then an exact angular-distance test).',
        operationId: 'catalogueCone',
        parameters: [
          catalogueNameParam,
          ...coneParams,
          q('limit', limitProp, 10),
          q('orderBy', orderByProp, 'mag'),
        ],
        responses: {
          '200': jsonOk('rows', 'SearchResult'),
          '400': jsonError('a parameter is missing or bad (the message names it)'),
          '404': jsonError('no such catalogue'),
          '413': jsonError("radius above the catalogue's maxRadius (the message names the limit)"),
        },
      },
    },
    '/api/catalogues/{name}/polygon': {
      get: {
        tags: ['archive'],
        summary: 'Catalogue rows inside a spherical polygon, brightest first, at most limit',
        operationId: 'cataloguePolygon',
        parameters: [
          catalogueNameParam,
          q('vertices', polygonQuerySchema.properties.vertices, '82,-7,86,-7,86,-3,82,-3', true),
          q('limit', limitProp, 10),
          q('orderBy', orderByProp, '-mag'),
        ],
        responses: {
          '200': jsonOk('rows', 'SearchResult'),
          '400': jsonError('bad vertices (not numbers, too few, edges crossing, …) or parameter'),
          '404': jsonError('no such catalogue'),
          '413': jsonError("polygon reaching farther than the catalogue's maxRadius from its centre"),
        },
      },
    },
    '/api/counts': {
      get: {
        tags: ['archive'],
        summary: 'How many rows of every catalogue and every collection lie in a cone (one call, for a treemap)',
        description:
          'Exact counts when the HEALPix cell counts bound the answer by 20,000 rows; above that, an estimate from ' +
          'the cells whose centres lie in the cone, flagged approximate. Observations count when their footprint ' +
          'intersects the cone.',
        operationId: 'countsInCone',
        parameters: coneParams,
        responses: { '200': jsonOk('counts', 'Counts'), '400': jsonError('a parameter is missing or bad') },
      },
    },
    '/api/observations/cone': {
      get: {
        tags: ['archive'],
        summary: 'Observations (ObsCore rows with their s_region footprints) that intersect a cone',
        operationId: 'observationsCone',
        parameters: [
          ...coneParams,
          q('limit', observationsConeQuerySchema.properties.limit, 100),
          q('collection', observationsConeQuerySchema.properties.collection, 'HAWKI'),
        ],
        responses: {
          '200': jsonOk('observations, nearest centre first', 'ObservationsResult'),
          '400': jsonError('a parameter is missing or bad'),
          '404': jsonError('no such collection'),
        },
      },
    },
    '/scs/{catalogue}': {
      get: {
        tags: ['vo'],
        summary: 'IVOA Simple Cone Search 1.03 over a catalogue: VOTable 1.4 (TABLEDATA)',
        description:
          'Columns flagged ID_MAIN, POS_EQ_RA_MAIN and POS_EQ_DEC_MAIN. Bad input answers an error VOTable ' +
          '(INFO name="Error", and QUERY_STATUS=ERROR) with HTTP 200 as SCS 1.03 clients expect; an unknown ' +
          'catalogue is an error VOTable with 404. SR=0 returns the columns and no rows.',
        operationId: 'simpleConeSearch',
        parameters: [
          { ...catalogueNameParam, name: 'catalogue' },
          { name: 'RA', in: 'query', required: true, description: 'ICRS right ascension, degrees', schema: { type: 'number' }, example: 83.82 },
          { name: 'DEC', in: 'query', required: true, description: 'ICRS declination, degrees', schema: { type: 'number' }, example: -5.39 },
          { name: 'SR', in: 'query', required: true, description: 'search radius, degrees', schema: { type: 'number' }, example: 1 },
          { name: 'VERB', in: 'query', required: false, description: '1: id and position only; 2, 3: every column', schema: { type: 'integer', enum: [1, 2, 3] }, example: 2 },
        ],
        responses: {
          '200': {
            description: 'results, or an error VOTable',
            content: { 'application/x-votable+xml': { schema: { type: 'string' } } },
          },
          '404': { description: 'no such catalogue (error VOTable)', content: { 'application/x-votable+xml': { schema: { type: 'string' } } } },
        },
      },
    },
    '/catalogues/{name}/hips/{file}': {
      get: {
        tags: ['hips'],
        summary: 'A catalogue as a HiPS catalogue (HiPS 1.0): properties, metadata.xml, Moc.fits, NorderK/DirD/NpixN.tsv',
        description:
          'Progressive, brightest first: tile (K, N) holds the 50 brightest rows of HEALPix cell (K, N) not among the 50 ' +
          'brightest of its parent cell; the deepest order holds the rest, so every row is in exactly one tile. Tiles start ' +
          'with a "# Completeness = n / N" line. ETag + If-None-Match; readable cross-origin (Aladin Lite A.catalogHiPS).',
        operationId: 'catalogueHips',
        parameters: [
          catalogueNameParam,
          { name: 'file', in: 'path', required: true, description: 'properties | metadata.xml | Moc.fits | NorderK/DirD/NpixN.tsv', schema: { type: 'string' }, example: 'Norder0/Dir0/Npix4.tsv' },
        ],
        responses: {
          '200': { description: 'the file', content: { 'text/tab-separated-values': { schema: { type: 'string' } }, 'text/plain': { schema: { type: 'string' } } } },
          '304': { description: 'not modified (If-None-Match)' },
          '404': { description: 'no such catalogue, or a tile outside the hierarchy (named)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      },
    },
  };
}

const votableContent = { 'application/x-votable+xml': { schema: { type: 'string' } } } as const;
const xmlContent = { 'text/xml': { schema: { type: 'string' } } } as const;
const textContent = { 'text/plain': { schema: { type: 'string' } } } as const;
const tapQueryProps = {
  REQUEST: { type: 'string', enum: ['doQuery'], description: 'TAP 1.0 request type (optional in TAP 1.1)' },
  LANG: { type: 'string', enum: ['ADQL', 'ADQL-2.0', 'ADQL-2.1'], description: 'query language' },
  QUERY: { type: 'string', description: 'an ADQL SELECT statement (the subset in docs/tap.md)' },
  MAXREC: { type: 'integer', minimum: 0, description: 'most rows returned (default 100000, hard limit 500000); a cut result ends with INFO QUERY_STATUS=OVERFLOW' },
  RESPONSEFORMAT: { type: 'string', enum: ['votable', 'votable/b2', 'csv'], description: 'VOTable TABLEDATA (default), VOTable BINARY2, or CSV; FORMAT is a synonym' },
} as const;
const tapQueryExamples: Record<string, string | number> = {
  REQUEST: 'doQuery',
  LANG: 'ADQL',
  QUERY: "SELECT TOP 5 hip, ra, dec, mag FROM esasky.hipparcos WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 83.82, -5.39, 5)) ORDER BY mag",
  MAXREC: 100,
  RESPONSEFORMAT: 'votable',
};
const jobIdParam = { name: 'jobId', in: 'path', required: true, description: 'UWS job id (from POST /tap/async)', schema: { type: 'string' }, example: 'QkS3pQ5pUq1s' };
const seeOther = (to: string) => ({ description: `redirect to ${to}`, headers: { location: { schema: { type: 'string' } } } });
const formBody = (props: Record<string, unknown>, required: string[] = []) => ({
  required: true,
  content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: props, required } } },
});

/** IVOA TAP 1.1: sync, VOSI and UWS async (server/routes/tap.ts, docs/tap.md). */
function tapPaths(): Record<string, unknown> {
  const syncDoc =
    'Runs an ADQL query and answers a VOTable (or CSV). Parameter names are case-insensitive; unknown ones ' +
    'are ignored. Errors are VOTables with INFO QUERY_STATUS=ERROR naming the problem (line and column of ' +
    'ADQL syntax errors, unknown tables and columns, limits), HTTP 400.';
  const jobGet = (summary: string, content: Record<string, unknown>, id: string) => ({
    get: {
      tags: ['vo'],
      summary,
      operationId: id,
      parameters: [jobIdParam],
      responses: { '200': { description: summary, content }, '404': { description: 'no such job', content: textContent } },
    },
  });
  return {
    '/tap/sync': {
      get: {
        tags: ['vo'],
        summary: 'TAP 1.1 synchronous query (ADQL)',
        description: syncDoc,
        operationId: 'tapSync',
        parameters: Object.entries(tapQueryProps).map(([name, schema]) => ({
          name,
          in: 'query',
          required: name === 'LANG' || name === 'QUERY',
          description: schema.description,
          schema,
          example: tapQueryExamples[name],
        })),
        responses: {
          '200': { description: 'the result (VOTable with QUERY_STATUS OK, or OVERFLOW when MAXREC cut it), or CSV', content: { ...votableContent, 'text/csv': { schema: { type: 'string' } } } },
          '400': { description: 'a bad query or parameter (error VOTable)', content: votableContent },
        },
      },
      post: {
        tags: ['vo'],
        summary: 'TAP 1.1 synchronous query (ADQL), parameters in a form body',
        description: syncDoc,
        operationId: 'tapSyncPost',
        requestBody: formBody(tapQueryProps, ['LANG', 'QUERY']),
        responses: {
          '200': { description: 'the result', content: { ...votableContent, 'text/csv': { schema: { type: 'string' } } } },
          '400': { description: 'a bad query or parameter (error VOTable)', content: votableContent },
        },
      },
    },
    '/tap/tables': {
      get: { tags: ['vo'], summary: 'VOSI tables: the published tables and columns (VODataService 1.1 tableset)', operationId: 'tapTables', responses: { '200': { description: 'tableset', content: xmlContent } } },
    },
    '/tap/capabilities': {
      get: { tags: ['vo'], summary: 'VOSI capabilities (TAPRegExt: ADQL features, output formats, limits)', operationId: 'tapCapabilities', responses: { '200': { description: 'capabilities', content: xmlContent } } },
    },
    '/tap/examples': {
      get: { tags: ['vo'], summary: 'DALI examples: ADQL queries this service answers (XHTML + RDFa)', operationId: 'tapExamples', responses: { '200': { description: 'examples', content: { 'application/xhtml+xml': { schema: { type: 'string' } } } } } },
    },
    '/tap/availability': {
      get: { tags: ['vo'], summary: 'VOSI availability', operationId: 'tapAvailability', responses: { '200': { description: 'availability', content: xmlContent } } },
    },
    '/tap/async': {
      get: { tags: ['vo'], summary: 'UWS 1.1 job list', operationId: 'tapAsyncList', responses: { '200': { description: 'uws:jobs', content: xmlContent } } },
      post: {
        tags: ['vo'],
        summary: 'Creates a TAP job (PENDING; PHASE=RUN starts it)',
        operationId: 'tapAsyncCreate',
        requestBody: formBody({ ...tapQueryProps, PHASE: { type: 'string', enum: ['RUN'] }, RUNID: { type: 'string' } }),
        responses: { '303': seeOther('/tap/async/{jobId}'), '503': { description: 'too many active jobs', content: textContent } },
      },
    },
    '/tap/async/{jobId}': {
      ...jobGet('UWS job document (WAIT=n blocks up to n s, at most 60, while the job is active)', xmlContent, 'tapJob'),
      delete: { tags: ['vo'], summary: 'Deletes the job', operationId: 'tapJobDelete', parameters: [jobIdParam], responses: { '303': seeOther('/tap/async') } },
      post: {
        tags: ['vo'],
        summary: 'ACTION=DELETE deletes the job',
        operationId: 'tapJobAction',
        parameters: [jobIdParam],
        requestBody: formBody({ ACTION: { type: 'string', enum: ['DELETE'] } }, ['ACTION']),
        responses: { '303': seeOther('/tap/async'), '400': { description: 'unknown ACTION', content: textContent } },
      },
    },
    '/tap/async/{jobId}/phase': {
      ...jobGet('Job phase (PENDING, QUEUED, EXECUTING, COMPLETED, ERROR, ABORTED)', textContent, 'tapJobPhase'),
      post: {
        tags: ['vo'],
        summary: 'PHASE=RUN starts the job, PHASE=ABORT aborts it',
        operationId: 'tapJobPhaseSet',
        parameters: [jobIdParam],
        requestBody: formBody({ PHASE: { type: 'string', enum: ['RUN', 'ABORT'] } }, ['PHASE']),
        responses: { '303': seeOther('/tap/async/{jobId}'), '400': { description: 'not a command', content: textContent } },
      },
    },
    '/tap/async/{jobId}/parameters': jobGet('Job parameters (POST changes them while PENDING)', xmlContent, 'tapJobParameters'),
    '/tap/async/{jobId}/results': jobGet('Job results list', xmlContent, 'tapJobResults'),
    '/tap/async/{jobId}/results/result': jobGet('The result of a COMPLETED job', votableContent, 'tapJobResult'),
    '/tap/async/{jobId}/error': jobGet('The error of a job in ERROR (error VOTable)', votableContent, 'tapJobError'),
    '/tap/async/{jobId}/executionduration': jobGet('Execution duration in seconds (POST EXECUTIONDURATION while PENDING)', textContent, 'tapJobDuration'),
    '/tap/async/{jobId}/destruction': jobGet('Destruction time, ISO 8601 (POST DESTRUCTION)', textContent, 'tapJobDestruction'),
    '/tap/async/{jobId}/quote': jobGet('Quote (empty: not estimated)', textContent, 'tapJobQuote'),
    '/tap/async/{jobId}/owner': jobGet('Owner (empty: jobs are anonymous)', textContent, 'tapJobOwner'),
    ...esaskyTapPaths(),
  };
}

/** ESASky compatibility (routes/esaskyTap.ts): mission descriptors and the same TAP under /esasky-tap/tap. */
function esaskyTapPaths(): Record<string, unknown> {
  const descriptor = {
    type: 'object',
    required: ['mission', 'tapTable', 'tapRaColumn', 'tapDecColumn', 'useIntersectPolygonInsteadOfContainsPoint', 'uniqueIdentifierField'],
    properties: {
      mission: { type: 'string' },
      label: { type: 'string' },
      tapTable: { type: 'string', description: 'the TAP table of the mission' },
      tapRaColumn: { type: 'string' },
      tapDecColumn: { type: 'string' },
      useIntersectPolygonInsteadOfContainsPoint: { type: 'boolean', description: 'true: search the footprint column `fov` with INTERSECTS' },
      uniqueIdentifierField: { type: 'string' },
      description: { type: 'string' },
      count: { type: 'integer' },
    },
  };
  const list = (what: string, id: string) => ({
    get: {
      tags: ['vo'],
      summary: `ESASky ${what} descriptors (as astroquery.esasky reads them)`,
      operationId: id,
      responses: {
        '200': {
          description: 'descriptors',
          content: { 'application/json': { schema: { type: 'object', required: ['descriptors'], properties: { descriptors: { type: 'array', items: descriptor } } } } },
        },
      },
    },
  });
  return {
    '/esasky-tap/observations': list('observation (map) mission', 'esaskyObservations'),
    '/esasky-tap/catalogs': list('catalogue', 'esaskyCatalogs'),
    '/esasky-tap/spectra': list('spectra mission (collections whose every observation is a spectrum, searched by position)', 'esaskySpectra'),
    '/esasky-tap/sso': list('solar-system object mission (collections with timed observations, with ssoXMatchTapTable sso.xmatch)', 'esaskySso'),
    '/esasky-tap/generalresolver': {
      get: {
        tags: ['vo'],
        summary: "The archive's asteroids and comets by name, in the shape of ESASky's SsODNet answer (astroquery.esasky find_sso / query_sso)",
        operationId: 'esaskySsoResolver',
        parameters: Object.entries(generalResolverQuerySchema.properties).map(([name, schema]) => ({
          name,
          in: 'query',
          required: (generalResolverQuerySchema.required as readonly string[]).includes(name),
          schema,
          example: ({ action: 'bytarget', target: 'Ceres', type: 'ASTEROID' } as Record<string, string>)[name],
        })),
        responses: {
          '200': {
            description: 'matching bodies (results may be empty)',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['ssoDnetResults'],
                  properties: {
                    ssoDnetResults: {
                      type: 'object',
                      properties: {
                        errorMessage: { type: 'string', nullable: true },
                        results: {
                          type: 'array',
                          items: {
                            type: 'object',
                            properties: {
                              name: { type: 'string', description: 'the sso_name (asteroids) or sso_id (comets) of sso.ssoid' },
                              ssoObjType: { type: 'string', enum: ['Asteroid', 'Comet'] },
                              aliases: { type: 'array', items: { type: 'string' } },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          '400': jsonError('a parameter is bad (the message names it)'),
        },
      },
    },
    '/esasky-tap/tap/sync': {
      get: {
        tags: ['vo'],
        summary:
          'The TAP service of /tap with one table per collection (observations.<name> or spectra.<name>, footprint column fov, download link product_url, absolute in sync answers); all /tap routes exist under /esasky-tap/tap',
        operationId: 'esaskyTapSync',
        parameters: ['LANG', 'QUERY'].map((name) => ({
          name,
          in: 'query',
          required: true,
          schema: tapQueryProps[name as 'LANG' | 'QUERY'],
          example: name === 'LANG' ? 'ADQL' : "SELECT TOP 5 obs_id, fov FROM observations.hawki WHERE 1 = INTERSECTS(CIRCLE('ICRS', 83.82, -5.39, 0.5), fov)",
        })),
        responses: { '200': { description: 'the result', content: votableContent }, '400': { description: 'error VOTable', content: votableContent } },
      },
    },
  };
}

/** Schemas of the archive routes in components.schemas. */
function archiveComponents(): Record<string, unknown> {
  return {
    SampLink: sampLinkSchema,
    CatalogueSummary: catalogueSummarySchema,
    CollectionSummary: collectionSummarySchema,
    SearchResult: searchResultSchema,
    Counts: countsSchema,
    ObservationsResult: observationsResultSchema,
  };
}

/** The OpenAPI document served at /api/openapi.json. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'esasky-sky archive server',
      version,
      description:
        'Serves HiPS surveys (IVOA HiPS 1.0) with a HiPS list, a JSON survey list for the reference page, ' +
        'catalogues and observations from its database (cone/polygon searches on a HEALPix index, counts in a ' +
        'region, Simple Cone Search, TAP 1.1 with ADQL), health and this description. HiPS files are readable cross-origin. ' +
        'SAMP: every catalogue, collection, region query and loadable product in the JSON answers carries `samp` ' +
        '(SampLink): an absolute GET URL built from the Host header (X-Forwarded-* is not trusted), its MType ' +
        '(table.load.votable, table.load.fits, image.load.fits, spectrum.load.ssa-generic) and the SAMP message to send as it is.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      { name: 'api', description: 'JSON API' },
      { name: 'hips', description: 'HiPS files and HiPS list (IVOA HiPS 1.0)' },
      { name: 'web', description: 'the reference page' },
      { name: 'archive', description: 'catalogues, observations and counts (JSON)' },
      { name: 'vo', description: 'IVOA protocols' },
      { name: 'sso', description: 'Solar System Objects: ephemerides and the observations they crossed' },
    ],
    paths: {
      ...archivePaths(),
      ...ssoPaths(),
      ...coveragePaths(),
      ...productsPaths(),
      ...tapPaths(),
      '/': {
        get: {
          tags: ['web'],
          summary: 'The reference page (index.html of WEB_DIR; other files of WEB_DIR below /)',
          operationId: 'getIndex',
          responses: {
            '200': { description: 'index.html', content: { 'text/html': { schema: { type: 'string' } } } },
            '503': {
              description: 'the page is not built (run `npm run build`)',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/api/health': {
        get: {
          tags: ['api'],
          summary: 'Liveness and version',
          operationId: 'getHealth',
          responses: {
            '200': { description: 'up', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } },
          },
        },
      },
      '/api/openapi.json': {
        get: {
          tags: ['api'],
          summary: 'This OpenAPI 3.1 document',
          operationId: 'getOpenApi',
          responses: {
            '200': { description: 'OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
      '/api/hips': {
        get: {
          tags: ['api'],
          summary: 'The HiPS served here, for a survey selector',
          operationId: 'listHips',
          parameters: [
            {
              name: 'frame',
              in: 'query',
              required: false,
              description: 'only HiPS in this frame',
              schema: hipsQuerySchema.properties.frame,
              example: 'equatorial',
            },
          ],
          responses: {
            '200': {
              description: 'HiPS summaries sorted by id',
              content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/HipsSummary' } } } },
            },
            '400': jsonError('unknown query parameter or bad value'),
          },
        },
      },
      '/hips/hipslist': {
        get: {
          tags: ['hips'],
          summary: 'HiPS list (HiPS 1.0 §4.4.3): one properties record per HiPS, records separated by a blank line',
          description:
            'Every record has creator_did, hips_release_date, hips_service_url (absolute URL on this server, from the ' +
            'request Host) and hips_status, followed by the other keys of the HiPS properties file.',
          operationId: 'getHipslist',
          responses: {
            '200': { description: 'HiPS list', headers: corsHeaders, content: { 'text/plain': { schema: { type: 'string' } } } },
            '400': jsonError('missing or invalid Host header'),
          },
        },
      },
      '/hips/{id}/properties': {
        get: {
          tags: ['hips'],
          summary: 'HiPS properties file',
          operationId: 'getHipsProperties',
          parameters: [idParam],
          responses: {
            '200': { description: 'properties', headers: corsHeaders, content: { 'text/plain': { schema: { type: 'string' } } } },
            '404': jsonError('no such HiPS'),
          },
        },
      },
      '/hips/{id}/Moc.fits': {
        get: {
          tags: ['hips'],
          summary: 'Coverage MOC of the HiPS (FITS)',
          operationId: 'getHipsMoc',
          parameters: [{ ...idParam, example: 'cds_gaia_dr2_radial_velocity_map' }],
          responses: {
            '200': { description: 'MOC', headers: corsHeaders, content: { 'application/fits': { schema: binary } } },
            '404': jsonError('no MOC for this HiPS'),
          },
        },
      },
      '/hips/{id}/Norder{order}/Allsky.{ext}': {
        get: {
          tags: ['hips'],
          summary: 'All tiles of order K (K ≤ 3) in one image',
          operationId: 'getHipsAllsky',
          parameters: [idParam, orderParam, extParam],
          responses: {
            '200': { description: 'Allsky image', headers: tileHeaders, content: tileContent },
            '404': jsonError('no Allsky file for this order/format'),
          },
        },
      },
      '/hips/{id}/Norder{order}/Dir{dir}/Npix{npix}.{ext}': {
        get: {
          tags: ['hips'],
          summary: 'One HiPS tile: order K, HEALPix NESTED index N, Dir = floor(N / 10000) * 10000',
          operationId: 'getHipsTile',
          parameters: [
            idParam,
            orderParam,
            {
              name: 'dir',
              in: 'path',
              required: true,
              description: 'floor(npix / 10000) * 10000',
              schema: { type: 'integer', minimum: 0 },
              example: 0,
            },
            {
              name: 'npix',
              in: 'path',
              required: true,
              description: 'HEALPix NESTED index of the tile at its order',
              schema: { type: 'integer', minimum: 0 },
              example: 0,
            },
            extParam,
          ],
          responses: {
            '200': { description: 'tile', headers: tileHeaders, content: tileContent },
            '404': jsonError('no tile there (viewers draw it empty)'),
          },
        },
      },
    },
    components: {
      schemas: {
        Error: errorSchema,
        Health: healthSchema,
        HipsSummary: hipsSummarySchema,
        ...archiveComponents(),
        ...ssoComponents(),
        ...coverageComponents(),
      },
    },
  };
}
