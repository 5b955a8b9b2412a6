// <esasky-sky>: the web component. Attributes and properties go down into a ViewState and HiPS
// layers of the DOM-free render core; pointer, wheel and keyboard input move the view; typed
// events go up. Rendering happens only when something changed (no continuous redraw when idle).
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { clampFovDeg, panByPixels, PROJECTIONS, zoomAt, type ProjectionName, type ViewState } from '../math/camera.js';
import { applyMat3, frameRotation, type FrameName } from '../math/frames.js';
import { lonLatDegToVec, vecToLonLatDeg } from '../math/vec3.js';
import { blobSource, FitsStream } from '../workers/fits/stream.js';
import { parseWcs, type Wcs } from '../workers/fits/wcs.js';
import { FitsImageLayer } from '../render/layers/fitsImageLayer.js';
import { COLORMAPS, STRETCHES, type StretchName } from '../render/colormaps.js';
import type { Blending, FitsDisplay } from '../render/layers/hipsLayer.js';

export interface FitsImageOverlayOptions {
  readonly hdu?: number;
  readonly plane?: number;
  readonly colormap?: string;
  readonly stretch?: StretchName;
  readonly cuts?: FitsDisplay['cuts'];
  readonly reverse?: boolean;
  readonly opacity?: number;
  readonly blending?: Blending;
  /** Centre the view on the image (default true). */
  readonly goTo?: boolean;
}

export interface HipsOverlayOptions {
  readonly opacity?: number;
  readonly blending?: Blending;
  readonly colormap?: string;
  readonly stretch?: StretchName;
  readonly cuts?: FitsDisplay['cuts'];
  readonly reverse?: boolean;
}
import { SkyRenderer } from '../render/skyRenderer.js';
import { uploadBudgetMsFor } from '../render/uploadBudget.js';
import { validateGridOptions, type GridOptions } from '../render/layers/gridLayer.js';
import type { GridLabelFormat } from '../render/gridLines.js';
import { parseColor } from '../catalog/style.js';
import { CatalogLayer } from '../render/layers/catalogLayer.js';
import type { CatalogueOptions, CatalogueStyle, ShapeEventDetail } from '../catalog/api.js';
import { isMarkerImageSource, loadMarkerImage } from '../catalog/markerImage.js';
import { validateProperMotion } from '../catalog/properMotion.js';
import { validateCatalog, validateFilters, type RangeFilter } from '../catalog/columns.js';
import { catalogueFromTable } from '../catalog/fromTable.js';
import type { TableSourceFormat } from '../workers/protocol.js';
import type { CatalogLayerStats, CatalogStyle } from '../render/layers/catalogLayer.js';
import { FootprintSets, type FootprintProblem } from '../footprints/footprintSets.js';
import type { FootprintEventDetail, FootprintOptions, FootprintsInput } from '../footprints/api.js';
import type { FootprintLayerStats, FootprintStyle } from '../render/layers/footprintLayer.js';
import { MocSets, type MocInfo, type MocInput, type MocOptions } from '../moc/mocSets.js';
import type { HipsLayer } from '../render/layers/hipsLayer.js';
import { concurrencyFor, HipsLoadError, loadHipsProperties } from '../hips/hipsSource.js';
import { resolveTargetOffline } from '../names/resolve.js';
import { FovTemplates, type FovChangeDetail, type FovTemplateOptions } from '../footprints/fovTemplates.js';
import type { FovPlacement } from '../footprints/fovTemplate.js';
import type { SkyRegion } from '../footprints/stcs.js';
import { CatalogueHipsSets, type CatalogueHipsEventDetail, type CatalogueHipsOptions, type CatalogueHipsState } from '../catalog/catalogueHipsSets.js';
import { FramePacer } from '../render/framePacer.js';
import { getSharedDecodePool, getSharedDevice, sharedFrameBudget, WebGpuUnavailableError } from './sharedDevice.js';
import type { TileFetcher } from '../hips/tileManager.js';
import { exportCards } from '../export/exportCards.js';
import { rgbaToFitsPlanes, writeFitsImage } from '../export/fitsWriter.js';
import { gpuMemoryOf, type GpuMemoryStats } from '../render/gpuMemory.js';

export interface ViewChangeDetail {
  readonly raDeg: number;
  readonly decDeg: number;
  readonly fovDeg: number;
  readonly projection: ProjectionName;
}

export interface ViewSettledDetail extends ViewChangeDetail {
  readonly frames: number;
  readonly cellsDrawn: number;
}

export interface LayerErrorDetail {
  readonly layer: string;
  readonly url: string;
  readonly reason: string;
}

export interface WebGpuUnavailableDetail {
  readonly reason: string;
}

export interface EsaskySkyEventMap {
  'view-change': CustomEvent<ViewChangeDetail>;
  'view-settled': CustomEvent<ViewSettledDetail>;
  'layer-error': CustomEvent<LayerErrorDetail>;
  'webgpu-unavailable': CustomEvent<WebGpuUnavailableDetail>;
}

const DEFAULT_FOV_DEG = 180;
const PROJECTION_CHANGE_MS = 450;
/** A GPU slower than this per frame (ms; a 60 Hz display frame is 16.7) gets the next frame as soon as the last is done, not at the next animation frame. */
const SLOW_GPU_FRAME_MS = 20;
const FRAMES: readonly FrameName[] = ['icrs', 'galactic', 'ecliptic'];
const WHEEL_ZOOM_PER_PIXEL = 0.0015;

/** Grid style of the element (setGridOptions); font size in CSS pixels. */
export interface GridStyle {
  readonly color?: string | readonly number[];
  readonly labelColor?: string | readonly number[];
  readonly labelFontPx?: number;
  readonly labelFormat?: GridLabelFormat;
  readonly labels?: boolean;
}

/** The render core's grid options for an element grid style at a device-pixel ratio (throws on bad colours). */
function gridOptionsOf(style: GridStyle, dpr: number): GridOptions {
  const colour = (c: GridStyle['color'], name: string) => {
    if (c === undefined) return undefined;
    try {
      return [...parseColor(c, [1, 1, 1, 1])] as [number, number, number, number];
    } catch (err) {
      throw new Error(`grid ${name}: ${(err as Error).message}`);
    }
  };
  const fontPx = style.labelFontPx ?? 11;
  if (!(typeof fontPx === 'number' && fontPx >= 6 && fontPx <= 64)) throw new Error(`grid labelFontPx must be in [6, 64] CSS pixels, got ${String(fontPx)}`);
  return { color: colour(style.color, 'color'), labelColor: colour(style.labelColor, 'labelColor'), labelFontPx: fontPx * dpr, labelFormat: style.labelFormat, labels: style.labels };
}

export class EsaskySky extends LitElement {
  static override properties = {
    hips: { type: String, reflect: true },
    target: { type: String, reflect: true },
    fov: { type: Number, reflect: true },
    projection: { type: String, reflect: true },
    frame: { type: String, reflect: true },
    grid: { type: Boolean, reflect: true },
    reticle: { type: Boolean, reflect: true },
    healpixGrid: { type: Boolean, reflect: true, attribute: 'healpix-grid' },
    colormap: { type: String, reflect: true },
    stretch: { type: String, reflect: true },
    cuts: { type: String, reflect: true },
    reverse: { type: Boolean, reflect: true },
  };

  static override styles = css`
    :host {
      display: block;
      position: relative;
      width: 100%;
      height: 100%;
      min-height: 200px;
      overflow: hidden;
      background: #000;
      touch-action: none;
      contain: strict;
    }
    canvas {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
      display: block;
      outline: none;
      cursor: grab;
    }
    canvas.dragging {
      cursor: grabbing;
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      margin: -1px;
      padding: 0;
      border: 0;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .planes {
      position: absolute;
      left: 8px;
      top: 8px;
      display: flex;
      flex-direction: column;
      gap: 4px;
      font: 12px/1.2 system-ui, sans-serif;
      color: #fff;
    }
    .planes label {
      display: flex;
      align-items: center;
      gap: 6px;
      background: rgba(0, 0, 0, 0.6);
      padding: 3px 6px;
      border-radius: 4px;
    }
    .planes span {
      max-width: 10em;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .planes input {
      width: 8em;
    }
    .messages {
      position: absolute;
      left: 8px;
      right: 8px;
      bottom: 8px;
      margin: 0;
      padding: 0;
      list-style: none;
      font: 13px/1.4 system-ui, sans-serif;
      pointer-events: none;
    }
    .messages li {
      background: rgba(120, 20, 20, 0.85);
      color: #fff;
      padding: 6px 10px;
      border-radius: 4px;
      margin-top: 4px;
      pointer-events: auto;
    }
  `;

