// WGSL for catalogue layers (render/layers/catalogLayer.ts). Nothing here uses instancing
// (SwiftShader pays ~10 µs per instance); everything is vertex pulling or compute.
//
// Markers, in two steps:
// 1. compute, once per view / filter / style change (catalogProjectWgsl): one thread per row
//    applies the range filters, finds the row's view-frame vector, culls what the projection
//    cannot show (behind the limb, past the boundary) and what falls off screen, and writes the
//    row's screen position, size and packed colour (`screen`); then an order-preserving
//    compaction (counts per chunk of 64 rows, one scan of those, a scatter per chunk) lists the
//    visible rows in `visibleRows` and writes the indirect draw arguments (6 x visible rows).
// 2. render (catalogMarkersWgsl): drawIndirect; vertex i pulls visibleRows[i / 6] and builds the
//    quad; the fragment shader draws the shape (circle, square, plus, cross, rhomb, triangle) from
//    its signed distance in device pixels, anti-aliased over one pixel. The same vertices write the
//    integer pick target (layer slot, row + 1) and, in highlight mode, an outline around one row.
//    Shape 'image' samples the layer's marker texture over the quad (tinted or not).
// 3. proper-motion arrows (vsArrow / fsArrow): with u.arrows the project pass also puts each
//    visible row's arrow tip on screen (an offset from the row's cell, like the row); the same
//    indirect draw then pulls one quad per row along the motion, shaft and head from their
//    signed distances.
// Density (catalogSplatWgsl + catalogDensityWgsl): one thread per row adds 1 into a u32 grid at
// half the screen resolution (atomicAdd), a second pass finds the maximum, and a full-screen pass
// colour-maps log(1 + count).
// Positions: each row is an offset (float32) from its HEALPix anchor cell's centre; the view-frame
// vector is R·centre + R·offset, where R·centre comes either from float32 cell centres (wide
// fields) or, at small fields, from float64 values the CPU wrote for the cells in view this frame
// (matched by a stamp), so precision does not depend on float32 unit vectors (~12 mas).
import { projectionWgsl } from './projection.wgsl.js';

/** Rows per invocation in the compaction (and grid cells per invocation in the density maximum). */
export const COMPACT_CHUNK = 64;

/**
 * The density map's largest count (for its colormap): one invocation per CHUNK grid cells and one
 * atomic each (no workgroup barriers). `uniforms` names the struct holding gridSize; needs
 * `counts` and `densityStats` bound.
 */
export function densityReduceMaxWgsl(uniforms: string): string {
  return /* wgsl */ `
@compute @workgroup_size(256)
fn reduceMax(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let c = gid.x + gid.y * groups.x * 256u;
  let n = ${uniforms}.gridSize.x * ${uniforms}.gridSize.y;
  let start = c * ${COMPACT_CHUNK}u;
  if (start >= n) { return; }
  let end = min(start + ${COMPACT_CHUNK}u, n);
  var m = 0u;
  for (var i = start; i < end; i++) { m = max(m, atomicLoad(&counts[i])); }
  if (m > 0u) { atomicMax(&densityStats[0], m); }
}
`;
}

/** Row record w of a row without a position when cells are relative to rows (u.cellsRelative). */
export const REL_NO_CELL = 0x7fffffff;

