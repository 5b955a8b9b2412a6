/**
 * HCOMPRESS_1 tile decompression (FITS tiled image compression convention; R. White's H-transform
 * coder, White 1992, "High-performance compression of astronomical images"), for integer tiles
 * (ZBITPIX 8 and 16 with 32-bit arithmetic, as CFITSIO's 32-bit decoder; ZBITPIX 32 and quantized
 * floats with 64-bit arithmetic, done exactly in float64, as CFITSIO's 64-bit decoder).
 *
 * Stream: magic 0xDD 0x99; nx, ny, scale (32-bit big-endian; the tile is nx rows of ny values);
 * the sum of all pixels (64-bit); the number of bit planes of the three coefficient quadrant
 * kinds (3 bytes); then, bit-packed (most significant bit first), the four quadrants of the
 * H-transform coefficient magnitudes, each bit plane either written directly (code nybble 0: four
 * pixels per nybble) or quadtree-coded (code 0xF: log2 expansions of 4-bit codes with a fixed
 * prefix code); a 0 nybble; then, restarting at a byte boundary, one sign bit per non-zero
 * coefficient. Decoding: coefficients x scale ("undigitize"), then the inverse H-transform
 * (log2 levels of interleaving and 2x2 butterflies with the rounding that makes scale 0/1
 * lossless). Smoothing (ZNAME SMOOTH = 1 with scale > 1) is not supported: FitsError.
 *
 * Written from the algorithm description; every read is bounded (FitsError 'BAD_DATA' naming the
 * tile when the stream ends early or its sizes do not match the tile).
 */
import { FitsError } from './errors.js';

/** Bit reader over the stream, most significant bit first. */
class Bits {
  pos: number;
  private buf = 0;
  private left = 0;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly what: string,
  ) {
    this.pos = start;
  }

  /** Start reading bits at the next byte boundary. */
  restart(): void {
    this.left = 0;
  }

  private byte(): number {
    if (this.pos >= this.bytes.length) throw new FitsError('BAD_DATA', `${this.what}: the HCOMPRESS stream (${this.bytes.length} bytes) ends early`);
    return this.bytes[this.pos++]!;
  }

  bit(): number {
    if (this.left === 0) {
      this.buf = this.byte();
      this.left = 8;
    }
    this.left--;
    return (this.buf >> this.left) & 1;
  }

  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bit();
    return v;
  }

  /** The prefix code of the quadtree's 4-bit values. */
  huffman(): number {
    let c = this.bits(3);
    if (c < 4) return 1 << c;
    c = (c << 1) | this.bit();
    if (c < 13) return [3, 5, 10, 12, 15][c - 8]!;
    c = (c << 1) | this.bit();
    if (c < 31) return [6, 7, 9, 11, 13][c - 26]!;
    c = (c << 1) | this.bit();
    return c === 62 ? 0 : 14;
  }
}

function log2Up(n: number): number {
  let k = 0;
  while (1 << k < n) k++;
  return k;
}

/**
 * Set bit plane `bit` of the 2x2-expanded 4-bit codes `q` ((nx+1)/2 x (ny+1)/2) in a (row length
 * n). Each plane is set once, from the top one down, so adding 2^bit is the same as OR-ing it (and
 * works for the float64 magnitudes of the wide decoder too).
 */
function bitInsert(q: Uint8Array, nx: number, ny: number, a: Int32Array | Float64Array, off: number, n: number, bit: number): void {
  const v = 2 ** bit;
  let k = 0;
  let i = 0;
  for (; i < nx - 1; i += 2) {
    let s00 = off + n * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const c = q[k++]!;
      if (c & 1) a[s00 + n + 1]! += v;
      if (c & 2) a[s00 + n]! += v;
      if (c & 4) a[s00 + 1]! += v;
      if (c & 8) a[s00]! += v;
      s00 += 2;
    }
    if (j < ny) {
      const c = q[k++]!;
      if (c & 2) a[s00 + n]! += v;
      if (c & 8) a[s00]! += v;
    }
  }
  if (i < nx) {
    let s00 = off + n * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const c = q[k++]!;
      if (c & 4) a[s00 + 1]! += v;
      if (c & 8) a[s00]! += v;
      s00 += 2;
    }
    if (j < ny) {
      const c = q[k++]!;
      if (c & 8) a[s00]! += v;
    }
  }
}

