// The footprint layer's per-view GPU culling and level of detail (footprintLayer.ts, the compute
// passes of footprints.wgsl.ts), checked against the float64 CPU camera (src/math/camera.ts) in
// real WebGPU (SwiftShader), over random views of all projections (fast-check):
//  - culling never drops a visible footprint: every segment with both ends drawable and inside the
//    viewport (and short on screen: no seam between them) is in the GPU's kept list, unless its
//    footprint is drawn as a dot;
//  - a dot keeps every vertex within one pixel: each of the footprint's points projects within
//    1 px of the dot's centre, which is where the CPU projects the footprint's anchor;
//  - the kept list is in segment order (the same blending order every frame) with no repeats;
//  - two-level culling: every footprint whose float64 cap meets the view's cap is not out of view
//    (neither its HEALPix cell nor its own float32 cap test drops it), and the kept footprints the
//    segment passes visit are exactly those in view with segments, in order — random views and
//    fixed ones at RA 0 and both poles in all ten projections;
//  - the drawn pixels: a footprint far smaller than a pixel still shows (as its dot).
import { expect } from '@esm-bundle/chai';
import fc from 'fast-check';
import { SkyRenderer } from '../../src/render/skyRenderer.js';
import { DOT_PX, FootprintLayer } from '../../src/render/layers/footprintLayer.js';
import { makeCamera, MAX_FOV_DEG, project, PROJECTIONS, toViewFrame, type ViewState } from '../../src/math/camera.js';
import { ZENITHAL } from '../../src/math/projections.js';
import { BASE_TOLERANCE_RAD, SEGMENT_FLOATS, tessellateFootprints, type FootprintGeometry } from '../../src/footprints/tessellate.js';
import { createTarget, gpuErrors, pixelAt, requestTestDevice } from './renderTarget.js';
import { seeded } from './catalogHelpers.js';

const SIZE = 200;

/** Random polygons and circles of 0.001°–15° all over the sky, poles and RA 0 included. */
function randomFootprints(n: number, seed: number): string[] {
  const rnd = seeded(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const ra = i % 17 === 0 ? (rnd() - 0.5) * 4 + 360 : 360 * rnd();
    const dec = i % 23 === 0 ? 89 - rnd() : (Math.asin(2 * rnd() - 1) * 180) / Math.PI;
    const size = 10 ** (-3 + 4.2 * rnd());
    if (i % 3 === 0) {
      out.push(`CIRCLE ICRS ${(ra % 360).toFixed(6)} ${dec.toFixed(6)} ${size.toFixed(6)}`);
      continue;
    }
    const rot = 2 * Math.PI * rnd();
    const v: string[] = [];
    for (let k = 0; k < 4; k++) {
      const a = rot + (k * Math.PI) / 2;
      const d = Math.max(-89.99, Math.min(89.99, dec + size * Math.sin(a)));
      v.push(`${(((ra + (size * Math.cos(a)) / Math.max(0.05, Math.cos((dec * Math.PI) / 180))) % 360) + 360) % 360} ${d}`);
    }
    out.push(`POLYGON ICRS ${v.join(' ')}`);
  }
  return out;
}

/** Float64 ICRS direction of one end of a segment (anchor + float32 offset, normalised). */
function segmentEnd(g: FootprintGeometry, seg: number, end: 0 | 1): [number, number, number] {
  const o = seg * SEGMENT_FLOATS + 4 * end;
  const fp = new Uint32Array(g.segments.buffer, g.segments.byteOffset, g.segments.length)[seg * SEGMENT_FLOATS + 3]!;
  const x = g.anchors[3 * fp]! + g.segments[o]!;
  const y = g.anchors[3 * fp + 1]! + g.segments[o + 1]!;
  const z = g.anchors[3 * fp + 2]! + g.segments[o + 2]!;
  const r = Math.hypot(x, y, z);
  return [x / r, y / r, z / r];
}

/** Device px from the view centre, y up (the layer's screen convention), or undefined. */
function screenPx(view: ViewState, cam: ReturnType<typeof makeCamera>, v: ArrayLike<number>): [number, number] | undefined {
  const p = project(cam, v);
  return p ? [(p[0] * view.widthPx) / 2, (p[1] * view.heightPx) / 2] : undefined;
}

/**
 * The shorter way between the two ends' view-frame longitudes crosses ±180° (the back meridian,
 * the seam of an all-sky projection; near a pole both sides are close on screen).
 */
function crossesSeam(cam: ReturnType<typeof makeCamera>, a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const [ax, , az] = toViewFrame(cam, a);
  const [bx, , bz] = toViewFrame(cam, b);
  return Math.abs(Math.atan2(ax!, az!) - Math.atan2(bx!, bz!)) > Math.PI;
}

/**
 * The first level: every footprint whose float64 cap (anchor, extent) meets the view's cap is not
 * out of view, and the kept footprints are exactly those in view that have segments, ascending.
 * Returns the footprints checked in view.
 */
