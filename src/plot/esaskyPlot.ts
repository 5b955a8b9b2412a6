// <esasky-plot>: a small framework-free plotting element (Lit + uPlot) for spectra and light
// curves. A FITS file (File/Blob/bytes/URL) is read into an x/y series in a decode worker
// (series.ts), then drawn with axes labelled with names and units; drag (or wheel) zooms x,
// double-click resets, and the value under the pointer is shown and raised as `plot-hover`.
import { LitElement, css, html, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import { getSharedDecodePool } from '../elements/sharedDevice.js';
import type { Series, SeriesRequest } from './series.js';

export interface PlotHoverDetail {
  /** Index of the point in the series. */
  readonly index: number;
  /** Its pixel (spectrum) or row (table) in the file. */
  readonly row: number;
  readonly x: number;
  readonly y: number;
}

export interface PlotZoomDetail {
  readonly xMin: number;
  readonly xMax: number;
}

export interface EsaskyPlotEventMap {
  'plot-hover': CustomEvent<PlotHoverDetail>;
  'plot-zoom': CustomEvent<PlotZoomDetail>;
  'plot-error': CustomEvent<{ reason: string }>;
}

const WHEEL_ZOOM_PER_PIXEL = 0.002;

/** An axis title: "NAME [unit]" (or just NAME). */
export function axisTitle(label: string, unit: string): string {
  return unit ? `${label} [${unit}]` : label;
}

/** y range with 5% margins (a flat series gets ±1). */
export function paddedRange(min: number, max: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) return [min - 1, max + 1];
  const pad = 0.05 * (max - min);
  return [min - pad, max + pad];
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return 'no data';
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(5) : String(Number(v.toPrecision(9)));
}

export class EsaskyPlot extends LitElement {
  static override properties = {
    src: { type: String, reflect: true },
    xColumn: { type: String, attribute: 'x-column' },
    yColumn: { type: String, attribute: 'y-column' },
  };

  static override styles = css`
    :host {
      display: block;
      position: relative;
      width: 100%;
      height: 100%;
      min-height: 160px;
      color: #cfd8e3;
      background: #10151c;
      font: 12px/1.3 system-ui, sans-serif;
    }
    figure {
      margin: 0;
      position: absolute;
      inset: 0;
      display: flex;
      flex-direction: column;
    }
    figcaption {
      padding: 4px 8px 0;
      font-weight: 600;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .chart {
      flex: 1;
      min-height: 0;
      position: relative;
    }
    output {
      min-height: 1.3em;
      padding: 0 8px 4px;
      font-variant-numeric: tabular-nums;
    }
    /* the layout uPlot needs (classes it creates) */
    .u-wrap {
      position: relative;
      user-select: none;
    }
    .u-over,
    .u-under,
    .u-axis,
    .u-select,
    .u-cursor-x,
    .u-cursor-y,
    .u-cursor-pt {
      position: absolute;
    }
    .u-under {
      overflow: hidden;
    }
    .uplot canvas {
      display: block;
      position: relative;
      width: 100%;
      height: 100%;
    }
    .u-select {
      background: rgba(120, 170, 255, 0.2);
      pointer-events: none;
    }
    .u-cursor-x,
    .u-cursor-y {
      left: 0;
      top: 0;
      pointer-events: none;
    }
    .u-cursor-x {
      height: 100%;
      border-right: 1px dashed #8aa;
    }
    .u-cursor-y {
      width: 100%;
      border-bottom: 1px dashed #8aa;
    }
    .u-cursor-pt {
      top: 0;
      left: 0;
      border-radius: 50%;
      pointer-events: none;
    }
    .u-off {
      display: none;
    }
  `;

  /** URL of a FITS file to plot (same as calling load(url)). */
  declare src: string;
  /** Table column for x / y (defaults: TIME, WAVE... / PDCSAP_FLUX, FLUX...). */
  declare xColumn: string;
  declare yColumn: string;

  private series: Series | undefined;
  private uplot: uPlot | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private hoverText = '';
  private loadAbort: AbortController | undefined;
  private loadSeq = 0;

  constructor() {
    super();
    this.src = '';
    this.xColumn = '';
    this.yColumn = '';
  }

  /** The series drawn (x ascending, y NaN where there is no data), or undefined. */
  get data(): Series | undefined {
    return this.series;
  }

