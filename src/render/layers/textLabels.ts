// Text drawn by the GPU: strings at device-pixel positions, each glyph a quad pulled from a
// storage buffer (6 vertices per glyph, no instancing) and textured from a GlyphAtlas. Owns its
// atlas texture, buffers and bind group; destroy() frees them.
import { overlayPipeline } from '../pipelineCache.js';
import { GrowableBuffer } from '../growableBuffer.js';
import { GlyphAtlas } from '../text/glyphAtlas.js';

const WGSL = /* wgsl */ `
struct U { viewportPx: vec2f, _pad: vec2f, color: vec4f };
@group(0) @binding(0) var<uniform> u: U;
@group(0) @binding(1) var<storage, read> glyphs: array<vec4f>; // per glyph: x0, y0, x1, y1 (device px, y down), then u0, v0, u1, v1
@group(0) @binding(2) var atlas: texture_2d<f32>;
@group(0) @binding(3) var smp: sampler;
struct VOut { @builtin(position) pos: vec4f, @location(0) uv: vec2f };
@vertex fn vs(@builtin(vertex_index) vi: u32) -> VOut {
  let g = vi / 6u;
  let box = glyphs[2u * g];
  let tex = glyphs[2u * g + 1u];
  let cx = array<f32, 6>(0.0, 1.0, 0.0, 0.0, 1.0, 1.0);
  let cy = array<f32, 6>(0.0, 0.0, 1.0, 1.0, 0.0, 1.0);
  let k = vi % 6u;
  let p = mix(box.xy, box.zw, vec2f(cx[k], cy[k]));
  var o: VOut;
  o.pos = vec4f(p.x / u.viewportPx.x * 2.0 - 1.0, 1.0 - p.y / u.viewportPx.y * 2.0, 0.0, 1.0);
  o.uv = mix(tex.xy, tex.zw, vec2f(cx[k], cy[k]));
  return o;
}
@fragment fn fs(in: VOut) -> @location(0) vec4f {
  let t = textureSample(atlas, smp, in.uv);
  if (t.a <= 0.0) { discard; }
  return vec4f(t.rgb * u.color.rgb, t.a * u.color.a);
}`;

/** One string to draw: its left edge and vertical middle, device pixels (y down). */
export interface TextItem {
  readonly text: string;
  readonly xPx: number;
  readonly yMidPx: number;
}

export class TextLabels {
  private readonly device: GPUDevice;
  private readonly pipeline: GPURenderPipeline;
  private readonly uniforms: GPUBuffer;
  private readonly glyphBuffer: GrowableBuffer;
  private readonly sampler: GPUSampler;
  private atlas: GlyphAtlas | undefined;
  private texture: GPUTexture | undefined;
  private textureVersion = -1;
  private bindGroup: GPUBindGroup | undefined;
  private bufferGeneration = -1;
  private glyphCount = 0;
  private destroyed = false;

  constructor(device: GPUDevice, format: GPUTextureFormat) {
    this.device = device;
    this.pipeline = overlayPipeline(device, 'text', 'text', WGSL, format);
    this.uniforms = device.createBuffer({ label: 'text', size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.glyphBuffer = new GrowableBuffer(device, 'text glyphs', GPUBufferUsage.STORAGE, 4096);
    this.sampler = device.createSampler({ label: 'text', minFilter: 'linear', magFilter: 'linear' });
  }

  /** The atlas for a font size in device pixels (kept while the size stays the same). */
  atlasFor(fontPx: number): GlyphAtlas {
    const px = Math.round(fontPx);
    if (!this.atlas || this.atlas.fontPx !== px) {
      this.atlas = new GlyphAtlas(px);
      this.textureVersion = -1;
    }
    return this.atlas;
  }

  /** Replace the drawn strings (font size in device pixels, colour RGBA 0..1) for a view of w x h device pixels. */
  set(items: readonly TextItem[], fontPx: number, color: readonly number[], viewWidthPx: number, viewHeightPx: number): void {
    if (this.destroyed) return;
    if (items.length === 0) {
      this.glyphCount = 0; // no atlas needed (and none can be made without OffscreenCanvas, e.g. under Node/Dawn)
      return;
    }
    let atlas = this.atlasFor(fontPx);
    for (const it of items) atlas.add(it.text);
    if (atlas.overfull) {
      // the atlas gathered more distinct characters over time than it can hold: start again with
      // this text's; strings whose characters would not fit are left out (never a failed frame)
      atlas = this.atlas = new GlyphAtlas(atlas.fontPx);
      this.textureVersion = -1;
      items = items.filter((it) => {
        if (!atlas.fits(it.text)) return false;
        atlas.add(it.text);
        return true;
      });
    }
    atlas.sync();
    let n = 0;
    for (const it of items) for (const _ of it.text) n++;
    const data = new Float32Array(Math.max(1, n) * 8);
    const l = atlas.layout;
    let o = 0;
    for (const it of items) {
      let x = it.xPx;
      for (const ch of it.text) {
        const g = atlas.glyph(ch)!;
        const cx = (g.cell % l.cols) * l.cellW;
        const cy = Math.floor(g.cell / l.cols) * l.cellH;
        // the cell's pixels, placed so that the character's origin (2 px into the cell) lands on x
        const x0 = Math.round(x) - 2;
        const y0 = Math.round(it.yMidPx - l.cellH / 2);
        data.set([x0, y0, x0 + l.cellW, y0 + l.cellH, cx / l.widthPx, cy / l.heightPx, (cx + l.cellW) / l.widthPx, (cy + l.cellH) / l.heightPx], o);
        o += 8;
        x += g.advancePx;
      }
    }
    this.glyphCount = n;
    if (n > 0) this.glyphBuffer.write(new Uint8Array(data.buffer, 0, n * 32));
    if (n > 0 && this.textureVersion !== atlas.version) this.uploadAtlas(atlas);
    const u = new Float32Array(8);
    u[0] = viewWidthPx;
    u[1] = viewHeightPx;
    u.set(color.slice(0, 4), 4);
    this.device.queue.writeBuffer(this.uniforms, 0, u);
    if (this.texture && (!this.bindGroup || this.bufferGeneration !== this.glyphBuffer.generation)) {
      this.bufferGeneration = this.glyphBuffer.generation;
      this.bindGroup = this.device.createBindGroup({
        label: 'text',
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms } },
          { binding: 1, resource: { buffer: this.glyphBuffer.buffer } },
          { binding: 2, resource: this.texture.createView() },
          { binding: 3, resource: this.sampler },
        ],
      });
    }
  }

  private uploadAtlas(atlas: GlyphAtlas): void {
    const { widthPx, heightPx } = atlas.layout;
    this.texture?.destroy();
    this.texture = this.device.createTexture({
      label: 'text atlas', size: [widthPx, heightPx], format: 'rgba8unorm',
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT,
    });
    this.device.queue.copyExternalImageToTexture({ source: atlas.canvas }, { texture: this.texture, premultipliedAlpha: false }, [widthPx, heightPx]);
    this.textureVersion = atlas.version;
    this.bindGroup = undefined;
  }

  /** Glyph quads drawn (diagnostics, tests). */
  get glyphs(): number {
    return this.glyphCount;
  }

  encode(pass: GPURenderPassEncoder): void {
    if (this.destroyed || this.glyphCount === 0 || !this.bindGroup) return;
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.draw(this.glyphCount * 6);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniforms.destroy();
    this.glyphBuffer.destroy();
    this.texture?.destroy();
  }
}
