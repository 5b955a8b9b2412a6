/**
 * Parsers of the Minor Planet Center's orbit files into perihelion-form elements (pure):
 *  - MPCORB.DAT lines (asteroids: H, G, packed epoch, M, ω, Ω, i, e, n, a, readable designation),
 *    format https://www.minorplanetcenter.net/iau/info/MPOrbitFormat.html
 *  - CometEls.txt lines (comets: perihelion date, q, e, ω, Ω, i, epoch, H, K, designation),
 *    format https://www.minorplanetcenter.net/iau/info/CometOrbitFormat.html
 * Angles are J2000 ecliptic/equinox; dates are TT. A line that does not fit the format is an
 * Error naming the line's field and its text (the ingest reports it with the line number).
 */
import { checkElements, perihelionFromMeanAnomaly, type PerihelionElements } from './kepler.js';

export type SmallBodyKind = 'asteroid' | 'comet';

export interface SmallBodyOrbit {
  readonly kind: SmallBodyKind;
  /** The MPC's readable designation, e.g. "(1) Ceres", "2013 FY27", "C/1995 O1 (Hale-Bopp)", "1P/Halley". */
  readonly label: string;
  /** Designation without the name: "2013 FY27", "C/1995 O1", "1P"; for numbered asteroids the provisional one is not in the file, so the number: "1". */
  readonly designation: string;
  /** Proper name, when the body has one: "Ceres", "Hale-Bopp", "Halley". */
  readonly name: string | null;
  /** Minor-planet number or periodic-comet number. */
  readonly number: number | null;
  /** The packed designation of the file (first columns). */
  readonly packed: string;
  readonly elements: PerihelionElements;
  /** Epoch of osculation (JD TT). */
  readonly epochJdTt: number;
  /** Absolute magnitude H (asteroids), or the comet's total absolute magnitude. */
  readonly hMag: number | null;
  /** Slope: G (asteroids, H-G system) or the activity index n (comets: m = H + 5 log Δ + 2.5·n·log r). */
  readonly slope: number | null;
}

/** Julian day of a Gregorian calendar date (day may carry a fraction), Meeus ch. 7. */
export function julianDay(year: number, month: number, day: number): number {
  let y = year;
  let m = month;
  if (m <= 2) {
    y -= 1;
    m += 12;
  }
  const a = Math.floor(y / 100);
  const b = 2 - a + Math.floor(a / 4);
  return Math.floor(365.25 * (y + 4716)) + Math.floor(30.6001 * (m + 1)) + day + b - 1524.5;
}

const PACKED_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

/** Packed epoch ("K194R" = 2019-04-27.0 TT) → JD TT. */
export function unpackEpoch(packed: string): number {
  const m = /^([IJK])(\d\d)([1-9A-C])([1-9A-V])$/.exec(packed);
  if (m === null) throw new Error(`packed epoch ${JSON.stringify(packed)} is not of the form K194R`);
  const year = (m[1]!.charCodeAt(0) - 'A'.charCodeAt(0) + 10) * 100 + Number(m[2]);
  const month = PACKED_DIGITS.indexOf(m[3]!);
  const day = PACKED_DIGITS.indexOf(m[4]!);
  const jd = julianDay(year, month, day);
  // reject impossible dates (31 February): the calendar must round-trip
  if (julianDay(year, month + 1, 1) <= jd) throw new Error(`packed epoch ${JSON.stringify(packed)}: no day ${day} in month ${month}`);
  return jd;
}

/** Columns first..last (1-based, inclusive) of a line, trimmed. */
function col(line: string, first: number, last: number): string {
  return line.slice(first - 1, last).trim();
}

