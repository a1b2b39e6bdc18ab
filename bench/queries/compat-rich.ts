/**
 * The two compat calls whose answers combine several figures: VIKTOR's users
 * statistics (90 days, the org found by its domain, with its sub-orgs) and Capgo's
 * org statistics (30 days and a year: devices seen since `from`, the storage gauge carried
 * forward, bandwidth running since `from`). The hand-written SQL computes every
 * figure; the bench only lays the rows out in the vendor's JSON (ISO weeks and
 * month sums for VIKTOR, computed here independently of Tally's presenter).
 */
import { DAY_MS } from '../gen/model.js';
import { chCapgo, chViktor } from './clickhouse-sql.js';
import {
  DUCK,
  PG,
  dayOf,
  isoDay,
  orgList,
  type BenchQuery,
  type Dialect,
  type Frame,
  type OrgTarget,
  type Row,
} from './types.js';

const n = (v: unknown): number => Number(v);
const vkFrom = (f: Frame): number => f.end - 90 * DAY_MS;

/** Actors of the kinds VIKTOR's users scope counts, in the orgs, as a join target `a(org, id)`. */
function people(orgs: string): string {
  return `(SELECT org, id FROM actors WHERE org IN (${orgs}) AND kind IN ('user', 'developer')) a`;
}

function viktorSql(d: Dialect, o: OrgTarget, f: Frame): string[] {
  const orgs = orgList(o.subtree);
  const [from, to] = [vkFrom(f), f.end];
  const month =
    d.name === 'duckdb'
      ? `year(epoch_ms(e.ts)) * 100 + month(epoch_ms(e.ts))`
      : `CAST(to_char(to_timestamp(e.ts / 1000.0) AT TIME ZONE 'UTC', 'YYYYMM') AS int)`;
  const scan = `FROM events e JOIN ${people(orgs)} ON a.org = e.org AND a.id = e.actor
  WHERE ${d.org(o.subtree, 'e')} AND e.type = 'activity' AND e.ts >= ${from} AND e.ts < ${to}`;
  return [
    `SELECT g.d, count(a.id) AS n FROM ${d.range(dayOf(from), dayOf(to))}
  LEFT JOIN actors a ON a.org IN (${orgs}) AND a.kind IN ('user', 'developer')
    AND COALESCE(a.created_at, a.first_seen) < (g.d + 1) * ${DAY_MS}
    AND (a.deleted_at IS NULL OR a.deleted_at >= (g.d + 1) * ${DAY_MS})
  GROUP BY g.d ORDER BY g.d`,
    `SELECT ${month} AS ym, count(DISTINCT (e.org, e.actor)) AS n ${scan} GROUP BY 1 ORDER BY 1`,
    `SELECT e.ts ${d.div} ${DAY_MS} AS d, count(DISTINCT (e.org, e.actor)) AS n ${scan}
    AND COALESCE(${d.dim('workspace_type', 'e')}, 'standard') = 'standard' GROUP BY 1 ORDER BY 1`,
  ];
}

/** ISO 8601 week-year and week of a UTC day number. */
export function isoWeekOf(day: number): { year: number; week: number } {
  const weekday = (((day + 3) % 7) + 7) % 7; // Monday = 0
  const thursday = day - weekday + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1) / DAY_MS;
  return { year, week: Math.floor((thursday - jan1) / 7) + 1 };
}

