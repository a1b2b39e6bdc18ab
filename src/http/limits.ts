/**
 * Connection and request limits: the HTTP timeouts that keep slow clients from
 * holding connections, and the per-key rate limit (a token bucket per API key,
 * off by default). createApp turns these options into Fastify/Node settings;
 * `authenticate` spends one token per authenticated request.
 */
import type { ServerOptions } from 'node:http';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { RateLimitError } from '../core/errors.js';

/** Timeouts in milliseconds; 0 turns one off. */
export interface Timeouts {
  /** The request line and headers must arrive within this (slowloris). */
  headersMs: number;
  /** The whole request, body included, must arrive within this. Not the answer. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** A socket with no traffic either way for this long is closed (must outlast the slowest query). */
  idleMs: number;
}

/** Safe defaults: a 10 MiB body still has 60 s to arrive; a query may run 5 minutes. */
export const DEFAULT_TIMEOUTS: Timeouts = {
  headersMs: 10_000,
  requestMs: 60_000,
  keepAliveMs: 5_000,
  idleMs: 300_000,
};

/** A rate: at most `max` requests per `windowMs` per key, with bursts up to `max`. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

const UNITS: Record<string, number> = {
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};

/**
 * Parse TALLY_RATE_LIMIT: `<n>/<unit>` with unit s, min or hour (also sec,
 * second, m, minute, h); `off`, `0` or empty for no limit. Null: off.
 *
 * @example parseRateLimit('600/min') // { max: 600, windowMs: 60000 }
 */
export function parseRateLimit(text: string | undefined): RateLimit | null {
  const t = (text ?? '').trim().toLowerCase();
  if (t === '' || t === 'off' || t === '0') return null;
  const m = /^(\d{1,9})\s*\/\s*([a-z]+)$/.exec(t);
  const windowMs = m ? UNITS[m[2]!] : undefined;
  if (!m || windowMs === undefined || Number(m[1]) < 1) {
    throw new Error(`TALLY_RATE_LIMIT must look like 600/min (units s, min, hour) or off, not ${text}`);
  }
  return { max: Number(m[1]), windowMs };
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept before idle (full) ones are swept; keys are real key ids, so this is rarely reached. */
const SWEEP_AT = 10_000;

/**
 * A token bucket per key: `max` tokens, refilled at max/windowMs per ms.
 * In-process: with several Tally processes behind a balancer, each keeps its own.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly limit: RateLimit,
    private readonly clock: () => number = Date.now,
  ) {
    this.perMs = limit.max / limit.windowMs;
  }

  /** Spend one token of `key`; throws RateLimitError (with whole seconds to wait) when none is left. */
  take(key: string): void {
    const now = this.clock();
    const b = this.refilled(key, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    throw new RateLimitError(Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000)));
  }

  private refilled(key: string, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= SWEEP_AT) this.sweep(now);
      b = { tokens: this.limit.max, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.limit.max, b.tokens + Math.max(0, now - b.at) * this.perMs);
    b.at = now;
    return b;
  }

  /** Drop buckets that have refilled completely: they hold no information. */
  private sweep(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.limit.max) this.buckets.delete(k);
    }
  }
}

/** The Fastify server options for a set of timeouts. */
export function serverTimeoutOptions(t: Timeouts): Pick<
  FastifyServerOptions,
  'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'
> & {
  http: ServerOptions;
} {
  const checks = [t.headersMs, t.requestMs].filter((x) => x > 0);
  return {
    connectionTimeout: t.idleMs,
    keepAliveTimeout: t.keepAliveMs,
    requestTimeout: t.requestMs,
    http: {
      // Node requires headersTimeout <= requestTimeout; 0 means "no limit" for both.
      headersTimeout: t.requestMs > 0 ? Math.min(t.headersMs, t.requestMs) : t.headersMs,
      // Node checks these timeouts on an interval (30 s by default); check often enough to matter.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, ...checks.map((x) => x / 4))),
    },
  };
}

/** Every 429 carries Retry-After, whichever surface's handler writes the body. */
export function addRetryAfter(app: FastifyInstance): void {
  app.addHook('onError', async (_req, reply, err) => {
    if (err instanceof RateLimitError) void reply.header('retry-after', String(err.retryAfterSec));
  });
}