  /** Base URL of the HiPS survey to draw. */
  declare hips: string;
  /** Position ("83.63 22.01", "05h34m31.9s +22d00m52s") or name ("M1", "Crab Nebula"). */
  declare target: string;
  /** Horizontal field of view, degrees. */
  declare fov: number;
  declare projection: ProjectionName;
  /** Frame whose north is up: icrs, galactic or ecliptic. */
  declare frame: FrameName;
  /** Show the coordinate grid of the view's frame, with labels. */
  declare grid: boolean;
  /** Show a reticle at the view centre. */
  declare reticle: boolean;
  /** Debugging: outline the HEALPix cells being drawn, labelled order/ipix. */
  declare healpixGrid: boolean;
  /**
   * Colormap for FITS tiles (grayscale, viridis, inferno, magma, plasma, cividis, cubehelix, eosb, planck,
   * rainbow, red, green, blue). Setting it draws the survey's FITS tiles when it has them.
   */
  declare colormap: string;
  /** linear, sqrt, log, asinh, pow2 or histeq. */
  declare stretch: StretchName;
  /** "auto" (0.5–99.5 percentiles of what is in view) or "lo hi" in data units. */
  declare cuts: string;
  /** Reverse the colormap. */
  declare reverse: boolean;

  private view: ViewState = { raDeg: 0, decDeg: 0, fovDeg: DEFAULT_FOV_DEG, rollDeg: 0, projection: 'SIN', widthPx: 1, heightPx: 1 };
  private renderer: SkyRenderer | undefined;
  private context: GPUCanvasContext | undefined;
  private canvas: HTMLCanvasElement | undefined;
  private layer: HipsLayer | undefined;
  /** The previous base survey, drawn under the new one until that one has its tiles. */
  private retiring: HipsLayer | undefined;
  /** Surveys stacked above the base one, by id. */
  private readonly overlays = new Map<string, { layer: HipsLayer | undefined; url: string; options: HipsOverlayOptions }>();
  private overlaySeq = 0;
  /** FITS images shown with addFitsImage (values kept to rebuild after a device loss). */
  private readonly images = new Map<string, {
    width: number; height: number; values: Float32Array; wcs: Wcs; display: FitsDisplay; options: FitsImageOverlayOptions; layer: FitsImageLayer | undefined;
    /** The file (kept to read other planes of a cube), the HDU drawn, its plane and plane count; a plane being decoded. */
    blob: Blob; name: string; hduIndex: number; plane: number; planeCount: number; pending?: number; abort?: AbortController;
  }>();
  private hipsLoad: AbortController | undefined;
  /** When frames are drawn: on the next animation frame, and never while the last frame's GPU work is pending. */
  private readonly pacer = new FramePacer({
    requestFrame: (cb) => requestAnimationFrame(cb),
    cancelFrame: (h) => cancelAnimationFrame(h),
    draw: (t) => this.drawFrame(t),
    slowGpu: () => (this.renderer?.gpuFrameMs ?? 0) > SLOW_GPU_FRAME_MS,
  });
  private settledReported = false;
  private framesSinceChange = 0;
  private messages: string[] = [];
  private resizeObserver: ResizeObserver | undefined;
  private drag: { id: number; last: [number, number] } | undefined;
  private fetcher: TileFetcher | undefined;
  private initStarted = false;
  private settleWaiters: Array<() => void> = [];
  private totalFrames = 0;
  private projectionChange: { from: ViewState; startMs: number } | undefined;
  /** A base survey's properties are being fetched: the view is not settled. */
  private hipsLoading = false;
  /** Grid style set with setGridOptions (kept to rebuild after a device loss). */
  private gridStyle: GridStyle = {};
  /** Text of the visually hidden grid description (what the drawn grid labels say). */
  private gridDescription = '';

  private dpr(): number {
    return globalThis.devicePixelRatio || 1;
  }

  constructor() {
    super();
    this.hips = '';
    this.target = '';
    this.fov = DEFAULT_FOV_DEG;
    this.projection = 'SIN';
    this.frame = 'icrs';
    this.grid = false;
    this.reticle = false;
    this.healpixGrid = false;
    this.colormap = '';
    this.stretch = 'linear';
    this.cuts = 'auto';
    this.reverse = false;
  }

  /**
   * Add a survey above the base one; resolves to its id. Options: opacity (0..1), blending
   * ('normal' or 'additive'), and for FITS surveys colormap/stretch/cuts.
   */
  async addHips(url: string, options: HipsOverlayOptions = {}): Promise<string> {
    const id = `hips-${++this.overlaySeq}`;
    this.overlays.set(id, { layer: undefined, url, options });
    await this.createOverlay(id, url, options);
    return id;
  }

  /** Remove a survey added with addHips, or a FITS image added with addFitsImage. */
  removeHips(id: string): void {
    const img = this.images.get(id);
    if (img) {
      this.images.delete(id);
      img.abort?.abort();
      if (img.layer) this.renderer?.removeLayer(img.layer);
      if (img.planeCount > 1) this.requestUpdate();
      this.markChanged();
      return;
    }
    const o = this.overlays.get(id);
    if (!o) return;
    this.overlays.delete(id);
    if (o.layer) this.renderer?.removeLayer(o.layer);
    this.markChanged();
  }

  setHipsOpacity(id: string, opacity: number): void {
    const o = this.overlays.get(id);
    if (!o || !(opacity >= 0 && opacity <= 1)) throw new RangeError(`setHipsOpacity needs a known id and 0 <= opacity <= 1, got ${id}, ${opacity}`);
    o.options = { ...o.options, opacity };
    if (o.layer) o.layer.opacity = opacity;
    this.markChanged();
  }

  setHipsBlending(id: string, blending: Blending): void {
    const o = this.overlays.get(id);
    if (!o || (blending !== 'normal' && blending !== 'additive')) throw new RangeError(`setHipsBlending needs a known id and 'normal' or 'additive', got ${id}, ${blending}`);
    o.options = { ...o.options, blending };
    if (o.layer) o.layer.blending = blending;
    this.markChanged();
  }

  /** Move an added survey to position `index` among the added ones (0 = just above the base). */
  moveHips(id: string, index: number): void {
    const o = this.overlays.get(id);
    if (!o?.layer || !this.renderer) return;
    const base = this.layer ? this.renderer.getLayers().indexOf(this.layer) + 1 : 0;
    this.renderer.moveLayer(o.layer, base + index);
    const ids = [...this.overlays.keys()].filter((k) => k !== id);
    ids.splice(Math.max(0, Math.min(ids.length, index)), 0, id);
    const entries = ids.map((k) => [k, this.overlays.get(k)!] as const);
    this.overlays.clear();
    for (const [k, v] of entries) this.overlays.set(k, v);
    this.markChanged();
  }

  /** Ids of the added surveys, bottom to top. */
  getHipsIds(): string[] {
    return [...this.overlays.keys()];
  }

  private async createOverlay(id: string, url: string, options: HipsOverlayOptions): Promise<void> {
    const renderer = this.renderer;
    if (!renderer) return;
    try {
      const properties = await loadHipsProperties(url);
      const o = this.overlays.get(id);
      if (!o || this.renderer !== renderer) return;
      o.layer = renderer.addHipsLayer({
        id,
        baseUrl: url,
        properties,
        opacity: options.opacity ?? 1,
        blending: options.blending ?? 'normal',
        tileKind: options.colormap ? 'fits' : 'auto',
        maxConcurrent: concurrencyFor(url),
        display: options.colormap ? { colormap: options.colormap, stretch: options.stretch ?? 'linear', cuts: options.cuts ?? 'auto', reverse: options.reverse } : undefined,
        fetcher: this.fetcher!,
        onChange: () => this.requestFrame(),
        onSettleCheck: () => this.requestSettleCheck(),
        onError: (info) => this.reportError({ layer: id, url: info.url, reason: info.reason }),
      });
      this.markChanged();
    } catch (err) {
      this.overlays.delete(id);
      const reason = err instanceof Error ? err.message : String(err);
      this.reportError({ layer: id, url: err instanceof HipsLoadError ? err.url : url, reason });
      throw err;
    }
  }