export const catalogUniformsWgsl = /* wgsl */ `
struct Cat {
  right: vec4f,        // rows of the rotation ICRS -> view frame (screen right, up, centre), float32
  up: vec4f,
  centre: vec4f,
  halfPlane: vec2f,    // projection A (the view's, or the one a projection change starts from)
  viewportPx: vec2f,
  halfPlaneB: vec2f,   // projection B (the view's during a projection change)
  mixB: f32,           // 0 = A only
  projectionB: u32,
  projection: u32,
  stamp: u32,          // cell entries with this stamp hold this frame's float64-derived positions
  rowCount: u32,
  shape: u32,
  color: vec4f,
  highlightColor: vec4f,
  sizePx: f32,         // device pixels
  lineWidthPx: f32,
  filled: u32,
  mode: u32,           // 0 markers, 1 highlight of one row, 2 picking
  sizeSlot: i32,       // attribute column slot for the size, -1 none
  colorSlot: i32,      // attribute column slot for the colour, -1 none
  pickSlot: u32,
  usePrecise: u32,     // 1: use the float64-derived cell positions where their stamp matches
  sizeRange: vec4f,    // value lo, value hi, size at lo, size at hi (device pixels)
  colorRange: vec4f,   // value lo, value hi
  filterSlot: vec4<i32>,
  filterLo: vec4f,
  filterHi: vec4f,
  gridSize: vec2<u32>, // density grid (half resolution)
  cellCount: u32,
  pickRadiusPx: f32,
  chunkCount: u32,     // compaction chunks: ceil(rowCount / CHUNK)
  highlightRow: u32,
  pickRowBase: u32,   // added to row + 1 in the pick pass (a layer made of several catalogue layers)
  cellsRelative: u32,  // 1: a row's w holds (its cell - the row) as i32 (rows that move together keep their cells; progressive catalogues)
  imageTint: u32,      // shape 'image': 1 multiplies the image by the marker colour
  arrows: u32,         // 1: the project pass also places each row's proper-motion arrow tip
  imageSidePx: f32,    // side of the marker image texture (level 0), for its mip level
  _pad3: u32,
};

@group(0) @binding(0) var<uniform> u: Cat;
`;

/** Uniforms, row/cell/attribute/colormap bindings (group 0) and the row -> view-frame -> NDC functions, for every catalogue shader (here, catalogRaster.wgsl.ts, density.wgsl.ts). */
export const catalogRowsWgsl = /* wgsl */ `
${projectionWgsl}
${catalogUniformsWgsl}
@group(0) @binding(1) var<storage, read> rows: array<vec4f>;
@group(0) @binding(2) var<storage, read> cells: array<vec4f>;   // [cellCount] float32 centres (w != 0: hidden), then [cellCount] float64-derived view-frame centres (w: stamp)
@group(0) @binding(3) var<storage, read> attrs: array<f32>;
@group(0) @binding(4) var<storage, read> luts: array<u32>;      // [256] column colormap, then [256] density colormap

fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

fn attr(slot: i32, row: u32) -> f32 { return attrs[u32(slot) * u.rowCount + row]; }

fn passes(row: u32) -> bool {
  for (var k = 0; k < 4; k++) {
    let s = u.filterSlot[k];
    if (s >= 0) {
      let v = attr(s, row);
      if (isNan(v) || v < u.filterLo[k] || v > u.filterHi[k]) { return false; }
    }
  }
  return true;
}

/** The cell of a row (>= u.cellCount: none): absolute, or relative to the row (REL_NO_CELL: none). */
fn rowCell(row: u32) -> u32 {
  let w = bitcast<u32>(rows[row].w);
  if (u.cellsRelative == 0u) { return w; }
  if (w == ${REL_NO_CELL}u) { return 0xffffffffu; }
  return u32(i32(row) + bitcast<i32>(w));
}

/** View-frame vector of a row (w = 0 when the row has no position). */
fn viewVec(row: u32) -> vec4f {
  return viewVecAt(row, rows[row].xyz);
}

/** View-frame vector of the point at offset d from a row's cell centre (the row itself, or its arrow tip). */
fn viewVecAt(row: u32, d: vec3f) -> vec4f {
  let cell = rowCell(row);
  if (cell >= u.cellCount) { return vec4f(0.0); }
  if (bitcast<u32>(cells[cell].w) != 0u) { return vec4f(0.0); }
  let rd = vec3f(dot(u.right.xyz, d), dot(u.up.xyz, d), dot(u.centre.xyz, d));
  if (u.usePrecise == 1u) {
    let cv = cells[u.cellCount + cell];
    if (bitcast<u32>(cv.w) == u.stamp) { return vec4f(cv.xyz + rd, 1.0); }
  }
  let c = cells[cell].xyz;
  return vec4f(vec3f(dot(u.right.xyz, c), dot(u.up.xyz, c), dot(u.centre.xyz, c)) + rd, 1.0);
}

/** Can projection id show this view-frame direction as a point? */
fn drawable(id: u32, v: vec3f) -> bool {
  switch (id) {
    case 0u: { return v.z >= 0.0; }
    case 1u: { return v.z > 1e-6; }
    case 2u: { return v.z > -0.999999; }
    case 7u: { return abs(v.y) <= 0.99619469809 * length(v); } // MER stops at 85 degrees
    default: { return true; }
  }
}

// The projections as pipeline constants (catalogLayer.ts makes one project / splat pipeline per
// projection pair when first used): a CPU-emulated GPU (SwiftShader) runs every case of a switch
// over the projections for every row, so a constant id that folds the switch away makes the
// per-row pass several times cheaper there. NO_PROJECTION: take the ids from the uniforms.
const NO_PROJECTION: u32 = 4294967295u;
override PROJECTION_A: u32 = 4294967295u;
override PROJECTION_B: u32 = 4294967295u;

/** Normalised device coordinates (xy) of a view-frame vector; z = 0 when it is not drawn. */
fn rowNdc(v: vec3f) -> vec3f {
  let pa = select(PROJECTION_A, u.projection, PROJECTION_A == NO_PROJECTION);
  let okA = drawable(pa, v);
  let a = projectPlane(pa, v) / u.halfPlane;
  if (u.mixB <= 0.0) { return vec3f(a, select(0.0, 1.0, okA)); }
  let pb = select(PROJECTION_B, u.projectionB, PROJECTION_B == NO_PROJECTION);
  let okB = drawable(pb, v);
  let b = projectPlane(pb, v) / u.halfPlaneB;
  return vec3f(mix(a, b, u.mixB), select(0.0, 1.0, okA && okB));
}
`;

