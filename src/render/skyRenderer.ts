// The DOM-free render core: given a GPUDevice, a view and a stack of layers, it encodes one frame
// into any texture view (a canvas's current texture, or an off-screen texture in tests and
// exports). It knows nothing about canvases, events or the page.
import { makeCamera, type Camera, type ViewState } from '../math/camera.js';
import { HipsLayer, type HipsLayerOptions } from './layers/hipsLayer.js';
import { UploadBudget } from './uploadBudget.js';
import { FADE_SKIP_FRAME_MS } from './layers/crossFade.js';
import { BoundaryLayer } from './layers/boundaryLayer.js';
import { GridLayer, validateGridOptions, type GridOptions } from './layers/gridLayer.js';
import type { RenderLayer } from './layer.js';
import { Picker, type PickResult } from './picking.js';
import { healpixGridLines } from './healpixGridLines.js';
import type { GridLabelLayout, PlacedGridLabel } from './gridLabelLayout.js';

export interface FrameStats {
  readonly frame: number;
  readonly cpuMs: number;
  readonly uploads: number;
  readonly cellsDrawn: number;
  readonly settled: boolean;
  /** Settles when this frame's GPU work is done (GPUQueue.onSubmittedWorkDone; also on device loss). */
  readonly gpuDone: Promise<void>;
}

export interface SkyRendererOptions {
  /** Time per frame that tile uploads may take, ms (at least one upload always happens). */
  readonly uploadBudgetMs?: number;
  readonly clearColor?: GPUColorDict;
  /**
   * GPU time per frame above which HiPS tiles appear without a cross-fade (crossFade.ts), ms;
   * default FADE_SKIP_FRAME_MS (60). Infinity always fades.
   */
  readonly fadeSkipFrameMs?: number;
}

export class SkyRenderer {
  readonly device: GPUDevice;
  readonly format: GPUTextureFormat;
  private view: ViewState | undefined;
  private camera: Camera | undefined;
  private readonly layers: RenderLayer[] = [];
  private readonly uploadBudgetMs: number;
  private readonly clearColor: GPUColorDict;
  private frameCount = 0;
  private viewVersion = 0;
  private renderedVersion = -1;
  private destroyed = false;
  private readonly boundary: BoundaryLayer;
  private transition: { camera: Camera; mix: number } | undefined;
  private grid: GridLayer | undefined;
  private healpixGrid: GridLayer | undefined;
  private readonly fadeSkipFrameMs: number;
  /** Moving average of the time from a frame's submit until the GPU has done it, ms. */
  private gpuMs = 0;

  constructor(device: GPUDevice, format: GPUTextureFormat, options: SkyRendererOptions = {}) {
    this.device = device;
    this.format = format;
    this.uploadBudgetMs = options.uploadBudgetMs ?? 6;
    this.clearColor = options.clearColor ?? { r: 0, g: 0, b: 0, a: 1 };
    this.fadeSkipFrameMs = options.fadeSkipFrameMs ?? FADE_SKIP_FRAME_MS;
    const c = this.clearColor;
    this.boundary = new BoundaryLayer(device, format, {
      lineColor: [0.45, 0.55, 0.75, 1],
      outsideColor: [Number(c.r), Number(c.g), Number(c.b), Number(c.a)],
      lineWidthPx: 1.5,
    });
  }

  /**
   * Set the view. `from` (the same view in another projection) with `mix` in [0, 1) draws a blend
   * from that projection toward this one, for animated projection changes; tiles stay loaded.
   */
  setView(view: ViewState, from?: { view: ViewState; mix: number }): void {
    if (!this.view || !sameView(this.view, view)) this.viewVersion++;
    this.view = view;
    this.camera = makeCamera(view);
    this.transition = from && from.mix < 1 ? { camera: makeCamera({ ...view, projection: from.view.projection, fovDeg: from.view.fovDeg }), mix: Math.max(0, from.mix) } : undefined;
  }

