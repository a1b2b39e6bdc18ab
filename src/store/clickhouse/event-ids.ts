/**
 * Finding stored copies of given (org, id)s without reading the whole org.
 *
 * `events` is ordered (org, type, ts, id) for scans, so `org IN … AND id IN …`
 * prunes only to the org: on a large org each commit's dedupe lookup read all
 * of it. `event_ids` holds a locator per stored copy, (org, id, type, ts, ver),
 * ordered (org, id, ver): the lookup reads the locators of the wanted ids (a
 * granule per id at most), then follows them to `events` by its full sort key,
 * which prunes to the granules holding those rows.
 *
 * Locators only point; `events` stays the truth, so the answers are the ones
 * the plain lookup gave:
 *  - ingest writes a copy's locator BEFORE the copy. A copy without a locator
 *    could be missed (and stored twice); a locator without its copy (the insert
 *    of the events failed after it) finds nothing and does no harm.
 *  - racing commits: each copy's locator lands before the copy, so the later
 *    of two commits still sees both copies when it looks again (ingest.ts).
 *  - deletions remove the locators with the same conditions as the rows
 *    (lifecycle.ts), to keep the table small; a stale one is harmless.
 * On a cluster an org's locators live on the org's shard, next to its events,
 * so the subquery reads the shard's local table.
 */
import type { EventRecord } from '../../core/model.js';
import type { Row } from './client.js';
import { quoteList } from './quote.js';
import type { ChTableNames } from './schema.js';

/** The locator rows of these copies (all stored with version `ver`). */
export function locatorRows(events: readonly EventRecord[], ver: number): Row[] {
  return events.map((e) => ({ org: e.org, id: e.id, type: e.type, ts: e.ts, ver }));
}

/**
 * SELECT `columns` FROM the live copies (not recorded in `event_losers`) of
 * the events whose org is in `orgs` and whose id is in `ids` (every pair of
 * the two lists: callers keep the pairs they asked for).
 */
export function liveCopiesSql(
  t: Pick<ChTableNames, 'events' | 'eventIdsLocal' | 'losersLocal'>,
  orgs: readonly string[],
  ids: readonly string[],
  columns: string,
): string {
  const o = quoteList([...new Set(orgs)]);
  const i = quoteList([...new Set(ids)]);
  const narrow = `WHERE org IN (${o}) AND id IN (${i})`;
  return `SELECT ${columns} FROM ${t.events}
    WHERE org IN (${o})
      AND (org, type, ts, id) IN (SELECT org, type, ts, id FROM ${t.eventIdsLocal} ${narrow})
      AND (org, id, ver) NOT IN (SELECT org, id, ver FROM ${t.losersLocal} ${narrow})`;
}
