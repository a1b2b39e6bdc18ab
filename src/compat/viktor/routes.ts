/**
 * Fastify glue for VIKTOR's `GET /api/statistics/` (with or without the trailing slash):
 * authenticate (native key headers; VIKTOR documents no header of its own), check the role and
 * the org reach, run the scope's plans through the engine, and present the vendor's JSON.
 * Errors of every kind, framework ones included, leave in DRF's shape (see errors.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, ValidationError } from '../../core/errors.js';
import type { OrgTree } from '../../core/orgs.js';
import type { Query } from '../../core/query/plan.js';
import { POINT_LIMITS, TooManyPointsError } from '../../core/query/bounds.js';
import type { QueryResult } from '../../core/query/result.js';
import { authenticate, nativeSecret, requireRole, type Principal } from '../../http/auth.js';
import { logIfServerError, toAppError } from '../../http/errors.js';
import { openReader, type Reader } from '../../use-cases/read-within-reach.js';
import { DETAIL, drfError } from './errors.js';
import {
  actorPlans,
  daysOf,
  DAY,
  kindsOf,
  parseViktorQuery,
  workspacePlans,
  type ViktorRequest,
} from './params.js';
import { activeWorkspaces, actorScopeBody, presentActorStats, presentWorkspaces } from './presenter.js';
import { viktorOtherMethodsSchema, viktorRouteSchema } from './schema.js';

/** The most numbers a workspaces answer may hold (rows x workspaces) before we ask to narrow it. */
export const MAX_WORKSPACE_CELLS = POINT_LIMITS.points;
const PATHS = ['/api/statistics/', '/api/statistics'];

async function principalOf(req: FastifyRequest, app: FastifyInstance): Promise<Principal> {
  const secret = nativeSecret(req);
  if (secret === null) throw new AuthError('unauthenticated', DETAIL.noCredentials);
  try {
    return await authenticate(req, app.ctx, secret);
  } catch (err) {
    if (err instanceof AuthError) throw new AuthError('unauthenticated', DETAIL.invalidToken);
    throw err;
  }
}

/**
 * The orgs a request covers: every org the key reaches, or with `org_domain` the reachable
 * orgs carrying that domain with their subtrees. A domain that matches none of them is a 403
 * whether or not it exists elsewhere, so that its existence is not revealed.
 */
export function coveredOrgs(p: Principal, tree: OrgTree, domain: string | null): string[] {
  const reachable = tree.reachable(p.orgs);
  if (domain === null) return reachable;
  const matches = reachable.filter((id) => tree.get(id)?.domain?.toLowerCase() === domain);
  if (matches.length === 0) throw new AuthError('forbidden', DETAIL.forbidden);
  return [...new Set(matches.flatMap((id) => tree.subtree(id)))];
}

async function answer(reader: Reader, req: ViktorRequest, orgs: string[]): Promise<unknown> {
  const run = async (q: Query): Promise<QueryResult> => {
    try {
      return await reader.run(q);
    } catch (err) {
      // The engine's points bound (e.g. more workspaces x months than one answer holds) names `end`.
      if (err instanceof TooManyPointsError) throw ValidationError.param('end', err.message);
      throw err;
    }
  };
  const days = daysOf(req);
  if (req.statsType !== 'workspaces') {
    const plans = actorPlans(req, orgs);
    const instants = days.map((d) => d + DAY);
    const [headcount, monthly, daily] = await Promise.all([
      reader.headcount({ orgs, kinds: kindsOf(req.statsType), instants }),
      run(plans.monthly),
      run(plans.daily),
    ]);
    return actorScopeBody(req.statsType, presentActorStats(days, headcount, monthly, daily));
  }
  const plans = workspacePlans(req, orgs);
  const monthly = await run(plans.monthly);
  const workspaces = activeWorkspaces(monthly);
  const cells = workspaces.length * (days.length + 2 * monthly.meta.buckets);
  if (cells > MAX_WORKSPACE_CELLS) {
    const n = (x: number): string => x.toLocaleString('en-US');
    throw ValidationError.param(
      'end',
      `Too many workspaces over this range: ${n(workspaces.length)} workspaces x ${n(days.length)} days ` +
        `(and their months) = ${n(cells)} values, at most ${n(MAX_WORKSPACE_CELLS)}; ask for a shorter range.`,
    );
  }
  const [daily, cumulative] = await Promise.all([run(plans.daily), run(plans.cumulative)]);
  return presentWorkspaces(days, workspaces, monthly, daily, cumulative);
}

export function viktorErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const e = toAppError(err, req);
  logIfServerError(req, e, err);
  const { status, body } = drfError(e);
  if (status === 401) void reply.header('www-authenticate', 'Bearer realm="api"');
  void reply.status(status).send(body);
}

/** Registers the VIKTOR routes in the given (encapsulated) scope; viktorErrorHandler answers its errors. */
export function viktorRoutes(app: FastifyInstance): void {
  for (const url of PATHS) {
    app.get(url, viktorRouteSchema, async (req) => {
      const p = await principalOf(req, app);
      requireRole(p, 'read');
      const parsed = parseViktorQuery(req.query as Record<string, unknown>);
      const reader = await openReader(app.ctx, p);
      const orgs = coveredOrgs(p, reader.tree, parsed.orgDomain);
      return answer(reader, parsed, orgs);
    });
    app.route({
      method: ['POST', 'PUT', 'PATCH', 'DELETE'],
      url,
      ...viktorOtherMethodsSchema,
      handler: (req, reply) => {
        void reply
          .status(405)
          .header('allow', 'GET, HEAD')
          .send({ detail: `Method "${req.method}" not allowed.` });
      },
    });
  }
}
