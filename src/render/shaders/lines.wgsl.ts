// WGSL for anti-aliased lines of constant screen width (grid, outlines), drawn by vertex pulling:
// segment i is the pair of view-frame points 2i, 2i+1; each becomes a quad in device pixels.
// Segments that the projection cannot draw as a straight piece (far side of SIN, behind TAN, across
// an all-sky seam or around the antipode) are dropped.
import { projectionWgsl } from './projection.wgsl.js';

export const linesWgsl = /* wgsl */ `
${projectionWgsl}

struct LineFrame {
  halfPlane: vec2f,
  viewportPx: vec2f,
  color: vec4f,
  projection: u32,
  widthPx: f32,
  _pad0: f32,
  _pad1: f32,
};

@group(0) @binding(0) var<uniform> u: LineFrame;
@group(0) @binding(1) var<storage, read> points: array<vec4f>;

struct VOut {
  @builtin(position) position: vec4f,
  @location(0) across: f32,   // signed distance from the line's axis, device pixels
  @location(1) plane: vec2f,
};

fn dropped() -> VOut {
  var o: VOut;
  o.position = vec4f(4.0, 4.0, 0.0, 1.0);
  o.across = 0.0;
  o.plane = vec2f(0.0);
  return o;
}

@vertex
fn vs(@builtin(vertex_index) vi: u32) -> VOut {
  let seg = vi / 6u;
  let corner = vi % 6u;
  let a = points[2u * seg].xyz;
  let b = points[2u * seg + 1u].xyz;
  let id = u.projection;
  if (id == 0u && (a.z < 0.0 || b.z < 0.0)) { return dropped(); }
  if (id == 1u && (a.z < 1e-3 || b.z < 1e-3)) { return dropped(); }
  if (isZenithal(id) && a.z < 0.0 && b.z < 0.0 && dot(normalize(a.xy + vec2f(1e-30, 0.0)), normalize(b.xy + vec2f(1e-30, 0.0))) < 0.5) { return dropped(); }
  let pa = projectPlane(id, a);
  let pb = projectPlane(id, b);
  if (!isZenithal(id)) {
    // a jump across the native longitude seam
    if (abs(atan2(a.x, a.z) - atan2(b.x, b.z)) > 3.0) { return dropped(); }
  }
  let na = pa / u.halfPlane;
  let nb = pb / u.halfPlane;
  let half = u.viewportPx * 0.5;
  let sa = na * half;
  let sb = nb * half;
  var dir = sb - sa;
  let len = length(dir);
  if (len < 1e-6) { return dropped(); }
  dir = dir / len;
  let normal = vec2f(-dir.y, dir.x);
  let w = u.widthPx * 0.5 + 1.0;
  let ends = array<f32, 6>(0.0, 1.0, 0.0, 0.0, 1.0, 1.0);
  let sides = array<f32, 6>(-1.0, -1.0, 1.0, 1.0, -1.0, 1.0);
  let t = ends[corner];
  let side = sides[corner];
  let s = mix(sa, sb, t) + normal * side * w;
  var o: VOut;
  o.position = vec4f(s / half, 0.0, 1.0);
  o.across = side * w;
  o.plane = mix(pa, pb, t);
  return o;
}

@fragment
fn fs(in: VOut) -> @location(0) vec4f {
  if (boundaryF(u.projection, in.plane) > 0.0) { discard; }
  let coverage = 1.0 - smoothstep(u.widthPx * 0.5 - 0.5, u.widthPx * 0.5 + 0.5, abs(in.across));
  if (coverage <= 0.0) { discard; }
  return vec4f(u.color.rgb, u.color.a * coverage);
}
`;
