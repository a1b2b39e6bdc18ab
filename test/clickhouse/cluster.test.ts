/**
 * The two-shard test: two clickhouse-server processes on loopback form cluster
 * `tally_test` (remote_servers written by test/clickhouse/cluster.ts, ZooKeeper
 * for ON CLUSTER DDL). Two Tally processes (`npm start`, TALLY_STORE=clickhouse,
 * one per shard's URL) ingest at once, with retried batches crossing between
 * them; then the native query API and every compatibility API must answer
 * exactly as an app on one DuckDB store holding the same events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surfaces } from '../../src/compat/index.js';
import { startServer, type Running } from '../e2e/server.js';
import { ADMIN, makeApp, type TestApp } from '../helpers.js';
import { startCluster, zookeeperInstalled, type RunningCluster } from './cluster.js';
import { clickhouseAvailable, freshDatabase } from './env.js';
import { findServerBinary } from './server.js';

const canRun = (findServerBinary() !== null && zookeeperInstalled()) || process.env['CI'] === 'true';
if (!canRun)
  console.warn('ClickHouse cluster test skipped: needs clickhouse-server and zookeeper (Debian packages).');

const DAY = 86_400_000;
/** Whole UTC days, so that every range below is in the past and stable while the test runs. */
const TODAY = Math.floor(Date.now() / DAY) * DAY;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const date = (ms: number): string => iso(ms).slice(0, 10);
const FROM = TODAY - 20 * DAY;
const TO = TODAY - DAY;

