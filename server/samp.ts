/**
 * SAMP-friendly links: pure functions that turn a table, a region query or a product into an
 * absolute GET URL a SAMP client (TOPCAT, Aladin, SPLAT) can load directly, plus the
 * ready-to-send SAMP message { "samp.mtype", "samp.params": { url, table-id | image-id |
 * spectrum-id, name } }. Tables and region queries are TAP 1.1 sync GETs (VOTable 1.4 TABLEDATA,
 * MAXREC honoured) with the ADQL built here from names that were checked against their patterns
 * and literals escaped; every URL is `origin` + a fixed path + URLSearchParams, so no name can
 * move a link to another host or path.
 */

/** What a SAMP client is asked to do with a URL. */
export type SampMtype = 'table.load.votable' | 'table.load.fits' | 'image.load.fits' | 'spectrum.load.ssa-generic';

export interface SampMessage {
  'samp.mtype': SampMtype;
  'samp.params': Record<string, string | Record<string, string>>;
}

export interface SampLink {
  /** Absolute GET URL of the VOTable or file. */
  url: string;
  mtype: SampMtype;
  /** The message to hand to a hub's notifyAll/callAll as it is. */
  message: SampMessage;
}

/** Rows a table link asks for (MAXREC) when a table is larger (the answer then says OVERFLOW). */
export const SAMP_TABLE_MAXREC = 100_000;

