/**
 * The DuckDB store reads an API key from the file once and then from memory (src/store/ttl-cache.ts
 * KeyCache): requests authenticate without a statement, and every key write through the store
 * (the only writer of its file) is seen by the next read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../../src/core/model.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';

const stores: DuckDbStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const KEY: KeyRecord = {
  id: 'k1',
  name: 'reader',
  role: 'read',
  orgs: ['acme', 'beta'],
  hash: 'h',
  created_at: 1,
  revoked_at: null,
  expires_at: null,
  types: ['a.b'],
};

/** A store whose reads (statements on the read pool) are counted. */
async function counted(): Promise<{ store: DuckDbStore; reads: { n: number } }> {
  const store = await DuckDbStore.open({ path: ':memory:', upkeep: false });
  await store.init();
  stores.push(store);
  const reads = { n: 0 };
  const read = store.read.bind(store);
  store.read = (fn) => {
    reads.n += 1;
    return read(fn);
  };
  return { store, reads };
}

describe('DuckDB key cache', () => {
  it('reads a key once, hands out copies, and sees revocations and erasures at once', async () => {
    const { store, reads } = await counted();
    await store.createKey(KEY);
    const first = await store.getKey('k1');
    expect(first).toEqual(KEY);
    first!.orgs.push('*');
    expect(await store.getKey('k1')).toEqual(KEY);
    expect(reads.n).toBe(1);

    expect(await store.getKey('nope')).toBeNull();
    expect(await store.getKey('nope')).toBeNull();
    expect(reads.n).toBe(3); // misses are not remembered: a key created later works at once

    await store.revokeKey('k1', 77);
    expect((await store.getKey('k1'))?.revoked_at).toBe(77);

    await store.createKey({ ...KEY, id: 'k2' });
    expect((await store.getKey('k2'))?.orgs).toEqual(['acme', 'beta']);
    await store.eraseOrgs(['acme'], { keyId: null, op: 'erase_orgs', params: {}, scope: [['acme']] });
    expect((await store.getKey('k2'))?.orgs).toEqual(['beta']);
  });
});
