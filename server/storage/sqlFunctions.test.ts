// Decimal ROUND / TRUNCATE for SQLite: the answers PostgreSQL's round/trunc(numeric) give (the
// values below are PostgreSQL 15's), where SQLite's binary round() differs; and through SQL.
import { describe, expect, it } from 'vitest';
import { openSqlite } from './db.js';
import { ROUND_FUNCTION, TRUNC_FUNCTION, roundDecimal, truncDecimal } from './sqlFunctions.js';

describe('decimal ROUND / TRUNCATE', () => {
  it('rounds the decimal value half away from zero, at any number of places', () => {
    expect(roundDecimal(83.85, 1)).toBe(83.9); // binary 83.8499999… : SQLite's round() says 83.8
    expect(roundDecimal(2.675, 2)).toBe(2.68);
    expect(roundDecimal(2.5, 0)).toBe(3);
    expect(roundDecimal(-2.5, 0)).toBe(-3);
    expect(roundDecimal(1234.5, -2)).toBe(1200);
    expect(roundDecimal(0.1 + 0.2, 16)).toBe(0.3); // 15 significant digits first, as float8 -> numeric
    expect(roundDecimal(1e-7, 8)).toBe(1e-7);
    expect(roundDecimal(null, 1)).toBeNull();
    expect(roundDecimal(1.5, null)).toBeNull();
  });

  it('truncates the decimal value toward zero', () => {
    expect(truncDecimal(2.3, 1)).toBe(2.3); // 2.3 * 10 = 22.999999999999996 in binary
    expect(truncDecimal(-1.99, 1)).toBe(-1.9);
    expect(truncDecimal(1999, -3)).toBe(1000);
    expect(truncDecimal(7.9)).toBe(7);
  });

  it('is registered on SQLite connections', async () => {
    const db = openSqlite(':memory:');
    const rows = await db.all<{ r: number; t: number; n: number | null }>(
      `SELECT ${ROUND_FUNCTION}(83.85, 1) AS r, ${TRUNC_FUNCTION}(2.3, 1) AS t, ${ROUND_FUNCTION}(NULL, 1) AS n`,
    );
    expect(rows).toEqual([{ r: 83.9, t: 2.3, n: null }]);
    expect((await db.all<{ r: number }>('SELECT round(83.85, 1) AS r'))[0]!.r).toBe(83.8);
    await db.close();
  });
});
