/**
 * createApp: the Fastify application, given everything it needs as arguments
 * (store, clock, logger, admin key). No process.env is read below this line.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../core/errors.js';
import { LIMITS } from '../core/events.js';
import { hashSecret } from '../core/keys.js';
import { runQuery } from '../core/query/run.js';
import { withDeadline, type Deadline } from '../core/query/bounds.js';
import type { QueryResult } from '../core/query/result.js';
import type { Store } from '../store/port.js';
import { authenticate } from './auth.js';
import { dashboardRoutes } from './dashboard.js';
import type { AppContext } from './context.js';
import { nativeErrorHandler } from './errors.js';
import { jsonBodyParser } from './json-body.js';
import { actorRoutes } from './routes/actors.js';
import { eventRoutes } from './routes/events.js';
import { keyRoutes } from './routes/keys.js';
import { lifecycleRoutes } from './routes/lifecycle.js';
import { orgRoutes } from './routes/orgs.js';
import { exploreRoutes } from './routes/explore.js';
import { queryRoutes } from './routes/query.js';
import { alertRoutes } from './routes/alerts.js';
import { alertPlan } from './routes/alert-shapes.js';
import { Alerting, type AlertingOptions } from '../use-cases/alerting.js';
import type { EventStore } from '../store/port.js';
import { validatorCompiler } from './validation.js';
import { countedEvents, createMetrics, registerMetrics, timeStoreCall, timedStore } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { registerHealthz, StoreHealth } from './health.js';
import { surfaceFor, type Routes, type Surface } from './surface.js';
import { OneLinePerRequest } from './logging.js';
import { registerCors, type CorsOrigins } from './cors.js';
import {
  addRetryAfter,
  DEFAULT_TIMEOUTS,
  RateLimiter,
  serverTimeoutOptions,
  type RateLimit,
  type Timeouts,
} from './limits.js';

// Surfaces are declared in a leaf module; re-exported for the callers that build an app with them.
export { surfaceFor, type Routes, type Surface } from './surface.js';

export interface AppOptions {
  store: Store;
  clock?: () => number;
  logger?: FastifyServerOptions['logger'];
  /** TALLY_ADMIN_KEY: a secret that is an admin key over '*'. */
  adminKey?: string | null;
  /** TALLY_METRICS_KEY: when set, GET /metrics needs it as a Bearer token (docs/metrics.md). */
  metricsKey?: string | null;
  /** Called for every route as it is registered (Fastify's onRoute), e.g. to list them in tests. */
  onRoute?: (route: RouteOptions) => void;
  /** The version shown in the OpenAPI document. */
  version?: string;
  /** HTTP timeouts against slow clients; each defaults to DEFAULT_TIMEOUTS (limits.ts). */
  timeouts?: Partial<Timeouts>;
  /** TALLY_RATE_LIMIT: requests per key and window; null or absent for no limit. */
  rateLimit?: RateLimit | null;
  /** TALLY_CORS_ORIGINS: origins allowed to call the read and ingest routes from a browser; absent or null for none. */
  corsOrigins?: CorsOrigins | null;
  /** TALLY_RETENTION_DAYS: retention of orgs without a setting (docs/lifecycle.md); absent or null keeps forever. */
  retentionDays?: number | null;
  /** Webhook delivery of alerts (docs/alerts.md): TALLY_WEBHOOK_ALLOW_PRIVATE, and timings tests shrink. */
  webhooks?: AlertingOptions;
}

/** The native /v1 routes; each module adds its routes to the authenticated scope. */
const NATIVE_ROUTES: Routes[] = [
  eventRoutes,
  keyRoutes,
  orgRoutes,
  actorRoutes,
  queryRoutes,
  exploreRoutes,
  lifecycleRoutes,
  alertRoutes,
];

