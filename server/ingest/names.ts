/**
 * Catalogues that exist for the name resolver (routes/resolve.ts), from d3-celestial data:
 *  - dsos       deep-sky objects (dsos.20.json: 89,870 from SAC 8.1 — NGC, IC, PGC, LDN, Sh2…;
 *               dsos.6.json: the 3,311 brightest) with a `name_key` lookup column
 *  - starnames  named and designated stars (starnames.json, keyed by Hipparcos number: proper
 *               name, Bayer, Flamsteed, HD), placed with the positions of a d3-celestial stars
 *               file (stars.14.json: all 4,870 are there; stars.6.json: the 3,340 brighter
 *               than 6 mag), with lookup columns for each kind of name
 * Each becomes a catalogue like the others (cone searches, counts, TAP).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { SqlValue } from '../storage/db.js';
import { designationKey, properNameKey, stellarDesignationKey } from '../resolve/keys.js';
import { fileIdentity, type CatalogueSource } from './sources.js';

const D3_CREDIT = 'd3-celestial data (BSD-3-Clause, Olaf Frohn)';

function readJson(path: string): unknown {
  const bytes = readFileSync(path);
  return JSON.parse((bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8'));
}

interface Feature {
  id?: unknown;
  properties?: Record<string, unknown>;
  geometry?: { coordinates?: unknown };
}

function featuresOf(path: string): Feature[] {
  const doc = readJson(path) as { features?: unknown };
  if (!Array.isArray(doc.features)) throw new Error(`${path}: not a GeoJSON FeatureCollection`);
  return doc.features as Feature[];
}

function position(f: Feature): [number, number] | undefined {
  const c = f.geometry?.coordinates;
  if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') return undefined;
  return [c[0] < 0 ? c[0] + 360 : c[0], c[1]];
}

function num(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = String(v).normalize('NFKC').trim();
  return s === '' ? null : s;
}

function* chunks<T>(rows: T[], size = 5000): Iterable<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/** Deep-sky objects from a d3-celestial dsos.*.json. */
export function dsoSource(path: string): CatalogueSource {
  const rows: SqlValue[][] = [];
  for (const f of featuresOf(path)) {
    const pos = position(f);
    const name = text(f.properties?.['desig'] ?? f.id);
    if (pos === undefined || name === null) continue;
    const p = f.properties ?? {};
    rows.push([name, designationKey(name), text(p['type']), text(p['morph']), pos[0], pos[1], num(p['mag']), text(p['dim'])]);
  }
  return {
    expectedRows: rows.length,
    batches: chunks(rows),
    resume: { identity: fileIdentity([path]) },
    spec: {
      name: 'dsos',
      title: 'Deep-sky objects',
      description: `Deep-sky objects of the Saguaro Astronomy Club database 8.1 via d3-celestial (${rows.length.toLocaleString('en-US')}: NGC, IC, PGC, LDN, Sh2, …).`,
      source: path.split('/').slice(-1)[0]!,
      credit: `${D3_CREDIT}; SAC 8.1`,
      idColumn: 'name',
      brightColumn: 'mag',
      columns: [
        { name: 'name', type: 'text', ucd: 'meta.id;meta.main', description: 'Designation (NGC 1976, IC 434, PGC 2557, …)' },
        { name: 'name_key', type: 'text', ucd: 'meta.id', description: 'Lookup key of the designation (lower case, no blanks or leading zeros)' },
        { name: 'type', type: 'text', ucd: 'src.class', description: 'Object type (d3-celestial code: gg, s, oc, gc, pn, bn, …)' },
        { name: 'morph', type: 'text', ucd: 'src.morph.type', description: 'Morphology' },
        { name: 'ra', type: 'double', unit: 'deg', ucd: 'pos.eq.ra;meta.main', description: 'Right ascension, J2000' },
        { name: 'dec', type: 'double', unit: 'deg', ucd: 'pos.eq.dec;meta.main', description: 'Declination, J2000' },
        { name: 'mag', type: 'double', unit: 'mag', ucd: 'phot.mag;em.opt.V', description: 'Visual magnitude' },
        { name: 'dim', type: 'text', unit: 'arcmin', ucd: 'phys.angSize', description: 'Size (arcmin, major x minor)' },
      ],
    },
  };
}

