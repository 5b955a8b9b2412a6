// Allsky layouts on the real CDS Gaia DR2 radial-velocity HiPS (../shared/data/hips: order 3, 32-px tiles):
// every one of the 768 tiles sliced from Norder3/Allsky.fits in file order (the vertical flip of
// the JPEG layout) equals the values of its own Norder3 FITS tile (../shared/data has them), and
// the same slice taken top-down after flipping the whole image equals the tile flipped (the
// JPEG/PNG layout). Bad sizes and indices are named.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFits } from '../workers/fits/file.js';
import { flipRows } from '../workers/fitsTileDecode.js';
import { allskyLayout, allskyTileOrigin, sliceAllskyTile } from './allsky.js';
import { tilePath } from './tilePath.js';


const SHARED = '/work/shared/data/hips/cds_gaia_dr2_radial_velocity_map/';
const haveTiles = existsSync(`${SHARED}Norder3/Allsky.fits`);

function image(bytes: Uint8Array): { width: number; height: number; data: Float32Array | Float64Array } {
  const img = readFits(bytes).hdus[0].readImage();
  return { width: img.shape[0], height: img.shape[1], data: img.data };
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) return false;
  return true;
};

describe('Allsky layouts', () => {
  it('order 3: 27 columns, 29 rows (the last partial)', () => {
    const l = allskyLayout(3, 27 * 64, 29 * 64);
    expect([l.tiles, l.ncol, l.nrow, l.tileWidthPx]).toEqual([768, 27, 29, 64]);
    expect(allskyTileOrigin(l, 0, 'top-down')).toEqual({ x: 0, y: 0 });
    expect(allskyTileOrigin(l, 28, 'top-down')).toEqual({ x: 64, y: 64 });
    expect(allskyTileOrigin(l, 0, 'bottom-up')).toEqual({ x: 0, y: 28 * 64 });
    expect(allskyTileOrigin(l, 767, 'bottom-up')).toEqual({ x: (767 % 27) * 64, y: 0 });
    expect(allskyLayout(0, 3 * 512, 4 * 512).ncol).toBe(3);
  });

  it.skipIf(!haveTiles)('FITS Allsky in file order: every tile equals its own FITS tile; flipped, the JPEG layout', () => {
    const all = image(new Uint8Array(readFileSync(`${SHARED}Norder3/Allsky.fits`)));
    const layout = allskyLayout(3, all.width, all.height);
    expect(layout.tileWidthPx).toBe(32);
    const topDown = flipRows(all.data, all.width, all.height);
    let nonBlank = 0;
    for (let k = 0; k < layout.tiles; k++) {
      const tile = image(new Uint8Array(readFileSync(`${SHARED}${tilePath(3, k, 'fits')}`)));
      expect([tile.width, tile.height]).toEqual([32, 32]);
      const slice = sliceAllskyTile(all.data, layout, k, 1, 'bottom-up');
      expect(same(slice, tile.data), `tile ${k}`).toBe(true);
      expect(same(sliceAllskyTile(topDown, layout, k, 1, 'top-down'), flipRows(tile.data, 32, 32)), `tile ${k} top-down`).toBe(true);
      if (tile.data.some((v) => Number.isFinite(v))) nonBlank++;
    }
    expect(nonBlank).toBeGreaterThan(700);
    // the JPEG layout on the FITS data in file order gives other tiles: the flip matters
    expect(same(sliceAllskyTile(all.data, layout, 5, 1, 'top-down'), sliceAllskyTile(all.data, layout, 5, 1, 'bottom-up'))).toBe(false);
  });

  it('names bad sizes and indices', () => {
    expect(() => allskyLayout(3, 1000, 2000)).toThrow(/27 tiles per row, so its width must be a multiple of 27; got 1000 px/);
    expect(() => allskyLayout(3, 27 * 32, 28 * 32)).toThrow(/needs 29 tile rows \(928 px\), got 896 px/);
    expect(() => allskyLayout(7, 1, 1)).toThrow(RangeError);
    const l = allskyLayout(0, 3, 4);
    expect(() => allskyTileOrigin(l, 12, 'top-down')).toThrow(/integer in 0..11, got 12/);
    expect(() => sliceAllskyTile(new Uint8Array(5), l, 0, 4, 'top-down')).toThrow(/holds 5 values, a 3x4 image with 4 channels needs 48/);
    // RGBA slicing keeps the channels together
    const rgba = Uint8Array.from({ length: 3 * 4 * 4 }, (_, i) => i);
    expect(Array.from(sliceAllskyTile(rgba, l, 4, 4, 'top-down'))).toEqual([16, 17, 18, 19]);
  });
});
