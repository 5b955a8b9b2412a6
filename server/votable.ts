/**
 * VOTable 1.4 writer (TABLEDATA or BINARY2) for the VO endpoints, and the error documents of
 * SCS / DALI.
 * The namespace stays http://www.ivoa.net/xml/VOTable/v1.3 for 1.4 (STANDARDS.md A5).
 */
import type { ColumnType } from './storage/schema.js';

export const VOTABLE_NS = 'http://www.ivoa.net/xml/VOTable/v1.3';
export const VOTABLE_TYPE = 'application/x-votable+xml; charset=utf-8';

export interface VoField {
  name: string;
  type: ColumnType;
  unit?: string;
  ucd?: string;
  description?: string;
  /** COOSYS ID for positions. */
  ref?: string;
  xtype?: string;
  utype?: string;
}

/** XML text/attribute escaping (also drops characters XML 1.0 forbids). */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function datatypeAttrs(type: ColumnType): string {
  switch (type) {
    case 'int':
      return 'datatype="int"';
    case 'long':
      return 'datatype="long"';
    case 'double':
      return 'datatype="double"';
    case 'text':
      return 'datatype="char" arraysize="*"';
  }
}

function fieldXml(f: VoField): string {
  const attrs = [`name="${xmlEscape(f.name)}"`, datatypeAttrs(f.type)];
  if (f.unit) attrs.push(`unit="${xmlEscape(f.unit)}"`);
  if (f.ucd) attrs.push(`ucd="${xmlEscape(f.ucd)}"`);
  if (f.ref) attrs.push(`ref="${xmlEscape(f.ref)}"`);
  if (f.utype) attrs.push(`utype="${xmlEscape(f.utype)}"`);
  if (f.xtype) attrs.push(`xtype="${xmlEscape(f.xtype)}"`);
  const desc = f.description ? `<DESCRIPTION>${xmlEscape(f.description)}</DESCRIPTION>` : '';
  return desc ? `<FIELD ${attrs.join(' ')}>${desc}</FIELD>` : `<FIELD ${attrs.join(' ')}/>`;
}

function cellXml(v: unknown, type: ColumnType): string {
  if (v === null || v === undefined) return '<TD/>';
  if (type === 'text') return `<TD>${xmlEscape(String(v))}</TD>`;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) return type === 'double' ? '<TD>NaN</TD>' : '<TD/>';
  return `<TD>${type === 'double' ? String(n) : String(Math.trunc(n))}</TD>`;
}

export interface VoTableOptions {
  description?: string;
  tableName: string;
  fields: VoField[];
  rows: ReadonlyArray<ReadonlyArray<unknown>>;
  /** INFOs in the RESOURCE before the table (QUERY_STATUS OK is always first). */
  infos?: Array<{ name: string; value: string; content?: string }>;
  /** QUERY_STATUS=OVERFLOW after the table (a limit cut the result). */
  overflow?: boolean;
  /** TABLEDATA (default) or BINARY2 (base64 rows with a null bitmap each). */
  serialization?: 'TABLEDATA' | 'BINARY2';
  /** PARAMs of the table. */
  params?: Array<{ name: string; value: string; datatype?: string; ucd?: string; unit?: string }>;
}

