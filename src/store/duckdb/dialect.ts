/**
 * The DuckDB dialect of the query engine: each core row request becomes one
 * statement `{ sql, params }`, pure and testable without a database. Shape:
 *   inner:  filtered events with group/per/unique columns and local time `lt`
 *   middle: + the axis index `i` (integer arithmetic on `lt`, see dialect-expr.ts)
 *   outer:  the aggregate per (group, i)
 * Distinct windows use per-tuple sorted lists of active indices (Q1, docs/benchmarks.md):
 * cost O(distinct tuple-units), not units x window. A ClickHouse dialect can do the
 * same with groupArray/arraySort/ARRAY JOIN; nothing here needs window functions.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { Field } from '../../core/query/plan.js';
import { needsActors, QUANTILE_SCALE, TOTAL_INDEX, type RowRequest } from '../../core/query/requests.js';
import { fieldSql, indexSql, lit, localSql, SqlParams, tupleSql, type Layout } from './dialect-expr.js';
import { exclusionSql, whereSql } from './dialect-where.js';
import { rollupFits, rollupRelation } from './dialect-rollup.js';

export interface SqlStatement {
  sql: string;
  params: DuckDBValue[];
}

function cols(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, k) => `${prefix}${k}`);
}

/**
 * The inner and middle levels: events with g*, p*, u, v, ts, id and the index i. With `through`
 * (the watermark of the rollup, which then fits the request), its cells and the tail instead
 * (dialect-rollup.ts): ts is then the latest event of a cell, and id and v are not there.
 */
function source(
  request: RowRequest,
  ps: SqlParams,
  extra: { per?: Field[]; unique?: Field[] | null },
  through: number | null = null,
): string {
  const cells = through !== null;
  const select: string[] = cells ? ['e.mts AS ts'] : ['e.ts AS ts', 'e.id AS id', 'e.value AS v'];
  request.groupBy.forEach((f, k) => select.push(`${fieldSql(f, ps)} AS g${k}`));
  (extra.per ?? []).forEach((f, k) => select.push(`${fieldSql(f, ps)} AS p${k}`));
  if (extra.unique) select.push(`${tupleSql(extra.unique, ps, request.scan.orgs.length > 1)} AS u`);
  select.push(`${localSql(request.index)} AS lt`);
  // Filters on actor_kind are semi-joins (see whereSql); fields selected or excluded need the row.
  const joined = needsActors({ ...request, scan: { ...request.scan, filters: [] } });
  const join = joined ? '\n  LEFT JOIN actors a ON a.org = e.org AND a.id = e.actor' : '';
  const from = cells ? rollupRelation(request, through, ps) : 'events e';
  // Over the rollup's relation the scan is applied inside it; only the top-N exclusion is left.
  const where = cells ? (exclusionSql(request.scan, ps) ?? 'true') : whereSql(request.scan, ps);
  const inner = `SELECT ${select.join(', ')}\n  FROM ${from}${join}\n  WHERE ${where}`;
  return `SELECT e.*, ${indexSql(request.index, 'e.lt')} AS i FROM (\n  ${inner}\n) e`;
}

function statsSql(
  request: Extract<RowRequest, { kind: 'stats' }>,
  ps: SqlParams,
  through: number | null,
): string {
  const g = cols('g', request.groupBy.length);
  const keys = [...g, 'i'].join(', ');
  const src = source(request, ps, { unique: request.unique }, through);
  const quantile = request.quantile ?? null;
  // Nearest rank ceil(q * n) in integers (q in millionths); DuckDB lists are 1-based.
  const qv =
    quantile === null
      ? ''
      : `, list_sort(list(v))[(${lit(quantile)} * count(*) + ${lit(QUANTILE_SCALE - 1)}) // ${lit(QUANTILE_SCALE)}] AS qv`;
  // With `unique` (never with a quantile), u is the only figure read (requests.ts): the others
  // would cost ~12 % of a distinct count's scan for nothing, and over the rollup they do not exist.
  const measures =
    request.unique === null
      ? `count(*) AS n, sum(v) AS s, min(v) AS mn, max(v) AS mx${qv}`
      : 'NULL AS n, NULL AS s, NULL AS mn, NULL AS mx, count(DISTINCT u) AS u';
  if (!request.totals) return `SELECT ${keys}, ${measures}\nFROM (${src})\nGROUP BY ${keys}`;
  // One scan for the buckets and the whole range; i is never NULL, so NULL marks the total rows.
  const gl = g.map((c) => `${c}, `).join('');
  return `SELECT ${gl}coalesce(i, ${lit(TOTAL_INDEX)}) AS i, ${measures}\nFROM (${src})\nGROUP BY GROUPING SETS ((${keys}), (${g.join(', ')}))`;
}

