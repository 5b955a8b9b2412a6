// MPC orbit file parsers: real lines from the data kit's files (copied here so the test needs no
// ../shared), every line of the shipped files, clear errors for broken lines, and fuzzing.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conicKind } from './kepler.js';
import { julianDay, parseCometLine, parseMpcorbLine, parseOrbitFile, unpackEpoch } from './mpc.js';

const CERES =
  '00001    3.34  0.12 K194R  77.37215   73.59764   80.30553   10.59407  0.0760091  0.21388522   2.7691652  0 MPO452155  6725 114 1801-2018 0.60 M-v 30h MPCLINUX   0000      (1) Ceres              20180430';
const FY27 =
  'K13F27Y  3.2   0.15 K194R 214.35370  138.80791  187.09196   33.08178  0.3966657  0.00218656  58.7888213  4 E2018-X68   107   8 2011-2018 0.18 M-v 38h MPCLINUX   000A          2013 FY27          201804';
const HALE_BOPP =
  '    CJ95O010  1997 03 29.6259  0.916967  0.994927  130.6517  283.3587   88.9911  20200129  -2.0  4.0  C/1995 O1 (Hale-Bopp)                                    MPC106342';
const HALLEY =
  '0001P         1986 01 15.9827  0.602393  0.966288  111.1043   58.1669  162.3168  20200129   4.0  6.0  1P/Halley                                                 98, 1083';
const IWAMOTO =
  '    CK20A020  2020 01  8.2146  0.980023  1.000000   67.9284  286.2863  120.7196            13.5  4.0  C/2020 A2 (Iwamoto)                                      MPEC 2020-A';

describe('dates', () => {
  it('julianDay (Meeus examples)', () => {
    expect(julianDay(2000, 1, 1.5)).toBe(2451545.0);
    expect(julianDay(1957, 10, 4.81)).toBeCloseTo(2436116.31, 9);
    expect(julianDay(1987, 1, 27)).toBe(2446822.5);
    expect(julianDay(1600, 12, 31)).toBe(2305812.5);
  });
  it('packed epochs', () => {
    expect(unpackEpoch('K194R')).toBe(julianDay(2019, 4, 27));
    expect(unpackEpoch('J9611')).toBe(julianDay(1996, 1, 1));
    expect(unpackEpoch('K18BI')).toBe(julianDay(2018, 11, 18));
    expect(() => unpackEpoch('K192U')).toThrow(/no day 30 in month 2/);
    expect(() => unpackEpoch('X194R')).toThrow(/packed epoch "X194R"/);
  });
});

