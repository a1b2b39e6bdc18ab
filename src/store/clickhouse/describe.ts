/**
 * describeEvents on ClickHouse: event types with counts over the deduplicated
 * scan, then the dims keys of the most frequent types (ARRAY JOIN over
 * dim_keys), capped per type with LIMIT BY, which 18.16 has (it has no window
 * functions). Each cap is one more than asked so the caller sees what was left out.
 */
import type { Scan } from '../../core/query/requests.js';
import type { SchemaCaps, SchemaSummary } from '../port.js';
import { summarise } from '../sql/schema-summary.js';
import type { ChRead } from './client.js';
import { filteredSql, type ChTables } from './dialect-expr.js';
import { lit } from './quote.js';

export function typeCountsSql(scan: Scan, t: ChTables, cap: number): string {
  return `SELECT type, count() AS n, min(ts) AS first, max(ts) AS last FROM (
${filteredSql(scan, t, false)}
)
GROUP BY type
ORDER BY n DESC, type
LIMIT ${lit(cap + 1)}`;
}

/** The dims keys of the scan's types (scan.types must be set), at most cap + 1 per type. */
export function keyCountsSql(scan: Scan, t: ChTables, cap: number): string {
  return `SELECT type, key, count() AS n, min(ts) AS first, max(ts) AS last FROM (
${filteredSql(scan, t, false)}
)
ARRAY JOIN dim_keys AS key
GROUP BY type, key
ORDER BY type, n DESC, key
LIMIT ${lit(cap + 1)} BY type`;
}

export async function describeEvents(
  read: ChRead,
  t: ChTables,
  scan: Scan,
  caps: SchemaCaps,
): Promise<SchemaSummary> {
  const typeRows = await read(typeCountsSql(scan, t, caps.types));
  const types = typeRows.slice(0, caps.types).map((r) => String(r['type']));
  if (types.length === 0) return summarise(typeRows, [], caps);
  return summarise(typeRows, await read(keyCountsSql({ ...scan, types }, t, caps.keysPerType)), caps);
}
