/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temp dir, pg_ctl start on a free
 * loopback port (trust auth, fsync off), a URL to connect, and stop + remove. Uses Debian's
 * binaries (/usr/lib/postgresql/<version>/bin, package `postgresql`); as root, runs them as the
 * `postgres` user (PostgreSQL refuses to run as root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  url: string;
  stop(): void;
}

/** The bin directory of the newest installed PostgreSQL, or undefined. */
export function findPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : undefined;
}

/** Why the PostgreSQL tests cannot run here, or undefined when they can. */
export function pgUnavailable(): string | undefined {
  if (process.env['ESASKY_TEST_DATABASE_URL']) return undefined;
  if (findPgBin() === undefined) {
    return 'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): `apt-get install -y postgresql` to run these tests';
  }
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    return 'running as root and there is no `postgres` user to run the cluster as';
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster (or uses ESASKY_TEST_DATABASE_URL when set, stopping nothing).
 * @throws when the binaries fail (the message has the server log).
 */
export async function startPgCluster(): Promise<PgCluster> {
  const given = process.env['ESASKY_TEST_DATABASE_URL'];
  if (given) return { url: given, stop: () => undefined };
  const bin = findPgBin();
  if (bin === undefined) throw new Error('PostgreSQL binaries not found');
  const dir = mkdtempSync(join(tmpdir(), 'esasky-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]): void => {
    const full = join(bin, cmd);
    const r = asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8' })
      : spawnSync(full, args, { encoding: 'utf8' });
    if (r.status !== 0) {
      let log = '';
      try {
        log = readFileSync(join(dir, 'log'), 'utf8');
      } catch {
        // no log yet
      }
      throw new Error(`${cmd} failed (${r.status}): ${r.stderr}${r.stdout}${log}`);
    }
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'esasky', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const opts = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c shared_buffers=64MB',
  ].join(' ');
  run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  return {
    url: `postgres://esasky@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
