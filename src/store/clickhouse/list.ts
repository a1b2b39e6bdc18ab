/**
 * Raw event listing on ClickHouse: the dialect's deduplicated, filtered scan,
 * ordered by time then id, with a hard row limit.
 */
import type { EventRecord } from '../../core/model.js';
import { filterLeaves } from '../../core/query/plan.js';
import type { Scan } from '../../core/query/requests.js';
import type { ChRead } from './client.js';
import { filteredSql, type ChTables } from './dialect-expr.js';
import { lit } from './quote.js';
import { toEvent } from '../sql/rows.js';

/** Newest first with 'desc'; the order is always total (time, id, org). */
export function listEventsSql(scan: Scan, t: ChTables, limit: number, order: 'asc' | 'desc' = 'asc'): string {
  const dir = order === 'desc' ? ' DESC' : '';
  const needsActors =
    filterLeaves(scan.filters).some((f) => f.field.kind === 'actor_kind') ||
    (scan.exclude?.fields.some((f) => f.kind === 'actor_kind') ?? false);
  return `SELECT org, type, ts, id, actor, value, dim_keys, dim_values FROM (
${filteredSql(scan, t, needsActors)}
)
ORDER BY ts${dir}, id${dir}, org${dir}
LIMIT ${lit(limit)}`;
}

export async function listEvents(
  read: ChRead,
  t: ChTables,
  scan: Scan,
  limit: number,
  order: 'asc' | 'desc' = 'asc',
): Promise<EventRecord[]> {
  const rows = await read(listEventsSql(scan, t, limit, order));
  return rows.map((r) => toEvent(r, 'dim_keys', 'dim_values'));
}
