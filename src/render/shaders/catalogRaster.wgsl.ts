// WGSL of the compute-rasterised marker path (render/layers/catalogRaster.ts): small markers drawn
// without triangles. Idea from Schütz, Kerbl & Wimmer 2021 ("Rendering point clouds with compute
// shaders"): a compute pass writes, per pixel, the atomicMax of a packed id into a screen-sized
// storage buffer, and a full-screen pass turns the winning id into colour. Our own code.
//
// 1. The project pass (catalog.wgsl.ts) writes every row's screen position, size and colour
//    (`screen`; size < 0: not drawn). The compaction into a visible list is not needed here.
// 2. raster: one invocation per row (skipping undrawn rows) walks the pixels of its marker's
//    square footprint (the raster path's quad: half-size radius + lineWidth/2 + 1) and, where the
//    marker's coverage is > 0 (the same distance function as fsMarker, markerDistance), does
//    atomicMax(ids[pixel], row + 1): the later row wins a pixel, as in the raster path's painter's
//    order; 0 = empty. In pick mode (u.mode == 2) the footprint is the pick disc (radius
//    max(size/2, pickRadiusPx)), as fsPick draws it.
// 3. fsResolve (full-screen triangle): the pixel's winner gives its row; the row's screen position,
//    size and colour (the project pass's `screen`) give the pixel's coverage again, exactly, in
//    float (no coverage bits are stored), and the colour is blended over what is below as the raster
//    path blends it. fsPickResolve writes (pick slot, row + 1 + base) into the integer pick target.
// Where markers overlap, only the top one is blended at a pixel (the raster path blends each
// marker's anti-aliased edge over the one below): the only visual difference, at overlap edges.
import { catalogRowsWgsl, catalogUniformsWgsl, markerShapeWgsl, placeRowWgsl } from './catalog.wgsl.js';

/** Invocations per workgroup of the raster pass. */
export const RASTER_WORKGROUP = 64;

const shapes = /* wgsl */ `
${markerShapeWgsl}

/** Device-pixel offset of pixel (x, y)'s centre (origin top-left) from a marker at screen position q (px from the view centre, y up). */
fn localOf(x: u32, y: u32, q: vec2f) -> vec2f {
  return vec2f(f32(x) + 0.5 - u.viewportPx.x * 0.5 - q.x, u.viewportPx.y * 0.5 - (f32(y) + 0.5) - q.y);
}
`;

/** Walks one row's marker pixels (q: its screen record) and keeps the row's id where it covers them (needs the ids binding). */
const rasterRowWgsl = /* wgsl */ `
// The shape and fill are pipeline constants (one pipeline per shape and fill, made when first
// used), so the per-pixel test has no switch over shapes.
override SHAPE: u32 = 0u;
override FILLED: u32 = 0u;

fn rasterRow(row: u32, q: vec4f) {
  let pick = u.mode == 2u;
  var radius = q.z * 0.5;
  // pixel centres farther than this from the marker (on either axis) have no coverage: the quad's
  // half-size (radius + lineWidth/2 + 1) for the cross, whose arms reach out diagonally; for the
  // plus also half its arms' width + 0.5 across them; for the others distance < 0.5 lies within
  // radius + 1/sqrt(2) (their strokes lie inside the shape)
  var extent = radius + u.lineWidthPx * 0.5 + 1.0;
  if (SHAPE == 2u) { extent = min(extent, radius + max(0.75, u.lineWidthPx * 0.5 + 0.5)); }
  else if (SHAPE != 3u) { extent = min(extent, radius + 0.75); }
  if (pick) { radius = max(radius, u.pickRadiusPx); extent = radius + 1.0; }
  let w = u32(u.viewportPx.x);
  let h = u32(u.viewportPx.y);
  // pixel centres inside the marker's quad: |centre - marker| <= extent on both axes
  let cx = u.viewportPx.x * 0.5 + q.x;
  let cy = u.viewportPx.y * 0.5 - q.y;
  let x0 = u32(clamp(ceil(cx - extent - 0.5), 0.0, f32(w)));
  let x1 = u32(clamp(floor(cx + extent - 0.5) + 1.0, 0.0, f32(w)));
  let y0 = u32(clamp(ceil(cy - extent - 0.5), 0.0, f32(h)));
  let y1 = u32(clamp(floor(cy + extent - 0.5) + 1.0, 0.0, f32(h)));
  let id = row + 1u;
  for (var y = y0; y < y1; y++) {
    for (var x = x0; x < x1; x++) {
      let p = localOf(x, y, q.xy);
      var on: bool;
      if (pick) { on = length(p) <= radius + 0.5; }
      else { on = markerDistance(SHAPE, FILLED, p, radius, u.lineWidthPx) < 0.5; }
      if (on) {
        let k = y * w + x;
        if (atomicLoad(&ids[k]) < id) { atomicMax(&ids[k], id); }
      }
    }
  }
}
`;

