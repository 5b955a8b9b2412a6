/**
 * The name resolver over the archive's own catalogues, tried in this order:
 *   HIP n             hipparcos (hip), else starnames (hip)
 *   TYC a-b-c         tycho2 (tyc)
 *   M n / NGC / IC…   messier (name, NGC/IC designation, common name), then dsos (name_key)
 *   star names        starnames: proper name, Bayer (α Ori, alpha Ori, alf Ori), Flamsteed (58 Ori), HD
 *   Solar System      Sun, Moon, planets, asteroids and comets: the position at `timeMs`
 * A catalogue that has not been ingested is skipped and named in the "not found" answer, which
 * lists everything that was searched.
 */
import type { SqlRunner } from '../storage/db.js';
import { ident } from '../storage/db.js';
import { getCatalogue, type CatalogueInfo } from '../storage/catalogues.js';
import { countSmallBodies } from '../storage/sso.js';
import { positionAt, type SolarSystemTarget } from '../sso/ephemeris.js';
import { lookupTargets, summarize } from '../sso/targets.js';
import { designationKey, hipNumber, properNameKey, stellarDesignationKey, tychoKey } from './keys.js';

export interface Resolved {
  name: string;
  raDeg: number;
  decDeg: number;
  /** Catalogue name, or 'sso'. */
  source: string;
  kind: string;
  mag: number | null;
  /** ISO instant of a Solar System position. */
  time?: string;
}

export type Resolution =
  | { found: Resolved }
  | { found: undefined; ambiguous: SolarSystemTarget[]; searched: string[] };

interface Row {
  ra: number;
  dec: number;
  [k: string]: unknown;
}

async function rowsWhere(
  db: SqlRunner,
  cat: CatalogueInfo,
  where: string,
  params: Array<string | number>,
  cols: string[],
  orderBy = '',
): Promise<Row[]> {
  const have = new Set(cat.columns.map((c) => c.name));
  const select = ['ra', '"dec"', ...cols.filter((c) => have.has(c)).map(ident)];
  return db.all<Row>(`SELECT ${select.join(', ')} FROM ${ident(cat.tableName)} WHERE ${where} ${orderBy} LIMIT 2`, params);
}

const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function fromRow(r: Row, name: string, source: string, kind: string, mag: unknown): Resolved {
  return { name, raDeg: Number(r.ra), decDeg: Number(r.dec), source, kind, mag: numOrNull(mag) };
}

