/**
 * CSV / TSV (and ';', '|', whitespace separated) text to a Table.
 *
 * - Delimiter: `options.delimiter`, else sniffed among ',', '\t', ';', '|' (the one that splits
 *   the first data lines, outside quotes, into the most consistent number of fields > 1), else
 *   whitespace (runs of blanks) when that splits consistently, else ',' (one column).
 * - Quoting (RFC 4180): fields in double quotes may hold delimiters, newlines and "" for a quote;
 *   an unterminated quoted field throws TableError('BAD_DELIMITED') with its line and column.
 *   Unquoted fields are trimmed; quoted ones are kept as written. Line ends: \n, \r\n, \r.
 * - Comments: lines starting with '#' (before the data) are skipped and kept in meta.comments.
 *   When there is no header line and the last comment line right before the data splits into
 *   as many non-numeric names as the data has columns (the "# ra dec mag" convention of STILTS
 *   ascii and many catalogue dumps), those are the column names.
 * - Header: `options.header` (true/false), else sniffed: the first record is a header when none
 *   of its cells is a number and, column by column, it does not look like data (a numeric
 *   column under a text name, or a text name whose length differs from a fixed-length text
 *   column). Without a header, columns are named col1, col2, ... Empty or repeated names become
 *   colN / name_2.
 * - Units: a header cell "name [unit]" gives the name and unit. A units row is recognised
 *   (`options.unitsRow`, default 'auto') in two conventions: VizieR's ASU-TSV (header, units,
 *   then a row of dashes '----') and a second line whose cells are all non-numeric in columns
 *   that are numeric below it (e.g. "deg", "mag", "" ). A dashes row alone is skipped.
 * - Types per column: 'int' (Int32Array) when every non-null cell is an integer within int32,
 *   'long' (Float64Array when |v| ≤ 2^53, else BigInt64Array) for larger integers, 'double'
 *   (Float64Array) when every non-null cell is a number (also NaN, Inf, Infinity), else 'char'
 *   (string[]). Nulls: an empty cell, or in numeric columns null / NULL / NaN / nan / N/A / NA
 *   / -- / None; they set `nulls[row]` (and NaN in double columns).
 * - With ';' as the delimiter, a column whose every cell is a number with a decimal comma
 *   (10,68) is read as double.
 * - Rows shorter than the header are padded with nulls; longer rows add columns colN.
 */
import { TableError, emptyMeta, indexColumns, lineColumn } from './table.js';
import type { Column, Table } from './table.js';
import { decodeXmlBytes } from './votable.js';

export interface DelimitedOptions {
  /** ',', '\t', ';', '|', 'whitespace' or any single character; sniffed when absent. */
  delimiter?: string;
  /** Whether the first record is a header; sniffed when absent. */
  header?: boolean;
  /** Units row after the header: 'auto' (default), true (the record after the header is units), false. */
  unitsRow?: boolean | 'auto';
  /** Comment line prefix (default '#'); '' for none. */
  comment?: string;
  /** Cells read as null in numeric columns (default: '', null, NULL, NaN, nan, N/A, NA, --, None). */
  nullValues?: string[];
  /** Table name to report. */
  name?: string;
}

const DEFAULT_NULLS = ['', 'null', 'NULL', 'Null', 'NaN', 'nan', 'N/A', 'n/a', 'NA', '--', 'None', 'none'];
const INT_RE = /^[+-]?\d+$/;
const DECIMAL_COMMA_RE = /^[+-]?\d+(?:,\d+)?(?:[eE][+-]?\d+)?$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

interface Rec {
  cells: string[];
  /** 1-based line where the record starts. */
  line: number;
  /** Which cells were quoted (only when any was). */
  quoted?: boolean[];
}

