/**
 * The engine's pipeline, independent of any database: normalise the plan, build
 * its time axis, fetch the few row aggregates through the store's fetcher, then
 * order groups, cut top-N (re-scanning "other" where it is not additive), compute
 * shares, fill, and assemble the neutral result (see result.ts).
 */
import { formatUtcIsoMs } from '../time/index.js';
import { buildAxis, type Axis } from './axis.js';
import { LIMITS } from '../events.js';
import { assertPoints, columnsOf, Pacer } from './bounds.js';
import { computeGroups, type GroupValues, type Tuple } from './compute.js';
import { fieldLabel, type Query } from './plan.js';
import type { RowFetcher } from './requests.js';
import { comparedRange } from './compare-range.js';
import type { ComparePoint, Point, QueryResult, Series } from './result.js';
import { largestRemainder } from './share.js';
import { normaliseQuery } from './validate.js';

/** No stored event is later than now plus the ingest skew bound; a day of margin covers clocks of other processes. */
const DATA_HORIZON_MS = LIMITS.maxFutureSkewMs + 86_400_000;

/** How a run may be stopped: `signal` fires at the query's deadline (bounds.ts `withDeadline`). */
export interface RunOptions {
  signal?: AbortSignal | null;
}

/** Orders tuples element-wise; null (missing) first. */
export function compareTuples(a: Tuple, b: Tuple): number {
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    const x = a[k] ?? null;
    const y = b[k] ?? null;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function byTotal(a: GroupValues, b: GroupValues): number {
  const x = a.total ?? -Infinity;
  const y = b.total ?? -Infinity;
  return y - x || compareTuples(a.tuple, b.tuple);
}

function foldNumbers(xs: (number | null)[], f: (a: number, b: number) => number): number | null {
  let acc: number | null = null;
  for (const x of xs) if (x !== null) acc = acc === null ? x : f(acc, x);
  return acc;
}

function addNumbers(a: number, b: number): number {
  return a + b;
}

/** "Other" from the cut groups, where the aggregation is additive or an extreme (one group at a time, paced). */
async function foldGroups(q: Query, cut: GroupValues[], buckets: number, pacer: Pacer): Promise<GroupValues> {
  const fn = q.aggregation.fn;
  const f = fn === 'min' ? Math.min : fn === 'max' ? Math.max : addNumbers;
  const values = new Array<number | null>(buckets).fill(null);
  const present = new Array<boolean>(buckets).fill(false);
  for (const g of cut) {
    for (let b = 0; b < buckets; b++) {
      const v = g.values[b] ?? null;
      const acc = values[b] ?? null;
      if (v !== null) values[b] = acc === null ? v : f(acc, v);
      if (g.present[b]) present[b] = true;
    }
    await pacer.tick(buckets);
  }
  return {
    tuple: [],
    values,
    present,
    total: foldNumbers(
      cut.map((g) => g.total),
      f,
    ),
  };
}

/** What a run computes with: one plan (the asked one, or its compared range) and its axis. */
interface Run {
  q: Query;
  axis: Axis;
  fetch: RowFetcher;
  pacer: Pacer;
  nowMs: number;
}

async function otherGroup(run: Run, kept: GroupValues[], cut: GroupValues[]): Promise<GroupValues> {
  const { q, axis, pacer } = run;
  const fn = q.aggregation.fn;
  if (fn !== 'unique' && fn !== 'avg' && fn !== 'quantile') {
    // The compared range may hold none of the cut groups: "other" is then a figure over no events.
    if (cut.length === 0) return emptyGroup(q, axis);
    return foldGroups(q, cut, axis.buckets.length, pacer);
  }
  // Distinct counts, averages and percentiles of a union are not sums of parts: scan again without the kept groups.
  const exclude = { fields: q.groupBy, tuples: kept.map((g) => g.tuple) };
  const [only] = await computeGroups({ ...run, q: { ...q, groupBy: [] }, exclude });
  const empty = fn === 'unique' ? 0 : null;
  return (
    only ?? {
      tuple: [],
      values: axis.buckets.map(() => empty),
      present: axis.buckets.map(() => false),
      total: empty,
    }
  );
}

/** The one series of an ungrouped query that matched nothing: what each aggregation reads over no events. */
function emptyGroup(q: Query, axis: Axis): GroupValues {
  const fn = q.aggregation.fn;
  const none = fn === 'count' || fn === 'sum' || fn === 'unique' || fn === 'integral' ? 0 : null;
  return {
    tuple: [],
    values: axis.buckets.map(() => none),
    present: axis.buckets.map(() => false),
    total: none,
  };
}

function windowOf(q: Query, axis: Axis, b: number): Point['window'] {
  const bucket = axis.buckets[b]!;
  const to = Math.min(bucket.end, q.range.to);
  if (q.window.kind === 'rolling') {
    // Anchored at the bucket's end; a window that starts at or after `to` counts nothing: [to, to).
    const first = axis.units[Math.max(0, axis.span[b]!.hi - q.window.size + 1)]!;
    return { from: Math.min(first.start, to), to };
  }
  if (q.window.kind === 'cumulative') return { from: q.window.since === 'all' ? null : q.range.from, to };
  return undefined;
}

/** The compared range's groups, row for row with the answer's (kept, then other), and their shares. */
interface Compared {
  run: Run;
  groups: GroupValues[];
  shares: number[][] | null;
}

/** The compared point of bucket `b`: the compared axis' bucket at the same index, if it has one. */
function comparePoint(c: Compared, row: number, b: number): ComparePoint {
  const bucket = c.run.axis.buckets[b];
  if (!bucket) return { start: null, end: null, value: null };
  const point: ComparePoint = {
    start: bucket.start,
    end: bucket.end,
    value: c.groups[row]!.values[b] ?? null,
  };
  if (bucket.slot !== undefined) point.slot = bucket.slot;
  if (c.shares) point.share = c.shares[b]![row]!;
  return point;
}

function toSeries(
  q: Query,
  axis: Axis,
  g: GroupValues,
  shares: number[][] | null,
  row: number,
  compared: Compared | null,
): Series {
  const group: Record<string, string | null> = {};
  q.groupBy.forEach((field, k) => (group[fieldLabel(field)] = g.tuple[k] ?? null));
  const points: Point[] = [];
  const cpoints: ComparePoint[] = [];
  axis.buckets.forEach((bucket, b) => {
    if (q.fill === 'sparse' && !g.present[b]) return;
    const point: Point = { start: bucket.start, end: bucket.end, value: g.values[b] ?? null };
    if (bucket.slot !== undefined) point.slot = bucket.slot;
    if (shares) point.share = shares[b]![row]!;
    const window = windowOf(q, axis, b);
    if (window) point.window = window;
    points.push(point);
    if (compared) cpoints.push(comparePoint(compared, row, b));
  });
  const series: Series = { group, points, total: g.total };
  if (compared) {
    const { from, to } = compared.run.q.range;
    series.compare = { range: { from, to }, total: compared.groups[row]!.total, points: cpoints };
  }
  return series;
}

async function seriesOf(
  q: Query,
  axis: Axis,
  kept: GroupValues[],
  shares: number[][] | null,
  compared: Compared | null,
  pacer: Pacer,
): Promise<Series[]> {
  const out: Series[] = [];
  for (let k = 0; k < kept.length; k++) {
    out.push(toSeries(q, axis, kept[k]!, shares, k, compared));
    await pacer.tick(axis.buckets.length);
  }
  return out;
}

/** Shares of each bucket among `all` (kept groups, then other). */
function sharesOf(q: Query, axis: Axis, all: GroupValues[]): number[][] | null {
  if (!q.share) return null;
  const precision = q.share.precision;
  return axis.buckets.map((_, b) =>
    largestRemainder(
      all.map((g) => g.values[b] ?? null),
      precision,
    ),
  );
}

/**
 * The compared range's figures for the answer's groups: a kept group reads its own (over no
 * events when the compared range lacks it), "other" folds every other group of the compared
 * range, and a group found only there is no series of its own.
 */
async function compareGroups(
  run: Run,
  found: GroupValues[],
  kept: GroupValues[],
  withOther: boolean,
): Promise<Compared> {
  const byTuple = new Map(found.map((g) => [JSON.stringify(g.tuple), g]));
  const keys = new Set(kept.map((g) => JSON.stringify(g.tuple)));
  const groups = kept.map(
    (g) => byTuple.get(JSON.stringify(g.tuple)) ?? { ...emptyGroup(run.q, run.axis), tuple: g.tuple },
  );
  if (withOther) {
    const cut = found.filter((g) => !keys.has(JSON.stringify(g.tuple)));
    groups.push(await otherGroup(run, kept, cut));
  }
  return { run, groups, shares: sharesOf(run.q, run.axis, groups) };
}

/**
 * The `n` groups with the largest totals, in order, and the rest (in no order). A bounded
 * heap rather than a sort of every group: with top-N, groups may number up to the cell bound.
 */
async function selectTop(
  groups: GroupValues[],
  n: number,
  pacer: Pacer,
): Promise<{ kept: GroupValues[]; cut: GroupValues[] }> {
  // A heap whose root is the kept group that ranks last.
  const heap: GroupValues[] = [];
  const cut: GroupValues[] = [];
  const worse = (i: number, j: number): boolean => byTotal(heap[i]!, heap[j]!) > 0;
  const swap = (i: number, j: number): void => {
    [heap[i], heap[j]] = [heap[j]!, heap[i]!];
  };
  const down = (i: number): void => {
    for (;;) {
      let w = i;
      for (const c of [2 * i + 1, 2 * i + 2]) if (c < heap.length && worse(c, w)) w = c;
      if (w === i) return;
      swap(i, w);
      i = w;
    }
  };
  for (const g of groups) {
    if (heap.length < n) {
      heap.push(g);
      for (let i = heap.length - 1; i > 0 && worse(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (byTotal(g, heap[0]!) < 0) {
      cut.push(heap[0]!);
      heap[0] = g;
      down(0);
    } else cut.push(g);
    await pacer.tick(1);
  }
  return { kept: heap.sort(byTotal), cut };
}

function presentPoints(gs: GroupValues[]): number {
  let n = 0;
  for (const g of gs) for (const p of g.present) if (p) n++;
  return n;
}

/**
 * Run a plan end to end. `fetch` runs one row request on the store (see requests.ts);
 * `nowMs` is when the data is read. Throws `ValidationError` for a bad plan (400) or one past
 * the bounds of bounds.ts (`too_many_points`), and `QueryTimeoutError` once `opts.signal` fires.
 *
 * @example
 * const result = await runQuery(plan, Date.now(), (req) => runOnDuckDb(conn, req));
 */
export async function runQuery(
  input: Query,
  nowMs: number,
  fetch: RowFetcher,
  opts: RunOptions = {},
): Promise<QueryResult> {
  const pacer = new Pacer(opts.signal ?? null);
  const q = normaliseQuery(input);
  const axis = buildAxis(q, nowMs + DATA_HORIZON_MS);
  const main: Run = { q, axis, fetch, pacer, nowMs };
  let before: Run | null = null;
  if (q.compare) {
    const cq = { ...q, range: comparedRange(q.range, q.timezone, q.compare) };
    before = { ...main, q: cq, axis: buildAxis(cq, nowMs + DATA_HORIZON_MS) };
  }
  // The compared range is read at the same time as the asked one.
  const [groups, found] = await Promise.all([
    computeGroups({ ...main, exclude: null }),
    before ? computeGroups({ ...before, exclude: null }) : null,
  ]);
  // Zero fill promises every bucket: with no group-by that is one series even when nothing matched.
  if (groups.length === 0 && q.groupBy.length === 0 && q.fill === 'zero') groups.push(emptyGroup(q, axis));
  const cutting = q.top !== null && q.top !== undefined && groups.length > q.top.n;
  // The answer's size is known before it is built (before sorting, too, when nothing is cut).
  const series = cutting ? q.top!.n + (q.top!.other ? 1 : 0) : groups.length;
  // Each point of a comparison brings its compared point.
  const per = before ? 2 : 1;
  if (q.fill === 'zero') assertPoints(q, axis, series, per * series * columnsOf(axis));
  else if (!cutting) assertPoints(q, axis, series, per * presentPoints(groups));
  let kept: GroupValues[];
  let other: GroupValues | null = null;
  if (cutting) {
    const top = await selectTop(groups, q.top!.n, pacer);
    kept = top.kept;
    if (q.top!.other) other = await otherGroup(main, kept, top.cut);
    if (q.fill === 'sparse')
      assertPoints(q, axis, series, per * presentPoints(other ? [...kept, other] : kept));
  } else {
    kept = groups.sort(q.top ? byTotal : (a, b) => compareTuples(a.tuple, b.tuple));
  }
  const all = other ? [...kept, other] : kept;
  const shares = sharesOf(q, axis, all);
  const compared = before && found ? await compareGroups(before, found, kept, other !== null) : null;
  const last = axis.buckets.at(-1);
  const lastEnd =
    q.bucket === 'none' || q.bucket === 'hour_of_day' || q.bucket === 'day_of_week'
      ? q.range.to
      : (last?.end ?? q.range.to);
  return {
    range: {
      from: q.range.from,
      to: q.range.to,
      from_iso: formatUtcIsoMs(q.range.from),
      to_iso: formatUtcIsoMs(q.range.to),
    },
    timezone: q.timezone,
    bucket: q.bucket,
    week_start: q.weekStart,
    series: await seriesOf(q, axis, kept, shares, compared, pacer),
    other: other ? toSeries({ ...q, groupBy: [] }, axis, other, shares, kept.length, compared) : null,
    total_groups: groups.length,
    meta: { read_at: nowMs, last_bucket_open: lastEnd > nowMs, buckets: axis.buckets.length },
  };
}
