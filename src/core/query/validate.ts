/**
 * Plan validation and normalisation. Surfaces build plans from their own
 * parameters; this is the one place that rejects combinations the engine does
 * not define (e.g. a rolling gauge) and bounds every list, with a 400 naming
 * the parameter at fault by its name in the native query (docs/query.md): `org`,
 * `of`, `window_unit`, and a JSON pointer inside a list (`filters/0/2/1`). Other
 * surfaces check their own parameters before they build a plan.
 */
import { ValidationError } from '../errors.js';
import { assertTimeZone, MAX_INSTANT, MIN_INSTANT } from '../time/index.js';
import { checkFilters, FILTER_LIMITS } from './filters.js';
import { INTEGRAL_UNIT_MS, parseField, type Field, type Query, type TimeUnit } from './plan.js';
import { QUANTILE_SCALE } from './requests.js';

export const QUERY_LIMITS = {
  // Far above any deployment we know (issue 26.5 tests 100,000): the engines bind a long org
  // list as one parameter (DuckDB) or a set (ClickHouse), so the bound only guards memory.
  orgs: 1_000_000,
  types: 100,
  filters: FILTER_LIMITS.items,
  filterValues: FILTER_LIMITS.values,
  valueLength: 512,
  fields: 4,
  windowSize: 1000,
  topN: 1000,
  sharePrecision: 4,
} as const;

const BUCKETS = ['none', 'hour', 'day', 'week', 'month', 'hour_of_day', 'day_of_week'];
const UNITS: TimeUnit[] = ['hour', 'day', 'week', 'month'];
/** Which window units nest in which bucket. */
const NESTS: Record<TimeUnit, TimeUnit[]> = {
  hour: ['hour'],
  day: ['hour', 'day'],
  week: ['hour', 'day', 'week'],
  month: ['hour', 'day', 'month'],
};

function fail(path: string, message: string): never {
  throw ValidationError.param(path, message);
}

function checkString(value: unknown, path: string, max: number = QUERY_LIMITS.valueLength): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    fail(path, `must be a string of 1-${max} characters`);
  return value;
}

function checkField(f: Field, path: string): void {
  if (f.kind === 'dim') {
    if (typeof f.key !== 'string' || f.key.length === 0 || f.key.length > 64)
      fail(path, 'must be dims.<key> with a key of 1-64 characters');
  } else if (!['actor', 'org', 'type', 'actor_kind'].includes(f.kind))
    fail(path, 'must be actor, org, type, actor_kind or dims.<key>');
}

/** A percentile's q: in (0, 1), exact in millionths (QUANTILE_SCALE), so that its rank is exact. */
function checkQuantile(q: unknown): void {
  const scaled = typeof q === 'number' ? q * QUANTILE_SCALE : NaN;
  if (!(typeof q === 'number' && q > 0 && q < 1 && Math.abs(scaled - Math.round(scaled)) < 1e-6))
    fail('q', 'must be a number between 0 and 1 (exclusive) with at most 6 decimals');
}

/** A field label of a filter read back from a plan, checked as any field of the plan. */
function resolveField(label: string, path: string): Field {
  const f = parseField(label);
  if (f === null) fail(path, 'must be actor, org, type, actor_kind or dims.<key>');
  checkField(f, path);
  return f;
}

function checkFields(fields: Field[], path: string, min: number): void {
  if (!Array.isArray(fields) || fields.length < min || fields.length > QUERY_LIMITS.fields) {
    fail(path, `must list ${min}-${QUERY_LIMITS.fields} fields`);
  }
  const seen = new Set<string>();
  fields.forEach((f, k) => {
    const at = `${path}/${k}`;
    checkField(f, at);
    const label = f.kind === 'dim' ? `dims.${f.key}` : f.kind;
    if (seen.has(label)) fail(at, `repeats ${label}`);
    seen.add(label);
  });
}

function checkInt(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    fail(path, `must be an integer from ${min} to ${max}`);
  return value;
}

/**
 * Check a plan and return it normalised (orgs and types deduplicated and sorted,
 * optional parts defaulted). Throws `ValidationError` (400).
 */
