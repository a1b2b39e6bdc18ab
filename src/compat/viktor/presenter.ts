/**
 * VIKTOR presenter: neutral query results (and the actor headcount) turned into the
 * response schemas of `GET /api/statistics/`, word for word. Pure.
 * Every day, ISO week and month of the range gets a row, 0 where nothing happened;
 * `per_week`/`per_month` sum the daily distinct actives over the days inside the range.
 */
import type { QueryResult, Series } from '../../core/query/result.js';
import { isoWeek } from '../../core/time/index.js';

export interface DayRow {
  year: number;
  month: number;
  day: number;
  count: number;
}
export interface MonthRow {
  year: number;
  month: number;
  count: number;
}
export interface WeekRow {
  year: number;
  week: number;
  count: number;
}

/** The users (or developers) object, before its names get the scope's suffix. */
export interface ActorStats {
  total: DayRow[];
  monthly_active: MonthRow[];
  daily_active: { per_day: DayRow[]; per_week: WeekRow[]; per_month: MonthRow[] };
}

/** Row keys a workspace id cannot take, since the row's own fields use them. */
export const RESERVED_KEYS: readonly string[] = ['year', 'month', 'day'];

function ymd(ms: number): { year: number; month: number; day: number } {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Value per bucket start of one series (null values, e.g. none yet, read as 0). */
function byStart(series: Series | undefined): Map<number, number> {
  return new Map((series?.points ?? []).map((p) => [p.start, p.value ?? 0]));
}

/** The month starts the days touch, in order. */
function monthsOf(days: number[]): number[] {
  return [...new Set(days.map(monthStart))];
}

/** Sum a per-day series into ISO weeks (year = ISO week-year) and calendar months, in order. */
function sumDaily(days: number[], perDay: number[]): { per_week: WeekRow[]; per_month: MonthRow[] } {
  const weeks = new Map<string, WeekRow>();
  const months = new Map<number, MonthRow>();
  days.forEach((d, i) => {
    const n = perDay[i] ?? 0;
    const w = isoWeek(d);
    const wk = `${w.year}-${w.week}`;
    const week = weeks.get(wk) ?? { year: w.year, week: w.week, count: 0 };
    week.count += n;
    weeks.set(wk, week);
    const m = monthStart(d);
    const { year, month } = ymd(m);
    const row = months.get(m) ?? { year, month, count: 0 };
    row.count += n;
    months.set(m, row);
  });
  return { per_week: [...weeks.values()], per_month: [...months.values()] };
}

/**
 * The users/developers figures: `headcount[i]` is the actors existing at the end of `days[i]`;
 * `monthly` is distinct actives per month bucket, `daily` distinct actives per day bucket.
 */
export function presentActorStats(
  days: number[],
  headcount: number[],
  monthly: QueryResult,
  daily: QueryResult,
): ActorStats {
  const perMonth = byStart(monthly.series[0]);
  const perDayMap = byStart(daily.series[0]);
  const perDay = days.map((d) => perDayMap.get(d) ?? 0);
  return {
    total: days.map((d, i) => ({ ...ymd(d), count: headcount[i] ?? 0 })),
    monthly_active: monthsOf(days).map((m) => {
      const { year, month } = ymd(m);
      return { year, month, count: perMonth.get(m) ?? 0 };
    }),
    daily_active: {
      per_day: days.map((d, i) => ({ ...ymd(d), count: perDay[i] ?? 0 })),
      ...sumDaily(days, perDay),
    },
  };
}

/** `{"users": {...}}` or `{"developers": {...}}` with the vendor's field names. */
export function actorScopeBody(scope: 'users' | 'developers', s: ActorStats): Record<string, unknown> {
  return {
    [scope]: {
      [`total_${scope}`]: s.total,
      [`monthly_active_${scope}`]: s.monthly_active,
      [`daily_active_${scope}`]: s.daily_active,
    },
  };
}

type WorkspaceRow = Record<string, number>;

/** The workspace id of a series grouped by `dims.workspace`. */
function workspaceOf(s: Series): string | null {
  return s.group['dims.workspace'] ?? null;
}

/**
 * The workspaces with activity in the range: those whose distinct-actor total is above 0,
 * in the engine's order, leaving out ids that clash with the row's own keys.
 */
export function activeWorkspaces(monthly: QueryResult): string[] {
  const out: string[] = [];
  for (const s of monthly.series) {
    const id = workspaceOf(s);
    if (id !== null && (s.total ?? 0) > 0 && !RESERVED_KEYS.includes(id)) out.push(id);
  }
  return out;
}

/** Rows `{year, month[, day], <workspace>: count}` built with own properties only (no `__proto__` trap). */
function row(head: Record<string, number>, workspaces: string[], value: (w: string) => number): WorkspaceRow {
  return Object.fromEntries([...Object.entries(head), ...workspaces.map((w) => [w, value(w)] as const)]);
}

function perWorkspace(result: QueryResult): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const s of result.series) {
    const id = workspaceOf(s);
    if (id !== null) out.set(id, byStart(s));
  }
  return out;
}

/**
 * The workspaces object: `total_users` per day (distinct actors active in the workspace on or
 * before that day, from `cumulative`), `monthly_active_users` per month (from `monthly`), and
 * `daily_active_users.per_month` (the sum of `daily` distinct actives over the month's days in range).
 */
export function presentWorkspaces(
  days: number[],
  workspaces: string[],
  monthly: QueryResult,
  daily: QueryResult,
  cumulative: QueryResult,
): Record<string, unknown> {
  const months = monthsOf(days);
  const cum = perWorkspace(cumulative);
  const mon = perWorkspace(monthly);
  const day = perWorkspace(daily);
  const dailySum = new Map<string, Map<number, number>>();
  for (const w of workspaces) {
    const sums = new Map<number, number>();
    for (const d of days) {
      const m = monthStart(d);
      sums.set(m, (sums.get(m) ?? 0) + (day.get(w)?.get(d) ?? 0));
    }
    dailySum.set(w, sums);
  }
  const monthHead = (m: number): Record<string, number> => {
    const { year, month } = ymd(m);
    return { year, month };
  };
  return {
    workspaces: {
      total_users: days.map((d) => row(ymd(d), workspaces, (w) => cum.get(w)?.get(d) ?? 0)),
      monthly_active_users: months.map((m) => row(monthHead(m), workspaces, (w) => mon.get(w)?.get(m) ?? 0)),
      daily_active_users: {
        per_month: months.map((m) => row(monthHead(m), workspaces, (w) => dailySum.get(w)?.get(m) ?? 0)),
      },
    },
  };
}
