// WCS against astropy.wcs (wcslib) on the Calabretta & Greisen 1904-66 headers, synthetic
// all-sky / oblique headers (domains, LONPOLE/LATPOLE, slant SIN, HPX H/K, galactic, CROTA2),
// the celestial WCS of real image headers and TAN-SIP headers with and without AP/BP
// (test/fixtures/fits/make_wcs.py -> wcs_expected.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FitsError } from './errors.js';
import { FitsHeader } from './header.js';
import { parseWcs, type Wcs } from './wcs.js';

const FIXTURES = new URL('../../../test/fixtures/fits/', import.meta.url);

interface Case {
  name: string;
  cards: string[];
  points: Array<[number, number, number | 'NaN', number | 'NaN']>;
  lonpole: number;
  latpole: number;
  apPixels?: Array<[number, number]>;
  iterPixels?: Array<[number, number]>;
}
const expected = JSON.parse(readFileSync(new URL('wcs_expected.json', FIXTURES), 'utf8')) as Record<'c&g' | 'real' | 'sip', Case[]>;

/** Angular distance in degrees. */
function sep(l1: number, b1: number, l2: number, b2: number): number {
  const r = Math.PI / 180;
  const s = Math.sin(((b2 - b1) * r) / 2) ** 2 + Math.cos(b1 * r) * Math.cos(b2 * r) * Math.sin(((l2 - l1) * r) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(s)))) / r;
}

const TOL_DEG = 1e-9;

function checkCase(c: Case, wcs: Wcs): { worst: number; worstRound: number; nan: number } {
  let worst = 0;
  let worstRound = 0;
  let nan = 0;
  for (const [x, y, lonE, latE] of c.points) {
    const [lon, lat] = wcs.pixelToWorld(x, y);
    if (lonE === 'NaN' || latE === 'NaN') {
      nan++;
      expect([lon, lat], `${c.name} (${x}, ${y}) is outside the projection`).toEqual([NaN, NaN]);
      continue;
    }
    expect(lon, `${c.name} lon in [0, 360)`).toBeGreaterThanOrEqual(0);
    expect(lon).toBeLessThan(360);
    const d = sep(lon, lat, lonE, latE);
    worst = Math.max(worst, d);
    expect(d, `${c.name} pixelToWorld(${x}, ${y}) = (${lon}, ${lat}) vs astropy (${lonE}, ${latE})`).toBeLessThan(TOL_DEG);
    // round trip world -> pixel -> world, and the pixel itself
    const [px, py] = wcs.worldToPixel(lonE, latE);
    const [lon2, lat2] = wcs.pixelToWorld(px, py);
    const dr = sep(lon2, lat2, lonE, latE);
    worstRound = Math.max(worstRound, dr);
    expect(dr, `${c.name} round trip of (${lonE}, ${latE}) via (${px}, ${py})`).toBeLessThan(TOL_DEG);
    if (!c.apPixels) expect(Math.hypot(px - x, py - y), `${c.name} worldToPixel(${lonE}, ${latE}) = (${px}, ${py}) vs (${x}, ${y})`).toBeLessThan(1e-6);
  }
  return { worst, worstRound, nan };
}

const header = (c: Case) => FitsHeader.fromString(c.cards.join('\n'));

describe('WCS vs astropy: Calabretta & Greisen 1904-66 headers and synthetic headers', () => {
  for (const c of expected['c&g']) {
    it(c.name, () => {
      const wcs = parseWcs(header(c));
      expect(wcs.lonpole).toBeCloseTo(c.lonpole, 9);
      expect(wcs.latpole).toBeCloseTo(c.latpole, 9);
      const r = checkCase(c, wcs);
      if (c.name.startsWith('allsky_') && !/TAN|STG/.test(c.name)) expect(r.nan, 'points outside the domain are tested').toBeGreaterThan(10);
    });
  }
});

describe('WCS vs astropy: real image headers', () => {
  for (const c of expected.real) {
    it(c.name, () => {
      const wcs = parseWcs(header(c));
      checkCase(c, wcs);
    });
  }

  it('records the frame, RADESYS and EQUINOX', () => {
    const byName = Object.fromEntries(expected.real.map((c) => [c.name, parseWcs(header(c))]));
    const spitzer = byName['fits_samples/spitzer_example_image.fits[0]']!;
    expect([spitzer.frame, spitzer.projection, spitzer.radesys]).toEqual(['galactic', 'CAR', undefined]);
    const comp = byName['fits_samples/comp.fits[1]']!;
    expect([comp.frame, comp.projection, comp.radesys, comp.equinox]).toEqual(['equatorial', 'SIN', 'FK4', 1950]);
    const ps = byName['fits_samples/panstarrs-g-m61.fits[0]']!;
    expect(ps.radesys).toBe('ICRS');
    const tm = byName['fits_samples/gc_2mass_k.fits[0]']!;
    expect([tm.radesys, tm.equinox]).toEqual(['FK5', 2000]);
    expect(byName['fits_samples/l1448_13co.fits[0]']!.axes).toEqual([0, 1]);
  });
});

