/**
 * Builds the fastify application: logging, JSON errors, and the route groups
 * (server/routes/*.ts, one encapsulated plugin each). Does not listen: see main.ts.
 */
import { createServer, type Server, type ServerOptions } from 'node:http';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import type { ServerConfig } from './config.js';
import { pathOf, reasonOf } from './http.js';
import { apiRoutes } from './routes/api.js';
import { hipsRoutes, tileHeaders } from './routes/hips.js';
import { TileCache } from './tiles/tileCache.js';
import { TileFastPath } from './tiles/fastPath.js';
import { webRoutes } from './routes/web.js';
import { catalogueRoutes } from './routes/catalogues.js';
import { catalogueHipsRoutes } from './routes/catalogueHips.js';
import { scsRoutes } from './routes/scs.js';
import { ssoRoutes } from './routes/sso.js';
import { resolveRoutes } from './routes/resolve.js';
import { tapRoutes } from './routes/tap.js';
import { esaskyTapRoutes } from './routes/esaskyTap.js';
import { coverageRoutes } from './routes/coverage.js';
import { productsRoutes } from './routes/products.js';
import type { Database } from './storage/db.js';
import { DatabaseHandle } from './storage/handle.js';
import { openDatabase } from './storage/open.js';
import { bootstrap } from './ingest/bootstrap.js';

export interface BuildAppOptions {
  /** fastify/pino logger options; `false` silences logging (tests). Default: JSON logs at config.logLevel. */
  logger?: FastifyServerOptions['logger'];
  /**
   * The archive database, already open (closed with the app). Default: the configured one
   * (DATABASE_URL or DATA_DIR/esasky.sqlite), opened on first use and filled with the shipped
   * data if it has never been.
   */
  database?: Database;
}

function statusOf(error: FastifyError): number {
  const status = error.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

/** The client-facing message of a 4xx: validation errors name the unknown parameter too. */
function clientMessage(error: FastifyError): string {
  const v = error.validation;
  const extra = v?.find((e) => e.keyword === 'additionalProperties');
  const name = (extra?.params as { additionalProperty?: unknown } | undefined)?.additionalProperty;
  if (typeof name === 'string') {
    return `${error.validationContext ?? 'request'} must NOT have additional properties: unknown parameter ${JSON.stringify(name)}`;
  }
  return error.message;
}

/** The server options fastify resolves (with its defaults) and applies to the servers it makes. */
interface FastifyTimeouts {
  http?: ServerOptions;
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  maxRequestsPerSocket?: number;
}

/** Largest tile or Allsky file kept by the tile fast path's cache (bigger ones are streamed). */
export const MAX_CACHED_TILE_BYTES = 8 * 1024 * 1024;

export async function buildApp(config: ServerConfig, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  // HiPS tiles are answered by node:http before fastify's router (server/tiles/fastPath.ts);
  // app.inject() bypasses the server, so injected requests always take the fastify routes.
  const tiles = new TileFastPath({
    hipsDir: config.hipsDir,
    cache: new TileCache({
      maxBytes: config.tileCacheBytes,
      maxEntryBytes: Math.min(MAX_CACHED_TILE_BYTES, config.tileCacheBytes),
      revalidateMs: config.tileRevalidateMs,
      headersFor: tileHeaders,
    }),
    log: () => app.log,
  });
  const app: FastifyInstance = Fastify({
    // the server fastify would make (same timeouts), with the tile fast path in front
    serverFactory: (handler, options): Server => {
      const o = options as FastifyTimeouts;
      const server = createServer(o.http ?? {}, (req, res) => tiles.handle(req, res, handler));
      server.keepAliveTimeout = o.keepAliveTimeout ?? 72_000;
      server.requestTimeout = o.requestTimeout ?? 0;
      server.setTimeout(o.connectionTimeout ?? 0);
      if (o.maxRequestsPerSocket !== undefined && o.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = o.maxRequestsPerSocket;
      return server;
    },
    logger: opts.logger ?? { level: config.logLevel },
    // X-Forwarded-* (absolute links, request.ip) only from the proxies TRUST_PROXY names
    trustProxy: config.trustProxy,
    // Unknown query parameters are a 400 (schemas say additionalProperties: false), not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
    // Errors found before routing (a malformed %-escape in the path): same JSON shape as the rest.
    frameworkErrors: (error, request, rawReply) => {
      const status = statusOf(error);
      request.log.info({ err: { message: error.message, code: error.code } }, 'request rejected');
      void (rawReply as FastifyReply)
        .code(status)
        .header('cache-control', 'no-store')
        .type('application/json; charset=utf-8')
        .send({ error: reasonOf(status), message: status >= 500 ? reasonOf(status) : error.message });
    },
  });

  app.addHook('onRequest', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });
  // closing: new requests go to fastify, which answers them as a closing server does
  app.addHook('preClose', async () => tiles.stop());

  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404).header('cache-control', 'no-cache');
    return { error: 'not found', path: pathOf(request) };
  });

  // Errors leave as {error, message}; 5xx details stay in the log, never in the answer.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = statusOf(error);
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ err: { message: error.message, code: error.code } }, 'request rejected');
    }
    // headers the error carries for the client (@fastify/send's 416 has Content-Range)
    const extra = (error as { headers?: unknown }).headers;
    if (status < 500 && extra !== null && typeof extra === 'object') {
      for (const [name, value] of Object.entries(extra)) {
        if (/^content-range$/i.test(name) && typeof value === 'string') reply.header('content-range', value);
      }
    }
    // sent explicitly: returning the body from an async error handler hangs when the error came
    // from a handler that awaited reply.send(error) itself (@fastify/static's 416 did)
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send({ error: reasonOf(status), message: status >= 500 ? reasonOf(status) : clientMessage(error) });
  });

  const db =
    opts.database !== undefined
      ? DatabaseHandle.of(opts.database)
      : new DatabaseHandle(async () => {
          const opened = await openDatabase(config);
          try {
            if (await bootstrap(opened, config.repoRoot, null)) app.log.info('database filled with the shipped data');
          } catch (err) {
            await opened.close();
            throw err;
          }
          return opened;
        });
  app.addHook('onClose', async () => db.close());

  await app.register(async (scope) => apiRoutes(scope, config));
  await app.register(async (scope) => catalogueRoutes(scope, db));
  await app.register(async (scope) => scsRoutes(scope, db));
  await app.register(async (scope) => coverageRoutes(scope, db));
  await app.register(async (scope) => productsRoutes(scope, db, config.dataDir));
  await app.register(async (scope) => catalogueHipsRoutes(scope, db));
  await app.register(async (scope) => ssoRoutes(scope, db));
  await app.register(async (scope) => resolveRoutes(scope, db));
  await app.register(async (scope) => tapRoutes(scope, db, config.version));
  await app.register(async (scope) => esaskyTapRoutes(scope, db, config.version));
  await app.register(async (scope) => hipsRoutes(scope, config));
  await app.register(async (scope) => webRoutes(scope, config));

  return app;
}
