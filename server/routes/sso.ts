/**
 * Solar System Objects (schemas in openapiSso.ts, method in docs/sso.md):
 *  - GET /api/sso/search?q=                     bodies by the start of a name/number/designation
 *  - GET /api/sso/:name/ephemeris?start&end&step  the path on the sky over a time range
 *  - GET /api/sso/:name/observations?start&end&collection&limit
 *                                               ESASky's SSO search: observations crossed
 * Unknown body: 404 naming it; a name shared by several bodies: 400 listing them; limits
 * (points, step, span, years): 400 naming the limit.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError, originOf } from '../http.js';
import { productLink, type SampLink } from '../samp.js';
import { errorSchema } from '../openapi.js';
import {
  MAX_EPHEMERIS_POINTS,
  MAX_SPAN_DAYS,
  MAX_YEAR,
  MIN_STEP_S,
  MIN_YEAR,
  ephemerisQuerySchema,
  ephemerisSchema,
  ssoObservationsQuerySchema,
  ssoObservationsSchema,
  ssoParamsSchema,
  ssoSearchQuerySchema,
  ssoSearchSchema,
} from '../openapiSso.js';
import type { DatabaseHandle } from '../storage/handle.js';
import type { SqlRunner } from '../storage/db.js';
import { countSmallBodies } from '../storage/sso.js';
import { getCollection, listCollections } from '../storage/observations.js';
import { observationsCrossed } from '../storage/ssoObservations.js';
import { PathTooLongError } from '../sso/crossing.js';
import { directionOf, ephemerisPath, msToMjd, type SolarSystemTarget } from '../sso/ephemeris.js';
import { lookupTargets, searchTargets, summarize } from '../sso/targets.js';

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

/** ISO date/date-time (UTC unless an offset is given) → ms; 400 naming the field when out of range. */
export function parseInstant(text: string, field: string): number {
  const iso = /T\d\d:\d\d/.test(text) && !/(Z|[+-]\d\d:\d\d)$/.test(text) ? `${text}Z` : text;
  const ms = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (!Number.isFinite(ms)) throw new HttpError(400, `querystring/${field} ${JSON.stringify(text)} is not a valid date`);
  const year = new Date(ms).getUTCFullYear();
  if (year < MIN_YEAR || year >= MAX_YEAR) {
    throw new HttpError(400, `querystring/${field} ${JSON.stringify(text)} is outside the years ${MIN_YEAR}..${MAX_YEAR - 1} (the limit)`);
  }
  return ms;
}

/** "1d", "6h", "30m", "90s" → ms (the schema has checked the form). */
export function parseStep(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text);
  if (m === null) throw new HttpError(400, `querystring/step ${JSON.stringify(text)} must be a number and a unit s, m, h or d`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

function checkSpan(startMs: number, endMs: number): void {
  if (!(endMs >= startMs)) throw new HttpError(400, 'querystring/end is before querystring/start');
  const days = (endMs - startMs) / DAY_MS;
  if (days > MAX_SPAN_DAYS) {
    throw new HttpError(400, `the time range is ${days.toFixed(1)} days; the limit is ${MAX_SPAN_DAYS} days (100 years)`);
  }
}

/** The one target called `name` (404 naming it when none, 400 listing them when several). */
export async function targetOr404(db: SqlRunner, name: string): Promise<SolarSystemTarget> {
  const found = await lookupTargets(db, name);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    const n = (await countSmallBodies(db)).reduce((s, c) => s + c.n, 0);
    throw new HttpError(
      404,
      `no Solar System body named ${JSON.stringify(name)}: searched the Sun, the Moon, the planets and Pluto, and ` +
        `${n} asteroid and comet orbits by name, number and designation; see /api/sso/search?q=`,
    );
  }
  const labels = found.slice(0, 10).map((t) => (t.kind === 'small' ? t.orbit.label : t.name));
  throw new HttpError(
    400,
    `${JSON.stringify(name)} names ${found.length} bodies (${labels.join('; ')}${found.length > 10 ? '; …' : ''}): use a designation`,
  );
}

interface EphemerisQuery {
  start?: string;
  end?: string;
  step?: string;
}
interface ObservationsQuery {
  start?: string;
  end?: string;
  collection?: string;
  limit?: number;
}

