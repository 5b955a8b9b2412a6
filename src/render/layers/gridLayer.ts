// The coordinate grid: meridians and parallels of the view's frame (or another), sampled on the CPU
// in float64 (src/render/gridLines.ts), sent as view-frame float32 points, drawn as anti-aliased
// screen-width lines, and their labels placed on the CPU (src/render/gridLabelLayout.ts) and drawn
// as GPU text (TextLabels). Owns its pipeline, buffers and text; destroy() frees them.
import { overlayPipeline } from '../pipelineCache.js';
import { toViewFrame, type Camera } from '../../math/camera.js';
import type { FrameName } from '../../math/frames.js';
import type { ViewState } from '../../math/camera.js';
import { PROJECTION_ID } from '../../math/projections.js';
import { GRID_LABEL_FORMATS, gridGeometry, type GridLabel, type GridLabelFormat } from '../gridLines.js';
import { insideProjectionImage, placeGridLabels, type GridLabelLayout, type PlacedGridLabel } from '../gridLabelLayout.js';
import { TextLabels } from './textLabels.js';
import { linesWgsl } from '../shaders/lines.wgsl.js';
import { GrowableBuffer } from '../growableBuffer.js';

export interface GridOptions {
  color?: [number, number, number, number];
  widthPx?: number;
  frame?: FrameName;
  /**
   * Where the polylines come from (default: the coordinate grid of `frame`); e.g. the HEALPix
   * cell outlines of src/render/healpixGridLines.ts.
   */
  geometry?: (view: ViewState) => { lines: Float64Array[]; labels: GridLabel[]; note?: string };
  /** Draw the labels (default true). */
  labels?: boolean;
  /** Label text colour, RGBA 0..1 (default light blue). */
  labelColor?: [number, number, number, number];
  /** Label font size in device pixels (default 11; 4..256). */
  labelFontPx?: number;
  /** 'auto' (default), 'sexagesimal' or 'decimal' (see gridLines.ts). */
  labelFormat?: GridLabelFormat;
}

export const DEFAULT_GRID_LABEL_COLOR: [number, number, number, number] = [0.67, 0.8, 1, 0.9];

/** Checks grid options; throws an Error naming the bad one. */
export function validateGridOptions(o: GridOptions): void {
  const rgba = (c: unknown, name: string) => {
    if (c === undefined) return;
    if (!Array.isArray(c) || c.length !== 4 || !c.every((x) => typeof x === 'number' && x >= 0 && x <= 1)) throw new Error(`grid ${name} must be [r, g, b, a] with values in 0..1, got ${JSON.stringify(c)}`);
  };
  rgba(o.color, 'color');
  rgba(o.labelColor, 'labelColor');
  if (o.widthPx !== undefined && !(typeof o.widthPx === 'number' && o.widthPx > 0 && o.widthPx <= 32)) throw new Error(`grid widthPx must be in (0, 32] device pixels, got ${String(o.widthPx)}`);
  if (o.labelFontPx !== undefined && !(typeof o.labelFontPx === 'number' && o.labelFontPx >= 4 && o.labelFontPx <= 256)) throw new Error(`grid labelFontPx must be in [4, 256] device pixels, got ${String(o.labelFontPx)}`);
  if (o.labelFormat !== undefined && !GRID_LABEL_FORMATS.includes(o.labelFormat)) throw new Error(`grid labelFormat must be one of ${GRID_LABEL_FORMATS.join(', ')}, got '${String(o.labelFormat)}'`);
  if (o.labels !== undefined && typeof o.labels !== 'boolean') throw new Error(`grid labels must be true or false, got ${String(o.labels)}`);
}

export class GridLayer {
  private readonly device: GPUDevice;
  private readonly pipeline: GPURenderPipeline;
  private readonly uniforms: GPUBuffer;
  private readonly points: GrowableBuffer;
  private bindGroup: GPUBindGroup | undefined;
  private generation = -1;
  private segments = 0;
  private key = '';
  color: [number, number, number, number];
  widthPx: number;
  frame: FrameName | undefined;
  showLabels: boolean;
  labelColor: [number, number, number, number];
  labelFontPx: number;
  labelFormat: GridLabelFormat;
  private readonly geometry: GridOptions['geometry'];
  private readonly text: TextLabels;
  /** Labels drawn in the last prepared view, and those left out (device pixels). */
  labelLayout: GridLabelLayout = { placed: [], dropped: [] };
  /** Why the last view's geometry is incomplete or empty (e.g. a HEALPix order too fine for the view), or undefined. */
  note: string | undefined;
  /** Why labels cannot be drawn here (no OffscreenCanvas to rasterise glyphs, e.g. Node/Dawn), or undefined. */
  labelsUnavailable: string | undefined;

