import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @fastify/send's own Range parser: the static route's behaviour that the fast path must match
// @ts-expect-error untyped CommonJS module of a dependency
import { parseBytesRange } from '@fastify/send/lib/parseBytesRange.js';
import { singleByteRange } from './fastPath.js';
import { fileEtag, TileCache, withoutHeader, type TileLookup } from './tileCache.js';

const sendRanges = parseBytesRange as (size: number, header: string) => { start: number; end: number }[] | -1 | -2;

describe('singleByteRange', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-5', 100, { start: 95, end: 99 }],
    ['bytes=-100', 100, { start: 0, end: 99 }],
    ['bytes=50-5000', 100, { start: 50, end: 99 }],
    ['bytes=99-99', 100, { start: 99, end: 99 }],
  ])('%s of %i bytes', (header, size, range) => {
    expect(singleByteRange(header, size)).toEqual(range);
  });

  it.each([
    ['bytes=100-', 100], // unsatisfiable: the static route answers 416
    ['bytes=-0', 100],
    ['bytes=-101', 100], // a suffix past the start: @fastify/send says 416 (RFC 9110: the whole file)
    ['bytes=5-3', 100],
    ['bytes=0-1,5-6', 100], // several ranges: the static route decides
    ['bytes=-', 100],
    ['items=0-5', 100],
    ['bytes=0-9', 0],
    ['bytes=1e3-', 100],
    ['bytes=9999999999999999-', 100],
  ])('%s of %i bytes is left to the static route', (header, size) => {
    expect(singleByteRange(header, size)).toBeUndefined();
  });

  it('agrees with @fastify/send on every well-formed single range (fuzz)', () => {
    const digits = fc.oneof(fc.constant(''), fc.nat({ max: 2000 }).map(String), fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }).map(String));
    fc.assert(
      fc.property(digits, digits, fc.nat({ max: 1500 }), (a, b, size) => {
        const header = `bytes=${a}-${b}`;
        const ours = singleByteRange(header, size);
        const raw = sendRanges(size, header);
        const theirs = Array.isArray(raw) ? raw.map((r) => ({ start: r.start, end: r.end })) : raw;
        if (ours !== undefined) {
          expect(theirs).toEqual([{ start: ours.start, end: ours.end }]);
          expect(ours.start).toBeGreaterThanOrEqual(0);
          expect(ours.end).toBeLessThan(size);
        } else if (size > 0 && !(a === '' && b === '')) {
          // not ours: send finds no satisfiable range (416) or calls it malformed (200)
          expect(Array.isArray(theirs) ? theirs.length : 0).toBe(0);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on arbitrary header text (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.nat({ max: 1 << 20 }), (header, size) => {
        const r = singleByteRange(header, size);
        if (r !== undefined) {
          expect(0 <= r.start && r.start <= r.end && r.end < size).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('TileCache', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'esasky-tilecache-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, bytes: number, mtimeS = 1_700_000_000): string => {
    const p = join(dir, name);
    writeFileSync(p, Buffer.alloc(bytes, name.charCodeAt(0)));
    utimesSync(p, mtimeS, mtimeS);
    return p;
  };
  const hit = (l: TileLookup) => {
    if (l.kind !== 'hit') throw new Error(`expected a hit, got ${l.kind}`);
    return l.entry;
  };
  let clock = 0;
  const make = (maxBytes: number, maxEntryBytes = maxBytes, revalidateMs = 1000): TileCache =>
    new TileCache({ maxBytes, maxEntryBytes, revalidateMs, headersFor: () => ['content-type', 'image/png', 'x-a', '1'], now: () => clock });

  it('precomputes the headers: ETag and Last-Modified as @fastify/send makes them', async () => {
    const p = file('a.png', 100);
    const e = hit(await make(1000).load(p));
    expect(e.etag).toBe(fileEtag(100, 1_700_000_000_000));
    expect(e.etag).toBe(`W/"64-${(1_700_000_000_000).toString(16)}"`);
    expect(e.headers200).toEqual(['content-type', 'image/png', 'x-a', '1', 'accept-ranges', 'bytes', 'etag', e.etag, 'last-modified', 'Tue, 14 Nov 2023 22:13:20 GMT', 'content-length', '100']);
    expect(e.headers304).toEqual(['x-a', '1', 'etag', e.etag, 'last-modified', 'Tue, 14 Nov 2023 22:13:20 GMT']);
    expect(withoutHeader(['A', '1', 'b', '2'], 'a')).toEqual(['b', '2']);
  });

  it('keeps at most maxBytes, least recently used out first; bigger files are not cached', async () => {
    const cache = make(250, 120);
    const [a, b, c, big] = [file('a1', 100), file('b1', 100), file('c1', 100), file('d1', 121)];
    await cache.load(a);
    await cache.load(b);
    expect(cache.cachedBytes).toBe(200);
    expect(cache.getFresh(a)).toBeDefined(); // a is now the most recent
    await cache.load(c); // 300 > 250: b goes
    expect(cache.cachedBytes).toBe(200);
    expect(cache.getFresh(b)).toBeUndefined();
    expect(cache.getFresh(a)?.body.length).toBe(100);
    expect(cache.getFresh(c)?.body.length).toBe(100);
    expect(await cache.load(big)).toEqual({ kind: 'too-large', size: 121 });
    expect(cache.cachedBytes).toBe(200);
    expect(await cache.load(join(dir, 'nope'))).toEqual({ kind: 'missing' });
    expect(await cache.load(dir)).toEqual({ kind: 'missing' }); // a directory
  });

  it('trusts an entry for revalidateMs, then re-reads a changed file and drops a deleted one', async () => {
    clock = 0;
    const cache = make(10_000, 10_000, 1000);
    const p = file('e.png', 10, 1_700_000_000);
    const first = hit(await cache.load(p));
    file('e.png', 20, 1_700_000_100);
    clock = 999;
    expect(cache.getFresh(p)).toBe(first); // within the period: no look at the file
    clock = 1001;
    expect(cache.getFresh(p)).toBeUndefined(); // due for a check
    const second = hit(await cache.load(p));
    expect(second.size).toBe(20);
    expect(second.etag).not.toBe(first.etag);
    expect(cache.cachedBytes).toBe(20);
    clock = 3000;
    const same = hit(await cache.load(p)); // unchanged: the same entry, checked again
    expect(same).toBe(second);
    expect(cache.getFresh(p)).toBe(second);
    rmSync(p);
    clock = 5000;
    expect(await cache.load(p)).toEqual({ kind: 'missing' });
    expect(cache.cachedBytes).toBe(0);
  });

  it('shares one read between concurrent misses', async () => {
    const cache = make(10_000);
    const p = file('f.png', 50);
    const [x, y] = await Promise.all([cache.load(p), cache.load(p)]);
    expect(hit(x)).toBe(hit(y));
  });

  it('maxBytes 0 caches nothing but still reads', async () => {
    const cache = make(0);
    const p = file('g.png', 0);
    expect(hit(await cache.load(p)).size).toBe(0);
    expect(cache.size).toBe(0);
    expect(await make(0, 0).load(file('h.png', 5))).toEqual({ kind: 'too-large', size: 5 });
  });

  it('rejects a negative or NaN budget', () => {
    expect(() => make(-1)).toThrow(/maxBytes/);
    expect(() => make(Number.NaN)).toThrow(/maxBytes/);
  });
});
