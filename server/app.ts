/**
 * Builds the fastify application: logging, JSON errors, and the route groups
 * (server/routes/*.ts, one encapsulated plugin each). Does not listen: see main.ts.
 */
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import type { ServerConfig } from './config.js';
import { pathOf, reasonOf } from './http.js';
import { apiRoutes } from './routes/api.js';
import { hipsRoutes } from './routes/hips.js';
import { webRoutes } from './routes/web.js';

export interface BuildAppOptions {
  /** fastify/pino logger options; `false` silences logging (tests). Default: JSON logs at config.logLevel. */
  logger?: FastifyServerOptions['logger'];
}

function statusOf(error: FastifyError): number {
  const status = error.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

export async function buildApp(config: ServerConfig, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
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
    reply
      .code(status)
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8');
    return { error: reasonOf(status), message: status >= 500 ? reasonOf(status) : error.message };
  });

  await app.register(async (scope) => apiRoutes(scope, config));
  await app.register(async (scope) => hipsRoutes(scope, config));
  await app.register(async (scope) => webRoutes(scope, config));

  return app;
}
