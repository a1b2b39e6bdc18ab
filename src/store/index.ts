/**
 * createStore: the one place that picks a storage engine from configuration.
 */
import type { Store } from './port.js';
import { DuckDbStore } from './duckdb/store.js';
import { ClickHouseStore } from './clickhouse/store.js';

export interface StoreConfig {
  store: 'duckdb' | 'clickhouse';
  duckdbPath: string;
  clickhouseUrl?: string;
  /** A cluster name from the servers' remote_servers: tables are created on every shard. */
  clickhouseCluster?: string;
}

export async function createStore(config: StoreConfig, clock: () => number = Date.now): Promise<Store> {
  if (config.store === 'clickhouse') {
    if (!config.clickhouseUrl)
      throw new Error('TALLY_CLICKHOUSE_URL is required when TALLY_STORE=clickhouse.');
    const store = new ClickHouseStore({
      url: config.clickhouseUrl,
      cluster: config.clickhouseCluster ?? null,
      clock,
    });
    await store.init();
    return store;
  }
  const store = await DuckDbStore.open({ path: config.duckdbPath, clock });
  await store.init();
  return store;
}
