/**
 * From store rows to per-group values on the answer's buckets: window sums and
 * extremes, running distinct counts from interval deltas, and the carried-forward
 * gauge (the integral has its own file, integral.ts). Pure and O(groups x units); the rows come through an injected fetcher.
 * Each fetch is bounded (bounds.ts) before anything groups x units is built, and the
 * per-group loops yield to the event loop through the context's pacer.
 */
import { assertCells } from './bounds.js';
import { fetchBounded, Groups, NO_INDEX, num, scan, tupleOf, type Ctx, type GroupValues } from './context.js';
import { fromIntegral } from './integral.js';
import type { Field, Query } from './plan.js';
import { QUANTILE_SCALE, TOTAL_INDEX, type RowRequest } from './requests.js';

export type { GroupValues, Tuple } from './context.js';

interface Stats {
  n: number;
  s: number;
  mn: number | null;
  mx: number | null;
  u: number;
  /** A percentile: only ever one unit's (or the total row's); it does not combine. */
  qv: number | null;
}

const EMPTY: Stats = { n: 0, s: 0, mn: null, mx: null, u: 0, qv: null };

function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function pick(x: number | null, y: number | null, f: (p: number, q: number) => number): number | null {
  return x === null ? y : y === null ? x : f(x, y);
}

// Called per unit and group: no closure inside (the tsx runtime names every closure it creates).
function combine(a: Stats, b: Stats): Stats {
  return {
    n: a.n + b.n,
    s: a.s + b.s,
    mn: pick(a.mn, b.mn, Math.min),
    mx: pick(a.mx, b.mx, Math.max),
    u: a.u + b.u,
    qv: a.n === 0 ? b.qv : b.n === 0 ? a.qv : null,
  };
}

/** The figure an aggregation takes from combined stats. */
function figure(q: Query, st: Stats): number | null {
  switch (q.aggregation.fn) {
    case 'count':
      return st.n;
    case 'sum':
      return st.s;
    case 'min':
      return st.mn;
    case 'max':
      return st.mx;
    case 'avg':
      return st.n > 0 ? st.s / st.n : null;
    case 'quantile':
      return st.n > 0 ? st.qv : null;
    default:
      return st.u;
  }
}

async function statsRows(ctx: Ctx, request: RowRequest): Promise<Groups<Map<number, Stats>>> {
  const groups = new Groups<Map<number, Stats>>(() => new Map());
  for (const row of await fetchBounded(ctx, request)) {
    const st: Stats = {
      n: num(row['n']),
      s: num(row['s']),
      mn: numOrNull(row['mn']),
      mx: numOrNull(row['mx']),
      u: num(row['u']),
      qv: numOrNull(row['qv']),
    };
    groups.get(tupleOf(row, 'g', ctx.q.groupBy.length)).set(num(row['i']), st);
    await ctx.pacer.tick(1);
  }
  return groups;
}

/** A percentile's q in millionths (exact: validation allows at most 6 decimals), or null. */
function quantileOf(q: Query): number | null {
  return q.aggregation.fn === 'quantile' ? Math.round(q.aggregation.q * QUANTILE_SCALE) : null;
}

/** Whole-range totals per group (a separate scan where buckets cannot give them). */
async function totalsByGroup(ctx: Ctx): Promise<Map<string, number | null>> {
  const { q } = ctx;
  const unique = q.aggregation.fn === 'unique' ? q.aggregation.of : null;
  const rows = await statsRows(ctx, {
    kind: 'stats',
    scan: scan(ctx, q.range.from, q.range.to),
    groupBy: q.groupBy,
    index: NO_INDEX,
    unique,
  });
  const out = new Map<string, number | null>();
  for (const [key, { data }] of rows.map) out.set(key, figure(q, data.get(0) ?? EMPTY));
  return out;
}

/**
 * Whether the range totals need a scan of their own: only for a rolling window of count, sum,
 * min, max or avg, which reads earlier rows into its first unit. Not for the gauge; not for
 * distinct counts (their statement returns the totals, see `fromStats` and `fromIntervals`);
 * and not otherwise, where the buckets hold exactly the range's rows and combine into the total.
 */
function needsTotalsScan(q: Query): boolean {
  const fn = q.aggregation.fn;
  return fn !== 'latest' && fn !== 'unique' && q.window.kind === 'rolling';
}

