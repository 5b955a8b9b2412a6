/**
 * The HiPS served by this server: every subdirectory of HIPS_DIR that holds a `properties`
 * file. Reads the directory on each call (it is small; a HiPS dropped in appears at once).
 *
 * Deliberately tiny `properties` parser: `key = value` lines, `#` comments, blank lines
 * ignored (HiPS 1.0 §4.4). A fuller parser lives in src/hips; the server does not import
 * the renderer's sources yet.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Ids are directory names; only these characters are served (no dots first, no slashes). */
export const HIPS_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** HiPS 1.0: hips_status default when the properties do not say. */
export const DEFAULT_HIPS_STATUS = 'public master clonableOnce';

export type HipsProperties = Record<string, string>;

export interface HipsEntry {
  id: string;
  dir: string;
  properties: HipsProperties;
  /** Modification time of the properties file (fallback for hips_release_date). */
  mtime: Date;
}

/** One item of GET /api/hips. */
export interface HipsSummary {
  id: string;
  title: string;
  url: string;
  frame: string;
  order: number;
  tileFormat: string;
  tileWidth: number;
  credit: string;
}

/** Parses a HiPS `properties` file. Later duplicates win; keys keep their case. */
export function parseProperties(text: string): HipsProperties {
  const props: HipsProperties = {};
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (key === '' || /\s/.test(key)) continue;
    props[key] = line.slice(eq + 1).trim();
  }
  return props;
}

/** Lists the HiPS under `hipsDir`, sorted by id. A missing directory gives an empty list. */
export async function listHips(hipsDir: string): Promise<HipsEntry[]> {
  let names: string[];
  try {
    names = await readdir(hipsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const entries: HipsEntry[] = [];
  for (const id of names.sort()) {
    if (!HIPS_ID_PATTERN.test(id)) continue;
    const dir = join(hipsDir, id);
    const file = join(dir, 'properties');
    try {
      const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
      if (!info.isFile()) continue;
      entries.push({ id, dir, properties: parseProperties(text), mtime: info.mtime });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') continue;
      throw err;
    }
  }
  return entries;
}

/** HiPS date format YYYY-mm-ddTHH:MMZ. */
export function hipsDate(date: Date): string {
  return date.toISOString().slice(0, 16) + 'Z';
}

function intOr(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : fallback;
}

/** Human credit line: data copyright, then HiPS copyright, else the HiPS creator. */
export function creditOf(props: HipsProperties): string {
  const parts = [props.obs_copyright, props.hips_copyright].filter(
    (p): p is string => p !== undefined && p !== '',
  );
  if (parts.length > 0) return [...new Set(parts)].join('; ');
  return props.hips_creator ?? '';
}

export function summarize(entry: HipsEntry, serviceUrl: string): HipsSummary {
  const p = entry.properties;
  return {
    id: entry.id,
    title: p.obs_title ?? entry.id,
    url: serviceUrl,
    frame: p.hips_frame ?? 'equatorial',
    order: intOr(p.hips_order, 0),
    tileFormat: (p.hips_tile_format ?? 'jpeg').split(/\s+/)[0] ?? 'jpeg',
    tileWidth: intOr(p.hips_tile_width, 512),
    credit: creditOf(p),
  };
}

/**
 * One hipslist record (HiPS 1.0 §4.4.3): the properties with the four keys a list needs
 * always present. creator_did falls back to an id under this server's authority, and
 * hips_service_url is always this server's URL for the HiPS.
 */
export function hipslistRecord(entry: HipsEntry, serviceUrl: string): string {
  const p = entry.properties;
  const head: [string, string][] = [
    ['creator_did', p.creator_did ?? `ivo://esasky-sky/P/${entry.id}`],
    ['hips_release_date', p.hips_release_date ?? hipsDate(entry.mtime)],
    ['hips_service_url', serviceUrl],
    ['hips_status', p.hips_status ?? DEFAULT_HIPS_STATUS],
  ];
  const skip = new Set(head.map(([k]) => k));
  const rest = Object.entries(p).filter(([k]) => !skip.has(k));
  const width = Math.max(...[...head, ...rest].map(([k]) => k.length));
  return [...head, ...rest]
    .map(([k, v]) => `${k.padEnd(width)} = ${v.replace(/[\r\n]+/g, ' ')}`)
    .join('\n');
}

/** The whole hipslist document: records separated by one blank line. */
export function hipslist(entries: HipsEntry[], serviceUrlOf: (id: string) => string): string {
  return entries.map((e) => hipslistRecord(e, serviceUrlOf(e.id))).join('\n\n') + '\n';
}
