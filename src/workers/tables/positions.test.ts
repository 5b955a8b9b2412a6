// Position columns: the rule that matches on each sample VOTable and CSV fixture, values in
// degrees against the astropy reference JSON, units and sexagesimal conversion.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVoTable } from './votable.js';
import { parseDelimited } from './delimited.js';
import { findPositionColumns, parseAngle } from './positions.js';
import type { NumericArray } from './table.js';

const SAMPLES = '/work/shared/data/votable_samples/';
const FIXTURES = new URL('../../../test/fixtures/tables/', import.meta.url);
const sample = (name: string) => parseVoTable(readFileSync(SAMPLES + name, 'utf8'));
const ref = (name: string) =>
  JSON.parse(readFileSync(new URL(`ref/${name}.json`, FIXTURES), 'utf8')) as {
    tables: Array<{ columns: Record<string, { first: number[]; last: number[] }> }>;
  };

describe('findPositionColumns on the samples', () => {
  const cases: Array<[string, { ra: string; dec: string; rule: string; raFormat: string } | undefined]> = [
    ['eso_obscore_1000rows_orion.xml', { ra: 's_ra', dec: 's_dec', rule: 'ucd', raFormat: 'degrees' }],
    ['gemini.xml', undefined],
    ['irsa-nph-m31.xml', { ra: 'ra', dec: 'dec', rule: 'ucd-main', raFormat: 'degrees' }],
    ['proper_motion.xml', { ra: 'ra', dec: 'dec', rule: 'name', raFormat: 'degrees' }],
    ['regression.xml', undefined],
    ['spitzer_example_catalog.xml', undefined], // galactic l/b only
    ['vizier_b2_votable.xml', { ra: 'RAJ2000', dec: 'DEJ2000', rule: 'ucd-main', raFormat: 'degrees' }],
  ];
  for (const [file, want] of cases) {
    it(`${file}: ${want ? `${want.rule} ${want.ra}/${want.dec}` : 'none'}`, () => {
      const t = sample(file).tables[0];
      const p = findPositionColumns(t);
      if (!want) {
        expect(p).toBeUndefined();
        return;
      }
      expect(p).toMatchObject(want);
      const r = ref(file).tables[0].columns;
      expect(Array.from(p!.raDeg.slice(0, 3))).toEqual(r[want.ra].first.map(Number));
      expect(Array.from(p!.decDeg.slice(-3))).toEqual(r[want.dec].last.map(Number));
      expect(p!.raDeg.length).toBe(t.nrows);
    });
  }

  it('keeps units and the COOSYS', () => {
    const p = findPositionColumns(sample('vizier_b2_votable.xml').tables[0]);
    expect(p).toMatchObject({ raUnit: '', decUnit: '', system: 'eq_FK5', equinox: 'J2000' });
    const irsa = findPositionColumns(sample('irsa-nph-m31.xml').tables[0]);
    expect(irsa).toMatchObject({ raUnit: 'deg', decUnit: 'deg', detail: 'POS_EQ_RA_MAIN / POS_EQ_DEC_MAIN' });
  });

  it('IRSA sexagesimal clon/clat agree with ra/dec', () => {
    const t = sample('irsa-nph-m31.xml').tables[0];
    const ra = t.byName.ra.values as NumericArray;
    const dec = t.byName.dec.values as NumericArray;
    (t.byName.clon.values as string[]).forEach((s, i) => expect(Math.abs(parseAngle(s, true).value - Number(ra[i]))).toBeLessThan(3e-5));
    (t.byName.clat.values as string[]).forEach((s, i) => expect(Math.abs(parseAngle(s, false).value - Number(dec[i]))).toBeLessThan(3e-5));
  });
});

