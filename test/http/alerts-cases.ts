/**
 * Alerts firing and delivering (docs/alerts.md), on one engine, to a real local receiver
 * that checks every signature: the body worked out by hand, thresholds once per period
 * (even after an erasure and a re-ingest), a late event firing the previous period, DST
 * days and months, retries across a restart on the same store with one Tally-Delivery id,
 * redirects not followed, and a destination refused at send time once DNS points inside.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AlertingOptions } from '../../src/use-cases/alerting.js';
import { ClickHouseStore } from '../../src/store/clickhouse/store.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import type { Store } from '../../src/store/port.js';
import { clickhouseBaseUrl, freshDatabase } from '../clickhouse/env.js';
import { ev, makeApp, NOW, type TestApp } from '../helpers.js';
import { Receiver } from './alerts-receiver.js';

export const SECRET = 'whsec_0123456789';

/** The delivery id, computed here from the hand-worked period start. */
const idOf = (alert: string, periodStart: number, threshold: number): string =>
  `dl_${createHash('sha256').update(`${alert}\n${periodStart}\n${threshold}`).digest('hex').slice(0, 32)}`;

/** A store that a second app can reopen (a restart): a DuckDB file, or a kept ClickHouse database. */
async function reopenable(engine: 'duckdb' | 'clickhouse', clock: () => number) {
  if (engine === 'duckdb') {
    const dir = mkdtempSync(join(tmpdir(), 'tally-alerts-'));
    const open = async (): Promise<Store> => {
      const s = await DuckDbStore.open({ path: join(dir, 'tally.duckdb'), clock });
      await s.init();
      return s;
    };
    return {
      open,
      drop: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const url = `${await clickhouseBaseUrl()}/${freshDatabase()}`;
  const open = async (): Promise<Store> => {
    const s = new ClickHouseStore({ url, clock });
    await s.init();
    return s;
  };
  return {
    open,
    drop: async () => {
      const s = new ClickHouseStore({ url, clock });
      await s.dropDatabase();
      await s.close();
    },
  };
}

export function runAlertCases(engine: 'duckdb' | 'clickhouse'): void {
  let now = NOW;
  let t: TestApp;
  let rx: Receiver;
  const names = new Map<string, string>();
  const webhooks: AlertingOptions = {
    allowPrivate: true,
    timing: { retryBaseMs: 10_000 },
    tickMs: 200,
    // hooks.example.com is public until a test points it at loopback.
    lookup: (host) => Promise.resolve([{ address: names.get(host) ?? '93.184.216.34', family: 4 }]),
  };
  beforeEach(async () => {
    now = NOW;
    names.clear();
    rx = new Receiver(SECRET);
    await rx.up();
    t = await makeApp({ engine, clock: () => now, webhooks });
  });
  afterEach(async () => {
    await t.close();
    await rx.down();
  });

  const put = async (org: string, timezone: string, parent?: string) => {
    const res = await t.call('PUT', `/v1/orgs/${org}`, { body: { timezone, ...(parent ? { parent } : {}) } });
    expect(res.statusCode).toBeLessThan(300);
  };
  const create = async (over: Record<string, unknown> = {}, app = t): Promise<string> => {
    const body = {
      org: 'acme',
      name: 'API calls',
      query: { type: ['api.request'], agg: 'count' },
      period: 'day',
      thresholds: [2],
      webhook: { url: rx.url, secret: SECRET },
      ...over,
    };
    const res = await app.call('POST', '/v1/alerts', { body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const ingest = async (events: Record<string, unknown>[], app = t) => {
    const res = await app.call('POST', '/v1/events', { body: events });
    expect(res.statusCode, res.body).toBe(200);
    await app.app.ctx.alerting.settled();
  };
  const call = (type: string, time: string, org = 'acme') => ev({ type, time, org });
  const deliveries = async (id: string, app = t) =>
    (await app.call('GET', `/v1/alerts/${id}/deliveries`)).json<{ deliveries: Record<string, unknown>[] }>()
      .deliveries;
  const bodies = () => rx.received.map((r) => JSON.parse(r.body) as Record<string, unknown>);

  it('fires each threshold reached once, signed, with the body worked out by hand; status tells the rest', async () => {
    await put('acme', 'UTC');
    const id = await create({ name: 'API calls per day', thresholds: [3, 2, 5] });
    await ingest([call('api.request', '2026-11-20T01:00:00Z'), call('page.view', '2026-11-20T02:00:00Z')]);
    expect(rx.received).toEqual([]);
    await ingest([call('api.request', '2026-11-20T03:00:00Z'), call('api.request', '2026-11-20T11:59:59Z')]);
    const day = Date.UTC(2026, 10, 20);
    const expected = (threshold: number) => ({
      delivery: idOf(id, day, threshold),
      alert: id,
      name: 'API calls per day',
      org: 'acme',
      period: { from: '2026-11-20T00:00:00+00:00', to: '2026-11-21T00:00:00+00:00' },
      threshold,
      value: 3,
      fired_at: '2026-11-20T12:00:00.000Z',
    });
    expect(bodies().sort((a, b) => Number(a['threshold']) - Number(b['threshold']))).toEqual([
      expected(2),
      expected(3),
    ]);
    for (const r of rx.received) {
      expect(r.signed).toBe(true);
      expect(r.headers['tally-delivery']).toBe((JSON.parse(r.body) as { delivery: string }).delivery);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['tally-signature']).toMatch(new RegExp(`^t=${NOW / 1000},v1=`));
    }
    const listed = await deliveries(id);
    expect(listed.map((d) => [d['threshold'], d['state'], d['attempts']])).toEqual([
      [2, 'delivered', [{ at: '2026-11-20T12:00:00.000Z', status: 200, error: null }]],
      [3, 'delivered', [{ at: '2026-11-20T12:00:00.000Z', status: 200, error: null }]],
    ]);
    const status = await t.call('GET', `/v1/alerts/${id}/status`);
    expect(status.json()).toEqual({
      period: { from: '2026-11-20T00:00:00+00:00', to: '2026-11-21T00:00:00+00:00' },
      value: 3,
      thresholds: [
        { threshold: 2, fired_at: '2026-11-20T12:00:00.000Z' },
        { threshold: 3, fired_at: '2026-11-20T12:00:00.000Z' },
        { threshold: 5, fired_at: null },
      ],
      remaining: 2,
    });
  });

  it('a threshold fires once per period, even after an erasure and a re-ingest; a late event fires the previous day', async () => {
    await put('acme', 'UTC');
    const id = await create({ thresholds: [2] });
    const first = [call('api.request', '2026-11-20T01:00:00Z'), call('api.request', '2026-11-20T02:00:00Z')];
    await ingest(first);
    expect(rx.received).toHaveLength(1);
    const del = await t.call('POST', '/v1/events/delete', {
      body: { events: first.map((e) => ({ org: 'acme', id: e['id'] })) },
    });
    expect(del.statusCode, del.body).toBeLessThan(300);
    await ingest([call('api.request', '2026-11-20T05:00:00Z'), call('api.request', '2026-11-20T06:00:00Z')]);
    await t.app.ctx.alerting.watch.sweep();
    await t.app.ctx.alerting.settled();
    expect(rx.received).toHaveLength(1);
    // Yesterday, reached now by two late events: that period fires.
    await ingest([call('api.request', '2026-11-19T10:00:00Z'), call('api.request', '2026-11-19T23:00:00Z')]);
    expect(bodies().map((b) => [b['period'], b['value']])).toEqual([
      [{ from: '2026-11-20T00:00:00+00:00', to: '2026-11-21T00:00:00+00:00' }, 2],
      [{ from: '2026-11-19T00:00:00+00:00', to: '2026-11-20T00:00:00+00:00' }, 2],
    ]);
    expect(rx.received[1]!.headers['tally-delivery']).toBe(idOf(id, Date.UTC(2026, 10, 19), 2));
  });

  it('periods are calendar periods of the org: the 23-hour New York day of 2024-03-10, a London month, subtree counts', async () => {
    now = Date.UTC(2024, 2, 11, 4, 40);
    await put('ny', 'America/New_York');
    await put('ny-child', 'UTC', 'ny');
    await put('uk', 'Europe/London');
    const day = await create({ org: 'ny', subtree: true, thresholds: [3] });
    const month = await create({ org: 'uk', period: 'month', thresholds: [2] });
    // 00:30 EST (05:30Z) and 23:30 EDT (03:30Z next day) are in the day; 00:30 EDT on the 11th
    // (04:30Z) is not; 2024-03-09 23:30 EST is the day before. The child org counts for the subtree alert.
    await ingest([
      call('api.request', '2024-03-10T05:30:00Z', 'ny'),
      call('api.request', '2024-03-11T04:30:00Z', 'ny'),
      call('api.request', '2024-03-10T04:30:00Z', 'ny'),
      call('api.request', '2024-03-11T03:30:00Z', 'ny-child'),
    ]);
    expect(rx.received).toEqual([]);
    await ingest([call('api.request', '2024-03-10T15:00:00Z', 'ny')]);
    expect(bodies().map((b) => [b['alert'], b['period'], b['value']])).toEqual([
      [day, { from: '2024-03-10T00:00:00-05:00', to: '2024-03-11T00:00:00-04:00' }, 3],
    ]);
    const query = await t.call(
      'GET',
      '/v1/query?org=ny&subtree=true&type=api.request&bucket=day&from=2024-03-10&to=2024-03-11',
    );
    expect(query.json<{ series: { points: { value: number }[] }[] }>().series[0]!.points).toMatchObject([
      { value: 3 },
    ]);
    // The current New York day is the 11th, with the one event of 00:30 EDT.
    expect((await t.call('GET', `/v1/alerts/${day}/status`)).json()).toEqual({
      period: { from: '2024-03-11T00:00:00-04:00', to: '2024-03-12T00:00:00-04:00' },
      value: 1,
      thresholds: [{ threshold: 3, fired_at: null }],
      remaining: 2,
    });
    // London: 2024-03-31 23:30 BST is 22:30Z, still March; 2024-04-01 00:30 BST (23:30Z on the 31st) is April.
    now = Date.UTC(2024, 3, 1, 0, 0);
    await ingest([
      call('api.request', '2024-03-31T22:30:00Z', 'uk'),
      call('api.request', '2024-03-31T23:30:00Z', 'uk'),
      call('api.request', '2024-02-29T23:59:00Z', 'uk'),
    ]);
    expect(rx.received).toHaveLength(1);
    await ingest([call('api.request', '2024-03-01T00:00:00Z', 'uk')]);
    expect(bodies()[1]).toMatchObject({
      alert: month,
      period: { from: '2024-03-01T00:00:00+00:00', to: '2024-04-01T00:00:00+01:00' },
      value: 2,
    });
    expect((await t.call('GET', `/v1/alerts/${month}/status`)).json()).toEqual({
      period: { from: '2024-04-01T00:00:00+01:00', to: '2024-05-01T00:00:00+01:00' },
      value: 1,
      thresholds: [{ threshold: 2, fired_at: null }],
      remaining: 1,
    });
  });

  it('retries a receiver that is down across a restart on the same store: one Tally-Delivery id, every attempt listed', async () => {
    const stores = await reopenable(engine, () => now);
    await t.close();
    await rx.down();
    t = await makeApp({ store: await stores.open(), clock: () => now, webhooks });
    try {
      await put('acme', 'UTC');
      const id = await create({ thresholds: [1, 2] });
      await ingest([
        call('api.request', '2026-11-20T01:00:00Z'),
        call('api.request', '2026-11-20T02:00:00Z'),
      ]);
      const failed = await deliveries(id);
      expect(
        failed.map((d) => [d['state'], (d['attempts'] as { status: unknown }[]).map((a) => a.status)]),
      ).toEqual([
        ['pending', [null]],
        ['pending', [null]],
      ]);
      expect(failed[0]!['next_attempt_at']).toBe('2026-11-20T12:00:10.000Z');
      await t.close();
      // Up again, 10 s later, with a new Tally process on the same store.
      await rx.up();
      now += 10_000;
      t = await makeApp({ store: await stores.open(), clock: () => now, webhooks });
      await t.app.ready();
      await t.app.ctx.alerting.deliverer.kick();
      await t.app.ctx.alerting.settled();
      const ids = failed.map((d) => d['id']);
      expect(rx.received.map((r) => r.headers['tally-delivery']).sort()).toEqual([...ids].sort());
      expect(rx.received.every((r) => r.signed)).toBe(true);
      const after = await deliveries(id);
      expect(
        after.map((d) => [
          d['id'],
          d['state'],
          (d['attempts'] as { status: unknown }[]).map((a) => a.status),
        ]),
      ).toEqual(ids.map((i) => [i, 'delivered', [null, 200]]));
    } finally {
      await t.close();
      await stores.drop();
      t = await makeApp({ engine, clock: () => now, webhooks });
    }
  });

  it('a redirect is an answer, not followed; failures are retried after 10 s, then 20 s', async () => {
    await put('acme', 'UTC');
    rx.answer = { status: 302, location: '/elsewhere' };
    const id = await create({ thresholds: [1] });
    await ingest([call('api.request', '2026-11-20T01:00:00Z')]);
    const retry = async (at: number) => {
      now = at;
      await t.app.ctx.alerting.deliverer.kick();
      return (await deliveries(id))[0]!;
    };
    expect((await deliveries(id))[0]!['next_attempt_at']).toBe('2026-11-20T12:00:10.000Z');
    expect((await retry(NOW + 9_999))['attempts']).toHaveLength(1);
    expect((await retry(NOW + 10_000))['next_attempt_at']).toBe('2026-11-20T12:00:30.000Z');
    rx.answer = { status: 204 };
    const done = await retry(NOW + 30_000);
    expect([done['state'], done['next_attempt_at']]).toEqual(['delivered', null]);
    expect((done['attempts'] as { at: string; status: number }[]).map((a) => [a.at, a.status])).toEqual([
      ['2026-11-20T12:00:00.000Z', 302],
      ['2026-11-20T12:00:10.000Z', 302],
      ['2026-11-20T12:00:30.000Z', 204],
    ]);
    expect(rx.received.map((r) => r.url)).toEqual(['/hook', '/hook', '/hook']);
    expect(new Set(rx.received.map((r) => r.headers['tally-delivery'])).size).toBe(1);
  });

  it('no answer within the timeout is a failed attempt, retried after 10 s', async () => {
    await t.close();
    const timing = { ...webhooks.timing, timeoutMs: 300 };
    t = await makeApp({ engine, clock: () => now, webhooks: { ...webhooks, timing } });
    await put('acme', 'UTC');
    rx.answer = { status: 200, hang: true };
    const id = await create({ thresholds: [1] });
    await ingest([call('api.request', '2026-11-20T01:00:00Z')]);
    const [first] = await deliveries(id);
    expect([first!['state'], first!['attempts'], first!['next_attempt_at']]).toEqual([
      'pending',
      [{ at: '2026-11-20T12:00:00.000Z', status: null, error: 'no answer within 300 ms' }],
      '2026-11-20T12:00:10.000Z',
    ]);
    // The receiver got the request (it just never answered); the retry is answered.
    expect(rx.received).toHaveLength(1);
    rx.answer = { status: 200 };
    now = NOW + 10_000;
    await t.app.ctx.alerting.deliverer.kick();
    const [done] = await deliveries(id);
    expect(done!['state']).toBe('delivered');
    expect(rx.received.map((r) => r.headers['tally-delivery'])).toEqual([first!['id'], first!['id']]);
  });

  it('a destination that resolves to loopback by the time of sending is refused then', async () => {
    await t.close();
    t = await makeApp({ engine, clock: () => now, webhooks: { ...webhooks, allowPrivate: false } });
    await put('acme', 'UTC');
    // Created while hooks.example.com resolves to a public address; then DNS points it inside.
    const url = `http://hooks.example.com:${rx.port}/hook`;
    const id = await create({ thresholds: [1], webhook: { url, secret: SECRET } });
    names.set('hooks.example.com', '127.0.0.1');
    await ingest([call('api.request', '2026-11-20T01:00:00Z')]);
    const [d] = await deliveries(id);
    expect(d!['attempts']).toEqual([
      {
        at: '2026-11-20T12:00:00.000Z',
        status: null,
        error: 'hooks.example.com resolves to a loopback, private, link-local or metadata address',
      },
    ]);
    expect(rx.received).toEqual([]);
  });
}