/** Parse CSV/TSV text. */
export function parseDelimited(input: string | Uint8Array, options: DelimitedOptions = {}): Table {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new TableError('BAD_ARGUMENT', 'parseDelimited expects a string or a Uint8Array');
  }
  let text = typeof input === 'string' ? input : decodeXmlBytes(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const comment = options.comment ?? '#';
  const nullSet = new Set(options.nullValues ?? DEFAULT_NULLS);

  // 1. comment lines before the data, and where the data starts
  const comments: string[] = [];
  let pos = 0;
  let line = 1;
  for (;;) {
    if (pos >= text.length) break;
    const eol = lineEnd(text, pos);
    const l = text.slice(pos, eol);
    const isComment = comment !== '' && l.trimStart().startsWith(comment);
    if (!isComment && l.trim() !== '') break;
    if (isComment) comments.push(l.trimStart().slice(comment.length));
    pos = skipEol(text, eol);
    line++;
  }

  // 2. delimiter
  let delim = options.delimiter;
  if (delim === '\\t' || delim === 'tab') delim = '\t';
  if (delim !== undefined && delim !== 'whitespace' && delim.length !== 1) {
    throw new TableError('BAD_ARGUMENT', `delimiter must be one character or 'whitespace', not '${delim}'`);
  }
  if (delim === undefined) delim = sniffDelimiter(text, pos, comment);

  // 3. records
  const recs = readRecords(text, pos, line, delim, comment);

  // 4. header, units
  let names: string[] | undefined;
  let units: string[] | undefined;
  let first = 0;
  let header = false;
  if (recs.length > 0) {
    header = options.header ?? sniffHeader(recs, nullSet);
    if (header) {
      names = recs[0].cells;
      first = 1;
    }
  }
  if (!names && options.header === undefined && comments.length > 0 && recs.length > 0) {
    const cand = splitCommentHeader(comments[comments.length - 1], delim);
    if (cand && cand.length === recs[0].cells.length && cand.every((c) => c !== '' && !isNumber(c))) {
      names = cand;
      comments.pop();
      header = true;
    }
  }
  let unitsRow = false;
  if (names) {
    const u = options.unitsRow ?? 'auto';
    const r1 = recs[first];
    const r2 = recs[first + 1];
    if (u === true && r1) {
      units = r1.cells;
      first++;
      unitsRow = true;
      if (recs[first] && isDashes(recs[first])) first++;
    } else if (u === 'auto' && r1) {
      if (isDashes(r1)) first++;
      else if (r2 && isDashes(r2)) {
        units = r1.cells;
        unitsRow = true;
        first += 2;
      } else if (looksLikeUnits(r1, recs, first + 1, nullSet)) {
        units = r1.cells;
        unitsRow = true;
        first++;
      }
    }
  }

  // 5. columns
  const data = recs.slice(first);
  let ncols = names ? names.length : 0;
  for (const r of data) if (r.cells.length > ncols) ncols = r.cells.length;
  const finalNames = uniqueNames(ncols, names);
  const columns: Column[] = [];
  for (let c = 0; c < ncols; c++) {
    const cells: string[] = new Array<string>(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i].cells[c];
      cells[i] = v === undefined ? '' : v;
    }
    const col = inferColumn(finalNames[c].name, cells, nullSet, delim === ';');
    const unit = units?.[c]?.trim() || finalNames[c].unit;
    if (unit) col.unit = unit;
    columns.push(col);
  }
  const meta = emptyMeta();
  meta.delimiter = delim;
  meta.header = header;
  meta.unitsRow = unitsRow;
  meta.comments = comments;
  const t: Table = {
    nrows: data.length,
    columns,
    byName: indexColumns(columns),
    meta,
    format: 'csv',
    serialization: 'text',
  };
  if (options.name !== undefined) t.name = options.name;
  return t;
}

function lineEnd(text: string, pos: number): number {
  let i = pos;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) break;
    i++;
  }
  return i;
}

function skipEol(text: string, eol: number): number {
  if (text.charCodeAt(eol) === 13 && text.charCodeAt(eol + 1) === 10) return eol + 2;
  return eol + 1;
}

function isNumber(s: string): boolean {
  const t = s.trim();
  return FLOAT_RE.test(t) && t.toLowerCase().indexOf('n') === -1 ? true : INT_RE.test(t);
}

function isDashes(r: Rec): boolean {
  let long = false;
  for (const c of r.cells) {
    const t = c.trim();
    if (t === '') continue;
    if (!/^-+$/.test(t)) return false;
    if (t.length >= 2) long = true;
  }
  return long;
}

function splitCommentHeader(line: string, delim: string): string[] | undefined {
  const t = line.trim();
  if (t === '') return undefined;
  const parts = delim === 'whitespace' ? t.split(/\s+/) : t.split(delim).map((s) => s.trim());
  return parts;
}

