/**
 * A replicated shard (TALLY_CLICKHOUSE_REPLICATED=1): one shard of two
 * clickhouse-server replicas with ZooKeeper, a Tally process (`npm start`)
 * writing to one of them. Every table's rows must reach the other replica; then
 * that other replica is replaced as docs/deploy.md says (stopped, its data
 * gone, a new server with a new replica name) and must catch up, while Tally
 * keeps answering, with figures worked out from the events sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Running } from '../e2e/server.js';
import { ADMIN } from '../helpers.js';
import { FROM, iso, makeEvents, TO } from './cluster-fixtures.js';
import { runSql, startCluster, zookeeperInstalled, type RunningCluster } from './cluster.js';
import { clickhouseAvailable, freshDatabase } from './env.js';
import { findServerBinary } from './server.js';

const canRun = (findServerBinary() !== null && zookeeperInstalled()) || process.env['CI'] === 'true';

/** Tables with rows after the ingest below: the org's own tables and small ones. */
const TABLES = ['events', 'event_ids', 'actor_seen', 'orgs', 'org_shards', 'api_keys', 'schema_migrations'];

describe.skipIf(!clickhouseAvailable || !canRun)('a replicated shard: two replicas, one replaced', () => {
  let cluster: RunningCluster;
  let tally: Running | null = null;
  const db = freshDatabase();

  beforeAll(async () => {
    cluster = await startCluster('tally_rep', 1, 2);
    // Tally talks to replica 2 only; replica 1 gets everything by replication.
    tally = await startServer(
      {
        TALLY_STORE: 'clickhouse',
        TALLY_CLICKHOUSE_URL: `${cluster.servers[1]!.url}/${db}`,
        TALLY_CLICKHOUSE_CLUSTER: 'tally_rep',
        TALLY_CLICKHOUSE_SHARDS: cluster.servers[1]!.url,
        TALLY_CLICKHOUSE_REPLICATED: '1',
        TALLY_ADMIN_KEY: ADMIN,
      },
      90_000,
    );
  }, 240_000);

  afterAll(async () => {
    if (tally) {
      tally.signal('SIGTERM');
      await tally.exited;
    }
    await cluster?.stop();
  }, 120_000);

  const ingest = async (events: Record<string, unknown>[]): Promise<void> => {
    for (let k = 0; k < events.length; k += 200) {
      const res = await fetch(`${tally!.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify(events.slice(k, k + 200)),
      });
      expect(res.status).toBe(200);
    }
  };

  /**
   * Rows per local table on a server, once it has fetched everything its shard's log holds.
   * Replicas merge parts on their own schedules (a new replica fetches parts already merged), so
   * the rows of a Replacing table are counted as merged, with FINAL (which plain MergeTree refuses).
   */
  const counts = async (url: string): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const t of TABLES) {
      await runSql(url, `SYSTEM SYNC REPLICA ${db}.${t}_local`);
      const engine = await runSql(
        url,
        `SELECT engine FROM system.tables WHERE database = '${db}' AND name = '${t}_local'`,
      );
      const final = engine.includes('Replacing') ? ' FINAL' : '';
      out[t] = Number((await runSql(url, `SELECT count() FROM ${db}.${t}_local${final}`)).trim());
    }
    return out;
  };

  const total = async (): Promise<number> => {
    const res = await fetch(`${tally!.url}/v1/query?from=${iso(FROM)}&to=${iso(TO)}&bucket=none`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { series: { total: number }[] }).series.reduce((x, s) => x + s.total, 0);
  };

  it('copies every write to the other replica, and a replaced replica catches up', async () => {
    const first = makeEvents(600, 11, ['acme', 'beta'], 'r');
    await ingest(first);
    // Every local table is replicated, on every node of the cluster.
    const engines = await runSql(
      cluster.servers[0]!.url,
      `SELECT DISTINCT engine FROM system.tables WHERE database = '${db}' AND endsWith(name, '_local') ORDER BY engine`,
    );
    for (const engine of engines.trim().split('\n')) expect(engine).toMatch(/^Replicated/);
    const written = await counts(cluster.servers[1]!.url);
    expect(written['events']).toBe(first.length);
    expect(written['orgs']).toBeGreaterThanOrEqual(2);
    expect(await counts(cluster.servers[0]!.url)).toEqual(written);

    // Replica 1 dies with its disk; a new server, a new replica name, takes its place.
    const fresh = await cluster.replaceReplica(0, db);
    expect(await total()).toBe(first.length);
    await ingest(makeEvents(300, 12, ['acme', 'gamma'], 's'));
    expect(await total()).toBe(first.length + 300);
    const after = await counts(cluster.servers[1]!.url);
    expect(after['events']).toBe(first.length + 300);
    expect(await counts(fresh.url)).toEqual(after);
  }, 300_000);
});
