/**
 * On-the-fly gzip/br of text answers (HiPS properties, hipslist, metadata.xml, TSV, JSON) in an
 * onSend hook: Accept-Encoding negotiation (pure function), `Vary: Accept-Encoding`, and the
 * payload (string, Buffer or the static file stream) piped through node:zlib. Images and FITS
 * tiles are never compressed (already compressed, or served by Range). Ranged requests, HEAD,
 * non-200 answers and bodies under MIN_COMPRESS_BYTES go out as they are. A compressed answer's
 * ETag is made weak (W/"…", as `send`'s already are): the bytes differ but the representation is
 * the same, and If-None-Match compares weakly (RFC 9110 §8.8.3.2, §13.1.2), so 304s still work.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { brotliCompressSync, constants as zc, createBrotliCompress, createGzip, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type ContentCoding = 'br' | 'gzip' | 'identity';

/** Bodies smaller than this are sent as they are (the framing would eat the gain). */
export const MIN_COMPRESS_BYTES = 256;
/** Brotli quality for on-the-fly compression (11 is for precompressed files; 5 is ~gzip speed, smaller). */
const BROTLI_QUALITY = 5;

/**
 * The coding to use for an Accept-Encoding header: the acceptable one (q > 0) of br and gzip with
 * the highest q, br on a tie; `*` stands for the codings not named; identity when neither is.
 */
export function negotiateEncoding(header: string | undefined): ContentCoding {
  if (header === undefined || header.length > 1000) return 'identity';
  const q: Record<string, number> = {};
  for (const part of header.split(',')) {
    const [nameRaw, ...params] = part.split(';');
    const name = (nameRaw ?? '').trim().toLowerCase();
    if (name === '') continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      if (m) weight = Math.min(1, Number(m[1]));
    }
    q[name] = weight;
  }
  const of = (c: string): number => q[c] ?? q['*'] ?? 0;
  const br = of('br');
  const gzip = of('gzip') || of('x-gzip');
  if (br <= 0 && gzip <= 0) return 'identity';
  return br >= gzip ? 'br' : 'gzip';
}

/** Text-like media types worth compressing (not images, not FITS). */
export function isCompressibleType(contentType: string): boolean {
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    t.startsWith('text/') ||
    t === 'application/json' ||
    t === 'application/xml' ||
    t.endsWith('+xml') ||
    t.endsWith('+json') ||
    t === 'application/x-votable+xml'
  );
}

/** If-None-Match against an ETag with the weak comparison (W/ ignored on both sides; `*` matches). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const opaque = (t: string): string => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || opaque(t) === opaque(etag));
}

function addVary(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  const list = typeof vary === 'string' ? vary : Array.isArray(vary) ? vary.join(', ') : '';
  if (!/(^|,)\s*accept-encoding\s*(,|$)/i.test(list)) reply.header('vary', list ? `${list}, Accept-Encoding` : 'Accept-Encoding');
}

/** onSend step: returns the payload to send, compressed when the client and the type allow. */
export function compressPayload(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (request.method !== 'GET' || reply.statusCode !== 200 || request.headers.range !== undefined) return payload;
  if (reply.getHeader('content-encoding') !== undefined) return payload;
  if (!isCompressibleType(String(reply.getHeader('content-type') ?? ''))) return payload;
  addVary(reply);
  const isBytes = typeof payload === 'string' || Buffer.isBuffer(payload);
  const declared = Number(reply.getHeader('content-length'));
  const length = isBytes ? Buffer.byteLength(payload as string | Buffer) : declared;
  if (Number.isFinite(length) && length < MIN_COMPRESS_BYTES) return payload;
  const coding = negotiateEncoding(request.headers['accept-encoding']);
  if (coding === 'identity') return payload;
  if (!isBytes && !(payload instanceof Readable)) return payload;
  reply.header('content-encoding', coding);
  reply.removeHeader('content-length');
  const etag = reply.getHeader('etag');
  if (typeof etag === 'string' && etag.startsWith('"')) reply.header('etag', `W/${etag}`);
  const brotliParams = { [zc.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, ...(Number.isFinite(length) ? { [zc.BROTLI_PARAM_SIZE_HINT]: length } : {}) };
  if (isBytes) {
    const input = Buffer.from(payload as string | Buffer);
    return coding === 'br' ? brotliCompressSync(input, { params: brotliParams }) : gzipSync(input);
  }
  const z = coding === 'br' ? createBrotliCompress({ params: brotliParams }) : createGzip();
  pipeline(payload as Readable, z, (err) => {
    if (err) request.log.info({ err: { message: err.message } }, 'compressed stream ended early');
  });
  return z;
}
