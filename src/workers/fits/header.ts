/**
 * FITS header parsing (FITS 4.0 §4; docs: STANDARDS.md A6).
 *
 * A header is a sequence of 80-character ASCII "cards" ended by an `END` card and padded with
 * spaces to a multiple of 2880 bytes. Value cards are `KEYWORD = value / comment` with the
 * keyword in columns 1-8 and the value indicator `= ` in columns 9-10. Supported here:
 *
 * - values: integers and floats (also Fortran `D` exponents) -> `number`; strings in single
 *   quotes (`''` inside a string is one quote; trailing spaces are not significant and are
 *   trimmed, leading spaces are kept) -> `string`; logical `T`/`F` -> `boolean`; complex
 *   `(re, im)` -> `{ re, im }`; an empty value field -> `null` ("undefined value");
 * - comments after `/` (kept per card), `COMMENT` / `HISTORY` / blank-keyword commentary cards;
 * - the CONTINUE long-string convention (a string ending in `&` continued by `CONTINUE` cards;
 *   the segments are joined and their comments joined with a space);
 * - the ESO `HIERARCH` convention (`HIERARCH ESO DET CHIP ID = 'x'` -> key `ESO DET CHIP ID`).
 *
 * Lookups are case-insensitive and return the FIRST card with that keyword (as astropy does).
 * Pure TypeScript: no DOM or Node APIs.
 */

import { FitsError } from './errors.js';

export const FITS_BLOCK = 2880;
export const FITS_CARD = 80;

/** A complex header value, `(re, im)`. */
export interface FitsComplex {
  readonly re: number;
  readonly im: number;
}

/**
 * A header value. `null` means the card is present but its value field is empty (the FITS
 * "undefined value") or could not be parsed in lenient mode (see `FitsCard.error`).
 */
export type FitsValue = string | number | boolean | FitsComplex | null;

/** One logical card (a value card together with its CONTINUE cards counts as one). */
export interface FitsCard {
  /** Index of the card's first raw card in `FitsHeader.cards`. */
  readonly index: number;
  /** Number of raw cards used (1 + CONTINUE cards). */
  readonly rawCount: number;
  /**
   * Keyword as written, trimmed (`''` for a blank keyword). HIERARCH keywords are given
   * without the `HIERARCH ` prefix and with internal runs of spaces collapsed.
   */
  readonly key: string;
  /** `value` for `KEY = value` cards; `commentary` for COMMENT, HISTORY, blank and other cards without a value. */
  readonly kind: 'value' | 'commentary';
  /** Parsed value (value cards only). */
  readonly value?: FitsValue;
  /** The value field as written (trimmed, before unquoting); for exact integer parsing (BigInt). */
  readonly valueText?: string;
  /** Comment after `/` (value cards), trimmed; CONTINUE comments joined with a space. */
  readonly comment?: string;
  /** Text of a commentary card (columns 9-80, trailing spaces trimmed). */
  readonly text?: string;
  /** True for a HIERARCH card. */
  readonly hierarch: boolean;
  /** Why the value could not be parsed (lenient mode; `value` is then `null`). */
  readonly error?: string;
}

export interface HeaderParseOptions {
  /**
   * Strict mode: non-printable characters in a card and unparsable values throw
   * `FitsError('BAD_CARD')` instead of being recorded in `FitsHeader.warnings`.
   */
  strict?: boolean;
  /** Stop looking for the END card after this many bytes (default: until the end of the input). */
  maxHeaderBytes?: number;
  /** Prefix used in error and warning messages (e.g. "HDU 2"). */
  context?: string;
}

export interface HeaderParseResult {
  header: FitsHeader;
  /** Byte offset of the END card. */
  endCardOffset: number;
  /** Byte offset just after the header padding (next multiple of 2880 after END); may exceed the input length for unpadded input. */
  paddedEnd: number;
}

