// WGSL for the screen overlays drawn on top of the sky: the projection's outer boundary
// (anti-aliased outline just outside it, background colour beyond) and the reticle at the view
// centre. Drawn by one full-screen triangle, or — for a convex boundary without the reticle — by
// a ring of quads covering only the screen outside a polygon a few pixels inside the boundary, so
// the inside is not shaded twice (the fragments drawn give the same colours either way).
import { projectionWgsl } from './projection.wgsl.js';

/** Segments of the ring that draws a convex boundary (each a quad: 6 vertices). */
export const BOUNDARY_RING_SEGMENTS = 96;

export const boundaryWgsl = /* wgsl */ `
${projectionWgsl}

struct Boundary {
  halfPlane: vec2f,
  projection: u32,
  widthPx: f32,        // outline width in device pixels
  lineColor: vec4f,
  outsideColor: vec4f,
  reticleColor: vec4f,
  viewportPx: vec2f,
  reticlePx: f32,      // half length of the reticle arms in device pixels; 0 = no reticle
  hasBoundary: u32,
  ring: vec4f,         // boundary semi-axes a, b (plane units), inner polygon scale, outer radius
  ringShape: u32,      // 0 = full-screen triangle, 1 = ellipse ring, 2 = rectangle ring
  _p0: u32,
  _p1: u32,
  _p2: u32,
};

@group(0) @binding(0) var<uniform> u: Boundary;

struct VOut {
  @builtin(position) position: vec4f,
  @location(0) ndc: vec2f,
};

const RING_SEGMENTS: u32 = ${BOUNDARY_RING_SEGMENTS}u;

@vertex
fn vs(@builtin(vertex_index) vi: u32) -> VOut {
  var xy = vec2f(f32((vi << 1u) & 2u) * 2.0 - 1.0, f32(vi & 2u) * 2.0 - 1.0);
  if (u.ringShape != 0u) {
    // quad of segment i: (i, inner) (i+1, inner) (i, outer) and (i, outer) (i+1, inner) (i+1, outer);
    // a vertex's direction comes from its integer index alone, so neighbouring quads share it exactly
    let corner = vi % 6u;
    let next = corner == 1u || corner == 4u || corner == 5u;
    let outer = corner == 2u || corner == 3u || corner == 5u;
    let index = (vi / 6u + select(0u, 1u, next)) % RING_SEGMENTS;
    let t = f32(index) * (2.0 * PI / f32(RING_SEGMENTS));
    let dir = vec2f(cos(t), sin(t));
    let a = u.ring.x;
    let b = u.ring.y;
    // distance from the centre to the boundary along dir
    let r = select(inverseSqrt(dir.x * dir.x / (a * a) + dir.y * dir.y / (b * b)), 1.0 / max(abs(dir.x) / a, abs(dir.y) / b), u.ringShape == 2u);
    xy = dir * select(r * u.ring.z, u.ring.w, outer) / u.halfPlane;
  }
  var out: VOut;
  out.position = vec4f(xy, 0.0, 1.0);
  out.ndc = xy;
  return out;
}

@fragment
fn fs(in: VOut) -> @location(0) vec4f {
  var out = vec4f(0.0);
  // the pixel's own position (not the interpolated one), so both ways of drawing agree to the bit
  let ndc = vec2f(in.position.x / u.viewportPx.x * 2.0 - 1.0, 1.0 - in.position.y / u.viewportPx.y * 2.0);
  if (u.hasBoundary == 1u) {
    let q = ndc * u.halfPlane;
    let f = boundaryF(u.projection, q);
    let w = max(fwidth(f), 1e-9);
    let d = f / w; // signed distance in device pixels (approximately), > 0 outside
    // the outline lies just outside the boundary, so it never hides data
    let line = smoothstep(-1.0, 0.0, d) * (1.0 - smoothstep(u.widthPx, u.widthPx + 1.0, d));
    if (d > 0.0) {
      out = mix(u.outsideColor, u.lineColor, line);
    } else {
      out = vec4f(u.lineColor.rgb, u.lineColor.a * line);
    }
  }
  if (u.reticlePx > 0.0) {
    // a cross with a gap in the middle, 1.5 px wide, anti-aliased
    let p = abs(ndc * u.viewportPx * 0.5);
    let gap = 4.0;
    let armX = (1.0 - smoothstep(0.75, 1.25, p.y)) * step(gap, p.x) * (1.0 - smoothstep(u.reticlePx, u.reticlePx + 1.0, p.x));
    let armY = (1.0 - smoothstep(0.75, 1.25, p.x)) * step(gap, p.y) * (1.0 - smoothstep(u.reticlePx, u.reticlePx + 1.0, p.y));
    let a = max(armX, armY) * u.reticleColor.a;
    out = vec4f(mix(out.rgb, u.reticleColor.rgb, a), max(out.a, a));
  }
  if (out.a <= 0.0) { discard; }
  return out;
}
`;
