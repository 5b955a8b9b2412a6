// Colormap tables: every colormap the sky-engine issue names exists, and sampled entries equal the
// independent sources (matplotlib 3.6 viridis, GDL's colour table 27 "Eos B", healpy's
// planck_cmap.dat), read here through the same decode the shader's table uses; reverse flips.
import { describe, expect, it } from 'vitest';
import { COLORMAPS, colormapTable } from './colormaps.js';

function rgb(table: Uint8Array, i: number): number[] {
  return [table[i * 4], table[i * 4 + 1], table[i * 4 + 2]];
}

describe('colormaps', () => {
  it('has every colormap the issue asks for', () => {
    for (const name of ['grayscale', 'viridis', 'inferno', 'magma', 'plasma', 'cividis', 'cubehelix', 'eosb', 'planck', 'rainbow', 'red', 'green', 'blue']) {
      expect(COLORMAPS).toContain(name);
      expect(colormapTable(name).length).toBe(1024);
    }
  });

  it('matches the reference tables at sampled entries', () => {
    // /usr/bin/python3: (matplotlib.colormaps['viridis'](np.linspace(0,1,256))[:, :3]*255+0.5).astype(int)
    expect(rgb(colormapTable('viridis'), 0)).toEqual([68, 1, 84]);
    expect(rgb(colormapTable('viridis'), 128)).toEqual([33, 145, 140]);
    expect(rgb(colormapTable('viridis'), 255)).toEqual([253, 231, 37]);
    // gdl: loadct, 27 & tvlct, r, g, b, /get — IDL "Eos B" starts white, then dark blue.
    expect(rgb(colormapTable('eosb'), 0)).toEqual([255, 255, 255]);
    expect(rgb(colormapTable('eosb'), 3)).toEqual([0, 0, 131]);
    expect(rgb(colormapTable('eosb'), 128)).toEqual([255, 114, 0]);
    expect(rgb(colormapTable('eosb'), 255)).toEqual([117, 0, 0]);
    // healpy/data/planck_cmap.dat rows 0, 128, 255.
    expect(rgb(colormapTable('planck'), 0)).toEqual([0, 0, 255]);
    expect(rgb(colormapTable('planck'), 128)).toEqual([255, 235, 211]);
    expect(rgb(colormapTable('planck'), 255)).toEqual([100, 0, 0]);
  });

  it('reverses and sets alpha', () => {
    const fwd = colormapTable('planck');
    const rev = colormapTable('planck', true);
    for (let i = 0; i < 256; i++) {
      expect(rgb(rev, i)).toEqual(rgb(fwd, 255 - i));
      expect(rev[i * 4 + 3]).toBe(255);
    }
  });

  it('names the choices for an unknown colormap', () => {
    expect(() => colormapTable('jet')).toThrow(/unknown colormap 'jet'.*eosb.*planck/);
  });
});