  /** Current x axis range (the zoom). */
  get xRange(): [number, number] | undefined {
    const s = this.uplot?.scales.x;
    return s?.min != null && s.max != null ? [s.min, s.max] : undefined;
  }

  /** Current y axis range. */
  get yRange(): [number, number] | undefined {
    const s = this.uplot?.scales.y;
    return s?.min != null && s.max != null ? [s.min, s.max] : undefined;
  }

  /** Axis titles as drawn ("NAME [unit]"). */
  get axisTitles(): { x: string; y: string } | undefined {
    const s = this.series;
    return s && { x: axisTitle(s.xLabel, s.xUnit), y: axisTitle(s.yLabel, s.yUnit) };
  }

  /**
   * Read a spectrum (1-D FITS image) or a light curve / tabulated spectrum (FITS table) in a
   * decode worker and draw it. Resolves to the series; errors also raise `plot-error`.
   */
  async load(source: File | Blob | ArrayBuffer | string, request: SeriesRequest = {}, signal?: AbortSignal): Promise<Series> {
    this.loadAbort?.abort();
    const abort = new AbortController();
    this.loadAbort = abort;
    signal?.addEventListener('abort', () => abort.abort(signal.reason), { once: true });
    const seq = ++this.loadSeq;
    const req: SeriesRequest = { ...(this.xColumn ? { x: this.xColumn } : {}), ...(this.yColumn ? { y: this.yColumn } : {}), ...request };
    try {
      const series = await getSharedDecodePool().readSeries(source, req, abort.signal);
      if (seq === this.loadSeq) this.setSeries(series);
      return series;
    } catch (err) {
      const reason = (err as Error)?.message ?? String(err);
      if (!abort.signal.aborted) this.dispatchEvent(new CustomEvent('plot-error', { detail: { reason }, bubbles: true, composed: true }));
      throw err;
    }
  }

  /** Draw a series (e.g. made by seriesFromFits). */
  setSeries(series: Series): void {
    if (series.x.length !== series.y.length) throw new RangeError(`series x and y differ in length (${series.x.length} vs ${series.y.length})`);
    this.series = series;
    this.hoverText = '';
    this.rebuild();
    this.requestUpdate();
  }

  /** Zoom the x axis to [min, max] (y follows the data in view). */
  setXRange(min: number, max: number): void {
    if (!(Number.isFinite(min) && Number.isFinite(max) && min < max)) throw new RangeError(`setXRange needs finite min < max, got ${min}, ${max}`);
    this.setX(min, max);
  }

  /** Set the x scale now (uPlot's batch runs it synchronously instead of in a microtask). */
  private setX(min: number, max: number): void {
    const u = this.uplot;
    u?.batch(() => u.setScale('x', { min, max }));
  }

  /** Show the whole series again. */
  resetZoom(): void {
    const s = this.series;
    if (s && s.x.length) this.setX(s.x[0]!, s.x[s.x.length - 1]!);
  }

  /** Viewport (client) coordinates of a data point (x, y), e.g. to place an annotation. */
  clientPointOf(x: number, y: number): { clientX: number; clientY: number } | undefined {
    const u = this.uplot;
    if (!u) return undefined;
    const r = u.over.getBoundingClientRect();
    return { clientX: r.left + u.valToPos(x, 'x'), clientY: r.top + u.valToPos(y, 'y') };
  }

  override render() {
    const s = this.series;
    const label = s ? `${s.kind === 'lightcurve' ? 'Light curve' : s.kind === 'spectrum' ? 'Spectrum' : 'Plot'}${s.title ? ` of ${s.title}` : ''}: ${axisTitle(s.yLabel, s.yUnit)} against ${axisTitle(s.xLabel, s.xUnit)}, ${s.x.length} points` : 'Empty plot';
    return html`<figure>
      <figcaption part="title">${s?.title ?? ''}</figcaption>
      <div class="chart" part="chart" role="img" aria-label=${label}></div>
      <output part="hover" aria-live="polite">${this.hoverText}</output>
    </figure>`;
  }

