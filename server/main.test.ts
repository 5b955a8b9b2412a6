import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { describe, it, expect, vi } from 'vitest';
import { loadConfig } from './config.js';
import { installShutdown, startServer } from './main.js';

/** GET with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url + path, { method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.path = path;
    req.on('error', reject);
    req.end();
  });
}

describe('real listen', () => {
  it('listens on a free port, answers over HTTP, and closes gracefully on SIGTERM', async () => {
    const config = { ...loadConfig({}), port: 0, host: '127.0.0.1' };
    const { app, url, port } = await startServer(config, { logger: false });
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${port}`);

    const res = await fetch(`${url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', version: config.version });

    const tile = await fetch(`${url}/hips/swe_milkyway/Norder0/Dir0/Npix0.webp`);
    expect(tile.status).toBe(200);
    expect(tile.headers.get('content-type')).toBe('image/webp');
    expect(tile.headers.get('access-control-allow-origin')).toBe('*');
    await tile.arrayBuffer();

    const list = await fetch(`${url}/hips/hipslist`);
    const serviceUrls = (await list.text())
      .split('\n')
      .filter((line) => line.startsWith('hips_service_url'))
      .map((line) => line.split('=')[1]!.trim());
    expect(serviceUrls).toContain(`${url}/hips/swe_milkyway`);

    const traversal = await rawGet(url, '/hips/../package.json');
    expect([400, 404]).toContain(traversal.status);
    expect(traversal.body).not.toContain('"esasky-sky"');

    const exit = vi.fn<(code: number) => void>();
    const uninstall = installShutdown(app, exit);
    try {
      process.emit('SIGTERM', 'SIGTERM');
      await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0), { timeout: 10_000 });
      expect(app.server.listening).toBe(false);
      await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    } finally {
      uninstall();
    }
  });

  it('a second signal forces the exit while close is stuck', async () => {
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const stuck = { log, close: () => new Promise<undefined>(() => undefined) };
    const exit = vi.fn<(code: number) => void>();
    const uninstall = installShutdown(stuck as unknown as FastifyInstance, exit);
    try {
      process.emit('SIGINT', 'SIGINT');
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGINT', 'SIGINT');
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      uninstall();
    }
  });

  it('reports a busy port as EADDRINUSE', async () => {
    const first = await startServer({ ...loadConfig({}), port: 0 }, { logger: false });
    try {
      await expect(startServer({ ...loadConfig({}), port: first.port }, { logger: false })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await first.app.close();
    }
  });
});
