/**
 * createStore: the one place that picks a storage engine from configuration.
 */
import type { Store } from './port.js';
import { RecoveringDuckDbStore } from './duckdb/recovering.js';
import { ClickHouseStore } from './clickhouse/store.js';
import type { DimColumnsWanted } from './duckdb/dim-columns.js';

export interface StoreConfig {
  store: 'duckdb' | 'clickhouse';
  duckdbPath: string;
  /** DuckDB's memory_limit, e.g. '1GB' (TALLY_DUCKDB_MEMORY). */
  duckdbMemory?: string;
  /** When the DuckDB store compacts (TALLY_COMPACT_ROWS, TALLY_COMPACT_IDLE_MS); defaults in duckdb/store.ts. */
  compactRows?: number;
  compactIdleMs?: number;
  /** The DuckDB dedupe filter's size in MiB (TALLY_DEDUPE_FILTER_MB); default in duckdb/dedupe.ts. */
  dedupeFilterMb?: number;
  clickhouseUrl?: string;
  /** A cluster name from the servers' remote_servers: tables are created on every shard. */
  clickhouseCluster?: string;
  /** TALLY_CLICKHOUSE_SHARDS: each shard's HTTP URL, in shard order (required with a cluster). */
  clickhouseShards?: string;
  /** TALLY_CLICKHOUSE_REPLICATED: a cluster's local tables are Replicated*MergeTree (schema.ts). */
  clickhouseReplicated?: boolean;
  /** TALLY_QUERY_TIMEOUT_MS: the longest a query runs before it is stopped (503 query_timeout); none when unset. */
  queryTimeoutMs?: number | null;
  /** TALLY_ROLLUP: false keeps the DuckDB store's distinct-actor queries on events (duckdb/rollup.ts). */
  rollup?: boolean;
  /** TALLY_DIM_COLUMNS: the dims keys the DuckDB store also keeps as plain columns (duckdb/dim-columns.ts). */
  dimColumns?: DimColumnsWanted;
}

export async function createStore(config: StoreConfig, clock: () => number = Date.now): Promise<Store> {
  if (config.store === 'clickhouse') {
    if (!config.clickhouseUrl)
      throw new Error('TALLY_CLICKHOUSE_URL is required when TALLY_STORE=clickhouse.');
    const store = new ClickHouseStore({
      url: config.clickhouseUrl,
      cluster: config.clickhouseCluster ?? null,
      shards: config.clickhouseShards ?? null,
      replicated: config.clickhouseReplicated ?? false,
      clock,
      queryTimeoutMs: config.queryTimeoutMs ?? null,
    });
    await store.init();
    return store;
  }
  // Reopens the file by itself after a fatal engine error (see recovering.ts); open() runs init().
  return RecoveringDuckDbStore.open({
    path: config.duckdbPath,
    clock,
    memoryLimit: config.duckdbMemory,
    queryTimeoutMs: config.queryTimeoutMs ?? null,
    ...(config.rollup === undefined ? {} : { rollup: config.rollup }),
    ...(config.dimColumns === undefined ? {} : { dimColumns: config.dimColumns }),
    ...(config.dedupeFilterMb === undefined ? {} : { dedupeFilterBytes: config.dedupeFilterMb * 2 ** 20 }),
    upkeep: {
      ...(config.compactRows === undefined ? {} : { tailRows: config.compactRows }),
      ...(config.compactIdleMs === undefined ? {} : { idleMs: config.compactIdleMs }),
    },
  });
}