  /** Moving average of the GPU time per frame (submit until done), ms; 0 before the first frame is done. */
  get gpuFrameMs(): number {
    return this.gpuMs;
  }

  /** Whether the last frame rendered drew `view` (no other view or projection change set since). */
  hasDrawn(view: ViewState): boolean {
    return this.view !== undefined && this.renderedVersion === this.viewVersion && !this.transition && sameView(this.view, view);
  }

  getView(): ViewState | undefined {
    return this.view;
  }

  getCamera(): Camera | undefined {
    return this.camera;
  }

  /** Create a HiPS layer on top of the stack. Throws (with a readable message) for unusable surveys. */
  addHipsLayer(options: HipsLayerOptions): HipsLayer {
    const layer = new HipsLayer(this.device, this.format, options);
    this.layers.push(layer);
    return layer;
  }

  /** Put any layer (catalogue, footprints, ...) on top of the stack; the renderer owns it from now on. */
  addLayer<L extends RenderLayer>(layer: L): L {
    this.layers.push(layer);
    return layer;
  }

  removeLayer(layer: RenderLayer): void {
    const i = this.layers.indexOf(layer);
    if (i >= 0) this.layers.splice(i, 1);
    layer.destroy();
  }

  /** Show a reticle of `halfLengthPx` device pixels at the view centre (0 hides it). */
  setReticle(halfLengthPx: number, color?: [number, number, number, number]): void {
    this.boundary.style = { ...this.boundary.style, reticlePx: Math.max(0, halfLengthPx), reticleColor: color ?? this.boundary.style.reticleColor };
  }

  /** Show (options) or hide (undefined) the coordinate grid. */
  setGrid(options: GridOptions | undefined): void {
    if (!options) {
      this.grid?.destroy();
      this.grid = undefined;
      return;
    }
    if (!this.grid) this.grid = new GridLayer(this.device, this.format, options);
    else this.grid.update(options);
  }

  /** Show the outlines of the HEALPix cells of `order` (undefined: the order drawn), or hide them (false). */
  setHealpixGrid(show: false | { order?: number; color?: [number, number, number, number]; labels?: boolean; labelColor?: [number, number, number, number]; labelFontPx?: number }): void {
    if (show !== false && show.order !== undefined && !(Number.isInteger(show.order) && show.order >= 0 && show.order <= 29)) {
      throw new Error(`HEALPix grid order must be an integer in [0, 29], got ${String(show.order)}`);
    }
    const options: GridOptions | undefined = show === false ? undefined : {
      color: show.color ?? [1, 0.8, 0.3, 0.7],
      widthPx: 1,
      labels: show.labels,
      labelColor: show.labelColor ?? [1, 0.85, 0.45, 0.95],
      labelFontPx: show.labelFontPx,
      geometry: (view) => healpixGridLines(view, show.order),
    };
    if (options) validateGridOptions(options); // a bad option throws before the old grid goes
    this.healpixGrid?.destroy();
    this.healpixGrid = options ? new GridLayer(this.device, this.format, options) : undefined;
  }

  /** Grid labels drawn in the last frame (device pixels; coordinate grid, then HEALPix cells), empty without a grid. */
  get gridLabels(): readonly PlacedGridLabel[] {
    return [...(this.grid?.labels ?? []), ...(this.healpixGrid?.labels ?? [])];
  }

  /** Why the HEALPix grid drew nothing in the last frame (its order is too fine for the view), or undefined. */
  get healpixGridNote(): string | undefined {
    return this.healpixGrid?.note;
  }

  /** The last frame's grid label layout: labels drawn and those left out with the reason (tests, diagnostics). */
  get gridLabelLayout(): GridLabelLayout {
    const a = this.grid?.labelLayout ?? { placed: [], dropped: [] };
    const b = this.healpixGrid?.labelLayout ?? { placed: [], dropped: [] };
    return { placed: [...a.placed, ...b.placed], dropped: [...a.dropped, ...b.dropped] };
  }

