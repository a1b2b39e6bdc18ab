/**
 * What a key can see before it knows what to ask: GET /v1/schema (the event
 * types of its orgs and the dims keys of each, with counts) and GET
 * /v1/events/latest (the newest raw events). Read or admin keys, orgs resolved
 * exactly as /v1/query resolves them. Both read a bounded window (the last 30
 * days unless from/to/last say otherwise) and answer a bounded number of rows.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { eventObject } from '../../core/event-line.js';
import type { Scan } from '../../core/query/requests.js';
import { typesWithin } from '../../core/key-scope.js';
import { resolveRange } from '../../core/time/index.js';
import { loadOrgTree, requireRole } from '../auth.js';
import { jsonResponse, nativeErrors } from '../doc-schemas.js';
import { Instant, List, listOf, Str } from './query-params.js';
import { resolveOrgs } from './query.js';

/** The window both routes read when the request names none. */
export const DEFAULT_WINDOW = '30d';
export const SCHEMA_CAPS = { types: { default: 100, max: 1000 }, keys: { default: 50, max: 500 } };
export const LATEST_LIMIT = { default: 50, max: 1000 };

const Scope = {
  org: Type.Optional(List(200)),
  subtree: Type.Optional(Type.Boolean()),
  type: Type.Optional(List(100)),
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  last: Type.Optional(
    Str(32, `A relative window ending now (24h, 7d, 30d, 12mo, today, …); default ${DEFAULT_WINDOW}.`),
  ),
  timezone: Type.Optional(
    Str(64, 'The IANA timezone that dates in from/to are read in (default: the first org’s).'),
  ),
};
const cap = (c: { default: number; max: number }, description: string) =>
  Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: c.max,
      description: `${description} (default ${c.default}, at most ${c.max}).`,
    }),
  );

const SchemaParams = Type.Object(
  {
    ...Scope,
    types_limit: cap(SCHEMA_CAPS.types, 'At most this many event types, the most frequent'),
    keys_limit: cap(SCHEMA_CAPS.keys, 'At most this many dims keys per type, the most frequent'),
  },
  { additionalProperties: false },
);
const LatestParams = Type.Object(
  { ...Scope, limit: cap(LATEST_LIMIT, 'At most this many events, newest first') },
  { additionalProperties: false },
);
type ScopeT = Static<typeof LatestParams>;

const Seen = {
  count: Type.Integer({ description: 'Events in the window.' }),
  first_seen: Type.String({ description: 'The earliest of them, RFC 3339 UTC.' }),
  last_seen: Type.String({ description: 'The latest of them, RFC 3339 UTC.' }),
};
const Range = Type.Object(
  { from: Type.String(), to: Type.String() },
  { description: 'The window read, [from, to), UTC.' },
);
const SchemaAnswer = Type.Object({
  range: Range,
  orgs: Type.Array(Type.String(), { description: 'The orgs read.' }),
  types: Type.Array(
    Type.Object({
      type: Type.String(),
      ...Seen,
      keys: Type.Array(Type.Object({ key: Type.String(), ...Seen }), {
        description: 'The dims keys its events carry, most frequent first.',
      }),
      more_keys: Type.Boolean({ description: 'keys_limit left some keys out.' }),
    }),
    { description: 'Event types, most frequent first (ties by name).' },
  ),
  more_types: Type.Boolean({ description: 'types_limit left some types out.' }),
});
const LatestAnswer = Type.Object({
  range: Range,
  orgs: Type.Array(Type.String(), { description: 'The orgs read.' }),
  events: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
    description: 'Newest first (by time, then id), in the shape POST /v1/events takes.',
  }),
  more: Type.Boolean({ description: 'Older events in the window were left out by limit.' }),
});

const iso = (ms: number): string => new Date(ms).toISOString();
const seen = (c: { count: number; first: number; last: number }) => ({
  count: c.count,
  first_seen: iso(c.first),
  last_seen: iso(c.last),
});

/** The documentation of a route that reads a window of the orgs. */
function windowSchema<Q extends TSchema>(
  summary: string,
  d: { what: string; more: string; querystring: Q; answer: [string, TSchema] },
) {
  return {
    summary,
    description: `${d.what} (as /v1/query resolves org and subtree)${d.more} over a window (default the last ${DEFAULT_WINDOW}). A read or admin key.`,
    querystring: d.querystring,
    response: {
      200: jsonResponse(`${d.answer[0]} (docs/explore.md).`, d.answer[1]),
      ...nativeErrors(400, 401, 403, 404),
    },
  };
}

export function exploreRoutes(base: FastifyInstance): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  /** The scan a request reads: its orgs (as /v1/query), types, and window. */
  const scanOf = async (req: FastifyRequest, q: ScopeT): Promise<Scan> => {
    const p = req.principal!;
    requireRole(p, 'read');
    const tree = await loadOrgTree(app.ctx);
    const orgs = resolveOrgs(p, tree, q);
    const timezone = q.timezone ?? tree.get(orgs[0]!)?.timezone ?? 'UTC';
    const named = q.from !== undefined || q.to !== undefined || q.last !== undefined;
    const window = named ? { from: q.from, to: q.to, last: q.last } : { last: DEFAULT_WINDOW };
    const range = resolveRange(window, app.ctx.clock(), timezone);
    // A key limited to some types sees only those (docs/keys.md): none named reads its own list.
    const types = typesWithin(p.types, listOf(q.type));
    return { orgs, types, filters: [], from: range.from, to: range.to };
  };
  /** What both answers start with: the window read and the orgs it covered. */
  const scanView = (s: Scan) => ({ range: { from: iso(s.from!), to: iso(s.to) }, orgs: s.orgs });

  const schemaSchema = windowSchema('Event types and dims keys', {
    what: 'The event types of the orgs',
    more: ', each with its count, first and last time, and the dims keys its events carry with theirs,',
    querystring: SchemaParams,
    answer: ['The types and keys', SchemaAnswer],
  });
  app.get('/v1/schema', { schema: schemaSchema }, async (req) => {
    const scan = await scanOf(req, req.query);
    const caps = {
      types: req.query.types_limit ?? SCHEMA_CAPS.types.default,
      keysPerType: req.query.keys_limit ?? SCHEMA_CAPS.keys.default,
    };
    const s = await app.ctx.deadline((signal) => app.ctx.events.describeEvents(scan, caps, signal));
    return {
      ...scanView(scan),
      types: s.types.map((t) => ({
        type: t.type,
        ...seen(t),
        keys: t.keys.map((k) => ({ key: k.key, ...seen(k) })),
        more_keys: t.moreKeys,
      })),
      more_types: s.moreTypes,
    };
  });

  const latestSchema = windowSchema('The latest events', {
    what: 'The newest raw events of the orgs',
    more: ', newest first,',
    querystring: LatestParams,
    answer: ['The events', LatestAnswer],
  });
  app.get('/v1/events/latest', { schema: latestSchema }, async (req) => {
    const scan = await scanOf(req, req.query);
    const limit = req.query.limit ?? LATEST_LIMIT.default;
    const events = await app.ctx.deadline((signal) =>
      app.ctx.events.listEvents(scan, limit + 1, 'desc', signal),
    );
    return {
      ...scanView(scan),
      events: events.slice(0, limit).map(eventObject),
      more: events.length > limit,
    };
  });
}