/** A results VOTable with one RESOURCE and one TABLE in TABLEDATA. */
export function writeVoTable(o: VoTableOptions): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<VOTABLE version="1.4" xmlns="${VOTABLE_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
  ];
  if (o.description) out.push(`<DESCRIPTION>${xmlEscape(o.description)}</DESCRIPTION>`);
  out.push('<RESOURCE type="results">', '<INFO name="QUERY_STATUS" value="OK"/>');
  for (const i of o.infos ?? []) {
    out.push(
      i.content === undefined
        ? `<INFO name="${xmlEscape(i.name)}" value="${xmlEscape(i.value)}"/>`
        : `<INFO name="${xmlEscape(i.name)}" value="${xmlEscape(i.value)}">${xmlEscape(i.content)}</INFO>`,
    );
  }
  out.push('<COOSYS ID="icrs" system="ICRS"/>', `<TABLE name="${xmlEscape(o.tableName)}">`);
  for (const p of o.params ?? []) {
    const extra = [p.ucd ? ` ucd="${xmlEscape(p.ucd)}"` : '', p.unit ? ` unit="${xmlEscape(p.unit)}"` : ''].join('');
    const dt = p.datatype ?? 'char';
    out.push(
      `<PARAM name="${xmlEscape(p.name)}" datatype="${dt}"${dt === 'char' ? ' arraysize="*"' : ''}${extra} value="${xmlEscape(p.value)}"/>`,
    );
  }
  for (const f of o.fields) out.push(fieldXml(f));
  const types = o.fields.map((f) => f.type);
  if (o.serialization === 'BINARY2') {
    out.push('<DATA><BINARY2><STREAM encoding="base64">');
    const b64 = binary2Rows(types, o.rows).toString('base64');
    for (let i = 0; i < b64.length; i += 76) out.push(b64.slice(i, i + 76));
    out.push('</STREAM></BINARY2></DATA>', '</TABLE>');
  } else {
    out.push('<DATA><TABLEDATA>');
    for (const r of o.rows) {
      let tr = '<TR>';
      for (let i = 0; i < types.length; i++) tr += cellXml(r[i], types[i]!);
      out.push(tr + '</TR>');
    }
    out.push('</TABLEDATA></DATA>', '</TABLE>');
  }
  if (o.overflow) out.push('<INFO name="QUERY_STATUS" value="OVERFLOW"/>');
  out.push('</RESOURCE>', '</VOTABLE>', '');
  return out.join('\n');
}

/** A number for a binary cell, or null (non-finite integers are nulls). */
function numberOf(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isNaN(n) ? null : n;
}

/**
 * BINARY2 rows (VOTable 1.4 §5.5): per row a null bitmap (one bit per field, most significant
 * bit first), then big-endian int (4 bytes), long (8), double (8) or char[*] (a 4-byte length
 * and Latin-1 bytes; other characters become '?'). Null numbers are zero bytes (NaN for doubles).
 */
export function binary2Rows(types: readonly ColumnType[], rows: ReadonlyArray<ReadonlyArray<unknown>>): Buffer {
  const chunks: Buffer[] = [];
  const nb = Math.ceil(types.length / 8);
  for (const r of rows) {
    const cells: Buffer[] = [];
    const mask = Buffer.alloc(nb);
    for (let i = 0; i < types.length; i++) {
      const v = r[i];
      const type = types[i]!;
      if (type === 'text') {
        if (v === null || v === undefined) mask[i >> 3]! |= 0x80 >> (i & 7);
        const s = v === null || v === undefined ? '' : String(v).replace(/[\u0100-\u{10FFFF}]/gu, '?');
        const bytes = Buffer.from(s, 'latin1');
        const len = Buffer.alloc(4);
        len.writeUInt32BE(bytes.length);
        cells.push(len, bytes);
        continue;
      }
      let n = numberOf(v);
      if (type !== 'double' && n !== null && !Number.isFinite(n)) n = null;
      if (n === null) mask[i >> 3]! |= 0x80 >> (i & 7);
      const b = Buffer.alloc(type === 'int' ? 4 : 8);
      if (type === 'int') b.writeInt32BE(n === null ? 0 : Math.max(-2147483648, Math.min(2147483647, Math.trunc(n))));
      else if (type === 'long') b.writeBigInt64BE(n === null ? 0n : BigInt(Math.trunc(n)));
      else b.writeDoubleBE(n === null ? NaN : n);
      cells.push(b);
    }
    chunks.push(mask, ...cells);
  }
  return Buffer.concat(chunks);
}

/**
 * An error VOTable that both SCS 1.03 clients (INFO name="Error" as a direct child of VOTABLE)
 * and DALI clients (INFO QUERY_STATUS=ERROR in the results RESOURCE) understand.
 */
export function writeErrorVoTable(message: string): string {
  const m = xmlEscape(message);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<VOTABLE version="1.4" xmlns="${VOTABLE_NS}">`,
    `<INFO name="Error" value="${m}"/>`,
    '<RESOURCE type="results">',
    `<INFO name="QUERY_STATUS" value="ERROR">${m}</INFO>`,
    '</RESOURCE>',
    '</VOTABLE>',
    '',
  ].join('\n');
}
