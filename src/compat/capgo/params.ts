/**
 * Capgo statistics requests -> core query plans. Pure: parses the query string
 * (`from`, `to`, `noAccumulate`, `breakdown`), resolves the UTC day ranges the
 * four routes answer, and builds the plans the engine runs. Bad input throws a
 * `ValidationError` whose message is the `error` text of Capgo's 400 body.
 */
import { ValidationError } from '../../core/errors.js';
import { makeQuery, type Filter, type Query } from '../../core/query/plan.js';
import { isoInstant, single, trueOrFalse, type QuerySpec } from '../query-spec.js';
import {
  bucketOf,
  enumerateBuckets,
  MAX_BUCKETS,
  MAX_INSTANT,
  type BucketSpec,
} from '../../core/time/index.js';

/** The message of Capgo's own `Invalid body` answer for a missing or bad date. */
export const BAD_DATES = 'Invalid date format or missing parameters';
/** The longest range, in UTC days, one request may cover (the engine's bucket bound). */
export const MAX_DAYS = MAX_BUCKETS;
/** The longest `dims.app` value an event can carry; a longer app id cannot exist. */
export const MAX_APP_ID = 512;

const UTC_DAY: BucketSpec = { unit: 'day', tz: 'UTC', weekStart: 1 };
const DAY_MS = 86_400_000;
/** `YYYY-MM-DD`, optionally followed by a time of day (checked by parseInstant). */
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(?:[Tt ].{1,30})?$/;

/** The query string as Fastify hands it over: repeated names arrive as arrays. */
export type RawQuery = Record<string, string | string[] | undefined>;

/**
 * The query string, declared once: the parser reads through it and the OpenAPI schema
 * (schema.ts) is built from it. The routes take `from` and `to`, and some of the flags.
 */
export const CAPGO_QUERY = {
  from: { type: 'string', required: true, description: 'YYYY-MM-DD or ISO date-time; inclusive.' },
  to: { type: 'string', required: true, description: 'YYYY-MM-DD or ISO date-time; exclusive.' },
  noAccumulate: { type: 'boolean', description: 'Bandwidth per day instead of running since from.' },
  breakdown: { type: 'boolean', description: 'Also rows per app (org statistics only).' },
} as const satisfies QuerySpec;

export interface StatsParams {
  /** Epoch ms, as given (a date is UTC midnight). */
  from: number;
  to: number;
  noAccumulate: boolean;
  breakdown: boolean;
}

/** Capgo words a fault as the parameter's name, then what is wrong ("from must be given once"). */
function refuse(name: string, message: string): never {
  throw new ValidationError(`${name} ${message}`, [{ path: name, message }]);
}

function instant(q: RawQuery, name: 'from' | 'to'): number {
  const text = single(q, CAPGO_QUERY, name, refuse);
  let ms: number | null = null;
  try {
    if (text !== undefined) ms = isoInstant(text, name, DATE_LIKE);
  } catch (err) {
    throw new ValidationError(BAD_DATES, err instanceof ValidationError ? err.details : []);
  }
  if (ms === null)
    throw new ValidationError(BAD_DATES, [{ path: name, message: 'must be YYYY-MM-DD or an ISO date-time' }]);
  return ms;
}

function flag(q: RawQuery, name: 'noAccumulate' | 'breakdown'): boolean {
  const text = single(q, CAPGO_QUERY, name, refuse);
  if (text === undefined) return false;
  return trueOrFalse(text) ?? refuse(name, 'must be true or false');
}

/**
 * Parse a statistics request. `flags` names the booleans the route takes; others are ignored,
 * as any unknown parameter is.
 *
 * @example parseStatsQuery({ from: '2024-01-01', to: '2024-02-01', noAccumulate: 'true' }, ['noAccumulate'])
 * // { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 1, 1), noAccumulate: true, breakdown: false }
 */
export function parseStatsQuery(q: RawQuery, flags: readonly ('noAccumulate' | 'breakdown')[]): StatsParams {
  const from = instant(q, 'from');
  const to = instant(q, 'to');
  if (from > to)
    throw new ValidationError('from must not be after to', [{ path: 'from', message: 'after to' }]);
  return {
    from,
    to,
    noAccumulate: flags.includes('noAccumulate') && flag(q, 'noAccumulate'),
    breakdown: flags.includes('breakdown') && flag(q, 'breakdown'),
  };
}

