/**
 * GET and POST /v1/query in-process: the flat vocabulary in both forms, org reach
 * and subtrees, the org's timezone by default, and 400/403 answers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev, makeApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
  await t.call('PUT', '/v1/orgs/acme', { body: { timezone: 'America/New_York' } });
  await t.call('PUT', '/v1/orgs/acme-eu', { body: { parent: 'acme' } });
  await t.call('PUT', '/v1/orgs/globex', { body: {} });
  const events = [
    ev({ time: '2026-11-18T03:00:00Z', actor: 'a', dims: { app: 'x' } }), // Nov 17 22:00 in New York
    ev({ time: '2026-11-18T15:00:00Z', actor: 'b', dims: { app: 'y' } }),
    ev({ time: '2026-11-19T15:00:00Z', actor: 'a', dims: { app: 'x' } }),
    ev({ time: '2026-11-19T16:00:00Z', actor: 'c', org: 'acme-eu' }),
  ];
  expect((await t.call('POST', '/v1/events', { body: events })).statusCode).toBe(200);
});
afterEach(async () => {
  await t.close();
});

interface Answer {
  range: { from: string; to: string };
  timezone: string;
  series: {
    group: Record<string, string | null>;
    total: number;
    points: { start: string; value: number; share?: number }[];
  }[];
  meta: { last_bucket_open: boolean };
}

describe('/v1/query with nothing matching', () => {
  const range = 'org=acme&type=nothing.here&from=2026-11-17&to=2026-11-20&bucket=day';
  it('fill=zero: one series of zero points (null for avg, min, max, latest), and CSV rows for them', async () => {
    const res = await t.call('GET', `/v1/query?${range}`);
    const body = res.json<Answer>();
    // New York days Nov 17, 18, 19, written in the org's offset (EST).
    expect(body.series).toEqual([
      {
        group: {},
        total: 0,
        points: ['17', '18', '19'].map((d) => ({
          start: `2026-11-${d}T00:00:00-05:00`,
          end: `2026-11-${Number(d) + 1}T00:00:00-05:00`,
          value: 0,
        })),
      },
    ]);
    for (const agg of ['avg', 'min', 'max', 'latest']) {
      const other = (await t.call('GET', `/v1/query?${range}&agg=${agg}`)).json<Answer>();
      expect(
        other.series.map((s) => [s.total, s.points.map((p) => p.value)]),
        agg,
      ).toEqual([[null, [null, null, null]]]);
    }
    const unique = (await t.call('GET', `/v1/query?${range}&agg=unique`)).json<Answer>();
    expect(unique.series.map((s) => s.points.map((p) => p.value))).toEqual([[0, 0, 0]]);
    const csv = await t.call('GET', `/v1/query?${range}&format=csv`);
    expect(csv.body.trim().split('\n')).toHaveLength(4);
  });

  it('fill=sparse and grouped queries still answer no series', async () => {
    expect((await t.call('GET', `/v1/query?${range}&fill=sparse`)).json<Answer>().series).toEqual([]);
    expect((await t.call('GET', `/v1/query?${range}&group_by=dims.app`)).json<Answer>().series).toEqual([]);
  });
});

describe('/v1/query', () => {
  it('GET: day buckets in the org timezone by default', async () => {
    const res = await t.call('GET', '/v1/query?org=acme&from=2026-11-17&to=2026-11-20&bucket=day');
    expect(res.statusCode).toBe(200);
    const a = res.json<Answer>();
    expect(a.timezone).toBe('America/New_York');
    expect(a.range).toMatchObject({ from: '2026-11-17T05:00:00.000Z', to: '2026-11-20T05:00:00.000Z' });
    expect(a.series[0]!.points.map((p) => [p.start, p.value])).toEqual([
      ['2026-11-17T00:00:00-05:00', 1],
      ['2026-11-18T00:00:00-05:00', 1],
      ['2026-11-19T00:00:00-05:00', 1],
    ]);
  });

  it('POST: unique actors over the subtree, grouped, with shares', async () => {
    const body = {
      org: 'acme',
      subtree: true,
      from: '2026-11-18T00:00:00Z',
      to: '2026-11-20T00:00:00Z',
      timezone: 'UTC',
      bucket: 'none',
      agg: 'unique',
      group_by: ['org'],
      share: 1,
    };
    const a = (await t.call('POST', '/v1/query', { body })).json<Answer>();
    expect(a.series.map((s) => [s.group['org'], s.total, s.points[0]!.share])).toEqual([
      ['acme', 2, 66.7],
      ['acme-eu', 1, 33.3],
    ]);
  });

  it('GET: filters as JSON, relative range, rolling window', async () => {
    const filters = encodeURIComponent(JSON.stringify([['in', 'dims.app', ['x', null]]]));
    const url = `/v1/query?org=acme&last=3d&timezone=UTC&agg=unique&window=rolling&window_size=2&filters=${filters}`;
    const a = (await t.call('GET', url)).json<Answer>();
    // Days Nov 17..20 (now is Nov 20 12:00Z): actor a on 18 and 19 -> windows [16,18)=0, [17,19)=1, [18,20)=1, [19,21)=1.
    expect(a.series[0]!.points.map((p) => p.value)).toEqual([0, 1, 1, 1]);
    expect(a.meta.last_bucket_open).toBe(true);
  });

  it('answers 403 outside the key, 400 for bad params and too many buckets', async () => {
    const key = await t.newKey('read', ['globex']);
    expect((await t.call('GET', '/v1/query?org=acme&last=7d', { key })).statusCode).toBe(403);
    const ingest = await t.newKey('ingest', ['acme']);
    expect((await t.call('GET', '/v1/query?org=acme&last=7d', { key: ingest })).statusCode).toBe(403);
    expect((await t.call('GET', '/v1/query?org=acme&last=7d&group_by=nope')).statusCode).toBe(400);
    const big = await t.call('GET', '/v1/query?org=acme&from=2020-01-01&to=2026-01-01&bucket=hour');
    expect(big.statusCode).toBe(400);
    expect(big.json<{ error: { code: string } }>().error.code).toBe('too_many_buckets');
  });
});
