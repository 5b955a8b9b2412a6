// WGSL of the footprint layer, all by vertex pulling from storage buffers:
//  - projectFootprints (compute, once per view): per footprint its state on screen: out of view
//    (its HEALPix cell's cap misses the view — the CPU's float64 test per cell — or its own cap
//    does), a dot (its whole cap projects within dotPx of its anchor: level of detail) or full;
//    (per chunk of 64 footprints, with their kept count);
//  - scanFootprints (one invocation), writeFootprints: the kept footprints in
//    footprint order with the prefix sum of the segments each needs (all for a full one, one for a
//    dot), and the indirect dispatch sizes of the segment passes (two-level culling: the segment
//    passes only visit the kept footprints' segments);
//  - projectSegments (compute, indirect, per kept segment k): both ends of the segment (two float32
//    offsets from its footprint's anchor) to screen pixels; segments the projection cannot draw
//    straight (far side, seam) are marked dropped; keptSeg[k] = its segment;
//  - countChunks, scanCounts (one invocation) and writeIndices (compute, indirect): the kept
//    segments, in segment order (a deterministic prefix sum over chunks of 64, not an atomic
//    append: the same blending order every frame), as an index list of 6 indices per segment into
//    4 vertices per segment, and the indexed indirect draw's arguments: culled segments cost no
//    vertex work and each quad shades 4 vertices, not 6;
//  - vsLine/fsLine: each projected segment becomes a quad of constant CSS-pixel width with
//    anti-aliased edges; a point segment (flag 1) becomes a ring marker, a dot a filled disk;
//  - vsFill/fsFill: fill triangles (3 vertices each), dropped when they straddle a seam or the far side;
//  - fsLinePick/fsFillPick: (slot, footprint + 1) into the picking target.
// A point's view-frame vector = cellView[cell] (float64 on the CPU, per view, for the few thousand
// non-empty HEALPix cells) + R · (anchor offset from the cell centre + point offset from the anchor),
// R float32: float32 errors are of quantities as large as a cell (order 5, ≤ 1.5°), not of unit vectors.
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
  segmentGroups: u32,    // chunks of 64 segments (countChunks / writeIndices)
  dotPx: f32,            // a footprint whose cap projects within this radius (device px) is a dot
  viewRadius: f32,       // radius (rad) of the cap the viewport lies in (both projections in a transition)
  offBase: u32,          // anchors[]: cells [0, offBase), offsets [offBase, infoBase), info [infoBase, +footprints)
  infoBase: u32,
  fpChunkBase: u32,      // work[]: footprint chunk counts from here
  keptSegBase: u32,      // kept[]: kept footprints (2 words each), then the kept segments from here
};

@group(0) @binding(0) var<uniform> u: FootprintFrame;
// [cells: view-frame centre per view, w = 1 when its cap meets the view, -1 when not]
// [per footprint: anchor offset from its cell's centre (ICRS), w = cell slot (u32 bits)]
// [per footprint: first segment, segment count | 1 << 31 when it has ring markers, outline cap radius (rad, f32 bits), extent (rad, f32 bits)]
@group(0) @binding(1) var<storage, read> anchors: array<vec4f>;
@group(0) @binding(2) var<storage, read> colors: array<u32>;     // packed RGBA8 per footprint
@group(0) @binding(3) var<storage, read> segments: array<vec4f>; // [2 per segment]
@group(0) @binding(4) var<storage, read> triangles: array<vec4f>; // [1 per vertex]

fn rotate(v: vec3f) -> vec3f {
  return vec3f(dot(u.right.xyz, v), dot(u.up.xyz, v), dot(u.centre.xyz, v));
}

/** View-frame anchor of a footprint: its cell's centre (float64-rotated on the CPU) + the rotated offset. */
fn anchorView(fp: u32) -> vec3f {
  let off = anchors[u.offBase + fp];
  return anchors[bitcast<u32>(off.w)].xyz + rotate(off.xyz);
}

fn viewOf(offset: vec3f, fp: u32) -> vec3f {
  return anchorView(fp) + rotate(offset);
}