/** Expand the 4-bit codes of b ((nx+1)/2 x (ny+1)/2, row length (ny+1)/2) in place to nx x ny single bits. */
function copyExpand(b: Uint8Array, nx: number, ny: number): void {
  const nx2 = (nx + 1) >> 1;
  const ny2 = (ny + 1) >> 1;
  let k = ny2 * (nx2 - 1) + ny2 - 1;
  for (let i = nx2 - 1; i >= 0; i--) {
    let s00 = 2 * (ny * i + ny2 - 1);
    for (let j = ny2 - 1; j >= 0; j--) {
      b[s00] = b[k--]!;
      s00 -= 2;
    }
  }
  let i = 0;
  for (; i < nx - 1; i += 2) {
    let s00 = ny * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const c = b[s00]!;
      b[s00 + ny + 1] = c & 1;
      b[s00 + ny] = (c >> 1) & 1;
      b[s00 + 1] = (c >> 2) & 1;
      b[s00] = (c >> 3) & 1;
      s00 += 2;
    }
    if (j < ny) {
      const c = b[s00]!;
      b[s00 + ny] = (c >> 1) & 1;
      b[s00] = (c >> 3) & 1;
    }
  }
  if (i < nx) {
    let s00 = ny * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const c = b[s00]!;
      b[s00 + 1] = (c >> 2) & 1;
      b[s00] = (c >> 3) & 1;
      s00 += 2;
    }
    if (j < ny) b[s00] = (b[s00]! >> 3) & 1;
  }
}

/** Decode the bit planes of one quadrant (nqx x nqy, row length n, at a[off]). */
function quadtreeDecode(r: Bits, a: Int32Array | Float64Array, off: number, n: number, nqx: number, nqy: number, planes: number, what: string): void {
  const log2n = log2Up(Math.max(nqx, nqy));
  const scratch = new Uint8Array(Math.max(1, 4 * ((nqx + 1) >> 1) * ((nqy + 1) >> 1)));
  for (let bit = planes - 1; bit >= 0; bit--) {
    const code = r.bits(4);
    if (code === 0) {
      const count = ((nqx + 1) >> 1) * ((nqy + 1) >> 1);
      for (let i = 0; i < count; i++) scratch[i] = r.bits(4);
    } else if (code === 0xf) {
      scratch[0] = r.huffman();
      let nx = 1;
      let ny = 1;
      let nfx = nqx;
      let nfy = nqy;
      let c = 1 << log2n;
      for (let k = 1; k < log2n; k++) {
        c >>= 1;
        nx <<= 1;
        ny <<= 1;
        if (nfx <= c) nx -= 1;
        else nfx -= c;
        if (nfy <= c) ny -= 1;
        else nfy -= c;
        copyExpand(scratch, nx, ny);
        for (let i = nx * ny - 1; i >= 0; i--) if (scratch[i]) scratch[i] = r.huffman();
      }
    } else {
      throw new FitsError('BAD_DATA', `${what}: bad HCOMPRESS bit-plane code ${code}`);
    }
    bitInsert(scratch, nqx, nqy, a, off, n, bit);
  }
}

/** Interleave the two halves of the n values a[off], a[off + step], ... (first half to even places). */
function unshuffle<A extends Int32Array | Float64Array>(a: A, off: number, n: number, step: number, tmp: A): void {
  const half = (n + 1) >> 1;
  for (let i = half, t = 0; i < n; i++, t++) tmp[t] = a[off + step * i]!;
  for (let i = half - 1; i >= 0; i--) a[off + 2 * step * i] = a[off + step * i]!;
  for (let i = 1, t = 0; i < n; i += 2, t++) a[off + step * i] = tmp[t]!;
}

