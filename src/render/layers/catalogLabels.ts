// Labels of a catalogue layer: per view (and filter / style change) the rows chosen by a
// LabelSelector (the N brightest in view, placed greedily without overlaps, inside the view) get
// their text drawn by the GPU (TextLabels) beside their markers. Owned by a CatalogLayer;
// destroy() frees the GPU text.
import type { Camera } from '../../math/camera.js';
import type { CatalogData } from '../../catalog/columns.js';
import { resolveLabelOptions, type CatalogLabelOptions, type PlacedLabel, type ResolvedLabelOptions } from '../../catalog/labelLayout.js';
import { LabelSelector, type LabelSource } from '../../catalog/labelSelect.js';
import { TextLabels } from './textLabels.js';

export type { CatalogLabelOptions };

export class CatalogLabels {
  private readonly text: TextLabels;
  private key = '';
  private version = 0;
  private placed: PlacedLabel[] = [];
  private readonly selector = new LabelSelector();

  constructor(device: GPUDevice, format: GPUTextureFormat) {
    this.text = new TextLabels(device, format);
  }

  static validate(options: CatalogLabelOptions, data: CatalogData): ResolvedLabelOptions {
    return resolveLabelOptions(options, data);
  }

  /** Labels must be placed again (filters or style changed). */
  invalidate(): void {
    this.version++;
  }

  placements(): readonly PlacedLabel[] {
    return this.placed;
  }

  update(camera: Camera, options: CatalogLabelOptions | undefined, src: LabelSource, viewKey: string): void {
    const key = `${viewKey}|${this.version}`;
    if (key === this.key) return;
    this.key = key;
    const v = camera.view;
    if (!options) {
      this.placed = [];
      this.text.set([], 12, [1, 1, 1, 1], v.widthPx, v.heightPx);
      return;
    }
    const o = resolveLabelOptions(options, src.data);
    const fontPx = Math.round(o.fontPx * src.pixelRatio);
    const atlas = this.text.atlasFor(fontPx);
    this.placed = this.selector.select(camera, o, src, fontPx, (text) => atlas.measure(text));
    this.text.set(this.placed.map((p) => ({ text: p.text, xPx: p.x0, yMidPx: (p.y0 + p.y1) / 2 })), fontPx, o.color, v.widthPx, v.heightPx);
  }

  encode(pass: GPURenderPassEncoder): void {
    this.text.encode(pass);
  }

  destroy(): void {
    this.text.destroy();
  }
}
