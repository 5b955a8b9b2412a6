import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { creditOf, hipsDate, hipslist, listHips, parseProperties, summarize } from './hipsCatalog.js';

describe('parseProperties', () => {
  it('reads key = value lines, skips comments and blank lines, keeps = in values', () => {
    const text =
      '\uFEFF# comment\r\n\r\nhips_order = 3\r\n  obs_title=Radial velocity = map \n#hips_copyright = x\nnot a pair\n= novalue\n';
    expect(parseProperties(text)).toEqual({ hips_order: '3', obs_title: 'Radial velocity = map' });
  });

  it('lets a later duplicate win', () => {
    expect(parseProperties('a = 1\na = 2\n')).toEqual({ a: '2' });
  });
});

describe('creditOf', () => {
  it('joins data and HiPS copyright, falls back to the creator', () => {
    expect(creditOf({ obs_copyright: 'A', hips_copyright: 'B', hips_creator: 'C' })).toBe('A; B');
    expect(creditOf({ obs_copyright: 'A', hips_copyright: 'A' })).toBe('A');
    expect(creditOf({ hips_creator: 'C' })).toBe('C');
    expect(creditOf({})).toBe('');
  });
});

describe('listHips / hipslist', () => {
  const root = mkdtempSync(join(tmpdir(), 'esasky-catalog-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists directories with a properties file, fills the four hipslist keys', async () => {
    mkdirSync(join(root, 'b_survey'));
    writeFileSync(join(root, 'b_survey', 'properties'), 'obs_title = B\nhips_tile_format = png jpeg\n');
    const when = new Date('2024-05-06T07:08:09Z');
    utimesSync(join(root, 'b_survey', 'properties'), when, when);
    mkdirSync(join(root, 'a_survey'));
    writeFileSync(
      join(root, 'a_survey', 'properties'),
      'creator_did = ivo://x/P/a\nhips_release_date = 2020-01-01T00:00Z\nhips_status = public mirror clonable\n' +
        'hips_service_url = http://elsewhere/a\nhips_order = 5\nhips_tile_width = 256\nhips_frame = galactic\n',
    );
    mkdirSync(join(root, 'no_properties'));
    mkdirSync(join(root, '.hidden'));
    writeFileSync(join(root, '.hidden', 'properties'), 'obs_title = hidden\n');
    writeFileSync(join(root, 'CREDITS.md'), '# not a HiPS\n');

    const entries = await listHips(root);
    expect(entries.map((e) => e.id)).toEqual(['a_survey', 'b_survey']);

    const text = hipslist(entries, (id) => `http://here:1/hips/${id}`);
    const records = text.trimEnd().split('\n\n').map(parseProperties);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      creator_did: 'ivo://x/P/a',
      hips_release_date: '2020-01-01T00:00Z',
      hips_service_url: 'http://here:1/hips/a_survey',
      hips_status: 'public mirror clonable',
      hips_order: '5',
    });
    expect(records[1]).toMatchObject({
      creator_did: 'ivo://esasky-sky/P/b_survey',
      hips_release_date: hipsDate(when),
      hips_service_url: 'http://here:1/hips/b_survey',
      hips_status: 'public master clonableOnce',
      obs_title: 'B',
    });
    expect(hipsDate(when)).toBe('2024-05-06T07:08Z');

    expect(summarize(entries[0]!, 'u')).toEqual({
      id: 'a_survey',
      title: 'a_survey',
      url: 'u',
      frame: 'galactic',
      order: 5,
      tileFormat: 'jpeg',
      tileWidth: 256,
      credit: '',
    });
    expect(summarize(entries[1]!, 'u')).toMatchObject({ title: 'B', tileFormat: 'png', tileWidth: 512, order: 0 });
  });

  it('gives an empty list for a missing directory', async () => {
    expect(await listHips(join(root, 'missing'))).toEqual([]);
    expect(hipslist([], () => '')).toBe('\n');
  });
});
