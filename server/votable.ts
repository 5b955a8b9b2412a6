/**
 * VOTable 1.4 writer (TABLEDATA) for the VO endpoints, and the error documents of SCS / DALI.
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
  out.push('<DATA><TABLEDATA>');
  const types = o.fields.map((f) => f.type);
  for (const r of o.rows) {
    let tr = '<TR>';
    for (let i = 0; i < types.length; i++) tr += cellXml(r[i], types[i]!);
    out.push(tr + '</TR>');
  }
  out.push('</TABLEDATA></DATA>', '</TABLE>');
  if (o.overflow) out.push('<INFO name="QUERY_STATUS" value="OVERFLOW"/>');
  out.push('</RESOURCE>', '</VOTABLE>', '');
  return out.join('\n');
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