function number(line: string, first: number, last: number, what: string, optional = false): number {
  const text = col(line, first, last);
  if (text === '' && optional) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new Error(`${what} (columns ${first}-${last}) is ${JSON.stringify(text)}, not a number`);
  }
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${what} (columns ${first}-${last}) is ${JSON.stringify(text)}, not a finite number`);
  return value;
}

const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** Provisional/survey designations ("2013 FY27", "2040 P-L", "1992 QB1"): not proper names. */
const PROVISIONAL = /^\d{4} ([A-Z]{2}\d*|P-L|T-[123])$/;

/** One MPCORB line (an asteroid). */
export function parseMpcorbLine(line: string): SmallBodyOrbit {
  if (line.length < 103) throw new Error(`MPCORB line is ${line.length} characters long, at least 103 are needed`);
  const packed = col(line, 1, 7);
  if (!/^[0-9A-Za-z~]{5,7}$/.test(packed)) throw new Error(`designation (columns 1-7) ${JSON.stringify(packed)} is not a packed designation`);
  const epochJdTt = unpackEpoch(col(line, 21, 25));
  const meanAnomalyDeg = number(line, 27, 35, 'mean anomaly');
  const argPeriDeg = number(line, 38, 46, 'argument of perihelion');
  const nodeDeg = number(line, 49, 57, 'longitude of the ascending node');
  const inclDeg = number(line, 60, 68, 'inclination');
  const e = number(line, 71, 79, 'eccentricity');
  const aAu = number(line, 93, 103, 'semi-major axis');
  if (!(e < 1)) throw new Error(`eccentricity (columns 71-79) ${e} is not elliptic: MPCORB orbits have e < 1`);
  if (!(aAu > 0)) throw new Error(`semi-major axis (columns 93-103) ${aAu} is not positive`);
  const elements: PerihelionElements = {
    qAu: aAu * (1 - e),
    e,
    inclDeg,
    nodeDeg,
    argPeriDeg,
    perihelionJdTt: perihelionFromMeanAnomaly(aAu, meanAnomalyDeg, epochJdTt),
  };
  checkElements(elements);
  const label = col(line, 167, 194) || packed;
  const numbered = /^\((\d+)\)\s*(.*)$/.exec(label);
  let num: number | null = null;
  let rest = label;
  if (numbered !== null) {
    num = Number(numbered[1]);
    rest = numbered[2]!.trim();
  }
  const isDesignation = PROVISIONAL.test(rest);
  return {
    kind: 'asteroid',
    label,
    designation: isDesignation ? rest : num !== null ? String(num) : rest,
    name: isDesignation || rest === '' ? null : rest,
    number: num,
    packed,
    elements,
    epochJdTt,
    hMag: nullIfNaN(number(line, 9, 13, 'absolute magnitude H', true)),
    slope: nullIfNaN(number(line, 15, 19, 'slope parameter G', true)),
  };
}

/** One CometEls.txt line (a comet). */
export function parseCometLine(line: string): SmallBodyOrbit {
  if (line.length < 103) throw new Error(`CometEls line is ${line.length} characters long, at least 103 are needed`);
  const year = number(line, 15, 18, 'perihelion year');
  const month = number(line, 20, 21, 'perihelion month');
  const day = number(line, 23, 29, 'perihelion day');
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12 || !(day >= 1 && day < 32)) {
    throw new Error(`perihelion date (columns 15-29) ${JSON.stringify(col(line, 15, 29))} is not a date`);
  }
  const epochText = col(line, 82, 89);
  let epochJdTt: number;
  if (/^\d{8}$/.test(epochText)) {
    epochJdTt = julianDay(Number(epochText.slice(0, 4)), Number(epochText.slice(4, 6)), Number(epochText.slice(6, 8)));
  } else if (epochText === '') {
    epochJdTt = NaN; // the MPC leaves it blank for some orbits: elements are then at perihelion
  } else {
    throw new Error(`epoch (columns 82-89) ${JSON.stringify(epochText)} is not YYYYMMDD`);
  }
  const elements: PerihelionElements = {
    qAu: number(line, 31, 39, 'perihelion distance'),
    e: number(line, 42, 49, 'eccentricity'),
    argPeriDeg: number(line, 52, 59, 'argument of perihelion'),
    nodeDeg: number(line, 62, 69, 'longitude of the ascending node'),
    inclDeg: number(line, 72, 79, 'inclination'),
    perihelionJdTt: julianDay(year, month, day),
  };
  checkElements(elements);
  const label = col(line, 103, 158);
  if (label === '') throw new Error('designation (columns 103-158) is empty');
  const periodic = /^(\d+)([PDI])(?:-[A-Z]+)?\/(.+)$/.exec(label);
  const paren = /^(.*?)\s*\((.+)\)$/.exec(label);
  let designation = label;
  let name: string | null = null;
  let num: number | null = null;
  if (periodic !== null) {
    num = Number(periodic[1]);
    designation = label.slice(0, label.indexOf('/'));
    name = periodic[3]!.trim();
  } else if (paren !== null) {
    designation = paren[1]!;
    name = paren[2]!;
  }
  return {
    kind: 'comet',
    label,
    designation,
    name,
    number: num,
    packed: col(line, 1, 12),
    elements,
    epochJdTt: Number.isNaN(epochJdTt) ? elements.perihelionJdTt : epochJdTt,
    hMag: nullIfNaN(number(line, 92, 95, 'absolute magnitude H', true)),
    slope: nullIfNaN(number(line, 97, 100, 'activity index n', true)),
  };
}

export interface ParsedOrbits {
  orbits: SmallBodyOrbit[];
  /** Lines that did not parse: 1-based line number and why. */
  errors: Array<{ line: number; message: string }>;
}

/** Every non-blank line of a file through `parse` (errors collected, not thrown). */
export function parseOrbitFile(text: string, parse: (line: string) => SmallBodyOrbit): ParsedOrbits {
  const orbits: SmallBodyOrbit[] = [];
  const errors: Array<{ line: number; message: string }> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    // MPCORB.DAT proper starts with a text header ending in a line of dashes
    if (/^-{20,}/.test(line)) {
      orbits.length = 0;
      errors.length = 0;
      continue;
    }
    try {
      orbits.push(parse(line));
    } catch (err) {
      errors.push({ line: i + 1, message: (err as Error).message });
    }
  }
  return { orbits, errors };
}
