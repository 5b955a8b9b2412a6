// WGSL for HiPS tiles, drawn by vertex pulling: one draw of cellCount·G²·6 vertices; each vertex
// finds its cell, grid point and texture coordinates in storage buffers (no instancing).
// Vertex positions arrive as float32 view-frame vectors (right, up, centre components) computed
// on the CPU in float64, so precision does not depend on where on the sky the view is.

/** Grid subdivisions per cell side. */
export const HIPS_GRID = 8;

export const hipsWgsl = /* wgsl */ `
const G: u32 = ${HIPS_GRID}u;

struct Frame {
  halfPlane: vec2f,   // half extents of the viewport in projection-plane units
  projection: u32,    // 0 = SIN, 1 = TAN
  opacity: f32,
};

struct Cell {
  uvOrigin: vec2f,    // texture coordinates (column, row fractions) of the cell's x=0,y=0 corner
  uvScale: f32,       // size of the cell in its source tile, as a fraction of the tile
  layer: u32,         // texture-array layer of the source tile
};

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var<storage, read> cells: array<Cell>;
@group(0) @binding(2) var<storage, read> positions: array<vec4f>;
@group(0) @binding(3) var tiles: texture_2d_array<f32>;
@group(0) @binding(4) var tileSampler: sampler;

struct VOut {
  @builtin(position) position: vec4f,
  @location(0) uv: vec2f,
  @location(1) plane: vec2f,
  @location(2) @interpolate(flat) layer: u32,
  @location(3) depth: f32,  // view-frame z: < 0 on the far side of the sky
};

@vertex
fn vs(@builtin(vertex_index) vi: u32) -> VOut {
  let perCell = G * G * 6u;
  let c = vi / perCell;
  let r = vi % perCell;
  let quad = r / 6u;
  let corner = r % 6u;
  // two triangles per quad: (0,0) (1,0) (0,1) | (0,1) (1,0) (1,1)
  let dx = select(0u, 1u, corner == 1u || corner == 4u || corner == 5u);
  let dy = select(0u, 1u, corner == 2u || corner == 3u || corner == 5u);
  let i = quad % G + dx;   // along face-local x
  let j = quad / G + dy;   // along face-local y
  let p = positions[c * (G + 1u) * (G + 1u) + j * (G + 1u) + i].xyz;
  var plane: vec2f;
  if (frame.projection == 0u) {
    plane = p.xy;
    if (p.z < 0.0) {
      // behind the limb: pin to the limb so triangles that cross it end there
      plane = normalize(p.xy);
    }
  } else {
    plane = p.xy / max(p.z, 1e-6);
  }
  let cell = cells[c];
  let a = f32(i) / f32(G);
  let b = f32(j) / f32(G);
  var out: VOut;
  out.position = vec4f(plane / frame.halfPlane, 0.0, 1.0);
  // HiPS image tiles: column fraction follows face-local y, row fraction follows face-local x.
  out.uv = cell.uvOrigin + vec2f(b, a) * cell.uvScale;
  out.plane = plane;
  out.layer = cell.layer;
  out.depth = p.z;
  return out;
}

@fragment
fn fs(in: VOut) -> @location(0) vec4f {
  // SIN shows one hemisphere: drop what lies outside the limb or on the far side (triangles
  // that cross the limb have their far vertices pinned to it and would otherwise fold back).
  if (frame.projection == 0u && (dot(in.plane, in.plane) > 1.0 || in.depth < 0.0)) {
    discard;
  }
  let color = textureSample(tiles, tileSampler, in.uv, in.layer);
  return vec4f(color.rgb, color.a * frame.opacity);
}
`;
