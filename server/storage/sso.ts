/**
 * Solar System small bodies in the archive: their osculating orbits (perihelion form, from the
 * MPC files) and the names they are found by.
 *
 *  - sso_objects  one row per asteroid/comet: kind, MPC label, designation, name, number, the
 *                 elements (q, e, i, Ω, ω, perihelion time, epoch), H and slope, ingest source
 *  - sso_names    normalised lookup keys (label, designation, name, number, "1P/Halley"…) →
 *                 object id, B-tree on the key
 *
 * Keys are normalised by `nameKey` (lower case; blanks, parentheses and quote marks dropped),
 * so "(1) Ceres", "1 ceres" and "1Ceres" are one key, "2013FY27" finds "2013 FY27" and
 * "Oumuamua" finds "1I/`Oumuamua".
 */
import type { SqlRunner } from './db.js';
import type { SmallBodyOrbit, SmallBodyKind } from '../sso/mpc.js';

const TABLES = (idType: string): string => `
CREATE TABLE IF NOT EXISTS sso_objects (
  id ${idType} PRIMARY KEY,
  kind TEXT NOT NULL,
  label TEXT NOT NULL,
  designation TEXT NOT NULL,
  name TEXT,
  number BIGINT,
  packed TEXT NOT NULL,
  q_au DOUBLE PRECISION NOT NULL,
  e DOUBLE PRECISION NOT NULL,
  incl_deg DOUBLE PRECISION NOT NULL,
  node_deg DOUBLE PRECISION NOT NULL,
  arg_peri_deg DOUBLE PRECISION NOT NULL,
  perihelion_jd_tt DOUBLE PRECISION NOT NULL,
  epoch_jd_tt DOUBLE PRECISION NOT NULL,
  h_mag DOUBLE PRECISION,
  slope DOUBLE PRECISION,
  source TEXT NOT NULL,
  ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sso_objects_source ON sso_objects (source);
CREATE TABLE IF NOT EXISTS sso_names (
  name_key TEXT NOT NULL,
  object_id BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sso_names_key ON sso_names (name_key);
CREATE INDEX IF NOT EXISTS sso_names_object ON sso_names (object_id);
`;

/** Creates the SSO tables when missing (both dialects; independent of the main schema version). */
export async function ensureSsoSchema(db: SqlRunner): Promise<void> {
  await db.exec(TABLES(db.dialect === 'sqlite' ? 'INTEGER' : 'BIGINT'));
}

/** The lookup key of a name: lower case, no blanks, parentheses or quote marks. */
export function nameKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s()`'"\u2018\u2019\u02bb\u02bc]+/g, '');
}

/** Every key an orbit is found by. */
export function keysOf(o: SmallBodyOrbit): string[] {
  const keys = new Set<string>([nameKey(o.label), nameKey(o.designation), nameKey(o.packed)]);
  if (o.name !== null) keys.add(nameKey(o.name));
  if (o.number !== null && o.kind === 'asteroid') {
    keys.add(String(o.number));
    if (o.name !== null) keys.add(nameKey(`${o.number} ${o.name}`));
  }
  keys.delete('');
  return [...keys];
}

export const SSO_OBJECT_COLUMNS = [
  'id', 'kind', 'label', 'designation', 'name', 'number', 'packed', 'q_au', 'e', 'incl_deg', 'node_deg',
  'arg_peri_deg', 'perihelion_jd_tt', 'epoch_jd_tt', 'h_mag', 'slope', 'source', 'ingested_at',
] as const;

interface SsoRow {
  id: number;
  kind: string;
  label: string;
  designation: string;
  name: string | null;
  number: number | null;
  packed: string;
  q_au: number;
  e: number;
  incl_deg: number;
  node_deg: number;
  arg_peri_deg: number;
  perihelion_jd_tt: number;
  epoch_jd_tt: number;
  h_mag: number | null;
  slope: number | null;
  source: string;
}

export interface StoredSmallBody extends SmallBodyOrbit {
  readonly id: number;
  readonly source: string;
}

function toOrbit(r: SsoRow): StoredSmallBody {
  return {
    id: Number(r.id),
    kind: r.kind as SmallBodyKind,
    label: r.label,
    designation: r.designation,
    name: r.name,
    number: r.number === null ? null : Number(r.number),
    packed: r.packed,
    elements: {
      qAu: Number(r.q_au),
      e: Number(r.e),
      inclDeg: Number(r.incl_deg),
      nodeDeg: Number(r.node_deg),
      argPeriDeg: Number(r.arg_peri_deg),
      perihelionJdTt: Number(r.perihelion_jd_tt),
    },
    epochJdTt: Number(r.epoch_jd_tt),
    hMag: r.h_mag === null ? null : Number(r.h_mag),
    slope: r.slope === null ? null : Number(r.slope),
    source: r.source,
  };
}

const SELECT = `SELECT o.id, o.kind, o.label, o.designation, o.name, o.number, o.packed, o.q_au, o.e, o.incl_deg, o.node_deg,
 o.arg_peri_deg, o.perihelion_jd_tt, o.epoch_jd_tt, o.h_mag, o.slope, o.source FROM sso_objects o`;

/** The small bodies whose key is exactly `name`'s (more than one when a name is shared). */
export async function findSmallBodies(db: SqlRunner, name: string): Promise<StoredSmallBody[]> {
  const key = nameKey(name);
  if (key === '') return [];
  const rows = await db.all<SsoRow>(
    `${SELECT} WHERE o.id IN (SELECT object_id FROM sso_names WHERE name_key = ?) ORDER BY o.number, o.label`,
    [key],
  );
  return rows.map(toOrbit);
}

/** Small bodies with a key starting with `text`'s key: exact matches first, then by number and label. */
export async function searchSmallBodies(db: SqlRunner, text: string, limit: number): Promise<StoredSmallBody[]> {
  const key = nameKey(text);
  if (key === '') return [];
  const pattern = `${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db.all<SsoRow & { exact: number }>(
    `${SELECT} JOIN (SELECT object_id, MAX(CASE WHEN name_key = ? THEN 1 ELSE 0 END) AS exact FROM sso_names ` +
      `WHERE name_key LIKE ? ESCAPE '\\' GROUP BY object_id) m ON m.object_id = o.id ` +
      `ORDER BY m.exact DESC, CASE WHEN o.number IS NULL THEN 1 ELSE 0 END, o.number, o.label LIMIT ?`,
    [key, pattern, limit],
  );
  return rows.map(toOrbit);
}

/** Every small body, by id. */
export async function listSmallBodies(db: SqlRunner): Promise<StoredSmallBody[]> {
  return (await db.all<SsoRow>(`${SELECT} ORDER BY o.id`)).map(toOrbit);
}

/** Counts by kind (for /api/sso and the ingest's `list`). */
export async function countSmallBodies(db: SqlRunner): Promise<Array<{ kind: string; source: string; n: number; ingestedAt: string }>> {
  const rows = await db.all<{ kind: string; source: string; n: number; ingested_at: string }>(
    'SELECT kind, source, COUNT(*) AS n, MAX(ingested_at) AS ingested_at FROM sso_objects GROUP BY kind, source ORDER BY kind, source',
  );
  return rows.map((r) => ({ kind: r.kind, source: r.source, n: Number(r.n), ingestedAt: r.ingested_at }));
}
