// WGSL for HiPS tiles, drawn by vertex pulling: one draw of 2·cellCount·G²·6 vertices; each vertex
// finds its cell, triangle, grid point and texture coordinates in storage buffers (no
// instancing). Vertex positions arrive as float32 view-frame vectors (right, up, centre
// components) computed on the CPU in float64, so precision does not depend on where on the sky
// the view is. Each vertex also reads the other two vertices of its triangle, so triangles that
// cross the seam of an all-sky projection (native longitude ±180°) are drawn twice, once on each
// side (the second half of the draw), and triangles around the antipode of a zenithal projection
// are dropped; what spills past the projection's boundary is discarded per fragment. A triangle
// around a native pole of MER or CAR (where the pole is the boundary's top or bottom line) is
// drawn as a cap: the band up to that line, cut per fragment along the triangle's edges.
import { projectionWgsl } from './projection.wgsl.js';

/** Grid subdivisions per cell side. */
export const HIPS_GRID = 8;

export type HipsShaderKind = 'colour' | 'fits';

/**
 * Shader variants: 'caps' draws the triangle around a native pole of MER/CAR as a cap (a band up
 * to the pole's line, cut per fragment); 'plain' drops such triangles and has no cap code at all.
 * Only a view in MER or CAR needs caps, and on a CPU rasteriser (SwiftShader) the fragment
 * shader's cap branch is paid by every fragment whether taken or not (a 1280x720 SIN frame took
 * 5-10x longer with it), so every other projection uses 'plain' (hipsVariant).
 */
export type HipsShaderVariant = 'plain' | 'caps';

/** The variant a frame needs: caps when either projection of the frame (a projection change blends two) is MER or CAR. */
export function hipsVariant(projectionA: number, projectionB: number): HipsShaderVariant {
  return projectionA === 7 || projectionA === 8 || projectionB === 7 || projectionB === 8 ? 'caps' : 'plain';
}

/**
 * Copies of the mesh a frame draws: the second copy only ever holds triangles that cross the
 * native longitude seam (and HPX's second polar facet), which zenithal projections (ids 0-4) do
 * not have — there every copy-1 vertex is dropped, so drawing it only costs vertex work.
 */
export function hipsCopies(projectionA: number, projectionB: number): 1 | 2 {
  return projectionA <= 4 && projectionB <= 4 ? 1 : 2;
}

/** The HiPS shader for colour tiles (rgba8 texture, hardware filtering) or FITS tiles (r32float
 * values, NaN-aware bilinear filtering, cuts, stretch and colormap lookup). */
export function hipsWgsl(kind: HipsShaderKind, variant: HipsShaderVariant = 'plain'): string {
  const caps = variant === 'caps';
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
  mipScale: f32,      // colour: 0.5 when the tile's mip chain is filled (LOD bias -1), 0 = level 0 only
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
  @location(7) @interpolate(flat) mipScale: f32,
${caps ? '  @location(6) @interpolate(flat) cap: u32,  // a pole triangle of MER/CAR (capCoverage), else NO_CAP' : ''}
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
  // pole is a point or a line on the boundary): drop it (in the plain variant always).
  if (aroundPole(p0, p1, p2)) {
${caps ? `    if (id != 7u && id != 8u) { return OFFSCREEN; }
    // MER, CAR: the pole is the boundary's top or bottom line. The two copies make the band
    // from the triangle's lowest vertex to that line, the fragment shader keeps the part above
    // the triangle's edges (capCoverage)
    let north = p0.y + p1.y + p2.y > 0.0;
    let ys = vec3f(projectPlane(id, p0).y, projectPlane(id, p1).y, projectPlane(id, p2).y);
    let top = projectNative(id, 0.0, select(-0.5, 0.5, north) * PI).y;
    let low = select(max(ys.x, max(ys.y, ys.z)), min(ys.x, min(ys.y, ys.z)), north);
    // copy 0: (-pi, low) (pi, low) (-pi, top); copy 1: (-pi, top) (pi, low) (pi, top)
    let m = copy * 3u + k;
    return vec2f(select(-PI, PI, m == 1u || m >= 4u), select(low, top, m == 2u || m == 3u || m == 5u));` : '    return OFFSCREEN;'}
  }
  // Native longitude seam behind the centre: crossing triangles are drawn on both sides.
  let u = unwrappedPhi(p0, p1, p2, copy);
  let theta = atan2(p.y, length(p.xz));
  if (id == 9u) {
    // HPX polar facets: a triangle spanning two facets is drawn once with each facet's formula;
    // the fragment shader keeps only the part inside that facet.
    let kf = hpxFacets(u, copy);
    if (kf.y < 0.0) { return OFFSCREEN; }
    return hpxWithFacet(u.phi[k], theta, kf.x);
  }
  if (!u.drawn) { return OFFSCREEN; }
  return projectNative(id, u.phi[k], theta);
}

