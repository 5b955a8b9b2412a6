// HiPS catalogue reading on a catalogue HiPS of the 5,044 real Hipparcos stars of
// /work/shared/data/catalogs/stars.6.json (test/fixtures/hips/catalog/hip6, made by
// make_catalog_hips.py with healpy and astropy): every tile read, row counts and
// Completeness lines equal to what Python wrote, each star in exactly one tile whose cell holds
// it (checked with our ang2pix), the tiles a view needs, and bad input.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ang2pix } from './healpix.js';
import { parseHipsProperties } from './properties.js';
import { HipsCatalogError, catalogTilesFor, parseHipsCatalogMetadata, parseHipsCatalogTile, type HipsCatalogTile } from './catalog.js';
import { tilePath } from './tilePath.js';

const ROOT = new URL('../../test/fixtures/hips/catalog/hip6/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('../expected.json', ROOT), 'utf8')) as {
  nrows: number; tiles: Array<{ order: number; ipix: number; n: number; N: number; hip: number[] }>;
};
const SOURCE = '/work/shared/data/catalogs/stars.6.json';

function readAllTiles(): HipsCatalogTile[] {
  const meta = parseHipsCatalogMetadata(readFileSync(new URL('metadata.xml', ROOT)));
  const tiles: HipsCatalogTile[] = [];
  for (const dir of readdirSync(ROOT).filter((d) => d.startsWith('Norder'))) {
    const order = Number(dir.slice(6));
    for (const sub of readdirSync(new URL(`${dir}/`, ROOT))) {
      for (const file of readdirSync(new URL(`${dir}/${sub}/`, ROOT))) {
        const ipix = Number(/^Npix(\d+)\.tsv$/.exec(file)![1]);
        expect(`${dir}/${sub}/${file}`).toBe(tilePath(order, ipix, 'tsv'));
        tiles.push(parseHipsCatalogTile(readFileSync(new URL(`${dir}/${sub}/${file}`, ROOT), 'utf8'), { order, ipix }, meta));
      }
    }
  }
  return tiles;
}

