/**
 * What every computation of per-group values shares: the context it runs in (plan, axis,
 * fetcher, pacer, clock), the bounded fetch, the scan of a plan, and rows grouped by their
 * group tuple. compute.ts (counts, windows, gauges) and integral.ts build on it.
 */
import type { Axis } from './axis.js';
import { assertRows, type Pacer } from './bounds.js';
import type { Query } from './plan.js';
import type { RawRow, RowFetcher, RowRequest, Scan, TimeIndex } from './requests.js';

export type Tuple = (string | null)[];

/** One group's figure at each of the answer's buckets, whether each holds data, and its total. */
export interface GroupValues {
  tuple: Tuple;
  values: (number | null)[];
  present: boolean[];
  total: number | null;
}

/** The index of a request that reads no axis (every row at 0, or -1 before `clampBefore`). */
export const NO_INDEX: TimeIndex = { kind: 'none', weekStart: 1, segments: [], clampBefore: null };

export function tupleOf(row: RawRow, prefix: string, k: number): Tuple {
  const tuple: Tuple = [];
  for (let j = 0; j < k; j++) {
    const v = row[`${prefix}${j}`];
    tuple.push(v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
  }
  return tuple;
}

/** A numeric column; a missing one is 0. */
export function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

/** Rows grouped by their g-tuple, in first-seen order. */
export class Groups<T> {
  readonly map = new Map<string, { tuple: Tuple; data: T }>();
  constructor(private readonly make: () => T) {}
  get(tuple: Tuple): T {
    const key = JSON.stringify(tuple);
    let entry = this.map.get(key);
    if (!entry) this.map.set(key, (entry = { tuple, data: this.make() }));
    return entry.data;
  }
}

/** The compute context: the plan, its axis, the fetcher and an optional exclusion for "other". */
export interface Ctx {
  q: Query;
  axis: Axis;
  fetch: RowFetcher;
  exclude: Scan['exclude'];
  pacer: Pacer;
  /** When the data is read: an integral counts no time after it. */
  nowMs: number;
}

/** Fetch one request's rows, refusing more than any allowed computation holds. */
export async function fetchBounded(ctx: Ctx, request: RowRequest): Promise<RawRow[]> {
  ctx.pacer.check();
  const rows = await ctx.fetch(request);
  assertRows(ctx.q, ctx.axis, rows.length);
  ctx.pacer.check();
  return rows;
}

/** The events of the plan between `from` (null: the beginning of time) and `to`. */
export function scan(ctx: Ctx, from: number | null, to: number): Scan {
  return {
    orgs: ctx.q.orgs,
    types: ctx.q.types,
    filters: ctx.q.filters,
    from,
    to,
    exclude: ctx.exclude ?? null,
  };
}
