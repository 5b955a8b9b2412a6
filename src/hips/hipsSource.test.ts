// Opening a HiPS: properties errors say what is missing and which keys the file has; HTTP and
// network failures name the URL. (Moc.fits loading is tested in mocCoverage.test.ts.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HipsLoadError, concurrencyFor, loadHipsProperties } from './hipsSource.js';

const serve = (status: number, body = '') => async () => new Response(body, { status });

async function errorOf(p: Promise<unknown>): Promise<HipsLoadError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(HipsLoadError);
    return e as HipsLoadError;
  }
  throw new Error('expected a HipsLoadError');
}

describe('loadHipsProperties', () => {
  it('reads a real properties file', async () => {
    const text = readFileSync(new URL('../../data/hips/swe_milkyway/properties', import.meta.url), 'utf8');
    const p = await loadHipsProperties('/hips/mw/', serve(200, text));
    expect(p.hipsOrder).toBe(0);
    expect(p.hipsTileFormats).toEqual(['webp']);
  });

  it('a file missing mandatory keys: the problems and the keys that were found', async () => {
    const fixture = readFileSync(new URL('../../test/fixtures/hips/no_order/properties', import.meta.url), 'utf8');
    const e = await errorOf(loadHipsProperties('/hips/x', serve(200, fixture)));
    expect(e.message).toBe('the HiPS properties file /hips/x/properties cannot be used: properties has no hips_order '
      + '(the file has creator_did, obs_title, dataproduct_type, hips_version, hips_frame, hips_tile_width, hips_tile_format)');
    expect(e.url).toBe('/hips/x/properties');
    const html = await errorOf(loadHipsProperties('/hips/x', serve(200, '<html><body>Not a HiPS</body></html>')));
    expect(html.message).toContain('properties has no hips_order; properties has no hips_tile_format (the file has no key = value lines)');
  });

  it('HTTP and network failures name the URL', async () => {
    expect((await errorOf(loadHipsProperties('http://h/s', serve(404, 'no')))).message).toBe('the HiPS properties file http://h/s/properties answered HTTP 404');
    const off = await errorOf(loadHipsProperties('http://h/s', async () => { throw new TypeError('Failed to fetch'); }));
    expect(off.message).toBe('cannot reach the HiPS at http://h/s: Failed to fetch');
  });
});

describe('concurrencyFor (HTTP/2-aware)', () => {
  const withTiming = (protocol: string | undefined, fn: () => void) => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'performance');
    const entries = protocol === undefined ? [] : [{ nextHopProtocol: protocol }];
    Object.defineProperty(globalThis, 'performance', { configurable: true, value: { getEntriesByName: (url: string) => (url === 'http://h/s/properties' ? entries : []) } });
    try {
      fn();
    } finally {
      if (saved) Object.defineProperty(globalThis, 'performance', saved);
    }
  };
  it('16 requests at once over HTTP/2 or 3, 6 over HTTP/1.1 or when unknown', () => {
    withTiming('h2', () => expect(concurrencyFor('http://h/s/')).toBe(16));
    withTiming('h3', () => expect(concurrencyFor('http://h/s')).toBe(16));
    withTiming('http/1.1', () => expect(concurrencyFor('http://h/s')).toBe(6));
    withTiming(undefined, () => expect(concurrencyFor('http://h/s')).toBe(6));
    withTiming('h2', () => expect(concurrencyFor('http://other/s')).toBe(6));
  });
});
