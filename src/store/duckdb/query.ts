/**
 * The DuckDB side of the query engine: the core runner (core/query/run.ts) asks
 * for row aggregates through the store's `fetchRows`, the dialect turns each into
 * SQL, and this adapter only executes it. Driver errors become StoreError (the
 * cause is kept; no SQL reaches a client). A query's deadline interrupts the
 * connection's running statement.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RawRow, RowRequest } from '../../core/query/requests.js';
import { allUntil } from './db.js';
import { toDuckDbSql } from './dialect.js';
import type { Layout } from './dialect-expr.js';

/**
 * Fetch the rows of one request on `conn`; `layout` lets scans prune by org number and read dim columns (dialect-expr.ts);
 * `rollupThrough`, the watermark the actor rollup covers (null: read events only, see dialect.ts).
 */
export async function fetchRows(
  conn: DuckDBConnection,
  request: RowRequest,
  layout: Layout = {},
  signal?: AbortSignal | null,
  rollupThrough: number | null = null,
): Promise<RawRow[]> {
  const { sql, params } = toDuckDbSql(request, layout, rollupThrough);
  return allUntil(conn, sql, params, signal);
}
