// WGSL of the footprint layer, all by vertex pulling from storage buffers:
//  - projectFootprints (compute, once per view): per footprint its state on screen: out of view,
//    a dot (its whole cap projects within dotPx of its anchor: level of detail) or drawn in full;
//  - projectSegments (compute, once per view): both ends of every outline segment (two float32
//    offsets from its footprint's anchor) to screen pixels; segments the projection cannot draw
//    straight (far side, seam), of footprints out of view or drawn as a dot (but the dot's one)
//    are marked dropped; each workgroup counts the segments it keeps;
//  - scanCounts (one workgroup) and writeIndices (compute): the kept segments, in segment order
//    (a deterministic prefix sum, not an atomic append: the same blending order every frame), as
//    an index list of 6 indices per segment into 4 vertices per segment, and the indexed
//    indirect draw's arguments: culled segments cost no vertex work and each quad shades 4
//    vertices, not 6;
//  - vsLine/fsLine: each projected segment becomes a quad of constant CSS-pixel width with
//    anti-aliased edges; a point segment (flag 1) becomes a ring marker, a dot a filled disk;
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
  footprintCount: u32,
  segmentGroups: u32,    // workgroups of 256 segments (projectSegments / writeIndices)
  dotPx: f32,            // a footprint whose cap projects within this radius (device px) is a dot
  pad0: u32,
};

@group(0) @binding(0) var<uniform> u: FootprintFrame;
@group(0) @binding(1) var<storage, read> anchors: array<vec4f>;  // view-frame anchor, w = cap radius (rad) when in view, -1 when not
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
  @location(2) @interpolate(flat) kind: u32, // 0 segment, 1 point (ring), 2 dot (filled disk)
  @location(3) plane: vec2f,
  @location(4) @interpolate(flat) color: vec4f, // read once per vertex, not per fragment
  @location(5) @interpolate(flat) radiusPx: f32, // ring radius (kind 1) or dot radius (kind 2)
};

fn droppedLine() -> LineOut {
  var o: LineOut;
  o.position = vec4f(4.0, 4.0, 0.0, 1.0);
  o.local = vec2f(0.0);
  o.fp = 0u;
  o.kind = 0u;
  o.plane = vec2f(0.0);
  o.color = vec4f(0.0);
  o.radiusPx = 0.0;
  return o;
}

/** Outside the projection's boundary (only tested when the view reaches it). */
fn outsideBoundary(plane: vec2f) -> bool {
  return u.clipBoundary == 1u && u.mixTo >= 1.0 && boundaryF(u.projection, plane) > 0.0;
}

@group(1) @binding(0) var<storage, read> projected: array<vec4f>; // [2 per segment], see projectSegments
@group(1) @binding(1) var<storage, read> fpScreen: array<vec4f>;  // per footprint, see projectFootprints

/**
 * Vertex 4 * segment + corner (indexed: 0 1 2, 2 1 3), corner bit 0 = end (0 start, 1 end),
 * bit 1 = side (0 right of the direction, 1 left).
 */
