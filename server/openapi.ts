/**
 * The OpenAPI 3.1 description of the server, written by hand, and the JSON schemas that the
 * routes also use for validation and serialization (one definition for both).
 * Keep it in step with server/routes/*: server/openapi.test.ts calls every documented path.
 */

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

/** The OpenAPI document served at /api/openapi.json. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'esasky-sky archive server',
      version,
      description:
        'Serves HiPS surveys (IVOA HiPS 1.0) with a HiPS list, a JSON survey list for the reference page, ' +
        'health and this description. HiPS files are readable cross-origin.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      { name: 'api', description: 'JSON API' },
      { name: 'hips', description: 'HiPS files and HiPS list (IVOA HiPS 1.0)' },
      { name: 'web', description: 'the reference page' },
    ],
    paths: {
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
      },
    },
  };
}
