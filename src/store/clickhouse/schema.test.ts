import { describe, expect, it } from 'vitest';
import { addColumnSql, MIGRATIONS, replicatedEngine } from './schema.js';

describe('replicatedEngine', () => {
  const path = '/clickhouse/tables/{shard}/tally/x_local';

  it('puts the path and the replica macro before the engine’s own arguments', () => {
    expect(replicatedEngine('ReplacingMergeTree(ver) ORDER BY id', path)).toBe(
      "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/tally/x_local', '{replica}', ver) ORDER BY id",
    );
    expect(replicatedEngine('MergeTree ORDER BY (org, placed)', path)).toBe(
      "ReplicatedMergeTree('/clickhouse/tables/{shard}/tally/x_local', '{replica}') ORDER BY (org, placed)",
    );
    expect(replicatedEngine('ReplacingMergeTree ORDER BY (org, id, ver)', path)).toBe(
      "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/tally/x_local', '{replica}') ORDER BY (org, id, ver)",
    );
  });

  it('refuses an engine that is not a MergeTree', () => {
    expect(() => replicatedEngine('Log', path)).toThrow(/not a MergeTree/);
  });

  it('makes every local table of a replicated cluster Replicated, and leaves the Distributed ones', () => {
    const layout = { database: 'tally', cluster: 'c', replicated: true };
    const creates = MIGRATIONS.flatMap((m) => m(layout)).filter(
      (s): s is string => typeof s === 'string' && s.startsWith('CREATE TABLE'),
    );
    const locals = creates.filter((s) => /^CREATE TABLE IF NOT EXISTS tally\.\w+_local /.test(s));
    expect(locals.length).toBeGreaterThanOrEqual(12);
    for (const s of locals) {
      const table = /tally\.(\w+_local)/.exec(s)![1]!;
      expect(s).toContain(`ENGINE = Replicated`);
      expect(s).toContain(`('/clickhouse/tables/{shard}/tally/${table}', '{replica}'`);
    }
    for (const s of creates.filter((x) => !locals.includes(x))) expect(s).toContain('ENGINE = Distributed(');
  });

  it('adds a column to a replicated cluster by ALTER of the local table and a new Distributed table', () => {
    const c = { table: 'api_keys', column: 'types', type: 'Array(String)' };
    expect(addColumnSql({ database: 'tally', cluster: 'c', replicated: true }, c)).toEqual([
      {
        table: 'api_keys_local',
        sql: ['ALTER TABLE tally.api_keys_local ON CLUSTER c ADD COLUMN types Array(String)'],
      },
      {
        table: 'api_keys',
        sql: [
          'DROP TABLE IF EXISTS tally.api_keys ON CLUSTER c',
          `CREATE TABLE IF NOT EXISTS tally.api_keys ON CLUSTER c AS tally.api_keys_local
      ENGINE = Distributed(c, tally, api_keys_local, cityHash64(id))`,
        ],
      },
    ]);
    // Not replicated: both by ALTER, as before.
    expect(addColumnSql({ database: 'tally', cluster: 'c' }, c).map((x) => x.sql)).toEqual([
      ['ALTER TABLE tally.api_keys_local ON CLUSTER c ADD COLUMN types Array(String)'],
      ['ALTER TABLE tally.api_keys ON CLUSTER c ADD COLUMN types Array(String)'],
    ]);
  });
});