/** Candidate delimiters scored on the first lines (quotes respected). */
function sniffDelimiter(text: string, pos: number, comment: string): string {
  const lines: string[] = [];
  let p = pos;
  let inQuote = false;
  let start = p;
  // up to 30 logical lines
  while (p < text.length && lines.length < 30) {
    const c = text.charCodeAt(p);
    if (c === 34) inQuote = !inQuote;
    else if (!inQuote && (c === 10 || c === 13)) {
      const l = text.slice(start, p);
      if (l.trim() !== '' && !(comment !== '' && l.trimStart().startsWith(comment))) lines.push(l);
      p = skipEol(text, p);
      start = p;
      continue;
    }
    p++;
  }
  if (lines.length < 30 && start < text.length) {
    const l = text.slice(start, Math.min(text.length, start + 100000));
    if (l.trim() !== '') lines.push(l);
  }
  if (lines.length === 0) return ',';
  let best = '';
  let bestScore = 0;
  for (const d of [',', '\t', ';', '|']) {
    const counts = lines.map((l) => countOutsideQuotes(l, d.charCodeAt(0)));
    const score = consistency(counts);
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  if (best !== '') return best;
  const ws = lines.map((l) => {
    const t = l.trim();
    return t === '' ? 0 : t.split(/\s+/).length - 1;
  });
  if (consistency(ws) > 0) return 'whitespace';
  return ',';
}

/** Score of a list of per-line delimiter counts: mode × fraction of lines with the mode, 0 if mode is 0. */
function consistency(counts: number[]): number {
  const freq = new Map<number, number>();
  for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
  let mode = 0;
  let modeN = 0;
  for (const [c, n] of freq) if (n > modeN || (n === modeN && c > mode)) [mode, modeN] = [c, n];
  if (mode === 0) return 0;
  const frac = modeN / counts.length;
  if (frac < 0.6) return 0;
  return frac * (1 + Math.log(1 + mode));
}

function countOutsideQuotes(l: string, d: number): number {
  let n = 0;
  let q = false;
  for (let i = 0; i < l.length; i++) {
    const c = l.charCodeAt(i);
    if (c === 34) q = !q;
    else if (c === d && !q) n++;
  }
  return n;
}

/** Split the text into records of cells. */
function readRecords(text: string, start: number, startLine: number, delim: string, comment: string): Rec[] {
  const out: Rec[] = [];
  const ws = delim === 'whitespace';
  const n = text.length;
  // a file with only '\r' line ends: scan lines on '\r'
  const nl = text.indexOf('\n', start) === -1 && text.indexOf('\r', start) !== -1 ? '\r' : '\n';
  let i = start;
  let line = startLine;
  while (i < n) {
    let eol = text.indexOf(nl, i);
    if (eol === -1) eol = n;
    let end = eol;
    if (nl === '\n' && end > i && text.charCodeAt(end - 1) === 13) end--;
    if (end === i || (comment !== '' && text.startsWith(comment, i))) {
      i = eol + 1;
      line++;
      continue;
    }
    const l = text.slice(i, end);
    if (l.indexOf('"') !== -1) {
      // quoted fields may hold delimiters and line ends: character scanner
      const r = scanRecord(text, i, line, delim);
      i = r.next;
      const recLine = line;
      line = r.line;
      if (!r.blank) out.push(r.quoted ? { cells: r.cells, line: recLine, quoted: r.quoted } : { cells: r.cells, line: recLine });
      continue;
    }
    i = eol + 1;
    const recLine = line++;
    let cells: string[];
    if (ws) {
      const t = l.trim();
      if (t === '') continue;
      cells = t.split(/[ \t]+/);
    } else {
      cells = l.split(delim);
      let blank = true;
      for (let k = 0; k < cells.length; k++) {
        const c = cells[k];
        if (c.length !== 0 && (isBlank(c.charCodeAt(0)) || isBlank(c.charCodeAt(c.length - 1)))) cells[k] = c.trim();
        if (cells[k] !== '') blank = false;
      }
      if (blank) continue;
    }
    out.push({ cells, line: recLine });
  }
  return out;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c === 0xa0;
}

/** One record from `i` with quoted fields (RFC 4180): cells, the offset after it, lines consumed. */
function scanRecord(
  text: string,
  start: number,
  startLine: number,
  delim: string,
): { cells: string[]; quoted?: boolean[]; next: number; line: number; blank: boolean } {
  const ws = delim === 'whitespace';
  const d = ws ? -1 : delim.charCodeAt(0);
  const n = text.length;
  const cells: string[] = [];
  let quoted: boolean[] | undefined;
  let blank = true;
  let i = start;
  let line = startLine;
  for (;;) {
    // skip leading blanks of the field
    let j = i;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 32 || (c === 9 && d !== 9)) j++;
      else break;
    }
    if (ws) {
      i = j;
      const c = text.charCodeAt(i);
      if (i >= n || c === 10 || c === 13) break; // end of record
    }
    if (text.charCodeAt(j) === 34 /* " */) {
      let k = j + 1;
      let value = '';
      let segStart = k;
      for (;;) {
        const q = text.indexOf('"', k);
        if (q === -1) {
          const at = lineColumn(text, j);
          throw new TableError('BAD_DELIMITED', 'unterminated quoted field', { offset: j, line: at.line, column: at.column });
        }
        if (text.charCodeAt(q + 1) === 34) {
          value += text.slice(segStart, q + 1);
          k = q + 2;
          segStart = k;
          continue;
        }
        value += text.slice(segStart, q);
        k = q + 1;
        break;
      }
      for (let m = j + 1; m < k; m++) if (text.charCodeAt(m) === 10) line++;
      // text after the closing quote up to the delimiter is appended (lenient)
      let e = k;
      while (e < n) {
        const c = text.charCodeAt(e);
        if (c === 10 || c === 13 || c === d || (ws && (c === 32 || c === 9))) break;
        e++;
      }
      const tail = text.slice(k, e).trim();
      if (tail !== '') value += tail;
      quoted ??= [];
      quoted[cells.length] = true;
      cells.push(value);
      blank = false;
      i = e;
    } else {
      let e = j;
      while (e < n) {
        const c = text.charCodeAt(e);
        if (c === 10 || c === 13 || c === d || (ws && (c === 32 || c === 9))) break;
        e++;
      }
      const v = text.slice(j, e).trim();
      if (v !== '') blank = false;
      cells.push(v);
      i = e;
    }
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) break;
    if (!ws) i++; // past the delimiter
    if (!ws && i >= n) {
      cells.push('');
      break;
    }
  }
  if (i < n) {
    i = skipEol(text, i);
    line++;
  }
  return quoted ? { cells, quoted, next: i, line, blank } : { cells, next: i, line, blank };
}

