/**
 * The dashboard end to end, as a person meets it: `npm run demo` loads the demo
 * into its own file and prints a read key; Debian's chromium (playwright-core) opens
 * `/`, takes the key, and every panel must show exactly the figures the native
 * API answers when this test asks the same question itself. Also: the heatmap
 * against the engine's own hour-of-day and weekday histograms, the empty state,
 * the loading state, the error state for a bad key, a customer's key (expiry and event
 * types shown, panels of other types empty with the reason), and a narrow screen.
 * Screenshots go to test/artifacts/ (and docs/dashboard.png with TALLY_DOCS_SCREENSHOT=1).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, expectPanelsMatchApi, readTable, settled } from './dashboard-check.js';
import { startServer, type Running } from './server.js';

const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
const dir = mkdtempSync(join(tmpdir(), 'tally-dash-'));
let server: Running;
let browser: Browser;
let readKey: string;
const ADMIN = 'dash-admin-0123456789abcdefghij';

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // From a directory of its own and without TALLY_DB, to see where the demo goes by default.
  server = await startServer({ TALLY_ADMIN_KEY: ADMIN }, 90_000, 'demo', dir);
  for (let i = 0; i < 100 && !server.output().includes('read key'); i++)
    await new Promise((r) => setTimeout(r, 50));
  readKey = /A read key for the demo orgs .*\n\s+(tly_\S+)/.exec(server.output())?.[1] ?? '';
  api.url = server.url;
  api.key = readKey;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  server?.signal('SIGTERM');
  await server?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard (real server, chromium)', () => {
  it('npm run demo loads the demo and prints the dashboard URL and a read key', async () => {
    expect(server.output()).toMatch(/Loaded the demo dataset: [\d,]+ events/);
    expect(server.output()).toContain(`Dashboard: ${server.url}/`);
    expect(readKey).toMatch(/^tly_/);
    // The demo lives in its own file; the production default is never created.
    expect(server.output()).toContain('store: duckdb, ./data/demo.duckdb;');
    expect(existsSync(join(dir, 'data', 'demo.duckdb'))).toBe(true);
    expect(existsSync(join(dir, 'data', 'tally.duckdb'))).toBe(false);
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('<title>Tally dashboard</title>');
  });

  it('shows, for every org in the browser timezone, the figures the API answers', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: 'Pacific/Auckland',
      locale: 'en-US',
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    expect(await page.getAttribute('body', 'data-state')).toBe('nokey');
    await page.fill('#key', readKey);
    await page.click('#key-form button[type=submit]');
    await settled(page, '');
    await expectPanelsMatchApi(page, { org: null, subtree: false, tz: 'Pacific/Auckland', days: 30 });
    // People-formatted: thousands separators, bytes in units.
    expect(await page.textContent('table[data-table="endpoints"] tbody tr td[data-col="calls"]')).toMatch(
      /^\d{1,3}(,\d{3})+$/,
    );
    expect(
      await page.textContent('table[data-table="traffic-storage"] tbody tr td[data-col="storage"]'),
    ).toMatch(/^[\d.]+ (GB|TB)$/);
    expect(await page.evaluate(() => localStorage.getItem('tally.key'))).toBe(readKey);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-all-orgs.png'), fullPage: true });
    if (process.env['TALLY_DOCS_SCREENSHOT'] === '1')
      await page.screenshot({ path: join(process.cwd(), 'docs', 'dashboard.png') });

    // One org with its sub-orgs over 90 days, in the org's own timezone; then the app picker.
    await page.selectOption('#org', 'initech');
    await settled(page, 'initech');
    await page.click('[data-preset="90"]');
    await page.waitForFunction(
      () =>
        document.body.dataset['state'] === 'ready' &&
        document.querySelector('[data-preset="90"]')?.getAttribute('aria-pressed') === 'true',
    );
    await expectPanelsMatchApi(page, { org: 'initech', subtree: true, tz: 'Asia/Tokyo', days: 90 });
    await page.selectOption('#app-picker', 'com.initech.labs.beta');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-panel="versions"]')?.getAttribute('data-state') === 'ready' &&
        document.querySelector('table[data-table="versions"] th[data-col="version:0.12.0"]') !== null,
    );
    const beta = await readTable(page, 'versions');
    const days = Object.values(beta).filter((row) => Object.values(row).some((v) => v !== 0));
    for (const row of days) expect(Object.values(row).reduce((a, b) => a! + b!, 0)).toBeCloseTo(100, 6);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-initech-90d.png'), fullPage: true });

    // Empty states: an org without apps, and a range before any data.
    await page.selectOption('#org', 'northwind');
    await settled(page, 'northwind');
    expect(await page.getAttribute('[data-panel="versions"]', 'data-state')).toBe('empty');
    expect(await page.textContent('[data-panel="versions"] .status')).toContain('No app activity');
    await page.fill('#from', '2020-01-01');
    await page.fill('#to', '2020-01-31');
    await page.click('#dates button[type=submit]');
    await page.waitForFunction(
      () => document.body.dataset['from'] === '2020-01-01' && document.body.dataset['state'] === 'ready',
    );
    const states = await page.$$eval('[data-panel]', (ps) =>
      ps.map((p) => (p as HTMLElement).dataset['state']),
    );
    expect(states).toEqual(Array.from({ length: 8 }, () => 'empty'));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-empty.png'), fullPage: true });
    await context.close();
  }, 90_000);

  it('shows a loading state while the figures are on their way', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((key) => {
      localStorage.setItem('tally.key', key);
    }, readKey);
    const page = await context.newPage();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    // Hold the real answers back (they still come from the real server).
    // Queries and schemas wait; the latest-events list (also the key's read check) goes through.
    await page.route(/\/v1\/(query|schema)(\?|$)/, async (route) => {
      await gate;
      await route.continue();
    });
    await page.goto(`${server.url}/`);
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-panel]:not([data-panel="latest"])[data-state="loading"]').length ===
        7,
    );
    expect(await page.textContent('[data-panel="active-users"] .status')).toBe('Loading…');
    expect(await page.getAttribute('[data-panel="heatmap"]', 'aria-busy')).toBe('true');
    release();
    await settled(page, '');
    expect(await page.getAttribute('body', 'data-state')).toBe('ready');
    await context.close();
  });

  it('shows the error state for a bad key and keeps the good one', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((key) => {
      if (!sessionStorage.getItem('seeded')) {
        localStorage.setItem('tally.key', key);
        sessionStorage.setItem('seeded', '1');
      }
    }, readKey);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await settled(page, '');
    await page.fill('#key', 'tly_not_a_key_at_all');
    await page.click('#key-form button[type=submit]');
    await page.waitForFunction(() => document.body.dataset['state'] === 'error');
    expect(await page.isVisible('#banner')).toBe(true);
    // One message, in the banner; the panels keep the saved key's figures rather than repeating it.
    expect(await page.textContent('#banner')).toMatch(/key was refused \(401\).*still in use/);
    const states = await page.$$eval('[data-panel]', (ps) =>
      ps.map((p) => (p as HTMLElement).dataset['state']),
    );
    expect(states).toHaveLength(8);
    expect(states.filter((st) => st === 'error')).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem('tally.key'))).toBe(readKey);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-bad-key.png'), fullPage: true });
    await context.close();
  });

  it("shows a customer key's expiry and event types; panels of other types say why they are empty", async () => {
    // A portal key: one org, api.request only, expiring at midnight UTC 30 days ahead.
    const DAY = 86_400_000;
    const expires = new Date(Math.floor(Date.now() / DAY) * DAY + 30 * DAY);
    const made = await fetch(`${server.url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'portal',
        role: 'read',
        orgs: ['4021'],
        types: ['api.request'],
        expires_at: expires.toISOString(),
      }),
    });
    expect(made.status).toBe(201);
    const portalKey = ((await made.json()) as { key: string }).key;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.fill('#key', portalKey);
    await page.click('#key-form button[type=submit]');
    await settled(page, '');
    expect(await page.getAttribute('body', 'data-state')).toBe('ready');
    expect(await page.getAttribute('body', 'data-key-expires')).toBe(expires.toISOString());
    expect(await page.getAttribute('body', 'data-key-types')).toBe('api.request');
    const day = expires.toISOString().slice(0, 10);
    expect(await page.textContent('#key-info')).toBe(
      `read key \u201cportal\u201d \u00b7 expires ${day} 00:00 UTC \u00b7 event types: api.request`,
    );
    const state = (id: string) => page.getAttribute(`[data-panel="${id}"]`, 'data-state');
    const status = (id: string) => page.textContent(`[data-panel="${id}"] .status`);
    expect(await state('traffic-storage')).toBe('empty');
    expect(await status('traffic-storage')).toBe('This key does not read bandwidth events.');
    expect(await state('versions')).toBe('empty');
    expect(await status('versions')).toBe('This key does not read activity events.');
    for (const id of ['api-services', 'endpoints', 'heatmap', 'explorer', 'latest'])
      expect(await state(id)).toBe('ready');
    // The explorer offers only the key's types; the latest events are all of them.
    expect(
      await page.$$eval('#explore-type option', (os) => os.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual(['api.request']);
    const types = await page.$$eval('[data-panel="latest"] tbody tr', (rows) =>
      rows.map((r) => r.querySelectorAll('td')[0]?.textContent ?? ''),
    );
    expect(types.length).toBeGreaterThan(0);
    expect(new Set(types)).toEqual(new Set(['api.request']));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-portal-key.png'), fullPage: true });
    await context.close();
  });

  it('fits a narrow screen', async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 800 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
    });
    await context.addInitScript((key) => {
      localStorage.setItem('tally.key', key);
    }, readKey);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await settled(page, '');
    const width = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      view: window.innerWidth,
    }));
    expect(width.page).toBeLessThanOrEqual(width.view);
    const panelWidths = await page.$$eval('[data-panel]', (ps) =>
      ps.map((p) => p.getBoundingClientRect().right),
    );
    for (const right of panelWidths) expect(right).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-narrow.png'), fullPage: true });
    await context.close();
  });
});
