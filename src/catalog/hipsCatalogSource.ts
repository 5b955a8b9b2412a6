// Opens a HiPS catalogue for progressive drawing: reads `properties` (must say dataproduct_type =
// catalog, tsv tiles and hips_order) and `metadata.xml` (the columns; a 404 means tiles are read
// by their header alone). Errors name the URL and what is wrong.
import { parseHipsCatalogMetadata, type HipsCatalogMetadata } from '../hips/catalog.js';
import { parseHipsProperties, type HipsProperties } from '../hips/properties.js';
import { joinUrl } from '../hips/tilePath.js';

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface HipsCatalogSource {
  readonly baseUrl: string;
  readonly properties: HipsProperties;
  readonly orderMin: number;
  readonly orderMax: number;
  readonly metadata: HipsCatalogMetadata | undefined;
  /** obs_title, else the base URL. */
  readonly title: string;
  /** Per-cell row counts with `{order}` (properties key esasky_cell_counts_url, written by the archive server), resolved against the properties URL. */
  readonly countsUrl: string | undefined;
}

export class HipsCatalogSourceError extends Error {
  readonly url: string;
  constructor(message: string, url: string) {
    super(message);
    this.name = 'HipsCatalogSourceError';
    this.url = url;
  }
}

export async function loadHipsCatalogSource(baseUrl: string, fetchFn: FetchLike = (u, i) => fetch(u, i), signal?: AbortSignal): Promise<HipsCatalogSource> {
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '') throw new HipsCatalogSourceError('a HiPS catalogue needs its base URL (the folder holding properties)', String(baseUrl));
  const url = joinUrl(baseUrl, 'properties');
  const text = await fetchText(url, fetchFn, signal, `the HiPS catalogue at ${baseUrl}`);
  if (text === undefined) throw new HipsCatalogSourceError(`the HiPS catalogue properties file ${url} answered HTTP 404`, url);
  const properties = parseHipsProperties(text);
  const type = properties.dataproductType;
  if (type !== 'catalog') throw new HipsCatalogSourceError(`${url} describes a HiPS of dataproduct_type '${type ?? '(missing)'}', not a catalogue (dataproduct_type = catalog)`, url);
  const formats = properties.hipsTileFormats;
  if (formats.length > 0 && !formats.includes('tsv')) throw new HipsCatalogSourceError(`${url}: hips_tile_format is '${formats.join(' ')}', a HiPS catalogue has tsv tiles`, url);
  const orderMax = properties.hipsOrder;
  if (orderMax === undefined || orderMax > 24) throw new HipsCatalogSourceError(`${url}: hips_order must be an integer in 0..24, got '${properties.raw.get('hips_order') ?? '(missing)'}'`, url);
  const orderMin = properties.hipsOrderMin;
  if (orderMin > orderMax) throw new HipsCatalogSourceError(`${url}: hips_order_min ${orderMin} is above hips_order ${orderMax}`, url);
  const countsRaw = properties.raw.get('esasky_cell_counts_url');
  let countsUrl: string | undefined;
  if (countsRaw !== undefined) {
    if (!countsRaw.includes('{order}')) throw new HipsCatalogSourceError(`${url}: esasky_cell_counts_url must contain '{order}', got '${countsRaw}'`, url);
    try {
      countsUrl = new URL(countsRaw, new URL(url, (globalThis as { location?: { href: string } }).location?.href ?? 'http://localhost/')).href.replace(/%7Border%7D/gi, '{order}');
    } catch {
      throw new HipsCatalogSourceError(`${url}: esasky_cell_counts_url '${countsRaw}' is not a URL`, url);
    }
  }
  const metaUrl = joinUrl(baseUrl, 'metadata.xml');
  const xml = await fetchText(metaUrl, fetchFn, signal, `the HiPS catalogue at ${baseUrl}`);
  let metadata: HipsCatalogMetadata | undefined;
  if (xml !== undefined) {
    try {
      metadata = parseHipsCatalogMetadata(xml);
    } catch (e) {
      throw new HipsCatalogSourceError(`${metaUrl}: ${e instanceof Error ? e.message : String(e)}`, metaUrl);
    }
  }
  return { baseUrl, properties, orderMin, orderMax, metadata, title: properties.obsTitle ?? baseUrl, countsUrl };
}

/** The body, or undefined for HTTP 404/410; other failures throw. */
async function fetchText(url: string, fetchFn: FetchLike, signal: AbortSignal | undefined, what: string): Promise<string | undefined> {
  let res: Response;
  try {
    res = await fetchFn(url, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new HipsCatalogSourceError(`cannot reach ${what}: ${(err as Error)?.message ?? String(err)}`, url);
  }
  if (res.status === 404 || res.status === 410) return undefined;
  if (!res.ok) throw new HipsCatalogSourceError(`${url} answered HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`, url);
  return res.text();
}
