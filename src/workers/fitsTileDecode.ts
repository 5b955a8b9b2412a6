// Fetches and decodes FITS image tiles (HiPS FITS tiles: often not padded to 2880 bytes) to
// float32 physical values with rows top to bottom, like the colour tiles; runs in a decode worker.
import { blobSource, FitsStream, readFits } from './fits/index.js';
import type { DecodeFailure, FitsDecodeResult } from './protocol.js';

const controllers = new Map<number, AbortController>();

export function cancelFitsRequest(requestId: number): void {
  controllers.get(requestId)?.abort();
  controllers.delete(requestId);
}

/** FITS rows run bottom to top; flip them so texture row 0 is the top row as for JPEG/PNG tiles. */
export function flipRows(values: Float32Array | Float64Array, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) out.set(values.subarray((height - 1 - y) * width, (height - y) * width), y * width);
  return out;
}

export async function decodeFitsUrl(url: string, requestId: number): Promise<FitsDecodeResult | DecodeFailure> {
  const controller = new AbortController();
  controllers.set(requestId, controller);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted) return { status: 'error', message: `request for ${url} was cancelled`, retryable: false };
      return { status: 'error', message: `network error fetching ${url}: ${(err as Error).message ?? err}`, retryable: true };
    }
    if (response.status === 404 || response.status === 410) return { status: 'missing', httpStatus: response.status };
    if (!response.ok) {
      return { status: 'error', message: `HTTP ${response.status} ${response.statusText} for ${url}`, retryable: response.status >= 500 || response.status === 429, httpStatus: response.status };
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    try {
      const fits = readFits(bytes);
      const hdu = fits.hdus.find((h) => h.type === 'image' && (h.naxes?.length ?? 0) >= 2);
      if (!hdu) return { status: 'error', message: `FITS tile ${url} has no 2-D image`, retryable: false };
      const img = hdu.readImage();
      const [width, height] = img.shape;
      const values = flipRows(img.data, width, height);
      return { status: 'ok', width, height, values: values.buffer as ArrayBuffer, bitpix: img.bitpix };
    } catch (err) {
      return { status: 'error', message: `FITS tile ${url} cannot be read: ${(err as Error).message ?? err}`, retryable: false };
    }
  } finally {
    controllers.delete(requestId);
  }
}

/**
 * Decode one image HDU (a plane of a cube) of an in-memory FITS file: float32, rows top to bottom.
 * The bytes were transferred to this worker, so they are ours: a BITPIX -32 / -64 image is decoded
 * in place (`consume` + `inPlace`, no array the size of the image allocated for it; bit-identical
 * values, docs/fits-and-tables.md), then flipped into the result. `bytes` is overwritten then.
 */
export function decodeFitsBytes(bytes: ArrayBuffer, hduIndex: number, plane: number): FitsDecodeResult | DecodeFailure {
  try {
    const fits = readFits(new Uint8Array(bytes), { consume: bytes instanceof ArrayBuffer });
    const hdu = fits.hdus[hduIndex];
    if (!hdu) return { status: 'error', message: `the FITS file has no HDU ${hduIndex} (it has ${fits.hdus.length})`, retryable: false };
    const naxes = hdu.naxes ?? [];
    const options = { inPlace: bytes instanceof ArrayBuffer && hdu.type === 'image' && (hdu.bitpix === -32 || hdu.bitpix === -64) };
    const img = naxes.length > 2 ? hdu.readImagePlane(plane, options) : hdu.readImage(options);
    const [width, height] = img.shape;
    return { status: 'ok', width, height, values: flipRows(img.data, width, height).buffer as ArrayBuffer, bitpix: img.bitpix };
  } catch (err) {
    return { status: 'error', message: `FITS image cannot be read: ${(err as Error).message ?? err}`, retryable: false };
  }
}

/** Decode one plane of an image HDU of a File/Blob, reading only the headers and that plane. */
export async function decodeFitsPlane(blob: Blob, hduIndex: number, plane: number): Promise<FitsDecodeResult | DecodeFailure> {
  try {
    const fits = await FitsStream.open(blobSource(blob));
    const img = await fits.readImagePlane(hduIndex, plane);
    const [width, height] = img.shape;
    if (height === undefined) return { status: 'error', message: `HDU ${hduIndex} is a 1-D image (NAXIS1 = ${width}), not a 2-D one`, retryable: false };
    return { status: 'ok', width, height, values: flipRows(img.data, width, height).buffer as ArrayBuffer, bitpix: img.bitpix };
  } catch (err) {
    return { status: 'error', message: `FITS image cannot be read: ${(err as Error).message ?? err}`, retryable: false };
  }
}