/** The start of the UTC day holding `ms`, and the start of the next one. */
export function utcDay(ms: number): { start: number; end: number } {
  const b = bucketOf(UTC_DAY, ms);
  return { start: b.start, end: b.end };
}

/** The start of every UTC day the half-open `span` touches, in order. */
export function dayStarts(span: { from: number; to: number }): number[] {
  return enumerateBuckets(UTC_DAY, span.from, span.to).map((b) => b.start);
}

function checkSpan(from: number, to: number): void {
  if ((to - from) / DAY_MS > MAX_DAYS) {
    throw new ValidationError(`The range covers more than ${MAX_DAYS} days`, [
      { path: 'to', message: 'too far' },
    ]);
  }
}

/**
 * The span the statistics rows cover: `[from, to)` cut at the end of today (UTC, by `now`), or null
 * when nothing is left. Rows are the UTC days this span touches.
 */
export function statsSpan(p: StatsParams, now: number): { from: number; to: number } | null {
  const to = Math.min(p.to, utcDay(now).end);
  if (p.from >= to) return null;
  checkSpan(utcDay(p.from).start, to);
  return { from: p.from, to };
}

/**
 * bundle_usage: labels are every UTC day from the day of `from` to the day of `to`, inclusive;
 * the data span is those whole days up to the end of today (null when all of them are future).
 */
export function bundleSpan(
  p: StatsParams,
  now: number,
): { labels: { from: number; to: number }; data: { from: number; to: number } | null } {
  const labels = { from: utcDay(p.from).start, to: Math.min(utcDay(p.to).end, MAX_INSTANT) };
  checkSpan(labels.from, labels.to);
  const end = Math.min(labels.to, utcDay(now).end);
  return { labels, data: labels.from < end ? { from: labels.from, to: end } : null };
}

function plan(orgs: string[], types: string[], range: { from: number; to: number }): Query {
  return makeQuery({ orgs, types, range });
}

const APP = { kind: 'dim', key: 'app' } as const;
const VERSION = { kind: 'dim', key: 'version' } as const;

/** The app filter: one app, or (null) any event that names an app. */
function appFilter(app: string | null): Filter {
  return app === null
    ? { field: APP, op: 'not_in', values: [null] }
    : { field: APP, op: 'eq', values: [app] };
}

/** The event types that carry an app (CONTRACT §3.4); its org is found among their events. */
export const APP_TYPES = ['activity', 'bandwidth', 'storage'] as const;

/** Which of `orgs` carry events of `app` (any of the three types Capgo reads), over all time. */
export function appOrgsPlan(app: string, orgs: string[], types: string[] = [...APP_TYPES]): Query {
  return {
    ...plan(orgs, types, { from: 0, to: MAX_INSTANT }),
    bucket: 'none',
    filters: [appFilter(app)],
    groupBy: [{ kind: 'org' }],
    fill: 'sparse',
  };
}

/** The three per-app series of the statistics routes, as neutral plans. */
export interface StatsPlans {
  mau: Query;
  storage: Query;
  bandwidth: Query;
}

/**
 * Day-by-day plans per app (`dims.app`) over `orgs`, restricted to `app` when given:
 * distinct devices since `from` (cumulative), the storage gauge (latest, seeded before
 * `from`), and bytes downloaded (running since `from`, or per day with `noAccumulate`).
 */
export function statsPlans(
  orgs: string[],
  app: string | null,
  span: { from: number; to: number },
  noAccumulate: boolean,
): StatsPlans {
  const base = { filters: [appFilter(app)], groupBy: [APP] };
  const running = { kind: 'cumulative', since: 'range' } as const;
  return {
    mau: {
      ...plan(orgs, ['activity'], span),
      ...base,
      aggregation: { fn: 'unique', of: [{ kind: 'actor' }] },
      window: running,
    },
    storage: { ...plan(orgs, ['storage'], span), ...base, aggregation: { fn: 'latest', per: [] } },
    bandwidth: {
      ...plan(orgs, ['bandwidth'], span),
      ...base,
      aggregation: { fn: 'sum' },
      window: noAccumulate ? { kind: 'none' } : running,
    },
  };
}

/** Activity events of `app` per version and day, with each day's shares exact to 0.1 %. */
export function bundlePlan(orgs: string[], app: string, span: { from: number; to: number }): Query {
  return {
    ...plan(orgs, ['activity'], span),
    filters: [appFilter(app), { field: VERSION, op: 'not_in', values: [null] }],
    groupBy: [VERSION],
    share: { precision: 1 },
  };
}
