import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it, expect } from 'vitest';
import { ConfigError, findRepoRoot, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has defaults that work in a fresh checkout', () => {
    const config = loadConfig({});
    const pkg = JSON.parse(readFileSync(join(config.repoRoot, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    expect(pkg.name).toBe('esasky-sky');
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: join(config.repoRoot, 'var'),
      hipsDir: join(config.repoRoot, 'data', 'hips'),
      webDir: join(config.repoRoot, 'dist', 'demo'),
      logLevel: 'info',
      repoRoot: config.repoRoot,
      version: pkg.version,
      tileCacheBytes: 64 * 1024 * 1024,
      tileRevalidateMs: 5000,
      trustProxy: false,
    });
    expect(existsSync(join(config.hipsDir, 'swe_milkyway', 'properties'))).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      DATA_DIR: '/tmp/esasky-data',
      HIPS_DIR: 'relative/hips',
      WEB_DIR: '/srv/web',
      LOG_LEVEL: 'DEBUG',
    });
    expect(config.port).toBe(0);
    expect(config.host).toBe('0.0.0.0');
    expect(config.dataDir).toBe('/tmp/esasky-data');
    expect(config.hipsDir).toBe(resolve('relative/hips'));
    expect(config.webDir).toBe('/srv/web');
    expect(config.logLevel).toBe('debug');
  });

  it('takes empty values as unset', () => {
    expect(loadConfig({ PORT: '', HOST: ' ' }).port).toBe(8080);
    expect(loadConfig({ PORT: '', HOST: ' ' }).host).toBe('127.0.0.1');
  });

  it('accepts the port range ends', () => {
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    expect(loadConfig({ PORT: ' 8081 ' }).port).toBe(8081);
  });

  it.each(['abc', '65536', '-1', '80.5', '1e3', '0x50', '8080abc', '99999999999999999999'])(
    'rejects PORT=%j naming the variable and the value',
    (value) => {
      expect(() => loadConfig({ PORT: value })).toThrow(ConfigError);
      expect(() => loadConfig({ PORT: value })).toThrow(/PORT/);
      expect(() => loadConfig({ PORT: value })).toThrow(JSON.stringify(value));
    },
  );

  it('reads DATABASE_URL (PostgreSQL) and never echoes a bad one', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: ' ' }).databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@localhost:5432/esasky' }).databaseUrl).toBe(
      'postgres://u:p@localhost:5432/esasky',
    );
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/x' }).databaseUrl).toBe('postgresql://localhost/x');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(/DATABASE_URL must be a postgres/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).not.toThrow(/secret/);
  });

  it('reads the tile cache settings and names a bad one', () => {
    const config = loadConfig({ TILE_CACHE_MB: '0', TILE_REVALIDATE_MS: '250' });
    expect(config.tileCacheBytes).toBe(0);
    expect(config.tileRevalidateMs).toBe(250);
    expect(loadConfig({ TILE_CACHE_MB: '512' }).tileCacheBytes).toBe(512 * 1024 * 1024);
    expect(() => loadConfig({ TILE_CACHE_MB: '-1' })).toThrow(/TILE_CACHE_MB must be an integer from 0 to 65536, got "-1"/);
    expect(() => loadConfig({ TILE_CACHE_MB: '1.5' })).toThrow(/TILE_CACHE_MB/);
    expect(() => loadConfig({ TILE_REVALIDATE_MS: 'soon' })).toThrow(/TILE_REVALIDATE_MS.*"soon"/);
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', '::1']);
    expect(() => loadConfig({ TRUST_PROXY: 'loopback,evil.example' })).toThrow(/TRUST_PROXY.*bad item "evil.example"/);
  });

  it('rejects an unknown LOG_LEVEL and a HOST that is a URL', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL.*"verbose"/);
    expect(() => loadConfig({ HOST: 'http://localhost/' })).toThrow(/HOST/);
  });
});

describe('findRepoRoot', () => {
  it('finds the repository from the source and from the compiled layout', () => {
    const root = findRepoRoot();
    expect(findRepoRoot(join(root, 'server'))).toBe(root);
    expect(findRepoRoot(join(root, 'dist', 'server-build', 'server'))).toBe(root);
    expect(findRepoRoot(join(root, 'dist', 'server-build', 'server', 'routes'))).toBe(root);
  });

  it('says clearly when there is no esasky-sky package above', () => {
    expect(() => findRepoRoot('/')).toThrow(/esasky-sky/);
  });
});
