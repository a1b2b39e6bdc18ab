/**
 * The embedded DuckDB store: one database file (or :memory:), one write
 * connection behind a serial lane, and a pool of read connections.
 *
 * Upkeep runs on the same lane, between ingest commits: a CHECKPOINT once
 * writes have paused for a moment (DuckDB's own automatic checkpoint is moved
 * out of the way to WAL_AUTOCHECKPOINT, because inside an ingest commit it
 * stalled that commit for seconds), and compaction (compaction.ts) when the
 * unsorted tail passes `tailRows` or writes have paused for `idleMs`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type {
  ActorPatch,
  EventRecord,
  IngestResult,
  KeyRecord,
  Org,
  Actor,
  Role,
  SessionRecord,
} from '../../core/model.js';
import { StoreError } from '../../core/errors.js';
import type { HeadcountQuery, Store, UpkeepStats } from '../port.js';
import { all, ReadPool, run, tryCheckpoint } from './db.js';
import { DuckDbCommitter, loadFingerprints, loadFirstSeen, MAX_EVENTS_PER_COMMIT } from './ingest.js';
import { GroupCommit, SerialLane } from '../group-commit.js';
import { executeQuery } from './query.js';
import { listEvents } from './list.js';
import type { Scan } from '../../core/query/requests.js';
import type { Query } from '../../core/query/plan.js';
import type { QueryResult } from '../../core/query/result.js';
import { actorHeadcount, getActor, getActors, upsertActors } from './actors.js';
import { MIGRATIONS, NEXT_ORG_NO } from './schema.js';
import type { RetentionSetting } from '../../core/retention.js';
import type {
  AuditEntry,
  AuditInput,
  DeleteEventsResult,
  EventRef,
  ExportFilter,
  ExpiryTarget,
} from '../lifecycle.js';
import * as life from './lifecycle.js';
import * as lifeIo from './lifecycle-io.js';
import { compact, maxReceived, PERIOD_MS, tailRows, type CompactionReport } from './compaction.js';

/** DuckDB's automatic checkpoint threshold; the store checkpoints itself when idle and after compaction. */
const WAL_AUTOCHECKPOINT = '256MB';

export interface UpkeepOptions {
  /** Compact once this many rows are unsorted (default 262,144: two row groups). */
  tailRows: number;
  /** ...or once writes have paused this long with any rows unsorted (default 60 s). */
  idleMs: number;
  /** CHECKPOINT once writes have paused this long (default 1 s). */
  checkpointIdleMs: number;
}

export const DEFAULT_UPKEEP: UpkeepOptions = {
  tailRows: 262_144,
  idleMs: 60_000,
  checkpointIdleMs: 1_000,
};

export interface DuckDbOptions {
  /** File path, or ':memory:'. */
  path: string;
  clock?: () => number;
  readers?: number;
  /** DuckDB's memory_limit (TALLY_DUCKDB_MEMORY), e.g. '1GB'; DuckDB's own default (80% of RAM) when unset. */
  memoryLimit?: string;
  /** Background upkeep; false turns it off (then only compact() and close() checkpoint or sort). */
  upkeep?: Partial<UpkeepOptions> | false;
  /** Told when background upkeep fails (the failure is also kept in upkeepStats.lastError). */
  onUpkeepError?: (err: unknown, store: DuckDbStore) => void;
}

export class DuckDbStore implements Store {
  readonly engine = 'duckdb' as const;
  private orgCache: Org[] | null = null;
  /** Org id -> org number (schema.ts), loaded with orgCache. */
  private orgNos: ReadonlyMap<string, number> = new Map();

  /** Set by init(), which loads the fingerprints of the stored events first. */
  private committer: DuckDbCommitter | null = null;
  private queue: GroupCommit | null = null;
  /** Org ids known to exist (never a false positive: orgs are only added). */
  private readonly knownOrgs = new Set<string>();

