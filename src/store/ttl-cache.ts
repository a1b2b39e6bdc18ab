/**
 * A per-process memory of small-table rows (keys, sessions), so a request does
 * not read the store for its key on every call. An entry lives at most `ttlMs`
 * of wall-clock time (not the store's clock, which tests fix): that is how long
 * a change made through another process can go unseen here (ClickHouse; the
 * DuckDB file has one process, so its entries never expire). Changes made
 * through this process update or drop the entry at once. Misses are not
 * remembered, so a key created elsewhere works at once.
 *
 * A read that raced a local change must not put the old value back: take
 * `generation` before reading and pass it to `set`, which then declines when a
 * delete or clear came in between.
 */
import type { KeyRecord } from '../core/model.js';

/** Keys and sessions are remembered this long on ClickHouse: the bound on seeing another process's revocation. */
export const KEY_CACHE_MS = 1000;

export class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: V }>();
  /** Bumped by every delete and clear. */
  generation = 0;

  constructor(
    private readonly ttlMs: number,
    /** Entries kept at most; past it, expired ones go first, then the oldest. */
    private readonly maxEntries = 10_000,
  ) {}

  /** The value, or undefined when absent or older than the TTL. */
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (Date.now() - e.at >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Remember `value`, unless something was dropped since `generation` was read. */
  set(key: string, value: V, generation: number): void {
    if (generation !== this.generation) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.prune();
    this.entries.set(key, { at: Date.now(), value });
  }

  delete(key: string): void {
    this.generation += 1;
    this.entries.delete(key);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  private prune(): void {
    const now = Date.now();
    for (const [k, e] of this.entries) if (now - e.at >= this.ttlMs) this.entries.delete(k);
    // Map order is insertion order: the first entries are the oldest.
    for (const k of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) break;
      this.entries.delete(k);
    }
  }
}

/** A copy the caller may change without changing the remembered key. */
export function copyKey(key: KeyRecord): KeyRecord {
  return { ...key, orgs: [...key.orgs], types: key.types === null ? null : [...key.types] };
}

/** API keys by id in a TtlCache: `get` reads through it, each caller gets its own copy. */
export class KeyCache {
  private readonly cache: TtlCache<KeyRecord>;

  constructor(ttlMs: number) {
    this.cache = new TtlCache<KeyRecord>(ttlMs);
  }

  async get(id: string, load: (id: string) => Promise<KeyRecord | null>): Promise<KeyRecord | null> {
    const cached = this.cache.get(id);
    if (cached) return copyKey(cached);
    const generation = this.cache.generation;
    const key = await load(id);
    if (key) this.cache.set(id, copyKey(key), generation);
    return key;
  }

  /** Forget one key (it was created, revoked or changed through this process). */
  drop(id: string): void {
    this.cache.delete(id);
  }

  /** Forget every key (an erasure narrowed or revoked some). */
  clear(): void {
    this.cache.clear();
  }
}