/** A seeded generator, so that a failure is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeEvents(n: number): Record<string, unknown>[] {
  const r = rng(42);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const orgs = ['acme', 'acme-eu', 'beta', '12345'];
  const out: Record<string, unknown>[] = [];
  for (let k = 0; k < n; k++) {
    const org = pick(orgs);
    const time = iso(FROM + Math.floor(r() * (TO - FROM)));
    const actor = `u${Math.floor(r() * 12)}`;
    const base = { id: `e${k}`, org, time };
    const app = pick(['app1', 'app2']);
    switch (pick(['activity', 'activity', 'api', 'bandwidth', 'storage', 'report', 'misc'])) {
      case 'activity':
        out.push({
          ...base,
          type: 'activity',
          actor,
          dims: {
            workspace: pick(['w1', 'w2']),
            workspace_type: pick(['standard', 'development']),
            app,
            version: pick(['1.0', '1.1', '2.0']),
          },
        });
        break;
      case 'api':
        out.push({
          ...base,
          type: 'api.request',
          actor,
          dims: { endpoint: pick(['/a', '/b']), service: pick(['svc', 'core']), command: 'cmd.x' },
        });
        break;
      case 'bandwidth':
        out.push({ ...base, type: 'bandwidth', value: Math.floor(r() * 1e6), dims: { app } });
        break;
      case 'storage':
        out.push({
          ...base,
          type: 'storage',
          value: Math.floor(r() * 1e9),
          dims: { app, kind: pick(['ASSET', 'THUMB']) },
        });
        break;
      case 'report':
        out.push({
          ...base,
          type: 'report.created',
          actor,
          dims: { report: `r${k}`, state: '1', state_name: 'Open' },
        });
        break;
      default:
        out.push({
          ...base,
          type: pick(['transcode', 'addon.run', 'alert.sent']),
          actor,
          dims: { addon: 'REMOVE_BACKGROUND', alert: `a${k % 7}`, report: `r${k % 5}` },
        });
    }
  }
  return out;
}

const ACTORS = Array.from({ length: 12 }, (_, k) =>
  ['acme', 'acme-eu', 'beta', '12345'].map((org) => ({
    org,
    id: `u${k}`,
    kind: ['user', 'developer', 'device'][k % 3],
    first_name: `F${k}`,
    last_name: `L${k}`,
    ...(k % 4 === 0 ? { created_at: iso(FROM - 3 * DAY) } : {}),
  })),
).flat();

/** Native and compatibility requests, compared status and body. Absent surfaces give 404 on both sides. */
function requests(): { method: 'GET' | 'POST'; url: string; body?: unknown }[] {
  const f = iso(FROM);
  const t = iso(TO);
  const q = (params: string) => ({ method: 'GET' as const, url: `/v1/query?from=${f}&to=${t}&${params}` });
  const s = Math.floor(FROM / 1000);
  const e = Math.floor(TO / 1000);
  return [
    q('bucket=day'),
    q('bucket=week&group_by=type&org=acme&subtree=true'),
    q('agg=unique&of=actor&window=rolling&window_size=7&type=activity'),
    q('agg=unique&of=actor,dims.app&window=cumulative&since=all&bucket=week'),
    q('agg=latest&per=dims.kind&type=storage&group_by=org'),
    q('agg=sum&type=bandwidth&group_by=dims.app&share=1&timezone=America/New_York'),
    q('bucket=hour_of_day&group_by=actor_kind&fill=sparse'),
    q('bucket=month&agg=avg&type=bandwidth&top=1&other=true&group_by=org'),
    q(
      `filters=${encodeURIComponent(JSON.stringify([['in', 'dims.workspace_type', ['standard', null]]]))}&agg=unique&bucket=none`,
    ),
    { method: 'GET', url: `/api/statistics/?stats_type=users&start=${date(FROM)}&end=${date(TO)}` },
    { method: 'GET', url: `/api/statistics/?stats_type=developers&start=${date(FROM)}&end=${date(TO)}` },
    { method: 'GET', url: `/api/statistics/?stats_type=workspaces&start=${date(FROM)}&end=${date(TO)}` },
    {
      method: 'GET',
      url: `/api/v1/stats/timeseries/api?stat_type=api&start_time=${s}&end_time=${e}&usergroup_id=acme`,
    },
    {
      method: 'GET',
      url: `/api/v1/stats/timeseries/storage?stat_type=storage&start_time=${s}&end_time=${e}&usergroup_id=12345`,
    },
    {
      method: 'GET',
      url: `/api/v1/stats/timeseries/cdn?stat_type=cdn&start_time=${s}&end_time=${e}&usergroup_id=beta`,
    },
    {
      method: 'GET',
      url: `/api/v4/analytics/reports_over_time?channel_id=12345&start_date=${f}&end_date=${t}`,
    },
    {
      method: 'GET',
      url: `/api/v4/analytics/reports_per_user?channel_id=12345&start_date=${f}&end_date=${t}`,
    },
    {
      method: 'GET',
      url: `/api/v4/analytics/user_awareness?channel_id=12345&start_date=${f}&end_date=${t}&fields=total_alerts,unique_alerts`,
    },
    { method: 'GET', url: `/statistics/app/app1/?from=${date(FROM)}&to=${date(TO)}` },
    { method: 'GET', url: `/statistics/org/acme/?from=${date(FROM)}&to=${date(TO)}&breakdown=true` },
    { method: 'GET', url: `/statistics/user/?from=${date(FROM)}&to=${date(TO)}&noAccumulate=true` },
    { method: 'GET', url: `/statistics/app/app2/bundle_usage?from=${date(FROM)}&to=${date(TO)}` },
    {
      method: 'POST',
      url: '/api',
      body: {
        auth: { command: 'api.authenticate', params: { appToken: ADMIN } },
        h: { command: 'usage.api.history', params: { start: f, end: t, series: 'day', showAll: true } },
      },
    },
  ];
}

/** Everything but what legitimately differs between two servers: read times and session ids. */
function comparable(body: string): unknown {
  try {
    return JSON.parse(body, (k, v: unknown) => (k === 'read_at' || k === 'sessionId' ? undefined : v));
  } catch {
    return body;
  }
}