  /** Upkeep state: unsorted rows, the last write (wall clock), the pass running, the idle timer. */
  private tail = 0;
  private dirty = false;
  private lastWrite = 0;
  private compacting: Promise<CompactionReport | null> | null = null;
  /** The period before which everything was last merged into one run (meta.merged_through). */
  private mergedThrough = 0;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  readonly upkeepStats: UpkeepStats = {
    compactions: 0,
    compactedRows: 0,
    lastCompaction: null,
    checkpoints: 0,
    lastError: null,
  };

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly readers: ReadPool,
    private readonly lane: SerialLane,
    private readonly clock: () => number,
    private readonly upkeep: UpkeepOptions | null,
    private readonly onUpkeepError: DuckDbOptions['onUpkeepError'],
  ) {}

  static async open(opts: DuckDbOptions): Promise<DuckDbStore> {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(opts.path, {
        wal_autocheckpoint: WAL_AUTOCHECKPOINT,
        ...(opts.memoryLimit ? { memory_limit: opts.memoryLimit } : {}),
      });
    } catch (err) {
      throw new StoreError('The DuckDB file could not be opened.', err);
    }
    const writer = await instance.connect();
    const readers = await ReadPool.open(instance, opts.readers ?? 4);
    const lane = new SerialLane();
    const clock = opts.clock ?? Date.now;
    const upkeep = opts.upkeep === false ? null : { ...DEFAULT_UPKEEP, ...opts.upkeep };
    return new DuckDbStore(instance, writer, readers, lane, clock, upkeep, opts.onUpkeepError);
  }

  async init(): Promise<void> {
    await this.lane.run(async () => {
      await run(this.writer, 'CREATE TABLE IF NOT EXISTS meta (k VARCHAR PRIMARY KEY, v VARCHAR)');
      const rows = await all(this.writer, "SELECT v FROM meta WHERE k = 'schema_version'");
      const version = rows[0] ? Number(rows[0].v) : 0;
      for (let i = version; i < MIGRATIONS.length; i++) {
        await run(this.writer, 'BEGIN TRANSACTION');
        await run(this.writer, MIGRATIONS[i]!);
        await run(this.writer, "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [String(i + 1)]);
        await run(this.writer, 'COMMIT');
      }
      for (const r of await all(this.writer, 'SELECT id FROM orgs')) this.knownOrgs.add(String(r.id));
      const fingerprints = await loadFingerprints(this.writer);
      const firstSeen = await loadFirstSeen(this.writer);
      this.tail = await tailRows(this.writer);
      const merged = await all(this.writer, "SELECT v FROM meta WHERE k = 'merged_through'");
      this.mergedThrough = merged[0] ? Number(merged[0].v) : 0;
      const committer = new DuckDbCommitter(
        this.writer,
        this.clock,
        await maxReceived(this.writer),
        fingerprints,
        firstSeen,
        this.knownOrgs,
        () => {
          this.invalidateOrgs();
        },
      );
      this.committer = committer;
      this.queue = new GroupCommit(
        async (group) => {
          const accepted = await committer.commit(group);
          this.noteWrite(accepted.reduce((a, b) => a + b, 0));
          return accepted;
        },
        (fn) => this.lane.run(fn),
        MAX_EVENTS_PER_COMMIT,
      );
    });
    if (this.tail > 0) this.arm(this.upkeep?.idleMs ?? 0);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    await this.compacting?.catch(() => undefined);
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

  /**
   * Sort the rows ingested since the last pass into the clustered layout now
   * (compaction.ts); with `mergeClosed`, also merge the closed periods (those
   * ended over a period ago, by the store's clock) into one run. Resolves when
   * done (null: nothing to do). Background upkeep calls this too (merging only
   * when writes have paused); concurrent calls share one pass.
   */
  compact(opts: { mergeClosed?: boolean } = {}): Promise<CompactionReport | null> {
    const closedBefore = opts.mergeClosed ? Math.floor(this.clock() / PERIOD_MS) - 1 : null;
    this.compacting ??= compact(
      this.writer,
      (fn) => this.lane.run(fn),
      () => this.closing,
      closedBefore,
    )
      .then(async (report) => {
        this.tail = await this.lane.run(() => tailRows(this.writer));
        if (closedBefore !== null && !this.closing)
          this.mergedThrough = Math.max(this.mergedThrough, closedBefore);
        if (report) {
          this.upkeepStats.compactions++;
          this.upkeepStats.compactedRows += report.rows + report.mergedRows;
          this.upkeepStats.lastCompaction = report;
          this.upkeepStats.lastError = null;
          if (report.checkpointed) this.upkeepStats.checkpoints++;
          else this.dirty = true;
        }
        return report;
      })
      .finally(() => {
        this.compacting = null;
      });
    return this.compacting;
  }

  /** Inside an ingest commit's lane task: count the new unsorted rows and schedule upkeep. */
  private noteWrite(rows: number): void {
    if (rows === 0 || !this.upkeep) return;
    this.tail += rows;
    this.dirty = true;
    this.lastWrite = Date.now();
    if (this.tail >= this.upkeep.tailRows) this.background(() => this.compact());
    this.arm(this.upkeep.checkpointIdleMs);
  }

  private arm(ms: number): void {
    if (!this.upkeep || this.closing) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.background(() => this.idle());
    }, ms);
    this.timer.unref();
  }

  /** The idle timer: checkpoint after a short pause, compact after a long one; re-arm for what is left. */
  private async idle(): Promise<void> {
    const cfg = this.upkeep;
    if (!cfg || this.closing) return;
    const quiet = Date.now() - this.lastWrite;
    if (this.dirty && quiet >= cfg.checkpointIdleMs) {
      this.dirty = false;
      if (await this.lane.run(() => tryCheckpoint(this.writer))) {
        this.upkeepStats.checkpoints++;
        this.upkeepStats.lastError = null;
      } else this.dirty = true;
    }
    // A period closed since the last merge: merge once writes have paused (only writes rearm this).
    const mergeDue = this.mergedThrough < Math.floor(this.clock() / PERIOD_MS) - 1;
    if ((this.tail > 0 || mergeDue) && quiet >= cfg.idleMs) await this.compact({ mergeClosed: true });
    const due = this.tail > 0 || this.mergedThrough < Math.floor(this.clock() / PERIOD_MS) - 1;
    const wait = Math.min(
      this.dirty ? cfg.checkpointIdleMs : Infinity,
      due ? Math.max(cfg.checkpointIdleMs, cfg.idleMs - quiet) : Infinity,
    );
    if (wait < Infinity) this.arm(wait);
  }

  /** Run upkeep without a caller: a failure is recorded (and retried by the next trigger), never thrown. */
  private background(fn: () => Promise<unknown>): void {
    fn().catch((err: unknown) => {
      this.upkeepStats.lastError = describe(err);
      this.dirty = true;
      this.onUpkeepError?.(err, this);
    });
  }

  /** How many ingest commits this store has made (group commit shares them). */
  get ingestCommits(): number {
    return this.queue?.commits ?? 0;
  }

  invalidateOrgs(): void {
    this.orgCache = null;
  }

  async listOrgs(): Promise<Org[]> {
    if (this.orgCache) return this.orgCache;
    const rows = await this.read((c) => all(c, 'SELECT * FROM orgs ORDER BY id'));
    this.orgNos = new Map(rows.map((r) => [String(r.id), Number(r.no)]));
    this.orgCache = rows.map((r) => ({
      id: String(r.id),
      name: r.name as string | null,
      parent: r.parent as string | null,
      domain: r.domain as string | null,
      timezone: String(r.timezone),
      created_at: Number(r.created_at),
    }));
    return this.orgCache;
  }

  async putOrg(org: Org): Promise<void> {
    await this.lane.run(() =>
      run(
        this.writer,
        `INSERT INTO orgs (id, name, parent, domain, timezone, created_at, no)
         VALUES (?, ?, ?, ?, ?, ?, ${NEXT_ORG_NO} + 1) ON CONFLICT (id) DO UPDATE SET name = excluded.name,
         parent = excluded.parent, domain = excluded.domain, timezone = excluded.timezone`,
        [org.id, org.name, org.parent, org.domain, org.timezone, org.created_at],
      ),
    );
    this.knownOrgs.add(org.id);
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

  async listEvents(scan: Scan, limit: number): Promise<EventRecord[]> {
    const orgNos = await this.orgNumbers();
    return this.read((c) => listEvents(c, scan, limit, orgNos));
  }

  async query(q: Query): Promise<QueryResult> {
    const orgNos = await this.orgNumbers();
    return this.read((c) => executeQuery(c, q, this.clock(), orgNos));
  }

  /** Org numbers for scans (an org missing here, e.g. created since, only costs the pruning). */
  private async orgNumbers(): Promise<ReadonlyMap<string, number>> {
    await this.listOrgs();
    return this.orgNos;
  }

  async upsertActors(patches: ActorPatch[]): Promise<void> {
    const created = await this.lane.run(async () => {
      const n = await upsertActors(this.writer, patches, this.clock());
      this.committer?.noteActors(patches);
      return n;
    });
    if (created > 0) this.invalidateOrgs();
  }

  async createSession(x: SessionRecord): Promise<void> {
    await this.lane.run(() =>
      run(this.writer, 'INSERT INTO sessions VALUES (?, ?, ?, ?, ?)', [
        x.hash,
        x.keyId,
        x.org,
        x.created_at,
        x.last_used,
      ]),
    );
  }

  async getSession(hash: string): Promise<SessionRecord | null> {
    const rows = await this.read((c) => all(c, 'SELECT * FROM sessions WHERE hash = ?', [hash]));
    const r = rows[0];
    if (!r) return null;
    return {
      hash: String(r.hash),
      keyId: String(r.key_id),
      org: String(r.org),
      created_at: Number(r.created_at),
      last_used: Number(r.last_used),
    };
  }

  async touchSession(hash: string, at: number): Promise<void> {
    await this.lane.run(() =>
      run(this.writer, 'UPDATE sessions SET last_used = GREATEST(last_used, ?) WHERE hash = ?', [at, hash]),
    );
  }

  async deleteSessions(idleBefore: number): Promise<void> {
    await this.lane.run(() => run(this.writer, 'DELETE FROM sessions WHERE last_used < ?', [idleBefore]));
  }

  async createKey(key: KeyRecord): Promise<void> {
    await this.lane.run(() =>
      run(this.writer, 'INSERT INTO api_keys VALUES (?, ?, ?, ?::VARCHAR[], ?, ?, ?)', [
        key.id,
        key.name,
        key.role,
        JSON.stringify(key.orgs),
        key.hash,
        key.created_at,
        key.revoked_at,
      ]),
    );
  }

  async getKey(id: string): Promise<KeyRecord | null> {
    const rows = await this.read((c) => all(c, 'SELECT * FROM api_keys WHERE id = ?', [id]));
    return rows[0] ? toKey(rows[0]) : null;
  }

  async listKeys(): Promise<KeyRecord[]> {
    const rows = await this.read((c) => all(c, 'SELECT * FROM api_keys ORDER BY created_at, id'));
    return rows.map(toKey);
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    const rows = await this.lane.run(() =>
      all(
        this.writer,
        'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id',
        [at, id],
      ),
    );
    return rows.length > 0;
  }

  // Data lifecycle (lifecycle.ts, lifecycle-io.ts; docs/lifecycle.md). Deletions run on the write lane,
  // then tell the ingest state which actors and orgs changed.

  listRetention(): Promise<RetentionSetting[]> {
    return this.read((c) => lifeIo.listRetention(c));
  }

  setRetention(org: string, days: number | null): Promise<void> {
    return this.lane.run(() => lifeIo.setRetention(this.writer, org, days));
  }

  expireEvents(targets: ExpiryTarget[]): Promise<AuditEntry[]> {
    return this.lane.run(() => life.expireEvents(this.writer, targets, this.clock()));
  }

  deleteEvents(refs: EventRef[], audit: AuditInput): Promise<DeleteEventsResult> {
    return this.lane.run(async () => {
      const r = await life.deleteEvents(this.writer, refs, audit, this.clock());
      this.committer?.resetActors(r.seen);
      return { entry: r.entry, missing: r.missing };
    });
  }

  eraseActor(orgs: string[], actor: string, audit: AuditInput): Promise<AuditEntry> {
    return this.lane.run(async () => {
      const r = await life.eraseActor(this.writer, orgs, actor, audit, this.clock());
      this.committer?.resetActors(r.seen);
      // Erasure should not leave the erased rows in the WAL: fold it into the file now.
      await run(this.writer, 'CHECKPOINT').catch(() => undefined);
      return r.entry;
    });
  }

  eraseOrgs(orgs: string[], audit: AuditInput): Promise<AuditEntry> {
    return this.lane.run(async () => {
      const keys = (await all(this.writer, 'SELECT * FROM api_keys')).map(toKey);
      const entry = await life.eraseOrgs(this.writer, orgs, keys, audit, this.clock());
      this.committer?.forgetOrgs(orgs);
      this.invalidateOrgs();
      await run(this.writer, 'CHECKPOINT').catch(() => undefined);
      return entry;
    });
  }

  listAudit(before: string | null, limit: number): Promise<AuditEntry[]> {
    return this.read((c) => lifeIo.listAudit(c, before, limit));
  }

  /** Written to a temporary Parquet file in one consistent scan, then read back in pages. */
  exportEvents(filter: ExportFilter, pageSize?: number): AsyncIterable<EventRecord[]> {
    return lifeIo.exportViaParquet((path) => this.exportParquet(filter, path), pageSize);
  }

  exportParquet(filter: ExportFilter, path: string): Promise<number> {
    return this.read((c) => lifeIo.exportParquet(c, filter, path));
  }

  backup(path: string): Promise<void> {
    return this.read((c) => lifeIo.backupDatabase(c, path));
  }

  /** Run a read on a pooled connection (engine internals and the query engine use this). */
  read<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.readers.with(fn);
  }
}

/** An error and its causes in one line (StoreError's own message is generic). */
function describe(err: unknown): string {
  const parts: string[] = [];
  for (
    let e = err, depth = 0;
    depth < 4 && e !== undefined;
    e = e instanceof Error ? e.cause : undefined, depth++
  )
    parts.push(e instanceof Error ? e.message : JSON.stringify(e));
  return parts.join(': ');
}

function toKey(r: Record<string, unknown>): KeyRecord {
  return {
    id: String(r.id),
    name: String(r.name),
    role: String(r.role) as Role,
    orgs: (r.orgs as unknown[]).map(String),
    hash: String(r.hash),
    created_at: Number(r.created_at),
    revoked_at: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}