/** Decodes printable-ASCII header bytes (identical to byte values there); undefined where TextDecoder lacks 'latin1'. */
const ASCII_DECODER: TextDecoder | undefined = (() => {
  try {
    return new TextDecoder('latin1');
  } catch {
    return undefined;
  }
})();

const COMMENTARY_KEYS = new Set(['COMMENT', 'HISTORY', '']);

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][+-]?\d+)?$/;

/** Normalise a lookup key: trim, upper-case, strip a `HIERARCH ` prefix, collapse spaces. */
function normKey(key: string): string {
  // fast path: keys already in normal form (upper case, digits, '-', '_'; no spaces) - every
  // standard keyword - are returned as they are, without regular expressions or copies
  let plain = key.length > 0;
  for (let i = 0; i < key.length && plain; i++) {
    const c = key.charCodeAt(i);
    plain = (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
  }
  if (plain) return key;
  let k = key.trim().replace(/\s+/g, ' ').toUpperCase();
  if (k.startsWith('HIERARCH ')) k = k.slice(9).trim();
  return k;
}

export class FitsHeader {
  /** Raw 80-character card images, in order, up to but excluding END. */
  readonly cards: readonly string[];
  /** Parsed logical cards, in order (CONTINUE cards merged into their value card). */
  readonly entries: readonly FitsCard[];
  /** Text of the HISTORY cards, in order. */
  readonly history: readonly string[];
  /** Text of the COMMENT cards, in order. */
  readonly comments: readonly string[];
  /** Problems tolerated while parsing (lenient mode). */
  readonly warnings: readonly string[];

  private readonly index: Map<string, number[]>;

  constructor(cards: readonly string[], entries: readonly FitsCard[], warnings: readonly string[] = []) {
    this.cards = cards;
    this.entries = entries;
    this.warnings = warnings;
    const history: string[] = [];
    const comments: string[] = [];
    const index = new Map<string, number[]>();
    entries.forEach((e, i) => {
      if (e.kind === 'commentary') {
        if (e.key === 'HISTORY') history.push(e.text ?? '');
        else if (e.key === 'COMMENT') comments.push(e.text ?? '');
        return;
      }
      const k = normKey(e.key);
      const list = index.get(k);
      if (list) list.push(i);
      else index.set(k, [i]);
    });
    this.history = history;
    this.comments = comments;
    this.index = index;
  }

  /**
   * Parse a header given as text: either concatenated 80-character cards (as in a file, with
   * or without an END card) or one card per line.
   */
  static fromString(text: string, options: HeaderParseOptions = {}): FitsHeader {
    let raw: string[];
    if (/[\r\n]/.test(text)) {
      raw = text.split(/\r?\n|\r/).map((l) => l.padEnd(FITS_CARD).slice(0, FITS_CARD));
    } else {
      raw = [];
      for (let i = 0; i < text.length; i += FITS_CARD) raw.push(text.slice(i, i + FITS_CARD).padEnd(FITS_CARD));
    }
    const end = raw.findIndex(isEndCard);
    if (end >= 0) raw = raw.slice(0, end);
    // drop trailing blank lines (header padding)
    while (raw.length > 0 && raw[raw.length - 1]!.trim() === '') raw.pop();
    return buildHeader(raw, options);
  }

  /** Value of the first card with this keyword; `undefined` if absent, `null` for an undefined value. */
  get(key: string): FitsValue | undefined {
    const c = this.getCard(key);
    return c === undefined ? undefined : c.value;
  }

  /** Value as a number (`undefined` if absent or not a number). */
  getNumber(key: string): number | undefined {
    const v = this.get(key);
    return typeof v === 'number' ? v : undefined;
  }

  /** Value as an integer (`undefined` if absent or not an integer). */
  getInteger(key: string): number | undefined {
    const v = this.get(key);
    return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
  }

  /** Value as a string (`undefined` if absent or not a string). */
  getString(key: string): string | undefined {
    const v = this.get(key);
    return typeof v === 'string' ? v : undefined;
  }

  /** Value as a boolean (`undefined` if absent or not a logical). */
  getBoolean(key: string): boolean | undefined {
    const v = this.get(key);
    return typeof v === 'boolean' ? v : undefined;
  }

  /** Comment of the first card with this keyword. */
  getComment(key: string): string | undefined {
    return this.getCard(key)?.comment;
  }

  /** First value card with this keyword. */
  getCard(key: string): FitsCard | undefined {
    const list = this.index.get(normKey(key));
    return list === undefined ? undefined : this.entries[list[0]!];
  }

  /** All value cards with this keyword (duplicates), in order. */
  getAll(key: string): FitsCard[] {
    const list = this.index.get(normKey(key));
    return list === undefined ? [] : list.map((i) => this.entries[i]!);
  }

  /** Whether a value card with this keyword exists. */
  has(key: string): boolean {
    return this.index.has(normKey(key));
  }

  /** Unique keywords of the value cards, in order of first appearance (as written). */
  keys(): string[] {
    const out: string[] = [];
    for (const list of this.index.values()) out.push(this.entries[list[0]!]!.key);
    return out;
  }

  /** Number of raw cards (excluding END). */
  get length(): number {
    return this.cards.length;
  }

  /** The header as text: raw cards followed by END, without padding. */
  toString(): string {
    return this.cards.join('') + 'END'.padEnd(FITS_CARD);
  }
}

function isEndCard(card: string): boolean {
  return card.startsWith('END') && card.slice(3, 8).trim() === '';
}

/**
 * Parse the header that starts at `offset` in `bytes`. Throws `FitsError('NO_END')` when no END
 * card is found before the end of the input (or `maxHeaderBytes`).
 */
export function parseHeader(bytes: Uint8Array, offset = 0, options: HeaderParseOptions = {}): HeaderParseResult {
  const n = bytes.length;
  const limit = Math.min(n, offset + (options.maxHeaderBytes ?? Infinity));
  let end = -1;
  for (let p = offset; p + FITS_CARD <= limit; p += FITS_CARD) {
    if (
      bytes[p] === 0x45 && // E
      bytes[p + 1] === 0x4e && // N
      bytes[p + 2] === 0x44 && // D
      bytes[p + 3] === 0x20 &&
      bytes[p + 4] === 0x20 &&
      bytes[p + 5] === 0x20 &&
      bytes[p + 6] === 0x20 &&
      bytes[p + 7] === 0x20
    ) {
      end = p;
      break;
    }
  }
  if (end < 0) {
    const ctx = options.context ? `${options.context}: ` : '';
    const where = offset > 0 ? ` starting at byte ${offset}` : '';
    throw new FitsError(
      'NO_END',
      `${ctx}FITS header${where} has no END card within the first ${limit - offset} bytes` +
        (limit >= n ? ' (the input ends first; truncated or not a FITS file?)' : ''),
    );
  }
  const raw: string[] = [];
  const warnings: string[] = [];
  // the whole header as one string, cards are slices of it: decoded by TextDecoder when every
  // byte is printable ASCII (~10x String.fromCharCode.apply on a typed array), else byte by byte
  // (TextDecoder's 'latin1' is windows-1252, which differs from byte values in 0x80-0x9f)
  let printable = true;
  for (let j = offset; j < end && printable; j++) {
    const b = bytes[j]!;
    printable = b >= 0x20 && b <= 0x7e;
  }
  let text: string | undefined;
  if (printable && ASCII_DECODER !== undefined) {
    try {
      text = ASCII_DECODER.decode(bytes.subarray(offset, end));
    } catch {
      // e.g. a view on a SharedArrayBuffer, which browsers' TextDecoder refuses
    }
  }
  if (text === undefined) {
    text = '';
    for (let p = offset; p < end; p += 8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(p, Math.min(end, p + 8000)) as unknown as number[]);
    }
  }
  for (let p = offset; p < end; p += FITS_CARD) {
    const card = text.slice(p - offset, p - offset + FITS_CARD);
    if (!printable) {
      let bad = -1;
      for (let j = p; j < p + FITS_CARD; j++) {
        const b = bytes[j]!;
        if (b < 0x20 || b > 0x7e) {
          bad = b;
          break;
        }
      }
      if (bad >= 0) {
        const msg = `${options.context ? options.context + ': ' : ''}header card ${raw.length + 1} at byte ${p} contains a non-ASCII-text byte 0x${bad.toString(16).padStart(2, '0')}`;
        if (options.strict) throw new FitsError('BAD_CARD', msg);
        warnings.push(msg);
      }
    }
    raw.push(card);
  }
  const header = buildHeader(raw, options, warnings);
  const hdrLen = end + FITS_CARD - offset;
  const paddedEnd = offset + Math.ceil(hdrLen / FITS_BLOCK) * FITS_BLOCK;
  return { header, endCardOffset: end, paddedEnd };
}

