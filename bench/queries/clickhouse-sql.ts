/**
 * The hand-written ClickHouse SQL of every benchmarked query (`--store clickhouse`),
 * over Tally's own ClickHouse tables as bench/phases/clickhouse-load.ts fills them:
 * `events` (dims as the parallel arrays dim_keys/dim_values), `actors` and
 * `actor_seen`. It is what an analyst would write for ClickHouse 18.16, which has
 * no window functions, no CTEs over subqueries and one JOIN per SELECT: running
 * totals and carried-forward gauges are array functions over one grouped row.
 * The rows each statement returns have the columns the DuckDB SQL's do, so each
 * query's `fromSql` reads them unchanged. The loaded database holds one copy per
 * event and no recorded losers, so the SQL reads `events` as it is.
 */
import { DAY_MS, HOUR_MS } from '../gen/model.js';
import { dayOf, orgList, type OrgTarget } from './types.js';

const org = (ids: string[]): string => `org IN (${orgList(ids)})`;
/** A dim's value, NULL when the event has no such key (`key` is a constant of the bench). */
const dim = (key: string): string =>
  `if(has(dim_keys, '${key}'), dim_values[indexOf(dim_keys, '${key}')], NULL)`;
const day = `intDiv(ts, ${DAY_MS})`;
const span = (type: string, from: number, to: number): string =>
  `type = '${type}' AND ts >= ${from} AND ts < ${to}`;

/**
 * Days d0 .. d1-1 as rows (d, n), n the running total up to and including day d of
 * `inner`'s (d, x) rows (which may start before d0).
 */
function running(inner: string, d0: number, d1: number): string {
  return `SELECT arrayJoin(range(toUInt64(${d1 - d0}))) + ${d0} AS d,
  arraySum(arrayFilter((x, s) -> s <= d, xs, ds)) AS n
FROM (SELECT groupArray(d) AS ds, groupArray(x) AS xs FROM (${inner}))`;
}

/** Q1: each actor's active days become intervals [day, min(day + window, next day)); +1/-1 at their ends, summed. */
export function chRollingDistinct(o: OrgTarget, from: number, to: number, window: number): string {
  const [d0, d1] = [dayOf(from), dayOf(to)];
  const delta = `SELECT tupleElement(p, 1) AS d, sum(tupleElement(p, 2)) AS x FROM (
    SELECT arraySort(groupUniqArray(${day})) AS days,
      arrayMap((a, b) -> least(a + ${window}, b), days, arrayPushBack(arrayPopFront(days), toInt64(${d1 + window}))) AS ends
    FROM events
    WHERE ${org([o.id])} AND ${span('activity', from - (window - 1) * DAY_MS, to)} AND actor IS NOT NULL
    GROUP BY actor
  ) ARRAY JOIN arrayConcat(arrayMap(a -> (a, toInt64(1)), days), arrayMap(b -> (b, toInt64(-1)), ends)) AS p
  GROUP BY d`;
  return running(delta, d0, d1);
}

/** Q2: bandwidth per day. */
export function chBandwidth(o: OrgTarget, from: number, to: number): string {
  return `SELECT ${day} AS d, sum(value) AS bytes FROM events
WHERE ${org([o.id])} AND ${span('bandwidth', from, to)} GROUP BY d ORDER BY d`;
}

/** Q3: activity per (day, version), with the day's total joined for the share. */
export function chVersionShare(o: OrgTarget, from: number, to: number): string {
  const where = `${org([o.id])} AND ${span('activity', from, to)}`;
  return `SELECT d, version, n, n / t AS share FROM (
  SELECT ${day} AS d, ${dim('version')} AS version, count() AS n FROM events WHERE ${where} GROUP BY d, version
) AS c ANY LEFT JOIN (
  SELECT ${day} AS d, count() AS t FROM events WHERE ${where} GROUP BY d
) AS s USING d ORDER BY d, version`;
}

/** Q4 and TR50: API calls per (hour, service), or per (`step`, service). */
export function chServiceHours(o: OrgTarget, from: number, to: number, step = HOUR_MS): string {
  return `SELECT intDiv(ts, ${step}) AS h, ${dim('service')} AS service, count() AS n FROM events
WHERE ${org([o.id])} AND ${span('api.request', from, to)} GROUP BY h, service ORDER BY h, service`;
}

