// WGSL of the footprint layer, all by vertex pulling from storage buffers:
//  - projectSegments (compute, once per view): both ends of every outline segment (two float32
//    offsets from its footprint's anchor) to screen pixels; segments the projection cannot draw
//    straight (far side, seam) or of footprints out of view are marked dropped;
//  - vsLine/fsLine: each projected segment becomes a quad of constant CSS-pixel width with
//    anti-aliased edges; a point segment (flag 1) becomes a ring marker;
//  - vsFill/fsFill: fill triangles (3 vertices each), dropped when they straddle a seam or the far side;
//  - fsLinePick/fsFillPick: (slot, footprint + 1) into the picking target.
// A point's view-frame vector = anchorView[fp] (float64 on the CPU, per view) + R · offset (R float32).
import { projectionWgsl } from './projection.wgsl.js';

const footprintsCommonWgsl = /* wgsl */ `
${projectionWgsl}

struct FootprintFrame {
  right: vec4f,          // rows of the ICRS -> view rotation
  up: vec4f,
  centre: vec4f,
  halfPlane: vec2f,      // target projection
  viewportPx: vec2f,
  halfPlaneFrom: vec2f,  // projection being animated away from
  mixTo: f32,            // weight of the target projection (1 = no transition)
  widthPx: f32,          // line width, device pixels
  projection: u32,
  projectionFrom: u32,
  mode: u32,             // 0 colour, 1 highlight (colour = highlight), 2 pick
  slot: u32,
  highlight: vec4f,
  fillAlpha: f32,        // multiplies the footprint's colour alpha for fills
  pointPx: f32,          // radius of point markers, device pixels
  segmentCount: u32,
  clipBoundary: u32,     // 1: the view reaches the projection's boundary, test it per fragment
};

@group(0) @binding(0) var<uniform> u: FootprintFrame;
@group(0) @binding(1) var<storage, read> anchors: array<vec4f>;  // view-frame anchor, w = 1 when in view
@group(0) @binding(2) var<storage, read> colors: array<u32>;     // packed RGBA8 per footprint
@group(0) @binding(3) var<storage, read> segments: array<vec4f>; // [2 per segment]
@group(0) @binding(4) var<storage, read> triangles: array<vec4f>; // [1 per vertex]

fn viewOf(offset: vec3f, fp: u32) -> vec3f {
  let r = vec3f(dot(u.right.xyz, offset), dot(u.up.xyz, offset), dot(u.centre.xyz, offset));
  return anchors[fp].xyz + r;
}

fn drawable(id: u32, v: vec3f) -> bool {
  switch (id) {
    case 0u: { return v.z >= 0.0; }
    case 1u: { return v.z > 1e-3; }
    case 2u: { return v.z > -0.99; }
    default: { return true; }
  }
}

/** Device-pixel position from the view centre (y up) under one projection; z = 0 when not drawable. */
fn screenOne(id: u32, halfPlane: vec2f, v: vec3f) -> vec3f {
  let n = projectPlane(id, v) / halfPlane;
  return vec3f(n * u.viewportPx * 0.5, select(0.0, 1.0, drawable(id, v)));
}

fn screen(v: vec3f) -> vec3f {
  let b = screenOne(u.projection, u.halfPlane, v);
  if (u.mixTo >= 1.0) { return b; }
  let a = screenOne(u.projectionFrom, u.halfPlaneFrom, v);
  return vec3f(mix(a.xy, b.xy, u.mixTo), a.z * b.z);
}

/** True when a straight piece between a and b would cross the seam of a non-zenithal projection. */
fn crossesSeam(id: u32, a: vec3f, b: vec3f) -> bool {
  if (isZenithal(id)) {
    return a.z < 0.0 && b.z < 0.0 && dot(normalize(a.xy + vec2f(1e-30, 0.0)), normalize(b.xy + vec2f(1e-30, 0.0))) < 0.5;
  }
  return abs(atan2(a.x, a.z) - atan2(b.x, b.z)) > 3.0;
}

fn seam(a: vec3f, b: vec3f) -> bool {
  return crossesSeam(u.projection, a, b) || (u.mixTo < 1.0 && crossesSeam(u.projectionFrom, a, b));
}

fn unpack(c: u32) -> vec4f {
  return vec4f(f32(c & 255u), f32((c >> 8u) & 255u), f32((c >> 16u) & 255u), f32(c >> 24u)) / 255.0;
}
`;

