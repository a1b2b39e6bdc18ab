/**
 * The ClickHouse commit of a group of batches (queued by ../group-commit.ts,
 * up to MAX_EVENTS_PER_COMMIT events), in order:
 *  1. keeps the first event of each (org, id) within the group;
 *  2. skips ids already stored (one lookup over the group's orgs and ids);
 *  3. creates unknown orgs (as root orgs, at the lowest version, so that a
 *     PUT /v1/orgs always wins) and records first-seen actors;
 *  4. inserts the new events' locators (event-ids.ts), then the events in one
 *     INSERT (one per shard on a cluster: an org's rows go to its shard,
 *     shards.ts), acknowledged once written;
 *  5. looks again for the same ids: two Tally processes racing on one id can
 *     both pass step 2. Every copy but the first stored (highest `ver`) is
 *     recorded in `event_losers`, which every read leaves out, whatever the
 *     merge state. Of two racing processes at least the later one sees both
 *     copies here, so the record is always made.
 * Steps 2 and 5 find copies through `event_ids`, so they read a few granules
 * per id, not the whole org.
 * Callers are answered after step 5. In that race `duplicates` can be one low
 * for the process whose check ran before the other's insert landed; figures
 * stay right. A crash between 3 and 4 can leave an org or a first-seen time
 * without its event until the client retries.
 */
import type { EventRecord } from '../../core/model.js';
import { firstOccurrences, type CommitResult } from '../group-commit.js';
import { type ChClient, type Row, SYNC_INSERT } from './client.js';
import { liveCopiesSql, locatorRows } from './event-ids.js';
import { quoteList } from './quote.js';
import type { ChTableNames } from './schema.js';
import type { ShardRouter } from './shards.js';
import { versionOf, type Stamper } from './stamp.js';
import { str } from '../sql/rows.js';

/** Upper bound of events in one flush; the id lists travel as SQL text. */
export const MAX_EVENTS_PER_COMMIT = 50_000;
/** Large IN lists: allow a query text of up to 64 MiB, and a dedupe lookup's two lists of 50,000 ids. */
export const BIG_QUERY = { max_query_size: '67108864', max_ast_elements: '1000000' } as const;

/** A version for first-seen rows: larger for earlier times, so a merge keeps the minimum. */
export const seenVersion = (ts: number): number => 2 ** 52 - ts;

/**
 * The ClickHouse half of group commit (queued by ../group-commit.ts): one group -> steps 1-5 above.
 * It keeps no state between commits (other processes write too): each commit asks the server.
 */
export class ChCommitter {
  constructor(
    private readonly client: ChClient,
    private readonly t: ChTableNames,
    private readonly clock: () => number,
    private readonly stamp: Stamper,
    /** Writes an org's rows to its shard (shards.ts). */
    private readonly router: ShardRouter,
  ) {}

  /** Accepted count per batch of the group, and the orgs it created. */
  async commit(group: EventRecord[][]): Promise<CommitResult> {
    const now = this.clock();
    const ver = versionOf(this.stamp());
    // 1. First of each (org, id) within the group.
    const candidates = firstOccurrences(group).map(({ event, batch }) => ({ e: event, batch }));
    const orgs = [...new Set(candidates.map((c) => c.e.org))];
    // 2. Skip what is stored.
    const stored = await this.existing(
      orgs,
      candidates.map((c) => c.e.id),
    );
    const fresh = candidates.filter((c) => !stored.has(`${c.e.org}\u0000${c.e.id}`));
    const accepted = group.map(() => 0);
    if (fresh.length === 0) return { accepted, stored: 0, newOrgs: [] };
    // 3. Orgs and first-seen actors.
    const freshOrgs = [...new Set(fresh.map((c) => c.e.org))];
    const newOrgs = await this.ensureOrgs(freshOrgs, now);
    const firstSeen = new Map<string, { org: string; actor: string; ts: number }>();
    for (const { e } of fresh) {
      if (e.actor === null) continue;
      const key = `${e.org}\u0000${e.actor}`;
      const cur = firstSeen.get(key);
      if (!cur || e.ts < cur.ts) firstSeen.set(key, { org: e.org, actor: e.actor, ts: e.ts });
    }
    await this.router.insert(
      'actor_seen',
      [...firstSeen.values()].map((s) => ({ ...s, ver: seenVersion(s.ts) })),
    );
    // 4. The locators first (a copy without its locator could be stored twice), then the events.
    await this.router.insert(
      'event_ids',
      locatorRows(
        fresh.map((c) => c.e),
        ver,
      ),
    );
    await this.router.insert(
      'events',
      fresh.map(({ e }) => ({
        org: e.org,
        type: e.type,
        ts: e.ts,
        id: e.id,
        actor: e.actor,
        value: e.value,
        dim_keys: Object.keys(e.dims),
        dim_values: Object.values(e.dims),
        received: now,
        ver,
      })),
    );
    // 5. Races with another process: record every copy but the first stored.
    const lost = await this.settleRaces(
      freshOrgs,
      fresh.map((c) => c.e.id),
      ver,
      now,
    );
    let kept = 0;
    for (const c of fresh)
      if (!lost.has(`${c.e.org}\u0000${c.e.id}`)) {
        accepted[c.batch]! += 1;
        kept += 1;
      }
    return { accepted, stored: kept, newOrgs };
  }

  /**
   * Create the orgs of `ids` that do not exist yet, as root orgs at the lowest
   * version (a PUT /v1/orgs always wins); returns those it created. Ingest and
   * the actors API both create orgs this way.
   */
  async ensureOrgs(ids: string[], now: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const known = new Set(
      (
        await this.client.query(
          `SELECT DISTINCT id FROM ${this.t.orgs} WHERE id IN (${quoteList(ids)})`,
          BIG_QUERY,
        )
      ).map((r) => str(r, 'id')),
    );
    const missing = ids.filter((id) => !known.has(id));
    await this.client.insert(
      this.t.orgs,
      missing.map((id) => ({
        id,
        name: null,
        parent: null,
        domain: null,
        timezone: 'UTC',
        created_at: now,
        ver: 0,
      })),
      SYNC_INSERT,
    );
    return missing;
  }

  /** Copies recorded in `event_losers` (lost races, and deleted events: erase.ts) do not count as stored. */
  private async existing(orgs: string[], ids: string[]): Promise<Set<string>> {
    const rows = await this.client.query(
      `SELECT DISTINCT org, id FROM (${liveCopiesSql(this.t, orgs, ids, 'org, id')})`,
      BIG_QUERY,
    );
    return new Set(rows.map((r) => `${str(r, 'org')}\u0000${str(r, 'id')}`));
  }

  /** Record losing copies of these ids; returns the (org, id) keys whose copy from this commit lost. */
  private async settleRaces(orgs: string[], ids: string[], ver: number, now: number): Promise<Set<string>> {
    const rows: Row[] = await this.client.query(
      `SELECT org, id, groupUniqArray(ver) AS vers FROM (${liveCopiesSql(this.t, orgs, ids, 'org, id, ver')})
       GROUP BY org, id HAVING length(vers) > 1`,
      BIG_QUERY,
    );
    const losers: Row[] = [];
    const lost = new Set<string>();
    for (const r of rows) {
      const vers = (r['vers'] as unknown[]).map(Number);
      const top = Math.max(...vers);
      for (const v of vers) if (v !== top) losers.push({ org: r['org'], id: r['id'], ver: v, noted: now });
      if (ver !== top) lost.add(`${str(r, 'org')}\u0000${str(r, 'id')}`);
    }
    await this.router.insert('event_losers', losers);
    return lost;
  }
}
