// Parsing and formatting of sky positions: decimal degrees and sexagesimal (HMS/DMS) strings.

export interface RaDecDeg {
  raDeg: number;
  decDeg: number;
}

/** Wrap any longitude to [0, 360). */
export function wrapDeg360(lonDeg: number): number {
  const w = lonDeg % 360;
  return w < 0 ? w + 360 : w === 360 ? 0 : w;
}

const SEXA_RA = /^([+-]?\d{1,2})[h:\s]\s*(\d{1,2})[m:\s]\s*(\d{1,2}(?:\.\d*)?)s?$/i;
const SEXA_DEC = /^([+-]?)(\d{1,2})[d°:\s]\s*(\d{1,2})['m:\s]\s*(\d{1,2}(?:\.\d*)?)(?:"|s|'')?$/i;

/**
 * Parse a position such as "83.63 22.01", "83.63, +22.01", "05h34m31.9s +22d00m52s" or
 * "05:34:31.9 +22:00:52". Returns undefined when the text is not a position (e.g. a name).
 */
export function parseRaDec(text: string): RaDecDeg | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const dec2 = /^([+-]?\d+(?:\.\d*)?(?:e[+-]?\d+)?)\s*[,\s]\s*([+-]?\d+(?:\.\d*)?(?:e[+-]?\d+)?)$/i.exec(t);
  if (dec2) {
    const raDeg = Number(dec2[1]);
    const decDeg = Number(dec2[2]);
    if (!Number.isFinite(raDeg) || !Number.isFinite(decDeg) || decDeg < -90 || decDeg > 90) return undefined;
    return { raDeg: wrapDeg360(raDeg), decDeg };
  }
  // Sexagesimal: split into the RA part and the Dec part at the sign of Dec or at the middle.
  const m = /^(.+?)\s*([+-].+)$/.exec(t) ?? splitHalf(t);
  if (!m) return undefined;
  const ra = SEXA_RA.exec(m[1].trim());
  const dec = SEXA_DEC.exec(m[2].trim());
  if (!ra || !dec) return undefined;
  const h = Number(ra[1]);
  const mi = Number(ra[2]);
  const s = Number(ra[3]);
  const d = Number(dec[2]);
  const dm = Number(dec[3]);
  const ds = Number(dec[4]);
  if (h >= 24 || mi >= 60 || s >= 60 || d > 90 || dm >= 60 || ds >= 60) return undefined;
  const raDeg = 15 * (h + mi / 60 + s / 3600);
  const decAbs = d + dm / 60 + ds / 3600;
  if (decAbs > 90) return undefined;
  return { raDeg: wrapDeg360(raDeg), decDeg: dec[1] === '-' ? -decAbs : decAbs };
}

function splitHalf(t: string): [string, string, string] | undefined {
  const parts = t.split(/\s+/);
  if (parts.length === 6) return [t, parts.slice(0, 3).join(' '), parts.slice(3).join(' ')];
  if (parts.length === 2) return [t, parts[0], parts[1]];
  return undefined;
}

/** "05h34m31.94s" style right ascension. */
export function formatRaHms(raDeg: number, decimals = 2): string {
  let totalS = (wrapDeg360(raDeg) / 15) * 3600;
  totalS = Number(totalS.toFixed(decimals));
  if (totalS >= 86400) totalS -= 86400;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS - h * 3600) / 60);
  const s = totalS - h * 3600 - m * 60;
  return `${pad2(h)}h${pad2(m)}m${s.toFixed(decimals).padStart(decimals ? 3 + decimals : 2, '0')}s`;
}

/** "+22°00'52.1\"" style declination. */
export function formatDecDms(decDeg: number, decimals = 1): string {
  const sign = decDeg < 0 ? '-' : '+';
  let totalS = Number((Math.abs(decDeg) * 3600).toFixed(decimals));
  const d = Math.floor(totalS / 3600);
  totalS -= d * 3600;
  const m = Math.floor(totalS / 60);
  const s = totalS - m * 60;
  return `${sign}${pad2(d)}°${pad2(m)}'${s.toFixed(decimals).padStart(decimals ? 3 + decimals : 2, '0')}"`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
