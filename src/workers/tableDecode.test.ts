// The worker side of table parsing (tableDecode.ts), run in Node: every format the pool accepts
// (VOTable TABLEDATA/BINARY/BINARY2/FITS-in-VOTable, CSV/TSV, FITS BINTABLE, gzip) to columns that
// match astropy/STILTS references (test/fixtures/tables/make_reference.py, test/fixtures/fits/
// make_tables.py); results travel with transferables only (structuredClone detaches every column
// buffer); bad input always comes back as a failure naming the problem, never as an exception.
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTableBytes, sniffTableFormat, tableResultTransferables } from './tableDecode.js';
import type { TableParseResult } from './protocol.js';
import type { NumericArray } from './tables/table.js';

const DATA = '/work/shared/data';
const FIX = new URL('../../test/fixtures/', import.meta.url);
const haveData = existsSync(`${DATA}/votable_samples`);

interface RefColumn { first: unknown[]; last: unknown[]; nulls?: number; sum?: number }
interface RefTable { nrows: number; fields: Array<{ name: string; datatype: string; unit: string | null; ucd: string | null }>; columns: Record<string, RefColumn> }

function ref(name: string): RefTable {
  return (JSON.parse(readFileSync(new URL(`tables/ref/${name}.json`, FIX), 'utf8')) as { tables: RefTable[] }).tables[0]!;
}

function ok(r: ReturnType<typeof parseTableBytes>): TableParseResult {
  if (r.status !== 'ok') throw new Error(`expected a table, got: ${r.message}`);
  return r;
}

function bytesOf(path: string | URL): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** The numeric column values as plain numbers (null cells as null). */
function numbers(r: TableParseResult, name: string): Array<number | null> {
  const c = r.table.byName[name]!;
  const v = c.values as NumericArray;
  return Array.from(v as ArrayLike<number | bigint>, (x, i) => (c.nulls?.[i] ? null : Number(x)));
}

function closeTo(a: number | null, b: unknown, rel = 1e-6): boolean {
  if (b === 'NaN' || b === null) return a === null || Number.isNaN(a);
  return a !== null && Math.abs(a - Number(b)) <= rel * Math.max(1, Math.abs(Number(b)));
}

