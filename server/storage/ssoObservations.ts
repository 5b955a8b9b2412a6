/**
 * ESASky's SSO search: the observations whose footprint and time interval a Solar System body
 * crossed. The body's path over the time range is sampled (≤ 1° between samples) and cut into
 * small cones (sso/crossing.ts); each cone, widened by the collection's largest footprint
 * reach, becomes HEALPix ranges on the observations' hpx29 index together with a t_min/t_max
 * overlap test, in SQL. Each candidate is then refined exactly: the body's position is
 * computed through the observation's own [t_min, t_max] (MJD, UTC) and tested against its
 * footprint (s_region, else the s_fov circle, else its centre).
 */
import type { SqlRunner } from './db.js';
import { OBSCORE_COLUMNS } from './schema.js';
import { discRanges29, rangeClause } from './spatial.js';
import { footprintOf, type CollectionInfo } from './observations.js';
import { PathTooLongError, firstCrossing, pathChunks, samplePath, type Crossing, type Direction } from '../sso/crossing.js';
import { mjdToMs, msToMjd } from '../sso/ephemeris.js';

/** Largest motion between path samples (deg). */
export const PATH_STEP_DEG = 1;
/** Path samples are 4 days apart where the body moves less than PATH_STEP_DEG in that time. */
const BASE_STEP_MS = 4 * 86_400_000;
/** Most path samples for one search: a main-belt asteroid (≤ 0.5°/day) needs ~18,000 for 100 years; the Moon 5,000 a year. */
export const MAX_PATH_SAMPLES = 50_000;
/** Path chunks (one index query each): at most this radius and this many samples. */
const CHUNK_RADIUS_DEG = 10;
const CHUNK_POINTS = 256;
/** Sampling of the body's motion inside one observation (deg): one arcsecond. */
export const CROSSING_RESOLUTION_DEG = 1 / 3600;
/** Most positions computed inside one observation (long ones get a coarser sampling). */
export const MAX_SAMPLES_PER_OBSERVATION = 2000;

export interface CrossedObservation {
  /** The observation's row id (observations.id). */
  id: number;
  row: Record<string, number | string | null>;
  crossing: Crossing;
}

export interface CrossingResult {
  /** The time range actually searched (the request's, clipped to the timed observations), if any. */
  startMs: number | undefined;
  endMs: number | undefined;
  total: number;
  truncated: boolean;
  /** Path samples and candidate observations examined (for the log and the answer). */
  pathSamples: number;
  candidates: number;
  hits: CrossedObservation[];
}

interface Candidate {
  id: number;
  s_ra: number | null;
  s_dec: number | null;
  s_fov: number | null;
  s_region: string | null;
  t_min: number;
  t_max: number;
}

/** Earliest t_min and latest t_max (MJD) of the timed observations of a collection, or undefined. */
async function timeSpan(db: SqlRunner, coll: string): Promise<{ min: number; max: number } | undefined> {
  const rows = await db.all<{ lo: number | null; hi: number | null }>(
    'SELECT MIN(t_min) AS lo, MAX(t_max) AS hi FROM observations WHERE collection = ? AND t_min IS NOT NULL AND t_max IS NOT NULL',
    [coll],
  );
  const r = rows[0];
  return r?.lo === null || r?.lo === undefined || r.hi === null ? undefined : { min: Number(r.lo), max: Number(r.hi) };
}

/**
 * Observations of `colls` the body (`direction`) crossed between startMs and endMs, in time
 * order, at most `limit` rows (`total` counts them all).
 * @throws PathTooLongError (sso/crossing.ts) when the path needs more than MAX_PATH_SAMPLES or
 *   a collection's searched time range is longer than opts.maxSpanDays.
 */
