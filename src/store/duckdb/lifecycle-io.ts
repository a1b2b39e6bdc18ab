/**
 * The non-deleting half of the DuckDB lifecycle (docs/lifecycle.md): retention
 * settings, the audit log, raw export (keyset pages, and Parquet through
 * DuckDB's own COPY), and the online backup: `COPY FROM DATABASE` into a new
 * file, one statement and so one consistent snapshot, while writes go on.
 */
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { StoreError } from '../../core/errors.js';
import type { EventRecord } from '../../core/model.js';
import type { RetentionSetting } from '../../core/retention.js';
import type { AuditEntry, ExportCursor, ExportFilter } from '../lifecycle.js';
import { all, run } from './db.js';
import { lit, SqlParams } from './dialect-expr.js';
import { toAuditEntry } from './lifecycle.js';

export async function listRetention(conn: DuckDBConnection): Promise<RetentionSetting[]> {
  const rows = await all(conn, 'SELECT org, days FROM retention ORDER BY org');
  return rows.map((r) => ({ org: String(r.org), days: Number(r.days) }));
}

export async function setRetention(conn: DuckDBConnection, org: string, days: number | null): Promise<void> {
  if (days === null) await run(conn, 'DELETE FROM retention WHERE org = $1', [org]);
  else
    await run(
      conn,
      'INSERT INTO retention VALUES ($1, $2) ON CONFLICT (org) DO UPDATE SET days = excluded.days',
      [org, days],
    );
}

export async function listAudit(
  conn: DuckDBConnection,
  before: string | null,
  limit: number,
): Promise<AuditEntry[]> {
  const rows =
    before === null
      ? await all(conn, `SELECT * FROM audit_log ORDER BY id DESC LIMIT ${lit(limit)}`)
      : await all(conn, `SELECT * FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT ${lit(limit)}`, [
          before,
        ]);
  return rows.map(toAuditEntry);
}

/** The WHERE clause of an export (and of its next page after `after`), with bound values. */
export function exportWhere(filter: ExportFilter, after: ExportCursor | null, ps: SqlParams): string {
  const parts = [`org IN (${filter.orgs.map((o) => ps.p(o)).join(', ')})`];
  if (filter.types.length > 0) parts.push(`type IN (${filter.types.map((t) => ps.p(t)).join(', ')})`);
  if (filter.from !== null) parts.push(`ts >= ${lit(filter.from)}`);
  if (filter.to !== null) parts.push(`ts < ${lit(filter.to)}`);
  if (after !== null) {
    const [o, i] = [ps.p(after.org), ps.p(after.id)];
    // The plain bound lets zone maps skip row groups before the cursor; the OR alone would not.
    parts.push(`ts >= ${lit(after.ts)}`);
    parts.push(
      `(ts > ${lit(after.ts)} OR (ts = ${lit(after.ts)} AND (org > ${o} OR (org = ${o} AND id > ${i}))))`,
    );
  }
  return parts.join(' AND ');
}

export async function exportPage(
  conn: DuckDBConnection,
  filter: ExportFilter,
  after: ExportCursor | null,
  limit: number,
): Promise<EventRecord[]> {
  if (filter.orgs.length === 0) return [];
  const ps = new SqlParams();
  const where = exportWhere(filter, after, ps);
  const rows = await all(
    conn,
    `SELECT org, type, ts, id, actor, value, map_keys(dims) AS dk, map_values(dims) AS dv FROM events
     WHERE ${where} ORDER BY ts, org, id LIMIT ${lit(limit)}`,
    ps.values,
  );
  return rows.map((r) => {
    const keys = r.dk as string[];
    const values = r.dv as string[];
    return {
      org: String(r.org),
      type: String(r.type),
      ts: Number(r.ts),
      id: String(r.id),
      actor: r.actor as string | null,
      value: Number(r.value),
      dims: Object.fromEntries(keys.map((k, i) => [k, values[i]!])),
    };
  });
}

/**
 * The columns of every Parquet export (both engines write the same): the
 * event's fields, `time` as a UTC timestamp with milliseconds, dims as a map.
 */
export const PARQUET_SELECT = `org, id, type, epoch_ms(ts) AT TIME ZONE 'UTC' AS time, actor, value, dims`;

/** A file path as a SQL string literal (COPY and ATTACH take no parameters for it). */
export function pathLiteral(path: string): string {
  return `'${path.replace(/'/g, "''")}'`;
}

/** Write the filter's events, in (ts, org, id) order, to a Parquet file; returns the row count. */
export async function exportParquet(
  conn: DuckDBConnection,
  filter: ExportFilter,
  path: string,
): Promise<number> {
  const ps = new SqlParams();
  const where = filter.orgs.length === 0 ? 'false' : exportWhere(filter, null, ps);
  const rows = await all(
    conn,
    `COPY (SELECT ${PARQUET_SELECT} FROM events WHERE ${where} ORDER BY ts, org, id)
     TO ${pathLiteral(path)} (FORMAT parquet, COMPRESSION zstd)`,
    ps.values,
  );
  return Number(rows[0]?.Count ?? 0);
}

/**
 * A consistent copy of the whole database in a new file at `path`: attach it,
 * copy every table in one statement, detach. Runs on a read connection, so
 * ingestion carries on; the copy holds what was committed when it started.
 */
export async function backupDatabase(conn: DuckDBConnection, path: string): Promise<void> {
  const alias = `tally_backup_${randomBytes(6).toString('hex')}`;
  const source =
    ((await all(conn, 'SELECT current_database() AS db'))[0]?.db as string | undefined) ?? 'memory';
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