  protected override firstUpdated(): void {
    const chart = this.renderRoot.querySelector<HTMLElement>('.chart')!;
    this.resizeObserver = new ResizeObserver(() => {
      const r = chart.getBoundingClientRect();
      if (this.uplot && r.width > 0 && r.height > 0) this.uplot.setSize({ width: Math.floor(r.width), height: Math.floor(r.height) });
      else if (!this.uplot) this.rebuild();
    });
    this.resizeObserver.observe(chart);
    this.rebuild();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('src') || changed.has('xColumn') || changed.has('yColumn')) && this.src) void this.load(this.src).catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.loadAbort?.abort();
    this.resizeObserver?.disconnect();
    this.resizeObserver = undefined;
    this.uplot?.destroy();
    this.uplot = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) {
      const chart = this.renderRoot.querySelector<HTMLElement>('.chart');
      if (chart && !this.resizeObserver) {
        this.resizeObserver = new ResizeObserver(() => this.rebuild());
        this.resizeObserver.observe(chart);
      }
    }
  }

  /** (Re)create the uPlot chart for the current series and size. */
  private rebuild(): void {
    const chart = this.renderRoot.querySelector<HTMLElement>('.chart');
    const s = this.series;
    if (!chart || !s) return;
    const r = chart.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return;
    this.uplot?.destroy();
    const fg = getComputedStyle(this).color || '#cfd8e3';
    const y: Array<number | null> = Array.from(s.y, (v) => (Number.isFinite(v) ? v : null));
    const axis = (title: string): uPlot.Axis => ({ label: title, stroke: fg, grid: { stroke: 'rgba(160,180,200,0.15)', width: 1 }, ticks: { stroke: 'rgba(160,180,200,0.4)', width: 1 } });
    const opts: uPlot.Options = {
      width: Math.floor(r.width),
      height: Math.floor(r.height),
      legend: { show: false },
      scales: {
        x: { time: false, range: (_u, min, max) => [min, max] },
        y: { range: (_u, min, max) => paddedRange(min, max) },
      },
      axes: [axis(axisTitle(s.xLabel, s.xUnit)), axis(axisTitle(s.yLabel, s.yUnit))],
      series: [{ label: s.xLabel }, { label: s.yLabel, stroke: '#4fc3f7', width: 1, points: { show: false }, spanGaps: false }],
      cursor: { drag: { x: true, y: false, setScale: true }, points: { size: 6, fill: '#ffd54f' } },
      hooks: {
        setCursor: [(u) => this.onCursor(u)],
        setScale: [
          (u, key) => {
            if (key !== 'x') return;
            const { min, max } = u.scales.x;
            if (min != null && max != null) this.dispatchEvent(new CustomEvent('plot-zoom', { detail: { xMin: min, xMax: max }, bubbles: true, composed: true }));
          },
        ],
      },
    };
    const u = new uPlot(opts, [s.x, y], chart);
    this.uplot = u;
    u.over.addEventListener('wheel', (e) => this.onWheel(e, u), { passive: false });
  }

  private onWheel(e: WheelEvent, u: uPlot): void {
    const s = this.series;
    const { min, max } = u.scales.x;
    if (!s || min == null || max == null) return;
    e.preventDefault();
    const at = u.posToVal(e.clientX - u.over.getBoundingClientRect().left, 'x');
    const f = Math.exp(e.deltaY * WHEEL_ZOOM_PER_PIXEL);
    const lo = Math.max(s.x[0]!, at - (at - min) * f);
    const hi = Math.min(s.x[s.x.length - 1]!, at + (max - at) * f);
    if (hi > lo) this.setX(lo, hi);
  }

  private onCursor(u: uPlot): void {
    const s = this.series;
    const idx = u.cursor.idx;
    if (!s || idx == null || idx < 0 || idx >= s.x.length) {
      if (this.hoverText) {
        this.hoverText = '';
        this.requestUpdate();
      }
      return;
    }
    const x = s.x[idx]!;
    const y = s.y[idx]!;
    this.hoverText = `${s.xLabel} = ${formatValue(x)}${s.xUnit ? ` ${s.xUnit}` : ''}, ${s.yLabel} = ${formatValue(y)}${s.yUnit && Number.isFinite(y) ? ` ${s.yUnit}` : ''}`;
    this.requestUpdate();
    this.dispatchEvent(new CustomEvent('plot-hover', { detail: { index: idx, row: s.rows[idx]!, x, y }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'esasky-plot': EsaskyPlot;
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds the events
  interface HTMLElementEventMap extends EsaskyPlotEventMap {}
}
