/**
 * The ClickHouse store: one server or a cluster, with any number of stateless
 * Tally processes in front. Orgs, keys and sessions are remembered in-process
 * for at most ORG_CACHE_MS / KEY_CACHE_MS (1 s; sessions in sessions.ts), so a change made through
 * another process (a revoked key, a new org) is seen within a second; changes
 * made through this one drop the entries at once. Writes within a process go through a
 * group committer (events) or straight to the server (small tables, versioned
 * rows read with FINAL).
 */
import type {
  Actor,
  ActorPatch,
  EventRecord,
  IngestResult,
  KeyRecord,
  Org,
  SessionRecord,
} from '../../core/model.js';
import type { RawRow, RowRequest, Scan } from '../../core/query/requests.js';
import { timeoutFrom } from '../../core/query/bounds.js';
import type { HeadcountQuery, SchemaCaps, SchemaSummary, Store } from '../port.js';
import { actorHeadcount, actorRows, currentActors, getActors } from './actors.js';
import { ChClient, parseClickHouseUrl, SYNC_INSERT, type ChRead } from './client.js';
import { toClickHouseSql } from './dialect.js';
import type { ChTables } from './dialect-expr.js';
import { KEY_CACHE_MS, KeyCache } from '../ttl-cache.js';
import { ChSessions } from './sessions.js';
import { ChAlerts } from './alerts.js';
import type { AlertRecord, DeliveryRecord } from '../../core/alerts.js';
import { BIG_QUERY, ChCommitter, MAX_EVENTS_PER_COMMIT } from './ingest.js';
import { GroupCommit, SerialLane, type CommitResult } from '../group-commit.js';
import { listEvents } from './list.js';
import { describeEvents } from './describe.js';
import { quote } from './quote.js';
import { migrate } from './migrate.js';
import { tableNames, type ChLayout, type ChTableNames } from './schema.js';
import { parseShardUrls, ShardRouter } from './shards.js';
import { createStamper, type Stamper } from './stamp.js';
import type { RetentionSetting } from '../../core/retention.js';
import type {
  AuditEntry,
  AuditInput,
  DeleteEventsResult,
  EventRef,
  ExportFilter,
  ExpiryTarget,
} from '../port.js';
import { AuditIds } from '../audit.js';
import * as auditLog from './audit.js';
import * as erasure from './erase.js';
import * as exporting from './export.js';
import * as retention from './retention.js';
import { Mutations } from './mutations.js';
import { num, toKey, toOrg } from '../sql/rows.js';
import { keyRow, mergePatches } from './store-rows.js';

export interface ClickHouseOptions {
  /** e.g. http://127.0.0.1:8123/tally: the path is the database. */
  url: string;
  /** Cluster name from remote_servers; unset for one server. */
  cluster?: string | null;
  /** TALLY_CLICKHOUSE_SHARDS: each shard's URL, in shard order (required with a cluster; shards.ts). */
  shards?: string | null;
  /** TALLY_CLICKHOUSE_REPLICATED: Replicated*MergeTree local tables on a cluster (schema.ts). */
  replicated?: boolean;
  clock?: () => number;
  /** Longest wait (ms) for an erasure's small-table mutations; default 30 s (see erase.ts). */
  mutationWaitMs?: number;
  /** TALLY_QUERY_TIMEOUT_MS: a query running longer is aborted (503 query_timeout); none when unset. */
  queryTimeoutMs?: number | null;
}

const ORG_CACHE_MS = 1000;

export class ClickHouseStore implements Store {
  readonly engine = 'clickhouse' as const;
  readonly tables: ChTableNames;
  /** The URL this store was opened with (the path names the database). */
  readonly url: string;
  private readonly client: ChClient;
  private readonly committer: ChCommitter;
  private readonly queue: GroupCommit;
  private readonly lane = new SerialLane();
  private readonly stamp: Stamper = createStamper();
  private readonly clock: () => number;
  /** TALLY_QUERY_TIMEOUT_MS: the deadline the query runner gives this store's row requests. */
  readonly queryTimeoutMs: number | null;
  private orgCache: { at: number; orgs: Org[] } | null = null;
  private readonly keyCache = new KeyCache(KEY_CACHE_MS);
  private readonly sessions: ChSessions;
  private readonly alerts: ChAlerts;
  private readonly mutations: Mutations;
  private readonly life: erasure.ChLife;

