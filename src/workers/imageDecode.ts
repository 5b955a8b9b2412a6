// Fetches and decodes image tiles to RGBA8 pixels; runs inside a decode worker (or any context
// with fetch, createImageBitmap and OffscreenCanvas). No DOM.
import type { DecodeFailure, ImageDecodeResult } from './protocol.js';

const controllers = new Map<number, AbortController>();

export function cancelRequest(requestId: number): void {
  controllers.get(requestId)?.abort();
  controllers.delete(requestId);
}

function failure(message: string, retryable: boolean, httpStatus?: number): DecodeFailure {
  return { status: 'error', message, retryable, httpStatus };
}

export async function decodeImageUrl(url: string, requestId: number): Promise<ImageDecodeResult | DecodeFailure> {
  const controller = new AbortController();
  controllers.set(requestId, controller);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted) return failure(`request for ${url} was cancelled`, false);
      return failure(`network error fetching ${url}: ${(err as Error).message ?? err}`, true);
    }
    if (response.status === 404 || response.status === 410) {
      return { status: 'missing', httpStatus: response.status };
    }
    if (!response.ok) {
      const retryable = response.status >= 500 || response.status === 429;
      return failure(`HTTP ${response.status} ${response.statusText} for ${url}`, retryable, response.status);
    }
    const blob = await response.blob();
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(blob, {
        colorSpaceConversion: 'none',
        premultiplyAlpha: 'none',
        imageOrientation: 'none',
      } as ImageBitmapOptions);
    } catch {
      const type = response.headers.get('content-type') ?? 'unknown type';
      return failure(`tile ${url} is not a decodable image (${type}, ${blob.size} bytes)`, false, response.status);
    }
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | null;
    if (!ctx) {
      bitmap.close();
      return failure('this browser has no OffscreenCanvas 2D context to decode tiles', false);
    }
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    const data = ctx.getImageData(0, 0, width, height).data;
    return { status: 'ok', width, height, rgba: data.buffer as ArrayBuffer };
  } finally {
    controllers.delete(requestId);
  }
}
