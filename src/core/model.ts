/**
 * The event model shared by every store and surface. Times are Unix epoch
 * milliseconds (UTC) everywhere inside Tally; text forms exist only at the edges.
 */

export type DimValue = string | number | boolean;

/** A validated event, ready for a store. `dims` values are kept as strings. */
export interface EventRecord {
  org: string;
  id: string;
  type: string;
  /** Unix epoch milliseconds. */
  ts: number;
  actor: string | null;
  value: number;
  /** Dim values in their string form: numbers as JSON numbers, booleans as "true"/"false". */
  dims: Record<string, string>;
}

export interface Org {
  id: string;
  name: string | null;
  parent: string | null;
  domain: string | null;
  timezone: string;
  created_at: number;
}

export type Role = 'admin' | 'ingest' | 'read';

export interface KeyRecord {
  id: string;
  name: string;
  role: Role;
  /** Org ids, or ['*'] for every org. */
  orgs: string[];
  /** Hex SHA-256 of the secret. The secret itself is never stored. */
  hash: string;
  created_at: number;
  revoked_at: number | null;
  /** From this instant on the key is refused, as a revoked one is; null: it does not expire. */
  expires_at: number | null;
  /** The only event types the key reads (and, for ingest, writes); null: every type. Never empty. */
  types: string[] | null;
}

export interface Actor {
  org: string;
  id: string;
  kind: string;
  /** Explicit creation time, or null when only the first event tells. */
  created_at: number | null;
  deleted_at: number | null;
  first_name: string | null;
  last_name: string | null;
  props: Record<string, unknown>;
  /** Time of the first event seen for this actor, or null. */
  first_seen: number | null;
}

/** A partial update of an actor: fields left out keep their value. */
export interface ActorPatch {
  org: string;
  id: string;
  kind?: string;
  created_at?: number | null;
  deleted_at?: number | null;
  first_name?: string | null;
  last_name?: string | null;
  props?: Record<string, unknown>;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/**
 * A login session (TR50's sessionId). Only the SHA-256 of the session id is
 * stored; the session lives as long as its key and expires when idle.
 */
export interface SessionRecord {
  hash: string;
  keyId: string;
  /** The org the session acts for: its key's first org. */
  org: string;
  created_at: number;
  last_used: number;
}