/** Where and how a row is drawn (size and colour from columns): the project pass and the fused project + raster pass (catalogRaster.wgsl.ts). Needs catalogRowsWgsl. */
export const placeRowWgsl = /* wgsl */ `
fn markerSize(row: u32) -> f32 {
  if (u.sizeSlot < 0) { return u.sizePx; }
  let v = attr(u.sizeSlot, row);
  if (isNan(v)) { return u.sizePx; }
  let span = u.sizeRange.y - u.sizeRange.x;
  let t = select(clamp((v - u.sizeRange.x) / span, 0.0, 1.0), 0.5, span == 0.0);
  return max(mix(u.sizeRange.z, u.sizeRange.w, t), 0.0);
}

fn markerColor(row: u32) -> vec4f {
  if (u.colorSlot < 0) { return u.color; }
  let v = attr(u.colorSlot, row);
  if (isNan(v)) { return u.color; }
  let span = u.colorRange.y - u.colorRange.x;
  let t = select(clamp((v - u.colorRange.x) / span, 0.0, 1.0), 0.5, span == 0.0);
  let c = unpack4x8unorm(luts[u32(round(t * 255.0))]);
  return vec4f(c.rgb, u.color.a);
}

/** A row on screen: x, y (device px from the centre, y up), size (px; < 0: not drawn: filtered out, not projectable, off screen), packed colour. */
fn placeRow(row: u32) -> vec4f {
  if (!passes(row)) { return vec4f(0.0, 0.0, -1.0, 0.0); }
  let v = viewVec(row);
  if (v.w == 0.0) { return vec4f(0.0, 0.0, -1.0, 0.0); }
  let p = rowNdc(v.xyz);
  if (p.z == 0.0) { return vec4f(0.0, 0.0, -1.0, 0.0); }
  let size = markerSize(row);
  // the largest quad any mode draws (highlight outline, pick disc)
  let extent = max(size * 0.5 + 4.0 + u.lineWidthPx * 1.5, u.pickRadiusPx) + 1.0;
  let half = u.viewportPx * 0.5;
  let s = p.xy * half;
  if (abs(s.x) > half.x + extent || abs(s.y) > half.y + extent) { return vec4f(0.0, 0.0, -1.0, 0.0); }
  return vec4f(s, size, bitcast<f32>(pack4x8unorm(markerColor(row))));
}

`;

