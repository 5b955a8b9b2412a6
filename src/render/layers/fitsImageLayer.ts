// A FITS image drawn on the sky at its WCS (sky.addFitsImage): the float image is cut into square
// chunks (texture-array layers, never one texture over the GPU limit; as many texture arrays as the
// layer limit needs, one draw each), each chunk is a cell of the
// HiPS shader's 8x8 mesh whose vertices come from the WCS in float64 (SIP included), and the
// values are coloured like FITS HiPS layers (cuts, stretch, colormap). Owns its GPU objects.
import { toViewFrame, type Camera } from '../../math/camera.js';
import { applyMat3, frameRotation, type Mat3 } from '../../math/frames.js';
import { lonLatDegToVec } from '../../math/vec3.js';
import type { Wcs } from '../../workers/fits/wcs.js';
import { colormapTable, histogramEqualisation, quantile, STRETCH_ID } from '../colormaps.js';
import type { ProjectionTransition, RenderLayer } from '../layer.js';
import { HIPS_GRID, hipsCopies, hipsVariant, type HipsShaderVariant } from '../shaders/hips.wgsl.js';
import { PROJECTION_ID } from '../../math/projections.js';
import type { UploadBudget } from '../uploadBudget.js';
import { DEFAULT_FITS_DISPLAY, hipsPipeline, writeHipsFrame, type Blending, type FitsDisplay } from './hipsLayer.js';

const VERTS = (HIPS_GRID + 1) * (HIPS_GRID + 1);

export interface FitsImageOptions {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** Physical values, rows top to bottom (FITS rows flipped), NaN = blank. */
  readonly values: Float32Array;
  readonly wcs: Wcs;
  readonly display?: FitsDisplay;
  readonly opacity?: number;
  readonly blending?: Blending;
  /** Most chunks per texture array (default and upper bound: the device's maxTextureArrayLayers). */
  readonly maxLayersPerTexture?: number;
}

/** Chunks [first, first + count) of the image: their texture array, cells, positions and frame uniforms. */
interface ChunkGroup {
  readonly first: number;
  readonly count: number;
  readonly texture: GPUTexture;
  readonly cells: GPUBuffer;
  readonly positions: GPUBuffer;
  readonly uniforms: GPUBuffer;
  bindGroup: GPUBindGroup | undefined;
}

/** Chunk side in pixels: about 5 degrees of sky per chunk so the linear mesh follows the projection. */
export function chunkSizePx(wcs: Wcs, maxTexture: number): number {
  const degPerPx = Math.sqrt(Math.abs(wcs.cd[0][0] * wcs.cd[1][1] - wcs.cd[0][1] * wcs.cd[1][0]));
  let c = 32;
  while (c * 2 <= Math.min(1024, maxTexture) && c * 2 * degPerPx <= 5) c *= 2;
  return c;
}

export class FitsImageLayer implements RenderLayer {
  readonly id: string;
  opacity: number;
  blending: Blending;
  private readonly device: GPUDevice;
  private readonly format: GPUTextureFormat;
  private readonly groups: ChunkGroup[] = [];
  private readonly lut: GPUTexture;
  /** Float64 unit vectors (ICRS) of every chunk's mesh; NaN where the WCS has no sky. */
  private readonly vectors: Float64Array;
  private readonly chunkCount: number;
  /** Chunks are uploaded in order under the frame's upload budget; the next one to upload. */
  private nextChunk = 0;
  private readonly upload: { values: Float32Array; width: number; height: number; size: number; nx: number; perTexture: number; buffer: Float32Array<ArrayBuffer> };
  private readonly samples: Float64Array;
  private display: FitsDisplay;
  private cuts: [number, number] = [0, 1];
  private bindBlend: Blending | undefined;
  /** The HiPS shader variant the last prepared frame needs (caps for MER/CAR) and the one the bind groups were made for. */
  private variant: HipsShaderVariant = 'plain';
  private bindVariant: HipsShaderVariant | undefined;
  /** Copies of the mesh drawn (hipsCopies: 1 for zenithal projections). */
  private copies: 1 | 2 = 2;
  private drawn = 0;
  private cameraKey = '';
  private destroyed = false;

