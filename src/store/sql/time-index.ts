/**
 * The time-index SQL both engines use: the axis index of a row as documented on
 * `TimeIndex` (core/query/requests.ts) and mirrored by core's `indexFormula`, built
 * from integer arithmetic and a CASE over the offset segments. The engines differ
 * only in a few primitives (the `ts` column, integer division, a two-way branch,
 * a typed zero and the month of local ms), which each passes in as `TimeSql`.
 * The text it builds is the text each engine had on its own, so plans and speed
 * are unchanged.
 */
import { DAY_MS, HOUR_MS } from '../../core/time/units.js';
import type { TimeIndex } from '../../core/query/requests.js';

/**
 * An integer literal (safe integers only). Engine-computed integers (time bounds,
 * offsets, corrections) are spliced as literals so both engines prune on `ts`;
 * anything else is a programming error and is never spliced.
 */
export function lit(n: number): string {
  if (!Number.isSafeInteger(n)) throw new TypeError(`not a safe integer: ${n}`);
  return n < 0 ? `(${n})` : String(n);
}

/** The primitives in which the engines' time-index SQL differs. */
export interface TimeSql {
  /** The event time column (ms since the epoch, Int64). */
  ts: string;
  /**
   * Truncating integer division of `x - minus` (of `x` alone without `minus`) by `m`; the
   * dividend is never negative here. The difference is a separate argument so each engine
   * writes it as it always did (DuckDB needs it parenthesised, ClickHouse's intDiv not).
   */
  intDiv: (x: string, m: string, minus?: string) => string;
  /** `then` where `cond` holds, else `otherwise`. */
  ifThen: (cond: string, then: string, otherwise: string) => string;
  /** The index of a request with no time axis, typed as the engine needs. */
  zero: string;
  /** Year * 12 + month - 1 of local ms `lt`; `floorDiv` is floored division by a constant. */
  monthIndex: (lt: string, floorDiv: (x: string, m: number) => string) => string;
}

/** The time-index builder of one engine. */
export interface TimeIndexSql {
  /** Local naive ms of the row: ts plus the offset of its segment. */
  localSql: (index: TimeIndex) => string;
  /** The axis index of a row from column `lt` (local ms, see `localSql`) and the ts column. */
  indexSql: (index: TimeIndex, lt: string) => string;
}

/** Builds the time-index SQL of an engine from its primitives. */
export function timeIndexSql(e: TimeSql): TimeIndexSql {
  /** A piecewise constant over the segments, as a CASE on ts (or the constant when flat). */
  const piecewise = (index: TimeIndex, pick: (s: TimeIndex['segments'][number]) => number): string => {
    const values = index.segments.map(pick);
    if (values.every((v) => v === values[0])) return lit(values[0] ?? 0);
    const arms = index.segments
      .slice(1)
      .map((s, k) => `WHEN ${e.ts} < ${lit(s.from)} THEN ${lit(values[k]!)}`);
    return `CASE ${arms.join(' ')} ELSE ${lit(values.at(-1)!)} END`;
  };
  // Floored modulo and division: local ms may be negative (before 1970 in a zone east of UTC).
  const pmod = (x: string, m: number): string => `(((${x}) % ${lit(m)} + ${lit(m)}) % ${lit(m)})`;
  const fdiv = (x: string, m: number): string => e.intDiv(x, lit(m), pmod(x, m));

  const rawIndexSql = (index: TimeIndex, lt: string): string => {
    let formula: string;
    switch (index.kind) {
      case 'none':
        return e.zero;
      case 'hour_of_day':
        return e.intDiv(pmod(lt, DAY_MS), lit(HOUR_MS));
      case 'day_of_week':
        return pmod(`${fdiv(lt, DAY_MS)} + 4`, 7);
      case 'hour':
        formula = fdiv(lt, HOUR_MS);
        break;
      case 'day':
        formula = fdiv(lt, DAY_MS);
        break;
      case 'week':
        formula = fdiv(`${fdiv(lt, DAY_MS)} + ${lit(4 - index.weekStart)}`, 7);
        break;
      case 'month':
        formula = e.monthIndex(lt, fdiv);
        break;
    }
    const add = piecewise(index, (s) => s.add);
    return add === '0' ? formula : `(${formula} + ${add})`;
  };

  return {
    localSql: (index) => {
      const offset = piecewise(index, (s) => s.offsetMs);
      return offset === '0' ? e.ts : `(${e.ts} + ${offset})`;
    },
    indexSql: (index, lt) => {
      const expr = rawIndexSql(index, lt);
      return index.clampBefore === null ? expr : e.ifThen(`${e.ts} < ${lit(index.clampBefore)}`, '-1', expr);
    },
  };
}
