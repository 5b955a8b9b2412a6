// Label selection against brute force on the real Hipparcos stars (d3-celestial stars.8.json, 41k
// stars to V = 8): for wide views (the whole catalogue in brightness order) and small ones (only
// the rows of the anchor cells in view), with and without a filter, the labelled rows are those a
// brute-force pass picks (project every row, keep those in view, sort by magnitude, place greedily).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeCamera, project, type ViewState } from '../math/camera.js';
import { buildCatalogIndex } from './spatialIndex.js';
import { LabelSelector, type LabelSource } from './labelSelect.js';
import { placeLabels, resolveLabelOptions, type LabelCandidate } from './labelLayout.js';

interface Star { properties: { mag: number }; geometry: { coordinates: [number, number] } }
const stars = (JSON.parse(readFileSync(new URL('../../../shared/data/catalogs/stars.8.json', import.meta.url), 'utf8')) as { features: Star[] }).features;
const n = stars.length;
const raDeg = new Float64Array(n);
const decDeg = new Float64Array(n);
const mag = new Float32Array(n);
const name: string[] = [];
stars.forEach((s, i) => {
  const [lon, lat] = s.geometry.coordinates;
  raDeg[i] = lon < 0 ? lon + 360 : lon;
  decDeg[i] = lat;
  mag[i] = s.properties.mag;
  name.push(`S${i}`);
});
const data = { raDeg, decDeg, columns: { mag, name } };
const index = buildCatalogIndex(raDeg, decDeg);
const measure = (t: string) => 7 * t.length; // a monospace stand-in for the glyph atlas

function source(filter?: (row: number) => boolean): LabelSource {
  return { data, index, pixelRatio: 1, filters: filter ? [1] : [], rowPassesFilters: filter ?? (() => true), markerRadiusPx: () => 4 };
}

function bruteForce(view: ViewState, count: number, fontPx: number, keep: (row: number) => boolean = () => true) {
  const cam = makeCamera(view);
  const D = Math.PI / 180;
  const cands: LabelCandidate[] = [];
  const rows = [...Array(n).keys()].filter((r) => !Number.isNaN(mag[r]) && keep(r)).sort((a, b) => mag[a] - mag[b] || a - b);
  for (const r of rows) {
    const c = Math.cos(decDeg[r] * D);
    const p = project(cam, [c * Math.cos(raDeg[r] * D), c * Math.sin(raDeg[r] * D), Math.sin(decDeg[r] * D)]);
    if (!p) continue;
    const x = ((p[0] + 1) / 2) * view.widthPx;
    const y = ((1 - p[1]) / 2) * view.heightPx;
    if (x >= 0 && y >= 0 && x < view.widthPx && y < view.heightPx) cands.push({ row: r, xPx: x + 7, yPx: y, text: name[r], widthPx: measure(name[r]) });
  }
  return placeLabels(cands, count, Math.ceil(fontPx * 1.25), 0, view.widthPx, view.heightPx).map((p) => p.row);
}

describe('label selection (Hipparcos stars to V = 8)', () => {
  const o = resolveLabelOptions({ column: 'name', count: 25, fontPx: 12, brightnessColumn: 'mag' }, data);
  const views: ViewState[] = [
    { raDeg: 83.8, decDeg: -1, fovDeg: 40, rollDeg: 0, projection: 'SIN', widthPx: 800, heightPx: 600 },
    { raDeg: 0, decDeg: 0, fovDeg: 360, rollDeg: 0, projection: 'AIT', widthPx: 1000, heightPx: 500 },
    { raDeg: 266.4, decDeg: -29, fovDeg: 3, rollDeg: 30, projection: 'TAN', widthPx: 600, heightPx: 600, frame: 'galactic' },
    { raDeg: 10, decDeg: 89.5, fovDeg: 5, rollDeg: 0, projection: 'STG', widthPx: 500, heightPx: 400 },
    { raDeg: 359.5, decDeg: 1, fovDeg: 6, rollDeg: 0, projection: 'SIN', widthPx: 500, heightPx: 500 },
  ];

  it('labels what brute force labels, scanning only the view\'s cells for small views', () => {
    const sel = new LabelSelector();
    for (const view of views) {
      const got = sel.select(makeCamera(view), o, source(), 12, measure).map((p) => p.row);
      expect(got, `${view.projection} ${view.fovDeg}°`).toEqual(bruteForce(view, 25, 12));
      expect(got.length).toBeGreaterThan(0);
      if (view.fovDeg <= 6) expect(sel.visited, `${view.fovDeg}°: rows visited`).toBeLessThan(n / 20);
    }
  });

  it('labels only rows that pass the filters', () => {
    const sel = new LabelSelector();
    const keep = (r: number) => mag[r] >= 2;
    for (const view of views.slice(0, 3)) {
      expect(sel.select(makeCamera(view), o, source(keep), 12, measure).map((p) => p.row)).toEqual(bruteForce(view, 25, 12, keep));
    }
  });

  it("brightest 'max' labels the faintest magnitudes first", () => {
    const sel = new LabelSelector();
    const faint = resolveLabelOptions({ column: 'name', count: 5, brightnessColumn: 'mag', brightest: 'max' }, data);
    const got = sel.select(makeCamera(views[0]), faint, source(), 12, measure).map((p) => p.row);
    expect(got.length).toBe(5);
    for (const r of got) expect(mag[r]).toBeGreaterThan(7.5);
  });
});
