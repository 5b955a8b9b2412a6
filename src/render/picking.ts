// Picking: which catalogue row (or other pickable thing) is under a device pixel. Pickable layers
// draw into an integer target (rg32uint: layer slot, row + 1) in a pass of their own, with the same
// vertex pulling as their colour pass; pick() reads back a small window around the pixel and
// returns the hit nearest to it. The target is drawn again only when the view or a pickable layer
// changed since the last pick (a hover over a still view costs one small readback).
import type { Camera } from '../math/camera.js';
import type { ProjectionTransition, RenderLayer } from './layer.js';
import { UploadBudget } from './uploadBudget.js';

export const PICK_FORMAT: GPUTextureFormat = 'rg32uint';

export interface PickableLayer extends RenderLayer {
  readonly pickable: true;
  /** Changes whenever what the pick pass would draw changes (data, filters, style, drawing mode). */
  readonly pickVersion: number;
  /** Draw the pick pass (pipeline with target PICK_FORMAT) writing (slot, row + 1); false when nothing drawn. */
  encodePick(pass: GPURenderPassEncoder, slot: number): boolean;
  /** Optional GPU work to submit before the pick pass, after prepare() (e.g. a compute raster of the pick discs). */
  preparePick?(): void;
}

export function isPickable(layer: RenderLayer): layer is PickableLayer {
  return (layer as Partial<PickableLayer>).pickable === true;
}

export interface PickResult {
  readonly layerId: string;
  readonly layer: PickableLayer;
  readonly row: number;
  /** Distance from the asked pixel to the centre of the texel that hit, device pixels. */
  readonly distancePx: number;
}

function viewKey(camera: Camera, transition?: ProjectionTransition): string {
  const v = camera.view;
  return `${v.raDeg},${v.decDeg},${v.fovDeg},${v.rollDeg},${v.projection},${v.frame},${v.widthPx},${v.heightPx},${transition ? `${transition.camera.view.projection},${transition.mix}` : ''}`;
}

const instances = new WeakMap<PickableLayer, number>();
let nextInstance = 1;
/** A number unique to this layer object (for the pick target's cache key). */
function instanceNumber(layer: PickableLayer): number {
  let n = instances.get(layer);
  if (n === undefined) instances.set(layer, (n = nextInstance++));
  return n;
}

export class Picker {
  private readonly device: GPUDevice;
  private texture: GPUTexture | undefined;
  private key = '';
  private slots: PickableLayer[] = [];
  /** Pick passes drawn so far (for tests and diagnostics). */
  passes = 0;

  constructor(device: GPUDevice) {
    this.device = device;
  }

  /**
   * The pickable row nearest to device pixel (xPx, yPx) (origin top-left) within radiusPx, or
   * undefined. Layers above win where they overlap (later layers, later rows).
   */
  async pick(camera: Camera, transition: ProjectionTransition | undefined, layers: readonly RenderLayer[], xPx: number, yPx: number, radiusPx = 3): Promise<PickResult | undefined> {
    const pickable = layers.filter(isPickable);
    const { widthPx: w, heightPx: h } = camera.view;
    if (pickable.length === 0 || !(xPx >= 0 && yPx >= 0 && xPx < w && yPx < h)) return undefined;
    // layers by instance (a layer rebuilt under the same id, e.g. after setCatalogueEpoch, starts its pickVersion again)
    const key = `${viewKey(camera, transition)}|${pickable.map((l) => `${l.id}#${instanceNumber(l)}:${l.pickVersion}`).join(',')}`;
    if (key !== this.key || !this.texture) this.draw(camera, transition, pickable, key);
    const slots = this.slots;
    const r = Math.max(0, Math.min(15, Math.floor(radiusPx)));
    const ix = Math.floor(xPx);
    const iy = Math.floor(yPx);
    const x0 = Math.max(0, ix - r);
    const y0 = Math.max(0, iy - r);
    const x1 = Math.min(w - 1, ix + r);
    const y1 = Math.min(h - 1, iy + r);
    const ww = x1 - x0 + 1;
    const hh = y1 - y0 + 1;
    const bytesPerRow = 256; // >= 31 texels x 8 bytes
    const buffer = this.device.createBuffer({ label: 'pick readback', size: bytesPerRow * hh, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    const enc = this.device.createCommandEncoder({ label: 'pick copy' });
    enc.copyTextureToBuffer({ texture: this.texture!, origin: { x: x0, y: y0 } }, { buffer, bytesPerRow }, { width: ww, height: hh });
    this.device.queue.submit([enc.finish()]);
    try {
      await buffer.mapAsync(GPUMapMode.READ);
      const data = new Uint32Array(buffer.getMappedRange());
      let best: PickResult | undefined;
      for (let y = 0; y < hh; y++) {
        for (let x = 0; x < ww; x++) {
          const o = (y * bytesPerRow) / 4 + x * 2;
          const slot = data[o];
          const row1 = data[o + 1];
          if (slot === 0 || row1 === 0 || slot > slots.length) continue;
          const d = Math.hypot(x0 + x + 0.5 - xPx, y0 + y + 0.5 - yPx);
          if (d > radiusPx + 0.75) continue;
          if (!best || d < best.distancePx) {
            const layer = slots[slot - 1];
            best = { layerId: layer.id, layer, row: row1 - 1, distancePx: d };
          }
        }
      }
      buffer.unmap();
      return best;
    } finally {
      buffer.destroy();
    }
  }

  private draw(camera: Camera, transition: ProjectionTransition | undefined, pickable: PickableLayer[], key: string): void {
    const { widthPx: w, heightPx: h } = camera.view;
    if (!this.texture || this.texture.width !== w || this.texture.height !== h) {
      this.texture?.destroy();
      this.texture = this.device.createTexture({ label: 'pick target', size: { width: w, height: h }, format: PICK_FORMAT, usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
    }
    // the layers' per-view state (uniforms) for this camera; no uploads are asked of them
    for (const l of pickable) {
      l.prepare(camera, new UploadBudget(0), transition);
      l.preparePick?.();
    }
    const enc = this.device.createCommandEncoder({ label: 'pick frame' });
    const pass = enc.beginRenderPass({
      label: 'pick',
      colorAttachments: [{ view: this.texture.createView(), clearValue: { r: 0, g: 0, b: 0, a: 0 }, loadOp: 'clear', storeOp: 'store' }],
    });
    pickable.forEach((l, i) => l.encodePick(pass, i + 1));
    pass.end();
    this.device.queue.submit([enc.finish()]);
    this.slots = pickable;
    this.key = key;
    this.passes++;
  }

  destroy(): void {
    this.texture?.destroy();
    this.texture = undefined;
    this.key = '';
  }
}