  /**
   * Draw a FITS image at its WCS: a File/Blob (e.g. from drag and drop), bytes, or a URL. The
   * header is read here, the pixels are decoded in a worker. Resolves to the layer id (remove it
   * with removeHips). Options: hdu (index; default the first image with a celestial WCS), plane
   * (for cubes), colormap/stretch/cuts/reverse, opacity, blending, goTo (centre the view on it).
   */
  async addFitsImage(source: File | Blob | ArrayBuffer | string, options: FitsImageOverlayOptions = {}): Promise<string> {
    const name = typeof source === 'string' ? source : source instanceof Blob ? ((source as File).name ?? 'blob') : 'bytes';
    try {
      let blob: Blob;
      if (typeof source === 'string') {
        const r = await fetch(source);
        if (!r.ok) throw new Error(`HTTP ${r.status} for ${source}`);
        blob = await r.blob();
      } else blob = source instanceof Blob ? source : new Blob([source]);
      // a .fits.gz has no random access: inflate it in a worker, then use the inflated bytes
      const magic = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
      if (magic[0] === 0x1f && magic[1] === 0x8b) blob = new Blob([await getSharedDecodePool().gunzip(blob)]);
      // only the headers are read here; the pixels of one plane are read and decoded in a worker
      const fits = await FitsStream.open(blobSource(blob));
      let hduIndex = options.hdu ?? -1;
      let wcs: Wcs | undefined;
      if (hduIndex < 0) {
        for (const h of fits.hdus) {
          if (!h.hasImage) continue;
          try {
            wcs = parseWcs(h.header);
            hduIndex = h.index;
            break;
          } catch {
            // no celestial WCS in this HDU: try the next
          }
        }
        if (hduIndex < 0) throw new Error('no image HDU with a celestial WCS in this FITS file');
      } else {
        if (!fits.hdus[hduIndex]) throw new Error(`the FITS file has no HDU ${hduIndex}`);
        wcs = parseWcs(fits.hdus[hduIndex].header);
      }
      const planeCount = fits.hdus[hduIndex]!.planeCount;
      const plane = options.plane ?? 0;
      if (!Number.isInteger(plane) || plane < 0 || plane >= planeCount) throw new RangeError(`plane ${plane} is out of range [0, ${planeCount - 1}]`);
      const decoded = await getSharedDecodePool().decodeFitsPlane(blob, hduIndex, plane);
      const id = `fits-${++this.overlaySeq}`;
      const display = this.displayFrom(options);
      this.images.set(id, { ...decoded, wcs: wcs!, display, options, layer: undefined, blob, name, hduIndex, plane, planeCount });
      this.createImageLayer(id);
      if (planeCount > 1) this.requestUpdate();
      if (options.goTo !== false) {
        const [lon, lat] = wcs!.pixelToWorld((decoded.width + 1) / 2, (decoded.height + 1) / 2);
        const toIcrs = wcs!.frame === 'equatorial' ? undefined : frameRotation(wcs!.frame as FrameName, 'icrs');
        const [ra, dec] = toIcrs ? vecToLonLatDeg(applyMat3(toIcrs, lonLatDegToVec(lon, lat))) : [lon, lat];
        const degPerPx = Math.sqrt(Math.abs(wcs!.cd[0][0] * wcs!.cd[1][1] - wcs!.cd[0][1] * wcs!.cd[1][0]));
        this.goToRaDec(ra, dec);
        this.setFov(Math.min(180, 1.2 * degPerPx * Math.max(decoded.width, decoded.height)));
      }
      return id;
    } catch (err) {
      const reason = `cannot show the FITS image ${name}: ${(err as Error)?.message ?? err}`;
      this.reportError({ layer: 'fits-image', url: typeof source === 'string' ? source : '', reason });
      throw err instanceof Error ? err : new Error(reason);
    }
  }

  /** Planes of a cube shown with addFitsImage: the plane drawn and how many there are. */
  getFitsImagePlane(id: string): { plane: number; planeCount: number } {
    const img = this.images.get(id);
    if (!img) throw new RangeError(`no FITS image with id '${id}'`);
    return { plane: img.plane, planeCount: img.planeCount };
  }

  /**
   * Draw another plane of a cube shown with addFitsImage (0-based, flattened over NAXIS3..). Only
   * that plane is read from the file and decoded, in a worker; resolves once it is drawn.
   */
  async setFitsImagePlane(id: string, plane: number): Promise<void> {
    const img = this.images.get(id);
    if (!img) throw new RangeError(`no FITS image with id '${id}'`);
    if (!Number.isInteger(plane) || plane < 0 || plane >= img.planeCount) throw new RangeError(`plane ${plane} is out of range [0, ${img.planeCount - 1}] for ${img.name}`);
    if (plane === img.plane && img.pending === undefined) return;
    // a newer plane supersedes one still waiting or decoding (a dragged slider): that one rejects with AbortError
    img.abort?.abort();
    const abort = new AbortController();
    img.abort = abort;
    img.pending = plane;
    this.requestUpdate();
    try {
      const decoded = await getSharedDecodePool().decodeFitsPlane(img.blob, img.hduIndex, plane, abort.signal);
      if (this.images.get(id) !== img) return; // removed meanwhile
      img.pending = undefined;
      img.abort = undefined;
      Object.assign(img, decoded, { plane });
      const old = img.layer;
      const renderer = this.renderer;
      if (old && renderer) {
        const at = renderer.getLayers().indexOf(old);
        renderer.removeLayer(old);
        img.layer = undefined;
        this.createImageLayer(id);
        if (img.layer && at >= 0) renderer.moveLayer(img.layer, at);
      }
      this.requestUpdate();
      this.markChanged();
    } catch (err) {
      if (abort.signal.aborted) throw err; // superseded: not an error to show
      img.pending = undefined;
      img.abort = undefined;
      this.requestUpdate();
      const reason = `cannot show plane ${plane} of ${img.name}: ${(err as Error)?.message ?? err}`;
      this.reportError({ layer: id, url: '', reason });
      throw err instanceof Error ? err : new Error(reason);
    }
  }

  /** The plane sliders of the cubes shown (shadow DOM, one per cube). */
  private planeControls(): unknown {
    const cubes = [...this.images].filter(([, img]) => img.planeCount > 1);
    if (cubes.length === 0) return nothing;
    return html`<div class="planes" part="plane-controls">${cubes.map(([id, img]) => {
      const shown = img.pending ?? img.plane;
      return html`<label>
        <span>${img.name.split('/').pop()}</span>
        <input type="range" min="0" max=${img.planeCount - 1} step="1" .value=${String(shown)} data-image=${id}
          aria-label=${`Cube plane of ${img.name}`} aria-valuetext=${`plane ${shown + 1} of ${img.planeCount}`}
          @input=${(e: Event) => void this.setFitsImagePlane(id, Number((e.target as HTMLInputElement).value)).catch(() => undefined)}>
        <output>${shown + 1}/${img.planeCount}</output>
      </label>`;
    })}</div>`;
  }

  private displayFrom(o: { colormap?: string; stretch?: StretchName; cuts?: FitsDisplay['cuts']; reverse?: boolean }): FitsDisplay {
    return { colormap: o.colormap ?? 'grayscale', stretch: o.stretch ?? 'linear', cuts: o.cuts ?? 'auto', reverse: o.reverse };
  }

  private createImageLayer(id: string): void {
    const img = this.images.get(id);
    const renderer = this.renderer;
    if (!img || !renderer) return;
    img.layer = renderer.addLayer(new FitsImageLayer(renderer.device, renderer.format, {
      id, width: img.width, height: img.height, values: img.values, wcs: img.wcs, display: img.display,
      opacity: img.options.opacity, blending: img.options.blending,
    }));
    this.markChanged();
  }

  private onDrop(e: DragEvent): void {
    const all = [...(e.dataTransfer?.files ?? [])];
    const files = all.filter((f) => /\.(fits?|fts|fz|fits\.gz|fit\.gz)$/i.test(f.name));
    // table files become catalogues (VOTable, CSV/TSV; parsed in a worker)
    const tables = all.filter((f) => /\.(xml|vot|votable|csv|tsv|tab)(\.gz)?$/i.test(f.name));
    if (files.length === 0 && tables.length === 0) return;
    e.preventDefault();
    for (const f of files) void this.addFitsImage(f).catch(() => undefined);
    for (const f of tables) void this.loadCatalogue(f).catch(() => undefined);
  }

  /** ESASky-style: set the colormap (and optionally stretch/cuts) of a FITS survey. */
  setHipsColorPalette(colormap: string, options: { stretch?: StretchName; cuts?: string; reverse?: boolean } = {}): void {
    this.colormap = colormap;
    if (options.stretch) this.stretch = options.stretch;
    if (options.cuts) this.cuts = options.cuts;
    if (options.reverse !== undefined) this.reverse = options.reverse;
  }

  /** The FITS display the attributes describe, or an error message. */
  private fitsDisplay(): FitsDisplay | string {
    const colormap = this.colormap || 'grayscale';
    if (!COLORMAPS.includes(colormap)) return `unknown colormap '${colormap}': use one of ${COLORMAPS.join(', ')}`;
    if (!STRETCHES.includes(this.stretch)) return `unknown stretch '${this.stretch}': use one of ${STRETCHES.join(', ')}`;
    let cuts: FitsDisplay['cuts'] = 'auto';
    if (this.cuts && this.cuts.trim() !== 'auto') {
      const parts = this.cuts.trim().split(/[\s,]+/).map(Number);
      if (parts.length !== 2 || !parts.every(Number.isFinite) || parts[0] === parts[1]) return `cuts must be "auto" or two different numbers "lo hi", got '${this.cuts}'`;
      cuts = [parts[0], parts[1]];
    }
    return { colormap, stretch: this.stretch, cuts, reverse: this.reverse };
  }

