// Screen overlays on top of the image layers: the outer boundary of all-sky projections (outline +
// background outside it) and the reticle. Owns its pipeline and uniform buffer. The full-screen
// pass is skipped when the boundary is nowhere near the viewport (boundaryInView).
import { overlayPipeline } from '../pipelineCache.js';
import type { Camera } from '../../math/camera.js';
import { boundaryFunction, PROJECTION_ID } from '../../math/projections.js';
import { boundaryWgsl } from '../shaders/boundary.wgsl.js';

export interface BoundaryStyle {
  readonly lineColor: [number, number, number, number];
  readonly outsideColor: [number, number, number, number];
  readonly lineWidthPx: number;
  /** Half length of the reticle's arms in device pixels (0 = no reticle). */
  readonly reticlePx?: number;
  readonly reticleColor?: [number, number, number, number];
}

export const DEFAULT_BOUNDARY_STYLE: BoundaryStyle = {
  lineColor: [0.45, 0.55, 0.75, 1],
  outsideColor: [0, 0, 0, 1],
  lineWidthPx: 1.5,
};

export class BoundaryLayer {
  private readonly device: GPUDevice;
  private readonly pipeline: GPURenderPipeline;
  private readonly uniforms: GPUBuffer;
  private readonly bindGroup: GPUBindGroup;
  private visible = false;
  style: BoundaryStyle;

  constructor(device: GPUDevice, format: GPUTextureFormat, style: BoundaryStyle = DEFAULT_BOUNDARY_STYLE) {
    this.device = device;
    this.style = style;
    this.pipeline = overlayPipeline(device, 'boundary', 'projection boundary', boundaryWgsl, format);
    this.uniforms = device.createBuffer({ label: 'boundary', size: 80, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.bindGroup = device.createBindGroup({ layout: this.pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: this.uniforms } }] });
  }

  /** Boundary only for projections that have one, where it is in view, and not in the middle of a projection change. */
  prepare(camera: Camera, transitioning: boolean): void {
    const boundary = !transitioning && boundaryInView(camera);
    const reticle = (this.style.reticlePx ?? 0) > 0;
    this.visible = boundary || reticle;
    if (!this.visible) return;
    const b = new ArrayBuffer(80);
    const f = new Float32Array(b);
    const u = new Uint32Array(b);
    f[0] = camera.halfWidthPlane;
    f[1] = camera.halfHeightPlane;
    u[2] = PROJECTION_ID[camera.view.projection];
    f[3] = this.style.lineWidthPx;
    f.set(this.style.lineColor, 4);
    f.set(this.style.outsideColor, 8);
    f.set(this.style.reticleColor ?? [1, 0.35, 0.3, 0.9], 12);
    f[16] = camera.view.widthPx;
    f[17] = camera.view.heightPx;
    f[18] = this.style.reticlePx ?? 0;
    u[19] = boundary ? 1 : 0;
    this.device.queue.writeBuffer(this.uniforms, 0, b);
  }

  encode(pass: GPURenderPassEncoder): void {
    if (!this.visible) return;
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.draw(3);
  }

  destroy(): void {
    this.uniforms.destroy();
  }
}

/**
 * Whether any of the projection's boundary (its outline, up to a few pixels outside, or what lies
 * beyond) can show in the viewport. Pure. Every boundary but HPX's encloses a convex region
 * (circle, ellipse, rectangle), so when the viewport enlarged by 4 device pixels on each side has
 * its four corners inside, all of it is inside and the full-screen pass can be skipped — on a CPU
 * rasteriser that pass is about a third of a zoomed-in frame. HPX's outline is not convex: always drawn.
 */
export function boundaryInView(camera: Camera): boolean {
  const name = camera.view.projection;
  if (boundaryFunction(name, 0, 0) === undefined) return false;
  if (name === 'HPX') return true;
  const marginX = (4 * 2 * camera.halfWidthPlane) / camera.view.widthPx;
  const marginY = (4 * 2 * camera.halfHeightPlane) / camera.view.heightPx;
  const x = camera.halfWidthPlane + marginX;
  const y = camera.halfHeightPlane + marginY;
  for (const [sx, sy] of [[1, 1], [1, -1], [-1, 1], [-1, -1]] as const) {
    if (!(boundaryFunction(name, sx * x, sy * y)! < 0)) return true;
  }
  return false;
}
