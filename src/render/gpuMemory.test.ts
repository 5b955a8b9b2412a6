// Texture byte sizes of the GPU memory accounting, computed independently by hand.
import { describe, expect, it } from 'vitest';
import { extentOf, textureBytes } from './gpuMemory.js';

describe('textureBytes', () => {
  it('counts texels × bytes per texel for one level', () => {
    expect(textureBytes({ size: [512, 512], format: 'rgba8unorm' })).toBe(512 * 512 * 4);
    expect(textureBytes({ size: { width: 100, height: 30 }, format: 'rg32float' })).toBe(100 * 30 * 8);
    expect(textureBytes({ size: [7], format: 'r32float', dimension: '1d' })).toBe(28);
  });

  it('adds every mip level of every array layer (a 512² × 256 tile array with 10 levels)', () => {
    let texels = 0;
    for (let w = 512; w >= 1; w /= 2) texels += w * w;
    expect(textureBytes({ size: [512, 512, 256], format: 'rgba8unorm', mipLevelCount: 10 })).toBe(texels * 256 * 4);
    // non-square: each side halves to at least 1 (8x2: 8x2 + 4x1 + 2x1 + 1x1)
    expect(textureBytes({ size: [8, 2], format: 'r8unorm', mipLevelCount: 4 })).toBe(16 + 4 + 2 + 1);
  });

  it('halves the depth of a 3-D texture per level but not array layers, and counts samples', () => {
    expect(textureBytes({ size: [4, 4, 4], format: 'r8unorm', mipLevelCount: 3, dimension: '3d' })).toBe(64 + 8 + 1);
    expect(textureBytes({ size: [4, 4, 4], format: 'r8unorm', mipLevelCount: 3 })).toBe((16 + 4 + 1) * 4);
    expect(textureBytes({ size: [10, 10], format: 'bgra8unorm', sampleCount: 4 })).toBe(1600);
  });

  it('gives NaN for a format it does not know (never a guess)', () => {
    expect(textureBytes({ size: [4, 4], format: 'bc1-rgba-unorm' as GPUTextureFormat })).toBeNaN();
  });

  it('reads both forms of GPUExtent3D', () => {
    expect(extentOf([3])).toEqual({ width: 3, height: 1, depthOrArrayLayers: 1 });
    expect(extentOf({ width: 3, depthOrArrayLayers: 5 })).toEqual({ width: 3, height: 1, depthOrArrayLayers: 5 });
  });
});
