// A tiny static server for the peers' bench pages (node:http, no dependencies): /pages/* from
// bench/pages and /aladin/* from node_modules/aladin-lite/dist. HiPS come from the archive server.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { REPO } from './harness.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

export const STATIC_ROOTS = {
  '/pages/': `${REPO}bench/pages`,
  '/aladin/': `${REPO}node_modules/aladin-lite/dist`,
};

/** Starts the server on 127.0.0.1 and a free port: { url, stop() }. */
export async function startStatic(roots = STATIC_ROOTS) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const prefix = Object.keys(roots).find((p) => path.startsWith(p));
    const rel = prefix ? normalize(path.slice(prefix.length)) : '';
    if (!prefix || rel.startsWith('..') || rel.includes('\0')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join(roots[prefix], rel));
      res.writeHead(200, {
        'content-type': TYPES[extname(rel)] ?? 'application/octet-stream',
        'access-control-allow-origin': '*',
        'cache-control': 'no-cache',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
