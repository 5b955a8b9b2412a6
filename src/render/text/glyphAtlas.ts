// A glyph atlas for text drawn by the GPU: the characters a layer needs, rasterised once by the
// browser's 2D canvas (white fill, dark outline for contrast on any sky) into a grid of cells, with
// each character's advance. Grows (re-rasterises) when new characters appear. Pure layout maths
// (atlasLayout) is separate from the canvas part so that it can be tested without a DOM.

/** Cell layout of an atlas: `cols` cells per row, each cellW x cellH pixels. */
export interface AtlasLayout {
  readonly cols: number;
  readonly rows: number;
  readonly cellW: number;
  readonly cellH: number;
  readonly widthPx: number;
  readonly heightPx: number;
}

/** Largest atlas side (pixels). */
export const MAX_ATLAS_PX = 4096;

/** Grid for `glyphs` cells of a font of `fontPx` device pixels (padding for the outline and anti-aliasing). */
export function atlasLayout(glyphs: number, fontPx: number): AtlasLayout {
  const cellW = Math.ceil(fontPx * 1.2) + 4;
  const cellH = Math.ceil(fontPx * 1.5) + 4;
  const cols = Math.max(1, Math.min(glyphs, Math.floor(2048 / cellW)));
  const rows = Math.max(1, Math.ceil(glyphs / cols));
  return { cols, rows, cellW, cellH, widthPx: cols * cellW, heightPx: rows * cellH };
}

export interface GlyphInfo {
  /** Cell index in the atlas. */
  readonly cell: number;
  /** Advance, device pixels. */
  readonly advancePx: number;
}

/** The CSS font of the atlas for a size in device pixels. */
export function atlasFont(fontPx: number): string {
  return `600 ${fontPx}px system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif`;
}

/** Rasterised characters of one font size: the atlas canvas and per-character metrics. */
export class GlyphAtlas {
  readonly fontPx: number;
  private readonly chars: string[] = [];
  private readonly info = new Map<string, GlyphInfo>();
  private readonly measurer: OffscreenCanvasRenderingContext2D;
  private canvasCache: OffscreenCanvas | undefined;
  private layoutCache: AtlasLayout | undefined;
  private dirty = false;
  /** Increments whenever the atlas is re-rasterised (the texture must be re-uploaded). */
  version = 0;

  constructor(fontPx: number) {
    if (typeof OffscreenCanvas === 'undefined') throw new Error('GPU text needs OffscreenCanvas (a browser or a worker)');
    this.fontPx = fontPx;
    const ctx = new OffscreenCanvas(1, 1).getContext('2d');
    if (!ctx) throw new Error('GPU text: no 2D context to measure glyphs');
    ctx.font = atlasFont(fontPx);
    this.measurer = ctx;
  }

  /** Make sure every character of `text` is in the atlas (measured now, rasterised when next drawn). */
  add(text: string): void {
    for (const ch of text) {
      if (this.info.has(ch)) continue;
      this.info.set(ch, { cell: this.chars.length, advancePx: this.measurer.measureText(ch).width });
      this.chars.push(ch);
      this.dirty = true;
    }
  }

  /** Distinct characters so far, and how many fit at this font size. */
  get size(): number {
    return this.chars.length;
  }

  get capacity(): number {
    const one = atlasLayout(1, this.fontPx);
    return Math.floor(2048 / one.cellW) * Math.floor(MAX_ATLAS_PX / one.cellH);
  }

  /** Would the atlas still hold all its characters after adding those of `text`? */
  fits(text: string): boolean {
    const fresh = new Set<string>();
    for (const ch of text) if (!this.info.has(ch)) fresh.add(ch);
    return this.chars.length + fresh.size <= this.capacity;
  }

  /** More characters than the atlas can hold (TextLabels then starts a new atlas). */
  get overfull(): boolean {
    return this.chars.length > this.capacity;
  }

  glyph(ch: string): GlyphInfo | undefined {
    return this.info.get(ch);
  }

  /** Width of a text in device pixels (sum of advances); adds its characters first. */
  measure(text: string): number {
    this.add(text);
    let w = 0;
    for (const ch of text) w += this.info.get(ch)!.advancePx;
    return w;
  }

  /** The atlas canvas (rasterised now if characters were added). */
  get canvas(): OffscreenCanvas {
    if (this.dirty || !this.canvasCache) this.rasterise();
    return this.canvasCache!;
  }

  get layout(): AtlasLayout {
    if (this.dirty || !this.layoutCache) this.rasterise();
    return this.layoutCache!;
  }

  /** Re-rasterise if needed; returns the version of the current raster. */
  sync(): number {
    if (this.dirty || !this.canvasCache) this.rasterise();
    return this.version;
  }

  private rasterise(): void {
    const layout = atlasLayout(Math.max(1, this.chars.length), this.fontPx);
    if (layout.heightPx > MAX_ATLAS_PX) throw new Error(`too many distinct characters for one label atlas (${this.chars.length})`);
    const canvas = new OffscreenCanvas(layout.widthPx, layout.heightPx);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('GPU text: no 2D context for the glyph atlas');
    ctx.font = atlasFont(this.fontPx);
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.lineJoin = 'round';
    ctx.lineWidth = Math.max(2, this.fontPx / 6);
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.85)';
    ctx.fillStyle = '#ffffff';
    this.chars.forEach((ch, i) => {
      const x = (i % layout.cols) * layout.cellW + 2;
      const y = Math.floor(i / layout.cols) * layout.cellH + layout.cellH / 2;
      ctx.strokeText(ch, x, y);
      ctx.fillText(ch, x, y);
    });
    this.canvasCache = canvas;
    this.layoutCache = layout;
    this.dirty = false;
    this.version++;
  }
}