function sniffHeader(recs: Rec[], nulls: Set<string>): boolean {
  const h = recs[0];
  if (h.cells.some((c, k) => !h.quoted?.[k] && isNumber(c))) return false;
  if (h.cells.every((c) => c === '')) return false;
  if (recs.length === 1) return true;
  const sample = recs.slice(1, 201);
  let votes = 0;
  for (let c = 0; c < h.cells.length; c++) {
    let numeric = 0;
    let text = 0;
    let lenFixed = -1;
    for (const r of sample) {
      const v = r.cells[c];
      if (v === undefined || nulls.has(v.trim())) continue;
      if (isNumber(v)) numeric++;
      else {
        text++;
        lenFixed = lenFixed === -1 ? v.length : lenFixed === v.length ? lenFixed : -2;
      }
    }
    if (numeric > 0 && text === 0) votes++;
    else if (text > 0 && numeric === 0 && lenFixed >= 0) votes += h.cells[c].length === lenFixed ? -1 : 1;
  }
  return votes >= 0;
}

function looksLikeUnits(r1: Rec, recs: Rec[], from: number, nulls: Set<string>): boolean {
  const sample = recs.slice(from, from + 200);
  if (sample.length === 0) return false;
  let numericCols = 0;
  for (let c = 0; c < r1.cells.length; c++) {
    let numeric = 0;
    let text = 0;
    for (const r of sample) {
      const v = r.cells[c];
      if (v === undefined || nulls.has(v.trim())) continue;
      if (isNumber(v)) numeric++;
      else text++;
    }
    if (numeric > 0 && text === 0) {
      const u = r1.cells[c].trim();
      if (isNumber(u) || u.length > 24) return false;
      if (u !== '') numericCols++;
    }
  }
  return numericCols > 0;
}

function uniqueNames(ncols: number, names: string[] | undefined): Array<{ name: string; unit?: string }> {
  const out: Array<{ name: string; unit?: string }> = [];
  const seen = new Set<string>();
  for (let c = 0; c < ncols; c++) {
    let name = (names?.[c] ?? '').trim();
    let unit: string | undefined;
    const m = /^(.*\S)\s*\[([^\]]*)\]$/.exec(name);
    if (m) {
      name = m[1];
      unit = m[2].trim();
    }
    if (name === '') name = `col${c + 1}`;
    let unique = name;
    for (let k = 2; seen.has(unique); k++) unique = `${name}_${k}`;
    seen.add(unique);
    out.push(unit ? { name: unique, unit } : { name: unique });
  }
  return out;
}