  constructor(opts: ClickHouseOptions) {
    const target = parseClickHouseUrl(opts.url);
    this.url = opts.url;
    this.layout = {
      database: target.database,
      cluster: opts.cluster ?? null,
      replicated: opts.replicated ?? false,
    };
    this.tables = tableNames(this.layout);
    this.client = new ChClient(target);
    this.clock = opts.clock ?? Date.now;
    const shards = opts.shards ? parseShardUrls(opts.shards, target) : null;
    this.router = new ShardRouter(this.client, this.layout, shards, this.clock);
    this.queryTimeoutMs = opts.queryTimeoutMs ?? null;
    this.committer = new ChCommitter(this.client, this.tables, this.clock, this.stamp, this.router);
    this.queue = new GroupCommit(
      (group) => this.commitGroup(group),
      (fn) => this.lane.run(fn),
      MAX_EVENTS_PER_COMMIT,
    );
    this.mutations = new Mutations(this.client, this.layout);
    this.sessions = new ChSessions(this.client, this.tables.sessions, this.mutations);
    this.alerts = new ChAlerts(this.client, this.layout.database, this.stamp);
    this.life = {
      client: this.client,
      t: this.tables,
      m: this.mutations,
      stamp: this.stamp,
      clock: this.clock,
      auditIds: new AuditIds(),
      waitMs: opts.mutationWaitMs ?? 30_000,
      router: this.router,
    };
  }

  private readonly layout: ChLayout;
  private readonly router: ShardRouter;

  private get queryTables(): ChTables {
    return { events: this.tables.events, losersLocal: this.tables.losersLocal, actors: this.tables.actors };
  }

  async init(): Promise<void> {
    await migrate(this.client, this.layout, this.tables.migrations);
    await this.router.init();
  }

  async close(): Promise<void> {
    await this.queue.idle();
    await this.router.close();
    await this.client.close();
  }

  /** Drop the whole database (tests). */
  async dropDatabase(): Promise<void> {
    const on = this.layout.cluster ? ` ON CLUSTER ${this.layout.cluster}` : '';
    await this.client.command(`DROP DATABASE IF EXISTS ${this.layout.database}${on}`);
  }

  ingest(events: EventRecord[]): Promise<IngestResult> {
    return this.queue.submit(events);
  }

  /** One group, on the lane: the committer's inserts, then a fresh org list when it created orgs. */
  private async commitGroup(group: EventRecord[][]): Promise<CommitResult> {
    const done = await this.committer.commit(group);
    if (done.newOrgs.length > 0) this.orgCache = null;
    return done;
  }

  get ingestCommits(): number {
    return this.queue.commits;
  }

  async listEvents(
    scan: Scan,
    limit: number,
    order: 'asc' | 'desc' = 'asc',
    signal?: AbortSignal | null,
  ): Promise<EventRecord[]> {
    const at = await this.readAt(scan.orgs, signal);
    return listEvents(at.read, at.tables, scan, limit, order);
  }

  async describeEvents(scan: Scan, caps: SchemaCaps, signal?: AbortSignal | null): Promise<SchemaSummary> {
    const at = await this.readAt(scan.orgs, signal);
    return describeEvents(at.read, at.tables, scan, caps);
  }

  async fetchRows(request: RowRequest, signal?: AbortSignal | null): Promise<RawRow[]> {
    const at = await this.readAt(request.scan.orgs, signal);
    return at.read(toClickHouseSql(request, at.tables));
  }

  /** Where a read of `orgs` runs: whole on their shard when one holds them all (shards.ts), else as before. */
  private async readAt(
    orgs: string[],
    signal?: AbortSignal | null,
  ): Promise<{ read: ChRead; tables: ChTables }> {
    const local = await this.router.local(orgs);
    if (local) return { read: this.reader(signal, local.client), tables: local.tables };
    return { read: this.reader(signal), tables: this.queryTables };
  }