/** Capgo bundle_usage: activity events of `app` per (day, version). */
export function chVersionDays(o: OrgTarget, from: number, to: number, app: string): string {
  return `SELECT ${day} AS d, ${dim('version')} AS version, count() AS n FROM events
WHERE ${org([o.id])} AND ${span('activity', from, to)} AND ${dim('app')} = '${app}' AND ${dim('version')} IS NOT NULL
GROUP BY d, version ORDER BY d, version`;
}

/** FileSpin: API calls per day. */
export function chApiDays(o: OrgTarget, from: number, to: number): string {
  return `SELECT ${day} AS d, count() AS n FROM events
WHERE ${org([o.id])} AND ${span('api.request', from, to)} GROUP BY d ORDER BY d`;
}

/** SaferMe: reports per Monday-start week (day 0 was a Thursday). */
export function chReportWeeks(o: OrgTarget, from: number, to: number): string {
  return `SELECT intDiv(${day} + 3, 7) AS w, count() AS n FROM events
WHERE ${org([o.id])} AND ${span('report.created', from, to)} GROUP BY w ORDER BY w`;
}

/** VIKTOR: people counted per day (created or first seen, not yet deleted), monthly and daily active people. */
export function chViktor(o: OrgTarget, from: number, to: number): string[] {
  const orgs = org(o.subtree);
  const [d0, d1] = [dayOf(from), dayOf(to)];
  const people = `(org, actor) IN (SELECT org, id FROM actors WHERE ${orgs} AND kind IN ('user', 'developer'))`;
  const scan = `FROM events WHERE ${orgs} AND ${span('activity', from, to)} AND ${people}`;
  const since = `ifNull(created_at, first_seen)`;
  return [
    `SELECT arrayJoin(range(toUInt64(${d1 - d0}))) + ${d0} AS d,
  arrayCount((c, x) -> c < (d + 1) * ${DAY_MS} AND x >= (d + 1) * ${DAY_MS}, cs, xs) AS n
FROM (
  SELECT groupArray(${since}) AS cs, groupArray(ifNull(deleted_at, toInt64(9000000000000000000))) AS xs FROM (
    SELECT org, id, created_at, deleted_at FROM actors WHERE ${orgs} AND kind IN ('user', 'developer')
  ) AS a ANY LEFT JOIN (
    SELECT org, actor AS id, min(ts) AS first_seen FROM actor_seen WHERE ${orgs} GROUP BY org, id
  ) AS s USING (org, id)
)`,
    `SELECT toYYYYMM(toDateTime(intDiv(ts, 1000), 'UTC')) AS ym, uniqExact(org, actor) AS n ${scan}
GROUP BY ym ORDER BY ym`,
    `SELECT ${day} AS d, uniqExact(org, actor) AS n ${scan}
  AND ifNull(${dim('workspace_type')}, 'standard') = 'standard' GROUP BY d ORDER BY d`,
  ];
}

/** Capgo: devices first seen since `from` (running), storage per app carried forward (summed), bandwidth (running). */
export function chCapgo(o: OrgTarget, from: number, to: number): string[] {
  const [d0, d1] = [dayOf(from), dayOf(to)];
  const app = `${dim('app')} AS app`;
  const hasApp = `${dim('app')} IS NOT NULL`;
  const where = (type: string): string => `${org([o.id])} AND ${span(type, from, to)} AND ${hasApp}`;
  const latest = `SELECT ${app}, greatest(${day}, ${d0 - 1}) AS d, argMax(value, (ts, id)) AS v FROM events
    WHERE ${org([o.id])} AND type = 'storage' AND ts < ${to} AND ${hasApp} GROUP BY app, d`;
  return [
    running(
      `SELECT d, count() AS x FROM (
      SELECT ${app}, actor, min(${day}) AS d FROM events WHERE ${where('activity')} AND actor IS NOT NULL
      GROUP BY app, actor
    ) GROUP BY d`,
      d0,
      d1,
    ),
    `SELECT d, sum(v) AS n FROM (
  SELECT arrayJoin(range(toUInt64(${d1 - d0}))) + ${d0} AS d,
    tupleElement(arrayFilter(t -> tupleElement(t, 1) <= d, r)[-1], 2) AS v
  FROM (SELECT app, arraySort(groupArray((d, v))) AS r FROM (${latest}) GROUP BY app)
) GROUP BY d ORDER BY d`,
    running(`SELECT ${day} AS d, sum(value) AS x FROM events WHERE ${where('bandwidth')} GROUP BY d`, d0, d1),
  ];
}
