// Grid label anchors against astropy: every label the grid makes sits on the line its text names,
// as astropy.wcs draws that line through the WCS of the view (test/fixtures/grid, made by
// make_grid_lines.py with Debian python3-astropy), to a few hundredths of a pixel — TAN, SIN, AIT
// (axis anchors), ZEA with a roll; ICRS, Galactic, Ecliptic; auto, sexagesimal and decimal text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gridGeometry, type GridLabelFormat } from './gridLines.js';
import { viewWcsCards } from '../export/viewWcs.js';
import type { ViewState } from '../math/camera.js';
import type { FrameName } from '../math/frames.js';

interface FixtureView { name: string; format: GridLabelFormat; view: ViewState & { frame: FrameName }; lonStepDeg: number; latStepDeg: number; wcs: Record<string, string | number> }
interface RefLine { kind: 'lon' | 'lat'; valueDeg: number; polylines: Array<Array<[number, number]>> }

const DIR = new URL('../../test/fixtures/grid/', import.meta.url);
const views = JSON.parse(readFileSync(new URL('views.json', DIR), 'utf8')) as FixtureView[];
const reference = JSON.parse(readFileSync(new URL('grid_lines.json', DIR), 'utf8')) as { views: Array<{ name: string; lines: RefLine[] }> };

/** Degrees of a label, parsed independently of the formatter: "05h30m", "+15°", "-05°30'00\"", "120.5°". */
function labelDeg(text: string): number {
  const hms = /^(\d+)h(?:(\d+)m(?:([\d.]+)s)?)?$/.exec(text);
  if (hms) return 15 * (Number(hms[1]) + Number(hms[2] ?? 0) / 60 + Number(hms[3] ?? 0) / 3600);
  const dms = /^([+-]?)(\d+)°(?:(\d+)'(?:([\d.]+)")?)?$/.exec(text);
  if (dms) return (dms[1] === '-' ? -1 : 1) * (Number(dms[2]) + Number(dms[3] ?? 0) / 60 + Number(dms[4] ?? 0) / 3600);
  const dec = /^([+-]?\d+(?:\.\d+)?)°$/.exec(text);
  if (dec) return Number(dec[1]);
  throw new Error(`not a grid label: ${text}`);
}

function distanceToPolylines(x: number, y: number, polylines: RefLine['polylines']): number {
  let best = Infinity;
  for (const pl of polylines) {
    for (let i = 0; i + 1 < pl.length; i++) {
      const [ax, ay] = pl[i];
      const [bx, by] = pl[i + 1];
      const dx = bx - ax;
      const dy = by - ay;
      const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1)));
      best = Math.min(best, Math.hypot(ax + t * dx - x, ay + t * dy - y));
    }
  }
  return best;
}

describe('grid label anchors against astropy.wcs', () => {
  for (const f of views) {
    it(`${f.name}: every label lies on the line its text names`, () => {
      // the fixture's inputs still describe this code (else rerun make_grid_lines.py after updating views.json)
      const cards = Object.fromEntries(viewWcsCards(f.view).map((c) => [c.key, c.value]));
      expect(Object.keys(cards).sort()).toEqual(Object.keys(f.wcs).sort());
      for (const [k, v] of Object.entries(f.wcs)) {
        if (typeof v === 'number') expect(cards[k] as number, k).toBeCloseTo(v, 10);
        else expect(cards[k], k).toBe(v);
      }
      const geo = gridGeometry(f.view, f.view.frame, f.format);
      expect([geo.lonStepDeg, geo.latStepDeg]).toEqual([f.lonStepDeg, f.latStepDeg]);

      const ref = reference.views.find((v) => v.name === f.name)!;
      expect(geo.labels.length).toBeGreaterThan(3);
      for (const l of geo.labels) {
        const deg = labelDeg(l.text);
        const line = ref.lines.find((r) => r.kind === l.kind && (l.kind === 'lon' ? Math.abs(((r.valueDeg - deg) % 360 + 540) % 360 - 180) < 1e-6 : Math.abs(r.valueDeg - deg) < 1e-6));
        expect(line, `astropy has the ${l.kind} line '${l.text}' (${deg}°) crossing the view`).toBeDefined();
        const d = distanceToPolylines(l.xPx, l.yPx, line!.polylines);
        expect(d, `'${l.text}' anchor at ${l.xPx.toFixed(3)}, ${l.yPx.toFixed(3)}: ${d.toFixed(4)} px from astropy's line`).toBeLessThan(0.02);
      }
    });
  }
});
