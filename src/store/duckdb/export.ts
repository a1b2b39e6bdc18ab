/**
 * Export and backup on DuckDB (docs/lifecycle.md): raw events to Parquet
 * through DuckDB's own COPY (which also feeds the NDJSON export), and the
 * online backup: `COPY FROM DATABASE` into a new file, one statement and so
 * one consistent snapshot, while writes go on.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { StoreError } from '../../core/errors.js';
import type { EventRecord } from '../../core/model.js';
import type { ExportFilter } from '../port.js';
import { pathLiteral, readEventsParquet } from '../parquet.js';
import { all, run } from './db.js';
import { lit, SqlParams } from './dialect-expr.js';

/** The WHERE clause of an export, with bound values. */
export function exportWhere(filter: ExportFilter, ps: SqlParams): string {
  const parts = [ps.orgsIn('org', filter.orgs)];
  if (filter.types.length > 0) parts.push(`type IN (${filter.types.map((t) => ps.p(t)).join(', ')})`);
  if (filter.from !== null) parts.push(`ts >= ${lit(filter.from)}`);
  if (filter.to !== null) parts.push(`ts < ${lit(filter.to)}`);
  return parts.join(' AND ');
}

/**
 * An export as pages: `write` puts it in a temporary Parquet file (one
 * consistent scan, sorted by DuckDB, spilling to disk if it must), which is
 * then streamed back and removed. No read connection is held while the
 * consumer is slow.
 */
export async function* exportViaParquet(
  write: (path: string) => Promise<number>,
  pageSize?: number,
): AsyncGenerator<EventRecord[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-export-'));
  try {
    const path = join(dir, 'export.parquet');
    await write(path);
    yield* readEventsParquet(path, pageSize);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The columns of every Parquet export (both engines write the same): the
 * event's fields, `time` as a UTC timestamp with milliseconds, dims as a map.
 */
export const PARQUET_SELECT = `org, id, type, epoch_ms(ts) AT TIME ZONE 'UTC' AS time, actor, value, dims`;

/** Write the filter's events, in (ts, org, id) order, to a Parquet file; returns the row count. */
export async function exportParquet(
  conn: DuckDBConnection,
  filter: ExportFilter,
  path: string,
): Promise<number> {
  const ps = new SqlParams();
  const where = filter.orgs.length === 0 ? 'false' : exportWhere(filter, ps);
  const rows = await all(
    conn,
    `COPY (SELECT ${PARQUET_SELECT} FROM events WHERE ${where} ORDER BY ts, org, id)
     TO ${pathLiteral(path)} (FORMAT parquet, COMPRESSION zstd)`,
    ps.values,
  );
  return Number(rows[0]?.['Count'] ?? 0);
}

/**
 * A consistent copy of the whole database in a new file at `path`: attach it,
 * copy every table in one statement, detach. Runs on a read connection, so
 * ingestion carries on; the copy holds what was committed when it started.
 */
export async function backupDatabase(conn: DuckDBConnection, path: string): Promise<void> {
  const alias = `tally_backup_${randomBytes(6).toString('hex')}`;
  const source =
    ((await all(conn, 'SELECT current_database() AS db'))[0]?.['db'] as string | undefined) ?? 'memory';
  try {
    await conn.run(`ATTACH ${pathLiteral(path)} AS ${alias}`);
  } catch (err) {
    throw new StoreError('The backup file could not be created.', err);
  }
  try {
    await run(conn, `COPY FROM DATABASE "${source.replace(/"/g, '""')}" TO ${alias}`);
  } finally {
    await run(conn, `DETACH ${alias}`).catch(() => undefined);
  }
}
