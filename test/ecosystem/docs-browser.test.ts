/**
 * GET /docs in a real browser (Debian's chromium through playwright-core):
 * Swagger UI renders one block per operation of /openapi.json, and the page
 * loads nothing from any other origin (no CDN).
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecoApp, type EcoApp } from './app.js';

const CHROMIUM = '/usr/bin/chromium';
let t: EcoApp;
let url: string;
beforeAll(async () => {
  t = await ecoApp();
  url = await t.listen();
});
afterAll(async () => {
  await t?.close();
});

describe.runIf(existsSync(CHROMIUM))('/docs in a browser', () => {
  it('renders every operation, with nothing fetched from elsewhere', async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce(
      (n, item) =>
        n + Object.keys(item).filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k)).length,
      0,
    );
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage();
      const foreign: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(url) && !r.url().startsWith('data:')) foreign.push(r.url());
      });
      await page.goto(`${url}/docs`);
      await page.waitForSelector('.opblock', { timeout: 20_000 });
      expect(await page.locator('.opblock').count()).toBe(operations);
      expect(await page.locator('.opblock-summary-path').first().textContent()).toBeTruthy();
      expect(foreign).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
