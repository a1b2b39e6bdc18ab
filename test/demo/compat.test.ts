/**
 * The demo against the five compatibility APIs, in process: the demo is loaded
 * into a real DuckDB store (at the tests' fixed "now"), then each API is called
 * once with the demo read key, and its figures are compared with the same
 * figures worked out here, naively, from the generated events and actors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surfaces } from '../../src/compat/index.js';
import { generateDemo } from '../../src/demo/generate.js';
import { loadDemo } from '../../src/demo/load.js';
import type { DemoEvent } from '../../src/demo/timeline.js';
import { makeApp, NOW, type TestApp } from '../helpers.js';

const DAY = 86_400_000;
/** The range every call asks: the 30 UTC days Oct 21 - Nov 19, 2026 (NOW is Nov 20, 12:00 UTC). */
const FROM = Date.UTC(2026, 9, 21);
const TO = Date.UTC(2026, 10, 20);
const demo = generateDemo({ nowMs: NOW });
const ms = (e: DemoEvent): number => Math.round(e.time * 1000);
const utcDay = (t: number): string => new Date(t).toISOString().slice(0, 10);
const days: string[] = Array.from({ length: 30 }, (_, k) => utcDay(FROM + k * DAY));
const inRange = (e: DemoEvent): boolean => ms(e) >= FROM && ms(e) < TO;

