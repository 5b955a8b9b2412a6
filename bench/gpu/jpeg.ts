// JPEG decoding for the GPU benchmark's tile fetcher under Node (jpeg-js: pure JS, no native
// build; the browser path decodes with createImageBitmap in workers instead).
import jpeg from 'jpeg-js';

export function decodeJpeg(bytes: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width: img.width, height: img.height, data: img.data };
}