function ymd(day: number): { year: number; month: number; day: number } {
  const t = new Date(day * DAY_MS);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** VIKTOR: `stats_type=users` for the last 90 days of the org (by its domain) and its sub-orgs. */
export const viktor: BenchQuery = {
  id: 'VIKTOR',
  title: 'users statistics, 90 days (org_domain, subtree)',
  surface: 'VIKTOR',
  call: (o, f) => ({
    method: 'GET',
    key: 'admin',
    path: `/api/statistics/?stats_type=users&start=${isoDay(vkFrom(f))}&end=${isoDay(f.end - DAY_MS)}&org_domain=${o.domain}`,
  }),
  duck: (o, f) => viktorSql(DUCK, o, f),
  pg: (o, f) => viktorSql(PG, o, f),
  ch: (o, f) => chViktor(o, vkFrom(f), f.end),
  fromHttp: (json) => json,
  fromSql: ([total, monthly, daily], _o, f) => {
    const days: number[] = [];
    for (let d = dayOf(vkFrom(f)); d < dayOf(f.end); d++) days.push(d);
    const perDay = new Map(daily!.map((r) => [n(r['d']), n(r['n'])]));
    const perMonthActive = new Map(monthly!.map((r) => [n(r['ym']), n(r['n'])]));
    const weeks = new Map<number, { year: number; week: number; count: number }>();
    const months = new Map<number, { year: number; month: number; count: number }>();
    const activeMonths = new Map<number, { year: number; month: number; count: number }>();
    for (const d of days) {
      const { year, month } = ymd(d);
      const w = isoWeekOf(d);
      const c = perDay.get(d) ?? 0;
      const wk = weeks.get(w.year * 100 + w.week) ?? { ...w, count: 0 };
      wk.count += c;
      weeks.set(w.year * 100 + w.week, wk);
      const mo = months.get(year * 100 + month) ?? { year, month, count: 0 };
      mo.count += c;
      months.set(year * 100 + month, mo);
      activeMonths.set(year * 100 + month, {
        year,
        month,
        count: perMonthActive.get(year * 100 + month) ?? 0,
      });
    }
    return {
      users: {
        total_users: total!.map((r) => ({ ...ymd(n(r['d'])), count: n(r['n']) })),
        monthly_active_users: [...activeMonths.values()],
        daily_active_users: {
          per_day: days.map((d) => ({ ...ymd(d), count: perDay.get(d) ?? 0 })),
          per_week: [...weeks.values()],
          per_month: [...months.values()],
        },
      },
    };
  },
};

function capgoSql(d: Dialect, o: OrgTarget, from: number, to: number): string[] {
  const [d0, d1] = [dayOf(from), dayOf(to)];
  const where = (type: string): string =>
    `${d.org([o.id])} AND type = '${type}' AND ts >= ${from} AND ts < ${to} AND ${d.dim('app')} IS NOT NULL`;
  const latest =
    d.name === 'duckdb'
      ? `SELECT ${d.dim('app')} AS app, GREATEST(ts // ${DAY_MS}, ${d0 - 1}) AS d, arg_max(value, (ts, id)) AS v
    FROM events WHERE ${d.org([o.id])} AND type = 'storage' AND ts < ${to} AND ${d.dim('app')} IS NOT NULL GROUP BY 1, 2`
      : `SELECT DISTINCT ON (app, d) app, d, value AS v FROM (
      SELECT ${d.dim('app')} AS app, GREATEST(ts / ${DAY_MS}, ${d0 - 1}) AS d, ts, id, value FROM events
      WHERE ${d.org([o.id])} AND type = 'storage' AND ts < ${to} AND ${d.dim('app')} IS NOT NULL) x
    ORDER BY app, d, ts DESC, id DESC`;
  // Carry each app's last reading forward: the last non-null value in day order.
  const carried =
    d.name === 'duckdb'
      ? `SELECT grid.app, grid.d, last_value(r.v IGNORE NULLS) OVER (PARTITION BY grid.app ORDER BY grid.d) AS v
    FROM grid LEFT JOIN r ON r.app = grid.app AND r.d = grid.d`
      : `SELECT app, d, max(v) OVER (PARTITION BY app, grp) AS v FROM (
      SELECT grid.app, grid.d, r.v, count(r.v) OVER (PARTITION BY grid.app ORDER BY grid.d) AS grp
      FROM grid LEFT JOIN r ON r.app = grid.app AND r.d = grid.d) y`;
  return [
    `WITH fs AS (
  SELECT ${d.dim('app')} AS app, actor, min(ts ${d.div} ${DAY_MS}) AS d FROM events
  WHERE ${where('activity')} AND actor IS NOT NULL GROUP BY 1, 2
), c AS (SELECT d, count(*) AS n FROM fs GROUP BY d)
SELECT g.d, sum(COALESCE(c.n, 0)) OVER (ORDER BY g.d) AS n FROM ${d.range(d0, d1)} LEFT JOIN c ON c.d = g.d ORDER BY g.d`,
    `WITH r AS (${latest}),
grid AS (SELECT a.app, g.d FROM (SELECT DISTINCT app FROM r) a CROSS JOIN ${d.range(d0 - 1, d1)}),
f AS (${carried})
SELECT d, sum(COALESCE(v, 0)) AS n FROM f WHERE d >= ${d0} GROUP BY d ORDER BY d`,
    `WITH b AS (SELECT ts ${d.div} ${DAY_MS} AS d, sum(value) AS s FROM events WHERE ${where('bandwidth')} GROUP BY 1)
SELECT g.d, sum(COALESCE(b.s, 0)) OVER (ORDER BY g.d) AS n FROM ${d.range(d0, d1)} LEFT JOIN b ON b.d = g.d ORDER BY g.d`,
  ];
}

/** Capgo: `/statistics/org/{org}/` for the last `days` days (accumulated, every app of the org). */
function capgoOver(id: string, title: string, days: number): BenchQuery {
  const cgFrom = (f: Frame): number => f.end - days * DAY_MS;
  return {
    id,
    title,
    surface: 'Capgo',
    call: (o, f) => ({
      method: 'GET',
      key: 'admin',
      path: `/statistics/org/${o.id}/?from=${isoDay(cgFrom(f))}&to=${isoDay(f.end)}`,
    }),
    duck: (o, f) => capgoSql(DUCK, o, cgFrom(f), f.end),
    pg: (o, f) => capgoSql(PG, o, cgFrom(f), f.end),
    ch: (o, f) => chCapgo(o, cgFrom(f), f.end),
    fromHttp: (json) => json,
    fromSql: ([mau, storage, bandwidth]) => {
      const byDay = (rows: Row[]): Map<number, number> => new Map(rows.map((r) => [n(r['d']), n(r['n'])]));
      const [st, bw] = [byDay(storage!), byDay(bandwidth!)];
      return mau!.map((r) => ({
        date: isoDay(n(r['d']) * DAY_MS),
        mau: n(r['n']),
        storage: st.get(n(r['d'])) ?? 0,
        bandwidth: bw.get(n(r['d'])) ?? 0,
      }));
    },
  };
}

export const capgo = capgoOver('Capgo', 'org statistics, 30 days', 30);
/** The year-long Capgo call (issue 20). */
export const capgoYear = capgoOver('CapgoY', 'org statistics, 365 days', 365);