  // ---- public API (mirrors ESASky's JavaScript API where it overlaps) ----

  /** Centre the view on a position in degrees (ICRS). */
  goToRaDec(raDeg: number, decDeg: number): void {
    if (!Number.isFinite(raDeg) || !Number.isFinite(decDeg) || decDeg < -90 || decDeg > 90) {
      throw new RangeError(`goToRaDec needs finite degrees with -90 <= dec <= 90, got (${raDeg}, ${decDeg})`);
    }
    this.setView({ ...this.view, raDeg: ((raDeg % 360) + 360) % 360, decDeg });
  }

  /** Centre the view on a position string or a known name; resolves to false when unknown. */
  async goToTargetName(name: string): Promise<boolean> {
    const r = resolveTargetOffline(name);
    if (!r) {
      this.reportError({ layer: 'target', url: '', reason: `unknown target '${name}': give "ra dec" in degrees or sexagesimal, or a Messier/NGC name` });
      return false;
    }
    this.goToRaDec(r.raDeg, r.decDeg);
    return true;
  }

  setFov(fovDeg: number): void {
    this.setView({ ...this.view, fovDeg: clampFovDeg(fovDeg, this.view.projection) });
  }

  getFov(): number {
    return this.view.fovDeg;
  }

  getCenter(): { raDeg: number; decDeg: number } {
    return { raDeg: this.view.raDeg, decDeg: this.view.decDeg };
  }

  /** Replace the base survey. */
  changeHips(url: string): void {
    this.hips = url;
  }

  /**
   * Bytes of the GPU buffers and textures live on this element's device (shared by every element
   * on the page; render/gpuMemory.ts), or undefined before the device exists.
   */
  gpuMemory(): GpuMemoryStats | undefined {
    return this.renderer ? gpuMemoryOf(this.renderer.device) : undefined;
  }

