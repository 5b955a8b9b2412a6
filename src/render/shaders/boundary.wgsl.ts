// WGSL for the projection boundary: a full-screen triangle whose fragments find their plane
// coordinates and paint an anti-aliased outline on the projection's outer boundary, and the
// background colour outside it.
import { projectionWgsl } from './projection.wgsl.js';

export const boundaryWgsl = /* wgsl */ `
${projectionWgsl}

struct Boundary {
  halfPlane: vec2f,
  projection: u32,
  widthPx: f32,        // outline width in device pixels
  lineColor: vec4f,
  outsideColor: vec4f,
};

@group(0) @binding(0) var<uniform> u: Boundary;

struct VOut {
  @builtin(position) position: vec4f,
  @location(0) ndc: vec2f,
};

@vertex
fn vs(@builtin(vertex_index) vi: u32) -> VOut {
  let xy = vec2f(f32((vi << 1u) & 2u) * 2.0 - 1.0, f32(vi & 2u) * 2.0 - 1.0);
  var out: VOut;
  out.position = vec4f(xy, 0.0, 1.0);
  out.ndc = xy;
  return out;
}

@fragment
fn fs(in: VOut) -> @location(0) vec4f {
  let q = in.ndc * u.halfPlane;
  let f = boundaryF(u.projection, q);
  let w = max(fwidth(f), 1e-9);
  let d = f / w; // signed distance in device pixels (approximately), > 0 outside
  // the outline lies just outside the boundary, so it never hides data
  let line = smoothstep(-1.0, 0.0, d) * (1.0 - smoothstep(u.widthPx, u.widthPx + 1.0, d));
  if (d > 0.0) {
    return mix(u.outsideColor, u.lineColor, line);
  }
  if (line <= 0.0) { discard; }
  return vec4f(u.lineColor.rgb, u.lineColor.a * line);
}
`;
