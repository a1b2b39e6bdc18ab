/**
 * `metrics` through /v1/query on both engines: several named figures per point in one answer,
 * totals as objects, a group one metric lacks at its empty figure, one CSV column per metric,
 * GET (URL-encoded JSON) equal to POST, and faults at their paths. Figures counted by hand.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../helpers.js';
import { faultOf, onBothEngines, useApp, type Engine } from './query-suite.js';

const EVENTS = [
  ev({ time: '2026-11-18T10:00:00Z', type: 'call', actor: 'a', value: 4, dims: { app: 'x' } }),
  ev({ time: '2026-11-18T11:00:00Z', type: 'call', actor: 'b', value: 2, dims: { app: 'x' } }),
  ev({ time: '2026-11-18T12:00:00Z', type: 'call', actor: 'a', value: 9, dims: { app: 'y' } }),
  ev({ time: '2026-11-19T10:00:00Z', type: 'call', actor: 'a', value: 6, dims: { app: 'x' } }),
  ev({ time: '2026-11-19T11:00:00Z', type: 'login', actor: 'c', dims: { app: 'x' } }),
];
const METRICS = [
  { name: 'calls', type: ['call'], agg: 'count' },
  { name: 'users', agg: 'unique', of: ['actor'] },
  { name: 'heavy', type: ['call'], agg: 'sum', filters: [['gt', 'value', [3]]] },
  { name: 'median', type: ['call'], agg: 'p50' },
];
const BASE = { org: 'acme', from: '2026-11-18', to: '2026-11-20', timezone: 'UTC', group_by: 'dims.app' };

interface Answer {
  series: {
    group: Record<string, string | null>;
    total: Record<string, number | null>;
    points: { start: string; values: Record<string, number | null>; value?: unknown }[];
  }[];
  total_groups: number;
}

function suite(engine: Engine): void {
  const app = useApp(engine, EVENTS);

  it('each point carries every metric; totals are objects; GET equals POST', async () => {
    const post = await app().call('POST', '/v1/query', { body: { ...BASE, metrics: METRICS } });
    expect(post.statusCode, post.body).toBe(200);
    const qs = new URLSearchParams({ ...BASE, metrics: JSON.stringify(METRICS) });
    const get = await app().call('GET', `/v1/query?${qs.toString()}`);
    expect(get.json()).toEqual(post.json());
    const a = post.json<Answer>();
    expect(a.total_groups).toBe(2);
    const view = a.series.map((s) => [s.group['dims.app'], s.total, s.points.map((p) => p.values)]);
    expect(view).toEqual([
      [
        'x',
        { calls: 3, users: 3, heavy: 10, median: 4 }, // values 4, 2, 6: rank 2 of 3 -> 4
        [
          { calls: 2, users: 2, heavy: 4, median: 2 }, // 4, 2: rank 1 -> 2
          { calls: 1, users: 2, heavy: 6, median: 6 }, // the login counts for users only
        ],
      ],
      [
        'y',
        { calls: 1, users: 1, heavy: 9, median: 9 },
        [
          { calls: 1, users: 1, heavy: 9, median: 9 },
          { calls: 0, users: 0, heavy: 0, median: null },
        ],
      ],
    ]);
    expect(a.series[0]!.points[0]!.value).toBeUndefined();
  });

  it('CSV: one column per metric, in the request order', async () => {
    const qs = new URLSearchParams({ ...BASE, format: 'csv', metrics: JSON.stringify(METRICS.slice(0, 2)) });
    const csv = await app().call('GET', `/v1/query?${qs.toString()}`);
    expect(csv.body.split('\r\n')).toEqual([
      'dims.app,start,end,calls,users',
      'x,2026-11-18T00:00:00+00:00,2026-11-19T00:00:00+00:00,2,2',
      'x,2026-11-19T00:00:00+00:00,2026-11-20T00:00:00+00:00,1,2',
      'y,2026-11-18T00:00:00+00:00,2026-11-19T00:00:00+00:00,1,1',
      'y,2026-11-19T00:00:00+00:00,2026-11-20T00:00:00+00:00,0,0',
      '',
    ]);
  });
}

onBothEngines(suite);

describe('metrics faults', () => {
  const app = useApp(undefined, []);

  it('names the path: the metric, its key, its filter; agg and top are not combined with metrics', async () => {
    const path = async (body: Record<string, unknown>): Promise<string> =>
      (await faultOf(app(), { ...BASE, ...body })).path;
    const ok = { name: 'n', agg: 'count' };
    expect(await path({ agg: 'sum', metrics: [ok] })).toBe('agg');
    expect(await path({ top: 1, metrics: [ok] })).toBe('top');
    expect(await path({ metrics: [] })).toBe('metrics');
    expect(await path({ metrics: Array.from({ length: 11 }, (_, k) => ({ name: `m${k}` })) })).toBe(
      'metrics',
    );
    expect(await path({ metrics: [ok, { name: 'bad-name' }] })).toBe('metrics/1/name');
    expect(await path({ metrics: [ok, { name: 'n' }] })).toBe('metrics/1/name');
    expect(await path({ metrics: [{ name: 'value' }] })).toBe('metrics/0/name');
    expect(await path({ metrics: [{ name: 'a', agg: 'median' }] })).toBe('metrics/0/agg');
    expect(await path({ metrics: [{ name: 'a', colour: 1 }] })).toBe('metrics/0/colour');
    expect(await path({ metrics: [{ name: 'a', agg: 'unique', of: ['nope'] }] })).toBe('metrics/0/of/0');
    expect(await path({ metrics: [ok, { name: 'q', agg: 'quantile', q: 2 }] })).toBe('metrics/1/q');
    expect(await path({ metrics: [{ name: 'f', filters: { or: [['bad', 'actor', ['a']]] } }] })).toBe(
      'metrics/0/filters/or/0/0',
    );
    expect(
      await path({ window: 'rolling', window_size: 2, metrics: [ok, { name: 'g', agg: 'latest' }] }),
    ).toBe('window');
  });
});
