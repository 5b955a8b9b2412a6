// WGSL for HiPS tiles, drawn by vertex pulling: one draw of 2·cellCount·G²·6 vertices; each vertex
// finds its cell, triangle, grid point and texture coordinates in storage buffers (no
// instancing). Vertex positions arrive as float32 view-frame vectors (right, up, centre
// components) computed on the CPU in float64, so precision does not depend on where on the sky
// the view is. Each vertex also reads the other two vertices of its triangle, so triangles that
// cross the seam of an all-sky projection (native longitude ±180°) are drawn twice, once on each
// side (the second half of the draw), and triangles around the antipode of a zenithal projection
// are dropped; what spills past the projection's boundary is discarded per fragment.
import { projectionWgsl } from './projection.wgsl.js';

/** Grid subdivisions per cell side. */
export const HIPS_GRID = 8;

export type HipsShaderKind = 'colour' | 'fits';

/** The HiPS shader for colour tiles (rgba8 texture, hardware filtering) or FITS tiles (r32float
 * values, NaN-aware bilinear filtering, cuts, stretch and colormap lookup). */
export function hipsWgsl(kind: HipsShaderKind): string {
  return /* wgsl */ `
${projectionWgsl}
const G: u32 = ${HIPS_GRID}u;

struct Frame {
  halfPlane: vec2f,    // half extents of the viewport in projection-plane units (projection A)
  projection: u32,     // projection A id
  opacity: f32,
  halfPlaneB: vec2f,   // projection B, the target of a projection change
  projectionB: u32,
  mixB: f32,           // 0 = A only, 1 = B only
  cellCount: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  cutLo: f32,          // FITS: value shown as the bottom of the colormap
  cutHi: f32,          // FITS: value shown as the top
  stretch: u32,        // FITS: 0 linear, 1 sqrt, 2 log, 3 asinh, 4 pow2, 5 histeq
  _pad3: u32,
};

struct Cell {
  uvOrigin: vec2f,    // texture coordinates (column, row fractions) of the cell's x=0,y=0 corner
  uvScale: f32,       // size of the cell in its source tile, as a fraction of the tile
  layer: u32,         // texture-array layer of the source tile
  alpha: f32,         // cross-fade weight of this entry (1 when the tile has settled)
  _p0: f32,
  _p1: f32,
  _p2: f32,
};

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var<storage, read> cells: array<Cell>;
@group(0) @binding(2) var<storage, read> positions: array<vec4f>;
@group(0) @binding(3) var tiles: texture_2d_array<f32>;
${kind === 'colour' ? '@group(0) @binding(4) var tileSampler: sampler;' : '@group(0) @binding(4) var lut: texture_2d<f32>;'}

struct VOut {
  @builtin(position) position: vec4f,
  @location(0) uv: vec2f,
  @location(1) plane: vec2f,
  @location(2) @interpolate(flat) layer: u32,
  @location(3) depth: f32,  // view-frame z: < 0 on the far side of the sky
  @location(4) @interpolate(flat) facet: f32,  // HPX: the polar facet this copy was drawn for
  @location(5) @interpolate(flat) alpha: f32,
};

const OFFSCREEN = vec2f(4.0, 4.0);

/** Plane position of vertex k (0..2) of a triangle for one projection; OFFSCREEN drops the triangle. */
fn trianglePlane(id: u32, p0: vec3f, p1: vec3f, p2: vec3f, k: u32, copy: u32) -> vec2f {
  var ps = array<vec3f, 3>(p0, p1, p2);
  let p = ps[k];
  if (id == 0u) { // SIN: far vertices pinned to the limb, far fragments discarded
    if (copy == 1u) { return OFFSCREEN; }
    return projectPlane(id, p);
  }
  if (id == 1u) { // TAN: nothing at or behind 90 degrees
    if (copy == 1u || min(p0.z, min(p1.z, p2.z)) < 1e-3) { return OFFSCREEN; }
    return projectPlane(id, p);
  }
  if (isZenithal(id)) { // STG, ZEA, ARC: drop far-side triangles that wrap around the antipode
    if (copy == 1u) { return OFFSCREEN; }
    if (max(p0.z, max(p1.z, p2.z)) < 0.0) {
      // directions of the vertices seen from the antipode; a triangle whose corners lie more than
      // 60 degrees apart around it would be drawn as a chord across the whole image
      let n0 = normalize(p0.xy + vec2f(1e-30, 0.0));
      let n1 = normalize(p1.xy + vec2f(1e-30, 0.0));
      let n2 = normalize(p2.xy + vec2f(1e-30, 0.0));
      if (min(dot(n0, n1), min(dot(n1, n2), dot(n2, n0))) < 0.5) { return OFFSCREEN; }
    }
    return projectPlane(id, p);
  }
  // Cylindrical and pseudo-cylindrical. A triangle around a native pole has no sensible image (the
  // pole is a point or a line on the boundary): drop it.
  let c0 = p0.x * p1.z - p0.z * p1.x;
  let c1 = p1.x * p2.z - p1.z * p2.x;
  let c2 = p2.x * p0.z - p2.z * p0.x;
  if ((c0 > 0.0 && c1 > 0.0 && c2 > 0.0) || (c0 < 0.0 && c1 < 0.0 && c2 < 0.0)) { return OFFSCREEN; }
  // Native longitude seam behind the centre: crossing triangles are drawn on both sides.
  let phi = vec3f(atan2(p0.x, p0.z), atan2(p1.x, p1.z), atan2(p2.x, p2.z));
  let crossing = (max(phi.x, max(phi.y, phi.z)) - min(phi.x, min(phi.y, phi.z)) > PI) && min(p0.z, min(p1.z, p2.z)) < 0.0;
  var f = phi[k];
  if (crossing) {
    if (copy == 0u && f < 0.0) { f = f + 2.0 * PI; }
    if (copy == 1u && f > 0.0) { f = f - 2.0 * PI; }
  }
  let theta = atan2(p.y, length(p.xz));
  if (id == 9u) {
    // HPX polar facets: a triangle spanning two facets is drawn once with each facet's formula;
    // the fragment shader keeps only the part inside that facet.
    let kf = hpxFacets(phi, crossing, copy);
    if (kf.y < 0.0) { return OFFSCREEN; }
    return hpxWithFacet(f, theta, kf.x);
  }
  if (!crossing && copy == 1u) { return OFFSCREEN; }
  return projectNative(id, f, theta);
}

/** HPX polar facet index of a native longitude. */
fn hpxFacetOf(phi: f32) -> f32 {
  var q = phi;
  if (q > PI) { q = q - 2.0 * PI; }
  if (q < -PI) { q = q + 2.0 * PI; }
  return clamp(floor((q + PI) * 2.0 / PI), 0.0, 3.0);
}

/**
 * Facet (x) for this copy of a triangle and whether the copy is drawn (y >= 0). Seam-crossing
 * triangles use copy 0 and 1 for the two sides of the seam, so they keep the facet of the side;
 * others use copy 0 for the facet of their first vertex and copy 1 for a second facet if any.
 */
fn hpxFacets(phi: vec3f, crossing: bool, copy: u32) -> vec2f {
  if (crossing) {
    return vec2f(select(0.0, 3.0, copy == 0u), 0.0);
  }
  let f0 = hpxFacetOf(phi.x);
  let f1 = hpxFacetOf(phi.y);
  let f2 = hpxFacetOf(phi.z);
  if (copy == 0u) { return vec2f(f0, 0.0); }
  if (f1 != f0) { return vec2f(f1, 0.0); }
  if (f2 != f0) { return vec2f(f2, 0.0); }
  return vec2f(0.0, -1.0);
}

fn hpxWithFacet(phi: f32, theta: f32, facet: f32) -> vec2f {
  let s = sin(theta);
  if (abs(s) <= 2.0 / 3.0) { return vec2f(phi, 3.0 * PI / 8.0 * s); }
  let sigma = sqrt(3.0 * (1.0 - abs(s)));
  let phiC = -PI + (2.0 * facet + 1.0) * PI * 0.25;
  return vec2f(phiC + (phi - phiC) * sigma, sign(theta) * PI * 0.25 * (2.0 - sigma));
}

@vertex
fn vs(@builtin(vertex_index) vi: u32) -> VOut {
  let perCell = G * G * 6u;
  let total = frame.cellCount * perCell;
  let copy = vi / total;
  let r0 = vi % total;
  let c = r0 / perCell;
  let r = r0 % perCell;
  let quad = r / 6u;
  let corner = r % 6u;
  let tri = corner / 3u;
  let k = corner % 3u;
  let qi = quad % G;
  let qj = quad / G;
  // triangle 0: (0,0) (1,0) (0,1); triangle 1: (0,1) (1,0) (1,1)
  var di = array<u32, 3>(0u, 1u, 0u);
  var dj = array<u32, 3>(0u, 0u, 1u);
  if (tri == 1u) {
    di = array<u32, 3>(0u, 1u, 1u);
    dj = array<u32, 3>(1u, 0u, 1u);
  }
  let base = c * (G + 1u) * (G + 1u);
  let p0 = positions[base + (qj + dj[0]) * (G + 1u) + qi + di[0]].xyz;
  let p1 = positions[base + (qj + dj[1]) * (G + 1u) + qi + di[1]].xyz;
  let p2 = positions[base + (qj + dj[2]) * (G + 1u) + qi + di[2]].xyz;
  var ps = array<vec3f, 3>(p0, p1, p2);
  var i = qi + di[k];
  var j = qj + dj[k];
  // a vertex collapsed onto another (T-junction closing, hipsLayer.ts) takes its texture coordinates
  let moved = u32(round(positions[base + j * (G + 1u) + i].w));
  if (moved > 0u) {
    i = (moved - 1u) % (G + 1u);
    j = (moved - 1u) / (G + 1u);
  }

  var ndc = vec2f(0.0);
  var plane = vec2f(0.0);
  let a = trianglePlane(frame.projection, p0, p1, p2, k, copy);
  if (frame.mixB <= 0.0) {
    plane = a;
    ndc = select(a / frame.halfPlane, OFFSCREEN, all(a == OFFSCREEN));
  } else {
    let b = trianglePlane(frame.projectionB, p0, p1, p2, k, copy);
    plane = b;
    if (all(a == OFFSCREEN) || all(b == OFFSCREEN)) { ndc = OFFSCREEN; }
    else { ndc = mix(a / frame.halfPlane, b / frame.halfPlaneB, frame.mixB); }
  }
  let cell = cells[c];
  var out: VOut;
  out.position = vec4f(ndc, 0.0, 1.0);
  // HiPS image tiles: column fraction follows face-local y, row fraction follows face-local x.
  out.uv = cell.uvOrigin + vec2f(f32(j) / f32(G), f32(i) / f32(G)) * cell.uvScale;
  out.plane = plane;
  out.layer = cell.layer;
  out.alpha = cell.alpha;
  out.depth = ps[k].z;
  out.facet = -1.0;
  if ((frame.projectionB == 9u && frame.mixB >= 1.0) || (frame.projection == 9u && frame.mixB <= 0.0)) {
    let ph = vec3f(atan2(p0.x, p0.z), atan2(p1.x, p1.z), atan2(p2.x, p2.z));
    let crossing = (max(ph.x, max(ph.y, ph.z)) - min(ph.x, min(ph.y, ph.z)) > PI) && min(p0.z, min(p1.z, p2.z)) < 0.0;
    out.facet = hpxFacets(ph, crossing, copy).x;
  }
  return out;
}

@fragment
fn fs(in: VOut) -> @location(0) vec4f {
  let id = select(frame.projection, frame.projectionB, frame.mixB >= 1.0);
  let settled = frame.mixB <= 0.0 || frame.mixB >= 1.0;
  if (settled) {
    // nothing past the projection's boundary; SIN shows one hemisphere only
    if (boundaryF(id, in.plane) > 0.0 || (id == 0u && in.depth < 0.0)) { discard; }
    if (id == 9u && abs(in.plane.y) > PI * 0.25 && in.facet >= 0.0 && hpxFacetOf(in.plane.x) != in.facet) { discard; }
  }
${kind === 'colour' ? `  // mip bias -1: a tile drawn near 1:1 (as selection aims) stays as sharp as plain bilinear and
  // agrees with point-sampled references (reproject); squeezed 2x and more, it averages
  let color = textureSampleBias(tiles, tileSampler, in.uv, in.layer, -1.0);
  return vec4f(color.rgb, color.a * frame.opacity * in.alpha);` : `  let v = fitsValue(in.uv, in.layer);
  if (isNan(v)) { discard; }
  let t = clamp((v - frame.cutLo) / max(frame.cutHi - frame.cutLo, 1e-30), 0.0, 1.0);
  var s = t;
  switch (frame.stretch) {
    case 1u: { s = sqrt(t); }
    case 2u: { s = log(1.0 + 1000.0 * t) / log(1001.0); }
    case 3u: { s = asinhf(10.0 * t) / asinhf(10.0); }
    case 4u: { s = t * t; }
    case 5u: { s = textureLoad(lut, vec2i(i32(round(t * 255.0)), 1), 0).r; }
    default: { }
  }
  let color = textureLoad(lut, vec2i(i32(round(clamp(s, 0.0, 1.0) * 255.0)), 0), 0);
  return vec4f(color.rgb, frame.opacity * in.alpha);`}
}
${kind === 'fits' ? `
/** Data values instead of colours (exportFITS of a FITS layer): r = value, g = 1 where covered. */
@fragment
fn fsValues(in: VOut) -> @location(0) vec4f {
  if (boundaryF(frame.projectionB, in.plane) > 0.0 || (frame.projectionB == 0u && in.depth < 0.0)) { discard; }
  if (frame.projectionB == 9u && abs(in.plane.y) > PI * 0.25 && in.facet >= 0.0 && hpxFacetOf(in.plane.x) != in.facet) { discard; }
  let v = fitsValue(in.uv, in.layer);
  if (isNan(v)) { discard; }
  return vec4f(v, 1.0, 0.0, 0.0);
}

fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn asinhf(x: f32) -> f32 { return log(x + sqrt(x * x + 1.0)); }

/** Bilinear interpolation of FITS values that ignores blanks: nearest texel where a blank is near. */
fn fitsValue(uv: vec2f, layer: u32) -> f32 {
  let dims = vec2i(textureDimensions(tiles));
  let p = uv * vec2f(dims) - 0.5;
  let i0 = vec2i(floor(p));
  let f = p - floor(p);
  let hi = dims - vec2i(1);
  let a = textureLoad(tiles, clamp(i0, vec2i(0), hi), layer, 0).r;
  let b = textureLoad(tiles, clamp(i0 + vec2i(1, 0), vec2i(0), hi), layer, 0).r;
  let c = textureLoad(tiles, clamp(i0 + vec2i(0, 1), vec2i(0), hi), layer, 0).r;
  let d = textureLoad(tiles, clamp(i0 + vec2i(1, 1), vec2i(0), hi), layer, 0).r;
  if (isNan(a) || isNan(b) || isNan(c) || isNan(d)) {
    return textureLoad(tiles, clamp(vec2i(round(p)), vec2i(0), hi), layer, 0).r;
  }
  return mix(mix(a, b, f.x), mix(c, d, f.x), f.y);
}` : ''}
`;
}
