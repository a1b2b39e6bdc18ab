/**
 * Typed decoders of the rows both engines read back. A driver row is a
 * `Record<string, unknown>` (DuckDB's BIGINTs already made numbers by db.ts,
 * ClickHouse's JSONEachRow values as JSON gives them); every column is read here,
 * by name, into the domain types, so the engines share one decoding and no module
 * reads `r.col` untyped. ClickHouse leaves out NULL columns of some rows, so
 * `undefined` reads as NULL.
 */
import type { Actor, EventRecord, KeyRecord, Org, Role, SessionRecord } from '../../core/model.js';
import type { AuditEntry } from '../port.js';

/** A row as a driver returns it. */
export type Row = Readonly<Record<string, unknown>>;

/** Column `col` as text. */
export const str = (r: Row, col: string): string => String(r[col]);

/** Column `col` as a number. */
export const num = (r: Row, col: string): number => Number(r[col]);

/** Column `col` as a number, or null when NULL. */
export function numOrNull(r: Row, col: string): number | null {
  const v = r[col];
  return v === null || v === undefined ? null : Number(v);
}

/** Column `col` as text, or null when NULL. */
export function strOrNull(r: Row, col: string): string | null {
  const v = r[col];
  return v === null || v === undefined ? null : str(r, col);
}

/** Column `col` as an array of text (an empty array when NULL). */
export function strArray(r: Row, col: string): string[] {
  const v = r[col];
  return Array.isArray(v) ? v.map(String) : [];
}

/** Column `col` holding JSON text, parsed. */
export const json = (r: Row, col: string): unknown => JSON.parse(str(r, col));

/** An `orgs` row. */
export function toOrg(r: Row): Org {
  return {
    id: str(r, 'id'),
    name: strOrNull(r, 'name'),
    parent: strOrNull(r, 'parent'),
    domain: strOrNull(r, 'domain'),
    timezone: str(r, 'timezone'),
    created_at: num(r, 'created_at'),
  };
}

/** An `api_keys` row. */
export function toKey(r: Row): KeyRecord {
  return {
    id: str(r, 'id'),
    name: str(r, 'name'),
    role: str(r, 'role') as Role,
    orgs: strArray(r, 'orgs'),
    hash: str(r, 'hash'),
    created_at: num(r, 'created_at'),
    revoked_at: numOrNull(r, 'revoked_at'),
    expires_at: numOrNull(r, 'expires_at'),
    // No list (DuckDB's NULL, ClickHouse's []): every type. A key's list is never empty.
    types: strArray(r, 'types').length === 0 ? null : strArray(r, 'types'),
  };
}

/** A `sessions` row (on ClickHouse, a session's versions merged by hash). */
export function toSession(r: Row): SessionRecord {
  return {
    hash: str(r, 'hash'),
    keyId: str(r, 'key_id'),
    org: str(r, 'org'),
    created_at: num(r, 'created_at'),
    last_used: num(r, 'last_used'),
  };
}

/** An `actors` row. */
export function toActor(r: Row): Actor {
  return {
    org: str(r, 'org'),
    id: str(r, 'id'),
    kind: str(r, 'kind'),
    created_at: numOrNull(r, 'created_at'),
    deleted_at: numOrNull(r, 'deleted_at'),
    first_name: strOrNull(r, 'first_name'),
    last_name: strOrNull(r, 'last_name'),
    props: json(r, 'props') as Record<string, unknown>,
    first_seen: numOrNull(r, 'first_seen'),
  };
}

/** An `audit_log` row. */
export function toAuditEntry(r: Row): AuditEntry {
  return {
    id: str(r, 'id'),
    at: num(r, 'done_at'),
    keyId: strOrNull(r, 'key_id'),
    op: str(r, 'op') as AuditEntry['op'],
    params: json(r, 'params') as Record<string, unknown>,
    scope: json(r, 'scope') as string[][],
    counts: {
      events: num(r, 'events'),
      actors: num(r, 'actors'),
      orgs: num(r, 'orgs'),
      keys: num(r, 'keys'),
    },
  };
}

/**
 * An event row whose dims come as two parallel arrays, keys in column `keysCol`
 * and values in `valuesCol` (DuckDB's map_keys/map_values, ClickHouse's columns).
 */
export function toEvent(r: Row, keysCol: string, valuesCol: string): EventRecord {
  const keys = strArray(r, keysCol);
  const values = strArray(r, valuesCol);
  return {
    org: str(r, 'org'),
    type: str(r, 'type'),
    ts: num(r, 'ts'),
    id: str(r, 'id'),
    actor: strOrNull(r, 'actor'),
    value: num(r, 'value'),
    dims: Object.fromEntries(keys.map((k, i) => [k, values[i]!])),
  };
}

/** A `retention` row: an org's retention in days. */
export const toRetention = (r: Row): { org: string; days: number } => ({
  org: str(r, 'org'),
  days: num(r, 'days'),
});
