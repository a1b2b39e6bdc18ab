/**
 * Retention on DuckDB (docs/lifecycle.md): each org's own setting, and the
 * expiry of raw events before each org's cutoff, audited per org in the same
 * transaction, with the actor rollup's cells (rollup.ts). The store runs expiry on its write lane.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { StoreError } from '../../core/errors.js';
import type { RetentionSetting } from '../../core/retention.js';
import type { AuditEntry, ExpiryTarget } from '../port.js';
import { NO_COUNTS, type AuditIds } from '../audit.js';
import { writeAudit } from './audit.js';
import { all, run, transaction } from './db.js';
import { num, str, toRetention } from '../sql/rows.js';
import { expireCells } from './rollup.js';

export async function listRetention(conn: DuckDBConnection): Promise<RetentionSetting[]> {
  const rows = await all(conn, 'SELECT org, days FROM retention ORDER BY org');
  return rows.map(toRetention);
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

// Staging tables are dropped and created afresh, never emptied with DELETE: DuckDB keeps the
// memory of rows deleted from a temp table (see ingest.ts).
const CUTOFF_DDL = `DROP TABLE IF EXISTS temp.lifecycle_cutoffs;
  CREATE TEMP TABLE lifecycle_cutoffs (org VARCHAR, before BIGINT)`;

/**
 * Retention: each target's events before its cutoff, one audit entry per org
 * that lost any. Two passes over the table whatever the number of orgs: one
 * counting per org, one deleting, in one transaction.
 */
export async function expireEvents(
  conn: DuckDBConnection,
  targets: ExpiryTarget[],
  now: number,
  ids: AuditIds,
): Promise<AuditEntry[]> {
  if (targets.length === 0) return [];
  await run(conn, CUTOFF_DDL);
  try {
    const app = await conn.createAppender('lifecycle_cutoffs', 'main', 'temp');
    for (const t of targets) {
      app.appendVarchar(t.org);
      app.appendBigInt(BigInt(t.before));
      app.endRow();
    }
    app.flushSync();
    app.closeSync();
  } catch (err) {
    throw new StoreError('The store could not stage a retention run.', err);
  }
  return transaction(conn, async () => {
    const rows = await all(
      conn,
      `SELECT e.org, count(*) AS n FROM events e JOIN lifecycle_cutoffs c ON e.org = c.org AND e.ts < c.before
       GROUP BY e.org`,
    );
    const counts = new Map(rows.map((r) => [str(r, 'org'), num(r, 'n')]));
    if (counts.size === 0) return [];
    await run(
      conn,
      'DELETE FROM events USING lifecycle_cutoffs c WHERE events.org = c.org AND events.ts < c.before',
    );
    await expireCells(conn);
    const entries: AuditEntry[] = [];
    for (const t of targets) {
      const n = counts.get(t.org) ?? 0;
      if (n > 0) entries.push(await writeAudit(conn, ids, t.audit, now, { ...NO_COUNTS, events: n }));
    }
    return entries;
  });
}