struct Unwrapped {
  phi: vec3f,     // native longitudes of the vertices for this copy, continuous along the edges
  crossing: bool, // the triangle crosses the seam (native longitude ±180°): drawn on both sides
  drawn: bool,    // this copy is drawn (copy 1 only for a crossing triangle)
};

/**
 * Whole turns (+1, 0, -1) to add to b's native longitude pb so that it follows a's (pa) along the
 * edge a-b: the shorter way round, except where the two differ by nearly 180° (an edge passing
 * near the native pole), where the way the edge's great circle turns decides — from poleSide,
 * which both triangles sharing the edge compute alike, so they unwrap the edge the same way.
 */
fn turns(a: vec3f, b: vec3f, pa: f32, pb: f32) -> f32 {
  let d = pb - pa;
  // (a vertex on the pole itself has no longitude: the shorter way then)
  let onPole = min(dot(a.xz, a.xz), dot(b.xz, b.xz)) < 1e-12;
  if (abs(abs(d) - PI) > 0.5 || onPole) { return select(select(0.0, 1.0, d < -PI), -1.0, d > PI); }
  if (!poleSide(a, b)) { return select(0.0, 1.0, d < 0.0); } // longitude grows from a to b
  return select(0.0, -1.0, d > 0.0);
}

/**
 * The vertices' native longitudes unwrapped along the triangle's edges (raw values plus whole
 * turns, so a vertex shared with another triangle gets bit-identical values); copy 0 keeps the
 * first vertex's raw longitude, copy 1 is the same triangle one turn over, for one that sticks out
 * past ±180° (others keep copy 0's longitudes in copy 1: HPX draws a second polar facet with it).
 */
