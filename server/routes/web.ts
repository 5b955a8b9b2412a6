/**
 * The reference page: WEB_DIR (the built demo, dist/demo by default) served at /.
 * When it has not been built, GET / answers 503 with a hint instead of a bare 404.
 * Whether WEB_DIR exists is checked once, when the app is built.
 */
import { existsSync, statSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config.js';
import { isUnsafePath } from '../http.js';

export const NOT_BUILT_MESSAGE = 'the reference page is not built: run `npm run build`';

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

export async function webRoutes(app: FastifyInstance, config: ServerConfig): Promise<void> {
  if (!isDirectory(config.webDir)) {
    app.log.warn({ webDir: config.webDir }, NOT_BUILT_MESSAGE);
    for (const url of ['/', '/index.html']) {
      app.get(url, async (_request, reply) => {
        reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store');
        return NOT_BUILT_MESSAGE + '\n';
      });
    }
    return;
  }

  await app.register(fastifyStatic, {
    root: config.webDir,
    prefix: '/',
    decorateReply: false,
    index: ['index.html'],
    list: false,
    dotfiles: 'ignore',
    allowedPath: (pathName) => !isUnsafePath(pathName),
  });
}
