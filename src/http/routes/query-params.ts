/**
 * The native query vocabulary (docs/query.md): one flat set of names for GET
 * query strings and POST JSON bodies, its TypeBox schema, and the mapping from
 * a request to a core plan. Lists may be arrays, repeated GET params or
 * comma-separated; `filters` is JSON in a GET (the same list or tree a POST sends).
 */
import { Type, type Static } from '@sinclair/typebox';
import { ValidationError } from '../../core/errors.js';
import { expecting } from '../../core/faults.js';
import { didYouMean } from '../../core/suggest.js';
import { FILTER_LIMITS, parseFilters } from '../../core/query/filters.js';
import { MAX_METRICS, type Metric } from '../../core/query/metrics.js';
import {
  INTEGRAL_UNIT_MS,
  parseField,
  type Aggregation,
  type IntegralUnit,
  type Field,
  type FilterTree,
  type Query,
  type Window,
} from '../../core/query/plan.js';

export const Str = (max: number, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, ...(description === undefined ? {} : { description }) });
export const List = (max: number) => Type.Union([Type.Array(Str(max), { maxItems: 1000 }), Str(max * 100)]);
export const Instant = expecting(
  Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Number()]),
  'an RFC 3339 time (2024-03-10T00:00:00-05:00), a date (2024-03-10) or Unix seconds',
);
/** Every `agg`, top-level or a metric's. */
const METRIC_AGGS = [
  'count',
  'sum',
  'min',
  'max',
  'avg',
  'unique',
  'latest',
  'integral',
  'p50',
  'p90',
  'p95',
  'p99',
  'quantile',
];
const INTEGRAL_UNITS = Object.keys(INTEGRAL_UNIT_MS);

export const QueryParams = Type.Object(
  {
    org: Type.Optional(List(200)),
    subtree: Type.Optional(Type.Boolean()),
    type: Type.Optional(List(100)),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    last: Type.Optional(Str(32)),
    timezone: Type.Optional(Str(64)),
    week_start: Type.Optional(Type.Integer({ minimum: 0, maximum: 6 })),
    bucket: Type.Optional(
      Type.Union(
        ['none', 'hour', 'day', 'week', 'month', 'hour_of_day', 'day_of_week'].map((b) => Type.Literal(b)),
      ),
    ),
    agg: Type.Optional(Type.Union(METRIC_AGGS.map((a) => Type.Literal(a)))),
    q: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
    unit: Type.Optional(Type.Union(INTEGRAL_UNITS.map((u) => Type.Literal(u)))),
    of: Type.Optional(List(100)),
    per: Type.Optional(List(100)),
    // The string form first: a coercing validator would otherwise wrap a GET's JSON text in an array.
    filters: Type.Optional(
      expecting(
        // Trees are checked by parseFilters, which names the path of a fault inside them.
        Type.Union([
          Type.String({ maxLength: 100_000 }),
          Type.Array(Type.Unknown(), { maxItems: FILTER_LIMITS.items }),
          Type.Object({}, { additionalProperties: true }),
        ]),
        `a list of at most ${FILTER_LIMITS.items} filters [op, field, [values]] or one tree {"and"|"or": [...]} / {"not": f}, e.g. [["eq", "dims.app", ["ios"]]] (JSON text in a GET)`,
      ),
    ),
    metrics: Type.Optional(
      expecting(
        Type.Union([
          Type.String({ maxLength: 100_000 }),
          Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: MAX_METRICS }),
        ]),
        `a list of 1-${MAX_METRICS} metrics {"name", "agg", "type"?, "of"?, "per"?, "q"?, "unit"?, "filters"?} (JSON text in a GET)`,
      ),
    ),
    group_by: Type.Optional(List(100)),
    window: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('rolling'), Type.Literal('cumulative')]),
    ),
    window_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    window_unit: Type.Optional(Type.Union(['hour', 'day', 'week', 'month'].map((u) => Type.Literal(u)))),
    since: Type.Optional(Type.Union([Type.Literal('range'), Type.Literal('all')])),
    fill: Type.Optional(Type.Union([Type.Literal('zero'), Type.Literal('sparse')])),
    share: Type.Optional(Type.Integer({ minimum: 0, maximum: 4 })),
    top: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    other: Type.Optional(Type.Boolean()),
    compare: Type.Optional(Type.Union([Type.Literal('previous_period'), Type.Literal('previous_year')])),
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('csv')], {
        description: 'The answer as JSON (default) or CSV; `Accept: text/csv` also asks for CSV.',
      }),
    ),
  },
  { additionalProperties: false },
);