function latestSql(request: Extract<RowRequest, { kind: 'latest' }>, ps: SqlParams): string {
  const keys = [...cols('g', request.groupBy.length), ...cols('p', request.per.length), 'i'];
  if (request.readings) keys.push('ts');
  const src = source(request, ps, { per: request.per });
  const t = request.readings ? ', ts AS t' : '';
  return `SELECT ${keys.join(', ')}${t}, arg_max(v, row(ts, id)) AS v\nFROM (${src})\nGROUP BY ${keys.join(', ')}`;
}

function intervalsSql(
  request: Extract<RowRequest, { kind: 'intervals' }>,
  ps: SqlParams,
  through: number | null,
): string {
  const g = cols('g', request.groupBy.length);
  const gl = g.map((c) => `${c}, `).join('');
  const src = source(request, ps, { unique: request.unique }, through);
  const size = request.size;
  const totalFrom = request.totalFrom ?? null;
  // The range total: tuples with an event at or after totalFrom, one row per group at TOTAL_INDEX.
  const totals =
    totalFrom === null
      ? ''
      : `\n  UNION ALL\n  SELECT ${gl}${lit(TOTAL_INDEX)} AS i, CAST(hit AS INTEGER) AS plus, 0 AS minus, 0 AS active FROM a`;
  if (size === null) {
    // Cumulative: an interval per tuple from its first unit on, so its first unit is all it needs;
    // `active` counts the tuples seen in each unit (1.3x faster than the lists below).
    const hit = totalFrom === null ? '' : `, max(mts) >= ${lit(totalFrom)} AS hit`;
    return `WITH y AS (${src}),
ad AS (SELECT ${gl}u, i, max(ts) AS mts FROM y WHERE u IS NOT NULL GROUP BY ${gl}u, i),
a AS (SELECT ${gl}min(i) AS f${hit} FROM ad GROUP BY ${gl}u)
SELECT ${gl}i, sum(plus) AS plus, sum(minus) AS minus, sum(active) AS active FROM (
  SELECT ${gl}f AS i, 1 AS plus, 0 AS minus, 0 AS active FROM a
  UNION ALL
  SELECT ${gl}i, 0 AS plus, 0 AS minus, count(*) AS active FROM ad GROUP BY ${gl}i${totals}
)
GROUP BY ${gl}i`;
  }
  const hit = totalFrom === null ? '' : `, max(ts) >= ${lit(totalFrom)} AS hit`;
  // A tuple's list keeps repeated indices (an index per event or rollup cell): DISTINCT inside
  // the aggregate costs about twice the plain list (docs/benchmarks.md). Sorted, repeats are
  // adjacent, and only the last of a run has a next index other than its own, so the filter on
  // nx leaves each active index once with its next distinct one.
  return `WITH y AS (${src}),
a AS (SELECT ${gl}list_sort(list(i)) AS ds${hit} FROM y WHERE u IS NOT NULL GROUP BY ${gl}u),
d AS (SELECT * FROM (SELECT ${gl}unnest(ds) AS i, unnest(list_append(ds[2:], NULL)) AS nx FROM a) WHERE nx IS DISTINCT FROM i)
SELECT ${gl}i, sum(plus) AS plus, sum(minus) AS minus, sum(active) AS active FROM (
  SELECT ${gl}i, 1 AS plus, 0 AS minus, 1 AS active FROM d
  UNION ALL
  SELECT ${gl}LEAST(i + ${lit(size)}, COALESCE(nx, i + ${lit(size)})) AS i, 0 AS plus, 1 AS minus, 0 AS active FROM d${totals}
)
GROUP BY ${gl}i`;
}

/**
 * The statement of one row request. Columns: g0.. (group), p0.. (per), i, and
 * n/s/mn/mx[/u] (stats), v (latest) or plus/minus/active (intervals). With
 * `rollupThrough` (the compaction watermark, or an older one), a request the actor
 * rollup fits reads it and the events after it (dialect-rollup.ts); null reads events.
 *
 * @example
 * toDuckDbSql({ kind: 'stats', scan, groupBy: [], index, unique: null })
 * // { sql: 'SELECT i, count(*) AS n, ... WHERE e.org IN ($1) AND e.ts >= 1704067200000 ...', params: ['acme'] }
 */
export function toDuckDbSql(
  request: RowRequest,
  layout: Layout = {},
  rollupThrough: number | null = null,
): SqlStatement {
  const ps = new SqlParams(layout);
  const through = rollupThrough !== null && rollupFits(request) ? rollupThrough : null;
  let sql: string;
  switch (request.kind) {
    case 'stats':
      sql = statsSql(request, ps, through);
      break;
    case 'latest':
      sql = latestSql(request, ps);
      break;
    case 'intervals':
      sql = intervalsSql(request, ps, through);
      break;
  }
  return { sql, params: ps.values };
}
