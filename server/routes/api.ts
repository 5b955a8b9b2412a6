/**
 * JSON API:
 *  - GET /api/health         {status: 'ok', version, uptimeS}
 *  - GET /api/openapi.json   OpenAPI 3.1 description of every route
 *  - GET /api/hips[?frame=]  the HiPS served here, for the page's survey selector
 * Unknown /api/* paths fall through to the app's JSON 404.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config.js';
import { listHips, summarize } from '../hipsCatalog.js';
import {
  errorSchema,
  healthSchema,
  hipsListJsonSchema,
  hipsQuerySchema,
  openApiDocument,
  type HipsFrame,
} from '../openapi.js';
import { hipsServiceUrl } from './hips.js';

interface HipsQuery {
  frame?: HipsFrame;
}

export async function apiRoutes(app: FastifyInstance, config: ServerConfig): Promise<void> {
  const document = JSON.stringify(openApiDocument(config.version));

  app.get(
    '/api/health',
    { schema: { response: { 200: healthSchema } } },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { status: 'ok', version: config.version, uptimeS: Math.round(process.uptime() * 1000) / 1000 };
    },
  );

  app.get('/api/openapi.json', async (_request, reply) => {
    reply.type('application/json; charset=utf-8').header('access-control-allow-origin', '*');
    return document;
  });

  app.get<{ Querystring: HipsQuery }>(
    '/api/hips',
    { schema: { querystring: hipsQuerySchema, response: { 200: hipsListJsonSchema, 400: errorSchema } } },
    async (request, reply) => {
      const { frame } = request.query;
      const entries = await listHips(config.hipsDir);
      const summaries = entries.map((e) => summarize(e, hipsServiceUrl(request, e.id)));
      reply.header('cache-control', 'no-cache');
      return frame === undefined ? summaries : summaries.filter((s) => s.frame === frame);
    },
  );
}
