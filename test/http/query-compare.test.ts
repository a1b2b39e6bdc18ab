/**
 * `compare` and `agg=integral` through /v1/query on both engines: GET equal to POST, the CSV's
 * compare columns byte for byte, metrics with a comparison (values objects), faults at their
 * paths, and one deadline for a whole request. Figures worked out by hand; now is
 * 2026-11-20T12:00Z (test/helpers.ts).
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/port.js';
import { ADMIN, ev, NOW } from '../helpers.js';
import { faultPath, onBothEngines, useApp, type Engine } from './query-suite.js';

const EVENTS = [
  // Gauges: 10 (asset) from the 18th, 4 (cache) from noon on the 19th.
  ev({ time: '2026-11-18T00:00:00Z', type: 'storage', value: 10, dims: { kind: 'asset' } }),
  ev({ time: '2026-11-19T12:00:00Z', type: 'storage', value: 4, dims: { kind: 'cache' } }),
  // Calls: two on the 18th, one on the 19th; one on each of the two days before; one a year before.
  ev({ time: '2026-11-18T10:00:00Z', type: 'call', value: 4 }),
  ev({ time: '2026-11-18T11:00:00Z', type: 'call', value: 2 }),
  ev({ time: '2026-11-19T10:00:00Z', type: 'call', value: 6 }),
  ev({ time: '2026-11-16T09:00:00Z', type: 'call', value: 3 }),
  ev({ time: '2026-11-17T09:00:00Z', type: 'call', value: 1 }),
  ev({ time: '2025-11-18T10:00:00Z', type: 'call', value: 8 }),
];
const DAYS = { org: 'acme', from: '2026-11-18', to: '2026-11-20', timezone: 'UTC' };

interface Point {
  start: string | null;
  value?: number | null;
  values?: Record<string, number | null>;
}
interface Answer {
  series: {
    total: unknown;
    points: Point[];
    compare?: { range: { from: string; to: string }; total: unknown; points: Point[] };
  }[];
}

function suite(engine: Engine): void {
  const app = useApp(engine, EVENTS);

  it('integral: value x held hours per day and gauge, nothing after now; GET equals POST', async () => {
    const body = { org: 'acme', type: 'storage', from: '2026-11-18', to: '2026-11-21', timezone: 'UTC' };
    const post = await app().call('POST', '/v1/query', {
      body: { ...body, agg: 'integral', per: 'dims.kind' },
    });
    expect(post.statusCode, post.body).toBe(200);
    const qs = new URLSearchParams({ ...body, agg: 'integral', per: 'dims.kind' });
    expect((await app().call('GET', `/v1/query?${qs.toString()}`)).json()).toEqual(post.json());
    const s = post.json<Answer>().series[0]!;
    // 18th: 10 x 24; 19th: 10 x 24 + 4 x 12; 20th until now (noon): 10 x 12 + 4 x 12.
    expect(s.points.map((p) => p.value)).toEqual([240, 288, 168]);
    expect(s.total).toBe(696);
    const days = { ...body, agg: 'integral', per: 'dims.kind', unit: 'day' };
    const inDays = await app().call('POST', '/v1/query', { body: days });
    expect(inDays.json<Answer>().series[0]!.points.map((p) => p.value)).toEqual([10, 12, 7]);
    // Without per, the org is one gauge: 10 until the 4 replaces it at noon on the 19th.
    const one = await app().call('POST', '/v1/query', { body: { ...body, agg: 'integral' } });
    expect(one.json<Answer>().series[0]!.points.map((p) => p.value)).toEqual([240, 168, 48]);
  });

  it('integral: 10 GB stored for 36 hours is 360 GB-hours', async () => {
    const body = {
      org: 'acme',
      type: 'storage',
      from: '2026-11-18T00:00:00Z',
      to: '2026-11-19T12:00:00Z',
      bucket: 'none',
      agg: 'integral',
      per: 'dims.kind',
      filters: [['eq', 'dims.kind', ['asset']]],
    };
    const res = await app().call('POST', '/v1/query', { body });
    expect(res.json<Answer>().series[0]!.total).toBe(360);
  });

  it('compare: previous_period and previous_year, point for point; GET equals POST', async () => {
    const body = { ...DAYS, type: 'call', compare: 'previous_period' };
    const post = await app().call('POST', '/v1/query', { body });
    expect(post.statusCode, post.body).toBe(200);
    const qs = new URLSearchParams(body);
    expect((await app().call('GET', `/v1/query?${qs.toString()}`)).json()).toEqual(post.json());
    const s = post.json<Answer>().series[0]!;
    expect(s.points.map((p) => p.value)).toEqual([2, 1]);
    expect(s.compare).toEqual({
      range: {
        from: '2026-11-16T00:00:00.000Z',
        to: '2026-11-18T00:00:00.000Z',
        from_ms: Date.UTC(2026, 10, 16),
        to_ms: Date.UTC(2026, 10, 18),
      },
      total: 2,
      points: [
        { start: '2026-11-16T00:00:00+00:00', end: '2026-11-17T00:00:00+00:00', value: 1 },
        { start: '2026-11-17T00:00:00+00:00', end: '2026-11-18T00:00:00+00:00', value: 1 },
      ],
    });
    const year = await app().call('POST', '/v1/query', { body: { ...body, compare: 'previous_year' } });
    const c = year.json<Answer>().series[0]!.compare!;
    expect([c.range.from, c.total, c.points.map((p) => [p.start, p.value])]).toEqual([
      '2025-11-18T00:00:00.000Z',
      1,
      [
        ['2025-11-18T00:00:00+00:00', 1],
        ['2025-11-19T00:00:00+00:00', 0],
      ],
    ]);
  });

  it('compare in CSV: compare_start, compare_end, compare_value (and compare_<metric>)', async () => {
    const qs = new URLSearchParams({ ...DAYS, type: 'call', compare: 'previous_period', format: 'csv' });
    const csv = await app().call('GET', `/v1/query?${qs.toString()}`);
    expect(csv.body).toBe(
      'start,end,value,compare_start,compare_end,compare_value\r\n' +
        '2026-11-18T00:00:00+00:00,2026-11-19T00:00:00+00:00,2,2026-11-16T00:00:00+00:00,2026-11-17T00:00:00+00:00,1\r\n' +
        '2026-11-19T00:00:00+00:00,2026-11-20T00:00:00+00:00,1,2026-11-17T00:00:00+00:00,2026-11-18T00:00:00+00:00,1\r\n',
    );
    const metrics = [
      { name: 'calls', type: ['call'] },
      { name: 'stored', type: ['storage'], agg: 'integral', per: ['dims.kind'] },
    ];
    const body = { ...DAYS, compare: 'previous_period', format: 'csv', metrics };
    const res = await app().call('POST', '/v1/query', { body });
    // The compared days (16th, 17th) hold no reading: nothing was stored yet.
    expect(res.body.split('\r\n')).toEqual([
      'start,end,calls,stored,compare_start,compare_end,compare_calls,compare_stored',
      '2026-11-18T00:00:00+00:00,2026-11-19T00:00:00+00:00,2,240,2026-11-16T00:00:00+00:00,2026-11-17T00:00:00+00:00,1,0',
      '2026-11-19T00:00:00+00:00,2026-11-20T00:00:00+00:00,1,288,2026-11-17T00:00:00+00:00,2026-11-18T00:00:00+00:00,1,0',
      '',
    ]);
  });

  it('metrics with compare: values objects in compare too, also where a metric had no data (sparse)', async () => {
    const metrics = [
      { name: 'calls', type: ['call'] },
      { name: 'median', type: ['call'], agg: 'p50' },
      { name: 'cheap', type: ['call'], filters: [['lt', 'value', [5]]] },
    ];
    // Sparse over the 17th-19th (the compared days are the 14th-16th). `cheap` has no call on the
    // 19th (its call is worth 6), yet the 16th, compared with it, has one (worth 3).
    const body = { ...DAYS, from: '2026-11-17', fill: 'sparse', compare: 'previous_period', metrics };
    const a = (await app().call('POST', '/v1/query', { body })).json<Answer>();
    const s = a.series[0]!;
    expect(s.points.map((p) => [p.start, p.values])).toEqual([
      ['2026-11-17T00:00:00+00:00', { calls: 1, median: 1, cheap: 1 }],
      ['2026-11-18T00:00:00+00:00', { calls: 2, median: 2, cheap: 2 }],
      ['2026-11-19T00:00:00+00:00', { calls: 1, median: 6, cheap: 0 }],
    ]);
    expect(s.compare!.total).toEqual({ calls: 1, median: 3, cheap: 1 });
    expect(s.compare!.points.map((p) => [p.start, p.values])).toEqual([
      ['2026-11-14T00:00:00+00:00', { calls: 0, median: null, cheap: 0 }],
      ['2026-11-15T00:00:00+00:00', { calls: 0, median: null, cheap: 0 }],
      ['2026-11-16T00:00:00+00:00', { calls: 1, median: 3, cheap: 1 }],
    ]);
  });
}

onBothEngines(suite);

describe('compare and integral faults', () => {
  const app = useApp(undefined, []);

  it('names the parameter at fault', async () => {
    const path = faultPath(app, DAYS);
    expect(await path({ compare: 'last_week' })).toBe('compare');
    expect(await path({ unit: 'hour' })).toBe('unit');
    expect(await path({ agg: 'integral', unit: 'week' })).toBe('unit');
    expect(await path({ agg: 'integral', window: 'cumulative' })).toBe('window');
    expect(await path({ agg: 'integral', bucket: 'hour_of_day' })).toBe('bucket');
    expect(await path({ from: '1970-01-01', to: '1970-01-02', compare: 'previous_year' })).toBe('compare');
    expect(await path({ compare: 'previous_year', metrics: [{ name: 'compare_x' }] })).toBe('metrics/0/name');
    expect(await path({ metrics: [{ name: 'g', agg: 'integral', unit: 'year' }] })).toBe('metrics/0/unit');
  });
});

describe('one deadline per request', () => {
  it('a request of several metrics times out as a whole, though each metric alone is quick', async () => {
    const real = await createStore(
      { store: 'duckdb', duckdbPath: ':memory:', queryTimeoutMs: 500 },
      () => NOW,
    );
    // Every statement takes 150 ms on a store that runs one at a time (metrics start together):
    // one metric (one statement) is well within 500 ms, five are not.
    let lane: Promise<unknown> = Promise.resolve();
    const slow = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'fetchRows')
          return (...args: Parameters<Store['fetchRows']>) => {
            const turn = lane.then(async () => {
              await new Promise((r) => setTimeout(r, 150));
              return target.fetchRows(...args);
            });
            lane = turn.catch(() => undefined);
            return turn;
          };
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const app = await createApp({ store: slow, clock: () => NOW, adminKey: ADMIN });
    try {
      const call = (metrics: unknown[]) =>
        app.inject({
          method: 'POST',
          url: '/v1/query',
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ ...DAYS, metrics }),
        });
      await app.inject({
        method: 'PUT',
        url: '/v1/orgs/acme',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        payload: '{}',
      });
      expect((await call([{ name: 'm0' }])).statusCode).toBe(200);
      const started = Date.now();
      const res = await call(Array.from({ length: 5 }, (_, k) => ({ name: `m${k}` })));
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('query_timeout');
      expect(Date.now() - started).toBeLessThan(700);
    } finally {
      await app.close();
      await real.close();
    }
  });
});
