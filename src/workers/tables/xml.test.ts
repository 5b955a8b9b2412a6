// The streaming XML tokenizer: tokens, namespaces, entities, CDATA, skipped markup, errors; and
// pathological VOTables (deep nesting, huge declared sizes, long inputs) that must stay fast.
import { describe, expect, it } from 'vitest';
import { TOK_END, TOK_EOF, TOK_START, TOK_TEXT, XmlTokenizer, decodeEntities } from './xml.js';
import { parseVoTable } from './votable.js';
import { TableError } from './table.js';

function tokens(src: string): string[] {
  const tok = new XmlTokenizer(src);
  const out: string[] = [];
  for (;;) {
    const t = tok.next();
    if (t === TOK_EOF) return out;
    if (t === TOK_START) {
      const attrs = tok.attrs ? Object.entries(tok.attrs).map(([k, v]) => ` ${k}=${v}`).join('') : '';
      out.push(`<${tok.local}${tok.ns ? `{${tok.ns}}` : ''}${attrs}${tok.selfClosing ? '/' : ''}>`);
    } else if (t === TOK_END) out.push(`</${tok.local}>`);
    else if (t === TOK_TEXT) out.push(JSON.stringify(tok.text));
  }
}

describe('XmlTokenizer', () => {
  it('start/end/text, self-closing, attributes in any order and quoting, whitespace normalisation', () => {
    expect(tokens(`<a x='1' y="2&amp;3"><b/>t<c  z = "a\tb\nc" ></c></a>`)).toEqual([
      '<a x=1 y=2&3>',
      '<b/>',
      '</b>',
      '"t"',
      '<c z=a b c>',
      '</c>',
      '</a>',
    ]);
  });

  it('skips the declaration, comments, PIs and DOCTYPE with an internal subset; CDATA is verbatim text', () => {
    expect(
      tokens(`<?xml version="1.0"?><!DOCTYPE a [ <!ENTITY e "x>y"> <!-- ] > --> ]><!-- c --><a><?pi ?><![CDATA[<&amp;>]]></a>`),
    ).toEqual(['<a>', '"<&amp;>"', '</a>']);
  });

  it('resolves namespace prefixes with scoping; undeclared prefixes resolve to ""', () => {
    expect(tokens(`<v:a xmlns:v="urn:v"><b xmlns="urn:d"><v:c/></b><d/><w:e/></v:a>`)).toEqual([
      '<a{urn:v} xmlns:v=urn:v>',
      '<b{urn:d} xmlns=urn:d>',
      '<c{urn:v}/>',
      '</c>',
      '</b>',
      '<d/>',
      '</d>',
      '<e/>',
      '</e>',
      '</a>',
    ]);
  });

  it('decodes entities and character references; bad code points become U+FFFD', () => {
    expect(decodeEntities('&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;&#0;&#x110000;&#xD800;&nbsp;&amp')).toBe(
      '<>&"\'AB😀\uFFFD\uFFFD\uFFFD&nbsp;&amp',
    );
  });

  it('wantText=false skips character data', () => {
    const tok = new XmlTokenizer('<a>x<b>y</b></a>');
    tok.wantText = false;
    const kinds: number[] = [];
    for (let t = tok.next(); t !== TOK_EOF; t = tok.next()) kinds.push(t);
    expect(kinds).toEqual([TOK_START, TOK_START, TOK_END, TOK_END]);
  });

  it('errors name the problem, the place and the open element', () => {
    const err = (src: string): TableError => {
      try {
        tokens(src);
      } catch (e) {
        return e as TableError;
      }
      throw new Error('no error');
    };
    expect(err('<a><b></a>').message).toMatch(/end tag <\/a> does not match <b> opened at line 1 \(in <b>, at line 1, column 7\)/);
    expect(err('<a>\n<b>').message).toMatch(/<b> opened at line 2 is not closed/);
    expect(err('</a>').message).toMatch(/without a start tag/);
    expect(err('<a x>').message).toMatch(/attribute 'x' of <a> has no value/);
    expect(err('<a x="1>').message).toMatch(/unterminated value of attribute 'x'/);
    expect(err('<a').message).toMatch(/unterminated start tag <a>/);
    expect(err('< a>').message).toMatch(/'<' not followed by a name/);
    expect(err('<a><!x></a>').message).toMatch(/unknown markup declaration/);
    expect(err('<a><?pi').message).toMatch(/unterminated processing instruction/);
    expect(err('<!DOCTYPE a [').message).toMatch(/unterminated DOCTYPE/);
    expect(err('<a/ >').code).toBe('XML');
  });
});

describe('pathological VOTables stay fast and bounded', () => {
  const wrap = (inner: string) => `<VOTABLE><RESOURCE>${inner}</RESOURCE></VOTABLE>`;

  it('deep nesting of RESOURCE and GROUP', () => {
    const depth = 20000;
    const deep = wrap('<RESOURCE>'.repeat(depth) + '</RESOURCE>'.repeat(depth));
    const t0 = performance.now();
    const doc = parseVoTable(deep);
    expect(doc.tables).toEqual([]);
    const groups = wrap(`<TABLE>${'<GROUP>'.repeat(depth)}${'</GROUP>'.repeat(depth)}</TABLE>`);
    expect(parseVoTable(groups).tables.length).toBe(1);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('huge declared array sizes and counts do not allocate', () => {
    const fields = '<FIELD name="a" datatype="double" arraysize="2000000000"/><FIELD name="b" datatype="int" arraysize="*"/>';
    const td = parseVoTable(wrap(`<TABLE>${fields}<DATA><TABLEDATA><TR><TD>1 2</TD><TD>3</TD></TR></TABLEDATA></DATA></TABLE>`));
    expect(Array.from(td.tables[0].columns[0].values[0] as Float64Array)).toEqual([1, 2]);
    expect(td.warnings.some((w) => /2 values for arraysize 2000000000/.test(w))).toBe(true);
    const count = Buffer.from([0x7f, 0xff, 0xff, 0xff]).toString('base64');
    expect(() =>
      parseVoTable(wrap(`<TABLE><FIELD name="b" datatype="int" arraysize="*"/><DATA><BINARY><STREAM encoding="base64">${count}</STREAM></BINARY></DATA></TABLE>`)),
    ).toThrow(/ends inside a cell/);
  });

  it('a zero-width row layout does not loop', () => {
    const doc = parseVoTable(
      wrap('<TABLE><FIELD name="z" datatype="int" arraysize="0"/><DATA><BINARY><STREAM encoding="base64">AAAA</STREAM></BINARY></DATA></TABLE>'),
    );
    expect(doc.tables[0].nrows).toBe(0);
    expect(doc.warnings.some((w) => /rows of 0 bytes/.test(w))).toBe(true);
  });

  it('100k rows of TABLEDATA', () => {
    const rows = '<TR><TD>1.5</TD><TD>x</TD></TR>'.repeat(100000);
    const t0 = performance.now();
    const t = parseVoTable(wrap(`<TABLE><FIELD name="a" datatype="double"/><FIELD name="s" datatype="char" arraysize="*"/><DATA><TABLEDATA>${rows}</TABLEDATA></DATA></TABLE>`)).tables[0];
    expect(t.nrows).toBe(100000);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