  /** Resolves when every tile the current view wants has been drawn. */
  whenSettled(): Promise<void> {
    if (this.settledReported) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  /** The current view as a PNG image (waits until the view is settled). */
  async exportPNG(): Promise<Blob> {
    const { width, height, rgba } = await this.readViewPixels();
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d')!;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, rgba.byteLength), width, height), 0, 0);
    return canvas.convertToBlob({ type: 'image/png' });
  }

  /**
   * The current view as a FITS image with a WCS header (projection, CRVAL, CRPIX, CDELT,
   * PC/LONPOLE) that describes exactly where each pixel lies: the data values for a FITS survey
   * (BITPIX -32, NaN = no data), or three planes (R, G, B) of what was drawn for a colour survey.
   */
  async exportFITS(): Promise<Blob> {
    if (this.layer?.kind === 'fits' && this.renderer) {
      // a FITS survey: the data values themselves (like hips2fits), NaN where there is no data
      await this.whenSettled();
      this.renderer.setView(this.view);
      const { width, height, values } = await this.renderer.readValues(this.layer);
      const flipped = new Float32Array(width * height);
      for (let y = 0; y < height; y++) flipped.set(values.subarray((height - 1 - y) * width, (height - y) * width), y * width);
      const cards = exportCards(this.view, 'data', this.hips);
      const bytes = writeFitsImage({ bitpix: -32, shape: [width, height], data: flipped, cards });
      return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/fits' });
    }
    const { width, height, rgba } = await this.readViewPixels();
    const cards = exportCards(this.view, 'rgb', this.hips);
    const bytes = writeFitsImage({ bitpix: 8, shape: [width, height, 3], data: rgbaToFitsPlanes(rgba, width, height), cards });
    return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/fits' });
  }

  private async readViewPixels(): Promise<{ width: number; height: number; rgba: Uint8Array }> {
    if (!this.renderer) throw new Error('the sky is not ready: WebGPU has not started yet');
    await this.whenSettled();
    this.renderer.setView(this.view);
    return this.renderer.readPixels();
  }

  /** Frames drawn since the element started (for diagnostics and benchmarks). */
  get framesDrawn(): number {
    return this.totalFrames;
  }

  // ---- lifecycle ----

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.renderer) this.requestFrame();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.pacer.cancel();
  }

  override render() {
    return html`<canvas part="canvas" tabindex="0" aria-label="Sky view: drag to pan, wheel or +/- to zoom, arrow keys to move"
        aria-describedby="grid-description"
        @pointerdown=${this.onPointerDown} @pointermove=${this.onPointerMove} @pointerup=${this.onPointerUp}
        @pointercancel=${this.onPointerUp} @wheel=${this.onWheel} @keydown=${this.onKeyDown}
        @dragover=${(e: DragEvent) => e.preventDefault()} @drop=${this.onDrop}></canvas>
      <p id="grid-description" class="visually-hidden" part="grid-description">${this.gridDescription}</p>
      ${this.planeControls()}
      <ul class="messages" role="status" aria-live="polite">${this.messages.map((m) => html`<li>${m}</li>`)}</ul>`;
  }

  protected override firstUpdated(): void {
    this.canvas = this.renderRoot.querySelector('canvas') ?? undefined;
    this.resizeObserver = new ResizeObserver(() => this.onResize());
    if (this.canvas) this.resizeObserver.observe(this.canvas);
    void this.init();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('projection')) {
      const projection = (PROJECTIONS as readonly string[]).includes(String(this.projection).toUpperCase())
        ? (String(this.projection).toUpperCase() as ProjectionName)
        : undefined;
      if (!projection) {
        this.reportError({ layer: 'view', url: '', reason: `unknown projection '${this.projection}': use one of ${PROJECTIONS.join(', ')}` });
      } else if (projection !== this.view.projection) {
        // animate from the old projection; tiles already loaded stay
        if (this.renderer && this.totalFrames > 0) this.projectionChange = { from: this.view, startMs: performance.now() };
        this.setView({ ...this.view, projection, fovDeg: clampFovDeg(this.view.fovDeg, projection) });
      }
    }
    if (changed.has('frame')) {
      const frame = String(this.frame).toLowerCase() as FrameName;
      if (!FRAMES.includes(frame)) {
        this.reportError({ layer: 'view', url: '', reason: `unknown frame '${this.frame}': use one of ${FRAMES.join(', ')}` });
      } else if (frame !== (this.view.frame ?? 'icrs')) {
        this.setView({ ...this.view, frame });
      }
    }
    if (changed.has('fov') && Number.isFinite(Number(this.fov)) && Number(this.fov) > 0) {
      this.setView({ ...this.view, fovDeg: clampFovDeg(Number(this.fov), this.view.projection) });
    }
    if (changed.has('target') && this.target) {
      void this.goToTargetName(this.target);
    }
    if (changed.has('hips') && this.renderer) void this.loadHips();
    if ((changed.has('grid') || changed.has('reticle') || changed.has('healpixGrid')) && this.renderer) this.applyGrid();
    if ((changed.has('colormap') || changed.has('stretch') || changed.has('cuts') || changed.has('reverse')) && this.renderer) {
      const d = this.fitsDisplay();
      if (typeof d === 'string') this.reportError({ layer: this.hips, url: '', reason: d });
      else if (changed.has('colormap') && this.layer && (this.layer.kind === 'fits') !== Boolean(this.colormap)) void this.loadHips();
      else if (this.layer) {
        this.layer.setDisplay(d);
        this.markChanged();
      }
    }
  }

  private async init(): Promise<void> {
    if (this.initStarted) return;
    this.initStarted = true;
    let device: GPUDevice;
    try {
      device = await getSharedDevice();
    } catch (err) {
      const reason = err instanceof WebGpuUnavailableError ? err.message : `WebGPU could not start: ${(err as Error)?.message ?? err}`;
      this.showMessage(reason);
      this.emit('webgpu-unavailable', { reason });
      return;
    }
    const canvas = this.canvas;
    const context = canvas?.getContext('webgpu') as GPUCanvasContext | null | undefined;
    if (!canvas || !context) {
      const reason = 'This browser has WebGPU but cannot draw it into a canvas (getContext("webgpu") failed).';
      this.showMessage(reason);
      this.emit('webgpu-unavailable', { reason });
      return;
    }
    this.context = context;
    this.fetcher = getSharedDecodePool();
    this.startRenderer(device);
    this.onResize();
    if (this.hips) await this.loadHips();
    else this.requestFrame();
  }

  /** Configure the canvas and build the render core on `device`; rebuild everything when it is lost. */
  private startRenderer(device: GPUDevice): void {
    const format = navigator.gpu.getPreferredCanvasFormat();
    this.context!.configure({ device, format, alphaMode: 'opaque' });
    this.renderer = new SkyRenderer(device, format);
    this.applyGrid();
    void device.lost.then((info) => this.onDeviceLost(device, info));
  }

  /**
   * The GPU device was lost (driver reset, device.destroy(), GPU process crash): take a new one and
   * rebuild the render core and every layer from the CPU-side state (view, survey URL).
   */
  private async onDeviceLost(device: GPUDevice, info: GPUDeviceLostInfo): Promise<void> {
    if (this.renderer?.device !== device) return; // an old device, already replaced
    this.renderer = undefined;
    this.pacer.reset();
    this.layer = undefined;
    this.retiring = undefined;
    for (const o of this.overlays.values()) o.layer = undefined;
    for (const i of this.images.values()) i.layer = undefined;
    if (!this.isConnected) return;
    let next: GPUDevice;
    try {
      next = await getSharedDevice();
    } catch (err) {
      const reason = `the GPU device was lost (${info.reason}: ${info.message}) and no new one is available: ${(err as Error)?.message ?? err}`;
      this.showMessage(reason);
      this.emit('webgpu-unavailable', { reason });
      return;
    }
    this.startRenderer(next);
    this.markChanged();
    if (this.hips) await this.loadHips();
    for (const [id, o] of this.overlays) await this.createOverlay(id, o.url, o.options);
    for (const id of this.images.keys()) this.createImageLayer(id);
  }

  private async loadHips(): Promise<void> {
    const renderer = this.renderer;
    if (!renderer) return;
    this.hipsLoad?.abort();
    const controller = new AbortController();
    this.hipsLoad = controller;
    const url = this.hips;
    // no view-settled for the old survey once a new one has been asked for
    this.hipsLoading = true;
    this.settledReported = false;
    try {
      const properties = await loadHipsProperties(url, fetch, controller.signal);
      if (controller.signal.aborted) return;
      const display = this.fitsDisplay();
      const layer = renderer.addHipsLayer({
        id: url,
        baseUrl: url,
        properties,
        tileKind: this.colormap ? 'fits' : 'auto',
        display: typeof display === 'string' ? undefined : display,
        maxConcurrent: concurrencyFor(url),
        fetcher: this.fetcher!,
        onChange: () => this.requestFrame(),
        onSettleCheck: () => this.requestSettleCheck(),
        onError: (info) => this.reportError({ layer: url, url: info.url, reason: info.reason }),
      });
      // The new base survey goes just above the old one, which stays visible until the new one
      // has drawn every tile the view wants (drawFrame retires it).
      const old = this.layer;
      renderer.moveLayer(layer, old ? renderer.getLayers().indexOf(old) + 1 : 0);
      if (this.retiring && this.retiring !== old) renderer.removeLayer(this.retiring);
      this.retiring = old;
      this.layer = layer;
      this.hipsLoading = false;
      if (!this.target && properties.hipsInitialRaDeg !== undefined && properties.hipsInitialDecDeg !== undefined) {
        this.view = { ...this.view, raDeg: properties.hipsInitialRaDeg, decDeg: properties.hipsInitialDecDeg };
      }
      this.markChanged();
    } catch (err) {
      if (controller.signal.aborted) return;
      this.hipsLoading = false;
      const reason = err instanceof HipsLoadError || err instanceof Error ? err.message : String(err);
      this.reportError({ layer: url, url: err instanceof HipsLoadError ? err.url : url, reason });
    }
  }

  // ---- view and frames ----

  private setView(view: ViewState): void {
    this.view = view;
    this.markChanged();
    this.emit('view-change', { raDeg: view.raDeg, decDeg: view.decDeg, fovDeg: view.fovDeg, projection: view.projection });
  }

  /**
   * Style of the coordinate grid (and its labels, drawn by the GPU and so also in exportPNG):
   * `color`, `labelColor` ('#rrggbb' or [r, g, b, a] in 0..1), `labelFontPx` (CSS pixels, 6..64),
   * `labelFormat` ('auto', 'sexagesimal', 'decimal'), `labels` (false: lines only). Throws an Error
   * naming a bad option; options not given keep their values.
   */
  setGridOptions(options: GridStyle): void {
    const next: GridStyle = { ...this.gridStyle, ...options };
    validateGridOptions(gridOptionsOf(next, 1)); // throws, naming the bad option
    this.gridStyle = next;
    if (this.renderer) this.applyGrid();
  }

  /**
   * The grid labels drawn in the current view (coordinate grid, then HEALPix cells): text, kind
   * ('lon', 'lat', 'cell') and box in CSS pixels from the element's top-left corner.
   */
  getGridLabels(): Array<{ text: string; kind: 'lon' | 'lat' | 'cell'; x0: number; y0: number; x1: number; y1: number }> {
    const d = this.dpr();
    return (this.renderer?.gridLabels ?? []).map((l) => ({ text: l.text, kind: l.kind, x0: l.x0 / d, y0: l.y0 / d, x1: l.x1 / d, y1: l.y1 / d }));
  }

  private applyGrid(): void {
    this.renderer?.setGrid(this.grid ? gridOptionsOf(this.gridStyle, this.dpr()) : undefined);
    this.renderer?.setReticle(this.reticle ? 12 * this.dpr() : 0);
    this.renderer?.setHealpixGrid(this.healpixGrid ? { labelFontPx: 11 * this.dpr() } : false);
    this.markChanged();
  }

  /** Keep the visually hidden grid description in step with the labels drawn (re-renders only when it changes). */
  private updateGridDescription(): void {
    const labels = this.renderer?.gridLabels ?? [];
    const of = (kind: string) => labels.filter((l) => l.kind === kind).map((l) => l.text).join(', ');
    const parts: string[] = [];
    if (this.grid && labels.some((l) => l.kind !== 'cell')) {
      parts.push(`Coordinate grid (${(this.view.frame ?? 'icrs').toUpperCase()})${of('lon') ? `, longitudes ${of('lon')}` : ''}${of('lat') ? `, latitudes ${of('lat')}` : ''}.`);
    }
    if (this.healpixGrid && of('cell')) parts.push(`HEALPix cells ${of('cell')}.`);
    const text = parts.join(' ');
    if (text !== this.gridDescription) {
      this.gridDescription = text;
      this.requestUpdate();
    }
  }

  private markChanged(): void {
    this.settledReported = false;
    this.framesSinceChange = 0;
    this.requestFrame();
  }

  private requestFrame(): void {
    if (!this.renderer || !this.isConnected) return;
    this.pacer.want();
  }

  private onResize(): void {
    const canvas = this.canvas;
    if (!canvas) return;
    const dpr = globalThis.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
    const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
    if (canvas.width !== w || canvas.height !== h || this.view.widthPx !== w || this.view.heightPx !== h) {
      canvas.width = w;
      canvas.height = h;
      this.view = { ...this.view, widthPx: w, heightPx: h };
      this.markChanged();
    }
  }

  private drawFrame(rafTimestamp: number): void {
    const renderer = this.renderer;
    const context = this.context;
    if (!renderer || !context) return;
    let from: { view: ViewState; mix: number } | undefined;
    if (this.projectionChange) {
      const t = (performance.now() - this.projectionChange.startMs) / PROJECTION_CHANGE_MS;
      if (t >= 1) this.projectionChange = undefined;
      else from = { view: this.projectionChange.from, mix: t * t * (3 - 2 * t) };
    }
    renderer.setView(this.view, from);
    const stats = renderer.render(context.getCurrentTexture().createView(), sharedFrameBudget(rafTimestamp, uploadBudgetMsFor(renderer.gpuFrameMs)));
    this.pacer.submitted(stats.gpuDone);
    if (this.projectionChange) this.requestFrame();
    this.updateGridDescription();
    this.totalFrames++;
    this.framesSinceChange++;
    const pendingUploads = renderer.getLayers().some((l) => l.hasPendingUploads);
    if (pendingUploads) this.requestFrame();
    if (this.retiring && this.layer?.settled) {
      renderer.removeLayer(this.retiring);
      this.retiring = undefined;
      this.requestFrame();
    }
    this.reportSettled(stats.settled, stats.cellsDrawn);
  }

  /**
   * A tile turned out empty or failed: nothing new to draw (its cell keeps the stand-in the last
   * frame drew), so instead of a frame — a whole frame of GPU time on a software rasteriser — check
   * whether the view is now complete, unless a frame is coming anyway.
   */
  private requestSettleCheck(): void {
    if (this.settleCheckQueued) return;
    this.settleCheckQueued = true;
    queueMicrotask(() => {
      this.settleCheckQueued = false;
      const renderer = this.renderer;
      if (this.pacer.pending || !renderer || !this.isConnected || this.projectionChange) return;
      if (!renderer.hasDrawn(this.view)) {
        this.requestFrame();
        return;
      }
      if (renderer.getLayers().some((l) => l.hasPendingUploads)) {
        this.requestFrame();
        return;
      }
      for (const l of renderer.getLayers()) (l as Partial<Pick<HipsLayer, 'idleWork'>>).idleWork?.();
      this.reportSettled(renderer.settled, this.lastCellsDrawn);
    });
  }

  private settleCheckQueued = false;
  private lastCellsDrawn = 0;

  /** view-settled once the base survey (if any is set) is in place and every layer has its tiles. */
  private reportSettled(settled: boolean, cellsDrawn: number): void {
    this.lastCellsDrawn = cellsDrawn;
    if (settled && !this.hipsLoading && (this.layer || !this.hips) && !this.settledReported && !this.projectionChange) {
      this.settledReported = true;
      const v = this.view;
      this.emit('view-settled', { raDeg: v.raDeg, decDeg: v.decDeg, fovDeg: v.fovDeg, projection: v.projection, frames: this.framesSinceChange, cellsDrawn });
      const waiters = this.settleWaiters;
      this.settleWaiters = [];
      for (const w of waiters) w();
    }
  }

  // ---- input ----

  private devicePx(e: PointerEvent | WheelEvent): [number, number] {
    const rect = this.canvas!.getBoundingClientRect();
    const dpr = globalThis.devicePixelRatio || 1;
    return [(e.clientX - rect.left) * dpr, (e.clientY - rect.top) * dpr];
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0 || this.drag) return;
    this.canvas?.setPointerCapture(e.pointerId);
    this.canvas?.classList.add('dragging');
    this.drag = { id: e.pointerId, last: this.devicePx(e) };
  }

  private onPointerMove(e: PointerEvent): void {
    if (!this.drag || e.pointerId !== this.drag.id) return;
    const p = this.devicePx(e);
    const next = panByPixels(this.view, this.drag.last, p);
    this.drag.last = p;
    if (next !== this.view) this.setView(next);
  }

  private onPointerUp(e: PointerEvent): void {
    if (!this.drag || e.pointerId !== this.drag.id) return;
    this.drag = undefined;
    this.canvas?.classList.remove('dragging');
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const pixels = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
    this.setView(zoomAt(this.view, Math.exp(pixels * WHEEL_ZOOM_PER_PIXEL), this.devicePx(e)));
  }

  private onKeyDown(e: KeyboardEvent): void {
    const w = this.view.widthPx;
    const h = this.view.heightPx;
    const c: [number, number] = [w / 2, h / 2];
    const step = Math.min(w, h) / 10;
    let next: ViewState | undefined;
    if (e.key === '+' || e.key === '=') next = zoomAt(this.view, 1 / 1.25, c);
    else if (e.key === '-' || e.key === '_') next = zoomAt(this.view, 1.25, c);
    else if (e.key === 'ArrowLeft') next = panByPixels(this.view, c, [c[0] + step, c[1]]);
    else if (e.key === 'ArrowRight') next = panByPixels(this.view, c, [c[0] - step, c[1]]);
    else if (e.key === 'ArrowUp') next = panByPixels(this.view, c, [c[0], c[1] + step]);
    else if (e.key === 'ArrowDown') next = panByPixels(this.view, c, [c[0], c[1] - step]);
    if (next) {
      e.preventDefault();
      this.setView(next);
    }
  }

  // ---- messages and events ----

  private reportError(detail: LayerErrorDetail): void {
    this.showMessage(detail.url && !detail.reason.includes(detail.url) ? `${detail.reason} (${detail.url})` : detail.reason);
    this.emit('layer-error', detail);
  }

  private showMessage(text: string): void {
    if (this.messages.includes(text)) return;
    this.messages = [...this.messages.slice(-3), text];
    this.requestUpdate();
  }

  private emit<K extends keyof EsaskySkyEventMap>(type: K, detail: EsaskySkyEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
  // ==== catalogue API (catalogue layers, picking, shape-hover / shape-select) ====
  // Kept at the end of the class: catalogues live in their own map, their layers are (re)built on
  // whichever SkyRenderer the element has (also after a device loss), and pointer input reaches
  // them through listeners on the canvas added here (a click is a pointerup without movement, so
  // drag-to-pan is unchanged).

  private catalogueMap: Map<string, CatalogueEntry> | undefined;
  private catalogueSeq = 0;
  private catalogueRenderer: SkyRenderer | undefined;
  private catalogueWaiting = false;
  private catalogueInput: { down?: { id: number; x: number; y: number; moved: boolean }; hover?: string; busy: boolean; next?: PointerEvent } | undefined;

  private get catalogues(): Map<string, CatalogueEntry> {
    return (this.catalogueMap ??= new Map());
  }

  /**
   * Draw a catalogue: columnar rows `{ raDeg, decDeg, columns }` (ICRS degrees) as markers (shape,
   * color, sizePx; size from `sizeColumn`, colour from `colorColumn` through `colormap`), filtered
   * on the GPU by up to 4 `filters`; above `densityThreshold` rows in view it is drawn as a density
   * map. Returns the catalogue's id. Rows under the pointer raise `shape-hover`, clicks `shape-select`.
   */
  overlayCatalogue(options: CatalogueOptions): string {
    validateCatalog(options);
    if (options.filters) validateFilters(options, options.filters);
    if (options.properMotion) validateProperMotion(options.properMotion);
    const id = options.id ?? `catalogue-${++this.catalogueSeq}`;
    if (this.catalogues.has(id)) throw new RangeError(`a catalogue with id '${id}' is already shown`);
    const entry: CatalogueEntry = { options, layer: undefined };
    this.catalogues.set(id, entry);
    if (options.image !== undefined && !isMarkerImageSource(options.image)) {
      // a URL, Blob or <img> still loading: the layer is built once the image is decoded
      entry.pending = true;
      loadMarkerImage(options.image).then((image) => {
        if (this.catalogues.get(id) !== entry) return;
        entry.options = { ...entry.options, image };
        entry.pending = false;
        this.syncCatalogues();
      }).catch((err: unknown) => {
        if (this.catalogues.get(id) !== entry) return;
        this.catalogues.delete(id);
        this.reportError({ layer: 'catalogue', url: typeof options.image === 'string' ? options.image : '', reason: `catalogue '${id}': ${(err as Error)?.message ?? err}` });
      });
      return id;
    }
    try {
      this.syncCatalogues();
    } catch (err) {
      this.catalogues.delete(id);
      throw err;
    }
    return id;
  }

  /**
   * Load a catalogue from a table file or URL (VOTable TABLEDATA/BINARY/BINARY2/FITS, CSV/TSV,
   * FITS BINTABLE; gzip too): parsed into columns in a decode worker (transferred, not copied),
   * RA/Dec found from UCDs (pos.eq.ra;meta.main) or names, then drawn with overlayCatalogue.
   * `signal` cancels the load. Resolves to the catalogue's id; errors also raise `layer-error`.
   */
  async loadCatalogue(source: File | Blob | ArrayBuffer | string, options: Omit<CatalogueOptions, 'raDeg' | 'decDeg' | 'columns'> & { format?: TableSourceFormat; signal?: AbortSignal } = {}): Promise<string> {
    const what = typeof source === 'string' ? source : source instanceof Blob ? ((source as File).name ?? 'blob') : 'table bytes';
    const { format, signal, ...style } = options;
    try {
      const parsed = await getSharedDecodePool().parseTable(source, { name: what, ...(format ? { format } : {}) }, signal);
      const rows = catalogueFromTable(parsed, what);
      return this.overlayCatalogue({ name: rows.name ?? what, ...style, raDeg: rows.raDeg, decDeg: rows.decDeg, columns: rows.columns });
    } catch (err) {
      const reason = `cannot load the catalogue ${what}: ${(err as Error)?.message ?? err}`;
      if (!signal?.aborted) this.reportError({ layer: 'catalogue', url: typeof source === 'string' ? source : '', reason });
      throw err instanceof Error ? err : new Error(reason);
    }
  }

  removeCatalogue(id: string): void {
    const c = this.catalogues.get(id);
    if (!c) return;
    this.catalogues.delete(id);
    if (c.layer && this.renderer?.getLayers().includes(c.layer)) this.renderer.removeLayer(c.layer);
    this.requestFrame();
  }

  /** Replace a catalogue's range filters (no row data is uploaded again for columns already in use). */
  setCatalogueFilter(id: string, filters: readonly RangeFilter[]): void {
    const c = this.catalogueEntry(id);
    validateFilters(c.options, filters);
    c.layer?.setFilters(filters);
    c.options = { ...c.options, filters };
    this.requestFrame();
  }

  /** Change how a catalogue is drawn (only the given fields). A marker image given as a URL or Blob is applied once loaded (errors: `layer-error`). */
  setCatalogueStyle(id: string, style: CatalogueStyle): void {
    const c = this.catalogueEntry(id);
    if (style.image !== undefined && !isMarkerImageSource(style.image)) {
      const src = style.image;
      loadMarkerImage(src).then((image) => {
        if (this.catalogues.get(id) === c) this.setCatalogueStyle(id, { ...style, image });
      }).catch((err: unknown) => this.reportError({ layer: 'catalogue', url: typeof src === 'string' ? src : '', reason: `catalogue '${id}': ${(err as Error)?.message ?? err}` }));
      return;
    }
    c.layer?.setStyle(style as CatalogStyle);
    c.options = { ...c.options, ...style };
    this.requestFrame();
  }

  /**
   * Draw a catalogue with proper motions (overlayCatalogue's `properMotion`) at another epoch
   * (Julian year), optionally with arrows over another span of years. The rows' positions are
   * propagated again in float64 and the layer rebuilt.
   */
  setCatalogueEpoch(id: string, epoch: number, arrowYears?: number): void {
    const c = this.catalogueEntry(id);
    const pm = c.options.properMotion;
    if (!pm) throw new RangeError(`catalogue '${id}' has no proper motions: give overlayCatalogue a properMotion { pmRaColumn, pmDecColumn, catalogueEpoch }`);
    const next = { ...pm, epoch, arrowYears: arrowYears ?? pm.arrowYears };
    validateProperMotion(next);
    c.options = { ...c.options, properMotion: next };
    if (c.layer && this.renderer?.getLayers().includes(c.layer)) this.renderer.removeLayer(c.layer);
    c.layer = undefined;
    this.syncCatalogues();
  }

  /** Outline a row of a catalogue (undefined: clear); other catalogues lose their selection. */
  selectCatalogueRow(id: string, row: number | undefined): void {
    const c = this.catalogueEntry(id);
    for (const o of this.catalogues.values()) if (o !== c) o.layer?.select(undefined);
    c.layer?.select(row);
    this.requestFrame();
  }

  getCatalogueIds(): string[] {
    return [...this.catalogues.keys()];
  }

  /** How a catalogue is being drawn (rows, markers or density, rows in view, GPU uploads); undefined until its layer exists. */
  getCatalogueStats(id: string): CatalogLayerStats | undefined {
    return this.catalogueEntry(id).layer?.stats;
  }

  /** The catalogue row drawn under a point given in CSS pixels from the element's top-left corner. */
  async pickCatalogue(xCss: number, yCss: number): Promise<ShapeEventDetail | undefined> {
    const dpr = globalThis.devicePixelRatio || 1;
    return this.pickCatalogueDevice(xCss * dpr, yCss * dpr);
  }

  private catalogueEntry(id: string): CatalogueEntry {
    const c = this.catalogues.get(id);
    if (!c) throw new RangeError(`no catalogue with id '${id}' (ids: ${[...this.catalogues.keys()].join(', ') || 'none'})`);
    return c;
  }

  /** Build missing catalogue layers on the current renderer (all of them after a device change), above the surveys. */
  private syncCatalogues(): void {
    const renderer = this.renderer;
    if (!renderer) {
      this.waitForCatalogueRenderer();
      return;
    }
    if (renderer !== this.catalogueRenderer) {
      this.catalogueRenderer = renderer;
      for (const c of this.catalogues.values()) c.layer = undefined;
      void renderer.device.lost.then(() => this.waitForCatalogueRenderer());
    }
    for (const [id, c] of this.catalogues) {
      if (c.layer || c.pending) continue;
      const o = c.options;
      c.layer = renderer.addLayer(new CatalogLayer(renderer.device, renderer.format, {
        ...(o as CatalogStyle), id, data: { raDeg: o.raDeg, decDeg: o.decDeg, columns: o.columns }, filters: o.filters, properMotion: o.properMotion, pixelRatio: globalThis.devicePixelRatio || 1,
      }));
    }
    const layers = renderer.getLayers();
    for (const c of this.catalogues.values()) if (c.layer) renderer.moveLayer(c.layer, layers.length - 1);
    this.installCataloguePointer();
    this.requestFrame();
  }

  /** No renderer yet (WebGPU starting, or a lost device being replaced): try again on the next frames. */
  private waitForCatalogueRenderer(): void {
    if (this.catalogueWaiting) return;
    this.catalogueWaiting = true;
    const t0 = performance.now();
    const tick = () => {
      if (this.catalogues.size === 0 || performance.now() - t0 > 60_000) {
        this.catalogueWaiting = false;
        return;
      }
      if (this.renderer && this.renderer !== this.catalogueRenderer) {
        this.catalogueWaiting = false;
        this.syncCatalogues();
        return;
      }
      if (this.renderer && this.renderer === this.catalogueRenderer && [...this.catalogues.values()].every((c) => c.layer || c.pending)) {
        this.catalogueWaiting = false;
        return;
      }
      setTimeout(tick, 16);
    };
    setTimeout(tick, 0);
  }

  private installCataloguePointer(): void {
    const canvas = this.canvas;
    if (this.catalogueInput || !canvas) return;
    const input: { down?: { id: number; x: number; y: number; moved: boolean }; hover?: string; busy: boolean; next?: PointerEvent } = { busy: false };
    this.catalogueInput = input;
    const CLICK_SLOP_PX = 4;
    canvas.addEventListener('pointerdown', (e) => {
      if (e.button === 0) input.down = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
    });
    canvas.addEventListener('pointermove', (e) => {
      const d = input.down;
      if (d && e.pointerId === d.id) {
        if (Math.hypot(e.clientX - d.x, e.clientY - d.y) > CLICK_SLOP_PX) d.moved = true;
        return;
      }
      if (e.buttons === 0) void this.catalogueHover(e);
    });
    canvas.addEventListener('pointerup', (e) => {
      const d = input.down;
      input.down = undefined;
      if (!d || e.pointerId !== d.id || d.moved || Math.hypot(e.clientX - d.x, e.clientY - d.y) > CLICK_SLOP_PX) return;
      void this.catalogueClick(e);
    });
    canvas.addEventListener('pointerleave', () => {
      input.hover = undefined;
      canvas.style.cursor = '';
    });
  }

  private async pickCatalogueDevice(xPx: number, yPx: number): Promise<ShapeEventDetail | FootprintEventDetail | CatalogueHipsEventDetail | undefined> {
    const renderer = this.renderer;
    if (!renderer || (this.catalogues.size === 0 && !this.footprintSets?.size && !this.catalogueHipsSets?.size)) return undefined;
    let hit: Awaited<ReturnType<SkyRenderer['pick']>>;
    try {
      hit = await renderer.pick(xPx, yPx, 3 * (globalThis.devicePixelRatio || 1));
    } catch {
      return undefined; // the device was lost under the readback: the layers are being rebuilt
    }
    const c = hit && this.catalogues.get(hit.layerId);
    if (hit && !c && this.catalogueHipsSets?.has(hit.layerId)) return this.catalogueHipsSets.detail(hit);
    if (hit && !c) return this.footprintSets?.detail(hit);
    if (!hit || !c?.layer || c.layer !== hit.layer) return undefined;
    const p = c.layer.rowPosition(hit.row);
    return { layer: hit.layerId, row: hit.row, raDeg: p.raDeg, decDeg: p.decDeg };
  }

  private async catalogueHover(e: PointerEvent): Promise<void> {
    const input = this.catalogueInput!;
    if (input.busy) {
      input.next = e;
      return;
    }
    input.busy = true;
    try {
      for (let ev: PointerEvent | undefined = e; ev; ev = input.next, input.next = undefined) {
        const hit = await this.pickCatalogueDevice(...this.devicePx(ev));
        const key = hit ? `${hit.layer}:${hit.row}` : undefined;
        if (this.canvas) this.canvas.style.cursor = hit ? 'pointer' : '';
        if (key !== input.hover) {
          input.hover = key;
          if (hit) this.dispatchEvent(new CustomEvent('shape-hover', { detail: hit, bubbles: true, composed: true }));
        }
      }
    } finally {
      input.busy = false;
    }
  }

  private async catalogueClick(e: PointerEvent): Promise<void> {
    const hit = await this.pickCatalogueDevice(...this.devicePx(e));
    for (const [id, c] of this.catalogues) c.layer?.select(hit && id === hit.layer ? hit.row : undefined);
    this.footprintSets?.selectHit(hit && 'kind' in hit && hit.kind === 'footprint' ? hit : undefined);
    this.catalogueHipsSets?.selectHit(hit && 'kind' in hit && hit.kind === 'catalogue-hips' ? hit : undefined);
    this.requestFrame();
    if (hit) this.dispatchEvent(new CustomEvent('shape-select', { detail: hit, bubbles: true, composed: true }));
  }

  // ==== footprint and MOC API (STC-S / DALI regions and space MOCs as outlines and fills; footprint
  // picking shared with catalogues). The sets live in src/footprints/footprintSets.ts and
  // src/moc/mocSets.ts; this block only connects them to the element.

  private footprintSets: FootprintSets | undefined;

  private get footprints(): FootprintSets {
    return (this.footprintSets ??= new FootprintSets({
      renderer: () => this.renderer,
      pool: () => getSharedDecodePool(),
      pixelRatio: () => globalThis.devicePixelRatio || 1,
      requestFrame: () => {
        this.installCataloguePointer();
        this.requestFrame();
      },
      reportProblem: (id: string, p: FootprintProblem) => this.emit('layer-error', { layer: id, url: '', reason: `footprint ${p.index}: ${p.message}` }),
    }));
  }

  /**
   * Draw footprints: STC-S strings, regions (parseStcs, daliPolygon…), rows with an `s_region`
   * column, or `{ rows }`; tessellated in the decode workers. Resolves to the set's id once drawn;
   * footprints that cannot be read raise `layer-error` (all of them, or any with `strict`: rejects).
   * Hover and click raise `shape-hover` / `shape-select` with `kind: 'footprint'`.
   */
  async overlayFootprints(input: FootprintsInput, options: FootprintOptions = {}): Promise<string> {
    return this.footprints.add(input, options);
  }

  removeFootprints(id: string): void {
    this.footprints.remove(id);
  }

  setFootprintStyle(id: string, style: FootprintStyle): void {
    this.footprints.setStyle(id, style);
  }

  /** Highlight a footprint of a set (undefined: clear); other sets lose their selection. */
  selectFootprint(id: string, index: number | undefined): void {
    this.footprints.select(id, index);
  }

  getFootprintIds(): string[] {
    return this.footprintSets?.ids() ?? [];
  }

  /** Footprints of a set that could not be read (error) or are only outlined (warning). */
  getFootprintProblems(id: string): readonly FootprintProblem[] {
    return this.footprints.problems(id);
  }

  getFootprintStats(id: string): FootprintLayerStats | undefined {
    return this.footprints.stats(id);
  }

  private mocSets: MocSets | undefined;

  private get mocs(): MocSets {
    return (this.mocSets ??= new MocSets({
      renderer: () => this.renderer,
      pool: () => getSharedDecodePool(),
      pixelRatio: () => globalThis.devicePixelRatio || 1,
      requestFrame: () => this.requestFrame(),
    }));
  }

  /**
   * Draw a space MOC (a SpaceMoc, a URL, MOC JSON/ASCII text, a MOC JSON object or FITS bytes) as
   * a fill, the outline of every cell and/or the perimeter of the union. Resolves to its id.
   */
  addMoc(input: MocInput, options: MocOptions = {}): Promise<string> {
    return this.mocs.add(input, options);
  }

  removeMoc(id: string): void {
    this.mocs.remove(id);
  }

  getMocIds(): string[] {
    return this.mocSets?.ids() ?? [];
  }

  /** Orders, drawn cells and area (deg²) of a shown MOC. */
  getMocInfo(id: string): MocInfo {
    return this.mocs.info(id);
  }

  // ==== progressive catalogues (HiPS catalogues loaded tile by tile as the view needs them). The
  // sets live in src/catalog/catalogueHipsSets.ts; this block only connects them to the element.

  private catalogueHipsSets: CatalogueHipsSets | undefined;

  private get catalogueHips(): CatalogueHipsSets {
    return (this.catalogueHipsSets ??= new CatalogueHipsSets({
      renderer: () => this.renderer,
      pixelRatio: () => globalThis.devicePixelRatio || 1,
      pool: () => getSharedDecodePool(),
      requestFrame: () => {
        this.installCataloguePointer();
        this.requestFrame();
      },
      reportError: (id, url, reason) => this.reportError({ layer: id, url, reason }),
    }));
  }

  /**
   * Draw a HiPS catalogue (the folder holding `properties`, `metadata.xml` and NorderK/DirD/NpixN.tsv
   * tiles, e.g. the archive server's /catalogues/<name>/hips/) progressively: only the tiles the
   * view needs, from hips_order_min down to the view's order, parents (brightest rows) first;
   * rows look as in overlayCatalogue (sizeColumn/colorColumn need sizeRange/colorRange). Resolves
   * to the id once properties and metadata.xml are read. Hover/click raise shape-hover /
   * shape-select with `kind: 'catalogue-hips'`, the row's tile and values.
   */
  addCatalogueHips(url: string, options: CatalogueHipsOptions = {}): Promise<string> {
    return this.catalogueHips.add(url, options).catch((err: unknown) => {
      if (!options.signal?.aborted) this.reportError({ layer: 'catalogue-hips', url, reason: `cannot open the HiPS catalogue ${url}: ${(err as Error)?.message ?? String(err)}` });
      throw err;
    });
  }

  removeCatalogueHips(id: string): void {
    this.catalogueHips.remove(id);
  }

  setCatalogueHipsStyle(id: string, style: CatalogStyle): void {
    this.catalogueHips.setStyle(id, style);
  }

  setCatalogueHipsFilter(id: string, filters: readonly RangeFilter[]): void {
    this.catalogueHips.setFilters(id, filters);
  }

  selectCatalogueHipsRow(id: string, row: number | undefined): void {
    this.catalogueHips.select(id, row);
  }

  getCatalogueHipsIds(): string[] {
    return this.catalogueHipsSets?.ids() ?? [];
  }

  /** The view's catalogue order, wanted / requested / drawn tiles and GPU uploads; undefined until its layer exists. */
  getCatalogueHipsState(id: string): CatalogueHipsState | undefined {
    return this.catalogueHips.state(id);
  }

  // ==== FoV templates (instrument outlines for planning: placed at a pointing and PA, dragged and
  // turned with the pointer). The sets live in src/footprints/fovTemplates.ts; this block only
  // connects them to the element.

  private fovTemplateSets: FovTemplates | undefined;

  private get fovTemplates(): FovTemplates {
    return (this.fovTemplateSets ??= new FovTemplates({
      renderer: () => this.renderer,
      view: () => this.view,
      devicePx: (e) => this.devicePx(e),
      pixelRatio: () => globalThis.devicePixelRatio || 1,
      requestFrame: () => this.requestFrame(),
      emit: (detail) => this.dispatchEvent(new CustomEvent<FovChangeDetail>('fov-change', { detail, bubbles: true, composed: true })),
    }));
  }

  /**
   * Show an instrument field of view: `shapes` (STC-S POLYGON / CIRCLE in arcmin offsets, or
   * 'jwst-nircam') at `raDeg`, `decDeg` with `paDeg` (east of north); drawn as footprints
   * (`color`, `lineWidthPx`, `fill`…). Drag it to move it, Shift+drag to turn it (`draggable`,
   * `rotatable`); each change raises `fov-change` with the new pointing and PA. Returns its id.
   */
  addFovTemplate(options: FovTemplateOptions): string {
    const id = this.fovTemplates.add(options);
    if (this.canvas) this.fovTemplates.sync(this.canvas);
    else void this.updateComplete.then(() => this.canvas && this.fovTemplates.sync(this.canvas));
    return id;
  }

  removeFovTemplate(id: string): void {
    this.fovTemplates.remove(id);
  }

  /** Move / turn a template (raises fov-change with action 'set'). */
  setFovTemplate(id: string, to: Partial<FovPlacement>): void {
    this.fovTemplates.set(id, to);
  }

  getFovTemplate(id: string): FovPlacement {
    return this.fovTemplates.get(id);
  }

  /** The template's apertures on the sky as placed now (polygons, ICRS degrees). */
  getFovTemplateRegions(id: string): SkyRegion[] {
    return this.fovTemplates.regions(id);
  }

  getFovTemplateIds(): string[] {
    return this.fovTemplateSets?.ids() ?? [];
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'esasky-sky': EsaskySky;
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds the events
  interface HTMLElementEventMap extends EsaskySkyEventMap {}
}

/** One catalogue of the element: its options (the image decoded once loaded) and its layer on the current renderer. */
interface CatalogueEntry {
  options: CatalogueOptions;
  layer: CatalogLayer | undefined;
  /** The marker image is still loading: no layer yet. */
  pending?: boolean;
}
