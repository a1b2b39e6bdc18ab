/**
 * What every route needs: the storage roles (each route uses only the ones it
 * names), the query runner, the clock, and the admin key from the environment.
 * Built once by createApp and decorated onto the Fastify instance.
 */
import type { Query } from '../core/query/plan.js';
import type { QueryResult } from '../core/query/result.js';
import type { Alerting } from '../use-cases/alerting.js';
import type { Deadline } from '../core/query/bounds.js';
import type { QueryDeadline } from '../use-cases/read-within-reach.js';
import type {
  ActorStore,
  AlertStore,
  AuditLog,
  EraseStore,
  EventStore,
  ExportStore,
  Registry,
  RetentionStore,
  SessionStore,
} from '../store/port.js';
import type { Principal } from './auth.js';
import type { RateLimiter } from './limits.js';

export interface AppContext {
  events: EventStore;
  registry: Registry;
  actors: ActorStore;
  sessions: SessionStore;
  retention: RetentionStore;
  erase: EraseStore;
  audit: AuditLog;
  exports: ExportStore;
  alerts: AlertStore;
  /** The alerts' evaluation and delivery in this process (docs/alerts.md). */
  alerting: Alerting;
  /**
   * Run a query plan: the core's runner (core/query/run.ts) over `events`, read at `clock()`,
   * under the store's deadline, or under the caller's when `under` is given (one request
   * running several plans has one deadline for all of them: `deadline` passes its signal here).
   */
  query: (plan: Query, under?: QueryDeadline) => Promise<QueryResult>;
  /** Run other event reads (raw events, the schema), or several plans, under one query deadline. */
  deadline: Deadline;
  clock: () => number;
  /** SHA-256 hex of TALLY_ADMIN_KEY, when set. */
  adminKeyHash: string | null;
  /** The per-key rate limit (TALLY_RATE_LIMIT); absent or null when off. */
  limiter?: RateLimiter | null;
  /** TALLY_RETENTION_DAYS: the retention of orgs that set none (docs/lifecycle.md); absent or null keeps forever. */
  retentionDays?: number | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}
