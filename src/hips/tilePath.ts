// HiPS tile and Allsky paths relative to a HiPS root (STANDARDS.md A2), and joining them to a base URL.

/** Deepest order the HiPS standard allows. */
const MAX_ORDER = 29;

function checkOrder(order: number): void {
  if (!Number.isInteger(order) || order < 0 || order > MAX_ORDER) {
    throw new RangeError(`HiPS order must be an integer in 0..${MAX_ORDER}, got ${String(order)}`);
  }
}

/** Strips one leading '.', and checks the extension is a plain word such as 'jpg'. */
function checkExt(ext: string): string {
  const e = typeof ext === 'string' && ext.startsWith('.') ? ext.slice(1) : ext;
  if (typeof e !== 'string' || !/^[A-Za-z0-9]+$/.test(e)) {
    throw new RangeError(`HiPS tile extension must be letters/digits such as 'jpg', got ${String(ext)}`);
  }
  return e;
}

/**
 * Path of tile `ipix` at `order`: `Norder{K}/Dir{D}/Npix{N}.{ext}`, D = floor(N/10000)·10000
 * (e.g. tilePath(6, 10302, 'jpg') = 'Norder6/Dir10000/Npix10302.jpg'). ipix must be a safe
 * integer below 12·4^order; ext may be given with or without its leading dot.
 */
export function tilePath(order: number, ipix: number, ext: string): string {
  checkOrder(order);
  if (!Number.isSafeInteger(ipix) || ipix < 0 || ipix >= 12 * 4 ** order) {
    throw new RangeError(
      `HiPS tile index must be an integer in 0..12·4^${order}−1 (and below 2^53), got ${String(ipix)}`,
    );
  }
  const e = checkExt(ext);
  const dir = ipix - (ipix % 10000); // exact for any safe integer, unlike floor(ipix / 10000)
  return `Norder${order}/Dir${dir}/Npix${ipix}.${e}`;
}

/** Path of the Allsky image of `order` (usually 3): `Norder{K}/Allsky.{ext}`. */
export function allskyPath(order: number, ext: string): string {
  checkOrder(order);
  return `Norder${order}/Allsky.${checkExt(ext)}`;
}

/**
 * File extension of a hips_tile_format word: 'jpeg' (or 'jpg') -> 'jpg', 'png', 'webp', 'fits',
 * 'tsv' (catalogue tiles). Case-insensitive; throws RangeError for anything else.
 */
export function extensionForFormat(format: string): 'jpg' | 'png' | 'webp' | 'fits' | 'tsv' {
  const f = typeof format === 'string' ? format.trim().toLowerCase() : '';
  switch (f) {
    case 'jpeg':
    case 'jpg':
      return 'jpg';
    case 'png':
    case 'webp':
    case 'fits':
    case 'tsv':
      return f;
    default:
      throw new RangeError(`unknown HiPS tile format ${JSON.stringify(String(format))}`);
  }
}

/**
 * Joins a HiPS root URL (or path) and a relative path with exactly one '/' between them, whether
 * or not `base` ends with '/' or `path` starts with one. An empty base returns the path unchanged.
 */
export function joinUrl(base: string, path: string): string {
  if (base.length === 0) return path;
  let end = base.length;
  while (end > 0 && base.charCodeAt(end - 1) === 0x2f) end--;
  let start = 0;
  while (start < path.length && path.charCodeAt(start) === 0x2f) start++;
  const head = base.slice(0, end);
  // a base made only of slashes ('/') is the root
  return end === 0 ? `/${path.slice(start)}` : `${head}/${path.slice(start)}`;
}