export const catalogProjectWgsl = /* wgsl */ `
${catalogRowsWgsl}

@group(1) @binding(0) var<storage, read_write> screen: array<vec4f>;   // x, y (device px from the centre, y up), size (px; < 0 hidden), colour (packed rgba8)
@group(1) @binding(1) var<storage, read_write> visibleRows: array<u32>;
@group(1) @binding(2) var<storage, read_write> scan: array<u32>;       // [4] indirect draw args, [chunkCount] counts, [chunkCount] offsets
// arrow tips, 3 vec2f per row (when u.arrows == 1): the tip's offset from the row's cell centre
// (x, y), (z, unused), written by this pass: the tip on screen (device px from the centre, y up; x > 1e29: none)
@group(1) @binding(3) var<storage, read_write> tips: array<vec2f>;

var<workgroup> partial: array<u32, 256>;

${placeRowWgsl}

@compute @workgroup_size(256)
fn project(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let row = gid.x + gid.y * groups.x * 256u;
  if (row >= u.rowCount) { return; }
  let q = placeRow(row);
  screen[row] = q;
  if (u.arrows == 1u) {
    var tip = vec2f(2e30, 0.0);
    if (q.z >= 0.0) {
      let tipOffset = vec3f(tips[3u * row], tips[3u * row + 1u].x);
      let tv = viewVecAt(row, tipOffset);
      if (tv.w != 0.0) {
        let p = rowNdc(tv.xyz);
        // the motion's midpoint must lie near the middle of the screen segment: an arrow whose
        // path leaves the map (crossing an all-sky projection's seam) is not drawn straight across it
        let mv = viewVecAt(row, (rows[row].xyz + tipOffset) * 0.5);
        let m = rowNdc(normalize(mv.xyz));
        let half = u.viewportPx * 0.5;
        let tipS = p.xy * half;
        let dev = length(m.xy * half - (q.xy + tipS) * 0.5);
        if (p.z != 0.0 && m.z != 0.0 && dev <= max(2.0, 0.25 * length(tipS - q.xy))) { tip = tipS; }
      }
    }
    tips[3u * row + 2u] = tip;
  }
}

// The compaction works on chunks of CHUNK consecutive rows, one invocation per chunk, so that only
// the small scan needs workgroup barriers (barriers are slow on CPU-emulated GPUs: a per-row
// workgroup scan made the pass several times slower on SwiftShader).
const CHUNK: u32 = ${COMPACT_CHUNK}u;

@compute @workgroup_size(256)
fn countChunks(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let c = gid.x + gid.y * groups.x * 256u;
  if (c >= u.chunkCount) { return; }
  let end = min((c + 1u) * CHUNK, u.rowCount);
  var n = 0u;
  for (var row = c * CHUNK; row < end; row++) {
    if (screen[row].z >= 0.0) { n++; }
  }
  scan[4u + c] = n;
}

/** One workgroup: exclusive offsets of the chunk counts, and the indirect draw arguments. */
@compute @workgroup_size(256)
fn scanChunks(@builtin(local_invocation_index) li: u32) {
  let n = u.chunkCount;
  let per = (n + 255u) / 256u;
  let start = min(li * per, n);
  let end = min(start + per, n);
  var sum = 0u;
  for (var i = start; i < end; i++) { sum += scan[4u + i]; }
  partial[li] = sum;
  workgroupBarrier();
  for (var off = 1u; off < 256u; off = off << 1u) {
    var add = 0u;
    if (li >= off) { add = partial[li - off]; }
    workgroupBarrier();
    partial[li] = partial[li] + add;
    workgroupBarrier();
  }
  var acc = partial[li] - sum;
  for (var i = start; i < end; i++) {
    let k = scan[4u + i];
    scan[4u + n + i] = acc;
    acc += k;
  }
  if (li == 255u) {
    scan[0] = 6u * partial[255]; // vertex count
    scan[1] = 1u;                // instance count
    scan[2] = 0u;
    scan[3] = 0u;
  }
}

@compute @workgroup_size(256)
fn scatter(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let c = gid.x + gid.y * groups.x * 256u;
  if (c >= u.chunkCount) { return; }
  let end = min((c + 1u) * CHUNK, u.rowCount);
  var o = scan[4u + u.chunkCount + c];
  for (var row = c * CHUNK; row < end; row++) {
    if (screen[row].z >= 0.0) {
      visibleRows[o] = row;
      o++;
    }
  }
}
`;

/**
 * The marker shapes' distance functions, shared by the raster path (fsMarker) and the compute
 * path (catalogRaster.wgsl.ts), so both draw the same pixels.
 */
