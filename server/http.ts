/** Small HTTP helpers shared by the route files. */
import type { FastifyRequest } from 'fastify';

/** Error raised by handlers: becomes `{error, message}` with this status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A Host header we are willing to echo in absolute URLs (name or IP, optional port). */
const HOST_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * `protocol://host` of this server as the client addressed it (as a trusted proxy says, with
 * TRUST_PROXY: X-Forwarded-Proto/Host).
 * @throws HttpError 400 when the Host header is missing or not a plain host[:port], or the
 * forwarded protocol is not http/https.
 */
export function originOf(request: FastifyRequest): string {
  const host = request.host;
  if (!HOST_PATTERN.test(host)) {
    throw new HttpError(400, 'missing or invalid Host header');
  }
  // protocol comes from X-Forwarded-Proto when TRUST_PROXY trusts the sender
  const protocol = request.protocol;
  if (protocol !== 'http' && protocol !== 'https') {
    throw new HttpError(400, `invalid X-Forwarded-Proto ${JSON.stringify(String(protocol).slice(0, 40))}: expected http or https`);
  }
  return `${protocol}://${host}`;
}

/** Path part of the request URL, without the query string. */
export function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Lower-case reason phrase for `{error}` bodies ("not found", "bad request", …). */
export function reasonOf(statusCode: number): string {
  const reasons: Record<number, string> = {
    400: 'bad request',
    403: 'forbidden',
    404: 'not found',
    405: 'method not allowed',
    406: 'not acceptable',
    413: 'payload too large',
    414: 'uri too long',
    415: 'unsupported media type',
    416: 'range not satisfiable',
    429: 'too many requests',
    431: 'request header fields too large',
    500: 'internal server error',
    503: 'service unavailable',
  };
  return reasons[statusCode] ?? (statusCode >= 500 ? 'server error' : 'client error');
}

/**
 * True when a path (already URL-decoded) could climb out of a static root or name a hidden
 * file: `..`/`.` segments, backslashes, NUL, or segments starting with a dot.
 */
export function isUnsafePath(pathname: string): boolean {
  if (pathname.includes('\\') || pathname.includes('\0')) return true;
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return true;
  }
  for (const p of [pathname, decoded]) {
    if (p.includes('\\') || p.includes('\0')) return true;
    if (p.split('/').some((seg) => seg.startsWith('.'))) return true;
  }
  return false;
}
