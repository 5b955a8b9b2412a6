// <esasky-plot> on the real files of ../shared/data: a UVES spectrum (1-D image, linear WCS) and
// a TESS light curve (BINTABLE), read in a decode worker; the drawn data, axis ranges and unit
// titles, drag/wheel zoom, and the hover value under a real pointer event are checked against
// astropy (test/fixtures/plot/make_plot_reference.py -> plot_reference.json).
import { expect } from '@esm-bundle/chai';
import '../../src/plot/define.js';
import type { EsaskyPlot, PlotHoverDetail } from '../../src/plot/esaskyPlot.js';
import { sleep } from './renderTarget.js';

interface Ref { count: number; xMin: number; xMax: number; yMin: number; yMax: number; xLabel: string; xUnit: string; yUnit: string; yLabel?: string; title: string; samples: Array<[number, number, number | 'NaN']> }
const SPECTRUM = 'spectra/UVES/r.UVES.2011-08-11T232352.266-A01_0000.fits';
const LIGHTCURVE = 'lightcurves/tess_00025155310-s01_lc.fits';

async function refs(): Promise<{ spectra: Record<string, Ref>; lightcurves: Record<string, Ref> }> {
  return (await fetch('/test/fixtures/plot/plot_reference.json')).json();
}

function mount(): EsaskyPlot {
  const plot = document.createElement('esasky-plot');
  plot.style.cssText = 'display:block;width:600px;height:300px';
  document.body.appendChild(plot);
  return plot;
}

/** Move a real mouse event over the plot at data x (and y) and wait for the hover event. */
async function hoverAt(plot: EsaskyPlot, x: number, y: number): Promise<PlotHoverDetail> {
  const over = plot.shadowRoot!.querySelector<HTMLElement>('.u-over')!;
  const p = plot.clientPointOf(x, y)!;
  const got = new Promise<PlotHoverDetail>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no plot-hover')), 5000);
    plot.addEventListener('plot-hover', (e) => {
      clearTimeout(t);
      resolve(e.detail);
    }, { once: true });
  });
  over.dispatchEvent(new MouseEvent('mouseenter', { clientX: p.clientX, clientY: p.clientY, bubbles: false }));
  over.dispatchEvent(new MouseEvent('mousemove', { clientX: p.clientX, clientY: p.clientY, bubbles: true }));
  return got;
}