/** Resolves `query`; `timeMs` is the instant for Solar System bodies. */
export async function resolveName(db: SqlRunner, query: string, timeMs: number): Promise<Resolution> {
  const searched: string[] = [];
  const catalogue = async (name: string, what: string): Promise<CatalogueInfo | undefined> => {
    const cat = await getCatalogue(db, name);
    searched.push(cat === undefined ? `${what} (catalogue ${name}: not ingested, see npm run ingest -- ${name})` : `${what} (${name})`);
    return cat;
  };

  const hip = hipNumber(query);
  if (hip !== undefined) {
    const cat = await catalogue('hipparcos', 'HIP numbers');
    const r = cat === undefined ? [] : await rowsWhere(db, cat, 'hip = ?', [hip], ['mag']);
    if (r[0] !== undefined) return { found: fromRow(r[0], `HIP ${hip}`, 'hipparcos', 'star', r[0]['mag']) };
    const names = await getCatalogue(db, 'starnames');
    const s = names === undefined ? [] : await rowsWhere(db, names, 'hip = ?', [hip], ['mag', 'name']);
    if (s[0] !== undefined) return { found: fromRow(s[0], `HIP ${hip}`, 'starnames', 'star', s[0]['mag']) };
  }

  const tyc = tychoKey(query);
  if (tyc !== undefined) {
    const cat = await catalogue('tycho2', 'TYC identifiers');
    const r = cat === undefined ? [] : await rowsWhere(db, cat, 'tyc = ?', [tyc], ['mag']);
    if (r[0] !== undefined) return { found: fromRow(r[0], `TYC ${tyc}`, 'tycho2', 'star', r[0]['mag']) };
  }

  const desig = designationKey(query);
  const messier = await catalogue('messier', 'Messier numbers, their NGC/IC designations and common names');
  if (messier !== undefined) {
    const all = await db.all<Row>(`SELECT ra, "dec", name, designation, common_name, type, mag FROM ${ident(messier.tableName)}`);
    const proper = properNameKey(query);
    const hit = all.find(
      (r) =>
        designationKey(String(r['name'] ?? '')) === desig ||
        (r['designation'] !== null && designationKey(String(r['designation'])) === desig) ||
        (r['common_name'] !== null && properNameKey(String(r['common_name'])) === proper),
    );
    if (hit !== undefined) {
      const alt = hit['common_name'] === null ? '' : ` (${String(hit['common_name'])})`;
      return { found: fromRow(hit, `${String(hit['name'])}${alt}`, 'messier', String(hit['type'] ?? 'dso'), hit['mag']) };
    }
  }
  const dsos = await catalogue('dsos', 'NGC, IC and other deep-sky designations');
  if (dsos !== undefined) {
    const r = await rowsWhere(db, dsos, 'name_key = ?', [desig], ['name', 'type', 'mag']);
    if (r[0] !== undefined) return { found: fromRow(r[0], String(r[0]['name']), 'dsos', String(r[0]['type'] ?? 'dso'), r[0]['mag']) };
  }

  const stars = await catalogue('starnames', 'star names, Bayer and Flamsteed designations, HD numbers');
  if (stars !== undefined) {
    const stellar = stellarDesignationKey(query) ?? '';
    // "alpha Cen" also means α1 Cen / α2 Cen (the brighter wins) when there is no plain α Cen
    const [letter, con] = stellar.split(' ');
    const components = /\d$/.test(letter ?? '') || con === undefined ? [] : [1, 2, 3].map((k) => `${letter}${k} ${con}`);
    const parts = components.length ? components : ['', '', ''];
    const r = await rowsWhere(
      db,
      stars,
      'name_key = ? OR bayer_key IN (?, ?, ?, ?) OR flamsteed_key = ? OR hd_key = ?',
      // components after exact matches, then the brightest
      [properNameKey(query), stellar, ...parts, stellar, desig, ...parts],
      ['hip', 'name', 'bayer', 'flamsteed', 'constellation', 'mag'],
      'ORDER BY CASE WHEN bayer_key IN (?, ?, ?) THEN 1 ELSE 0 END, mag IS NULL, mag',
    );
    if (r[0] !== undefined) {
      const s = r[0];
      const desigText = s['bayer'] !== null ? `${String(s['bayer'])} ${String(s['constellation'])}` : s['flamsteed'] !== null ? `${String(s['flamsteed'])} ${String(s['constellation'])}` : '';
      const name = s['name'] !== null ? `${String(s['name'])}${desigText ? ` (${desigText})` : ''}` : desigText || `HIP ${String(s['hip'])}`;
      return { found: fromRow(s, name, 'starnames', 'star', s['mag']) };
    }
  }

  const orbits = (await countSmallBodies(db)).reduce((n, c) => n + c.n, 0);
  searched.push(`Solar System bodies (the Sun, the Moon, the planets and Pluto, ${orbits} asteroid and comet orbits)`);
  const targets = await lookupTargets(db, query);
  if (targets.length === 1) {
    const t = targets[0]!;
    const p = positionAt(t, timeMs);
    return {
      found: {
        name: t.kind === 'small' ? t.orbit.label : t.name,
        raDeg: p.raDeg,
        decDeg: p.decDeg,
        source: 'sso',
        kind: summarize(t).kind,
        mag: p.vMag,
        time: new Date(timeMs).toISOString(),
      },
    };
  }
  return { found: undefined, ambiguous: targets, searched };
}
