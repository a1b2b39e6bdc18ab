/**
 * Raw event listing for presenters that answer with events rather than
 * aggregates (SaferMe's reports_images, exports): the scan's WHERE clause of
 * the query dialect, ordered by time then id, with a hard row limit.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { EventRecord } from '../../core/model.js';
import type { Scan } from '../../core/query/requests.js';
import { allUntil } from './db.js';
import { lit, SqlParams, type Layout } from './dialect-expr.js';
import { whereSql } from './dialect-where.js';
import type { SqlStatement } from './dialect.js';
import { toEvent } from '../sql/rows.js';

/** Newest first with 'desc'; the order is always total (time, id, org), so a limit cuts the same way every time. */
export function listEventsSql(
  scan: Scan,
  limit: number,
  layout: Layout = {},
  order: 'asc' | 'desc' = 'asc',
): SqlStatement {
  const dir = order === 'desc' ? ' DESC' : '';
  const ps = new SqlParams(layout);
  // Filters on actor_kind are semi-joins (whereSql); only an exclusion over it reads the actor row.
  const join = scan.exclude?.fields.some((f) => f.kind === 'actor_kind')
    ? '\n  LEFT JOIN actors a ON a.org = e.org AND a.id = e.actor'
    : '';
  const sql = `SELECT e.org, e.type, e.ts, e.id, e.actor, e.value, map_keys(e.dims) AS dk, map_values(e.dims) AS dv
  FROM events e${join}
  WHERE ${whereSql(scan, ps)}
  ORDER BY e.ts${dir}, e.id${dir}, e.org${dir}
  LIMIT ${lit(limit)}`;
  return { sql, params: ps.values };
}

export async function listEvents(
  conn: DuckDBConnection,
  scan: Scan,
  limit: number,
  layout: Layout = {},
  order: 'asc' | 'desc' = 'asc',
  signal?: AbortSignal | null,
): Promise<EventRecord[]> {
  const { sql, params } = listEventsSql(scan, limit, layout, order);
  const rows = await allUntil(conn, sql, params, signal);
  return rows.map((r) => toEvent(r, 'dk', 'dv'));
}
