/**
 * FileSpin time-series stats over HTTP: `GET /api/v1/stats/timeseries/{stat_type}` and
 * `GET /api/v1/stats/timeseries?stat_type=...`. Authenticates (native headers or
 * `X-FileSpin-Api-Key`), checks the read role and the usergroup's reach, runs the plan
 * through the store, and answers in FileSpin's shape. Its own error handler writes every
 * failure, framework errors included, as `{"error": "..."}` with the error's status.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../core/errors.js';
import type { OrgTree } from '../../core/orgs.js';
import { authenticate, header, nativeSecret, requireReach, requireRole } from '../../http/auth.js';
import type { Principal } from '../../http/auth.js';
import { logIfServerError, toAppError } from '../../http/errors.js';
import { openReader } from '../../use-cases/read-within-reach.js';
import { parseTimeseriesRequest, planOf } from './params.js';
import { presentTimeseries, type FileSpinTimeseries } from './presenter.js';
import { filespinPathSchema, filespinQuerySchema } from './schema.js';

/** FileSpin's own key header, accepted besides the native forms. */
export const FILESPIN_KEY_HEADER = 'x-filespin-api-key';

/** Every failure as FileSpin's `{"error": "..."}`, with the status of the mapped AppError. */
export function filespinErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const e = toAppError(err, req);
  logIfServerError(req, e, err);
  void reply.status(e.status).send({ error: e.message });
}

/**
 * The org a request covers: `usergroup_id` when given (within reach), else the key's one org
 * when the key reaches exactly one (an org the key names counts even before it has events).
 */
function resolveUsergroup(p: Principal, tree: OrgTree, asked: string | null): string {
  if (asked !== null) {
    requireReach(p, tree, asked);
    return asked;
  }
  if (!p.orgs.includes('*')) {
    const reach = new Set([...p.orgs, ...tree.reachable(p.orgs)]);
    const [only] = reach;
    if (reach.size === 1 && only !== undefined) return only;
  }
  throw ValidationError.param('usergroup_id', 'is required when the key covers more than one usergroup');
}

async function answer(
  app: FastifyInstance,
  req: FastifyRequest,
  pathType: string | undefined,
): Promise<FileSpinTimeseries> {
  const p = await authenticate(req, app.ctx, header(req, FILESPIN_KEY_HEADER) ?? nativeSecret(req));
  requireRole(p, 'read');
  const query = (req.query ?? {}) as Record<string, unknown>;
  const r = parseTimeseriesRequest(query, pathType, app.ctx.clock());
  const reader = await openReader(app.ctx, p);
  const org = resolveUsergroup(p, reader.tree, r.usergroupId);
  return presentTimeseries(r, org, await reader.run(planOf(r, org)));
}

/** Register the two routes and the FileSpin error handler in the given (encapsulated) scope. */
export function filespinRoutes(app: FastifyInstance): void {
  app.get('/api/v1/stats/timeseries', filespinQuerySchema, (req) => answer(app, req, undefined));
  app.get<{ Params: { stat_type: string } }>(
    '/api/v1/stats/timeseries/:stat_type',
    filespinPathSchema,
    (req) => answer(app, req, req.params.stat_type),
  );
}
