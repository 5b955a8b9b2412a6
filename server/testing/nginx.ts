/**
 * Debian's nginx for tests and benchmarks: a throwaway instance in a temp prefix, either a
 * round-robin load balancer in front of archive-server processes (upstreams can be replaced on
 * the fly with a graceful reload, as in production) or a static file server for a directory
 * (the HiPS tile-throughput peer). Started in the foreground (`daemon off`), stopped with QUIT.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX_BIN = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

/** Why nginx cannot run here, or undefined when it can. */
export function nginxUnavailable(): string | undefined {
  if (!NGINX_BIN) return 'nginx is not installed (`apt-get install -y nginx-light` or `nginx`)';
  return undefined;
}

export interface NginxInstance {
  readonly url: string;
  readonly port: number;
  /** Process id of the master (its workers are its children). */
  readonly pid: number | undefined;
  /** Replace the upstream servers ("127.0.0.1:port") and reload gracefully (balancer mode). */
  setUpstreams(upstreams: readonly string[]): Promise<void>;
  /** The error log so far (for failure messages). */
  errorLog(): string;
  stop(): Promise<void>;
}

export type NginxMode =
  | { kind: 'balancer'; upstreams: readonly string[] }
  | { kind: 'static'; root: string; location: string };

function config(prefix: string, port: number, mode: NginxMode, workers: number): string {
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  const body = mode.kind === 'balancer'
    ? `
    upstream archive {
      ${mode.upstreams.map((u) => `server ${u} max_fails=1 fail_timeout=5s;`).join('\n      ')}
      keepalive 32;
    }
    server {
      listen 127.0.0.1:${port};
      # one request per client connection: a graceful reload closes the old workers' idle
      # keep-alive connections, and a client (Node's fetch) that sends on one at that moment sees a
      # reset that has nothing to do with the nodes (browsers retry such requests by themselves)
      keepalive_timeout 0;
      location / {
        proxy_pass http://archive;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        # the client's Host (with its port): links the nodes build (SAMP URLs, TAP result URLs)
        # must point at the balancer, never at a node
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        # a node that dies or refuses: the request goes to the next one (GETs are idempotent)
        proxy_next_upstream error timeout http_502 http_503 http_504;
        proxy_next_upstream_tries 3;
        proxy_connect_timeout 2s;
        add_header X-Upstream $upstream_addr always;
      }
    }`
    : `
    server {
      listen 127.0.0.1:${port};
      location ${mode.location} {
        alias ${mode.root}/;
        etag on;
        # the headers our tile answers carry (a fair peer for the tile benchmark)
        add_header Cache-Control "public, max-age=86400";
        add_header Access-Control-Allow-Origin *;
        add_header X-Content-Type-Options nosniff;
      }
    }`;
  return `${user}
worker_processes ${workers};
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { image/jpeg jpg jpeg; image/png png; image/webp webp; application/fits fits; text/plain txt; }
  default_type application/octet-stream;
  client_body_temp_path ${prefix}/tmp;
  proxy_temp_path ${prefix}/tmp;
  fastcgi_temp_path ${prefix}/tmp;
  uwsgi_temp_path ${prefix}/tmp;
  scgi_temp_path ${prefix}/tmp;
  ${body}
}
`;
}

export async function startNginx(port: number, mode: NginxMode, opts: { workers?: number } = {}): Promise<NginxInstance> {
  const why = nginxUnavailable();
  if (why) throw new Error(why);
  const prefix = mkdtempSync(join(tmpdir(), 'esasky-nginx-'));
  chmodSync(prefix, 0o755);
  const conf = join(prefix, 'nginx.conf');
  const workers = opts.workers ?? 1;
  let current = mode;
  writeFileSync(conf, config(prefix, port, current, workers));
  const test = spawnSync(NGINX_BIN!, ['-t', '-p', prefix, '-c', conf], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx rejected its configuration:\n${test.stderr}`);
  const child: ChildProcess = spawn(NGINX_BIN!, ['-p', prefix, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() - t0 > 10_000) throw new Error(`nginx did not listen on ${url} within 10 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const errorLog = (): string => {
    try {
      return readFileSync(join(prefix, 'error.log'), 'utf8') + stderr;
    } catch {
      return stderr;
    }
  };
  return {
    url,
    port,
    pid: child.pid,
    errorLog,
    async setUpstreams(upstreams) {
      if (current.kind !== 'balancer') throw new Error('setUpstreams: this nginx is a static server');
      current = { kind: 'balancer', upstreams };
      writeFileSync(conf, config(prefix, port, current, workers));
      const r = spawnSync(NGINX_BIN!, ['-p', prefix, '-c', conf, '-s', 'reload'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`nginx reload failed: ${r.stderr}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          rmSync(prefix, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGQUIT');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
