/**
 * The earlier range a `compare` answers beside the asked one (docs/query.md, "Compare"):
 *
 * - `previous_period`, the range of the same calendar length ending where the range starts.
 *   The length is read from the local wall clock of the query's timezone: a range from one local
 *   month start to another is n months (March -> February); one whose ends show the same local
 *   time of day is n local days (a week is 7 days; `last=7d` is 7 days at the same local time),
 *   so a DST change inside either range does not shift it; any other range is its length in
 *   milliseconds.
 * - `previous_year`, the same local dates and times one year earlier; 29 February maps to
 *   28 February. Where that makes the earlier range end where it starts or before (a range
 *   inside the two days that both land on 28 February, or a repeated hour of a DST change),
 *   it keeps the asked range's length from its mapped start.
 */
import { ValidationError } from '../errors.js';
import { fromLocal, MIN_INSTANT, toLocal } from '../time/index.js';
import { DAY_MS } from '../time/units.js';
import type { Comparison } from './plan.js';

export interface Range {
  from: number;
  to: number;
}

function isMonthStart(local: number): boolean {
  const d = new Date(local);
  return d.getUTCDate() === 1 && local % DAY_MS === 0;
}

function monthIndex(local: number): number {
  const d = new Date(local);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** The same wall time one year earlier; 29 February becomes 28 February. */
function yearBefore(local: number): number {
  const d = new Date(local);
  const month = d.getUTCMonth();
  const day = month === 1 && d.getUTCDate() === 29 ? 28 : d.getUTCDate();
  return Date.UTC(d.getUTCFullYear() - 1, month, day) + (((local % DAY_MS) + DAY_MS) % DAY_MS);
}

/**
 * The compared range of `range` in `tz`. Throws a 400 at `compare` when it would start before
 * the earliest instant a query may read.
 *
 * @example
 * comparedRange({ from: Date.UTC(2024, 2, 1), to: Date.UTC(2024, 3, 1) }, 'UTC', 'previous_period')
 * // { from: Date.UTC(2024, 1, 1), to: Date.UTC(2024, 2, 1) }: February for March
 */
export function comparedRange(range: Range, tz: string, how: Comparison): Range {
  const lf = toLocal(tz, range.from);
  const lt = toLocal(tz, range.to);
  let out: Range;
  if (how === 'previous_year') {
    const from = fromLocal(tz, yearBefore(lf));
    const to = fromLocal(tz, yearBefore(lt));
    out = { from, to: to > from ? to : from + (range.to - range.from) };
  } else if (isMonthStart(lf) && isMonthStart(lt)) {
    const n = monthIndex(lt) - monthIndex(lf);
    const d = new Date(lf);
    out = { from: fromLocal(tz, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, 1)), to: range.from };
  } else if ((lt - lf) % DAY_MS === 0) {
    out = { from: fromLocal(tz, lf - (lt - lf)), to: range.from };
  } else {
    out = { from: range.from - (range.to - range.from), to: range.from };
  }
  if (out.from < MIN_INSTANT)
    throw ValidationError.param('compare', 'the compared range would start before 1970-01-01');
  return out;
}
