/**
 * Several named metrics in one query (docs/query.md, "Metrics"). Each metric is the shared plan
 * (orgs, range, timezone, bucket, group-by, window, fill) with its own aggregation, its own
 * types when it names some, and its filters AND-ed to the shared ones; each runs as a plan of
 * its own (a few at once), and the answers are merged group by group and bucket by bucket. A group
 * one metric lacks reads that metric's figure over no events (0 for count, sum, unique; null
 * otherwise).
 */
import { ValidationError } from '../errors.js';
import { POINT_LIMITS, TooManyPointsError } from './bounds.js';
import type { Aggregation, FilterTree, Query } from './plan.js';
import { buildAxis } from './axis.js';
import { comparedRange } from './compare-range.js';
import type { ComparePoint, Point, QueryResult, Series } from './result.js';
import { compareTuples } from './run.js';
import { normaliseQuery } from './validate.js';

export interface Metric {
  /** 1-64 characters of [A-Za-z0-9_]; the key of `values` and `total`, and a CSV column. */
  name: string;
  /** The metric's event types; null keeps the query's. */
  types: string[] | null;
  aggregation: Aggregation;
  /** AND-ed with the query's filters. */
  filters: FilterTree[];
}

export const MAX_METRICS = 10;

/** Names the CSV already uses for its own columns. */
const RESERVED = ['start', 'end', 'slot', 'value', 'share', 'window_from', 'window_to', 'other'];
/** The parameters a metric brings; a fault in one is reported under `metrics/<k>/`. */
const OWN = ['agg', 'of', 'per', 'q', 'unit', 'type'];

function fail(path: string, message: string): never {
  throw ValidationError.param(path, message);
}

/** Check the list and its names; throws `ValidationError` at `metrics/<k>/name`. */
export function checkMetrics(metrics: Metric[], q: Query): void {
  if (!Array.isArray(metrics) || metrics.length === 0 || metrics.length > MAX_METRICS)
    fail('metrics', `must list 1-${MAX_METRICS} metrics`);
  const seen = new Set<string>();
  metrics.forEach((m, k) => {
    const at = `metrics/${k}/name`;
    if (typeof m.name !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(m.name))
      fail(at, 'must be 1-64 characters of A-Z, a-z, 0-9 and _');
    if (RESERVED.includes(m.name)) fail(at, `${m.name} is a CSV column of its own; choose another name`);
    // The CSV names each compared figure compare_<name>: a metric of that name would clash.
    if (q.compare && m.name.startsWith('compare_'))
      fail(at, 'must not start with compare_ when compare is asked (the CSV names compared figures so)');
    if (seen.has(m.name)) fail(at, `repeats ${m.name}`);
    seen.add(m.name);
  });
  if (q.share) fail('share', 'applies to one aggregation, not to metrics');
  if (q.top) fail('top', 'applies to one aggregation, not to metrics');
}

/** The plan of one metric. */
export function metricPlan(q: Query, m: Metric): Query {
  return {
    ...q,
    types: m.types ?? q.types,
    aggregation: m.aggregation,
    filters: [...q.filters, ...m.filters],
  };
}

/** A sub-plan's fault in the metric's own part, re-pointed to where the request wrote it. */
function repoint(e: unknown, k: number, sharedFilters: number): unknown {
  if (!(e instanceof ValidationError) || e.details.length === 0) return e;
  const details = e.details.map((d) => {
    const [head = '', index, ...rest] = d.path.split('/');
    if (OWN.includes(head)) return { ...d, path: `metrics/${k}/${d.path}` };
    if (head === 'filters' && Number(index) >= sharedFilters)
      return { ...d, path: [`metrics/${k}/filters`, Number(index) - sharedFilters, ...rest].join('/') };
    return d;
  });
  return new ValidationError(`${details[0]!.path}: ${details[0]!.message}`, details, e.code);
}

