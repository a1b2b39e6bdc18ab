/**
 * What one query may cost: the points of its answer and the cells the pipeline
 * works on in memory, and the cooperative checkpoints that keep a long query from
 * holding the event loop (so /healthz and every other request keep moving) and
 * stop it once its deadline has passed. Groups are only known once rows are
 * fetched, so the checks run right after each fetch, before anything of size
 * groups x buckets is built.
 */
import { AppError, QueryTimeoutError, ValidationError } from '../errors.js';
import type { Axis } from './axis.js';
import type { Query } from './plan.js';

export const POINT_LIMITS = {
  /** Points in one answer: series (top-N's "other" included) x buckets, or the points given with fill=sparse. */
  points: 200_000,
  /**
   * Cells the pipeline holds while it computes: groups found (before top-N) x axis units, a rolling
   * window's finer units and lookback included; also the most rows one fetch may return.
   */
  cells: 1_000_000,
} as const;

/** How much work (cells) runs between two turns of the event loop. */
const SLICE_CELLS = 20_000;

/** The columns each series holds in memory: the answer's buckets, or a rolling window's units if more. */
export function columnsOf(axis: Axis): number {
  return Math.max(axis.buckets.length, axis.units.length);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function axisWords(q: Query, axis: Axis): string {
  const units = axis.units.length > axis.buckets.length;
  return units
    ? `${fmt(axis.units.length)} ${q.window.kind === 'rolling' ? q.window.unit : q.bucket} units (rolling window included)`
    : `${fmt(axis.buckets.length)} ${q.bucket === 'none' ? 'total' : `${q.bucket} buckets`}`;
}

/**
 * A query past `POINT_LIMITS`: 400 `too_many_points`. `groups`, `columns` and `points` let a
 * compatibility surface say it in its own parameters (apps x days, counters x buckets...).
 */
export class TooManyPointsError extends ValidationError {
  constructor(
    message: string,
    readonly groups: number,
    readonly columns: number,
    readonly points: number,
    readonly limit: number,
  ) {
    super(
      message,
      [
        { path: 'group_by', message: `${fmt(groups)} groups` },
        { path: 'bucket', message: `${fmt(columns)} buckets per group` },
      ],
      'too_many_points',
    );
  }
}

/**
 * Refuse a computation of `groups` groups on this axis past `POINT_LIMITS.cells`, before it is
 * built. Throws `TooManyPointsError` (400).
 */
export function assertCells(q: Query, axis: Axis, groups: number): void {
  const columns = columnsOf(axis);
  const cells = groups * columns;
  // Every group will be answered in full: the answer's own (smaller) bound speaks first.
  if (!q.top && q.fill === 'zero' && q.groupBy.length > 0) assertPoints(q, axis, groups, cells);
  if (cells <= POINT_LIMITS.cells) return;
  throw new TooManyPointsError(
    `The query covers ${fmt(groups)} groups x ${axisWords(q, axis)} = ${fmt(cells)} points to compute; ` +
      `at most ${fmt(POINT_LIMITS.cells)} are allowed. Use a coarser bucket, a shorter range, ` +
      'fewer group_by fields or a filter.',
    groups,
    columns,
    cells,
    POINT_LIMITS.cells,
  );
}

/** Refuse a fetch that returned more rows than any allowed computation can hold. */
export function assertRows(q: Query, axis: Axis, rows: number): void {
  if (rows <= POINT_LIMITS.cells) return;
  const columns = columnsOf(axis);
  throw new TooManyPointsError(
    `The query reads over ${fmt(POINT_LIMITS.cells)} group-bucket rows on ${axisWords(q, axis)}. ` +
      'Use a coarser bucket, a shorter range, fewer group_by fields or a filter.',
    Math.ceil(rows / columns),
    columns,
    rows,
    POINT_LIMITS.cells,
  );
}

/**
 * Refuse an answer of `series` series holding `points` points past `POINT_LIMITS.points`,
 * before its points are built. Throws `TooManyPointsError` (400).
 */
export function assertPoints(q: Query, axis: Axis, series: number, points: number): void {
  if (points <= POINT_LIMITS.points) return;
  const shape =
    q.fill === 'sparse' ? `${fmt(points)} non-empty points` : `${fmt(series)} series x ${axisWords(q, axis)}`;
  throw new TooManyPointsError(
    `The answer would hold ${shape} = ${fmt(points)} points; at most ${fmt(POINT_LIMITS.points)} are allowed. ` +
      'Keep the largest groups with top, ask fill=sparse, or use a coarser bucket.',
    series,
    columnsOf(axis),
    points,
    POINT_LIMITS.points,
  );
}

/**
 * A cooperative checkpoint: every `SLICE_CELLS` cells of work it yields to the event loop
 * (a macrotask, so timers and I/O run), and throws `QueryTimeoutError` once `signal` has fired.
 */
export class Pacer {
  private done = 0;
  constructor(readonly signal: AbortSignal | null = null) {}

  /** Count `cells` of work just done; yields when a slice is used up. */
  async tick(cells: number): Promise<void> {
    this.done += cells;
    if (this.done < SLICE_CELLS) {
      this.check();
      return;
    }
    this.done = 0;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.check();
  }

  /** Throw `QueryTimeoutError` when the deadline has passed. */
  check(): void {
    if (this.signal?.aborted) throw timeoutFrom(this.signal);
  }
}

/**
 * The error an aborted query raises: the signal's reason, with the engine's own error (an
 * interrupt, an aborted request) as its cause when there is one.
 */
export function timeoutFrom(signal: AbortSignal, cause?: unknown): AppError {
  const r: unknown = signal.reason;
  if (r instanceof QueryTimeoutError)
    return cause === undefined ? r : new QueryTimeoutError(r.timeoutMs, cause);
  return r instanceof AppError ? r : new QueryTimeoutError(null, cause);
}

/**
 * Run `work` under a deadline of `timeoutMs` (none when null or 0): the signal it gets fires
 * `QueryTimeoutError` at the deadline, and the answer is that error at the latest then, even if
 * the engine is slow to stop. The engine's own cancellation listens to the signal.
 *
 * @example
 * await withDeadline(30_000, (signal) => runQuery(plan, now, fetch, { signal }));
 */
/** Runs work under a request's deadline (withDeadline with the store's TALLY_QUERY_TIMEOUT_MS bound). */
export type Deadline = <T>(work: (signal: AbortSignal | null) => Promise<T>) => Promise<T>;

export async function withDeadline<T>(
  timeoutMs: number | null | undefined,
  work: (signal: AbortSignal | null) => Promise<T>,
): Promise<T> {
  if (!timeoutMs || timeoutMs <= 0) return work(null);
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new QueryTimeoutError(timeoutMs);
      ac.abort(err);
      reject(err);
    }, timeoutMs);
  });
  const running = work(ac.signal);
  // The engine's late rejection (an interrupt) must not surface as unhandled.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}
