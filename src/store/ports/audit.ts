/**
 * The audit log role: every deletion (erasure, correction, retention) writes one
 * entry; admins and reach-limited keys read them back (docs/lifecycle.md).
 */

export type AuditOp = 'delete_events' | 'erase_actor' | 'erase_orgs' | 'retention';

/** What a deletion records about itself before it runs; the store adds id, time and counts. */
export interface AuditInput {
  /** The key that asked (`env-admin` for TALLY_ADMIN_KEY), or null for the server's retention job. */
  keyId: string | null;
  op: AuditOp;
  /** The operation's parameters as the audit log shows them (no personal data: actor ids are hashed). */
  params: Record<string, unknown>;
  /**
   * Who may read the entry: for each org the operation targeted, that org and
   * its ancestors at the time (nearest first), or ['*'] for "every org". A key
   * sees the entry when each path holds one of its orgs (see core/audit.ts).
   */
  scope: string[][];
}

/** How much a deletion removed. */
export interface DeletionCounts {
  events: number;
  actors: number;
  orgs: number;
  /** Keys revoked, or changed to drop erased orgs. */
  keys: number;
}

export interface AuditEntry extends AuditInput {
  id: string;
  /** Epoch ms, the store's clock. */
  at: number;
  counts: DeletionCounts;
}

export interface AuditLog {
  /** Audit entries, newest first, strictly before `before` (an entry's id) when given. */
  listAudit(before: string | null, limit: number): Promise<AuditEntry[]>;
}