/** Inverse H-transform of a (nx rows of ny values) in place. */
function inverseH(a: Int32Array, nx: number, ny: number): void {
  const nmax = Math.max(nx, ny);
  const log2n = log2Up(nmax);
  if (log2n === 0) return;
  const tmp = new Int32Array((nmax + 1) >> 1);
  let shift = 1;
  let bit0 = 1 << (log2n - 1);
  let bit1 = bit0 << 1;
  const bit2 = bit0 << 2;
  let mask0 = -bit0;
  let mask1 = mask0 << 1;
  const mask2 = mask0 << 2;
  let prnd0 = bit0 >> 1;
  let prnd1 = bit1 >> 1;
  const prnd2 = bit2 >> 1;
  let nrnd0 = prnd0 - 1;
  let nrnd1 = prnd1 - 1;
  const nrnd2 = prnd2 - 1;
  a[0] = (a[0]! + (a[0]! >= 0 ? prnd2 : nrnd2)) & mask2;
  let nxtop = 1;
  let nytop = 1;
  let nxf = nx;
  let nyf = ny;
  let c = 1 << log2n;
  for (let k = log2n - 1; k >= 0; k--) {
    c >>= 1;
    nxtop <<= 1;
    nytop <<= 1;
    if (nxf <= c) nxtop -= 1;
    else nxf -= c;
    if (nyf <= c) nytop -= 1;
    else nyf -= c;
    if (k === 0) {
      nrnd0 = 0;
      shift = 2;
    }
    for (let i = 0; i < nxtop; i++) unshuffle(a, ny * i, nytop, 1, tmp);
    for (let j = 0; j < nytop; j++) unshuffle(a, j, nxtop, ny, tmp);
    const oddx = nxtop % 2;
    const oddy = nytop % 2;
    let i = 0;
    for (; i < nxtop - oddx; i += 2) {
      let s00 = ny * i;
      let s10 = s00 + ny;
      for (let j = 0; j < nytop - oddy; j += 2) {
        const h0 = a[s00]!;
        let hx = a[s10]!;
        let hy = a[s00 + 1]!;
        let hc = a[s10 + 1]!;
        hx = (hx + (hx >= 0 ? prnd1 : nrnd1)) & mask1;
        hy = (hy + (hy >= 0 ? prnd1 : nrnd1)) & mask1;
        hc = (hc + (hc >= 0 ? prnd0 : nrnd0)) & mask0;
        const lowbit0 = hc & bit0;
        hx = hx >= 0 ? hx - lowbit0 : hx + lowbit0;
        hy = hy >= 0 ? hy - lowbit0 : hy + lowbit0;
        const lowbit1 = (hc ^ hx ^ hy) & bit1;
        const g0 = h0 >= 0 ? h0 + lowbit0 - lowbit1 : h0 + (lowbit0 === 0 ? lowbit1 : lowbit0 - lowbit1);
        a[s10 + 1] = (g0 + hx + hy + hc) >> shift;
        a[s10] = (g0 + hx - hy - hc) >> shift;
        a[s00 + 1] = (g0 - hx + hy - hc) >> shift;
        a[s00] = (g0 - hx - hy + hc) >> shift;
        s00 += 2;
        s10 += 2;
      }
      if (oddy) {
        let h0 = a[s00]!;
        let hx = a[s10]!;
        hx = (hx >= 0 ? hx + prnd1 : hx + nrnd1) & mask1;
        const lowbit1 = hx & bit1;
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        a[s10] = (h0 + hx) >> shift;
        a[s00] = (h0 - hx) >> shift;
      }
    }
    if (oddx) {
      let s00 = ny * i;
      for (let j = 0; j < nytop - oddy; j += 2) {
        let h0 = a[s00]!;
        let hy = a[s00 + 1]!;
        hy = (hy >= 0 ? hy + prnd1 : hy + nrnd1) & mask1;
        const lowbit1 = hy & bit1;
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        a[s00 + 1] = (h0 + hy) >> shift;
        a[s00] = (h0 - hy) >> shift;
        s00 += 2;
      }
      if (oddy) a[s00] = a[s00]! >> shift;
    }
    bit1 = bit0;
    bit0 >>= 1;
    mask1 = mask0;
    mask0 >>= 1;
    prnd1 = prnd0;
    prnd0 >>= 1;
    nrnd1 = nrnd0;
    nrnd0 = prnd0 - 1;
  }
}

