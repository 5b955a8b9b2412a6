// Finds the Chromium that browser tests, e2e tests and benchmarks drive, and the flags that give
// it WebGPU on a machine without a GPU (SwiftShader; measured in ../shared/TESTING.md).
import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The Chromium executable, or undefined. CHROME_PATH wins when it exists. */
export function findChromium(env = process.env) {
  if (env.CHROME_PATH) return existsSync(env.CHROME_PATH) ? env.CHROME_PATH : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

/** Flags for WebGPU (render-to-texture, compute, and a WebGPU canvas) in headless Chromium. */
export function chromiumArgs() {
  return [
    '--headless=new',
    '--no-sandbox',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--use-vulkan=swiftshader',
    '--use-angle=swiftshader',
  ];
}

/** Options for playwright-core's chromium.launch() (which gives every launch a fresh profile). */
export function launchOptions(env = process.env) {
  const executablePath = findChromium(env);
  if (!executablePath) throw new Error(noChromiumMessage());
  return { executablePath, args: chromiumArgs(), ignoreDefaultArgs: ['--headless'], headless: true };
}

export function noChromiumMessage() {
  return [
    'No Chromium found for the browser tests.',
    'Install one: on Debian/Ubuntu `sudo apt-get install -y chromium`,',
    'or point CHROME_PATH at an existing Chromium/Chrome (version 120 or newer, with WebGPU).',
    '(`npx playwright install` is not needed and is not used.)',
  ].join('\n');
}
