// Custom marker images: loading one (URL, Blob, <img>, ImageBitmap, canvas) into an ImageBitmap,
// and laying it out in a square power-of-two texture (centred, aspect ratio kept, transparent
// margins) so that the GPU can mipmap it. The layer owns the texture (catalogLayer.ts).
import { CatalogError } from './columns.js';

/** What the catalogue layer accepts as a marker image (already decoded). */
export type MarkerImageSource = ImageBitmap | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas;

/** Largest side of the marker texture (markers are at most 256 px). */
export const MARKER_TEXTURE_MAX_PX = 256;

/** Side of the square texture for an image of w x h pixels: the power of two >= max(w, h), at most 256. */
export function markerTextureSide(widthPx: number, heightPx: number): number {
  if (!(widthPx >= 1 && heightPx >= 1 && Number.isFinite(widthPx) && Number.isFinite(heightPx))) {
    throw new CatalogError(`a marker image needs a size of at least 1x1 pixel, got ${widthPx}x${heightPx}`);
  }
  const side = Math.max(widthPx, heightPx);
  return Math.min(MARKER_TEXTURE_MAX_PX, 2 ** Math.ceil(Math.log2(side)));
}

/** Where an image of w x h goes in the square texture of `side`: centred, scaled to fit, aspect kept. */
export function markerImageRect(widthPx: number, heightPx: number, side: number): { x: number; y: number; w: number; h: number } {
  const scale = side / Math.max(widthPx, heightPx);
  const w = widthPx * scale;
  const h = heightPx * scale;
  return { x: (side - w) / 2, y: (side - h) / 2, w, h };
}

function sizeOf(src: MarkerImageSource): [number, number] {
  if (typeof HTMLImageElement !== 'undefined' && src instanceof HTMLImageElement) return [src.naturalWidth, src.naturalHeight];
  return [src.width, src.height];
}

/** The image drawn into a square power-of-two canvas (what the layer uploads). Browser/worker only. */
export function squareMarkerCanvas(src: MarkerImageSource): OffscreenCanvas {
  if (typeof OffscreenCanvas === 'undefined') throw new CatalogError('marker images need OffscreenCanvas (a browser or a worker)');
  const [w, h] = sizeOf(src);
  const side = markerTextureSide(w, h);
  const canvas = new OffscreenCanvas(side, side);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new CatalogError('cannot draw the marker image: no 2D context');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  const r = markerImageRect(w, h, side);
  ctx.drawImage(src, r.x, r.y, r.w, r.h);
  return canvas;
}

/** Is this a decoded image the layer can take as it is? */
export function isMarkerImageSource(x: unknown): x is MarkerImageSource {
  return (typeof ImageBitmap !== 'undefined' && x instanceof ImageBitmap)
    || (typeof HTMLImageElement !== 'undefined' && x instanceof HTMLImageElement && x.complete && x.naturalWidth > 0)
    || (typeof HTMLCanvasElement !== 'undefined' && x instanceof HTMLCanvasElement)
    || (typeof OffscreenCanvas !== 'undefined' && x instanceof OffscreenCanvas);
}

/** Decode a marker image from a URL, Blob or <img> (waits for it); decoded images pass through. */
export async function loadMarkerImage(src: string | Blob | MarkerImageSource, signal?: AbortSignal): Promise<MarkerImageSource> {
  if (isMarkerImageSource(src)) return src;
  try {
    if (typeof src === 'string') {
      const res = await fetch(src, { signal });
      if (!res.ok) throw new CatalogError(`HTTP ${res.status}`);
      return await createImageBitmap(await res.blob());
    }
    if (typeof Blob !== 'undefined' && src instanceof Blob) return await createImageBitmap(src);
    if (typeof HTMLImageElement !== 'undefined' && src instanceof HTMLImageElement) {
      await src.decode();
      return await createImageBitmap(src);
    }
  } catch (err) {
    const what = typeof src === 'string' ? src : 'the given image';
    throw new CatalogError(`cannot load the marker image ${what}: ${(err as Error)?.message ?? err}`);
  }
  throw new CatalogError('a marker image must be a URL, a Blob, an <img>, an ImageBitmap or a canvas');
}
