/**
 * The dashboard's explorer on a store of someone's own events (no demo): `npm start` on an
 * empty file, page.view, signup and api.request events sent through the API at times relative
 * to today (UTC), and chromium (playwright-core) reading the explorer's table, the open last
 * bucket, the latest events, an ingest key's one plain message, and a 375 px phone layout.
 * Every expected figure below is counted by hand from the events sent.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTable, type Table } from './dashboard-check.js';
import { startServer, type Running } from './server.js';

const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
const dir = mkdtempSync(join(tmpdir(), 'tally-explorer-'));
const ADMIN = 'explorer-admin-0123456789abcdef';
let server: Running;
let browser: Browser;
let readKey = '';
let ingestKey = '';

/** Today's date in UTC plus `n` days, and a time on it. */
const day = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const at = (n: number, hhmm: string): string => `${day(n)}T${hhmm}:00Z`;
const ENDPOINT = '/api/v1/assets/{ASSET_ID}/data';

const EVENTS = [
  // page.view: 3 two days ago (actors u1, u1, u2), 1 yesterday (u3), 2 today at midnight (u1, u2), 1 long ago.
  { id: 'pv1', type: 'page.view', time: at(-2, '10:00'), actor: 'u1', dims: { path: '/' } },
  { id: 'pv2', type: 'page.view', time: at(-2, '10:05'), actor: 'u1', dims: { path: '/' } },
  { id: 'pv3', type: 'page.view', time: at(-2, '10:10'), actor: 'u2', dims: { path: '/pricing' } },
  { id: 'pv4', type: 'page.view', time: at(-1, '09:00'), actor: 'u3', dims: { path: '/pricing' } },
  { id: 'pv5', type: 'page.view', time: at(0, '00:00'), actor: 'u1', dims: { path: '/' } },
  { id: 'pv6', type: 'page.view', time: at(0, '00:00'), actor: 'u2', dims: { path: '/' } },
  { id: 'pv0', type: 'page.view', time: at(-20, '08:00'), actor: 'u9', dims: { path: '/old' } },
  // signup: plan pro three days ago and yesterday, plan free yesterday.
  { id: 'su1', type: 'signup', time: at(-3, '11:00'), actor: 'u3', dims: { plan: 'pro' } },
  { id: 'su2', type: 'signup', time: at(-1, '12:00'), actor: 'u1', dims: { plan: 'pro' } },
  { id: 'su3', type: 'signup', time: at(-1, '13:00'), actor: 'u2', dims: { plan: 'free' } },
  // Two API calls on a long path, for the heatmap and the endpoints table on a phone.
  { id: 'ap1', type: 'api.request', time: at(-2, '18:30'), dims: { service: 'assets', endpoint: ENDPOINT } },
  { id: 'ap2', type: 'api.request', time: at(-1, '23:30'), dims: { service: 'assets', endpoint: ENDPOINT } },
].map((e) => ({ ...e, org: 'shop' }));

async function admin(method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer({ TALLY_DB: join(dir, 'tally.duckdb'), TALLY_ADMIN_KEY: ADMIN }, 90_000);
  await admin('PUT', '/v1/orgs/shop', { name: 'Shop', timezone: 'UTC' });
  expect(await admin('POST', '/v1/events', EVENTS)).toEqual({ accepted: EVENTS.length, duplicates: 0 });
  readKey = String((await admin('POST', '/v1/keys', { name: 'read', role: 'read', orgs: ['shop'] }))['key']);
  ingestKey = String(
    (await admin('POST', '/v1/keys', { name: 'ingest', role: 'ingest', orgs: ['shop'] }))['key'],
  );
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  server?.signal('SIGTERM');
  await server?.exited;
  rmSync(dir, { recursive: true, force: true });
});

/** A page in UTC with the read key saved, on the last 7 days, ready. */
async function openPage(width: number): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  await context.addInitScript((key) => {
    localStorage.setItem('tally.key', key);
    localStorage.setItem('tally.dashboard', JSON.stringify({ org: null, subtree: true, preset: 7 }));
  }, readKey);
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.body.dataset['state'] === 'ready', undefined, {
    timeout: 30_000,
  });
  return page;
}

/** The 7 days of the range, oldest first, each with the given column values (0 elsewhere). */
function week(cols: string[], values: Record<number, number[]>): Table {
  const out: Table = {};
  for (let n = -6; n <= 0; n++)
    out[day(n)] = Object.fromEntries(cols.map((c, k) => [c, values[n]?.[k] ?? 0]));
  return out;
}

async function pick(page: Page, id: string, value: string, until: string): Promise<void> {
  await page.selectOption(`#${id}`, value);
  await page.waitForFunction(
    (sel) =>
      document.querySelector('[data-panel="explorer"]')?.getAttribute('data-state') === 'ready' &&
      document.querySelector(sel) !== null,
    until,
  );
}