/** Both ends of a segment on screen (xy, zw) and their plane points; x = 1e30 when not drawable straight. */
struct SegScreen { p0: vec4f, p1: vec4f, };

fn projectSegment(seg: u32) -> SegScreen {
  let s0 = segments[2u * seg];
  let s1 = segments[2u * seg + 1u];
  let fp = bitcast<u32>(s0.w);
  let kind = bitcast<u32>(s1.w);
  var o: SegScreen;
  o.p0 = vec4f(1e30, 0.0, 0.0, 0.0);
  o.p1 = vec4f(0.0);
  let base = anchorView(fp);
  let a = base + rotate(s0.xyz);
  let b = base + rotate(s1.xyz);
  let sa = screen(a);
  let sb = screen(b);
  if (sa.z == 0.0 || sb.z == 0.0) { return o; }
  if (kind != 1u && (seam(a, b) || length(sb.xy - sa.xy) < 1e-6)) { return o; }
  o.p0 = vec4f(sa.xy, sb.xy);
  o.p1 = vec4f(projectPlane(u.projection, a), projectPlane(u.projection, b));
  return o;
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

@group(1) @binding(0) var<storage, read> projected: array<vec4f>; // [2 per kept segment], see projectSegments
@group(1) @binding(1) var<storage, read> fpScreen: array<vec4f>;  // per footprint, see projectFootprints
@group(1) @binding(2) var<storage, read> kept: array<u32>;        // [keptSegBase + k]: segment of kept segment k

/**
 * Vertex 4 * kept segment + corner (indexed: 0 1 2, 2 1 3), corner bit 0 = end (0 start, 1 end),
 * bit 1 = side (0 right of the direction, 1 left).
 */
@vertex
fn vsLine(@builtin(vertex_index) vi: u32) -> LineOut {
  let k = vi >> 2u;
  let p0 = projected[2u * k];
  if (p0.x > 1e29) { return droppedLine(); }
  return lineVertex(p0, projected[2u * k + 1u], kept[u.keptSegBase + k], vi & 3u);
}

/** The selected footprint's outline (vertex 4 * segment + corner), projected here: a few segments. */
@vertex
fn vsHighlight(@builtin(vertex_index) vi: u32) -> LineOut {
  let seg = vi >> 2u;
  let p = projectSegment(seg);
  if (p.p0.x > 1e29) { return droppedLine(); }
  return lineVertex(p.p0, p.p1, seg, vi & 3u);
}

fn lineVertex(p0: vec4f, p1: vec4f, seg: u32, corner: u32) -> LineOut {
  let fp = bitcast<u32>(segments[2u * seg].w);
  var kind = bitcast<u32>(segments[2u * seg + 1u].w);
  // a footprint drawn as a dot: its kept segment has zero length (projectSegments drops the others)
  if (kind == 0u && all(p0.xy == p0.zw)) { kind = 2u; }
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

/**
 * Share of the pixel covered by a line of the device width at distance d from its middle: a linear
 * ramp over the pixel (the box-filter coverage of a straight edge), 0.5 at half a width.
 */
fn coverageAt(d: f32) -> f32 {
  return clamp(u.widthPx * 0.5 + 0.5 - d, 0.0, 1.0);
}

fn lineCoverage(in: LineOut) -> f32 {
  if (in.kind == 1u) { return coverageAt(abs(length(in.local) - in.radiusPx)); }
  if (in.kind == 2u) { return coverageAt(max(length(in.local) - in.radiusPx, 0.0)); }
  return coverageAt(abs(in.local.y));
}

// No discard for uncovered fragments: alpha 0 blends to exactly the destination, and a discard
// costs a per-lane mask on CPU rasterisers.
@fragment
fn fsLine(in: LineOut) -> @location(0) vec4f {
  if (outsideBoundary(in.plane)) { discard; }
  return vec4f(in.color.rgb, in.color.a * lineCoverage(in));
}

// The common case, plain segments (kind 0) of the kept list: no point or dot branch, no footprint
// id, and the projection-plane varying only in the variant for views that reach the boundary.
struct SegOut {
  @builtin(position) position: vec4f,
  @location(0) across: f32,                      // device px from the line's middle
  @location(1) @interpolate(flat) color: vec4f,
};

struct SegClipOut {
  @builtin(position) position: vec4f,
  @location(0) across: f32,
  @location(1) @interpolate(flat) color: vec4f,
  @location(2) plane: vec2f,
};

fn segVertex(vi: u32, color: vec4f) -> SegClipOut {
  let seg = vi >> 2u;
  let corner = vi & 3u;
  let p0 = projected[2u * seg];
  let t = f32(corner & 1u);
  let side = select(-1.0, 1.0, (corner & 2u) != 0u);
  let sa = p0.xy;
  let dir = normalize(p0.zw - sa);
  let w = u.widthPx * 0.5 + 0.5;
  let along = mix(-w, distance(sa, p0.zw) + w, t);
  var o: SegClipOut;
  o.position = vec4f((sa + dir * along + vec2f(-dir.y, dir.x) * side * w) / (u.viewportPx * 0.5), 0.0, 1.0);
  o.across = side * w;
  o.color = color;
  o.plane = vec2f(0.0);
  return o;
}

@vertex
fn vsSeg(@builtin(vertex_index) vi: u32) -> SegOut {
  let c = segVertex(vi, unpack(bitcast<u32>(projected[2u * (vi >> 2u) + 1u].x)));
  return SegOut(c.position, c.across, c.color);
}

@vertex
fn vsSegClip(@builtin(vertex_index) vi: u32) -> SegClipOut {
  var c = segVertex(vi, unpack(colors[bitcast<u32>(segments[2u * kept[u.keptSegBase + (vi >> 2u)]].w)]));
  let p1 = projected[2u * (vi >> 2u) + 1u];
  c.plane = select(p1.xy, p1.zw, (vi & 1u) == 1u);
  return c;
}

@fragment
fn fsSeg(in: SegOut) -> @location(0) vec4f {
  return vec4f(in.color.rgb, in.color.a * coverageAt(abs(in.across)));
}

@fragment
fn fsSegClip(in: SegClipOut) -> @location(0) vec4f {
  if (outsideBoundary(in.plane)) { discard; }
  return vec4f(in.color.rgb, in.color.a * coverageAt(abs(in.across)));
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
  // out of view (a footprint whose outline is a dot keeps its fill: a MOC is many tiny cells)
  if (fpScreen[fp].w == 0.0) { return o; }
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
// [2 i, 2 i + 1]: kept footprint i and the first kept segment of its segments; [keptSegBase + k]: kept segment k's segment
@group(1) @binding(2) var<storage, read_write> kept: array<u32>;
@group(1) @binding(3) var<storage, read_write> indices: array<u32>;
// [0..9] both draws' drawIndexedIndirect arguments, [10..15] the segment passes' dispatch sizes,
// [16] kept segments, [17] their chunks, [18] kept footprints; [HEAD + 2 c, +1] per segment chunk,
// [fpChunkBase + 2 c, +1] per footprint chunk: counts, then their prefix sums
@group(1) @binding(4) var<storage, read_write> work: array<u32>;

const STATE_OUT: f32 = 0.0;
const STATE_DOT: f32 = 1.0;
const STATE_FULL: f32 = 2.0;

/**
 * Can a cap (centre a, view frame; radius ext) be linearised, i.e. is it far from every place
 * where the projection is singular or cut? Zenithal: in front of the horizon (SIN's limb, where
 * the radial scale vanishes). All-sky: twice its radius from the back meridian and the poles of
 * the view frame (the seam's half circle, which ends at both poles). HEALPix has more cuts: never.
 */
fn capLinear(id: u32, a: vec3f, ext: f32) -> bool {
  if (isZenithal(id)) { return a.z > sin(min(2.0 * ext, 1.5)); }
  if (id == 9u) { return false; }
  let toPole = atan2(length(a.xz), abs(a.y));
  let toSeam = select(toPole, asin(min(abs(a.x), 1.0)), a.z <= 0.0);
  return toSeam > 2.0 * ext;
}

/**
 * Does a cap (view-frame centre v, not normalised; radius ext) meet the view's cap (radius
 * u.viewRadius around +z)? Float32-safe: within a hemisphere the test is on x² + y² (precise near
 * the view centre, where cos would round to 1), with margins larger than the float32 error of v.
 */
fn capMeetsView(v: vec3f, ext: f32) -> bool {
  let r = u.viewRadius + ext;
  if (r >= 3.14159) { return true; }
  let n = length(v);
  if (r < 1.5) {
    let s = sin(r) * (1.0 + 1e-5) + 1e-7;
    return v.z > 0.0 && dot(v.xy, v.xy) <= s * s * n * n;
  }
  return v.z >= (cos(r) - 1e-5) * n;
}

/**
 * A footprint's (screen x, y of the anchor, cap radius in device px, state). Out of view when its
 * cell's cap misses the view (the CPU's float64 test per cell) or its own cap does. The cap's radius
 * on screen is bounded by the projection's Jacobian at the anchor: two orthogonal tangent steps of
 * the cap's angular radius, r = sqrt(|J e1|² + |J e2|²) ≥ |J u| for every unit tangent u. A
 * footprint with r < dotPx is a dot: every vertex lies within r of it (the linearisation is exact
 * to the second order in the cap's size, itself below a pixel here).
 */
fn footprintState(fp: u32) -> vec4f {
  let off = anchors[u.offBase + fp];
  let cell = anchors[bitcast<u32>(off.w)];
  if (cell.w < 0.0) { return vec4f(0.0, 0.0, 0.0, STATE_OUT); }
  let info = anchors[u.infoBase + fp];
  let v = cell.xyz + rotate(off.xyz);
  if (!capMeetsView(v, info.w)) { return vec4f(0.0, 0.0, 0.0, STATE_OUT); }
  let radius = info.z;
  let a = normalize(v);
  let pole = select(vec3f(0.0, 0.0, 1.0), vec3f(1.0, 0.0, 0.0), abs(a.z) > 0.9);
  let e1 = normalize(cross(a, pole));
  let e2 = cross(a, e1);
  let s0 = screen(a);
  let s1 = screen(normalize(a + radius * e1));
  let s2 = screen(normalize(a + radius * e2));
  var state = STATE_FULL;
  var r = 0.0;
  let linear = capLinear(u.projection, a, radius) && (u.mixTo >= 1.0 || capLinear(u.projectionFrom, a, radius));
  if (linear && s0.z != 0.0 && s1.z != 0.0 && s2.z != 0.0) {
    let d1 = s1.xy - s0.xy;
    let d2 = s2.xy - s0.xy;
    r = sqrt(dot(d1, d1) + dot(d2, d2));
    if (r < u.dotPx) { state = STATE_DOT; }
  }
  return vec4f(s0.xy, r, state);
}

const CHUNK: u32 = 64u;
const HEAD: u32 = 20u;
const RING_BIT: u32 = 0x80000000u;

/** Segments a footprint in state st needs this view: none out of view, all in full, one for a dot (all when it has ring markers). */
fn neededSegments(fp: u32, st: f32) -> u32 {
  if (st == STATE_OUT) { return 0u; }
  let n = bitcast<u32>(anchors[u.infoBase + fp].y);
  if (st == STATE_DOT && (n & RING_BIT) == 0u) { return min(n, 1u); }
  return n & ~RING_BIT;
}

/**
 * Per chunk of 64 footprints (a loop, not an invocation per footprint: SwiftShader's cost is per
 * invocation): each footprint's state into fpScreen, and the chunk's kept footprints and their
 * segments into work[fpChunkBase + 2 c, +1].
 */
@compute @workgroup_size(64)
fn projectFootprints(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let chunk = gid.x + gid.y * groups.x * 64u;
  let chunks = (u.footprintCount + CHUNK - 1u) / CHUNK;
  if (chunk >= chunks) { return; }
  let end = min(chunk * CHUNK + CHUNK, u.footprintCount);
  var fps = 0u;
  var segs = 0u;
  for (var fp = chunk * CHUNK; fp < end; fp++) {
    let st = footprintState(fp);
    fpScreen[fp] = st;
    let n = neededSegments(fp, st.w);
    if (n > 0u) { fps++; segs += n; }
  }
  work[u.fpChunkBase + 2u * chunk] = fps;
  work[u.fpChunkBase + 2u * chunk + 1u] = segs;
}

/** x, y of a dispatch of g workgroups (x at most 65535). */
fn putDispatch(at: u32, g: u32) {
  let x = min(g, 65535u);
  work[at] = x;
  work[at + 1u] = select(1u, (g + x - 1u) / max(x, 1u), x > 0u);
  work[at + 2u] = 1u;
}

/** One invocation: footprint chunk counts become exclusive prefix sums; the segment passes' sizes. */
@compute @workgroup_size(1)
fn scanFootprints() {
  let chunks = (u.footprintCount + CHUNK - 1u) / CHUNK;
  var fps = 0u;
  var segs = 0u;
  for (var i = 0u; i < chunks; i++) {
    let f = work[u.fpChunkBase + 2u * i];
    let s = work[u.fpChunkBase + 2u * i + 1u];
    work[u.fpChunkBase + 2u * i] = fps;
    work[u.fpChunkBase + 2u * i + 1u] = segs;
    fps += f;
    segs += s;
  }
  let segChunks = (segs + CHUNK - 1u) / CHUNK;
  putDispatch(10u, (segs + 63u) / 64u);
  putDispatch(13u, (segChunks + 63u) / 64u);
  work[16] = segs;
  work[17] = segChunks;
  work[18] = fps;
}

/** The kept footprints in order, each with the index of its first kept segment. */
@compute @workgroup_size(64)
fn writeFootprints(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let chunk = gid.x + gid.y * groups.x * 64u;
  let chunks = (u.footprintCount + CHUNK - 1u) / CHUNK;
  if (chunk >= chunks) { return; }
  let end = min(chunk * CHUNK + CHUNK, u.footprintCount);
  var at = work[u.fpChunkBase + 2u * chunk];
  var seg = work[u.fpChunkBase + 2u * chunk + 1u];
  for (var fp = chunk * CHUNK; fp < end; fp++) {
    let n = neededSegments(fp, fpScreen[fp].w);
    if (n > 0u) {
      kept[2u * at] = fp;
      kept[2u * at + 1u] = seg;
      at++;
      seg += n;
    }
  }
}

/**
 * Per kept segment k (indirect dispatch over the kept footprints' segments only): its footprint (a
 * binary search of the kept footprints' first segments), its segment, both ends on screen (device
 * px from the centre, y up) and, when the view reaches the projection's boundary or for ring
 * markers, their plane points; else the colour (one contiguous 32-byte read per vertex in vsSeg).
 * x = 1e30 when dropped (far side, across a seam, zero length). A dot: both ends at the anchor (the
 * only kept segments of zero length), z of the second vec4 the dot's radius.
 */
@compute @workgroup_size(64)
fn projectSegments(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let k = gid.x + gid.y * groups.x * 64u;
  if (k >= work[16]) { return; }
  var lo = 0u;
  var hi = work[18] - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) / 2u;
    if (kept[2u * mid + 1u] <= k) { lo = mid; } else { hi = mid - 1u; }
  }
  let fp = kept[2u * lo];
  let first = bitcast<u32>(anchors[u.infoBase + fp].x);
  let seg = first + k - kept[2u * lo + 1u];
  kept[u.keptSegBase + k] = seg;
  let kind = bitcast<u32>(segments[2u * seg + 1u].w);
  let st = fpScreen[fp];
  if (st.w == STATE_DOT && kind != 1u) {
    // the footprint's first segment draws its dot; the others (of a footprint with rings) nothing
    if (seg != first) { projected[2u * k] = vec4f(1e30, 0.0, 0.0, 0.0); return; }
    let plane = projectPlane(u.projection, normalize(anchorView(fp)));
    projected[2u * k] = vec4f(st.xy, st.xy);
    projected[2u * k + 1u] = vec4f(plane, st.z, 0.0);
    return;
  }
  let p = projectSegment(seg);
  projected[2u * k] = p.p0;
  if (p.p0.x > 1e29) { return; }
  if (u.clipBoundary == 1u || kind == 1u) {
    projected[2u * k + 1u] = p.p1;
  } else {
    projected[2u * k + 1u] = vec4f(bitcast<f32>(colors[fp]), 0.0, 0.0, 0.0);
  }
}

// The compaction has no workgroup barriers: SwiftShader runs a barrier as a coroutine switch per
// invocation, which made a 256-wide workgroup scan cost more than the whole draw. Each invocation
// owns a chunk of CHUNK consecutive kept segments and walks it; one invocation scans the chunk
// counts. Two lists: plain segments (drawn by vsSeg) first, then ring markers and dots (vsLine).

/** 0 dropped, 1 plain segment, 2 ring marker or dot. */
fn keptKind(k: u32) -> u32 {
  let p0 = projected[2u * k];
  if (p0.x > 1e29) { return 0u; }
  if (bitcast<u32>(segments[2u * kept[u.keptSegBase + k] + 1u].w) == 1u || all(p0.xy == p0.zw)) { return 2u; }
  return 1u;
}

/** Kept plain segments and points of each chunk into work[HEAD + 2 chunk + 0/1]. */
@compute @workgroup_size(64)
fn countChunks(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let chunk = gid.x + gid.y * groups.x * 64u;
  if (chunk >= work[17]) { return; }
  let end = min(chunk * CHUNK + CHUNK, work[16]);
  var lines = 0u;
  var points = 0u;
  for (var k = chunk * CHUNK; k < end; k++) {
    let kk = keptKind(k);
    if (kk == 1u) { lines++; }
    if (kk == 2u) { points++; }
  }
  work[HEAD + 2u * chunk] = lines;
  work[HEAD + 2u * chunk + 1u] = points;
}

/** One invocation: the chunk counts become exclusive prefix sums; both draws' arguments. */
@compute @workgroup_size(1)
fn scanCounts() {
  var lines = 0u;
  var points = 0u;
  let chunks = work[17];
  for (var i = 0u; i < chunks; i++) {
    let l = work[HEAD + 2u * i];
    let p = work[HEAD + 2u * i + 1u];
    work[HEAD + 2u * i] = lines;
    work[HEAD + 2u * i + 1u] = points;
    lines += l;
    points += p;
  }
  // drawIndexedIndirect: indexCount, instanceCount, firstIndex, baseVertex, firstInstance
  work[0] = 6u * lines;
  work[1] = 1u;
  work[2] = 0u;
  work[3] = 0u;
  work[4] = 0u;
  work[5] = 6u * points;
  work[6] = 1u;
  work[7] = 6u * lines;
  work[8] = 0u;
  work[9] = 0u;
}

fn putQuad(at: u32, k: u32) {
  let v = 4u * k;
  indices[at] = v;
  indices[at + 1u] = v + 1u;
  indices[at + 2u] = v + 2u;
  indices[at + 3u] = v + 2u;
  indices[at + 4u] = v + 1u;
  indices[at + 5u] = v + 3u;
}

/** The kept segments' indices, in segment order: 6 per segment into its 4 vertices (0 1 2, 2 1 3). */
@compute @workgroup_size(64)
fn writeIndices(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let chunk = gid.x + gid.y * groups.x * 64u;
  if (chunk >= work[17]) { return; }
  let end = min(chunk * CHUNK + CHUNK, work[16]);
  var line = 6u * work[HEAD + 2u * chunk];
  var point = work[0] + 6u * work[HEAD + 2u * chunk + 1u];
  for (var k = chunk * CHUNK; k < end; k++) {
    let kk = keptKind(k);
    if (kk == 1u) {
      putQuad(line, k);
      line += 6u;
    }
    if (kk == 2u) {
      putQuad(point, k);
      point += 6u;
    }
  }
}
`;