  /** Move a layer to position `index` of the stack (0 = bottom). */
  moveLayer(layer: RenderLayer, index: number): void {
    const i = this.layers.indexOf(layer);
    if (i < 0) return;
    this.layers.splice(i, 1);
    this.layers.splice(Math.max(0, Math.min(this.layers.length, index)), 0, layer);
  }

  getLayers(): readonly RenderLayer[] {
    return this.layers;
  }

  /**
   * True when every layer has drawn all the tiles the current view wants (false after setView()
   * until a frame of the new view has been rendered).
   */
  get settled(): boolean {
    return this.renderedVersion === this.viewVersion && this.layers.every((l) => l.settled);
  }

  /**
   * Encode and submit one frame into `target` (its texture must have this renderer's format).
   * `budget` lets several renderers on one page share one upload budget per animation frame.
   */
  render(target: GPUTextureView, budget: UploadBudget = new UploadBudget(this.uploadBudgetMs)): FrameStats {
    if (this.destroyed) throw new Error('SkyRenderer.render called after destroy()');
    if (!this.camera) throw new Error('SkyRenderer.render called before setView()');
    const t0 = performance.now();
    for (const layer of this.layers) {
      if (layer instanceof HipsLayer) {
        layer.gpuFrameMs = this.gpuMs;
        layer.fadeSkipFrameMs = this.fadeSkipFrameMs;
      }
      layer.prepare(this.camera, budget, this.transition);
    }
    this.renderedVersion = this.viewVersion;
    this.boundary.prepare(this.camera, this.transition !== undefined);
    if (this.grid && !this.transition) this.grid.prepare(this.camera);
    if (this.healpixGrid && !this.transition) this.healpixGrid.prepare(this.camera);
    const encoder = this.device.createCommandEncoder({ label: 'sky frame' });
    const pass = encoder.beginRenderPass({
      label: 'sky',
      colorAttachments: [{ view: target, clearValue: this.clearColor, loadOp: 'clear', storeOp: 'store' }],
    });
    for (const layer of this.layers) layer.encode(pass);
    if (this.grid && !this.transition) this.grid.encode(pass);
    if (this.healpixGrid && !this.transition) this.healpixGrid.encode(pass);
    this.boundary.encode(pass);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    const submitted = performance.now();
    const gpuDone = this.device.queue.onSubmittedWorkDone().then(() => {
      const ms = performance.now() - submitted;
      this.gpuMs = this.gpuMs === 0 ? ms : 0.7 * this.gpuMs + 0.3 * ms;
    }, () => { /* device lost: the element reports it */ });
    this.frameCount++;
    return {
      frame: this.frameCount,
      cpuMs: performance.now() - t0,
      uploads: budget.uploads,
      cellsDrawn: this.layers.reduce((s, l) => s + (l instanceof HipsLayer ? l.stats.cellsDrawn : 0), 0),
      settled: this.settled,
      gpuDone,
    };
  }