describe('the explorer on your own events (real server, chromium)', () => {
  it('offers the org’s own types and keys, and its figures are the counts worked out by hand', async () => {
    const page = await openPage(1280);
    // Types by count in the last 7 days: page.view 6, signup 3, api.request 2.
    const types = await page.$$eval('#explore-type option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    expect(types).toEqual(['page.view', 'signup', 'api.request']);
    expect(await page.inputValue('#explore-type')).toBe('page.view');
    expect(await readTable(page, 'explorer')).toEqual(
      week(['group:page.view'], { [-2]: [3], [-1]: [1], 0: [2] }),
    );
    // Today's bucket is still growing: its row and the chart say so.
    const open = await page.$$eval('table[data-table="explorer"] tbody tr', (rs) =>
      rs.map((r) => [(r as HTMLElement).dataset['x'], (r as HTMLElement).dataset['open'] ?? null]),
    );
    expect(open.filter(([, o]) => o === 'true')).toEqual([[day(0), 'true']]);
    expect(await page.textContent(`table[data-table="explorer"] tr[data-x="${day(0)}"] th`)).toContain(
      'so far',
    );

    await pick(page, 'explore-agg', 'unique', '#explore-agg');
    expect(await readTable(page, 'explorer')).toEqual(
      week(['group:page.view'], { [-2]: [2], [-1]: [1], 0: [2] }),
    );

    await pick(page, 'explore-type', 'signup', 'table[data-table="explorer"]');
    const groups = await page.$$eval('#explore-group option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    expect(groups).toEqual(['', 'dims.plan']);
    await page.selectOption('#explore-agg', 'count');
    await pick(page, 'explore-group', 'dims.plan', 'th[data-col="group:free"]');
    expect(await readTable(page, 'explorer')).toEqual(
      week(['group:pro', 'group:free'], { [-3]: [1, 0], [-1]: [1, 1] }),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'explorer.png'), fullPage: true });

    // The latest events, newest first (the two at today's midnight by id, descending).
    const latest = await page.$$eval('table[data-table="latest"] tbody tr', (rs) =>
      rs.map((r) => (r as HTMLElement).dataset['x']),
    );
    expect(latest).toEqual(
      ['pv6', 'pv5', 'ap2', 'su3', 'su2', 'pv4', 'ap1', 'pv3', 'pv2', 'pv1', 'su1'].map((id) => `shop/${id}`),
    );
    await page.context().close();
  }, 90_000);

  it('an ingest key gets one plain message, not an error per panel', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.fill('#key', ingestKey);
    await page.click('#key-form button[type=submit]');
    await page.waitForFunction(() => document.body.dataset['state'] === 'error');
    expect(await page.textContent('#banner')).toBe(
      'This is an ingest key: it can send events but cannot read statistics. Paste a read or admin key (npm run demo prints one).',
    );
    expect(await page.$$('[data-panel][data-state="error"]')).toHaveLength(0);
    expect(await page.evaluate(() => localStorage.getItem('tally.key'))).toBeNull();
    await context.close();
  });

  it('a 375 px phone: heatmap hour labels whole, endpoint paths wrapped only after a slash', async () => {
    const page = await openPage(375);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // Each hour label shown lies wholly inside the heatmap's visible box.
    const shownHours = await page.$$eval('table[data-table="heatmap"] thead th[data-col]', (ths) =>
      ths.map((th) => th.firstChild?.textContent ?? '').filter((t) => t !== ''),
    );
    const cut = await page.$$eval('table[data-table="heatmap"] thead th[data-col]', (ths) => {
      // elementFromPoint sees only what is in the viewport.
      ths[0]!.scrollIntoView({ block: 'center' });
      const box = ths[0]!.closest('.table-wrap')!.getBoundingClientRect();
      return ths
        .map((th) => th.firstChild!)
        .filter((shown) => shown.nodeType === Node.TEXT_NODE && shown.textContent !== '')
        .map((shown) => {
          const r = document.createRange();
          r.selectNodeContents(shown);
          const t = r.getBoundingClientRect();
          // Inside the visible box, and not painted over by the next column's header.
          const top = document.elementFromPoint(t.right - 1, t.top + t.height / 2);
          const out = t.left < box.left - 0.5 || t.right > box.right + 0.5 || top !== shown.parentElement;
          return { label: shown.textContent, out };
        })
        .filter((x) => x.out);
    });
    expect(cut).toEqual([]);
    expect(shownHours).toEqual(['00', '06', '12', '18']);
    // The colour scale runs from 0 to the busiest cell (1 call).
    expect(await page.getAttribute('[data-panel="heatmap"] .colour-scale', 'data-max')).toBe('1');
    // Every piece of the path between two slashes stays on one line.
    const broken = await page.$eval('table[data-table="endpoints"] tbody th', (th) =>
      [...th.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .filter((n) => {
          const r = document.createRange();
          r.selectNodeContents(n);
          return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size > 1;
        })
        .map((n) => n.textContent),
    );
    expect(broken).toEqual([]);
    expect(await page.textContent('table[data-table="endpoints"] tbody th')).toBe(ENDPOINT);
    await page.screenshot({ path: join(ARTIFACTS, 'explorer-phone.png'), fullPage: true });
    await page.context().close();
  }, 60_000);
});
