/**
 * Which columns of a table hold the equatorial position, and the positions in degrees.
 *
 * Rules, first match wins (only scalar numeric and string columns are considered):
 * 1. 'ucd-main': UCD primary word pos.eq.ra / pos.eq.dec together with meta.main (UCD1:
 *    POS_EQ_RA_MAIN / POS_EQ_DEC_MAIN).
 * 2. 'ucd': the first pos.eq.ra / pos.eq.dec primary word (UCD1: POS_EQ_RA / POS_EQ_DEC).
 * 3. 'name': known name pairs, case-insensitive, in this order: ra/dec, ra/de, _raj2000/_dej2000,
 *    raj2000/dej2000, ra_j2000/dec_j2000, ra_icrs/dec_icrs, s_ra/s_dec, ra_deg/dec_deg, ...;
 *    then a pair that differs only by ra ↔ dec/de as a word of the name (ra_gaia / dec_gaia).
 *
 * Values: numeric columns are scaled by their unit (deg/degree/'' ×1, h/hour/hourangle ×15,
 * rad ×180/π, arcmin, arcsec, mas; an unknown unit is taken as degrees and reported); string
 * columns are read as sexagesimal (RA in hours unless its text has d/°, Dec in degrees; separators
 * ':' ' ' h m s d ° ' ") or as decimal degrees. Nulls and unreadable cells give NaN.
 */
import type { Column, NumericArray, Table } from './table.js';

export type PositionRule = 'ucd-main' | 'ucd' | 'name';

export type PositionFormat = 'degrees' | 'hours' | 'radians' | 'arcmin' | 'arcsec' | 'mas' | 'sexagesimal' | 'unknown-unit';

export interface PositionColumns {
  ra: string;
  dec: string;
  rule: PositionRule;
  /** What matched: the UCDs or the names. */
  detail: string;
  /** Units as written in the table. */
  raUnit?: string;
  decUnit?: string;
  /** How each column was read into degrees. 'unknown-unit': read as degrees although the unit is not known. */
  raFormat: PositionFormat;
  decFormat: PositionFormat;
  /** The COOSYS system of the RA column (e.g. ICRS, eq_FK5), if declared. */
  system?: string;
  equinox?: string;
  /** Positions in degrees, NaN where null or unreadable (new arrays). */
  raDeg: Float64Array;
  decDeg: Float64Array;
}

const NAME_PAIRS: Array<[string, string]> = [
  ['ra', 'dec'],
  ['ra', 'de'],
  ['_raj2000', '_dej2000'],
  ['raj2000', 'dej2000'],
  ['raj2000', 'decj2000'],
  ['ra_j2000', 'dec_j2000'],
  ['ra_j2000', 'de_j2000'],
  ['ra2000', 'dec2000'],
  ['ra_icrs', 'dec_icrs'],
  ['ra_icrs', 'de_icrs'],
  ['_ra_icrs', '_de_icrs'],
  ['raicrs', 'deicrs'],
  ['s_ra', 's_dec'],
  ['ra_deg', 'dec_deg'],
  ['radeg', 'decdeg'],
  ['ra_d', 'dec_d'],
  ['ra_obj', 'dec_obj'],
  ['ra_targ', 'dec_targ'],
  ['targetra', 'targetdec'],
  ['target_ra', 'target_dec'],
  ['ra_pnt', 'dec_pnt'],
  ['pos_ra', 'pos_dec'],
  ['alpha', 'delta'],
  ['alpha_j2000', 'delta_j2000'],
  ['right_ascension', 'declination'],
  ['rightascension', 'declination'],
];

function usable(c: Column): boolean {
  return c.kind === 'scalar' || c.kind === 'string';
}

function ucdWords(c: Column): string[] {
  return (c.ucd ?? '')
    .split(';')
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== '');
}

function isUcd(c: Column, axis: 'ra' | 'dec', main: boolean): boolean {
  const words = ucdWords(c);
  if (words.length === 0) return false;
  if (words[0] === `pos_eq_${axis}_main`) return true; // UCD1
  if (!main && words[0] === `pos_eq_${axis}`) return true;
  return words[0] === `pos.eq.${axis}` && (!main || words.includes('meta.main'));
}

/** Find the RA/Dec columns and read them in degrees; undefined when the table has none. */
export function findPositionColumns(table: Table): PositionColumns | undefined {
  const cols = table.columns.filter(usable);
  let ra: Column | undefined;
  let dec: Column | undefined;
  let rule: PositionRule | undefined;
  let detail = '';

  ra = cols.find((c) => isUcd(c, 'ra', true));
  dec = cols.find((c) => isUcd(c, 'dec', true));
  if (ra && dec) rule = 'ucd-main';
  else {
    ra = cols.find((c) => isUcd(c, 'ra', false));
    dec = cols.find((c) => isUcd(c, 'dec', false));
    if (ra && dec) rule = 'ucd';
  }
  if (rule) detail = `${ra?.ucd} / ${dec?.ucd}`;
  else {
    const lower = new Map<string, Column>();
    for (const c of cols) if (!lower.has(c.name.toLowerCase())) lower.set(c.name.toLowerCase(), c);
    for (const [r, d] of NAME_PAIRS) {
      if (lower.has(r) && lower.has(d)) {
        ra = lower.get(r);
        dec = lower.get(d);
        rule = 'name';
        break;
      }
    }
    if (!rule) {
      // ra <-> dec/de as a word: ra_gaia/dec_gaia, gaia_ra/gaia_de, ra1/dec1
      for (const c of cols) {
        const n = c.name.toLowerCase();
        const m = /(^|[_\W])ra(?=$|[_\W]|\d)/.exec(n);
        if (!m) continue;
        const at = m.index + m[1].length;
        for (const d of ['dec', 'de']) {
          const partner = lower.get(n.slice(0, at) + d + n.slice(at + 2));
          if (partner && partner !== c) {
            ra = c;
            dec = partner;
            rule = 'name';
            break;
          }
        }
        if (rule) break;
      }
    }
    if (rule) detail = `${ra?.name} / ${dec?.name}`;
  }
  if (!rule || !ra || !dec) return undefined;
  const r = toDegrees(ra, 'ra', table.nrows);
  const d = toDegrees(dec, 'dec', table.nrows);
  const out: PositionColumns = {
    ra: ra.name,
    dec: dec.name,
    rule,
    detail,
    raFormat: r.format,
    decFormat: d.format,
    raDeg: r.deg,
    decDeg: d.deg,
  };
  if (ra.unit !== undefined) out.raUnit = ra.unit;
  if (dec.unit !== undefined) out.decUnit = dec.unit;
  const sys = ra.coosys ?? dec.coosys;
  if (sys?.system !== undefined) out.system = sys.system;
  if (sys?.equinox !== undefined) out.equinox = sys.equinox;
  return out;
}

