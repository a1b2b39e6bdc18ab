/**
 * The audit log on ClickHouse (docs/lifecycle.md): every deletion writes its
 * entry once it has run (erase.ts, retention.ts), and admins page through them
 * newest first.
 */
import type { AuditEntry, AuditInput, DeletionCounts } from '../port.js';
import type { AuditIds } from '../audit.js';
import { type ChClient, SYNC_INSERT } from './client.js';
import type { Mutations } from './mutations.js';
import { lit, quote } from './quote.js';
import { toAuditEntry } from '../sql/rows.js';

/** Write one audit entry, after the deletion it records; returns it. */
export async function writeAudit(
  x: { client: ChClient; m: Mutations; auditIds: AuditIds },
  input: AuditInput,
  at: number,
  counts: DeletionCounts,
): Promise<AuditEntry> {
  const entry: AuditEntry = { ...input, id: x.auditIds.next(at), at, counts };
  await x.client.insert(
    x.m.table('audit_log'),
    [
      {
        id: entry.id,
        done_at: at,
        key_id: input.keyId,
        op: input.op,
        params: JSON.stringify(input.params),
        scope: JSON.stringify(input.scope),
        ...counts,
      },
    ],
    SYNC_INSERT,
  );
  return entry;
}

export async function listAudit(
  client: ChClient,
  m: Mutations,
  before: string | null,
  limit: number,
): Promise<AuditEntry[]> {
  const where = before === null ? '' : `WHERE id < ${quote(before)}`;
  const rows = await client.query(
    `SELECT * FROM ${m.table('audit_log')} ${where} ORDER BY id DESC LIMIT ${lit(limit)}`,
  );
  return rows.map(toAuditEntry);
}
