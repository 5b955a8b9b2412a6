// WGSL for the screen overlays drawn on top of the sky by one full-screen triangle: the
// projection's outer boundary (anti-aliased outline just outside it, background colour beyond)
// and the reticle at the view centre (the triangle covers only the reticle's box when no boundary
// is drawn).
import { projectionWgsl } from './projection.wgsl.js';

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
};

@group(0) @binding(0) var<uniform> u: Boundary;

struct VOut {
  @builtin(position) position: vec4f,
  @location(0) ndc: vec2f,
};

@vertex
fn vs(@builtin(vertex_index) vi: u32) -> VOut {
  var xy = vec2f(f32((vi << 1u) & 2u) * 2.0 - 1.0, f32(vi & 2u) * 2.0 - 1.0);
  if (u.hasBoundary == 0u) {
    // reticle only: the triangle shrunk to cover the reticle's box (its arms plus 2 px), not the
    // screen; on a CPU rasteriser (SwiftShader) a full-screen pass for a small cross cost about
    // 40% of a 1280x720 frame
    xy = xy * min(vec2f(1.0), (u.reticlePx + 2.0) * 2.0 / max(u.viewportPx, vec2f(1.0)));
  }
  var out: VOut;
  out.position = vec4f(xy, 0.0, 1.0);
  out.ndc = xy;
  return out;
}

@fragment
fn fs(in: VOut) -> @location(0) vec4f {
  var out = vec4f(0.0);
  if (u.hasBoundary == 1u) {
    let q = in.ndc * u.halfPlane;
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
    let p = abs(in.ndc * u.viewportPx * 0.5);
    let gap = 4.0;
    let armX = (1.0 - smoothstep(0.75, 1.25, p.y)) * step(gap, p.x) * (1.0 - smoothstep(u.reticlePx, u.reticlePx + 1.0, p.x));
    let armY = (1.0 - smoothstep(0.75, 1.25, p.x)) * step(gap, p.y) * (1.0 - smoothstep(u.reticlePx, u.reticlePx + 1.0, p.y));
    let a = max(armX, armY) * u.reticleColor.a;
    // (over a transparent outline fragment the reticle keeps its own colour, as where no
    // boundary is drawn)
    out = vec4f(mix(out.rgb, u.reticleColor.rgb, select(a, 1.0, out.a <= 0.0)), max(out.a, a));
  }
  if (out.a <= 0.0) { discard; }
  return out;
}
`;
