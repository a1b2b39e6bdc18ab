/**
 * Parquet files of raw events, written and read with an embedded DuckDB of
 * their own (a scratch file in a temp directory, so large files spill to disk
 * rather than fill memory). Any engine's export can be written this way
 * (ClickHouse 18.16 has no Parquet format); the DuckDB store writes the same
 * columns straight from its table (duckdb/export.ts). The CLI's import
 * reads them back.
 *
 * Columns: org, id, type (VARCHAR), time (TIMESTAMP WITH TIME ZONE, UTC, ms),
 * actor (VARCHAR, nullable), value (DOUBLE), dims (MAP(VARCHAR, VARCHAR)).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { StoreError } from '../core/errors.js';
import type { EventRecord } from '../core/model.js';
import { toEvent } from './sql/rows.js';
import { appendEventColumns } from './duckdb/append-event.js';

/** A file path as a SQL string literal (COPY, ATTACH and read_parquet take no parameters for it). */
export function pathLiteral(path: string): string {
  return `'${path.replace(/'/g, "''")}'`;
}

/** Run `fn` on a scratch DuckDB that is removed afterwards. */
async function withScratch<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-parquet-'));
  let instance: DuckDBInstance | null = null;
  try {
    instance = await DuckDBInstance.create(join(dir, 'scratch.duckdb'), { memory_limit: '256MB' });
    const conn = await instance.connect();
    try {
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  } catch (err) {
    throw err instanceof StoreError ? err : new StoreError('The Parquet file could not be processed.', err);
  } finally {
    instance?.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Write events, page by page, to a Parquet file at `path` in (ts, org, id) order; resolves with the row count. */
export function writeEventsParquet(pages: AsyncIterable<EventRecord[]>, path: string): Promise<number> {
  return withScratch(async (conn) => {
    await conn.run(`CREATE TABLE stage (org VARCHAR, type VARCHAR, ts BIGINT, id VARCHAR, actor VARCHAR,
      value DOUBLE, dims VARCHAR)`);
    let rows = 0;
    for await (const page of pages) {
      const app = await conn.createAppender('stage');
      for (const e of page) {
        appendEventColumns(app, e);
        app.endRow();
      }
      app.flushSync();
      app.closeSync();
      rows += page.length;
    }
    await conn.run(`COPY (SELECT org, id, type, epoch_ms(ts) AT TIME ZONE 'UTC' AS time, actor, value,
        CAST(dims::JSON AS MAP(VARCHAR, VARCHAR)) AS dims FROM stage ORDER BY ts, org, id)
      TO ${pathLiteral(path)} (FORMAT parquet, COMPRESSION zstd)`);
    return rows;
  });
}

/**
 * Read a Parquet export back as events, streamed in pages of about `pageSize`.
 * The file needs the export's columns (others are ignored); `time` may also be
 * a plain TIMESTAMP, read as UTC.
 */
export async function* readEventsParquet(path: string, pageSize = 5000): AsyncGenerator<EventRecord[]> {
  let instance: DuckDBInstance | null = null;
  let conn: DuckDBConnection | null = null;
  try {
    try {
      instance = await DuckDBInstance.create(':memory:', { memory_limit: '256MB' });
      conn = await instance.connect();
      await conn.run("SET TimeZone = 'UTC'");
    } catch (err) {
      throw new StoreError('The Parquet reader could not start.', err);
    }
    const result = await conn
      .stream(
        `SELECT org, id, type, epoch_ms(time::TIMESTAMPTZ) AS ts, actor, value,
           map_keys(dims) AS dk, map_values(dims) AS dv FROM read_parquet(${pathLiteral(path)})`,
      )
      .catch((err: unknown) => {
        throw new StoreError('The Parquet file could not be read.', err);
      });
    let page: EventRecord[] = [];
    for await (const rows of result.yieldRowObjectJs()) {
      for (const r of rows) {
        page.push(toEvent(r, 'dk', 'dv'));
        if (page.length >= pageSize) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  } finally {
    conn?.closeSync();
    instance?.closeSync();
  }
}