export const markerShapeWgsl = /* wgsl */ `
/** Signed distance (device pixels, < 0 inside) of the shape of radius r; w: stroke width of plus/cross. */
fn shapeSdf(shape: u32, p0: vec2f, r: f32, w: f32) -> f32 {
  var p = p0;
  switch (shape) {
    case 1u: { // square
      let q = abs(p) - vec2f(r);
      return length(max(q, vec2f(0.0))) + min(max(q.x, q.y), 0.0);
    }
    case 2u, 3u: { // plus, cross (the plus turned by 45 degrees)
      if (shape == 3u) { p = vec2f(p.x + p.y, p.y - p.x) * 0.70710678; }
      let a = abs(p);
      let t = w * 0.5;
      let h = max(a.x - r, a.y - t);
      let v = max(a.x - t, a.y - r);
      return min(h, v);
    }
    case 4u: { // rhomb
      let a = abs(p);
      return (a.x + a.y - r) * 0.70710678;
    }
    case 5u: { // triangle, pointing up, circumradius r (equilateral-triangle distance, I. Quilez)
      let k = 1.7320508;
      let hs = r * k * 0.5; // half the side
      var q = vec2f(abs(p.x) - hs, p.y + hs / k);
      if (q.x + k * q.y > 0.0) { q = vec2f(q.x - k * q.y, -k * q.x - q.y) * 0.5; }
      q.x = q.x - clamp(q.x, -2.0 * hs, 0.0);
      return -length(q) * sign(q.y);
    }
    default: { return length(p) - r; } // circle
  }
}

/** Distance (device pixels, <= 0 on the mark) of a marker's drawn part: the shape filled, or its outline of width w (plus and cross are strokes). */
fn markerDistance(shape: u32, filled: u32, p: vec2f, r: f32, w: f32) -> f32 {
  let sd = shapeSdf(shape, p, r, w);
  if (filled == 1u || shape == 2u || shape == 3u) { return sd; }
  return abs(sd + w * 0.5) - w * 0.5;
}
`;