/** Count, sum, min, max, avg (any window) and unique without a window. */
async function fromStats(ctx: Ctx): Promise<GroupValues[]> {
  const { q, axis } = ctx;
  const unique = q.aggregation.fn === 'unique' ? q.aggregation.of : null;
  const quantile = quantileOf(q);
  // Distinct counts and percentiles of buckets do not add up: the same statement gives each
  // group's range total.
  const totals = (unique !== null || quantile !== null) && q.bucket !== 'none';
  const main = await statsRows(ctx, {
    kind: 'stats',
    scan: scan(ctx, axis.dataFrom, q.range.to),
    groupBy: q.groupBy,
    index: axis.index,
    unique,
    totals,
    quantile,
  });
  const w = q.window;
  let seeds = new Groups<Map<number, Stats>>(() => new Map());
  if (w.kind === 'cumulative' && w.since === 'all') {
    seeds = await statsRows(ctx, {
      kind: 'stats',
      scan: scan(ctx, null, q.range.from),
      groupBy: q.groupBy,
      index: NO_INDEX,
      unique: null,
    });
    for (const { tuple } of seeds.map.values()) main.get(tuple);
  }
  assertCells(q, axis, main.map.size);
  const out: GroupValues[] = [];
  for (const [key, { tuple, data }] of main.map) {
    await ctx.pacer.tick(axis.units.length);
    const at = (i: number): Stats => data.get(i) ?? EMPTY;
    const sum = (lo: number, hi: number): Stats => {
      let st = EMPTY;
      for (let i = Math.max(0, lo); i <= hi; i++) st = combine(st, at(i));
      return st;
    };
    // Prefix sums keep rolling count/sum/avg O(units); only min/max rescan their window.
    const pn = [0];
    const ps = [0];
    for (let i = 0; i < axis.units.length; i++) {
      pn.push(pn[i]! + at(i).n);
      ps.push(ps[i]! + at(i).s);
    }
    const extremes = q.aggregation.fn === 'min' || q.aggregation.fn === 'max';
    const rolling = (lo: number, hi: number): Stats =>
      extremes
        ? sum(lo, hi)
        : {
            n: pn[hi + 1]! - pn[Math.max(0, lo)]!,
            s: ps[hi + 1]! - ps[Math.max(0, lo)]!,
            mn: null,
            mx: null,
            u: 0,
            qv: null,
          };
    let running = seeds.map.get(key)?.data.get(0) ?? EMPTY;
    const values: (number | null)[] = [];
    const present: boolean[] = [];
    let whole = EMPTY;
    axis.span.forEach(({ lo, hi }) => {
      const own = sum(lo, hi);
      whole = combine(whole, own);
      // A bucket has data when it holds a counted row (for unique: a row with a complete tuple).
      present.push(unique ? own.u > 0 : own.n > 0);
      if (w.kind === 'rolling') values.push(figure(q, rolling(hi - w.size + 1, hi)));
      else if (w.kind === 'cumulative') values.push(figure(q, (running = combine(running, own))));
      else values.push(figure(q, own));
    });
    // A group of unique whose rows all lack a member of the tuple counts nothing, and the totals'
    // row of an ungrouped scan that matched nothing is no group: leave them out.
    if ((unique && whole.u === 0) || (quantile !== null && whole.n === 0)) continue;
    out.push({ tuple, values, present, total: figure(q, totals ? at(TOTAL_INDEX) : whole) });
  }
  return out;
}

