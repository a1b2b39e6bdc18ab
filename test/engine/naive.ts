/**
 * A deliberately naive query engine: plain loops over fixture events, using only
 * core/time's reference `bucketKey`/`enumerateBuckets`. Each point's value is
 * recomputed from scratch over the events its bucket or window covers. It shares
 * no code with core/query, so agreement on random fixtures means something.
 */
import type { Actor, EventRecord } from '../../src/core/model.js';
import type {
  CompareFilter,
  Field,
  Filter,
  FilterLeaf,
  FilterTree,
  Query,
  TimeUnit,
} from '../../src/core/query/plan.js';
import { bucketKey, dayOfWeek, enumerateBuckets, hourOfDay } from '../../src/core/time/index.js';
import { naiveIntegral } from './naive-integral.js';

type Val = string | null;
export interface NaivePoint {
  start: number;
  end: number;
  value: number | null;
  slot?: number;
  window?: { from: number | null; to: number };
  share?: number;
}
export interface NaiveComparePoint {
  start: number | null;
  end: number | null;
  value: number | null;
  slot?: number;
  share?: number;
}
export interface NaiveSeries {
  group: Val[];
  points: NaivePoint[];
  total: number | null;
  compare?: { range: { from: number; to: number }; total: number | null; points: NaiveComparePoint[] };
}
export interface NaiveResult {
  series: NaiveSeries[];
  other: NaiveSeries | null;
  total_groups: number;
}

interface B {
  start: number;
  end: number;
  slot?: number;
  inBucket: (e: EventRecord) => boolean;
}

const LONG: Record<TimeUnit, number> = {
  hour: 7_200_000,
  day: 172_800_000,
  week: 691_200_000,
  month: 2_764_800_000,
};

function fieldValue(f: Field, e: EventRecord, actors: Map<string, Actor>): Val {
  if (f.kind === 'actor') return e.actor;
  if (f.kind === 'dim') return e.dims[f.key] ?? null;
  if (f.kind === 'org') return e.org;
  if (f.kind === 'type') return e.type;
  return e.actor === null ? null : (actors.get(`${e.org}|${e.actor}`)?.kind ?? 'user');
}

function aggregate(q: Query, evs: EventRecord[], actors: Map<string, Actor>): number | null {
  const a = q.aggregation;
  const xs = evs.map((e) => e.value);
  if (a.fn === 'count') return evs.length;
  if (a.fn === 'sum') return xs.reduce((s, x) => s + x, 0);
  if (a.fn === 'min') return xs.length ? Math.min(...xs) : null;
  if (a.fn === 'max') return xs.length ? Math.max(...xs) : null;
  if (a.fn === 'avg') return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
  if (a.fn === 'quantile') {
    // Nearest rank: the smallest r with r / n >= q, in integers over q's (at most 6) decimals.
    const [whole, frac = ''] = a.q.toFixed(6).split('.');
    const num = Number(whole) * 1e6 + Number(frac.padEnd(6, '0'));
    const sorted = [...xs].sort((x, y) => x - y);
    for (let r = 1; r <= sorted.length; r++) if (r * 1e6 >= num * sorted.length) return sorted[r - 1]!;
    return null;
  }
  if (a.fn === 'unique') {
    const seen = new Set<string>();
    for (const e of evs) {
      const t = a.of.map((f) => fieldValue(f, e, actors));
      if (t.some((v) => v === null)) continue;
      seen.add(JSON.stringify([a.of.some((f) => f.kind === 'actor') ? e.org : '', ...t]));
    }
    return seen.size;
  }
  // latest: the last reading per (org, per...) among evs, summed.
  const per = a.fn === 'latest' ? a.per : [];
  const last = new Map<string, EventRecord>();
  for (const e of evs) {
    const k = JSON.stringify([e.org, ...per.map((f) => fieldValue(f, e, actors))]);
    const cur = last.get(k);
    if (!cur || e.ts > cur.ts || (e.ts === cur.ts && e.id > cur.id)) last.set(k, e);
  }
  return last.size ? [...last.values()].reduce((s, e) => s + e.value, 0) : null;
}

/** JSON's number grammar, written out again here: a dim compares as a number only when it is one. */
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;

function leafMatches(f: FilterLeaf, e: EventRecord, actors: Map<string, Actor>): boolean {
  if ('field' in f && (f.op === 'gt' || f.op === 'gte' || f.op === 'lt' || f.op === 'lte')) {
    const c: CompareFilter = f;
    let x = e.value;
    if (c.field.kind !== 'value') {
      const text = fieldValue(c.field, e, actors);
      if (text === null || !NUMBER.test(text)) return false;
      x = Number(text);
    }
    const b = c.values[0];
    return c.op === 'gt' ? x > b : c.op === 'gte' ? x >= b : c.op === 'lt' ? x < b : x <= b;
  }
  const t = f as Filter;
  const v = fieldValue(t.field, e, actors);
  const texts = t.values.filter((p): p is string => p !== null);
  if (t.op === 'prefix') return v !== null && texts.some((p) => v.startsWith(p));
  if (t.op === 'contains') return v !== null && texts.some((p) => v.includes(p));
  if (t.op === 'icontains') return v !== null && texts.some((p) => v.toLowerCase().includes(p.toLowerCase()));
  // The fixtures' patterns mean the same in JS and RE2.
  if (t.op === 'regex') return v !== null && texts.some((p) => new RegExp(p, 'u').test(v));
  const inList = t.values.includes(v);
  return t.op === 'not_in' ? !inList : inList;
}

