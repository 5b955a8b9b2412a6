import { describe, expect, it } from 'vitest';
import { glMatrix, quat, vec3 } from 'gl-matrix';
import { angleRad, cross, dot, lonLatDegToVec, meanDirection, normalize, rotateAbout, vecToLonLatDeg } from './vec3.js';

glMatrix.setMatrixArrayType(Array); // float64 in gl-matrix too, for an independent cross-check

describe('vec3 (float64)', () => {
  it('rotates like gl-matrix quaternions (float64 mode) to 1e-15', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (let i = 0; i < 200; i++) {
      const axis = normalize([rnd(), rnd(), rnd()]);
      const v = [rnd(), rnd(), rnd()];
      const a = rnd() * Math.PI;
      const q = quat.setAxisAngle(quat.create(), axis as unknown as vec3, a);
      const ref = vec3.transformQuat(vec3.create(), v as unknown as vec3, q) as unknown as number[];
      const ours = rotateAbout(v, axis, a);
      for (let k = 0; k < 3; k++) expect(ours[k]).toBeCloseTo(ref[k], 14);
    }
  });

  it('converts lon/lat both ways, keeps lon in [0,360) and measures tiny angles', () => {
    const [lon, lat] = vecToLonLatDeg(lonLatDegToVec(-10, 45));
    expect(lon).toBeCloseTo(350, 12);
    expect(lat).toBeCloseTo(45, 12);
    const a = lonLatDegToVec(10, 20);
    const b = lonLatDegToVec(10 + 1e-9, 20);
    // (10 + 1e-9) is itself only good to ~2e-15 deg, so compare to 1e-5 relative
    const expected = ((1e-9 * Math.PI) / 180) * Math.cos((20 * Math.PI) / 180);
    expect(Math.abs(angleRad(a, b) / expected - 1)).toBeLessThan(1e-5);
    expect(dot(cross(a, b), a)).toBeCloseTo(0, 15);
    expect(() => normalize([0, 0, 0])).toThrow(RangeError);
  });
});

describe('meanDirection', () => {
  it('is the unit mean of the points, undefined when they cancel or there are none', () => {
    const m = meanDirection([[1, 0, 0], [0, 1, 0]])!;
    expect(m[0]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(m[1]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(m[2]).toBe(0);
    expect(meanDirection([[0, 0, 1], [0, 0, -1]])).toBeUndefined();
    expect(meanDirection([])).toBeUndefined();
  });
});
