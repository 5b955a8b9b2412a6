/**
 * OpenAPI paths and JSON schemas of the Solar System and name-resolver routes
 * (routes/sso.ts, routes/resolve.ts); openapi.ts merges them into the served document.
 * The same schemas validate the requests and serialize the answers. The schemas built from
 * openapi.ts's are functions: openapi.ts imports this module, so they are made on first call.
 */
import { COLLECTION_NAME_PATTERN, MAX_OBS_LIMIT, observationSchema } from './openapi.js';

/** Most points of one ephemeris. */
export const MAX_EPHEMERIS_POINTS = 5000;
/** Smallest ephemeris step (s). */
export const MIN_STEP_S = 60;
/** Longest time range of an ephemeris or an observation search (days; 100 Julian years). */
export const MAX_SPAN_DAYS = 36525;
/** Dates accepted (years), where the Earth and ΔT models of astronomy-engine are meant to be used. */
export const MIN_YEAR = 1700;
export const MAX_YEAR = 2300;
export const MAX_SEARCH_RESULTS = 100;

const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})?)?$';
const dateProp = (what: string) =>
  ({
    type: 'string',
    pattern: DATE_PATTERN,
    description: `${what}: ISO 8601 date or date-time, UTC unless an offset is given (years ${MIN_YEAR}..${MAX_YEAR})`,
  }) as const;

const ssoNameProp = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  description:
    'Sun, Moon, a planet, or an asteroid/comet of the archive by name, number or designation ("Ceres", "1", ' +
    '"(1) Ceres", "2013 FY27", "C/1995 O1", "Hale-Bopp", "1P", "Halley"); see /api/sso/search',
} as const;

export const ssoParamsSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: ssoNameProp },
} as const;

export const ephemerisQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    start: dateProp('first instant (default: now)'),
    end: dateProp('last instant (default: start + 30 days)'),
    step: {
      type: 'string',
      pattern: '^\\d+(\\.\\d+)?(s|m|h|d)$',
      description: `time between points, e.g. 1d, 6h, 30m, 90s (default 1d; at least ${MIN_STEP_S} s; at most ${MAX_EPHEMERIS_POINTS} points)`,
    },
  },
} as const;

export const ssoObservationsQuerySchema = () => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    start: dateProp('search from (default: the earliest observation)'),
    end: dateProp('search to (default: the latest observation)'),
    collection: { type: 'string', pattern: COLLECTION_NAME_PATTERN, description: 'only this collection' },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_OBS_LIMIT,
      default: 500,
      description: `most observations returned (1..${MAX_OBS_LIMIT}), earliest crossing first`,
    },
  },
}) as const;

export const ssoSearchQuerySchema = {
  type: 'object',
  required: ['q'],
  additionalProperties: false,
  properties: {
    q: { type: 'string', minLength: 1, maxLength: 100, description: 'start of a name, number or designation' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_RESULTS, default: 20, description: `most results (1..${MAX_SEARCH_RESULTS})` },
  },
} as const;

export const resolveQuerySchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description:
        'M 42, NGC 1976, IC 434, HIP 27989, TYC 4774-1066-1, a star name (Betelgeuse), a Solar System body (Mars, Ceres, Hale-Bopp)',
    },
    time: dateProp('instant for Solar System bodies (default: now)'),
  },
} as const;

export const targetSchema = {
  type: 'object',
  required: ['name', 'kind', 'label', 'designation', 'number', 'source'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    kind: { type: 'string', enum: ['sun', 'moon', 'planet', 'asteroid', 'comet'] },
    label: { type: 'string', description: 'MPC label, e.g. "(1) Ceres", "C/1995 O1 (Hale-Bopp)"' },
    designation: { type: ['string', 'null'] },
    number: { type: ['integer', 'null'] },
    source: { type: 'string', description: 'where the positions come from' },
  },
} as const;

const ephemerisPointSchema = {
  type: 'object',
  required: ['time', 'mjd', 'raDeg', 'decDeg', 'deltaAu', 'rAu', 'elongationDeg', 'vMag'],
  additionalProperties: false,
  properties: {
    time: { type: 'string', description: 'ISO 8601, UTC' },
    mjd: { type: 'number', description: 'Modified Julian Date, UTC' },
    raDeg: { type: 'number', description: 'geocentric astrometric right ascension, ICRS (J2000 mean equator), degrees' },
    decDeg: { type: 'number', description: 'geocentric astrometric declination, degrees' },
    deltaAu: { type: 'number', description: 'distance from the Earth (AU)' },
    rAu: { type: 'number', description: 'distance from the Sun (AU)' },
    elongationDeg: { type: 'number', description: 'Sun–Earth–body angle (degrees)' },
    vMag: { type: ['number', 'null'], description: 'apparent V magnitude (planets; H-G asteroids; comets H + 5 log Δ + 2.5 n log r)' },
  },
} as const;

export const ephemerisSchema = {
  type: 'object',
  required: ['target', 'frame', 'start', 'end', 'stepS', 'count', 'points'],
  additionalProperties: false,
  properties: {
    target: targetSchema,
    frame: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    stepS: { type: 'number' },
    count: { type: 'integer' },
    points: { type: 'array', items: ephemerisPointSchema },
  },
} as const;

const ssoObservationSchema = () => ({
  ...observationSchema,
  required: [...observationSchema.required, 'sso_time', 'sso_mjd', 'sso_ra', 'sso_dec', 'sso_tolerance_arcsec'],
  properties: {
    ...observationSchema.properties,
    sso_time: { type: 'string', description: 'first instant (UTC, ISO 8601) at which the body was in the footprint' },
    sso_mjd: { type: 'number', description: 'the same instant as MJD (UTC)' },
    sso_ra: { type: 'number', description: 'body right ascension then (deg, geocentric astrometric ICRS)' },
    sso_dec: { type: 'number', description: 'body declination then (deg)' },
    sso_tolerance_arcsec: {
      type: 'number',
      description: 'half the spacing of the positions tested inside the observation: the footprint came at least this close',
    },
  },
}) as const;

