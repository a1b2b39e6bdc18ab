/**
 * Where each org lives on a ClickHouse cluster, and sending its rows and its
 * queries there (docs/deploy.md, "Growing the cluster").
 *
 * `org_shards` maps each org to a shard (`shard_num` of `system.clusters`).
 * The map is the truth for an org's own tables (events, event_ids,
 * event_losers, actors, actor_seen): Tally writes their rows straight into the
 * shard's `_local` tables, never through a Distributed table's hash, so adding
 * a shard moves no org. An org gets its row before its first row of data:
 *  - an org created with a parent (PUT /v1/orgs) goes to its parent's shard, so
 *    a subtree created top-down lives on its root's shard;
 *  - an operator may place an org first (an INSERT into org_shards);
 *  - otherwise it goes where the Distributed tables' hash sends it:
 *    cityHash64(org) over the shards' weights, which is where every org written
 *    before this map existed already is. That placement is a pure function of
 *    the weights, so processes placing the same new org at once agree.
 * A new shard joins with weight 0 (docs/deploy.md): the hash then never changes,
 * the small tables (orgs, keys, sessions, ...) stay where they are, and the new
 * shard takes the orgs placed on it. The first placement of an org wins
 * (argMin by `placed`); moving an org is not supported.
 *
 * A query whose orgs all live on one shard runs whole on that shard, against
 * its local tables, so only its aggregates travel; other queries (orgs on
 * several shards) go through the Distributed tables as before. Both read the
 * same rows, so the answers are the same.
 */
import { StoreError } from '../../core/errors.js';
import { str } from '../sql/rows.js';
import { ChClient, parseClickHouseUrl, SYNC_INSERT, type ChTarget, type Row } from './client.js';
import type { ChTables } from './dialect-expr.js';
import { BIG_QUERY } from './ingest.js';
import { ident, lit, quote, quoteList } from './quote.js';
import type { ChLayout } from './schema.js';

/** Tables whose rows belong to one org and live on its shard. */
export type OrgTable = 'events' | 'event_ids' | 'event_losers' | 'actors' | 'actor_seen';

/** A shard's number and weight, as `system.clusters` lists them. */
export interface ShardWeight {
  num: number;
  weight: number;
}

/**
 * The shard of each hash slot, as a Distributed insert picks one: the shards in
 * order, each `weight` times (a row goes to slot `hash % slots.length`).
 *
 * @example
 * slotShards([{ num: 1, weight: 1 }, { num: 2, weight: 2 }, { num: 3, weight: 0 }]) // [1, 2, 2]
 */
export function slotShards(shards: readonly ShardWeight[]): number[] {
  return [...shards].sort((a, b) => a.num - b.num).flatMap((s) => Array<number>(s.weight).fill(s.num));
}

/**
 * TALLY_CLICKHOUSE_SHARDS: one HTTP URL per shard, in `shard_num` order, comma-separated.
 * Each takes the database of TALLY_CLICKHOUSE_URL, and its credentials unless it has its own.
 */
export function parseShardUrls(raw: string, main: ChTarget): ChTarget[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => p === ''))
    throw new StoreError('TALLY_CLICKHOUSE_SHARDS must list one URL per shard, comma-separated.');
  return parts.map((p, k) => {
    let t: ChTarget;
    try {
      t = parseClickHouseUrl(p);
    } catch (err) {
      // The entry itself is not repeated: it may hold a password.
      throw new StoreError(`Entry ${k + 1} of TALLY_CLICKHOUSE_SHARDS is not a URL.`, err);
    }
    return {
      ...main,
      url: t.url,
      database: main.database,
      ...(t.username === undefined ? {} : { username: t.username, password: t.password ?? '' }),
    };
  });
}

export class ShardRouter {
  /** Placements read or made: they never change, so they are kept. */
  private readonly placed = new Map<string, number>();
  private readonly shards = new Map<number, ChClient>();
  private slots: number[] = [];
  private readonly db: string;

  constructor(
    private readonly client: ChClient,
    private readonly layout: ChLayout,
    private readonly targets: ChTarget[] | null,
    private readonly clock: () => number,
  ) {
    this.db = ident(layout.database);
  }

  private get map(): string {
    return `${this.db}.org_shards`;
  }

