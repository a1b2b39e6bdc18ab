/**
 * Capgo's statistics routes on Fastify: authenticate (native key forms plus
 * `capgkey`), check role and reach, parse, run the engine, present. Each route
 * answers with and without a trailing slash.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthError, TypeScopeError, ValidationError } from '../../core/errors.js';
import { TooManyPointsError } from '../../core/query/bounds.js';
import type { AppContext } from '../../http/context.js';
import {
  authenticate,
  header,
  nativeSecret,
  requireReach,
  requireRole,
  type Principal,
} from '../../http/auth.js';
import { openReader, type Reader } from '../../use-cases/read-within-reach.js';
import {
  APP_TYPES,
  appOrgsPlan,
  bundlePlan,
  bundleSpan,
  dayStarts,
  MAX_APP_ID,
  parseStatsQuery,
  statsPlans,
  statsSpan,
  utcDay,
  type RawQuery,
  type StatsParams,
} from './params.js';
import {
  presentBundleUsage,
  presentStats,
  type AppRow,
  type BundleUsage,
  type StatsRow,
} from './presenter.js';
import { capgoSchemas } from './schema.js';

/** The key: `Authorization: Bearer k`, `Authorization: k`, `x-api-key: k`, or Capgo's `capgkey: k`. */
export function capgoSecret(req: FastifyRequest): string | null {
  return nativeSecret(req) ?? header(req, 'capgkey');
}

/** The caller, with the read role, and a reader over the orgs its key reaches. */
async function caller(req: FastifyRequest, ctx: AppContext): Promise<{ p: Principal; reader: Reader }> {
  const p = await authenticate(req, ctx, capgoSecret(req));
  requireRole(p, 'read');
  return { p, reader: await openReader(ctx, p) };
}

const denied = (): AuthError => new AuthError('forbidden', 'Out of reach.');

/** The engine's points bound in Capgo's words: apps (or versions) x days, to shorten from..to. */
async function bounded<T>(what: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (!(err instanceof TooManyPointsError)) throw err;
    const n = (x: number): string => x.toLocaleString('en-US');
    throw new ValidationError(
      `from..to covers ${n(err.groups)} ${what} x ${n(err.columns)} days = ${n(err.points)} values; ` +
        `at most ${n(err.limit)} are allowed. Ask for a shorter from..to.`,
      [{ path: 'from', message: 'too many days for this many apps' }],
      'too_many_points',
    );
  }
}

/**
 * The orgs an app lookup may search: every org the key reaches, once the key may read at least one
 * of the app's types (a key limited to none of them is refused with 403) and the id is a possible one
 * (else 401).
 */
function appReach(reader: Reader, app: string): { orgs: string[]; types: string[] } {
  const types = reader.visibleTypes(APP_TYPES);
  if (types.length === 0) throw new TypeScopeError(APP_TYPES[0]);
  if (app.length === 0 || app.length > MAX_APP_ID) throw denied();
  const orgs = reader.reachable();
  if (orgs.length === 0) throw denied();
  return { orgs, types };
}

/**
 * The reachable orgs whose events carry `app`, over all time, among the events the key may read (a
 * key limited to `activity` finds its apps there); none (unknown app or out of reach) is a 401.
 */
async function appOrgs(reader: Reader, app: string): Promise<string[]> {
  const { orgs: reachable, types } = appReach(reader, app);
  const found = await reader.run(appOrgsPlan(app, reachable, types));
  const orgs = found.series.flatMap((s) => ((s.total ?? 0) > 0 && s.group['org'] ? [s.group['org']] : []));
  if (orgs.length === 0) throw denied();
  return orgs;
}

