/**
 * The four dashboard queries on the native API (ANCHORS.md Q1-Q4, on Tally's own
 * schema: ts is epoch ms, dims a MAP): the /v1/query call, the hand-written DuckDB
 * PostgreSQL and ClickHouse SQL giving the same answer, and their canonical forms.
 * Windows end at the dataset's END: Q1 and Q2 a year, Q3 90 days, Q4 7 days.
 */
import { DAY_MS, HOUR_MS } from '../gen/model.js';
import * as ch from './clickhouse-sql.js';
import {
  DUCK,
  PG,
  dayOf,
  diff,
  iso,
  type BenchQuery,
  type Dialect,
  type Frame,
  type OrgTarget,
  type Row,
} from './types.js';

interface NativeSeries {
  group: Record<string, string | null>;
  points: { start: string; value: number | null; share?: number }[];
}

function seriesOf(json: unknown): NativeSeries[] {
  return (json as { series: NativeSeries[] }).series;
}

function get(query: Record<string, string | number>): string {
  const qs = Object.entries(query)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `/v1/query?${qs}`;
}

const n = (v: unknown): number => Number(v);

/** Dense day -> value over [from, to), zero where a sparse answer has no row. */
function dense(from: number, to: number, pairs: [number, number][]): number[] {
  const m = new Map(pairs);
  const out: number[] = [];
  for (let d = dayOf(from); d < dayOf(to); d++) out.push(m.get(d) ?? 0);
  return out;
}

/** Non-zero (bucket, group) counts, sorted: the canonical form of a grouped count. */
function cells(pairs: [number, string, number][]): [number, string, number][] {
  return pairs
    .filter(([, , v]) => v !== 0)
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}

const yearFrom = (f: Frame): number => f.end - 365 * DAY_MS;

/**
 * The distinct-actor interval formulation of ANCHORS Q1, on epoch-ms days (DuckDB). Each actor's
 * days as a plain sorted list (a DISTINCT inside list() costs about twice the aggregation), the
 * repeats dropped after the unnest: only the last of equal days has a different next day.
 */
function rollingDistinctDuck(o: OrgTarget, from: number, to: number, window: number): string {
  const d0 = dayOf(from);
  const d1 = dayOf(to);
  return `WITH a AS (
  SELECT list_sort(list(ts // ${DAY_MS})) AS ds FROM events
  WHERE ${DUCK.org([o.id])} AND type = 'activity' AND ts >= ${from - (window - 1) * DAY_MS} AND ts < ${to} AND actor IS NOT NULL
  GROUP BY actor
), iv AS (
  SELECT d, LEAST(d + ${window}, COALESCE(nx, d + ${window})) AS e FROM (SELECT unnest(ds) AS d, unnest(list_append(ds[2:], NULL)) AS nx FROM a)
  WHERE nx IS DISTINCT FROM d
), delta AS (
  SELECT d, sum(x) AS x FROM (SELECT unnest([d, e]) AS d, unnest([1, -1]) AS x FROM iv) GROUP BY d
), days AS (
  SELECT range AS d FROM range(${d0 - (window - 1)}, ${d1})
), run AS (
  SELECT days.d, sum(COALESCE(delta.x, 0)) OVER (ORDER BY days.d) AS n FROM days LEFT JOIN delta ON delta.d = days.d
)
SELECT d, n FROM run WHERE d >= ${d0} ORDER BY d`;
}

/** The same on PostgreSQL: intervals from LEAD over (actor, day), as ANCHORS' PostgreSQL Q1. */
function rollingDistinctPg(o: OrgTarget, from: number, to: number, window: number): string {
  const d0 = dayOf(from);
  const d1 = dayOf(to);
  return `WITH ad AS (
  SELECT DISTINCT actor, ts / ${DAY_MS} AS d FROM events
  WHERE ${PG.org([o.id])} AND type = 'activity' AND ts >= ${from - (window - 1) * DAY_MS} AND ts < ${to} AND actor IS NOT NULL
), iv AS (
  SELECT d, LEAST(d + ${window}, COALESCE(LEAD(d) OVER (PARTITION BY actor ORDER BY d), d + ${window})) AS e FROM ad
), delta AS (
  SELECT v.dd AS d, sum(v.x) AS x FROM iv CROSS JOIN LATERAL (VALUES (iv.d, 1), (iv.e, -1)) AS v(dd, x) GROUP BY v.dd
), days AS (
  SELECT g AS d FROM generate_series(${d0 - (window - 1)}::bigint, ${d1 - 1}::bigint) AS g
), run AS (
  SELECT days.d, sum(COALESCE(delta.x, 0)) OVER (ORDER BY days.d) AS n FROM days LEFT JOIN delta ON delta.d = days.d
)
SELECT d, n FROM run WHERE d >= ${d0} ORDER BY d`;
}