export type QueryParamsT = Static<typeof QueryParams>;

/** A list parameter as an array: arrays as given, strings split on commas. */
export function listOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value.flatMap((v) => v.split(',')) : value.split(',');
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

const BASE_FIELDS = ['actor', 'org', 'type', 'actor_kind'];

/** A guess for a field label that is not one: `dim.app` or `app` may mean `dims.app`. */
function fieldGuess(label: string): string {
  const dotted = /^dims?[._:](.+)$/i.exec(label);
  if (dotted) return `; did you mean dims.${dotted[1]}?`;
  return didYouMean(label, BASE_FIELDS) || `; for a dim, write dims.${label}`;
}

/** The field a label names; a fault is reported at `path`. */
function fieldOf(label: string, path: string): Field {
  const f = parseField(label);
  if (f === null)
    throw ValidationError.param(
      path,
      `must be actor, org, type, actor_kind or dims.<key>${fieldGuess(label)}`,
    );
  return f;
}

/** Fields of a list parameter named `path`; a fault points at the item (`group_by/1`). */
function fields(labels: string[], path: string): Field[] {
  return labels.map((label, k) => fieldOf(label, `${path}/${k}`));
}

function filtersOf(raw: QueryParamsT['filters']): FilterTree[] {
  if (raw === undefined) return [];
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw ValidationError.param('filters', 'must be JSON: a list of [op, field, [values]] or a tree');
    }
  }
  return parseFilters(parsed, fieldOf);
}

/** The named percentiles, as the q of `agg=quantile`. */
const PERCENTILES: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

function aggregationOf(p: Pick<QueryParamsT, 'agg' | 'of' | 'per' | 'q' | 'unit'>): Aggregation {
  const fn = p.agg ?? 'count';
  if (p.q !== undefined && fn !== 'quantile')
    throw ValidationError.param('q', 'applies only with agg=quantile');
  if (p.unit !== undefined && fn !== 'integral')
    throw ValidationError.param('unit', 'applies only with agg=integral');
  if (fn === 'integral')
    return { fn, per: fields(listOf(p.per), 'per'), unit: (p.unit ?? 'hour') as IntegralUnit };
  if (fn === 'unique') {
    const of = listOf(p.of);
    return { fn, of: fields(of.length > 0 ? of : ['actor'], 'of') };
  }
  if (fn === 'latest') return { fn, per: fields(listOf(p.per), 'per') };
  if (fn === 'quantile') {
    if (p.q === undefined) throw ValidationError.param('q', 'is required with agg=quantile');
    return { fn, q: p.q };
  }
  if (fn in PERCENTILES) return { fn: 'quantile', q: PERCENTILES[fn]! };
  return { fn: fn as 'count' };
}

function windowOf(p: QueryParamsT, bucket: Query['bucket']): Window {
  if (p.window === 'rolling') {
    if (p.window_size === undefined)
      throw ValidationError.param('window_size', 'is required with window=rolling');
    const unit =
      p.window_unit ?? (bucket === 'hour' || bucket === 'week' || bucket === 'month' ? bucket : 'day');
    return { kind: 'rolling', size: p.window_size, unit: unit as 'day' };
  }
  if (p.window === 'cumulative') return { kind: 'cumulative', since: p.since ?? 'range' };
  return { kind: 'none' };
}

