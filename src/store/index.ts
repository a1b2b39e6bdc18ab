/**
 * createStore: the one place that picks a storage engine from configuration.
 */
import type { Store } from './port.js';
import { DuckDbStore } from './duckdb/store.js';

export interface StoreConfig {
  store: 'duckdb' | 'clickhouse';
  duckdbPath: string;
  clickhouseUrl?: string;
}

export async function createStore(config: StoreConfig, clock: () => number = Date.now): Promise<Store> {
  if (config.store === 'clickhouse') {
    throw new Error('TALLY_STORE=clickhouse is not available in this build yet.');
  }
  const store = await DuckDbStore.open({ path: config.duckdbPath, clock });
  await store.init();
  return store;
}