describe.skipIf(!clickhouseAvailable || !canRun)('two-shard ClickHouse cluster, two Tally processes', () => {
  let cluster: RunningCluster;
  let tallies: Running[] = [];
  let duck: TestApp;

  beforeAll(async () => {
    cluster = await startCluster('tally_test', 2);
    const db = freshDatabase();
    const env = (k: number): Record<string, string> => ({
      TALLY_STORE: 'clickhouse',
      TALLY_CLICKHOUSE_URL: `${cluster.servers[k]!.url}/${db}`,
      TALLY_CLICKHOUSE_CLUSTER: 'tally_test',
      TALLY_ADMIN_KEY: ADMIN,
    });
    // The first creates the tables on both shards; the second finds them (migrations are idempotent).
    tallies.push(await startServer(env(0), 90_000));
    tallies.push(await startServer(env(1), 90_000));
    duck = await makeApp({ surfaces, clock: Date.now });
  }, 240_000);

  afterAll(async () => {
    for (const t of tallies) {
      t.signal('SIGTERM');
      await t.exited;
    }
    tallies = [];
    await duck?.close();
    await cluster?.stop();
  }, 60_000);

  const post = async (base: string, path: string, body: unknown): Promise<Response> =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers every API as one DuckDB does, after concurrent ingest with cross-process retries', async () => {
    const events = makeEvents(3000);
    const batches: Record<string, unknown>[][] = [];
    for (let k = 0; k < events.length; k += 150) batches.push(events.slice(k, k + 150));
    const [a, b] = tallies.map((t) => t.url) as [string, string];

    for (const [path, body] of [
      ['/v1/orgs/acme', { name: 'Acme', domain: 'acme.com' }],
      ['/v1/orgs/acme-eu', { parent: 'acme' }],
      ['/v1/orgs/12345', { timezone: 'Europe/London' }],
    ] as const) {
      const put = (base: string) =>
        fetch(`${base}${path}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await put(a)).status).toBe(200);
      expect((await duck.call('PUT', path, { body })).statusCode).toBe(200);
    }
    expect((await post(b, '/v1/actors', ACTORS)).status).toBeLessThan(300);
    expect((await duck.call('POST', '/v1/actors', { body: ACTORS })).statusCode).toBeLessThan(300);

    // Two processes at once; every third batch is retried through the other one, at the same time.
    const lane = async (base: string, other: string, parity: number): Promise<number> => {
      let accepted = 0;
      for (let k = parity; k < batches.length; k += 2) {
        const sends = [post(base, '/v1/events', batches[k])];
        if (k % 3 === 0) sends.push(post(other, '/v1/events', batches[k]));
        for (const res of await Promise.all(sends)) {
          if (res.status !== 200)
            console.log(
              'INGEST FAIL',
              await res.clone().text(),
              tallies.map((t) => t.output().slice(-4000)).join('\n-----\n'),
            );
          expect(res.status).toBe(200);
          accepted += ((await res.json()) as { accepted: number }).accepted;
        }
      }
      return accepted;
    };
    const [na, nb] = await Promise.all([lane(a, b, 0), lane(b, a, 1)]);
    // A race may count an accepted copy twice in the answers (documented), never in the figures.
    expect(na + nb).toBeGreaterThanOrEqual(events.length);
    for (const batch of batches)
      expect((await duck.call('POST', '/v1/events', { body: batch })).statusCode).toBe(200);

    const daily = await fetch(`${a}/v1/query?from=${iso(FROM)}&to=${iso(TO)}&bucket=none`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    if (daily.status !== 200) console.log(await daily.text(), tallies[0]!.output().slice(-3000));
    const total = ((await daily.json()) as { series: { total: number }[] }).series.reduce(
      (x, s) => x + s.total,
      0,
    );
    expect(total).toBe(events.length);
    let compared = 0;
    for (const r of requests()) {
      const want = await duck.call(r.method, r.url, r.body === undefined ? {} : { body: r.body });
      for (const base of [a, b]) {
        const got = await fetch(`${base}${r.url}`, {
          method: r.method,
          headers: {
            authorization: `Bearer ${ADMIN}`,
            ...(r.body ? { 'content-type': 'application/json' } : {}),
          },
          ...(r.body ? { body: JSON.stringify(r.body) } : {}),
        });
        const text = await got.text();
        expect([r.url, got.status]).toEqual([r.url, want.statusCode]);
        expect(comparable(text), r.url).toEqual(comparable(want.body));
      }
      if (want.statusCode === 200) compared++;
    }
    // Every request answered 200 on DuckDB, so the comparison above was not vacuous.
    expect(compared).toBe(requests().length);
  }, 300_000);
});
