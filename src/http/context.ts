/**
 * What every route needs: the store, the clock, and the admin key from the
 * environment. Built once by createApp and decorated onto the Fastify instance.
 */
import type { Store } from '../store/port.js';
import type { Principal } from './auth.js';
import type { RateLimiter } from './limits.js';

export interface AppContext {
  store: Store;
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
