/**
 * Neutral query results -> Capgo's JSON. Pure: the statistics rows (`date`, `mau`,
 * `storage`, `bandwidth`) summed over apps, optionally per app, accumulated or per
 * day; and bundle_usage's `{labels, datasets}` with forward-filled daily shares.
 */
import type { QueryResult } from '../../core/query/result.js';
import { formatDate } from '../../core/time/index.js';

/** One day of Capgo statistics. */
export interface StatsRow {
  date: string;
  mau: number;
  storage: number;
  bandwidth: number;
}

/** One day of one app, as `byApp` lists it. */
export interface AppRow {
  app_id: string;
  date: string;
  mau: number;
  storage: number;
  bandwidth: number;
}

/** The three engine answers for the statistics routes (see `statsPlans`). */
export interface StatsResults {
  /** Distinct devices per app, cumulative since `from`. */
  mau: QueryResult;
  /** Storage gauge per app: latest reading, carried forward (null before the first). */
  storage: QueryResult;
  /** Bytes per app: running since `from`, or per day when `noAccumulate` was planned. */
  bandwidth: QueryResult;
}

type Series3 = Record<'mau' | 'storage' | 'bandwidth', number[]>;

/** Per app (`dims.app`), the values on `days` (UTC day starts); missing points and nulls are 0. */
function byApp(r: QueryResult, days: number[]): Map<string, number[]> {
  const index = new Map(days.map((d, k) => [d, k]));
  const out = new Map<string, number[]>();
  for (const s of r.series) {
    const app = s.group['dims.app'];
    if (app === null || app === undefined) continue;
    const values = out.get(app) ?? days.map(() => 0);
    for (const pt of s.points) {
      const k = index.get(pt.start);
      if (k !== undefined) values[k] = pt.value ?? 0;
    }
    out.set(app, values);
  }
  return out;
}

/** Each day's change from the day before; the first day holds its full value. */
function deltas(xs: number[]): number[] {
  return xs.map((x, k) => (k === 0 ? x : x - xs[k - 1]!));
}

/**
 * The statistics rows: `global` sums every app per day; `byApp` lists each app's days, ordered by
 * app id, then date. With `noAccumulate`, mau and storage become day-over-day changes (the first
 * day whole) so that their running sums give the default series; bandwidth is already per day.
 *
 * @example
 * presentStats([Date.UTC(2024, 0, 1)], results, false).global
 * // [{ date: '2024-01-01', mau: 2, storage: 500, bandwidth: 1000 }]
 */
export function presentStats(
  days: number[],
  results: StatsResults,
  noAccumulate: boolean,
): { global: StatsRow[]; byApp: AppRow[] } {
  const parts = {
    mau: byApp(results.mau, days),
    storage: byApp(results.storage, days),
    bandwidth: byApp(results.bandwidth, days),
  };
  const apps = [...new Set([...parts.mau.keys(), ...parts.storage.keys(), ...parts.bandwidth.keys()])].sort();
  const zero = (): number[] => days.map(() => 0);
  const perApp = apps.map((app): [string, Series3] => {
    const mau = parts.mau.get(app) ?? zero();
    const storage = parts.storage.get(app) ?? zero();
    const bandwidth = parts.bandwidth.get(app) ?? zero();
    return [
      app,
      noAccumulate ? { mau: deltas(mau), storage: deltas(storage), bandwidth } : { mau, storage, bandwidth },
    ];
  });
  const global = days.map((day, k) => {
    const sum = (key: keyof Series3): number => perApp.reduce((acc, [, s]) => acc + s[key][k]!, 0);
    return { date: formatDate(day), mau: sum('mau'), storage: sum('storage'), bandwidth: sum('bandwidth') };
  });
  const rows = perApp.flatMap(([app, s]) =>
    days.map((day, k) => ({
      app_id: app,
      date: formatDate(day),
      mau: s.mau[k]!,
      storage: s.storage[k]!,
      bandwidth: s.bandwidth[k]!,
    })),
  );
  return { global, byApp: rows };
}

/** Capgo's bundle_usage answer. */
export interface BundleUsage {
  labels: string[];
  datasets: { label: string; data: number[] }[];
}

/**
 * bundle_usage from the per-version share query (`bundlePlan`; null when no day could hold data).
 * A day after `today` (a UTC day start) is all 0; a day up to today without data repeats the last
 * day with data, or is all 0 before any. Versions never seen in the range are left out.
 *
 * @example
 * presentBundleUsage([Date.UTC(2024, 0, 1)], result, Date.UTC(2024, 0, 5))
 * // { labels: ['2024-01-01'], datasets: [{ label: '1.0.0', data: [66.7] }, { label: '1.0.1', data: [33.3] }] }
 */
export function presentBundleUsage(labels: number[], result: QueryResult | null, today: number): BundleUsage {
  const series = (result?.series ?? []).filter((s) => (s.total ?? 0) > 0);
  const points = series.map((s) => new Map(s.points.map((pt) => [pt.start, pt])));
  const data: number[][] = series.map(() => []);
  let last: number[] | null = null;
  for (const day of labels) {
    const at = points.map((m) => m.get(day));
    const hasData = day <= today && at.some((pt) => (pt?.value ?? 0) > 0);
    if (hasData) last = at.map((pt) => pt?.share ?? 0);
    const shares = day > today ? null : last;
    data.forEach((d, k) => d.push(shares?.[k] ?? 0));
  }
  return {
    labels: labels.map(formatDate),
    datasets: series.map((s, k) => ({ label: s.group['dims.version'] ?? '', data: data[k]! })),
  };
}
