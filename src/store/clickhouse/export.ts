/**
 * Export on ClickHouse (docs/lifecycle.md): raw events in keyset pages that use
 * the query dialect's scan, so they leave out lost and deleted copies as every
 * read does; Parquet is written from those pages by an embedded DuckDB (18.16
 * has no Parquet format).
 */
import type { EventRecord } from '../../core/model.js';
import { MAX_INSTANT } from '../../core/time/range.js';
import type { ExportFilter } from '../port.js';
import { pagedExport, type ExportCursor } from '../export.js';
import { writeEventsParquet } from '../parquet.js';
import type { ChClient } from './client.js';
import { scanSql, type ChTables } from './dialect-expr.js';
import { BIG_QUERY } from './ingest.js';
import { toEvent } from '../sql/rows.js';
import { lit, quote } from './quote.js';

const COLUMNS = 'org, type, ts, id, actor, value, dim_keys, dim_values';

/** One export page: the dedupe-aware scan, then the keyset condition, in (ts, org, id) order. */
export function exportPageSql(
  filter: ExportFilter,
  after: ExportCursor | null,
  limit: number,
  t: ChTables,
): string {
  // The cursor's time also narrows the scan, so each page prunes on the sort key.
  const from = after === null ? filter.from : Math.max(filter.from ?? 0, after.ts);
  const scan = { orgs: filter.orgs, types: filter.types, filters: [], from, to: filter.to ?? MAX_INSTANT };
  const keyset =
    after === null
      ? ''
      : `\nWHERE ts > ${lit(after.ts)} OR (ts = ${lit(after.ts)} AND (org > ${quote(after.org)}
  OR (org = ${quote(after.org)} AND id > ${quote(after.id)})))`;
  return `SELECT ${COLUMNS} FROM (\n${scanSql(scan, t, COLUMNS)}\n)${keyset}\nORDER BY ts, org, id\nLIMIT ${lit(limit)}`;
}

export async function exportPage(
  client: ChClient,
  t: ChTables,
  filter: ExportFilter,
  after: ExportCursor | null,
  limit: number,
): Promise<EventRecord[]> {
  if (filter.orgs.length === 0) return [];
  const rows = await client.query(exportPageSql(filter, after, limit, t), BIG_QUERY);
  return rows.map((r) => toEvent(r, 'dim_keys', 'dim_values'));
}

/** ClickHouse scans fast but each page rescans its range: larger pages than the default. */
export const CH_EXPORT_PAGE = 20_000;

export function exportEvents(
  client: ChClient,
  t: ChTables,
  filter: ExportFilter,
  pageSize = CH_EXPORT_PAGE,
): AsyncGenerator<EventRecord[]> {
  return pagedExport((f, a, n) => exportPage(client, t, f, a, n), filter, pageSize);
}

export function exportParquet(
  client: ChClient,
  t: ChTables,
  filter: ExportFilter,
  path: string,
): Promise<number> {
  return writeEventsParquet(exportEvents(client, t, filter), path);
}
