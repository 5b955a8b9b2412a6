// The coordinate grid: meridians and parallels of the view's frame (or another), sampled on the CPU
// in float64 (src/render/gridLines.ts), sent as view-frame float32 points, drawn as anti-aliased
// screen-width lines. Owns its pipeline and buffers.
import { ALPHA_BLEND, cachedPipeline } from '../pipelineCache.js';
import { toViewFrame, type Camera } from '../../math/camera.js';
import type { FrameName } from '../../math/frames.js';
import type { ViewState } from '../../math/camera.js';
import { PROJECTION_ID } from '../../math/projections.js';
import { gridGeometry, type GridLabel } from '../gridLines.js';
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
  geometry?: (view: ViewState) => { lines: Float64Array[]; labels: GridLabel[] };
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
  private readonly geometry: GridOptions['geometry'];
  /** Labels of the last prepared view (device pixels), for the element to show. */
  labels: GridLabel[] = [];

  constructor(device: GPUDevice, format: GPUTextureFormat, options: GridOptions = {}) {
    this.device = device;
    this.color = options.color ?? [0.55, 0.75, 1.0, 0.55];
    this.widthPx = options.widthPx ?? 1.25;
    this.frame = options.frame;
    this.geometry = options.geometry;
    this.pipeline = cachedPipeline(device, `lines/${format}`, () => {
      const module = device.createShaderModule({ label: 'lines', code: linesWgsl });
      return device.createRenderPipeline({
        label: 'grid',
        layout: 'auto',
        vertex: { module, entryPoint: 'vs' },
        fragment: {
          module,
          entryPoint: 'fs',
          targets: [{
            format,
            blend: ALPHA_BLEND,
          }],
        },
        primitive: { topology: 'triangle-list' },
      });
    });
    this.uniforms = device.createBuffer({ label: 'grid', size: 48, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.points = new GrowableBuffer(device, 'grid points', GPUBufferUsage.STORAGE, 16 * 1024);
  }

  prepare(camera: Camera): void {
    const v = camera.view;
    const key = `${v.raDeg},${v.decDeg},${v.fovDeg},${v.rollDeg},${v.projection},${v.frame},${v.widthPx},${v.heightPx},${this.frame}`;
    if (key !== this.key) {
      this.key = key;
      const geo = this.geometry ? this.geometry(v) : gridGeometry(v, this.frame ?? v.frame ?? 'icrs');
      this.labels = geo.labels;
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

  encode(pass: GPURenderPassEncoder): void {
    if (this.segments === 0 || !this.bindGroup) return;
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.draw(this.segments * 6);
  }

  destroy(): void {
    this.uniforms.destroy();
    this.points.destroy();
  }
}