describe('SIP distortion vs astropy', () => {
  for (const c of expected.sip) {
    it(c.name, () => {
      const text = readFileSync(new URL(c.name, FIXTURES), 'utf8');
      const wcs = parseWcs(FitsHeader.fromString(text));
      expect(wcs.sip).toBeDefined();
      expect(wcs.projection).toBe('TAN');
      checkCase(c, wcs); // forward (A/B) against all_pix2world; round trips
      c.points.forEach(([x, y, lon, lat], i) => {
        const [px, py] = wcs.worldToPixel(lon as number, lat as number);
        if (c.apPixels) {
          // the AP/BP inverse, as astropy's sip_foc2pix computes it
          const [ex, ey] = c.apPixels[i]!;
          expect(Math.hypot(px - ex, py - ey), `AP/BP inverse of point ${i}`).toBeLessThan(1e-8);
          expect(Math.hypot(px - x, py - y)).toBeLessThan(1e-3); // the fit is an approximation
        } else {
          const [ex, ey] = c.iterPixels![i]!;
          expect(Math.hypot(px - ex, py - ey), `Newton inverse of point ${i}`).toBeLessThan(1e-8);
        }
      });
    });
  }
});

describe('WCS header handling', () => {
  const base = [
    "CTYPE1  = 'RA---TAN'",
    "CTYPE2  = 'DEC--TAN'",
    'CRPIX1  =                 50.5',
    'CRPIX2  =                 50.5',
    'CRVAL1  =                 10.0',
    'CRVAL2  =                 20.0',
    'CDELT1  =               -0.001',
    'CDELT2  =                0.001',
  ];
  const h = (cards: string[]) => FitsHeader.fromString(cards.join('\n'));

  it('maps CRPIX to CRVAL and follows the FITS 1-based pixel convention', () => {
    const w = parseWcs(h(base));
    expect(w.pixelToWorld(50.5, 50.5)).toEqual([10, 20]);
    const [x, y] = w.worldToPixel(10, 20);
    expect(x).toBeCloseTo(50.5, 12);
    expect(y).toBeCloseTo(50.5, 12);
    // east is left: increasing x decreases RA
    expect(w.pixelToWorld(51.5, 50.5)[0]).toBeLessThan(10);
    expect(w.cd.map((r) => r.map((v) => v + 0))).toEqual([
      [-0.001, 0],
      [0, 0.001],
    ]);
  });

  it('prefers PC over CD when both exist, and reads alternate WCS (key)', () => {
    const w = parseWcs(h([...base, 'CD1_1   =                 -1.0', 'PC1_1   =                  2.0']));
    expect(w.cd[0][0]).toBe(-0.002);
    const alt = parseWcs(
      h([...base, "CTYPE1A = 'GLON-CAR'", "CTYPE2A = 'GLAT-CAR'", 'CRPIX1A =                  1.0', 'CRPIX2A =                  1.0', 'CRVAL1A =                  5.0', 'CRVAL2A =                  0.0', 'CDELT1A =                 -0.5', 'CDELT2A =                  0.5']),
      { key: 'A' },
    );
    expect(alt.frame).toBe('galactic');
    expect(alt.pixelToWorld(1, 1)).toEqual([5, 0]);
  });

  it('throws FitsError for missing celestial axes, unsupported projections and singular matrices', () => {
    const err = (f: () => unknown, code: string, re: RegExp) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(FitsError);
        expect((e as FitsError).code).toBe(code);
        expect((e as FitsError).message).toMatch(re);
        return;
      }
      throw new Error('no error');
    };
    err(() => parseWcs(h(["CTYPE1  = 'LAMBDA'", "CTYPE2  = 'ANGLE'"])), 'MISSING_KEYWORD', /no celestial axes/);
    err(() => parseWcs(h(base.map((c) => c.replace('TAN', 'ZPN')))), 'UNSUPPORTED', /projection 'ZPN' of CTYPE1 = 'RA---ZPN' is not supported/);
    err(() => parseWcs(h([...base, 'PC1_1   =                  0.0', 'PC2_2   =                  0.0'])), 'BAD_KEYWORD', /singular/);
    err(() => parseWcs(h(base), { key: '1' }), 'BAD_ARGUMENT', /key/);
    err(() => parseWcs(h(base.map((c) => c.replace("'DEC--TAN'", "'DEC--SIN'")))), 'BAD_KEYWORD', /different projections/);
  });

  it('gives NaN for points that cannot be projected', () => {
    const w = parseWcs(h(base));
    expect(w.worldToPixel(190, -20)).toEqual([NaN, NaN]); // the far hemisphere of TAN
    expect(w.worldToPixel(10, 95)).toEqual([NaN, NaN]);
    expect(w.worldToPixel(NaN, 0)).toEqual([NaN, NaN]);
  });
});