export const footprintsWgsl = /* wgsl */ `
${footprintsCommonWgsl}

struct LineOut {
  @builtin(position) position: vec4f,
  @location(0) local: vec2f,               // x along, y across (device px); for points: offset from the centre
  @location(1) @interpolate(flat) fp: u32,
  @location(2) @interpolate(flat) kind: u32, // 0 segment, 1 point
  @location(3) plane: vec2f,
  @location(4) @interpolate(flat) color: vec4f, // read once per vertex, not per fragment
};

fn droppedLine() -> LineOut {
  var o: LineOut;
  o.position = vec4f(4.0, 4.0, 0.0, 1.0);
  o.local = vec2f(0.0);
  o.fp = 0u;
  o.kind = 0u;
  o.plane = vec2f(0.0);
  o.color = vec4f(0.0);
  return o;
}

/** Outside the projection's boundary (only tested when the view reaches it). */
fn outsideBoundary(plane: vec2f) -> bool {
  return u.clipBoundary == 1u && u.mixTo >= 1.0 && boundaryF(u.projection, plane) > 0.0;
}

@group(1) @binding(0) var<storage, read> projected: array<vec4f>; // [2 per segment], see projectSegments

@vertex
fn vsLine(@builtin(vertex_index) vi: u32) -> LineOut {
  let seg = vi / 6u;
  let corner = vi % 6u;
  let p0 = projected[2u * seg];
  if (p0.x > 1e29) { return droppedLine(); }
  let p1 = projected[2u * seg + 1u];
  let fp = bitcast<u32>(segments[2u * seg].w);
  let kind = bitcast<u32>(segments[2u * seg + 1u].w);
  let sa = p0.xy;
  let sb = p0.zw;
  // corner -> end (0, 1, 0, 0, 1, 1) and side (-1, -1, 1, 1, -1, 1) as bit masks: a constant array
  // indexed by a varying index is a per-lane memory gather on CPU rasterisers (SwiftShader)
  let t = f32((50u >> corner) & 1u);
  let side = select(-1.0, 1.0, ((44u >> corner) & 1u) == 1u);
  let half = u.viewportPx * 0.5;
  var o: LineOut;
  o.fp = fp;
  o.kind = kind;
  o.color = select(unpack(colors[fp]), u.highlight, u.mode == 1u);
  if (kind == 1u) {
    let r = u.pointPx + u.widthPx * 0.5 + 0.5;
    let d = vec2f(select(-r, r, t > 0.5), side * r);
    o.position = vec4f((sa + d) / half, 0.0, 1.0);
    o.local = d;
    o.plane = p1.xy;
    return o;
  }
  var dir = sb - sa;
  let len = length(dir);
  dir = dir / len;
  let normal = vec2f(-dir.y, dir.x);
  // half a width plus the 0.5 px where lineCoverage() falls to 0: no fragment outside draws
  let w = u.widthPx * 0.5 + 0.5;
  // extend by half a width past each end so consecutive segments join without notches
  let along = mix(-w, len + w, t);
  let s = sa + dir * along + normal * side * w;
  o.position = vec4f(s / half, 0.0, 1.0);
  o.local = vec2f(along, side * w);
  o.plane = mix(p1.xy, p1.zw, t);
  return o;
}

fn lineCoverage(in: LineOut) -> f32 {
  let hw = u.widthPx * 0.5;
  if (in.kind == 1u) {
    let d = abs(length(in.local) - u.pointPx);
    return 1.0 - smoothstep(hw - 0.5, hw + 0.5, d);
  }
  return 1.0 - smoothstep(hw - 0.5, hw + 0.5, abs(in.local.y));
}

@fragment
fn fsLine(in: LineOut) -> @location(0) vec4f {
  if (outsideBoundary(in.plane)) { discard; }
  let c = lineCoverage(in);
  if (c <= 0.0) { discard; }
  return vec4f(in.color.rgb, in.color.a * c);
}

@fragment
fn fsLinePick(in: LineOut) -> @location(0) vec2<u32> {
  if (outsideBoundary(in.plane)) { discard; }
  if (lineCoverage(in) < 0.5) { discard; }
  return vec2<u32>(u.slot, in.fp + 1u);
}

struct FillOut {
  @builtin(position) position: vec4f,
  @location(0) @interpolate(flat) fp: u32,
  @location(1) plane: vec2f,
  @location(2) @interpolate(flat) color: vec4f,
};

@vertex
fn vsFill(@builtin(vertex_index) vi: u32) -> FillOut {
  let tri = vi / 3u;
  let t0 = triangles[3u * tri];
  let fp = bitcast<u32>(t0.w);
  var o: FillOut;
  o.position = vec4f(4.0, 4.0, 0.0, 1.0);
  o.fp = fp;
  o.plane = vec2f(0.0);
  o.color = vec4f(0.0);
  if (anchors[fp].w == 0.0) { return o; }
  let a = viewOf(t0.xyz, fp);
  let b = viewOf(triangles[3u * tri + 1u].xyz, fp);
  let c = viewOf(triangles[3u * tri + 2u].xyz, fp);
  if (screen(a).z == 0.0 || screen(b).z == 0.0 || screen(c).z == 0.0) { return o; }
  if (seam(a, b) || seam(b, c) || seam(c, a)) { return o; }
  let me = viewOf(triangles[vi].xyz, fp);
  let s = screen(me);
  o.position = vec4f(s.xy / (u.viewportPx * 0.5), 0.0, 1.0);
  o.plane = projectPlane(u.projection, me);
  o.color = unpack(colors[fp]);
  return o;
}

@fragment
fn fsFill(in: FillOut) -> @location(0) vec4f {
  if (outsideBoundary(in.plane)) { discard; }
  return vec4f(in.color.rgb, in.color.a * u.fillAlpha);
}

@fragment
fn fsFillPick(in: FillOut) -> @location(0) vec2<u32> {
  if (outsideBoundary(in.plane)) { discard; }
  return vec2<u32>(u.slot, in.fp + 1u);
}
`;

