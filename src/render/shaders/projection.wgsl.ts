// WGSL twin of src/math/projections.ts: view-frame unit vector -> projection plane, and the
// projections' outer boundaries. Ids follow PROJECTION_ID. Plane units are radians at the centre.

export const projectionWgsl = /* wgsl */ `
const PI: f32 = 3.14159265358979;
const SQRT2: f32 = 1.41421356237310;
const MER_MAX_LAT: f32 = 1.48352986419518; // 85 degrees

fn isZenithal(id: u32) -> bool { return id <= 4u; }

fn mollGamma(theta: f32) -> f32 {
  if (abs(theta) > 1.5707) { return sign(theta) * PI * 0.5; }
  let goal = PI * sin(theta);
  var g = theta;
  for (var i = 0; i < 8; i++) {
    let d = 2.0 + 2.0 * cos(2.0 * g);
    g = g - (2.0 * g + sin(2.0 * g) - goal) / max(d, 1e-6);
  }
  return g;
}

/** Non-zenithal projections of native longitude phi (toward screen right) and latitude theta. */
fn projectNative(id: u32, phi: f32, theta: f32) -> vec2f {
  switch (id) {
    case 5u: { // AIT
      let ct = cos(theta);
      let d = sqrt(1.0 + ct * cos(phi * 0.5));
      return vec2f(2.0 * SQRT2 * ct * sin(phi * 0.5) / d, SQRT2 * sin(theta) / d);
    }
    case 6u: { // MOL
      let g = mollGamma(theta);
      return vec2f(2.0 * SQRT2 / PI * phi * cos(g), SQRT2 * sin(g));
    }
    case 7u: { // MER
      let t = clamp(theta, -MER_MAX_LAT, MER_MAX_LAT);
      return vec2f(phi, log(tan(PI * 0.25 + t * 0.5)));
    }
    case 8u: { // CAR
      return vec2f(phi, theta);
    }
    default: { // HPX
      let s = sin(theta);
      if (abs(s) <= 2.0 / 3.0) { return vec2f(phi, 3.0 * PI / 8.0 * s); }
      let sigma = sqrt(3.0 * (1.0 - abs(s)));
      let k = clamp(floor((phi + PI) * 2.0 / PI), 0.0, 3.0);
      let phiC = -PI + (2.0 * k + 1.0) * PI * 0.25;
      return vec2f(phiC + (phi - phiC) * sigma, sign(theta) * PI * 0.25 * (2.0 - sigma));
    }
  }
}

/** Plane coordinates of a view-frame vector; for SIN the far side is pinned to the limb. */
fn projectPlane(id: u32, p: vec3f) -> vec2f {
  switch (id) {
    case 0u: { // SIN
      if (p.z < 0.0) { return normalize(p.xy); }
      return p.xy;
    }
    case 1u: { return p.xy / max(p.z, 1e-6); } // TAN
    case 2u: { return 2.0 * p.xy / max(1.0 + p.z, 1e-6); } // STG
    case 3u: { return p.xy * sqrt(2.0 / max(1.0 + p.z, 1e-12)); } // ZEA
    case 4u: { // ARC
      let r = length(p.xy);
      if (r < 1e-30) { return vec2f(0.0); }
      return p.xy * (atan2(r, p.z) / r);
    }
    default: {
      let phi = atan2(p.x, p.z);
      let theta = atan2(p.y, length(p.xz));
      return projectNative(id, phi, theta);
    }
  }
}

/** < 0 inside the projection's outer boundary, > 0 outside; a large negative value when unbounded. */
fn boundaryF(id: u32, q: vec2f) -> f32 {
  switch (id) {
    case 0u: { return dot(q, q) - 1.0; }
    case 3u: { return dot(q, q) * 0.25 - 1.0; }
    case 4u: { return dot(q, q) / (PI * PI) - 1.0; }
    case 5u, 6u: { return q.x * q.x / 8.0 + q.y * q.y * 0.5 - 1.0; }
    case 7u: { return max(abs(q.x) / PI, abs(q.y) / log(tan(PI * 0.25 + MER_MAX_LAT * 0.5))) - 1.0; }
    case 8u: { return max(abs(q.x) / PI, abs(q.y) / (PI * 0.5)) - 1.0; }
    case 9u: {
      let ax = abs(q.x) / PI;
      let ay = abs(q.y);
      if (ay <= PI * 0.25) { return max(ax - 1.0, ay / (PI * 0.5) - 1.0); }
      let k = clamp(floor((q.x + PI) * 2.0 / PI), 0.0, 3.0);
      let phiC = -PI + (2.0 * k + 1.0) * PI * 0.25;
      return max(abs(q.x - phiC) - (PI * 0.5 - ay), ax - 1.0) / (PI * 0.25);
    }
    default: { return -1e6; }
  }
}
`;