export const catalogMarkersWgsl = /* wgsl */ `
${catalogUniformsWgsl}
@group(1) @binding(0) var<storage, read> screen: array<vec4f>;
@group(1) @binding(1) var<storage, read> visibleRows: array<u32>;
@group(1) @binding(2) var<storage, read> tips: array<vec2f>;   // per row: tip offset (2 vec2f), tip on screen
@group(1) @binding(3) var markerImage: texture_2d<f32>;
@group(1) @binding(4) var markerSampler: sampler;

struct VOut {
  @builtin(position) position: vec4f,
  @location(0) local: vec2f,                        // device pixels from the marker's centre, y up
  @location(1) @interpolate(flat) color: vec4f,
  @location(2) @interpolate(flat) radius: f32,      // half the marker size, device pixels
  @location(3) @interpolate(flat) row: u32,
};

fn dropped() -> VOut {
  var o: VOut;
  o.position = vec4f(4.0, 4.0, 0.0, 1.0);
  o.local = vec2f(0.0);
  o.color = vec4f(0.0);
  o.radius = 0.0;
  o.row = 0u;
  return o;
}

@vertex
fn vsMarker(@builtin(vertex_index) vi: u32) -> VOut {
  var row = u.highlightRow;
  if (u.mode != 1u) { row = visibleRows[vi / 6u]; }
  let q = screen[row];
  if (q.z < 0.0) { return dropped(); }
  let corner = vi % 6u;
  var radius = q.z * 0.5;
  var extent = radius + u.lineWidthPx * 0.5 + 1.0;
  if (u.mode == 1u) { extent = radius + 4.0 + u.lineWidthPx * 1.5 + 1.0; }
  // picking: a disc of at least the pick radius, except images, which pick by their own alpha over the marker's square
  if (u.mode == 2u && u.shape != 6u) { radius = max(radius, u.pickRadiusPx); extent = radius + 1.0; }
  if (u.mode == 2u && u.shape == 6u) { extent = radius + 1.0; }
  let cx = array<f32, 6>(-1.0, 1.0, -1.0, -1.0, 1.0, 1.0);
  let cy = array<f32, 6>(-1.0, -1.0, 1.0, 1.0, -1.0, 1.0);
  let off = vec2f(cx[corner], cy[corner]) * extent;
  var o: VOut;
  o.position = vec4f((q.xy + off) / (u.viewportPx * 0.5), 0.0, 1.0);
  o.local = off;
  o.color = unpack4x8unorm(bitcast<u32>(q.w));
  o.radius = radius;
  o.row = row;
  return o;
}

${markerShapeWgsl}
@fragment
fn fsMarker(in: VOut) -> @location(0) vec4f {
  let w = u.lineWidthPx;
  var d: f32;
  var color = in.color;
  if (u.mode == 1u) {
    // highlight: an outline of the same shape 3 px outside the marker (a square for images), in the highlight colour
    let hs = select(u.shape, 1u, u.shape == 6u);
    d = abs(shapeSdf(hs, in.local, in.radius + 3.0 + w * 0.5, w)) - w * 0.5 - 0.25;
    if (u.shape == 2u || u.shape == 3u) { d = abs(length(in.local) - (in.radius + 3.0 + w * 0.5)) - w * 0.5 - 0.25; }
    color = u.highlightColor;
  } else if (u.shape == 6u) {
    // image: the texel over the marker's square (mip level from the texture side per marker pixel:
    // an explicit level, so that only image markers sample and no derivatives are needed),
    // tinted by the marker colour or not, clipped to the square
    let side = max(2.0 * in.radius, 1e-6);
    let uv = vec2f(0.5, 0.5) + vec2f(in.local.x, -in.local.y) / side;
    let texel = textureSampleLevel(markerImage, markerSampler, uv, max(0.0, log2(u.imageSidePx / side)));
    let box = shapeSdf(1u, in.local, in.radius, w);
    let a = texel.a * clamp(0.5 - box, 0.0, 1.0);
    if (a <= 0.0) { discard; }
    let rgb = select(texel.rgb, texel.rgb * color.rgb, u.imageTint == 1u);
    return vec4f(rgb, a * color.a);
  } else {
    d = markerDistance(u.shape, u.filled, in.local, in.radius, w);
  }
  let coverage = clamp(0.5 - d, 0.0, 1.0);
  if (coverage <= 0.0) { discard; }
  return vec4f(color.rgb, color.a * coverage);
}

/** Alpha of a marker image where it is drawn (the texel fsMarker shows, clipped to the square). */
fn imageAlpha(local: vec2f, radius: f32) -> f32 {
  let side = max(2.0 * radius, 1e-6);
  let uv = vec2f(0.5, 0.5) + vec2f(local.x, -local.y) / side;
  let texel = textureSampleLevel(markerImage, markerSampler, uv, max(0.0, log2(u.imageSidePx / side)));
  return texel.a * clamp(0.5 - shapeSdf(1u, local, radius, u.lineWidthPx), 0.0, 1.0);
}

@fragment
fn fsPick(in: VOut) -> @location(0) vec2<u32> {
  // an image marker is picked where it is at least half opaque: a click in its transparent parts reaches the row below
  if (u.shape == 6u) {
    if (imageAlpha(in.local, in.radius) < 0.5) { discard; }
    return vec2<u32>(u.pickSlot, in.row + 1u + u.pickRowBase);
  }
  if (length(in.local) > in.radius + 0.5) { discard; }
  return vec2<u32>(u.pickSlot, in.row + 1u + u.pickRowBase);
}

// Proper-motion arrows: one quad per visible row along the motion, from the row's position to its
// position arrowYears later (the project pass's tip on screen); the fragment shader draws a shaft and a triangular head
// from their signed distances (anti-aliased over one pixel), the apex exactly at the tip.
struct AOut {
  @builtin(position) position: vec4f,
  @location(0) local: vec2f,                     // device pixels: along the arrow from the row, across it
  @location(1) @interpolate(flat) color: vec4f,
  @location(2) @interpolate(flat) dims: vec4f,   // length, head length, head half-width, shaft half-width
};

@vertex
fn vsArrow(@builtin(vertex_index) vi: u32) -> AOut {
  var o: AOut;
  o.position = vec4f(4.0, 4.0, 0.0, 1.0);
  o.local = vec2f(0.0);
  o.color = vec4f(0.0);
  o.dims = vec4f(0.0);
  let row = visibleRows[vi / 6u];
  let q = screen[row];
  let tip = tips[3u * row + 2u];
  if (q.z < 0.0 || tip.x > 1e29) { return o; }
  let d = tip - q.xy;
  let len = length(d);
  if (len < 1.0) { return o; }
  let dir = d / len;
  let nrm = vec2f(-dir.y, dir.x);
  let halfW = u.lineWidthPx * 0.5;
  let head = min(len * 0.5, 3.0 * u.lineWidthPx + 4.0);
  let headHalf = max(head * 0.5, halfW);
  let ext = headHalf + 1.0;
  let corner = vi % 6u;
  let ca = array<f32, 6>(-1.0, 1.0, -1.0, -1.0, 1.0, 1.0);
  let cc = array<f32, 6>(-1.0, -1.0, 1.0, 1.0, -1.0, 1.0);
  let along = select(-1.0, len + 1.0, ca[corner] > 0.0);
  let across = cc[corner] * ext;
  o.position = vec4f((q.xy + dir * along + nrm * across) / (u.viewportPx * 0.5), 0.0, 1.0);
  o.local = vec2f(along, across);
  o.color = unpack4x8unorm(bitcast<u32>(q.w));
  o.dims = vec4f(len, head, headHalf, halfW);
  return o;
}

@fragment
fn fsArrow(in: AOut) -> @location(0) vec4f {
  let a = in.local.x;
  let c = abs(in.local.y);
  let len = in.dims.x;
  let h = in.dims.y;
  let hw = in.dims.z;
  let shaft = max(max(-a, a - (len - h * 0.5)), c - in.dims.w);
  let side = ((a - len) * hw + c * h) / sqrt(h * h + hw * hw);
  let tri = max(max((len - h) - a, side), a - len);
  let coverage = clamp(0.5 - min(shaft, tri), 0.0, 1.0);
  if (coverage <= 0.0) { discard; }
  return vec4f(in.color.rgb, in.color.a * coverage);
}
`;

