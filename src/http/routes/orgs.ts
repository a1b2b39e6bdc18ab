/**
 * /v1/orgs: the org tree. PUT creates or patches an org (admin); reads show
 * only what the key reaches. A parent must exist, may not close a cycle, and
 * must itself be within the key's reach.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AuthError, NotFoundError, ValidationError } from '../../core/errors.js';
import { assertNoLoneSurrogates } from '../../core/events.js';
import type { Org } from '../../core/model.js';
import { isValidTimeZone, timeZoneMessage } from '../../core/time/zone.js';
import { loadOrgTree, requireReach, requireRole } from '../auth.js';
import { OrgId } from '../schemas.js';
import { jsonResponse, nativeErrors } from '../doc-schemas.js';

const OrgView = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  parent: Type.Union([Type.String(), Type.Null()]),
  domain: Type.Union([Type.String(), Type.Null()]),
  timezone: Type.String(),
  created_at: Type.String(),
});
const oneOrg = { 200: jsonResponse('The org.', OrgView) };

const PutOrg = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    parent: Type.Optional(Type.Union([OrgId, Type.Null()])),
    domain: Type.Optional(
      Type.Union([
        Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$' }),
        Type.Null(),
      ]),
    ),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export function orgView(o: Org): Record<string, unknown> {
  return {
    id: o.id,
    name: o.name,
    parent: o.parent,
    domain: o.domain,
    timezone: o.timezone,
    created_at: new Date(o.created_at).toISOString(),
  };
}

export function orgRoutes(base: FastifyInstance): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const params = Type.Object({ id: OrgId });

  const putSchema = {
    summary: 'Create or update an org',
    params,
    body: PutOrg,
    response: { ...oneOrg, ...nativeErrors(400, 401, 403) },
  };
  app.put('/v1/orgs/:id', { schema: putSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'admin');
    const { id } = req.params;
    const body = req.body;
    assertNoLoneSurrogates(body, 'org');
    const tree = await loadOrgTree(app.ctx);
    const current = tree.get(id);
    const parent = body.parent === undefined ? (current?.parent ?? null) : body.parent;
    // A new root org needs a key over it (or '*'); anything else, reach over the org or its new parent.
    if (
      !tree.reaches(p.orgs, id) &&
      !(current === undefined && parent !== null && tree.reaches(p.orgs, parent))
    ) {
      throw new AuthError('forbidden', `This key does not cover org ${id}.`);
    }
    // Moving an org takes it out of its parent's reach (keys, retention, erasure): the key must reach
    // the old parent too, and making an existing org a root needs the operator's '*'.
    if (current !== undefined && parent !== current.parent) {
      if (parent === null && !p.orgs.includes('*'))
        throw new AuthError('forbidden', `Making org ${id} a root org needs a key over all orgs (*).`);
      if (current.parent !== null && !tree.reaches(p.orgs, current.parent))
        throw new AuthError(
          'forbidden',
          `Moving org ${id} needs a key that also covers its current parent ${current.parent}.`,
        );
    }
    if (parent !== null) {
      if (!tree.get(parent)) throw ValidationError.param('parent', `org ${parent} does not exist`);
      if (tree.wouldCycle(id, parent))
        throw ValidationError.param('parent', `making ${parent} the parent of ${id} would create a cycle`);
      // Reach over the new parent; an org that keeps its parent needs only reach over itself.
      if (current?.parent !== parent) requireReach(p, tree, parent);
    }
    const timezone = body.timezone ?? current?.timezone ?? 'UTC';
    if (!isValidTimeZone(timezone)) throw ValidationError.param('timezone', timeZoneMessage(timezone));
    const org: Org = {
      id,
      name: body.name === undefined ? (current?.name ?? null) : body.name,
      parent,
      domain: body.domain === undefined ? (current?.domain ?? null) : (body.domain?.toLowerCase() ?? null),
      timezone,
      created_at: current?.created_at ?? app.ctx.clock(),
    };
    await app.ctx.registry.putOrg(org);
    return orgView(org);
  });

  const getSchema = { summary: 'Get an org', params, response: { ...oneOrg, ...nativeErrors(401, 404) } };
  app.get('/v1/orgs/:id', { schema: getSchema }, async (req) => {
    const tree = await loadOrgTree(app.ctx);
    const org = tree.get(req.params.id);
    if (!org || !tree.reaches(req.principal!.orgs, org.id))
      throw new NotFoundError(`No org ${req.params.id} within this key's reach.`);
    return orgView(org);
  });

  const listSchema = {
    summary: 'List orgs within reach',
    response: {
      200: jsonResponse('The orgs.', Type.Object({ orgs: Type.Array(OrgView) })),
      ...nativeErrors(401),
    },
  };
  app.get('/v1/orgs', { schema: listSchema }, async (req) => {
    const tree = await loadOrgTree(app.ctx);
    const ids = new Set(tree.reachable(req.principal!.orgs));
    return {
      orgs: tree
        .all()
        .filter((o) => ids.has(o.id))
        .map(orgView),
    };
  });
}