  constructor(device: GPUDevice, format: GPUTextureFormat, opts: FitsImageOptions) {
    const { width, height, values, wcs } = opts;
    if (values.length !== width * height) throw new RangeError(`FITS image has ${values.length} values for ${width}x${height}`);
    if (wcs.frame === 'other') throw new Error(`the image's WCS (${wcs.ctype.join(', ')}) is not a celestial frame this viewer places`);
    this.device = device;
    this.format = format;
    this.id = opts.id;
    this.opacity = opts.opacity ?? 1;
    this.blending = opts.blending ?? 'normal';
    this.display = opts.display ?? DEFAULT_FITS_DISPLAY;
    const c = chunkSizePx(wcs, device.limits.maxTextureDimension2D);
    const nx = Math.ceil(width / c);
    const ny = Math.ceil(height / c);
    this.chunkCount = nx * ny;
    const perTexture = Math.max(1, Math.min(device.limits.maxTextureArrayLayers, opts.maxLayersPerTexture ?? Infinity));
    for (let first = 0; first < this.chunkCount; first += perTexture) {
      const count = Math.min(perTexture, this.chunkCount - first);
      const g = this.groups.length;
      this.groups.push({
        first,
        count,
        texture: device.createTexture({ label: `fits image ${opts.id} ${g}`, size: { width: c, height: c, depthOrArrayLayers: count }, format: 'r32float', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST }),
        cells: device.createBuffer({ label: `fits image cells ${g}`, size: 32 * count, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }),
        positions: device.createBuffer({ label: `fits image positions ${g}`, size: count * VERTS * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }),
        uniforms: device.createBuffer({ label: `fits image frame ${g}`, size: 64, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
        bindGroup: undefined,
      });
    }
    this.upload = { values, width, height, size: c, nx, perTexture, buffer: new Float32Array(c * c) };
    const toIcrs: Mat3 | undefined = wcs.frame === 'equatorial' ? undefined : frameRotation(wcs.frame, 'icrs');
    this.vectors = new Float64Array(this.chunkCount * VERTS * 3);
    const cellData = new ArrayBuffer(32 * this.chunkCount);
    const cf = new Float32Array(cellData);
    const cu = new Uint32Array(cellData);
    const tmp = [0, 0, 0];
    for (let cy = 0; cy < ny; cy++) {
      for (let cx = 0; cx < nx; cx++) {
        const k = cy * nx + cx;
        const group = this.groups[Math.floor(k / perTexture)]!;
        // mesh vertex (i, j): texture row i/G, column j/G of the chunk (the HiPS shader's convention)
        for (let i = 0; i <= HIPS_GRID; i++) {
          for (let j = 0; j <= HIPS_GRID; j++) {
            const col = cx * c + (j / HIPS_GRID) * c;
            const rowTop = cy * c + (i / HIPS_GRID) * c;
            const [lon, lat] = wcs.pixelToWorld(col + 0.5, height - rowTop + 0.5);
            const o = ((k * VERTS) + (j * (HIPS_GRID + 1) + i)) * 3;
            if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
              this.vectors[o] = this.vectors[o + 1] = this.vectors[o + 2] = NaN;
              continue;
            }
            const v = lonLatDegToVec(lon, lat);
            const w = toIcrs ? applyMat3(toIcrs, v, tmp) : v;
            this.vectors[o] = w[0];
            this.vectors[o + 1] = w[1];
            this.vectors[o + 2] = w[2];
          }
        }
        cf[k * 8] = 0;
        cf[k * 8 + 1] = 0;
        cf[k * 8 + 2] = 1;
        cu[k * 8 + 3] = k - group.first; // layer in its group's texture array
        cf[k * 8 + 4] = 0; // alpha: 1 once the chunk is uploaded
      }
    }
    for (const g of this.groups) device.queue.writeBuffer(g.cells, 0, cellData, 32 * g.first, 32 * g.count);
    this.lut = device.createTexture({ label: 'fits image colormap', size: { width: 256, height: 2 }, format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    // a sample of the values for automatic cuts and histogram equalisation
    const step = Math.max(1, Math.floor(values.length / 20000));
    const smp: number[] = [];
    for (let i = 0; i < values.length; i += step) if (Number.isFinite(values[i])) smp.push(values[i]);
    this.samples = Float64Array.from(smp).sort();
    this.setDisplay(this.display);
  }

  get settled(): boolean {
    return this.nextChunk >= this.chunkCount;
  }

  get hasPendingUploads(): boolean {
    return this.nextChunk < this.chunkCount;
  }

  /** Upload chunks while the frame's budget allows (at least one per frame), then show them. */
  private uploadChunks(budget: UploadBudget): void {
    const { values, width, height, size: c, nx, perTexture, buffer } = this.upload;
    const alpha = new Float32Array([1]);
    while (this.nextChunk < this.chunkCount && budget.allows()) {
      const t0 = budget.now();
      const k = this.nextChunk++;
      const cx = k % nx;
      const cy = Math.floor(k / nx);
      buffer.fill(NaN);
      for (let y = 0; y < c && cy * c + y < height; y++) {
        const row = (cy * c + y) * width + cx * c;
        buffer.set(values.subarray(row, row + Math.min(c, width - cx * c)), y * c);
      }
      const g = this.groups[Math.floor(k / perTexture)]!;
      this.device.queue.writeTexture({ texture: g.texture, origin: { x: 0, y: 0, z: k - g.first } }, buffer, { bytesPerRow: c * 4, rowsPerImage: c }, { width: c, height: c, depthOrArrayLayers: 1 });
      this.device.queue.writeBuffer(g.cells, 32 * (k - g.first) + 16, alpha);
      budget.spend(budget.now() - t0);
    }
  }

  get currentCuts(): [number, number] {
    return this.cuts;
  }

  setDisplay(display: FitsDisplay): void {
    this.display = display;
    if (display.cuts === 'auto') {
      const lo = quantile(this.samples, 0.005);
      const hi = quantile(this.samples, 0.995);
      this.cuts = Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? [lo, hi] : [0, 1];
    } else this.cuts = [display.cuts[0], display.cuts[1]];
    const table = new Uint8Array(256 * 4 * 2);
    table.set(colormapTable(display.colormap, display.reverse ?? false), 0);
    const eq = histogramEqualisation(this.samples, this.cuts[0], this.cuts[1]);
    for (let i = 0; i < 256; i++) table.set([eq[i], eq[i], eq[i], 255], 1024 + i * 4);
    this.device.queue.writeTexture({ texture: this.lut }, table, { bytesPerRow: 1024 }, { width: 256, height: 2 });
  }

  prepare(camera: Camera, budget: UploadBudget, transition?: ProjectionTransition): void {
    if (this.destroyed) return;
    this.uploadChunks(budget);
    const v = camera.view;
    const key = `${v.raDeg},${v.decDeg},${v.fovDeg},${v.rollDeg},${v.projection},${v.frame},${v.widthPx},${v.heightPx}`;
    if (key !== this.cameraKey) {
      this.cameraKey = key;
      const pos = new Float32Array(this.chunkCount * VERTS * 4);
      const f = [0, 0, 0];
      for (let k = 0; k < this.chunkCount; k++) {
        // vertices where the WCS has no sky (corners of all-sky maps) collapse onto a valid vertex
        // of their chunk; the pixels there are blank anyway
        let fallback = -1;
        for (let m = 0; m < VERTS && fallback < 0; m++) if (!Number.isNaN(this.vectors[(k * VERTS + m) * 3])) fallback = k * VERTS + m;
        for (let m = 0; m < VERTS; m++) {
          let n = k * VERTS + m;
          if (Number.isNaN(this.vectors[n * 3])) {
            if (fallback < 0) continue; // the whole chunk is off the sky: zero-size triangles
            n = fallback;
          }
          f[0] = this.vectors[n * 3];
          f[1] = this.vectors[n * 3 + 1];
          f[2] = this.vectors[n * 3 + 2];
          const q = toViewFrame(camera, f);
          const o = (k * VERTS + m) * 4;
          pos[o] = q[0];
          pos[o + 1] = q[1];
          pos[o + 2] = q[2];
        }
      }
      for (const g of this.groups) this.device.queue.writeBuffer(g.positions, 0, pos, g.first * VERTS * 4, g.count * VERTS * 4);
    }
    const a = transition && transition.mix < 1 ? transition.camera : camera;
    this.variant = hipsVariant(PROJECTION_ID[a.view.projection], PROJECTION_ID[camera.view.projection]);
    this.copies = hipsCopies(PROJECTION_ID[a.view.projection], PROJECTION_ID[camera.view.projection]);
    for (const g of this.groups) writeHipsFrame(this.device, g.uniforms, camera, transition, this.opacity, g.count, this.cuts, STRETCH_ID[this.display.stretch]);
    this.drawn = this.chunkCount;
  }

  encode(pass: GPURenderPassEncoder): void {
    if (this.destroyed || this.drawn === 0) return;
    const pipeline = hipsPipeline(this.device, 'fits', this.blending, this.format, this.variant);
    if (this.bindBlend !== this.blending || this.bindVariant !== this.variant) {
      this.bindBlend = this.blending;
      this.bindVariant = this.variant;
      for (const g of this.groups) g.bindGroup = undefined;
    }
    pass.setPipeline(pipeline);
    for (const g of this.groups) {
      g.bindGroup ??= this.device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: g.uniforms } },
          { binding: 1, resource: { buffer: g.cells } },
          { binding: 2, resource: { buffer: g.positions } },
          { binding: 3, resource: g.texture.createView({ dimension: '2d-array' }) },
          { binding: 4, resource: this.lut.createView() },
        ],
      });
      pass.setBindGroup(0, g.bindGroup);
      pass.draw(this.copies * g.count * HIPS_GRID * HIPS_GRID * 6);
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const g of this.groups) {
      g.texture.destroy();
      g.uniforms.destroy();
      g.cells.destroy();
      g.positions.destroy();
    }
    this.lut.destroy();
  }
}
