/**
 * Which ClickHouse the suites ran against. CI runs them twice, on Debian's
 * 18.16 and on 26.x through chDB (.ci/run), and sets
 * TALLY_TEST_CLICKHOUSE_EXPECT_VERSION so a run that silently reached the
 * wrong server fails instead of passing on the other version.
 */
import { describe, expect, it } from 'vitest';
import { ChClient } from '../../src/store/clickhouse/client.js';
import { clickhouseAvailable, clickhouseBaseUrl } from './env.js';

describe.skipIf(!clickhouseAvailable)('clickhouse server version', () => {
  it('is the one this run is meant to test', async () => {
    const client = new ChClient({ url: await clickhouseBaseUrl(), database: 'default' });
    try {
      const [row] = await client.query('SELECT version() AS v');
      const version = String(row?.['v']);
      console.log(`ClickHouse ${version}`);
      expect(version).toMatch(/^\d+\.\d+\./);
      const expected = process.env['TALLY_TEST_CLICKHOUSE_EXPECT_VERSION'];
      if (expected) expect(version.startsWith(expected)).toBe(true);
    } finally {
      await client.close();
    }
  });
});
