/**
 * Keys and sessions off the per-request path on ClickHouse: a process reads a
 * key once per KEY_CACHE_MS, not once per request; a revocation is seen at once
 * by the process that made it and within KEY_CACHE_MS by another one (two
 * store instances on one database stand for two processes); a session's use
 * is written at most once per SESSION_TOUCH_MS.
 */
import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../../src/core/model.js';
import type { ChClient } from '../../src/store/clickhouse/client.js';
import { KEY_CACHE_MS } from '../../src/store/ttl-cache.js';
import { SESSION_TOUCH_MS } from '../../src/store/clickhouse/sessions.js';
import { ClickHouseStore } from '../../src/store/clickhouse/store.js';
import { clickhouseAvailable, freshStore } from './env.js';

const KEY: KeyRecord = {
  id: 'k1',
  name: 'reader',
  role: 'read',
  orgs: ['acme'],
  hash: 'h',
  created_at: 1,
  revoked_at: null,
  expires_at: null,
  types: null,
};

/** The store's private client. */
const clientOf = (store: ClickHouseStore): ChClient => (store as unknown as { client: ChClient }).client;

/** Count the queries a store sends from now on. */
function countQueries(store: ClickHouseStore): { n: number } {
  const client = clientOf(store);
  const seen = { n: 0 };
  const query = client.query.bind(client);
  client.query = (...args) => {
    seen.n += 1;
    return query(...args);
  };
  return seen;
}

describe.skipIf(!clickhouseAvailable)('clickhouse key and session caches', () => {
  it('one read per key and period; revocation at once here, within KEY_CACHE_MS elsewhere', async () => {
    const a = await freshStore();
    const b = new ClickHouseStore({ url: a.url });
    try {
      await a.createKey(KEY);
      const reads = countQueries(b);
      for (let k = 0; k < 5; k++) expect((await b.getKey('k1'))?.revoked_at).toBeNull();
      expect(reads.n).toBe(1);
      expect(await b.getKey('nope')).toBeNull();
      expect(await b.getKey('nope')).toBeNull();
      expect(reads.n).toBe(3); // misses are not remembered: a key created elsewhere works at once

      expect((await a.getKey('k1'))?.revoked_at).toBeNull(); // now cached in a too
      expect(await a.revokeKey('k1', 99)).toBe(true);
      expect((await a.getKey('k1'))?.revoked_at).toBe(99);
      await new Promise((r) => setTimeout(r, KEY_CACHE_MS));
      expect((await b.getKey('k1'))?.revoked_at).toBe(99);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('a session use is written once per SESSION_TOUCH_MS', async () => {
    const a = await freshStore();
    const b = new ClickHouseStore({ url: a.url });
    const t0 = 1_000_000;
    try {
      await a.createSession({ hash: 's', keyId: 'k1', org: 'acme', created_at: t0, last_used: t0 });
      const rows = async (): Promise<number> =>
        Number((await clientOf(b).query(`SELECT count() AS n FROM ${a.tables.sessions}`))[0]?.['n']);
      await a.touchSession('s', t0 + 1000);
      await a.touchSession('s', t0 + SESSION_TOUCH_MS - 1);
      expect(await rows()).toBe(1);
      expect((await b.getSession('s'))?.last_used).toBe(t0);
      await a.touchSession('s', t0 + SESSION_TOUCH_MS);
      expect(await rows()).toBe(2);
      await new Promise((r) => setTimeout(r, KEY_CACHE_MS));
      expect((await b.getSession('s'))?.last_used).toBe(t0 + SESSION_TOUCH_MS);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
