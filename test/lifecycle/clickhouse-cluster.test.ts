/**
 * The lifecycle conformance cases on a two-shard ClickHouse cluster (local
 * tables, Distributed tables over them, mutations ON CLUSTER, mutation state
 * read from every shard), and on one shard of two replicas with replicated
 * tables. Opt-in, as it starts ZooKeeper and two servers per cluster:
 * TALLY_TEST_CH_CLUSTER=1 (needs clickhouse-server and Debian's zookeeper).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { startCluster, zookeeperInstalled, type RunningCluster } from '../clickhouse/cluster.js';
import { freshStore } from '../clickhouse/env.js';
import { findServerBinary } from '../clickhouse/server.js';
import { runLifecycleCases } from './store-cases.js';

const wanted = process.env['TALLY_TEST_CH_CLUSTER'] === '1';
const canRun = wanted && findServerBinary() !== null && zookeeperInstalled();

/** The cases on `shards` shards of `replicas` servers each, Tally entering at the first server. */
function onCluster(title: string, shards: number, replicas: number): void {
  describe.skipIf(!canRun)(title, () => {
    let cluster: RunningCluster;
    beforeAll(async () => {
      cluster = await startCluster('tally_life', shards, replicas);
    }, 120_000);
    afterAll(async () => {
      await cluster.stop();
    }, 120_000);

    runLifecycleCases({
      name: title,
      createStore: () =>
        freshStore({
          base: cluster.servers[0]!.url,
          cluster: 'tally_life',
          // One URL per shard: its first replica (servers are listed shard by shard).
          shards: cluster.servers
            .filter((_, k) => k % replicas === 0)
            .map((s) => s.url)
            .join(','),
          replicated: replicas > 1,
        }),
    });
  });
}

onCluster('clickhouse cluster', 2, 1);
// Replicated tables (TALLY_CLICKHOUSE_REPLICATED): mutations ON CLUSTER run once per shard.
onCluster('clickhouse replicated shard', 1, 2);