  /**
   * How the event reads run: with BIG_QUERY's settings, under the store's time limit, and
   * aborted by `signal` (the request's deadline); the server stops by itself too.
   */
  private reader(signal?: AbortSignal | null, client = this.client): ChRead {
    const limitMs = this.queryTimeoutMs;
    // ClickHouse counts max_execution_time in whole seconds.
    const settings = limitMs ? { ...BIG_QUERY, max_execution_time: Math.ceil(limitMs / 1000) } : BIG_QUERY;
    return async (sql) => {
      try {
        return await client.query(sql, settings, signal);
      } catch (err) {
        throw signal?.aborted ? timeoutFrom(signal, err) : err;
      }
    };
  }

  async listOrgs(): Promise<Org[]> {
    const now = Date.now();
    if (this.orgCache && now - this.orgCache.at < ORG_CACHE_MS) return this.orgCache.orgs;
    const rows = await this.client.query(
      `SELECT id, name, parent, domain, timezone, created_at, ver FROM ${this.tables.orgs} FINAL ORDER BY id`,
    );
    const orgs = rows.map(toOrg);
    this.orgCache = { at: now, orgs };
    return orgs;
  }

  async putOrg(org: Org): Promise<void> {
    const rows = await this.client.query(
      `SELECT created_at, ver FROM ${this.tables.orgs} FINAL WHERE id = ${quote(org.id)}`,
    );
    const cur = rows[0];
    const ver = Math.max(this.stamp(), cur ? num(cur, 'ver') + 1 : 0);
    // A sub-org lives on its parent's shard, unless it was placed before (shards.ts).
    if (!cur && org.parent !== null) await this.router.placeUnder(org.id, org.parent);
    await this.client.insert(
      this.tables.orgs,
      [{ ...org, created_at: cur ? num(cur, 'created_at') : org.created_at, ver }],
      SYNC_INSERT,
    );
    this.orgCache = null;
  }

  async getActor(org: string, id: string): Promise<Actor | null> {
    return (await getActors(this.client, this.tables, org, [id]))[0] ?? null;
  }

  getActors(org: string, ids: string[]): Promise<Actor[]> {
    return getActors(this.client, this.tables, org, ids);
  }

  actorHeadcount(q: HeadcountQuery): Promise<number[]> {
    return actorHeadcount(this.client, this.tables, q);
  }

  async upsertActors(patches: ActorPatch[]): Promise<void> {
    if (patches.length === 0) return;
    const merged = mergePatches(patches);
    const rows = actorRows(merged, await currentActors(this.client, this.tables, merged), this.stamp());
    const created = await this.committer.ensureOrgs([...new Set(merged.map((p) => p.org))], this.clock());
    if (created.length > 0) this.orgCache = null;
    await this.router.insert('actors', rows);
  }

  // Alerts (alerts.ts, docs/alerts.md).
  createAlert(a: AlertRecord): Promise<void> {
    return this.alerts.createAlert(a);
  }

  listAlerts(): Promise<AlertRecord[]> {
    return this.alerts.listAlerts();
  }

  getAlert(id: string): Promise<AlertRecord | null> {
    return this.alerts.getAlert(id);
  }

  deleteAlert(id: string): Promise<boolean> {
    return this.alerts.deleteAlert(id);
  }

  addDelivery(d: DeliveryRecord): Promise<boolean> {
    return this.alerts.addDelivery(d);
  }

  listDeliveries(alertId: string): Promise<DeliveryRecord[]> {
    return this.alerts.listDeliveries(alertId);
  }

  dueDeliveries(now: number, limit: number): Promise<DeliveryRecord[]> {
    return this.alerts.dueDeliveries(now, limit);
  }

  claimDelivery(id: string, owner: string, now: number, leaseMs: number): Promise<DeliveryRecord | null> {
    return this.alerts.claimDelivery(id, owner, now, leaseMs);
  }

