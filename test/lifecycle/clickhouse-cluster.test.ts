/**
 * The lifecycle conformance cases on a two-shard ClickHouse cluster (local
 * tables, Distributed tables over them, mutations ON CLUSTER, mutation state
 * read from every shard). Opt-in, as it starts ZooKeeper and two servers:
 * TALLY_TEST_CH_CLUSTER=1 (needs clickhouse-server and Debian's zookeeper).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { startCluster, zookeeperInstalled, type RunningCluster } from '../clickhouse/cluster.js';
import { freshStore } from '../clickhouse/env.js';
import { findServerBinary } from '../clickhouse/server.js';
import { runLifecycleCases } from './store-cases.js';

const wanted = process.env['TALLY_TEST_CH_CLUSTER'] === '1';
const canRun = wanted && findServerBinary() !== null && zookeeperInstalled();

describe.skipIf(!canRun)('clickhouse cluster', () => {
  let cluster: RunningCluster;
  beforeAll(async () => {
    cluster = await startCluster('tally_life', 2);
  }, 120_000);
  afterAll(async () => {
    await cluster.stop();
  });

  runLifecycleCases({
    name: 'clickhouse cluster',
    createStore: () =>
      freshStore({
        base: cluster.servers[0]!.url,
        cluster: 'tally_life',
        shards: cluster.servers.map((s) => s.url).join(','),
      }),
  });
});
