/**
 * The data-lifecycle half of the Store port (docs/lifecycle.md): retention
 * settings and expiry, erasure of actors and org subtrees, deletion of single
 * events (correction), the audit log every deletion writes, and raw export.
 * Each engine implements it in its own lifecycle module; port.ts extends it.
 */
import { randomBytes } from 'node:crypto';
import type { EventRecord } from '../core/model.js';
import type { RetentionSetting } from '../core/retention.js';

/** One stored event, by its idempotency key. */
export interface EventRef {
  org: string;
  id: string;
}

export type AuditOp = 'delete_events' | 'erase_actor' | 'erase_orgs' | 'retention';

/** What a deletion records about itself before it runs; the store adds id, time and counts. */
export interface AuditInput {
  /** The key that asked (`env-admin` for TALLY_ADMIN_KEY), or null for the server's retention job. */
  keyId: string | null;
  op: AuditOp;
  /** The operation's parameters as the audit log shows them (no personal data: actor ids are hashed). */
  params: Record<string, unknown>;
  /**
   * Who may read the entry: for each org the operation targeted, that org and
   * its ancestors at the time (nearest first), or ['*'] for "every org". A key
   * sees the entry when each path holds one of its orgs (see core/audit.ts).
   */
  scope: string[][];
}

/** How much a deletion removed. */
export interface DeletionCounts {
  events: number;
  actors: number;
  orgs: number;
  /** Keys revoked, or changed to drop erased orgs. */
  keys: number;
}

export interface AuditEntry extends AuditInput {
  id: string;
  /** Epoch ms, the store's clock. */
  at: number;
  counts: DeletionCounts;
}

export interface DeleteEventsResult {
  entry: AuditEntry;
  /** The refs that matched no stored event. */
  missing: EventRef[];
}

/** Which raw events an export reads: orgs (already expanded), optional types, half-open time range. */
export interface ExportFilter {
  orgs: string[];
  types: string[];
  from: number | null;
  to: number | null;
}

/** Keyset position of an export: the last event of the previous page, in (ts, org, id) order. */
export interface ExportCursor {
  ts: number;
  org: string;
  id: string;
}

/** An org's events older than `before` expire; the store writes `audit` when any did. */
export interface ExpiryTarget {
  org: string;
  before: number;
  audit: AuditInput;
}

export interface LifecycleStore {
  /** Retention settings of every org that has one (days, 0 = forever). */
  listRetention(): Promise<RetentionSetting[]>;
  /** Set an org's own retention (days, 0 = forever), or null to inherit again. */
  setRetention(org: string, days: number | null): Promise<void>;
  /**
   * Delete each target's events with ts < before. Actors stay, first_seen
   * included (see docs/lifecycle.md). One audit entry per org that lost events.
   */
  expireEvents(targets: ExpiryTarget[]): Promise<AuditEntry[]>;
  /**
   * Delete events by (org, id); the ids are free afterwards, so a corrected
   * event with the same id is accepted as new. first_seen of the actors
   * involved is recomputed from their remaining events.
   */
  deleteEvents(refs: EventRef[], audit: AuditInput): Promise<DeleteEventsResult>;
  /** Erase an actor in each of `orgs`: every event it is the actor of, and its profile. */
  eraseActor(orgs: string[], actor: string, audit: AuditInput): Promise<AuditEntry>;
  /**
   * Erase orgs wholesale (callers pass a whole subtree): their events, actors,
   * sessions, retention settings and the orgs themselves. Keys that cover only
   * these orgs are revoked; other keys lose these orgs from their list.
   */
  eraseOrgs(orgs: string[], audit: AuditInput): Promise<AuditEntry>;
  /** Audit entries, newest first, strictly before `before` (an entry's id) when given. */
  listAudit(before: string | null, limit: number): Promise<AuditEntry[]>;
  /**
   * The filter's raw events in (ts, org, id) order, in pages of about
   * `pageSize`. Events stored or deleted while it runs may or may not appear;
   * none appears twice.
   */
  exportEvents(filter: ExportFilter, pageSize?: number): AsyncIterable<EventRecord[]>;
  /** Write the filter's events to a Parquet file at `path`; resolves with the row count. */
  exportParquet(filter: ExportFilter, path: string): Promise<number>;
  /**
   * Write a complete, consistent copy of the store to a new file at `path`
   * while it keeps serving. Only the embedded engine has it.
   */
  backup?(path: string): Promise<void>;
}

/** Events per export page. */
export const EXPORT_PAGE = 5000;

/** One page of raw events in (ts, org, id) order, strictly after `after` (an engine's keyset query). */
export type ExportPage = (
  filter: ExportFilter,
  after: ExportCursor | null,
  limit: number,
) => Promise<EventRecord[]>;

/**
 * Every event of an export through keyset pages: each page is its own short
 * query, so nothing is held open while the consumer is slow.
 */
export async function* pagedExport(
  page: ExportPage,
  filter: ExportFilter,
  pageSize = EXPORT_PAGE,
): AsyncGenerator<EventRecord[]> {
  let after: ExportCursor | null = null;
  for (;;) {
    const rows = await page(filter, after, pageSize);
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    after = { ts: last.ts, org: last.org, id: last.id };
  }
}

let lastAt = 0;
let seq = 0;

/**
 * A new audit entry id that sorts in creation order: the time in base 36
 * (fixed width; never going back within a process), a sequence number within
 * that millisecond, and a random tail so that two processes do not collide.
 * Newest-first listing orders by id.
 */
export function newAuditId(at: number): string {
  if (at > lastAt) [lastAt, seq] = [at, 0];
  else seq += 1;
  return `${lastAt.toString(36).padStart(9, '0')}${seq.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
}

export const NO_COUNTS: DeletionCounts = { events: 0, actors: 0, orgs: 0, keys: 0 };

/** Keys after erasing `orgs`: revoke those left with none, drop the erased ones from the rest. */
export function keyChanges<K extends { id: string; orgs: string[]; revoked_at: number | null }>(
  keys: K[],
  erased: ReadonlySet<string>,
): { revoke: K[]; narrow: { key: K; orgs: string[] }[] } {
  const revoke: K[] = [];
  const narrow: { key: K; orgs: string[] }[] = [];
  for (const key of keys) {
    if (key.revoked_at !== null || key.orgs.includes('*')) continue;
    const kept = key.orgs.filter((o) => !erased.has(o));
    if (kept.length === key.orgs.length) continue;
    if (kept.length === 0) revoke.push(key);
    else narrow.push({ key, orgs: kept });
  }
  return { revoke, narrow };
}