function treeMatches(t: FilterTree, e: EventRecord, actors: Map<string, Actor>): boolean {
  if ('and' in t) return t.and.every((c) => treeMatches(c, e, actors));
  if ('or' in t) return t.or.some((c) => treeMatches(c, e, actors));
  if ('not' in t) return !treeMatches(t.not, e, actors);
  return leafMatches(t, e, actors);
}

function matches(q: Query, e: EventRecord, actors: Map<string, Actor>): boolean {
  if (!q.orgs.includes(e.org)) return false;
  if (q.types.length && !q.types.includes(e.type)) return false;
  return q.filters.every((t) => treeMatches(t, e, actors));
}

export function cmpTuple(a: Val[], b: Val[]): number {
  for (let k = 0; k < a.length; k++) {
    const x = a[k] ?? null;
    const y = b[k] ?? null;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function share(values: (number | null)[], precision: number): number[] {
  // Exact rationals: shares_k = x_k * units / total; compare remainders by cross-multiplying.
  const xs = values.map((v) => BigInt(Math.max(0, v ?? 0) * 2)); // fixture values are halves
  const total = xs.reduce((s, x) => s + x, 0n);
  if (total === 0n) return xs.map(() => 0);
  const units = BigInt(100 * 10 ** precision);
  const fl = xs.map((x) => (x * units) / total);
  const rem = xs.map((x) => (x * units) % total);
  let rest = units - fl.reduce((s, x) => s + x, 0n);
  const order = xs
    .map((_, k) => k)
    .sort((i, j) =>
      rem[j]! > rem[i]! ? 1 : rem[j]! < rem[i]! ? -1 : xs[j]! > xs[i]! ? 1 : xs[j]! < xs[i]! ? -1 : i - j,
    );
  for (const k of order) {
    if (rest === 0n) break;
    fl[k]! += 1n;
    rest -= 1n;
  }
  return fl.map((u) => Number(u) / 10 ** precision);
}

/** The naive answer of `q` over `events` (and `actors` for actor_kind). */
export function naiveQuery(
  q: Query,
  events: EventRecord[],
  actorList: Actor[] = [],
  nowMs = Infinity,
): NaiveResult {
  const actors = new Map(actorList.map((a) => [`${a.org}|${a.id}`, a]));
  const { from, to } = q.range;
  const evs = events.filter((e) => matches(q, e, actors) && e.ts < to);
  const tuple = (e: EventRecord): Val[] => q.groupBy.map((f) => fieldValue(f, e, actors));
  const tb =
    q.bucket === 'none' || q.bucket === 'hour_of_day' || q.bucket === 'day_of_week' ? null : q.bucket;
  let buckets: B[];
  if (tb === null) {
    const slots = q.bucket === 'none' ? 1 : q.bucket === 'hour_of_day' ? 24 : 7;
    const slotOf = (e: EventRecord): number =>
      q.bucket === 'hour_of_day'
        ? hourOfDay(q.timezone, e.ts)
        : q.bucket === 'day_of_week'
          ? dayOfWeek(q.timezone, e.ts)
          : 0;
    buckets = Array.from({ length: slots }, (_, s) => ({
      start: from,
      end: to,
      ...(q.bucket === 'none' ? {} : { slot: s }),
      inBucket: (e: EventRecord) => e.ts >= from && slotOf(e) === s,
    }));
  } else {
    const spec = { unit: tb, tz: q.timezone, weekStart: q.weekStart };
    buckets = enumerateBuckets(spec, from, to).map((b) => ({
      ...b,
      inBucket: (e: EventRecord) => e.ts >= from && bucketKey(spec, e.ts) === b.key,
    }));
  }
  const w = q.window;
  const unitStartBack = (at: number, unit: TimeUnit, n: number): number => {
    const us = enumerateBuckets(
      { unit, tz: q.timezone, weekStart: q.weekStart },
      at - (n + 1) * LONG[unit],
      at + 1,
    );
    return us[us.length - n]!.start;
  };
  const windowOf = (b: B): { from: number | null; to: number } | undefined => {
    const end = Math.min(b.end, to);
    // The window's units end with the bucket's own end, even past `to`; it counts up to `to`.
    if (w.kind === 'rolling')
      return { from: Math.min(unitStartBack(b.end - 1, w.unit, w.size), end), to: end };
    if (w.kind === 'cumulative') return { from: w.since === 'all' ? null : from, to: end };
    return undefined;
  };
  // Groups: every tuple among the events the engine reads.
  let readFrom: number = from;
  if (w.kind === 'rolling') readFrom = unitStartBack(from, w.unit, w.size);
  const gauge = q.aggregation.fn === 'latest' || q.aggregation.fn === 'integral';
  if ((w.kind === 'cumulative' && w.since === 'all') || gauge) readFrom = -Infinity;
  const a = q.aggregation;
  // An integral over [lo, hi) clipped to the range and to now.
  const integral = (mine: EventRecord[], lo: number, hi: number): number | null =>
    a.fn === 'integral'
      ? naiveIntegral(mine, a.per, a.unit, Math.max(lo, from), Math.min(hi, to, nowMs), fieldValue, actors)
      : null;
  const isUnique = q.aggregation.fn === 'unique';
  const counted = (e: EventRecord): boolean =>
    q.aggregation.fn !== 'unique' || q.aggregation.of.every((f) => fieldValue(f, e, actors) !== null);
  const groupMap = new Map<string, Val[]>();
  for (const e of evs) if (e.ts >= readFrom && counted(e)) groupMap.set(JSON.stringify(tuple(e)), tuple(e));
  // docs/query.md: zero fill gives every bucket, so an ungrouped query always has its one series.
  if (groupMap.size === 0 && q.groupBy.length === 0 && q.fill === 'zero') groupMap.set('[]', []);
  const seriesOf = (own: (e: EventRecord) => boolean, group: Val[]): NaiveSeries & { present: boolean[] } => {
    const mine = evs.filter(own);
    const present: boolean[] = [];
    const points = buckets.map((b) => {
      if (a.fn === 'integral') {
        // Given when some gauge held a reading during the bucket (inside the range, before now).
        const hi = Math.min(b.end, to, nowMs);
        present.push(hi > Math.max(b.start, from) && mine.some((e) => e.ts < hi));
        return { start: b.start, end: b.end, value: integral(mine, b.start, b.end) };
      }
      present.push(mine.some((e) => b.inBucket(e) && (!isUnique || counted(e))));
      const win = windowOf(b);
      let set: EventRecord[];
      if (q.aggregation.fn === 'latest') set = mine.filter((e) => e.ts < Math.min(b.end, to));
      else if (win) set = mine.filter((e) => e.ts < win.to && (win.from === null || e.ts >= win.from));
      else set = mine.filter((e) => b.inBucket(e));
      const p: NaivePoint = { start: b.start, end: b.end, value: aggregate(q, set, actors) };
      if (b.slot !== undefined) p.slot = b.slot;
      if (win) p.window = win;
      return p;
    });
    const total =
      a.fn === 'integral'
        ? integral(mine, from, to)
        : q.aggregation.fn === 'latest'
          ? (points.at(-1)?.value ?? null)
          : aggregate(
              q,
              mine.filter((e) => e.ts >= from),
              actors,
            );
    return { group, points, total, present };
  };
  let all = [...groupMap.values()].map((g) =>
    seriesOf((e) => JSON.stringify(tuple(e)) === JSON.stringify(g), g),
  );
  all.sort(
    q.top
      ? (a, b) => (b.total ?? -Infinity) - (a.total ?? -Infinity) || cmpTuple(a.group, b.group)
      : (a, b) => cmpTuple(a.group, b.group),
  );
  let other: (NaiveSeries & { present: boolean[] }) | null = null;
  if (q.top && all.length > q.top.n) {
    const cut = all.slice(q.top.n);
    all = all.slice(0, q.top.n);
    if (q.top.other) {
      const fn = q.aggregation.fn;
      if (fn === 'latest' || fn === 'integral') {
        const sum = (xs: (number | null)[]): number | null =>
          xs.every((x) => x === null) ? null : xs.reduce<number>((s, x) => s + (x ?? 0), 0);
        other = {
          group: [],
          points: buckets.map((b, k) => ({
            ...cut[0]!.points[k]!,
            value: sum(cut.map((c) => c.points[k]!.value)),
          })),
          total: sum(cut.map((c) => c.total)),
          present: buckets.map((_, k) => cut.some((c) => c.present[k])),
        };
      } else {
        const keys = new Set(cut.map((c) => JSON.stringify(c.group)));
        other = seriesOf((e) => keys.has(JSON.stringify(tuple(e))), []);
      }
    }
  }
  const list = other ? [...all, other] : all;
  if (q.share) {
    const p = q.share.precision;
    buckets.forEach((_, k) => {
      share(
        list.map((s) => s.points[k]!.value),
        p,
      ).forEach((v, j) => {
        list[j]!.points[k]!.share = v;
      });
    });
  }
  const finish = (s: NaiveSeries & { present: boolean[] }): NaiveSeries => ({
    group: s.group,
    total: s.total,
    points: s.points.filter((_, k) => q.fill === 'zero' || s.present[k]),
  });
  return { series: all.map(finish), other: other ? finish(other) : null, total_groups: groupMap.size };
}
