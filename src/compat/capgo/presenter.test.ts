/**
 * Capgo presenters on hand-built neutral results: summing apps, per-day changes (negative
 * storage changes included), missing series and null gauges as 0, and bundle_usage's fill rules.
 */
import { describe, expect, it } from 'vitest';
import type { QueryResult, Series } from '../../core/query/result.js';
import { presentBundleUsage, presentStats } from './presenter.js';

const DAY = 86_400_000;
const D0 = Date.UTC(2024, 0, 30);
const days = [D0, D0 + DAY, D0 + 2 * DAY];

function series(label: string, value: string, values: (number | null)[], shares?: number[]): Series {
  return {
    group: { [label]: value },
    total: values.reduce<number>((a, v) => a + (v ?? 0), 0),
    points: values.map((v, k) => ({
      start: days[k]!,
      end: days[k]! + DAY,
      value: v,
      ...(shares ? { share: shares[k]! } : {}),
    })),
  };
}

function result(s: Series[]): QueryResult {
  return {
    range: { from: D0, to: D0 + 3 * DAY, from_iso: '', to_iso: '' },
    timezone: 'UTC',
    bucket: 'day',
    week_start: 1,
    series: s,
    other: null,
    total_groups: s.length,
    meta: { read_at: 0, last_bucket_open: false, buckets: 3 },
  };
}

const app = (name: string, values: (number | null)[]) => series('dims.app', name, values);

describe('presentStats', () => {
  const results = {
    mau: result([app('b', [1, 2, 2]), app('a', [0, 0, 3])]),
    // 'b' has no storage; 'a' shrinks from 300 to 100 on the last day; null before the first reading.
    storage: result([app('a', [null, 300, 100])]),
    bandwidth: result([app('a', [5, 5, 9]), app('b', [0, 1, 1])]),
  };

  it('sums apps per day and lists each app by id, then date', () => {
    const out = presentStats(days, results, false);
    expect(out.global).toEqual([
      { date: '2024-01-30', mau: 1, storage: 0, bandwidth: 5 },
      { date: '2024-01-31', mau: 2, storage: 300, bandwidth: 6 },
      { date: '2024-02-01', mau: 5, storage: 100, bandwidth: 10 },
    ]);
    expect(out.byApp.map((r) => [r.app_id, r.date, r.mau, r.storage, r.bandwidth])).toEqual([
      ['a', '2024-01-30', 0, 0, 5],
      ['a', '2024-01-31', 0, 300, 5],
      ['a', '2024-02-01', 3, 100, 9],
      ['b', '2024-01-30', 1, 0, 0],
      ['b', '2024-01-31', 2, 0, 1],
      ['b', '2024-02-01', 2, 0, 1],
    ]);
    expect(Object.keys(out.byApp[0]!)).toEqual(['app_id', 'date', 'mau', 'storage', 'bandwidth']);
  });

  it('noAccumulate: mau and storage as changes (first day whole), bandwidth as given', () => {
    const out = presentStats(days, results, true);
    expect(out.global).toEqual([
      { date: '2024-01-30', mau: 1, storage: 0, bandwidth: 5 },
      { date: '2024-01-31', mau: 1, storage: 300, bandwidth: 6 },
      { date: '2024-02-01', mau: 3, storage: -200, bandwidth: 10 },
    ]);
  });

  it('no data: zero rows for every day, no apps', () => {
    const empty = { mau: result([]), storage: result([]), bandwidth: result([]) };
    const out = presentStats(days, empty, false);
    expect(out.byApp).toEqual([]);
    expect(out.global.map((r) => r.mau + r.storage + r.bandwidth)).toEqual([0, 0, 0]);
  });
});

describe('presentBundleUsage', () => {
  const v = (name: string, values: number[], shares: number[]) =>
    series('dims.version', name, values, shares);
  const labels = [D0 - DAY, ...days, D0 + 3 * DAY];

  it('0 before any data, repeats the last day with data up to today, 0 after today', () => {
    // Days: Jan 29 (not in the result), 30 data, 31 none, Feb 1 none (today), Feb 2 future.
    const r = result([
      v('1.0', [1, 0, 0], [33.3, 0, 0]),
      v('2.0', [2, 0, 0], [66.7, 0, 0]),
      v('3.0', [0, 0, 0], [0, 0, 0]),
    ]);
    expect(presentBundleUsage(labels, r, D0 + 2 * DAY)).toEqual({
      labels: ['2024-01-29', '2024-01-30', '2024-01-31', '2024-02-01', '2024-02-02'],
      datasets: [
        { label: '1.0', data: [0, 33.3, 33.3, 33.3, 0] },
        { label: '2.0', data: [0, 66.7, 66.7, 66.7, 0] },
      ],
    });
  });

  it('a later day with data replaces the carried shares', () => {
    const r = result([v('1.0', [1, 0, 1], [100, 0, 25]), v('2.0', [0, 0, 3], [0, 0, 75])]);
    expect(presentBundleUsage(days, r, D0 + 2 * DAY).datasets).toEqual([
      { label: '1.0', data: [100, 100, 25] },
      { label: '2.0', data: [0, 0, 75] },
    ]);
  });

  it('no result (every day in the future): labels only', () => {
    expect(presentBundleUsage(days, null, D0 - DAY)).toEqual({
      labels: ['2024-01-30', '2024-01-31', '2024-02-01'],
      datasets: [],
    });
  });
});
