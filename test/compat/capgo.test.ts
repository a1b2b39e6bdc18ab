/**
 * Capgo statistics in-process, against stored JSON answers (test/compat/fixtures/capgo) whose
 * figures were worked out by hand from the datasets in capgo-data.ts. Errors: capgo-errors.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capgoSurface } from '../../src/compat/capgo/index.js';
import { ADMIN, makeApp, type TestApp } from '../helpers.js';
import { act, bytes, fixture, gauge, load, loadBundles, loadStats, RANGE } from './capgo-data.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp({ surfaces: [capgoSurface] });
});
afterEach(async () => {
  await t.close();
});

describe('statistics routes', () => {
  beforeEach(() => loadStats(t));

  it('app: accumulated by default, per day with noAccumulate=true, with or without the slash', async () => {
    const key = await t.newKey('read', ['acme']);
    for (const url of [`/statistics/app/com.acme.app/?${RANGE}`, `/statistics/app/com.acme.app?${RANGE}`]) {
      const res = await t.call('GET', url, { key });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(fixture('app-accumulate'));
    }
    const explicit = await t.call('GET', `/statistics/app/com.acme.app/?${RANGE}&noAccumulate=false`, {
      key,
    });
    expect(explicit.json()).toEqual(fixture('app-accumulate'));
    const perDay = await t.call('GET', `/statistics/app/com.acme.app/?${RANGE}&noAccumulate=true`, { key });
    expect(perDay.json()).toEqual(fixture('app-no-accumulate'));
  });

  it('app: an app in a sub-org is reached through the parent key', async () => {
    const key = await t.newKey('read', ['acme']);
    const res = await t.call('GET', `/statistics/app/com.eu.app/?${RANGE}`, { key });
    expect(res.json()).toEqual([
      { date: '2026-11-16', mau: 1, storage: 300, bandwidth: 0 },
      { date: '2026-11-17', mau: 1, storage: 300, bandwidth: 0 },
      { date: '2026-11-18', mau: 1, storage: 300, bandwidth: 0 },
      { date: '2026-11-19', mau: 1, storage: 300, bandwidth: 0 },
      { date: '2026-11-20', mau: 1, storage: 300, bandwidth: 10 },
    ]);
  });

  it('org: the org alone (not acme-eu), both modes, breakdown by app then date', async () => {
    const key = await t.newKey('read', ['acme']);
    const get = (q: string) => t.call('GET', `/statistics/org/acme/?${RANGE}${q}`, { key });
    expect((await get('')).json()).toEqual(fixture('org-accumulate'));
    expect((await get('&breakdown=false')).json()).toEqual(fixture('org-accumulate'));
    expect((await get('&noAccumulate=true')).json()).toEqual(fixture('org-no-accumulate'));
    expect((await get('&breakdown=true')).json()).toEqual(fixture('org-breakdown'));
    expect((await get('&breakdown=true&noAccumulate=true')).json()).toEqual(
      fixture('org-breakdown-no-accumulate'),
    );
    const noSlash = await t.call('GET', `/statistics/org/acme?${RANGE}`, { key });
    expect(noSlash.json()).toEqual(fixture('org-accumulate'));
  });

  it('user: merges every org the key reaches, by date', async () => {
    const key = await t.newKey('read', ['acme']);
    expect((await t.call('GET', `/statistics/user/?${RANGE}`, { key })).json()).toEqual(fixture('user-acme'));
    expect((await t.call('GET', `/statistics/user?${RANGE}&noAccumulate=true`, { key })).json()).toEqual(
      fixture('user-acme-no-accumulate'),
    );
    expect((await t.call('GET', `/statistics/user/?${RANGE}`)).json()).toEqual(fixture('user-admin'));
  });

  it('the running sum of the per-day series equals the default series', async () => {
    const key = await t.newKey('read', ['acme']);
    const perDay = fixture('org-no-accumulate') as { mau: number; storage: number; bandwidth: number }[];
    const running = perDay.map((_, k) => {
      const upTo = perDay.slice(0, k + 1);
      const sum = (f: 'mau' | 'storage' | 'bandwidth') => upTo.reduce((a, r) => a + r[f], 0);
      return { mau: sum('mau'), storage: sum('storage'), bandwidth: sum('bandwidth') };
    });
    const res = (await t.call('GET', `/statistics/org/acme/?${RANGE}`, { key })).json<object[]>();
    expect(res.map((r) => ({ ...r, date: undefined }))).toEqual(
      running.map((r) => ({ ...r, date: undefined })),
    );
  });

  it('a date-time from counts from that instant; from = to, or a future range, gives no rows', async () => {
    const key = await t.newKey('read', ['acme']);
    // From Nov 16 12:00:01: d1 (01:00) and d2 (12:00:00) are out, d1 at 23:59:59 is in; 100 bytes at 00:00 are out.
    // mau: 16 {d1} 1, 17 +d2 +d3 3, 18 3, 19 +d4 4, 20 4; bandwidth 50, 50, 350, 350, 375.
    const res = await t.call('GET', '/statistics/app/com.acme.app/?from=2026-11-16T12:00:01Z&to=2026-11-21', {
      key,
    });
    expect(res.json()).toEqual([
      { date: '2026-11-16', mau: 1, storage: 1000, bandwidth: 50 },
      { date: '2026-11-17', mau: 3, storage: 1200, bandwidth: 50 },
      { date: '2026-11-18', mau: 3, storage: 1200, bandwidth: 350 },
      { date: '2026-11-19', mau: 4, storage: 2000, bandwidth: 350 },
      { date: '2026-11-20', mau: 4, storage: 2000, bandwidth: 375 },
    ]);
    const same = await t.call('GET', '/statistics/app/com.acme.app/?from=2026-11-16&to=2026-11-16', { key });
    expect(same.json()).toEqual([]);
    const future = await t.call('GET', '/statistics/org/acme/?from=2026-11-21&to=2026-12-01&breakdown=true', {
      key,
    });
    expect(future.json()).toEqual({ global: [], byApp: [] });
  });

  it('accepts the key as capgkey, x-api-key, raw authorization or Bearer', async () => {
    const key = await t.newKey('read', ['acme']);
    const url = `/statistics/app/com.acme.app/?${RANGE}`;
    for (const headers of [{ capgkey: key }, { 'x-api-key': key }, { authorization: key }] as Record<
      string,
      string
    >[]) {
      const res = await t.call('GET', url, { key: null, headers });
      expect(res.json()).toEqual(fixture('app-accumulate'));
    }
    expect((await t.call('GET', url, { key })).statusCode).toBe(200);
    const admin = await t.call('GET', url, { key: null, headers: { capgkey: ADMIN } });
    expect(admin.json()).toEqual(fixture('app-accumulate'));
  });
});

describe('bundle_usage', () => {
  beforeEach(() => loadBundles(t));

  it('shares per version and day, exact to 0.1 %, forward-filled, future days 0', async () => {
    const key = await t.newKey('read', ['initech']);
    for (const slash of ['', '/']) {
      const url = `/statistics/app/com.bundle.app/bundle_usage${slash}?from=2026-11-13&to=2026-11-22`;
      const res = await t.call('GET', url, { key, headers: {} });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(fixture('bundle-usage'));
    }
  });

  it('seven equal versions: 14.3 six times, then 14.2', async () => {
    const res = await t.call(
      'GET',
      '/statistics/app/com.seven.app/bundle_usage?from=2026-11-02&to=2026-11-02',
    );
    expect(res.json()).toEqual({
      labels: ['2026-11-02'],
      datasets: ['a', 'b', 'c', 'd', 'e', 'f']
        .map((label) => ({ label, data: [14.3] }))
        .concat([{ label: 'g', data: [14.2] }]),
    });
  });

  it('date-times cover their whole days; only versions seen in the range are listed', async () => {
    const url =
      '/statistics/app/com.bundle.app/bundle_usage?from=2026-11-17T15:00:00Z&to=2026-11-18T01:00:00Z';
    expect((await t.call('GET', url)).json()).toEqual({
      labels: ['2026-11-17', '2026-11-18'],
      datasets: [
        { label: '1.0.0', data: [16.7, 28.6] },
        { label: '1.0.1', data: [16.7, 71.4] },
        { label: '1.0.2', data: [16.6, 0] },
        { label: '1.0.3', data: [50, 0] },
      ],
    });
    // Nov 16 alone: no data in the range, so no versions, and no carry from before `from`.
    const empty = await t.call(
      'GET',
      '/statistics/app/com.bundle.app/bundle_usage?from=2026-11-16&to=2026-11-16',
    );
    expect(empty.json()).toEqual({ labels: ['2026-11-16'], datasets: [] });
    // Entirely in the future: labels, no data.
    const future = await t.call(
      'GET',
      '/statistics/app/com.bundle.app/bundle_usage?from=2026-11-25&to=2026-11-26',
    );
    expect(future.json()).toEqual({ labels: ['2026-11-25', '2026-11-26'], datasets: [] });
  });
});

/** How many query plans the app has run, from /metrics (`query` is every plan run through ctx.query). */
async function plansRun(): Promise<number> {
  const body = (await t.call('GET', '/metrics', { key: null })).body;
  const line = body
    .split('\n')
    .find((l) =>
      l.startsWith('tally_store_operation_duration_seconds_count{operation="query",outcome="ok"}'),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('bundle_usage: the all-time app lookup runs only when the range has no versions', () => {
  beforeEach(() => loadBundles(t));

  it('one plan when the range has versions; two (then 401) for an unknown app, two for a quiet range', async () => {
    const before = await plansRun();
    const found = await t.call(
      'GET',
      '/statistics/app/com.bundle.app/bundle_usage?from=2026-11-17&to=2026-11-18',
    );
    expect(found.statusCode).toBe(200);
    expect((await plansRun()) - before).toBe(1);
    const unknown = await t.call(
      'GET',
      '/statistics/app/com.nope.app/bundle_usage?from=2026-11-17&to=2026-11-18',
    );
    expect(unknown.statusCode).toBe(401);
    expect((await plansRun()) - before).toBe(3);
    const quiet = await t.call(
      'GET',
      '/statistics/app/com.bundle.app/bundle_usage?from=2026-11-16&to=2026-11-16',
    );
    expect(quiet.json()).toEqual({ labels: ['2026-11-16'], datasets: [] });
    expect((await plansRun()) - before).toBe(5);
  });
});

/**
 * org edge (timezone America/New_York: Capgo days stay UTC), app com.edge.app; from=2025-12-30, to=2026-01-02
 * (across the month and year end; Dec 29 2025 already lies in ISO week 1 of 2026, which days ignore).
 *   activity x1 2025-12-31T23:30Z (Dec 31 UTC), x2 2026-01-01T02:00Z (Jan 1 UTC, still Dec 31 in New York)
 *   storage 5 on 2025-12-01 (before from); bandwidth 10 at exactly from (in), 20 at exactly to (out)
 *   -> Dec 30: mau 0, storage 5, bandwidth 10; Dec 31: 1, 5, 10; Jan 1: 2, 5, 10
 */
describe('time edges', () => {
  beforeEach(async () => {
    const E = 'com.edge.app';
    await load(t, { edge: { timezone: 'America/New_York' } }, [
      act('edge', E, 'x1', '2025-12-31T23:30:00Z'),
      act('edge', E, 'x2', '2026-01-01T02:00:00Z'),
      gauge('edge', E, 5, '2025-12-01T00:00:00Z'),
      bytes('edge', E, 10, '2025-12-30T00:00:00Z'),
      bytes('edge', E, 20, '2026-01-02T00:00:00Z'),
    ]);
  });

  it('UTC days across a year end, half-open at both ends', async () => {
    const res = await t.call('GET', '/statistics/org/edge/?from=2025-12-30&to=2026-01-02');
    expect(res.json()).toEqual([
      { date: '2025-12-30', mau: 0, storage: 5, bandwidth: 10 },
      { date: '2025-12-31', mau: 1, storage: 5, bandwidth: 10 },
      { date: '2026-01-01', mau: 2, storage: 5, bandwidth: 10 },
    ]);
    // Offset date-times are instants: [Dec 30 23:00Z, Dec 31 23:00Z) leaves out x1 (23:30Z) and the
    // 10 bytes at Dec 30 00:00Z, but still touches the UTC days Dec 30 and Dec 31.
    const offset = await t.call(
      'GET',
      '/statistics/app/com.edge.app/?from=2025-12-31T00:00:00%2B01:00&to=2026-01-01T00:00:00%2B01:00',
    );
    expect(offset.json()).toEqual([
      { date: '2025-12-30', mau: 0, storage: 5, bandwidth: 0 },
      { date: '2025-12-31', mau: 0, storage: 5, bandwidth: 0 },
    ]);
  });
});
