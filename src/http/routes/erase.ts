/**
 * Erasure, correction and the audit log (docs/lifecycle.md), for admin keys
 * within their reach. Every deletion answers with the audit entry it wrote.
 *   DELETE /v1/orgs/{org}/actors/{id}   erase an actor in one org
 *   DELETE /v1/actors/{id}              erase an actor in every org the key reaches
 *   DELETE /v1/orgs/{id}                erase an org and its whole subtree
 *   POST   /v1/events/delete            delete events by (org, id); the ids are free again
 *   GET    /v1/audit                    the deletions the key may see, newest first
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actorDigest, auditVisible, Erasures, scopeOf } from '../../core/audit.js';
import { AuthError, ValidationError } from '../../core/errors.js';
import { requireEveryType } from '../../core/key-scope.js';
import { hasLoneSurrogate, LIMITS } from '../../core/events.js';
import type { AuditEntry } from '../../store/port.js';
import { loadOrgTree, requireReach, requireRole } from '../auth.js';
import { jsonResponse, nativeErrors } from '../doc-schemas.js';
import { ActorId, OrgId } from '../schemas.js';
import { auditView, AuditView, DeletionAnswer, reachableOrg } from './audit-view.js';

const deleted = jsonResponse('Done; the audit entry it wrote.', DeletionAnswer);
const Ref = Type.Object(
  { org: OrgId, id: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/** Audit entries scanned per store read while filtering by reach. */
const AUDIT_SCAN = 500;