/** Q1: distinct activity actors over the trailing 30 days at each day of the last year. */
export const q1: BenchQuery = {
  id: 'Q1',
  title: 'rolling 30-day MAU by day, 365 days',
  surface: 'native',
  call: (o, f) => ({
    method: 'GET',
    key: 'admin',
    path: get({
      org: o.id,
      type: 'activity',
      from: iso(yearFrom(f)),
      to: iso(f.end),
      timezone: 'UTC',
      bucket: 'day',
      agg: 'unique',
      window: 'rolling',
      window_size: 30,
    }),
  }),
  duck: (o, f) => [rollingDistinctDuck(o, yearFrom(f), f.end, 30)],
  pg: (o, f) => [rollingDistinctPg(o, yearFrom(f), f.end, 30)],
  ch: (o, f) => [ch.chRollingDistinct(o, yearFrom(f), f.end, 30)],
  fromHttp: (json, _o, f) =>
    dense(
      yearFrom(f),
      f.end,
      (seriesOf(json)[0]?.points ?? []).map((p) => [dayOf(Date.parse(p.start)), p.value ?? 0]),
    ),
  fromSql: ([rows], _o, f) =>
    dense(
      yearFrom(f),
      f.end,
      rows!.map((r) => [n(r['d']), n(r['n'])]),
    ),
};

function bandwidthSql(o: OrgTarget, f: Frame, d: Dialect): string {
  return `SELECT ts ${d.div} ${DAY_MS} AS d, sum(value) AS bytes FROM events
WHERE ${d.org([o.id])} AND type = 'bandwidth' AND ts >= ${yearFrom(f)} AND ts < ${f.end}
GROUP BY 1 ORDER BY 1`;
}

/** Q2: bandwidth bytes per day over the last year. */
export const q2: BenchQuery = {
  id: 'Q2',
  title: 'bandwidth bytes by day, 365 days',
  surface: 'native',
  call: (o, f) => ({
    method: 'GET',
    key: 'admin',
    path: get({
      org: o.id,
      type: 'bandwidth',
      from: iso(yearFrom(f)),
      to: iso(f.end),
      timezone: 'UTC',
      bucket: 'day',
      agg: 'sum',
    }),
  }),
  duck: (o, f) => [bandwidthSql(o, f, DUCK)],
  pg: (o, f) => [bandwidthSql(o, f, PG)],
  ch: (o, f) => [ch.chBandwidth(o, yearFrom(f), f.end)],
  fromHttp: (json, _o, f) =>
    dense(
      yearFrom(f),
      f.end,
      (seriesOf(json)[0]?.points ?? []).map((p) => [dayOf(Date.parse(p.start)), p.value ?? 0]),
    ),
  fromSql: ([rows], _o, f) =>
    dense(
      yearFrom(f),
      f.end,
      rows!.map((r) => [n(r['d']), n(r['bytes'])]),
    ),
};

const q3From = (f: Frame): number => f.end - 90 * DAY_MS;

function versionSql(o: OrgTarget, f: Frame, d: Dialect, version: string): string {
  return `SELECT d, version, n, CAST(n AS DOUBLE PRECISION) / CAST(sum(n) OVER (PARTITION BY d) AS DOUBLE PRECISION) AS share FROM (
  SELECT ts ${d.div} ${DAY_MS} AS d, ${version} AS version, count(*) AS n FROM events
  WHERE ${d.org([o.id])} AND type = 'activity' AND ts >= ${q3From(f)} AND ts < ${f.end}
  GROUP BY 1, 2
) t ORDER BY d, version`;
}

/**
 * Q3: activity per (day, version) over 90 days, with each version's share of the day.
 * Tally's shares are percents to 0.1 by largest remainder, so the canonical form keeps the
 * counts, and each share as "within 0.1 of the exact percent" (checked, then dropped).
 */