const CATALOGUE_NAME = /^[a-z][a-z0-9_]{0,40}$/;
const TAP_TABLE = /^[A-Za-z][A-Za-z0-9_]*\.[A-Za-z][A-Za-z0-9_]*$/;
const COLUMN = /^[A-Za-z][A-Za-z0-9_]*$/;
const ORIGIN = /^https?:\/\/[^/?#@\s]+$/;

/** An ADQL character literal: quotes doubled. */
export function adqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function checkOrigin(origin: string): void {
  if (!ORIGIN.test(origin)) throw new Error(`origin must be http(s)://host[:port], got ${JSON.stringify(origin)}`);
}

function num(v: number, name: string): string {
  if (!Number.isFinite(v)) throw new Error(`${name} must be a finite number, got ${v}`);
  return String(v);
}

/** Absolute TAP sync GET URL (VOTable, TABLEDATA) of `adql` with MAXREC. */
export function tapSyncUrl(origin: string, adql: string, maxrec: number, tapPath = '/tap'): string {
  checkOrigin(origin);
  if (!Number.isInteger(maxrec) || maxrec < 0) throw new Error(`maxrec must be a whole number >= 0, got ${maxrec}`);
  const q = new URLSearchParams({ REQUEST: 'doQuery', LANG: 'ADQL', FORMAT: 'votable', MAXREC: String(maxrec), QUERY: adql });
  return `${origin}${tapPath}/sync?${q.toString()}`;
}

/** A table.load.votable message for a VOTable URL. */
export function votableLink(url: string, tableId: string, name: string): SampLink {
  return {
    url,
    mtype: 'table.load.votable',
    message: { 'samp.mtype': 'table.load.votable', 'samp.params': { url, 'table-id': tableId, name } },
  };
}

export interface ConeRegion {
  raDeg: number;
  decDeg: number;
  radiusDeg: number;
}

export interface PolygonRegion {
  /** [raDeg, decDeg] vertices, great-circle edges. */
  verticesDeg: ReadonlyArray<readonly [number, number]>;
}

function regionShape(region: ConeRegion | PolygonRegion): string {
  if ('verticesDeg' in region) {
    const coords = region.verticesDeg.flatMap(([ra, dec], i) => [num(ra, `vertex ${i + 1} ra`), num(dec, `vertex ${i + 1} dec`)]);
    return `POLYGON('ICRS', ${coords.join(', ')})`;
  }
  return `CIRCLE('ICRS', ${num(region.raDeg, 'raDeg')}, ${num(region.decDeg, 'decDeg')}, ${num(region.radiusDeg, 'radiusDeg')})`;
}

function containsAdql(raCol: string, decCol: string, region: ConeRegion | PolygonRegion): string {
  return `1 = CONTAINS(POINT('ICRS', ${raCol}, ${decCol}), ${regionShape(region)})`;
}

/**
 * A whole catalogue (`esasky.<name>` in TAP), brightest first (`orderColumn` ascending), at most
 * `maxrec` rows; with `cone` (or `polygon`), only the rows in it.
 */
export function catalogueLink(
  origin: string,
  name: string,
  opts: {
    orderColumn?: string;
    /** Nearest first from this point (the JSON API's orderBy=distance) instead of orderColumn. */
    distanceFrom?: { raDeg: number; decDeg: number };
    descending?: boolean;
    cone?: ConeRegion;
    polygon?: PolygonRegion;
    maxrec?: number;
  } = {},
): SampLink {
  if (!CATALOGUE_NAME.test(name)) throw new Error(`catalogue name ${JSON.stringify(name)} does not match ${CATALOGUE_NAME.source}`);
  const maxrec = opts.maxrec ?? SAMP_TABLE_MAXREC;
  let adql = `SELECT TOP ${maxrec} * FROM esasky.${name}`;
  const region = opts.cone ?? opts.polygon;
  if (region !== undefined) adql += ` WHERE ${containsAdql('ra', 'dec', region)}`;
  if (opts.distanceFrom !== undefined) {
    const { raDeg, decDeg } = opts.distanceFrom;
    adql += ` ORDER BY DISTANCE(POINT('ICRS', ra, dec), POINT('ICRS', ${num(raDeg, 'raDeg')}, ${num(decDeg, 'decDeg')}))${opts.descending === true ? ' DESC' : ''}`;
  } else if (opts.orderColumn !== undefined) {
    if (!COLUMN.test(opts.orderColumn)) throw new Error(`column name ${JSON.stringify(opts.orderColumn)} is not an ADQL identifier`);
    adql += ` ORDER BY ${opts.orderColumn}${opts.descending === true ? ' DESC' : ''}`;
  }
  const kind = opts.cone !== undefined ? 'cone' : opts.polygon !== undefined ? 'polygon' : undefined;
  return votableLink(tapSyncUrl(origin, adql, maxrec), kind === undefined ? name : `${name}-${kind}`, kind === undefined ? name : `${name} (${kind})`);
}

/**
 * The observations of a collection, through the ESASky-layout TAP where every collection is a
 * table (`tapTable`, e.g. observations.xshooter, from the TAP metadata); with `cone`, those whose
 * footprint intersects it.
 */
export function collectionLink(
  origin: string,
  collection: string,
  tapTable: string,
  opts: { cone?: ConeRegion; maxrec?: number; tapPath?: string } = {},
): SampLink {
  if (!TAP_TABLE.test(tapTable)) throw new Error(`TAP table ${JSON.stringify(tapTable)} is not schema.table`);
  const maxrec = opts.maxrec ?? SAMP_TABLE_MAXREC;
  let adql = `SELECT TOP ${maxrec} * FROM ${tapTable}`;
  if (opts.cone !== undefined) adql += ` WHERE ${regionAdql('fov', opts.cone)}`;
  adql += ' ORDER BY obs_id';
  return votableLink(
    tapSyncUrl(origin, adql, maxrec, opts.tapPath ?? '/esasky-tap/tap'),
    opts.cone === undefined ? collection : `${collection}-cone`,
    opts.cone === undefined ? collection : `${collection} (cone)`,
  );
}

function regionAdql(col: string, cone: ConeRegion): string {
  return `1 = INTERSECTS(${col}, CIRCLE('ICRS', ${num(cone.raDeg, 'raDeg')}, ${num(cone.decDeg, 'decDeg')}, ${num(cone.radiusDeg, 'radiusDeg')}))`;
}

/** Observations of every collection (ivoa.ObsCore at /tap) whose footprint intersects `cone`. */
export function obsCoreConeLink(origin: string, cone: ConeRegion, maxrec = SAMP_TABLE_MAXREC): SampLink {
  const adql = `SELECT TOP ${maxrec} * FROM ivoa.ObsCore WHERE ${regionAdql('s_region', cone)} ORDER BY obs_collection, obs_id`;
  return votableLink(tapSyncUrl(origin, adql, maxrec), 'obscore-cone', 'ObsCore (cone)');
}

/**
 * The SAMP mtype that loads a product, from its ObsCore dataproduct_type and access_format;
 * undefined when no SAMP client loads such a file (tar bundles, HTML pages, DataLink).
 */
export function productMtype(dataproductType: string | null, accessFormat: string | null): SampMtype | undefined {
  const full = (accessFormat ?? '').toLowerCase().replace(/\s+/g, '');
  // a DataLink document lists the files; it is not the product itself
  if (full.includes('content=datalink')) return undefined;
  const format = full.split(';')[0]!;
  const type = (dataproductType ?? '').toLowerCase();
  const fits = format === 'application/fits' || format === 'image/fits' || format === 'application/x-fits';
  const votable = format === 'application/x-votable+xml' || (format === 'text/xml' && type === 'spectrum');
  if (type === 'spectrum' && (fits || votable)) return 'spectrum.load.ssa-generic';
  if (votable) return 'table.load.votable';
  if (!fits) return undefined;
  if (type === 'timeseries') return 'table.load.fits';
  if (type === 'image' || type === 'cube') return 'image.load.fits';
  return undefined;
}

/** `accessUrl` made absolute on `origin` when server-relative; undefined when not http(s). */
export function absoluteUrl(origin: string, accessUrl: string | null): string | undefined {
  checkOrigin(origin);
  if (accessUrl === null || accessUrl === '') return undefined;
  if (accessUrl.startsWith('/')) {
    // '//' and '\\' start another host; URL parsers drop tabs and newlines, so '/\t/x' would too
    if (accessUrl.startsWith('//') || /[\\\s\p{Cc}]/u.test(accessUrl)) return undefined;
    // a '.' or '..' segment (also written %2e) would be resolved away by every URL parser
    const path = accessUrl.split(/[?#]/)[0]!;
    if (path.split('/').some((seg) => /^(\.|%2e){1,2}$/i.test(seg))) return undefined;
    const u = new URL(`${origin}${accessUrl}`);
    return u.host === new URL(origin).host ? `${origin}${accessUrl}` : undefined;
  }
  let u: URL;
  try {
    u = new URL(accessUrl);
  } catch {
    return undefined;
  }
  return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
}

/** The SAMP link of one ObsCore row's product, or undefined when no SAMP client loads it. */
export function productLink(origin: string, row: Record<string, unknown>): SampLink | undefined {
  const str = (k: string): string | null => (typeof row[k] === 'string' ? (row[k] as string) : null);
  const mtype = productMtype(str('dataproduct_type'), str('access_format'));
  const url = absoluteUrl(origin, str('access_url'));
  if (mtype === undefined || url === undefined) return undefined;
  const obsId = str('obs_id') ?? url;
  const name = str('target_name') !== null ? `${obsId} (${str('target_name')})` : obsId;
  const idKey = mtype === 'image.load.fits' ? 'image-id' : mtype === 'spectrum.load.ssa-generic' ? 'spectrum-id' : 'table-id';
  const params: Record<string, string | Record<string, string>> = { url, [idKey]: obsId, name };
  if (mtype === 'spectrum.load.ssa-generic') {
    // SSA metadata (SAMP MTypes list): lets SPLAT/TOPCAT read the file without guessing
    params['meta'] = { 'Access.Reference': url, 'Access.Format': str('access_format') ?? 'application/fits' };
  }
  return { url, mtype, message: { 'samp.mtype': mtype, 'samp.params': params } };
}
