// The MOC cell test of tile selection against the bigint MOC algebra (intersection of the cell
// as a MOC with the coverage) on real MOCs (the DSS2 subset's Moc.fits, GALEX GR6 AIS FUV, SDSS9
// r) and a MOC built here; tile selection with a MOC; Moc.fits loading (404, errors, real bytes).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeCamera, type ViewState } from '../math/camera.js';
import { pix2ang } from './healpix.js';
import { loadHipsMoc } from './hipsSource.js';
import { SpaceMoc } from './moc/spaceMoc.js';
import { CellCoverage } from './mocCoverage.js';
import { selectTiles } from './tileSelection.js';

const SHARED = '/work/shared/data';
const DSS_MOC = `${SHARED}/hips/cds_dss2_color_subset/Moc.fits`;
const haveData = existsSync(DSS_MOC);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function checkAgainstBigint(moc: SpaceMoc, seed: number, samples: number): void {
  const cov = CellCoverage.fromMoc(moc);
  const u = rng(seed);
  let hits = 0;
  for (let i = 0; i < samples; i++) {
    const order = Math.floor(u() * 25);
    // half the samples near the coverage (children of a covered cell's neighbourhood), half anywhere
    let ipix = Math.floor(u() * 12 * 4 ** order);
    if (i % 2 === 0 && !moc.isEmpty()) {
      const r = Math.floor(u() * (moc.ranges.length / 2));
      const start = Number(moc.ranges[2 * r] >> BigInt(2 * (29 - order)));
      ipix = Math.max(0, Math.min(12 * 4 ** order - 1, start + Math.floor(u() * 5) - 2));
    }
    const want = !SpaceMoc.fromCells(order, [ipix]).intersection(moc).isEmpty();
    const got = cov.intersects(order, ipix);
    if (moc.maxOrder <= 24) expect(got, `${order}/${ipix}`).toBe(want);
    else if (want) expect(got, `${order}/${ipix}`).toBe(true); // deeper MOCs: widened, never a miss
    if (want) hits++;
  }
  expect(hits).toBeGreaterThan(samples / 10);
}

describe('CellCoverage', () => {
  it('answers like the MOC algebra on a MOC built from a cone and a polygon', () => {
    const moc = SpaceMoc.fromCone(9, 83.8, -5.4, 3).union(SpaceMoc.fromPolygon(7, [[10, 10], [40, 12], [20, 50]]));
    checkAgainstBigint(moc, 1, 3000);
    expect(CellCoverage.fromMoc(SpaceMoc.empty()).intersects(0, 3)).toBe(false);
    expect(CellCoverage.fromMoc(SpaceMoc.allSky()).intersects(24, 12 * 4 ** 24 - 1)).toBe(true);
    expect(() => CellCoverage.fromMoc(moc).intersects(30, 0)).toThrow(RangeError);
  });

  it.skipIf(!haveData)('answers like the MOC algebra on real MOCs', () => {
    for (const [file, seed] of [[DSS_MOC, 2], [`${SHARED}/moc_samples/P-GALEXGR6-AIS-FUV.fits`, 3], [`${SHARED}/moc_samples/P-SDSS9-r.fits`, 4]] as const) {
      checkAgainstBigint(SpaceMoc.fromFits(readFileSync(file)), seed, 800);
    }
  }, 60_000);
});

const view = (o: Partial<ViewState>): ViewState => ({ raDeg: 0, decDeg: 0, fovDeg: 60, rollDeg: 0, projection: 'SIN', widthPx: 400, heightPx: 300, ...o });

const SDSS_MOC = `${SHARED}/moc_samples/P-SDSS9-r.fits`;

/** Centre of the first order-`order` cell that `pick` accepts. */
function cellWhere(order: number, pick: (cell: SpaceMoc) => boolean): [number, number] {
  for (let ipix = 0; ipix < 12 * 4 ** order; ipix++) if (pick(SpaceMoc.fromCells(order, [ipix]))) return pix2ang(order, ipix);
  throw new Error('no such cell');
}

