/**
 * Where the ClickHouse tests find a server: TALLY_TEST_CLICKHOUSE_URL (set by
 * .ci/run, which starts one), else a private clickhouse-server this test file
 * starts itself (one per file, killed when the file ends). Without either,
 * the suites skip locally with a message, and FAIL in CI (CI=true).
 */
import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { ClickHouseStore, type ClickHouseOptions } from '../../src/store/clickhouse/store.js';
import { findServerBinary, startClickHouse, type RunningServer } from './server.js';

const fromEnv = process.env['TALLY_TEST_CLICKHOUSE_URL'];

/** Whether ClickHouse suites should run here (in CI they always run, and fail without a server). */
export const clickhouseAvailable: boolean =
  Boolean(fromEnv) || findServerBinary() !== null || process.env['CI'] === 'true';

if (!clickhouseAvailable) {
  console.warn(
    'ClickHouse suites skipped: no clickhouse-server here and TALLY_TEST_CLICKHOUSE_URL is unset.',
  );
}

let own: Promise<RunningServer> | null = null;

/** Base URL of a ClickHouse server (no database path). */
export async function clickhouseBaseUrl(): Promise<string> {
  if (fromEnv) return fromEnv.replace(/\/+$/, '');
  if (!findServerBinary())
    throw new Error(
      'clickhouse-server is not installed and TALLY_TEST_CLICKHOUSE_URL is unset (CI must provide one)',
    );
  own ??= startClickHouse();
  return (await own).url;
}

afterAll(async () => {
  if (own) await (await own).stop();
});

/** A fresh database name for one test. */
export function freshDatabase(): string {
  return `tally_test_${randomBytes(6).toString('hex')}`;
}

/**
 * A fresh, initialised store on its own database; close() drops the database.
 * `base` is the server (default: the test server), the rest the store's options
 * (`clock` as for DuckDB).
 */
export async function freshStore(
  opts: Omit<ClickHouseOptions, 'url'> & { base?: string } = {},
): Promise<ClickHouseStore> {
  const { base = await clickhouseBaseUrl(), ...options } = opts;
  const store = new ClickHouseStore({ ...options, url: `${base.replace(/\/+$/, '')}/${freshDatabase()}` });
  await store.init();
  const close = store.close.bind(store);
  store.close = async () => {
    await store.dropDatabase();
    await close();
  };
  return store;
}
