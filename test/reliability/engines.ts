/**
 * The engines the reliability tests run on: a fresh in-memory DuckDB, and a fresh
 * ClickHouse database when TALLY_TEST_CLICKHOUSE_URL names a server (dropped on close).
 */
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import type { Store } from '../../src/store/port.js';
import { freshStore } from '../clickhouse/env.js';
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
          open: (queryTimeoutMs: number | null): Promise<Store> =>
            freshStore({ clock: () => NOW, queryTimeoutMs }),
        },
      ]
    : []),
];
