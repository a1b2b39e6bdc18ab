/**
 * What the data-lifecycle routes share (see lifecycle.ts): the audit entry as
 * the API shows it, and the check of an org named in a path.
 */
import { Type } from '@sinclair/typebox';
import { AuthError, NotFoundError } from '../../core/errors.js';
import type { OrgTree } from '../../core/orgs.js';
import type { AuditEntry } from '../../store/port.js';
import type { Principal } from '../auth.js';

/** An audit entry as the API shows it. */
export const AuditView = Type.Object({
  id: Type.String(),
  at: Type.String({ description: 'When, RFC 3339.' }),
  key_id: Type.Union([Type.String(), Type.Null()], {
    description: 'The key that asked; env-admin for TALLY_ADMIN_KEY; null for the retention job.',
  }),
  op: Type.Union([
    Type.Literal('delete_events'),
    Type.Literal('erase_actor'),
    Type.Literal('erase_orgs'),
    Type.Literal('retention'),
  ]),
  params: Type.Record(Type.String(), Type.Unknown()),
  orgs: Type.Array(Type.String(), { description: 'The orgs the operation targeted (* for every org).' }),
  deleted: Type.Object({
    events: Type.Integer(),
    actors: Type.Integer(),
    orgs: Type.Integer(),
    keys: Type.Integer({ description: 'Keys revoked, or narrowed to drop erased orgs.' }),
  }),
});

export function auditView(e: AuditEntry): Record<string, unknown> {
  return {
    id: e.id,
    at: new Date(e.at).toISOString(),
    key_id: e.keyId,
    op: e.op,
    params: e.params,
    orgs: e.scope.map((path) => path[0] ?? '*'),
    deleted: e.counts,
  };
}

/** The answer of a deletion: its audit entry. */
export const DeletionAnswer = Type.Object({ audit: AuditView });

/**
 * The org named in a path, checked: 403 outside the key's reach, 404 when it
 * does not exist. Returns the id.
 */
export function reachableOrg(p: Principal, tree: OrgTree, org: string): string {
  if (!tree.reaches(p.orgs, org)) throw new AuthError('forbidden', `This key does not cover org ${org}.`);
  if (!tree.get(org)) throw new NotFoundError(`No org ${org}.`);
  return org;
}