function unitScale(unit: string | undefined): { scale: number; format: PositionFormat } | 'sexagesimal' {
  const u = (unit ?? '').trim().replace(/^["']|["']$/g, '').toLowerCase();
  switch (u) {
    case '':
    case 'deg':
    case 'degree':
    case 'degrees':
    case 'd':
      return { scale: 1, format: 'degrees' };
    case 'h':
    case 'hr':
    case 'hour':
    case 'hours':
    case 'hourangle':
      return { scale: 15, format: 'hours' };
    case 'rad':
    case 'radian':
    case 'radians':
      return { scale: 180 / Math.PI, format: 'radians' };
    case 'arcmin':
    case "'":
      return { scale: 1 / 60, format: 'arcmin' };
    case 'arcsec':
    case 'arcs':
    case '"':
      return { scale: 1 / 3600, format: 'arcsec' };
    case 'mas':
      return { scale: 1 / 3.6e6, format: 'mas' };
    case 'h:m:s':
    case 'd:m:s':
    case 'hms':
    case 'dms':
      return 'sexagesimal';
    default:
      return { scale: 1, format: 'unknown-unit' };
  }
}

function toDegrees(c: Column, axis: 'ra' | 'dec', nrows: number): { deg: Float64Array; format: PositionFormat } {
  const out = new Float64Array(nrows);
  const nulls = c.nulls;
  const us = unitScale(c.unit);
  if (c.kind === 'scalar') {
    const v = c.values as NumericArray;
    const { scale, format } = us === 'sexagesimal' ? { scale: 1, format: 'unknown-unit' as const } : us;
    for (let i = 0; i < nrows; i++) out[i] = nulls && nulls[i] ? NaN : Number(v[i]) * scale;
    return { deg: out, format };
  }
  const strings = c.values as string[];
  const hours = us !== 'sexagesimal' && us.format === 'hours';
  let anySexa = false;
  let anyDecimal = false;
  for (let i = 0; i < nrows; i++) {
    if (nulls && nulls[i]) {
      out[i] = NaN;
      continue;
    }
    const r = parseAngle(strings[i], axis === 'ra');
    if (r.sexagesimal) anySexa = true;
    else if (r.value === r.value) anyDecimal = true;
    out[i] = !r.sexagesimal && us !== 'sexagesimal' ? r.value * us.scale : r.value;
  }
  const format: PositionFormat = anySexa || !anyDecimal ? 'sexagesimal' : us === 'sexagesimal' ? 'degrees' : hours ? 'hours' : us.format;
  return { deg: out, format };
}

const SEP_RE = /[\s:hHmMsSdD°'"′″]+/;

/**
 * Read one angle: sexagesimal ('05:34:31.9', '05 34 31.9', '05h34m31.9s', '-00 30 00',
 * '+22d00m52s', "22°00'52\"") or decimal. RA sexagesimal is in hours unless it uses d/°.
 * Returns degrees (NaN when unreadable) and whether the text was sexagesimal.
 */
export function parseAngle(text: string, isRa: boolean): { value: number; sexagesimal: boolean } {
  const t = text.trim();
  if (t === '') return { value: NaN, sexagesimal: false };
  const plain = Number(t);
  if (plain === plain && /^[+-]?(?:\d|\.\d)/.test(t)) return { value: plain, sexagesimal: false };
  let s = t;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+' || s[0] === '\u2212') {
    if (s[0] !== '+') sign = -1;
    s = s.slice(1).trim();
  }
  if (!/^\d/.test(s) || !/^[\d.eE+\s:hHmMsSdD°'"′″-]*$/.test(s)) return { value: NaN, sexagesimal: true };
  const parts = s.split(SEP_RE).filter((p) => p !== '');
  if (parts.length < 1 || parts.length > 3) return { value: NaN, sexagesimal: true };
  const nums = parts.map(Number);
  for (let k = 0; k < nums.length; k++) {
    const x = nums[k];
    if (!(x >= 0) || !/^\d*\.?\d*(?:[eE][+-]?\d+)?$/.test(parts[k])) return { value: NaN, sexagesimal: true };
    if (k > 0 && x >= 60) return { value: NaN, sexagesimal: true };
  }
  const v = nums[0] + (nums[1] ?? 0) / 60 + (nums[2] ?? 0) / 3600;
  const inDegrees = !isRa || /[dD°]/.test(s);
  const deg = sign * (inDegrees ? v : v * 15);
  return { value: deg, sexagesimal: true };
}
