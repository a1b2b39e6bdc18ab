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
   * The events a scan selects, ordered by time then id, at most `limit` of them.
   * Ask for one more than you can use to learn that there were more.
   */
  listEvents(scan: Scan, limit: number): Promise<EventRecord[]>;

  /** The rows of one row request (core/query/requests.ts), computed by the engine's dialect. */
  fetchRows(request: RowRequest, signal?: AbortSignal | null): Promise<RawRow[]>;
}
