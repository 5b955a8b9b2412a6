/**
 * Decimal ROUND and TRUNCATE for SQLite, so that it answers what PostgreSQL's round/trunc of
 * NUMERIC answer: the double is first taken as its 15-significant-digit decimal (PostgreSQL's
 * float8 -> numeric conversion), then rounded half away from zero (or truncated) at `digits`
 * decimal places. SQLite's own round() works on the binary value (round(83.85, 1) = 83.8 there,
 * 83.9 in PostgreSQL). Pure; registered on every SQLite connection by db.ts. NULL in, NULL out.
 */

/** v · 10^k computed on the decimal string (no binary multiplication error). */
function shift(v: number, k: number): number {
  const [m, e = '0'] = String(v).split('e');
  return Number(`${m}e${Number(e) + k}`);
}

function decimal(x: number, digits: number, op: (v: number) => number): number {
  if (!Number.isFinite(x)) return x;
  const d = Math.trunc(digits);
  const abs = Number(Math.abs(x).toPrecision(15));
  const r = shift(op(shift(abs, d)), -d);
  return x < 0 ? -r : r;
}

export function roundDecimal(x: number | null, digits: number | null = 0): number | null {
  if (x === null || digits === null) return null;
  // half away from zero on the magnitude
  return decimal(x, digits, (v) => Math.floor(v + 0.5));
}

export function truncDecimal(x: number | null, digits: number | null = 0): number | null {
  if (x === null || digits === null) return null;
  return decimal(x, digits, Math.floor);
}

/** SQL names of the two functions (SQLite). */
export const ROUND_FUNCTION = 'esasky_round';
export const TRUNC_FUNCTION = 'esasky_trunc';
