// Saves a screenshot of the reference page (used for the README picture and for looking at it):
// node scripts/screenshot.mjs [url] [out.png]
import { chromium } from 'playwright-core';
import { launchOptions } from './chromium.mjs';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const out = process.argv[3] ?? 'docs/screenshot.png';
const browser = await chromium.launch(launchOptions());
const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
page.on('console', (m) => m.type() === 'error' && console.error('page:', m.text()));
await page.goto(url);
await page.waitForFunction(() => document.body.dataset.settled === 'true', undefined, { timeout: 60_000 });
await page.screenshot({ path: out });
await browser.close();
console.log(`wrote ${out}`);
