/**
 * The event store role: take batches of events, list raw events, and compute the
 * row aggregates the core query runner asks for. The runner itself is the core's
 * (core/query/run.ts): `runQuery(plan, now, (r) => events.fetchRows(r))` is called
 * by the HTTP side, never by an engine.
 */
import type { EventRecord, IngestResult } from '../../core/model.js';
import type { RawRow, RowRequest, Scan } from '../../core/query/requests.js';

export interface EventStore {
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
  listEvents(
    scan: Scan,
    limit: number,
    order?: 'asc' | 'desc',
    signal?: AbortSignal | null,
  ): Promise<EventRecord[]>;

  /** The event types of a scan and the dims keys of each, with counts; see SchemaSummary. */
  describeEvents(scan: Scan, caps: SchemaCaps, signal?: AbortSignal | null): Promise<SchemaSummary>;

  /**
   * The rows of one row request (core/query/requests.ts), computed by the engine's dialect.
   * On every read here, `signal` is the request's deadline (TALLY_QUERY_TIMEOUT_MS): its abort
   * stops the engine's statement, and the call fails with the QueryTimeoutError it carries.
   */
  fetchRows(request: RowRequest, signal?: AbortSignal | null): Promise<RawRow[]>;
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
