/**
 * The engines the reliability tests run on: a fresh in-memory DuckDB, and a fresh
 * ClickHouse database when TALLY_TEST_CLICKHOUSE_URL names a server (dropped on close).
 */
import { ClickHouseStore } from '../../src/store/clickhouse/store.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import type { Store } from '../../src/store/port.js';
import { freshDatabase } from '../clickhouse/env.js';
import { NOW } from './harness.js';

const CH_URL = process.env['TALLY_TEST_CLICKHOUSE_URL'];
export const ENGINES: { name: string; open: (timeoutMs: number | null) => Promise<Store> }[] = [
  {
    name: 'duckdb',
    async open(queryTimeoutMs) {
      const store = await DuckDbStore.open({
        path: ':memory:',
        clock: () => NOW,
        readers: 1,
        queryTimeoutMs,
      });
      await store.init();
      return store;
    },
  },
  ...(CH_URL
    ? [
        {
          name: 'clickhouse',
          async open(queryTimeoutMs: number | null): Promise<Store> {
            const store = new ClickHouseStore({
              url: `${CH_URL.replace(/\/+$/, '')}/${freshDatabase()}`,
              clock: () => NOW,
              queryTimeoutMs,
            });
            await store.init();
            const close = store.close.bind(store);
            store.close = async () => {
              await store.dropDatabase();
              await close();
            };
            return store;
          },
        },
      ]
    : []),
];