interface StarName {
  name?: string;
  bayer?: string;
  flam?: string;
  c?: string;
  hd?: string;
}

/** Named/designated stars: names from starnames.json, positions and magnitudes from a stars file. */
export function starNamesSource(namesPath: string, starsPath: string): CatalogueSource {
  const names = readJson(namesPath) as Record<string, StarName>;
  if (names === null || typeof names !== 'object' || Array.isArray(names)) throw new Error(`${namesPath}: not a starnames object`);
  const stars = new Map<number, { ra: number; dec: number; mag: number | null }>();
  for (const f of featuresOf(starsPath)) {
    const pos = position(f);
    const hip = num(f.id);
    if (pos !== undefined && hip !== null) stars.set(hip, { ra: pos[0], dec: pos[1], mag: num(f.properties?.['mag']) });
  }
  const rows: SqlValue[][] = [];
  for (const [hipText, n] of Object.entries(names)) {
    const hip = Number(hipText);
    const star = stars.get(hip);
    if (star === undefined || !Number.isInteger(hip)) continue;
    const con = text(n.c);
    const bayer = text(n.bayer);
    const flam = text(n.flam);
    const name = text(n.name);
    const hd = text(n.hd);
    rows.push([
      hip,
      name,
      bayer,
      flam,
      con,
      hd,
      star.ra,
      star.dec,
      star.mag,
      name === null ? null : properNameKey(name),
      bayer === null || con === null ? null : (stellarDesignationKey(`${bayer} ${con}`) ?? null),
      flam === null || con === null ? null : (stellarDesignationKey(`${flam} ${con}`) ?? null),
      hd === null ? null : designationKey(hd),
    ]);
  }
  return {
    expectedRows: rows.length,
    batches: chunks(rows),
    resume: { identity: fileIdentity([namesPath, starsPath]) },
    spec: {
      name: 'starnames',
      title: 'Star names',
      description: `Stars with a proper name, a Bayer or Flamsteed designation (${rows.length.toLocaleString('en-US')}; IAU names via d3-celestial), positions from Hipparcos/XHIP.`,
      source: `${namesPath.split('/').slice(-1)[0]!} + ${starsPath.split('/').slice(-1)[0]!}`,
      credit: `${D3_CREDIT}; names IAU WGSN, stars from Hipparcos/XHIP (CDS V/137D)`,
      idColumn: 'hip',
      brightColumn: 'mag',
      columns: [
        { name: 'hip', type: 'int', ucd: 'meta.id;meta.main', description: 'Hipparcos number' },
        { name: 'name', type: 'text', ucd: 'meta.id', description: 'Proper name (IAU)' },
        { name: 'bayer', type: 'text', ucd: 'meta.id', description: 'Bayer letter' },
        { name: 'flamsteed', type: 'text', ucd: 'meta.id', description: 'Flamsteed number' },
        { name: 'constellation', type: 'text', ucd: 'meta.id.part', description: 'Constellation (IAU abbreviation)' },
        { name: 'hd', type: 'text', ucd: 'meta.id.cross', description: 'Henry Draper number' },
        { name: 'ra', type: 'double', unit: 'deg', ucd: 'pos.eq.ra;meta.main', description: 'Right ascension, ICRS, J2000' },
        { name: 'dec', type: 'double', unit: 'deg', ucd: 'pos.eq.dec;meta.main', description: 'Declination, ICRS, J2000' },
        { name: 'mag', type: 'double', unit: 'mag', ucd: 'phot.mag;em.opt.V', description: 'Apparent visual magnitude' },
        { name: 'name_key', type: 'text', ucd: 'meta.id', description: 'Lookup key of the proper name' },
        { name: 'bayer_key', type: 'text', ucd: 'meta.id', description: 'Lookup key of the Bayer designation (alf ori)' },
        { name: 'flamsteed_key', type: 'text', ucd: 'meta.id', description: 'Lookup key of the Flamsteed designation (58 ori)' },
        { name: 'hd_key', type: 'text', ucd: 'meta.id', description: 'Lookup key of the HD number (hd39801)' },
      ],
    },
  };
}
