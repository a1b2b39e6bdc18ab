/**
 * The Store port: everything Tally needs from a storage engine. `createStore`
 * in ./index.ts is the only place that picks an engine. Engines: ./duckdb, ./clickhouse.
 */
import type {
  Actor,
  ActorPatch,
  EventRecord,
  IngestResult,
  KeyRecord,
  Org,
  SessionRecord,
} from '../core/model.js';
import type { Query } from '../core/query/plan.js';
import type { Scan } from '../core/query/requests.js';
import type { QueryResult } from '../core/query/result.js';
import type { LifecycleStore } from './lifecycle.js';

/** Data lifecycle operations (retention, erasure, correction, export, backup) are in LifecycleStore. */
/** What an engine's own background upkeep has done since start (DuckDB: compaction, checkpoints). */
export interface UpkeepStats {
  compactions: number;
  compactedRows: number;
  lastCompaction: { rows: number; periods: number; merged: number; ms: number } | null;
  checkpoints: number;
  /** The last failure of background upkeep, cleared by the next success (it is retried). */
  lastError: string | null;
}

export interface Store extends LifecycleStore {
  readonly engine: 'duckdb' | 'clickhouse';
  /** Background upkeep figures, for /metrics; engines without upkeep leave it out. */
  readonly upkeepStats?: UpkeepStats | null;
  /** Create or migrate tables; idempotent. */
  init(): Promise<void>;
  /** Finish pending writes and release the engine. */
  close(): Promise<void>;

  /**
   * Store a batch atomically, deduplicated on (org, id): the first stored event
   * with an id wins. Resolves only once the batch is durable. Concurrent calls
   * share commits. Orgs that do not exist yet are created as root orgs.
   */
  ingest(events: EventRecord[]): Promise<IngestResult>;

  /**
   * The events a scan selects, ordered by time then id (newest first with `order` 'desc'),
   * at most `limit` of them. Ask for one more than you can use to learn that there were more.
   */
  listEvents(scan: Scan, limit: number, order?: 'asc' | 'desc'): Promise<EventRecord[]>;

  /** The event types of a scan and the dims keys of each, with counts; see SchemaSummary. */
  describeEvents(scan: Scan, caps: SchemaCaps): Promise<SchemaSummary>;

  listOrgs(): Promise<Org[]>;
  putOrg(org: Org): Promise<void>;

  getActor(org: string, id: string): Promise<Actor | null>;
  /** Create or update actors; fields a patch leaves out keep their value. */
  upsertActors(patches: ActorPatch[]): Promise<void>;

  /** Actors of one org by id (unknown ids are left out), ordered by id. */
  getActors(org: string, ids: string[]): Promise<Actor[]>;
  /** Headcount of actors existing just before each instant; see HeadcountQuery. */
  actorHeadcount(q: HeadcountQuery): Promise<number[]>;

  createSession(s: SessionRecord): Promise<void>;
  getSession(hash: string): Promise<SessionRecord | null>;
  /** Record a use of the session (for idle expiry). */
  touchSession(hash: string, at: number): Promise<void>;
  /**
   * Forget the sessions last used before `idleBefore` (expired ones). On ClickHouse the
   * rows go by a mutation, a little later; they are refused as expired until then.
   */
  deleteSessions(idleBefore: number): Promise<void>;

  createKey(key: KeyRecord): Promise<void>;
  getKey(id: string): Promise<KeyRecord | null>;
  listKeys(): Promise<KeyRecord[]>;
  /** Mark a key revoked; false when there is no such live key. */
  revokeKey(id: string, at: number): Promise<boolean>;

  /** Run a query plan (see core/query); the engine's answer, read at the store's clock. */
  query(q: Query): Promise<QueryResult>;
}

/**
 * Count actors of `kinds` in `orgs` that exist just before each instant t:
 * born (created_at, or their first event when it is unset) before t, and not
 * deleted before t (an actor deleted exactly at t still existed just before
 * it). VIKTOR's total_users asks this at each day's end (the next midnight).
 */
export interface HeadcountQuery {
  orgs: string[];
  kinds: string[];
  /** Epoch ms; the answer has one count per instant, in the same order. */
  instants: number[];
}

/** How much describeEvents returns: the most frequent types, and the most frequent keys of each. */
export interface SchemaCaps {
  types: number;
  keysPerType: number;
}

/** Counted over the events of the scan; first and last are epoch ms of the earliest and latest. */
export interface SchemaCount {
  count: number;
  first: number;
  last: number;
}

/**
 * The event types of a scan, most frequent first (ties by name), at most `caps.types` of them,
 * and for each the dims keys its events carry, most frequent first, at most `caps.keysPerType`.
 * A `more` flag says that the cap left some out.
 */
export interface SchemaSummary {
  types: (SchemaCount & { type: string; keys: (SchemaCount & { key: string })[]; moreKeys: boolean })[];
  moreTypes: boolean;
}
