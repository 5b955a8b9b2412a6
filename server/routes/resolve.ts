/**
 * GET /api/resolve?name=[&time=]  the position of a named object from the archive's catalogues
 * and the Solar System ephemerides (resolve/resolver.ts says the order). 404 naming what was
 * searched; 400 when a name belongs to several Solar System bodies.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http.js';
import { errorSchema } from '../openapi.js';
import { resolveQuerySchema, resolvedSchema } from '../openapiSso.js';
import type { DatabaseHandle } from '../storage/handle.js';
import { resolveName } from '../resolve/resolver.js';
import { parseInstant } from './sso.js';

export async function resolveRoutes(app: FastifyInstance, handle: DatabaseHandle): Promise<void> {
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });

  app.get<{ Querystring: { name: string; time?: string } }>(
    '/api/resolve',
    { schema: { querystring: resolveQuerySchema, response: { 200: resolvedSchema, 400: errorSchema, 404: errorSchema } } },
    async (request, reply) => {
      const { name, time } = request.query;
      const timeMs = time === undefined ? Date.now() : parseInstant(time, 'time');
      const db = await handle.get();
      const r = await resolveName(db, name.trim(), timeMs);
      if (r.found === undefined) {
        if (r.ambiguous.length > 1) {
          const labels = r.ambiguous.slice(0, 10).map((t) => (t.kind === 'small' ? t.orbit.label : t.name));
          throw new HttpError(400, `${JSON.stringify(name)} names ${r.ambiguous.length} Solar System bodies (${labels.join('; ')}): use a designation`);
        }
        throw new HttpError(404, `nothing named ${JSON.stringify(name)} was found; searched: ${r.searched.join('; ')}`);
      }
      // Solar System bodies move: their answers must not be cached
      reply.header('cache-control', r.found.source === 'sso' ? 'no-store' : 'public, max-age=3600');
      return { query: name, ...r.found };
    },
  );
}
