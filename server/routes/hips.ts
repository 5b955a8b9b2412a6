/**
 * HiPS routes:
 *  - GET /hips/hipslist            HiPS list of the surveys under HIPS_DIR (HiPS 1.0 §4.4.3)
 *  - GET /hips/<id>/<path>         the HiPS files themselves (properties, Moc.fits, tiles, Allsky)
 *  - OPTIONS /hips/*               CORS preflight
 *
 * Everything under /hips/ is readable cross-origin (other viewers load our HiPS). A missing
 * tile is a plain 404 (viewers take it as "no data there"). Text files (properties, hipslist,
 * metadata.xml, TSV, JSON) are sent gzip/br-compressed when the client accepts it (compress.ts).
 */
import { extname, posix } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.js';
import { hipslist, listHips } from '../hipsCatalog.js';
import { isUnsafePath, originOf } from '../http.js';
import { compressPayload } from '../compress.js';

export const HIPS_PREFIX = '/hips/';
export const TILE_CACHE_CONTROL = 'public, max-age=86400';
/** properties, Moc.fits and other root files change when a HiPS is updated: revalidate often. */
export const METADATA_CACHE_CONTROL = 'public, max-age=300';

/** Content types of HiPS files (the `send` defaults say image/fits and octet-stream). */
const CONTENT_TYPES: Record<string, string> = {
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.fits': 'application/fits',
  '.fit': 'application/fits',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
};

export function contentTypeOf(file: string): string | undefined {
  const base = posix.basename(file);
  if (base === 'properties') return 'text/plain; charset=utf-8';
  return CONTENT_TYPES[extname(base).toLowerCase()];
}

/**
 * The headers every 200/206/304 answer for a tile or Allsky file carries (besides validators and
 * length): what the static route's hooks set, for the tile fast path (server/tiles/fastPath.ts).
 */
export function tileHeaders(file: string): string[] {
  const type = contentTypeOf(file);
  return [
    'x-content-type-options', 'nosniff',
    'access-control-allow-origin', '*',
    'cache-control', TILE_CACHE_CONTROL,
    ...(type === undefined ? [] : ['content-type', type]),
  ];
}

function setCors(reply: FastifyReply): void {
  reply.header('access-control-allow-origin', '*');
}

/** HiPS url of `id` on this server, as the client addressed it. */
export function hipsServiceUrl(request: FastifyRequest, id: string): string {
  return `${originOf(request)}${HIPS_PREFIX}${encodeURIComponent(id)}`;
}

export async function hipsRoutes(app: FastifyInstance, config: ServerConfig): Promise<void> {
  // Every /hips/ answer, errors and 404s included, may be read cross-origin.
  app.addHook('onRequest', async (_request, reply) => {
    setCors(reply);
  });

  app.options(`${HIPS_PREFIX}*`, async (_request, reply) => {
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, HEAD, OPTIONS')
      .header('access-control-allow-headers', '*')
      .header('access-control-max-age', '86400')
      .send();
  });

  app.get(`${HIPS_PREFIX}hipslist`, async (request, reply) => {
    const entries = await listHips(config.hipsDir);
    const body = hipslist(entries, (id) => hipsServiceUrl(request, id));
    reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(body);
  });

  await app.register(fastifyStatic, {
    root: config.hipsDir,
    prefix: HIPS_PREFIX,
    decorateReply: false,
    index: false,
    list: false,
    redirect: false,
    dotfiles: 'ignore',
    // `pathName` is the decoded path below /hips/: only <id>/<file…>, no climbing, no dotfiles.
    allowedPath: (pathName) => {
      if (isUnsafePath(pathName)) return false;
      const segments = pathName.split('/').filter((s) => s !== '');
      return segments.length >= 2;
    },
  });

  // Content type and caching of served files (`send` has already set its own defaults).
  app.addHook('onSend', async (request, reply, payload) => {
    const status = reply.statusCode;
    if (status !== 200 && status !== 206 && status !== 304) return payload;
    // Only the static route has a `*` param (decoded by the router); 204 preflights stop above.
    const path = (request.params as Record<string, string | undefined>)['*'];
    if (path === undefined) return compressPayload(request, reply, payload); // the hipslist
    const type = contentTypeOf(path);
    if (type !== undefined && status !== 304) reply.header('content-type', type);
    // Tiles and Allsky files live in NorderK/; properties, Moc.fits, metadata.xml at the root.
    const tile = /(?:^|\/)Norder\d+\//.test(path);
    reply.header('cache-control', tile ? TILE_CACHE_CONTROL : METADATA_CACHE_CONTROL);
    return compressPayload(request, reply, payload);
  });
}
