// CSV / TSV: delimiter and header sniffing, RFC 4180 quoting, comments, units rows, type
// inference and nulls, on the fixtures in test/fixtures/tables/csv and on inline text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDelimited } from './delimited.js';
import { TableError, getColumn } from './table.js';
import type { Column, Table } from './table.js';

const CSV = new URL('../../../test/fixtures/tables/csv/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, CSV), 'utf8');
const col = (t: Table, name: string): Column => {
  const c = getColumn(t, name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
};
const nums = (c: Column): number[] => Array.from(c.values as Float64Array);

describe('parseDelimited', () => {
  it('quoting: delimiters, "" escapes and newlines inside quotes, CRLF, empty quoted fields', () => {
    const t = parseDelimited(fixture('quoted.csv'));
    expect(t.meta.delimiter).toBe(',');
    expect(t.meta.header).toBe(true);
    expect(t.nrows).toBe(4);
    expect(t.columns.map((c) => c.name)).toEqual(['id', 'name', 'ra', 'dec', 'note']);
    expect(col(t, 'name').values).toEqual(['Smith, J.', 'multi\r\nline', '', 'plain']);
    expect(Array.from(col(t, 'name').nulls as Uint8Array)).toEqual([0, 0, 1, 0]);
    expect(col(t, 'note').values).toEqual(['He said "hi"', '', '', 'a,b']);
    expect(col(t, 'id')).toMatchObject({ datatype: 'int', kind: 'scalar' });
    expect(col(t, 'id').values).toBeInstanceOf(Int32Array);
    expect(col(t, 'ra').datatype).toBe('double');
    expect(nums(col(t, 'ra'))).toEqual([10.5, 11, 12.5, 13]);
    expect(nums(col(t, 'dec'))).toEqual([-5.25, -6, -7, -8.5]);
  });

  it('VizieR ASU-TSV: # comments, header, units row, dashes row, sexagesimal text', () => {
    const t = parseDelimited(fixture('vizier.tsv'));
    expect(t.meta.delimiter).toBe('\t');
    expect(t.meta.unitsRow).toBe(true);
    expect(t.meta.comments?.some((c) => c.includes('VizieR Astronomical Server'))).toBe(true);
    expect(t.nrows).toBe(4);
    // the units cell is written "h:m:s" (quoted): the quotes are CSV quoting
    expect(col(t, 'RAJ2000')).toMatchObject({ unit: 'h:m:s', datatype: 'char' });
    expect(col(t, 'RAJ2000').values[0]).toBe('06 15 20.40');
    expect(col(t, 'MajDiam')).toMatchObject({ unit: 'arcsec', datatype: 'double' });
    expect(Number.isNaN((col(t, 'MajDiam').values as Float64Array)[3])).toBe(true);
    expect(col(t, 'ObsDate').datatype).toBe('int');
    expect(Array.from(col(t, 'ObsDate').nulls as Uint8Array)).toEqual([0, 0, 1, 0]);
    expect(col(t, 'PNG').values[0]).toBe('G209.1-08.2');
  });

  it('whitespace-separated with the names in the last # comment line', () => {
    const t = parseDelimited(fixture('whitespace.txt'));
    expect(t.meta.delimiter).toBe('whitespace');
    expect(t.columns.map((c) => c.name)).toEqual(['l', 'b', 'mag']);
    expect(nums(col(t, 'b'))).toEqual([0.240381, 0.2, -0.1]);
    expect(Number.isNaN((col(t, 'mag').values as Float64Array)[2])).toBe(true);
    expect(t.meta.comments).toEqual([' Spitzer-like dump, STILTS ascii style']);
  });

  it("';' with decimal commas, '|' separated", () => {
    const s = parseDelimited(fixture('semicolon.csv'));
    expect(s.meta.delimiter).toBe(';');
    expect(nums(col(s, 'ra'))).toEqual([10.68, 23.46]);
    expect(col(s, 'name').values).toEqual(['M31', 'M33']);
    const p = parseDelimited(fixture('pipe.psv'));
    expect(p.meta.delimiter).toBe('|');
    expect(nums(col(p, 'dec'))).toEqual([20.2, 20.4]);
  });

  it('no header: col1..colN; a units row without dashes', () => {
    const t = parseDelimited(fixture('noheader.csv'));
    expect(t.meta.header).toBe(false);
    expect(t.columns.map((c) => c.name)).toEqual(['col1', 'col2', 'col3']);
    expect(t.nrows).toBe(3);
    expect(Number.isNaN((col(t, 'col2').values as Float64Array)[2])).toBe(true);
    const u = parseDelimited(fixture('units.csv'));
    expect(u.meta.unitsRow).toBe(true);
    expect(u.columns.map((c) => c.unit)).toEqual(['deg', 'deg', 'mJy']);
    expect(u.nrows).toBe(2);
    expect(Array.from(col(u, 'flux').nulls as Uint8Array)).toEqual([0, 1]);
  });

  it('header sniffing: numeric first row is data, fixed-length codes are not names', () => {
    expect(parseDelimited('1,2\n3,4\n').meta.header).toBe(false);
    expect(parseDelimited('a,b\n1,2\n').meta.header).toBe(true);
    expect(parseDelimited('AB,CD\nEF,GH\nIJ,KL\n').meta.header).toBe(false);
    expect(parseDelimited('name,code\nEF,GH\nIJ,KL\n').meta.header).toBe(true);
    expect(parseDelimited('a,b\n1,2\n', { header: false }).nrows).toBe(2);
  });

  it('types: int32, long beyond int32 and 2^53, double with NaN/Inf, text; nulls', () => {
    const t = parseDelimited(
      'i,big,huge,f,s,n\n1,3000000000,9007199254740993,1.5e3,x,\n-2,,-9223372036854775808,Inf,,\nnull,5,1,NaN,z,\n',
    );
    expect(col(t, 'i').values).toBeInstanceOf(Int32Array);
    expect(Array.from(col(t, 'i').nulls as Uint8Array)).toEqual([0, 0, 1]);
    expect(col(t, 'big')).toMatchObject({ datatype: 'long' });
    expect(col(t, 'big').values).toBeInstanceOf(Float64Array);
    expect(col(t, 'huge').values).toBeInstanceOf(BigInt64Array);
    expect((col(t, 'huge').values as BigInt64Array)[0]).toBe(9007199254740993n);
    expect((col(t, 'huge').values as BigInt64Array)[1]).toBe(-9223372036854775808n);
    expect(nums(col(t, 'f'))).toEqual([1500, Infinity, NaN]);
    expect(col(t, 'f').nulls).toBeUndefined();
    expect(col(t, 's').values).toEqual(['x', '', 'z']);
    expect(col(t, 'n')).toMatchObject({ datatype: 'char', kind: 'string' });
  });

  it('ragged rows, repeated and bracketed names, explicit delimiter, blank lines', () => {
    const t = parseDelimited('a,a,ra [deg]\n1,2,3\n\n4,5\n6,7,8,9\n');
    expect(t.columns.map((c) => c.name)).toEqual(['a', 'a_2', 'ra', 'col4']);
    expect(col(t, 'ra').unit).toBe('deg');
    expect(t.nrows).toBe(3);
    expect(Array.from(col(t, 'ra').values as Int32Array)).toEqual([3, 0, 8]);
    expect(Array.from(col(t, 'ra').nulls as Uint8Array)).toEqual([0, 1, 0]);
    expect(Array.from(col(t, 'col4').nulls as Uint8Array)).toEqual([1, 1, 0]);
    const tab = parseDelimited('x y\t1\n', { delimiter: '\t' });
    expect(tab.columns.map((c) => c.name)).toEqual(['col1', 'col2']);
    expect(tab.columns[0].values).toEqual(['x y']);
    expect(parseDelimited('x;y\n1;2\n', { delimiter: ';', header: true }).columns.length).toBe(2);
  });

  it('bytes, BOM, empty input', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('ra,dec\n1,2\n')]);
    expect(parseDelimited(bytes).columns.map((c) => c.name)).toEqual(['ra', 'dec']);
    const empty = parseDelimited('');
    expect(empty.nrows).toBe(0);
    expect(empty.columns).toEqual([]);
    expect(parseDelimited('# only a comment\n').nrows).toBe(0);
  });

  it('errors: unterminated quote with its line and column; bad delimiter option', () => {
    let err: unknown;
    try {
      parseDelimited('a,b\n1,2\n3,"oops\n4,5\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TableError);
    expect((err as TableError).code).toBe('BAD_DELIMITED');
    expect((err as TableError).message).toMatch(/unterminated quoted field \(at line 3, column 3\)/);
    expect(() => parseDelimited('a', { delimiter: 'ab' })).toThrow(/one character/);
  });
});