describe('findPositionColumns on CSV', () => {
  it('VizieR TSV with sexagesimal RAJ2000/DEJ2000 strings', () => {
    const t = parseDelimited(readFileSync(new URL('csv/vizier.tsv', FIXTURES), 'utf8'));
    const p = findPositionColumns(t)!;
    expect(p).toMatchObject({ ra: 'RAJ2000', dec: 'DEJ2000', rule: 'name', raFormat: 'sexagesimal', decFormat: 'sexagesimal', raUnit: 'h:m:s' });
    // the same objects as vizier_b2_votable.xml (decimal degrees there)
    expect(p.raDeg[0]).toBeCloseTo(93.835, 9);
    expect(p.decDeg[0]).toBeCloseTo(-0.4302777777777777, 9);
    expect(p.decDeg[3]).toBeCloseTo(2 + 17 / 60 + 52 / 3600, 9);
  });

  it('d3-celestial Messier objects as CSV', () => {
    const m = JSON.parse(readFileSync('/work/shared/data/catalogs/messier.json', 'utf8')) as {
      features: Array<{ id: string; geometry: { coordinates: [number, number] } }>;
    };
    const csv = 'name,RA_ICRS,DE_ICRS\n' + m.features.map((f) => `${f.id},${f.geometry.coordinates[0]},${f.geometry.coordinates[1]}`).join('\n');
    const p = findPositionColumns(parseDelimited(csv))!;
    expect(p).toMatchObject({ ra: 'RA_ICRS', dec: 'DE_ICRS', rule: 'name' });
    expect(p.raDeg[0]).toBe(83.625);
    expect(p.raDeg.length).toBe(110);
  });

  it('name rules: pairs in priority order and ra/dec as a word', () => {
    const names = (header: string) => {
      const p = findPositionColumns(parseDelimited(`${header}\n${header.split(',').map((_, i) => i + 1).join(',')}\n`));
      return p && `${p.ra}/${p.dec}`;
    };
    expect(names('id,_RAJ2000,_DEJ2000,RAJ2000,DEJ2000')).toBe('_RAJ2000/_DEJ2000');
    expect(names('s_ra,s_dec')).toBe('s_ra/s_dec');
    expect(names('ra_deg,dec_deg')).toBe('ra_deg/dec_deg');
    expect(names('alpha,delta')).toBe('alpha/delta');
    expect(names('x,ra_gaia,dec_gaia')).toBe('ra_gaia/dec_gaia');
    expect(names('gaia_ra,gaia_de')).toBe('gaia_ra/gaia_de');
    expect(names('rad,decade')).toBeUndefined();
    expect(names('l,b')).toBeUndefined();
  });

  it('units: hours, radians, unknown; nulls give NaN', () => {
    const vo = (raUnit: string) =>
      parseVoTable(`<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="double" unit="${raUnit}" ucd="POS_EQ_RA"/><FIELD name="d" datatype="float" unit="rad" ucd="POS_EQ_DEC"/>
      <DATA><TABLEDATA><TR><TD>1.5</TD><TD>0.5</TD></TR><TR><TD/><TD/></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`).tables[0];
    const h = findPositionColumns(vo('h'))!;
    expect(h).toMatchObject({ rule: 'ucd', raFormat: 'hours', decFormat: 'radians' });
    expect(h.raDeg[0]).toBe(22.5);
    expect(h.decDeg[0]).toBeCloseTo((Math.fround(0.5) * 180) / Math.PI, 12);
    expect(Number.isNaN(h.raDeg[1])).toBe(true);
    expect(findPositionColumns(vo('furlong'))!.raFormat).toBe('unknown-unit');
  });
});

describe('parseAngle', () => {
  it('sexagesimal in every common spelling', () => {
    expect(parseAngle('05:34:31.94', true).value).toBeCloseTo(83.63308333, 7);
    expect(parseAngle('05 34 31.94', true).value).toBeCloseTo(83.63308333, 7);
    expect(parseAngle('05h34m31.94s', true).value).toBeCloseTo(83.63308333, 7);
    expect(parseAngle('+22:00:52.2', false).value).toBeCloseTo(22.01450, 5);
    expect(parseAngle('22d00m52.2s', false).value).toBeCloseTo(22.01450, 5);
    expect(parseAngle(`22°00'52.2"`, false).value).toBeCloseTo(22.01450, 5);
    expect(parseAngle('-00 30 00', false).value).toBe(-0.5);
    expect(parseAngle('−00 30 00', false).value).toBe(-0.5);
    expect(parseAngle('10d30m', true).value).toBe(10.5); // RA with d: degrees
    expect(parseAngle('12 30', true).value).toBe(187.5);
  });

  it('decimal, empty and bad text', () => {
    expect(parseAngle('83.633', true)).toEqual({ value: 83.633, sexagesimal: false });
    expect(parseAngle(' -5.5 ', false).value).toBe(-5.5);
    expect(Number.isNaN(parseAngle('', true).value)).toBe(true);
    expect(Number.isNaN(parseAngle('M31', true).value)).toBe(true);
    expect(Number.isNaN(parseAngle('12:61:00', true).value)).toBe(true);
    expect(Number.isNaN(parseAngle('1:2:3:4', true).value)).toBe(true);
  });
});
