/**
 * CSV output of TAP results (RFC 4180: a header line of column names, CRLF line ends, fields
 * quoted when they hold a comma, quote, line break or edge spaces; nulls are empty fields).
 */
import type { ColumnType } from '../storage/schema.js';

function cell(v: unknown, type: ColumnType): string {
  if (v === null || v === undefined) return '';
  if (type !== 'text') {
    const n = typeof v === 'number' ? v : Number(v);
    if (Number.isNaN(n)) return type === 'double' ? 'NaN' : '';
    return type === 'double' ? String(n) : String(Math.trunc(n));
  }
  return quote(String(v));
}

function quote(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function writeCsv(fields: ReadonlyArray<{ name: string; type: ColumnType }>, rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const lines = [fields.map((f) => quote(f.name)).join(',')];
  for (const r of rows) lines.push(fields.map((f, i) => cell(r[i], f.type)).join(','));
  return lines.join('\r\n') + '\r\n';
}
