import { describe, expect, it } from 'vitest';
import { formatCard, rgbaToFitsPlanes, writeFitsImage } from './fitsWriter.js';
import { viewWcsCards } from './viewWcs.js';
import { readFits } from '../workers/fits/index.js';

describe('FITS image writer', () => {
  it('formats fixed-format cards', () => {
    expect(formatCard({ key: 'NAXIS', value: 2 })).toBe('NAXIS   =                    2'.padEnd(80));
    expect(formatCard({ key: 'CTYPE1', value: "RA---TAN" })).toBe("CTYPE1  = 'RA---TAN'           ".padEnd(80));
    expect(formatCard({ key: 'CDELT1', value: -1.5e-5 })).toBe('CDELT1  =            -0.000015'.padEnd(80));
    expect(formatCard({ key: 'CDELT2', value: 1e-7, comment: 'deg' })).toBe('CDELT2  =               1.0E-7 / deg'.padEnd(80));
    expect(Number(formatCard({ key: 'X', value: 0.1 + 0.2 }).slice(10, 30))).toBe(0.1 + 0.2);
    expect(() => formatCard({ key: 'BAD KEY', value: 1 })).toThrow(RangeError);
    expect(() => formatCard({ key: 'X', value: NaN })).toThrow(/non-finite/);
  });

  it('writes an RGB view image that our reader reads back with its WCS and pixels', () => {
    const w = 5, h = 3;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([i, 100 + i, 200 + i, 255], i * 4);
    const cards = viewWcsCards({ raDeg: 83.82, decDeg: -5.39, fovDeg: 1, rollDeg: 0, projection: 'TAN', widthPx: w, heightPx: h });
    const bytes = writeFitsImage({ bitpix: 8, shape: [w, h, 3], data: rgbaToFitsPlanes(rgba, w, h), cards });
    expect(bytes.length % 2880).toBe(0);
    const f = readFits(bytes);
    const hdr = f.hdus[0].header;
    expect(hdr.get('CTYPE1')).toBe('RA---TAN');
    expect(hdr.get('CRVAL2')).toBeCloseTo(-5.39, 12);
    expect(hdr.get('CRPIX1')).toBe(3);
    const img = f.hdus[0].readImage();
    expect(img.shape).toEqual([5, 3, 3]);
    // FITS row 1 is the bottom row of the picture: pixel (x=0, bottom) = rgba index (h-1)*w
    expect(img.data[0]).toBe((h - 1) * w);
    expect(img.data[w * h]).toBe(100 + (h - 1) * w);
    expect(img.data[2 * w * h + w * (h - 1) + 4]).toBe(200 + 4);
  });
});
