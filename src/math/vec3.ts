// Float64 3-vector maths on plain tuples and arrays: the CPU side of every sky computation.

export type Vec3 = [number, number, number];

const DEG = Math.PI / 180;

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

export function cross(a: ArrayLike<number>, b: ArrayLike<number>): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function norm(a: ArrayLike<number>): number {
  return Math.hypot(a[0], a[1], a[2]);
}

export function normalize(a: ArrayLike<number>): Vec3 {
  const n = norm(a);
  if (!(n > 0)) throw new RangeError('cannot normalise a zero-length vector');
  return [a[0] / n, a[1] / n, a[2] / n];
}

export function scale(a: ArrayLike<number>, s: number): Vec3 {
  return [a[0] * s, a[1] * s, a[2] * s];
}

export function add(a: ArrayLike<number>, b: ArrayLike<number>): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

/** Unit vector (x toward lon 0 lat 0, z toward lat +90) from spherical coordinates in degrees. */
export function lonLatDegToVec(lonDeg: number, latDeg: number): Vec3 {
  const lon = lonDeg * DEG;
  const lat = latDeg * DEG;
  const c = Math.cos(lat);
  return [c * Math.cos(lon), c * Math.sin(lon), Math.sin(lat)];
}

/** Spherical coordinates in degrees (lon in [0, 360)) of any non-zero vector. */
export function vecToLonLatDeg(v: ArrayLike<number>): [number, number] {
  const r = Math.hypot(v[0], v[1]);
  let lonDeg = r === 0 ? 0 : Math.atan2(v[1], v[0]) / DEG;
  if (lonDeg < 0) lonDeg += 360;
  if (lonDeg >= 360) lonDeg -= 360;
  const latDeg = Math.atan2(v[2], r) / DEG;
  return [lonDeg, latDeg];
}

/** Angle between two vectors in radians, accurate for tiny and near-pi separations. */
export function angleRad(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.atan2(norm(cross(a, b)), dot(a, b));
}

/** Rotate v about the unit axis by angleRad (right-hand rule), Rodrigues' formula. */
export function rotateAbout(v: ArrayLike<number>, axis: ArrayLike<number>, angle: number): Vec3 {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const k = cross(axis, v);
  const d = dot(axis, v) * (1 - c);
  return [
    v[0] * c + k[0] * s + axis[0] * d,
    v[1] * c + k[1] * s + axis[1] * d,
    v[2] * c + k[2] * s + axis[2] * d,
  ];
}

/** Mean direction of points (unit), or undefined when they cancel out (or there are none). */
export function meanDirection(points: ReadonlyArray<ArrayLike<number>>): Vec3 | undefined {
  let x = 0;
  let y = 0;
  let z = 0;
  for (const p of points) {
    x += p[0];
    y += p[1];
    z += p[2];
  }
  const m = Math.hypot(x, y, z);
  return points.length === 0 || m < 1e-9 * points.length ? undefined : [x / m, y / m, z / m];
}