describe('MPCORB lines', () => {
  it('a numbered, named asteroid', () => {
    const o = parseMpcorbLine(CERES);
    expect(o).toMatchObject({ kind: 'asteroid', label: '(1) Ceres', name: 'Ceres', number: 1, designation: '1', packed: '00001', hMag: 3.34, slope: 0.12 });
    expect(o.elements.qAu).toBeCloseTo(2.7691652 * (1 - 0.0760091), 12);
    expect(o.elements.inclDeg).toBe(10.59407);
    expect(o.elements.nodeDeg).toBe(80.30553);
    expect(o.elements.argPeriDeg).toBe(73.59764);
    expect(o.epochJdTt).toBe(2458600.5);
    // M = 77.37° at the epoch: perihelion ~ 77.37 / n days before it (n = 0.2139°/day, the file's)
    expect(o.elements.perihelionJdTt).toBeCloseTo(2458600.5 - 77.37215 / 0.21388522, 1);
  });
  it('an unnumbered one: the provisional designation, no name', () => {
    const o = parseMpcorbLine(FY27);
    expect(o).toMatchObject({ label: '2013 FY27', designation: '2013 FY27', name: null, number: null });
  });
  it('errors name the field', () => {
    expect(() => parseMpcorbLine(CERES.slice(0, 60))).toThrow(/at least 103/);
    expect(() => parseMpcorbLine(CERES.slice(0, 70) + ' x.07600' + CERES.slice(78))).toThrow(/eccentricity \(columns 71-79\) is "x\.0760/);
    expect(() => parseMpcorbLine(CERES.slice(0, 70) + ' 1.50000' + CERES.slice(78))).toThrow(/not elliptic/);
    expect(() => parseMpcorbLine(CERES.slice(0, 20) + 'K19ZZ' + CERES.slice(25))).toThrow(/packed epoch/);
  });
});

describe('CometEls lines', () => {
  it('Hale-Bopp: near-parabolic ellipse', () => {
    const o = parseCometLine(HALE_BOPP);
    expect(o).toMatchObject({ kind: 'comet', designation: 'C/1995 O1', name: 'Hale-Bopp', number: null, hMag: -2, slope: 4 });
    expect(o.elements).toEqual({
      qAu: 0.916967,
      e: 0.994927,
      argPeriDeg: 130.6517,
      nodeDeg: 283.3587,
      inclDeg: 88.9911,
      perihelionJdTt: julianDay(1997, 3, 29.6259),
    });
    expect(o.epochJdTt).toBe(julianDay(2020, 1, 29));
  });
  it('a numbered periodic comet', () => {
    expect(parseCometLine(HALLEY)).toMatchObject({ designation: '1P', name: 'Halley', number: 1, label: '1P/Halley' });
  });
  it('a parabola with no epoch (elements at perihelion)', () => {
    const o = parseCometLine(IWAMOTO);
    expect(conicKind(o.elements.e)).toBe('parabolic');
    expect(o.epochJdTt).toBe(o.elements.perihelionJdTt);
  });
  it('errors name the field', () => {
    expect(() => parseCometLine(HALE_BOPP.slice(0, 19) + '13' + HALE_BOPP.slice(21))).toThrow(/perihelion date/);
    expect(() => parseCometLine(HALE_BOPP.slice(0, 30) + ' -0.91696' + HALE_BOPP.slice(39))).toThrow(/q \(AU\) = -0.91696/);
    expect(() => parseCometLine(HALE_BOPP.slice(0, 81) + '2020-1-2' + HALE_BOPP.slice(89))).toThrow(/epoch \(columns 82-89\)/);
    expect(() => parseCometLine(HALE_BOPP.slice(0, 102))).toThrow(/at least 103/);
  });
});

describe('whole files', () => {
  it('parseOrbitFile collects errors with line numbers and skips the MPCORB.DAT header', () => {
    const text = ['MPCORB header text', '-'.repeat(160), CERES, '', 'garbage', FY27, ''].join('\n');
    const r = parseOrbitFile(text, parseMpcorbLine);
    expect(r.orbits.map((o) => o.label)).toEqual(['(1) Ceres', '2013 FY27']);
    expect(r.errors).toEqual([{ line: 5, message: expect.stringMatching(/at least 103/) as unknown as string }]);
  });

  it('the shipped files parse without an error', () => {
    const ast = parseOrbitFile(readFileSync(new URL('../../data/sso/mpcorb_subset.dat', import.meta.url), 'utf8'), parseMpcorbLine);
    expect(ast.errors).toEqual([]);
    expect(ast.orbits.length).toBe(500);
    const com = parseOrbitFile(readFileSync(new URL('../../data/sso/CometEls.txt', import.meta.url), 'utf8'), parseCometLine);
    expect(com.errors).toEqual([]);
    expect(com.orbits.length).toBe(858);
    const kinds = new Set(com.orbits.map((o) => conicKind(o.elements.e)));
    expect(kinds).toEqual(new Set(['elliptic', 'parabolic', 'hyperbolic']));
  });

  it('fuzz: any text gives orbits or line errors, never a throw', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 220 }), fc.constantFrom(CERES, FY27)), { maxLength: 8 }), (lines) => {
        const r = parseOrbitFile(lines.join('\n'), parseMpcorbLine);
        for (const o of r.orbits) expect(Number.isFinite(o.elements.perihelionJdTt)).toBe(true);
        for (const e of r.errors) expect(e.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('fuzz: corrupting one character of a real line gives a valid orbit or a named error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(HALE_BOPP, HALLEY, IWAMOTO, CERES),
        fc.nat(),
        fc.constantFrom(' ', 'x', '9', '-', '.', 'e', '\u00e9'),
        (line, at, ch) => {
          const i = at % line.length;
          const bad = line.slice(0, i) + ch + line.slice(i + 1);
          const parse = line === CERES ? parseMpcorbLine : parseCometLine;
          try {
            const o = parse(bad);
            expect(o.elements.qAu).toBeGreaterThan(0);
            expect(Number.isFinite(o.elements.perihelionJdTt)).toBe(true);
          } catch (err) {
            expect((err as Error).message).toMatch(/column|orbital element|packed|date|not elliptic|designation|positive/);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
