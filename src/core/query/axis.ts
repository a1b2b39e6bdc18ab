/**
 * The time axis of a query: the answer's buckets, the finer unit axis a rolling
 * window runs on, and the `TimeIndex` a dialect evaluates to put each event on
 * that axis. Bucket bounds come from core/time's `enumerateBuckets` (the reference
 * definition); the per-segment `add` makes SQL's arithmetic land on the same index.
 */
import { enumerateBuckets, offsetSegments, type Bucket, type BucketSpec } from '../time/index.js';
import type { Query, TimeUnit } from './plan.js';
import type { IndexKind, TimeIndex } from './requests.js';
import { DAY_MS, HOUR_MS } from '../time/units.js';

/** Generous upper bound of a unit's length, to enumerate enough lookback. */
const LONGEST: Record<TimeUnit, number> = {
  hour: 2 * HOUR_MS,
  day: 2 * DAY_MS,
  week: 8 * DAY_MS,
  month: 32 * DAY_MS,
};

export interface OutBucket {
  start: number;
  end: number;
  slot?: number;
}

export interface Axis {
  /** The answer's buckets, in order. */
  buckets: OutBucket[];
  /** The index axis: equal to `buckets` unless a rolling window runs on a finer unit or looks back. */
  units: Bucket[];
  /** For each bucket, its unit indices [lo, hi] (lo from `first` on); a window ends with unit `hi`. */
  span: { lo: number; hi: number }[];
  /** Index of the unit holding `range.from` (units before it are rolling lookback). */
  first: number;
  /** Where the data scan starts (before `range.from` only for rolling lookback). */
  dataFrom: number;
  index: TimeIndex;
}

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** The index formula of `TimeIndex` before `add`, on local naive ms. Mirrors the dialects. */
export function indexFormula(kind: IndexKind, weekStart: number, local: number): number {
  switch (kind) {
    case 'none':
      return 0;
    case 'hour':
      return floorDiv(local, HOUR_MS);
    case 'day':
      return floorDiv(local, DAY_MS);
    case 'week':
      return floorDiv(floorDiv(local, DAY_MS) + 4 - weekStart, 7);
    case 'month': {
      const d = new Date(local);
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    }
    case 'hour_of_day':
      return floorDiv(mod(local, DAY_MS), HOUR_MS);
    case 'day_of_week':
      return mod(floorDiv(local, DAY_MS) + 4, 7);
  }
}

/** Index of the unit holding `ms` (units are contiguous and sorted); -1 when outside. */
export function unitIndexOf(units: readonly Bucket[], ms: number): number {
  let lo = 0;
  let hi = units.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const u = units[mid]!;
    if (ms < u.start) hi = mid - 1;
    else if (ms >= u.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** A TimeIndex over calendar units: per offset segment, the `add` that maps the formula onto `units`. */
function calendarIndex(
  q: Query,
  kind: TimeUnit,
  units: Bucket[],
  from: number,
  clampBefore: number | null,
): TimeIndex {
  const segments = offsetSegments(q.timezone, from, q.range.to).map((seg) => {
    const j = unitIndexOf(units, seg.from);
    return {
      from: seg.from,
      offsetMs: seg.offsetMs,
      add: j - indexFormula(kind, q.weekStart, seg.from + seg.offsetMs),
    };
  });
  return { kind, weekStart: q.weekStart, segments, clampBefore };
}

/** The `size - 1` units before the unit holding `from`. */
function lookback(spec: BucketSpec, from: number, size: number): Bucket[] {
  if (size <= 1) return [];
  const before = enumerateBuckets(spec, from - size * LONGEST[spec.unit], from + 1);
  const own = before.pop();
  if (own === undefined) return [];
  return before.slice(Math.max(0, before.length - (size - 1)));
}

/**
 * Build the axis of a normalised query. Throws the 400 of `enumerateBuckets` beyond
 * 5000 buckets (or window units). `dataUntil` bounds the offset segments of the
 * histograms: no stored event is later (ingestion refuses times far in the
 * future), so a range reaching year 9999 need not walk 8000 years of DST rules.
 */
export function buildAxis(q: Query, dataUntil = Infinity): Axis {
  const { from, to } = q.range;
  const clamp = q.window.kind === 'cumulative' && q.window.since === 'all' ? from : null;
  if (q.bucket === 'none' || q.bucket === 'hour_of_day' || q.bucket === 'day_of_week') {
    const slots = q.bucket === 'none' ? 1 : q.bucket === 'hour_of_day' ? 24 : 7;
    const units = Array.from({ length: slots }, (_, k) => ({ key: k, start: from, end: to }));
    const buckets = units.map((u, k) =>
      q.bucket === 'none' ? { start: from, end: to } : { start: from, end: to, slot: k },
    );
    const segments =
      q.bucket === 'none'
        ? []
        : offsetSegments(q.timezone, from, Math.max(from + 1, Math.min(to, dataUntil))).map((s) => ({
            ...s,
            add: 0,
          }));
    const index: TimeIndex = { kind: q.bucket, weekStart: q.weekStart, segments, clampBefore: clamp };
    return { buckets, units, span: units.map((_, k) => ({ lo: k, hi: k })), first: 0, dataFrom: from, index };
  }
  const spec: BucketSpec = { unit: q.bucket, tz: q.timezone, weekStart: q.weekStart };
  const out = enumerateBuckets(spec, from, to);
  const buckets = out.map((b) => ({ start: b.start, end: b.end }));
  if (q.window.kind !== 'rolling') {
    const index = calendarIndex(q, q.bucket, out, from, clamp);
    return {
      buckets,
      units: out,
      span: out.map((_, k) => ({ lo: k, hi: k })),
      first: 0,
      dataFrom: from,
      index,
    };
  }
  const unitSpec: BucketSpec = { ...spec, unit: q.window.unit };
  const back = lookback(unitSpec, from, q.window.size);
  // Every window ends with its bucket's last unit, also where the last bucket ends after `to`
  // (docs/query.md): the units run to that end, and those after `to` simply hold no rows.
  const unitsTo = Math.max(to, buckets.at(-1)?.end ?? to);
  const units = [...back, ...enumerateBuckets(unitSpec, from, unitsTo)];
  const first = back.length;
  const span = buckets.map((b) => {
    const lo = Math.max(first, unitIndexOf(units, b.start));
    const hi = unitIndexOf(units, b.end - 1);
    return { lo, hi };
  });
  const dataFrom = units[0]?.start ?? from;
  return {
    buckets,
    units,
    span,
    first,
    dataFrom,
    index: calendarIndex(q, q.window.unit, units, dataFrom, null),
  };
}