export function normaliseQuery(q: Query): Query {
  if (!Array.isArray(q.orgs) || q.orgs.length === 0 || q.orgs.length > QUERY_LIMITS.orgs)
    fail('org', `must list 1-${QUERY_LIMITS.orgs} orgs`);
  q.orgs.forEach((o, k) => checkString(o, `org/${k}`, 200));
  if (!Array.isArray(q.types) || q.types.length > QUERY_LIMITS.types)
    fail('type', `must list at most ${QUERY_LIMITS.types} types`);
  q.types.forEach((t, k) => checkString(t, `type/${k}`, 100));
  const { from, to } = q.range;
  checkInt(from, 'from', MIN_INSTANT, MAX_INSTANT);
  checkInt(to, 'to', MIN_INSTANT, MAX_INSTANT);
  if (!(from < to)) fail('range', 'from must be before to');
  assertTimeZone(q.timezone, 'timezone');
  checkInt(q.weekStart, 'week_start', 0, 6);
  if (!BUCKETS.includes(q.bucket)) fail('bucket', `must be one of ${BUCKETS.join(', ')}`);
  const agg = q.aggregation;
  if (agg.fn === 'unique') checkFields(agg.of, 'of', 1);
  else if (agg.fn === 'latest') checkFields(agg.per, 'per', 0);
  else if (agg.fn === 'integral') {
    checkFields(agg.per, 'per', 0);
    if (!(agg.unit in INTEGRAL_UNIT_MS)) fail('unit', 'must be one of second, minute, hour, day');
  } else if (agg.fn === 'quantile') checkQuantile(agg.q);
  else if (!['count', 'sum', 'min', 'max', 'avg'].includes(agg.fn))
    fail(
      'agg',
      'must be one of count, sum, min, max, avg, unique, latest, integral, p50, p90, p95, p99, quantile',
    );
  const filters = checkFilters(q.filters, resolveField);
  checkFields(q.groupBy, 'group_by', 0);
  const w = q.window;
  const timeBucket = UNITS.includes(q.bucket as TimeUnit);
  if (w.kind === 'rolling') {
    checkInt(w.size, 'window_size', 1, QUERY_LIMITS.windowSize);
    if (!timeBucket) fail('window', 'rolling needs an hour, day, week or month bucket');
    if (!UNITS.includes(w.unit) || !NESTS[q.bucket as TimeUnit].includes(w.unit))
      fail(
        'window_unit',
        `must nest in a ${q.bucket} bucket: one of ${NESTS[q.bucket as TimeUnit].join(', ')}`,
      );
  } else if (w.kind === 'cumulative') {
    if (w.since !== 'range' && w.since !== 'all') fail('since', 'must be range or all');
    if (!timeBucket && q.bucket !== 'none') fail('window', 'cumulative needs a time bucket or none');
  } else if (w.kind !== 'none') fail('window', 'must be none, cumulative or rolling');
  if (agg.fn === 'quantile' && w.kind !== 'none')
    fail('window', 'a percentile of a window is not defined here; ask for the buckets themselves');
  if (agg.fn === 'latest' && w.kind !== 'none')
    fail('window', 'a latest gauge already carries forward; no window applies');
  if (agg.fn === 'latest' && !timeBucket && q.bucket !== 'none')
    fail('bucket', 'a latest gauge has no histogram');
  if (agg.fn === 'integral' && w.kind !== 'none')
    fail('window', 'an integral already sums over time; no window applies');
  if (agg.fn === 'integral' && !timeBucket && q.bucket !== 'none')
    fail('bucket', 'an integral has no histogram');
  if (q.fill !== 'zero' && q.fill !== 'sparse') fail('fill', 'must be zero or sparse');
  const share = q.share ?? null;
  if (share) {
    checkInt(share.precision, 'share', 0, QUERY_LIMITS.sharePrecision);
    if (agg.fn === 'min' || agg.fn === 'max' || agg.fn === 'avg' || agg.fn === 'quantile')
      fail('share', `a share of ${agg.fn} is not defined`);
  }
  const top = q.top ?? null;
  if (top) {
    checkInt(top.n, 'top', 1, QUERY_LIMITS.topN);
    if (q.groupBy.length === 0) fail('top', 'needs a group_by');
  }
  return {
    ...q,
    orgs: [...new Set(q.orgs)].sort(),
    types: [...new Set(q.types)].sort(),
    filters,
    share,
    top: top ? { n: top.n, other: top.other } : null,
  };
}