interface ParsedValue {
  value: FitsValue;
  valueText: string;
  comment: string | undefined;
  error?: string;
  /** For strings: the unescaped string with trailing spaces removed. */
  isString: boolean;
}

/** Parse a value field (the text after `= `, or after `CONTINUE`). */
export function parseValueField(field: string): ParsedValue {
  let i = 0;
  const n = field.length;
  while (i < n && field[i] === ' ') i++;
  if (i >= n) return { value: null, valueText: '', comment: undefined, isString: false };
  if (field[i] === '/') return { value: null, valueText: '', comment: field.slice(i + 1).trim(), isString: false };
  if (field[i] === "'") {
    let s = '';
    let j = i + 1;
    let closed = false;
    while (j < n) {
      const q = field.indexOf("'", j);
      if (q < 0) break;
      s += field.slice(j, q);
      if (field[q + 1] === "'") {
        s += "'";
        j = q + 2;
        continue;
      }
      j = q + 1;
      closed = true;
      break;
    }
    if (!closed) {
      return { value: null, valueText: field.slice(i).trim(), comment: undefined, error: 'unterminated string value', isString: false };
    }
    const valueText = field.slice(i, j);
    const rest = field.slice(j);
    const { comment, garbage } = splitComment(rest);
    const out: ParsedValue = { value: s.trimEnd(), valueText, comment, isString: true };
    if (garbage) out.error = `unexpected text after the string value: "${garbage}"`;
    return out;
  }
  if (field[i] === '(') {
    const close = field.indexOf(')', i);
    if (close < 0) return { value: null, valueText: field.slice(i).trim(), comment: undefined, error: 'unterminated complex value', isString: false };
    const inner = field.slice(i + 1, close).split(',');
    const valueText = field.slice(i, close + 1);
    const { comment, garbage } = splitComment(field.slice(close + 1));
    if (inner.length === 2) {
      const re = parseNumber(inner[0]!.trim());
      const im = parseNumber(inner[1]!.trim());
      if (re !== undefined && im !== undefined) {
        const out: ParsedValue = { value: { re, im }, valueText, comment, isString: false };
        if (garbage) out.error = `unexpected text after the value: "${garbage}"`;
        return out;
      }
    }
    return { value: null, valueText, comment, error: `unparsable complex value "${valueText}"`, isString: false };
  }
  const slash = field.indexOf('/', i);
  const token = (slash < 0 ? field.slice(i) : field.slice(i, slash)).trim();
  const comment = slash < 0 ? undefined : field.slice(slash + 1).trim();
  if (token === 'T' || token === 'F') return { value: token === 'T', valueText: token, comment, isString: false };
  const num = parseNumber(token);
  if (num !== undefined) return { value: num, valueText: token, comment, isString: false };
  return { value: null, valueText: token, comment, error: `unparsable value "${token}"`, isString: false };
}