function pointCount(r: QueryResult): number {
  return [...r.series, ...(r.other ? [r.other] : [])].reduce((n, s) => n + s.points.length, 0);
}

/** A metric's figure over no events. */
function emptyFigure(a: Aggregation): number | null {
  return a.fn === 'count' || a.fn === 'sum' || a.fn === 'unique' || a.fn === 'integral' ? 0 : null;
}

/** A metric's two answers: over the asked range, and over the compared one (null without compare). */
type MetricAnswers = [QueryResult, QueryResult | null];

/**
 * Metrics run at once by one request: enough for the three (bench/RESULTS.md, "Issue
 * 23"), few enough that a request of ten does not queue twenty plans ahead of every other
 * request on the store's read connections (DuckDB has 4).
 */
export const METRICS_AT_ONCE = 3;

/** `work` over every item, at most `limit` at a time; each outcome at its item's index. */
async function settleEach<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const k = next++;
      try {
        out[k] = { status: 'fulfilled', value: await work(items[k]!) };
      } catch (reason) {
        out[k] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Run every metric through `run` and merge the answers: points carry `values`, series `totals`,
 * keyed by metric name. Up to METRICS_AT_ONCE metrics' plans (each with its compared range) run
 * at once: they are independent statements, and the store runs them side by side (DuckDB on its
 * pool of read connections, ClickHouse on its own), so where cores are free the request takes
 * about its slowest plan rather than the sum of all (bench/RESULTS.md, "Issue 23"). The outcome
 * is read in the metrics' order, so a request answers as if they ran one after another: the first
 * metric's fault, or the points bound (which counts every metric's points) at the first metric
 * that crosses it. The price: every answer is held before that bound is read (20 plans at most,
 * each within the bound on its own: runQuery refuses a larger one).
 *
 * @example
 * await runMetrics(plan, [{ name: 'calls', types: null, aggregation: { fn: 'count' }, filters: [] }], reader.run)
 */
export async function runMetrics(
  q: Query,
  metrics: Metric[],
  run: (plan: Query) => Promise<QueryResult>,
): Promise<QueryResult> {
  checkMetrics(metrics, q);
  const before = q.compare ? comparedRange(q.range, q.timezone, q.compare) : null;
  const settled = await settleEach(metrics, METRICS_AT_ONCE, (m): Promise<MetricAnswers> => {
    const plan: Query = { ...metricPlan(q, m), compare: null };
    // The compared range runs as a plan of its own, every bucket filled: a merged point may
    // come from another metric's data, and this metric's compared figure is still wanted there.
    return Promise.all([run(plan), before ? run({ ...plan, range: before, fill: 'zero' }) : null]);
  });
  const results: QueryResult[] = [];
  const compared: QueryResult[] = [];
  let points = 0;
  for (const [k, outcome] of settled.entries()) {
    if (outcome.status === 'rejected') throw repoint(outcome.reason, k, q.filters.length);
    const [r, earlier] = outcome.value;
    if (earlier) compared.push(earlier);
    // Each point of a comparison brings its compared point.
    points += pointCount(r) * (before ? 2 : 1);
    if (points > POINT_LIMITS.points)
      throw new TooManyPointsError(
        `The answer would hold ${points.toLocaleString('en-US')} points over its first ${k + 1} metrics; ` +
          `at most ${POINT_LIMITS.points.toLocaleString('en-US')} are allowed (each metric's points count). ` +
          'Use fewer metrics, a coarser bucket, a shorter range or fill=sparse.',
        r.series.length,
        r.meta.buckets,
        points,
        POINT_LIMITS.points,
      );
    results.push(r);
  }
  const merged = mergeMetrics(q, metrics, results);
  return before ? withCompared(q, metrics, merged, before, compared) : merged;
}

/** `{start|slot}` of each bucket of a plan's axis, to its index. */
function bucketIndex(q: Query): Map<string, number> {
  const axis = buildAxis(normaliseQuery(q));
  return new Map(axis.buckets.map((b, i) => [`${b.start}|${b.slot ?? ''}`, i]));
}

