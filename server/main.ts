/**
 * Entry point of `npm start`: load the configuration, build the app, listen on HOST:PORT,
 * and shut down gracefully on SIGINT/SIGTERM (a second signal, or 10 s, forces the exit).
 * `startServer` is exported for tests; `main` runs only when this file is the entry script.
 */
import { realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from './app.js';
import { ConfigError, loadConfig, type ServerConfig } from './config.js';
import { bootstrap } from './ingest/bootstrap.js';
import type { Database } from './storage/db.js';
import { openDatabase, sqlitePath } from './storage/open.js';

export const SHUTDOWN_TIMEOUT_MS = 10_000;

export interface RunningServer {
  app: FastifyInstance;
  /** http://host:port with the port actually bound (PORT=0 picks a free one). */
  url: string;
  port: number;
}

/** An address that a browser can open: IPv6 in brackets, wildcard binds shown as localhost. */
function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** Builds the app and listens on config.host:config.port. */
export async function startServer(config: ServerConfig, opts: BuildAppOptions = {}): Promise<RunningServer> {
  const app = await buildApp(config, opts);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  return { app, port: address.port, url: `http://${displayHost(config.host)}:${address.port}` };
}

/**
 * Closes the app on SIGINT/SIGTERM, then exits 0; a second signal or a close that takes more
 * than 10 s exits 1. Returns a function that removes the signal handlers.
 */
export function installShutdown(
  app: Pick<FastifyInstance, 'close' | 'log'>,
  exit: (code: number) => void = process.exit,
): () => void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      app.log.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000} s: exiting now`);
      exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    app.close().then(
      () => {
        clearTimeout(timer);
        exit(0);
      },
      (err: unknown) => {
        app.log.error({ err }, 'error while closing');
        clearTimeout(timer);
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`esasky-sky: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  let database: Database;
  try {
    database = await openDatabase(config);
    await bootstrap(database, config.repoRoot);
  } catch (err) {
    process.stderr.write(
      `esasky-sky: cannot open the database (${config.databaseUrl ? 'DATABASE_URL' : sqlitePath(config)}): ` +
        `${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  }

  let server: RunningServer;
  try {
    server = await startServer(config, { database });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      process.stderr.write(
        `esasky-sky: port ${config.port} on ${config.host} is already in use; ` +
          `stop the other server or set PORT to a free port (e.g. PORT=${config.port === 8080 ? 8081 : 8080} npm start)\n`,
      );
    } else if (code === 'EACCES') {
      process.stderr.write(
        `esasky-sky: no permission to listen on port ${config.port}; set PORT to a port above 1023\n`,
      );
    } else if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      process.stderr.write(`esasky-sky: cannot listen on HOST ${config.host} (${code}); set HOST to a local address\n`);
    } else {
      process.stderr.write(`esasky-sky: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    process.exit(1);
  }

  installShutdown(server.app);
  process.stdout.write(`esasky-sky archive server on ${server.url}\n`);
}

function isEntryScript(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryScript()) {
  main().catch((err: unknown) => {
    process.stderr.write(`esasky-sky: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