/** Bit `bit` (a power of two) of the two's-complement integer x (exact below 2^53): 0 or bit. */
function bitOf(x: number, bit: number): number {
  return ((Math.floor(x / bit) % 2) + 2) % 2 === 1 ? bit : 0;
}

/** x + r rounded down to a multiple of bit (the C code's `(x + r) & -bit`). */
function floorTo(x: number, bit: number): number {
  return Math.floor(x / bit) * bit;
}

/**
 * The inverse H-transform with 64-bit integer arithmetic (CFITSIO's decoder for 32-bit and
 * quantized float images) done exactly in float64: masks become rounding to multiples of powers
 * of two, shifts become floored divisions; values stay below 2^53.
 */
function inverseHWide(a: Float64Array, nx: number, ny: number): void {
  const nmax = Math.max(nx, ny);
  const log2n = log2Up(nmax);
  if (log2n === 0) return;
  const tmp = new Float64Array((nmax + 1) >> 1);
  const prnd2 = 2 ** log2n;
  a[0] = floorTo(a[0]! + (a[0]! >= 0 ? prnd2 : prnd2 - 1), 2 * prnd2);
  let nxtop = 1;
  let nytop = 1;
  let nxf = nx;
  let nyf = ny;
  let c = 1 << log2n;
  for (let k = log2n - 1; k >= 0; k--) {
    const bit0 = 2 ** k;
    const bit1 = 2 * bit0;
    const prnd0 = k > 0 ? bit0 / 2 : 0;
    const nrnd0 = k > 0 ? prnd0 - 1 : 0;
    const prnd1 = bit0;
    const nrnd1 = prnd1 - 1;
    const div = k === 0 ? 4 : 2;
    c >>= 1;
    nxtop <<= 1;
    nytop <<= 1;
    if (nxf <= c) nxtop -= 1;
    else nxf -= c;
    if (nyf <= c) nytop -= 1;
    else nyf -= c;
    for (let i = 0; i < nxtop; i++) unshuffle(a, ny * i, nytop, 1, tmp);
    for (let j = 0; j < nytop; j++) unshuffle(a, j, nxtop, ny, tmp);
    const oddx = nxtop % 2;
    const oddy = nytop % 2;
    let i = 0;
    for (; i < nxtop - oddx; i += 2) {
      let s00 = ny * i;
      let s10 = s00 + ny;
      for (let j = 0; j < nytop - oddy; j += 2) {
        const h0 = a[s00]!;
        let hx = floorTo(a[s10]! + (a[s10]! >= 0 ? prnd1 : nrnd1), bit1);
        let hy = floorTo(a[s00 + 1]! + (a[s00 + 1]! >= 0 ? prnd1 : nrnd1), bit1);
        const hc = floorTo(a[s10 + 1]! + (a[s10 + 1]! >= 0 ? prnd0 : nrnd0), bit0);
        const lowbit0 = bitOf(hc, bit0);
        hx = hx >= 0 ? hx - lowbit0 : hx + lowbit0;
        hy = hy >= 0 ? hy - lowbit0 : hy + lowbit0;
        const lowbit1 = (bitOf(hc, bit1) ^ bitOf(hx, bit1) ^ bitOf(hy, bit1)) === 0 ? 0 : bit1;
        const g0 = h0 >= 0 ? h0 + lowbit0 - lowbit1 : h0 + (lowbit0 === 0 ? lowbit1 : lowbit0 - lowbit1);
        a[s10 + 1] = Math.floor((g0 + hx + hy + hc) / div);
        a[s10] = Math.floor((g0 + hx - hy - hc) / div);
        a[s00 + 1] = Math.floor((g0 - hx + hy - hc) / div);
        a[s00] = Math.floor((g0 - hx - hy + hc) / div);
        s00 += 2;
        s10 += 2;
      }
      if (oddy) {
        let h0 = a[s00]!;
        const hx = floorTo(a[s10]! + (a[s10]! >= 0 ? prnd1 : nrnd1), bit1);
        const lowbit1 = bitOf(hx, bit1);
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        a[s10] = Math.floor((h0 + hx) / div);
        a[s00] = Math.floor((h0 - hx) / div);
      }
    }
    if (oddx) {
      let s00 = ny * i;
      for (let j = 0; j < nytop - oddy; j += 2) {
        let h0 = a[s00]!;
        const hy = floorTo(a[s00 + 1]! + (a[s00 + 1]! >= 0 ? prnd1 : nrnd1), bit1);
        const lowbit1 = bitOf(hy, bit1);
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        a[s00 + 1] = Math.floor((h0 + hy) / div);
        a[s00] = Math.floor((h0 - hy) / div);
        s00 += 2;
      }
      if (oddy) a[s00] = Math.floor(a[s00]! / div);
    }
  }
}

