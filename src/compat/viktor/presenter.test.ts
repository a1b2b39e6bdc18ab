/**
 * The presenter on hand-built neutral results: ISO week-years, month sums over the days in
 * range, zero rows, workspace columns, and ids that cannot be row keys.
 */
import { describe, expect, it } from 'vitest';
import type { QueryResult, Series } from '../../core/query/result.js';
import { resultOf } from '../../core/query/result.fixtures.js';
import { activeWorkspaces, actorScopeBody, presentActorStats, presentWorkspaces } from './presenter.js';

const D = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d);

const result = (series: Series[]): QueryResult => resultOf(series, { bucket: 'day', to: 0, buckets: 2 });

const series = (group: Record<string, string | null>, pts: [number, number][], total = 1): Series => ({
  group,
  total,
  points: pts.map(([start, value]) => ({ start, end: start, value })),
});

describe('presentActorStats', () => {
  // 2024-12-29 is a Sunday (2024-W52); 2024-12-30 .. 2025-01-01 are in 2025-W01.
  const days = [D(2024, 12, 29), D(2024, 12, 30), D(2024, 12, 31), D(2025, 1, 1)];

  it('sums daily actives into ISO weeks (week-year) and months; missing points are 0', () => {
    const daily = result([
      series({}, [
        [days[0]!, 2],
        [days[1]!, 3],
        [days[3]!, 4],
      ]),
    ]);
    const monthly = result([series({}, [[D(2024, 12, 1), 5]])]); // January absent -> 0
    const s = presentActorStats(days, [1, 2, 3, 4], monthly, daily);
    expect(s.total.map((r) => r.count)).toEqual([1, 2, 3, 4]);
    expect(s.daily_active.per_day).toEqual([
      { year: 2024, month: 12, day: 29, count: 2 },
      { year: 2024, month: 12, day: 30, count: 3 },
      { year: 2024, month: 12, day: 31, count: 0 },
      { year: 2025, month: 1, day: 1, count: 4 },
    ]);
    expect(s.daily_active.per_week).toEqual([
      { year: 2024, week: 52, count: 2 },
      { year: 2025, week: 1, count: 7 },
    ]);
    expect(s.daily_active.per_month).toEqual([
      { year: 2024, month: 12, count: 5 },
      { year: 2025, month: 1, count: 4 },
    ]);
    expect(s.monthly_active).toEqual([
      { year: 2024, month: 12, count: 5 },
      { year: 2025, month: 1, count: 0 },
    ]);
  });

  it('names the fields after the scope', () => {
    const s = presentActorStats([], [], result([]), result([]));
    expect(actorScopeBody('developers', s)).toEqual({
      developers: {
        total_developers: [],
        monthly_active_developers: [],
        daily_active_developers: { per_day: [], per_week: [], per_month: [] },
      },
    });
  });
});

describe('presentWorkspaces', () => {
  it('keeps workspaces with activity, leaves out reserved ids, and puts every one in every row', () => {
    const monthly = result([
      series({ 'dims.workspace': '7' }, [[D(2021, 2, 1), 1]]),
      series({ 'dims.workspace': '__proto__' }, [[D(2021, 3, 1), 2]]),
      series({ 'dims.workspace': 'day' }, [[D(2021, 3, 1), 1]]),
      series({ 'dims.workspace': 'idle' }, [], 0),
    ]);
    const ws = activeWorkspaces(monthly);
    expect(ws).toEqual(['7', '__proto__']);
    const days = [D(2021, 2, 28), D(2021, 3, 1)];
    const daily = result([series({ 'dims.workspace': '__proto__' }, [[days[1]!, 2]])]);
    const cumulative = result([
      series({ 'dims.workspace': '7' }, [
        [days[0]!, 1],
        [days[1]!, 1],
      ]),
      series({ 'dims.workspace': '__proto__' }, [[days[1]!, 2]]),
    ]);
    const body = presentWorkspaces(days, ws, monthly, daily, cumulative);
    // Own "__proto__" keys survive serialisation.
    expect(JSON.parse(JSON.stringify(body))).toEqual({
      workspaces: {
        total_users: [
          JSON.parse('{"year":2021,"month":2,"day":28,"7":1,"__proto__":0}'),
          JSON.parse('{"year":2021,"month":3,"day":1,"7":1,"__proto__":2}'),
        ],
        monthly_active_users: [
          JSON.parse('{"year":2021,"month":2,"7":1,"__proto__":0}'),
          JSON.parse('{"year":2021,"month":3,"7":0,"__proto__":2}'),
        ],
        daily_active_users: {
          per_month: [
            JSON.parse('{"year":2021,"month":2,"7":0,"__proto__":0}'),
            JSON.parse('{"year":2021,"month":3,"7":0,"__proto__":2}'),
          ],
        },
      },
    });
  });
});
