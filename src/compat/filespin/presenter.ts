/**
 * FileSpin time-series stats: the answer side. Turns the engine's neutral
 * result (UTC day buckets, sparse) into FileSpin's JSON: `usergroup_id`,
 * `stat_type`, `stat_subtype`, `start_time`/`end_time` echoed as strings, and
 * `data` keyed by `*` or the user id, holding `{timestamp, value}` per day with data. Pure.
 */
import type { QueryResult } from '../../core/query/result.js';
import type { StatType, TimeseriesRequest } from './params.js';

/** One daily point: the UTC day's start in Unix seconds, and the figure. */
export interface FileSpinPoint {
  timestamp: number;
  value: number;
}

/** The body of a successful answer, as FileSpin documents it. */
export interface FileSpinTimeseries {
  usergroup_id: number | string;
  stat_type: StatType;
  stat_subtype: string | null;
  start_time: string;
  end_time: string;
  data: Record<string, FileSpinPoint[]>;
}

/**
 * An org id as FileSpin writes a usergroup id: a number when it is all digits and reads back
 * the same (no leading zeros, within 2^53), else the string itself.
 *
 * @example usergroupIdOf('42') // 42
 * @example usergroupIdOf('007') // '007'
 */
export function usergroupIdOf(org: string): number | string {
  if (!/^\d+$/.test(org)) return org;
  const n = Number(org);
  return Number.isSafeInteger(n) && String(n) === org ? n : org;
}

/**
 * The FileSpin answer for a request over `org`, from the engine's result for `planOf(r, org)`.
 * Only days that have data appear, ascending; with none, the key holds an empty list.
 */
export function presentTimeseries(
  r: TimeseriesRequest,
  org: string,
  result: QueryResult,
): FileSpinTimeseries {
  const points: FileSpinPoint[] = [];
  // Without a group-by the engine answers at most one series; sparse fill keeps days with data only.
  for (const series of result.series)
    for (const p of series.points)
      if (p.value !== null) points.push({ timestamp: Math.floor(p.start / 1000), value: p.value });
  points.sort((a, b) => a.timestamp - b.timestamp);
  return {
    usergroup_id: usergroupIdOf(org),
    stat_type: r.statType,
    stat_subtype: r.subtype,
    start_time: String(r.startTime),
    end_time: String(r.endTime),
    data: { [r.userId ?? '*']: points },
  };
}