describe('HiPS catalogue', () => {
  const props = parseHipsProperties(readFileSync(new URL('properties', ROOT), 'utf8'));

  it('reads metadata.xml: fields, units, UCDs and the position columns', () => {
    const meta = parseHipsCatalogMetadata(readFileSync(new URL('metadata.xml', ROOT), 'utf8'));
    expect(meta.fields.map((f) => f.name)).toEqual(['HIP', 'RAICRS', 'DEICRS', 'Vmag', 'B-V']);
    expect(meta.fields.map((f) => f.datatype)).toEqual(['int', 'double', 'double', 'float', 'float']);
    expect(meta.fields[1]).toMatchObject({ unit: 'deg', ucd: 'pos.eq.ra;meta.main' });
    expect(meta.fields[3].description).toBe('V magnitude');
    expect([meta.raColumn, meta.decColumn]).toEqual(['RAICRS', 'DEICRS']);
  });

  it('reads every tile: rows, Completeness and sources as Python wrote them; each star once, in its cell', () => {
    const tiles = readAllTiles();
    const byKey = new Map(tiles.map((t) => [`${t.order}/${t.ipix}`, t]));
    expect(tiles.length).toBe(expected.tiles.length);
    let rows = 0;
    const seen = new Set<number>();
    for (const e of expected.tiles) {
      const t = byKey.get(`${e.order}/${e.ipix}`)!;
      expect(t.completeness).toEqual({ inTile: e.n, inCell: e.N });
      expect(t.table.nrows).toBe(e.n);
      const hip = Array.from(t.table.byName.HIP.values as Int32Array);
      expect(hip).toEqual(e.hip);
      for (const h of hip) {
        expect(seen.has(h)).toBe(false);
        seen.add(h);
      }
      for (let i = 0; i < t.table.nrows; i++) expect(ang2pix(t.order, t.raDeg[i], t.decDeg[i])).toBe(t.ipix);
      // brightest first inside a tile, and an incomplete tile's sources are at least as bright as its children's
      const v = t.table.byName.Vmag.values as Float64Array;
      for (let i = 1; i < v.length; i++) expect(v[i]).toBeGreaterThanOrEqual(v[i - 1]);
      rows += t.table.nrows;
    }
    expect(rows).toBe(expected.nrows);
    expect(Number(props.raw.get('hips_cat_nrows'))).toBe(rows);
    // N of a tile = its rows + the N of its children (progressive filling)
    for (const t of tiles) {
      if (t.order === props.hipsOrder) {
        expect(t.mayHaveChildren).toBe(false);
        continue;
      }
      let below = 0;
      for (let k = 0; k < 4; k++) below += byKey.get(`${t.order + 1}/${t.ipix * 4 + k}`)?.completeness?.inCell ?? 0;
      expect(t.completeness!.inCell).toBe(t.completeness!.inTile + below);
      expect(t.mayHaveChildren).toBe(below > 0);
    }
  });

  it.skipIf(!existsSync(SOURCE))('holds the same stars as the source catalogue (independent count)', () => {
    const features = (JSON.parse(readFileSync(SOURCE, 'utf8')) as { features: Array<{ id: number }> }).features;
    const all = new Set(expected.tiles.flatMap((t) => t.hip));
    expect(all.size).toBe(features.length);
    for (const f of features) expect(all.has(f.id)).toBe(true);
    const read = readAllTiles().reduce((s, t) => s + t.table.nrows, 0);
    expect(read).toBe(features.length);
  });

  it('lists the tiles a view needs: every ancestor from hips_order_min up, skipping below complete tiles', () => {
    const tiles = catalogTilesFor(3, [100, 101, 400], 1);
    expect(tiles).toEqual([
      { order: 1, ipix: 6 }, { order: 1, ipix: 25 },
      { order: 2, ipix: 25 }, { order: 2, ipix: 100 },
      { order: 3, ipix: 100 }, { order: 3, ipix: 101 }, { order: 3, ipix: 400 },
    ]);
    const complete = catalogTilesFor(3, [100, 101, 400], 1, (k, p) => k === 1 && p === 25);
    expect(complete).toEqual([{ order: 1, ipix: 6 }, { order: 1, ipix: 25 }, { order: 2, ipix: 25 }, { order: 3, ipix: 100 }, { order: 3, ipix: 101 }]);
    // on the fixture: reading the tiles for the whole sky at order 3 with completeness pruning reads every file, no more
    const tiles3 = readAllTiles();
    const have = new Set(tiles3.map((t) => `${t.order}/${t.ipix}`));
    const byKey = new Map(tiles3.map((t) => [`${t.order}/${t.ipix}`, t]));
    const all = Array.from({ length: 12 * 64 }, (_, i) => i);
    const wanted = catalogTilesFor(3, all, 1, (k, p) => byKey.get(`${k}/${p}`)?.mayHaveChildren === false);
    const missingFiles = wanted.filter((t) => !have.has(`${t.order}/${t.ipix}`));
    expect(wanted.length - missingFiles.length).toBe(tiles3.length);
    expect(() => catalogTilesFor(3, [1], 4)).toThrow(/orderMin must be an integer in 0..3, got 4/);
  });

  it('says what is wrong with a bad tile or metadata.xml', () => {
    const meta = parseHipsCatalogMetadata(readFileSync(new URL('metadata.xml', ROOT), 'utf8'));
    const at = { order: 1, ipix: 0 };
    const bad = (text: string, m?: typeof meta) => () => parseHipsCatalogTile(text, at, m);
    expect(bad('# only a comment\n', meta)).toThrow(/Norder1\/Npix0.tsv: no header line/);
    expect(bad('# Completeness = 5 / 3\nHIP\tRAICRS\tDEICRS\tVmag\tB-V\n', meta)).toThrow(/Completeness comment must read 'n \/ N' with n <= N/);
    expect(bad('# Completeness = 2 / 3\nHIP\tRAICRS\tDEICRS\tVmag\tB-V\n1\t10\t20\t3\t0.1\n', meta)).toThrow(/says 2 rows, the tile has 1/);
    expect(bad('HIP\tRAICRS\tDEICRS\tVmag\tB-V\n1\t10\t20\t3\t0.1\t9\n', meta)).toThrow(/line 2: 6 fields but the header has 5/);
    expect(bad('HIP\tRA\tDEICRS\tVmag\tB-V\n1\t10\t20\t3\t0.1\n', meta)).toThrow(/line 1: the header lacks RAICRS of metadata.xml/);
    expect(bad('HIP\tRAICRS\tDEICRS\tVmag\tB-V\n1\t10\t20\t3\t0.1\n2\tabc\t20\t3\t0.1\n', meta)).toThrow(/line 3: row 2 has no valid position \(RAICRS = 'abc'/);
    expect(bad('HIP\tRAICRS\tDEICRS\tVmag\tB-V\n1\t10\t95\t3\t0.1\n', meta)).toThrow(/line 2: row 1 has no valid position/);
    expect(bad('a\tb\n1\t2\n')).toThrow(/no RA\/Dec columns among a, b/);
    expect(() => parseHipsCatalogTile('x', { order: 1, ipix: 48 })).toThrow(RangeError);
    expect(() => parseHipsCatalogMetadata('<VOTABLE><RESOURCE>')).toThrow(HipsCatalogError);
    expect(() => parseHipsCatalogMetadata('<VOTABLE version="1.4"><RESOURCE><TABLE><FIELD name="x" datatype="int"/></TABLE></RESOURCE></VOTABLE>')).toThrow(/no RA\/Dec columns .* among x/);
    // empty field = null (B-V unknown), without metadata positions found by name
    const t = parseHipsCatalogTile('ra\tdec\tB-V\n10.5\t-3\t\n', { order: 0, ipix: 4 });
    expect([t.raDeg[0], t.decDeg[0]]).toEqual([10.5, -3]);
    expect(t.mayHaveChildren).toBe(true);
  });

  it('never crashes on random tile text: a tile or a HipsCatalogError', () => {
    let s = 7;
    const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const parts = ['\t', '\n', '#', ' Completeness = ', '3', ' / ', '-', '1.5', 'ra', 'dec', '\r\n', '"', 'x', '1e999'];
    for (let i = 0; i < 2000; i++) {
      let t = '';
      const len = Math.floor(u() * 40);
      for (let j = 0; j < len; j++) t += parts[Math.floor(u() * parts.length)];
      try {
        const tile = parseHipsCatalogTile(t, { order: 0, ipix: 0 });
        expect(tile.raDeg.length).toBe(tile.table.nrows);
      } catch (e) {
        expect(e).toBeInstanceOf(HipsCatalogError);
      }
    }
  });
});
