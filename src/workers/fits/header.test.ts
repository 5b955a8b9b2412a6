// FITS header cards: values of every kind, quotes, CONTINUE, HIERARCH, commentary, errors; and
// the header of test/fixtures/fits/header_special.fits against the astropy values in
// expected.json (written by test/fixtures/fits/make_fixtures.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FitsError } from './errors.js';
import { FitsHeader, parseHeader, parseValueField } from './header.js';
import { readFits } from './file.js';

const FIXTURES = new URL('../../../test/fixtures/fits/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as {
  files: Record<string, Array<{ header: Record<string, unknown>; history: string[]; comment: string[] }>>;
};

/** Build header bytes from card texts (END and padding added). */
function headerBytes(cards: string[], pad = true): Uint8Array {
  let text = cards.map((c) => c.padEnd(80)).join('') + 'END'.padEnd(80);
  if (pad) text = text.padEnd(Math.ceil(text.length / 2880) * 2880);
  return new TextEncoder().encode(text);
}

/** JSON encoding of make_fixtures.py -> JS values. */
function decodeJsonValue(v: unknown): unknown {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === '-0') return -0;
  return v;
}

describe('parseValueField', () => {
  it('parses integers, floats, D exponents, logicals, complex, undefined', () => {
    expect(parseValueField('                   42 / answer').value).toBe(42);
    expect(parseValueField('                   42 / answer').comment).toBe('answer');
    expect(parseValueField('  -7').value).toBe(-7);
    expect(parseValueField(' +17').value).toBe(17);
    expect(parseValueField('  1.5D+03').value).toBe(1500);
    expect(parseValueField('  -2.5d-02').value).toBe(-0.025);
    expect(parseValueField('  1.E5').value).toBe(100000);
    expect(parseValueField('  .5').value).toBe(0.5);
    expect(parseValueField('  1.25E-07 / x').value).toBe(1.25e-7);
    expect(parseValueField('                    T').value).toBe(true);
    expect(parseValueField('                    F / no').value).toBe(false);
    expect(parseValueField(' (1.5, -2.0) / c').value).toEqual({ re: 1.5, im: -2 });
    expect(parseValueField('                     / undefined').value).toBeNull();
    expect(parseValueField('').value).toBeNull();
  });

  it('parses strings: doubled quotes, trailing spaces, slashes, empty', () => {
    expect(parseValueField(" 'it''s   '  / q").value).toBe("it's");
    expect(parseValueField(" 'M31 ''''core''''' / q").value).toBe("M31 ''core''");
    expect(parseValueField(" '  lead   '").value).toBe('  lead');
    expect(parseValueField(" 'a/b / c ' / real comment").value).toBe('a/b / c');
    expect(parseValueField(" 'a/b / c ' / real comment").comment).toBe('real comment');
    expect(parseValueField(" ''").value).toBe('');
    expect(parseValueField(" '    '").value).toBe('');
  });

  it('reports unparsable values', () => {
    expect(parseValueField(" 'unterminated").error).toMatch(/unterminated/);
    expect(parseValueField(' 12abc').error).toMatch(/unparsable value "12abc"/);
    expect(parseValueField(' 12abc').value).toBeNull();
    expect(parseValueField(' (1, x)').error).toMatch(/complex/);
  });
});

