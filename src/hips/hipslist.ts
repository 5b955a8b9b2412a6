// Parses a HiPS list (HiPS 1.0 §4.5, STANDARDS.md A2): UTF-8 text of `properties` records, one
// `key = value` per line, records separated by one or more blank lines, '#' comment lines
// anywhere. Each record must carry creator_did, hips_release_date, hips_service_url and
// hips_status; malformed lines and incomplete records are errors that name the line.
import { parseHipsProperties, type HipsProperties } from './properties.js';

/** Keys every hipslist record must have (HiPS 1.0 §4.5). */
export const HIPSLIST_MANDATORY_KEYS: readonly string[] = ['creator_did', 'hips_release_date', 'hips_service_url', 'hips_status'];

export interface HipsListRecord {
  /** The record parsed as a properties file (typed fields and every raw key). */
  readonly properties: HipsProperties;
  /** 1-based line of the record's first key. */
  readonly line: number;
  /** creator_did (the record's identifier). */
  readonly creatorDid: string;
  /** hips_service_url, then its mirrors hips_service_url_1, _2, ... in number order. */
  readonly serviceUrls: readonly string[];
  /** hips_status words, e.g. ['public', 'master', 'clonableOnce']. */
  readonly status: readonly string[];
  readonly releaseDate: string;
}

/** A hipslist that cannot be read; `line` is 1-based. */
export class HipsListParseError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`hipslist line ${line}: ${message}`);
    this.name = 'HipsListParseError';
    this.line = line;
  }
}

export interface HipsListOptions {
  /**
   * What to do with a record that lacks a mandatory key: 'error' (default) throws, 'skip' leaves
   * it out and reports it in `skipped`.
   */
  readonly incomplete?: 'error' | 'skip';
}

export interface HipsList {
  readonly records: HipsListRecord[];
  /** Records left out (only with incomplete: 'skip'), with the reason and their first line. */
  readonly skipped: Array<{ line: number; reason: string }>;
}

const KEY_RE = /^[A-Za-z0-9_.:-]+$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/;

interface RawRecord {
  line: number;
  lines: string[];
  keys: Map<string, number>;
}

/** Parses hipslist text; throws HipsListParseError naming the line of the first problem. */
export function parseHipsList(text: string, options: HipsListOptions = {}): HipsList {
  if (typeof text !== 'string') throw new TypeError(`parseHipsList expects a string, got ${typeof text}`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r\n|\n|\r/);
  const raws: RawRecord[] = [];
  let current: RawRecord | undefined;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const trimmed = lines[i].trim();
    if (trimmed.length === 0) {
      current = undefined;
      continue;
    }
    if (trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) throw new HipsListParseError(`expected 'key = value', got ${quote(trimmed)}`, lineNo);
    const key = trimmed.slice(0, eq).trim();
    if (key.length === 0) throw new HipsListParseError(`a value without a key: ${quote(trimmed)}`, lineNo);
    if (!KEY_RE.test(key)) throw new HipsListParseError(`key ${quote(key)} has characters a properties key cannot have`, lineNo);
    if (!current) {
      current = { line: lineNo, lines: [], keys: new Map() };
      raws.push(current);
    }
    const previous = current.keys.get(key);
    if (previous !== undefined) {
      throw new HipsListParseError(`key '${key}' repeats in the record that starts on line ${current.line} (first on line ${previous}); is a blank line missing between two records?`, lineNo);
    }
    current.keys.set(key, lineNo);
    current.lines.push(trimmed);
  }

  const records: HipsListRecord[] = [];
  const skipped: Array<{ line: number; reason: string }> = [];
  for (const raw of raws) {
    const properties = parseHipsProperties(raw.lines.join('\n'));
    const problem = recordProblem(properties, raw);
    if (problem) {
      if (options.incomplete === 'skip') {
        skipped.push({ line: raw.line, reason: problem.message });
        continue;
      }
      throw new HipsListParseError(problem.message, problem.line);
    }
    const r = properties.raw;
    records.push({
      properties,
      line: raw.line,
      creatorDid: r.get('creator_did')!,
      serviceUrls: serviceUrls(r),
      status: r.get('hips_status')!.split(/\s+/).filter((w) => w.length > 0),
      releaseDate: r.get('hips_release_date')!,
    });
  }
  return { records, skipped };
}

/** The first problem of a record: a missing mandatory key (naming the keys found) or a bad value. */
function recordProblem(p: HipsProperties, raw: RawRecord): { message: string; line: number } | undefined {
  const missing = HIPSLIST_MANDATORY_KEYS.filter((k) => (p.raw.get(k) ?? '').length === 0);
  if (missing.length > 0) {
    const found = [...p.raw.keys()];
    const shown = found.length > 12 ? `${found.slice(0, 12).join(', ')}, ... (${found.length} keys)` : found.join(', ');
    return { message: `the record starting here lacks ${missing.join(', ')} (it has ${shown})`, line: raw.line };
  }
  const date = p.raw.get('hips_release_date')!;
  if (!DATE_RE.test(date)) {
    return { message: `hips_release_date must be YYYY-mm-ddTHH:MMZ, got ${quote(date)}`, line: raw.keys.get('hips_release_date')! };
  }
  for (const [key, value] of p.raw) {
    if (/^hips_service_url(?:_\d+)?$/.test(key) && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/.test(value)) {
      return { message: `${key} is not a URL: ${quote(value)}`, line: raw.keys.get(key)! };
    }
  }
  return undefined;
}

function serviceUrls(raw: ReadonlyMap<string, string>): string[] {
  const mirrors: Array<[number, string]> = [];
  for (const [key, value] of raw) {
    const m = /^hips_service_url_(\d+)$/.exec(key);
    if (m) mirrors.push([Number(m[1]), value]);
  }
  mirrors.sort((a, b) => a[0] - b[0]);
  return [raw.get('hips_service_url')!, ...mirrors.map((m) => m[1])];
}

function quote(value: string): string {
  return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
}
