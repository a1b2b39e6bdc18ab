/**
 * Helpers both engines' erase, audit and export code share (docs/lifecycle.md).
 */
import { randomBytes } from 'node:crypto';
import type { EventRecord } from '../core/model.js';
import type { DeletionCounts, ExportFilter } from './port.js';

/** Keyset position of an export: the last event of the previous page, in (ts, org, id) order. */
export interface ExportCursor {
  ts: number;
  org: string;
  id: string;
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

/**
 * New audit entry ids that sort in creation order: the time in base 36 (fixed
 * width; never going back for one store), a sequence number within that
 * millisecond, and a random tail so that two processes do not collide.
 * Newest-first listing orders by id. Each store holds its own.
 */
export class AuditIds {
  private lastAt = 0;
  private seq = 0;

  next(at: number): string {
    if (at > this.lastAt) [this.lastAt, this.seq] = [at, 0];
    else this.seq += 1;
    return `${this.lastAt.toString(36).padStart(9, '0')}${this.seq.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
  }
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