function checkFootprintLevel(g: FootprintGeometry, cam: ReturnType<typeof makeCamera>, states: Float32Array, keptFootprints: Uint32Array, where: string): number {
  const c = cam.centre;
  let checked = 0;
  for (let fp = 0; fp < g.count; fp++) {
    const cosA = g.anchors[3 * fp]! * c[0]! + g.anchors[3 * fp + 1]! * c[1]! + g.anchors[3 * fp + 2]! * c[2]!;
    // (0.999: a cap that only grazes the view within rounding is not counted either way)
    if (Math.acos(Math.max(-1, Math.min(1, cosA))) > cam.radiusRad + g.extentsRad[fp]! * 0.999) continue;
    expect(states[4 * fp + 3], `footprint ${fp} meets the ${where} view but is culled`).to.not.equal(0);
    checked++;
  }
  const expected = [...Array(g.count).keys()].filter((fp) => states[4 * fp + 3] !== 0 && g.segmentCount[fp]! > 0);
  expect(Array.from(keptFootprints), `kept footprints of the ${where} view`).to.deep.equal(expected);
  return checked;
}

describe('footprint layer: GPU culling and level of detail', () => {
  let device: GPUDevice;
  before(async () => {
    device = await requestTestDevice();
  });
  after(() => device.destroy());

  it('never drops a visible segment; dots stay within a pixel of every vertex; kept list in order (random views)', async function () {
    this.timeout(300_000);
    const geometry = tessellateFootprints(randomFootprints(400, 11), { toleranceRad: BASE_TOLERANCE_RAD, fill: false });
    expect(geometry.problems.filter((p) => p.level === 'error')).to.deep.equal([]);
    const fpOf = new Uint32Array(geometry.segments.buffer, geometry.segments.byteOffset, geometry.segments.length);
    const segments = geometry.segments.length / SEGMENT_FLOATS;
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addLayer(new FootprintLayer(device, 'rgba8unorm', { id: 'f', geometry, lineWidthPx: 1.5 }));
    const target = createTarget(device, SIZE, SIZE);
    let checkedSegments = 0;
    let footprintChecks = 0;
    let dots = 0;
    let out = 0;
    try {
      const run = await fc.check(fc.asyncProperty(
        fc.constantFrom(...PROJECTIONS), fc.double({ min: 0, max: 360, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -3, max: 2.6, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true }),
        async (projection, raDeg, decDeg, logFov, rollDeg) => {
          const fovDeg = Math.min(MAX_FOV_DEG[projection], 10 ** logFov);
          const view: ViewState = { raDeg, decDeg, fovDeg, rollDeg, projection, widthPx: SIZE, heightPx: SIZE };
          const cam = makeCamera(view);
          renderer.setView(view);
          renderer.render(target.texture.createView());
          const { lineSegments, pointSegments, states, keptFootprints } = await layer.readDrawList();
          footprintChecks += checkFootprintLevel(geometry, cam, states, keptFootprints, `${projection} ${fovDeg.toPrecision(3)}° at ${raDeg.toFixed(2)} ${decDeg.toFixed(2)}`);
          const kept = new Uint8Array(segments);
          for (const list of [lineSegments, pointSegments]) {
            for (let i = 0; i < list.length; i++) {
              if (i > 0) expect(list[i]!, 'kept lists in segment order, no repeats').to.be.greaterThan(list[i - 1]!);
              expect(kept[list[i]!], 'a segment in one list only').to.equal(0);
              kept[list[i]!] = 1;
            }
          }
          const half = SIZE / 2 - 2;
          for (let seg = 0; seg < segments; seg++) {
            const fp = fpOf[seg * SEGMENT_FLOATS + 3]!;
            const state = states[4 * fp + 3]!;
            if (state === 0) out++;
            const a = screenPx(view, cam, segmentEnd(geometry, seg, 0));
            const b = screenPx(view, cam, segmentEnd(geometry, seg, 1));
            if (!a || !b) continue;
            const inside = (p: [number, number]) => Math.abs(p[0]) < half && Math.abs(p[1]) < half;
            if (!inside(a) && !inside(b)) continue;
            if (state === 1) {
              // a dot: both ends within a pixel of its centre, the centre where the CPU puts the anchor
              const c: [number, number] = [states[4 * fp]!, states[4 * fp + 1]!];
              for (const p of [a, b]) expect(Math.hypot(p[0] - c[0], p[1] - c[1]), `footprint ${fp} drawn as a dot in ${projection} ${fovDeg}°`).to.be.below(1.0);
              expect(states[4 * fp + 2]!).to.be.below(DOT_PX);
              const an = screenPx(view, cam, [geometry.anchors[3 * fp]!, geometry.anchors[3 * fp + 1]!, geometry.anchors[3 * fp + 2]!])!;
              expect(Math.hypot(an[0] - c[0], an[1] - c[1])).to.be.below(0.05);
              expect(kept[geometry.segmentStart[fp]!], 'the dot is drawn').to.equal(1);
              dots++;
              continue;
            }
            if (Math.hypot(a[0] - b[0], a[1] - b[1]) > 40 || Math.hypot(a[0] - b[0], a[1] - b[1]) < 1e-3) continue; // may cross a seam; or no length
            if (!ZENITHAL.has(projection) && crossesSeam(cam, segmentEnd(geometry, seg, 0), segmentEnd(geometry, seg, 1))) continue; // across the seam near a pole
            expect(state, `footprint ${fp} with segment ${seg} in the ${projection} ${fovDeg}° view is not culled`).to.equal(2);
            expect(kept[seg], `segment ${seg} (footprint ${fp}) in the ${projection} ${fovDeg.toPrecision(3)}° view at ${raDeg.toFixed(2)} ${decDeg.toFixed(2)} is kept`).to.equal(1);
            checkedSegments++;
          }
        },
      ), { numRuns: 100, seed: 20261128 });
      // the failing assertion itself, with the shrunk view
      if (run.failed) throw new Error(`${String(run.errorInstance)} (view ${JSON.stringify(run.counterexample)})`);
    } finally {
      target.destroy();
      renderer.destroy();
    }
    console.log(`culling property: ${checkedSegments} visible segments checked kept, ${dots} dot checks, ${out} culled segment-views, ${footprintChecks} footprints in view checked not culled`);
    expect(footprintChecks).to.be.greaterThan(1000);
    // the views exercise all three states
    expect(checkedSegments).to.be.greaterThan(500);
    expect(dots).to.be.greaterThan(20);
    expect(out).to.be.greaterThan(1000);
    expect(gpuErrors).to.deep.equal([]);
  });

  it('two-level culling keeps every footprint in view at RA 0 and both poles, all ten projections', async function () {
    this.timeout(300_000);
    const geometry = tessellateFootprints(randomFootprints(400, 5), { toleranceRad: BASE_TOLERANCE_RAD, fill: false });
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addLayer(new FootprintLayer(device, 'rgba8unorm', { id: 'f', geometry }));
    const target = createTarget(device, SIZE, SIZE);
    let checked = 0;
    try {
      for (const projection of PROJECTIONS) {
        for (const [raDeg, decDeg] of [[0, 0], [359.999, 30], [0, 90], [180, -90], [0.001, -89.9]] as const) {
          for (const fovDeg of [0.05, 8, MAX_FOV_DEG[projection]]) {
            const view: ViewState = { raDeg, decDeg, fovDeg, rollDeg: 0, projection, widthPx: SIZE, heightPx: SIZE };
            renderer.setView(view);
            renderer.render(target.texture.createView());
            const { states, keptFootprints } = await layer.readDrawList();
            checked += checkFootprintLevel(geometry, makeCamera(view), states, keptFootprints, `${projection} ${fovDeg}° at ${raDeg} ${decDeg}`);
          }
        }
      }
    } finally {
      target.destroy();
      renderer.destroy();
    }
    console.log(`fixed views: ${checked} footprints in view checked not culled`);
    expect(checked).to.be.greaterThan(1000);
    expect(gpuErrors).to.deep.equal([]);
  });

  it('a footprint far below a pixel is drawn (as its dot) where it is; one out of view costs nothing', async () => {
    const stcs = ['CIRCLE ICRS 10 20 0.0001', 'POLYGON ICRS 200 -20 200.2 -20 200.2 -19.8'];
    const geometry = tessellateFootprints(stcs, { toleranceRad: BASE_TOLERANCE_RAD, fill: false });
    const renderer = new SkyRenderer(device, 'rgba8unorm');
    const layer = renderer.addLayer(new FootprintLayer(device, 'rgba8unorm', { id: 'f', geometry, color: '#ff0000', lineWidthPx: 2 }));
    try {
      const view: ViewState = { raDeg: 10, decDeg: 20, fovDeg: 30, rollDeg: 0, projection: 'SIN', widthPx: SIZE, heightPx: SIZE };
      renderer.setView(view);
      const { rgba: pixels } = await renderer.readPixels();
      const { lineSegments, pointSegments, states, keptFootprints } = await layer.readDrawList();
      expect(Array.from(states.subarray(0, 8)).filter((_, i) => i % 4 === 3)).to.deep.equal([1, 0]);
      expect(Array.from(lineSegments)).to.deep.equal([]);
      expect(Array.from(pointSegments)).to.deep.equal([geometry.segmentStart[0]]);
      expect(Array.from(keptFootprints), 'the segment passes visit the dot footprint only').to.deep.equal([0]);
      const [r] = pixelAt(pixels, SIZE, SIZE / 2, SIZE / 2);
      expect(r, 'the dot at the view centre').to.be.greaterThan(100);
      expect(pixelAt(pixels, SIZE, SIZE / 2 + 4, SIZE / 2)[0], 'and only there').to.equal(0);
    } finally {
      renderer.destroy();
    }
    expect(gpuErrors).to.deep.equal([]);
  });
});
