/**
 * Retention on ClickHouse (docs/lifecycle.md): each org's own setting
 * (versioned rows; a null `days` row clears a setting), and the expiry of raw
 * events before each org's cutoff, by mutation, audited per org.
 */
import type { RetentionSetting } from '../../core/retention.js';
import type { AuditEntry, ExpiryTarget } from '../port.js';
import { NO_COUNTS } from '../audit.js';
import { writeAudit } from './audit.js';
import { type ChClient, SYNC_INSERT } from './client.js';
import { live, type ChLife } from './erase.js';
import { BIG_QUERY } from './ingest.js';
import { chunks, type Mutations } from './mutations.js';
import { lit, quote } from './quote.js';
import type { Stamper } from './stamp.js';
import { num, str, toRetention } from '../sql/rows.js';

export async function listRetention(client: ChClient, m: Mutations): Promise<RetentionSetting[]> {
  const rows = await client.query(
    `SELECT org, days FROM ${m.table('retention')} FINAL WHERE isNotNull(days) ORDER BY org`,
  );
  return rows.map(toRetention);
}

export async function setRetention(
  client: ChClient,
  m: Mutations,
  stamp: Stamper,
  org: string,
  days: number | null,
): Promise<void> {
  await client.insert(m.table('retention'), [{ org, days, ver: stamp() }], SYNC_INSERT);
}

/** Retention: count what expires per org, issue one mutation per slice of orgs, one audit entry per org. */
export async function expireEvents(x: ChLife, targets: ExpiryTarget[]): Promise<AuditEntry[]> {
  if (targets.length === 0) return [];
  const now = x.clock();
  const cond = (ts: ExpiryTarget[]): string =>
    ts.map((t) => `(org = ${quote(t.org)} AND ts < ${lit(t.before)})`).join(' OR ');
  const orgs = targets.map((t) => t.org);
  const rows = await x.client.query(
    `SELECT org, count() AS n FROM ${x.t.events} WHERE (${cond(targets)}) AND ${live(x.t, orgs)} GROUP BY org`,
    BIG_QUERY,
  );
  const counts = new Map(rows.map((r) => [str(r, 'org'), num(r, 'n')]));
  const due = targets.filter((t) => (counts.get(t.org) ?? 0) > 0);
  for (const slice of chunks(due, 100))
    for (const table of ['events', 'event_ids']) await x.m.delete(table, cond(slice));
  const entries: AuditEntry[] = [];
  for (const t of due)
    entries.push(await writeAudit(x, t.audit, now, { ...NO_COUNTS, events: counts.get(t.org) ?? 0 }));
  return entries;
}
