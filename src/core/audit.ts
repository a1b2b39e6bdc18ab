/**
 * Who may read an audit-log entry, and how entries name what they touched.
 * An entry keeps, for each org it targeted, the path from that org to its
 * root as it was then (the org may be gone since). A key sees the entry when
 * it covered every targeted org: each path holds one of the key's orgs. Pure.
 *
 * Org ids are reusable: an erased org's id may name a new org later, anywhere in the
 * tree. A path names the orgs of its time, so an id in it only grants sight while that
 * org has not been erased since the entry (issue 26.2: a key over a re-created `21` read
 * the erased `21`'s entries). Erasures are in the log itself (`erase_orgs` entries list
 * their subtree), and entry ids sort in creation order, so "erased since" is "erased by an
 * entry whose id is not below this one's". The erasure's own entry counts: the org it
 * erased cannot vouch for it either; keys over an ancestor, or '*', still see it.
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
export function auditVisible(
  grants: readonly string[],
  scope: readonly (readonly string[])[],
  stillSame: (org: string) => boolean = () => true,
): boolean {
  if (grants.includes('*')) return true;
  return scope.every((path) => !path.includes('*') && path.some((o) => grants.includes(o) && stillSame(o)));
}

/** The fields of an audit entry the erasure record reads. */
interface LoggedOp {
  id: string;
  op: string;
  params: Record<string, unknown>;
}

/**
 * For each org id, the id of the newest `erase_orgs` entry that erased it. Feed it entries
 * newest first; `stillSame(org, entryId)` then says whether an org id in an entry's scope
 * still names the org it named then (no erasure of it at or after the entry).
 *
 * @example
 * const erased = new Erasures();
 * erased.add({ id: 'k2', op: 'erase_orgs', params: { org: '21', subtree: ['21'] } });
 * erased.stillSame('21', 'k1') // false: '21' was erased after entry k1
 * erased.stillSame('21', 'k3') // true: entry k3 is about whatever '21' is now
 */
export class Erasures {
  private readonly last = new Map<string, string>();

  add(e: LoggedOp): void {
    if (e.op !== 'erase_orgs') return;
    const subtree: unknown = e.params['subtree'];
    const orgs: unknown[] = Array.isArray(subtree) ? subtree : [e.params['org']];
    for (const org of orgs) {
      if (typeof org !== 'string') continue;
      const seen = this.last.get(org);
      if (seen === undefined || seen < e.id) this.last.set(org, e.id);
    }
  }

  stillSame(org: string, entryId: string): boolean {
    const erased = this.last.get(org);
    return erased === undefined || erased < entryId;
  }
}

/**
 * How the audit log names an erased actor: the SHA-256 of its id, in hex, so
 * the log proves an erasure without keeping the id (`printf %s id | sha256sum`).
 */
export function actorDigest(actor: string): string {
  return createHash('sha256').update(actor, 'utf8').digest('hex');
}