fn unwrappedPhi(p0: vec3f, p1: vec3f, p2: vec3f, copy: u32) -> Unwrapped {
  let ph = vec3f(atan2(p0.x, p0.z), atan2(p1.x, p1.z), atan2(p2.x, p2.z));
  let n1 = turns(p0, p1, ph.x, ph.y);
  let n = vec3f(0.0, n1, n1 + turns(p1, p2, ph.y, ph.z));
  let u0 = ph + 2.0 * PI * n;
  let hi = max(u0.x, max(u0.y, u0.z));
  let lo = min(u0.x, min(u0.y, u0.z));
  let crossing = hi > PI || lo < -PI;
  let shift = select(0.0, select(1.0, -1.0, hi > PI), copy == 1u && crossing);
  return Unwrapped(ph + 2.0 * PI * (n + shift), crossing, copy == 0u || crossing);
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
 * triangles use copy 0 and 1 for the two sides of the seam, so they keep the facet of their side;
 * others use copy 0 for the facet of their first vertex and copy 1 for a second facet if any.
 */
fn hpxFacets(u: Unwrapped, copy: u32) -> vec2f {
  if (u.crossing) {
    return vec2f(select(0.0, 3.0, u.phi.x + u.phi.y + u.phi.z > 0.0), 0.0);
  }
  let f0 = hpxFacetOf(u.phi.x);
  let f1 = hpxFacetOf(u.phi.y);
  let f2 = hpxFacetOf(u.phi.z);
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

/** Index in \`positions\` of vertex k of triangle tri (0: (0,0) (1,0) (0,1); 1: (0,1) (1,0) (1,1)) of a quad. */
fn meshIndex(c: u32, quad: u32, tri: u32, k: u32) -> u32 {
  let di = select(u32(k == 1u), u32(k >= 1u), tri == 1u);
  let dj = select(u32(k == 2u), u32(k != 1u), tri == 1u);
  return c * (G + 1u) * (G + 1u) + (quad / G + dj) * (G + 1u) + quad % G + di;
}

/** Texture coordinates of a mesh vertex; a vertex collapsed onto another (T-junction closing in
 * hipsLayer.ts, w = that vertex's index in the cell + 1) takes the other's. */
fn meshUv(c: u32, index: u32) -> vec2f {
  var r = index % ((G + 1u) * (G + 1u));
  let moved = u32(round(positions[index].w));
  if (moved > 0u) { r = moved - 1u; }
  let i = r % (G + 1u);
  let j = r / (G + 1u);
  // HiPS image tiles: column fraction follows face-local y, row fraction follows face-local x.
  return cells[c].uvOrigin + vec2f(f32(j) / f32(G), f32(i) / f32(G)) * cells[c].uvScale;
}

/**
 * Which side of edge a-b the native pole axis (y) lies on, seen down that axis. Exactly one of the
 * two triangles sharing an edge sees it on its own side, even when the edge passes (nearly)
 * through the pole: the sign is computed with the edge's ends in one fixed order, whichever
 * triangle asks, and a zero counts as one side.
 */
fn poleSide(a: vec3f, b: vec3f) -> bool {
  let swap = a.x > b.x || (a.x == b.x && a.z > b.z);
  let u = select(a, b, swap);
  let w = select(b, a, swap);
  return (u.x * w.z - u.z * w.x >= 0.0) != swap;
}

/** The triangle surrounds a native pole (the y axis). */
fn aroundPole(p0: vec3f, p1: vec3f, p2: vec3f) -> bool {
  // a vertex on the pole (HEALPix has them there at roll 0): the pole is on the triangle's corner
  // nor does a triangle collapsed to a point (T-junction closing)
  if (min(dot(p0.xz, p0.xz), min(dot(p1.xz, p1.xz), dot(p2.xz, p2.xz))) < 1e-12 || (all(p0 == p1) && all(p1 == p2))) { return false; }
  let s0 = poleSide(p0, p1);
  return s0 == poleSide(p1, p2) && s0 == poleSide(p2, p0);
}

${caps ? `
const NO_CAP: u32 = 0xffffffffu;

/** A triangle around a native pole of MER or CAR, drawn as a cap (see trianglePlane). */
fn isCap(id: u32, p0: vec3f, p1: vec3f, p2: vec3f) -> bool {
  return (id == 7u || id == 8u) && aroundPole(p0, p1, p2);
}

/**
 * A cap fragment at plane point q: x = 1 when it lies between the cap triangle's edges (straight
 * lines in the plane between its vertices' images, as its neighbours draw them, taken in order
 * round the pole) and the pole's line, with y, z its texture coordinates (barycentric on the
 * sphere: the edges' images are not straight lines between the vertices of any one triangle).
 * The edges are widened by tol (plane units, 1/64 pixel): the neighbours' edges are rasterised
 * from snapped vertices, this test runs in float32 per fragment, and a pixel centre within a
 * hair of the line must not fall to neither (at worst such a pixel is drawn by both).
 */
fn capCoverage(cap: u32, q: vec2f, tol: f32) -> vec3f {
  let c = cap / (2u * G * G);
  let quad = (cap / 2u) % (G * G);
  let tri = cap % 2u;
  let i0 = meshIndex(c, quad, tri, 0u);
  let i1 = meshIndex(c, quad, tri, 1u);
  let i2 = meshIndex(c, quad, tri, 2u);
  let p0 = positions[i0].xyz;
  let p1 = positions[i1].xyz;
  let p2 = positions[i2].xyz;
  let north = p0.y + p1.y + p2.y > 0.0;
  let inside = capEdge(p0, p1, q, north, tol) || capEdge(p1, p2, q, north, tol) || capEdge(p2, p0, q, north, tol);
  // the fragment's direction (MER: latitude from the plane's y; CAR: the plane is lon/lat)
  let theta = select(q.y, 2.0 * atan(exp(q.y)) - 0.5 * PI, frame.projection == 7u);
  let v = vec3f(cos(theta) * sin(q.x), sin(theta), cos(theta) * cos(q.x));
  let w = vec3f(dot(v, cross(p1, p2)), dot(p0, cross(v, p2)), dot(p0, cross(p1, v)));
  let bw = w / (w.x + w.y + w.z);
  let uv = bw.x * meshUv(c, i0) + bw.y * meshUv(c, i1) + bw.z * meshUv(c, i2);
  return vec3f(select(0.0, 1.0, inside), uv);
}

/** 1/64 of a pixel in plane units (the plane is linear on screen in MER and CAR). */
fn capTolerance(plane: vec2f) -> f32 {
  let px = fwidth(plane);
  return max(px.x, px.y) / 64.0;
}

/** Whether plane point q lies above (north) or below edge pa-pb of a cap (within tol), where the edge spans q.x. */
fn capEdge(pa: vec3f, pb: vec3f, q: vec2f, north: bool, tol: f32) -> bool {
  let a = projectPlane(frame.projection, pa);
  let b = projectPlane(frame.projection, pb);
  // the edge runs round the pole the way its neighbour unwraps it (turns)
  let dx = b.x + 2.0 * PI * turns(pa, pb, a.x, b.x) - a.x;
  var u = q.x - a.x;
  if (u > PI) { u = u - 2.0 * PI; }
  if (u < -PI) { u = u + 2.0 * PI; }
  if (abs(dx) > 0.0 && u * sign(dx) >= -tol && abs(u) <= abs(dx) + tol) {
    let y = a.y + (b.y - a.y) * (u / dx);
    return select(q.y <= y + tol, q.y >= y - tol, north);
  }
  return false;
}
` : ''}

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
  let i0 = meshIndex(c, quad, tri, 0u);
  let i1 = meshIndex(c, quad, tri, 1u);
  let i2 = meshIndex(c, quad, tri, 2u);
  let p0 = positions[i0].xyz;
  let p1 = positions[i1].xyz;
  let p2 = positions[i2].xyz;
  var ps = array<vec3f, 3>(p0, p1, p2);

  var ndc = vec2f(0.0);
  var plane = vec2f(0.0);
  let a = trianglePlane(frame.projection, p0, p1, p2, k, copy);
  if (frame.mixB <= 0.0) {
    plane = a;
    ndc = select(a / frame.halfPlane, OFFSCREEN, all(a == OFFSCREEN));
  } else {
    let b = trianglePlane(frame.projectionB, p0, p1, p2, k, copy);
    plane = b;
${caps ? `    // pole caps are drawn in a settled MER or CAR view only
    let caps = isCap(frame.projection, p0, p1, p2) || isCap(frame.projectionB, p0, p1, p2);
    if (all(a == OFFSCREEN) || all(b == OFFSCREEN) || caps) { ndc = OFFSCREEN; }` : `    if (all(a == OFFSCREEN) || all(b == OFFSCREEN)) { ndc = OFFSCREEN; }`}
    else { ndc = mix(a / frame.halfPlane, b / frame.halfPlaneB, frame.mixB); }
  }
  let cell = cells[c];
  var out: VOut;
  out.position = vec4f(ndc, 0.0, 1.0);
  out.uv = meshUv(c, select(select(i0, i1, k == 1u), i2, k == 2u));
${caps ? '  out.cap = select(NO_CAP, (c * G * G + quad) * 2u + tri, isCap(frame.projection, p0, p1, p2) && frame.mixB <= 0.0);' : ''}
  out.plane = plane;
  out.layer = cell.layer;
  out.alpha = cell.alpha;
  out.mipScale = cell.mipScale;
  out.depth = ps[k].z;
  out.facet = -1.0;
  if ((frame.projectionB == 9u && frame.mixB >= 1.0) || (frame.projection == 9u && frame.mixB <= 0.0)) {
    out.facet = hpxFacets(unwrappedPhi(p0, p1, p2, copy), copy).x;
  }
  return out;
}

@fragment
fn fs(in: VOut) -> @location(0) vec4f {
${caps ? '  let tol = capTolerance(in.plane); // (derivatives: before any discard)' : ''}
  let id = select(frame.projection, frame.projectionB, frame.mixB >= 1.0);
  let settled = frame.mixB <= 0.0 || frame.mixB >= 1.0;
  if (settled) {
    // nothing past the projection's boundary; SIN shows one hemisphere only
    if (boundaryF(id, in.plane) > 0.0 || (id == 0u && in.depth < 0.0)) { discard; }
    if (id == 9u && abs(in.plane.y) > PI * 0.25 && in.facet >= 0.0 && hpxFacetOf(in.plane.x) != in.facet) { discard; }
  }
  var uv = in.uv;
${caps ? `  if (in.cap != NO_CAP) {
    let cov = capCoverage(in.cap, in.plane, tol);
    if (cov.x < 0.5) { discard; }
    uv = cov.yz;
  }` : ''}
${kind === 'colour' ? `  // mip bias -1 (gradients halved): a tile drawn near 1:1 (as selection aims) stays as sharp as
  // plain bilinear and agrees with point-sampled references (reproject); squeezed 2x and more, it
  // averages. A tile whose chain is not filled (never drawn squeezed, tileSqueeze.ts) has
  // mipScale 0: gradients 0, level 0 only.
  let g = in.mipScale;
  let color = textureSampleGrad(tiles, tileSampler, uv, in.layer, dpdx(uv) * g, dpdy(uv) * g);
  return vec4f(color.rgb, color.a * frame.opacity * in.alpha);` : `  let v = fitsValue(uv, in.layer);
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
${caps ? '  let tol = capTolerance(in.plane); // (derivatives: before any discard)' : ''}
  if (boundaryF(frame.projectionB, in.plane) > 0.0 || (frame.projectionB == 0u && in.depth < 0.0)) { discard; }
  if (frame.projectionB == 9u && abs(in.plane.y) > PI * 0.25 && in.facet >= 0.0 && hpxFacetOf(in.plane.x) != in.facet) { discard; }
  var uv = in.uv;
${caps ? `  if (in.cap != NO_CAP) {
    let cov = capCoverage(in.cap, in.plane, tol);
    if (cov.x < 0.5) { discard; }
    uv = cov.yz;
  }` : ''}
  let v = fitsValue(uv, in.layer);
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