export function eraseRoutes(base: FastifyInstance): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  /** An erasure's admin principal and the org tree its reach is checked against. */
  const adminWithTree = async (req: FastifyRequest) => {
    const p = req.principal!;
    requireRole(p, 'admin');
    requireEveryType(p.types, 'An erasure');
    return { p, tree: await loadOrgTree(app.ctx) };
  };

  const oneOrgSchema = {
    summary: 'Erase an actor in one org',
    description: "Deletes the actor's events and its profile in this org (not its sub-orgs).",
    params: Type.Object({ org: OrgId, id: ActorId }),
    response: { 200: deleted, ...nativeErrors(401, 403, 404) },
  };
  app.delete('/v1/orgs/:org/actors/:id', { schema: oneOrgSchema }, async (req) => {
    const { p, tree } = await adminWithTree(req);
    const org = reachableOrg(p, tree, req.params.org);
    const entry = await app.ctx.erase.eraseActor([org], req.params.id, {
      keyId: p.keyId,
      op: 'erase_actor',
      params: { actor_sha256: actorDigest(req.params.id), orgs: [org] },
      scope: scopeOf(tree, [org]),
    });
    return { audit: auditView(entry) };
  });

  const allOrgsSchema = {
    summary: 'Erase an actor in every org within reach',
    params: Type.Object({ id: ActorId }),
    response: { 200: deleted, ...nativeErrors(401, 403) },
  };
  app.delete('/v1/actors/:id', { schema: allOrgsSchema }, async (req) => {
    const { p, tree } = await adminWithTree(req);
    const everywhere = p.orgs.includes('*');
    const entry = await app.ctx.erase.eraseActor(tree.reachable(p.orgs), req.params.id, {
      keyId: p.keyId,
      op: 'erase_actor',
      params: { actor_sha256: actorDigest(req.params.id), orgs: everywhere ? ['*'] : p.orgs },
      scope: everywhere ? [['*']] : scopeOf(tree, p.orgs),
    });
    return { audit: auditView(entry) };
  });

  const orgSchema = {
    summary: 'Erase an org and its sub-orgs',
    description:
      'Deletes the events, actors, sessions and retention settings of the org and every descendant, and the orgs ' +
      'themselves. Keys covering only these orgs are revoked; other keys lose them from their list.',
    params: Type.Object({ id: OrgId }),
    response: { 200: deleted, ...nativeErrors(401, 403, 404) },
  };
  app.delete('/v1/orgs/:id', { schema: orgSchema }, async (req) => {
    const { p, tree } = await adminWithTree(req);
    const org = reachableOrg(p, tree, req.params.id);
    const orgs = tree.subtree(org);
    const entry = await app.ctx.erase.eraseOrgs(orgs, {
      keyId: p.keyId,
      op: 'erase_orgs',
      params: { org, subtree: orgs },
      scope: scopeOf(tree, [org]),
    });
    return { audit: auditView(entry) };
  });

  const eventsSchema = {
    summary: 'Delete events by (org, id)',
    description:
      'Correction: the ids are free afterwards, so a corrected event with the same id is accepted.',
    body: Type.Object(
      { events: Type.Array(Ref, { minItems: 1, maxItems: LIMITS.maxEventsPerRequest }) },
      { additionalProperties: false },
    ),
    response: {
      200: jsonResponse(
        'Done; the audit entry, and the refs that matched no stored event.',
        Type.Object({ audit: AuditView, missing: Type.Array(Ref) }),
      ),
      ...nativeErrors(400, 401, 403, 413),
    },
  };
  app.post('/v1/events/delete', { schema: eventsSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'admin');
    requireEveryType(p.types, 'An erasure');
    // As on ingest: such a string has no UTF-8 form, and the store would turn it into another id.
    const faults = req.body.events.flatMap((r, index) =>
      (['org', 'id'] as const)
        .filter((f) => hasLoneSurrogate(r[f]))
        .map((f) => ({
          index,
          path: `/events/${index}/${f}`,
          message: 'must be valid Unicode (no lone surrogates)',
        })),
    );
    if (faults.length > 0) throw new ValidationError('Some refs are not valid Unicode.', faults);
    const tree = await loadOrgTree(app.ctx);
    const orgs = [...new Set(req.body.events.map((r) => r.org))];
    const outside = orgs.filter((o) => !tree.reaches(p.orgs, o));
    if (outside.length > 0)
      throw new AuthError('forbidden', `This key does not cover org(s): ${outside.slice(0, 5).join(', ')}.`);
    const refs = req.body.events.map((r) => ({ org: r.org, id: r.id }));
    const { entry, missing } = await app.ctx.erase.deleteEvents(refs, {
      keyId: p.keyId,
      op: 'delete_events',
      params: { events: refs },
      scope: scopeOf(tree, orgs),
    });
    return { audit: auditView(entry), missing };
  });

  const auditSchema = {
    summary: 'The deletion audit log',
    description: 'Entries of operations on orgs the key covers (then), newest first; page with `before`.',
    querystring: Type.Object(
      {
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        before: Type.Optional(
          Type.String({ minLength: 1, maxLength: 64, description: 'An entry id: start after it.' }),
        ),
        org: Type.Optional(OrgId),
      },
      { additionalProperties: false },
    ),
    response: {
      200: jsonResponse(
        'Entries, and the `before` of the next page (null at the end).',
        Type.Object({ entries: Type.Array(AuditView), next: Type.Union([Type.String(), Type.Null()]) }),
      ),
      ...nativeErrors(400, 401, 403),
    },
  };
  app.get('/v1/audit', { schema: auditSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'admin');
    const limit = req.query.limit ?? 100;
    const only = req.query.org;
    if (only !== undefined) requireReach(p, await loadOrgTree(app.ctx), only);
    const out: AuditEntry[] = [];
    const start = req.query.before ?? null;
    // Erasures newer than the page matter too (core/audit.ts): read them first, from the top.
    const erased = new Erasures();
    let before: string | null = null;
    if (start !== null && !p.orgs.includes('*')) {
      for (;;) {
        const page = await app.ctx.audit.listAudit(before, AUDIT_SCAN);
        for (const e of page) if (e.id >= start) erased.add(e);
        if (page.length < AUDIT_SCAN || page[page.length - 1]!.id < start) break;
        before = page[page.length - 1]!.id;
      }
    }
    before = start;
    let full = false;
    scan: for (;;) {
      const page = await app.ctx.audit.listAudit(before, AUDIT_SCAN);
      for (const e of page) {
        erased.add(e);
        if (!auditVisible(p.orgs, e.scope, (org) => erased.stillSame(org, e.id))) continue;
        if (only !== undefined && !e.scope.some((path) => path.includes(only))) continue;
        out.push(e);
        if (out.length === limit) {
          full = true;
          break scan;
        }
      }
      if (page.length < AUDIT_SCAN) break;
      before = page[page.length - 1]!.id;
    }
    return { entries: out.map(auditView), next: full ? out[out.length - 1]!.id : null };
  });
}
