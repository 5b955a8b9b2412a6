// WGSL of the weighted density map (render/layers/catalogDensity.ts), used by progressive
// catalogues: rows resident in a catalogue layer's buffers AND weighted sample points that stand
// for rows that are counted but not loaded (cell counts spread uniformly over their cells) add
// into one u32 grid at half the screen resolution, in fixed point (d.scale units per row), so a
// grid cell holds "rows there" x scale whatever the mix. A second pass finds the maximum; a
// full-screen pass colour-maps log(1 + rows) / log(1 + max rows) with the layer's density colormap
// (the same curve as catalog.wgsl.ts's density of CatalogLayer, which counts rows only).
// Group 0 is the catalogue layer's own main bind group (uniforms, rows, cells, attributes, LUTs).
import { catalogRowsWgsl, densityReduceMaxWgsl } from './catalog.wgsl.js';

const densityUniforms = /* wgsl */ `
struct Dens {
  gridSize: vec2<u32>,  // half the viewport, rounded up
  scale: f32,           // grid units per row
  sampleCount: u32,     // weighted samples to add
  rowSlots: u32,        // row slots to visit (the layer's rows up to its last live one)
  alpha: f32,           // opacity of the map
  _p0: u32,
  _p1: u32,
};
`;

export const densitySplatWgsl = /* wgsl */ `
${catalogRowsWgsl}
${densityUniforms}
@group(1) @binding(0) var<storage, read_write> counts: array<atomic<u32>>;
@group(1) @binding(1) var<storage, read_write> densityStats: array<atomic<u32>>; // [0] max
@group(1) @binding(2) var<storage, read> samples: array<vec4f>;                  // ICRS unit vector (float32), weight in rows
@group(1) @binding(3) var<uniform> d: Dens;

/** Grid cell of a view-frame vector, or -1 when it is not drawn / off screen. */
fn gridCell(v: vec3f) -> i32 {
  let p = rowNdc(v);
  if (p.z == 0.0) { return -1; }
  let px = (p.x + 1.0) * 0.5 * u.viewportPx.x;
  let py = (1.0 - p.y) * 0.5 * u.viewportPx.y;
  if (!(px >= 0.0 && px < u.viewportPx.x && py >= 0.0 && py < u.viewportPx.y)) { return -1; }
  let gx = min(u32(px * 0.5), d.gridSize.x - 1u);
  let gy = min(u32(py * 0.5), d.gridSize.y - 1u);
  return i32(gy * d.gridSize.x + gx);
}

@compute @workgroup_size(256)
fn splatRows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let row = gid.x + gid.y * groups.x * 256u;
  if (row >= d.rowSlots || row >= u.rowCount || !passes(row)) { return; }
  let v = viewVec(row);
  if (v.w == 0.0) { return; }
  let g = gridCell(v.xyz);
  if (g < 0) { return; }
  atomicAdd(&counts[g], u32(d.scale));
}

@compute @workgroup_size(256)
fn splatSamples(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * 256u;
  if (i >= d.sampleCount) { return; }
  let s = samples[i];
  let w = u32(round(s.w * d.scale));
  if (w == 0u) { return; }
  let v = vec3f(dot(u.right.xyz, s.xyz), dot(u.up.xyz, s.xyz), dot(u.centre.xyz, s.xyz));
  let g = gridCell(v);
  if (g < 0) { return; }
  atomicAdd(&counts[g], w);
}

${densityReduceMaxWgsl('d')}
`;

export const densityDrawWgsl = /* wgsl */ `
${densityUniforms}
@group(0) @binding(4) var<storage, read> luts: array<u32>;   // [256] column colormap, then [256] density colormap
@group(1) @binding(0) var<storage, read> counts: array<u32>;
@group(1) @binding(1) var<storage, read> densityStats: array<u32>;
@group(1) @binding(2) var<uniform> d: Dens;

@vertex
fn vsFull(@builtin(vertex_index) vi: u32) -> @builtin(position) vec4f {
  let xy = vec2f(f32((vi << 1u) & 2u), f32(vi & 2u)) * 2.0 - 1.0;
  return vec4f(xy, 0.0, 1.0);
}

@fragment
fn fsDensity(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  let g = min(vec2<u32>(pos.xy * 0.5), d.gridSize - vec2<u32>(1u));
  let c = counts[g.y * d.gridSize.x + g.x];
  if (c == 0u) { discard; }
  let rows = f32(c) / d.scale;
  let mx = f32(max(densityStats[0], 1u)) / d.scale;
  let t = select(log(1.0 + rows) / log(1.0 + mx), 1.0, mx <= 1.0);
  let col = unpack4x8unorm(luts[256u + u32(round(clamp(t, 0.0, 1.0) * 255.0))]);
  return vec4f(col.rgb, d.alpha * mix(0.55, 1.0, t));
}
`;