export async function createApp(opts: AppOptions, surfaces: Surface[] = []): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    // One info line per request instead of Fastify's two (logging.ts).
    logController: new OneLinePerRequest(),
    bodyLimit: LIMITS.maxBodyBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    routerOptions: { maxParamLength: 500 },
    forceCloseConnections: 'idle',
    ...serverTimeoutOptions({ ...DEFAULT_TIMEOUTS, ...opts.timeouts }),
    frameworkErrors: (err, req, reply) => {
      (surfaceFor(surfaces, req.url, req.method)?.errorHandler ?? nativeErrorHandler)(err, req, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  // One JSON parser for every surface (json-body.ts): nesting bound and prototype guard.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBodyParser);
  const metrics = createMetrics(() => opts.store.upkeepStats);
  const clock = opts.clock ?? Date.now;
  // One timed view of the store, handed out role by role: each route names the roles it uses.
  const health = new StoreHealth();
  const store = timedStore(opts.store, metrics, (err) => {
    health.note(err);
  });
  const counted = countedEvents(store, metrics);
  // Every acknowledged ingest, whatever the surface, is noted for the alerts (a no-op without any).
  const events: EventStore = {
    ...counted,
    ingest: (batch) =>
      counted.ingest(batch).then((r) => {
        alerting.noteIngest(batch);
        return r;
      }),
  };
  const deadline: Deadline = (work) => withDeadline(opts.store.queryTimeoutMs, work);
  // The core runs the plan; the engine only answers its row requests. Under the store's deadline
  // (TALLY_QUERY_TIMEOUT_MS), or the caller's (`under`, one for a request of several plans):
  // the signal stops the running statement.
  const query: AppContext['query'] = (plan, under) => {
    const run = (signal: AbortSignal | null): Promise<QueryResult> =>
      runQuery(plan, clock(), (request) => events.fetchRows(request, signal), { signal });
    return timeStoreCall(metrics, 'query', () => (under ? run(under.signal) : deadline(run)));
  };
  const alerting = new Alerting(
    {
      alerts: store,
      read: { registry: store, events, actors: store, query, deadline },
      planFor: alertPlan,
      clock,
      onError: (err) => {
        app.log.error({ err }, 'alerts: background work failed');
      },
    },
    opts.webhooks,
  );

  const ctx: AppContext = {
    events,
    registry: store,
    actors: store,
    sessions: store,
    retention: store,
    erase: store,
    audit: store,
    exports: store,
    alerts: store,
    alerting,
    query,
    deadline,
    clock,
    adminKeyHash: opts.adminKey ? hashSecret(opts.adminKey) : null,
    limiter: opts.rateLimit ? new RateLimiter(opts.rateLimit, clock) : null,
    retentionDays: opts.retentionDays ?? null,
  };
  app.decorate('ctx', ctx);
  // Alerts work in the background from the first request on, and stop before the store closes.
  app.addHook('onReady', (done) => {
    alerting.start();
    done();
  });
  app.addHook('onClose', async () => {
    await alerting.stop();
  });
  app.setValidatorCompiler(validatorCompiler);

  app.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  // Errors raised outside a surface's scope (e.g. parsing the body of a request for an unknown route) go to the URL's owner too.
  app.setErrorHandler((err, req, reply) => {
    (surfaceFor(surfaces, req.url, req.method)?.errorHandler ?? nativeErrorHandler)(err, req, reply);
  });
  addRetryAfter(app);
  app.setNotFoundHandler((req, reply) => {
    const handler = surfaceFor(surfaces, req.url, req.method)?.errorHandler ?? nativeErrorHandler;
    handler(new NotFoundError(`No route ${req.method} ${req.url.split('?')[0] ?? ''}.`), req, reply);
  });

  if (opts.corsOrigins) await registerCors(app, opts.corsOrigins);
  await registerOpenApi(app, surfaces, opts.version ?? '0.0.0');
  registerMetrics(app, metrics, opts.metricsKey ?? null);
  registerHealthz(app, health);

  await app.register(async (v1) => {
    v1.addHook('preHandler', async (req) => {
      await authenticate(req, ctx);
    });
    for (const routes of NATIVE_ROUTES) await routes(v1);
  });

  for (const surface of surfaces)
    await app.register(async (scope) => {
      scope.setErrorHandler(surface.errorHandler);
      await surface.routes(scope);
    });
  await app.register(dashboardRoutes);
  return app;
}
