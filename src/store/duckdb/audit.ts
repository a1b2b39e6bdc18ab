/**
 * The audit log on DuckDB (docs/lifecycle.md): every deletion writes its entry
 * inside its own transaction (erase.ts, retention.ts), and admins page through
 * them newest first.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AuditEntry, AuditInput, DeletionCounts } from '../port.js';
import type { AuditIds } from '../audit.js';
import { all, run } from './db.js';
import { lit } from './dialect-expr.js';
import { toAuditEntry } from '../sql/rows.js';

const INSERT_AUDIT = 'INSERT INTO audit_log VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)';

/** Write one audit entry (inside the deletion's transaction); returns it. */
export async function writeAudit(
  conn: DuckDBConnection,
  ids: AuditIds,
  input: AuditInput,
  at: number,
  counts: DeletionCounts,
): Promise<AuditEntry> {
  const entry: AuditEntry = { ...input, id: ids.next(at), at, counts };
  await run(conn, INSERT_AUDIT, [
    entry.id,
    at,
    input.keyId,
    input.op,
    JSON.stringify(input.params),
    JSON.stringify(input.scope),
    counts.events,
    counts.actors,
    counts.orgs,
    counts.keys,
  ]);
  return entry;
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