describe.skipIf(!haveData)('tile selection with the HiPS MOC (the real MOC of the SDSS9 r HiPS)', () => {
  const moc = haveData ? SpaceMoc.fromFits(readFileSync(SDSS_MOC)) : SpaceMoc.empty();
  const cov = CellCoverage.fromMoc(moc);
  // a view centred on the edge of the coverage: where the middle range of the MOC starts
  const mid = 2 * Math.floor(moc.ranges.length / 4);
  const [raDeg, decDeg] = haveData ? pix2ang(24, Number(moc.ranges[mid] >> 10n)) : [0, 0];
  const [emptyRa, emptyDec] = haveData ? cellWhere(1, (c) => c.intersection(moc).isEmpty()) : [0, 0];

  it('requests and draws only cells that touch the MOC, and every one of them that the view has', () => {
    let fewer = 0;
    const views = [view({ raDeg, decDeg, fovDeg: 1.5, projection: 'TAN' }), view({ raDeg: emptyRa, decDeg: emptyDec, fovDeg: 60, widthPx: 1200, heightPx: 800 }),
      view({ raDeg: emptyRa, decDeg: emptyDec, fovDeg: 120, projection: 'ZEA', widthPx: 1600, heightPx: 1000 }), view({ raDeg: emptyRa, decDeg: emptyDec, fovDeg: 360, projection: 'AIT', widthPx: 2000, heightPx: 1000 })];
    for (const v of views) {
      const camera = makeCamera(v);
      const all = selectTiles({ camera, tileWidthPx: 512, hipsOrder: 11 });
      const sel = selectTiles({ camera, tileWidthPx: 512, hipsOrder: 11, moc: cov });
      const touches = (order: number, ipix: number) => !SpaceMoc.fromCells(order, [ipix]).intersection(moc).isEmpty();
      expect(sel.wanted.length).toBeGreaterThan(0);
      expect(sel.wanted.length).toBeLessThanOrEqual(all.wanted.length);
      fewer += all.wanted.length - sel.wanted.length;
      for (const t of sel.wanted) expect(touches(t.order, t.ipix), `${t.order}/${t.ipix}`).toBe(true);
      // drawn cells: those of the unfiltered selection that touch the MOC, in the same order
      const cellsInMoc = all.cells.filter((c) => touches(c.order, c.ipix));
      expect(sel.cells.map((c) => `${c.order}/${c.ipix}`)).toEqual(cellsInMoc.map((c) => `${c.order}/${c.ipix}`));
      // tiles: the data tiles and ancestors of those cells (a tile that touches the MOC only outside the viewport is not needed)
      const expected = new Set<string>();
      for (const c of cellsInMoc) for (let k = 0; k <= all.dataOrder; k++) expected.add(`${k}/${Math.floor(c.ipix / 4 ** (c.order - k))}`);
      expect(new Set(sel.wanted.map((t) => `${t.order}/${t.ipix}`))).toEqual(expected);
    }
    expect(fewer).toBeGreaterThan(10);
  });

  it('asks for nothing where the survey has no coverage', () => {
    const sel = selectTiles({ camera: makeCamera(view({ raDeg: emptyRa, decDeg: emptyDec, fovDeg: 5 })), tileWidthPx: 512, hipsOrder: 7, moc: cov });
    expect(sel.wanted).toEqual([]);
    expect(sel.cells).toEqual([]);
  });
});

describe('loadHipsMoc', () => {
  const answer = (status: number, body: Uint8Array | string = '') => async () => new Response(status === 404 ? null : typeof body === 'string' ? body : new Blob([body as Uint8Array<ArrayBuffer>]), { status });
  it('404 and 410 mean no MOC; other failures say what went wrong', async () => {
    expect(await loadHipsMoc('http://h/x', answer(404))).toEqual({ status: 'absent' });
    expect(await loadHipsMoc('http://h/x', answer(410, 'gone'))).toEqual({ status: 'absent' });
    expect(await loadHipsMoc('http://h/x/', answer(503, 'busy'))).toEqual({ status: 'failed', reason: 'http://h/x/Moc.fits answered HTTP 503' });
    const bad = await loadHipsMoc('http://h/x', answer(200, 'SIMPLE  = nonsense'));
    expect(bad.status).toBe('failed');
    expect(bad.status === 'failed' && bad.reason).toMatch(/^http:\/\/h\/x\/Moc.fits is not a readable MOC: /);
    const offline = await loadHipsMoc('http://h/x', async () => { throw new TypeError('Failed to fetch'); });
    expect(offline).toEqual({ status: 'failed', reason: 'cannot fetch http://h/x/Moc.fits: Failed to fetch' });
  });

  it.skipIf(!haveData)('reads a real Moc.fits', async () => {
    const bytes = new Uint8Array(readFileSync(SDSS_MOC));
    const r = await loadHipsMoc('/hips/sdss', answer(200, bytes));
    expect(r.status).toBe('loaded');
    expect(r.status === 'loaded' && r.moc.equals(SpaceMoc.fromFits(bytes))).toBe(true);
    // the DSS2 subset ships the full survey's MOC (12 order-0 cells), not its subset's
    const dss = await loadHipsMoc('/hips/dss', answer(200, new Uint8Array(readFileSync(DSS_MOC))));
    expect(dss.status === 'loaded' && dss.moc.skyFraction()).toBe(1);
  });
});
