// Allsky images (HiPS 1.0, STANDARDS.md A2): NorderK/Allsky.ext holds all 12·4^K tiles of order K
// side by side, left to right then top to bottom, in ncol = ⌊√npix⌋ columns (the last row may be
// partial), as the image is seen. JPEG/PNG/WebP store rows top to bottom, so tile k is the block
// at column k mod ncol, row ⌊k/ncol⌋ of the stored rows. FITS stores rows bottom to top, so in
// file order the picture is flipped: tile k is the row block nrow − 1 − ⌊k/ncol⌋ (counted from
// the first stored row when the image has exactly nrow tile rows), with its rows bottom to top
// like a FITS tile. Pure functions on typed arrays.

export interface AllskyLayout {
  readonly order: number;
  /** Tiles in the image: 12·4^order. */
  readonly tiles: number;
  readonly ncol: number;
  /** Tile rows needed: ⌈tiles / ncol⌉. */
  readonly nrow: number;
  /** Width of one tile in the image, pixels. */
  readonly tileWidthPx: number;
  readonly imageWidthPx: number;
  readonly imageHeightPx: number;
}

/** How the image's rows are stored: 'top-down' (JPEG, PNG, WebP, decoded images), 'bottom-up' (FITS file order). */
export type RowOrder = 'top-down' | 'bottom-up';

/** The layout of an Allsky image of `order` (0..3 in practice), checked against its size. */
export function allskyLayout(order: number, imageWidthPx: number, imageHeightPx: number): AllskyLayout {
  if (!Number.isInteger(order) || order < 0 || order > 6) throw new RangeError(`Allsky order must be an integer in 0..6, got ${order}`);
  const tiles = 12 * 4 ** order;
  const ncol = Math.floor(Math.sqrt(tiles));
  const nrow = Math.ceil(tiles / ncol);
  const tileWidthPx = imageWidthPx / ncol;
  if (!Number.isInteger(tileWidthPx) || tileWidthPx < 1) {
    throw new RangeError(`an order-${order} Allsky image has ${ncol} tiles per row, so its width must be a multiple of ${ncol}; got ${imageWidthPx} px`);
  }
  if (!Number.isInteger(imageHeightPx) || imageHeightPx < nrow * tileWidthPx) {
    throw new RangeError(`an order-${order} Allsky image with ${tileWidthPx}-px tiles needs ${nrow} tile rows (${nrow * tileWidthPx} px), got ${imageHeightPx} px`);
  }
  return { order, tiles, ncol, nrow, tileWidthPx, imageWidthPx, imageHeightPx };
}

/** Column and first stored row of tile k's block, for images stored in `rows` order. */
export function allskyTileOrigin(layout: AllskyLayout, k: number, rows: RowOrder): { x: number; y: number } {
  if (!Number.isInteger(k) || k < 0 || k >= layout.tiles) throw new RangeError(`Allsky tile must be an integer in 0..${layout.tiles - 1}, got ${k}`);
  const w = layout.tileWidthPx;
  const row = Math.floor(k / layout.ncol);
  const x = (k % layout.ncol) * w;
  return { x, y: rows === 'top-down' ? row * w : layout.imageHeightPx - (row + 1) * w };
}

/**
 * Tile k of an Allsky image given as stored (`channels` values per pixel, rows in `rows` order),
 * with its rows in the same order: a FITS Allsky in file order gives the tile as its FITS tile
 * file would hold it; a decoded JPEG gives it top to bottom.
 */
export function sliceAllskyTile<T extends Uint8Array | Float32Array | Float64Array>(data: T, layout: AllskyLayout, k: number, channels: number, rows: RowOrder): T {
  const need = layout.imageWidthPx * layout.imageHeightPx * channels;
  if (data.length < need) throw new RangeError(`Allsky data holds ${data.length} values, a ${layout.imageWidthPx}x${layout.imageHeightPx} image with ${channels} channels needs ${need}`);
  const { x, y } = allskyTileOrigin(layout, k, rows);
  const w = layout.tileWidthPx;
  const rowLen = w * channels;
  const out = new (data.constructor as { new (n: number): T })(w * rowLen);
  for (let r = 0; r < w; r++) {
    const start = ((y + r) * layout.imageWidthPx + x) * channels;
    out.set(data.subarray(start, start + rowLen), r * rowLen);
  }
  return out;
}
