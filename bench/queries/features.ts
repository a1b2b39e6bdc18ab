/**
 * Issue 23's cost case: one /v1/query using every feature the issue added (F1) against the same
 * range, org and buckets without them (F0). F1 asks three metrics (API calls under a filter tree
 * of or/not/contains/regex, the 95th percentile of bandwidth events over 1000 bytes, and the
 * GB-hours of storage per app, an integral) with `compare=previous_period`; F0 counts the same
 * three types per day in one plain series. Both over the last 90 days, UTC days. The report
 * gives F1's time over F0's (the issue asks for at most 2x at 10M events on the largest org).
 * The hand-written DuckDB SQL computes each figure on its own (window functions for the
 * integral's held stretches), for both ranges.
 */
import { DAY_MS, HOUR_MS } from '../gen/model.js';
import { DUCK, dayOf, iso, type BenchQuery, type Frame, type OrgTarget, type Row } from './types.js';

const SPAN = 90 * DAY_MS;
const TYPES = ['api.request', 'bandwidth', 'storage'];

const METRICS = [
  {
    name: 'calls',
    type: ['api.request'],
    filters: {
      and: [
        {
          or: [
            ['regex', 'dims.endpoint', ['^/api/v1/assets/']],
            ['contains', 'dims.endpoint', ['search']],
          ],
        },
        { not: ['eq', 'dims.service', ['transcode']] },
      ],
    },
  },
  { name: 'bytes_p95', type: ['bandwidth'], agg: 'p95', filters: [['gt', 'value', [1000]]] },
  { name: 'gb_hours', type: ['storage'], agg: 'integral', per: ['dims.app'], unit: 'hour' },
];

/** The three figures over [from, to), UTC days: calls, the p95 and the integral. */
function featureSql(o: OrgTarget, from: number, to: number): string[] {
  const scope = `${DUCK.org([o.id])} AND ts < ${to}`;
  const calls = `SELECT ts // ${DAY_MS} AS d, count(*) AS x FROM events
WHERE ${scope} AND ts >= ${from} AND type = 'api.request'
  AND (regexp_matches(dims['endpoint'], '^/api/v1/assets/') OR contains(dims['endpoint'], 'search'))
  AND NOT coalesce(dims['service'] = 'transcode', false)
GROUP BY 1`;
  // Nearest rank ceil(0.95 n), in integers.
  const p95 = `SELECT ts // ${DAY_MS} AS d, list_sort(list(value))[(95 * count(*) + 99) // 100] AS x FROM events
WHERE ${scope} AND ts >= ${from} AND type = 'bandwidth' AND value > 1000
GROUP BY 1`;
  // Per app: each reading (the larger id on a tie) holds until the next; the last one before
  // the range holds from its start (ordered before a reading at that very instant).
  const integral = `WITH r AS (
  SELECT dims['app'] AS g, ts, arg_max(value, id) AS v FROM events WHERE ${scope} AND type = 'storage' GROUP BY 1, 2
), steps AS (
  SELECT g, ts, v, 1 AS k FROM r WHERE ts >= ${from}
  UNION ALL SELECT g, ${from} AS ts, arg_max(v, ts) AS v, 0 AS k FROM r WHERE ts < ${from} GROUP BY g
), iv AS (
  SELECT ts AS s, coalesce(lead(ts) OVER (PARTITION BY g ORDER BY ts, k), ${to}) AS e, v FROM steps
)
SELECT d, sum(v * (least(e, (d + 1) * ${DAY_MS}) - greatest(s, d * ${DAY_MS}))) / ${HOUR_MS} AS x
FROM iv JOIN range(${dayOf(from)}, ${dayOf(to)}) days(d) ON s < (d + 1) * ${DAY_MS} AND e > d * ${DAY_MS}
GROUP BY d`;
  return [calls, p95, integral];
}

/**
 * Byte-hours to 12 significant digits: sums of value x ms past 2^53 differ in their last bits
 * with the order of addition, which each route chooses for itself.
 */
export function gbHours(x: number | null): number | null {
  return x === null ? null : Number(x.toPrecision(12));
}

/** Day -> figure over the frame's days; `empty` where a statement has no row. */
function byDay(from: number, rows: Row[], empty: number | null): (number | null)[] {
  const m = new Map(rows.map((r) => [Number(r['d']), r['x'] === null ? null : Number(r['x'])]));
  return Array.from({ length: SPAN / DAY_MS }, (_, k) => m.get(dayOf(from) + k) ?? empty);
}

/** The three figures' lists, the integral's rounded (see gbHours). */
function canonical(lists: (number | null)[][]): (number | null)[][] {
  return lists.map((xs, k) => (names[k] === 'gb_hours' ? xs.map(gbHours) : xs));
}

interface FeatureAnswer {
  series: {
    points: { values: Record<string, number | null> }[];
    compare: { points: { values: Record<string, number | null> }[] };
  }[];
}

const names = METRICS.map((m) => m.name);
const empties = [0, null, 0];

export const f1: BenchQuery = {
  id: 'F1',
  title: 'issue 23: 3 metrics (filter tree, p95, integral) + compare, 90 days',
  surface: 'native',
  call: (o, f) => ({
    method: 'POST',
    key: 'admin',
    path: '/v1/query',
    body: {
      org: o.id,
      from: iso(f.end - SPAN),
      to: iso(f.end),
      timezone: 'UTC',
      bucket: 'day',
      compare: 'previous_period',
      metrics: METRICS,
    },
  }),
  duck: (o, f) => [...featureSql(o, f.end - SPAN, f.end), ...featureSql(o, f.end - 2 * SPAN, f.end - SPAN)],
  fromHttp: (json) => {
    const s = (json as FeatureAnswer).series[0]!;
    return {
      now: canonical(names.map((m) => s.points.map((p) => p.values[m] ?? null))),
      before: canonical(names.map((m) => s.compare.points.map((p) => p.values[m] ?? null))),
    };
  },
  fromSql: (rows, _o, f: Frame) => ({
    now: canonical(names.map((_, k) => byDay(f.end - SPAN, rows[k]!, empties[k]!))),
    before: canonical(names.map((_, k) => byDay(f.end - 2 * SPAN, rows[3 + k]!, empties[k]!))),
  }),
};

export const f0: BenchQuery = {
  id: 'F0',
  title: 'issue 23 baseline: the same 3 types counted per day, 90 days',
  surface: 'native',
  call: (o, f) => ({
    method: 'POST',
    key: 'admin',
    path: '/v1/query',
    body: { org: o.id, type: TYPES, from: iso(f.end - SPAN), to: iso(f.end), timezone: 'UTC', bucket: 'day' },
  }),
  duck: (o, f) => [
    `SELECT ts // ${DAY_MS} AS d, count(*) AS x FROM events
WHERE ${DUCK.org([o.id])} AND type IN (${TYPES.map((t) => `'${t}'`).join(', ')}) AND ts >= ${f.end - SPAN} AND ts < ${f.end}
GROUP BY 1`,
  ],
  fromHttp: (json) =>
    (json as { series: { points: { value: number }[] }[] }).series[0]!.points.map((p) => p.value),
  fromSql: ([rows], _o, f) => byDay(f.end - SPAN, rows!, 0),
};