export const q3: BenchQuery = {
  id: 'Q3',
  title: 'version share by day, 90 days',
  surface: 'native',
  call: (o, f) => ({
    method: 'GET',
    key: 'admin',
    path: get({
      org: o.id,
      type: 'activity',
      from: iso(q3From(f)),
      to: iso(f.end),
      timezone: 'UTC',
      bucket: 'day',
      group_by: 'dims.version',
      share: 1,
    }),
  }),
  duck: (o, f) => [versionSql(o, f, DUCK, "dims['version']")],
  pg: (o, f) => [versionSql(o, f, PG, "dims->>'version'")],
  ch: (o, f) => [ch.chVersionShare(o, q3From(f), f.end)],
  fromHttp: (json) => {
    const out: [number, string, number, number][] = [];
    for (const s of seriesOf(json))
      for (const p of s.points)
        out.push([dayOf(Date.parse(p.start)), s.group['dims.version'] ?? '', p.value ?? 0, p.share ?? 0]);
    const byDay = new Map<number, number>();
    for (const [d, , v, share] of out) if (v > 0) byDay.set(d, (byDay.get(d) ?? 0) + share);
    const badSums = [...byDay].filter(([, s]) => Math.abs(s - 100) > 1e-6).length;
    return { cells: cells(out.map(([d, v, c]) => [d, v, c])), shares: out, badSums };
  },
  fromSql: ([rows]) => ({
    cells: cells(rows!.map((r) => [n(r['d']), String(r['version']), n(r['n'])])),
    exact: rows!.map((r) => [n(r['d']), String(r['version']), n(r['share'])]),
  }),
  compare: (http, sql) => compareShares(http, sql),
};

/** Q3's comparison: counts exact, every share within one 0.1 step of the exact percent, days sum to 100. */
export function compareShares(http: unknown, sql: unknown): string[] {
  const h = http as { cells: unknown; shares: [number, string, number, number][]; badSums: number };
  const s = sql as { cells: unknown; exact: [number, string, number][] };
  const exact = new Map(s.exact.map(([d, v, x]) => [`${d}|${v}`, x]));
  const faults = diff(h.cells, s.cells);
  if (h.badSums > 0) faults.push(`${h.badSums} day(s) whose shares do not sum to 100`);
  for (const [d, v, c, share] of h.shares) {
    if (c === 0) continue;
    const x = (exact.get(`${d}|${v}`) ?? NaN) * 100;
    if (!(Math.abs(share - x) < 0.1 + 1e-9)) faults.push(`share ${d}/${v}: ${share} vs exact ${x}`);
    if (faults.length > 5) break;
  }
  return faults;
}

const q4From = (f: Frame): number => f.end - 7 * DAY_MS;

function serviceSql(o: OrgTarget, f: Frame, d: Dialect, service: string): string {
  return `SELECT ts ${d.div} ${HOUR_MS} AS h, ${service} AS service, count(*) AS n FROM events
WHERE ${d.org([o.id])} AND type = 'api.request' AND ts >= ${q4From(f)} AND ts < ${f.end}
GROUP BY 1, 2 ORDER BY 1, 2`;
}

/** Q4: API calls per (hour, service) over the last 7 days. */
export const q4: BenchQuery = {
  id: 'Q4',
  title: 'API calls by service by hour, 7 days',
  surface: 'native',
  call: (o, f) => ({
    method: 'GET',
    key: 'admin',
    path: get({
      org: o.id,
      type: 'api.request',
      from: iso(q4From(f)),
      to: iso(f.end),
      timezone: 'UTC',
      bucket: 'hour',
      group_by: 'dims.service',
    }),
  }),
  duck: (o, f) => [serviceSql(o, f, DUCK, "dims['service']")],
  pg: (o, f) => [serviceSql(o, f, PG, "dims->>'service'")],
  ch: (o, f) => [ch.chServiceHours(o, q4From(f), f.end)],
  fromHttp: (json) =>
    cells(
      seriesOf(json).flatMap((s) =>
        s.points.map((p): [number, string, number] => [
          Math.floor(Date.parse(p.start) / HOUR_MS),
          s.group['dims.service'] ?? '',
          p.value ?? 0,
        ]),
      ),
    ),
  fromSql: ([rows]) => cells(rows!.map((r: Row) => [n(r['h']), String(r['service']), n(r['n'])])),
};

export const NATIVE_QUERIES: BenchQuery[] = [q1, q2, q3, q4];