export const catalogRasterWgsl = /* wgsl */ `
${catalogUniformsWgsl}
${shapes}
@group(1) @binding(0) var<storage, read> screen: array<vec4f>;
@group(1) @binding(1) var<storage, read_write> ids: array<atomic<u32>>;
${rasterRowWgsl}

@compute @workgroup_size(${RASTER_WORKGROUP})
fn raster(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let row = gid.x + gid.y * groups.x * ${RASTER_WORKGROUP}u;
  if (row >= u.rowCount) { return; }
  let q = screen[row];
  if (q.z >= 0.0) { rasterRow(row, q); }
}
`;

/**
 * The project pass and the raster in one (layers without proper-motion arrows, drawing mode):
 * each invocation places its row (placeRow, as the project pass), writes its screen record for the
 * resolve, highlight and pick passes, and rasterises it at once.
 */
export const catalogProjectRasterWgsl = /* wgsl */ `
${catalogRowsWgsl}
${shapes}
${placeRowWgsl}
@group(1) @binding(0) var<storage, read_write> screen: array<vec4f>;
@group(1) @binding(1) var<storage, read_write> ids: array<atomic<u32>>;
${rasterRowWgsl}

@compute @workgroup_size(${RASTER_WORKGROUP})
fn projectRaster(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let row = gid.x + gid.y * groups.x * ${RASTER_WORKGROUP}u;
  if (row >= u.rowCount) { return; }
  let q = placeRow(row);
  screen[row] = q;
  if (q.z >= 0.0) { rasterRow(row, q); }
}
`;

export const catalogResolveWgsl = /* wgsl */ `
${catalogUniformsWgsl}
${shapes}
@group(1) @binding(0) var<storage, read> screen: array<vec4f>;
@group(1) @binding(1) var<storage, read> ids: array<u32>;

@vertex
fn vsFull(@builtin(vertex_index) vi: u32) -> @builtin(position) vec4f {
  let xy = vec2f(f32((vi << 1u) & 2u), f32(vi & 2u)) * 2.0 - 1.0;
  return vec4f(xy, 0.0, 1.0);
}

/** The row that won this pixel, or 0xffffffff (none). */
fn winner(pos: vec4f) -> u32 {
  return ids[u32(pos.y) * u32(u.viewportPx.x) + u32(pos.x)] - 1u;
}

@fragment
fn fsResolve(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  let row = winner(pos);
  if (row == 0xffffffffu) { discard; }
  let q = screen[row];
  let d = markerDistance(u.shape, u.filled, localOf(u32(pos.x), u32(pos.y), q.xy), q.z * 0.5, u.lineWidthPx);
  let coverage = clamp(0.5 - d, 0.0, 1.0);
  if (coverage <= 0.0) { discard; }
  let color = unpack4x8unorm(bitcast<u32>(q.w));
  return vec4f(color.rgb, color.a * coverage);
}

@fragment
fn fsPickResolve(@builtin(position) pos: vec4f) -> @location(0) vec2<u32> {
  let row = winner(pos);
  if (row == 0xffffffffu) { discard; }
  return vec2<u32>(u.pickSlot, row + 1u + u.pickRowBase);
}
`;
