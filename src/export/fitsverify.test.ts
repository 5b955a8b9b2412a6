// Files written by the project (writeFitsImage, as exportFITS writes them: RGB views and float32
// data of FITS surveys, with the view's WCS in every projection and frame, NaN pixels, string and
// date cards, the cards exportCards gives exportFITS) pass NASA's fitsverify (Debian package fitsverify) with no warning and no error.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECTIONS } from '../math/camera.js';
import type { FrameName } from '../math/frames.js';
import { rgbaToFitsPlanes, writeFitsImage } from './fitsWriter.js';
import { exportCards } from './exportCards.js';

function hasFitsverify(): boolean {
  try {
    execFileSync('fitsverify', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    return (e as { status?: number }).status !== undefined; // ran, even if -h exits non-zero
  }
}

const dir = mkdtempSync(join(tmpdir(), 'fitsverify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** fitsverify's summary line for a file, e.g. "0 warnings and 0 errors". */
function verify(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  let out: string;
  try {
    out = execFileSync('fitsverify', ['-l', path], { encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? e);
  }
  const m = /\*\*\*\*\s*Verification found (\d+) warning\(s\) and (\d+) error\(s\)/.exec(out);
  if (!m) throw new Error(`fitsverify gave no summary for ${name}:\n${out}`);
  return m[1] === '0' && m[2] === '0' ? 'ok' : out;
}

const haveFitsverify = hasFitsverify();
// CI installs fitsverify and sets ESASKY_REQUIRE_FITSVERIFY=1: there a missing tool is a failure
if (!haveFitsverify && process.env.ESASKY_REQUIRE_FITSVERIFY === '1') throw new Error('ESASKY_REQUIRE_FITSVERIFY=1 but fitsverify (Debian package fitsverify) is not installed');

describe.skipIf(!haveFitsverify)('FITS written by the project pass fitsverify', () => {
  const frames: FrameName[] = ['icrs', 'galactic', 'ecliptic'];
  for (const projection of PROJECTIONS) {
    it(`RGB view and float32 survey data, ${projection}`, () => {
      const frame = frames[PROJECTIONS.indexOf(projection) % 3]!;
      const [w, h] = [33, 20];
      const view = { raDeg: 83.82, decDeg: -5.39, fovDeg: 30, rollDeg: 12, projection, frame, widthPx: w, heightPx: h };
      const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 7) % 256);
      const date = new Date(Date.UTC(2026, 10, 27, 20, 0, 0));
      const url = 'https://alasky.cds.unistra.fr/DSS/DSSColor/with/a/long/path/that/is/cut';
      // the cards exportFITS writes (exportCards), for both kinds of export
      const rgb = writeFitsImage({ bitpix: 8, shape: [w, h, 3], data: rgbaToFitsPlanes(rgba, w, h), cards: exportCards(view, 'rgb', url, date) });
      expect(verify(`rgb-${projection}.fits`, rgb)).toBe('ok');
      const values = Float32Array.from({ length: w * h }, (_, i) => (i % 11 === 0 ? NaN : Math.sin(i) * 1e3));
      const data = writeFitsImage({ bitpix: -32, shape: [w, h], data: values, cards: exportCards(view, 'data', url, date) });
      expect(verify(`data-${projection}.fits`, data)).toBe('ok');
    });
  }

  it('a file with an error is caught by this check (the check can fail)', () => {
    const good = writeFitsImage({ bitpix: 8, shape: [4, 4], data: new Uint8Array(16), cards: [] });
    const bad = good.slice(0, 2880 + 8); // data truncated
    expect(verify('truncated.fits', bad)).not.toBe('ok');
  });
});