  /** Checks the shard list against the cluster, and maps the orgs that have no row yet. */
  async init(): Promise<void> {
    if (this.layout.cluster === null) return;
    if (this.targets === null)
      throw new StoreError(
        'TALLY_CLICKHOUSE_SHARDS is required with TALLY_CLICKHOUSE_CLUSTER: the HTTP URL of each shard, in remote_servers order.',
      );
    const rows = await this.client.query(
      `SELECT shard_num AS num, any(shard_weight) AS weight FROM system.clusters
       WHERE cluster = ${quote(this.layout.cluster)} GROUP BY shard_num ORDER BY shard_num`,
    );
    const weights = rows.map((r) => ({ num: Number(r['num']), weight: Number(r['weight']) }));
    if (weights.length !== this.targets.length)
      throw new StoreError(
        `TALLY_CLICKHOUSE_SHARDS lists ${this.targets.length} URLs, but cluster ${this.layout.cluster} has ${weights.length} shards.`,
      );
    this.slots = slotShards(weights);
    if (this.slots.length === 0)
      throw new StoreError(`Cluster ${this.layout.cluster} has no shard of weight > 0.`);
    weights.forEach((w, k) => this.shards.set(w.num, new ChClient(this.targets![k]!)));
    // Two reads, not NOT IN: 18.16 refuses a Distributed subquery inside a Distributed read.
    const orgs = await this.client.query(`SELECT DISTINCT id FROM ${this.db}.orgs`);
    const mapped = new Set(
      (await this.client.query(`SELECT DISTINCT org FROM ${this.map}`)).map((r) => str(r, 'org')),
    );
    await this.shardsOf(orgs.map((r) => str(r, 'id')).filter((o) => !mapped.has(o)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.shards.values()].map((c) => c.close()));
  }

  /** The recorded placement of each of `orgs` that has one. */
  private async readPlacements(orgs: string[]): Promise<void> {
    const rows = await this.client.query(
      `SELECT org, argMin(shard, placed) AS shard FROM ${this.map} WHERE org IN (${quoteList(orgs)}) GROUP BY org`,
      BIG_QUERY,
    );
    for (const r of rows) this.placed.set(str(r, 'org'), Number(r['shard']));
  }

  /** The shard of each org, placing by the hash those that have none (see the header). */
  async shardsOf(orgs: readonly string[]): Promise<Map<string, number>> {
    const want = [...new Set(orgs)];
    let missing = want.filter((o) => !this.placed.has(o));
    if (missing.length > 0) await this.readPlacements(missing);
    missing = missing.filter((o) => !this.placed.has(o));
    if (missing.length > 0) {
      const rows = await this.client.query(
        `SELECT o, cityHash64(o) % ${lit(this.slots.length)} AS slot FROM (SELECT arrayJoin([${quoteList(missing)}]) AS o)`,
        BIG_QUERY,
      );
      const now = this.clock();
      await this.record(
        rows.map((r) => ({ org: str(r, 'o'), shard: this.slots[Number(r['slot'])]!, placed: now })),
      );
      // Another placement may have landed first (an operator's, a parent's): the table decides.
      await this.readPlacements(missing);
    }
    return new Map(want.map((o) => [o, this.placed.get(o)!]));
  }

  /** A new org with a parent goes to the parent's shard, unless it is placed already. */
  async placeUnder(org: string, parent: string): Promise<void> {
    if (this.layout.cluster === null || this.placed.has(org)) return;
    await this.readPlacements([org]);
    if (this.placed.has(org)) return;
    const shard = (await this.shardsOf([parent])).get(parent)!;
    await this.record([{ org, shard, placed: this.clock() }]);
    await this.readPlacements([org]);
  }

  private async record(rows: Row[]): Promise<void> {
    await this.client.insert(this.map, rows, SYNC_INSERT);
  }

  /** Insert an org table's rows (each has `org`): on a cluster, into each org's shard's local table. */
  async insert(table: OrgTable, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.layout.cluster === null) return this.client.insert(`${this.db}.${table}`, rows, SYNC_INSERT);
    const where = await this.shardsOf(rows.map((r) => String(r['org'])));
    const byShard = new Map<number, Row[]>();
    for (const r of rows) {
      const s = where.get(String(r['org']))!;
      byShard.set(s, [...(byShard.get(s) ?? []), r]);
    }
    await Promise.all(
      [...byShard].map(([s, part]) => this.shard(s).insert(`${this.db}.${table}_local`, part, SYNC_INSERT)),
    );
  }

  /** Run `fn` with each shard's client (the one client on a single server). */
  async eachShard(fn: (client: ChClient) => Promise<void>): Promise<void> {
    if (this.layout.cluster === null) return fn(this.client);
    await Promise.all([...this.shards.values()].map(fn));
  }

  /**
   * Where a read of `orgs` runs whole: the shard holding them all, with its local
   * tables; null when they span shards (or on one server), to read as before.
   */
  async local(orgs: readonly string[]): Promise<{ client: ChClient; tables: ChTables } | null> {
    if (this.layout.cluster === null || orgs.length === 0) return null;
    // Only recorded placements: a read places nothing.
    const unknown = orgs.filter((o) => !this.placed.has(o));
    if (unknown.length > 0) await this.readPlacements(unknown);
    const shards = new Set(orgs.map((o) => this.placed.get(o)));
    if (shards.size !== 1 || shards.has(undefined)) return null;
    const local = (n: string): string => `${this.db}.${n}_local`;
    return {
      client: this.shard([...shards][0]!),
      tables: { events: local('events'), losersLocal: local('event_losers'), actors: local('actors') },
    };
  }

  private shard(num: number): ChClient {
    const c = this.shards.get(num);
    if (!c) throw new StoreError(`Shard ${num} is not in TALLY_CLICKHOUSE_SHARDS.`);
    return c;
  }
}
