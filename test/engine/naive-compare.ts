/**
 * The naive comparison: the compared range worked out from the documented rule on its own
 * (docs/query.md, "Compare"), then the naive engine run over it once per need: every group with
 * every bucket, "other" as one run over the events of no kept group (or, for gauges, the sum of
 * the other groups' own runs), shares from the naive share. Nothing from core/query.
 */
import type { Actor, EventRecord } from '../../src/core/model.js';
import type { FilterTree, Query } from '../../src/core/query/plan.js';
import { fromLocal, toLocal } from '../../src/core/time/index.js';
import { naiveQuery, share, type NaiveComparePoint, type NaiveResult, type NaiveSeries } from './naive.js';

interface Wall {
  y: number;
  mo: number;
  d: number;
  ms: number;
}

function wall(tz: string, at: number): Wall {
  const l = new Date(toLocal(tz, at));
  const ms =
    ((l.getUTCHours() * 60 + l.getUTCMinutes()) * 60 + l.getUTCSeconds()) * 1000 + l.getUTCMilliseconds();
  return { y: l.getUTCFullYear(), mo: l.getUTCMonth(), d: l.getUTCDate(), ms };
}

function instant(tz: string, w: Wall): number {
  return fromLocal(tz, Date.UTC(w.y, w.mo, w.d) + w.ms);
}

/** The compared range, from the rule as docs/query.md states it. */
export function naiveComparedRange(
  range: { from: number; to: number },
  tz: string,
  how: 'previous_period' | 'previous_year',
): { from: number; to: number } {
  const a = wall(tz, range.from);
  const b = wall(tz, range.to);
  if (how === 'previous_year') {
    const back = (w: Wall): Wall => ({ ...w, y: w.y - 1, d: w.mo === 1 && w.d === 29 ? 28 : w.d });
    const from = instant(tz, back(a));
    const to = instant(tz, back(b));
    return { from, to: to > from ? to : from + range.to - range.from };
  }
  if (a.d === 1 && a.ms === 0 && b.d === 1 && b.ms === 0) {
    const months = (b.y - a.y) * 12 + (b.mo - a.mo);
    return { from: instant(tz, { y: a.y, mo: a.mo - months, d: 1, ms: 0 }), to: range.from };
  }
  if (a.ms === b.ms) {
    // Count the local days by stepping the calendar, not by dividing milliseconds.
    let days = 0;
    while (Date.UTC(a.y, a.mo, a.d + days) < Date.UTC(b.y, b.mo, b.d)) days++;
    return { from: instant(tz, { ...a, d: a.d - days }), to: range.from };
  }
  return { from: 2 * range.from - range.to, to: range.from };
}

/** The buckets of `q` (start, end, slot), in order. */
export function bucketsOf(q: Query): { start: number; end: number; slot?: number }[] {
  const plain: Query = {
    ...q,
    groupBy: [],
    filters: [],
    fill: 'zero',
    top: null,
    share: null,
    compare: null,
  };
  return naiveQuery(plain, []).series[0]!.points;
}

/** `q`'s naive answer, with each series' `compare` when `q` asks for one. */
export function naiveWithCompare(
  q: Query,
  events: EventRecord[],
  actors: Actor[],
  nowMs = Infinity,
): NaiveResult {
  const main = naiveQuery(q, events, actors, nowMs);
  if (!q.compare) return main;
  const range = naiveComparedRange(q.range, q.timezone, q.compare);
  const cq: Query = { ...q, range, top: null, share: null, fill: 'zero', compare: null };
  const found = naiveQuery(cq, events, actors, nowMs).series;
  const none = naiveQuery({ ...cq, groupBy: [] }, [], actors, nowMs).series[0]!;
  const key = (g: (string | null)[]): string => JSON.stringify(g);
  const byKey = new Map(found.map((s) => [key(s.group), s]));
  const rows = main.series.map((s) => byKey.get(key(s.group)) ?? none);
  if (main.other) {
    const kept = new Set(main.series.map((s) => key(s.group)));
    const rest = found.filter((s) => !kept.has(key(s.group)));
    const fn = q.aggregation.fn;
    if (fn === 'latest' || fn === 'integral') {
      const sum = (xs: (number | null)[]): number | null =>
        xs.every((x) => x === null) ? null : xs.reduce<number>((t, x) => t + (x ?? 0), 0);
      rows.push(
        rest.length === 0
          ? none
          : {
              group: [],
              total: sum(rest.map((s) => s.total)),
              points: none.points.map((p, b) => ({ ...p, value: sum(rest.map((s) => s.points[b]!.value)) })),
            },
      );
    } else {
      const notKept: FilterTree = {
        not: {
          or: main.series.map((s) => ({
            and: q.groupBy.map((field, k) => ({ field, op: 'eq' as const, values: [s.group[k] ?? null] })),
          })),
        },
      };
      const otherQ: Query = { ...cq, groupBy: [], filters: [...q.filters, notKept] };
      rows.push(naiveQuery(otherQ, events, actors, nowMs).series[0] ?? none);
    }
  }
  const mainBuckets = bucketsOf(q);
  const earlier = bucketsOf(cq);
  const shares = q.share
    ? earlier.map((_, b) =>
        share(
          rows.map((r) => r.points[b]!.value),
          q.share!.precision,
        ),
      )
    : null;
  const attach = (s: NaiveSeries, row: number): NaiveSeries => {
    const points = s.points.map((p): NaiveComparePoint => {
      const b = mainBuckets.findIndex((m) => m.start === p.start && m.slot === p.slot);
      const e = earlier[b];
      if (!e) return { start: null, end: null, value: null };
      const out: NaiveComparePoint = { start: e.start, end: e.end, value: rows[row]!.points[b]!.value };
      if (e.slot !== undefined) out.slot = e.slot;
      if (shares) out.share = shares[b]![row]!;
      return out;
    });
    return { ...s, compare: { range, total: rows[row]!.total, points } };
  };
  return {
    series: main.series.map(attach),
    other: main.other ? attach(main.other, main.series.length) : null,
    total_groups: main.total_groups,
  };
}