  constructor(device: GPUDevice, format: GPUTextureFormat, options: GridOptions = {}) {
    validateGridOptions(options);
    this.device = device;
    this.color = options.color ?? [0.55, 0.75, 1.0, 0.55];
    this.widthPx = options.widthPx ?? 1.25;
    this.frame = options.frame;
    this.geometry = options.geometry;
    this.showLabels = options.labels ?? true;
    this.labelColor = options.labelColor ?? DEFAULT_GRID_LABEL_COLOR;
    this.labelFontPx = options.labelFontPx ?? 11;
    this.labelFormat = options.labelFormat ?? 'auto';
    this.text = new TextLabels(device, format);
    this.pipeline = overlayPipeline(device, 'lines', 'grid', linesWgsl, format);
    this.uniforms = device.createBuffer({ label: 'grid', size: 48, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.points = new GrowableBuffer(device, 'grid points', GPUBufferUsage.STORAGE, 16 * 1024);
  }

  /** Change options of a live grid (validated; geometry stays). */
  update(options: GridOptions): void {
    validateGridOptions(options);
    if (options.color) this.color = options.color;
    if (options.widthPx) this.widthPx = options.widthPx;
    this.frame = options.frame;
    if (options.labels !== undefined) this.showLabels = options.labels;
    if (options.labelColor) this.labelColor = options.labelColor;
    if (options.labelFontPx) this.labelFontPx = options.labelFontPx;
    if (options.labelFormat) this.labelFormat = options.labelFormat;
  }

  /** Labels drawn in the last prepared view (device pixels). */
  get labels(): readonly PlacedGridLabel[] {
    return this.labelLayout.placed;
  }

  prepare(camera: Camera): void {
    const v = camera.view;
    const key = `${v.raDeg},${v.decDeg},${v.fovDeg},${v.rollDeg},${v.projection},${v.frame},${v.widthPx},${v.heightPx},${this.frame},${this.showLabels},${this.labelColor},${this.labelFontPx},${this.labelFormat}`;
    if (key !== this.key) {
      this.key = key;
      const geo: { lines: Float64Array[]; labels: GridLabel[]; note?: string } = this.geometry ? this.geometry(v) : gridGeometry(v, this.frame ?? v.frame ?? 'icrs', this.labelFormat);
      this.note = geo.note;
      this.placeLabels(camera, geo.labels);
      let n = 0;
      for (const l of geo.lines) n += l.length / 3 - 1;
      const data = new Float32Array(Math.max(1, n) * 8);
      const q = [0, 0, 0];
      let o = 0;
      for (const l of geo.lines) {
        for (let i = 0; i + 1 < l.length / 3; i++) {
          for (const k of [i, i + 1]) {
            toViewFrame(camera, [l[k * 3], l[k * 3 + 1], l[k * 3 + 2]], q);
            data[o++] = q[0];
            data[o++] = q[1];
            data[o++] = q[2];
            data[o++] = 0;
          }
        }
      }
      this.segments = n;
      if (n > 0) this.points.write(new Uint8Array(data.buffer, 0, n * 32));
    }
    const u = new ArrayBuffer(48);
    const f = new Float32Array(u);
    const w = new Uint32Array(u);
    f[0] = camera.halfWidthPlane;
    f[1] = camera.halfHeightPlane;
    f[2] = v.widthPx;
    f[3] = v.heightPx;
    f.set(this.color, 4);
    w[8] = PROJECTION_ID[v.projection];
    f[9] = this.widthPx * 1;
    this.device.queue.writeBuffer(this.uniforms, 0, u);
    if (!this.bindGroup || this.generation !== this.points.generation) {
      this.generation = this.points.generation;
      this.bindGroup = this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: this.uniforms } }, { binding: 1, resource: { buffer: this.points.buffer } }],
      });
    }
  }

  private placeLabels(camera: Camera, labels: GridLabel[]): void {
    const v = camera.view;
    this.labelsUnavailable = undefined;
    if (!this.showLabels || labels.length === 0) {
      this.labelLayout = { placed: [], dropped: [] };
    } else if (typeof OffscreenCanvas === 'undefined') {
      this.labelsUnavailable = 'grid labels need OffscreenCanvas to rasterise glyphs (a browser or a worker); lines only';
      this.labelLayout = { placed: [], dropped: [] };
    } else {
      const fontPx = Math.round(this.labelFontPx);
      const atlas = this.text.atlasFor(fontPx);
      this.labelLayout = placeGridLabels(labels, { fontPx, measure: (t) => atlas.measure(t) }, v.widthPx, v.heightPx, insideProjectionImage(camera));
    }
    const items = this.labelLayout.placed.map((p) => ({ text: p.text, xPx: p.x0 + 1, yMidPx: (p.y0 + p.y1) / 2 }));
    this.text.set(items, Math.round(this.labelFontPx), this.labelColor, v.widthPx, v.heightPx);
  }

  encode(pass: GPURenderPassEncoder): void {
    if (this.segments > 0 && this.bindGroup) {
      pass.setPipeline(this.pipeline);
      pass.setBindGroup(0, this.bindGroup);
      pass.draw(this.segments * 6);
    }
    this.text.encode(pass);
  }

  destroy(): void {
    this.uniforms.destroy();
    this.points.destroy();
    this.text.destroy();
  }
}
