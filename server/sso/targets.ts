/**
 * Names → Solar System targets: the Sun, the Moon and the planets by name (any case), then the
 * asteroids and comets of the archive by any of their keys (storage/sso.ts). Also the JSON
 * description of a target that the API answers with.
 */
import type { SqlRunner } from '../storage/db.js';
import { findSmallBodies, nameKey, searchSmallBodies, type StoredSmallBody } from '../storage/sso.js';
import { MAJOR_BODIES, type SolarSystemTarget } from './ephemeris.js';

export type TargetKind = 'sun' | 'moon' | 'planet' | 'asteroid' | 'comet';

export interface TargetSummary {
  name: string;
  kind: TargetKind;
  /** MPC label ("(1) Ceres", "C/1995 O1 (Hale-Bopp)") or the body's name. */
  label: string;
  designation: string | null;
  number: number | null;
  /** Where the positions come from. */
  source: string;
}

/** The Sun, the Moon or a planet by name (case and blanks ignored). */
export function majorTarget(name: string): SolarSystemTarget | undefined {
  const key = nameKey(name);
  const b = MAJOR_BODIES.find((m) => nameKey(m.name) === key);
  return b === undefined ? undefined : { kind: 'major', name: b.name, body: b.body };
}

function smallTarget(o: StoredSmallBody): SolarSystemTarget {
  return { kind: 'small', name: o.name ?? o.label, orbit: o };
}

/** Every target called `name`: a major body, else the small bodies with that key. */
export async function lookupTargets(db: SqlRunner, name: string): Promise<SolarSystemTarget[]> {
  const major = majorTarget(name);
  if (major !== undefined) return [major];
  return (await findSmallBodies(db, name)).map(smallTarget);
}

/** Targets whose names start with `text` (major bodies first), at most `limit`. */
export async function searchTargets(db: SqlRunner, text: string, limit: number): Promise<SolarSystemTarget[]> {
  const key = nameKey(text);
  const major = MAJOR_BODIES.filter((m) => key !== '' && nameKey(m.name).startsWith(key)).map(
    (m): SolarSystemTarget => ({ kind: 'major', name: m.name, body: m.body }),
  );
  const small = (await searchSmallBodies(db, text, limit)).map(smallTarget);
  return [...major, ...small].slice(0, limit);
}

export function summarize(t: SolarSystemTarget): TargetSummary {
  if (t.kind === 'major') {
    const kind: TargetKind = t.name === 'Sun' ? 'sun' : t.name === 'Moon' ? 'moon' : 'planet';
    return { name: t.name, kind, label: t.name, designation: null, number: null, source: 'astronomy-engine (VSOP87/ELP/Pluto model)' };
  }
  const o = t.orbit;
  const source = 'source' in o ? String((o as StoredSmallBody).source) : 'mpc';
  return {
    name: t.name,
    kind: o.kind,
    label: o.label,
    designation: o.designation,
    number: o.number,
    source: `two-body orbit (${source}, epoch JD ${o.epochJdTt} TT)`,
  };
}