export const footprintsProjectWgsl = /* wgsl */ `
${footprintsCommonWgsl}

@group(1) @binding(0) var<storage, read_write> projected: array<vec4f>;

/**
 * Once per view (not per vertex): screen positions (device px from the centre, y up) of both ends of
 * every segment, and their projection-plane points for the boundary test; x = 1e30 when dropped
 * (footprint out of view, far side, across a seam, zero length).
 */
@compute @workgroup_size(64)
fn projectSegments(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let seg = gid.x + gid.y * groups.x * 64u;
  if (seg >= u.segmentCount) { return; }
  let s0 = segments[2u * seg];
  let s1 = segments[2u * seg + 1u];
  let fp = bitcast<u32>(s0.w);
  let kind = bitcast<u32>(s1.w);
  let gone = vec4f(1e30, 0.0, 0.0, 0.0);
  if (anchors[fp].w == 0.0) { projected[2u * seg] = gone; return; }
  let a = viewOf(s0.xyz, fp);
  let b = viewOf(s1.xyz, fp);
  let sa = screen(a);
  let sb = screen(b);
  if (sa.z == 0.0 || sb.z == 0.0) { projected[2u * seg] = gone; return; }
  if (kind != 1u && (seam(a, b) || length(sb.xy - sa.xy) < 1e-6)) { projected[2u * seg] = gone; return; }
  projected[2u * seg] = vec4f(sa.xy, sb.xy);
  projected[2u * seg + 1u] = vec4f(projectPlane(u.projection, a), projectPlane(u.projection, b));
}
`;