let t: TestApp;
let key: string;
beforeAll(async () => {
  t = await makeApp({ surfaces });
  const summary = await loadDemo(t.store, { nowMs: NOW });
  expect(summary.accepted).toBe(demo.events.length);
  key = await t.newKey('read', summary.roots);
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe('the demo through each compatibility API', () => {
  it('VIKTOR: daily actives and headcount of users and developers', async () => {
    const res = await t.call('GET', `/api/statistics/?stats_type=users&start=${days[0]}&end=${days[29]}`, {
      key,
    });
    expect(res.statusCode, res.body).toBe(200);
    const users = res.json<{
      users: {
        total_users: { count: number }[];
        daily_active_users: { per_day: { count: number }[] };
      };
    }>().users;
    const kind = new Map(demo.actors.map((a) => [`${a.org}/${a.id}`, a.kind ?? 'user']));
    const person = (org: string, actor: string) =>
      ['user', 'developer'].includes(kind.get(`${org}/${actor}`) ?? 'user');
    const perDay = days.map((d) => {
      const active = new Set<string>();
      for (const e of demo.events) {
        const ws = e.dims?.['workspace_type'];
        if (e.type !== 'activity' || !e.actor || !person(e.org, e.actor) || utcDay(ms(e)) !== d) continue;
        if (ws === undefined || ws === 'standard') active.add(`${e.org}/${e.actor}`);
      }
      return active.size;
    });
    expect(users.daily_active_users.per_day.map((r) => r.count)).toEqual(perDay);
    expect(
      Math.min(...perDay.filter((_, k) => new Date(FROM + k * DAY).getUTCDay() % 6 !== 0)),
    ).toBeGreaterThan(10);

    // Headcount at each day's end: born (created_at, else first event) before it, not deleted before it.
    const first = new Map<string, number>();
    for (const e of demo.events) {
      if (!e.actor) continue;
      const k = `${e.org}/${e.actor}`;
      first.set(k, Math.min(first.get(k) ?? Infinity, ms(e)));
    }
    const headcount = days.map((_, i) => {
      const end = FROM + (i + 1) * DAY;
      return demo.actors.filter((a) => {
        if (!['user', 'developer'].includes(a.kind ?? 'user')) return false;
        const born = a.created_at ?? first.get(`${a.org}/${a.id}`);
        return born !== undefined && born < end && (a.deleted_at == null || a.deleted_at >= end);
      }).length;
    });
    expect(users.total_users.map((r) => r.count)).toEqual(headcount);
    expect(headcount[29]!).toBeGreaterThan(headcount[0]!); // people join during the period
  });

  it('FileSpin: API calls per UTC day of usergroup 4021', async () => {
    const q = `start_time=${FROM / 1000}&end_time=${TO / 1000 - 1}&usergroup_id=4021`;
    const res = await t.call('GET', `/api/v1/stats/timeseries/api?${q}`, { key });
    expect(res.statusCode, res.body).toBe(200);
    const counts = new Map<string, number>();
    for (const e of demo.events)
      if (e.org === '4021' && e.type === 'api.request' && inRange(e))
        counts.set(utcDay(ms(e)), (counts.get(utcDay(ms(e))) ?? 0) + 1);
    const expected = days.map((d) => ({ timestamp: Date.parse(d) / 1000, value: counts.get(d) ?? 0 }));
    expect(res.json<{ data: Record<string, unknown> }>().data['*']).toEqual(
      expected.filter((p) => p.value > 0),
    );
    expect(expected.every((p) => p.value > 20)).toBe(true);
  });

  it('SaferMe: reports per state and reads in channel 7001', async () => {
    const q = `channel_id=7001&start_date=${utcDay(FROM)}T00:00:00Z&end_date=${utcDay(TO)}T00:00:00Z`;
    const states = await t.call('GET', `/api/v4/analytics/reports_per_state?${q}`, { key });
    expect(states.statusCode, states.body).toBe(200);
    // Each report created in the range, at its latest state (creation or change) up to end_date.
    const latest = new Map<number, { t: number; state: number; name: string }>();
    for (const e of demo.events) {
      if (
        e.org !== '7001' ||
        (e.type !== 'report.created' && e.type !== 'report.state_changed') ||
        ms(e) > TO
      )
        continue;
      const r = Number(e.dims!['report']);
      const cur = latest.get(r);
      if (!cur || ms(e) > cur.t)
        latest.set(r, { t: ms(e), state: Number(e.dims!['state']), name: String(e.dims!['state_name']) });
    }
    const created = demo.events.filter((e) => e.org === '7001' && e.type === 'report.created' && inRange(e));
    const byState = new Map<number, { name: string; n: number }>();
    for (const e of created) {
      const s = latest.get(Number(e.dims!['report']))!;
      byState.set(s.state, { name: s.name, n: (byState.get(s.state)?.n ?? 0) + 1 });
    }
    const expected = [...byState]
      .sort((a, b) => a[0] - b[0])
      .map(([id, s]) => ({ id, name: s.name, account_id: 7001, report_count: s.n }));
    expect(states.json()).toEqual(expected);
    expect(expected.length).toBe(4);

    const reads = await t.call(
      'GET',
      `/api/v4/analytics/reports_read?${q}&fields=total_reads,unique_reads,report_readers,reports_seen`,
      { key },
    );
    const r = demo.events.filter((e) => e.org === '7001' && e.type === 'report.read' && inRange(e));
    expect(reads.json()).toEqual({
      total_reads: r.length,
      unique_reads: new Set(r.map((e) => `${e.actor}/${String(e.dims!['report'])}`)).size,
      report_readers: new Set(r.map((e) => e.actor)).size,
      reports_seen: new Set(r.map((e) => e.dims!['report'])).size,
    });
    expect(r.length).toBeGreaterThan(500);
  });

  it('Capgo: devices, bandwidth and storage of com.initech.field', async () => {
    const res = await t.call(
      'GET',
      `/statistics/app/com.initech.field/?from=${utcDay(FROM)}&to=${utcDay(TO)}`,
      { key },
    );
    expect(res.statusCode, res.body).toBe(200);
    const app = demo.events.filter((e) => e.dims?.['app'] === 'com.initech.field');
    const seen = new Set<string>();
    let bandwidth = 0;
    let stored = 0;
    const before = app.filter((e) => e.type === 'storage' && ms(e) < FROM).sort((a, b) => ms(a) - ms(b));
    stored = before.at(-1)?.value ?? 0;
    const expected = days.map((d) => {
      for (const e of app.filter((x) => utcDay(ms(x)) === d).sort((a, b) => ms(a) - ms(b))) {
        if (e.type === 'activity') seen.add(e.actor!);
        if (e.type === 'bandwidth') bandwidth += e.value!;
        if (e.type === 'storage') stored = e.value!;
      }
      return { date: d, mau: seen.size, storage: stored, bandwidth };
    });
    expect(res.json()).toEqual(expected);
    expect(expected[29]!.mau).toBeGreaterThan(200);
    expect(expected[29]!.bandwidth).toBeGreaterThan(100 * 1024 * 1024);
  });

  it('TR50: API calls per service and local day in umbrella and its plants', async () => {
    const res = await t.call('POST', '/api', {
      key,
      body: {
        h: {
          command: 'usage.api.history',
          params: { start: utcDay(FROM), end: utcDay(TO), series: 'day', includeSubOrgs: true },
        },
      },
    });
    const h = res.json<{
      h: { success: boolean; params: { ts: string[]; counters: Record<string, number[]>; total: number } };
    }>().h;
    expect(h.success, res.body).toBe(true);
    // The session's org is the read key's first org, umbrella (America/Denver); days are Denver days.
    const denver = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' });
    const counters: Record<string, number[]> = {};
    let total = 0;
    for (const e of demo.events) {
      if (!e.org.startsWith('umbrella') || e.type !== 'api.request') continue;
      const k = days.indexOf(denver.format(new Date(ms(e))));
      if (k < 0) continue;
      const s = String(e.dims!['service']);
      (counters[s] ??= days.map(() => 0))[k]!++;
      total++;
    }
    expect(h.params.ts.map((x) => x.slice(0, 10))).toEqual(days);
    expect(h.params.counters).toEqual(counters);
    expect(h.params.total).toBe(total);
    expect(Object.keys(counters).sort()).toEqual(['alarm', 'location', 'property', 'session', 'thing']);
  });
});
