// Sky projections, forward and inverse, on view-frame unit vectors (x = screen right, y = screen
// up, z = toward the view centre). Plane units are radians at the centre (FITS WCS projection
// formulas of Calabretta & Greisen 2002 with R0 = 1 instead of 180/π). The GPU twin of this file
// is src/render/shaders/projection.wgsl.ts; both are checked against astropy.wcs.

export type ProjectionName = 'SIN' | 'TAN' | 'STG' | 'ZEA' | 'ARC' | 'AIT' | 'MOL' | 'MER' | 'CAR' | 'HPX';

export const PROJECTIONS: readonly ProjectionName[] = ['SIN', 'TAN', 'STG', 'ZEA', 'ARC', 'AIT', 'MOL', 'MER', 'CAR', 'HPX'];

/** Numeric ids shared with the shaders. */
export const PROJECTION_ID: Record<ProjectionName, number> = { SIN: 0, TAN: 1, STG: 2, ZEA: 3, ARC: 4, AIT: 5, MOL: 6, MER: 7, CAR: 8, HPX: 9 };

/** Zenithal projections are functions of the angle from the centre only. */
export const ZENITHAL: ReadonlySet<ProjectionName> = new Set(['SIN', 'TAN', 'STG', 'ZEA', 'ARC']);

/** Largest horizontal field each projection shows, degrees. */
export const MAX_FOV_DEG: Record<ProjectionName, number> = {
  SIN: 180, TAN: 150, STG: 300, ZEA: 360, ARC: 360, AIT: 360, MOL: 360, MER: 360, CAR: 360, HPX: 360,
};

/** Mercator is cut at this native latitude (its plane is infinite at the poles). */
export const MER_MAX_LAT_RAD = (85 * Math.PI) / 180;

const SQRT2 = Math.SQRT2;
const PI = Math.PI;

/** Auxiliary angle of Mollweide's projection: 2γ + sin 2γ = π sin θ (Newton, to 1e-15). */
export function mollweideGamma(thetaRad: number): number {
  if (Math.abs(thetaRad) >= PI / 2 - 1e-12) return Math.sign(thetaRad) * (PI / 2);
  const target = PI * Math.sin(thetaRad);
  let g = thetaRad;
  for (let i = 0; i < 50; i++) {
    const f = 2 * g + Math.sin(2 * g) - target;
    const d = 2 + 2 * Math.cos(2 * g);
    const step = f / d;
    g -= step;
    if (Math.abs(step) < 1e-15) break;
  }
  return g;
}

/**
 * Projection-plane coordinates [X, Y] of the view-frame unit vector (x, y, z), or undefined where
 * the projection has no image (far side of SIN, behind TAN, the antipode of STG).
 */
export function projectViewFrame(name: ProjectionName, x: number, y: number, z: number): [number, number] | undefined {
  switch (name) {
    case 'SIN':
      return z >= 0 ? [x, y] : undefined;
    case 'TAN':
      return z > 1e-12 ? [x / z, y / z] : undefined;
    case 'STG':
      return z > -1 + 1e-12 ? [(2 * x) / (1 + z), (2 * y) / (1 + z)] : undefined;
    case 'ZEA': {
      if (z <= -1) return undefined;
      const k = Math.sqrt(2 / (1 + z));
      return [x * k, y * k];
    }
    case 'ARC': {
      const r = Math.hypot(x, y);
      if (r === 0) return z > 0 ? [0, 0] : undefined;
      const c = Math.atan2(r, z);
      return [(x * c) / r, (y * c) / r];
    }
    default: {
      const phi = Math.atan2(x, z);
      const theta = Math.atan2(y, Math.hypot(x, z));
      return projectNative(name, phi, theta);
    }
  }
}

/** Non-zenithal projections from native longitude φ (toward screen right) and latitude θ, radians. */
export function projectNative(name: ProjectionName, phi: number, theta: number): [number, number] | undefined {
  switch (name) {
    case 'AIT': {
      const ct = Math.cos(theta);
      const d = Math.sqrt(1 + ct * Math.cos(phi / 2));
      return [(2 * SQRT2 * ct * Math.sin(phi / 2)) / d, (SQRT2 * Math.sin(theta)) / d];
    }
    case 'MOL': {
      const g = mollweideGamma(theta);
      return [((2 * SQRT2) / PI) * phi * Math.cos(g), SQRT2 * Math.sin(g)];
    }
    case 'CAR':
      return [phi, theta];
    case 'MER':
      if (Math.abs(theta) > MER_MAX_LAT_RAD) return undefined;
      return [phi, Math.log(Math.tan(PI / 4 + theta / 2))];
    case 'HPX': {
      const s = Math.sin(theta);
      if (Math.abs(s) <= 2 / 3) return [phi, ((3 * PI) / 8) * s];
      const sigma = Math.sqrt(3 * (1 - Math.abs(s)));
      // centre of the polar facet containing φ: -3π/4, -π/4, π/4, 3π/4
      let k = Math.floor(((phi + PI) * 2) / PI);
      if (k > 3) k = 3;
      if (k < 0) k = 0;
      const phiC = -PI + (2 * k + 1) * (PI / 4);
      return [phiC + (phi - phiC) * sigma, Math.sign(theta) * (PI / 4) * (2 - sigma)];
    }
    default:
      return undefined;
  }
}