describe.skipIf(!haveData)('tables parsed the way the decode worker does it, vs astropy / STILTS', () => {
  it('sniffs FITS, XML and text', () => {
    expect(sniffTableFormat(bytesOf(`${DATA}/lightcurves/tess_00025155310-s01_lc.fits`))).toBe('fits');
    expect(sniffTableFormat(new TextEncoder().encode('\ufeff  <?xml version="1.0"?><VOTABLE/>'))).toBe('votable');
    expect(sniffTableFormat(new TextEncoder().encode('ra,dec\n1,2\n'))).toBe('csv');
  });

  for (const file of ['irsa-nph-m31.xml', 'binary/irsa-nph-m31.binary.xml', 'binary/irsa-nph-m31.binary2.xml', 'binary/irsa-nph-m31.stilts-fits.xml']) {
    it(`VOTable ${file}: columns, units, UCD positions as astropy`, () => {
      const path = file.startsWith('binary/') ? new URL(`tables/${file}`, FIX) : `${DATA}/votable_samples/${file}`;
      const r = ok(parseTableBytes(bytesOf(path), { name: file }));
      const want = ref(file.replace(/^binary\//, ''));
      expect(r.format).toBe('votable');
      expect(r.table.nrows).toBe(want.nrows);
      expect(r.table.serialization).toBe(file.includes('fits') ? 'FITS' : file.includes('binary2') ? 'BINARY2' : file.includes('binary') ? 'BINARY' : 'TABLEDATA');
      for (const f of want.fields) expect((r.table.byName[f.name]?.unit ?? '').trim(), f.name).toBe((f.unit ?? '').trim());
      const ra = numbers(r, 'ra');
      want.columns.ra!.first.forEach((v, i) => expect(closeTo(ra[i]!, v), `ra[${i}]`).toBe(true));
      // RA/Dec found from the UCD1 POS_EQ_RA_MAIN, in degrees (float32 values widened)
      expect(r.positions?.ra).toBe('ra');
      expect(r.positions?.rule).toBe('ucd-main');
      expect(r.positions!.raDeg.reduce((a, b) => a + b, 0)).toBeCloseTo(want.columns.ra!.sum!, 3);
      expect(r.positions!.decDeg.reduce((a, b) => a + b, 0)).toBeCloseTo(want.columns.dec!.sum!, 3);
    });
  }

  it('FITS BINTABLE (TESS light curve): every numeric column with astropy samples, TUNIT kept', () => {
    const expected = JSON.parse(readFileSync(new URL('fits/real_tables_expected.json', FIX), 'utf8')) as {
      files: Record<string, Array<{ table?: { columns: Array<{ name: string; kind: string; samples: Array<[number, unknown[]]> }> } }>>;
    };
    const rel = 'lightcurves/tess_00025155310-s01_lc.fits';
    const r = ok(parseTableBytes(bytesOf(`${DATA}/${rel}`), { name: rel }));
    expect(r.format).toBe('fits');
    expect(r.table.serialization).toBe('FITS');
    expect(r.table.name).toBe('LIGHTCURVE');
    expect(r.table.nrows).toBe(20076);
    expect(r.table.byName.TIME!.unit).toBe('BJD - 2457000, days');
    expect(r.table.byName.SAP_FLUX!.unit).toBe('e-/s');
    const cols = expected.files[rel]!.find((h) => h.table)!.table!.columns.filter((c) => c.kind === 'numbers');
    expect(cols.length).toBeGreaterThan(10);
    for (const c of cols) {
      const col = r.table.byName[c.name]!;
      if (col.kind !== 'scalar') continue;
      const got = numbers(r, c.name);
      for (const [row, [v]] of c.samples) expect(closeTo(got[row]!, v), `${c.name}[${row}] ${got[row]} vs ${String(v)}`).toBe(true);
    }
    expect(r.positions).toBeUndefined(); // a light curve has no RA/Dec columns
  });

  it('CSV and TSV (sniffed and forced), gzip-compressed input', () => {
    const csv = 'name,ra,dec,mag\nA,10.5,-20.25,12.5\nB,11,-21,\n';
    const r = ok(parseTableBytes(gzipSync(new TextEncoder().encode(csv))));
    expect(r.format).toBe('csv');
    expect(numbers(r, 'mag')).toEqual([12.5, null]);
    expect(Array.from(r.positions!.raDeg)).toEqual([10.5, 11]);
    const tsv = ok(parseTableBytes(readFileSync(new URL('tables/csv/vizier.tsv', FIX)), { format: 'tsv' }));
    expect(tsv.table.meta.delimiter).toBe('\t');
    expect(tsv.table.nrows).toBeGreaterThan(0);
  });

  it('transfers every column buffer (structured clone with the transfer list detaches them)', () => {
    const r = ok(parseTableBytes(bytesOf(`${DATA}/votable_samples/eso_obscore_1000rows_orion.xml`)));
    const buffers = tableResultTransferables(r);
    const numeric = r.table.columns.filter((c) => c.kind === 'scalar');
    expect(numeric.length).toBeGreaterThan(5);
    const sum = r.positions!.raDeg.reduce((a, b) => a + b, 0);
    const copy = structuredClone(r, { transfer: buffers });
    for (const c of numeric) expect((c.values as NumericArray).byteLength, c.name).toBe(0);
    expect(r.positions!.raDeg.byteLength).toBe(0);
    expect(copy.positions!.raDeg.reduce((a, b) => a + b, 0)).toBe(sum);
    expect(copy.table.byName[numeric[0]!.name]!.values).toBe(copy.table.columns.find((c) => c.name === numeric[0]!.name)!.values);
  });
});

describe('bad tables are failures that name the problem, never exceptions', () => {
  it('names the VOTable table index, a QUERY_STATUS error and a broken FITS table', () => {
    const empty = parseTableBytes(new TextEncoder().encode('<VOTABLE version="1.4"><RESOURCE/></VOTABLE>'), { name: 'empty.xml' });
    expect(empty.status === 'error' && empty.message).toMatch(/empty\.xml.*no TABLE 0/);
    const err = parseTableBytes(new TextEncoder().encode('<VOTABLE><RESOURCE type="results"><INFO name="QUERY_STATUS" value="ERROR">bad ADQL</INFO></RESOURCE></VOTABLE>'));
    expect(err.status === 'error' && err.message).toMatch(/QUERY_STATUS=ERROR.*bad ADQL/);
    const image = new Uint8Array(2880 * 2);
    image.set(new TextEncoder().encode('SIMPLE  =                    T'.padEnd(80) + 'BITPIX  =                    8'.padEnd(80) + 'NAXIS   =                    1'.padEnd(80) + 'NAXIS1  =                   10'.padEnd(80) + 'END'.padEnd(80)));
    const noTable = parseTableBytes(image, { name: 'img.fits' });
    expect(noTable.status === 'error' && noTable.message).toMatch(/img\.fits.*no table extension/);
    const unterminated = parseTableBytes(new TextEncoder().encode('a,b\n"1,2\n'));
    expect(unterminated.status).toBe('error');
  });

  it('fuzz: random bytes and mutated real tables never throw', () => {
    const seeds: Uint8Array[] = [
      new TextEncoder().encode('<?xml version="1.0"?><VOTABLE><RESOURCE><TABLE><FIELD name="ra" datatype="double" ucd="pos.eq.ra;meta.main"/><FIELD name="x" datatype="int" arraysize="2"/><DATA><TABLEDATA><TR><TD>1</TD><TD>1 2</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>'),
      new TextEncoder().encode('ra\tdec\tname\n1\t2\tx\n3\t4\t"y"\n'),
    ];
    if (haveData) {
      seeds.push(bytesOf(new URL('tables/binary/gemini.binary2.xml', FIX)));
      seeds.push(bytesOf(new URL('fits/table_all.fits', FIX)));
    }
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }), fc.option(fc.nat()), (k, edits, cut) => {
        const b = seeds[k]!.slice();
        for (const [at, v] of edits) b[at % b.length] = v;
        const input = cut === null ? b : b.subarray(0, cut % (b.length + 1));
        const r = parseTableBytes(input, { maxBytes: 1 << 24 });
        if (r.status === 'error') expect(r.message.length).toBeGreaterThan(10);
        else expect(r.table.columns.every((c) => c.values.length === r.table.nrows || c.kind !== 'scalar')).toBe(true);
      }),
      { numRuns: 400, seed: 5 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      expect(["ok", "error"]).toContain(parseTableBytes(bytes).status);
    }), { numRuns: 300, seed: 6 });
  });
});
