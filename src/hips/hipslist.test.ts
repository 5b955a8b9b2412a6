// The hipslist parser on a list built from the real properties files of /work/shared/data/hips
// (test/fixtures/hips/hipslist, made by make_hipslist.py with expected values computed in Python),
// on the server's own hipslist, on bad input (errors name the line) and on seeded random text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HipsListParseError, parseHipsList } from './hipslist.js';
import { hipslist, listHips } from '../../server/hipsCatalog.js';

const FIXTURE = new URL('../../test/fixtures/hips/hipslist/', import.meta.url);
const text = readFileSync(new URL('hipslist.txt', FIXTURE), 'utf8');
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURE), 'utf8')) as Array<{
  name: string; creator_did: string; hips_release_date: string; status: string[]; service_urls: string[];
  hips_order: number; obs_title: string | null; n_keys: number;
}>;

const GOOD = ['creator_did = ivo://x/P/a', 'hips_release_date = 2020-01-02T03:04Z', 'hips_service_url = https://h/a', 'hips_status = public master clonableOnce'];

function errorOf(fn: () => unknown): HipsListParseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HipsListParseError);
    return e as HipsListParseError;
  }
  throw new Error('expected a HipsListParseError');
}

describe('parseHipsList', () => {
  it('reads every record of the fixture with the values Python found', () => {
    const list = parseHipsList(text);
    expect(list.skipped).toEqual([]);
    expect(list.records.length).toBe(expected.length);
    list.records.forEach((r, i) => {
      const e = expected[i];
      expect(r.creatorDid).toBe(e.creator_did);
      expect(r.releaseDate).toBe(e.hips_release_date);
      expect(r.status).toEqual(e.status);
      expect(r.serviceUrls).toEqual(e.service_urls);
      expect(r.properties.hipsOrder).toBe(e.hips_order);
      expect(r.properties.obsTitle).toBe(e.obs_title ?? undefined);
      expect(r.properties.raw.size).toBe(e.n_keys);
      expect(text.split('\n')[r.line - 1].startsWith('ID ')).toBe(true);
    });
  });

  it("reads the archive server's own /hips/hipslist for the shipped surveys", async () => {
    const entries = await listHips(new URL('../../data/hips/', import.meta.url).pathname);
    expect(entries.length).toBeGreaterThan(1);
    const list = parseHipsList(hipslist(entries, (id) => `http://sky.example.org/hips/${id}/`));
    expect(list.records.map((r) => r.serviceUrls[0])).toEqual(entries.map((e) => `http://sky.example.org/hips/${e.id}/`));
    for (const [i, r] of list.records.entries()) {
      expect(r.properties.hipsOrder).toBe(Number(entries[i].properties.hips_order));
      expect(r.status.length).toBeGreaterThan(0);
    }
  });

  it('accepts CRLF, CR, a BOM, comments inside records and several blank lines', () => {
    const crlf = '\ufeff# list\r\n\r\n' + GOOD.join('\r\n') + '\r\n\r\n\r\n# between\r\n' + GOOD.join('\r') + '\r\n# c\r\nobs_title = B\r\n';
    const list = parseHipsList(crlf);
    expect(list.records.map((r) => r.line)).toEqual([3, 10]);
    expect(list.records[1].properties.obsTitle).toBe('B');
  });

  it('an empty list or only comments has no records', () => {
    expect(parseHipsList('').records).toEqual([]);
    expect(parseHipsList('# nothing\n\n  \n').records).toEqual([]);
  });

  it('names the line of a line that is not key = value', () => {
    const e = errorOf(() => parseHipsList(`${GOOD.join('\n')}\nthis is not a property\n`));
    expect(e.line).toBe(5);
    expect(e.message).toContain("line 5: expected 'key = value', got 'this is not a property'");
  });

  it('names the record and lists the keys found when a mandatory key is missing', () => {
    const src = `${GOOD.join('\n')}\n\n${GOOD.filter((l) => !l.startsWith('hips_service_url')).join('\n')}\nobs_title = T\n`;
    const e = errorOf(() => parseHipsList(src));
    expect(e.line).toBe(6);
    expect(e.message).toContain('lacks hips_service_url');
    expect(e.message).toContain('it has creator_did, hips_release_date, hips_status, obs_title');
    const lenient = parseHipsList(src, { incomplete: 'skip' });
    expect(lenient.records.length).toBe(1);
    expect(lenient.skipped).toEqual([{ line: 6, reason: expect.stringContaining('lacks hips_service_url') }]);
  });

  it('reports a repeated key (a missing blank line between records), a bad date and a bad URL', () => {
    const joined = `${GOOD.join('\n')}\n${GOOD.join('\n')}\n`;
    const e1 = errorOf(() => parseHipsList(joined));
    expect(e1.line).toBe(5);
    expect(e1.message).toContain("key 'creator_did' repeats");
    const e2 = errorOf(() => parseHipsList(GOOD.join('\n').replace('2020-01-02T03:04Z', 'yesterday')));
    expect(e2.line).toBe(2);
    expect(e2.message).toContain("hips_release_date must be YYYY-mm-ddTHH:MMZ, got 'yesterday'");
    const e3 = errorOf(() => parseHipsList(`${GOOD.join('\n')}\nhips_service_url_1 = not a url`));
    expect(e3.line).toBe(5);
    expect(e3.message).toContain("hips_service_url_1 is not a URL: 'not a url'");
    const e4 = errorOf(() => parseHipsList(`${GOOD.join('\n')}\n= value`));
    expect(e4.message).toContain('line 5: a value without a key');
    expect(() => parseHipsList(42 as unknown as string)).toThrow(TypeError);
  });

  it('never crashes or hangs on random text: a list or a HipsListParseError', () => {
    let s = 99;
    const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const alphabet = ['=', '\n', '\n\n', '\r', '#', ' ', 'a', 'hips_status', 'creator_did', 'hips_service_url', 'http://x', '\u00e9', '\0', '2020-01-01T00:00Z', 'hips_release_date'];
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(u() * 60);
      let t = '';
      for (let j = 0; j < len; j++) t += alphabet[Math.floor(u() * alphabet.length)];
      try {
        const list = parseHipsList(t);
        for (const r of list.records) expect(r.serviceUrls.length).toBeGreaterThan(0);
      } catch (e) {
        expect(e).toBeInstanceOf(HipsListParseError);
        expect((e as HipsListParseError).line).toBeGreaterThan(0);
      }
    }
  });
});
