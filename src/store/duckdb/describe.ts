/**
 * describeEvents on DuckDB: event types with counts, then the dims keys of the
 * most frequent types (unnested from the dims map), each capped at one more
 * than asked so the caller can tell that some were left out.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Scan } from '../../core/query/requests.js';
import type { SchemaCaps, SchemaSummary } from '../port.js';
import { summarise } from '../sql/schema-summary.js';
import { allUntil } from './db.js';
import { lit, SqlParams, type Layout } from './dialect-expr.js';
import { whereSql } from './dialect-where.js';
import type { SqlStatement } from './dialect.js';

export function typeCountsSql(scan: Scan, cap: number, layout: Layout = {}): SqlStatement {
  const ps = new SqlParams(layout);
  const sql = `SELECT e.type AS type, count(*) AS n, min(e.ts) AS first, max(e.ts) AS last
  FROM events e
  WHERE ${whereSql(scan, ps)}
  GROUP BY e.type
  ORDER BY n DESC, type
  LIMIT ${lit(cap + 1)}`;
  return { sql, params: ps.values };
}

/** The dims keys of the scan's types (scan.types must be set), at most cap + 1 per type. */
export function keyCountsSql(scan: Scan, cap: number, layout: Layout = {}): SqlStatement {
  const ps = new SqlParams(layout);
  const sql = `SELECT type, key, count(*) AS n, min(ts) AS first, max(ts) AS last
  FROM (SELECT e.type AS type, e.ts AS ts, unnest(map_keys(e.dims)) AS key FROM events e WHERE ${whereSql(scan, ps)})
  GROUP BY type, key
  QUALIFY row_number() OVER (PARTITION BY type ORDER BY count(*) DESC, key) <= ${lit(cap + 1)}`;
  return { sql, params: ps.values };
}

export async function describeEvents(
  conn: DuckDBConnection,
  scan: Scan,
  caps: SchemaCaps,
  layout: Layout = {},
  signal?: AbortSignal | null,
): Promise<SchemaSummary> {
  const t = typeCountsSql(scan, caps.types, layout);
  const typeRows = await allUntil(conn, t.sql, t.params, signal);
  const types = typeRows.slice(0, caps.types).map((r) => String(r['type']));
  if (types.length === 0) return summarise(typeRows, [], caps);
  const k = keyCountsSql({ ...scan, types }, caps.keysPerType, layout);
  return summarise(typeRows, await allUntil(conn, k.sql, k.params, signal), caps);
}
