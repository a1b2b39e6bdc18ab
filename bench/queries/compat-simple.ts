/**
 * Three compat calls a dashboard makes, with the hand-written SQL that answers
 * them: FileSpin's API calls per day (30 days), SaferMe's reports over time (90
 * days, weekly buckets) and TR50's usage.api.history (7 days hourly, and a year by day, by
 * service).
 * The canonical form is the vendor's own JSON (the part that carries figures).
 */
import { DAY_MS, HOUR_MS } from '../gen/model.js';
import * as ch from './clickhouse-sql.js';
import { DUCK, PG, iso, type BenchQuery, type Dialect, type Frame, type OrgTarget } from './types.js';

const n = (v: unknown): number => Number(v);

const fsFrom = (f: Frame): number => f.end - 30 * DAY_MS;

function filespinSql(d: Dialect, o: OrgTarget, f: Frame): string {
  return `SELECT ts ${d.div} ${DAY_MS} AS d, count(*) AS n FROM events
WHERE ${d.org([o.id])} AND type = 'api.request' AND ts >= ${fsFrom(f)} AND ts < ${f.end}
GROUP BY 1 ORDER BY 1`;
}

/** FileSpin: API calls per UTC day of the usergroup, last 30 days (end_time inclusive to the second). */
export const filespin: BenchQuery = {
  id: 'FileSpin',
  title: 'api timeseries by day, 30 days',
  surface: 'FileSpin',
  call: (o, f) => ({
    method: 'GET',
    key: 'admin',
    path: `/api/v1/stats/timeseries/api?start_time=${fsFrom(f) / 1000}&end_time=${f.end / 1000 - 1}&usergroup_id=${o.id}`,
  }),
  duck: (o, f) => [filespinSql(DUCK, o, f)],
  pg: (o, f) => [filespinSql(PG, o, f)],
  ch: (o, f) => [ch.chApiDays(o, fsFrom(f), f.end)],
  fromHttp: (json) => (json as { data: Record<string, unknown> }).data,
  fromSql: ([rows]) => ({
    '*': rows!.map((r) => ({ timestamp: (n(r['d']) * DAY_MS) / 1000, value: n(r['n']) })),
  }),
};

const smFrom = (f: Frame): number => f.end - 90 * DAY_MS;

/** Monday-start week index of a UTC day number (day 0 was a Thursday). */
function safermeSql(d: Dialect, o: OrgTarget, f: Frame): string {
  return `SELECT (ts ${d.div} ${DAY_MS} + 3) ${d.div} 7 AS w, count(*) AS n FROM events
WHERE ${d.org([o.id])} AND type = 'report.created' AND ts >= ${smFrom(f)} AND ts < ${f.end}
GROUP BY 1 ORDER BY 1`;
}

/** SaferMe: reports created per ISO week over 90 days (the width the span calls for). */
export const saferme: BenchQuery = {
  id: 'SaferMe',
  title: 'reports_over_time, 90 days (weeks)',
  surface: 'SaferMe',
  call: (o, f) => ({
    method: 'GET',
    key: 'admin',
    path: `/api/v4/analytics/reports_over_time?channel_id=${o.id}&start_date=${iso(smFrom(f))}&end_date=${iso(f.end)}`,
  }),
  duck: (o, f) => [safermeSql(DUCK, o, f)],
  pg: (o, f) => [safermeSql(PG, o, f)],
  ch: (o, f) => [ch.chReportWeeks(o, smFrom(f), f.end)],
  fromHttp: (json) => json,
  fromSql: ([rows], o) =>
    rows!.map((r) => ({
      account_id: Number(o.id),
      datetime_range_start: new Date((n(r['w']) * 7 - 3) * DAY_MS).toISOString(),
      report_count: n(r['n']),
      datetime_range_width: 'week',
    })),
};

/** TR50's `usage.api.history` series: its step, and the days it covers back from the end. */
interface Tr50Span {
  id: string;
  title: string;
  days: number;
  series: 'hour' | 'day';
}

const stepOf = (s: Tr50Span): number => (s.series === 'hour' ? HOUR_MS : DAY_MS);

function tr50Sql(d: Dialect, o: OrgTarget, f: Frame, s: Tr50Span): string {
  return `SELECT ts ${d.div} ${stepOf(s)} AS h, ${d.dim('service')} AS service, count(*) AS n FROM events
WHERE ${d.org([o.id])} AND type = 'api.request' AND ts >= ${f.end - s.days * DAY_MS} AND ts < ${f.end}
GROUP BY 1, 2 ORDER BY 1, 2`;
}

/** A UTC instant as TR50 writes it: `YYYY-MM-DDTHH:mm:ss+00:00`. */
const tr50Time = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;

/**
 * TR50: usage.api.history over the span's last days, counters per service and step (the org
 * is in UTC), through a read key over the org (a session's org is its key's first org).
 */
function tr50Over(s: Tr50Span): BenchQuery {
  const from = (f: Frame): number => f.end - s.days * DAY_MS;
  const step = stepOf(s);
  return {
    id: s.id,
    title: s.title,
    surface: 'TR50',
    call: (_o, f) => ({
      method: 'POST',
      key: 'org',
      path: '/api',
      body: {
        '1': {
          command: 'usage.api.history',
          params: { start: iso(from(f)), end: iso(f.end), series: s.series },
        },
      },
    }),
    duck: (o, f) => [tr50Sql(DUCK, o, f, s)],
    pg: (o, f) => [tr50Sql(PG, o, f, s)],
    ch: (o, f) => [ch.chServiceHours(o, from(f), f.end, step)],
    fromHttp: (json) => (json as Record<string, { params?: unknown }>)['1']?.params ?? json,
    fromSql: ([rows], _o, f) => {
      const steps = (f.end - from(f)) / step;
      const h0 = from(f) / step;
      const counters: Record<string, number[]> = {};
      let total = 0;
      for (const r of rows!) {
        const k = typeof r['service'] === 'string' ? r['service'] : 'unknown';
        counters[k] ??= new Array<number>(steps).fill(0);
        counters[k][n(r['h']) - h0] = n(r['n']);
        total += n(r['n']);
      }
      const sorted = Object.fromEntries(
        Object.keys(counters)
          .sort()
          .map((k) => [k, counters[k]]),
      );
      const ts = Array.from({ length: steps }, (_, k) => tr50Time(from(f) + k * step));
      return { counters: sorted, total, ts };
    },
  };
}

export const tr50 = tr50Over({
  id: 'TR50',
  title: 'usage.api.history, 7 days hourly',
  days: 7,
  series: 'hour',
});
/** The year-long TR50 call (issue 20): by day over 365 days. */
export const tr50Year = tr50Over({
  id: 'TR50Y',
  title: 'usage.api.history, 365 days by day',
  days: 365,
  series: 'day',
});
