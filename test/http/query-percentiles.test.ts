/**
 * Percentiles through /v1/query on both engines: exact nearest rank (the value at rank
 * ceil(q * n) ascending), null for an empty bucket, the total over the whole range, the same in
 * GET, POST and CSV. Every figure below is counted by hand from the events.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../helpers.js';
import { faultOf, onBothEngines, useApp, type Engine } from './query-suite.js';

// 19 Nov: values 10, 9, ..., 1 (sent unsorted); 20 Nov: 7; 21 Nov: nothing.
const EVENTS = [
  ...[10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((value, k) =>
    ev({ time: `2026-11-19T${String(k + 1).padStart(2, '0')}:00:00Z`, value }),
  ),
  ev({ time: '2026-11-20T12:00:00Z', value: 7 }),
];
const RANGE = { org: 'acme', from: '2026-11-19', to: '2026-11-22', timezone: 'UTC' };

interface Answer {
  series: { total: number | null; points: { value: number | null }[] }[];
}

function suite(engine: Engine): void {
  const app = useApp(engine, EVENTS);

  async function figures(
    params: Record<string, string | number>,
  ): Promise<[(number | null)[], number | null]> {
    const post = await app().call('POST', '/v1/query', { body: { ...RANGE, ...params } });
    expect(post.statusCode, post.body).toBe(200);
    const qs = new URLSearchParams({ ...RANGE, ...params });
    const get = (await app().call('GET', `/v1/query?${qs.toString()}`)).json<Answer>();
    expect(get).toEqual(post.json<Answer>());
    const s = get.series[0]!;
    return [s.points.map((p) => p.value), s.total];
  }

  it('p50, p90, p95, p99 and quantile: rank ceil(q n) per day and over the range', async () => {
    // Day 1 n=10: ranks 5, 9, 10, 10. Whole range n=11 (1..10 and 7): ranks 6, 10, 11, 11.
    expect(await figures({ agg: 'p50' })).toEqual([[5, 7, null], 6]);
    expect(await figures({ agg: 'p90' })).toEqual([[9, 7, null], 9]);
    expect(await figures({ agg: 'p95' })).toEqual([[10, 7, null], 10]);
    expect(await figures({ agg: 'p99' })).toEqual([[10, 7, null], 10]);
    // 0.7 * 10 is 7.000000000000001 in floating point; the rank is exactly 7 (value 7), not 8.
    expect(await figures({ agg: 'quantile', q: 0.7 })).toEqual([[7, 7, null], 7]); // range: ceil(7.7) = 8th = 7
    expect(await figures({ agg: 'quantile', q: 0.31 })).toEqual([[4, 7, null], 4]); // ceil(3.1) = 4; ceil(3.41) = 4
    expect(await figures({ agg: 'quantile', q: 0.000001 })).toEqual([[1, 7, null], 1]);
  });

  it('CSV and bucket=none carry the same figures', async () => {
    const csv = await app().call(
      'GET',
      `/v1/query?${new URLSearchParams({ ...RANGE, agg: 'p90', format: 'csv' }).toString()}`,
    );
    expect(csv.body.split('\r\n').map((l) => l.split(',').at(-1))).toEqual(['value', '9', '7', '', '']);
    expect(await figures({ agg: 'p50', bucket: 'none' })).toEqual([[6], 6]);
  });
}

onBothEngines(suite);

describe('percentile faults', () => {
  const app = useApp(undefined, []);

  it('q is required, in (0, 1), at most 6 decimals, and only with quantile; no window or share', async () => {
    const path = async (params: Record<string, unknown>): Promise<string> =>
      (await faultOf(app(), { ...RANGE, ...params })).path;
    expect(await path({ agg: 'quantile' })).toBe('q');
    expect(await path({ agg: 'quantile', q: 1 })).toBe('q');
    expect(await path({ agg: 'quantile', q: 0.1234567 })).toBe('q');
    expect(await path({ agg: 'p50', q: 0.5 })).toBe('q');
    expect(await path({ agg: 'p50', window: 'cumulative' })).toBe('window');
    expect(await path({ agg: 'p50', share: 1, group_by: 'actor' })).toBe('share');
  });
});