  saveDelivery(d: DeliveryRecord): Promise<void> {
    return this.alerts.saveDelivery(d);
  }

  createSession(s: SessionRecord): Promise<void> {
    return this.sessions.createSession(s);
  }

  getSession(hash: string): Promise<SessionRecord | null> {
    return this.sessions.getSession(hash);
  }

  touchSession(hash: string, at: number): Promise<void> {
    return this.sessions.touchSession(hash, at);
  }

  deleteSessions(idleBefore: number): Promise<void> {
    return this.sessions.deleteSessions(idleBefore);
  }

  async createKey(key: KeyRecord): Promise<void> {
    this.keyCache.drop(key.id);
    await this.client.insert(this.tables.keys, [{ ...keyRow(key), ver: this.stamp() }], SYNC_INSERT);
  }

  /** Remembered for KEY_CACHE_MS; a revocation through this store drops the entry at once. */
  getKey(id: string): Promise<KeyRecord | null> {
    return this.keyCache.get(id, async () => {
      const rows = await this.client.query(`SELECT * FROM ${this.tables.keys} FINAL WHERE id = ${quote(id)}`);
      return rows[0] ? toKey(rows[0]) : null;
    });
  }

  async listKeys(): Promise<KeyRecord[]> {
    const rows = await this.client.query(`SELECT * FROM ${this.tables.keys} FINAL ORDER BY created_at, id`);
    return rows.map(toKey);
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    const rows = await this.client.query(`SELECT * FROM ${this.tables.keys} FINAL WHERE id = ${quote(id)}`);
    const cur = rows[0];
    if (!cur) return false;
    const key = toKey(cur);
    if (key.revoked_at !== null) return false;
    this.keyCache.drop(id);
    await this.client.insert(
      this.tables.keys,
      [{ ...keyRow(key), revoked_at: at, ver: Math.max(this.stamp(), num(cur, 'ver') + 1) }],
      SYNC_INSERT,
    );
    // Again: a read that ran during the insert may have remembered the live key.
    this.keyCache.drop(id);
    return true;
  }

  // Retention, erasure, audit and export (retention.ts, erase.ts, audit.ts, export.ts; docs/lifecycle.md).
  // Deletions run on the write lane, after this process's commits in flight.

  listRetention(): Promise<RetentionSetting[]> {
    return retention.listRetention(this.client, this.mutations);
  }

  setRetention(org: string, days: number | null): Promise<void> {
    return retention.setRetention(this.client, this.mutations, this.stamp, org, days);
  }

  expireEvents(targets: ExpiryTarget[]): Promise<AuditEntry[]> {
    return this.lane.run(() => retention.expireEvents(this.life, targets));
  }

  deleteEvents(refs: EventRef[], audit: AuditInput): Promise<DeleteEventsResult> {
    return this.lane.run(() => erasure.deleteEvents(this.life, refs, audit));
  }

  eraseActor(orgs: string[], actor: string, audit: AuditInput): Promise<AuditEntry> {
    return this.lane.run(() => erasure.eraseActor(this.life, orgs, actor, audit));
  }

  eraseOrgs(orgs: string[], audit: AuditInput): Promise<AuditEntry> {
    return this.lane.run(async () => {
      try {
        return await erasure.eraseOrgs(this.life, orgs, audit);
      } finally {
        this.orgCache = null;
        // Erasing orgs narrows or revokes the keys that covered them.
        this.keyCache.clear();
      }
    });
  }

  listAudit(before: string | null, limit: number): Promise<AuditEntry[]> {
    return auditLog.listAudit(this.client, this.mutations, before, limit);
  }

  exportEvents(filter: ExportFilter, pageSize?: number): AsyncIterable<EventRecord[]> {
    return exporting.exportEvents(this.client, this.queryTables, filter, pageSize);
  }

  exportParquet(filter: ExportFilter, path: string): Promise<number> {
    return exporting.exportParquet(this.client, this.queryTables, filter, path);
  }
}
