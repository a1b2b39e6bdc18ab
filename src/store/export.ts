/** What both engines' export code shares: paging through an export by keyset. */
import type { EventRecord } from '../core/model.js';
import type { ExportFilter } from './port.js';

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