export async function ssoRoutes(app: FastifyInstance, handle: DatabaseHandle): Promise<void> {
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });

  app.get<{ Querystring: { q: string; limit?: number } }>(
    '/api/sso/search',
    { schema: { querystring: ssoSearchQuerySchema, response: { 200: ssoSearchSchema, 400: errorSchema } } },
    async (request, reply) => {
      const db = await handle.get();
      const results = await searchTargets(db, request.query.q, request.query.limit ?? 20);
      reply.header('cache-control', 'no-cache');
      return { query: request.query.q, results: results.map(summarize) };
    },
  );

  app.get<{ Params: { name: string }; Querystring: EphemerisQuery }>(
    '/api/sso/:name/ephemeris',
    {
      schema: {
        params: ssoParamsSchema,
        querystring: ephemerisQuerySchema,
        response: { 200: ephemerisSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const { start, end, step } = request.query;
      const startMs = start === undefined ? Math.floor(Date.now() / 60_000) * 60_000 : parseInstant(start, 'start');
      const endMs = end === undefined ? startMs + 30 * DAY_MS : parseInstant(end, 'end');
      const stepMs = step === undefined ? DAY_MS : parseStep(step);
      checkSpan(startMs, endMs);
      if (stepMs < MIN_STEP_S * 1000) {
        throw new HttpError(400, `querystring/step ${JSON.stringify(step)} is below the limit of ${MIN_STEP_S} s`);
      }
      const count = Math.floor((endMs - startMs) / stepMs + 1e-9) + 1 + ((endMs - startMs) % stepMs > 0 ? 1 : 0);
      if (count > MAX_EPHEMERIS_POINTS) {
        throw new HttpError(
          400,
          `start..end every ${step ?? '1d'} is ${count} points; the limit is ${MAX_EPHEMERIS_POINTS}: use a larger step or a shorter range`,
        );
      }
      const db = await handle.get();
      const target = await targetOr404(db, request.params.name);
      const points = ephemerisPath(target, startMs, endMs, stepMs).map((p) => ({
        time: new Date(p.timeMs).toISOString(),
        mjd: msToMjd(p.timeMs),
        raDeg: p.raDeg,
        decDeg: p.decDeg,
        deltaAu: p.deltaAu,
        rAu: p.rAu,
        elongationDeg: p.elongationDeg,
        vMag: p.vMag,
      }));
      reply.header('cache-control', start === undefined ? 'no-cache' : 'public, max-age=3600');
      return {
        target: summarize(target),
        frame: 'ICRS (J2000 mean equator), geocentric astrometric: light-time corrected, no aberration',
        start: new Date(startMs).toISOString(),
        end: new Date(endMs).toISOString(),
        stepS: stepMs / 1000,
        count: points.length,
        points,
      };
    },
  );

  app.get<{ Params: { name: string }; Querystring: ObservationsQuery }>(
    '/api/sso/:name/observations',
    {
      schema: {
        params: ssoParamsSchema,
        querystring: ssoObservationsQuerySchema(),
        response: { 200: ssoObservationsSchema(), 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const db = await handle.get();
      const startMs = q.start === undefined ? parseInstant(`${MIN_YEAR}-01-01`, 'start') : parseInstant(q.start, 'start');
      const endMs = q.end === undefined ? parseInstant(`${MAX_YEAR - 1}-12-31`, 'end') : parseInstant(q.end, 'end');
      if (q.start !== undefined && q.end !== undefined) checkSpan(startMs, endMs);
      else if (!(endMs >= startMs)) throw new HttpError(400, 'querystring/end is before querystring/start');
      const colls = q.collection === undefined ? await listCollections(db) : [await getCollection(db, q.collection)];
      if (colls[0] === undefined && q.collection !== undefined) {
        throw new HttpError(404, `no collection named ${JSON.stringify(q.collection)}; see /api/collections`);
      }
      const target = await targetOr404(db, request.params.name);
      let result;
      try {
        result = await observationsCrossed(db, colls.filter((c) => c !== undefined), directionOf(target), startMs, endMs, q.limit ?? 500, {
          maxSpanDays: MAX_SPAN_DAYS,
        });
      } catch (err) {
        if (err instanceof PathTooLongError) {
          throw new HttpError(400, `${err.message} (the limit) for ${target.name} over this time range: give a shorter start..end`);
        }
        throw err;
      }
      const origin = originOf(request);
      const sampOf = (row: Record<string, unknown>): { samp?: SampLink } => {
        const samp = productLink(origin, row);
        return samp === undefined ? {} : { samp };
      };
      reply.header('cache-control', 'no-cache');
      return {
        target: summarize(target),
        start: result.startMs === undefined ? null : new Date(result.startMs).toISOString(),
        end: result.endMs === undefined ? null : new Date(result.endMs).toISOString(),
        total: result.total,
        returned: result.hits.length,
        truncated: result.truncated,
        pathSamples: result.pathSamples,
        candidates: result.candidates,
        observations: result.hits.map((h) => ({
          ...h.row,
          ...sampOf(h.row),
          sso_time: new Date(h.crossing.timeMs).toISOString(),
          sso_mjd: msToMjd(h.crossing.timeMs),
          sso_ra: h.crossing.raDeg,
          sso_dec: h.crossing.decDeg,
          sso_tolerance_arcsec: h.crossing.toleranceDeg * 3600,
        })),
      };
    },
  );
}
