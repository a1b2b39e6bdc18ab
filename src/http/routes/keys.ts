/**
 * /v1/keys: create (the secret is shown once), list (no secrets), revoke.
 * An admin key can only hand out reach it has itself.
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AuthError, NotFoundError } from '../../core/errors.js';
import { hashSecret, newKeyId, newSecret } from '../../core/keys.js';
import { assertNoLoneSurrogates } from '../../core/events.js';
import type { KeyRecord, Role } from '../../core/model.js';
import type { AppContext } from '../context.js';
import { loadOrgTree, requireRole, type Principal } from '../auth.js';
import type { OrgTree } from '../../core/orgs.js';
import { OrgId } from '../schemas.js';
import { jsonResponse, nativeErrors } from '../doc-schemas.js';

const RoleT = Type.Union([Type.Literal('admin'), Type.Literal('ingest'), Type.Literal('read')]);
const KeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: RoleT,
  orgs: Type.Array(Type.String()),
  created_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});
const KeyCreated = Type.Object({
  id: Type.String(),
  key: Type.String({ description: 'The secret, shown only in this answer.' }),
  name: Type.String(),
  role: RoleT,
  orgs: Type.Array(Type.String()),
  created_at: Type.String(),
});

const CreateKey = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Type.Union([Type.Literal('admin'), Type.Literal('ingest'), Type.Literal('read')]),
    orgs: Type.Array(Type.Union([OrgId, Type.Literal('*')]), { minItems: 1, maxItems: 1000 }),
  },
  { additionalProperties: false },
);

export function keyView(k: KeyRecord): Record<string, unknown> {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    orgs: k.orgs,
    created_at: new Date(k.created_at).toISOString(),
    revoked_at: k.revoked_at === null ? null : new Date(k.revoked_at).toISOString(),
  };
}

/** Create and store a key; the secret is returned once and only its hash is kept. */
export async function issueKey(
  ctx: Pick<AppContext, 'registry' | 'clock'>,
  input: { name: string; role: Role; orgs: string[] },
): Promise<{ record: KeyRecord; secret: string }> {
  const id = newKeyId();
  const secret = newSecret(id);
  const orgs = input.orgs.includes('*') ? ['*'] : [...new Set(input.orgs)];
  const record: KeyRecord = {
    id,
    name: input.name,
    role: input.role,
    orgs,
    hash: hashSecret(secret),
    created_at: ctx.clock(),
    revoked_at: null,
  };
  await ctx.registry.createKey(record);
  return { record, secret };
}

/** An admin sees and revokes only keys whose every org lies within its own reach. */
function withinReach(p: Principal, tree: OrgTree, k: KeyRecord): boolean {
  return p.orgs.includes('*') || k.orgs.every((o) => o !== '*' && tree.reaches(p.orgs, o));
}

export function keyRoutes(base: FastifyInstance): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const createResponse = {
    201: jsonResponse('The key, with its secret.', KeyCreated),
    ...nativeErrors(400, 401, 403),
  };
  app.post(
    '/v1/keys',
    { schema: { summary: 'Create a key', body: CreateKey, response: createResponse } },
    async (req, reply) => {
      const p = req.principal!;
      requireRole(p, 'admin');
      assertNoLoneSurrogates(req.body, 'key');
      const tree = await loadOrgTree(app.ctx);
      for (const org of req.body.orgs) {
        const ok = org === '*' ? p.orgs.includes('*') : tree.reaches(p.orgs, org);
        if (!ok) throw new AuthError('forbidden', `This key cannot grant org ${org}.`);
      }
      const { record, secret } = await issueKey(app.ctx, req.body);
      const view = keyView(record);
      return reply.status(201).send({
        id: record.id,
        key: secret,
        name: view['name'],
        role: view['role'],
        orgs: view['orgs'],
        created_at: view['created_at'],
      });
    },
  );

  // Typed loosely on purpose: documentation only, and the 204 sends no body.
  const revokeResponse: FastifySchema['response'] = {
    204: { type: 'null', description: 'Revoked.' },
    ...nativeErrors(401, 403, 404),
  };
  const listResponse = {
    200: jsonResponse('Keys within reach, without secrets.', Type.Object({ keys: Type.Array(KeyView) })),
    ...nativeErrors(401, 403),
  };
  app.get('/v1/keys', { schema: { summary: 'List keys', response: listResponse } }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'admin');
    const tree = await loadOrgTree(app.ctx);
    const keys = await app.ctx.registry.listKeys();
    const visible = keys.filter((k) => withinReach(p, tree, k));
    return { keys: visible.map(keyView) };
  });

  app.delete(
    '/v1/keys/:id',
    {
      schema: {
        summary: 'Revoke a key',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: revokeResponse,
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      requireRole(p, 'admin');
      const key = await app.ctx.registry.getKey(req.params.id);
      const tree = await loadOrgTree(app.ctx);
      const inReach = key !== null && withinReach(p, tree, key);
      if (!inReach || !(await app.ctx.registry.revokeKey(req.params.id, app.ctx.clock()))) {
        throw new NotFoundError(`No live key ${req.params.id}.`);
      }
      return reply.status(204).send();
    },
  );
}
