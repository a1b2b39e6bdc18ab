/**
 * The TR50 commands Tally serves: `api.authenticate` (a key for a session id) and
 * `usage.api.history` (API calls per hour or day, by service or org). Each takes the
 * command's raw params and answers the success params, or throws (mapped per command).
 */
import { AuthError } from '../../core/errors.js';
import type { Series } from '../../core/query/result.js';
import { TooManyPointsError } from '../../core/query/bounds.js';
import { requireReach, requireRole } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { openReader } from '../../use-cases/read-within-reach.js';
import { TR50_CODES, Tr50Error } from './errors.js';
import { historyPlan, parseAuthenticateParams, parseHistoryParams, resolveHistoryRange } from './params.js';
import { historyTimeline, presentHistory, type HistoryAnswer } from './presenter.js';
import { callerFromSecret, openSession, type Caller } from './session.js';

/**
 * `api.authenticate`: check the key (appToken, or username + password), require the read
 * or admin role, and open a session. Returns the caller too, so later commands in the
 * same envelope run as it.
 */
export async function authenticateCommand(
  ctx: AppContext,
  rawParams: unknown,
): Promise<{ answer: { sessionId: string }; caller: Caller }> {
  const { secret } = parseAuthenticateParams(rawParams);
  let caller: Caller;
  try {
    caller = await callerFromSecret(ctx, secret);
  } catch (err) {
    if (err instanceof Tr50Error)
      throw new Tr50Error(
        TR50_CODES.authFailed,
        'Authentication failed: the key is unknown, revoked or expired.',
      );
    throw err;
  }
  requireRole(caller.principal, 'read');
  return { answer: { sessionId: await openSession(ctx, caller) }, caller };
}

function isSuperOps(caller: Caller): boolean {
  return caller.principal.role === 'admin' && caller.principal.orgs.includes('*');
}

/**
 * `usage.api.history` for a caller: the session's org (with its subtree when
 * `includeSubOrgs`), or every org with `showAll` (admin keys over '*' only), counted in
 * the session org's timezone (UTC when it has none).
 */
export async function historyCommand(
  ctx: AppContext,
  caller: Caller,
  rawParams: unknown,
): Promise<HistoryAnswer> {
  const p = parseHistoryParams(rawParams);
  requireRole(caller.principal, 'read');
  const reader = await openReader(ctx, caller.principal);
  const tree = reader.tree;
  let orgs: string[];
  if (p.showAll) {
    if (!isSuperOps(caller)) {
      throw new AuthError('forbidden', 'showAll needs an admin key over all orgs (super-ops).');
    }
    orgs = tree.all().map((o) => o.id);
  } else {
    if (caller.org === null) {
      throw new AuthError('forbidden', 'This key covers all orgs and has no org of its own; use showAll.');
    }
    requireReach(caller.principal, tree, caller.org);
    const subtree = tree.subtree(caller.org);
    orgs = p.includeSubOrgs && subtree.length > 0 ? subtree : [caller.org];
  }
  const tz = (caller.org === null ? undefined : tree.get(caller.org)?.timezone) ?? 'UTC';
  const range = resolveHistoryRange(p, ctx.clock(), tz);
  const timeline = historyTimeline(range, tz, p.series);
  let series: Series[];
  try {
    series = (await reader.run(historyPlan(p, orgs, range, tz))).series;
  } catch (err) {
    if (!(err instanceof TooManyPointsError)) throw err;
    const n = (x: number): string => x.toLocaleString('en-US');
    throw new Tr50Error(
      TR50_CODES.tooManyPoints,
      `The answer would hold ${n(err.groups)} counters x ${n(err.columns)} buckets = ${n(err.points)} values; ` +
        `at most ${n(err.limit)} are allowed. Use series "day" or a shorter start..end.`,
    );
  }
  return presentHistory(timeline, tz, series, p.dimension);
}
