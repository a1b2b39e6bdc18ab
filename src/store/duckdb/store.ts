/**
 * The embedded DuckDB store: one database file (or :memory:), one write
 * connection behind a serial lane, and a pool of read connections. Background
 * upkeep (checkpoints, compaction) shares the lane: see upkeep.ts.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type {
  ActorPatch,
  EventRecord,
  IngestResult,
  KeyRecord,
  Org,
  Actor,
  SessionRecord,
} from '../../core/model.js';
import { StoreError } from '../../core/errors.js';
import type { HeadcountQuery, SchemaCaps, SchemaSummary, Store, UpkeepStats } from '../port.js';
import { run, type ReadPool } from './db.js';
import { DuckDbCommitter, MAX_EVENTS_PER_COMMIT } from './ingest.js';
import { GroupCommit, SerialLane, type CommitResult } from '../group-commit.js';
import { fetchRows } from './query.js';
import { listEvents } from './list.js';
import { describeEvents } from './describe.js';
import type { RawRow, RowRequest, Scan } from '../../core/query/requests.js';
import { actorHeadcount, getActor, getActors, upsertActors } from './actors.js';
import { migrate } from './migrate.js';
import { syncDimColumns, type DimColumns } from './dim-columns.js';
import { KeyCache } from '../ttl-cache.js';
import type { Layout } from './dialect-expr.js';
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
import * as sessions from './sessions.js';
import * as alerts from './alerts.js';
import type { AlertRecord, DeliveryRecord } from '../../core/alerts.js';
import * as keys from './keys.js';
import * as orgTable from './orgs.js';
import { Dedupe } from './dedupe.js';
import type { CompactionReport } from './compaction.js';
import { Upkeep } from './upkeep.js';

import { openFiles, settingsOf, type DuckDbOptions, type Settings } from './store-open.js';

export type { DuckDbOptions };

export class DuckDbStore implements Store {
  readonly engine = 'duckdb' as const;
  private orgCache: Org[] | null = null;
  /** Org id -> org number (schema.ts), loaded with orgCache. */
  private orgNos: ReadonlyMap<string, number> = new Map();

  /** Set by init(), which loads the committer's state (the dedupe filter, ...) first. */
  private committer: DuckDbCommitter | null = null;
  private queue: GroupCommit | null = null;
  private readonly auditIds = new AuditIds();
  /** TALLY_QUERY_TIMEOUT_MS: the deadline the query runner gives this store's row requests. */
  readonly queryTimeoutMs: number | null;
  /** The options with their defaults (store-open.ts): rollup on or off, dim column keys, dedupe file. */
  private readonly settings: Settings;
  /** The dim columns, once init() has made them those of settings.dimKeys. */
  private dimCols: DimColumns = new Map();
  /** API keys read by requests (getKey); never expire, since no other process writes the file. */
  private readonly keyCache = new KeyCache(Infinity);
  private readonly lane = new SerialLane();
  private readonly clock: () => number;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly readers: ReadPool,
    opts: DuckDbOptions,
  ) {
    this.settings = settingsOf(opts);
    this.clock = this.settings.clock;
    this.queryTimeoutMs = this.settings.queryTimeoutMs;
    this.upkeep = new Upkeep(
      writer,
      this.lane,
      (fn) => readers.with(fn),
      this.clock,
      this.settings.upkeep,
      (err) => opts.onUpkeepError?.(err, this),
      opts.moveChunkRows,
      opts.compactStageChunks,
    );
  }

  private readonly upkeep: Upkeep;

  /** What background upkeep has done (for /metrics and the benchmark). */
  get upkeepStats(): UpkeepStats {
    return this.upkeep.stats;
  }

  static async open(opts: DuckDbOptions): Promise<DuckDbStore> {
    const { instance, writer, readers } = await openFiles(opts);
    return new DuckDbStore(instance, writer, readers, opts);
  }

  async init(): Promise<void> {
    await this.lane.run(async () => {
      await migrate(this.writer);
      this.dimCols = await syncDimColumns(this.writer, this.settings.dimKeys);
      const dedupe = await Dedupe.load(this.writer, this.settings.dedupe);
      this.committer = await DuckDbCommitter.load(this.writer, this.clock, dedupe, this.dimCols);
      await this.upkeep.load();
      this.queue = new GroupCommit(
        (group) => this.commitGroup(group),
        (fn) => this.lane.run(fn),
        MAX_EVENTS_PER_COMMIT,
      );
    });
    this.upkeep.start();
    this.committer!.dedupe.startRebuild(
      this.instance,
      () => void this.saveDedupe(),
      (err) => {
        this.upkeep.noteFailure(err);
      },
    );
  }

  /** The dedupe filter: whether it is complete, and why it was rebuilt at start (tests, reports). */
  get dedupe(): Dedupe | null {
    return this.committer?.dedupe ?? null;
  }

  /** Save the dedupe filter next to the file (dedupe.ts): after a rebuild, every SAVE_EVERY events, at close. */
  saveDedupe(): Promise<void> {
    const c = this.committer;
    if (!c) return Promise.resolve();
    const saved = c.dedupe.save(
      (fn) => this.lane.run(fn),
      this.writer,
      () => c.lastStamp,
    );
    saved.catch((err: unknown) => {
      this.upkeep.noteFailure(err);
    });
    return saved;
  }

  async close(): Promise<void> {
    await this.upkeep.close();
    await this.committer?.dedupe.close();
    await this.saveDedupe().catch(() => undefined);
    await this.lane.run(async () => {
      await run(this.writer, 'CHECKPOINT').catch(() => undefined);
    });
    this.readers.close();
    this.writer.closeSync();
    this.instance.closeSync();
  }

  ingest(events: EventRecord[]): Promise<IngestResult> {
    if (!this.queue) return Promise.reject(new StoreError('The store is not initialised.'));
    return this.queue.submit(events);
  }

  /** One group, inside its lane task: the committer's transaction, then what the store keeps of it. */
  private async commitGroup(group: EventRecord[][]): Promise<CommitResult> {
    const done = await this.committer!.commit(group);
    if (this.committer!.dedupe.saveDue) void this.saveDedupe();
    if (done.newOrgs.length > 0) this.invalidateOrgs();
    this.upkeep.noteWrite(done.stored);
    return done;
  }

  /**
   * Sort the rows ingested since the last pass into the clustered layout now
   * (compaction.ts); with `mergeClosed`, also merge the closed periods (those
   * ended over a period ago, by the store's clock) into one run. Resolves when
   * done (null: nothing to do). Background upkeep calls this too (merging only
   * when writes have paused); concurrent calls share one pass.
   */
  compact(opts: { mergeClosed?: boolean } = {}): Promise<CompactionReport | null> {
    return this.upkeep.compact(opts);
  }

  /** How many ingest commits this store has made (group commit shares them). */
  get ingestCommits(): number {
    return this.queue?.commits ?? 0;
  }

  private invalidateOrgs(): void {
    this.orgCache = null;
  }

  async listOrgs(): Promise<Org[]> {
    if (this.orgCache) return this.orgCache;
    const { orgs, numbers } = await this.read((c) => orgTable.loadOrgs(c));
    this.orgNos = numbers;
    this.orgCache = orgs;
    return orgs;
  }

  async putOrg(org: Org): Promise<void> {
    await this.lane.run(() => orgTable.putOrg(this.writer, org));
    this.committer?.noteOrgs([org.id]);
    this.invalidateOrgs();
  }

  getActor(org: string, id: string): Promise<Actor | null> {
    return this.read((c) => getActor(c, org, id));
  }

  getActors(org: string, ids: string[]): Promise<Actor[]> {
    return this.read((c) => getActors(c, org, ids));
  }

  actorHeadcount(q: HeadcountQuery): Promise<number[]> {
    return this.read((c) => actorHeadcount(c, q));
  }

  async listEvents(
    scan: Scan,
    limit: number,
    order: 'asc' | 'desc' = 'asc',
    signal?: AbortSignal | null,
  ): Promise<EventRecord[]> {
    const layout = await this.layout();
    return this.read((c) => listEvents(c, scan, limit, layout, order, signal));
  }

  async describeEvents(scan: Scan, caps: SchemaCaps, signal?: AbortSignal | null): Promise<SchemaSummary> {
    const layout = await this.layout();
    return this.read((c) => describeEvents(c, scan, caps, layout, signal));
  }

  /**
   * One row request on a pooled connection (the core runner's requests may run side by side);
   * `signal` (the query's deadline) interrupts the statement.
   */
  async fetchRows(request: RowRequest, signal?: AbortSignal | null): Promise<RawRow[]> {
    const layout = await this.layout();
    const through = this.settings.rollup ? this.upkeep.watermark : null;
    return this.read((c) => fetchRows(c, request, layout, signal, through));
  }

  /** Org numbers (an org missing here, e.g. created since, only costs the pruning) and dim columns for scans. */
  private async layout(): Promise<Layout> {
    await this.listOrgs();
    return { orgNos: this.orgNos, dimCols: this.dimCols };
  }

  async upsertActors(patches: ActorPatch[]): Promise<void> {
    const created = await this.lane.run(async () => {
      const orgs = await upsertActors(this.writer, patches, this.clock());
      this.committer?.noteActors(patches);
      this.committer?.noteOrgs(orgs);
      return orgs;
    });
    if (created.length > 0) this.invalidateOrgs();
  }

  // Alerts (alerts.ts, docs/alerts.md): writes and claims on the lane, reads pooled.
  createAlert(a: AlertRecord): Promise<void> {
    return this.lane.run(() => alerts.createAlert(this.writer, a));
  }

  listAlerts(): Promise<AlertRecord[]> {
    return this.read((c) => alerts.listAlerts(c));
  }

  getAlert(id: string): Promise<AlertRecord | null> {
    return this.read((c) => alerts.getAlert(c, id));
  }

  deleteAlert(id: string): Promise<boolean> {
    return this.lane.run(() => alerts.deleteAlert(this.writer, id));
  }

  addDelivery(d: DeliveryRecord): Promise<boolean> {
    return this.lane.run(() => alerts.addDelivery(this.writer, d));
  }

  listDeliveries(alertId: string): Promise<DeliveryRecord[]> {
    return this.read((c) => alerts.listDeliveries(c, alertId));
  }

  dueDeliveries(now: number, limit: number): Promise<DeliveryRecord[]> {
    return this.read((c) => alerts.dueDeliveries(c, now, limit));
  }

  claimDelivery(id: string, owner: string, now: number, leaseMs: number): Promise<DeliveryRecord | null> {
    return this.lane.run(() => alerts.claimDelivery(this.writer, id, owner, now, leaseMs));
  }

  saveDelivery(d: DeliveryRecord): Promise<void> {
    return this.lane.run(() => alerts.saveDelivery(this.writer, d));
  }

  createSession(x: SessionRecord): Promise<void> {
    return this.lane.run(() => sessions.createSession(this.writer, x));
  }

  getSession(hash: string): Promise<SessionRecord | null> {
    return this.read((c) => sessions.getSession(c, hash));
  }

  touchSession(hash: string, at: number): Promise<void> {
    return this.lane.run(() => sessions.touchSession(this.writer, hash, at));
  }

  deleteSessions(idleBefore: number): Promise<void> {
    return this.lane.run(() => sessions.deleteSessions(this.writer, idleBefore));
  }

  async createKey(key: KeyRecord): Promise<void> {
    await this.lane.run(() => keys.createKey(this.writer, key));
    this.keyCache.drop(key.id);
  }

  /** Read once, then from memory: only this process writes the file, and each key write drops the entry. */
  getKey(id: string): Promise<KeyRecord | null> {
    return this.keyCache.get(id, () => this.read((c) => keys.getKey(c, id)));
  }

  listKeys(): Promise<KeyRecord[]> {
    return this.read((c) => keys.listKeys(c));
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    const done = await this.lane.run(() => keys.revokeKey(this.writer, id, at));
    this.keyCache.drop(id);
    return done;
  }

  // Retention, erasure, audit and export (retention.ts, erase.ts, audit.ts, export.ts; docs/lifecycle.md).
  // Deletions run on the write lane, then tell the committer which actors and orgs changed.

  listRetention(): Promise<RetentionSetting[]> {
    return this.read((c) => retention.listRetention(c));
  }

  setRetention(org: string, days: number | null): Promise<void> {
    return this.lane.run(() => retention.setRetention(this.writer, org, days));
  }

  expireEvents(targets: ExpiryTarget[]): Promise<AuditEntry[]> {
    return this.lane.run(() => retention.expireEvents(this.writer, targets, this.clock(), this.auditIds));
  }

  deleteEvents(refs: EventRef[], audit: AuditInput): Promise<DeleteEventsResult> {
    return this.lane.run(async () => {
      const r = await erasure.deleteEvents(this.writer, refs, audit, this.clock(), this.auditIds);
      this.committer?.resetActors(r.seen);
      return { entry: r.entry, missing: r.missing };
    });
  }

  eraseActor(orgs: string[], actor: string, audit: AuditInput): Promise<AuditEntry> {
    return this.lane.run(async () => {
      const r = await erasure.eraseActor(this.writer, orgs, actor, audit, this.clock(), this.auditIds);
      this.committer?.resetActors(r.seen);
      // Erasure should not leave the erased rows in the WAL: fold it into the file now.
      await run(this.writer, 'CHECKPOINT').catch(() => undefined);
      return r.entry;
    });
  }

  eraseOrgs(orgs: string[], audit: AuditInput): Promise<AuditEntry> {
    return this.lane.run(async () => {
      const allKeys = await keys.listKeys(this.writer);
      const entry = await erasure.eraseOrgs(this.writer, orgs, allKeys, audit, this.clock(), this.auditIds);
      this.keyCache.clear();
      this.committer?.forgetOrgs(orgs);
      this.invalidateOrgs();
      await run(this.writer, 'CHECKPOINT').catch(() => undefined);
      return entry;
    });
  }

  listAudit(before: string | null, limit: number): Promise<AuditEntry[]> {
    return this.read((c) => auditLog.listAudit(c, before, limit));
  }

  /** Written to a temporary Parquet file in one consistent scan, then read back in pages. */
  exportEvents(filter: ExportFilter, pageSize?: number): AsyncIterable<EventRecord[]> {
    return exporting.exportViaParquet((path) => this.exportParquet(filter, path), pageSize);
  }

  exportParquet(filter: ExportFilter, path: string): Promise<number> {
    return this.read((c) => exporting.exportParquet(c, filter, path));
  }

  backup(path: string): Promise<void> {
    return this.read((c) => exporting.backupDatabase(c, path));
  }

  /** Run a read on a pooled connection (engine internals and the query engine use this). */
  read<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.readers.with(fn);
  }
}