/** Whether v is [+-]digits. */
function isIntText(v: string): boolean {
  let k = 0;
  const c0 = v.charCodeAt(0);
  if (c0 === 43 || c0 === 45) k = 1;
  if (k >= v.length) return false;
  for (; k < v.length; k++) {
    const c = v.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A decimal number (no hex/binary/octal prefixes), or NaN. Accepts nan / inf / infinity. */
function numberText(v: string): number {
  const x = +v;
  if (x === x) {
    // Number() also takes 0x.., 0b.., 0o..: not decimal
    if (v.length > 1 && v.charCodeAt(0) === 48) {
      const c1 = v.charCodeAt(1) | 32;
      if (c1 === 120 || c1 === 98 || c1 === 111) return NaN;
    }
    return x;
  }
  return FLOAT_RE.test(v) ? parseNum(v) : NaN;
}

/** Infer a column's type from its cells and build it. */
function inferColumn(name: string, cells: string[], nulls: Set<string>, decimalComma: boolean): Column {
  const n = cells.length;
  const parsed = new Float64Array(n);
  let mask: Uint8Array | undefined;
  let allInt = true;
  let int32 = true;
  let safe = true;
  let allNum = true;
  let anyValue = false;
  // first characters of the null tokens: cells starting otherwise skip the Set lookup
  const firsts = new Set<number>();
  for (const t of nulls) firsts.add(t.charCodeAt(0));
  for (let i = 0; i < n; i++) {
    const v = cells[i];
    if (v === '' || (firsts.has(v.charCodeAt(0)) && nulls.has(v))) {
      (mask ??= new Uint8Array(n))[i] = 1;
      parsed[i] = NaN;
      continue;
    }
    anyValue = true;
    const x = numberText(v);
    if (x !== x && !/^[+-]?nan$/i.test(v)) {
      allNum = false;
      break;
    }
    parsed[i] = x;
    if (allInt) {
      if (!isIntText(v)) allInt = false;
      else if (x < -2147483648 || x > 2147483647) {
        int32 = false;
        if (!Number.isSafeInteger(x)) safe = false;
      }
    }
  }
  if (!anyValue) allNum = false; // an empty column is text
  if (allNum && allInt && int32) {
    const values = new Int32Array(n);
    for (let i = 0; i < n; i++) if (!(mask && mask[i])) values[i] = parsed[i];
    return withNulls({ name, datatype: 'int', kind: 'scalar', values }, mask);
  }
  if (allNum && allInt && safe) return withNulls({ name, datatype: 'long', kind: 'scalar', values: parsed }, mask);
  if (allNum && allInt) {
    const values = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      if (mask && mask[i]) continue;
      const v = cells[i].replace(/^\+/, '');
      if (v.replace(/^-/, '').length > 25) (mask ??= new Uint8Array(n))[i] = 1;
      else {
        let b = BigInt(v);
        if (b > 9223372036854775807n) b = 9223372036854775807n;
        else if (b < -9223372036854775808n) b = -9223372036854775808n;
        values[i] = b;
      }
    }
    return withNulls({ name, datatype: 'long', kind: 'scalar', values }, mask);
  }
  if (allNum) {
    // NaN written as such is a value, not a null
    if (mask) for (let i = 0; i < n; i++) if (mask[i] && /^[+-]?nan$/i.test(cells[i])) mask[i] = 0;
    if (mask && mask.every((m) => m === 0)) mask = undefined;
    return withNulls({ name, datatype: 'double', kind: 'scalar', values: parsed }, mask);
  }
  if (anyValue && decimalComma) {
    // ';'-separated files often use a decimal comma: 10,68
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const v = cells[i];
      if (v !== '' && !nulls.has(v) && !DECIMAL_COMMA_RE.test(v)) ok = false;
    }
    if (ok) return inferColumn(name, cells.map((v) => v.replace(',', '.')), nulls, false);
  }
  let smask: Uint8Array | undefined;
  for (let i = 0; i < n; i++) if (cells[i] === '') (smask ??= new Uint8Array(n))[i] = 1;
  return withNulls({ name, datatype: 'char', kind: 'string', values: cells }, smask);
}

function parseNum(v: string): number {
  const x = Number(v);
  if (x === x) return x;
  const t = v.toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return NaN;
}

function withNulls(c: Column, mask: Uint8Array | undefined): Column {
  if (mask) c.nulls = mask;
  return c;
}
