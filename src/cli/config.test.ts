/**
 * readConfig: where each command's store lives by default, and the start-up
 * refusal of a short TALLY_ADMIN_KEY.
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from './config.js';
import { DEMO_DB } from './defaults.js';

describe('readConfig', () => {
  it('serves ./data/tally.duckdb, the demo ./data/demo.duckdb, and TALLY_DB wins over both', () => {
    expect(readConfig({}).duckdbPath).toBe('./data/tally.duckdb');
    expect(readConfig({}, { defaultDb: DEMO_DB }).duckdbPath).toBe('./data/demo.duckdb');
    expect(readConfig({ TALLY_DB: '/srv/x.duckdb' }, { defaultDb: DEMO_DB }).duckdbPath).toBe(
      '/srv/x.duckdb',
    );
  });

  it('refuses a TALLY_ADMIN_KEY shorter than 24 characters, saying how long it is', () => {
    expect(() => readConfig({ TALLY_ADMIN_KEY: 'a'.repeat(23) })).toThrow(
      /^TALLY_ADMIN_KEY: is 23 characters long; an admin key over every org needs at least 24/,
    );
    expect(readConfig({ TALLY_ADMIN_KEY: 'a'.repeat(24) }).adminKey).toBe('a'.repeat(24));
    expect(readConfig({ TALLY_ADMIN_KEY: '' }).adminKey).toBeNull();
  });

  it('reads TALLY_CLICKHOUSE_REPLICATED as 0 or 1, and only with a cluster', () => {
    const cluster = { TALLY_CLICKHOUSE_CLUSTER: 'tally' };
    expect(readConfig(cluster).clickhouseReplicated).toBe(false);
    expect(readConfig({ ...cluster, TALLY_CLICKHOUSE_REPLICATED: '1' }).clickhouseReplicated).toBe(true);
    expect(readConfig({ ...cluster, TALLY_CLICKHOUSE_REPLICATED: '0' }).clickhouseReplicated).toBe(false);
    expect(() => readConfig({ ...cluster, TALLY_CLICKHOUSE_REPLICATED: 'yes' })).toThrow(
      /^TALLY_CLICKHOUSE_REPLICATED: must be 1/,
    );
    expect(() => readConfig({ TALLY_CLICKHOUSE_REPLICATED: '1' })).toThrow(
      /^TALLY_CLICKHOUSE_REPLICATED: needs TALLY_CLICKHOUSE_CLUSTER/,
    );
  });
});
