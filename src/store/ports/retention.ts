/** The retention role: per-org settings, and the expiry of raw events older than an org's cutoff. */
import type { RetentionSetting } from '../../core/retention.js';
import type { AuditEntry, AuditInput } from './audit.js';

/** An org's events older than `before` expire; the store writes `audit` when any did. */
export interface ExpiryTarget {
  org: string;
  before: number;
  audit: AuditInput;
}

export interface RetentionStore {
  /** Retention settings of every org that has one (days, 0 = forever). */
  listRetention(): Promise<RetentionSetting[]>;
  /** Set an org's own retention (days, 0 = forever), or null to inherit again. */
  setRetention(org: string, days: number | null): Promise<void>;
  /**
   * Delete each target's events with ts < before. Actors stay, first_seen
   * included (see docs/lifecycle.md). One audit entry per org that lost events.
   */
  expireEvents(targets: ExpiryTarget[]): Promise<AuditEntry[]>;
}
