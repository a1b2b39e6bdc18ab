/**
 * Capgo's `bundle_usage` over 90 days for the org's first app (issue 20 names it): activity
 * events per (UTC day, version), turned into each day's percent shares at 0.1 (floored, the
 * tenths left to the largest remainders, ties to the larger count and then the earlier version),
 * a day without data repeating the day before. The hand SQL only counts; the shares are laid out
 * here as CONTRACT.md §3.4 defines them, independently of Tally's presenter (src/core/query/share.ts).
 */
import { DAY_MS } from '../gen/model.js';
import { chVersionDays } from './clickhouse-sql.js';
import { DUCK, PG, isoDay, type BenchQuery, type Dialect, type Frame, type OrgTarget } from './types.js';

const buFrom = (f: Frame): number => f.end - 90 * DAY_MS;

/** The app queried: the org's first (bench/gen/model.ts names apps `com.org<id>.app<k>`). */
export const bundleApp = (o: OrgTarget): string => `com.org${o.id}.app0`;

function bundleSql(d: Dialect, o: OrgTarget, f: Frame): string {
  return `SELECT ts ${d.div} ${DAY_MS} AS d, ${d.dim('version')} AS version, count(*) AS n FROM events
WHERE ${d.org([o.id])} AND type = 'activity' AND ts >= ${buFrom(f)} AND ts < ${f.end}
  AND ${d.dim('app')} = '${bundleApp(o)}' AND ${d.dim('version')} IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2`;
}

/** Tenths of a percent of each count, summing to 1000: floors, then the largest remainders. */
function tenths(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const floors = counts.map((c) => Math.floor((c * 1000) / total));
  const order = counts
    .map((c, k) => ({ k, c, rem: c * 1000 - floors[k]! * total }))
    .sort((a, b) => b.rem - a.rem || b.c - a.c || a.k - b.k);
  let left = 1000 - floors.reduce((a, b) => a + b, 0);
  for (const { k } of order) if (left-- > 0) floors[k]! += 1;
  return floors;
}

/**
 * The answer from per-(day, version) counts: labels every day of [from day, to day] inclusive,
 * a dataset per version seen (ascending), shares carried over days without data.
 */
export function bundleAnswer(
  counts: Map<number, Map<string, number>>,
  fromDay: number,
  toDay: number,
): unknown {
  const versions = [...new Set([...counts.values()].flatMap((m) => [...m.keys()]))].sort();
  const data: number[][] = versions.map(() => []);
  let last: number[] = versions.map(() => 0);
  const labels: string[] = [];
  for (let d = fromDay; d <= toDay; d++) {
    labels.push(isoDay(d * DAY_MS));
    const day = counts.get(d);
    if (day) last = tenths(versions.map((v) => day.get(v) ?? 0)).map((t) => t / 10);
    versions.forEach((_, k) => data[k]!.push(last[k]!));
  }
  return { labels, datasets: versions.map((label, k) => ({ label, data: data[k] })) };
}

export const capgoBundle: BenchQuery = {
  id: 'CapgoBundle',
  title: 'bundle_usage, 90 days',
  surface: 'Capgo',
  call: (o, f) => ({
    method: 'GET',
    key: 'admin',
    path: `/statistics/app/${bundleApp(o)}/bundle_usage?from=${isoDay(buFrom(f))}&to=${isoDay(f.end)}`,
  }),
  duck: (o, f) => [bundleSql(DUCK, o, f)],
  pg: (o, f) => [bundleSql(PG, o, f)],
  ch: (o, f) => [chVersionDays(o, buFrom(f), f.end, bundleApp(o))],
  fromHttp: (json) => json,
  fromSql: ([rows], _o, f) => {
    const counts = new Map<number, Map<string, number>>();
    for (const r of rows!) {
      const d = Number(r['d']);
      if (!counts.has(d)) counts.set(d, new Map());
      counts.get(d)!.set(String(r['version']), Number(r['n']));
    }
    return bundleAnswer(counts, buFrom(f) / DAY_MS, f.end / DAY_MS);
  },
};
