// Browser tests (`*.browser.test.ts`) in real headless Chromium with WebGPU (SwiftShader), through
// @web/test-runner + its playwright launcher driving the system Chromium (never a downloaded one).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { launchOptions } from './scripts/chromium.mjs';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';

// Real test data that CI has beside the clone (../shared/data), served read-only at /shared/.
const SHARED = resolve('..', 'shared');
async function serveShared(ctx, next) {
  if (!ctx.path.startsWith('/shared/')) return next();
  const file = resolve(SHARED, '.' + decodeURIComponent(ctx.path.slice('/shared'.length)));
  if (!file.startsWith(SHARED + sep) || !existsSync(file) || !statSync(file).isFile()) {
    ctx.status = 404;
    return;
  }
  ctx.type = file.endsWith('.jpg') ? 'image/jpeg' : file.endsWith('.webp') ? 'image/webp' : 'text/plain';
  ctx.body = createReadStream(file);
}

export default {
  files: ['src/**/*.browser.test.ts', 'test/browser/**/*.browser.test.ts'],
  nodeResolve: true,
  rootDir: '.',
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 300_000,
  browserStartTimeout: 60_000,
  testFramework: { config: { timeout: 60_000 } },
  middleware: [serveShared],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' })],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: launchOptions(),
    }),
  ],
};
