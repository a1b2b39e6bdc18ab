/**
 * Usage alerts (docs/alerts.md), the pure part: what an alert and a delivery are, the
 * calendar period an instant falls into, the deterministic delivery id that makes a
 * firing idempotent across processes, the webhook signature, and the retry schedule.
 * Evaluation and sending, which need the store and the network, are in use-cases/.
 */
import { createHash, createHmac } from 'node:crypto';
import { bucketOf, type Bucket } from './time/buckets.js';
import { HOUR_MS } from './time/units.js';

export type AlertPeriod = 'day' | 'week' | 'month';

/** The native query's vocabulary an alert takes (docs/query.md): no bucket, no range. */
export interface AlertQuery {
  type: string[];
  agg?: string;
  of?: string[];
  per?: string[];
  q?: number;
  filters?: unknown;
}

export interface AlertRecord {
  id: string;
  org: string;
  subtree: boolean;
  name: string;
  query: AlertQuery;
  period: AlertPeriod;
  /** First day of a week period: 0 = Sunday .. 6 = Saturday, as in the query. */
  week_start: number;
  /** Ascending, distinct. */
  thresholds: number[];
  webhook_url: string;
  /** The HMAC key of the signatures; never shown again after creation. */
  secret: string;
  created_at: number;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One try at sending: the HTTP status, or null with the error when there was no answer. */
export interface DeliveryAttempt {
  at: number;
  status: number | null;
  error: string | null;
}

/**
 * One crossing of one threshold in one period, and the sending of it. The record is
 * the fired state: its id (deliveryId) exists at most once, so a period fires a
 * threshold once whatever the value does afterwards.
 */
export interface DeliveryRecord {
  id: string;
  alert: string;
  period_start: number;
  threshold: number;
  /** The exact JSON body every attempt sends. */
  body: string;
  created_at: number;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
  /** When the next attempt is due (epoch ms). */
  next_at: number;
  /** The process holding the delivery, until `lease_until` (docs/alerts.md: one sender at a time). */
  lease_owner: string;
  lease_until: number;
}

export const ALERT_LIMITS = {
  perOrg: 100,
  thresholds: 10,
  nameChars: 200,
  urlChars: 2000,
  secretChars: 200,
} as const;

/** How deliveries are timed (milliseconds). */
export interface DeliveryTiming {
  /** No answer within this is a failed attempt. */
  timeoutMs: number;
  /** The first retry's delay; each next one doubles. */
  retryBaseMs: number;
  /** The longest wait between two attempts. */
  retryCapMs: number;
  /** A delivery still failing this long after it fired is given up (`failed`). */
  giveUpMs: number;
}

/** Delivery timing (docs/alerts.md); tests shrink it so that no test waits hours. */
export const DELIVERY_TIMING: Readonly<DeliveryTiming> = {
  timeoutMs: 10_000,
  retryBaseMs: 10_000,
  retryCapMs: HOUR_MS,
  giveUpMs: 24 * HOUR_MS,
};

/** The calendar period holding `ms`, in the org's time zone (exact over DST, as the query's buckets). */
export function periodOf(alert: Pick<AlertRecord, 'period' | 'week_start'>, tz: string, ms: number): Bucket {
  return bucketOf({ unit: alert.period, tz, weekStart: alert.week_start }, ms);
}

/**
 * The id of the delivery of `threshold` crossed in the period starting at `periodStart`:
 * the same in every process, so a second evaluation (or another process) finds it fired.
 *
 * @example deliveryId('al_1', Date.UTC(2024, 2, 1), 8000) // 'dl_' + 32 hex digits
 */
export function deliveryId(alertId: string, periodStart: number, threshold: number): string {
  const h = createHash('sha256').update(`${alertId}\n${periodStart}\n${threshold}`).digest('hex');
  return `dl_${h.slice(0, 32)}`;
}

/** `Tally-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` keyed with the secret. */
export function signatureHeader(secret: string, atMs: number, body: string): string {
  const t = Math.floor(atMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/**
 * When the attempt after `failures` failed ones is due, or null to give up: the first
 * retry after `base`, then doubling, at most `cap` apart, none `giveUpMs` after firing.
 */
export function nextAttemptAt(
  firedAt: number,
  failures: number,
  now: number,
  timing: Omit<DeliveryTiming, 'timeoutMs'> = DELIVERY_TIMING,
): number | null {
  const delay = Math.min(timing.retryBaseMs * 2 ** Math.min(failures - 1, 40), timing.retryCapMs);
  const at = now + delay;
  return at - firedAt >= timing.giveUpMs ? null : at;
}

/** The thresholds `value` has reached (`>=`), ascending; none for a null value. */
export function reached(thresholds: readonly number[], value: number | null): number[] {
  return value === null ? [] : thresholds.filter((t) => value >= t);
}