function parseNumber(token: string): number | undefined {
  if (INT_RE.test(token)) return Number(token);
  if (FLOAT_RE.test(token)) return Number(token.replace(/[Dd]/, 'E'));
  return undefined;
}

function splitComment(rest: string): { comment: string | undefined; garbage: string | undefined } {
  const t = rest.trim();
  if (t === '') return { comment: undefined, garbage: undefined };
  if (t[0] === '/') return { comment: t.slice(1).trim(), garbage: undefined };
  const slash = t.indexOf('/');
  return slash < 0
    ? { comment: undefined, garbage: t }
    : { comment: t.slice(slash + 1).trim(), garbage: t.slice(0, slash).trim() };
}

interface ProtoCard {
  key: string;
  kind: 'value' | 'commentary' | 'continue';
  hierarch: boolean;
  field: string; // value field (value / continue cards)
  text: string; // commentary text
}

function splitCard(card: string): ProtoCard {
  if (card.startsWith('HIERARCH ')) {
    const eq = card.indexOf('=', 9);
    if (eq > 9) {
      const key = card.slice(9, eq).trim().replace(/\s+/g, ' ');
      if (key !== '') return { key, kind: 'value', hierarch: true, field: card.slice(eq + 1), text: '' };
    }
    return { key: 'HIERARCH', kind: 'commentary', hierarch: false, field: '', text: card.slice(8).trimEnd() };
  }
  const key = card.slice(0, 8).trim();
  if (COMMENTARY_KEYS.has(key.toUpperCase())) {
    return { key, kind: 'commentary', hierarch: false, field: '', text: card.slice(8).trimEnd() };
  }
  if (key === 'CONTINUE' && card[8] !== '=') {
    return { key, kind: 'continue', hierarch: false, field: card.slice(8), text: card.slice(8).trimEnd() };
  }
  if (card[8] === '=') {
    return { key, kind: 'value', hierarch: false, field: card.slice(9), text: '' };
  }
  return { key, kind: 'commentary', hierarch: false, field: '', text: card.slice(8).trimEnd() };
}

