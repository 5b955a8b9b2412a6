/**
 * CDS/VizieR ReadMe files: the "Byte-by-byte Description of file: …" tables that say where each
 * field of a fixed-width data file lies, and a parser for such records.
 */
import type { ColumnType } from '../storage/schema.js';

export interface CdsField {
  /** First and last byte, 1-based inclusive. */
  start: number;
  end: number;
  /** Fortran-like format: I4, F12.8, A1, E9.3 … */
  format: string;
  /** Unit as written ('---' = none). */
  unit: string;
  label: string;
  explanation: string;
  /** The explanation starts with `?` (after an optional [range]): blank means null. */
  nullable: boolean;
  /** Lower-case SQL-safe column name from the label. */
  column: string;
  type: ColumnType;
}

const FIELD_LINE = /^\s*(\d+)(?:\s*-\s*(\d+))?\s+([AIFEDaifed]\d+(?:\.\d+)?)\s+(\S+)\s+(\S+)\s*(.*)$/;

/** Column name from a CDS label: lower case, other characters to '_'. */
export function columnName(label: string): string {
  let s = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[a-z_]/.test(s)) s = `c_${s}`;
  return s || 'col';
}

function typeOf(format: string): ColumnType {
  const kind = format[0]!.toUpperCase();
  if (kind === 'A') return 'text';
  if (kind === 'I') return Number(format.slice(1)) > 9 ? 'long' : 'int';
  return 'double';
}

/**
 * The fields of `file` (e.g. 'tyc2.dat') from a ReadMe. Matches a description header naming
 * the file among others ("… of file: suppl_1.dat, suppl_2.dat").
 * @throws Error when the file has no byte-by-byte description.
 */
export function parseReadme(readme: string, file: string): CdsField[] {
  const lines = readme.split(/\r?\n/);
  let i = lines.findIndex((l) => {
    const m = /^Byte-by-byte Description of file:\s*(.*)$/i.exec(l.trim());
    return m !== null && m[1]!.split(/[\s,]+/).includes(file);
  });
  if (i < 0) throw new Error(`the ReadMe has no byte-by-byte description of ${file}`);
  // skip to the header line ("Bytes Format Units Label Explanations") and the dashes under it
  while (i < lines.length && !/^\s*Bytes\s+Format/i.test(lines[i]!)) i++;
  i += 2;
  const fields: CdsField[] = [];
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^-{10,}/.test(line.trim())) break;
    const m = FIELD_LINE.exec(line);
    if (m === null) {
      const last = fields[fields.length - 1];
      if (last !== undefined && line.trim() !== '') last.explanation += ' ' + line.trim();
      continue;
    }
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    const explanation = m[6]!.trim();
    fields.push({
      start,
      end,
      format: m[3]!,
      unit: m[4]!,
      label: m[5]!,
      explanation,
      nullable: /^(\[[^\]]*\])?[-+=]*\?/.test(explanation),
      column: columnName(m[5]!),
      type: typeOf(m[3]!),
    });
  }
  if (fields.length === 0) throw new Error(`the byte-by-byte description of ${file} lists no fields`);
  const seen = new Set<string>();
  for (const f of fields) {
    while (seen.has(f.column)) f.column += '_';
    seen.add(f.column);
  }
  return fields;
}

/** Value of one field in a record line (null when blank or not a number). */
export function fieldValue(line: string, f: CdsField): number | string | null {
  const raw = line.slice(f.start - 1, f.end).trim();
  if (raw === '') return null;
  if (f.type === 'text') return raw;
  const v = f.type === 'double' ? Number(raw) : Number.parseInt(raw, 10);
  return Number.isFinite(v) ? v : null;
}
