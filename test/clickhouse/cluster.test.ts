/**
 * The cluster test: two clickhouse-server processes on loopback form cluster
 * `tally_test` (remote_servers written by test/clickhouse/cluster.ts, ZooKeeper
 * for ON CLUSTER DDL). Two Tally processes (`npm start`, TALLY_STORE=clickhouse,
 * one per shard's URL) ingest at once, with retried batches crossing between
 * them; then the native query API and every compatibility API must answer
 * exactly as an app on one DuckDB store holding the same events, and every
 * org's events must sit on the one shard `org_shards` names. Then a third shard
 * joins as docs/deploy.md says, and the same must hold for old and new orgs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surfaces } from '../../src/compat/index.js';
import { startServer, type Running } from '../e2e/server.js';
import { ADMIN, makeApp, type TestApp } from '../helpers.js';
import { runSql, startCluster, zookeeperInstalled, type RunningCluster } from './cluster.js';
import { ACTORS, comparable, date, DAY, FROM, iso, makeEvents, requests, TO } from './cluster-fixtures.js';
import { clickhouseAvailable, freshDatabase } from './env.js';
import { findServerBinary } from './server.js';

const canRun = (findServerBinary() !== null && zookeeperInstalled()) || process.env['CI'] === 'true';
if (!canRun)
  console.warn('ClickHouse cluster test skipped: needs clickhouse-server and zookeeper (Debian packages).');

describe.skipIf(!clickhouseAvailable || !canRun)('ClickHouse cluster that grows, two Tally processes', () => {
  let cluster: RunningCluster;
  let tallies: Running[] = [];
  let duck: TestApp;
  const db = freshDatabase();
  /** Every event sent so far, for the expected per-org counts. */
  const sent: Record<string, unknown>[] = [];

  /** Tally processes entering at these nodes, each told every shard's URL. */
  const startTallies = async (entries: string[]): Promise<void> => {
    for (const entry of entries)
      tallies.push(
        await startServer(
          {
            TALLY_STORE: 'clickhouse',
            TALLY_CLICKHOUSE_URL: `${entry}/${db}`,
            TALLY_CLICKHOUSE_CLUSTER: 'tally_test',
            TALLY_CLICKHOUSE_SHARDS: cluster.servers.map((s) => s.url).join(','),
            TALLY_ADMIN_KEY: ADMIN,
          },
          90_000,
        ),
      );
  };
  const stopTallies = async (): Promise<void> => {
    for (const t of tallies) {
      t.signal('SIGTERM');
      await t.exited;
    }
    tallies = [];
  };

  beforeAll(async () => {
    cluster = await startCluster('tally_test', 2);
    // The first creates the tables on both shards; the second finds them (migrations are idempotent).
    await startTallies([cluster.servers[0]!.url, cluster.servers[1]!.url]);
    duck = await makeApp({ surfaces, clock: Date.now });
  }, 240_000);

  afterAll(async () => {
    await stopTallies();
    await duck?.close();
    await cluster?.stop();
  }, 120_000);

  const send = async (base: string, method: 'POST' | 'PUT', path: string, body: unknown): Promise<Response> =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** The same orgs on the first Tally process and on DuckDB. */
  const putOrgs = async (orgs: [string, unknown][]): Promise<void> => {
    for (const [path, body] of orgs) {
      expect((await send(tallies[0]!.url, 'PUT', path, body)).status).toBe(200);
      expect((await duck.call('PUT', path, { body })).statusCode).toBe(200);
    }
  };

  /** Both processes at once; every third batch is retried through the other one, at the same time. */
  const ingestCrossing = async (events: Record<string, unknown>[]): Promise<void> => {
    const batches: Record<string, unknown>[][] = [];
    for (let k = 0; k < events.length; k += 150) batches.push(events.slice(k, k + 150));
    const [a, b] = tallies.map((t) => t.url) as [string, string];
    const lane = async (base: string, other: string, parity: number): Promise<number> => {
      let accepted = 0;
      for (let k = parity; k < batches.length; k += 2) {
        const sends = [send(base, 'POST', '/v1/events', batches[k])];
        if (k % 3 === 0) sends.push(send(other, 'POST', '/v1/events', batches[k]));
        for (const res of await Promise.all(sends)) {
          if (res.status !== 200)
            console.log(
              'INGEST FAIL',
              await res.clone().text(),
              tallies.map((t) => t.output().slice(-4000)),
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
    sent.push(...events);
  };

  /** Every request answers on each process as on DuckDB; every one answered 200 there (not vacuous). */
  const expectSameAnswers = async (reqs: ReturnType<typeof requests>): Promise<void> => {
    let compared = 0;
    for (const r of reqs) {
      const want = await duck.call(r.method, r.url, r.body === undefined ? {} : { body: r.body });
      for (const { url: base } of tallies) {
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
    expect(compared).toBe(reqs.length);
  };

  const rows = async (url: string, sql: string): Promise<Record<string, unknown>[]> =>
    (await runSql(url, `${sql} FORMAT JSONEachRow`))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  /** Per shard (1-based, as shard_num), each org's live copies in that shard's local table (raced losers left out). */
  const eventsPerShard = async (): Promise<Map<number, Map<string, number>>> => {
    const out = new Map<number, Map<string, number>>();
    for (const [k, s] of cluster.servers.entries()) {
      const got = await rows(
        s.url,
        `SELECT org, count() AS n FROM ${db}.events_local
         WHERE (org, id, ver) NOT IN (SELECT org, id, ver FROM ${db}.event_losers_local) GROUP BY org`,
      );
      out.set(k + 1, new Map(got.map((r) => [String(r['org']), Number(r['n'])])));
    }
    return out;
  };
  const placements = async (): Promise<Map<string, number>> =>
    new Map(
      (
        await rows(
          cluster.servers[0]!.url,
          `SELECT org, argMin(shard, placed) AS s FROM ${db}.org_shards GROUP BY org`,
        )
      ).map((r) => [String(r['org']), Number(r['s'])]),
    );

  /** Every org's events sit on the shard the map names, all of them, once (ids are unique per org here). */
  const expectOrgsOnTheirShards = async (): Promise<Map<string, number>> => {
    const map = await placements();
    const want = new Map<string, number>();
    for (const e of sent) want.set(String(e['org']), (want.get(String(e['org'])) ?? 0) + 1);
    const got = new Map<string, number>();
    for (const [shard, counts] of await eventsPerShard())
      for (const [org, n] of counts) {
        expect([org, shard]).toEqual([org, map.get(org)]);
        got.set(org, n);
      }
    expect(got).toEqual(want);
    return map;
  };

  it('answers every API as one DuckDB does, after concurrent ingest with cross-process retries', async () => {
    await putOrgs([
      ['/v1/orgs/acme', { name: 'Acme', domain: 'acme.com' }],
      ['/v1/orgs/acme-eu', { parent: 'acme' }],
      ['/v1/orgs/12345', { timezone: 'Europe/London' }],
    ]);
    expect((await send(tallies[1]!.url, 'POST', '/v1/actors', ACTORS)).status).toBeLessThan(300);
    expect((await duck.call('POST', '/v1/actors', { body: ACTORS })).statusCode).toBeLessThan(300);
    await ingestCrossing(makeEvents(3000));

    const daily = await fetch(`${tallies[0]!.url}/v1/query?from=${iso(FROM)}&to=${iso(TO)}&bucket=none`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const total = ((await daily.json()) as { series: { total: number }[] }).series.reduce(
      (x, s) => x + s.total,
      0,
    );
    expect(total).toBe(sent.length);
    await expectSameAnswers(requests());
    const map = await expectOrgsOnTheirShards();
    // A sub-org lives on its parent's shard.
    expect(map.get('acme-eu')).toBe(map.get('acme'));
  }, 300_000);

  it('grows by a third shard: old orgs stay and answer, a new org lives on it, dedupe stays exact', async () => {
    // An org written before org_shards existed: its rows went through the Distributed tables'
    // hash, and it has no row in the map. The restart below must map it where its rows are.
    const legacy = { id: 'l1', org: 'legacy', type: 'misc.old', time: iso(FROM + DAY) };
    const a = cluster.servers[0]!.url;
    for (const [table, row] of [
      ['orgs', { id: 'legacy', timezone: 'UTC', created_at: FROM, ver: 0 }],
      ['event_ids', { org: 'legacy', id: 'l1', type: 'misc.old', ts: FROM + DAY, ver: 1 }],
      [
        'events',
        { org: 'legacy', type: 'misc.old', ts: FROM + DAY, id: 'l1', value: 1, received: FROM, ver: 1 },
      ],
    ] as const)
      await runSql(a, `INSERT INTO ${db}.${table} FORMAT JSONEachRow ${JSON.stringify(row)}`, {
        insert_distributed_sync: '1',
      });
    expect((await duck.call('POST', '/v1/events', { body: legacy })).statusCode).toBe(200);
    sent.push(legacy);
    const old = await placements();
    expect(old.size).toBe(4);
    await cluster.addShard(db);
    // The operator places a new customer on the new shard before its first event.
    await runSql(
      cluster.servers[0]!.url,
      `INSERT INTO ${db}.org_shards (org, shard, placed) VALUES ('gamma', 3, ${Date.now()})`,
    );
    // Every process learns the new shard (a rolling restart); one now enters at the new node.
    await stopTallies();
    await startTallies([cluster.servers[0]!.url, cluster.servers[2]!.url]);
    await putOrgs([
      ['/v1/orgs/gamma', { name: 'Gamma' }],
      ['/v1/orgs/gamma-kid', { parent: 'gamma' }],
    ]);
    await ingestCrossing(makeEvents(1500, 7, ['gamma', 'gamma-kid', 'acme', 'beta', 'delta'], 'f'));

    const map = await expectOrgsOnTheirShards();
    expect(map.get('legacy')).toBeDefined();
    for (const [org, shard] of old) expect([org, map.get(org)]).toEqual([org, shard]);
    expect(map.get('gamma')).toBe(3);
    expect(map.get('gamma-kid')).toBe(3);
    // An org nobody placed goes by the hash, which a weight-0 shard is not part of.
    expect([1, 2]).toContain(map.get('delta'));
    expect([...(await eventsPerShard()).get(3)!.keys()].sort()).toEqual(['gamma', 'gamma-kid']);

    const f = iso(FROM);
    const t = iso(TO);
    await expectSameAnswers([
      ...requests(),
      { method: 'GET', url: `/v1/query?from=${f}&to=${t}&bucket=day&org=gamma&subtree=true&group_by=org` },
      { method: 'GET', url: `/v1/query?from=${f}&to=${t}&agg=unique&of=actor&org=gamma&bucket=week` },
      {
        method: 'GET',
        url: `/api/v1/stats/timeseries/api?stat_type=api&start_time=${Math.floor(FROM / 1000)}&end_time=${Math.floor(TO / 1000)}&usergroup_id=gamma`,
      },
      { method: 'GET', url: `/statistics/org/gamma/?from=${date(FROM)}&to=${date(TO)}&breakdown=true` },
    ]);
    // gamma's queries ran whole on shard 3, sent there directly (initial queries over its local
    // events, aggregation included); no other shard ran one.
    const ranThere = async (url: string): Promise<number> => {
      await runSql(url, 'SYSTEM FLUSH LOGS');
      const got = await rows(
        url,
        `SELECT count() AS n FROM system.query_log WHERE type = 2 AND is_initial_query = 1
         AND query LIKE '%${db}.events_local%' AND query LIKE '%GROUP BY%' AND query LIKE '%''gamma''%'`,
      );
      return Number(got[0]?.['n']);
    };
    expect(await ranThere(cluster.servers[2]!.url)).toBeGreaterThanOrEqual(8);
    expect(await ranThere(cluster.servers[0]!.url)).toBe(0);
    expect(await ranThere(cluster.servers[1]!.url)).toBe(0);
  }, 300_000);
});
