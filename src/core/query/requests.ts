/**
 * Row requests: the few engine-independent aggregates a store must compute for a
 * plan. A dialect turns each into SQL; the core does everything else (windows,
 * carry-forward, fill, share, top-N) in memory, in O(groups x buckets).
 *
 * Every request reads the events of `scan` and puts each row on an axis index `i`
 * computed by `TimeIndex`, so that a dialect needs only integer arithmetic, a CASE
 * over the offset segments, and (for months) the UTC calendar of `local`.
 */
import { filterLeaves, type Field, type FilterTree } from './plan.js';

/** Which events: always pushes org, type and time bounds so zone maps prune. */
export interface Scan {
  orgs: string[];
  types: string[];
  filters: FilterTree[];
  /** Inclusive lower bound, or null for the beginning of time. */
  from: number | null;
  /** Exclusive upper bound. */
  to: number;
  /** Rows whose group tuple (over `fields`) equals one of `tuples` are left out (top-N "other"). */
  exclude?: { fields: Field[]; tuples: (string | null)[][] } | null;
}

export type IndexKind = 'none' | 'hour' | 'day' | 'week' | 'month' | 'hour_of_day' | 'day_of_week';

/**
 * The axis index of an event at `ts`, with `local = ts + offsetMs` of the segment holding ts:
 * - hour: floor(local / 3600000) + add
 * - day: floor(local / 86400000) + add
 * - week: floor((floor(local / 86400000) + 4 - weekStart) / 7) + add
 * - month: year(local) * 12 + month(local) - 1 + add (month 1-12)
 * - hour_of_day: floor(mod(local, 86400000) / 3600000); day_of_week: mod(floor(local / 86400000) + 4, 7)
 * - none: 0
 * Segments are in time order; segment k holds ts in [segments[k].from, segments[k+1].from);
 * the first also holds everything before, the last everything after. `add` varies per
 * segment only where the calendar has a gap or merged hour. With `clampBefore`, ts before
 * it gets index -1 (a seed before the axis).
 */
export interface TimeIndex {
  kind: IndexKind;
  weekStart: number;
  segments: { from: number; offsetMs: number; add: number }[];
  clampBefore: number | null;
}

export type RowRequest =
  /**
   * Per (group, i): n = count, s = sum, mn = min, mx = max of value; u = distinct `unique` tuples
   * (with `unique`, u is the only figure read: an engine may leave n, s, mn and mx null);
   * with `quantile` (q in millionths), qv = the value at rank ceil(quantile * n / 1e6) ascending.
   * With `totals`, also one row per group at i = TOTAL_INDEX over the whole scan (and, with no
   * group-by, possibly such a row of zeros when nothing matched).
   */
  | {
      kind: 'stats';
      scan: Scan;
      groupBy: Field[];
      index: TimeIndex;
      unique: Field[] | null;
      totals?: boolean;
      quantile?: number | null;
    }
  /**
   * Per (group, per-tuple, i): v = value of the last event (max ts, then max id). With
   * `readings`, per (group, per-tuple, i, ts) instead, with t = ts: every reading of each gauge,
   * the larger id winning a tie on ts (an integral's steps, see integral.ts).
   */
  | { kind: 'latest'; scan: Scan; groupBy: Field[]; per: Field[]; index: TimeIndex; readings?: boolean }
  /**
   * Distinct `unique` tuples as intervals on the axis: each tuple active at index d covers
   * [d, min(d + size, next active index)); size null = forever (only first activity counts).
   * Per (group, i): plus = intervals starting at i, minus = intervals ending at i.
   * With `totalFrom`, also one row per group at i = TOTAL_INDEX whose plus is the number of
   * its tuples with an event at or after `totalFrom` (the range total, from the same scan).
   */
  | {
      kind: 'intervals';
      scan: Scan;
      groupBy: Field[];
      unique: Field[];
      index: TimeIndex;
      size: number | null;
      totalFrom?: number | null;
    };

/** The denominator of `quantile` in a stats request: q is carried in millionths, an integer. */
export const QUANTILE_SCALE = 1_000_000;

/** The index of the per-group total rows of a request (never an axis index or a seed). */
export const TOTAL_INDEX = -2;

/** A row as a store returns it; columns g0..gN (group), p0..pM (per), i, and the measures. */
export type RawRow = Record<string, unknown>;

/** Fetches the rows of one request: the only thing an engine provides to `runQuery`. */
export type RowFetcher = (request: RowRequest) => Promise<RawRow[]>;

/** Whether the scan needs the actors table (an `actor_kind` field anywhere). */
export function needsActors(request: RowRequest): boolean {
  const fields: Field[] = [
    ...request.groupBy,
    ...filterLeaves(request.scan.filters).flatMap((f) => (f.field.kind === 'value' ? [] : [f.field])),
  ];
  if (request.kind === 'latest') fields.push(...request.per);
  if (request.kind !== 'latest' && request.unique) fields.push(...request.unique);
  if (request.scan.exclude) fields.push(...request.scan.exclude.fields);
  return fields.some((f) => f.kind === 'actor_kind');
}
