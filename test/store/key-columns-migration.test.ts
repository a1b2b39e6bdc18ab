/**
 * The key columns of docs/keys.md (expires_at, types) reach stores written before them:
 * a DuckDB file at schema version 6 and a ClickHouse database at migration 3, each
 * holding a key, open with the columns added; the old key works with no expiry and
 * every type; new keys with limits are stored. On ClickHouse, two processes starting
 * at once on the old database both get through (18.16 has no ADD COLUMN IF NOT EXISTS).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { hashSecret, newSecret } from '../../src/core/keys.js';
import { createApp } from '../../src/http/app.js';
import { ChClient, parseClickHouseUrl } from '../../src/store/clickhouse/client.js';
import { applyStep } from '../../src/store/clickhouse/migrate.js';
import { MIGRATIONS as CH_MIGRATIONS, tableNames } from '../../src/store/clickhouse/schema.js';
import { ClickHouseStore } from '../../src/store/clickhouse/store.js';
import { MIGRATIONS as DUCK_MIGRATIONS } from '../../src/store/duckdb/schema.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import type { Store } from '../../src/store/port.js';
import { clickhouseAvailable, clickhouseBaseUrl, freshDatabase } from '../clickhouse/env.js';
import { ADMIN, NOW } from '../helpers.js';

const OLD_ID = 'oldkey000001';
const OLD_SECRET = newSecret(OLD_ID);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The old key works, shows no limits, and a key with limits can now be made and used. */
async function expectKeysWork(store: Store): Promise<void> {
  const app = await createApp({ store, clock: () => NOW, adminKey: ADMIN });
  try {
    const self = await app.inject({
      url: '/v1/keys/self',
      headers: { authorization: `Bearer ${OLD_SECRET}` },
    });
    expect(self.json()).toEqual({
      id: OLD_ID,
      name: 'old',
      role: 'read',
      orgs: ['acme'],
      created_at: '1970-01-01T00:00:00.005Z',
      revoked_at: null,
      expires_at: null,
      types: null,
    });
    const made = await app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: {
        name: 'new',
        role: 'read',
        orgs: ['acme'],
        types: ['a'],
        expires_at: '2026-12-01T00:00:00Z',
      },
    });
    const key = made.json<{ key: string }>().key;
    const mine = await app.inject({ url: '/v1/keys/self', headers: { authorization: `Bearer ${key}` } });
    expect(mine.json()).toMatchObject({ types: ['a'], expires_at: '2026-12-01T00:00:00.000Z' });
  } finally {
    await app.close();
  }
}

describe('duckdb key columns', () => {
  it('a file at schema version 6 gains them; its key keeps working, with no limits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-keycols-'));
    dirs.push(dir);
    const path = join(dir, 'tally.duckdb');
    const instance = await DuckDBInstance.create(path);
    const c = await instance.connect();
    await c.run('CREATE TABLE meta (k VARCHAR PRIMARY KEY, v VARCHAR)');
    for (const m of DUCK_MIGRATIONS.slice(0, 6)) await c.run(m);
    await c.run("INSERT INTO meta VALUES ('schema_version', '6')");
    await c.run(
      `INSERT INTO api_keys VALUES ('${OLD_ID}', 'old', 'read', ['acme'], '${hashSecret(OLD_SECRET)}', 5, NULL)`,
    );
    c.closeSync();
    instance.closeSync();

    const store = await DuckDbStore.open({ path, clock: () => NOW, upkeep: false });
    await store.init();
    try {
      await expectKeysWork(store);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!clickhouseAvailable)('clickhouse key columns', () => {
  it('a database at migration 3 gains them, with two processes starting at once; its key keeps working', async () => {
    const url = `${await clickhouseBaseUrl()}/${freshDatabase()}`;
    const target = parseClickHouseUrl(url);
    const client = new ChClient(target);
    const layout = { database: target.database, cluster: null };
    const t = tableNames(layout);
    const [a, b] = [new ClickHouseStore({ url }), new ClickHouseStore({ url })];
    try {
      await client.command(`CREATE DATABASE ${target.database}`);
      await client.command(
        `CREATE TABLE ${t.migrations} (version UInt32, applied_at Int64) ENGINE = ReplacingMergeTree ORDER BY version`,
      );
      for (const m of CH_MIGRATIONS.slice(0, 3))
        for (const step of m(layout)) await applyStep(client, layout, step);
      await client.insert(
        t.migrations,
        [1, 2, 3].map((version) => ({ version, applied_at: 0 })),
      );
      await client.insert(t.keys, [
        {
          id: OLD_ID,
          name: 'old',
          role: 'read',
          orgs: ['acme'],
          hash: hashSecret(OLD_SECRET),
          created_at: 5,
          ver: 1,
        },
      ]);
      await Promise.all([a.init(), b.init()]);
      const columns = await client.query(
        `SELECT name, type FROM system.columns WHERE database = '${target.database}' AND table = 'api_keys' AND name IN ('expires_at', 'types') ORDER BY name`,
      );
      expect(columns).toEqual([
        { name: 'expires_at', type: 'Nullable(Int64)' },
        { name: 'types', type: 'Array(String)' },
      ]);
      // The added columns' steps again: nothing to do, nothing thrown.
      for (const step of CH_MIGRATIONS[3]!(layout)) await applyStep(client, layout, step);
      await expectKeysWork(a);
      expect(await b.getKey(OLD_ID)).toMatchObject({ expires_at: null, types: null, revoked_at: null });
    } finally {
      await a.dropDatabase();
      await Promise.all([a.close(), b.close(), client.close()]);
    }
  });
});
