/**
 * Actors: PUT one (/v1/orgs/{org}/actors/{id}), POST many (/v1/actors), GET one.
 * Fields left out keep their stored value; null clears.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { NotFoundError, ValidationError, type ErrorDetail } from '../../core/errors.js';
import { LONE_SURROGATE_MESSAGE, loneSurrogatePaths, parseEventTime } from '../../core/events.js';
import type { Actor, ActorPatch } from '../../core/model.js';
import { loadOrgTree, requireReach, requireRole } from '../auth.js';
import { ActorId, OrgId, Timestamp } from '../schemas.js';
import { jsonResponse, nativeErrors } from '../doc-schemas.js';

const Time = Type.Union([Type.String(), Type.Null()]);
const ActorView = Type.Object({
  org: Type.String(),
  id: Type.String(),
  kind: Type.String(),
  created_at: Time,
  deleted_at: Time,
  first_name: Type.Union([Type.String(), Type.Null()]),
  last_name: Type.Union([Type.String(), Type.Null()]),
  props: Type.Record(Type.String(), Type.Unknown()),
  first_seen: Time,
});
const oneActor = jsonResponse('The actor as stored.', ActorView);

const ActorFields = {
  kind: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' })),
  created_at: Type.Optional(Type.Union([Timestamp, Type.Null()])),
  deleted_at: Type.Optional(Type.Union([Timestamp, Type.Null()])),
  first_name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  last_name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  props: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 64 })),
};
const PutActor = Type.Object(ActorFields, { additionalProperties: false });
const BulkActor = Type.Object({ org: OrgId, id: ActorId, ...ActorFields }, { additionalProperties: false });
type ActorBody = Static<typeof PutActor>;

const MAX_PROPS_BYTES = 16 * 1024;

/** Body -> patch; times are RFC 3339 (or null). Faults carry `index` for bulk loads. */
function toPatch(org: string, id: string, b: ActorBody, index?: number): ActorPatch | ErrorDetail[] {
  // One actor's body is its parameters (`first_name`); an item of a bulk load is a pointer into it.
  const at = (pointer: string): string => (index === undefined ? pointer.slice(1) || 'body' : pointer);
  const faults: ErrorDetail[] = loneSurrogatePaths(b).map((path) => ({
    index,
    path: at(path),
    message: LONE_SURROGATE_MESSAGE,
  }));
  const time = (field: 'created_at' | 'deleted_at'): number | null | undefined => {
    const v = b[field];
    if (v === undefined || v === null) return v;
    const ms = parseEventTime(v);
    if (typeof ms === 'string') {
      faults.push({ index, path: at(`/${field}`), message: ms });
      return undefined;
    }
    return ms;
  };
  const patch: ActorPatch = {
    org,
    id,
    kind: b.kind,
    created_at: time('created_at'),
    deleted_at: time('deleted_at'),
    first_name: b.first_name,
    last_name: b.last_name,
    props: b.props,
  };
  if (b.props !== undefined && JSON.stringify(b.props).length > MAX_PROPS_BYTES) {
    faults.push({ index, path: at('/props'), message: 'must serialise to at most 16 KiB' });
  }
  return faults.length > 0 ? faults : patch;
}

export function actorView(a: Actor): Record<string, unknown> {
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  return {
    org: a.org,
    id: a.id,
    kind: a.kind,
    created_at: iso(a.created_at),
    deleted_at: iso(a.deleted_at),
    first_name: a.first_name,
    last_name: a.last_name,
    props: a.props,
    first_seen: iso(a.first_seen),
  };
}

export function actorRoutes(base: FastifyInstance): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const params = Type.Object({ org: OrgId, id: ActorId });

  const putSchema = {
    summary: 'Create or update an actor',
    params,
    body: PutActor,
    response: { 200: oneActor, ...nativeErrors(400, 401, 403) },
  };
  app.put('/v1/orgs/:org/actors/:id', { schema: putSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'ingest');
    requireReach(p, await loadOrgTree(app.ctx), req.params.org);
    const patch = toPatch(req.params.org, req.params.id, req.body);
    if (Array.isArray(patch)) throw new ValidationError('The actor is invalid.', patch);
    await app.ctx.actors.upsertActors([patch]);
    const stored = await app.ctx.actors.getActor(req.params.org, req.params.id);
    return actorView(stored!);
  });

  const bulkSchema = {
    summary: 'Create or update actors in bulk',
    body: Type.Array(BulkActor, { maxItems: 10_000 }),
    response: {
      200: jsonResponse('How many were written.', Type.Object({ upserted: Type.Integer() })),
      ...nativeErrors(400, 401, 403),
    },
  };
  app.post('/v1/actors', { schema: bulkSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'ingest');
    const tree = await loadOrgTree(app.ctx);
    const patches: ActorPatch[] = [];
    const faults: ErrorDetail[] = [];
    req.body.forEach((b, i) => {
      const r = toPatch(b.org, b.id, b, i);
      if (Array.isArray(r)) faults.push(...r);
      else patches.push(r);
    });
    if (faults.length > 0)
      throw new ValidationError(`${faults.length} fault(s); nothing was stored.`, faults);
    for (const org of new Set(patches.map((x) => x.org))) requireReach(p, tree, org);
    await app.ctx.actors.upsertActors(patches);
    return { upserted: patches.length };
  });

  const getSchema = {
    summary: 'Get an actor',
    params,
    response: { 200: oneActor, ...nativeErrors(401, 403, 404) },
  };
  app.get('/v1/orgs/:org/actors/:id', { schema: getSchema }, async (req) => {
    // A profile (names, props such as an email) is read data: an ingest key only writes it.
    requireRole(req.principal!, 'read');
    requireReach(req.principal!, await loadOrgTree(app.ctx), req.params.org);
    const a = await app.ctx.actors.getActor(req.params.org, req.params.id);
    if (!a) throw new NotFoundError(`No actor ${req.params.id} in org ${req.params.org}.`);
    return actorView(a);
  });
}