/**
 * Decode one HCOMPRESS_1 tile of `npix` pixels into out[0..npix) (row-major, the tile's first
 * axis fastest). `smooth` is the SMOOTH parameter (ZNAME/ZVAL).
 */
export function hcompressDecompress(bytes: Uint8Array, out: Int32Array, npix: number, smooth: number, what: string, wide = false): void {
  if (bytes.length < 25 || bytes[0] !== 0xdd || bytes[1] !== 0x99) {
    throw new FitsError('BAD_DATA', `${what}: not an HCOMPRESS stream (no 0xDD 0x99 magic code)`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nx = dv.getInt32(2);
  const ny = dv.getInt32(6);
  const scale = dv.getInt32(10);
  if (nx <= 0 || ny <= 0 || nx * ny !== npix) throw new FitsError('BAD_DATA', `${what}: the HCOMPRESS stream is ${nx} x ${ny} pixels, not the ${npix} of the tile`);
  if (smooth !== 0 && scale > 1) throw new FitsError('UNSUPPORTED', `${what}: HCOMPRESS smoothing (SMOOTH = ${smooth}) is not supported`);
  const sumall = Number(dv.getBigInt64(14));
  const planes = [bytes[22]!, bytes[23]!, bytes[24]!];
  if (planes.some((p) => p > (wide ? 52 : 32))) throw new FitsError('BAD_DATA', `${what}: HCOMPRESS bit-plane counts ${planes.join(', ')} exceed ${wide ? 52 : 32}`);
  if (out.length < npix) throw new FitsError('BAD_DATA', `${what}: ${npix} pixels do not fit the tile buffer`);
  // 16-bit and 8-bit images: 32-bit arithmetic in place; 32-bit and quantized float images: 64-bit
  // arithmetic, done exactly in float64
  const a = wide ? new Float64Array(npix) : out.subarray(0, npix);
  a.fill(0);
  const r = new Bits(bytes, 25, what);
  const nx2 = (nx + 1) >> 1;
  const ny2 = (ny + 1) >> 1;
  quadtreeDecode(r, a, 0, ny, nx2, ny2, planes[0]!, what);
  quadtreeDecode(r, a, ny2, ny, nx2, ny >> 1, planes[1]!, what);
  quadtreeDecode(r, a, ny * nx2, ny, nx >> 1, ny2, planes[1]!, what);
  quadtreeDecode(r, a, ny * nx2 + ny2, ny, nx >> 1, ny >> 1, planes[2]!, what);
  if (r.bits(4) !== 0) throw new FitsError('BAD_DATA', `${what}: the HCOMPRESS bit planes do not end with a 0 code`);
  r.restart();
  for (let i = 0; i < npix; i++) if (a[i] !== 0 && r.bit()) a[i] = -a[i]!;
  a[0] = sumall;
  if (scale > 1) for (let i = 0; i < npix; i++) a[i] = a[i]! * scale;
  if (a instanceof Int32Array) {
    inverseH(a, nx, ny);
    return;
  }
  inverseHWide(a, nx, ny);
  for (let i = 0; i < npix; i++) {
    const v = a[i]!;
    if (!(v >= -2147483648 && v <= 2147483647)) throw new FitsError('BAD_DATA', `${what}: HCOMPRESS pixel ${i} decodes to ${v}, outside 32-bit integers`);
    out[i] = v;
  }
}