function buildHeader(raw: readonly string[], options: HeaderParseOptions, warnings: string[] = []): FitsHeader {
  const ctx = options.context ? `${options.context}: ` : '';
  const protos = raw.map(splitCard);
  const entries: FitsCard[] = [];
  for (let i = 0; i < protos.length; i++) {
    const p = protos[i]!;
    if (p.kind !== 'value') {
      entries.push({ index: i, rawCount: 1, key: p.key, kind: 'commentary', text: p.text, hierarch: false });
      continue;
    }
    const pv = parseValueField(p.field);
    let value = pv.value;
    let comment = pv.comment;
    let rawCount = 1;
    if (pv.isString && typeof value === 'string' && value.endsWith('&') && protos[i + 1]?.kind === 'continue') {
      // CONTINUE long-string convention
      let joined = value.slice(0, -1);
      const comments: string[] = comment ? [comment] : [];
      let more = true;
      while (more && protos[i + rawCount]?.kind === 'continue') {
        const cv = parseValueField(protos[i + rawCount]!.field);
        if (!cv.isString || typeof cv.value !== 'string') break;
        let seg = cv.value;
        more = seg.endsWith('&');
        if (more) seg = seg.slice(0, -1);
        joined += seg;
        if (cv.comment) comments.push(cv.comment);
        rawCount++;
      }
      value = joined.trimEnd();
      comment = comments.length > 0 ? comments.join(' ') : undefined;
    }
    const entry: { -readonly [K in keyof FitsCard]: FitsCard[K] } = {
      index: i,
      rawCount,
      key: p.key,
      kind: 'value',
      value,
      valueText: pv.valueText,
      hierarch: p.hierarch,
    };
    if (comment !== undefined) entry.comment = comment;
    if (pv.error !== undefined) {
      const msg = `${ctx}card ${i + 1} (${p.key || 'blank keyword'}): ${pv.error}`;
      if (options.strict) throw new FitsError('BAD_CARD', msg);
      warnings.push(msg);
      entry.error = pv.error;
    }
    entries.push(entry);
    // CONTINUE cards consumed above are represented by the value card
    i += rawCount - 1;
  }
  return new FitsHeader(raw, entries, warnings);
}