describe('<esasky-plot>', () => {
  it('draws a UVES spectrum: data, x range, units, zoom and hover as astropy', async () => {
    const want = (await refs()).spectra[SPECTRUM]!;
    const plot = mount();
    try {
      const file = new File([await (await fetch(`/shared/data/${SPECTRUM}`)).blob()], 'uves.fits');
      const s = await plot.load(file);
      expect(s.kind).to.equal('spectrum');
      expect(plot.data!.x.length).to.equal(want.count);
      for (const [i, x, y] of want.samples) {
        expect(plot.data!.x[i]).to.be.closeTo(x, 1e-9);
        expect(plot.data!.y[i]).to.equal(y);
      }
      await plot.updateComplete;
      expect(plot.axisTitles).to.deep.equal({ x: 'WAVELENGTH [Ang]', y: 'flux [ADU]' });
      expect(plot.shadowRoot!.querySelector('figcaption')!.textContent).to.equal(want.title);
      expect(plot.shadowRoot!.querySelector('.chart')!.getAttribute('aria-label')).to.contain('Spectrum of RED_SCI_POINT_BLUE: flux [ADU] against WAVELENGTH [Ang], 42751 points');
      const [x0, x1] = plot.xRange!;
      expect(x0).to.be.closeTo(want.xMin, 1e-9);
      expect(x1).to.be.closeTo(want.xMax, 1e-9);
      const [y0, y1] = plot.yRange!;
      expect(y0).to.be.at.most(want.yMin);
      expect(y1).to.be.at.least(want.yMax);
      expect(y1 - y0).to.be.at.most(1.2 * (want.yMax - want.yMin));
      // the canvas has drawn pixels (the line colour)
      const canvas = plot.shadowRoot!.querySelector('canvas')!;
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let line = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i + 2]! > 200 && px[i]! < 120) line++;
      expect(line, 'line pixels').to.be.greaterThan(200);

      // zoom to 11 points, then hover the middle one: its astropy value is shown
      const zoomed: Array<{ xMin: number; xMax: number }> = [];
      plot.addEventListener('plot-zoom', (e) => zoomed.push(e.detail));
      const pts = want.samples.filter(([i]) => i >= 1000 && i <= 1010);
      plot.setXRange(pts[0]![1], pts[pts.length - 1]![1]);
      expect(zoomed.at(-1)!.xMin).to.be.closeTo(pts[0]![1], 1e-9);
      const mid = pts[5]!;
      const hover = await hoverAt(plot, mid[1], Number(mid[2]));
      expect(hover.index).to.equal(mid[0]);
      expect(hover.row).to.equal(mid[0]);
      expect(hover.x).to.be.closeTo(mid[1], 1e-9);
      expect(hover.y).to.equal(mid[2]);
      await plot.updateComplete;
      expect(plot.shadowRoot!.querySelector('output')!.textContent).to.equal(`WAVELENGTH = ${Number(mid[1].toPrecision(9))} Ang, flux = ${Number((mid[2] as number).toPrecision(9))} ADU`);

      // the wheel zooms out around the pointer, within the data
      const over = plot.shadowRoot!.querySelector<HTMLElement>('.u-over')!;
      const p = plot.clientPointOf(mid[1], 0)!;
      over.dispatchEvent(new WheelEvent('wheel', { deltaY: 500, clientX: p.clientX, clientY: p.clientY, cancelable: true }));
      const [w0, w1] = plot.xRange!;
      expect(w1 - w0).to.be.greaterThan(pts[10]![1] - pts[0]![1]);
      expect(w0).to.be.at.least(want.xMin);
      plot.resetZoom();
      expect(plot.xRange![0]).to.be.closeTo(want.xMin, 1e-9);
    } finally {
      plot.remove();
    }
  });

  it('draws a TESS light curve from its BINTABLE with TUNIT units, and reports bad files', async () => {
    const want = (await refs()).lightcurves[LIGHTCURVE]!;
    const plot = mount();
    try {
      plot.src = `/shared/data/${LIGHTCURVE}`;
      for (let i = 0; i < 400 && !plot.data; i++) await sleep(25);
      const s = plot.data!;
      expect(s.kind).to.equal('lightcurve');
      expect(s.x.length).to.equal(want.count);
      expect(plot.axisTitles).to.deep.equal({ x: 'TIME [BJD - 2457000, days]', y: 'PDCSAP_FLUX [e-/s]' });
      expect(plot.xRange![0]).to.be.closeTo(want.xMin, 1e-9);
      expect(plot.xRange![1]).to.be.closeTo(want.xMax, 1e-9);
      expect(plot.yRange![0]).to.be.at.most(want.yMin);
      expect(plot.yRange![1]).to.be.at.least(want.yMax);
      for (const [i, x, y] of want.samples) {
        expect(s.x[i]).to.be.closeTo(x, 1e-9);
        if (y === 'NaN') expect(Number.isNaN(s.y[i])).to.equal(true);
        else expect(s.y[i]).to.equal(y);
      }
      const pts = want.samples.filter(([i, , y]) => i >= 1000 && i <= 1010 && y !== 'NaN');
      plot.setXRange(pts[0]![1], pts[pts.length - 1]![1]);
      const mid = pts[Math.floor(pts.length / 2)]!;
      const hover = await hoverAt(plot, mid[1], Number(mid[2]));
      expect([hover.index, hover.x, hover.y]).to.deep.equal([mid[0], mid[1], mid[2]]);

      const errors: string[] = [];
      plot.addEventListener('plot-error', (e) => errors.push(e.detail.reason));
      let message = '';
      try {
        await plot.load(new File([new Uint8Array(100)], 'zeros.fits'));
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).to.match(/zeros\.fits: not a FITS file/);
      expect(errors).to.have.length(1);
      expect(plot.data).to.equal(s); // the light curve stays
    } finally {
      plot.remove();
    }
  });
});