@vertex
fn vsLine(@builtin(vertex_index) vi: u32) -> LineOut {
  let seg = vi >> 2u;
  let corner = vi & 3u;
  let p0 = projected[2u * seg];
  if (p0.x > 1e29) { return droppedLine(); }
  let p1 = projected[2u * seg + 1u];
  let fp = bitcast<u32>(segments[2u * seg].w);
  var kind = bitcast<u32>(segments[2u * seg + 1u].w);
  if (p1.w > 1e29) { kind = 2u; } // a footprint drawn as a dot (projectSegments)
  let sa = p0.xy;
  let sb = p0.zw;
  let t = f32(corner & 1u);
  let side = select(-1.0, 1.0, (corner & 2u) != 0u);
  let half = u.viewportPx * 0.5;
  var o: LineOut;
  o.fp = fp;
  o.kind = kind;
  o.color = select(unpack(colors[fp]), u.highlight, u.mode == 1u);
  if (kind != 0u) {
    o.radiusPx = select(u.pointPx, p1.z, kind == 2u);
    let r = o.radiusPx + u.widthPx * 0.5 + 0.5;
    let d = vec2f(select(-r, r, t > 0.5), side * r);
    o.position = vec4f((sa + d) / half, 0.0, 1.0);
    o.local = d;
    o.plane = p1.xy;
    return o;
  }
  o.radiusPx = 0.0;
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
    let d = abs(length(in.local) - in.radiusPx);
    return 1.0 - smoothstep(hw - 0.5, hw + 0.5, d);
  }
  if (in.kind == 2u) {
    let d = max(length(in.local) - in.radiusPx, 0.0);
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
  if (fpScreen[fp].w != 2.0) { return o; } // out of view, or drawn as a dot
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
@group(1) @binding(1) var<storage, read_write> fpScreen: array<vec4f>;
@group(1) @binding(2) var<storage, read> segStart: array<u32>;
@group(1) @binding(3) var<storage, read_write> indices: array<u32>;
// [0..4] drawIndexedIndirect arguments, [8 + w] kept segments of workgroup w (then their prefix sums)
@group(1) @binding(4) var<storage, read_write> drawArgs: array<u32>;

const STATE_OUT: f32 = 0.0;
const STATE_DOT: f32 = 1.0;
const STATE_FULL: f32 = 2.0;

/**
 * Per footprint: (screen x, y of the anchor, cap radius in device px, state). The cap's radius on
 * screen is bounded by the projection's Jacobian at the anchor: two orthogonal tangent steps of the
 * cap's angular radius, r = sqrt(|J e1|² + |J e2|²) ≥ |J u| for every unit tangent u. A footprint
 * with r < dotPx is a dot: every vertex lies within r of it (the linearisation is exact to the
 * second order in the cap's size, itself below a pixel here).
 */
@compute @workgroup_size(64)
fn projectFootprints(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let fp = gid.x + gid.y * groups.x * 64u;
  if (fp >= u.footprintCount) { return; }
  let an = anchors[fp];
  if (an.w < 0.0) { fpScreen[fp] = vec4f(0.0, 0.0, 0.0, STATE_OUT); return; }
  let a = normalize(an.xyz);
  let pole = select(vec3f(0.0, 0.0, 1.0), vec3f(1.0, 0.0, 0.0), abs(a.z) > 0.9);
  let e1 = normalize(cross(a, pole));
  let e2 = cross(a, e1);
  let s0 = screen(a);
  let s1 = screen(normalize(a + an.w * e1));
  let s2 = screen(normalize(a + an.w * e2));
  var state = STATE_FULL;
  var r = 0.0;
  if (s0.z != 0.0 && s1.z != 0.0 && s2.z != 0.0 && !seam(a, normalize(a + an.w * e1)) && !seam(a, normalize(a + an.w * e2))) {
    let d1 = s1.xy - s0.xy;
    let d2 = s2.xy - s0.xy;
    r = sqrt(dot(d1, d1) + dot(d2, d2));
    if (r < u.dotPx) { state = STATE_DOT; }
  }
  fpScreen[fp] = vec4f(s0.xy, r, state);
}

var<workgroup> kept: atomic<u32>;

/** Screen ends and plane points of one segment into projected[]; false when it is dropped. */
fn projectOne(seg: u32) -> bool {
  let s0 = segments[2u * seg];
  let s1 = segments[2u * seg + 1u];
  let fp = bitcast<u32>(s0.w);
  let kind = bitcast<u32>(s1.w);
  let gone = vec4f(1e30, 0.0, 0.0, 0.0);
  let st = fpScreen[fp];
  if (st.w == STATE_OUT) { projected[2u * seg] = gone; return false; }
  if (st.w == STATE_DOT && kind != 1u) {
    // the footprint's first segment draws its dot; the others nothing
    if (seg != segStart[fp]) { projected[2u * seg] = gone; return false; }
    let anchor = normalize(anchors[fp].xyz);
    let plane = projectPlane(u.projection, anchor);
    projected[2u * seg] = vec4f(st.xy, st.xy);
    projected[2u * seg + 1u] = vec4f(plane, st.z, 1e30);
    return true;
  }
  let a = viewOf(s0.xyz, fp);
  let b = viewOf(s1.xyz, fp);
  let sa = screen(a);
  let sb = screen(b);
  if (sa.z == 0.0 || sb.z == 0.0) { projected[2u * seg] = gone; return false; }
  if (kind != 1u && (seam(a, b) || length(sb.xy - sa.xy) < 1e-6)) { projected[2u * seg] = gone; return false; }
  projected[2u * seg] = vec4f(sa.xy, sb.xy);
  projected[2u * seg + 1u] = vec4f(projectPlane(u.projection, a), projectPlane(u.projection, b));
  return true;
}

/**
 * Once per view (not per vertex): screen positions (device px from the centre, y up) of both ends of
 * every segment, and their projection-plane points for the boundary test; x = 1e30 when dropped
 * (footprint out of view or a dot, far side, across a seam, zero length). Dots: both ends at the
 * anchor, w of the second vec4 = 1e30 and its z the dot's radius. Each workgroup's kept count
 * goes to drawArgs[8 + workgroup].
 */
@compute @workgroup_size(256)
fn projectSegments(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let w = wg.x + wg.y * groups.x;
  let seg = w * 256u + li;
  if (li == 0u) { atomicStore(&kept, 0u); }
  workgroupBarrier();
  if (seg < u.segmentCount && projectOne(seg)) { atomicAdd(&kept, 1u); }
  workgroupBarrier();
  if (li == 0u && w < u.segmentGroups) { drawArgs[8u + w] = atomicLoad(&kept); }
}

var<workgroup> sums: array<u32, 256>;

/** Inclusive prefix sum of v over the workgroup's 256 invocations (Hillis–Steele). */
fn workgroupScan(li: u32, v: u32) -> u32 {
  sums[li] = v;
  workgroupBarrier();
  for (var off = 1u; off < 256u; off = off << 1u) {
    let add = select(0u, sums[max(li, off) - off], li >= off);
    workgroupBarrier();
    sums[li] = sums[li] + add;
    workgroupBarrier();
  }
  return sums[li];
}

/** One workgroup: the per-workgroup kept counts become exclusive prefix sums; the draw's arguments. */
@compute @workgroup_size(256)
fn scanCounts(@builtin(local_invocation_index) li: u32) {
  let n = u.segmentGroups;
  let chunk = (n + 255u) / 256u;
  let begin = min(li * chunk, n);
  let end = min(begin + chunk, n);
  var total = 0u;
  for (var i = begin; i < end; i++) { total += drawArgs[8u + i]; }
  let inclusive = workgroupScan(li, total);
  var run = inclusive - total;
  for (var i = begin; i < end; i++) {
    let c = drawArgs[8u + i];
    drawArgs[8u + i] = run;
    run += c;
  }
  if (li == 255u) {
    drawArgs[0] = 6u * inclusive; // indexCount
    drawArgs[1] = 1u;             // instanceCount
    drawArgs[2] = 0u;             // firstIndex
    drawArgs[3] = 0u;             // baseVertex
    drawArgs[4] = 0u;             // firstInstance
  }
}

/** The kept segments' indices, in segment order: 6 per segment into its 4 vertices (0 1 2, 2 1 3). */
@compute @workgroup_size(256)
fn writeIndices(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let w = wg.x + wg.y * groups.x;
  let seg = w * 256u + li;
  var keep = 0u;
  if (seg < u.segmentCount && projected[2u * seg].x < 1e29) { keep = 1u; }
  let inclusive = workgroupScan(li, keep);
  if (keep == 1u) {
    let at = 6u * (drawArgs[8u + w] + inclusive - 1u);
    let v = 4u * seg;
    indices[at] = v;
    indices[at + 1u] = v + 1u;
    indices[at + 2u] = v + 2u;
    indices[at + 3u] = v + 2u;
    indices[at + 4u] = v + 1u;
    indices[at + 5u] = v + 3u;
  }
}
`;