/** Unique with a rolling or cumulative window: running sums of interval deltas. */
async function fromIntervals(ctx: Ctx): Promise<GroupValues[]> {
  const { q, axis } = ctx;
  if (q.aggregation.fn !== 'unique' || q.window.kind === 'none') return [];
  const size = q.window.kind === 'rolling' ? q.window.size : null;
  const since = q.window.kind === 'cumulative' && q.window.since === 'all' ? null : axis.dataFrom;
  const request: RowRequest = {
    kind: 'intervals',
    scan: scan(ctx, since, q.range.to),
    groupBy: q.groupBy,
    unique: q.aggregation.of,
    index: axis.index,
    size,
    totalFrom: q.range.from,
  };
  const rows = await fetchBounded(ctx, request);
  const keys = new Set<string>();
  for (const row of rows) {
    keys.add(JSON.stringify(tupleOf(row, 'g', q.groupBy.length)));
    await ctx.pacer.tick(1);
  }
  assertCells(q, axis, keys.size);
  const groups = new Groups<{ delta: number[]; active: number[]; seed: number; total: number }>(() => ({
    delta: new Array<number>(axis.units.length).fill(0),
    active: new Array<number>(axis.units.length).fill(0),
    seed: 0,
    total: 0,
  }));
  for (const row of rows) {
    const g = groups.get(tupleOf(row, 'g', q.groupBy.length));
    const i = num(row['i']);
    if (i === TOTAL_INDEX) g.total += num(row['plus']);
    else if (i < 0) g.seed += num(row['plus']);
    else if (i < axis.units.length) {
      g.delta[i]! += num(row['plus']) - num(row['minus']);
      g.active[i]! += num(row['active']);
    }
  }
  const out: GroupValues[] = [];
  for (const { tuple, data } of groups.map.values()) {
    await ctx.pacer.tick(axis.units.length);
    const running: number[] = [];
    let c = data.seed;
    for (const d of data.delta) running.push((c += d));
    const values = axis.span.map(({ hi }) => running[hi] ?? 0);
    const present = axis.span.map(({ lo, hi }) => data.active.slice(lo, hi + 1).some((a) => a > 0));
    out.push({ tuple, values, present, total: data.total });
  }
  return out;
}

/** The gauge: last reading per `per` tuple, carried forward from the seed, summed. */
async function fromLatest(ctx: Ctx): Promise<GroupValues[]> {
  const { q, axis } = ctx;
  if (q.aggregation.fn !== 'latest') return [];
  // A gauge belongs to one org: the same per-tuple in two orgs is two gauges.
  const own = q.aggregation.per;
  const per: Field[] = own.some((f) => f.kind === 'org') ? own : [{ kind: 'org' }, ...own];
  const k = q.groupBy.length;
  const groups = new Groups<{ seed: Map<string, number>; at: Map<number, Map<string, number>> }>(() => ({
    seed: new Map(),
    at: new Map(),
  }));
  // One scan: readings before the range land on index -1 (the seed), the others on the axis.
  const rows = await fetchBounded(ctx, {
    kind: 'latest',
    scan: scan(ctx, null, q.range.to),
    groupBy: q.groupBy,
    per,
    index: { ...axis.index, clampBefore: q.range.from },
  });
  for (const row of rows) {
    const g = groups.get(tupleOf(row, 'g', k));
    const i = num(row['i']);
    if (i < 0) {
      g.seed.set(JSON.stringify(tupleOf(row, 'p', per.length)), num(row['v']));
      continue;
    }
    const readings = g.at.get(i) ?? new Map<string, number>();
    g.at.set(i, readings.set(JSON.stringify(tupleOf(row, 'p', per.length)), num(row['v'])));
    await ctx.pacer.tick(1);
  }
  assertCells(q, axis, groups.map.size);
  const out: GroupValues[] = [];
  for (const { tuple, data } of groups.map.values()) {
    await ctx.pacer.tick(axis.units.length);
    const current = new Map(data.seed);
    const values: (number | null)[] = [];
    const present: boolean[] = [];
    for (const { lo, hi } of axis.span) {
      let seen = false;
      for (let i = lo; i <= hi; i++) {
        for (const [p, v] of data.at.get(i) ?? []) {
          current.set(p, v);
          seen = true;
        }
      }
      present.push(seen);
      values.push(current.size === 0 ? null : [...current.values()].reduce((a, b) => a + b, 0));
    }
    out.push({ tuple, values, present, total: values.at(-1) ?? null });
  }
  return out;
}

/** Values of every group of the plan, totals included, in first-seen order. */
export async function computeGroups(ctx: Ctx): Promise<GroupValues[]> {
  const agg = ctx.q.aggregation.fn;
  const intervals = agg === 'unique' && ctx.q.window.kind !== 'none';
  const [groups, totals] = await Promise.all([
    agg === 'latest'
      ? fromLatest(ctx)
      : agg === 'integral'
        ? fromIntegral(ctx)
        : intervals
          ? fromIntervals(ctx)
          : fromStats(ctx),
    needsTotalsScan(ctx.q) ? totalsByGroup(ctx) : Promise.resolve(null),
  ]);
  if (totals) for (const g of groups) g.total = totals.get(JSON.stringify(g.tuple)) ?? figure(ctx.q, EMPTY);
  return groups;
}