describe('FitsHeader', () => {
  const cards = [
    'SIMPLE  =                    T / standard',
    'BITPIX  =                  -32',
    'NAXIS   =                    0',
    "OBJECT  = 'NGC 1234'           / target name",
    "LONG    = 'first part, &'      / c1",
    "CONTINUE  'second part &'      / c2",
    "CONTINUE  'end'",
    "AMP     = 'ends with &'        / no CONTINUE follows",
    "HIERARCH ESO DET  CHIP1 ID = 'ccd' / hierarch",
    'HIERARCH ESO TEL AIRM = 1.25',
    'COMMENT first comment',
    "CONTINUE  'orphan continue card'",
    'HISTORY a history line',
    'HISTORY   another',
    '        blank keyword text',
    'DUP     =                    1',
    'DUP     =                    2',
    'UNDEF   =',
    'lower   =                    3',
  ];
  const { header, paddedEnd, endCardOffset } = parseHeader(headerBytes(cards));

  it('locates END and the padded header end', () => {
    expect(endCardOffset).toBe(cards.length * 80);
    expect(paddedEnd).toBe(2880);
    expect(header.cards).toHaveLength(cards.length);
    expect(header.cards[3]).toBe(cards[3]!.padEnd(80));
  });

  it('returns typed values and undefined for absent keys', () => {
    expect(header.get('SIMPLE')).toBe(true);
    expect(header.get('BITPIX')).toBe(-32);
    expect(header.get('OBJECT')).toBe('NGC 1234');
    expect(header.get('object')).toBe('NGC 1234');
    expect(header.getComment('OBJECT')).toBe('target name');
    expect(header.get('NOPE')).toBeUndefined();
    expect(header.has('NOPE')).toBe(false);
    expect(header.has('OBJECT')).toBe(true);
    expect(header.get('UNDEF')).toBeNull();
    expect(header.has('UNDEF')).toBe(true);
    expect(header.getNumber('OBJECT')).toBeUndefined();
    expect(header.getString('OBJECT')).toBe('NGC 1234');
    expect(header.getInteger('BITPIX')).toBe(-32);
    expect(header.getBoolean('SIMPLE')).toBe(true);
    expect(header.get('LOWER')).toBe(3);
  });

  it('joins CONTINUE long strings and their comments', () => {
    expect(header.get('LONG')).toBe('first part, second part end');
    expect(header.getComment('LONG')).toBe('c1 c2');
    expect(header.getCard('LONG')!.rawCount).toBe(3);
    // a string ending with & but not followed by CONTINUE keeps its &
    expect(header.get('AMP')).toBe('ends with &');
    // ...and the orphan CONTINUE card after it is commentary
    expect(header.entries.some((e) => e.kind === 'commentary' && e.key === 'CONTINUE')).toBe(true);
  });

  it('reads HIERARCH keys with or without the prefix, spaces collapsed', () => {
    expect(header.get('ESO DET CHIP1 ID')).toBe('ccd');
    expect(header.get('HIERARCH ESO DET CHIP1 ID')).toBe('ccd');
    expect(header.get('eso tel airm')).toBe(1.25);
    expect(header.getCard('ESO TEL AIRM')!.hierarch).toBe(true);
  });

  it('collects COMMENT and HISTORY, keeps duplicates, returns the first', () => {
    expect(header.comments).toEqual(['first comment']);
    expect(header.history).toEqual(['a history line', '  another']);
    expect(header.get('DUP')).toBe(1);
    expect(header.getAll('DUP').map((c) => c.value)).toEqual([1, 2]);
    expect(header.keys()).toEqual([
      'SIMPLE',
      'BITPIX',
      'NAXIS',
      'OBJECT',
      'LONG',
      'AMP',
      'ESO DET CHIP1 ID',
      'ESO TEL AIRM',
      'DUP',
      'UNDEF',
      'lower',
    ]);
  });

  it('parses text headers (80-char cards or lines)', () => {
    const h1 = FitsHeader.fromString(cards.map((c) => c.padEnd(80)).join('') + 'END'.padEnd(80));
    expect(h1.get('LONG')).toBe('first part, second part end');
    const h2 = FitsHeader.fromString(cards.join('\n') + '\nEND\n');
    expect(h2.keys()).toEqual(header.keys());
    expect(FitsHeader.fromString(h1.toString()).cards).toEqual(h1.cards);
  });

  it('lenient by default, strict on request', () => {
    const bad = headerBytes(['SIMPLE  =                    T', "BADSTR  = 'no end", 'BADNUM  = 1.2.3']);
    const { header: h } = parseHeader(bad);
    expect(h.get('BADSTR')).toBeNull();
    expect(h.getCard('BADSTR')!.error).toMatch(/unterminated/);
    expect(h.warnings).toHaveLength(2);
    expect(() => parseHeader(bad, 0, { strict: true })).toThrow(FitsError);
    expect(() => parseHeader(bad, 0, { strict: true })).toThrow(/card 2 \(BADSTR\): unterminated string/);
    const nonAscii = headerBytes(['SIMPLE  =                    T', "OBJECT  = 'cafe'"]);
    nonAscii[80 + 14] = 0xe9;
    expect(parseHeader(nonAscii).header.warnings[0]).toMatch(/non-ASCII-text byte 0xe9/);
    expect(() => parseHeader(nonAscii, 0, { strict: true })).toThrow(/non-ASCII/);
  });

  it('throws FitsError NO_END naming the problem', () => {
    const noEnd = new TextEncoder().encode('SIMPLE  =                    T'.padEnd(80) + ' '.repeat(2800));
    let err: unknown;
    try {
      parseHeader(noEnd);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FitsError);
    expect((err as FitsError).code).toBe('NO_END');
    expect((err as FitsError).message).toMatch(/FITS header has no END card within the first 2880 bytes/);
    expect(() => parseHeader(headerBytes(['SIMPLE  =                    T', ...Array(40).fill('X = 1')]), 0, { maxHeaderBytes: 2880 })).toThrow(
      /no END card within the first 2880 bytes/,
    );
  });
});

describe('header_special.fits vs astropy', () => {
  const exp = expected.files['header_special.fits']![0]!;
  const file = readFits(fixture('header_special.fits'));
  const h = file.primary.header;

  it('has every astropy keyword with the same value', () => {
    for (const [key, want] of Object.entries(exp.header)) {
      const got = h.get(key);
      if (want !== null && typeof want === 'object') expect(got, key).toEqual(want);
      else expect(got, key).toEqual(decodeJsonValue(want));
    }
  });

  it('has the same keywords in the same order', () => {
    expect(h.keys().sort()).toEqual(Object.keys(exp.header).sort());
  });

  it('has the same HISTORY and COMMENT text', () => {
    expect(h.history).toEqual(exp.history);
    expect(h.comments).toEqual(exp.comment);
  });

  it('joined the CONTINUE comment and spans several header blocks', () => {
    expect(h.getComment('LONGSTR')).toBe('a long comment for the long string');
    expect(h.getCard('LONGSTR')!.rawCount).toBe(4);
    expect(h.getComment('UNDEF')).toBe('undefined value');
    expect(h.getComment('NOCOMM')).toBeUndefined();
    expect(file.primary.dataOffset).toBe((exp as unknown as { dataOffset: number }).dataOffset);
    expect(file.primary.dataOffset).toBeGreaterThan(2880);
    expect(h.warnings).toEqual([]);
  });
});