export async function observationsCrossed(
  db: SqlRunner,
  colls: readonly CollectionInfo[],
  direction: Direction,
  startMs: number,
  endMs: number,
  limit: number,
  opts: { maxSpanDays?: number } = {},
): Promise<CrossingResult> {
  const found = new Map<number, Crossing>();
  // the time range: the request's, clipped to the span of the collections' timed observations
  const timed: CollectionInfo[] = [];
  let from = Infinity;
  let to = -Infinity;
  for (const coll of colls) {
    const span = await timeSpan(db, coll.name);
    if (span === undefined) continue;
    const a = Math.max(startMs, mjdToMs(span.min));
    const b = Math.min(endMs, mjdToMs(span.max));
    if (!(b >= a)) continue;
    timed.push(coll);
    from = Math.min(from, a);
    to = Math.max(to, b);
  }
  if (timed.length === 0) {
    return { startMs: undefined, endMs: undefined, total: 0, truncated: false, pathSamples: 0, candidates: 0, hits: [] };
  }
  if (opts.maxSpanDays !== undefined && to - from > opts.maxSpanDays * 86_400_000) {
    throw new PathTooLongError(`the observations span ${((to - from) / 86_400_000).toFixed(0)} days, more than ${opts.maxSpanDays}`);
  }
  // one path and one index query per chunk of it, for all the collections at once
  const path = samplePath(direction, from, to, BASE_STEP_MS, PATH_STEP_DEG, MAX_PATH_SAMPLES);
  const reach = Math.max(...timed.map((c) => c.maxExtent));
  const inList = timed.map(() => '?').join(', ');
  const names = timed.map((c) => c.name);
  const seen = new Map<number, Candidate>();
  for (const chunk of pathChunks(path, CHUNK_RADIUS_DEG, PATH_STEP_DEG, CHUNK_POINTS)) {
    const where = rangeClause(discRanges29(chunk.raDeg, chunk.decDeg, Math.min(180, chunk.radiusDeg + reach)));
    const rows = await db.all<Candidate>(
      `SELECT id, s_ra, s_dec, s_fov, s_region, t_min, t_max FROM observations WHERE collection IN (${inList}) ` +
        `AND t_min IS NOT NULL AND t_max IS NOT NULL AND t_max >= ? AND t_min <= ? AND ${where.sql}`,
      [...names, msToMjd(chunk.startMs), msToMjd(chunk.endMs), ...where.params],
    );
    for (const r of rows) seen.set(Number(r.id), r);
  }
  for (const [id, o] of seen) {
    const fp = footprintOf(o);
    if (fp === undefined) continue;
    const t0 = Math.max(startMs, mjdToMs(Number(o.t_min)));
    const t1 = Math.min(endMs, mjdToMs(Number(o.t_max)));
    const hit = firstCrossing(direction, fp, t0, t1, CROSSING_RESOLUTION_DEG, MAX_SAMPLES_PER_OBSERVATION);
    if (hit !== undefined) found.set(id, hit);
  }
  const pathSamples = path.length;
  const candidates = seen.size;
  const searchedFrom = from;
  const searchedTo = to;
  const ordered = [...found].sort((a, b) => a[1].timeMs - b[1].timeMs || a[0] - b[0]);
  const kept = ordered.slice(0, limit);
  const cols = ['collection', ...OBSCORE_COLUMNS.map((c) => c.name)];
  const byId = new Map<number, Record<string, number | string | null>>();
  for (let i = 0; i < kept.length; i += 500) {
    const ids = kept.slice(i, i + 500).map(([id]) => id);
    const rows = await db.all<Record<string, number | string | null>>(
      `SELECT id, ${cols.map((c) => `"${c}"`).join(', ')} FROM observations WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    for (const r of rows) {
      const out: Record<string, number | string | null> = {};
      for (const c of cols) out[c] = r[c] ?? null;
      byId.set(Number(r['id']), out);
    }
  }
  return {
    startMs: searchedFrom,
    endMs: searchedTo,
    total: ordered.length,
    truncated: ordered.length > kept.length,
    pathSamples,
    candidates,
    hits: kept.map(([id, crossing]) => ({ id, row: byId.get(id)!, crossing })),
  };
}