export const ssoObservationsSchema = () => ({
  type: 'object',
  required: ['target', 'start', 'end', 'total', 'returned', 'truncated', 'pathSamples', 'candidates', 'observations'],
  additionalProperties: false,
  properties: {
    target: targetSchema,
    start: { type: ['string', 'null'], description: 'searched from (null: no timed observations)' },
    end: { type: ['string', 'null'] },
    total: { type: 'integer', description: 'observations the body crossed' },
    returned: { type: 'integer' },
    truncated: { type: 'boolean' },
    pathSamples: { type: 'integer', description: 'positions of the coarse path used for the index query' },
    candidates: { type: 'integer', description: 'observations tested exactly' },
    observations: { type: 'array', items: ssoObservationSchema() },
  },
}) as const;

export const ssoSearchSchema = {
  type: 'object',
  required: ['query', 'results'],
  additionalProperties: false,
  properties: { query: { type: 'string' }, results: { type: 'array', items: targetSchema } },
} as const;

export const resolvedSchema = {
  type: 'object',
  required: ['query', 'name', 'raDeg', 'decDeg', 'source', 'kind'],
  additionalProperties: false,
  properties: {
    query: { type: 'string' },
    name: { type: 'string', description: 'the object found, as its catalogue names it' },
    raDeg: { type: 'number', description: 'right ascension (deg, ICRS/J2000; for Solar System bodies geocentric astrometric at `time`)' },
    decDeg: { type: 'number' },
    source: { type: 'string', description: 'catalogue it was found in (messier, dsos, hipparcos, tycho2, starnames) or sso' },
    kind: { type: 'string', description: 'object type: the catalogue type code, star, or sun/moon/planet/asteroid/comet' },
    mag: { type: ['number', 'null'] },
    time: { type: 'string', description: 'instant of a Solar System position (UTC)' },
  },
} as const;

const jsonError = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const jsonOk = (description: string, ref: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const q = (name: string, schema: { description?: string }, example: unknown, required = false) => ({
  name,
  in: 'query',
  required,
  schema,
  example,
  ...(schema.description === undefined ? {} : { description: schema.description }),
});
const nameParam = { name: 'name', in: 'path', required: true, description: ssoNameProp.description, schema: ssoNameProp, example: 'Ceres' };

export function ssoComponents(): Record<string, unknown> {
  return {
    SsoTarget: targetSchema,
    Ephemeris: ephemerisSchema,
    SsoObservations: ssoObservationsSchema(),
    SsoSearch: ssoSearchSchema,
    Resolved: resolvedSchema,
  };
}

export function ssoPaths(): Record<string, unknown> {
  const e = ephemerisQuerySchema.properties;
  const o = ssoObservationsQuerySchema().properties;
  return {
    '/api/sso/search': {
      get: {
        tags: ['sso'],
        summary: 'Solar System bodies whose name, number or designation starts with q',
        operationId: 'searchSso',
        parameters: [q('q', ssoSearchQuerySchema.properties.q, 'cer', true), q('limit', ssoSearchQuerySchema.properties.limit, 10)],
        responses: { '200': jsonOk('matches, Sun/Moon/planets first', 'SsoSearch'), '400': jsonError('bad parameter') },
      },
    },
    '/api/sso/{name}/ephemeris': {
      get: {
        tags: ['sso'],
        summary: 'Path on the sky: geocentric astrometric ICRS positions from start to end every step',
        description:
          'Planets, Sun and Moon from astronomy-engine; asteroids and comets by two-body propagation of their MPC ' +
          'orbit with light-time iteration (docs/sso.md: method and accuracy).',
        operationId: 'getSsoEphemeris',
        parameters: [nameParam, q('start', e.start, '2026-01-01'), q('end', e.end, '2026-03-01'), q('step', e.step, '1d')],
        responses: {
          '200': jsonOk('the path', 'Ephemeris'),
          '400': jsonError(`bad parameter, ambiguous name, or a limit exceeded (${MAX_EPHEMERIS_POINTS} points, step >= ${MIN_STEP_S} s, ${MAX_SPAN_DAYS} days)`),
          '404': jsonError('no body of that name'),
        },
      },
    },
    '/api/sso/{name}/observations': {
      get: {
        tags: ['sso'],
        summary: "ESASky's SSO search: observations whose footprint the body crossed during their time interval",
        operationId: 'getSsoObservations',
        parameters: [
          { ...nameParam, example: 'Mars' },
          q('start', o.start, '2000-01-01'),
          q('end', o.end, '2020-01-01'),
          q('collection', o.collection, 'HAWKI'),
          q('limit', o.limit, 100),
        ],
        responses: {
          '200': jsonOk('observations in time order of the crossing', 'SsoObservations'),
          '400': jsonError('bad parameter, ambiguous name, or a limit exceeded'),
          '404': jsonError('no body or collection of that name'),
        },
      },
    },
    '/api/resolve': {
      get: {
        tags: ['archive'],
        summary: 'Name resolver over the archive: Messier, NGC/IC, HIP, TYC, star names, Solar System bodies',
        operationId: 'resolveName',
        parameters: [q('name', resolveQuerySchema.properties.name, 'M 42', true), q('time', resolveQuerySchema.properties.time, '2026-01-01T00:00:00Z')],
        responses: {
          '200': jsonOk('position of the object', 'Resolved'),
          '400': jsonError('bad parameter'),
          '404': jsonError('nothing of that name; the message says what was searched'),
        },
      },
    },
  };
}