/**
 * Each merged series' compared figures: per point, the compared range's bucket at the same axis
 * index, every metric's figure there (over no events where a metric lacks the group).
 */
function withCompared(
  q: Query,
  metrics: Metric[],
  merged: QueryResult,
  before: { from: number; to: number },
  compared: QueryResult[],
): QueryResult {
  const plan: Query = { ...metricPlan(q, metrics[0]!), compare: null };
  const index = bucketIndex(plan);
  const earlier = buildAxis(normaliseQuery({ ...plan, range: before })).buckets;
  const own = compared.map((r) => new Map(r.series.map((s) => [JSON.stringify(Object.values(s.group)), s])));
  for (const s of merged.series) {
    const key = JSON.stringify(Object.values(s.group));
    const mine = own.map((m) => m.get(key));
    const totals: Record<string, number | null> = {};
    metrics.forEach((m, k) => (totals[m.name] = mine[k]?.total ?? emptyFigure(m.aggregation)));
    const points = s.points.map((p): ComparePoint => {
      const b = index.get(`${p.start}|${p.slot ?? ''}`) ?? -1;
      const bucket = earlier[b];
      const values: Record<string, number | null> = {};
      // Past the compared range's last bucket every figure is null, as `value` is without metrics.
      metrics.forEach(
        (m, k) =>
          (values[m.name] = bucket ? (mine[k]?.points[b]?.value ?? emptyFigure(m.aggregation)) : null),
      );
      if (!bucket) return { start: null, end: null, value: null, values };
      const point: ComparePoint = { start: bucket.start, end: bucket.end, value: null, values };
      if (bucket.slot !== undefined) point.slot = bucket.slot;
      return point;
    });
    s.compare = { range: before, total: null, totals, points };
  }
  return merged;
}

interface Merged {
  tuple: (string | null)[];
  group: Record<string, string | null>;
  points: Map<string, Point>;
  totals: Record<string, number | null>;
}

/** The answers of `metrics` (in order) as one: see `runMetrics`. */
export function mergeMetrics(q: Query, metrics: Metric[], results: QueryResult[]): QueryResult {
  const groups = new Map<string, Merged>();
  const labels = (s: Series): (string | null)[] => Object.values(s.group);
  results.forEach((r) => {
    for (const s of r.series) {
      const key = JSON.stringify(labels(s));
      if (!groups.has(key))
        groups.set(key, { tuple: labels(s), group: s.group, points: new Map(), totals: {} });
    }
  });
  results.forEach((r, k) => {
    const m = metrics[k]!;
    const empty = emptyFigure(m.aggregation);
    const own = new Map(r.series.map((s) => [JSON.stringify(labels(s)), s]));
    for (const [key, g] of groups) {
      const s = own.get(key);
      g.totals[m.name] = s ? s.total : empty;
      for (const p of s?.points ?? []) {
        const at = `${p.start}|${p.slot ?? ''}`;
        const merged = g.points.get(at) ?? { ...p, value: null, values: {} };
        merged.values![m.name] = p.value;
        g.points.set(at, merged);
      }
    }
  });
  // Every metric has a figure at every point: a bucket one metric left out (sparse) or a group it
  // lacks reads its figure over no events.
  const series: Series[] = [...groups.values()]
    .sort((a, b) => compareTuples(a.tuple, b.tuple))
    .map((g) => {
      const points = [...g.points.values()].sort(
        (a, b) => a.start - b.start || (a.slot ?? 0) - (b.slot ?? 0),
      );
      for (const p of points)
        for (const m of metrics) if (!(m.name in p.values!)) p.values![m.name] = emptyFigure(m.aggregation);
      return { group: g.group, points, total: null, totals: g.totals };
    });
  const first = results[0]!;
  return { ...first, series, other: null, total_groups: series.length, metrics: metrics.map((m) => m.name) };
}
