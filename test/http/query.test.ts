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
