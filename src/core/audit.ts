/**
 * Who may read an audit-log entry, and how entries name what they touched.
 * An entry keeps, for each org it targeted, the path from that org to its
 * root as it was then (the org may be gone since). A key sees the entry when
 * it covered every targeted org: each path holds one of the key's orgs. Pure.
 */
import { createHash } from 'node:crypto';
import type { OrgTree } from './orgs.js';

/** For each org, the org and its ancestors, nearest first. */
export function scopeOf(tree: OrgTree, orgs: readonly string[]): string[][] {
  return orgs.map((o) => [o, ...tree.ancestors(o)]);
}

/**
 * Whether a key with `grants` covered every org of an entry's scope. A scope
 * path of ['*'] ("every org") needs a '*' key.
 *
 * @example
 * auditVisible(['acme'], [['acme-eu', 'acme']]) // true: acme is an ancestor of acme-eu
 * auditVisible(['acme-eu'], [['acme']])         // false
 */
export function auditVisible(grants: readonly string[], scope: readonly (readonly string[])[]): boolean {
  if (grants.includes('*')) return true;
  return scope.every((path) => !path.includes('*') && path.some((o) => grants.includes(o)));
}

/**
 * How the audit log names an erased actor: the SHA-256 of its id, in hex, so
 * the log proves an erasure without keeping the id (`printf %s id | sha256sum`).
 */
export function actorDigest(actor: string): string {
  return createHash('sha256').update(actor, 'utf8').digest('hex');
}