/** The plan for parsed params, given the resolved orgs, range and timezone. */
export function planOf(
  p: QueryParamsT,
  orgs: string[],
  range: { from: number; to: number },
  timezone: string,
): Query {
  const bucket = (p.bucket ?? 'day') as Query['bucket'];
  return {
    orgs,
    types: listOf(p.type),
    range,
    timezone,
    weekStart: p.week_start ?? 1,
    bucket,
    aggregation: aggregationOf(p),
    filters: filtersOf(p.filters),
    groupBy: fields(listOf(p.group_by), 'group_by'),
    window: windowOf(p, bucket),
    fill: p.fill ?? 'zero',
    share: p.share === undefined ? null : { precision: p.share },
    top: p.top === undefined ? null : { n: p.top, other: p.other ?? true },
    compare: p.compare ?? null,
  };
}

/** Run `f`, re-pointing a 400's paths under `prefix` (a metric's own parameters, an alert's query). */
export function within<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const details = e.details.map((d) => ({ ...d, path: `${prefix}/${d.path}` }));
    throw new ValidationError(`${details[0]?.path ?? prefix}: ${details[0]?.message ?? e.message}`, details);
  }
}

const METRIC_KEYS = ['name', 'type', 'agg', 'of', 'per', 'q', 'unit', 'filters'];

function textList(v: unknown, path: string): string | string[] | undefined {
  if (v === undefined || typeof v === 'string') return v;
  if (Array.isArray(v) && v.length <= 1000 && v.every((x) => typeof x === 'string')) return v;
  throw ValidationError.param(path, 'must be a list of strings');
}

/** One metric of `metrics` at index `k`. */
function metricOf(raw: Record<string, unknown>, k: number): Metric {
  const at = `metrics/${k}`;
  const extra = Object.keys(raw).find((key) => !METRIC_KEYS.includes(key));
  if (extra !== undefined)
    throw ValidationError.param(`${at}/${extra}`, `is not a metric's key; one of ${METRIC_KEYS.join(', ')}`);
  const agg = raw['agg'] ?? 'count';
  if (typeof agg !== 'string' || !METRIC_AGGS.includes(agg))
    throw ValidationError.param(`${at}/agg`, `must be one of ${METRIC_AGGS.join(', ')}`);
  if (raw['q'] !== undefined && typeof raw['q'] !== 'number')
    throw ValidationError.param(`${at}/q`, 'must be a number');
  const unit = raw['unit'];
  if (unit !== undefined && (typeof unit !== 'string' || !INTEGRAL_UNITS.includes(unit)))
    throw ValidationError.param(`${at}/unit`, `must be one of ${INTEGRAL_UNITS.join(', ')}`);
  const types = textList(raw['type'], `${at}/type`);
  const params = {
    agg: agg as QueryParamsT['agg'],
    of: textList(raw['of'], `${at}/of`),
    per: textList(raw['per'], `${at}/per`),
    ...(raw['q'] === undefined ? {} : { q: raw['q'] }),
    ...(unit === undefined ? {} : { unit: unit as IntegralUnit }),
  };
  return {
    name: raw['name'] as string,
    types: types === undefined ? null : listOf(types),
    aggregation: within(at, () => aggregationOf(params)),
    filters: raw['filters'] === undefined ? [] : parseFilters(raw['filters'], fieldOf, `${at}/filters`),
  };
}

/** The request's metrics, or null without any; with them, `agg`, `of`, `per`, `q` and `unit` stay unset. */
export function metricsOf(p: QueryParamsT): Metric[] | null {
  if (p.metrics === undefined) return null;
  for (const name of ['agg', 'of', 'per', 'q', 'unit'] as const)
    if (p[name] !== undefined)
      throw ValidationError.param(name, 'cannot be combined with metrics: each metric has its own');
  let list: unknown = p.metrics;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      throw ValidationError.param('metrics', 'must be JSON: a list of {"name", "agg", ...}');
    }
  }
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_METRICS)
    throw ValidationError.param('metrics', `must list 1-${MAX_METRICS} metrics`);
  return list.map((m: unknown, k) => {
    if (m === null || typeof m !== 'object' || Array.isArray(m))
      throw ValidationError.param(`metrics/${k}`, 'must be an object {"name", "agg", ...}');
    return metricOf(m as Record<string, unknown>, k);
  });
}
