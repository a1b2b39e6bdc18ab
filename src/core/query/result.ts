/**
 * The neutral query result that the native API serialises and the compatibility
 * presenters reshape. Times are epoch ms; ISO strings are given for the range only.
 *
 * ```
 * { range: { from, to, from_iso, to_iso }, timezone, bucket, week_start,
 *   series: [{ group: { 'dims.app': 'a1' }, total, points: [{ start, end, value, share?, window?, slot? }] }],
 *   other: Series | null, total_groups,
 *   meta: { read_at, last_bucket_open, buckets } }
 * ```
 * - `start`/`end`: the bucket's own calendar bounds (the first may start before `range.from`,
 *   the last may end after `range.to`; data is counted only inside the range, except a
 *   rolling window or `cumulative since all`, which look back). For `none` and the
 *   histograms they are the range bounds, and `slot` is the hour (0-23) or weekday (0 = Sunday).
 * - `value`: null where undefined (min/max/avg of no events, a gauge before its first reading).
 * - `window`: for rolling and cumulative windows, the half-open span the value covers;
 *   `from` is null for `cumulative since all`.
 * - `share`: percent of the bucket's sum over all series (other included), exact to
 *   the stated precision; every bucket with data sums to exactly 100; buckets with none are 0.
 * - `total`: the aggregation over the whole range for that group (no window).
 * - `compare`: with a comparison, the group over the compared range (compare-range.ts), its
 *   points aligned index for index with the series' points.
 */
import type { Bucketing } from './plan.js';

export interface Point {
  start: number;
  end: number;
  value: number | null;
  slot?: number;
  share?: number;
  window?: { from: number | null; to: number };
  /** With metrics: each metric's figure by name (`value` is then null and not answered). */
  values?: Record<string, number | null>;
}

/**
 * The compared bucket of a point (compare, docs/query.md): the bucket at the same index of the
 * compared range's axis; `start`, `end` and `value` are null where that axis has fewer buckets.
 */
export interface ComparePoint {
  start: number | null;
  end: number | null;
  value: number | null;
  slot?: number;
  share?: number;
  /** With metrics: each metric's compared figure by name. */
  values?: Record<string, number | null>;
}

/** A series over the compared range: its total and one point per point of the series. */
export interface SeriesCompare {
  range: { from: number; to: number };
  total: number | null;
  /** With metrics: each metric's compared total by name. */
  totals?: Record<string, number | null>;
  points: ComparePoint[];
}

export interface Series {
  /** Group-by field label -> value (null = missing). Empty object when there is no group-by. */
  group: Record<string, string | null>;
  points: Point[];
  total: number | null;
  /** With metrics: each metric's total by name (answered as `total`). */
  totals?: Record<string, number | null>;
  /** With `compare`: the same group over the compared range, point for point. */
  compare?: SeriesCompare;
}

export interface QueryResult {
  range: { from: number; to: number; from_iso: string; to_iso: string };
  timezone: string;
  bucket: Bucketing;
  week_start: number;
  series: Series[];
  /** The groups beyond top-N folded together, when `top.other` was asked and some were cut. */
  other: Series | null;
  /** How many groups exist before top-N. */
  total_groups: number;
  /** The metric names, in the request's order, when the query asked for several (metrics.ts). */
  metrics?: string[];
  meta: {
    /** When the data was read (epoch ms). */
    read_at: number;
    /** Whether the last bucket's calendar period (or the range, for `none`/histograms) ends after `read_at`. */
    last_bucket_open: boolean;
    /** Number of buckets in the answer's axis. */
    buckets: number;
  };
}
