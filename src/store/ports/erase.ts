/** The erase role: delete single events (correction), actors, or whole org subtrees, each audited. */
import type { AuditEntry, AuditInput } from './audit.js';

/** One stored event, by its idempotency key. */
export interface EventRef {
  org: string;
  id: string;
}

export interface DeleteEventsResult {
  entry: AuditEntry;
  /** The refs that matched no stored event. */
  missing: EventRef[];
}

export interface EraseStore {
  /**
   * Delete events by (org, id); the ids are free afterwards, so a corrected
   * event with the same id is accepted as new. first_seen of the actors
   * involved is recomputed from their remaining events.
   */
  deleteEvents(refs: EventRef[], audit: AuditInput): Promise<DeleteEventsResult>;
  /** Erase an actor in each of `orgs`: every event it is the actor of, and its profile. */
  eraseActor(orgs: string[], actor: string, audit: AuditInput): Promise<AuditEntry>;
  /**
   * Erase orgs wholesale (callers pass a whole subtree): their events, actors,
   * sessions, retention settings and the orgs themselves. Keys that cover only
   * these orgs are revoked; other keys lose these orgs from their list.
   */
  eraseOrgs(orgs: string[], audit: AuditInput): Promise<AuditEntry>;
}
