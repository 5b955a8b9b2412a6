// Checks HiPS tile/Allsky paths, format extensions and URL joining.
import { describe, it, expect } from 'vitest';
import { allskyPath, extensionForFormat, joinUrl, tilePath } from './tilePath.js';

describe('tilePath', () => {
  it('NorderK/DirD/NpixN.ext with D = floor(N/10000)·10000', () => {
    expect(tilePath(6, 10302, 'jpg')).toBe('Norder6/Dir10000/Npix10302.jpg');
    expect(tilePath(0, 0, 'png')).toBe('Norder0/Dir0/Npix0.png');
    expect(tilePath(3, 767, 'fits')).toBe('Norder3/Dir0/Npix767.fits');
    expect(tilePath(7, 9999, 'jpg')).toBe('Norder7/Dir0/Npix9999.jpg');
    expect(tilePath(7, 10000, 'jpg')).toBe('Norder7/Dir10000/Npix10000.jpg');
    expect(tilePath(7, 196607, '.webp')).toBe('Norder7/Dir190000/Npix196607.webp');
  });

  it('is exact for large indices (order 24 and above)', () => {
    const n = 12 * 4 ** 24 - 1; // 3377699720527871
    expect(tilePath(24, n, 'jpg')).toBe('Norder24/Dir3377699720520000/Npix3377699720527871.jpg');
    // just below a multiple of 10000, where floor(N / 10000) in float64 could round up
    const m = 3377699720520000 - 1;
    expect(tilePath(24, m, 'jpg')).toBe('Norder24/Dir3377699720510000/Npix3377699720519999.jpg');
    expect(tilePath(29, 2 ** 53 - 1, 'png')).toBe(
      'Norder29/Dir9007199254740000/Npix9007199254740991.png',
    );
  });

  it('rejects bad input', () => {
    expect(() => tilePath(-1, 0, 'jpg')).toThrow(RangeError);
    expect(() => tilePath(30, 0, 'jpg')).toThrow(RangeError);
    expect(() => tilePath(1.5, 0, 'jpg')).toThrow(RangeError);
    expect(() => tilePath(0, 12, 'jpg')).toThrow(RangeError);
    expect(() => tilePath(3, -1, 'jpg')).toThrow(RangeError);
    expect(() => tilePath(3, 1.5, 'jpg')).toThrow(RangeError);
    expect(() => tilePath(29, 2 ** 53, 'jpg')).toThrow(RangeError);
    expect(() => tilePath(3, 1, '')).toThrow(RangeError);
    expect(() => tilePath(3, 1, 'j/pg')).toThrow(RangeError);
  });
});

describe('allskyPath', () => {
  it('NorderK/Allsky.ext', () => {
    expect(allskyPath(3, 'jpg')).toBe('Norder3/Allsky.jpg');
    expect(allskyPath(3, '.fits')).toBe('Norder3/Allsky.fits');
    expect(() => allskyPath(-1, 'jpg')).toThrow(RangeError);
    expect(() => allskyPath(3, '')).toThrow(RangeError);
  });
});

describe('extensionForFormat', () => {
  it('maps hips_tile_format words to file extensions', () => {
    expect(extensionForFormat('jpeg')).toBe('jpg');
    expect(extensionForFormat('jpg')).toBe('jpg');
    expect(extensionForFormat('JPEG')).toBe('jpg');
    expect(extensionForFormat('png')).toBe('png');
    expect(extensionForFormat('webp')).toBe('webp');
    expect(extensionForFormat('fits')).toBe('fits');
    expect(extensionForFormat('tsv')).toBe('tsv');
    expect(() => extensionForFormat('gif')).toThrow(RangeError);
    expect(() => extensionForFormat('')).toThrow(RangeError);
  });
});

describe('joinUrl', () => {
  it('puts exactly one slash between base and path', () => {
    const path = 'Norder3/Allsky.jpg';
    expect(joinUrl('https://alasky.cds.unistra.fr/DSS/DSSColor', path)).toBe(
      'https://alasky.cds.unistra.fr/DSS/DSSColor/Norder3/Allsky.jpg',
    );
    expect(joinUrl('https://alasky.cds.unistra.fr/DSS/DSSColor/', path)).toBe(
      'https://alasky.cds.unistra.fr/DSS/DSSColor/Norder3/Allsky.jpg',
    );
    expect(joinUrl('https://host/hips//', `/${path}`)).toBe('https://host/hips/Norder3/Allsky.jpg');
    expect(joinUrl('data/hips/x', 'properties')).toBe('data/hips/x/properties');
    expect(joinUrl('/', 'properties')).toBe('/properties');
    expect(joinUrl('', 'properties')).toBe('properties');
  });
});
