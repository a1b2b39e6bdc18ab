/**
 * /v1/keys: create (the secret is shown once), list (no secrets), revoke, and
 * GET /v1/keys/self for any key to see itself. An admin key can only hand out
 * what it has itself: reach, event types, time (docs/keys.md).
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AuthError, NotFoundError, ValidationError } from '../../core/errors.js';
import { hashSecret, newKeyId, newSecret } from '../../core/keys.js';
import { grantLimits, KEY_LIMITS } from '../../core/key-scope.js';
import { assertNoLoneSurrogates, EventSchema, parseEventTime } from '../../core/events.js';
import type { KeyRecord, Role } from '../../core/model.js';
import type { AppContext } from '../context.js';
import { ADMIN_PRINCIPAL, loadOrgTree, requireRole, type Principal } from '../auth.js';
import type { OrgTree } from '../../core/orgs.js';
import { OrgId, Timestamp } from '../schemas.js';
import { jsonResponse, nativeErrors } from '../doc-schemas.js';

const RoleT = Type.Union([Type.Literal('admin'), Type.Literal('ingest'), Type.Literal('read')]);
const Limits = {
  expires_at: Type.Union([Type.String(), Type.Null()], {
    description: 'From this instant on the key is refused (401); null: it does not expire.',
  }),
  types: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: 'The only event types the key reads (and writes); null: every type.',
  }),
};
const KeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: RoleT,
  orgs: Type.Array(Type.String()),
  created_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
  ...Limits,
});
const KeyCreated = Type.Object({
  id: Type.String(),
  key: Type.String({ description: 'The secret, shown only in this answer.' }),
  name: Type.String(),
  role: RoleT,
  orgs: Type.Array(Type.String()),
  created_at: Type.String(),
  ...Limits,
});

const CreateKey = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Type.Union([Type.Literal('admin'), Type.Literal('ingest'), Type.Literal('read')]),
    orgs: Type.Array(Type.Union([OrgId, Type.Literal('*')]), { minItems: 1, maxItems: 1000 }),
    expires_at: Type.Optional({
      ...Timestamp,
      description: `RFC 3339 with offset or Z, in the future and at most 10 years ahead; default: the creating key's expiry (none if it has none).`,
    }),
    types: Type.Optional(
      Type.Array(EventSchema.properties.type, {
        minItems: 1,
        maxItems: KEY_LIMITS.maxTypes,
        description:
          "Event types the key may read (and, for ingest, write); default: the creating key's (every type if it has none).",
      }),
    ),
  },
  { additionalProperties: false },
);

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function keyView(k: KeyRecord): Record<string, unknown> {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    orgs: k.orgs,
    created_at: new Date(k.created_at).toISOString(),
    revoked_at: iso(k.revoked_at),
    expires_at: iso(k.expires_at),
    types: k.types,
  };
}

/** Create and store a key; the secret is returned once and only its hash is kept. */
export async function issueKey(
  ctx: Pick<AppContext, 'registry' | 'clock'>,
  input: { name: string; role: Role; orgs: string[]; expires_at?: number | null; types?: string[] | null },
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
    expires_at: input.expires_at ?? null,
    types: input.types ?? null,
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
      const now = app.ctx.clock();
      const limits = grantLimits(
        { expires_at: p.expiresAt, types: p.types },
        { expires_at: expiryOf(req.body.expires_at), types: req.body.types },
        now,
      );
      const { record, secret } = await issueKey(app.ctx, { ...req.body, ...limits });
      const view = keyView(record);
      delete view['revoked_at'];
      return reply.status(201).send({ ...view, key: secret });
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
  const SelfView = Type.Object({
    ...KeyView.properties,
    created_at: Type.Union([Type.String(), Type.Null()], { description: 'null for TALLY_ADMIN_KEY.' }),
  });
  const selfSchema = {
    summary: 'The key in use',
    description:
      'Any key, whatever its role, sees itself: name, role, orgs, expiry and event types, so that a client (the dashboard) can say what it may see. TALLY_ADMIN_KEY answers as id env-admin.',
    response: { 200: jsonResponse('The key, without its secret.', SelfView), ...nativeErrors(401) },
  };
  app.get('/v1/keys/self', { schema: selfSchema }, async (req) => {
    const p = req.principal!;
    const key = p.keyId === ADMIN_PRINCIPAL.keyId ? null : await app.ctx.registry.getKey(p.keyId);
    if (key !== null) return keyView(key);
    const { role, orgs } = ADMIN_PRINCIPAL;
    return {
      id: p.keyId,
      name: 'TALLY_ADMIN_KEY',
      role,
      orgs,
      created_at: null,
      revoked_at: null,
      expires_at: null,
      types: null,
    };
  });

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

/** `expires_at` as epoch ms; 400 naming the field when it is not RFC 3339. */
function expiryOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseEventTime(text);
  if (typeof ms === 'string') throw ValidationError.param('expires_at', ms);
  return ms;
}