async function stats(
  ctx: AppContext,
  reader: Reader,
  orgs: string[],
  app: string | null,
  params: StatsParams,
): Promise<{ global: StatsRow[]; byApp: AppRow[] }> {
  const span = statsSpan(params, ctx.clock());
  if (span === null) return { global: [], byApp: [] };
  const plans = statsPlans(orgs, app, span, params.noAccumulate);
  const [mau, storage, bandwidth] = await bounded(
    'apps',
    Promise.all([reader.run(plans.mau), reader.run(plans.storage), reader.run(plans.bandwidth)]),
  );
  return presentStats(dayStarts(span), { mau, storage, bandwidth }, params.noAccumulate);
}

/**
 * bundle_usage over every org the key reaches: the plan filters on the app, so an org without it
 * adds nothing, and the all-time lookup of the app's orgs (a read of every reachable event's app,
 * 0.8 s for a key over 10M events) runs only when the range holds none of the app's versions, to tell
 * an unknown or unreachable app (401) from a quiet one.
 */
async function bundleUsage(
  ctx: AppContext,
  reader: Reader,
  app: string,
  params: StatsParams,
): Promise<BundleUsage> {
  const { orgs, types } = appReach(reader, app);
  // A key that may not read `activity` is refused (403) by the bundle's plan: an unknown app is a
  // 401 first, as the lookup says.
  const looked = !types.includes('activity') && (await appOrgs(reader, app)).length > 0;
  const now = ctx.clock();
  const span = bundleSpan(params, now);
  const result =
    span.data === null ? null : await bounded('versions', reader.run(bundlePlan(orgs, app, span.data)));
  if (!looked && !result?.series.some((s) => (s.total ?? 0) > 0)) await appOrgs(reader, app);
  return presentBundleUsage(dayStarts(span.labels), result, utcDay(now).start);
}

type AppReq = FastifyRequest<{ Params: { app_id: string }; Querystring: RawQuery }>;
type OrgReq = FastifyRequest<{ Params: { org_id: string }; Querystring: RawQuery }>;
type UserReq = FastifyRequest<{ Querystring: RawQuery }>;

/** Registers the four Capgo routes and the surface's error handler on an encapsulated scope. */
export function capgoRoutes(app: FastifyInstance): void {
  const ctx = app.ctx;

  const appStats = async (req: AppReq): Promise<StatsRow[]> => {
    const { reader } = await caller(req, ctx);
    const params = parseStatsQuery(req.query, ['noAccumulate']);
    const orgs = await appOrgs(reader, req.params.app_id);
    return (await stats(ctx, reader, orgs, req.params.app_id, params)).global;
  };

  const orgStats = async (req: OrgReq): Promise<StatsRow[] | { global: StatsRow[]; byApp: AppRow[] }> => {
    const { p, reader } = await caller(req, ctx);
    const params = parseStatsQuery(req.query, ['noAccumulate', 'breakdown']);
    const org = req.params.org_id;
    if (!reader.tree.get(org)) throw denied();
    requireReach(p, reader.tree, org);
    const out = await stats(ctx, reader, [org], null, params);
    return params.breakdown ? out : out.global;
  };

  const userStats = async (req: UserReq): Promise<StatsRow[]> => {
    const { reader } = await caller(req, ctx);
    const params = parseStatsQuery(req.query, ['noAccumulate']);
    const orgs = reader.reachable();
    if (orgs.length === 0) throw denied();
    return (await stats(ctx, reader, orgs, null, params)).global;
  };

  const bundle = async (req: AppReq): Promise<BundleUsage> => {
    const { reader } = await caller(req, ctx);
    return bundleUsage(ctx, reader, req.params.app_id, parseStatsQuery(req.query, []));
  };

  for (const slash of ['', '/']) {
    app.get(`/statistics/app/:app_id${slash}`, capgoSchemas.app, appStats);
    app.get(`/statistics/org/:org_id${slash}`, capgoSchemas.org, orgStats);
    app.get(`/statistics/user${slash}`, capgoSchemas.user, userStats);
    app.get(`/statistics/app/:app_id/bundle_usage${slash}`, capgoSchemas.bundle, bundle);
  }
}
