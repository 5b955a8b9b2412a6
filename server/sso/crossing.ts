/**
 * Did a moving body cross an observation? Pure functions over a body's direction as a function
 * of time (ephemeris.ts) and footprints (storage/stcs.ts regions):
 *  - samplePath:    the path over a time range, sampled so consecutive points are at most
 *                   `maxStepDeg` apart (a day at a time, halved where the body moves faster);
 *  - pathChunks:    the sampled path cut into small cones (centre, radius, time span), each
 *                   holding its stretch of the path, for the spatial + time index query;
 *  - firstCrossing: the first instant within an observation's [t_min, t_max] at which the body
 *                   is inside its footprint, sampling at `resolutionDeg` of motion; a sample
 *                   counts when the footprint comes within half the sample spacing of it (so a
 *                   crossing between two samples is never missed; the tolerance is returned).
 */
import { angle, intersectsCone, unit, type Region } from '../storage/stcs.js';

const DEG = Math.PI / 180;

export type Direction = (timeMs: number) => { raDeg: number; decDeg: number };

export interface PathPoint {
  readonly timeMs: number;
  readonly raDeg: number;
  readonly decDeg: number;
}

export interface PathChunk {
  readonly startMs: number;
  readonly endMs: number;
  readonly raDeg: number;
  readonly decDeg: number;
  /** Every point of the path in [startMs, endMs] is within this of the centre (deg). */
  readonly radiusDeg: number;
}

export interface Crossing extends PathPoint {
  /** Half the largest spacing between the samples tested (deg): the footprint came at least this close. */
  readonly toleranceDeg: number;
}

export class PathTooLongError extends Error {}

function distDeg(a: { raDeg: number; decDeg: number }, b: { raDeg: number; decDeg: number }): number {
  return angle(unit(a.raDeg, a.decDeg), unit(b.raDeg, b.decDeg)) / DEG;
}

/**
 * Samples the path from startMs to endMs: every `baseStepMs`, then midpoints inserted wherever
 * two consecutive points are more than `maxStepDeg` apart.
 * @throws PathTooLongError when more than `maxPoints` points would be needed.
 */
export function samplePath(
  direction: Direction,
  startMs: number,
  endMs: number,
  baseStepMs: number,
  maxStepDeg: number,
  maxPoints: number,
): PathPoint[] {
  if (!(endMs >= startMs)) throw new RangeError('end is before start');
  if (!(baseStepMs > 0) || !(maxStepDeg > 0)) throw new RangeError('steps must be positive');
  const at = (t: number): PathPoint => ({ timeMs: t, ...direction(t) });
  const out: PathPoint[] = [at(startMs)];
  const tooMany = (): never => {
    throw new PathTooLongError(`the path needs more than ${maxPoints} samples`);
  };
  const refine = (a: PathPoint, b: PathPoint, depth: number): void => {
    if (depth < 30 && distDeg(a, b) > maxStepDeg && b.timeMs - a.timeMs > 1000) {
      const m = at((a.timeMs + b.timeMs) / 2);
      refine(a, m, depth + 1);
      refine(m, b, depth + 1);
      return;
    }
    if (out.length >= maxPoints) tooMany();
    out.push(b);
  };
  let prev = out[0]!;
  for (let t = startMs + baseStepMs; ; t += baseStepMs) {
    const next = at(Math.min(t, endMs));
    if (next.timeMs === prev.timeMs) break;
    refine(prev, next, 0);
    prev = next;
    if (next.timeMs >= endMs) break;
  }
  return out;
}

/**
 * Cuts a sampled path into chunks: consecutive points within `maxRadiusDeg` of the chunk's
 * first point, at most `maxPointsPerChunk`. The radius adds `slackDeg` for the path between
 * samples (pass samplePath's maxStepDeg). Each chunk's time span and radius run on to the next
 * chunk's first point, so every instant and every stretch of the path is in some chunk.
 */
export function pathChunks(points: readonly PathPoint[], maxRadiusDeg: number, slackDeg: number, maxPointsPerChunk = 64): PathChunk[] {
  const chunks: PathChunk[] = [];
  const n = points.length;
  let i = 0;
  while (i < n) {
    const first = points[i]!;
    let r = 0;
    let j = i + 1;
    while (j < n && j - i < maxPointsPerChunk) {
      const d = distDeg(first, points[j]!);
      if (d > maxRadiusDeg) break;
      r = Math.max(r, d);
      j++;
    }
    // the chunk holds points i … j−1 and the stretch of path on to point j (the next chunk's first)
    const end = points[Math.min(j, n - 1)]!;
    r = Math.max(r, distDeg(first, end));
    chunks.push({ startMs: first.timeMs, endMs: end.timeMs, raDeg: first.raDeg, decDeg: first.decDeg, radiusDeg: r + slackDeg });
    i = j;
  }
  return chunks;
}

/**
 * The first instant in [tMinMs, tMaxMs] at which the body is in (or within the sampling
 * tolerance of) the footprint, or undefined. At most `maxSamples` + 1 positions are computed.
 */
export function firstCrossing(
  direction: Direction,
  region: Region,
  tMinMs: number,
  tMaxMs: number,
  resolutionDeg: number,
  maxSamples: number,
): Crossing | undefined {
  if (!(tMaxMs >= tMinMs)) return undefined;
  const a = { timeMs: tMinMs, ...direction(tMinMs) };
  const b = tMaxMs === tMinMs ? a : { timeMs: tMaxMs, ...direction(tMaxMs) };
  const n = tMaxMs === tMinMs ? 0 : Math.max(1, Math.min(maxSamples, Math.ceil(distDeg(a, b) / resolutionDeg)));
  const pts: PathPoint[] = [a];
  for (let i = 1; i < n; i++) {
    const t = tMinMs + ((tMaxMs - tMinMs) * i) / n;
    pts.push({ timeMs: t, ...direction(t) });
  }
  if (n > 0) pts.push(b);
  let spacing = 0;
  for (let i = 1; i < pts.length; i++) spacing = Math.max(spacing, distDeg(pts[i - 1]!, pts[i]!));
  const tol = spacing / 2;
  for (const p of pts) {
    if (intersectsCone(region, unit(p.raDeg, p.decDeg), tol * DEG)) return { ...p, toleranceDeg: tol };
  }
  return undefined;
}
