// Writes a FITS image (primary HDU): header cards formatted to the FITS 4.0 fixed format, data
// big-endian, both padded to 2880-byte blocks. Used by exportFITS(); pure, no DOM.
import type { Card, CardValue } from './viewWcs.js';

const BLOCK = 2880;

function formatValue(v: CardValue): string {
  if (typeof v === 'boolean') return (v ? 'T' : 'F').padStart(20);
  if (typeof v === 'string') {
    const q = `'${v.replace(/'/g, "''").padEnd(8)}'`;
    return q.padEnd(20);
  }
  if (!Number.isFinite(v)) throw new RangeError(`cannot write a non-finite number (${v}) in a FITS header`);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v).padStart(20);
  // shortest text that reads back as the same double, in FITS's E notation
  let s = String(v).toUpperCase();
  const [mant, exp] = s.split('E');
  s = (mant.includes('.') ? mant : `${mant}.0`) + (exp !== undefined ? `E${exp}` : '');
  return s.padStart(20);
}

/** One 80-character header card. */
export function formatCard(card: Card): string {
  const key = card.key.toUpperCase();
  if (!/^[A-Z0-9_-]{1,8}$/.test(key)) throw new RangeError(`invalid FITS keyword '${card.key}'`);
  let text = `${key.padEnd(8)}= ${formatValue(card.value)}`;
  if (card.comment) text += ` / ${card.comment}`;
  if (text.length > 80) text = text.slice(0, 80);
  return text.padEnd(80);
}

export interface FitsImage {
  /** 8 (unsigned bytes) or -32 (float32). */
  readonly bitpix: 8 | -32;
  /** NAXIS1 (width), NAXIS2 (height) [, NAXIS3 (planes)]. */
  readonly shape: readonly number[];
  /** Values in FITS order: plane by plane, rows bottom to top, left to right. */
  readonly data: Uint8Array | Float32Array;
  readonly cards: readonly Card[];
}

export function writeFitsImage(img: FitsImage): Uint8Array {
  const n = img.shape.reduce((a, b) => a * b, 1);
  if (img.data.length !== n) throw new RangeError(`FITS data has ${img.data.length} values but the shape ${img.shape.join('x')} needs ${n}`);
  const head: Card[] = [
    { key: 'SIMPLE', value: true, comment: 'conforms to FITS standard' },
    { key: 'BITPIX', value: img.bitpix },
    { key: 'NAXIS', value: img.shape.length },
    ...img.shape.map((v, i) => ({ key: `NAXIS${i + 1}`, value: v })),
    ...img.cards,
  ];
  const lines = head.map(formatCard).join('') + 'END'.padEnd(80);
  const headerBytes = Math.ceil(lines.length / BLOCK) * BLOCK;
  const bytesPer = img.bitpix === 8 ? 1 : 4;
  const dataBytes = Math.ceil((n * bytesPer) / BLOCK) * BLOCK;
  const out = new Uint8Array(headerBytes + dataBytes);
  for (let i = 0; i < headerBytes; i++) out[i] = i < lines.length ? lines.charCodeAt(i) : 32;
  if (img.bitpix === 8) out.set(img.data as Uint8Array, headerBytes);
  else {
    const view = new DataView(out.buffer, headerBytes, n * 4);
    const f = img.data as Float32Array;
    for (let i = 0; i < n; i++) view.setFloat32(i * 4, f[i], false);
  }
  return out;
}

/** RGBA8 pixels (rows top to bottom) to three FITS planes R, G, B (rows bottom to top). */
export function rgbaToFitsPlanes(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array(plane * 3);
  for (let y = 0; y < height; y++) {
    const src = (height - 1 - y) * width * 4;
    const dst = y * width;
    for (let x = 0; x < width; x++) {
      out[dst + x] = rgba[src + x * 4];
      out[plane + dst + x] = rgba[src + x * 4 + 1];
      out[2 * plane + dst + x] = rgba[src + x * 4 + 2];
    }
  }
  return out;
}