  /**
   * Draw the current view off-screen and read it back: RGBA8, rows top to bottom (for exports and
   * tests). Width and height come from the view.
   */
  async readPixels(): Promise<{ width: number; height: number; rgba: Uint8Array }> {
    if (!this.view) throw new Error('SkyRenderer.readPixels called before setView()');
    const { widthPx: width, heightPx: height } = this.view;
    const texture = this.device.createTexture({
      label: 'export target',
      size: { width, height },
      format: this.format,
      usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
    });
    const bytesPerRow = Math.ceil((width * 4) / 256) * 256;
    const buffer = this.device.createBuffer({ label: 'export readback', size: bytesPerRow * height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    try {
      this.render(texture.createView());
      const enc = this.device.createCommandEncoder({ label: 'export copy' });
      enc.copyTextureToBuffer({ texture }, { buffer, bytesPerRow }, { width, height });
      this.device.queue.submit([enc.finish()]);
      await buffer.mapAsync(GPUMapMode.READ);
      const src = new Uint8Array(buffer.getMappedRange());
      const rgba = new Uint8Array(width * height * 4);
      const bgra = this.format === 'bgra8unorm' || this.format === 'bgra8unorm-srgb';
      for (let y = 0; y < height; y++) {
        const row = src.subarray(y * bytesPerRow, y * bytesPerRow + width * 4);
        const o = y * width * 4;
        if (!bgra) rgba.set(row, o);
        else {
          for (let x = 0; x < width * 4; x += 4) {
            rgba[o + x] = row[x + 2];
            rgba[o + x + 1] = row[x + 1];
            rgba[o + x + 2] = row[x];
            rgba[o + x + 3] = row[x + 3];
          }
        }
      }
      buffer.unmap();
      return { width, height, rgba };
    } finally {
      buffer.destroy();
      texture.destroy();
    }
  }

  /**
   * Draw a FITS layer's data values for the current view off-screen and read them back: float32,
   * rows top to bottom, NaN where the layer has no data (for exportFITS of FITS surveys).
   */
  async readValues(layer: HipsLayer): Promise<{ width: number; height: number; values: Float32Array }> {
    if (!this.view || !this.camera) throw new Error('SkyRenderer.readValues called before setView()');
    const { widthPx: width, heightPx: height } = this.view;
    layer.prepare(this.camera, new UploadBudget(this.uploadBudgetMs));
    const texture = this.device.createTexture({ label: 'values target', size: { width, height }, format: 'rg32float', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
    const bytesPerRow = Math.ceil((width * 8) / 256) * 256;
    const buffer = this.device.createBuffer({ label: 'values readback', size: bytesPerRow * height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    try {
      const enc = this.device.createCommandEncoder({ label: 'values' });
      const pass = enc.beginRenderPass({ colorAttachments: [{ view: texture.createView(), clearValue: { r: 0, g: 0, b: 0, a: 0 }, loadOp: 'clear', storeOp: 'store' }] });
      layer.encodeValues(pass);
      pass.end();
      enc.copyTextureToBuffer({ texture }, { buffer, bytesPerRow }, { width, height });
      this.device.queue.submit([enc.finish()]);
      await buffer.mapAsync(GPUMapMode.READ);
      const src = new Float32Array(buffer.getMappedRange());
      const values = new Float32Array(width * height);
      const stride = bytesPerRow / 4;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const o = y * stride + x * 2;
          values[y * width + x] = src[o + 1] > 0.5 ? src[o] : NaN;
        }
      }
      buffer.unmap();
      return { width, height, values };
    } finally {
      buffer.destroy();
      texture.destroy();
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const l of this.layers) l.destroy();
    this.layers.length = 0;
    this.boundary.destroy();
    this.grid?.destroy();
    this.healpixGrid?.destroy();
    this.picker?.destroy();
  }

  // ---- picking (catalogue layers and other PickableLayers; see picking.ts) ----

  private picker: Picker | undefined;

  /**
   * The pickable row (catalogue layers) nearest to device pixel (xPx, yPx) of the current view
   * (origin top-left) within radiusPx, or undefined. Draws the integer pick target only when the
   * view or a pickable layer changed since the last pick, then reads back a small window.
   */
  async pick(xPx: number, yPx: number, radiusPx = 3): Promise<PickResult | undefined> {
    if (this.destroyed || !this.camera) return undefined;
    this.picker ??= new Picker(this.device);
    return this.picker.pick(this.camera, this.transition, this.layers, xPx, yPx, radiusPx);
  }

  /** Pick passes drawn so far (diagnostics). */
  get pickPasses(): number {
    return this.picker?.passes ?? 0;
  }
}

function sameView(a: ViewState, b: ViewState): boolean {
  return a.raDeg === b.raDeg && a.decDeg === b.decDeg && a.fovDeg === b.fovDeg && a.rollDeg === b.rollDeg &&
    a.projection === b.projection && (a.frame ?? 'icrs') === (b.frame ?? 'icrs') && a.widthPx === b.widthPx && a.heightPx === b.heightPx;
}
