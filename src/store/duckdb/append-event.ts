/**
 * The event columns in the order both the ingest staging table and the Parquet export stage
 * hold them (org, type, ts, id, actor, value, dims), appended through one DuckDB appender row.
 * One writer, so the two tables cannot drift apart in how an event is laid out.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import type { EventRecord } from '../../core/model.js';

/** Append `e`'s columns to the current row of `app`; the caller adds its own columns around them and ends the row. */
export function appendEventColumns(app: DuckDBAppender, e: EventRecord): void {
  app.appendVarchar(e.org);
  app.appendVarchar(e.type);
  app.appendBigInt(BigInt(e.ts));
  app.appendVarchar(e.id);
  if (e.actor === null) app.appendNull();
  else app.appendVarchar(e.actor);
  app.appendDouble(e.value);
  app.appendVarchar(JSON.stringify(e.dims));
}
