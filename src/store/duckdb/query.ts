/**
 * Runs the query engine on DuckDB: the core pipeline (core/query/run.ts) asks for
 * row aggregates, the dialect turns each into SQL, and this adapter only executes.
 * Driver errors become StoreError (the cause is kept; no SQL reaches a client).
 * A query's deadline interrupts the connection's running statement.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Query } from '../../core/query/plan.js';
import type { RawRow, RowRequest } from '../../core/query/requests.js';
import type { QueryResult } from '../../core/query/result.js';
import { timeoutFrom } from '../../core/query/bounds.js';
import { runQuery } from '../../core/query/run.js';
import { all } from './db.js';
import { toDuckDbSql } from './dialect.js';

/** Fetch the rows of one request on `conn`; `orgNos` lets scans prune by org number (dialect-expr.ts). */
export async function fetchRows(
  conn: DuckDBConnection,
  request: RowRequest,
  orgNos?: ReadonlyMap<string, number>,
  signal?: AbortSignal | null,
): Promise<RawRow[]> {
  const { sql, params } = toDuckDbSql(request, orgNos);
  if (!signal) return all(conn, sql, params);
  if (signal.aborted) throw timeoutFrom(signal);
  // Only while this statement runs: an interrupt left pending would stop the connection's next one.
  const stop = (): void => {
    conn.interrupt();
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    return await all(conn, sql, params);
  } catch (err) {
    throw signal.aborted ? timeoutFrom(signal, err) : err;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/**
 * Execute a query plan on a DuckDB connection. `nowMs` is the read time reported in
 * `meta.read_at`. Requests run one after another: a connection runs one statement at a time.
 *
 * @example
 * const result = await store.read((conn) => executeQuery(conn, plan, Date.now()));
 */
export function executeQuery(
  conn: DuckDBConnection,
  q: Query,
  nowMs: number,
  orgNos?: ReadonlyMap<string, number>,
  signal?: AbortSignal | null,
): Promise<QueryResult> {
  let chain: Promise<unknown> = Promise.resolve();
  return runQuery(
    q,
    nowMs,
    (request) => {
      const next = chain.then(() => fetchRows(conn, request, orgNos, signal));
      chain = next.catch(() => undefined);
      return next;
    },
    { signal: signal ?? null },
  );
}
