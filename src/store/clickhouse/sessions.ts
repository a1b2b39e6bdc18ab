/**
 * TR50 sessions on ClickHouse, kept off each call's path: a process remembers
 * a session for at most KEY_CACHE_MS and writes a use only once the stored one
 * is SESSION_TOUCH_MS old. The newer use stays in memory (unwrittenUses) and is
 * written before any purge, so a purge never drops a session this process saw
 * used; another process sees the stored use, which can lag by SESSION_TOUCH_MS.
 */
import type { SessionRecord } from '../../core/model.js';
import type { SessionStore } from '../ports/sessions.js';
import { toSession } from '../sql/rows.js';
import { KEY_CACHE_MS, TtlCache } from '../ttl-cache.js';
import { SYNC_INSERT, type ChClient } from './client.js';
import type { Mutations } from './mutations.js';
import { lit, quote } from './quote.js';

/** A session's use is written at most this often (its idle expiry is 30 minutes). */
export const SESSION_TOUCH_MS = 60_000;
/** Past this many sessions with unwritten uses, a use is written at once. */
const MAX_UNWRITTEN_USES = 10_000;

export class ChSessions implements SessionStore {
  /** Sessions as stored in ClickHouse, remembered briefly. */
  private readonly cache = new TtlCache<SessionRecord>(KEY_CACHE_MS);
  /** Uses this process saw that are newer than the stored ones (at most SESSION_TOUCH_MS newer). */
  private readonly unwrittenUses = new Map<string, SessionRecord>();

  constructor(
    private readonly client: ChClient,
    private readonly table: string,
    private readonly mutations: Mutations,
  ) {}

  async createSession(s: SessionRecord): Promise<void> {
    this.cache.delete(s.hash);
    this.unwrittenUses.delete(s.hash);
    await this.write([s]);
  }

  async getSession(hash: string): Promise<SessionRecord | null> {
    let s = this.cache.get(hash);
    if (!s) {
      const generation = this.cache.generation;
      const rows = await this.client.query(
        `SELECT hash, any(key_id) AS key_id, any(org) AS org, min(created_at) AS created_at, max(last_used) AS last_used
         FROM ${this.table} WHERE hash = ${quote(hash)} GROUP BY hash`,
      );
      const r = rows[0];
      if (!r) return null;
      s = toSession(r);
      this.cache.set(hash, s, generation);
    }
    // A use this process saw but has not written yet counts too.
    const unwritten = this.unwrittenUses.get(hash);
    return { ...s, last_used: Math.max(s.last_used, unwritten?.last_used ?? 0) };
  }

  async touchSession(hash: string, at: number): Promise<void> {
    const s = await this.getSession(hash);
    if (!s || at <= s.last_used) return;
    const stored = this.cache.get(hash)?.last_used ?? s.last_used;
    const used = { ...s, last_used: at };
    if (at - stored < SESSION_TOUCH_MS && this.unwrittenUses.size < MAX_UNWRITTEN_USES) {
      this.unwrittenUses.set(hash, used);
      return;
    }
    this.unwrittenUses.delete(hash);
    this.cache.delete(hash);
    await this.write([used]);
  }

  /** Older versions of live sessions go too: their newest row (last_used >= idleBefore) stays. */
  async deleteSessions(idleBefore: number): Promise<void> {
    const unwritten = [...this.unwrittenUses.values()];
    this.unwrittenUses.clear();
    this.cache.clear();
    if (unwritten.length > 0) await this.write(unwritten);
    await this.mutations.delete('sessions', `last_used < ${lit(idleBefore)}`);
  }

  private async write(sessions: SessionRecord[]): Promise<void> {
    await this.client.insert(
      this.table,
      sessions.map((s) => ({
        hash: s.hash,
        key_id: s.keyId,
        org: s.org,
        created_at: s.created_at,
        last_used: s.last_used,
      })),
      SYNC_INSERT,
    );
  }
}
