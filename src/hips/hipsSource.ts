// Opens a HiPS by its base URL: fetches `properties`, parses it, and checks that it can be drawn;
// fetches its coverage (Moc.fits) when it has one. Failures become HipsLoadError (properties) or
// a 'failed' MocLoad (Moc.fits) with a message a user can act on.
import { SpaceMoc } from './moc/spaceMoc.js';
import { parseHipsProperties, validateForImageRendering, type HipsProperties } from './properties.js';
import { joinUrl } from './tilePath.js';

export class HipsLoadError extends Error {
  readonly url: string;
  constructor(message: string, url: string) {
    super(message);
    this.name = 'HipsLoadError';
    this.url = url;
  }
}

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export async function loadHipsProperties(baseUrl: string, fetchFn: FetchLike = fetch, signal?: AbortSignal): Promise<HipsProperties> {
  const url = joinUrl(baseUrl, 'properties');
  let response: Response;
  try {
    response = await fetchFn(url, { signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new HipsLoadError(`cannot reach the HiPS at ${baseUrl}: ${(err as Error)?.message ?? String(err)}`, url);
  }
  if (!response.ok) {
    throw new HipsLoadError(`the HiPS properties file ${url} answered HTTP ${response.status}${response.statusText ? ' ' + response.statusText : ''}`, url);
  }
  const text = await response.text();
  const properties = parseHipsProperties(text);
  const problems = validateForImageRendering(properties);
  if (problems.length > 0) {
    // when mandatory keys are missing, say which keys the file does have (a wrong URL often
    // serves some other key = value file, or an HTML page with none)
    const missing = problems.some((m) => m.startsWith('properties has no '));
    const keys = [...properties.raw.keys()];
    const found = !missing ? '' : keys.length === 0 ? ' (the file has no key = value lines)'
      : ` (the file has ${keys.length > 15 ? `${keys.slice(0, 15).join(', ')}, ... ${keys.length} keys` : keys.join(', ')})`;
    throw new HipsLoadError(`the HiPS properties file ${url} cannot be used: ${problems.join('; ')}${found}`, url);
  }
  return properties;
}

/**
 * Requests to run at once for a HiPS server: HTTP/2 and HTTP/3 multiplex many requests on one
 * connection, HTTP/1.1 browsers open about six. Read from the Resource Timing entry of the
 * properties request (same origin, or servers that send Timing-Allow-Origin).
 */
export function concurrencyFor(baseUrl: string): number {
  const perf = globalThis.performance as Performance | undefined;
  if (!perf?.getEntriesByName) return 6;
  let url: string;
  try {
    url = new URL(joinUrl(baseUrl, 'properties'), globalThis.location?.href).href;
  } catch {
    return 6;
  }
  const entries = perf.getEntriesByName(url) as PerformanceResourceTiming[];
  const protocol = entries[entries.length - 1]?.nextHopProtocol ?? '';
  return protocol === 'h2' || protocol === 'h3' ? 16 : 6;
}

/** The outcome of asking for a HiPS's Moc.fits. */
export type MocLoad =
  | { readonly status: 'loaded'; readonly moc: SpaceMoc }
  /** HTTP 404/410: the HiPS has no MOC (not an error; the whole sky is assumed). */
  | { readonly status: 'absent' }
  | { readonly status: 'failed'; readonly reason: string };

/**
 * Fetches and reads `<baseUrl>/Moc.fits` (HiPS 1.0 §4.3: the HiPS coverage, in the HiPS frame).
 * Never throws except for an abort: 404/410 -> 'absent'; other HTTP errors, network errors and
 * unreadable FITS -> 'failed' with the reason.
 */
export async function loadHipsMoc(baseUrl: string, fetchFn: FetchLike = fetch, signal?: AbortSignal): Promise<MocLoad> {
  const url = joinUrl(baseUrl, 'Moc.fits');
  let response: Response;
  try {
    response = await fetchFn(url, { signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    return { status: 'failed', reason: `cannot fetch ${url}: ${(err as Error)?.message ?? String(err)}` };
  }
  if (response.status === 404 || response.status === 410) return { status: 'absent' };
  if (!response.ok) return { status: 'failed', reason: `${url} answered HTTP ${response.status}` };
  try {
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { status: 'loaded', moc: SpaceMoc.fromFits(bytes) };
  } catch (err) {
    if (signal?.aborted) throw err;
    return { status: 'failed', reason: `${url} is not a readable MOC: ${(err as Error)?.message ?? String(err)}` };
  }
}
