/**
 * Server configuration from the environment.
 *
 * Every setting has a default that works in a fresh checkout, so `npm start` needs no
 * environment at all. Paths are resolved against the current directory when relative;
 * the defaults are resolved against the repository root, found from this file's location
 * (works from server/*.ts under vitest and from dist/server-build/server/*.js).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServerConfig {
  /** TCP port to listen on (0 = any free port). */
  port: number;
  /** Interface to bind (127.0.0.1 by default: not exposed on the network). */
  host: string;
  /** Writable state: the SQLite database (DATA_DIR/esasky.sqlite) when DATABASE_URL is unset. */
  dataDir: string;
  /** PostgreSQL connection URL (DATABASE_URL); unset = the embedded SQLite file. */
  databaseUrl?: string;
  /** Root of the HiPS directories served under /hips/. */
  hipsDir: string;
  /** The built reference page served at /. */
  webDir: string;
  logLevel: LogLevel;
  /** Repository root (directory of the esasky-sky package.json). */
  repoRoot: string;
  /** Version from package.json. */
  version: string;
  /** Bytes of HiPS tiles the tile fast path keeps in memory (TILE_CACHE_MB; 0 = read every time). */
  tileCacheBytes: number;
  /** How long a cached tile is served before its file is checked again (TILE_REVALIDATE_MS). */
  tileRevalidateMs: number;
  /**
   * Proxies whose X-Forwarded-Proto/Host/For are believed (TRUST_PROXY, fastify's trustProxy):
   * false (default: absolute links use the Host header and http), true (any), or
   * addresses/CIDRs/`loopback`/`linklocal`/`uniquelocal`.
   */
  trustProxy: boolean | string[];
}

/** A setting has a value we cannot use; the message names the variable and the value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const PACKAGE_NAME = 'esasky-sky';

/** Walks up from `start` to the directory whose package.json is named esasky-sky. */
export function findRepoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown };
        if (parsed.name === PACKAGE_NAME) return dir;
      } catch {
        // not JSON: keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new ConfigError(
        `cannot find the ${PACKAGE_NAME} repository root (a package.json named "${PACKAGE_NAME}") above ${start}`,
      );
    }
    dir = parent;
  }
}

function readVersion(repoRoot: string): string {
  const parsed = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}

/** Empty or whitespace-only values count as unset. */
function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return 8080;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function parseHost(raw: string | undefined): string {
  if (raw === undefined) return '127.0.0.1';
  if (/[\s/?#@]/.test(raw)) {
    throw new ConfigError(`HOST must be a host name or IP address, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function parseDatabaseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//i.test(raw)) {
    // never echo the value: it may hold a password
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  return raw;
}

function parseLogLevel(raw: string | undefined): LogLevel {
  if (raw === undefined) return 'info';
  const level = raw.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return level as LogLevel;
}

function parseNonNegativeInt(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > max) {
    throw new ConfigError(`${name} must be an integer from 0 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

const PROXY_ITEM = /^(?:loopback|linklocal|uniquelocal|[0-9.]+(?:\/\d{1,2})?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:\/\d{1,3})?)$/;

function parseTrustProxy(raw: string | undefined): boolean | string[] {
  if (raw === undefined || /^(false|0|no|off)$/i.test(raw)) return false;
  if (/^(true|yes|on)$/i.test(raw)) return true;
  const items = raw.split(',').map((x) => x.trim());
  const bad = items.find((x) => !PROXY_ITEM.test(x));
  if (bad !== undefined) {
    throw new ConfigError(
      `TRUST_PROXY must be true, false or a comma-separated list of addresses/CIDRs/loopback/linklocal/uniquelocal, got ${JSON.stringify(raw)} (bad item ${JSON.stringify(bad)})`,
    );
  }
  return items;
}

/**
 * Reads PORT, HOST, DATA_DIR, DATABASE_URL, HIPS_DIR, WEB_DIR, LOG_LEVEL, TILE_CACHE_MB,
 * TILE_REVALIDATE_MS and TRUST_PROXY.
 * @throws ConfigError naming the variable and its value when a setting is invalid.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const repoRoot = findRepoRoot();
  const dir = (name: string, fallback: string): string => resolve(setting(env, name) ?? fallback);
  const databaseUrl = parseDatabaseUrl(setting(env, 'DATABASE_URL'));
  return {
    port: parsePort(setting(env, 'PORT')),
    host: parseHost(setting(env, 'HOST')),
    dataDir: dir('DATA_DIR', join(repoRoot, 'var')),
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    hipsDir: dir('HIPS_DIR', join(repoRoot, 'data', 'hips')),
    webDir: dir('WEB_DIR', join(repoRoot, 'dist', 'demo')),
    logLevel: parseLogLevel(setting(env, 'LOG_LEVEL')),
    repoRoot,
    version: readVersion(repoRoot),
    tileCacheBytes: parseNonNegativeInt('TILE_CACHE_MB', setting(env, 'TILE_CACHE_MB'), 64, 65536) * 1024 * 1024,
    tileRevalidateMs: parseNonNegativeInt('TILE_REVALIDATE_MS', setting(env, 'TILE_REVALIDATE_MS'), 5000, 86_400_000),
    trustProxy: parseTrustProxy(setting(env, 'TRUST_PROXY')),
  };
}
