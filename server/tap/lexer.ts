/**
 * ADQL 2.1 tokenizer: text -> tokens with their line and column (1-based), so every parse
 * error can name where it happened and what it found. Pure; throws AdqlError on a character
 * that starts no token (or an unterminated string / delimited identifier).
 */

export class AdqlError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? message : `${message} (line ${line}, column ${column})`);
    this.name = 'AdqlError';
  }
}

export type TokenKind = 'word' | 'delimited' | 'number' | 'string' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text (for words: as written; for strings and delimited identifiers: the unquoted value). */
  text: string;
  line: number;
  column: number;
}

/** Longest operators first. */
const OPERATORS = ['<>', '!=', '<=', '>=', '||', '=', '<', '>', '+', '-', '*', '/', '(', ')', ',', '.', ';'];

/** Largest query text accepted (characters). */
export const MAX_QUERY_CHARS = 100_000;

export function tokenize(text: string): Token[] {
  if (text.length > MAX_QUERY_CHARS) {
    throw new AdqlError(`the query is ${text.length} characters long, more than the limit of ${MAX_QUERY_CHARS}`);
  }
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  const here = (at: number): { line: number; column: number } => ({ line, column: at - lineStart + 1 });
  while (i < n) {
    const ch = text[i]!;
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f') {
      i++;
      continue;
    }
    // -- comment to the end of the line
    if (ch === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const pos = here(i);
    if (/[A-Za-z]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      out.push({ kind: 'word', text: text.slice(i, j), ...pos });
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(text.slice(i, i + 400));
      const lit = m![0];
      if (/[A-Za-z_]/.test(text[i + lit.length] ?? '')) {
        throw new AdqlError(`malformed number "${text.slice(i, i + lit.length + 1)}"`, pos.line, pos.column);
      }
      out.push({ kind: 'number', text: lit, ...pos });
      i += lit.length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      // '' inside a string and "" inside a delimited identifier stand for one quote
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= n) {
          throw new AdqlError(
            ch === "'" ? 'unterminated string literal' : 'unterminated delimited identifier',
            pos.line,
            pos.column,
          );
        }
        const c = text[j]!;
        if (c === ch) {
          if (text[j + 1] === ch) {
            value += ch;
            j += 2;
            continue;
          }
          break;
        }
        if (c === '\n') {
          line++;
          lineStart = j + 1;
        }
        value += c;
        j++;
      }
      if (ch === '"' && value === '') throw new AdqlError('empty delimited identifier ""', pos.line, pos.column);
      out.push({ kind: ch === "'" ? 'string' : 'delimited', text: value, ...pos });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op === undefined) {
      const cp = String.fromCodePoint(text.codePointAt(i)!);
      throw new AdqlError(`unexpected character ${JSON.stringify(cp)}`, pos.line, pos.column);
    }
    out.push({ kind: 'op', text: op === '!=' ? '<>' : op, ...pos });
    i += op.length;
  }
  out.push({ kind: 'eof', text: '', ...here(i) });
  return out;
}
