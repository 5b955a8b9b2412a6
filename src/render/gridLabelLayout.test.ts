import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boxesOverlap, gridLabelBox, insideProjectionImage, labelGapPx, placeGridLabels, type PlacedGridLabel } from './gridLabelLayout.js';
import { gridGeometry, type GridLabel, type GridLabelFormat } from './gridLines.js';
import { healpixGridLines } from './healpixGridLines.js';
import { makeCamera, pixelToNdc, unproject, type ViewState } from '../math/camera.js';
import { applyMat3, frameRotation, type FrameName } from '../math/frames.js';
import { vecToLonLatDeg } from '../math/vec3.js';
import type { ProjectionName } from '../math/projections.js';

/** A fixed-advance measure (7 px a character) so that boxes are predictable. */
const metrics = { fontPx: 12, measure: (t: string) => 7 * [...t].length };
const everywhere = () => true;

/** Degrees of a label: "05h30m", "+15°", "-05°30'00\"", "120.5°" (independent of the formatter). */
function labelDeg(text: string): number {
  const hms = /^(\d+)h(?:(\d+)m(?:([\d.]+)s)?)?$/.exec(text);
  if (hms) return 15 * (Number(hms[1]) + Number(hms[2] ?? 0) / 60 + Number(hms[3] ?? 0) / 3600);
  const dms = /^([+-]?)(\d+)°(?:(\d+)'(?:([\d.]+)")?)?$/.exec(text);
  if (dms) return (dms[1] === '-' ? -1 : 1) * (Number(dms[2]) + Number(dms[3] ?? 0) / 60 + Number(dms[4] ?? 0) / 3600);
  const dec = /^([+-]?\d+(?:\.\d+)?)°$/.exec(text);
  if (dec) return Number(dec[1]);
  throw new Error(`not a grid label: ${text}`);
}

function view(projection: ProjectionName, fovDeg: number, raDeg: number, decDeg: number, frame: FrameName = 'icrs', widthPx = 800, heightPx = 500): ViewState {
  return { raDeg, decDeg, fovDeg, rollDeg: 0, projection, widthPx, heightPx, frame };
}

describe('grid label boxes', () => {
  it('puts a meridian label above its anchor, a parallel label right of it and a cell label centred', () => {
    const h = Math.ceil(12 * 1.25);
    const gap = labelGapPx(12);
    const lon = gridLabelBox({ text: '05h', kind: 'lon', xPx: 100, yPx: 490 }, metrics);
    expect(lon.x0 + lon.x1).toBeCloseTo(200, 9);
    expect(lon.y1).toBe(490 - gap);
    expect(lon.y1 - lon.y0).toBe(h);
    expect(lon.x1 - lon.x0).toBe(3 * 7 + 2);
    const lat = gridLabelBox({ text: '+15°', kind: 'lat', xPx: 6, yPx: 200 }, metrics);
    expect(lat.x0).toBe(6 + gap);
    expect(lat.y0 + lat.y1).toBeCloseTo(400, 9);
    const cell = gridLabelBox({ text: '3/12', kind: 'cell', xPx: 50, yPx: 60 }, metrics);
    expect(cell.x0 + cell.x1).toBeCloseTo(100, 9);
    expect(cell.y0 + cell.y1).toBeCloseTo(120, 9);
  });
});

describe('grid label placement', () => {
  it('drops a label that would overlap one already placed, and keeps the first', () => {
    const labels: GridLabel[] = [
      { text: '05h30m', kind: 'lon', xPx: 100, yPx: 490 },
      { text: '05h31m', kind: 'lon', xPx: 120, yPx: 490 },
      { text: '05h40m', kind: 'lon', xPx: 300, yPx: 490 },
    ];
    const { placed, dropped } = placeGridLabels(labels, metrics, 800, 500, everywhere);
    expect(placed.map((p) => p.text)).toEqual(['05h30m', '05h40m']);
    expect(dropped.map((d) => [d.text, d.reason])).toEqual([['05h31m', 'overlap']]);
  });

  it('drops labels whose box leaves the view or the projection image, and skips empty or non-finite ones', () => {
    const labels: GridLabel[] = [
      { text: 'edge', kind: 'lon', xPx: 3, yPx: 490 },
      { text: 'ok', kind: 'lat', xPx: 10, yPx: 250 },
      { text: '', kind: 'lat', xPx: 10, yPx: 100 },
      { text: 'nan', kind: 'lat', xPx: NaN, yPx: 100 },
      { text: 'outside', kind: 'lat', xPx: 10, yPx: 50 },
    ];
    const { placed, dropped } = placeGridLabels(labels, metrics, 800, 500, (_x, y) => y > 100);
    expect(placed.map((p) => p.text)).toEqual(['ok']);
    expect(dropped.map((d) => [d.text, d.reason])).toEqual([['edge', 'outside-view'], ['outside', 'outside-projection']]);
  });

  it('never overlaps, never leaves the view or the image, and drops only for a true reason (property)', () => {
    const label = fc.record({
      text: fc.string({ minLength: 1, maxLength: 8 }),
      kind: fc.constantFrom('lon' as const, 'lat' as const, 'cell' as const),
      // tenths of a pixel (fc.double clusters at the range ends, leaving almost nothing inside)
      xPx: fc.integer({ min: -200, max: 4200 }).map((x) => x / 10),
      yPx: fc.integer({ min: -200, max: 3200 }).map((y) => y / 10),
    });
    // an elliptical image, like AIT's
    const inside = (x: number, y: number) => ((x - 200) / 200) ** 2 + ((y - 150) / 150) ** 2 <= 1;
    const seen = { placed: 0, overlap: 0, 'outside-view': 0, 'outside-projection': 0 };
    fc.assert(fc.property(fc.array(label, { maxLength: 40 }), (labels) => {
      const { placed, dropped } = placeGridLabels(labels, metrics, 400, 300, inside);
      seen.placed += placed.length;
      for (const d of dropped) seen[d.reason]++;
      const margin = labelGapPx(metrics.fontPx);
      expect(placed.length + dropped.length).toBe(labels.length);
      placed.forEach((a, i) => {
        expect(a.x0 >= 0 && a.y0 >= 0 && a.x1 <= 400 && a.y1 <= 300).toBe(true);
        for (const [x, y] of [[a.x0, a.y0], [a.x1, a.y0], [a.x0, a.y1], [a.x1, a.y1]]) expect(inside(x, y)).toBe(true);
        for (const b of placed.slice(i + 1)) expect(boxesOverlap(a, b, margin)).toBe(false);
      });
      for (const d of dropped) {
        if (d.reason === 'overlap') expect(placed.some((p) => boxesOverlap(p, d, margin))).toBe(true);
        else if (d.reason === 'outside-view') expect(d.x0 < 0 || d.y0 < 0 || d.x1 > 400 || d.y1 > 300).toBe(true);
      }
    }), { numRuns: 300 });
    // the generated cases exercise every branch
    for (const [k, n] of Object.entries(seen)) expect(n, k).toBeGreaterThan(10);
  });
});

describe('grid labels of real views', () => {
  const cases: Array<[string, ViewState, GridLabelFormat]> = [
    ['TAN ICRS around Orion', view('TAN', 30, 83.8, -5.4), 'auto'],
    ['TAN ICRS at 20 arcmin, sexagesimal', view('TAN', 1 / 3, 10.68, 41.27), 'sexagesimal'],
    ['TAN ICRS at 20 arcmin, decimal', view('TAN', 1 / 3, 10.68, 41.27), 'decimal'],
    ['AIT ICRS wide', view('AIT', 220, 0, 0, 'icrs', 900, 500), 'auto'],
    ['AIT ICRS full sky (labels on the central axes)', view('AIT', 360, 0, 0, 'icrs', 800, 400), 'auto'],
    ['MOL Galactic full sky', view('MOL', 360, 266.4, -28.9, 'galactic', 800, 400), 'auto'],
    ['ZEA ICRS hemisphere, decimal', view('ZEA', 200, 30, 60, 'icrs', 600, 500), 'decimal'],
    ['SIN Galactic centre', view('SIN', 90, 266.4, -28.9, 'galactic'), 'auto'],
    ['STG Galactic, sexagesimal', view('STG', 8, 83.8, -5.4, 'galactic'), 'sexagesimal'],
    ['MOL Ecliptic, decimal', view('MOL', 200, 120, 20, 'ecliptic', 900, 500), 'decimal'],
  ];
  for (const [name, v, format] of cases) {
    it(`${name}: placed labels say the coordinate under their anchor, inside the view and image, without overlaps`, () => {
      const frame = v.frame ?? 'icrs';
      const geo = gridGeometry(v, frame, format);
      const cam = makeCamera(v);
      const { placed, dropped } = placeGridLabels(geo.labels, metrics, v.widthPx, v.heightPx, insideProjectionImage(cam));
      expect(placed.length, `labels placed (dropped: ${dropped.map((d) => `${d.text}:${d.reason}`)})`).toBeGreaterThan(v.fovDeg >= 360 ? 5 : 2);
      expect(placed.some((p) => p.kind === 'lon')).toBe(true);
      expect(placed.some((p) => p.kind === 'lat')).toBe(true);
      const toFrame = frameRotation('icrs', frame);
      const byText = new Map(geo.labels.map((l) => [`${l.kind}|${l.text}`, l]));
      const margin = labelGapPx(metrics.fontPx);
      placed.forEach((p: PlacedGridLabel, i) => {
        // the anchor is on the labelled line: the inverse projection of its pixel gives the label's coordinate
        const a = byText.get(`${p.kind}|${p.text}`)!;
        const sky = unproject(cam, ...pixelToNdc(v, a.xPx, a.yPx));
        expect(sky, `anchor of ${p.text} inside the image`).toBeDefined();
        const [lon, lat] = vecToLonLatDeg(applyMat3(toFrame, sky!));
        const want = labelDeg(p.text);
        if (p.kind === 'lon') expect(Math.abs((((lon - want) % 360) + 540) % 360 - 180), `${p.text} vs lon ${lon}`).toBeLessThan(1e-6);
        else expect(Math.abs(lat - want), `${p.text} vs lat ${lat}`).toBeLessThan(1e-6);
        // every corner of the box is on the sky (inverse projection defined), inside the view
        for (const [x, y] of [[p.x0, p.y0], [p.x1, p.y0], [p.x0, p.y1], [p.x1, p.y1]]) {
          expect(x >= 0 && y >= 0 && x <= v.widthPx && y <= v.heightPx).toBe(true);
          expect(unproject(cam, ...pixelToNdc(v, x, y)), `${p.text} corner ${x},${y}`).toBeDefined();
        }
        for (const q of placed.slice(i + 1)) expect(boxesOverlap(p, q, margin)).toBe(false);
      });
      if (name.startsWith('SIN Galactic')) {
        // "0°" labels both the Galactic meridian and the Galactic equator through the centre
        expect(placed.filter((p) => p.text === '0°').map((p) => p.kind).sort()).toEqual(['lat', 'lon']);
      }
      if (format === 'decimal') for (const p of placed) expect(p.text).toMatch(/^[+-]?\d+(\.\d+)?°$/);
      if (format === 'sexagesimal' && frame !== 'icrs') for (const p of placed) expect(p.text).not.toMatch(/\.\d+°$/);
    });
  }

  it('decimal spacing is decimal-round and sexagesimal RA spacing is round in time', () => {
    const v = view('TAN', 1 / 3, 10.68, 41.27);
    const dec = gridGeometry(v, 'icrs', 'decimal');
    const sex = gridGeometry(v, 'icrs', 'sexagesimal');
    expect([0.1, 0.05, 0.02, 0.01]).toContain(Number(dec.latStepDeg.toPrecision(6)));
    expect([0.1, 0.05, 0.02, 0.01]).toContain(Number(dec.lonStepDeg.toPrecision(6)));
    expect((sex.lonStepDeg * 240) % 1 === 0 || (sex.lonStepDeg * 4) % 1 === 0).toBe(true);
    expect(() => gridGeometry(v, 'icrs', 'roman' as GridLabelFormat)).toThrow(/label format must be one of auto, sexagesimal, decimal, got 'roman'/);
  });

  it('HEALPix cell labels are centred on their cells and stay inside an all-sky image', () => {
    const v = view('AIT', 360, 0, 0, 'icrs', 800, 400);
    const { labels } = healpixGridLines(v, 1);
    expect(labels.length).toBe(48);
    const cam = makeCamera(v);
    const { placed } = placeGridLabels(labels, metrics, v.widthPx, v.heightPx, insideProjectionImage(cam));
    expect(placed.length).toBeGreaterThan(30);
    for (const p of placed) {
      expect(p.kind).toBe('cell');
      for (const [x, y] of [[p.x0, p.y0], [p.x1, p.y1], [p.x0, p.y1], [p.x1, p.y0]]) expect(unproject(cam, ...pixelToNdc(v, x, y))).toBeDefined();
    }
  });
});
