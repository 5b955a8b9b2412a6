// End to end: the page served by `npm start`'s server, in real headless Chromium with WebGPU,
// reaches a settled sky with varied pixels and no console errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
// @ts-expect-error plain ESM helper without types
import { launchOptions } from '../../scripts/chromium.mjs';
import { startServer, type RunningServer } from './serverProcess.js';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await chromium.launch(launchOptions());
});

afterAll(async () => {
  await browser?.close();
  const code = await server?.stop();
  expect(code, 'graceful shutdown exit code').toBe(0);
});

describe('reference page from the archive server', () => {
  it('shows the real sky: settled, non-blank canvas, no console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    await page.goto(`${server.url}/?target=M42&fov=100`);
    await page.waitForFunction(() => document.body.dataset.settled === 'true', undefined, { timeout: 60_000 });

    // The survey list came from the server's /api/hips.
    const options = await page.$$eval('#survey option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options.length).toBeGreaterThanOrEqual(2);

    const png = await page.locator('esasky-sky').screenshot();
    const stats = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      let sum = 0;
      let sum2 = 0;
      let nonBlack = 0;
      const n = d.length / 4;
      for (let i = 0; i < d.length; i += 4) {
        const l = (d[i] + d[i + 1] + d[i + 2]) / 3;
        sum += l;
        sum2 += l * l;
        if (l > 8) nonBlack++;
      }
      const mean = sum / n;
      return { mean, std: Math.sqrt(sum2 / n - mean * mean), nonBlackFraction: nonBlack / n, width: bitmap.width };
    }, png.toString('base64'));
    expect(stats.width).toBe(900);
    expect(stats.nonBlackFraction, JSON.stringify(stats)).toBeGreaterThan(0.3);
    expect(stats.std, JSON.stringify(stats)).toBeGreaterThan(5);
    expect(problems).toEqual([]);

    // The status line shows the view centre (M42) in sexagesimal.
    const centre = await page.textContent('#centre');
    expect(centre).toMatch(/^05h35m/);
    await page.close();
  });

  it('the target box resolves names the page does not know through /api/resolve', async () => {
    const page = await browser.newPage({ viewport: { width: 600, height: 400 } });
    await page.goto(`${server.url}/?target=M42&fov=30`);
    await page.waitForFunction(() => document.body.dataset.settled === 'true', undefined, { timeout: 60_000 });
    // Betelgeuse (α Ori, HIP 27989) is in the server's star names, not in the page's Messier table
    await page.fill('#target', 'Betelgeuse');
    await page.press('#target', 'Enter');
    await page.waitForFunction(() => /^05h55m/.test(document.getElementById('centre')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await page.textContent('#centre')).toMatch(/^05h55m1\d/);
    await page.close();
  });

  it('serves the shipped HiPS with CORS for other viewers', async () => {
    const r = await fetch(`${server.url}/hips/swe_milkyway/Norder0/Dir0/Npix4.webp`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/webp');
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
  });
});
