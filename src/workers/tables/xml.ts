/**
 * A small pull (streaming) XML tokenizer over a string: no DOM, no allocation per token beyond
 * the strings it returns. It reports start tags (with attributes, any order), end tags and text;
 * self-closing tags come as a start followed by an end. Comments, processing instructions, the XML
 * declaration and DOCTYPE (with an internal subset) are skipped; CDATA sections come as text,
 * verbatim. Entities &amp; &lt; &gt; &quot; &apos; and character references (&#NN; &#xHH;) are
 * decoded in text and attribute values; unknown entities are kept as written. Namespace prefixes
 * are resolved (`ns` is the element's namespace URI, `local` its local name).
 *
 * Well-formedness problems that stop reading (unterminated tags/comments/CDATA, a mismatched end
 * tag, end of input inside an element, an unquoted attribute value) throw TableError('XML') with
 * line/column and the open element.
 */
import { TableError, lineColumn } from './table.js';

export const TOK_EOF = 0;
export const TOK_START = 1;
export const TOK_END = 2;
export const TOK_TEXT = 3;
export type TokenKind = typeof TOK_EOF | typeof TOK_START | typeof TOK_END | typeof TOK_TEXT;

const ENTITY_RE = /&(?:#[xX]([0-9a-fA-F]{1,8})|#([0-9]{1,10})|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decode the predefined entities and character references of XML text. */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') === -1) return s;
  return s.replace(ENTITY_RE, (_m: string, hex?: string, dec?: string, name?: string) => {
    if (name) return NAMED[name];
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec as string, 10);
    if (!(cp > 0 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) return '\uFFFD';
    return String.fromCodePoint(cp);
  });
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** Characters that end a name: space, '/', '>', '=', '<', quotes, '?'. */
function endsName(c: number): boolean {
  return c <= 32 || c === 47 || c === 62 || c === 61 || c === 60 || c === 34 || c === 39;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export class XmlTokenizer {
  readonly src: string;
  pos = 0;
  /** Offset where the current token starts. */
  tokenStart = 0;
  /** START/END: qualified name, prefix, local name, resolved namespace URI. */
  name = '';
  prefix = '';
  local = '';
  ns = '';
  /** START: attributes by qualified name (null when there are none). */
  attrs: Record<string, string> | null = null;
  selfClosing = false;
  /** TEXT: decoded text (CDATA verbatim). */
  text = '';
  /** When false, character data outside CDATA is skipped without being decoded (TEXT not reported). */
  wantText = true;

  private readonly openNames: string[] = [];
  private readonly openOffsets: number[] = [];
  private readonly openNs: string[] = [];
  /** Namespace bindings: [depth, prefix, uri] triples, innermost last. */
  private readonly bindings: Array<[number, string, string]> = [];
  private pendingEnd = false;

  constructor(src: string) {
    this.src = src;
  }

  /** Current element depth (number of open elements). */
  get depth(): number {
    return this.openNames.length;
  }

  /** The innermost open element's qualified name. */
  get openElement(): string | undefined {
    return this.openNames[this.openNames.length - 1];
  }

  error(message: string, offset = this.tokenStart, element = this.openElement): TableError {
    const { line, column } = lineColumn(this.src, offset);
    return new TableError('XML', message, { offset, line, column, element });
  }

  next(): TokenKind {
    if (this.pendingEnd) {
      this.pendingEnd = false;
      return this.closeElement();
    }
    const src = this.src;
    const n = src.length;
    for (;;) {
      const p = this.pos;
      if (p >= n) {
        this.tokenStart = p;
        if (this.openNames.length) {
          const top = this.openNames.length - 1;
          const where = lineColumn(src, this.openOffsets[top]);
          throw this.error(`unexpected end of input: <${this.openNames[top]}> opened at line ${where.line} is not closed`, p);
        }
        return TOK_EOF;
      }
      if (src.charCodeAt(p) !== 60 /* < */) {
        let q = src.indexOf('<', p);
        if (q === -1) q = n;
        this.pos = q;
        if (!this.wantText) continue;
        this.tokenStart = p;
        this.text = decodeEntities(src.slice(p, q));
        return TOK_TEXT;
      }
      this.tokenStart = p;
      const c1 = src.charCodeAt(p + 1);
      if (c1 === 47 /* / */) return this.readEndTag();
      if (c1 === 63 /* ? */) {
        const q = src.indexOf('?>', p + 2);
        if (q === -1) throw this.error('unterminated processing instruction');
        this.pos = q + 2;
        continue;
      }
      if (c1 === 33 /* ! */) {
        if (src.startsWith('<!--', p)) {
          const q = src.indexOf('-->', p + 4);
          if (q === -1) throw this.error('unterminated comment');
          this.pos = q + 3;
          continue;
        }
        if (src.startsWith('<![CDATA[', p)) {
          const q = src.indexOf(']]>', p + 9);
          if (q === -1) throw this.error('unterminated CDATA section');
          this.pos = q + 3;
          this.text = src.slice(p + 9, q);
          return TOK_TEXT;
        }
        if (src.startsWith('<!DOCTYPE', p) || src.startsWith('<!doctype', p)) {
          this.pos = this.skipDoctype(p);
          continue;
        }
        throw this.error('unknown markup declaration');
      }
      return this.readStartTag();
    }
  }

  /** Skip the rest of the element whose START was just returned (its END included). */
  skipElement(): void {
    const depth = this.openNames.length;
    const keep = this.wantText;
    this.wantText = false;
    try {
      for (;;) {
        const t = this.next();
        if (t === TOK_END && this.openNames.length < depth) return;
        if (t === TOK_EOF) return;
      }
    } finally {
      this.wantText = keep;
    }
  }

  private skipDoctype(p: number): number {
    const src = this.src;
    let i = p + 9;
    let bracket = 0;
    while (i < src.length) {
      const c = src.charCodeAt(i);
      if (c === 34 || c === 39) {
        const q = src.indexOf(c === 34 ? '"' : "'", i + 1);
        if (q === -1) break;
        i = q + 1;
        continue;
      }
      if (c === 91 /* [ */) bracket++;
      else if (c === 93 /* ] */) bracket--;
      else if (c === 62 /* > */ && bracket <= 0) return i + 1;
      else if (c === 60 && src.startsWith('<!--', i)) {
        const q = src.indexOf('-->', i + 4);
        if (q === -1) break;
        i = q + 3;
        continue;
      }
      i++;
    }
    throw this.error('unterminated DOCTYPE', p);
  }

  private readName(start: number): number {
    const src = this.src;
    let i = start;
    while (i < src.length && !endsName(src.charCodeAt(i))) i++;
    return i;
  }

  private readStartTag(): TokenKind {
    const src = this.src;
    const n = src.length;
    const start = this.tokenStart;
    const nameEnd = this.readName(start + 1);
    if (nameEnd === start + 1) throw this.error("'<' not followed by a name");
    const qname = src.slice(start + 1, nameEnd);
    let attrs: Record<string, string> | null = null;
    let i = nameEnd;
    let selfClosing = false;
    for (;;) {
      while (i < n && isSpace(src.charCodeAt(i))) i++;
      if (i >= n) throw this.error(`unterminated start tag <${qname}>`);
      const c = src.charCodeAt(i);
      if (c === 62 /* > */) {
        i++;
        break;
      }
      if (c === 47 /* / */) {
        if (src.charCodeAt(i + 1) !== 62) throw this.error(`'/' not followed by '>' in <${qname}>`, i);
        i += 2;
        selfClosing = true;
        break;
      }
      const an = this.readName(i);
      if (an === i) throw this.error(`unexpected character '${src[i]}' in <${qname}>`, i);
      const aname = src.slice(i, an);
      i = an;
      while (i < n && isSpace(src.charCodeAt(i))) i++;
      if (src.charCodeAt(i) !== 61 /* = */) throw this.error(`attribute '${aname}' of <${qname}> has no value`, i);
      i++;
      while (i < n && isSpace(src.charCodeAt(i))) i++;
      const qc = src.charCodeAt(i);
      if (qc !== 34 && qc !== 39) throw this.error(`value of attribute '${aname}' of <${qname}> is not quoted`, i);
      const close = src.indexOf(qc === 34 ? '"' : "'", i + 1);
      if (close === -1) throw this.error(`unterminated value of attribute '${aname}' of <${qname}>`, i);
      let value = src.slice(i + 1, close);
      if (value.indexOf('&') !== -1) value = decodeEntities(value);
      if (/[\t\n\r]/.test(value)) value = value.replace(/\r\n|[\t\n\r]/g, ' ');
      i = close + 1;
      if (attrs === null) attrs = Object.create(null) as Record<string, string>;
      attrs[aname] = value;
    }
    this.pos = i;
    const depth = this.openNames.length + 1;
    if (attrs !== null) {
      for (const key in attrs) {
        if (key === 'xmlns') this.bindings.push([depth, '', attrs[key]]);
        else if (key.startsWith('xmlns:')) this.bindings.push([depth, key.slice(6), attrs[key]]);
      }
    }
    this.setName(qname);
    this.ns = this.resolve(this.prefix);
    this.attrs = attrs;
    this.selfClosing = selfClosing;
    this.openNames.push(qname);
    this.openOffsets.push(start);
    this.openNs.push(this.ns);
    if (selfClosing) this.pendingEnd = true;
    return TOK_START;
  }

  private readEndTag(): TokenKind {
    const src = this.src;
    const start = this.tokenStart;
    const nameEnd = this.readName(start + 2);
    const qname = src.slice(start + 2, nameEnd);
    let i = nameEnd;
    while (i < src.length && isSpace(src.charCodeAt(i))) i++;
    if (src.charCodeAt(i) !== 62) throw this.error(`unterminated end tag </${qname}>`);
    this.pos = i + 1;
    const top = this.openNames.length - 1;
    if (top < 0) throw this.error(`end tag </${qname}> without a start tag`);
    if (this.openNames[top] !== qname) {
      const where = lineColumn(src, this.openOffsets[top]);
      throw this.error(`end tag </${qname}> does not match <${this.openNames[top]}> opened at line ${where.line}`);
    }
    return this.closeElement();
  }

  private closeElement(): TokenKind {
    const depth = this.openNames.length;
    const qname = this.openNames.pop() as string;
    this.openOffsets.pop();
    this.ns = this.openNs.pop() as string;
    this.setName(qname);
    const b = this.bindings;
    while (b.length && b[b.length - 1][0] >= depth) b.pop();
    this.attrs = null;
    return TOK_END;
  }

  private setName(qname: string): void {
    this.name = qname;
    const colon = qname.indexOf(':');
    if (colon === -1) {
      this.prefix = '';
      this.local = qname;
    } else {
      this.prefix = qname.slice(0, colon);
      this.local = qname.slice(colon + 1);
    }
  }

  /** Namespace URI bound to a prefix ('' = default namespace); undeclared prefixes give ''. */
  resolve(prefix: string): string {
    if (prefix === 'xml') return XML_NS;
    const b = this.bindings;
    for (let k = b.length - 1; k >= 0; k--) if (b[k][1] === prefix) return b[k][2];
    return '';
  }
}