/** View-frame unit vector at plane coordinates [X, Y], or undefined outside the projection. */
export function unprojectPlane(name: ProjectionName, X: number, Y: number): [number, number, number] | undefined {
  const R = Math.hypot(X, Y);
  const zenithal = (c: number): [number, number, number] | undefined => {
    if (R === 0) return [0, 0, 1];
    const s = Math.sin(c);
    return [(X / R) * s, (Y / R) * s, Math.cos(c)];
  };
  switch (name) {
    case 'SIN':
      return R <= 1 ? zenithal(Math.asin(R)) : undefined;
    case 'TAN':
      return zenithal(Math.atan(R));
    case 'STG':
      return zenithal(2 * Math.atan(R / 2));
    case 'ZEA':
      return R <= 2 ? zenithal(2 * Math.asin(R / 2)) : undefined;
    case 'ARC':
      return R <= PI ? zenithal(R) : undefined;
    default: {
      const n = inverseNative(name, X, Y);
      if (!n) return undefined;
      const [phi, theta] = n;
      const ct = Math.cos(theta);
      return [ct * Math.sin(phi), Math.sin(theta), ct * Math.cos(phi)];
    }
  }
}

/** Native [φ, θ] of plane coordinates for the non-zenithal projections. */
export function inverseNative(name: ProjectionName, X: number, Y: number): [number, number] | undefined {
  switch (name) {
    case 'AIT': {
      if ((X * X) / 8 + (Y * Y) / 2 > 1) return undefined;
      const z2 = 1 - (X * X) / 16 - (Y * Y) / 4;
      const z = Math.sqrt(Math.max(0, z2));
      const phi = 2 * Math.atan2(z * X, 2 * (2 * z * z - 1));
      const theta = Math.asin(Math.max(-1, Math.min(1, Y * z)));
      return [phi, theta];
    }
    case 'MOL': {
      if ((X * X) / 8 + (Y * Y) / 2 > 1) return undefined;
      const sg = Y / SQRT2;
      const g = Math.asin(Math.max(-1, Math.min(1, sg)));
      const cg = Math.cos(g);
      const phi = cg < 1e-15 ? 0 : (PI * X) / (2 * SQRT2 * cg);
      if (Math.abs(phi) > PI + 1e-12) return undefined;
      const theta = Math.asin(Math.max(-1, Math.min(1, (2 * g + Math.sin(2 * g)) / PI)));
      return [phi, theta];
    }
    case 'CAR':
      return Math.abs(X) <= PI && Math.abs(Y) <= PI / 2 ? [X, Y] : undefined;
    case 'MER': {
      if (Math.abs(X) > PI) return undefined;
      const theta = 2 * Math.atan(Math.exp(Y)) - PI / 2;
      return Math.abs(theta) <= MER_MAX_LAT_RAD ? [X, theta] : undefined;
    }
    case 'HPX': {
      if (Math.abs(X) > PI || Math.abs(Y) > PI / 2) return undefined;
      if (Math.abs(Y) <= PI / 4) return [X, Math.asin((8 * Y) / (3 * PI))];
      const sigma = 2 - (4 * Math.abs(Y)) / PI;
      let k = Math.floor(((X + PI) * 2) / PI);
      if (k > 3) k = 3;
      if (k < 0) k = 0;
      const phiC = -PI + (2 * k + 1) * (PI / 4);
      if (Math.abs(X - phiC) > (PI / 4) * sigma + 1e-12) return undefined;
      const phi = sigma < 1e-15 ? phiC : phiC + (X - phiC) / sigma;
      const s = 1 - (sigma * sigma) / 3;
      return [phi, Math.sign(Y) * Math.asin(Math.min(1, s))];
    }
    default:
      return undefined;
  }
}

/** Plane distance from the centre to the point fovDeg/2 away along the screen's horizontal. */
export function halfWidthPlane(name: ProjectionName, fovDeg: number): number {
  const a = Math.min((fovDeg * PI) / 360, PI);
  const p = projectViewFrame(name, Math.sin(a), 0, Math.cos(a));
  if (p) return Math.abs(p[0]);
  // at the exact edge (e.g. 360° for ARC/ZEA, 180° for SIN) fall back to the limit
  return name === 'SIN' ? 1 : name === 'ZEA' ? 2 : name === 'ARC' ? PI : PI;
}

/** d(plane)/d(angle) at the centre along the horizontal. */
export function centreScale(name: ProjectionName): number {
  return name === 'MOL' ? (2 * SQRT2) / PI : 1;
}

/**
 * Signed distance-like function of the projection's outer boundary: < 0 inside, 0 on it, > 0
 * outside; undefined for projections without a boundary (TAN, STG).
 */
export function boundaryFunction(name: ProjectionName, X: number, Y: number): number | undefined {
  switch (name) {
    case 'SIN': return X * X + Y * Y - 1;
    case 'ZEA': return (X * X + Y * Y) / 4 - 1;
    case 'ARC': return (X * X + Y * Y) / (PI * PI) - 1;
    case 'AIT':
    case 'MOL': return (X * X) / 8 + (Y * Y) / 2 - 1;
    case 'CAR': return Math.max(Math.abs(X) / PI, Math.abs(Y) / (PI / 2)) - 1;
    case 'MER': return Math.max(Math.abs(X) / PI, Math.abs(Y) / Math.log(Math.tan(PI / 4 + MER_MAX_LAT_RAD / 2))) - 1;
    case 'HPX': {
      const ax = Math.abs(X) / PI;
      const ay = Math.abs(Y);
      if (ay <= PI / 4) return Math.max(ax - 1, ay / (PI / 2) - 1);
      let k = Math.floor(((X + PI) * 2) / PI);
      k = Math.max(0, Math.min(3, k));
      const phiC = -PI + (2 * k + 1) * (PI / 4);
      // inside the polar triangle when |X - phiC| <= π/2 - |Y|
      return Math.max(Math.abs(X - phiC) - (PI / 2 - ay), ax - 1) / (PI / 4);
    }
    default: return undefined;
  }
}