export const catalogSplatWgsl = /* wgsl */ `
${catalogRowsWgsl}

@group(1) @binding(0) var<storage, read_write> counts: array<atomic<u32>>;
@group(1) @binding(1) var<storage, read_write> densityStats: array<atomic<u32>>; // [0] max count

@compute @workgroup_size(256)
fn splat(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let row = gid.x + gid.y * groups.x * 256u;
  if (row >= u.rowCount || !passes(row)) { return; }
  let v = viewVec(row);
  if (v.w == 0.0) { return; }
  let p = rowNdc(v.xyz);
  if (p.z == 0.0) { return; }
  let px = (p.x + 1.0) * 0.5 * u.viewportPx.x;
  let py = (1.0 - p.y) * 0.5 * u.viewportPx.y;
  if (!(px >= 0.0 && px < u.viewportPx.x && py >= 0.0 && py < u.viewportPx.y)) { return; }
  let gx = min(u32(px * 0.5), u.gridSize.x - 1u);
  let gy = min(u32(py * 0.5), u.gridSize.y - 1u);
  atomicAdd(&counts[gy * u.gridSize.x + gx], 1u);
}

${densityReduceMaxWgsl('u')}
`;

export const catalogDensityWgsl = /* wgsl */ `
${catalogUniformsWgsl}
@group(0) @binding(4) var<storage, read> luts: array<u32>;
@group(1) @binding(0) var<storage, read> counts: array<u32>;
@group(1) @binding(1) var<storage, read> densityStats: array<u32>;

@vertex
fn vsFull(@builtin(vertex_index) vi: u32) -> @builtin(position) vec4f {
  let xy = vec2f(f32((vi << 1u) & 2u), f32(vi & 2u)) * 2.0 - 1.0;
  return vec4f(xy, 0.0, 1.0);
}

@fragment
fn fsDensity(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  let g = min(vec2<u32>(pos.xy * 0.5), u.gridSize - vec2<u32>(1u));
  let c = counts[g.y * u.gridSize.x + g.x];
  if (c == 0u) { discard; }
  let mx = max(densityStats[0], 1u);
  let t = select(log(1.0 + f32(c)) / log(1.0 + f32(mx)), 1.0, mx <= 1u);
  let col = unpack4x8unorm(luts[256u + u32(round(clamp(t, 0.0, 1.0) * 255.0))]);
  return vec4f(col.rgb, u.color.a * mix(0.55, 1.0, t));
}
`;
